//! The kinds besides the pod spec itself: Pod, ConfigMap, Secret, Service and
//! the workload controllers whose pod template is read as a Pod.

use std::collections::BTreeMap;

use base64::Engine;

use super::meta::{self, NameRule};
use super::pod::{read_spec, read_template};
use super::probe::int_or_string;
use super::rules;
use super::walk::{Cx, Fields};
use crate::manifest::model::*;
use crate::manifest::node::{Node, Value};

const TOP: &[&str] = &["apiVersion", "kind", "metadata", "spec", "status"];

/// Whether objects of this kind have a `status` (written by the cluster).
pub fn has_status(kind: &str) -> bool {
    !matches!(kind, "ConfigMap" | "Secret")
}

/// Read a document of a known kind.
pub fn read(cx: &mut Cx, root: &Node, kind: &str) -> Option<Resource> {
    Some(match kind {
        "Pod" => {
            let f = cx.object(root, TOP)?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let spec_node =
                cx.required(&f, "spec", "a Pod needs `spec:` with its `containers:`")?;
            let spec = cx.field("spec", |cx| read_spec(cx, spec_node))?;
            Resource::Pod(Pod { metadata, spec })
        }
        "ConfigMap" => {
            let f = cx.object(
                root,
                &[
                    "apiVersion",
                    "kind",
                    "metadata",
                    "data",
                    "binaryData",
                    "immutable",
                ],
            )?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let data = cx.str_map(&f, "data");
            let binary_data = base64_map(cx, &f, "binaryData");
            cx.opt_bool(&f, "immutable");
            Resource::ConfigMap(ConfigMap {
                metadata,
                data,
                binary_data,
            })
        }
        "Secret" => {
            let f = cx.object(
                root,
                &[
                    "apiVersion",
                    "kind",
                    "metadata",
                    "data",
                    "stringData",
                    "type",
                    "immutable",
                ],
            )?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let mut data = base64_map(cx, &f, "data");
            // stringData wins over data, as the API server merges them
            for (k, v) in cx.str_map(&f, "stringData") {
                data.insert(k, v.into_bytes());
            }
            cx.opt_bool(&f, "immutable");
            let kind = cx.opt_str(&f, "type").unwrap_or_else(|| "Opaque".into());
            Resource::Secret(Secret {
                metadata,
                kind,
                data,
            })
        }
        "Service" => {
            let f = cx.object(root, TOP)?;
            let metadata = meta::read(cx, &f, kind, NameRule::Label);
            let node = cx.required(
                &f,
                "spec",
                "a Service needs `spec:` with `selector:` and `ports:`",
            )?;
            let mut svc = cx.field("spec", |cx| service(cx, node))?;
            svc.metadata = metadata;
            Resource::Service(svc)
        }
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => {
            let f = cx.object(root, TOP)?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let node = cx.required(&f, "spec", "add `spec:` with `selector:` and `template:`")?;
            cx.field("spec", |cx| workload(cx, node, kind, metadata))?
        }
        "Job" => {
            let f = cx.object(root, TOP)?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let node = cx.required(&f, "spec", "add `spec:` with a pod `template:`")?;
            let spec = cx.field("spec", |cx| job_spec(cx, node))?;
            Resource::Job(Job { metadata, spec })
        }
        "CronJob" => {
            let f = cx.object(root, TOP)?;
            let metadata = meta::read(cx, &f, kind, NameRule::Subdomain);
            let node = cx.required(
                &f,
                "spec",
                "add `spec:` with `schedule:` and `jobTemplate:`",
            )?;
            cx.field("spec", |cx| cron_job(cx, node, metadata))?
        }
        _ => return None,
    })
}

fn base64_map(cx: &mut Cx, f: &Fields, name: &str) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for (k, v) in cx.str_map(f, name) {
        let path = format!("{}.{k}", cx.child(name));
        let cleaned: String = v.chars().filter(|c| !c.is_whitespace()).collect();
        match base64::engine::general_purpose::STANDARD.decode(cleaned.as_bytes()) {
            Ok(bytes) => {
                out.insert(k, bytes);
            }
            Err(_) => {
                let pos = cx.pos_of(&path);
                cx.report_path(
                    crate::manifest::Severity::Error,
                    "invalid-base64",
                    pos,
                    path,
                    format!("the value of \"{k}\" is not base64"),
                    Some(format!("values under `{name}` are base64 (`echo -n 'text' | base64`); for plain text use `stringData:` instead")),
                );
            }
        }
    }
    out
}

const SELECTOR_FIELDS: &[&str] = &["matchLabels", "matchExpressions"];

fn selector(cx: &mut Cx, f: &Fields) -> LabelSelector {
    cx.required(f, "selector", "say which pods it owns: `selector: {matchLabels: {app: web}}`, matching the template's labels");
    cx.sub(f, "selector", SELECTOR_FIELDS, |cx, s| LabelSelector {
        match_labels: cx.str_map(&s, "matchLabels"),
        match_expressions: cx.list(&s, "matchExpressions", |cx, n| {
            let e = cx.object(n, &["key", "operator", "values"])?;
            Some(LabelSelectorRequirement {
                key: cx.req_str(&e, "key", "the label key"),
                operator: cx.opt_enum(
                    &e,
                    "operator",
                    &["In", "NotIn", "Exists", "DoesNotExist"],
                )?,
                values: cx.str_list(&e, "values"),
            })
        }),
    })
    .unwrap_or_default()
}

fn replicas(cx: &mut Cx, f: &Fields, default: u32) -> u32 {
    cx.opt_count(f, "replicas", 0)
        .map(|v| v.min(u32::MAX as u64) as u32)
        .unwrap_or(default)
}

fn workload(cx: &mut Cx, node: &Node, kind: &str, metadata: ObjectMeta) -> Option<Resource> {
    let known: &[&str] = match kind {
        "Deployment" => &[
            "replicas",
            "selector",
            "template",
            "strategy",
            "minReadySeconds",
            "revisionHistoryLimit",
            "progressDeadlineSeconds",
            "paused",
        ],
        "ReplicaSet" => &["replicas", "selector", "template", "minReadySeconds"],
        "StatefulSet" => &[
            "replicas",
            "selector",
            "template",
            "serviceName",
            "volumeClaimTemplates",
            "podManagementPolicy",
            "updateStrategy",
            "revisionHistoryLimit",
            "minReadySeconds",
            "persistentVolumeClaimRetentionPolicy",
            "ordinals",
        ],
        _ => &[
            "selector",
            "template",
            "updateStrategy",
            "minReadySeconds",
            "revisionHistoryLimit",
        ],
    };
    let f = cx.object(node, known)?;
    let replicas = replicas(cx, &f, 1);
    let selector = selector(cx, &f);
    let template = read_template(
        cx,
        &f,
        "add `template:` with `metadata.labels` and a pod `spec`",
    )?;
    rules::check_selector_matches(cx, &selector, &template.metadata.labels);
    rules::check_template_restart_always(cx, kind, &template.spec);
    Some(match kind {
        "Deployment" => Resource::Deployment(Deployment {
            metadata,
            replicas,
            selector,
            template,
            paused: cx.opt_bool(&f, "paused").unwrap_or(false),
        }),
        "ReplicaSet" => Resource::ReplicaSet(ReplicaSet {
            metadata,
            replicas,
            selector,
            template,
        }),
        "StatefulSet" => {
            let service_name = cx.opt_str(&f, "serviceName").unwrap_or_default();
            Resource::StatefulSet(StatefulSet {
                metadata,
                replicas,
                service_name,
                selector,
                template,
            })
        }
        _ => Resource::DaemonSet(DaemonSet {
            metadata,
            selector,
            template,
        }),
    })
}

const JOB_FIELDS: &[&str] = &[
    "completions",
    "parallelism",
    "backoffLimit",
    "activeDeadlineSeconds",
    "template",
    "ttlSecondsAfterFinished",
    "completionMode",
    "suspend",
    "selector",
    "manualSelector",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "podReplacementPolicy",
    "successPolicy",
    "managedBy",
];

fn job_spec(cx: &mut Cx, node: &Node) -> Option<JobSpec> {
    let f = cx.object(node, JOB_FIELDS)?;
    let completions = cx.opt_count(&f, "completions", 0).map(|c| c as u32);
    let parallelism = cx.opt_count(&f, "parallelism", 0).unwrap_or(1) as u32;
    let backoff_limit = cx.opt_count(&f, "backoffLimit", 0).unwrap_or(6) as u32;
    let active_deadline_seconds = cx.opt_count(&f, "activeDeadlineSeconds", 1);
    cx.opt_count(&f, "ttlSecondsAfterFinished", 0);
    cx.opt_bool(&f, "suspend");
    cx.opt_enum(&f, "completionMode", &["NonIndexed", "Indexed"]);
    let template = read_template(
        cx,
        &f,
        "add `template:` with a pod `spec` (restartPolicy OnFailure or Never)",
    )?;
    rules::check_job_restart_policy(cx, &template.spec);
    Some(JobSpec {
        completions,
        parallelism,
        backoff_limit,
        active_deadline_seconds,
        template,
    })
}

fn cron_job(cx: &mut Cx, node: &Node, metadata: ObjectMeta) -> Option<Resource> {
    let known = [
        "schedule",
        "jobTemplate",
        "suspend",
        "concurrencyPolicy",
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
        "timeZone",
    ];
    let f = cx.object(node, &known)?;
    let schedule = cx.req_str(
        &f,
        "schedule",
        "when to run, in cron syntax: `schedule: \"*/5 * * * *\"`",
    );
    rules::check_cron_schedule(cx, &schedule);
    let suspend = cx.opt_bool(&f, "suspend").unwrap_or(false);
    let concurrency_policy = cx
        .opt_enum(&f, "concurrencyPolicy", &["Allow", "Forbid", "Replace"])
        .unwrap_or_else(|| "Allow".into());
    for n in [
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ] {
        cx.opt_count(&f, n, 0);
    }
    cx.opt_str(&f, "timeZone");
    let jt = cx.required(&f, "jobTemplate", "add `jobTemplate:` with a Job `spec:`")?;
    let job_template = cx.field("jobTemplate", |cx| {
        let t = cx.object(jt, &["metadata", "spec"])?;
        meta::read(cx, &t, "Job", NameRule::Optional);
        let s = cx.required(
            &t,
            "spec",
            "a job template needs `spec:` with a pod `template:`",
        )?;
        cx.field("spec", |cx| job_spec(cx, s))
    })?;
    Some(Resource::CronJob(CronJob {
        metadata,
        schedule,
        suspend,
        concurrency_policy,
        job_template,
    }))
}

fn service(cx: &mut Cx, node: &Node) -> Option<Service> {
    let known = [
        "type",
        "selector",
        "ports",
        "clusterIP",
        "clusterIPs",
        "externalName",
        "sessionAffinity",
        "sessionAffinityConfig",
        "externalTrafficPolicy",
        "internalTrafficPolicy",
        "ipFamilies",
        "ipFamilyPolicy",
        "publishNotReadyAddresses",
        "loadBalancerIP",
        "loadBalancerSourceRanges",
        "externalIPs",
        "allocateLoadBalancerNodePorts",
        "loadBalancerClass",
        "healthCheckNodePort",
        "trafficDistribution",
    ];
    let f = cx.object(node, &known)?;
    let kind = cx
        .opt_enum(
            &f,
            "type",
            &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"],
        )
        .unwrap_or_else(|| "ClusterIP".into());
    let selector = cx.str_map(&f, "selector");
    let headless = cx.opt_str(&f, "clusterIP").as_deref() == Some("None");
    if kind == "ExternalName" {
        cx.req_str(
            &f,
            "externalName",
            "the DNS name this Service points to: `externalName: example.com`",
        );
    } else if !f.has("ports") && !headless {
        cx.required(
            &f,
            "ports",
            "list the ports: `ports: [{port: 80, targetPort: 8080}]`",
        );
    }
    let ports = cx.list(&f, "ports", |cx, n| {
        let p = cx.object(
            n,
            &[
                "name",
                "port",
                "targetPort",
                "protocol",
                "nodePort",
                "appProtocol",
            ],
        )?;
        let name = cx.opt_str(&p, "name");
        if let Some(n) = &name {
            rules::check_port_name(cx, n);
        }
        cx.required(&p, "port", "the port the Service listens on: `port: 80`");
        let v = cx.opt_int(&p, "port");
        let port = cx.field("port", |cx| rules::check_port_range(cx, v))?;
        let target_port = match p.get("targetPort") {
            Some(n) => cx.field("targetPort", |cx| int_or_string(cx, n))?,
            None => IntOrString::Int(port as i64),
        };
        let protocol = cx
            .opt_enum(&p, "protocol", &["TCP", "UDP", "SCTP"])
            .unwrap_or_else(|| "TCP".into());
        cx.opt_count(&p, "nodePort", 0);
        Some(ServicePort {
            name,
            port,
            target_port,
            protocol,
        })
    });
    if ports.len() > 1 && ports.iter().any(|p| p.name.is_none()) {
        let pos = cx.pos_of(&cx.child("ports"));
        cx.field("ports", |cx| {
            cx.error(
                "required",
                pos,
                "when a Service has several ports, each needs a `name`",
                "add `name: http` (or similar) to every port",
            )
        });
    }
    let _ = Value::Null;
    Some(Service {
        metadata: ObjectMeta::default(),
        kind,
        selector,
        ports,
        headless,
    })
}
