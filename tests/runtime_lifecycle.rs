//! Restarts with back-off, probes, hooks, termination, deadlines, native
//! sidecars and image errors, against the real engine (time scale 20).

#[path = "support/pods.rs"]
mod pods;

use std::time::{Duration, Instant};

use podlearn::manifest::{Handler, HttpGet, IntOrString, Lifecycle, PullPolicy, RestartPolicy};
use podlearn::podenv::Inputs;
use podlearn::runtime::RunOptions;
use podlearn::status::{ContainerState, Phase, PodStatus};
use pods::*;

fn app(st: &PodStatus, name: &str) -> podlearn::status::ContainerStatus {
    st.container_statuses
        .iter()
        .chain(&st.init_container_statuses)
        .find(|c| c.name == name)
        .cloned()
        .unwrap()
}

fn reasons(st: &PodStatus) -> Vec<String> {
    st.events.iter().map(|e| e.reason.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_container_is_restarted_with_crash_loop_back_off() {
    let learner = isolate();
    let engine = engine().await;
    let p = pod(
        "crash",
        vec![],
        vec![container("c", "echo run; exit 3")],
        RestartPolicy::Always,
    );
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.container_statuses[0].restart_count >= 2, LONG)
        .await
        .expect("restarted twice");
    let c = app(&st, "c");
    let last = c.last_state.expect("a last state");
    assert_eq!(last.exit_code(), Some(3));
    assert_eq!(last.reason(), Some("Error"));
    assert_eq!(st.phase, Phase::Running);
    let st = running
        .wait_for(
            |s| s.container_statuses[0].state.reason() == Some("CrashLoopBackOff"),
            LONG,
        )
        .await
        .expect("waits in CrashLoopBackOff");
    assert!(reasons(&st).contains(&"BackOff".to_string()));
    // Previous run's logs are kept.
    assert_eq!(running.logs("c", true).await.unwrap(), "run\n");
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("crash")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_failure_stops_after_success_and_never_fails_the_pod() {
    let learner = isolate();
    let engine = engine().await;
    // Fails once (no marker yet), then succeeds: the volume survives restarts.
    let mut c = container("c", "if [ -f /d/m ]; then exit 0; fi; touch /d/m; exit 1");
    c.volume_mounts = vec![mount("d", "/d")];
    let mut p = pod("onfail", vec![], vec![c], RestartPolicy::OnFailure);
    p.spec.volumes = vec![empty_dir("d", false)];
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("completes");
    assert_eq!(st.phase, Phase::Succeeded);
    assert_eq!(st.container_statuses[0].restart_count, 1);
    running.delete(None).await.unwrap();

    let p = pod(
        "never",
        vec![],
        vec![container("c", "exit 4")],
        RestartPolicy::Never,
    );
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("fails");
    assert_eq!(st.phase, Phase::Failed);
    assert_eq!(st.container_statuses[0].state.exit_code(), Some(4));
    assert_eq!(st.container_statuses[0].restart_count, 0);
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("onfail")), Vec::<String>::new());
    assert_eq!(leftovers(&learner, Some("never")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_init_container_is_retried_and_with_never_fails_the_pod() {
    let learner = isolate();
    let engine = engine().await;
    let init = container("init", "exit 1");
    let p = pod(
        "initfail",
        vec![init],
        vec![container("app", "sleep 60")],
        RestartPolicy::Never,
    );
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("fails");
    assert_eq!(st.phase, Phase::Failed);
    assert!(
        st.container_statuses[0].container_id.is_none(),
        "the app never ran"
    );
    running.delete(None).await.unwrap();

    let init = container("init", "exit 1");
    let p = pod(
        "initretry",
        vec![init],
        vec![container("app", "sleep 60")],
        RestartPolicy::Always,
    );
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.init_container_statuses[0].restart_count >= 2, LONG)
        .await
        .expect("retried");
    assert_eq!(st.phase, Phase::Pending);
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("initfail")), Vec::<String>::new());
    assert_eq!(leftovers(&learner, Some("initretry")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_failure_restarts_and_readiness_drives_ready() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container("c", "touch /tmp/ok; sleep 3600");
    c.liveness_probe = Some(exec_probe("test -f /tmp/alive-never", 1, 2));
    let mut r = container("r", "sleep 3600");
    r.readiness_probe = Some(exec_probe("test -f /tmp/ready", 1, 1));
    let p = pod("probes", vec![], vec![c, r], RestartPolicy::Always);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| app(s, "c").restart_count >= 1, LONG)
        .await
        .expect("liveness kills and restarts");
    let msgs: Vec<_> = st.events.iter().map(|e| e.message.clone()).collect();
    assert!(
        msgs.iter().any(|m| m.starts_with("Liveness probe failed")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("failed liveness probe, will be restarted")),
        "{msgs:?}"
    );
    assert!(!app(&st, "r").ready);
    running
        .exec("r", &s(&["touch", "/tmp/ready"]), LONG)
        .await
        .unwrap();
    let st = running
        .wait_for(|s| app(s, "r").ready, LONG)
        .await
        .expect("becomes ready");
    assert_eq!(app(&st, "r").restart_count, 0, "readiness never restarts");
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("probes")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_and_tcp_probes_run_inside_the_pod_network_and_startup_gates() {
    let learner = isolate();
    let engine = engine().await;
    let mut web = container(
        "web",
        "sleep 1; mkdir /w; echo ok > /w/index.html; httpd -f -p 8080 -h /w",
    );
    let mut startup = exec_probe("true", 1, 30);
    startup.handler = Handler::TcpSocket {
        port: IntOrString::Int(8080),
        host: None,
    };
    web.startup_probe = Some(startup);
    let mut ready = exec_probe("true", 1, 3);
    ready.handler = Handler::HttpGet(HttpGet {
        path: "/index.html".into(),
        port: IntOrString::Int(8080),
        host: None,
        scheme: "HTTP".into(),
        http_headers: vec![],
    });
    web.readiness_probe = Some(ready);
    let p = pod("netprobes", vec![], vec![web], RestartPolicy::Always);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.container_statuses[0].ready, LONG)
        .await
        .expect("ready through httpGet");
    assert!(st.container_statuses[0].started);
    assert_eq!(
        st.conditions
            .iter()
            .find(|c| c.kind == "Ready")
            .unwrap()
            .status,
        "True"
    );
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("netprobes")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_run_and_delete_waits_the_grace_period_then_kills() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container("c", "trap '' TERM; while :; do sleep 1; done");
    c.volume_mounts = vec![mount("d", "/d")];
    c.lifecycle = Some(Lifecycle {
        post_start: Some(Handler::Exec {
            command: s(&["sh", "-c", "echo started > /d/post"]),
        }),
        pre_stop: Some(Handler::Exec {
            command: s(&["sh", "-c", "echo stopping > /d/pre"]),
        }),
    });
    let mut watcher = container("w", "sleep 3600");
    watcher.volume_mounts = vec![mount("d", "/d")];
    let mut p = pod("hooks", vec![], vec![c, watcher], RestartPolicy::Always);
    p.spec.volumes = vec![empty_dir("d", false)];
    p.spec.termination_grace_period_seconds = 2;
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    running
        .wait_for(
            |s| app(s, "c").state.is_running() && app(s, "w").state.is_running(),
            LONG,
        )
        .await
        .expect("running after postStart");
    let out = running
        .exec("w", &s(&["cat", "/d/post"]), LONG)
        .await
        .unwrap();
    assert_eq!(out.stdout.trim(), "started");
    let t = Instant::now();
    running.delete(None).await.unwrap();
    // SIGTERM is ignored: the kill comes after the 2 s grace period.
    assert!(
        t.elapsed() >= Duration::from_millis(1800),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(leftovers(&learner, Some("hooks")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_post_start_hook_kills_the_container() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container("c", "sleep 3600");
    c.lifecycle = Some(Lifecycle {
        post_start: Some(Handler::Exec {
            command: s(&["false"]),
        }),
        pre_stop: None,
    });
    let p = pod("poststart", vec![], vec![c], RestartPolicy::Never);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("ends");
    assert_eq!(st.phase, Phase::Failed);
    assert!(reasons(&st).contains(&"FailedPostStartHook".to_string()));
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("poststart")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_deadline_fails_the_pod() {
    let learner = isolate();
    let engine = engine().await;
    let mut p = pod(
        "deadline",
        vec![],
        vec![container("c", "sleep 3600")],
        RestartPolicy::Always,
    );
    p.spec.active_deadline_seconds = Some(1);
    p.spec.termination_grace_period_seconds = 0;
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase == Phase::Failed, LONG)
        .await
        .expect("fails");
    assert_eq!(st.reason.as_deref(), Some("DeadlineExceeded"));
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("deadline")), Vec::<String>::new());
}

/// A deadline that falls while the container waits to be restarted: the Pod
/// has ended, so the container shows its last run, not a back-off that never
/// ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_during_back_off_leaves_the_last_run_as_the_state() {
    let learner = isolate();
    let engine = engine().await;
    let mut p = pod(
        "deadline-backoff",
        vec![],
        vec![container("c", "exit 3")],
        RestartPolicy::Always,
    );
    p.spec.active_deadline_seconds = Some(3);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    running
        .wait_for(
            |s| s.container_statuses[0].state.reason() == Some("CrashLoopBackOff"),
            LONG,
        )
        .await
        .expect("waits in CrashLoopBackOff");
    let st = running
        .wait_for(|s| s.phase == Phase::Failed, LONG)
        .await
        .expect("fails");
    assert_eq!(st.reason.as_deref(), Some("DeadlineExceeded"));
    let c = &st.container_statuses[0];
    assert!(c.state.is_terminated(), "{:?}", c.state);
    assert_eq!(c.state.exit_code(), Some(3));
    assert!(c.restart_count >= 1, "{c:?}");
    running.delete(None).await.unwrap();
    assert_eq!(
        leftovers(&learner, Some("deadline-backoff")),
        Vec::<String>::new()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn native_sidecars_start_first_never_block_completion_and_stop_last() {
    let learner = isolate();
    let engine = engine().await;
    let mut side = sidecar(
        "log",
        "trap 'echo $(date +%s%N) side >> /d/stops; exit 0' TERM; while :; do sleep 0.1; done",
    );
    side.volume_mounts = vec![mount("d", "/d")];
    // The next init container sees the sidecar already running (shared volume).
    let mut check = container("check", "sleep 0.3; test -d /d");
    check.volume_mounts = vec![mount("d", "/d")];
    let mut main = container("main", "echo main done");
    main.volume_mounts = vec![mount("d", "/d")];
    let mut p = pod(
        "sidecars",
        vec![side, check],
        vec![main],
        RestartPolicy::Never,
    );
    p.spec.volumes = vec![empty_dir("d", false)];
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("completes despite the sidecar");
    assert_eq!(st.phase, Phase::Succeeded);
    // Then the sidecar gets its SIGTERM (after the app containers have ended).
    let st = running
        .wait_for(|s| app(s, "log").state.is_terminated(), LONG)
        .await
        .expect("the sidecar is stopped");
    assert_eq!(st.phase, Phase::Succeeded);
    let side = app(&st, "log");
    assert!(
        matches!(side.state, ContainerState::Terminated { exit_code: 0, .. }),
        "{:?}",
        side.state
    );
    let started_side = st.events.iter().position(|e| {
        e.reason == "Started" && e.object.as_deref() == Some("spec.initContainers{log}")
    });
    let started_check = st.events.iter().position(|e| {
        e.reason == "Started" && e.object.as_deref() == Some("spec.initContainers{check}")
    });
    assert!(started_side < started_check, "{:?}", reasons(&st));
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("sidecars")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_image_is_err_image_pull_then_back_off_and_mapping_is_explicit() {
    let learner = isolate();
    let engine = engine().await;
    let mut c = container("c", "true");
    c.image = "podlearn.invalid/nothing:1.0".into();
    c.image_pull_policy = PullPolicy::IfNotPresent;
    let p = pod("noimage", vec![], vec![c.clone()], RestartPolicy::Never);
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    let st = running
        .wait_for(
            |s| s.container_statuses[0].state.reason() == Some("ImagePullBackOff"),
            LONG,
        )
        .await
        .expect("back-off");
    assert!(reasons(&st).contains(&"Failed".to_string()));
    let ContainerState::Waiting { message, .. } = &st.container_statuses[0].state else {
        unreachable!()
    };
    assert!(
        message.as_deref().unwrap_or("").contains("docker load"),
        "{message:?}"
    );
    running.delete(None).await.unwrap();

    let mut opts: RunOptions = fast();
    opts.image_map.insert(
        "podlearn.invalid/nothing:1.0".into(),
        "busybox:latest".into(),
    );
    let p = pod("mapped", vec![], vec![c], RestartPolicy::Never);
    let running = engine
        .start_pod(&p, &Inputs::default(), &opts)
        .await
        .unwrap();
    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("runs mapped");
    assert_eq!(st.phase, Phase::Succeeded);
    assert!(reasons(&st).contains(&"ImageMapped".to_string()));
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("noimage")), Vec::<String>::new());
    assert_eq!(leftovers(&learner, Some("mapped")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_into_a_container_that_has_ended_is_unavailable_not_an_engine_failure() {
    let learner = isolate();
    let engine = engine().await;
    let p = pod(
        "ended",
        vec![],
        vec![container("c", "true")],
        RestartPolicy::Never,
    );
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();
    running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("the pod completes");
    let err = running
        .exec("c", &s(&["true"]), LONG)
        .await
        .expect_err("nothing runs in the container any more");
    assert!(podlearn::runtime::is_unavailable(&err), "{err:#}");
    assert!(format!("{err:#}").contains("is not running"), "{err:#}");
    // A container that is not in the pod at all is the learner's mistake.
    let err = running
        .exec("nope", &s(&["true"]), LONG)
        .await
        .expect_err("no such container");
    assert!(
        err.downcast_ref::<podlearn::exit::LearnerError>().is_some(),
        "{err:#}"
    );
    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("ended")), Vec::<String>::new());
}
