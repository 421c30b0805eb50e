//! The grading flow against the fake engine: what is injected into the pod,
//! that teardown always happens, and how the report comes out.

use std::time::Duration;

use podlearn::exercise::{Exercise, format};
use podlearn::grade::fake::{self, FakeLauncher, FakePod, container, out, running, status};
use podlearn::grade::{GradeOptions, Tokens, grade};
use podlearn::manifest::model::{Volume, VolumeSource};
use podlearn::status::{ContainerKind, Phase};

fn exercise(body: &str) -> Exercise {
    let text =
        format!("format_version = 1\ntitle = \"T\"\nlesson = \"l\"\nhints = [\"h\"]\n{body}");
    format::parse("x", "exercise.toml", &text).unwrap()
}

fn opts() -> GradeOptions {
    GradeOptions {
        poll: Duration::from_millis(1),
        exec_timeout: Duration::from_secs(1),
        time_scale: 1.0,
        handle_ctrl_c: false,
        tokens: Some(Tokens::fixed(&[("token", "tok-7")])),
        allow_host_access: false,
        observe_root: std::env::temp_dir().join("podlearn-grading-flow-tests"),
    }
}

const LOGS_CHECK: &str = r#"
[[inject]]
name = "token"
env = "MESSAGE"
containers = ["web"]

[[check]]
id = "two"
kind = "containers"
count = 2
hint = "two"

[[check]]
id = "client-prints"
kind = "logs"
container = "client"
output = { contains = "{{token}}" }
within = "50ms"
hint = "print it"
"#;

#[tokio::test]
async fn env_token_goes_only_where_asked_and_the_pod_gets_a_unique_name() {
    let ex = exercise(LOGS_CHECK);
    let pod = fake::pod("pair", &["web", "client"]);
    let launcher = FakeLauncher {
        pod: FakePod::new().logs("client", false, "tok-7\n"),
        ..Default::default()
    };
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    assert!(report.passed, "{report:?}");
    let launched = launcher.launched.borrow()[0].clone();
    assert!(launched.metadata.name.starts_with("pair-") && launched.metadata.name != "pair");
    assert_eq!(launched.spec.hostname.as_deref(), Some("pair"));
    let web = &launched.spec.containers[0];
    assert_eq!(web.env[0].name, "MESSAGE");
    assert_eq!(web.env[0].value.as_deref(), Some("tok-7"));
    assert!(launched.spec.containers[1].env.is_empty());
    assert_eq!(
        launcher.pod.deleted(),
        Some(Duration::ZERO),
        "teardown must run"
    );
    let ids: Vec<&str> = report.outcomes.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["two", "client-prints"]);
}

/// A check that builds on a failed one sends the learner there; one whose
/// earlier step passed keeps its own hint.
#[tokio::test]
async fn a_failure_that_follows_from_an_earlier_one_points_to_it() {
    let needs = format!(
        "{LOGS_CHECK}\n[[check]]\nid = \"then\"\nkind = \"logs\"\ncontainer = \"client\"\noutput = {{ contains = \"later\" }}\nwithin = \"50ms\"\nhint = \"its own hint\"\nneeds = [\"client-prints\"]\n"
    );
    let ex = exercise(&needs);
    let pod = fake::pod("pair", &["web", "client"]);
    let launcher = FakeLauncher {
        pod: FakePod::new().logs("client", false, "nothing yet"),
        ..Default::default()
    };
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    let then = &report.outcomes[2];
    assert!(!report.outcomes[1].passed && !then.passed);
    assert_eq!(
        then.hint.as_deref(),
        Some(
            "This follows from `client-prints` failing above: this check builds on it. Fix that first."
        )
    );

    let launcher = FakeLauncher {
        pod: FakePod::new().logs("client", false, "tok-7"),
        ..Default::default()
    };
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    assert!(report.outcomes[1].passed);
    assert_eq!(report.outcomes[2].hint.as_deref(), Some("its own hint"));
}

#[tokio::test]
async fn a_check_on_a_missing_container_fails_at_once_with_the_names() {
    let ex = exercise(LOGS_CHECK);
    let pod = fake::pod("pair", &["web"]);
    let launcher = FakeLauncher::default();
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    let o = &report.outcomes[1];
    assert!(!o.passed);
    assert_eq!(
        o.observed,
        "your pod has no container \"client\" (it has web)"
    );
    assert_eq!(o.hint.as_deref(), Some("print it"));
    assert!(!launcher.pod.calls().iter().any(|c| c.starts_with("logs")));
}

#[tokio::test]
async fn engine_failure_mid_check_still_tears_down_and_is_an_error() {
    let ex = exercise(LOGS_CHECK);
    let pod = fake::pod("pair", &["web", "client"]);
    let launcher = FakeLauncher {
        pod: FakePod::new().engine_gone(),
        ..Default::default()
    };
    let err = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("Docker daemon"), "{err:#}");
    assert!(launcher.pod.calls().contains(&"delete 0s".to_string()));
}

#[tokio::test]
async fn file_tokens_are_written_before_the_checks_run() {
    let ex = exercise(
        r#"
[[inject]]
name = "token"
file = "/shared/token"
container = "writer"

[[check]]
id = "reader-sees-it"
kind = "file"
container = "reader"
path = "/shared/copy"
content = { equals = "{{token}}" }
within = "50ms"
hint = "copy it"
"#,
    );
    let pod = fake::pod("p", &["writer", "reader"]);
    let launcher = FakeLauncher {
        pod: FakePod::new()
            .on_exec("writer", "sh -c", vec![out(0, "", "")])
            .on_exec("reader", "cat /shared/copy", vec![out(0, "tok-7\n", "")]),
        ..Default::default()
    };
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    assert!(report.passed, "{report:?}");
    let calls = launcher.pod.calls();
    assert!(
        calls[0].starts_with("exec writer: sh -c") && calls[0].ends_with("/shared/token tok-7"),
        "{calls:?}"
    );
}

#[tokio::test]
async fn an_observed_volume_is_backed_by_a_host_folder_removed_afterwards() {
    let ex = exercise(
        r#"
[[inject]]
name = "token"
env = "T"

[[check]]
id = "prestop-ran"
kind = "delete"
grace = "2s"
observe = { volume = "shared", path = "bye", content = { contains = "{{token}}" } }
hint = "write it in preStop"
"#,
    );
    let mut pod = fake::pod("p", &["app"]);
    pod.spec.volumes.push(Volume {
        name: "shared".into(),
        source: VolumeSource::EmptyDir {
            medium: String::new(),
            size_limit: None,
        },
    });
    let launcher = FakeLauncher::default();
    let report = grade(&ex, &pod, &[], &launcher, &opts(), &mut |_| {})
        .await
        .unwrap();
    let launched = launcher.launched.borrow()[0].clone();
    let VolumeSource::HostPath { path, .. } = &launched.spec.volumes[0].source else {
        panic!("not a hostPath: {:?}", launched.spec.volumes[0]);
    };
    assert!(
        path.contains("podlearn-grading-flow-tests/grade-"),
        "{path}"
    );
    assert!(
        !std::path::Path::new(path).exists(),
        "the host folder must be removed"
    );
    // Nothing wrote the marker: the check says so.
    assert!(!report.passed);
    assert!(
        report.outcomes[0]
            .observed
            .contains("bye never appeared in volume shared")
    );
}

#[tokio::test]
async fn static_only_exercises_start_nothing() {
    let ex = exercise("[[check]]\nid = \"one\"\nkind = \"containers\"\ncount = 1\nhint = \"h\"\n");
    let launcher = FakeLauncher::default();
    let mut said = Vec::new();
    let report = grade(
        &ex,
        &fake::pod("p", &["a"]),
        &[],
        &launcher,
        &opts(),
        &mut |m| said.push(m.to_string()),
    )
    .await
    .unwrap();
    assert!(report.passed);
    assert!(launcher.launched.borrow().is_empty() && said.is_empty());
}

#[tokio::test]
async fn progress_names_the_pod_and_each_check() {
    let ex = exercise(LOGS_CHECK);
    let launcher = FakeLauncher {
        pod: FakePod::new()
            .statuses(vec![status(
                Phase::Running,
                vec![container("client", ContainerKind::App, running(1))],
            )])
            .logs("client", false, "tok-7"),
        ..Default::default()
    };
    let mut said = Vec::new();
    grade(
        &ex,
        &fake::pod("pair", &["web", "client"]),
        &[],
        &launcher,
        &opts(),
        &mut |m| said.push(m.to_string()),
    )
    .await
    .unwrap();
    assert!(said[0].starts_with("starting pod pair-"), "{said:?}");
    assert_eq!(said[1], "checking client-prints");
}
