//! Random numbers for names and tokens, from the standard library alone: its
//! hasher is keyed at random for every `RandomState`, and the clock makes two
//! draws in one process differ.

use std::hash::{BuildHasher, Hasher};

/// A fresh random number.
pub fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

/// 16 random hex digits.
pub fn random_hex() -> String {
    format!("{:016x}", random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_differ_and_hex_has_sixteen_digits() {
        let a = random_hex();
        assert_eq!(a.len(), 16);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, random_hex());
    }
}
