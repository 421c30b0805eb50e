//! Services on Docker: a ClusterIP Service is a small proxy container that
//! carries the Service's DNS names and forwards each port, round robin, to
//! the ready endpoints; a headless Service puts its names on the ready Pods'
//! sandboxes themselves. See the `cluster` module for the design and what
//! differs from a cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

use super::endpoints::{Endpoints, PortEndpoints};
use super::network;
use super::{ClusterEngine, HelperSpec};
use crate::manifest::model::Service;

/// The image of the proxy: busybox's `nc` and `sh` are all it needs.
pub const PROXY_IMAGE: &str = "busybox:latest";

/// Run by `nc -ll -e` for every connection to a Service port (`$1`): pick the
/// next line of `/eps/<port>` (`<podIP> <targetPort>`) and become a
/// connection to it. No ready endpoint: close at once.
pub const FORWARDER: &str = r#"f=/eps/$1
n=$(grep -c . "$f" 2>/dev/null)
[ "${n:-0}" -gt 0 ] || exit 1
c=$(cat "$f.rr" 2>/dev/null || echo 0)
c=$(( (c + 1) % n ))
echo "$c" > "$f.rr"
set -- $(sed -n "$((c + 1))p" "$f")
exec nc "$1" "$2"
"#;

/// PID 1 of the proxy: one persistent `nc` listener per Service port.
/// `TERM` ends it at once (a shell as PID 1 ignores it otherwise).
const PROXY_MAIN: &str = r#"trap 'exit 0' TERM INT
mkdir -p /eps
printf '%s' "$PODLEARN_FORWARDER" > /fwd
for p in "$@"; do
  [ -e /eps/$p ] || : > /eps/$p
  nc -ll -p "$p" -e /bin/sh /fwd "$p" &
done
wait
"#;

/// Replaces one port's endpoints file in one step (write, then rename), so
/// a connection never reads half a list. The first one can run before
/// `PROXY_MAIN` has made `/eps` (a busy engine), which then keeps its list.
const SET_ENDPOINTS: &str =
    r#"mkdir -p /eps && printf '%s' "$2" > /eps/$1.new && mv /eps/$1.new /eps/$1"#;

/// The Docker name of a Service's proxy.
pub fn proxy_name(network: &str, service: &str) -> String {
    format!("{network}-svc-{service}")
}

/// How to create the proxy of a ClusterIP Service.
pub fn proxy_spec(
    service: &Service,
    network: &str,
    labels: &BTreeMap<String, String>,
) -> HelperSpec {
    let mut cmd = vec![
        "sh".into(),
        "-c".into(),
        PROXY_MAIN.into(),
        "service-proxy".into(),
    ];
    let mut ports: Vec<u16> = service
        .ports
        .iter()
        .filter(|p| p.protocol == "TCP")
        .map(|p| p.port)
        .collect();
    ports.dedup();
    cmd.extend(ports.iter().map(u16::to_string));
    let mut labels = labels.clone();
    // Named like a pod's objects so `clean` and the sweep after a crash
    // remove it with them; `get pods` lists only sandboxes, not this.
    labels.insert(
        "io.podlearn.pod".into(),
        format!("service-{}", service.metadata.name),
    );
    labels.insert("io.podlearn.role".into(), "service-proxy".into());
    HelperSpec {
        name: proxy_name(network, &service.metadata.name),
        image: PROXY_IMAGE.into(),
        network: network.into(),
        aliases: network::service_aliases(&service.metadata.name, &service.metadata.namespace),
        env: vec![format!("PODLEARN_FORWARDER={FORWARDER}")],
        cmd,
        labels,
    }
}

/// The content of `/eps/<port>`: one `<podIP> <targetPort>` line per ready
/// backend.
pub fn endpoints_file(port: &PortEndpoints) -> String {
    port.ready
        .iter()
        .map(|b| format!("{} {}\n", b.ip, b.port))
        .collect()
}

/// A running ClusterIP Service.
#[derive(Debug, Clone)]
pub struct ServiceProxy {
    pub service: Service,
    pub container: String,
    /// The proxy container's IP: what `get services` shows as CLUSTER-IP.
    pub cluster_ip: String,
    pub created: SystemTime,
    /// What each port's endpoints file holds now.
    written: BTreeMap<u16, String>,
}

/// Start the proxy of a ClusterIP Service (with no endpoints yet).
pub async fn start_proxy(
    engine: &impl ClusterEngine,
    service: &Service,
    network: &str,
    labels: &BTreeMap<String, String>,
) -> anyhow::Result<ServiceProxy> {
    let spec = proxy_spec(service, network, labels);
    let cluster_ip = engine.run_helper(&spec).await?;
    Ok(ServiceProxy {
        service: service.clone(),
        container: spec.name,
        cluster_ip,
        created: SystemTime::now(),
        written: BTreeMap::new(),
    })
}

impl ServiceProxy {
    /// Point the proxy at the Service's current ready endpoints; only the
    /// ports whose list changed are rewritten. Returns whether anything did.
    pub async fn sync(
        &mut self,
        engine: &impl ClusterEngine,
        eps: &Endpoints,
    ) -> anyhow::Result<bool> {
        let mut changed = false;
        for port in eps.ports.iter().filter(|p| p.port.protocol == "TCP") {
            let content = endpoints_file(port);
            if self.written.get(&port.port.port) == Some(&content) {
                continue;
            }
            let argv = vec![
                "sh".to_string(),
                "-c".into(),
                SET_ENDPOINTS.into(),
                "set-endpoints".into(),
                port.port.port.to_string(),
                content.clone(),
            ];
            let code = engine.exec(&self.container, &argv).await?;
            if code != 0 {
                anyhow::bail!(
                    "Failed to update the endpoints of Service {} (exit code {code} in {})",
                    self.service.metadata.name,
                    self.container
                );
            }
            self.written.insert(port.port.port, content);
            changed = true;
        }
        Ok(changed)
    }
}

/// How long a sandbox's reconnect may take before the pass moves on.
const RECONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A Pod as the headless Services see it: its sandbox and its IP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxRef {
    pub sandbox: String,
    pub ip: String,
}

/// Which DNS names each Pod's sandbox should carry for the headless Services
/// of a namespace: the Service's names on every ready endpoint, plus
/// `<hostname>.<service>...` for a Pod with `hostname` and `subdomain`.
/// Pods that were given names before and have none now map to an empty set.
pub fn headless_aliases<'a>(
    services: impl IntoIterator<Item = (&'a Service, &'a Endpoints)>,
    previously: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut want: BTreeMap<String, BTreeSet<String>> = previously
        .keys()
        .map(|pod| (pod.clone(), BTreeSet::new()))
        .collect();
    for (svc, eps) in services {
        if !svc.headless {
            continue;
        }
        let ns = &svc.metadata.namespace;
        for port in &eps.ports {
            for b in &port.ready {
                let names = want.entry(b.pod.clone()).or_default();
                names.extend(network::service_aliases(&svc.metadata.name, ns));
                if let Some(h) = &b.hostname {
                    names.extend(network::pod_aliases(h, &svc.metadata.name, ns));
                }
            }
        }
    }
    want
}

/// Give each Pod's sandbox the names it should carry now: reconnect (with
/// its IP kept) only the sandboxes whose names changed. `applied` is what
/// was done before and is updated.
pub async fn sync_headless(
    engine: &impl ClusterEngine,
    network: &str,
    want: &BTreeMap<String, BTreeSet<String>>,
    pods: &BTreeMap<String, SandboxRef>,
    applied: &mut BTreeMap<String, BTreeSet<String>>,
) -> anyhow::Result<bool> {
    let mut changed = false;
    for (pod, names) in want {
        let before = applied.get(pod).cloned().unwrap_or_default();
        if *names == before {
            continue;
        }
        let Some(sandbox) = pods.get(pod) else {
            // The Pod is gone: nothing to reconnect.
            applied.remove(pod);
            continue;
        };
        let aliases: Vec<String> = names.iter().cloned().collect();
        // A Pod being deleted (by `podlearn delete` from another terminal)
        // may refuse or stall the reconnect: leave it, the next pass tries
        // again or finds it gone, rather than stopping every controller.
        let reconnect = engine.reconnect(&sandbox.sandbox, network, &sandbox.ip, &aliases);
        match tokio::time::timeout(RECONNECT_TIMEOUT, reconnect).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) | Err(_) => continue,
        }
        if names.is_empty() {
            applied.remove(pod);
        } else {
            applied.insert(pod.clone(), names.clone());
        }
        changed = true;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::endpoints::{Backend, PortEndpoints};
    use crate::manifest::model::{IntOrString, ObjectMeta, ServicePort};

    fn svc(name: &str, headless: bool) -> Service {
        Service {
            metadata: ObjectMeta {
                name: name.into(),
                namespace: "default".into(),
                ..Default::default()
            },
            kind: "ClusterIP".into(),
            selector: [("app".to_string(), "web".to_string())].into(),
            ports: vec![ServicePort {
                name: None,
                port: 80,
                target_port: IntOrString::Int(8080),
                protocol: "TCP".into(),
            }],
            headless,
        }
    }

    fn eps(s: &Service, ready: &[(&str, &str, Option<&str>)]) -> Endpoints {
        Endpoints {
            service: s.metadata.name.clone(),
            namespace: "default".into(),
            ports: vec![PortEndpoints {
                port: s.ports[0].clone(),
                ready: ready
                    .iter()
                    .map(|(pod, ip, host)| Backend {
                        ip: ip.to_string(),
                        port: 8080,
                        pod: pod.to_string(),
                        hostname: host.map(str::to_string),
                    })
                    .collect(),
                not_ready: vec![],
            }],
        }
    }

    #[test]
    fn proxy_listens_on_every_tcp_port_with_the_service_names() {
        let mut s = svc("web", false);
        s.ports.push(ServicePort {
            name: Some("dns".into()),
            port: 53,
            target_port: IntOrString::Int(53),
            protocol: "UDP".into(),
        });
        let spec = proxy_spec(&s, "podlearn-ana-default", &BTreeMap::new());
        assert_eq!(spec.name, "podlearn-ana-default-svc-web");
        assert_eq!(spec.cmd[4..], ["80".to_string()]);
        assert!(
            spec.aliases
                .contains(&"web.default.svc.cluster.local".to_string())
        );
        assert!(spec.env[0].starts_with("PODLEARN_FORWARDER=f=/eps/$1"));
    }

    #[test]
    fn endpoints_file_lists_ready_backends() {
        let s = svc("web", false);
        let e = eps(
            &s,
            &[("a", "10.213.7.11", None), ("b", "10.213.7.12", None)],
        );
        assert_eq!(
            endpoints_file(&e.ports[0]),
            "10.213.7.11 8080\n10.213.7.12 8080\n"
        );
    }

    #[test]
    fn headless_names_go_to_ready_pods_and_leave_unready_ones() {
        let s = svc("db", true);
        let e = eps(&s, &[("db-a", "10.213.7.11", Some("db-0"))]);
        let mut previously = BTreeMap::new();
        previously.insert("db-b".to_string(), BTreeSet::from(["db".to_string()]));
        let want = headless_aliases([(&s, &e)], &previously);
        assert!(want["db-a"].contains("db.default.svc.cluster.local"));
        assert!(want["db-a"].contains("db-0.db.default.svc.cluster.local"));
        // db-b is no longer ready: its names are taken away.
        assert!(want["db-b"].is_empty());
        // A ClusterIP Service puts no names on Pods.
        let c = svc("web", false);
        let e = eps(&c, &[("w", "10.213.7.13", None)]);
        assert!(headless_aliases([(&c, &e)], &BTreeMap::new()).is_empty());
    }
}
