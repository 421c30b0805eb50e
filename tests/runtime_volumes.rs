//! Volumes, environment, commands and security settings of containers,
//! against the real engine.

#[path = "support/pods.rs"]
mod pods;

use std::collections::BTreeMap;

use podlearn::manifest::{
    ConfigMap, DownwardApiFile, EnvFromRef, EnvFromSource, EnvVar, EnvVarSource, HostAlias,
    ObjectMeta, Quantity, RestartPolicy, Secret, SecurityContext, Volume, VolumeSource,
};
use podlearn::podenv::Inputs;
use podlearn::status::{ContainerState, Phase};
use pods::*;

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: name.into(),
        namespace: "default".into(),
        ..Default::default()
    }
}

fn inputs() -> Inputs {
    let mut i = Inputs::default();
    let mut data = BTreeMap::new();
    data.insert("color".to_string(), "blue".to_string());
    data.insert("app.conf".to_string(), "port=8080\n".to_string());
    // Longer than a ustar name holds: a key may have 253 characters.
    data.insert(long_key(), "long key\n".to_string());
    i.configmaps.insert(
        "default/settings".into(),
        ConfigMap {
            metadata: meta("settings"),
            data,
            binary_data: BTreeMap::new(),
        },
    );
    let mut sdata = BTreeMap::new();
    sdata.insert("password".to_string(), b"s3cret".to_vec());
    i.secrets.insert(
        "default/creds".into(),
        Secret {
            metadata: meta("creds"),
            kind: "Opaque".into(),
            data: sdata,
        },
    );
    i
}

fn long_key() -> String {
    format!("{}.conf", "k".repeat(240))
}

/// The `settings` ConfigMap of [`inputs`] as a volume, every key a file.
fn config_volume(name: &str) -> Volume {
    Volume {
        name: name.into(),
        source: VolumeSource::ConfigMap {
            name: "settings".into(),
            items: vec![],
            default_mode: 0o644,
            optional: false,
        },
    }
}

/// The `creds` Secret of [`inputs`] as a volume, its files with `mode`.
fn secret_volume(name: &str, mode: u32) -> Volume {
    Volume {
        name: name.into(),
        source: VolumeSource::Secret {
            secret_name: "creds".into(),
            items: vec![],
            default_mode: mode,
            optional: false,
        },
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn env_from(name: &str, src: EnvVarSource) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: None,
        value_from: Some(src),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_maps_secrets_and_the_downward_api_as_files_and_env() {
    let learner = isolate();
    let engine = engine().await;
    // The script comes from the container's own env, expanded into the command.
    let script = format!(
        "cat /cfg/app.conf /sec/password; echo; cat /info/name; echo; cat /info/labels; \
         echo; echo $COLOR $PASS $POD $IP $GREETING $CM_color; tail -2 /etc/hosts; hostname; pwd; \
         cat /cfg/{}",
        long_key()
    );
    let mut c = container("c", "");
    c.command = s(&["sh", "-c", "$(SCRIPT)"]);
    c.working_dir = Some("/tmp".into());
    c.env_from = vec![EnvFromSource {
        prefix: Some("CM_".into()),
        source: EnvFromRef::ConfigMapRef {
            name: "settings".into(),
            optional: false,
        },
    }];
    c.env = vec![
        env_from(
            "COLOR",
            EnvVarSource::ConfigMapKeyRef {
                name: "settings".into(),
                key: "color".into(),
                optional: false,
            },
        ),
        env_from(
            "PASS",
            EnvVarSource::SecretKeyRef {
                name: "creds".into(),
                key: "password".into(),
                optional: false,
            },
        ),
        env_from(
            "POD",
            EnvVarSource::FieldRef {
                field_path: "metadata.name".into(),
            },
        ),
        env_from(
            "IP",
            EnvVarSource::FieldRef {
                field_path: "status.podIP".into(),
            },
        ),
        env("GREETING", "hello-$(COLOR)"),
        env("SCRIPT", &script),
    ];
    c.volume_mounts = vec![
        mount("cfg", "/cfg"),
        mount("sec", "/sec"),
        mount("info", "/info"),
    ];
    let mut p = pod("files", vec![], vec![c], RestartPolicy::Never);
    p.metadata.labels.insert("tier".into(), "web".into());
    p.spec.hostname = Some("myhost".into());
    p.spec.host_aliases = vec![HostAlias {
        ip: "10.1.2.3".into(),
        hostnames: s(&["db.local"]),
    }];
    p.spec.volumes = vec![
        config_volume("cfg"),
        secret_volume("sec", 0o644),
        Volume {
            name: "info".into(),
            source: VolumeSource::DownwardApi {
                items: vec![
                    DownwardApiFile {
                        path: "name".into(),
                        field_path: Some("metadata.name".into()),
                        resource_field: None,
                        mode: None,
                    },
                    DownwardApiFile {
                        path: "labels".into(),
                        field_path: Some("metadata.labels".into()),
                        resource_field: None,
                        mode: None,
                    },
                ],
                default_mode: 0o644,
            },
        },
    ];
    let (running, st, logs) = run_to_end(&engine, &p, &inputs(), &fast(), "c").await;
    let ip = st.pod_ip.clone().unwrap();
    let want = format!(
        "port=8080\ns3cret\nfiles\ntier=\"web\"\nblue s3cret files {ip} hello-blue blue\n\
         # Entries added by HostAliases.\n10.1.2.3\tdb.local\nmyhost\n/tmp\nlong key\n"
    );
    assert_eq!(logs, want);
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("files")), Vec::<String>::new());
}

/// subPath naming one key of a secret or configMap volume mounts that file
/// alone, with its mode, over a path of the image (as the kubelet does); it
/// once failed because the key's file was taken for a folder to create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sub_path_mounts_one_key_of_a_secret_as_a_file() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container(
        "c",
        "stat -L -c %a /etc/app/password; cat /etc/app/password; echo; cat /etc/app.conf; ls /etc/app",
    );
    let mut key = mount("sec", "/etc/app/password");
    key.sub_path = Some("password".into());
    let mut conf = mount("cfg", "/etc/app.conf");
    conf.sub_path = Some("app.conf".into());
    c.volume_mounts = vec![key, conf];
    let mut p = pod("subpath-keys", vec![], vec![c], RestartPolicy::Never);
    p.spec.volumes = vec![secret_volume("sec", 0o400), config_volume("cfg")];
    let (running, _, logs) = run_to_end(&engine, &p, &inputs(), &fast(), "c").await;
    assert_eq!(logs, "400\ns3cret\nport=8080\npassword\n");
    running.delete(None).await.unwrap();
    assert_eq!(
        leftovers(&learner, Some("subpath-keys")),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_config_map_key_is_create_container_config_error() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container("c", "true");
    c.env = vec![env_from(
        "X",
        EnvVarSource::ConfigMapKeyRef {
            name: "settings".into(),
            key: "nope".into(),
            optional: false,
        },
    )];
    let p = pod("cfgerr", vec![], vec![c], RestartPolicy::Never);
    let running = engine.start_pod(&p, &inputs(), &fast()).await.unwrap();
    let st = running
        .wait_for(
            |s| s.container_statuses[0].state.reason() == Some("CreateContainerConfigError"),
            LONG,
        )
        .await
        .expect("config error");
    assert_eq!(st.phase, Phase::Pending);
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("cfgerr")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_empty_dir_sub_path_read_only_and_security_context() {
    let learner = isolate();
    let engine = engine().await;
    let mut w = container(
        "w",
        "echo a > /m/x; mkdir -p /m/sub; echo sub > /m/sub/f; sleep 3600",
    );
    w.volume_mounts = vec![mount("mem", "/m")];
    let mut r = container("r", "sleep 3600");
    let mut ro = mount("mem", "/ro");
    ro.read_only = true;
    let mut sub = mount("mem", "/only");
    sub.sub_path = Some("sub".into());
    r.volume_mounts = vec![ro, sub];
    r.security_context = Some(SecurityContext {
        run_as_user: Some(1234),
        run_as_group: Some(5678),
        read_only_root_filesystem: true,
        ..Default::default()
    });
    let mut p = pod("mem", vec![], vec![w, r], RestartPolicy::Always);
    p.spec.volumes = vec![Volume {
        name: "mem".into(),
        source: VolumeSource::EmptyDir {
            medium: "Memory".into(),
            size_limit: Some(Quantity::parse("16Mi").unwrap()),
        },
    }];
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    running
        .wait_for(
            |s| s.container_statuses.iter().all(|c| c.state.is_running()),
            LONG,
        )
        .await
        .expect("running");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let out = running
        .exec(
            "r",
            &s(&["sh", "-c", "cat /ro/x; grep ' /ro ' /proc/mounts"]),
            LONG,
        )
        .await
        .unwrap();
    assert!(out.stdout.starts_with("a\ntmpfs /ro tmpfs ro"), "{out:?}");
    assert!(out.stdout.contains("size=16384k"), "{out:?}");
    let out = running
        .exec("r", &s(&["cat", "/only/f"]), LONG)
        .await
        .unwrap();
    assert_eq!(out.stdout, "sub\n");
    let out = running.exec("r", &s(&["id"]), LONG).await.unwrap();
    assert!(out.stdout.starts_with("uid=1234 gid=5678"), "{out:?}");
    let out = running
        .exec("r", &s(&["touch", "/rootfs-file"]), LONG)
        .await
        .unwrap();
    assert_ne!(out.exit_code, 0, "read-only root filesystem");
    let out = running
        .exec("r", &s(&["touch", "/ro/y"]), LONG)
        .await
        .unwrap();
    assert_ne!(out.exit_code, 0, "read-only mount");
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("mem")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_container_over_its_memory_limit_is_oom_killed() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container(
        "c",
        "x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo done",
    );
    c.resources
        .limits
        .insert("memory".into(), Quantity::parse("32Mi").unwrap());
    let p = pod("oom", vec![], vec![c], RestartPolicy::Never);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("ends");
    assert_eq!(
        st.container_statuses[0].state.reason(),
        Some("OOMKilled"),
        "{:?}",
        st.container_statuses[0].state
    );
    assert_eq!(st.phase, Phase::Failed);
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("oom")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_path_is_refused_unless_host_access_is_allowed() {
    let learner = isolate();
    let engine = engine().await;
    let dir = format!("/tmp/podlearn/{learner}");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(format!("{dir}/hello"), "from the host\n").unwrap();
    let mut c = container("c", "cat /host/hello");
    c.volume_mounts = vec![mount("h", "/host")];
    let mut p = pod("hostpath", vec![], vec![c], RestartPolicy::Never);
    p.spec.volumes = vec![Volume {
        name: "h".into(),
        source: VolumeSource::HostPath {
            path: "/etc".into(),
            kind: None,
        },
    }];
    let err = match engine.start_pod(&p, &Inputs::default(), &fast()).await {
        Ok(_) => panic!("hostPath /etc must be refused"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("--allow-host-access"), "{err}");
    assert_eq!(leftovers(&learner, Some("hostpath")), Vec::<String>::new());

    p.spec.volumes[0].source = VolumeSource::HostPath {
        path: dir.clone(),
        kind: None,
    };
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("ends");
    assert_eq!(running.logs("c", false).await.unwrap(), "from the host\n");
    running.delete(None).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(leftovers(&learner, Some("hostpath")), Vec::<String>::new());
}

/// A hostPath folder that does not exist yet is made for `type:
/// DirectoryOrCreate` (and for no type), as the kubelet does; with `type:
/// Directory` it must exist, and the container is not created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_host_path_folder_is_made_for_directory_or_create() {
    let learner = isolate();
    let engine = engine().await;
    let dir = format!("/tmp/podlearn/{learner}-made/logs");
    let _ = std::fs::remove_dir_all(format!("/tmp/podlearn/{learner}-made"));
    let mut c = container("c", "echo written > /host/app.log && cat /host/app.log");
    c.volume_mounts = vec![mount("h", "/host")];
    let mut p = pod("hostpath-made", vec![], vec![c], RestartPolicy::Never);
    p.spec.volumes = vec![Volume {
        name: "h".into(),
        source: VolumeSource::HostPath {
            path: dir.clone(),
            kind: Some("DirectoryOrCreate".into()),
        },
    }];
    // Host access stays refused (the default): the folder is under /tmp/podlearn.
    let opts = fast();
    let (running, _, logs) = run_to_end(&engine, &p, &Inputs::default(), &opts, "c").await;
    assert_eq!(logs, "written\n");
    assert_eq!(
        std::fs::read_to_string(format!("{dir}/app.log")).unwrap(),
        "written\n"
    );
    running.delete(None).await.unwrap();

    let missing = format!("/tmp/podlearn/{learner}-missing");
    p.metadata.name = "hostpath-missing".into();
    p.spec.volumes[0].source = VolumeSource::HostPath {
        path: missing.clone(),
        kind: Some("Directory".into()),
    };
    let running = engine
        .start_pod(&p, &Inputs::default(), &opts)
        .await
        .unwrap();
    // The engine refuses the bind: the container never runs, and says why.
    let st = running
        .wait_for(
            |s| {
                s.container_statuses.first().is_some_and(|c| {
                    matches!(&c.state, ContainerState::Waiting { message: Some(m), .. }
                        if m.contains("does not exist"))
                })
            },
            LONG,
        )
        .await
        .expect("the container waits, saying the folder does not exist");
    assert!(
        !std::path::Path::new(&missing).exists(),
        "type Directory must not make the folder"
    );
    assert_ne!(st.phase, Phase::Succeeded, "{st:?}");
    running.delete(None).await.unwrap();
    let _ = std::fs::remove_dir_all(format!("/tmp/podlearn/{learner}-made"));
    // Other tests of this binary run pods of the same learner meanwhile.
    for pod in ["hostpath-made", "hostpath-missing"] {
        assert_eq!(leftovers(&learner, Some(pod)), Vec::<String>::new());
    }
}
