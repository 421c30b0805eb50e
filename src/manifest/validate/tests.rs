//! One test per rule, each on a small manifest read through `load_str`.

use crate::manifest::{self, Finding, Loaded, Resource, Severity};

fn load(text: &str) -> Loaded {
    manifest::load_str("t.yaml", text)
}

/// A Pod with these lines under `spec:` (indented by two spaces already).
fn pod(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
}

fn find<'a>(l: &'a Loaded, rule: &str) -> Vec<&'a Finding> {
    l.findings.iter().filter(|f| f.rule == rule).collect()
}

#[track_caller]
fn one(l: &Loaded, rule: &str, path: &str) -> Finding {
    let found: Vec<_> = find(l, rule)
        .into_iter()
        .filter(|f| f.path == path)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {rule} at {path}, got {:#?}",
        l.findings
    );
    found[0].clone()
}

const C: &str = "  containers:\n  - name: app\n    image: busybox\n";

#[test]
fn valid_pod_has_no_findings_and_gets_defaults() {
    let l = load(&pod(&format!(
        "{C}    livenessProbe:\n      exec: {{command: [\"true\"]}}\n"
    )));
    assert!(l.findings.is_empty(), "{:#?}", l.findings);
    let (_, p) = l.pods().next().unwrap();
    assert_eq!(p.metadata.namespace, "default");
    assert_eq!(p.spec.termination_grace_period_seconds, 30);
    assert_eq!(p.spec.dns_policy, "ClusterFirst");
    let c = &p.spec.containers[0];
    assert_eq!(c.image_pull_policy, manifest::PullPolicy::Always);
    let probe = c.liveness_probe.as_ref().unwrap();
    assert_eq!(
        (
            probe.initial_delay_seconds,
            probe.period_seconds,
            probe.timeout_seconds,
            probe.success_threshold,
            probe.failure_threshold
        ),
        (0, 10, 1, 1, 3)
    );
}

#[test]
fn unknown_fields_suggest_the_right_name() {
    let l = load(&pod(
        "  contianers: []\n  containers:\n  - name: app\n    image: busybox:1.36\n    imagePullpolicy: Always\n    volumeMount: []\n",
    ));
    let f = one(&l, "unknown-field", "spec.contianers");
    assert_eq!((f.line, f.column), (6, 3));
    assert!(f.help.unwrap().contains("`containers`"));
    assert!(
        one(&l, "unknown-field", "spec.containers[0].imagePullpolicy")
            .help
            .unwrap()
            .contains("`imagePullPolicy`")
    );
    assert!(
        one(&l, "unknown-field", "spec.containers[0].volumeMount")
            .help
            .unwrap()
            .contains("`volumeMounts`")
    );
    assert!(
        l.objects.is_empty(),
        "a document with errors builds no object"
    );
}

#[test]
fn misplaced_field_says_where_it_belongs() {
    let l = load(&pod(&format!("{C}  image: nginx\n")));
    assert!(
        one(&l, "unknown-field", "spec.image")
            .help
            .unwrap()
            .contains("inside an item of `containers:`")
    );
}

#[test]
fn wrong_types_name_the_expected_type() {
    let l = load(&pod(&format!(
        "{C}    ports:\n    - containerPort: \"8080\"\n    env:\n    - name: PORT\n      value: 8080\n"
    )));
    let f = one(
        &l,
        "wrong-type",
        "spec.containers[0].ports[0].containerPort",
    );
    assert!(f.message.contains("expected an integer"));
    assert!(f.help.unwrap().contains("containerPort: 8080"));
    let f = one(&l, "wrong-type", "spec.containers[0].env[0].value");
    assert!(f.help.unwrap().contains("\"8080\""));
}

#[test]
fn required_fields() {
    let l = load(&pod("  containers:\n  - name: app\n"));
    one(&l, "required", "spec.containers[0].image");
    let l = load("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n");
    one(&l, "required", "spec.containers");
    let l = load("apiVersion: v1\nkind: Pod\nspec: {}\n");
    one(&l, "required", "metadata");
}

#[test]
fn names_are_dns1123() {
    let l = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: My_Pod}\nspec:\n  containers: [{name: App, image: busybox}]\n  volumes: [{name: data_1, emptyDir: {}}]\n",
    );
    assert!(
        one(&l, "invalid-name", "metadata.name")
            .help
            .unwrap()
            .contains("my-pod")
    );
    one(&l, "invalid-name", "spec.containers[0].name");
    one(&l, "invalid-name", "spec.volumes[0].name");
}

#[test]
fn port_names_are_iana_service_names() {
    let l = load(&pod(&format!(
        "{C}    ports: [{{name: web_http_port_long, containerPort: 80}}]\n"
    )));
    one(&l, "invalid-port-name", "spec.containers[0].ports[0].name");
}

#[test]
fn container_names_unique_across_init_and_app() {
    let l = load(&pod(
        "  initContainers: [{name: app, image: busybox}]\n  containers: [{name: app, image: busybox}]\n",
    ));
    let f = one(&l, "duplicate-name", "spec.containers[0].name");
    assert!(f.help.unwrap().contains("spec.initContainers[0]"));
}

#[test]
fn volume_names_unique() {
    let l = load(&pod(&format!(
        "{C}  volumes: [{{name: v, emptyDir: {{}}}}, {{name: v, emptyDir: {{}}}}]\n"
    )));
    one(&l, "duplicate-name", "spec.volumes[1].name");
}

#[test]
fn mounts_name_declared_volumes_with_suggestion() {
    let l = load(&pod(&format!(
        "{C}    volumeMounts: [{{name: shraed, mountPath: /x}}]\n  volumes: [{{name: shared, emptyDir: {{}}}}]\n"
    )));
    let f = one(
        &l,
        "volume-not-found",
        "spec.containers[0].volumeMounts[0].name",
    );
    assert!(f.help.unwrap().contains("name: shared"));
}

#[test]
fn no_duplicate_mount_path() {
    let l = load(&pod(&format!(
        "{C}    volumeMounts: [{{name: a, mountPath: /x}}, {{name: b, mountPath: /x/}}]\n  volumes: [{{name: a, emptyDir: {{}}}}, {{name: b, emptyDir: {{}}}}]\n"
    )));
    one(
        &l,
        "duplicate-mount-path",
        "spec.containers[0].volumeMounts[1].mountPath",
    );
}

#[test]
fn pod_restart_policy_values() {
    let l = load(&pod(&format!("{C}  restartPolicy: never\n")));
    let f = one(&l, "unsupported-value", "spec.restartPolicy");
    assert!(f.help.unwrap().contains("restartPolicy: Never"));
}

#[test]
fn container_restart_policy_only_always_on_init() {
    let l = load(&pod(
        "  initContainers: [{name: i, image: busybox, restartPolicy: Never}]\n  containers: [{name: app, image: busybox, restartPolicy: Always}]\n",
    ));
    one(
        &l,
        "container-restart-policy",
        "spec.initContainers[0].restartPolicy",
    );
    one(
        &l,
        "container-restart-policy",
        "spec.containers[0].restartPolicy",
    );
    let ok = load(&pod(&format!(
        "  initContainers: [{{name: side, image: busybox, restartPolicy: Always, readinessProbe: {{exec: {{command: [\"true\"]}}}}}}]\n{C}"
    )));
    assert!(!ok.has_errors(), "{:#?}", ok.findings);
    assert!(ok.pods().next().unwrap().1.spec.init_containers[0].is_sidecar());
}

#[test]
fn probes_and_lifecycle_forbidden_on_regular_init_containers() {
    let l = load(&pod(&format!(
        "  initContainers:\n  - name: i\n    image: busybox\n    livenessProbe: {{exec: {{command: [\"true\"]}}}}\n    lifecycle: {{postStart: {{exec: {{command: [\"true\"]}}}}}}\n{C}"
    )));
    one(
        &l,
        "init-probe-forbidden",
        "spec.initContainers[0].livenessProbe",
    );
    one(
        &l,
        "init-probe-forbidden",
        "spec.initContainers[0].lifecycle",
    );
}

#[test]
fn success_threshold_is_one_for_liveness_and_startup() {
    let l = load(&pod(&format!(
        "{C}    livenessProbe: {{tcpSocket: {{port: 80}}, successThreshold: 2}}\n    readinessProbe: {{tcpSocket: {{port: 80}}, successThreshold: 2}}\n"
    )));
    one(
        &l,
        "success-threshold",
        "spec.containers[0].livenessProbe.successThreshold",
    );
    assert_eq!(find(&l, "success-threshold").len(), 1);
}

#[test]
fn ports_in_range() {
    let l = load(&pod(&format!(
        "{C}    ports: [{{containerPort: 0}}, {{containerPort: 70000}}]\n"
    )));
    one(
        &l,
        "port-range",
        "spec.containers[0].ports[0].containerPort",
    );
    one(
        &l,
        "port-range",
        "spec.containers[0].ports[1].containerPort",
    );
}

#[test]
fn limits_not_below_requests() {
    let l = load(&pod(&format!(
        "{C}    resources: {{requests: {{memory: 1Gi, cpu: \"0.5\"}}, limits: {{memory: 1G, cpu: 500m}}}}\n"
    )));
    // 1Gi > 1G; 0.5 == 500m
    one(
        &l,
        "limit-below-request",
        "spec.containers[0].resources.requests.memory",
    );
    assert_eq!(find(&l, "limit-below-request").len(), 1);
}

#[test]
fn env_names() {
    let l = load(&pod(&format!(
        "{C}    env: [{{name: 1BAD, value: x}}, {{name: GOOD_1, value: y}}]\n"
    )));
    one(&l, "invalid-env-name", "spec.containers[0].env[0].name");
    assert_eq!(find(&l, "invalid-env-name").len(), 1);
}

#[test]
fn duplicate_container_port_is_a_warning() {
    let l = load(&pod(
        "  containers:\n  - {name: a, image: busybox, ports: [{containerPort: 80}]}\n  - {name: b, image: busybox, ports: [{containerPort: 80}]}\n",
    ));
    let f = one(
        &l,
        "duplicate-port",
        "spec.containers[1].ports[0].containerPort",
    );
    assert_eq!(f.severity, Severity::Warning);
    assert!(!l.has_errors());
}

#[test]
fn missing_config_references_are_warnings_that_say_what_happens() {
    let l = load(&pod(&format!(
        "{C}    env: [{{name: A, valueFrom: {{configMapKeyRef: {{name: cfg, key: a}}}}}}]\n    envFrom: [{{secretRef: {{name: s, optional: true}}}}]\n  volumes: [{{name: v, secret: {{secretName: creds}}}}]\n"
    )));
    let f = one(
        &l,
        "missing-reference",
        "spec.containers[0].env[0].valueFrom.configMapKeyRef.name",
    );
    assert!(f.message.contains("CreateContainerConfigError"));
    assert_eq!(f.severity, Severity::Warning);
    let f = one(&l, "missing-reference", "spec.volumes[0].secret.secretName");
    assert!(f.message.contains("ContainerCreating"));
    assert_eq!(
        find(&l, "missing-reference").len(),
        2,
        "optional references are fine"
    );
}

#[test]
fn references_resolve_across_merged_files() {
    let mut l = load(&pod(&format!(
        "{C}    env: [{{name: A, valueFrom: {{configMapKeyRef: {{name: cfg, key: a}}}}}}]\n"
    )));
    assert_eq!(find(&l, "missing-reference").len(), 1);
    l.merge(manifest::load_str(
        "cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: x}\n",
    ));
    assert_eq!(find(&l, "missing-reference").len(), 0);
}

#[test]
fn wrong_api_version_and_unknown_kind_name_the_fix() {
    let l = load(
        "apiVersion: apps/v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: b}]}\n",
    );
    assert!(
        one(&l, "wrong-api-version", "apiVersion")
            .help
            .unwrap()
            .contains("apiVersion: v1")
    );
    let l = load("apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec: {}\n");
    assert!(
        one(&l, "wrong-api-version", "apiVersion")
            .message
            .contains("1.25")
    );
    let l = load("apiVersion: v1\nkind: pod\nmetadata: {name: p}\n");
    assert!(
        one(&l, "unknown-kind", "kind")
            .help
            .unwrap()
            .contains("kind: Pod")
    );
}

#[test]
fn real_kinds_podlearn_does_not_run_are_warnings_not_errors() {
    let l = load("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n");
    assert!(!l.has_errors(), "{:?}", l.findings);
    let f = one(&l, "unchecked-kind", "kind");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("does not check or run"), "{}", f.message);
    // Its apiVersion is still checked.
    let l = load("apiVersion: v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n");
    assert!(
        one(&l, "wrong-api-version", "apiVersion")
            .help
            .unwrap()
            .contains("autoscaling/v2")
    );
    // A near-typo of a kind podlearn runs stays an error with a suggestion.
    let l = load("apiVersion: v1\nkind: Pods\nmetadata: {name: p}\n");
    assert!(l.has_errors());
}

#[test]
fn duplicate_keys_are_errors_at_the_duplicate() {
    let l = load(&pod(&format!(
        "{C}    image: nginx\n    imagePullpolicy: Always\n"
    )));
    let f = &find(&l, "duplicate-key")[0];
    assert_eq!((f.line, f.column), (9, 5));
    // reading goes on: the rest of the document is checked too, but builds nothing
    one(&l, "unknown-field", "spec.containers[0].imagePullpolicy");
    assert!(l.objects.is_empty());
}

#[test]
fn octal_modes_read_like_kubectl() {
    let l = load(&pod(&format!(
        "{C}  volumes: [{{name: c, configMap: {{name: cfg, defaultMode: 0644, optional: true}}}}]\n"
    )));
    let (_, p) = l.pods().next().expect("valid");
    let manifest::VolumeSource::ConfigMap { default_mode, .. } = &p.spec.volumes[0].source else {
        panic!()
    };
    assert_eq!(*default_mode, 420);
    let l = load(&pod(&format!(
        "{C}  volumes: [{{name: c, configMap: {{name: cfg, defaultMode: 01777}}}}]\n"
    )));
    one(&l, "out-of-range", "spec.volumes[0].configMap.defaultMode");
}

#[test]
fn safety_policy_findings_are_marked() {
    let l = load(&pod(
        "  hostPID: true\n  containers:\n  - name: a\n    image: busybox\n    securityContext: {privileged: true, capabilities: {add: [NET_BIND_SERVICE, SYS_ADMIN]}}\n  volumes:\n  - {name: root, hostPath: {path: /}}\n  - {name: ok, hostPath: {path: /tmp/podlearn/data}}\n",
    ));
    let paths: Vec<&str> = l
        .safety_violations()
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "spec.hostPID",
            "spec.containers[0].securityContext.privileged",
            "spec.containers[0].securityContext.capabilities.add[1]",
            "spec.volumes[0].hostPath.path"
        ]
    );
    assert!(!l.has_errors(), "safety findings are warnings in validate");
}

#[test]
fn scheduling_fields_are_notes() {
    let l = load(&pod(&format!(
        "{C}  nodeSelector: {{disk: ssd}}\n  tolerations: [{{key: k, operator: Exists}}]\n"
    )));
    assert_eq!(
        one(&l, "no-op-here", "spec.nodeSelector").severity,
        Severity::Note
    );
    one(&l, "no-op-here", "spec.tolerations");
    assert!(!l.has_errors());
}

#[test]
fn a_deployment_created_paused_is_said_to_create_nothing() {
    let l = load(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  paused: true\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n",
    );
    let f = one(&l, "controller-creates", "spec.paused");
    assert!(
        f.message.contains("makes no ReplicaSet and no Pods"),
        "{f:?}"
    );
    assert_eq!(f.severity, Severity::Warning);
    let Resource::Deployment(d) = &l.objects[0].resource else {
        panic!("a Deployment");
    };
    assert!(d.paused);
}

#[test]
fn controllers_say_what_they_create_and_check_their_template() {
    let l = load(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n",
    );
    assert!(
        one(&l, "controller-creates", "metadata.name")
            .message
            .contains("Deployment web would create 3 Pods from spec.template")
    );
    let l = load(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: web, image: nginx, imagePullpolicy: Never}]}\n",
    );
    one(&l, "selector-mismatch", "spec.template.metadata.labels");
    one(
        &l,
        "unknown-field",
        "spec.template.spec.containers[0].imagePullpolicy",
    );
}

#[test]
fn job_needs_a_terminating_restart_policy_and_gets_defaults() {
    let l = load(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec: {containers: [{name: a, image: busybox}]}\n",
    );
    one(&l, "required", "spec.template.spec.restartPolicy");
    let l = load(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: a, image: busybox}]}\n",
    );
    let Resource::Job(j) = &l.objects[0].resource else {
        panic!()
    };
    assert_eq!(
        (j.spec.completions, j.spec.parallelism, j.spec.backoff_limit),
        (None, 1, 6)
    );
}

#[test]
fn service_selects_pods_and_defaults_target_port() {
    let l = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: web}}\nspec: {containers: [{name: a, image: b}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n",
    );
    assert!(
        one(&l, "service-selects", "spec.selector")
            .message
            .contains("a")
    );
    let Resource::Service(s) = &l.objects[1].resource else {
        panic!()
    };
    assert_eq!(s.ports[0].target_port, manifest::IntOrString::Int(80));
    let l = load(
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: nothing}, ports: [{port: 80}]}\n",
    );
    assert_eq!(
        one(&l, "service-selects", "spec.selector").severity,
        Severity::Warning
    );
}

#[test]
fn secret_data_is_decoded_and_merged_with_string_data() {
    let l = load(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {user: YWRtaW4=, pass: b2xk}\nstringData: {pass: new}\n",
    );
    let Resource::Secret(s) = &l.objects[0].resource else {
        panic!()
    };
    assert_eq!(s.data["user"], b"admin");
    assert_eq!(s.data["pass"], b"new");
    let l = load("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {user: not base64!}\n");
    one(&l, "invalid-base64", "data.user");
}

#[test]
fn pull_policy_defaults_like_the_api_server() {
    use super::container::default_pull_policy;
    use crate::manifest::PullPolicy::*;
    assert_eq!(default_pull_policy("busybox"), Always);
    assert_eq!(default_pull_policy("busybox:latest"), Always);
    assert_eq!(default_pull_policy("busybox:1.36"), IfNotPresent);
    assert_eq!(default_pull_policy("localhost:5000/app"), Always);
    assert_eq!(default_pull_policy("app@sha256:abc"), IfNotPresent);
}

#[test]
fn bad_input_is_a_finding_not_a_panic() {
    for (bytes, rule) in [
        (&b""[..], "empty"),
        (&b"# only a comment\n"[..], "empty"),
        (&b"a: \x00"[..], "encoding"),
        (&b"\xff\xfe\x00a"[..], "encoding"),
        (&b"kind: \xc3\x28"[..], "encoding"),
        (&b"a: [1, 2"[..], "yaml-syntax"),
        (&b"- just a list"[..], "not-an-object"),
    ] {
        let l = manifest::load_bytes("t.yaml", bytes);
        assert!(l.has_errors());
        assert_eq!(
            l.findings[0].rule,
            rule,
            "{:?}",
            String::from_utf8_lossy(bytes)
        );
    }
    let big = vec![b'#'; manifest::MAX_FILE_BYTES + 1];
    assert_eq!(
        manifest::load_bytes("t.yaml", &big).findings[0].rule,
        "too-large"
    );
    let docs = "---\na: 1\n".repeat(10_000);
    assert!(find(&load(&docs), "too-many-documents").len() == 1);
}

#[test]
fn container_fields_podlearn_cannot_reproduce_are_notes_or_safety() {
    let l = load(&pod(
        "  containers:\n  - name: a\n    image: busybox\n    stdinOnce: true\n    volumeDevices: [{name: d, devicePath: /dev/xvda}]\n    securityContext: {procMount: Unmasked, seccompProfile: {type: RuntimeDefault}}\n    lifecycle: {preStop: {tcpSocket: {port: 80}}}\n",
    ));
    one(&l, "no-op-here", "spec.containers[0].stdinOnce");
    one(
        &l,
        "no-op-here",
        "spec.containers[0].securityContext.seccompProfile",
    );
    assert!(one(&l, "safety", "spec.containers[0].volumeDevices").safety);
    assert!(one(&l, "safety", "spec.containers[0].securityContext.procMount").safety);
    assert_eq!(
        one(
            &l,
            "unsupported-value",
            "spec.containers[0].lifecycle.preStop"
        )
        .severity,
        Severity::Warning
    );
    assert!(!l.has_errors(), "{:#?}", l.findings);
}

#[test]
fn lists_from_kubectl_get_are_read_item_by_item() {
    let l = load(
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, uid: x}\n  spec: {containers: [{name: a, image: b}]}\n  status: {phase: Running}\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: b}\n  spec: {containers: [{name: a, image: b, imagePullpolicy: Never}]}\n",
    );
    assert_eq!(l.objects.len(), 1);
    assert_eq!(l.objects[0].source.line, 4);
    one(&l, "server-field", "items[0].status");
    one(&l, "server-field", "items[0].metadata.uid");
    let f = one(
        &l,
        "unknown-field",
        "items[1].spec.containers[0].imagePullpolicy",
    );
    assert_eq!(f.line, 12);
}

#[test]
fn service_target_port_names_a_container_port() {
    let l = load(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: web}}\nspec: {containers: [{name: a, image: b, ports: [{name: web, containerPort: 80}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{name: a, port: 80, targetPort: http}, {name: b, port: 81, targetPort: web}]}\n",
    );
    let f = one(&l, "service-selects", "spec.ports[0].targetPort");
    assert_eq!((f.severity, f.line), (Severity::Warning, 9));
    assert!(f.message.contains("Pod a"));
}

#[test]
fn empty_documents_are_skipped_like_kubectl() {
    let p = pod(C);
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    for text in [
        format!("{p}---\n"),
        format!("---\n{p}"),
        format!("---\n{p}---\n"),
        format!("{p}---\n# only a comment\n---\n{cm}"),
        format!("{p}---\n---\n{cm}---\n"),
        format!("{p}---\nnull\n---\n{cm}"),
        format!("{p}...\n---\n{cm}...\n"),
    ] {
        let l = load(&text);
        assert!(l.findings.is_empty(), "{text}\n{:#?}", l.findings);
        assert!(!l.objects.is_empty(), "{text}");
    }
    // the document index still counts the skipped ones
    let l = load(&format!("---\n---\n{p}"));
    assert_eq!(l.objects[0].source.document, 1);
    for text in [
        "---\n",
        "---\n---\n",
        "# c\n---\n# d\n",
        "---\nnull\n",
        "...\n",
    ] {
        let l = load(text);
        assert_eq!(find(&l, "empty").len(), 1, "{text:?}: {:#?}", l.findings);
        assert!(
            l.findings[0].message.contains("no objects passed to apply"),
            "{}",
            l.findings[0].message
        );
    }
}
