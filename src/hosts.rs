//! The `/etc/hosts` the kubelet writes into every container of a pod
//! (`managedHostsFileContent` in `pkg/kubelet/kubelet_pods.go`), byte for byte.

use crate::manifest::HostAlias;

/// The cluster domain podlearn uses for FQDNs, as a default cluster does.
pub const CLUSTER_DOMAIN: &str = "cluster.local";

/// The hosts file for a pod with IP `pod_ip` and hostname `hostname`.
///
/// With a `subdomain`, the pod's line carries the FQDN
/// `<hostname>.<subdomain>.<namespace>.svc.cluster.local` first, then the
/// short name. `spec.hostAliases` follow under their own comment, one line
/// per IP with its names separated by tabs.
pub fn etc_hosts(
    pod_ip: &str,
    hostname: &str,
    subdomain: Option<&str>,
    namespace: &str,
    aliases: &[HostAlias],
) -> String {
    let mut out = String::from("# Kubernetes-managed hosts file.\n");
    out.push_str("127.0.0.1\tlocalhost\n");
    out.push_str("::1\tlocalhost ip6-localhost ip6-loopback\n");
    out.push_str("fe00::0\tip6-localnet\n");
    out.push_str("fe00::0\tip6-mcastprefix\n");
    out.push_str("fe00::1\tip6-allnodes\n");
    out.push_str("fe00::2\tip6-allrouters\n");
    match subdomain.filter(|s| !s.is_empty()) {
        Some(sub) => out.push_str(&format!(
            "{pod_ip}\t{hostname}.{sub}.{namespace}.svc.{CLUSTER_DOMAIN}\t{hostname}\n"
        )),
        None => out.push_str(&format!("{pod_ip}\t{hostname}\n")),
    }
    if !aliases.is_empty() {
        out.push_str("\n# Entries added by HostAliases.\n");
        for alias in aliases {
            out.push_str(&format!("{}\t{}\n", alias.ip, alias.hostnames.join("\t")));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "# Kubernetes-managed hosts file.\n\
        127.0.0.1\tlocalhost\n\
        ::1\tlocalhost ip6-localhost ip6-loopback\n\
        fe00::0\tip6-localnet\n\
        fe00::0\tip6-mcastprefix\n\
        fe00::1\tip6-allnodes\n\
        fe00::2\tip6-allrouters\n";

    #[test]
    fn plain_pod() {
        assert_eq!(
            etc_hosts("10.200.0.4", "nginx", None, "default", &[]),
            format!("{BASE}10.200.0.4\tnginx\n")
        );
    }

    #[test]
    fn with_subdomain() {
        assert_eq!(
            etc_hosts("172.17.0.3", "web-0", Some("web"), "shop", &[]),
            format!("{BASE}172.17.0.3\tweb-0.web.shop.svc.cluster.local\tweb-0\n")
        );
        // An empty subdomain is no subdomain.
        assert_eq!(
            etc_hosts("172.17.0.3", "a", Some(""), "default", &[]),
            format!("{BASE}172.17.0.3\ta\n")
        );
    }

    #[test]
    fn with_host_aliases() {
        let aliases = [
            HostAlias {
                ip: "127.0.0.1".into(),
                hostnames: vec!["foo.local".into(), "bar.local".into()],
            },
            HostAlias {
                ip: "10.1.2.3".into(),
                hostnames: vec!["foo.remote".into()],
            },
        ];
        assert_eq!(
            etc_hosts("10.244.1.5", "hostaliases-pod", None, "default", &aliases),
            format!(
                "{BASE}10.244.1.5\thostaliases-pod\n\n# Entries added by HostAliases.\n\
                 127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n"
            )
        );
    }
}
