//! A container's environment and command line, as the kubelet computes them
//! (`makeEnvironmentVariables` in `pkg/kubelet/kubelet_pods.go` and
//! `ExpandContainerCommandAndArgs`): envFrom, env with `$(VAR)` expansion,
//! the downward API (`fieldRef`, `resourceFieldRef`), ConfigMap and Secret keys.
//!
//! Differences from a node, on purpose: no Service environment variables
//! (`<SVC>_SERVICE_HOST`, `KUBERNETES_SERVICE_*`) are injected; `spec.nodeName`
//! is [`NodeInfo::name`]; `metadata.uid` is [`pod_uid`], stable per
//! namespace and name.

use std::collections::BTreeMap;

use crate::manifest::{
    ConfigMap, Container, EnvFromRef, EnvVarSource, Object, Pod, Quantity, Resource, Secret,
};

mod expansion;
mod resources;

pub use expansion::expand;

/// Why a container cannot be created from its env: the runtime reports it as
/// `Waiting/CreateContainerConfigError` with this message (the kubelet's own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    pub message: String,
}

impl ConfigError {
    /// The waiting reason the kubelet uses.
    pub const REASON: &'static str = "CreateContainerConfigError";

    fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }
}

/// What the "node" looks like to the downward API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    /// `spec.nodeName` (default `podlearn-node`).
    pub name: String,
    /// `status.hostIP` (default the Docker bridge gateway `172.17.0.1`).
    pub host_ip: String,
    /// Allocatable CPU in millicores: what `limits.cpu` reads when no limit is set.
    pub cpu_millis: i128,
    /// Allocatable memory in bytes: what `limits.memory` reads when no limit is set.
    pub memory_bytes: i128,
    /// Allocatable ephemeral storage in bytes.
    pub ephemeral_storage_bytes: i128,
}

impl Default for NodeInfo {
    fn default() -> Self {
        NodeInfo {
            name: "podlearn-node".to_string(),
            host_ip: "172.17.0.1".to_string(),
            cpu_millis: 2000,
            memory_bytes: 4 * 1024 * 1024 * 1024,
            ephemeral_storage_bytes: 20 * 1024 * 1024 * 1024,
        }
    }
}

/// The ConfigMaps and Secrets that came with the pod (same input), keyed by
/// `namespace/name`, and the node facts the downward API reads.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub configmaps: BTreeMap<String, ConfigMap>,
    pub secrets: BTreeMap<String, Secret>,
    pub node: NodeInfo,
}

impl Inputs {
    /// Collect the ConfigMaps and Secrets among `objects` (a later object of
    /// the same name replaces an earlier one, as `kubectl apply` would).
    pub fn from_objects(objects: &[Object]) -> Self {
        let mut inputs = Inputs::default();
        for o in objects {
            match &o.resource {
                Resource::ConfigMap(cm) => {
                    inputs
                        .configmaps
                        .insert(key(&cm.metadata.namespace, &cm.metadata.name), cm.clone());
                }
                Resource::Secret(s) => {
                    inputs
                        .secrets
                        .insert(key(&s.metadata.namespace, &s.metadata.name), s.clone());
                }
                _ => {}
            }
        }
        inputs
    }

    pub fn configmap(&self, namespace: &str, name: &str) -> Option<&ConfigMap> {
        self.configmaps.get(&key(namespace, name))
    }

    pub fn secret(&self, namespace: &str, name: &str) -> Option<&Secret> {
        self.secrets.get(&key(namespace, name))
    }
}

fn key(namespace: &str, name: &str) -> String {
    format!("{namespace}/{name}")
}

/// A stable, UUID-shaped uid for a pod (the API server would assign a random
/// one): the same namespace and name always give the same uid.
pub fn pod_uid(pod: &Pod) -> String {
    // Two FNV-1a hashes with different offsets make 128 bits.
    let text = key(&pod.metadata.namespace, &pod.metadata.name);
    let fnv = |offset: u64| {
        text.bytes().fold(offset, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// The environment of `container` in `pod`, in order: envFrom sources first
/// (keys prefixed), then `env` entries with `$(VAR)` expanded against what
/// came before. A name defined twice keeps its first position and its last
/// value.
///
/// A missing non-optional ConfigMap, Secret or key is a [`ConfigError`] with
/// the kubelet's message; optional ones are skipped. `pod_ip` is `None` until
/// the sandbox has an address (`status.podIP` is then empty).
pub fn container_env(
    pod: &Pod,
    container: &Container,
    inputs: &Inputs,
    pod_ip: Option<&str>,
) -> Result<Vec<(String, String)>, ConfigError> {
    let ns = &pod.metadata.namespace;
    let mut env: Vec<(String, String)> = Vec::new();

    for from in &container.env_from {
        let prefix = from.prefix.as_deref().unwrap_or("");
        let pairs: Vec<(String, String)> = match &from.source {
            EnvFromRef::ConfigMapRef { name, optional } => match inputs.configmap(ns, name) {
                Some(cm) => cm
                    .data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                None if *optional => continue,
                None => return Err(ConfigError::new(format!("configmap \"{name}\" not found"))),
            },
            EnvFromRef::SecretRef { name, optional } => match inputs.secret(ns, name) {
                Some(s) => s.data.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
                None if *optional => continue,
                None => return Err(ConfigError::new(format!("secret \"{name}\" not found"))),
            },
        };
        for (k, v) in pairs {
            let name = format!("{prefix}{k}");
            // The kubelet skips keys that cannot be variable names (it emits
            // an event listing them); `=` can never be part of one.
            if name.is_empty() || name.contains('=') || name.chars().any(|c| c.is_control()) {
                continue;
            }
            set(&mut env, name, v);
        }
    }

    for var in &container.env {
        let value = match (&var.value, &var.value_from) {
            (_, Some(source)) => match value_from(pod, container, source, inputs, pod_ip)? {
                Some(v) => v,
                None => continue,
            },
            // Only literal values are expanded, against the variables so far.
            (Some(v), None) => expand(v, &env),
            (None, None) => String::new(),
        };
        set(&mut env, var.name.clone(), value);
    }
    Ok(env)
}

fn set(env: &mut Vec<(String, String)>, name: String, value: String) {
    match env.iter_mut().find(|(k, _)| *k == name) {
        Some(entry) => entry.1 = value,
        None => env.push((name, value)),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value of one `valueFrom`; `None` when an optional source is missing.
fn value_from(
    pod: &Pod,
    container: &Container,
    source: &EnvVarSource,
    inputs: &Inputs,
    pod_ip: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    let ns = &pod.metadata.namespace;
    Ok(Some(match source {
        EnvVarSource::FieldRef { field_path } => field_ref(pod, field_path, inputs, pod_ip)?,
        EnvVarSource::ResourceFieldRef {
            container_name,
            resource,
            divisor,
        } => {
            let target = match container_name.as_deref().filter(|n| !n.is_empty()) {
                None => container,
                Some(n) => pod
                    .spec
                    .all_containers()
                    .find(|c| c.name == n)
                    .ok_or_else(|| ConfigError::new(format!("container {n} not found")))?,
            };
            let divisor = match divisor.as_deref() {
                None | Some("") => None,
                Some(d) => Some(Quantity::parse(d).map_err(ConfigError::new)?),
            };
            resources::resource_value(target, resource, divisor.as_ref(), &inputs.node)?
        }
        EnvVarSource::ConfigMapKeyRef {
            name,
            key,
            optional,
        } => match inputs.configmap(ns, name) {
            None if *optional => return Ok(None),
            None => return Err(ConfigError::new(format!("configmap \"{name}\" not found"))),
            Some(cm) => match cm.data.get(key) {
                Some(v) => v.clone(),
                None if *optional => return Ok(None),
                None => {
                    return Err(ConfigError::new(format!(
                        "couldn't find key {key} in ConfigMap {ns}/{name}"
                    )));
                }
            },
        },
        EnvVarSource::SecretKeyRef {
            name,
            key,
            optional,
        } => match inputs.secret(ns, name) {
            None if *optional => return Ok(None),
            None => return Err(ConfigError::new(format!("secret \"{name}\" not found"))),
            Some(s) => match s.data.get(key) {
                Some(v) => text(v),
                None if *optional => return Ok(None),
                None => {
                    return Err(ConfigError::new(format!(
                        "couldn't find key {key} in Secret {ns}/{name}"
                    )));
                }
            },
        },
    }))
}

/// A downward-API field, as `fieldpath.ExtractFieldPathAsString` reads it.
pub fn field_ref(
    pod: &Pod,
    path: &str,
    inputs: &Inputs,
    pod_ip: Option<&str>,
) -> Result<String, ConfigError> {
    let meta = &pod.metadata;
    let subscript = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('['))
            .and_then(|rest| rest.strip_suffix(']'))
            .map(|k| k.trim_matches(|c| c == '\'' || c == '"').to_string())
    };
    if let Some(k) = subscript("metadata.labels") {
        return Ok(meta.labels.get(&k).cloned().unwrap_or_default());
    }
    if let Some(k) = subscript("metadata.annotations") {
        return Ok(meta.annotations.get(&k).cloned().unwrap_or_default());
    }
    Ok(match path {
        "metadata.name" => meta.name.clone(),
        "metadata.namespace" => meta.namespace.clone(),
        "metadata.uid" => pod_uid(pod),
        // Without a subscript: every entry as `key="value"`, one per line.
        "metadata.labels" => format_map(&meta.labels),
        "metadata.annotations" => format_map(&meta.annotations),
        "spec.nodeName" => pod
            .spec
            .node_name
            .clone()
            .unwrap_or_else(|| inputs.node.name.clone()),
        "spec.serviceAccountName" => "default".to_string(),
        "status.hostIP" | "status.hostIPs" => inputs.node.host_ip.clone(),
        "status.podIP" | "status.podIPs" => pod_ip.unwrap_or("").to_string(),
        other => return Err(ConfigError::new(format!("unsupported fieldPath: {other}"))),
    })
}

fn format_map(map: &BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The argv the container runs: `command` replaces the image ENTRYPOINT and
/// drops its CMD; `args` alone replaces CMD; both give command + args.
/// `$(VAR)` in command and args expands from the container's environment
/// (the image's own ENTRYPOINT and CMD are used as they are).
pub fn command_line(
    container: &Container,
    image_entrypoint: &[String],
    image_cmd: &[String],
    env: &[(String, String)],
) -> Vec<String> {
    let expanded = |list: &[String]| list.iter().map(|s| expand(s, env)).collect::<Vec<_>>();
    match (container.command.is_empty(), container.args.is_empty()) {
        (false, _) => [expanded(&container.command), expanded(&container.args)].concat(),
        (true, false) => [image_entrypoint.to_vec(), expanded(&container.args)].concat(),
        (true, true) => [image_entrypoint, image_cmd].concat(),
    }
}

#[cfg(test)]
mod tests;
