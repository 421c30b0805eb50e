use std::collections::BTreeMap;

use crate::fixtures::*;
use crate::manifest::{
    ContainerPort, EnvFromRef, EnvFromSource, EnvVar, EnvVarSource, Handler, HttpGet, IntOrString,
    Pod, Probe, Quantity, RestartPolicy, Volume, VolumeMount, VolumeSource,
};
use crate::phase::conditions;
use crate::status::ContainerKind::{App, Init};
use crate::status::{ContainerState, Event, Phase, PodStatus};
use crate::term::Style;

use super::*;

fn web_pod() -> Pod {
    let mut init = container("fetch");
    init.command = vec![
        "sh".into(),
        "-c".into(),
        "echo hi > /data/index.html".into(),
    ];
    init.volume_mounts = vec![VolumeMount {
        name: "shared".into(),
        mount_path: "/data".into(),
        read_only: false,
        sub_path: None,
    }];
    let mut web = container("web");
    web.image = "busybox:1.36".into();
    web.args = vec!["httpd".into(), "-f".into(), "-p".into(), "8080".into()];
    web.ports = vec![ContainerPort {
        name: Some("http".into()),
        container_port: 8080,
        protocol: "TCP".into(),
        host_port: None,
    }];
    web.liveness_probe = Some(Probe {
        handler: Handler::HttpGet(HttpGet {
            path: "/healthz".into(),
            port: IntOrString::String("http".into()),
            host: None,
            scheme: "HTTP".into(),
            http_headers: vec![("X-Probe".into(), "1".into())],
        }),
        initial_delay_seconds: 3,
        period_seconds: 5,
        timeout_seconds: 1,
        success_threshold: 1,
        failure_threshold: 3,
        termination_grace_period_seconds: None,
    });
    web.env = vec![
        EnvVar {
            name: "GREETING".into(),
            value: Some("hello".into()),
            value_from: None,
        },
        EnvVar {
            name: "MODE".into(),
            value: None,
            value_from: Some(EnvVarSource::ConfigMapKeyRef {
                name: "app-config".into(),
                key: "mode".into(),
                optional: false,
            }),
        },
        EnvVar {
            name: "POD_IP".into(),
            value: None,
            value_from: Some(EnvVarSource::FieldRef {
                field_path: "status.podIP".into(),
            }),
        },
    ];
    web.env_from = vec![EnvFromSource {
        prefix: Some("CFG_".into()),
        source: EnvFromRef::ConfigMapRef {
            name: "app-config".into(),
            optional: true,
        },
    }];
    web.resources
        .limits
        .insert("memory".into(), Quantity::parse("64Mi").unwrap());
    web.volume_mounts = vec![VolumeMount {
        name: "shared".into(),
        mount_path: "/www".into(),
        read_only: true,
        sub_path: None,
    }];
    let mut s = spec(vec![init], vec![web], RestartPolicy::Always);
    s.volumes = vec![Volume {
        name: "shared".into(),
        source: VolumeSource::EmptyDir {
            medium: String::new(),
            size_limit: None,
        },
    }];
    let mut p = pod("web", s);
    p.metadata.labels = BTreeMap::from([
        ("app".to_string(), "web".to_string()),
        ("tier".to_string(), "front".to_string()),
    ]);
    p
}

fn event(secs_ago: u64, kind: &str, reason: &str, message: &str) -> Event {
    Event {
        time: ago(secs_ago),
        kind: kind.into(),
        reason: reason.into(),
        source: "kubelet".into(),
        object: Some("spec.containers{web}".into()),
        message: message.into(),
    }
}

fn web_status(pod: &Pod) -> PodStatus {
    let mut web = status("web", App, running(30));
    web.ready = true;
    web.restart_count = 2;
    web.last_state = Some(terminated_at(137, 35));
    web.container_id = Some("3f2a9c".into());
    let mut st = pod_status(
        Phase::Running,
        vec![status("fetch", Init, exited(0))],
        vec![web],
    );
    if let ContainerState::Terminated {
        started_at,
        finished_at,
        ..
    } = &mut st.init_container_statuses[0].state
    {
        *started_at = ago(110);
        *finished_at = ago(109);
    }
    st.conditions = conditions(&pod.spec, &st);
    st.events = vec![
        event(100, "Normal", "Started", "Started container web"),
        event(
            60,
            "Warning",
            "Unhealthy",
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        ),
        event(
            40,
            "Warning",
            "Unhealthy",
            "Liveness probe failed: HTTP probe failed with statuscode: 500",
        ),
    ];
    st
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn rfc1123z_matches_go() {
    assert_eq!(rfc1123z(now()), "Sat, 21 Nov 2026 06:00:00 +0000");
    assert_eq!(
        rfc1123z(std::time::UNIX_EPOCH),
        "Thu, 01 Jan 1970 00:00:00 +0000"
    );
    // 2024-02-29 12:34:56 UTC (a leap day, a Thursday).
    let leap = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_709_210_096);
    assert_eq!(rfc1123z(leap), "Thu, 29 Feb 2024 12:34:56 +0000");
}

#[test]
fn pods_table_is_aligned_like_kubectl() {
    let p = web_pod();
    let st = web_status(&p);
    let mut pending = PodRow::new(
        &pod("a-much-longer-name", p.spec.clone()),
        &pod_status(
            Phase::Pending,
            vec![status("fetch", Init, running(2))],
            vec![status("web", App, waiting("PodInitializing"))],
        ),
        false,
    );
    pending.created = Some(ago(5));
    let mut row = PodRow::new(&p, &st, false);
    row.created = Some(ago(3 * 3600 + 600));
    let out = render(|w| pods_table(&[row.clone(), pending.clone()], false, now(), w));
    assert_eq!(
        out,
        "NAME                 READY   STATUS     RESTARTS      AGE\n\
         web                  1/1     Running    2 (35s ago)   3h10m\n\
         a-much-longer-name   0/1     Init:0/1   0             5s\n"
    );
    let out = render(|w| pods_table(&[row], true, now(), w));
    assert_eq!(
        out,
        "NAME   READY   STATUS    RESTARTS      AGE     IP           NODE            NOMINATED NODE   READINESS GATES\n\
         web    1/1     Running   2 (35s ago)   3h10m   172.17.0.5   podlearn-node   <none>           <none>\n"
    );
}

#[test]
fn pods_table_colors_only_the_status_and_keeps_alignment() {
    let p = web_pod();
    let row = PodRow::new(&p, &web_status(&p), false);
    let plain = render(|w| pods_table(std::slice::from_ref(&row), false, now(), w));
    let colored = render(|w| pods_table_styled(&[row], false, now(), Style { color: true }, w));
    assert!(colored.contains("\u{1b}["));
    let stripped = regex::Regex::new("\u{1b}\\[[0-9;]*m")
        .unwrap()
        .replace_all(&colored, "");
    assert_eq!(stripped, plain);
}

// The volume lines and the QoS/Node-Selectors/Tolerations lines form one
// tabwriter block, as in kubectl (its `QoS Class:` lines up with the volumes').
#[test]
fn describe_snapshot() {
    let p = web_pod();
    let st = web_status(&p);
    let out = render(|w| describe_pod(&p, &st, now(), w));
    let want = "\
Name:             web
Namespace:        default
Priority:         0
Service Account:  default
Node:             podlearn-node/172.17.0.1
Start Time:       Sat, 21 Nov 2026 05:58:00 +0000
Labels:           app=web
                  tier=front
Annotations:      <none>
Status:           Running
IP:               172.17.0.5
IPs:
  IP:  172.17.0.5
Init Containers:
  fetch:
    Container ID:  
    Image:         busybox:latest
    Port:          <none>
    Host Port:     <none>
    Command:
      sh
      -c
      echo hi > /data/index.html
    State:          Terminated
      Reason:       Completed
      Exit Code:    0
      Started:      Sat, 21 Nov 2026 05:58:10 +0000
      Finished:     Sat, 21 Nov 2026 05:58:11 +0000
    Ready:          False
    Restart Count:  0
    Environment:    <none>
    Mounts:
      /data from shared (rw)
Containers:
  web:
    Container ID:  docker://3f2a9c
    Image:         busybox:1.36
    Port:          8080/TCP
    Host Port:     0/TCP
    Args:
      httpd
      -f
      -p
      8080
    State:          Running
      Started:      Sat, 21 Nov 2026 05:59:30 +0000
    Last State:     Terminated
      Reason:       Error
      Exit Code:    137
      Started:      Sat, 21 Nov 2026 05:59:24 +0000
      Finished:     Sat, 21 Nov 2026 05:59:25 +0000
    Ready:          True
    Restart Count:  2
    Limits:
      memory:  64Mi
    Liveness:  http-get http://:http/healthz delay=3s timeout=1s period=5s #success=1 #failure=3
    Environment Variables from:
      app-config  ConfigMap with prefix 'CFG_'  Optional: true
    Environment:
      GREETING:  hello
      MODE:      <set to the key 'mode' of config map 'app-config'>  Optional: false
      POD_IP:     (v1:status.podIP)
    Mounts:
      /www from shared (ro)
Conditions:
  Type                        Status
  PodReadyToStartContainers   True 
  Initialized                 True 
  Ready                       True 
  ContainersReady             True 
  PodScheduled                True 
Volumes:
  shared:
    Type:        EmptyDir (a temporary directory that shares a pod's lifetime)
    Medium:      
    SizeLimit:   <unset>
QoS Class:       Burstable
Node-Selectors:  <none>
Tolerations:     <none>
Events:
  Type     Reason     Age                From     Message
  ----     ------     ----               ----     -------
  Normal   Started    100s               kubelet  Started container web
  Warning  Unhealthy  40s (x2 over 60s)  kubelet  Liveness probe failed: HTTP probe failed with statuscode: 500

Differences from a node (podlearn runs this pod on Docker):
  - The hostname lives in the pod's sandbox container: every container sees it, but `hostname NEW` inside one container does not reach the others.
";
    assert_eq!(out, want);
}

#[test]
fn describe_mentions_docker_init_with_a_shared_pid_namespace() {
    let mut p = web_pod();
    p.spec.share_process_namespace = true;
    let notes = differences_from_a_node(&p.spec);
    assert!(notes.iter().any(|n| n.contains("docker-init")));
}

#[test]
fn yaml_parses_back_into_the_api_shape() {
    let p = web_pod();
    let st = web_status(&p);
    let yaml = pod_yaml(&p, &st);
    let back: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(back, pod_value(&p, &st));
    assert!(
        yaml.starts_with("apiVersion: v1\nkind: Pod\nmetadata:\n"),
        "{yaml}"
    );
    let v = &back;
    assert_eq!(v["metadata"]["labels"]["tier"], "front");
    let web = &v["spec"]["containers"][0];
    // The probe handler is inlined, headers are name/value pairs.
    assert_eq!(web["livenessProbe"]["httpGet"]["port"], "http");
    assert_eq!(
        web["livenessProbe"]["httpGet"]["httpHeaders"][0]["name"],
        "X-Probe"
    );
    assert_eq!(web["livenessProbe"]["periodSeconds"], 5);
    assert_eq!(web["env"][1]["valueFrom"]["configMapKeyRef"]["key"], "mode");
    assert_eq!(
        web["env"][2]["valueFrom"]["fieldRef"]["fieldPath"],
        "status.podIP"
    );
    assert_eq!(web["envFrom"][0]["configMapRef"]["name"], "app-config");
    assert_eq!(web["envFrom"][0]["prefix"], "CFG_");
    assert_eq!(web["resources"]["limits"]["memory"], "64Mi");
    assert_eq!(web["volumeMounts"][0]["readOnly"], true);
    assert!(v["spec"]["containers"][0].get("stdin").is_none());
    assert_eq!(v["spec"]["volumes"][0]["emptyDir"], serde_json::json!({}));
    assert_eq!(v["status"]["phase"], "Running");
    assert_eq!(v["status"]["podIPs"][0]["ip"], "172.17.0.5");
    let cs = &v["status"]["containerStatuses"][0];
    assert_eq!(cs["lastState"]["terminated"]["exitCode"], 137);
    assert_eq!(cs["restartCount"], 2);
    assert_eq!(cs["containerID"], "docker://3f2a9c");
    assert!(
        web["env"][1]["valueFrom"]["configMapKeyRef"]
            .get("optional")
            .is_none()
    );
    assert!(
        cs["state"]["running"]["startedAt"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}

#[test]
fn json_is_indented_like_kubectl() {
    let p = web_pod();
    let st = web_status(&p);
    let json = pod_json(&p, &st);
    assert!(json.starts_with("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n"));
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(back, pod_value(&p, &st));
}

#[test]
fn event_lines() {
    let e = event(
        0,
        "Warning",
        "BackOff",
        "Back-off restarting failed container web",
    );
    assert_eq!(
        events_line(&e),
        "06:00:00   Warning   BackOff                spec.containers{web}   Back-off restarting failed container web"
    );
}

#[test]
fn probes_are_described_like_kubectl() {
    let mut p = web_pod().spec.containers[0].liveness_probe.clone().unwrap();
    p.handler = Handler::Exec {
        command: vec!["cat".into(), "/tmp/healthy".into()],
    };
    assert_eq!(
        describe_probe(&p),
        "exec [cat /tmp/healthy] delay=3s timeout=1s period=5s #success=1 #failure=3"
    );
    p.handler = Handler::TcpSocket {
        port: IntOrString::Int(6379),
        host: None,
    };
    assert!(describe_probe(&p).starts_with("tcp-socket :6379 delay=3s"));
}

#[test]
fn qos_classes() {
    let mut s = web_pod().spec;
    assert_eq!(qos_class(&s), "Burstable");
    for c in s.init_containers.iter_mut().chain(s.containers.iter_mut()) {
        c.resources.limits.clear();
    }
    assert_eq!(qos_class(&s), "BestEffort");
    for c in s.init_containers.iter_mut().chain(s.containers.iter_mut()) {
        c.resources
            .limits
            .insert("cpu".into(), Quantity::parse("100m").unwrap());
        c.resources
            .limits
            .insert("memory".into(), Quantity::parse("64Mi").unwrap());
    }
    assert_eq!(qos_class(&s), "Guaranteed");
}

#[test]
fn describe_without_status_details_says_none() {
    let mut p = web_pod();
    p.spec.volumes.clear();
    let st = pod_status(Phase::Pending, vec![], vec![]);
    let out = render(|w| describe_pod(&p, &st, now(), w));
    assert!(out.contains("\nVolumes:         <none>\n"), "{out}");
    assert!(out.contains("\nEvents:          <none>\n"), "{out}");
    // No status yet: no Container ID, State or Ready lines.
    assert!(!out.contains("Container ID"));
    assert!(!out.contains("Restart Count"));
}
