//! Kubernetes resource quantities: `100m`, `0.5`, `64Mi`, `1G`, `1e3`.
//!
//! Values are kept exactly, in thousandths of the base unit (millicores for
//! CPU, milli-bytes for memory), so `1000m == 1` and `1Gi > 1G` compare right.

use std::cmp::Ordering;
use std::fmt;

use serde::{Serialize, Serializer};

/// A parsed quantity, keeping the text the learner wrote.
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    milli: i128,
}

impl Quantity {
    /// Parse a quantity the way the API server does. The error says what is
    /// wrong in a learner's terms.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("a quantity cannot be empty".into());
        }
        let (number, suffix) = split_number(t);
        if number.is_empty() {
            return Err(format!("\"{text}\" does not start with a number"));
        }
        let multiplier: (i128, i128) = match suffix {
            "" => (1000, 1),
            "m" => (1, 1),
            "k" => (1000 * 1000, 1),
            "M" => (1000 * 1000_i128.pow(2), 1),
            "G" => (1000 * 1000_i128.pow(3), 1),
            "T" => (1000 * 1000_i128.pow(4), 1),
            "P" => (1000 * 1000_i128.pow(5), 1),
            "E" => (1000 * 1000_i128.pow(6), 1),
            "Ki" => (1000 * 1024, 1),
            "Mi" => (1000 * 1024_i128.pow(2), 1),
            "Gi" => (1000 * 1024_i128.pow(3), 1),
            "Ti" => (1000 * 1024_i128.pow(4), 1),
            "Pi" => (1000 * 1024_i128.pow(5), 1),
            "Ei" => (1000 * 1024_i128.pow(6), 1),
            s if s.starts_with(['e', 'E']) => {
                let exp: i32 = s[1..].parse().map_err(|_| {
                    format!("\"{text}\" has an exponent that is not a whole number")
                })?;
                if !(-3..=18).contains(&exp) {
                    return Err(format!("\"{text}\" is out of range"));
                }
                if exp >= 0 {
                    (1000 * 10_i128.pow(exp as u32), 1)
                } else {
                    (1000, 10_i128.pow((-exp) as u32))
                }
            }
            other => {
                return Err(format!(
                    "\"{text}\" has an unknown unit \"{other}\": use m, k, M, G, T, P, E or Ki, Mi, Gi, Ti, Pi, Ei (e.g. 100m, 64Mi, 1G)"
                ));
            }
        };
        let (negative, digits) = match number.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, number.strip_prefix('+').unwrap_or(number)),
        };
        let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(format!("\"{text}\" does not start with a number"));
        }
        if !int_part.chars().all(|c| c.is_ascii_digit())
            || !frac_part.chars().all(|c| c.is_ascii_digit())
        {
            return Err(format!("\"{text}\" is not a number followed by a unit"));
        }
        if int_part.len() > 24 || frac_part.len() > 24 {
            return Err(format!("\"{text}\" is out of range"));
        }
        let int: i128 = if int_part.is_empty() {
            0
        } else {
            int_part
                .parse()
                .map_err(|_| format!("\"{text}\" is out of range"))?
        };
        let frac_den = 10_i128.pow(frac_part.len() as u32);
        let frac: i128 = if frac_part.is_empty() {
            0
        } else {
            frac_part
                .parse()
                .map_err(|_| format!("\"{text}\" is out of range"))?
        };
        let scaled = int
            .checked_mul(frac_den)
            .and_then(|v| v.checked_add(frac))
            .and_then(|v| v.checked_mul(multiplier.0))
            .ok_or_else(|| format!("\"{text}\" is out of range"))?;
        // Round up like the API server: a fraction of a milli-unit counts as one.
        let den = frac_den * multiplier.1;
        let mut milli = scaled / den;
        if scaled % den != 0 {
            milli += 1;
        }
        Ok(Quantity {
            text: text.to_string(),
            milli: if negative { -milli } else { milli },
        })
    }

    /// The value in thousandths of the unit (millicores, milli-bytes).
    pub fn milli(&self) -> i128 {
        self.milli
    }

    /// The value in whole units, rounded up (bytes for memory, cores for CPU).
    pub fn units_ceil(&self) -> i128 {
        (self.milli + 999).div_euclid(1000)
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn split_number(t: &str) -> (&str, &str) {
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0)))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    t.split_at(end)
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.milli == other.milli
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.milli.cmp(&other.milli)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn cpu_units() {
        assert_eq!(q("100m").milli(), 100);
        assert_eq!(q("0.5").milli(), 500);
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q(".1").milli(), 100);
    }

    #[test]
    fn memory_units() {
        assert_eq!(q("64Mi").units_ceil(), 64 * 1024 * 1024);
        assert_eq!(q("1G").units_ceil(), 1_000_000_000);
        assert!(q("1Gi") > q("1G"));
        assert_eq!(q("1e3").units_ceil(), 1000);
        assert_eq!(
            q("128974848"),
            q("129e6").clone().max(q("128974848")).min(q("128974848"))
        );
    }

    #[test]
    fn bad_quantities_are_explained() {
        assert!(
            Quantity::parse("64MB")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(Quantity::parse("lots").unwrap_err().contains("number"));
        assert!(Quantity::parse("").is_err());
        assert!(Quantity::parse("1.2.3").is_err());
        assert!(Quantity::parse("99999999999999999999999999999E").is_err());
    }
}
