//! ReplicaSets and Deployments, the pure part: Pod names as a cluster makes
//! them and the reconcile decision (have N Pods, want M: which to create,
//! which to delete). The controller loop acts on the decision.
//!
//! Names: a Deployment `web` owns the ReplicaSet `web-<pod-template-hash>`
//! (the hash of its Pod template, encoded with the alphabet below, up to 10
//! characters), whose Pods are `web-<hash>-<5 random characters>`. A bare
//! ReplicaSet `front` names its Pods `front-<5 characters>`, a Job `pi` its
//! Pods `pi-<5 characters>`: the apiserver's `generateName`.

use serde::Serialize;

/// The apiserver's alphabet for generated names: no vowels (no words), no
/// `0`, `1`, `3` (no look-alikes).
pub const ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a, 32 bits: the hash the Deployment controller uses for the
/// `pod-template-hash` label.
fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Encode like `rand.SafeEncodeString`: each character of the input picks
/// one of the alphabet (by its byte value).
fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect()
}

/// The `pod-template-hash` of a Pod template: FNV-1a of the template, written
/// in decimal, then safe-encoded (so up to 10 characters, as on a cluster; the
/// exact value differs from a cluster's, which hashes Go's dump of the object).
pub fn pod_template_hash(template: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(template).unwrap_or_default();
    safe_encode(&fnv32a(&bytes).to_string())
}

/// Five random characters of [`ALPHABET`], as `generateName` appends.
pub fn random_suffix() -> String {
    suffix_from(crate::random::random_u64())
}

/// Five characters of [`ALPHABET`] from a number (for tests and for
/// [`random_suffix`]).
pub fn suffix_from(mut n: u64) -> String {
    (0..5)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize];
            n /= ALPHABET.len() as u64;
            char::from(c)
        })
        .collect()
}

/// `<deployment>-<hash>`.
pub fn replicaset_name(deployment: &str, hash: &str) -> String {
    format!("{deployment}-{hash}")
}

/// `<owner>-<suffix>`, for a ReplicaSet's or a Job's Pod.
pub fn pod_name(owner: &str, suffix: &str) -> String {
    format!("{owner}-{suffix}")
}

/// What the ReplicaSet controller knows about one of its Pods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaPod {
    pub name: String,
    /// Succeeded or Failed: not counted, replaced, removed.
    pub finished: bool,
    /// Running (not Pending).
    pub running: bool,
    pub ready: bool,
    pub restarts: u32,
    /// Creation order: bigger is newer.
    pub created: u64,
}

/// The decision of one reconcile pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplicaPlan {
    /// How many new Pods to create.
    pub create: u32,
    /// Pods to delete, the ones a cluster would pick first.
    pub delete: Vec<String>,
}

/// Have `pods`, want `replicas`: create the missing ones; delete the extra
/// ones in the order the ReplicaSet controller prefers (Pending before
/// Running, not ready before ready, more restarts first, newer first); and
/// remove finished Pods, which no longer count.
pub fn plan(replicas: u32, pods: &[ReplicaPod]) -> ReplicaPlan {
    let mut delete: Vec<String> = pods
        .iter()
        .filter(|p| p.finished)
        .map(|p| p.name.clone())
        .collect();
    let mut active: Vec<&ReplicaPod> = pods.iter().filter(|p| !p.finished).collect();
    let have = active.len() as u32;
    if have >= replicas {
        active.sort_by(|a, b| {
            (a.running, a.ready)
                .cmp(&(b.running, b.ready))
                .then(b.restarts.cmp(&a.restarts))
                .then(b.created.cmp(&a.created))
        });
        delete.extend(
            active
                .iter()
                .take((have - replicas) as usize)
                .map(|p| p.name.clone()),
        );
        ReplicaPlan { create: 0, delete }
    } else {
        ReplicaPlan {
            create: replicas - have,
            delete,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, running: bool, ready: bool, restarts: u32, created: u64) -> ReplicaPod {
        ReplicaPod {
            name: name.into(),
            finished: false,
            running,
            ready,
            restarts,
            created,
        }
    }

    #[test]
    fn names_look_like_a_clusters() {
        let hash =
            pod_template_hash(&serde_json::json!({"spec": {"containers": [{"name": "web"}]}}));
        assert!((1..=10).contains(&hash.len()), "{hash}");
        assert!(hash.bytes().all(|b| ALPHABET.contains(&b)), "{hash}");
        let rs = replicaset_name("web", &hash);
        let name = pod_name(&rs, &random_suffix());
        let suffix = name.rsplit('-').next().unwrap();
        assert_eq!(suffix.len(), 5);
        assert!(suffix.bytes().all(|b| ALPHABET.contains(&b)));
        assert!(name.starts_with(&format!("web-{hash}-")));
    }

    #[test]
    fn template_hash_follows_the_template() {
        let a = pod_template_hash(&serde_json::json!({"image": "busybox:1"}));
        let b = pod_template_hash(&serde_json::json!({"image": "busybox:2"}));
        assert_ne!(a, b);
        assert_eq!(
            a,
            pod_template_hash(&serde_json::json!({"image": "busybox:1"}))
        );
    }

    #[test]
    fn fnv_matches_the_reference_values() {
        // FNV-1a 32 test vectors.
        assert_eq!(fnv32a(b""), 0x811c9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c292c);
        assert_eq!(fnv32a(b"foobar"), 0xbf9cf968);
    }

    #[test]
    fn suffixes_use_only_the_alphabet() {
        assert_eq!(suffix_from(0), "bbbbb");
        assert_eq!(suffix_from(26), "9bbbb");
        assert_ne!(suffix_from(12345), suffix_from(12346));
    }

    #[test]
    fn creates_what_is_missing() {
        let p = plan(3, &[pod("a", true, true, 0, 1)]);
        assert_eq!(
            p,
            ReplicaPlan {
                create: 2,
                delete: vec![]
            }
        );
    }

    #[test]
    fn replaces_a_finished_pod() {
        let mut dead = pod("a", false, false, 0, 1);
        dead.finished = true;
        let p = plan(2, &[dead, pod("b", true, true, 0, 2)]);
        assert_eq!(p.create, 1);
        assert_eq!(p.delete, vec!["a".to_string()]);
    }

    #[test]
    fn scales_down_the_least_useful_pods_first() {
        let pods = [
            pod("old-ready", true, true, 0, 1),
            pod("new-ready", true, true, 0, 5),
            pod("pending", false, false, 0, 2),
            pod("unready", true, false, 0, 3),
            pod("restarty", true, true, 4, 4),
        ];
        let p = plan(1, &pods);
        assert_eq!(p.create, 0);
        assert_eq!(
            p.delete,
            vec!["pending", "unready", "restarty", "new-ready"]
        );
    }

    #[test]
    fn nothing_to_do_when_the_count_is_right() {
        assert_eq!(
            plan(1, &[pod("a", true, true, 0, 1)]),
            ReplicaPlan::default()
        );
        assert_eq!(plan(0, &[]), ReplicaPlan::default());
    }
}
