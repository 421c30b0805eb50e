//! The exercise format: the built-in course parses, and every kind of author
//! mistake is an error naming the file, the line and what to write.

use podlearn::check::CheckSpec;
use podlearn::content::ContentSource;
use podlearn::exercise::{Catalog, format};

const HEAD: &str = r#"format_version = 1
title = "T"
lesson = "multi-container"
hints = ["h1", "h2"]
"#;

const CHECK: &str = r#"
[[check]]
id = "two"
kind = "containers"
count = 2
hint = "two containers"
"#;

fn parse(body: &str) -> Result<podlearn::exercise::Exercise, format::FormatError> {
    format::parse("x", "exercises/x/exercise.toml", &format!("{HEAD}{body}"))
}

fn error(body: &str) -> format::FormatError {
    parse(body).expect_err("must not parse")
}

#[test]
fn builtin_course_exercises_each_have_two_wrong_answers_and_a_run_time_value() {
    let catalog = Catalog::load(&ContentSource::BuiltIn).unwrap();
    let ids: Vec<&str> = catalog.exercises.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "first-pod",
            "fix-the-manifest",
            "localhost-pair",
            "port-conflict",
            "log-sidecar",
            "content-sync",
            "log-adapter",
            "init-data",
            "two-step-init",
            "sidecar-starts-first",
            "job-with-sidecar",
            "run-to-completion",
            "graceful-shutdown",
            "retry-on-failure",
            "liveness-restart",
            "readiness-warmup",
            "slow-start",
            "signal-across",
            "shared-hostname",
            "shared-memory",
            "service-dns",
            "downward-env",
            "config-and-secret",
            "deployment-three",
            "job-completions"
        ]
    );
    for ex in &catalog.exercises {
        assert!(
            ex.wrong.len() >= 2,
            "{} has {} wrong answers",
            ex.id,
            ex.wrong.len()
        );
        assert!(!ex.task.is_empty() && !ex.starter.is_empty() && !ex.solution.is_empty());
        for w in &ex.wrong {
            assert!(
                !w.manifest.is_empty(),
                "{}: wrong/{} is empty",
                ex.id,
                w.file
            );
        }
        // Anti-faking: every exercise injects a run-time value that a check expects.
        assert!(!ex.inject.is_empty(), "{} injects nothing", ex.id);
    }
}

#[test]
fn a_minimal_exercise_parses() {
    let ex = parse(CHECK).unwrap();
    assert_eq!(ex.checks.len(), 1);
    assert!(matches!(ex.checks[0].spec, CheckSpec::Containers { .. }));
    assert_eq!(ex.checks[0].hint, "two containers");
}

#[test]
fn unknown_top_level_key_names_its_line() {
    let e = error(&format!("titel = \"oops\"\n{CHECK}"));
    assert_eq!(e.line, 5, "{e}");
    assert!(e.message.contains("unknown field `titel`"), "{e}");
    assert!(
        e.to_string().starts_with("exercises/x/exercise.toml:5:"),
        "{e}"
    );
}

#[test]
fn unknown_key_in_a_check_names_the_check_and_its_line() {
    let e = error(&format!("{CHECK}contians = \"x\"\n"));
    assert!(e.message.contains("check \"two\""), "{e}");
    assert!(e.message.contains("contians"), "{e}");
    assert_eq!(e.line, 6, "{e}");
}

#[test]
fn unknown_check_kind_lists_the_kinds() {
    let e = error("[[check]]\nid = \"a\"\nkind = \"telepathy\"\nhint = \"h\"\n");
    assert!(e.message.contains("telepathy"), "{e}");
    assert!(e.message.contains("container_state"), "{e}");
}

#[test]
fn missing_id_hint_or_kind_is_explained() {
    assert!(
        error("[[check]]\nkind = \"phase\"\nphase = \"Running\"\nhint = \"h\"\n")
            .message
            .contains("needs `id")
    );
    assert!(
        error("[[check]]\nid = \"a\"\nkind = \"phase\"\nphase = \"Running\"\n")
            .message
            .contains("needs `hint")
    );
    assert!(
        error("[[check]]\nid = \"a\"\nhint = \"h\"\n")
            .message
            .contains("needs `kind")
    );
}

#[test]
fn bad_duration_says_how_to_write_one() {
    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"phase\"\nphase = \"Running\"\nwithin = \"soon\"\nhint = \"h\"\n",
    );
    assert!(e.message.contains("\"5s\""), "{e}");
}

#[test]
fn phase_must_be_a_phase() {
    let e = error("[[check]]\nid = \"a\"\nkind = \"phase\"\nphase = \"Done\"\nhint = \"h\"\n");
    assert!(
        e.message.contains("Pending, Running, Succeeded or Failed"),
        "{e}"
    );
}

#[test]
fn empty_text_match_and_bad_regex_are_rejected() {
    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"logs\"\ncontainer = \"c\"\noutput = {}\nhint = \"h\"\n",
    );
    assert!(e.message.contains("at least one of"), "{e}");
    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"logs\"\ncontainer = \"c\"\noutput = { regex = \"(\" }\nhint = \"h\"\n",
    );
    assert!(e.message.contains("does not compile"), "{e}");
}

#[test]
fn duplicate_check_ids_are_rejected() {
    let e = error(&format!("{CHECK}{CHECK}"));
    assert!(e.message.contains("two checks have the id \"two\""), "{e}");
}

#[test]
fn needs_names_checks_above() {
    let later = "[[check]]\nid = \"b\"\nkind = \"containers\"\ncount = 1\nhint = \"h\"\nneeds = [\"two\"]\n";
    assert!(format::parse("x", "exercise.toml", &format!("{HEAD}{CHECK}{later}")).is_ok());
    let e = error(&format!("{later}{CHECK}"));
    assert!(
        e.message
            .contains("`needs` names \"two\", which is not a check above it"),
        "{e}"
    );
    let e = error(&format!("{CHECK}{}", later.replace("[\"two\"]", "[2]")));
    assert!(e.message.contains("`needs` lists check ids"), "{e}");
}

#[test]
fn wrong_answer_must_name_an_existing_check() {
    let e = error(&format!(
        "{CHECK}\n[[wrong]]\nfile = \"w.yaml\"\nfails = \"three\"\nmessage = \"m\"\n"
    ));
    assert!(
        e.message.contains("names no check (the checks are: two)"),
        "{e}"
    );
}

#[test]
fn tokens_must_name_an_injection() {
    let body = "[[check]]\nid = \"a\"\nkind = \"logs\"\ncontainer = \"c\"\noutput = { contains = \"{{secret}}\" }\nhint = \"h\"\n";
    let e = error(body);
    assert!(e.message.contains("{{secret}} names no [[inject]]"), "{e}");
    assert_eq!(e.line, 9);
    let ok = format!("[[inject]]\nname = \"secret\"\nenv = \"S\"\n{body}");
    assert_eq!(parse(&ok).unwrap().inject[0].env.as_deref(), Some("S"));
}

#[test]
fn a_token_left_open_is_reported_where_it_starts() {
    let body = "[[check]]\nid = \"a\"\nkind = \"logs\"\ncontainer = \"c\"\noutput = { contains = \"{{secret\" }\nhint = \"h\"\n";
    let e = error(&format!(
        "[[inject]]\nname = \"secret\"\nenv = \"S\"\n{body}"
    ));
    assert!(e.message.contains("this {{ is never closed"), "{e}");
    assert_eq!(e.line, 12);
}

#[test]
fn the_pod_name_token_is_built_in_for_one_pod_only() {
    let body = "[[check]]\nid = \"a\"\nkind = \"logs\"\ncontainer = \"c\"\noutput = { regex = \"^I am {{pod_name}}$\" }\nhint = \"h\"\n";
    assert!(!parse(body).unwrap().is_multi());
    let e = error(&format!(
        "[[inject]]\nname = \"pod_name\"\nenv = \"P\"\n{body}"
    ));
    assert!(e.message.contains("is podlearn's own"), "{e}");
    let e = error(&body.replace("container = ", "pod = \"deployment/web\"\ncontainer = "));
    assert!(
        e.message.contains("known only in an exercise of one Pod"),
        "{e}"
    );
}

#[test]
fn injection_needs_a_target() {
    let e = error(&format!("[[inject]]\nname = \"t\"\n{CHECK}"));
    assert!(e.message.contains("needs `env"), "{e}");
    let e = error(&format!("[[inject]]\nname = \"t\"\nfile = \"/x\"\n{CHECK}"));
    assert!(e.message.contains("needs `container"), "{e}");
    // A value a `write` check delivers needs no other place.
    let write = "[[check]]\nid = \"w\"\nkind = \"write\"\ncontainer = \"web\"\npath = \"/www/index.html\"\ncontent = \"{{t}}\"\nhint = \"h\"\n";
    let ex = parse(&format!("[[inject]]\nname = \"t\"\n{write}")).unwrap();
    assert_eq!(ex.checks[0].spec.kind(), "write");
    let e = error(&format!(
        "[[inject]]\nname = \"t\"\n{}",
        write.replace("/www/index.html", "www/index.html")
    ));
    assert!(e.message.contains("must be absolute"), "{e}");
}

#[test]
fn a_label_injection_needs_a_label_key() {
    let ex = parse(&format!(
        "[[inject]]\nname = \"run\"\nlabel = \"podlearn.io/run\"\n{CHECK}"
    ))
    .unwrap();
    assert_eq!(ex.inject[0].label.as_deref(), Some("podlearn.io/run"));
    let e = error(&format!(
        "[[inject]]\nname = \"run\"\nlabel = \"not a key\"\n{CHECK}"
    ));
    assert!(e.message.contains("is not a label key"), "{e}");
    assert_eq!(e.line, 5);
}

#[test]
fn field_default_needs_equals_and_max_active_needs_a_pod() {
    let e = error(
        "[[check]]\nid = \"f\"\nkind = \"field\"\npath = \"spec.x\"\ndefault = 1\nhint = \"h\"\n",
    );
    assert!(e.message.contains("give `equals` too"), "{e}");
    let e = error(
        "[[check]]\nid = \"j\"\nkind = \"job\"\njob = \"b\"\ncomplete = true\nmax_active = 0\nhint = \"h\"\n",
    );
    assert!(e.message.contains("write 1 for one at a time"), "{e}");
}

#[test]
fn delete_must_be_the_last_check() {
    let body = format!(
        "[[check]]\nid = \"bye\"\nkind = \"delete\"\ngrace = \"5s\"\nhint = \"h\"\n{CHECK}"
    );
    assert!(error(&body).message.contains("must be the last check"));
}

#[test]
fn other_format_versions_are_refused() {
    let text = HEAD.replace("format_version = 1", "format_version = 2") + CHECK;
    let e = format::parse("x", "f.toml", &text).unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("write format_version = 1"), "{e}");
}

#[test]
fn a_course_folder_is_read_the_same_way_and_missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let ex = dir.path().join("exercises/mine");
    std::fs::create_dir_all(ex.join("wrong")).unwrap();
    std::fs::write(ex.join("exercise.toml"), format!("{HEAD}{CHECK}")).unwrap();
    std::fs::write(ex.join("task.md"), "Do it").unwrap();
    std::fs::write(ex.join("starter.yaml"), "kind: Pod").unwrap();
    let source = ContentSource::Dir(dir.path().to_path_buf());
    let err = Catalog::load(&source).unwrap_err().to_string();
    assert!(
        err.contains("solution.yaml") && err.contains("missing"),
        "{err}"
    );
    std::fs::write(ex.join("solution.yaml"), "kind: Pod").unwrap();
    let catalog = Catalog::load(&source).unwrap();
    assert_eq!(catalog.get("mine").unwrap().task, "Do it");
    let unknown = catalog.get("mien").unwrap_err().to_string();
    assert!(unknown.contains("Did you mean \"mine\"?"), "{unknown}");
}

#[test]
fn pod_targets_and_cluster_checks_parse_and_their_mistakes_are_named() {
    let ok = parse(
        "[[inject]]\nname = \"r\"\nenv = \"R\"\npod = \"deployment/web\"\n\
         [[check]]\nid = \"ready\"\nkind = \"replicas\"\ndeployment = \"web\"\nready = 3\nhint = \"h\"\n\
         [[check]]\nid = \"serves\"\nkind = \"http\"\npod = \"deployment/web\"\ncontainer = \"web\"\nurl = \"http://localhost/\"\nbody = { contains = \"{{r}}\" }\nhint = \"h\"\n\
         [[check]]\nid = \"back\"\nkind = \"delete_pod\"\npod = \"deployment/web\"\nthen_ready = 3\nhint = \"h\"\n",
    )
    .unwrap();
    assert!(ok.is_multi());
    assert_eq!(ok.checks[1].pod.as_deref(), Some("deployment/web"));
    assert!(matches!(
        ok.checks[2].spec,
        CheckSpec::DeletePod { then_ready: 3, .. }
    ));
    assert_eq!(ok.inject[0].pod.as_deref(), Some("deployment/web"));

    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"logs\"\npod = \"statefulset/db\"\ncontainer = \"c\"\noutput = { contains = \"x\" }\nhint = \"h\"\n",
    );
    assert!(
        e.message
            .contains("deployment/NAME, replicaset/NAME or job/NAME"),
        "{e}"
    );
    assert_eq!(e.line, 5);
    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"delete_pod\"\npod = \"web\"\nthen_ready = 1\nhint = \"h\"\n",
    );
    assert!(
        e.message.contains("needs `pod = \"deployment/NAME\"`"),
        "{e}"
    );
    let e = error("[[check]]\nid = \"a\"\nkind = \"job\"\njob = \"pi\"\nhint = \"h\"\n");
    assert!(
        e.message
            .contains("at least one of `succeeded`, `failed`, `complete`"),
        "{e}"
    );
    let e = error(
        "[[check]]\nid = \"a\"\nkind = \"endpoints\"\npod = \"web\"\nservice = \"s\"\ncount = 1\nhint = \"h\"\n",
    );
    assert!(e.message.contains("does not take it"), "{e}");
    let e = error(
        "[[inject]]\nname = \"r\"\nenv = \"R\"\npod = \"cronjob/x\"\n{CHECK}"
            .replace("{CHECK}", CHECK)
            .as_str(),
    );
    assert!(e.message.contains("pod = \"cronjob/x\""), "{e}");
    assert!(!parse(CHECK).unwrap().is_multi());
}
