//! The pure mapping of a pod onto Docker objects.

use std::collections::BTreeMap;

use crate::fixtures::{container, pod, sidecar, spec};
use crate::manifest::{RestartPolicy, Volume, VolumeMount, VolumeSource};
use crate::podenv::Inputs;
use crate::status::ContainerKind;

use super::*;

fn owner() -> Owner {
    Owner {
        learner: "ann".into(),
        process: "host:1:2".into(),
        detached: false,
    }
}

fn two_containers() -> Pod {
    let mut web = container("web");
    web.command = vec!["sh".into(), "-c".into()];
    web.args = vec!["echo $(GREETING)".into()];
    web.env = vec![crate::manifest::EnvVar {
        name: "GREETING".into(),
        value: Some("hi".into()),
        value_from: None,
    }];
    web.volume_mounts = vec![VolumeMount {
        name: "shared".into(),
        mount_path: "/data".into(),
        read_only: true,
        sub_path: None,
    }];
    let mut p = pod(
        "web",
        spec(
            vec![sidecar("log"), container("init")],
            vec![web],
            RestartPolicy::Always,
        ),
    );
    p.spec.volumes = vec![Volume {
        name: "shared".into(),
        source: VolumeSource::EmptyDir {
            medium: "Memory".into(),
            size_limit: None,
        },
    }];
    p
}

#[test]
fn the_sandbox_holds_network_ipc_and_hostname_and_every_volume() {
    let plan = plan_pod(
        &two_containers(),
        &Inputs::default(),
        &owner(),
        &BTreeMap::new(),
        None,
    );
    assert_eq!(plan.prefix, "podlearn-ann-default-web");
    let sb = &plan.sandbox;
    assert_eq!(sb.name, plan.prefix);
    assert_eq!(sb.image, SANDBOX_IMAGE);
    assert_eq!(sb.hostname.as_deref(), Some("web"));
    assert_eq!(sb.ipc_mode.as_deref(), Some("shareable"));
    assert!(sb.init, "docker-init reaps zombies and forwards SIGTERM");
    assert_eq!(
        sb.network_mode, None,
        "the engine puts it on the learner's namespace network"
    );
    assert_eq!(sb.labels[labels::ROLE], "sandbox");
    assert_eq!(
        sb.labels[labels::CONTAINERS],
        "sidecar:log,init:init,app:web"
    );
    assert_eq!(sb.labels[labels::MANAGED], "true");
    assert_eq!(sb.labels[labels::LEARNER], "ann");
    assert_eq!(
        sb.mounts,
        vec![MountSpec::Volume {
            source: "podlearn-ann-default-web-shared".into(),
            target: "/.podlearn/volumes/shared".into(),
            read_only: false,
            labels: plan.volumes[0].labels.clone(),
        }]
    );
    assert_eq!(plan.volumes[0].driver_opts["type"], "tmpfs");
    assert_eq!(plan.volumes[0].labels[labels::MANAGED], "true");
    assert_eq!(plan.volumes[0].labels[labels::POD], "web");
}

#[test]
fn containers_join_the_sandbox_in_spec_order_with_kinds() {
    let plan = plan_pod(
        &two_containers(),
        &Inputs::default(),
        &owner(),
        &BTreeMap::new(),
        None,
    );
    let kinds: Vec<_> = plan
        .containers
        .iter()
        .map(|c| (c.container.name.as_str(), c.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("log", ContainerKind::Sidecar),
            ("init", ContainerKind::Init),
            ("web", ContainerKind::App)
        ]
    );
    let web = &plan.containers[2];
    assert_eq!(
        web.spec.network_mode.as_deref(),
        Some("container:podlearn-ann-default-web")
    );
    assert_eq!(
        web.spec.ipc_mode.as_deref(),
        Some("container:podlearn-ann-default-web")
    );
    assert_eq!(web.spec.pid_mode, None);
    assert_eq!(
        web.spec.hostname, None,
        "Docker refuses a hostname on a joined network"
    );
    assert_eq!(
        web.spec.entrypoint,
        Some(vec!["sh".to_string(), "-c".to_string()])
    );
    assert_eq!(web.spec.cmd, Some(vec!["echo hi".to_string()]));
    assert_eq!(web.spec.env, vec!["GREETING=hi".to_string()]);
    assert!(
        matches!(&web.spec.mounts[0], MountSpec::Volume { read_only: true, target, .. } if target == "/data")
    );
    assert_eq!(
        plan.container_name(web, 3),
        "podlearn-ann-default-web-web-3"
    );
}

#[test]
fn share_process_namespace_joins_the_sandbox_pid_namespace_and_says_so() {
    let mut p = two_containers();
    p.spec.share_process_namespace = true;
    let plan = plan_pod(&p, &Inputs::default(), &owner(), &BTreeMap::new(), None);
    assert_eq!(
        plan.containers[2].spec.pid_mode.as_deref(),
        Some("container:podlearn-ann-default-web")
    );
    assert!(plan.notes.iter().any(|n| n.contains("not /pause")));
    assert!(plan.notes.iter().any(|n| n.contains("UTS")));
}

#[test]
fn image_mapping_is_explicit_and_args_alone_keep_the_entrypoint() {
    let mut c = container("c");
    c.image = "busybox:1.28".into();
    c.args = vec!["sleep".into(), "1".into()];
    let p = pod("p", spec(vec![], vec![c], RestartPolicy::Never));
    let mut map = BTreeMap::new();
    map.insert("busybox:1.28".to_string(), "busybox:latest".to_string());
    let plan = plan_pod(&p, &Inputs::default(), &owner(), &map, None);
    let c = &plan.containers[0];
    assert_eq!(c.spec.image, "busybox:latest");
    assert_eq!(c.container.image, "busybox:1.28");
    assert_eq!(c.spec.entrypoint, None);
    assert_eq!(c.spec.cmd, Some(vec!["sleep".to_string(), "1".to_string()]));
}

#[test]
fn a_missing_config_map_is_a_config_error_not_a_failure_to_plan() {
    let mut c = container("c");
    c.env = vec![crate::manifest::EnvVar {
        name: "X".into(),
        value: None,
        value_from: Some(crate::manifest::EnvVarSource::ConfigMapKeyRef {
            name: "missing".into(),
            key: "k".into(),
            optional: false,
        }),
    }];
    let p = pod("p", spec(vec![], vec![c], RestartPolicy::Never));
    let plan = plan_pod(&p, &Inputs::default(), &owner(), &BTreeMap::new(), None);
    assert!(
        plan.containers[0]
            .config_error
            .as_deref()
            .unwrap_or("")
            .contains("missing")
    );
}

#[test]
fn names_are_docker_safe() {
    assert_eq!(docker_safe("Ann Lee@x"), "Ann_Lee_x");
    assert_eq!(docker_safe("web_2.v-1"), "web_2.v-1");
    assert_eq!(docker_safe(""), "_");
    // Never a parent folder in a path built from a learner's name.
    assert_eq!(docker_safe(".."), "_..");
    assert_eq!(docker_safe("."), "_.");
    assert_eq!(docker_safe("../x"), ".._x");
}

#[test]
fn the_sandbox_writes_the_kubelets_hosts_file_with_its_own_ip() {
    let mut p = two_containers();
    p.spec.host_aliases = vec![crate::manifest::HostAlias {
        ip: "10.1.2.3".into(),
        hostnames: vec!["db".into(), "db.local".into()],
    }];
    let plan = plan_pod(&p, &Inputs::default(), &owner(), &BTreeMap::new(), None);
    let sb = &plan.sandbox;
    assert_eq!(
        sb.cmd.as_deref(),
        Some(&["sh".to_string(), "-c".into(), SANDBOX_SCRIPT.into()][..])
    );
    let hosts = sb
        .env
        .iter()
        .find_map(|e| e.strip_prefix("PODLEARN_HOSTS="))
        .expect("the hosts file travels in the sandbox's env");
    assert!(hosts.starts_with("# Kubernetes-managed hosts file.\n"));
    assert!(hosts.contains(&format!("{POD_IP_MARK}\tweb\n")), "{hosts}");
    assert!(hosts.ends_with("10.1.2.3\tdb\tdb.local\n"), "{hosts}");
    assert!(SANDBOX_SCRIPT.contains(POD_IP_MARK) && SANDBOX_SCRIPT.contains(SANDBOX_READY));

    // A hostNetwork pod keeps the host's /etc/hosts, as on a node.
    p.spec.host_network = true;
    let plan = plan_pod(&p, &Inputs::default(), &owner(), &BTreeMap::new(), None);
    assert!(plan.sandbox.env.is_empty());
}
