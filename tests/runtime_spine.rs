//! The spine of the runtime against the real engine: sandbox, shared
//! namespaces, emptyDir, init containers in order, exec, logs, delete, and
//! nothing left behind.

#[path = "support/pods.rs"]
mod pods;

use podlearn::manifest::RestartPolicy;
use podlearn::podenv::Inputs;
use podlearn::status::Phase;
use pods::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn containers_share_network_ipc_hostname_and_an_empty_dir() {
    let learner = isolate();
    let engine = engine().await;
    let mut web = container(
        "web",
        "echo hello > /www/index.html; httpd -f -p 8080 -h /www",
    );
    web.volume_mounts = vec![mount("shared", "/www")];
    let mut client = container("client", "sleep 3600");
    client.volume_mounts = vec![mount("shared", "/data")];
    let mut p = pod("spine", vec![], vec![web, client], RestartPolicy::Always);
    p.spec.volumes = vec![empty_dir("shared", false)];
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();

    let st = running
        .wait_for(
            |s| s.container_statuses.iter().all(|c| c.state.is_running()),
            LONG,
        )
        .await
        .expect("both containers run");
    assert_eq!(st.phase, Phase::Running);
    assert!(st.pod_ip.is_some());

    // Same network: localhost reaches the other container's server.
    let mut got = String::new();
    for _ in 0..50 {
        let out = running
            .exec(
                "client",
                &s(&["wget", "-q", "-O", "-", "http://localhost:8080/"]),
                LONG,
            )
            .await
            .unwrap();
        if out.exit_code == 0 {
            got = out.stdout;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(got.trim(), "hello");
    // The shared volume: the file written by web is seen by client.
    let out = running
        .exec("client", &s(&["cat", "/data/index.html"]), LONG)
        .await
        .unwrap();
    assert_eq!(out.stdout.trim(), "hello");
    // Hostname is the pod name in every container; /etc/hosts is the kubelet's.
    let out = running
        .exec("client", &s(&["hostname"]), LONG)
        .await
        .unwrap();
    assert_eq!(out.stdout.trim(), "spine");
    let out = running
        .exec("web", &s(&["cat", "/etc/hosts"]), LONG)
        .await
        .unwrap();
    assert!(
        out.stdout.starts_with("# Kubernetes-managed hosts file."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(&format!("{}\tspine", st.pod_ip.clone().unwrap()))
    );
    // IPC namespace is shared: same /proc/self/ns/ipc.
    let a = running
        .exec("web", &s(&["readlink", "/proc/self/ns/ipc"]), LONG)
        .await
        .unwrap();
    let b = running
        .exec("client", &s(&["readlink", "/proc/self/ns/ipc"]), LONG)
        .await
        .unwrap();
    assert_eq!(a.stdout, b.stdout);
    // PID namespace is not shared by default.
    let out = running.exec("client", &s(&["ps"]), LONG).await.unwrap();
    assert!(!out.stdout.contains("httpd"), "{}", out.stdout);

    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("spine")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_containers_run_in_order_then_the_app_and_logs_show_it() {
    let learner = isolate();
    let engine = engine().await;
    let mut first = container("first", "echo one >> /work/order; sleep 0.3");
    first.volume_mounts = vec![mount("work", "/work")];
    let mut second = container("second", "echo two >> /work/order");
    second.volume_mounts = vec![mount("work", "/work")];
    let mut app = container("app", "cat /work/order; echo three");
    app.volume_mounts = vec![mount("work", "/work")];
    let mut p = pod(
        "inits",
        vec![first, second],
        vec![app],
        RestartPolicy::Never,
    );
    p.spec.volumes = vec![empty_dir("work", false)];
    let running = engine
        .start_pod(&p, &Inputs::default(), &fast())
        .await
        .unwrap();

    let st = running
        .wait_for(|s| s.phase.is_final(), LONG)
        .await
        .expect("the pod completes");
    assert_eq!(st.phase, Phase::Succeeded);
    for c in &st.init_container_statuses {
        assert_eq!(c.state.exit_code(), Some(0), "{}", c.name);
    }
    assert_eq!(
        running.logs("app", false).await.unwrap(),
        "one\ntwo\nthree\n"
    );
    let reasons: Vec<_> = st.events.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        reasons.contains(&"Created") && reasons.contains(&"Started"),
        "{reasons:?}"
    );

    running.delete(None).await.unwrap();
    assert_eq!(leftovers(&learner, Some("inits")), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn share_process_namespace_shows_every_process() {
    let learner = isolate();
    let engine = engine().await;
    let a = container("a", "sleep 1234");
    let b = container("b", "sleep 3600");
    let mut p = pod("shared-pid", vec![], vec![a, b], RestartPolicy::Always);
    p.spec.share_process_namespace = true;
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
    let out = running.exec("b", &s(&["ps"]), LONG).await.unwrap();
    assert!(out.stdout.contains("sleep 1234"), "{}", out.stdout);
    // PID 1 is the sandbox's init, not /pause (said in the pod's notes).
    let one = running
        .exec("b", &s(&["cat", "/proc/1/cmdline"]), LONG)
        .await
        .unwrap();
    assert!(one.stdout.contains("init"), "{:?}", one.stdout);
    assert!(running.notes().iter().any(|n| n.contains("not /pause")));
    running.delete(None).await.unwrap();
    assert_eq!(
        leftovers(&learner, Some("shared-pid")),
        Vec::<String>::new()
    );
}
