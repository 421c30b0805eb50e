//! The validated Kubernetes objects podlearn understands.
//!
//! These mirror the API's shapes and names (serialized in camelCase, as
//! `kubectl get -o yaml` shows them), with defaults already applied: a
//! `Container` always has its `image_pull_policy`, a `Probe` its timings. Only
//! `manifest::validate` builds them from a learner's file.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Quantity;

/// Where an object came from, for messages that point back at the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Source {
    /// The file name as given on the command line (`-` for stdin).
    pub file: String,
    /// 0-based index of the document within the file.
    pub document: usize,
    /// 1-based line where the document starts.
    pub line: usize,
}

/// One validated object from a manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Object {
    #[serde(skip)]
    pub source: Source,
    #[serde(flatten)]
    pub resource: Resource,
}

/// The kinds podlearn reads.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind")]
pub enum Resource {
    Pod(Pod),
    ConfigMap(ConfigMap),
    Secret(Secret),
    Service(Service),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    StatefulSet(StatefulSet),
    DaemonSet(DaemonSet),
    Job(Job),
    CronJob(CronJob),
}

impl Resource {
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Pod(_) => "Pod",
            Resource::ConfigMap(_) => "ConfigMap",
            Resource::Secret(_) => "Secret",
            Resource::Service(_) => "Service",
            Resource::Deployment(_) => "Deployment",
            Resource::ReplicaSet(_) => "ReplicaSet",
            Resource::StatefulSet(_) => "StatefulSet",
            Resource::DaemonSet(_) => "DaemonSet",
            Resource::Job(_) => "Job",
            Resource::CronJob(_) => "CronJob",
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Resource::Pod(o) => &o.metadata,
            Resource::ConfigMap(o) => &o.metadata,
            Resource::Secret(o) => &o.metadata,
            Resource::Service(o) => &o.metadata,
            Resource::Deployment(o) => &o.metadata,
            Resource::ReplicaSet(o) => &o.metadata,
            Resource::StatefulSet(o) => &o.metadata,
            Resource::DaemonSet(o) => &o.metadata,
            Resource::Job(o) => &o.metadata,
            Resource::CronJob(o) => &o.metadata,
        }
    }

    /// A controller's Pod template, with the field path of its spec
    /// (`spec.template.spec`, ...); `None` for kinds that make no Pods.
    pub fn pod_template(&self) -> Option<(&'static str, &PodTemplate)> {
        match self {
            Resource::Deployment(o) => Some(("spec.template.spec", &o.template)),
            Resource::ReplicaSet(o) => Some(("spec.template.spec", &o.template)),
            Resource::StatefulSet(o) => Some(("spec.template.spec", &o.template)),
            Resource::DaemonSet(o) => Some(("spec.template.spec", &o.template)),
            Resource::Job(o) => Some(("spec.template.spec", &o.spec.template)),
            Resource::CronJob(o) => Some((
                "spec.jobTemplate.spec.template.spec",
                &o.job_template.template,
            )),
            Resource::Pod(_)
            | Resource::ConfigMap(_)
            | Resource::Secret(_)
            | Resource::Service(_) => None,
        }
    }

    /// The apiVersion this kind is served under.
    pub fn api_version(&self) -> &'static str {
        api_version_of(self.kind()).unwrap_or("v1")
    }
}

/// The apiVersion a kind belongs to, for messages like "Pod is in v1, not apps/v1".
pub fn api_version_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod"
        | "ConfigMap"
        | "Secret"
        | "Service"
        | "Namespace"
        | "PersistentVolumeClaim"
        | "PersistentVolume"
        | "ServiceAccount" => "v1",
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => "apps/v1",
        "Job" | "CronJob" => "batch/v1",
        "HorizontalPodAutoscaler" => "autoscaling/v2",
        "Ingress" | "NetworkPolicy" => "networking.k8s.io/v1",
        _ => return None,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectMeta {
    pub name: String,
    /// `default` when the manifest gives none.
    pub namespace: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pod {
    pub metadata: ObjectMeta,
    pub spec: PodSpec,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum RestartPolicy {
    #[default]
    Always,
    OnFailure,
    Never,
}

impl RestartPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            RestartPolicy::Always => "Always",
            RestartPolicy::OnFailure => "OnFailure",
            RestartPolicy::Never => "Never",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSpec {
    pub containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<Volume>,
    pub restart_policy: RestartPolicy,
    pub share_process_namespace: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdomain: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub host_aliases: Vec<HostAlias>,
    /// Default 30.
    pub termination_grace_period_seconds: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<PodSecurityContext>,
    pub host_network: bool,
    #[serde(rename = "hostPID")]
    pub host_pid: bool,
    #[serde(rename = "hostIPC")]
    pub host_ipc: bool,
    /// Default `ClusterFirst`.
    pub dns_policy: String,
    /// Scheduling fields: valid, but a no-op on one machine (kept so podlearn can say so).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_name: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<serde_json::Value>,
}

impl PodSpec {
    /// The hostname the pod's containers see: `spec.hostname`, else the pod name
    /// cut to 63 characters (a DNS-1123 label).
    pub fn effective_hostname(&self, pod_name: &str) -> String {
        match &self.hostname {
            Some(h) => h.clone(),
            None => pod_name.chars().take(63).collect(),
        }
    }

    /// Init containers with `restartPolicy: Always`: native sidecars.
    pub fn sidecars(&self) -> impl Iterator<Item = &Container> {
        self.init_containers.iter().filter(|c| c.is_sidecar())
    }

    /// Every container, init containers first, in spec order.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container> {
        self.init_containers.iter().chain(self.containers.iter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostAlias {
    pub ip: String,
    pub hostnames: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: String,
    pub image: String,
    /// Defaulted as the API server does: `Always` for `:latest` or no tag, else `IfNotPresent`.
    pub image_pull_policy: PullPolicy,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<EnvFromSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<VolumeMount>,
    pub resources: Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_context: Option<SecurityContext>,
    pub stdin: bool,
    pub tty: bool,
    /// Default `/dev/termination-log`.
    pub termination_message_path: String,
    /// Only on init containers, and only `Always` (a native sidecar).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
}

impl Container {
    /// A native sidecar: an init container with `restartPolicy: Always`.
    pub fn is_sidecar(&self) -> bool {
        self.restart_policy == Some(RestartPolicy::Always)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvVar {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_from: Option<EnvVarSource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnvVarSource {
    /// `metadata.name`, `metadata.namespace`, `metadata.labels['k']`,
    /// `metadata.annotations['k']`, `status.podIP`, `spec.nodeName`, ...
    FieldRef { field_path: String },
    ResourceFieldRef {
        container_name: Option<String>,
        resource: String,
        divisor: Option<String>,
    },
    ConfigMapKeyRef {
        name: String,
        key: String,
        optional: bool,
    },
    SecretKeyRef {
        name: String,
        key: String,
        optional: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvFromSource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    pub source: EnvFromRef,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EnvFromRef {
    ConfigMapRef { name: String, optional: bool },
    SecretRef { name: String, optional: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerPort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub container_port: u16,
    /// `TCP` unless given.
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VolumeMount {
    pub name: String,
    pub mount_path: String,
    pub read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Keys: `cpu`, `memory`, `ephemeral-storage`, ...
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
}

/// A port given by number or by the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    String(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Handler {
    Exec {
        command: Vec<String>,
    },
    HttpGet(HttpGet),
    TcpSocket {
        port: IntOrString,
        host: Option<String>,
    },
    /// Lifecycle hooks only.
    Sleep {
        seconds: u64,
    },
    /// Probes only; valid, but podlearn cannot run it.
    Grpc {
        port: i64,
        service: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpGet {
    /// Default `/`.
    pub path: String,
    pub port: IntOrString,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `HTTP` or `HTTPS`.
    pub scheme: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http_headers: Vec<(String, String)>,
}

/// A probe with the API's defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Probe {
    pub handler: Handler,
    pub initial_delay_seconds: u64,
    pub period_seconds: u64,
    pub timeout_seconds: u64,
    pub success_threshold: u32,
    pub failure_threshold: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lifecycle {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_start: Option<Handler>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_stop: Option<Handler>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodSecurityContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub supplemental_groups: Vec<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecurityContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    pub read_only_root_filesystem: bool,
    pub privileged: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_privilege_escalation: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities_drop: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: String,
    pub source: VolumeSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyToPath {
    pub key: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DownwardApiFile {
    pub path: String,
    /// `metadata.name`, `metadata.labels`, `metadata.annotations`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_field: Option<(Option<String>, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum VolumeSource {
    EmptyDir {
        /// `""` (disk) or `Memory` (tmpfs).
        medium: String,
        size_limit: Option<Quantity>,
    },
    HostPath {
        path: String,
        kind: Option<String>,
    },
    ConfigMap {
        name: String,
        items: Vec<KeyToPath>,
        default_mode: u32,
        optional: bool,
    },
    Secret {
        secret_name: String,
        items: Vec<KeyToPath>,
        default_mode: u32,
        optional: bool,
    },
    DownwardApi {
        items: Vec<DownwardApiFile>,
        default_mode: u32,
    },
    /// Each source is one of the ones above (configMap, secret, downwardAPI).
    Projected {
        sources: Vec<VolumeSource>,
        default_mode: u32,
    },
    PersistentVolumeClaim {
        claim_name: String,
        read_only: bool,
    },
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMap {
    pub metadata: ObjectMeta,
    pub data: BTreeMap<String, String>,
    /// Decoded from base64.
    #[serde(skip)]
    pub binary_data: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    pub metadata: ObjectMeta,
    /// `Opaque` unless given.
    #[serde(rename = "type")]
    pub kind: String,
    /// `data` (decoded from base64) merged with `stringData`, as the API server does.
    #[serde(skip)]
    pub data: BTreeMap<String, Vec<u8>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    /// Whether a set of labels is selected (an empty selector selects everything).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let value = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => value.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PodTemplate {
    pub metadata: ObjectMeta,
    pub spec: PodSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub metadata: ObjectMeta,
    pub replicas: u32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
    /// `spec.paused`: created paused, it makes no ReplicaSet, so no Pods,
    /// until resumed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaSet {
    pub metadata: ObjectMeta,
    pub replicas: u32,
    pub selector: LabelSelector,
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatefulSet {
    pub metadata: ObjectMeta,
    pub replicas: u32,
    pub service_name: String,
    pub selector: LabelSelector,
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSet {
    pub metadata: ObjectMeta,
    pub selector: LabelSelector,
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSpec {
    /// None when unset: with `parallelism` over 1, a work queue (the Job is
    /// complete once one Pod succeeded and none is left running); else 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions: Option<u32>,
    /// Default 1.
    pub parallelism: u32,
    /// Default 6.
    pub backoff_limit: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<u64>,
    pub template: PodTemplate,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub metadata: ObjectMeta,
    pub spec: JobSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJob {
    pub metadata: ObjectMeta,
    pub schedule: String,
    pub suspend: bool,
    /// `Allow`, `Forbid` or `Replace`.
    pub concurrency_policy: String,
    pub job_template: JobSpec,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub metadata: ObjectMeta,
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer`, `ExternalName`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Empty: selects nothing (endpoints are managed by hand on a cluster).
    pub selector: BTreeMap<String, String>,
    pub ports: Vec<ServicePort>,
    /// `clusterIP: None`.
    pub headless: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePort {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub port: u16,
    /// Defaults to `port`.
    pub target_port: IntOrString,
    pub protocol: String,
}

impl Service {
    /// Whether this Service's selector picks a pod with these labels.
    pub fn selects(&self, labels: &BTreeMap<String, String>) -> bool {
        !self.selector.is_empty() && self.selector.iter().all(|(k, v)| labels.get(k) == Some(v))
    }
}
