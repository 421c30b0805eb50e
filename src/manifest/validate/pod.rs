//! The Pod spec (also read for every pod template), then the rules in
//! [`super::rules`] on what it built.

use super::container;
use super::meta::{self, NameRule};
use super::names::is_dns1123_label;
use super::rules;
use super::volume;
use super::walk::{Cx, Fields};
use crate::manifest::model::{HostAlias, PodSecurityContext, PodSpec, PodTemplate, RestartPolicy};
use crate::manifest::node::Node;

pub const POD_SPEC_FIELDS: &[&str] = &[
    "containers",
    "initContainers",
    "ephemeralContainers",
    "volumes",
    "restartPolicy",
    "shareProcessNamespace",
    "hostname",
    "subdomain",
    "hostAliases",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "securityContext",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "dnsPolicy",
    "dnsConfig",
    "nodeName",
    "nodeSelector",
    "affinity",
    "tolerations",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "priorityClassName",
    "priority",
    "schedulerName",
    "topologySpreadConstraints",
    "imagePullSecrets",
    "enableServiceLinks",
    "runtimeClassName",
    "preemptionPolicy",
    "overhead",
    "readinessGates",
    "setHostnameAsFQDN",
    "os",
    "hostUsers",
    "resourceClaims",
    "schedulingGates",
];

/// Fields that are valid but that podlearn cannot reproduce on one Docker engine.
const NOOP_FIELDS: &[(&str, &str)] = &[
    (
        "nodeName",
        "there is only one node here, so the pod runs on it",
    ),
    (
        "nodeSelector",
        "there is only one node here; node labels are not checked",
    ),
    (
        "affinity",
        "there is only one node here; affinity does not change where the pod runs",
    ),
    ("tolerations", "there is only one node and it has no taints"),
    (
        "serviceAccountName",
        "podlearn has no API server, so no token is mounted",
    ),
    (
        "serviceAccount",
        "podlearn has no API server, so no token is mounted",
    ),
    (
        "automountServiceAccountToken",
        "podlearn has no API server, so no token is mounted",
    ),
    (
        "priorityClassName",
        "nothing competes for the node, so priority does not matter",
    ),
    (
        "priority",
        "nothing competes for the node, so priority does not matter",
    ),
    ("schedulerName", "podlearn places every pod itself"),
    ("topologySpreadConstraints", "there is only one node here"),
    (
        "imagePullSecrets",
        "podlearn uses the images already on this Docker engine",
    ),
    ("dnsConfig", "podlearn does not run cluster DNS"),
    (
        "runtimeClassName",
        "podlearn always uses Docker's default runtime",
    ),
    (
        "readinessGates",
        "podlearn has no controllers to set readiness gates",
    ),
    (
        "ephemeralContainers",
        "they are added with `kubectl debug`, not in a manifest",
    ),
    ("overhead", "podlearn does not account for pod overhead"),
    ("preemptionPolicy", "nothing competes for the node"),
    ("os", "containers run on this machine's OS"),
    ("hostUsers", "user namespaces are not remapped"),
    ("resourceClaims", "there are no dynamic resources here"),
    ("schedulingGates", "podlearn schedules at once"),
    ("setHostnameAsFQDN", "the hostname stays the short name"),
    (
        "enableServiceLinks",
        "podlearn does not inject Service environment variables",
    ),
];

const POD_SECURITY_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "fsGroup",
    "supplementalGroups",
    "fsGroupChangePolicy",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "sysctls",
    "windowsOptions",
    "supplementalGroupsPolicy",
];

/// Read a pod spec at the current path (`spec` or `spec.template.spec`).
pub fn read_spec(cx: &mut Cx, node: &Node) -> Option<PodSpec> {
    let f = cx.object(node, POD_SPEC_FIELDS)?;
    let base = cx.path().to_string();
    if cx
        .required(&f, "containers", "a Pod needs at least one container:\n  containers:\n  - name: main\n    image: busybox")
        .is_none()
    {
        // keep reading the rest: all findings at once
    }
    let containers = cx.list(&f, "containers", |cx, n| container::read(cx, n, false));
    if f.has("containers")
        && containers.is_empty()
        && cx
            .findings
            .iter()
            .all(|x| !x.path.starts_with(&cx.child("containers")))
    {
        let pos = cx.pos_of(&cx.child("containers"));
        cx.field("containers", |cx| {
            cx.error(
                "required",
                pos,
                "a Pod needs at least one container",
                "add an item: `- name: main` with `image: busybox`",
            )
        });
    }
    let init_containers = cx.list(&f, "initContainers", |cx, n| container::read(cx, n, true));
    let volumes = cx.list(&f, "volumes", volume::read);
    let restart_policy = match cx
        .opt_enum(&f, "restartPolicy", &["Always", "OnFailure", "Never"])
        .as_deref()
    {
        Some("OnFailure") => RestartPolicy::OnFailure,
        Some("Never") => RestartPolicy::Never,
        _ => RestartPolicy::Always,
    };
    let hostname = cx.opt_str(&f, "hostname");
    let subdomain = cx.opt_str(&f, "subdomain");
    for (field, value) in [("hostname", &hostname), ("subdomain", &subdomain)] {
        if let Some(v) = value
            && !is_dns1123_label(v)
        {
            let pos = cx.pos_of(&cx.child(field));
            cx.field(field, |cx| {
                cx.error(
                    "invalid-name",
                    pos,
                    format!("invalid {field} \"{v}\": must be a DNS-1123 label"),
                    "use lowercase letters, digits and '-', at most 63 characters",
                )
            });
        }
    }
    let host_aliases = cx.list(&f, "hostAliases", |cx, n| {
        let a = cx.object(n, &["ip", "hostnames"])?;
        let ip = cx.req_str(&a, "ip", "write the address: `ip: 127.0.0.1`");
        if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
            let pos = cx.pos_of(&cx.child("ip"));
            cx.field("ip", |cx| {
                cx.error(
                    "invalid-value",
                    pos,
                    format!("\"{ip}\" is not an IP address"),
                    "write an address like `127.0.0.1`",
                )
            });
        }
        let hostnames = cx.str_list(&a, "hostnames");
        Some(HostAlias { ip, hostnames })
    });
    let termination_grace_period_seconds = cx
        .opt_count(&f, "terminationGracePeriodSeconds", 0)
        .unwrap_or(30);
    let active_deadline_seconds = cx.opt_count(&f, "activeDeadlineSeconds", 1);
    let security_context = cx.sub(&f, "securityContext", POD_SECURITY_FIELDS, |cx, s| {
        PodSecurityContext {
            run_as_user: cx.opt_int(&s, "runAsUser"),
            run_as_group: cx.opt_int(&s, "runAsGroup"),
            run_as_non_root: cx.opt_bool(&s, "runAsNonRoot"),
            fs_group: cx.opt_int(&s, "fsGroup"),
            supplemental_groups: cx.list(&s, "supplementalGroups", |cx, n| cx.as_int(n)),
        }
    });
    let host_network = cx.opt_bool(&f, "hostNetwork").unwrap_or(false);
    let host_pid = cx.opt_bool(&f, "hostPID").unwrap_or(false);
    let host_ipc = cx.opt_bool(&f, "hostIPC").unwrap_or(false);
    let dns_policy = cx
        .opt_enum(
            &f,
            "dnsPolicy",
            &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
        )
        .unwrap_or_else(|| "ClusterFirst".into());
    let share_process_namespace = cx.opt_bool(&f, "shareProcessNamespace").unwrap_or(false);
    let node_name = cx.opt_str(&f, "nodeName");
    let node_selector = cx.str_map(&f, "nodeSelector");
    let affinity = f.get("affinity").map(|n| {
        cx.field("affinity", |cx| {
            cx.object(n, &["nodeAffinity", "podAffinity", "podAntiAffinity"]);
        });
        to_json(n)
    });
    let tolerations = cx.list(&f, "tolerations", |cx, n| {
        cx.object(
            n,
            &["key", "operator", "value", "effect", "tolerationSeconds"],
        )?;
        Some(to_json(n))
    });
    cx.notes(&f, NOOP_FIELDS);
    let spec = PodSpec {
        containers,
        init_containers,
        volumes,
        restart_policy,
        share_process_namespace,
        hostname,
        subdomain,
        host_aliases,
        termination_grace_period_seconds,
        active_deadline_seconds,
        security_context,
        host_network,
        host_pid,
        host_ipc,
        dns_policy,
        node_name,
        node_selector,
        affinity,
        tolerations,
    };
    rules::check_pod_spec(cx, &base, &spec);
    let safety = crate::manifest::safety::findings(cx.file, &base, &spec, |p| {
        let pos = cx.pos_of(p);
        (pos.line, pos.column)
    });
    cx.findings.extend(safety);
    Some(spec)
}

/// Read a pod template (`spec.template`) at the current path.
pub fn read_template(cx: &mut Cx, f: &Fields, help: &str) -> Option<PodTemplate> {
    let node = cx.required(f, "template", help)?;
    cx.field("template", |cx| {
        let t = cx.object(node, &["metadata", "spec"])?;
        let metadata = meta::read(cx, &t, "Pod", NameRule::Optional);
        let spec_node = cx.required(
            &t,
            "spec",
            "a pod template needs `spec:` with its containers",
        )?;
        let spec = cx.field("spec", |cx| read_spec(cx, spec_node))?;
        Some(PodTemplate { metadata, spec })
    })
}

/// The node as JSON (for the scheduling fields the model keeps as-is).
pub fn to_json(node: &Node) -> serde_json::Value {
    use crate::manifest::node::Value;
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f, _) => serde_json::Number::from_f64(*f)
            .map(Into::into)
            .unwrap_or_default(),
        Value::Str(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => entries
            .iter()
            .map(|e| (e.key.clone(), to_json(&e.value)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
    }
}
