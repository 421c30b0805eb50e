//! One container (app or init): name, image, command, env, ports, mounts,
//! resources, probes, lifecycle, security context.

use std::collections::BTreeMap;

use super::env;
use super::names::{is_dns1123_label, suggest_label};
use super::probe;
use super::rules;
use super::walk::{Cx, Fields, closest};
use crate::manifest::Quantity;
use crate::manifest::model::{
    Container, ContainerPort, PullPolicy, Resources, RestartPolicy, SecurityContext, VolumeMount,
};
use crate::manifest::node::{Node, Value};

const CONTAINER_FIELDS: &[&str] = &[
    "name",
    "image",
    "imagePullPolicy",
    "command",
    "args",
    "workingDir",
    "env",
    "envFrom",
    "ports",
    "volumeMounts",
    "volumeDevices",
    "resources",
    "resizePolicy",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "restartPolicy",
];

/// Container fields that are valid but not reproduced on one Docker engine.
const CONTAINER_NOTES: &[(&str, &str)] = &[
    (
        "resizePolicy",
        "resources are fixed when the container starts",
    ),
    (
        "stdinOnce",
        "stdin stays open as long as the container runs",
    ),
    (
        "terminationMessagePolicy",
        "podlearn reads the termination message from the file only",
    ),
];

/// Security settings that are valid but not reproduced on one Docker engine.
const SECURITY_NOTES: &[(&str, &str)] = &[
    ("seLinuxOptions", "SELinux labels are not applied"),
    (
        "appArmorProfile",
        "Docker's default AppArmor profile is used",
    ),
    ("seccompProfile", "Docker's default seccomp profile is used"),
    ("windowsOptions", "containers run on Linux"),
];

const SECURITY_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "capabilities",
    "seccompProfile",
    "seLinuxOptions",
    "procMount",
    "appArmorProfile",
    "windowsOptions",
];

/// Read one container at the current path.
pub fn read(cx: &mut Cx, node: &Node, init: bool) -> Option<Container> {
    let f = cx.object(node, CONTAINER_FIELDS)?;
    let name = cx.req_str(&f, "name", "every container needs a name: `name: main`");
    if !name.is_empty() && !is_dns1123_label(&name) {
        let pos = cx.pos_of(&cx.child("name"));
        cx.field("name", |cx| {
            cx.error(
                "invalid-name",
                pos,
                format!("invalid container name \"{name}\": must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)"),
                format!("try `name: {}`", suggest_label(&name)),
            )
        });
    }
    let image = cx.req_str(&f, "image", "say which image to run: `image: busybox`");
    let image_pull_policy = match cx
        .opt_enum(&f, "imagePullPolicy", &["Always", "IfNotPresent", "Never"])
        .as_deref()
    {
        Some("Always") => PullPolicy::Always,
        Some("IfNotPresent") => PullPolicy::IfNotPresent,
        Some("Never") => PullPolicy::Never,
        _ => default_pull_policy(&image),
    };
    let command = cx.str_list(&f, "command");
    let args = cx.str_list(&f, "args");
    let working_dir = cx.opt_str(&f, "workingDir");
    let env = cx.list(&f, "env", env::read_env);
    let env_from = cx.list(&f, "envFrom", env::read_env_from);
    let ports = cx.list(&f, "ports", read_port);
    let volume_mounts = cx.list(&f, "volumeMounts", read_mount);
    let resources = cx
        .sub(
            &f,
            "resources",
            &["limits", "requests", "claims"],
            |cx, r| Resources {
                limits: read_quantities(cx, &r, "limits"),
                requests: read_quantities(cx, &r, "requests"),
            },
        )
        .unwrap_or_default();
    let liveness_probe = probe::read_probe(cx, &f, "livenessProbe");
    let readiness_probe = probe::read_probe(cx, &f, "readinessProbe");
    let startup_probe = probe::read_probe(cx, &f, "startupProbe");
    let lifecycle = probe::read_lifecycle(cx, &f);
    let security_context = cx.sub(&f, "securityContext", SECURITY_FIELDS, read_security);
    let stdin = cx.opt_bool(&f, "stdin").unwrap_or(false);
    cx.opt_bool(&f, "stdinOnce");
    let tty = cx.opt_bool(&f, "tty").unwrap_or(false);
    let termination_message_path = cx
        .opt_str(&f, "terminationMessagePath")
        .unwrap_or_else(|| "/dev/termination-log".into());
    cx.opt_enum(
        &f,
        "terminationMessagePolicy",
        &["File", "FallbackToLogsOnError"],
    );
    let restart_policy = match cx
        .opt_enum(&f, "restartPolicy", &["Always", "OnFailure", "Never"])
        .as_deref()
    {
        Some("Always") => Some(RestartPolicy::Always),
        Some("OnFailure") => Some(RestartPolicy::OnFailure),
        Some("Never") => Some(RestartPolicy::Never),
        _ => None,
    };
    cx.notes(&f, CONTAINER_NOTES);
    cx.safety(
        &f,
        "volumeDevices",
        format!("container \"{name}\" asks for raw block devices (volumeDevices)"),
    );
    let c = Container {
        name,
        image,
        image_pull_policy,
        command,
        args,
        working_dir,
        env,
        env_from,
        ports,
        volume_mounts,
        resources,
        liveness_probe,
        readiness_probe,
        startup_probe,
        lifecycle,
        security_context,
        stdin,
        tty,
        termination_message_path,
        restart_policy,
    };
    rules::check_container(cx, &c, init);
    Some(c)
}

/// `Always` for `:latest` or no tag, else `IfNotPresent` (as the API server defaults it).
pub fn default_pull_policy(image: &str) -> PullPolicy {
    if image.contains('@') {
        return PullPolicy::IfNotPresent;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) | None => PullPolicy::Always,
        Some(_) => PullPolicy::IfNotPresent,
    }
}

fn read_port(cx: &mut Cx, node: &Node) -> Option<ContainerPort> {
    let f = cx.object(
        node,
        &["name", "containerPort", "protocol", "hostPort", "hostIP"],
    )?;
    let name = cx.opt_str(&f, "name");
    if let Some(n) = &name {
        rules::check_port_name(cx, n);
    }
    cx.required(
        &f,
        "containerPort",
        "give the port number: `containerPort: 8080`",
    );
    let port = cx.opt_int(&f, "containerPort");
    let container_port = cx.field("containerPort", |cx| rules::check_port_range(cx, port))?;
    let protocol = cx
        .opt_enum(&f, "protocol", &["TCP", "UDP", "SCTP"])
        .unwrap_or_else(|| "TCP".into());
    let host = cx.opt_int(&f, "hostPort");
    let host_port = if host.is_some() {
        cx.field("hostPort", |cx| rules::check_port_range(cx, host))
    } else {
        None
    };
    cx.opt_str(&f, "hostIP");
    Some(ContainerPort {
        name,
        container_port,
        protocol,
        host_port,
    })
}

fn read_mount(cx: &mut Cx, node: &Node) -> Option<VolumeMount> {
    let known = [
        "name",
        "mountPath",
        "readOnly",
        "subPath",
        "subPathExpr",
        "mountPropagation",
        "recursiveReadOnly",
    ];
    let f = cx.object(node, &known)?;
    let name = cx.req_str(
        &f,
        "name",
        "name the volume to mount (one of spec.volumes): `name: shared`",
    );
    let mount_path = cx.req_str(
        &f,
        "mountPath",
        "say where it appears in the container: `mountPath: /data`",
    );
    let read_only = cx.opt_bool(&f, "readOnly").unwrap_or(false);
    let sub_path = cx.opt_str(&f, "subPath");
    if let Some(sp) = &sub_path
        && (sp.starts_with('/') || sp.split('/').any(|p| p == ".."))
    {
        let pos = cx.pos_of(&cx.child("subPath"));
        cx.field("subPath", |cx| {
            cx.error(
                "invalid-path",
                pos,
                format!("subPath \"{sp}\" must be a relative path without '..'"),
                "write a path inside the volume, like `subPath: conf/app.ini`",
            )
        });
    }
    cx.opt_str(&f, "subPathExpr");
    cx.opt_enum(
        &f,
        "mountPropagation",
        &["None", "HostToContainer", "Bidirectional"],
    );
    cx.opt_enum(
        &f,
        "recursiveReadOnly",
        &["Disabled", "IfPossible", "Enabled"],
    );
    Some(VolumeMount {
        name,
        mount_path,
        read_only,
        sub_path,
    })
}

/// A quantity written as a number or a string (`cpu: 1`, `cpu: 0.5`, `memory: 64Mi`).
pub fn quantity(cx: &mut Cx, node: &Node) -> Option<Quantity> {
    cx.mark(node.pos);
    let text = match &node.value {
        Value::Int(i) => i.to_string(),
        Value::Float(_, raw) => raw.to_string(),
        Value::Str(s) => s.clone(),
        _ => {
            cx.wrong_type(node, "a quantity like 100m or 64Mi");
            return None;
        }
    };
    match Quantity::parse(&text) {
        Ok(q) => Some(q),
        Err(why) => {
            cx.error(
                "invalid-quantity",
                node.pos,
                format!("invalid quantity: {why}"),
                "CPU is written like `250m` or `0.5`, memory like `64Mi` or `1G`",
            );
            None
        }
    }
}

fn read_quantities(cx: &mut Cx, f: &Fields, name: &str) -> BTreeMap<String, Quantity> {
    let mut out = BTreeMap::new();
    let Some(node) = f.get(name) else { return out };
    cx.field(name, |cx| {
        let Value::Map(entries) = &node.value else {
            cx.wrong_type(node, "a mapping like `cpu: 250m`");
            return;
        };
        for e in entries {
            cx.field(&e.key, |cx| {
                let known = ["cpu", "memory", "ephemeral-storage"];
                if !known.contains(&e.key.as_str())
                    && !e.key.contains('/')
                    && !e.key.starts_with("hugepages-")
                {
                    let help = match closest(&e.key, &known) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "the resources are `cpu`, `memory` and `ephemeral-storage`".into(),
                    };
                    cx.error(
                        "unknown-resource",
                        e.key_pos,
                        format!("unknown resource \"{}\"", e.key),
                        help,
                    );
                    return;
                }
                if let Some(q) = quantity(cx, &e.value) {
                    out.insert(e.key.clone(), q);
                }
            });
        }
    });
    out
}

fn read_security(cx: &mut Cx, s: Fields) -> SecurityContext {
    cx.notes(&s, SECURITY_NOTES);
    if cx
        .opt_enum(&s, "procMount", &["Default", "Unmasked"])
        .as_deref()
        == Some("Unmasked")
    {
        cx.safety(
            &s,
            "procMount",
            "`procMount: Unmasked` exposes the host's /proc paths that Docker hides".into(),
        );
    }
    let mut caps = (Vec::new(), Vec::new());
    cx.sub(&s, "capabilities", &["add", "drop"], |cx, c| {
        caps = (cx.str_list(&c, "add"), cx.str_list(&c, "drop"));
    });
    SecurityContext {
        run_as_user: cx.opt_int(&s, "runAsUser"),
        run_as_group: cx.opt_int(&s, "runAsGroup"),
        run_as_non_root: cx.opt_bool(&s, "runAsNonRoot"),
        read_only_root_filesystem: cx.opt_bool(&s, "readOnlyRootFilesystem").unwrap_or(false),
        privileged: cx.opt_bool(&s, "privileged").unwrap_or(false),
        allow_privilege_escalation: cx.opt_bool(&s, "allowPrivilegeEscalation"),
        capabilities_add: caps.0,
        capabilities_drop: caps.1,
    }
}
