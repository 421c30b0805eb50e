//! Which Pods back a Service: the Endpoints a cluster's endpoints controller
//! would compute, from the Service, the Pods of its namespace and their
//! readiness. Pure; the proxy and DNS controllers act on the result.

use std::collections::BTreeMap;

use crate::manifest::model::{ContainerPort, IntOrString, Service, ServicePort};

/// What the endpoints computation needs to know about one Pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodView {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// None while the sandbox has no address yet (the Pod is left out).
    pub ip: Option<String>,
    /// The Pod's `Ready` condition.
    pub ready: bool,
    /// Succeeded, Failed or being deleted: never an endpoint.
    pub finished: bool,
    /// `spec.hostname`, set only when the manifest sets it.
    pub hostname: Option<String>,
    pub subdomain: Option<String>,
    /// Every `containerPort` of every container, for named `targetPort`s.
    pub ports: Vec<ContainerPort>,
}

/// One address behind one Service port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backend {
    pub ip: String,
    /// The resolved `targetPort` on that Pod.
    pub port: u16,
    pub pod: String,
    /// Set for a Pod with `hostname` whose `subdomain` is this Service.
    pub hostname: Option<String>,
}

/// The backends of one Service port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortEndpoints {
    pub port: ServicePort,
    pub ready: Vec<Backend>,
    pub not_ready: Vec<Backend>,
}

/// A Service's Endpoints object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub service: String,
    pub namespace: String,
    pub ports: Vec<PortEndpoints>,
}

/// Resolve a Service port's `targetPort` on one Pod: a number is taken as is,
/// a name is looked up among the Pod's container ports (same protocol). None
/// when the Pod has no port of that name: a cluster leaves such a Pod out of
/// that port's endpoints.
pub fn target_port(port: &ServicePort, pod_ports: &[ContainerPort]) -> Option<u16> {
    match &port.target_port {
        IntOrString::Int(n) => u16::try_from(*n).ok().filter(|&n| n > 0),
        IntOrString::String(name) => pod_ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name.as_str()) && p.protocol == port.protocol)
            .map(|p| p.container_port),
    }
}

/// Compute a Service's Endpoints. Only Pods of the Service's namespace that
/// its selector matches, that have an IP and have not finished count; Ready
/// ones are `ready`, the others `not_ready` (as `subsets[].notReadyAddresses`).
pub fn compute(service: &Service, pods: &[PodView]) -> Endpoints {
    let ports = service
        .ports
        .iter()
        .map(|sp| {
            let mut ready = Vec::new();
            let mut not_ready = Vec::new();
            for pod in pods {
                if pod.namespace != service.metadata.namespace
                    || pod.finished
                    || !service.selects(&pod.labels)
                {
                    continue;
                }
                let (Some(ip), Some(port)) = (&pod.ip, target_port(sp, &pod.ports)) else {
                    continue;
                };
                let hostname = match (&pod.hostname, &pod.subdomain) {
                    (Some(h), Some(s)) if *s == service.metadata.name => Some(h.clone()),
                    _ => None,
                };
                let backend = Backend {
                    ip: ip.clone(),
                    port,
                    pod: pod.name.clone(),
                    hostname,
                };
                if pod.ready {
                    ready.push(backend);
                } else {
                    not_ready.push(backend);
                }
            }
            ready.sort();
            not_ready.sort();
            PortEndpoints {
                port: sp.clone(),
                ready,
                not_ready,
            }
        })
        .collect();
    Endpoints {
        service: service.metadata.name.clone(),
        namespace: service.metadata.namespace.clone(),
        ports,
    }
}

impl Endpoints {
    /// The Pods (by name) that are ready for at least one port.
    pub fn ready_pods(&self) -> Vec<&str> {
        let mut pods: Vec<&str> = self
            .ports
            .iter()
            .flat_map(|p| p.ready.iter().map(|b| b.pod.as_str()))
            .collect();
        pods.sort();
        pods.dedup();
        pods
    }

    /// The Pods (by name) that match but are not ready for any port.
    pub fn not_ready_pods(&self) -> Vec<&str> {
        let ready = self.ready_pods();
        let mut pods: Vec<&str> = self
            .ports
            .iter()
            .flat_map(|p| p.not_ready.iter().map(|b| b.pod.as_str()))
            .filter(|p| !ready.contains(p))
            .collect();
        pods.sort();
        pods.dedup();
        pods
    }

    /// `ip:port` of every ready backend, as kubectl's ENDPOINTS column lists them.
    pub fn ready_addresses(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .ports
            .iter()
            .flat_map(|p| p.ready.iter().map(|b| format!("{}:{}", b.ip, b.port)))
            .collect();
        all.dedup();
        all
    }
}

/// kubectl's ENDPOINTS column: the first three ready addresses, then
/// `+ N more...`; `<none>` when nothing is ready.
pub fn endpoints_column(eps: &Endpoints) -> String {
    let all = eps.ready_addresses();
    if all.is_empty() {
        return "<none>".into();
    }
    let mut s = all.iter().take(3).cloned().collect::<Vec<_>>().join(",");
    if all.len() > 3 {
        s.push_str(&format!(" + {} more...", all.len() - 3));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::ObjectMeta;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    pub(crate) fn service(name: &str, target: IntOrString) -> Service {
        Service {
            metadata: ObjectMeta {
                name: name.into(),
                namespace: "default".into(),
                ..Default::default()
            },
            kind: "ClusterIP".into(),
            selector: labels(&[("app", "web")]),
            ports: vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                target_port: target,
                protocol: "TCP".into(),
            }],
            headless: false,
        }
    }

    fn pod(name: &str, ip: &str, ready: bool, port_name: &str, port: u16) -> PodView {
        PodView {
            name: name.into(),
            namespace: "default".into(),
            labels: labels(&[("app", "web")]),
            ip: Some(ip.into()),
            ready,
            finished: false,
            hostname: None,
            subdomain: None,
            ports: vec![ContainerPort {
                name: Some(port_name.into()),
                container_port: port,
                protocol: "TCP".into(),
                host_port: None,
            }],
        }
    }

    #[test]
    fn ready_and_unready_pods_are_split() {
        let svc = service("web", IntOrString::Int(8080));
        let pods = [
            pod("a", "10.0.0.2", true, "http", 8080),
            pod("b", "10.0.0.3", false, "http", 8080),
        ];
        let eps = compute(&svc, &pods);
        assert_eq!(eps.ports[0].ready.len(), 1);
        assert_eq!(eps.ports[0].ready[0].pod, "a");
        assert_eq!(eps.ports[0].not_ready[0].pod, "b");
        assert_eq!(endpoints_column(&eps), "10.0.0.2:8080");
        assert_eq!(eps.ready_pods(), vec!["a"]);
        assert_eq!(eps.not_ready_pods(), vec!["b"]);
    }

    #[test]
    fn named_target_port_resolves_per_pod() {
        let svc = service("web", IntOrString::String("web-port".into()));
        let pods = [
            pod("a", "10.0.0.2", true, "web-port", 8080),
            pod("b", "10.0.0.3", true, "web-port", 9090),
            pod("c", "10.0.0.4", true, "other", 7070),
        ];
        let eps = compute(&svc, &pods);
        let got: Vec<_> = eps.ports[0]
            .ready
            .iter()
            .map(|b| (b.pod.as_str(), b.port))
            .collect();
        // c has no port named web-port: left out, as on a cluster.
        assert_eq!(got, vec![("a", 8080), ("b", 9090)]);
    }

    #[test]
    fn other_namespaces_unmatched_and_finished_pods_are_left_out() {
        let svc = service("web", IntOrString::Int(80));
        let mut other_ns = pod("x", "10.0.0.5", true, "http", 80);
        other_ns.namespace = "team-b".into();
        let mut unlabeled = pod("y", "10.0.0.6", true, "http", 80);
        unlabeled.labels = labels(&[("app", "db")]);
        let mut done = pod("z", "10.0.0.7", true, "http", 80);
        done.finished = true;
        let mut no_ip = pod("w", "", true, "http", 80);
        no_ip.ip = None;
        let eps = compute(&svc, &[other_ns, unlabeled, done, no_ip]);
        assert!(eps.ports[0].ready.is_empty() && eps.ports[0].not_ready.is_empty());
        assert_eq!(endpoints_column(&eps), "<none>");
    }

    #[test]
    fn hostname_is_kept_only_under_its_subdomain() {
        let svc = service("db", IntOrString::Int(80));
        let mut a = pod("a", "10.0.0.2", true, "http", 80);
        a.labels = labels(&[("app", "web")]);
        a.hostname = Some("db-0".into());
        a.subdomain = Some("db".into());
        let mut b = pod("b", "10.0.0.3", true, "http", 80);
        b.hostname = Some("other".into());
        b.subdomain = Some("elsewhere".into());
        let eps = compute(&svc, &[a, b]);
        assert_eq!(eps.ports[0].ready[0].hostname.as_deref(), Some("db-0"));
        assert_eq!(eps.ports[0].ready[1].hostname, None);
    }

    #[test]
    fn column_shows_three_then_more() {
        let svc = service("web", IntOrString::Int(80));
        let pods: Vec<_> = (2..7)
            .map(|i| pod(&format!("p{i}"), &format!("10.0.0.{i}"), true, "http", 80))
            .collect();
        let eps = compute(&svc, &pods);
        assert_eq!(
            endpoints_column(&eps),
            "10.0.0.2:80,10.0.0.3:80,10.0.0.4:80 + 2 more..."
        );
    }
}
