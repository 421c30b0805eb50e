//! The namespace network and cluster DNS names: which bridge a namespace's
//! Pods share, which subnet it gets, and which DNS aliases a Service, a
//! headless Service's Pods and a Pod with `hostname` + `subdomain` carry.

use std::collections::BTreeMap;

use super::{ClusterEngine, NetworkCreated};

/// The cluster domain every name ends with.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// `podlearn-<learner>-<namespace>`: one bridge per learner and namespace,
/// so learners sharing an engine never see each other's Pods.
pub fn network_name(learner: &str, namespace: &str) -> String {
    crate::runtime::docker_safe(&format!("podlearn-{learner}-{namespace}"))
}

/// The /24 subnets podlearn tries for a network, in order: starting at a
/// place picked from the network's name (so learners rarely collide), then
/// every other one of `10.213.0.0/16`.
pub fn subnet_candidates(network: &str) -> impl Iterator<Item = String> {
    let start = network
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 256;
    (0..256).map(move |i| format!("10.213.{}.0/24", (start + i) % 256))
}

/// The names of a Service: `web`, `web.default`, `web.default.svc`,
/// `web.default.svc.cluster.local`.
pub fn service_aliases(service: &str, namespace: &str) -> Vec<String> {
    vec![
        service.to_string(),
        format!("{service}.{namespace}"),
        format!("{service}.{namespace}.svc"),
        format!("{service}.{namespace}.svc.{CLUSTER_DOMAIN}"),
    ]
}

/// The names of a Pod with `hostname` and `subdomain` under a headless
/// Service: `<hostname>.<subdomain>` and longer, to the FQDN
/// `<hostname>.<subdomain>.<namespace>.svc.cluster.local`.
pub fn pod_aliases(hostname: &str, subdomain: &str, namespace: &str) -> Vec<String> {
    service_aliases(subdomain, namespace)
        .into_iter()
        .map(|a| format!("{hostname}.{a}"))
        .collect()
}

/// The search list a cluster's DNS policy `ClusterFirst` writes into every
/// Pod's `/etc/resolv.conf`, to give sandboxes the same.
pub fn dns_search(namespace: &str) -> Vec<String> {
    vec![
        format!("{namespace}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ]
}

/// Make sure the namespace network exists (another podlearn of the same
/// learner may have made it already); returns its subnet.
///
/// The engine does not refuse a second network of the same name, so two
/// podlearn processes of one learner (two detached Pods started at once) that
/// both find none would make two, and every later lookup by name fails as
/// ambiguous. A lock file per network in podlearn's data folder makes the
/// look-then-create one step among the learner's processes.
pub async fn ensure(
    engine: &impl ClusterEngine,
    network: &str,
    labels: &BTreeMap<String, String>,
) -> anyhow::Result<String> {
    let _lock = lock_network(network).await;
    if let Some(subnet) = engine.network_subnet(network).await? {
        return Ok(subnet);
    }
    for subnet in subnet_candidates(network) {
        match engine.create_network(network, &subnet, labels).await? {
            NetworkCreated::Created => return Ok(subnet),
            NetworkCreated::SubnetTaken => continue,
            NetworkCreated::AlreadyThere => {
                if let Some(subnet) = engine.network_subnet(network).await? {
                    return Ok(subnet);
                }
            }
        }
    }
    anyhow::bail!(
        "Failed to create the network {network}: every subnet of 10.213.0.0/16 is taken on this engine \
         (`podlearn clean` removes yours; an instructor can run `podlearn clean --all-learners`)"
    )
}

/// Hold the lock of `network` until the returned file is dropped; `None`
/// when the lock file cannot be made (then there is no lock).
///
/// The lock lives in [`crate::data_dir::machine_dir`], not in the data
/// folder: every podlearn process of this user on this machine
/// takes the same lock whatever its `PODLEARN_HOME`, so two of them never
/// create twin networks (Docker allows duplicate names, and a sandbox that
/// names an ambiguous network fails to start).
async fn lock_network(network: &str) -> Option<std::fs::File> {
    let dir = crate::data_dir::machine_dir().join("locks");
    let path = dir.join(format!("network-{network}.lock"));
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).ok()?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .ok()?;
        fs4::FileExt::lock(&file).ok()?;
        Some(file)
    })
    .await
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_cluster() {
        assert_eq!(
            service_aliases("web", "default"),
            [
                "web",
                "web.default",
                "web.default.svc",
                "web.default.svc.cluster.local"
            ]
        );
        assert_eq!(
            pod_aliases("db-0", "db", "shop")[3],
            "db-0.db.shop.svc.cluster.local"
        );
        assert_eq!(dns_search("default")[0], "default.svc.cluster.local");
    }

    #[test]
    fn one_network_per_learner_and_namespace() {
        assert_eq!(network_name("ana", "default"), "podlearn-ana-default");
        assert_ne!(
            network_name("ana", "default"),
            network_name("bo", "default")
        );
        assert_eq!(network_name("a b", "x"), "podlearn-a_b-x");
    }

    #[test]
    fn subnets_cover_the_range_once() {
        let all: Vec<String> = subnet_candidates("podlearn-ana-default").collect();
        assert_eq!(all.len(), 256);
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 256);
        assert!(
            all.iter()
                .all(|s| s.starts_with("10.213.") && s.ends_with(".0/24"))
        );
    }
}
