//! `podlearn validate` over the fixture corpus: the rendered text of every
//! fixture is compared with its `.out` file (run with `PODLEARN_BLESS=1` to
//! rewrite them after a deliberate change), and the command's exit codes,
//! standard input and JSON output are checked through the binary.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use podlearn::manifest;
use podlearn::term::Style;

const FIXTURES: &str = "tests/fixtures/manifests";

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(Path::new(FIXTURES).join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "out"))
        .collect();
    files.sort();
    files
}

fn render(path: &Path) -> (manifest::Loaded, String) {
    let name = path.strip_prefix(FIXTURES).unwrap().display().to_string();
    let loaded = manifest::load_bytes(&name, &fs::read(path).unwrap());
    let mut out = Vec::new();
    manifest::render_text(&loaded, Style::PLAIN, &mut out).unwrap();
    (loaded, String::from_utf8(out).unwrap())
}

fn compare(path: &Path, text: &str) -> Option<String> {
    let expected_path = path.with_extension(format!(
        "{}.out",
        path.extension().unwrap().to_str().unwrap()
    ));
    if std::env::var_os("PODLEARN_BLESS").is_some() {
        fs::write(&expected_path, text).unwrap();
        return None;
    }
    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
    (expected != text).then(|| {
        format!(
            "{}: output differs\n--- expected\n{expected}\n--- actual\n{text}",
            path.display()
        )
    })
}

#[test]
fn valid_fixtures_are_valid_and_render_as_recorded() {
    let mut failures = Vec::new();
    for path in fixtures("valid") {
        let (loaded, text) = render(&path);
        assert!(!loaded.has_errors(), "{}:\n{text}", path.display());
        assert!(!loaded.objects.is_empty(), "{}", path.display());
        failures.extend(compare(&path, &text));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_fixtures_have_errors_and_render_as_recorded() {
    let mut failures = Vec::new();
    for path in fixtures("invalid") {
        let (loaded, text) = render(&path);
        let name = path.file_name().unwrap().to_str().unwrap();
        // safety findings are warnings in `validate`; `run` refuses them
        if name.starts_with("safety") || name.starts_with("missing-refs") {
            assert!(
                loaded
                    .findings
                    .iter()
                    .any(|f| f.severity == manifest::Severity::Warning),
                "{name}"
            );
        } else {
            assert!(loaded.has_errors(), "{name}:\n{text}");
        }
        failures.extend(compare(&path, &text));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn podlearn() -> Command {
    let mut cmd = Command::cargo_bin("podlearn").unwrap();
    cmd.arg("--color").arg("never");
    cmd
}

#[test]
fn exit_codes_follow_the_contract() {
    podlearn()
        .args(["validate", "tests/fixtures/manifests/valid/block-pod.yaml"])
        .assert()
        .code(0);
    podlearn()
        .args(["validate", "tests/fixtures/manifests/invalid/typos.yaml"])
        .assert()
        .code(1);
    // warnings alone still pass
    podlearn()
        .args([
            "validate",
            "tests/fixtures/manifests/invalid/missing-refs.yaml",
        ])
        .assert()
        .code(0);
    podlearn()
        .args(["validate", "tests/fixtures/manifests/no-such-file.yaml"])
        .assert()
        .code(2);
}

#[test]
fn reads_standard_input() {
    let out = podlearn()
        .args(["validate", "-"])
        .write_stdin("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {contianers: []}\n")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("-:4:8: error: unknown field \"contianers\""),
        "{out}"
    );
    assert!(out.contains("= help: did you mean `containers`?"), "{out}");
}

#[test]
fn files_given_together_resolve_references() {
    let dir = tempfile::tempdir().unwrap();
    let cm = dir.path().join("cm.yaml");
    fs::write(
        &cm,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {level: debug}\n",
    )
    .unwrap();
    let secret = dir.path().join("secret.yaml");
    fs::write(
        &secret,
        "apiVersion: v1\nkind: Secret\nmetadata: {name: creds}\nstringData: {a: b}\n",
    )
    .unwrap();
    let out = podlearn()
        .arg("validate")
        .arg("tests/fixtures/manifests/invalid/missing-refs.yaml")
        .arg(&cm)
        .arg(&secret)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("valid: Pod refs, ConfigMap settings, Secret creds (0 errors, 0 warnings)"),
        "{out}"
    );
}

#[test]
fn json_output_has_the_documented_schema() {
    let out = podlearn()
        .args([
            "validate",
            "--format",
            "json",
            "tests/fixtures/manifests/invalid/types.yaml",
            "tests/fixtures/manifests/valid/pod.json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["valid"], false);
    assert!(v["errors"].as_u64().unwrap() >= 5);
    let first = &v["findings"][0];
    for key in [
        "severity", "file", "line", "column", "path", "message", "help", "rule",
    ] {
        assert!(!first[key].is_null(), "missing {key} in {first}");
    }
    assert_eq!(first["severity"], "error");
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0]["kind"], "Pod");
    assert_eq!(objects[0]["name"], "json-pod");
}

#[test]
fn hostile_input_ends_in_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "deep.yaml",
            "[".repeat(10_000).into_bytes(),
            "nests more than",
        ),
        (
            "deep-block.yaml",
            ("- ".repeat(10_000) + "x").into_bytes(),
            "nests more than",
        ),
        ("laughs.yaml", laughs().into_bytes(), "billion laughs"),
        (
            "docs.yaml",
            "---\napiVersion: v1\n".repeat(10_000).into_bytes(),
            "more than 8192 documents",
        ),
        (
            "huge.yaml",
            vec![b'#'; 50 * 1024 * 1024],
            "larger than 16 MB",
        ),
        (
            "binary.yaml",
            (0..=255u8).cycle().take(100_000).collect(),
            "binary file",
        ),
        ("nul.yaml", b"apiVersion: v1\x00\n".to_vec(), "NUL byte"),
    ];
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let out = podlearn()
            .arg("validate")
            .arg(&path)
            .assert()
            .code(1)
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8_lossy(&out);
        assert!(out.contains(expected), "{name}: {out}");
    }
}

fn laughs() -> String {
    let mut s = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 0..9 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("b{}", i - 1)
        };
        let refs = vec![format!("*{prev}"); 9].join(", ");
        s.push_str(&format!("b{i}: &b{i} [{refs}]\n"));
    }
    s
}
