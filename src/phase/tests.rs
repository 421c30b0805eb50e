use crate::fixtures::*;
use crate::manifest::RestartPolicy::{self, Always, Never, OnFailure};
use crate::status::ContainerKind::{App, Init, Sidecar};
use crate::status::{ContainerState, ContainerStatus, Phase, PodStatus};

use super::*;

fn app(name: &str, state: ContainerState) -> ContainerStatus {
    status(name, App, state)
}
fn init(name: &str, state: ContainerState) -> ContainerStatus {
    status(name, Init, state)
}
fn side(name: &str, state: ContainerState) -> ContainerStatus {
    status(name, Sidecar, state)
}
fn restarted(mut s: ContainerStatus, last_exit: i64, count: u32) -> ContainerStatus {
    s.last_state = Some(terminated_at(last_exit, 20));
    s.restart_count = count;
    s
}
fn ready(mut s: ContainerStatus) -> ContainerStatus {
    s.ready = true;
    s
}
fn one(policy: RestartPolicy) -> crate::manifest::PodSpec {
    spec(vec![], vec![container("web")], policy)
}
fn two_init(policy: RestartPolicy) -> crate::manifest::PodSpec {
    spec(
        vec![container("a"), container("b")],
        vec![container("web")],
        policy,
    )
}

// --- pod_phase, rule by rule (POD-SEMANTICS §2) ---

#[test]
fn rule1_failed_init_with_never_fails_the_pod() {
    let s = two_init(Never);
    let i = [init("a", exited(1))];
    let a = [app("web", waiting("PodInitializing"))];
    assert_eq!(pod_phase(&s, &i, &a), Phase::Failed);
}

#[test]
fn rule1_failed_init_with_on_failure_or_always_stays_pending() {
    for policy in [OnFailure, Always] {
        let s = two_init(policy);
        let i = [restarted(init("a", waiting("CrashLoopBackOff")), 1, 2)];
        let a = [app("web", waiting("PodInitializing"))];
        assert_eq!(pod_phase(&s, &i, &a), Phase::Pending, "{policy:?}");
    }
}

#[test]
fn rule2_init_containers_running_is_pending() {
    let s = two_init(Always);
    let i = [init("a", exited(0)), init("b", running(3))];
    let a = [app("web", waiting("PodInitializing"))];
    assert_eq!(pod_phase(&s, &i, &a), Phase::Pending);
    assert_eq!(pod_phase(&s, &[], &[]), Phase::Pending);
}

#[test]
fn rule3_app_container_never_ran_is_pending() {
    let s = one(Always);
    assert_eq!(
        pod_phase(&s, &[], &[app("web", waiting("ContainerCreating"))]),
        Phase::Pending
    );
    assert_eq!(
        pod_phase(&s, &[], &[app("web", waiting("ErrImagePull"))]),
        Phase::Pending
    );
}

#[test]
fn rule4_running_container_is_running() {
    let s = spec(vec![], vec![container("web"), container("log")], Never);
    let a = [app("web", running(5)), app("log", exited(0))];
    assert_eq!(pod_phase(&s, &[], &a), Phase::Running);
}

#[test]
fn rule5_all_stopped_always_is_running() {
    let s = one(Always);
    assert_eq!(pod_phase(&s, &[], &[app("web", exited(0))]), Phase::Running);
}

#[test]
fn rule5_all_exited_zero_succeeds_with_never_and_on_failure() {
    for policy in [Never, OnFailure] {
        let s = one(policy);
        assert_eq!(
            pod_phase(&s, &[], &[app("web", exited(0))]),
            Phase::Succeeded
        );
    }
}

#[test]
fn rule5_failure_with_never_is_failed() {
    let s = spec(vec![], vec![container("a"), container("b")], Never);
    let a = [app("a", exited(0)), app("b", exited(3))];
    assert_eq!(pod_phase(&s, &[], &a), Phase::Failed);
}

#[test]
fn rule5_failure_with_on_failure_is_running() {
    let s = one(OnFailure);
    assert_eq!(pod_phase(&s, &[], &[app("web", exited(2))]), Phase::Running);
}

#[test]
fn crash_loop_keeps_the_pod_running() {
    for policy in [Always, OnFailure] {
        let s = one(policy);
        let a = [restarted(app("web", waiting("CrashLoopBackOff")), 1, 4)];
        assert_eq!(pod_phase(&s, &[], &a), Phase::Running, "{policy:?}");
    }
}

#[test]
fn sidecars_never_count_toward_completion() {
    let s = spec(vec![sidecar("log")], vec![container("job")], Never);
    let mut log = side("log", running(30));
    log.started = true;
    // While the kubelet stops the sidecar after the app ended, the pod is
    // still Running: a final phase comes once every container has stopped.
    assert_eq!(
        pod_phase(&s, &[log.clone()], &[app("job", exited(0))]),
        Phase::Running
    );
    let done = side("log", exited(0));
    assert_eq!(
        pod_phase(&s, &[done], &[app("job", exited(0))]),
        Phase::Succeeded
    );
    // A sidecar stopped by SIGTERM with exit 143 does not fail the pod.
    let stopped = side("log", exited(143));
    assert_eq!(
        pod_phase(&s, &[stopped], &[app("job", exited(0))]),
        Phase::Succeeded
    );
}

#[test]
fn sidecar_not_started_keeps_the_pod_pending() {
    let s = spec(vec![sidecar("log")], vec![container("web")], Always);
    let log = side("log", running(1)); // running, startup probe not passed
    let mut log = log;
    log.started = false;
    let a = [app("web", waiting("PodInitializing"))];
    assert_eq!(pod_phase(&s, &[log], &a), Phase::Pending);
}

#[test]
fn restarting_sidecar_does_not_send_a_running_pod_back_to_pending() {
    let s = spec(vec![sidecar("log")], vec![container("web")], Always);
    let log = restarted(side("log", waiting("CrashLoopBackOff")), 1, 1);
    let a = [app("web", running(60))];
    assert_eq!(pod_phase(&s, &[log], &a), Phase::Running);
}

#[test]
fn update_status_keeps_a_final_phase() {
    let s = one(Never);
    let mut st = pod_status(Phase::Pending, vec![], vec![app("web", exited(0))]);
    update_status(&s, &mut st);
    assert_eq!(st.phase, Phase::Succeeded);
    assert_eq!(st.conditions.len(), 5);
    // Even if a status later looks different, Succeeded stays.
    st.container_statuses[0].state = running(1);
    update_status(&s, &mut st);
    assert_eq!(st.phase, Phase::Succeeded);
}

// --- conditions ---

#[test]
fn conditions_follow_initialization_and_readiness() {
    let s = two_init(Always);
    let st = pod_status(
        Phase::Pending,
        vec![init("a", exited(0)), init("b", running(2))],
        vec![app("web", waiting("PodInitializing"))],
    );
    let c = conditions(&s, &st);
    let names: Vec<_> = c
        .iter()
        .map(|c| (c.kind.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("PodReadyToStartContainers", "True"),
            ("Initialized", "False"),
            ("Ready", "False"),
            ("ContainersReady", "False"),
            ("PodScheduled", "True"),
        ]
    );
    assert_eq!(c[1].reason.as_deref(), Some("ContainersNotInitialized"));
    assert_eq!(c[2].reason.as_deref(), Some("ContainersNotReady"));

    let st = pod_status(
        Phase::Running,
        vec![init("a", exited(0)), init("b", exited(0))],
        vec![ready(app("web", running(2)))],
    );
    assert!(conditions(&s, &st).iter().all(|c| c.status == "True"));
}

#[test]
fn conditions_need_sidecars_ready_and_say_pod_completed_when_done() {
    let s = spec(vec![sidecar("log")], vec![container("web")], Never);
    let mut log = side("log", running(5));
    log.started = true;
    let st = pod_status(
        Phase::Running,
        vec![log],
        vec![ready(app("web", running(2)))],
    );
    assert_eq!(conditions(&s, &st)[2].status, "False");

    let st = pod_status(Phase::Succeeded, vec![], vec![app("web", exited(0))]);
    let c = conditions(&s, &st);
    assert_eq!(c[2].reason.as_deref(), Some("PodCompleted"));
    assert_eq!(c[1].status, "True");
}

// --- STATUS column (kubectl printPod) ---

fn with_conditions(spec: &crate::manifest::PodSpec, mut st: PodStatus) -> PodStatus {
    st.conditions = conditions(spec, &st);
    st
}

#[test]
fn status_init_progress_counts_sidecars_in_n() {
    let s = spec(
        vec![container("a"), sidecar("log"), container("b")],
        vec![container("web")],
        Always,
    );
    let st = pod_status(
        Phase::Pending,
        vec![init("a", running(1))],
        vec![app("web", waiting("PodInitializing"))],
    );
    assert_eq!(status_column(&s, &st, false), "Init:0/3");
    let mut log = ready(side("log", running(1)));
    log.started = true;
    let st = pod_status(
        Phase::Pending,
        vec![
            init("a", exited(0)),
            log,
            init("b", waiting("PodInitializing")),
        ],
        vec![app("web", waiting("PodInitializing"))],
    );
    assert_eq!(status_column(&s, &st, false), "Init:2/3");
    // The started, ready sidecar already counts in READY; total includes it.
    assert_eq!(ready_column(&s, &st), "1/2");
}

#[test]
fn status_init_error_and_crash_loop() {
    let s = two_init(Never);
    let st = pod_status(Phase::Failed, vec![init("a", exited(1))], vec![]);
    assert_eq!(status_column(&s, &st, false), "Init:Error");
    let s = two_init(Always);
    let st = pod_status(
        Phase::Pending,
        vec![restarted(init("a", waiting("CrashLoopBackOff")), 1, 3)],
        vec![],
    );
    assert_eq!(status_column(&s, &st, false), "Init:CrashLoopBackOff");
}

#[test]
fn status_init_without_reason_shows_exit_code_or_signal() {
    let s = two_init(Never);
    let mut st = pod_status(Phase::Failed, vec![init("a", exited(3))], vec![]);
    if let ContainerState::Terminated { reason, .. } = &mut st.init_container_statuses[0].state {
        reason.clear();
    }
    assert_eq!(status_column(&s, &st, false), "Init:ExitCode:3");
}

#[test]
fn status_pod_initializing_and_container_creating() {
    let s = two_init(Always);
    let st = with_conditions(
        &s,
        pod_status(
            Phase::Pending,
            vec![init("a", exited(0)), init("b", exited(0))],
            vec![app("web", waiting("PodInitializing"))],
        ),
    );
    assert_eq!(status_column(&s, &st, false), "PodInitializing");
    let s = one(Always);
    let st = pod_status(
        Phase::Pending,
        vec![],
        vec![app("web", waiting("ContainerCreating"))],
    );
    assert_eq!(status_column(&s, &st, false), "ContainerCreating");
}

#[test]
fn status_shows_the_waiting_or_terminated_reason() {
    let s = one(Always);
    for reason in [
        "CrashLoopBackOff",
        "ErrImagePull",
        "ImagePullBackOff",
        "CreateContainerConfigError",
    ] {
        let st = pod_status(Phase::Running, vec![], vec![app("web", waiting(reason))]);
        assert_eq!(status_column(&s, &st, false), reason);
    }
    let s = one(Never);
    let st = pod_status(Phase::Succeeded, vec![], vec![app("web", exited(0))]);
    assert_eq!(status_column(&s, &st, false), "Completed");
    let st = pod_status(Phase::Failed, vec![], vec![app("web", exited(1))]);
    assert_eq!(status_column(&s, &st, false), "Error");
    let mut oom = app("web", exited(137));
    if let ContainerState::Terminated { reason, .. } = &mut oom.state {
        *reason = "OOMKilled".into();
    }
    let st = pod_status(Phase::Failed, vec![], vec![oom]);
    assert_eq!(status_column(&s, &st, false), "OOMKilled");
}

#[test]
fn status_first_container_reason_wins() {
    let s = spec(vec![], vec![container("a"), container("b")], Always);
    let st = pod_status(
        Phase::Running,
        vec![],
        vec![
            app("a", waiting("CrashLoopBackOff")),
            app("b", waiting("ErrImagePull")),
        ],
    );
    assert_eq!(status_column(&s, &st, false), "CrashLoopBackOff");
}

#[test]
fn status_running_and_not_ready_beside_a_completed_container() {
    let s = spec(vec![], vec![container("a"), container("b")], Never);
    let st = with_conditions(
        &s,
        pod_status(
            Phase::Running,
            vec![],
            vec![app("a", exited(0)), ready(app("b", running(3)))],
        ),
    );
    assert_eq!(status_column(&s, &st, false), "NotReady");
    let st = pod_status(Phase::Running, vec![], vec![ready(app("a", running(3)))]);
    assert_eq!(status_column(&one(Never), &st, false), "Running");
    let mut st = pod_status(
        Phase::Running,
        vec![],
        vec![app("a", exited(0)), ready(app("b", running(3)))],
    );
    st.conditions = vec![crate::status::Condition {
        kind: "Ready".into(),
        status: "True".into(),
        reason: None,
    }];
    assert_eq!(status_column(&s, &st, false), "Running");
}

#[test]
fn status_terminating_unless_final() {
    let s = one(Always);
    let st = pod_status(Phase::Running, vec![], vec![ready(app("web", running(3)))]);
    assert_eq!(status_column(&s, &st, true), "Terminating");
    let st = pod_status(Phase::Succeeded, vec![], vec![app("web", exited(0))]);
    assert_eq!(status_column(&s, &st, true), "Completed");
}

#[test]
fn status_pod_reason_overrides_phase() {
    let s = one(Never);
    let mut st = pod_status(Phase::Failed, vec![], vec![]);
    st.reason = Some("DeadlineExceeded".into());
    assert_eq!(status_column(&s, &st, false), "DeadlineExceeded");
}

// --- READY, RESTARTS, AGE ---

#[test]
fn ready_counts_ready_running_app_containers() {
    let s = spec(vec![], vec![container("a"), container("b")], Always);
    let st = pod_status(
        Phase::Running,
        vec![],
        vec![ready(app("a", running(3))), app("b", running(3))],
    );
    assert_eq!(ready_column(&s, &st), "1/2");
}

#[test]
fn restarts_sum_with_time_since_last() {
    let st = pod_status(
        Phase::Running,
        vec![],
        vec![
            restarted(app("a", running(3)), 1, 2),
            restarted(app("b", running(3)), 1, 1),
        ],
    );
    assert_eq!(restarts_column(&st, now()), "3 (20s ago)");
    let st = pod_status(Phase::Running, vec![], vec![app("a", running(3))]);
    assert_eq!(restarts_column(&st, now()), "0");
}

#[test]
fn restarts_while_initializing_count_init_containers() {
    let st = pod_status(
        Phase::Pending,
        vec![restarted(init("a", waiting("CrashLoopBackOff")), 1, 4)],
        vec![app("web", waiting("PodInitializing"))],
    );
    assert_eq!(restarts_column(&st, now()), "4 (20s ago)");
}

#[test]
fn age_is_kubectl_human_duration() {
    let cases = [
        (0, "0s"),
        (5, "5s"),
        (119, "119s"),
        (123, "2m3s"),
        (300, "5m"),
        (45 * 60, "45m"),
        (179 * 60, "179m"),
        (3 * 3600 + 600, "3h10m"),
        (4 * 3600, "4h"),
        (10 * 3600, "10h"),
        (2 * 86400, "2d"),
        (2 * 86400 + 5 * 3600, "2d5h"),
        (30 * 86400, "30d"),
        (3 * 365 * 86400 + 86400 * 3, "3y3d"),
        (9 * 365 * 86400, "9y"),
    ];
    for (secs, want) in cases {
        assert_eq!(age(ago(secs), now()), want, "{secs}s");
    }
    assert_eq!(age(now() + std::time::Duration::from_secs(1), now()), "0s");
    assert_eq!(
        age(now() + std::time::Duration::from_secs(10), now()),
        "<invalid>"
    );
}

#[test]
fn an_ended_pod_shows_a_backed_off_container_as_its_last_run() {
    let waiting = restarted(
        app("web", ContainerState::waiting("CrashLoopBackOff")),
        3,
        2,
    );
    let mut st = pod_status(Phase::Running, vec![], vec![waiting.clone()]);
    end_back_offs(&mut st);
    assert_eq!(
        st.container_statuses[0], waiting,
        "a running Pod restarts it"
    );

    st.phase = Phase::Failed;
    end_back_offs(&mut st);
    let c = &st.container_statuses[0];
    assert_eq!(c.state, terminated_at(3, 20));
    assert_eq!(c.last_state, None);
    assert_eq!(c.restart_count, 2);
}
