//! Every check kind, evaluated against the recording fake pod: what passes,
//! what fails, and what the learner is told.

use std::time::Duration;

use podlearn::check::{CheckOutcome, behavior, static_checks};
use podlearn::exercise::{Exercise, format};
use podlearn::grade::fake::{self, FakePod, container, out, running, status, terminated};
use podlearn::grade::{EvalCtx, Tokens};
use podlearn::manifest::model::{Pod, Volume, VolumeMount, VolumeSource};
use podlearn::status::{ContainerKind, ContainerState, Phase};

fn exercise(checks: &str) -> Exercise {
    let text = format!(
        "format_version = 1\ntitle = \"T\"\nlesson = \"l\"\nhints = [\"h\"]\n\
         [[inject]]\nname = \"token\"\nenv = \"TOKEN\"\n{checks}"
    );
    format::parse("x", "exercise.toml", &text).unwrap()
}

fn ctx() -> EvalCtx {
    EvalCtx {
        tokens: Tokens::fixed(&[("token", "tok-42")]),
        poll: Duration::from_millis(1),
        exec_timeout: Duration::from_secs(1),
        observed_dir: None,
    }
}

async fn eval(checks: &str, pod: &FakePod) -> CheckOutcome {
    let ex = exercise(checks);
    behavior::evaluate(&ex.checks[0], pod, &ctx())
        .await
        .unwrap()
}

fn check(kind_and_fields: &str) -> String {
    format!("[[check]]\nid = \"c\"\nhint = \"the hint\"\nwithin = \"50ms\"\n{kind_and_fields}\n")
}

fn app(name: &str, state: ContainerState) -> podlearn::status::ContainerStatus {
    container(name, ContainerKind::App, state)
}

// ---- exec --------------------------------------------------------------------

#[tokio::test]
async fn exec_matches_exit_code_and_stdout_with_tokens() {
    let c = check(
        "kind = \"exec\"\ncontainer = \"web\"\ncommand = [\"cat\", \"/t\"]\nstdout = { equals = \"{{token}}\" }",
    );
    let pod = FakePod::new().on_exec("web", "cat /t", vec![out(0, "tok-42\n", "")]);
    let o = eval(&c, &pod).await;
    assert!(o.passed, "{o:?}");
    assert_eq!(pod.calls(), ["exec web: cat /t"]);

    let faked = FakePod::new().on_exec("web", "cat /t", vec![out(0, "{{token}}\n", "")]);
    let o = eval(&c, &faked).await;
    assert!(!o.passed);
    assert!(o.expected.contains("exactly \"tok-42\""), "{}", o.expected);
    assert!(o.observed.contains("{{token}}"), "{}", o.observed);
    assert_eq!(o.hint.as_deref(), Some("the hint"));
}

#[tokio::test]
async fn exec_retries_until_it_holds() {
    let c = check("kind = \"exec\"\ncontainer = \"web\"\ncommand = [\"true\"]\nexit_code = 0");
    let pod = FakePod::new()
        .statuses(vec![status(Phase::Running, vec![app("web", running(1))])])
        .on_exec(
            "web",
            "true",
            vec![out(1, "", ""), out(1, "", ""), out(0, "", "")],
        );
    assert!(eval(&c, &pod).await.passed);
    assert_eq!(
        pod.calls().iter().filter(|c| c.starts_with("exec")).count(),
        3
    );
}

#[tokio::test]
async fn exec_in_a_container_that_is_not_running_fails_with_why() {
    let c = check("kind = \"exec\"\ncontainer = \"web\"\ncommand = [\"true\"]");
    let pod = FakePod::new().exec_unavailable("web", "container web is not running");
    let o = eval(&c, &pod).await;
    assert!(!o.passed);
    assert!(o.observed.contains("not running"), "{}", o.observed);
}

#[tokio::test]
async fn looking_stops_early_once_the_pod_has_ended() {
    let c = "[[check]]\nid = \"c\"\nhint = \"h\"\nkind = \"exec\"\ncontainer = \"web\"\ncommand = [\"true\"]\nwithin = \"30s\"\n";
    let pod = FakePod::new()
        .statuses(vec![status(
            Phase::Failed,
            vec![app("web", terminated(1, 1, 2))],
        )])
        .exec_unavailable("web", "container web is not running");
    let started = std::time::Instant::now();
    let o = eval(c, &pod).await;
    assert!(
        !o.passed && o.observed.contains("the pod has ended: Failed"),
        "{}",
        o.observed
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A container that crashed: the learner reads its state, and a hint to make
/// it run before the check's own (which may be why it crashes).
#[tokio::test]
async fn a_check_that_cannot_look_inside_a_crashed_container_says_so() {
    let c = check("kind = \"exec\"\ncontainer = \"client\"\ncommand = [\"find\", \"/\"]");
    let mut crashed = app("client", ContainerState::waiting("CrashLoopBackOff"));
    crashed.last_state = Some(terminated(1, 1, 2));
    crashed.restart_count = 3;
    let pod = FakePod::new()
        .statuses(vec![status(
            Phase::Running,
            vec![app("web", running(0)), crashed],
        )])
        .exec_unavailable("client", "Container 3f2a9c is not running");
    let o = eval(&c, &pod).await;
    assert!(!o.passed);
    assert_eq!(
        o.observed,
        "not running: client is waiting (CrashLoopBackOff), last run Error with exit code 1, 3 restarts"
    );
    let hint = o.hint.unwrap();
    assert!(
        hint.contains("client keeps stopping and being restarted"),
        "{hint}"
    );
    assert!(
        hint.contains("podlearn logs POD -c client --previous"),
        "{hint}"
    );
    assert!(
        hint.ends_with("Once it runs, this check needs: the hint"),
        "{hint}"
    );

    // One that never started, and one that exited with an error once.
    let never = FakePod::new()
        .statuses(vec![status(
            Phase::Pending,
            vec![app("client", ContainerState::waiting("ErrImagePull"))],
        )])
        .exec_unavailable("client", "no such container");
    let hint = eval(&c, &never).await.hint.unwrap();
    assert!(
        hint.contains("client never started (ErrImagePull)"),
        "{hint}"
    );
    let failed = FakePod::new()
        .statuses(vec![status(
            Phase::Failed,
            vec![app("client", terminated(2, 1, 2))],
        )])
        .exec_unavailable("client", "Container 3f2a9c is not running");
    let o = eval(&c, &failed).await;
    assert!(
        o.observed.contains("(the pod has ended: Failed)"),
        "{}",
        o.observed
    );
    assert!(o.hint.unwrap().contains("stopped with exit code 2"));
}

/// A container that ended as it should (exit 0, not restarted) ended too
/// soon for the check: its state is shown, and the check's own hint stays.
/// A running container's failure is the check's own.
#[tokio::test]
async fn a_container_that_ended_well_keeps_the_checks_hint() {
    let c = check("kind = \"exec\"\ncontainer = \"work\"\ncommand = [\"true\"]");
    let ended = FakePod::new()
        .statuses(vec![status(
            Phase::Succeeded,
            vec![app("work", terminated(0, 1, 2))],
        )])
        .exec_unavailable("work", "Container 3f2a9c is not running");
    let o = eval(&c, &ended).await;
    assert_eq!(
        o.observed,
        "not running: work terminated (Completed, exit code 0), 0 restarts (the pod has ended: Succeeded)"
    );
    assert_eq!(o.hint.as_deref(), Some("the hint"));

    let runs = FakePod::new()
        .statuses(vec![status(Phase::Running, vec![app("work", running(0))])])
        .on_exec("work", "true", vec![out(1, "", "nope")]);
    let o = eval(&c, &runs).await;
    assert!(!o.observed.contains("not running"), "{}", o.observed);
    assert_eq!(o.hint.as_deref(), Some("the hint"));
}

// ---- http --------------------------------------------------------------------

#[tokio::test]
async fn http_reads_status_and_body_from_busybox_wget() {
    let c = check(
        "kind = \"http\"\ncontainer = \"client\"\nurl = \"http://localhost:8080/\"\nbody = { contains = \"{{token}}\" }",
    );
    let ok = FakePod::new().on_exec(
        "client",
        "wget",
        vec![out(
            0,
            "hello tok-42\n",
            "  HTTP/1.1 200 OK\n  Content-type: text/html\n",
        )],
    );
    assert!(eval(&c, &ok).await.passed);
    assert!(ok.calls()[0].contains("wget -q -S -O - http://127.0.0.1:8080/"));

    let refused = FakePod::new().on_exec(
        "client",
        "wget",
        vec![out(
            1,
            "",
            "wget: can't connect to remote host (127.0.0.1): Connection refused\n",
        )],
    );
    let o = eval(&c, &refused).await;
    assert!(!o.passed);
    assert!(
        o.observed.starts_with("no answer:") && o.observed.contains("Connection refused"),
        "{}",
        o.observed
    );

    let missing = FakePod::new().on_exec(
        "client",
        "wget",
        vec![out(
            1,
            "",
            "wget: server returned error: HTTP/1.1 404 Not Found\n",
        )],
    );
    let o = eval(&c, &missing).await;
    assert!(o.observed.starts_with("HTTP 404"), "{}", o.observed);
}

#[test]
fn http_status_parsing() {
    assert_eq!(
        behavior::http_status("  HTTP/1.0 301 Moved\n  HTTP/1.1 200 OK"),
        Some(200)
    );
    assert_eq!(behavior::http_status("wget: bad address"), None);
}

// ---- file, logs, process -------------------------------------------------------

#[tokio::test]
async fn file_exists_with_content_or_is_absent() {
    let c = check(
        "kind = \"file\"\ncontainer = \"app\"\npath = \"/data/{{token}}.txt\"\ncontent = { regex = \"^ready\" }",
    );
    let pod = FakePod::new().on_exec("app", "cat /data/tok-42.txt", vec![out(0, "ready\n", "")]);
    assert!(eval(&c, &pod).await.passed);
    let gone = FakePod::new().on_exec(
        "app",
        "cat",
        vec![out(
            1,
            "",
            "cat: can't open '/data/tok-42.txt': No such file or directory",
        )],
    );
    let o = eval(&c, &gone).await;
    assert!(
        !o.passed && o.observed.starts_with("no file /data/tok-42.txt"),
        "{}",
        o.observed
    );
    let absent = check("kind = \"file\"\ncontainer = \"app\"\npath = \"/x\"\nexists = false");
    assert!(eval(&absent, &gone).await.passed);
    // A file cat cannot read is there all the same: not "absent".
    for stderr in [
        "cat: can't open '/x': Permission denied",
        "cat: read error: Is a directory",
        "sh: cat: not found",
    ] {
        let unreadable = FakePod::new().on_exec("app", "cat", vec![out(1, "", stderr)]);
        let o = eval(&absent, &unreadable).await;
        assert!(
            !o.passed && o.observed.starts_with("/x could not be read (exit code 1)"),
            "{stderr}: {}",
            o.observed
        );
    }
}

#[tokio::test]
async fn logs_of_current_or_previous_run() {
    let c = check(
        "kind = \"logs\"\ncontainer = \"shipper\"\noutput = { contains = \"request {{token}}\" }",
    );
    let pod = FakePod::new().logs("shipper", false, "handled request tok-42\n");
    assert!(eval(&c, &pod).await.passed);
    let prev = check(
        "kind = \"logs\"\ncontainer = \"api\"\nprevious = true\noutput = { contains = \"Address already in use\" }",
    );
    let pod = FakePod::new().logs("api", true, "httpd: bind: Address already in use");
    assert!(eval(&prev, &pod).await.passed);
    let o = eval(&prev, &FakePod::new()).await;
    assert!(!o.passed && o.observed == "logs: (empty)", "{}", o.observed);
}

#[tokio::test]
async fn process_in_ps_listed_or_absent() {
    let ps = "PID   USER     TIME  COMMAND\n    1 root      0:00 /pause\n    7 root      0:00 httpd -f -p 8080\n";
    let c = check("kind = \"process\"\ncontainer = \"debug\"\nprocess = { contains = \"httpd\" }");
    let pod = FakePod::new().on_exec("debug", "ps", vec![out(0, ps, "")]);
    assert!(eval(&c, &pod).await.passed);
    let absent = check(
        "kind = \"process\"\ncontainer = \"debug\"\nprocess = { contains = \"nginx\" }\nabsent = true",
    );
    assert!(eval(&absent, &pod).await.passed);
    let o = eval(
        &check("kind = \"process\"\ncontainer = \"debug\"\nprocess = { contains = \"nginx\" }"),
        &pod,
    )
    .await;
    assert!(
        !o.passed && o.observed.contains("/pause; httpd -f -p 8080"),
        "{}",
        o.observed
    );
}

// ---- status checks --------------------------------------------------------------

#[tokio::test]
async fn phase_reaches_a_value() {
    let c = check("kind = \"phase\"\nphase = \"Succeeded\"");
    let pod = FakePod::new().statuses(vec![
        status(Phase::Pending, vec![]),
        status(Phase::Running, vec![]),
        status(Phase::Succeeded, vec![]),
    ]);
    assert!(eval(&c, &pod).await.passed);
    let o = eval(
        &c,
        &FakePod::new().statuses(vec![status(Phase::Running, vec![])]),
    )
    .await;
    assert_eq!((o.passed, o.observed.as_str()), (false, "phase Running"));
}

#[tokio::test]
async fn hold_fails_when_the_state_changes() {
    let c = "[[check]]\nid = \"c\"\nhint = \"h\"\nkind = \"container_state\"\ncontainer = \"api\"\nstate = \"running\"\nrestart_count = 0\nwithin = \"50ms\"\nhold = \"50ms\"\n";
    let mut crashed = app("api", ContainerState::waiting("CrashLoopBackOff"));
    crashed.restart_count = 1;
    crashed.last_state = Some(terminated(1, 1, 2));
    let pod = FakePod::new().statuses(vec![
        status(Phase::Running, vec![app("api", running(1))]),
        status(Phase::Running, vec![crashed]),
    ]);
    let o = eval(c, &pod).await;
    assert!(!o.passed);
    assert!(o.observed.contains("then it changed: api is waiting (CrashLoopBackOff), last run Error with exit code 1, 1 restart"), "{}", o.observed);
    assert!(
        o.expected.contains("and to stay so for 50ms"),
        "{}",
        o.expected
    );
}

#[tokio::test]
async fn container_state_reason_exit_code_and_restarts() {
    let mut crashed = app("api", ContainerState::waiting("CrashLoopBackOff"));
    crashed.restart_count = 3;
    crashed.last_state = Some(terminated(2, 1, 2));
    let pod = FakePod::new().statuses(vec![status(Phase::Running, vec![crashed])]);
    let c = check(
        "kind = \"container_state\"\ncontainer = \"api\"\nstate = \"waiting\"\nreason = \"CrashLoopBackOff\"\nexit_code = 2\nrestart_count = { at_least = 2 }",
    );
    assert!(eval(&c, &pod).await.passed);
    let c =
        check("kind = \"container_state\"\ncontainer = \"api\"\nrestart_count = { at_most = 1 }");
    let o = eval(&c, &pod).await;
    assert!(
        !o.passed && o.expected == "container api: at most 1 restarts",
        "{}",
        o.expected
    );
    let o = eval(
        &check("kind = \"container_state\"\ncontainer = \"nope\"\nstate = \"running\""),
        &pod,
    )
    .await;
    assert_eq!(o.observed, "no container nope in the pod");
}

#[tokio::test]
async fn ready_for_a_container_or_the_pod() {
    let mut web = app("web", running(1));
    web.ready = false;
    let pod = FakePod::new().statuses(vec![status(Phase::Running, vec![web])]);
    assert!(
        eval(
            &check("kind = \"ready\"\ncontainer = \"web\"\nready = false\nhold = \"20ms\""),
            &pod
        )
        .await
        .passed
    );
    let o = eval(&check("kind = \"ready\"\nready = true"), &pod).await;
    assert_eq!(
        (o.passed, o.observed.as_str()),
        (false, "the pod is not ready")
    );
}

#[tokio::test]
async fn file_written_after_one_container_finished_and_before_another() {
    let c = check(
        "kind = \"file\"\ncontainer = \"web\"\npath = \"/work/index.html\"\n\
         written_after = \"fetch\"\nwritten_before = \"render\"",
    );
    let pod = |mtime: &str| {
        FakePod::new()
            .statuses(vec![status(
                Phase::Running,
                vec![
                    container("fetch", ContainerKind::Init, terminated(0, 1, 2)),
                    container("render", ContainerKind::Init, terminated(0, 3, 4)),
                    app("web", running(5)),
                ],
            )])
            .on_exec("web", "cat /work/index.html", vec![out(0, "page\n", "")])
            .on_exec(
                "web",
                "stat -c %y /work/index.html",
                vec![out(0, mtime, "")],
            )
    };
    // render wrote it.
    let o = eval(&c, &pod("1970-01-01 00:00:03.250000000 +0000\n")).await;
    assert!(o.passed, "{}", o.observed);
    // fetch wrote it.
    let o = eval(&c, &pod("1970-01-01 00:00:01.500000000 +0000\n")).await;
    assert!(
        !o.passed
            && o.observed
                .contains("last written 0.5 s before fetch finished"),
        "{}",
        o.observed
    );
    // web made it itself, once it ran.
    let o = eval(&c, &pod("1970-01-01 00:00:05.100000000 +0000\n")).await;
    assert!(
        !o.passed
            && o.observed
                .contains("last written 1.1 s after render finished"),
        "{}",
        o.observed
    );
    assert!(
        o.expected.contains("last written before render finished"),
        "{}",
        o.expected
    );
    // A time podlearn cannot read is no proof either way.
    let o = eval(&c, &pod("yesterday\n")).await;
    assert!(
        !o.passed && o.observed.contains("stat printed an unknown time"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn order_compares_finish_and_start_times() {
    let c = check("kind = \"order\"\nfirst = \"prepare\"\nthen = \"web\"");
    let good = FakePod::new().statuses(vec![status(
        Phase::Running,
        vec![
            container("prepare", ContainerKind::Init, terminated(0, 1, 2)),
            app("web", running(3)),
        ],
    )]);
    assert!(eval(&c, &good).await.passed);
    let raced = FakePod::new().statuses(vec![status(
        Phase::Running,
        vec![app("prepare", running(1)), app("web", running(1))],
    )]);
    let o = eval(&c, &raced).await;
    assert!(
        !o.passed
            && o.observed
                .starts_with("web started while prepare had not finished"),
        "{}",
        o.observed
    );
}

// ---- signal and delete ------------------------------------------------------------

#[tokio::test]
async fn signal_to_the_main_process_then_exit_code() {
    let c = check("kind = \"signal\"\ncontainer = \"app\"\nexit_code = 0");
    let pod = FakePod::new().statuses(vec![
        status(Phase::Running, vec![app("app", running(1))]),
        status(Phase::Succeeded, vec![app("app", terminated(0, 1, 2))]),
    ]);
    assert!(eval(&c, &pod).await.passed);
    // Sent by the runtime to the container's main process, not with `kill 1`
    // inside it (PID 1 is the sandbox's with a shared PID namespace).
    assert!(
        pod.calls().contains(&"signal app: TERM".to_string()),
        "{:?}",
        pod.calls()
    );
    assert!(!pod.calls().iter().any(|c| c.starts_with("exec")));

    let ignores =
        FakePod::new().statuses(vec![status(Phase::Running, vec![app("app", running(1))])]);
    let o = eval(&c, &ignores).await;
    assert!(
        !o.passed && o.observed.contains("the signal did not end it"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn delete_reads_the_prestop_marker_from_the_observed_volume() {
    let c = "[[check]]\nid = \"bye\"\nhint = \"h\"\nkind = \"delete\"\ngrace = \"5s\"\nwithin = \"3s\"\nobserve = { volume = \"shared\", path = \"prestop.txt\", content = { contains = \"{{token}}\" } }\n";
    let ex = exercise(c);
    let dir = tempfile::tempdir().unwrap();
    let with_dir = EvalCtx {
        observed_dir: Some(dir.path().to_path_buf()),
        ..ctx()
    };
    let pod = FakePod::new()
        .delete_takes(Duration::from_millis(30))
        .delete_writes(&dir.path().join("prestop.txt"), "bye tok-42\n");
    let o = behavior::evaluate(&ex.checks[0], &pod, &with_dir)
        .await
        .unwrap();
    assert!(o.passed, "{o:?}");
    assert_eq!(pod.deleted(), Some(Duration::from_secs(5)));

    let empty = tempfile::tempdir().unwrap();
    let without_marker = EvalCtx {
        observed_dir: Some(empty.path().to_path_buf()),
        ..ctx()
    };
    let silent = FakePod::new().delete_takes(Duration::from_millis(20));
    let o = behavior::evaluate(&ex.checks[0], &silent, &without_marker)
        .await
        .unwrap();
    assert!(
        !o.passed
            && o.observed
                .contains("prestop.txt never appeared in volume shared"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn delete_fails_a_marker_written_before_the_delete_began() {
    let c = "[[check]]\nid = \"bye\"\nhint = \"h\"\nkind = \"delete\"\ngrace = \"5s\"\nobserve = { volume = \"shared\", path = \"goodbye\", content = { contains = \"{{token}}\" }, absent_before = true }\n";
    let ex = exercise(c);
    let dir = tempfile::tempdir().unwrap();
    let with_dir = EvalCtx {
        observed_dir: Some(dir.path().to_path_buf()),
        ..ctx()
    };
    // Written on the way out: passes.
    let on_delete = FakePod::new().delete_writes(&dir.path().join("goodbye"), "tok-42\n");
    let o = behavior::evaluate(&ex.checks[0], &on_delete, &with_dir)
        .await
        .unwrap();
    assert!(o.passed, "{o:?}");
    assert!(
        o.expected.contains("not before the delete"),
        "{}",
        o.expected
    );
    // Already there when the delete starts (written at start): fails, and says why.
    let o = behavior::evaluate(&ex.checks[0], &FakePod::new(), &with_dir)
        .await
        .unwrap();
    assert!(
        !o.passed
            && o.observed
                .contains("was already there before the delete began"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn delete_fails_a_marker_written_after_the_stop_signal() {
    let c = "[[check]]\nid = \"bye\"\nhint = \"h\"\nkind = \"delete\"\ngrace = \"5s\"\nobserve = { volume = \"shared\", path = \"goodbye\", before_signal_to = \"app\" }\n";
    let ex = exercise(c);
    let eval_with = async |pod: FakePod| {
        let dir = tempfile::tempdir().unwrap();
        let with_dir = EvalCtx {
            observed_dir: Some(dir.path().to_path_buf()),
            ..ctx()
        };
        let pod = pod.delete_writes(&dir.path().join("goodbye"), "bye\n");
        behavior::evaluate(&ex.checks[0], &pod, &with_dir)
            .await
            .unwrap()
    };
    // The preStop hook wrote it, then app was signalled: passes.
    let o = eval_with(FakePod::new().delete_signals("app", 60)).await;
    assert!(o.passed, "{o:?}");
    assert!(
        o.expected.contains("before app is sent SIGTERM"),
        "{}",
        o.expected
    );
    // Written 20 ms after the signal (a SIGTERM handler): fails, and says so.
    let o = eval_with(FakePod::new().delete_signals("app", -20)).await;
    assert!(!o.passed, "{o:?}");
    assert!(
        o.observed
            .contains("s after app got SIGTERM: by a SIGTERM handler"),
        "{}",
        o.observed
    );
    // Within a clock tick of the signal, but past the hook's end: still after.
    let o = eval_with(FakePod::new().delete_signals("app", 10)).await;
    assert!(
        !o.passed && o.observed.contains("after its preStop hook had ended"),
        "{}",
        o.observed
    );
    // app was never signalled (it was not running).
    let o = eval_with(FakePod::new()).await;
    assert!(
        !o.passed && o.observed.contains("app was never sent SIGTERM"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn write_puts_a_new_value_into_a_container_and_retries_until_it_can() {
    let ex = format::parse(
        "x",
        "exercise.toml",
        "format_version = 1\ntitle = \"T\"\nlesson = \"l\"\nhints = [\"h\"]\n\
         [[inject]]\nname = \"next\"\n\
         [[check]]\nid = \"rotate\"\nhint = \"h\"\nkind = \"write\"\ncontainer = \"web\"\n\
         path = \"/www/index.html\"\ncontent = \"{{next}}\"\nwithin = \"50ms\"\n\
         [[check]]\nid = \"more\"\nhint = \"h\"\nkind = \"write\"\ncontainer = \"app\"\n\
         path = \"/var/log/app.log\"\ncontent = \"line {{next}}\"\nappend = true\n",
    )
    .unwrap();
    let ctx = EvalCtx {
        tokens: Tokens::fixed(&[("next", "pl-new")]),
        ..ctx()
    };
    let pod = FakePod::new()
        .statuses(vec![status(Phase::Running, vec![app("web", running(1))])])
        .on_exec(
            "web",
            "sh -c",
            vec![
                out(1, "", "sh: can't create /www/index.html"),
                out(0, "", ""),
            ],
        );
    let o = behavior::evaluate(&ex.checks[0], &pod, &ctx).await.unwrap();
    assert!(o.passed, "{o:?}");
    let calls = pod.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(
        calls[0].contains("> \"$1\" sh /www/index.html pl-new"),
        "{}",
        calls[0]
    );
    let appends = FakePod::new().on_exec("app", "sh -c", vec![out(0, "", "")]);
    let o = behavior::evaluate(&ex.checks[1], &appends, &ctx)
        .await
        .unwrap();
    assert!(o.passed, "{o:?}");
    assert!(appends.calls()[0].contains(">> \"$1\" sh /var/log/app.log line pl-new"));

    let refused = FakePod::new().on_exec("web", "sh -c", vec![out(1, "", "Read-only file system")]);
    let o = behavior::evaluate(&ex.checks[0], &refused, &ctx)
        .await
        .unwrap();
    assert!(
        !o.passed && o.observed.contains("Read-only file system"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn delete_that_runs_out_the_grace_period_says_so() {
    let c = "[[check]]\nid = \"bye\"\nhint = \"h\"\nkind = \"delete\"\ngrace = \"100ms\"\nwithin = \"50ms\"\n";
    let pod = FakePod::new().delete_takes(Duration::from_millis(110));
    let o = eval(c, &pod).await;
    assert!(
        !o.passed && o.observed.contains("they did not end on SIGTERM"),
        "{}",
        o.observed
    );
}

#[tokio::test]
async fn engine_failure_is_an_error_not_a_failed_check() {
    let ex = exercise(&check("kind = \"phase\"\nphase = \"Running\""));
    let pod = FakePod::new().engine_gone();
    let err = behavior::evaluate(&ex.checks[0], &pod, &ctx())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Docker daemon"));
}

// ---- static checks ------------------------------------------------------------------

fn scheck(kind_and_fields: &str) -> String {
    format!("[[check]]\nid = \"c\"\nhint = \"the hint\"\n{kind_and_fields}\n")
}

fn static_eval(checks: &str, pod: &Pod) -> CheckOutcome {
    let ex = exercise(checks);
    static_checks::evaluate(&ex.checks[0], pod, &Tokens::default()).unwrap()
}

fn with_volume(mut pod: Pod) -> Pod {
    pod.spec.volumes.push(Volume {
        name: "logs".into(),
        source: VolumeSource::EmptyDir {
            medium: String::new(),
            size_limit: None,
        },
    });
    pod.spec.containers[0].volume_mounts.push(VolumeMount {
        name: "logs".into(),
        mount_path: "/var/log/app".into(),
        read_only: false,
        sub_path: None,
    });
    pod
}

#[test]
fn containers_count_and_names() {
    let pod = fake::pod("p", &["web", "client"]);
    assert!(
        static_eval(
            &scheck("kind = \"containers\"\ncount = 2\nnames = [\"web\", \"client\"]"),
            &pod
        )
        .passed
    );
    let o = static_eval(
        &scheck("kind = \"containers\"\nlist = \"init\"\ncount = 1\nnames = [\"prepare\"]"),
        &pod,
    );
    assert_eq!(o.expected, "1 init container named prepare");
    let o = static_eval(
        &scheck("kind = \"containers\"\nnames = [\"web\", \"db\"]"),
        &pod,
    );
    assert_eq!(
        (o.passed, o.expected.as_str()),
        (false, "containers including web, db")
    );
    assert_eq!(o.observed, "2 containers: web, client");
    let o = static_eval(
        &scheck("kind = \"containers\"\nlist = \"init\"\ncount = { at_least = 1 }"),
        &pod,
    );
    assert_eq!(
        (o.passed, o.observed.as_str()),
        (false, "no init containers")
    );
    let mut sidecar = fake::spec_container("shipper");
    sidecar.restart_policy = Some(podlearn::manifest::model::RestartPolicy::Always);
    let mut pod = pod;
    pod.spec.init_containers.push(sidecar);
    assert!(
        static_eval(
            &scheck("kind = \"containers\"\nlist = \"sidecar\"\nnames = [\"shipper\"]"),
            &pod
        )
        .passed
    );
    assert!(
        static_eval(
            &scheck("kind = \"containers\"\nlist = \"init\"\ncount = 0"),
            &pod
        )
        .passed
    );
}

#[test]
fn image_of_one_or_every_container() {
    let mut pod = fake::pod("p", &["web", "client"]);
    pod.spec.containers[1].image = "nginx:1.27".into();
    assert!(
        static_eval(
            &scheck("kind = \"image\"\ncontainer = \"web\"\nimage = { equals = \"busybox\" }"),
            &pod
        )
        .passed
    );
    let o = static_eval(
        &scheck("kind = \"image\"\nimage = { regex = \"^busybox\" }"),
        &pod,
    );
    assert!(
        !o.passed && o.observed == "web: busybox, client: nginx:1.27",
        "{}",
        o.observed
    );
}

#[test]
fn volume_type_and_mounts() {
    let pod = with_volume(fake::pod("p", &["app", "shipper"]));
    assert!(
        static_eval(
            &scheck("kind = \"volume\"\ntype = \"emptyDir\"\nmounted_in = [\"app\"]"),
            &pod
        )
        .passed
    );
    let o = static_eval(
        &scheck("kind = \"volume\"\ntype = \"emptyDir\"\nmounted_in = [\"app\", \"shipper\"]"),
        &pod,
    );
    assert_eq!(o.observed, "volume \"logs\" is not mounted in shipper");
    let o = static_eval(&scheck("kind = \"volume\"\ntype = \"configMap\""), &pod);
    assert_eq!(o.observed, "volumes: logs (emptyDir)");
}

#[test]
fn field_present_absent_and_equal() {
    let mut pod = fake::pod("p", &["web"]);
    pod.spec.containers[0]
        .ports
        .push(podlearn::manifest::model::ContainerPort {
            name: None,
            container_port: 8080,
            protocol: "TCP".into(),
            host_port: None,
        });
    assert!(static_eval(&scheck("kind = \"field\"\npath = \"spec.containers[web].ports[0].containerPort\"\nequals = 8080"), &pod).passed);
    assert!(
        static_eval(
            &scheck("kind = \"field\"\npath = \"spec.shareProcessNamespace\"\nequals = false"),
            &pod
        )
        .passed
    );
    let o = static_eval(
        &scheck("kind = \"field\"\npath = \"spec.shareProcessNamespace\"\nequals = true"),
        &pod,
    );
    assert_eq!(
        (o.passed, o.observed.as_str()),
        (false, "spec.shareProcessNamespace is not set")
    );
    assert!(
        static_eval(
            &scheck("kind = \"field\"\npath = \"spec.containers[*].lifecycle\"\npresent = false"),
            &pod
        )
        .passed
    );
    assert!(
        static_eval(
            &scheck("kind = \"field\"\npath = \"spec.restartPolicy\"\nequals = \"Always\""),
            &pod
        )
        .passed
    );
    // `default`: an absent field has the API's default value.
    let fsgroup =
        "kind = \"field\"\npath = \"spec.activeDeadlineSeconds\"\nequals = 600\ndefault = 600";
    assert!(static_eval(&scheck(fsgroup), &pod).passed);
    let mut short = pod.clone();
    short.spec.active_deadline_seconds = Some(5);
    let o = static_eval(&scheck(fsgroup), &short);
    assert_eq!(
        (o.passed, o.observed.as_str()),
        (false, "spec.activeDeadlineSeconds = 5")
    );
}
