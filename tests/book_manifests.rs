//! Every YAML or JSON block in the lessons and the book is a manifest that
//! `podlearn validate` accepts, unless its fence marks it as a mistake on
//! purpose (```` ```yaml mistake ````) or as an excerpt of one
//! (```` ```yaml excerpt ````). A lesson that teaches with an invalid
//! manifest by accident would teach the wrong thing.

use std::path::{Path, PathBuf};

use podlearn::manifest;
use podlearn::markdown::code_blocks;

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

#[test]
fn every_manifest_in_the_lessons_and_the_book_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    markdown_files(&root.join("lessons"), &mut files);
    markdown_files(&root.join("book/src"), &mut files);
    files.sort();

    let mut checked = 0;
    let mut mistakes = 0;
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for block in code_blocks(&text) {
            let lang = block.lang.as_deref().unwrap_or("");
            if !matches!(lang, "yaml" | "yml" | "json") {
                continue;
            }
            if block.mistake {
                mistakes += 1;
                continue;
            }
            if block.excerpt {
                continue;
            }
            checked += 1;
            let name = format!(
                "{} ({})",
                file.strip_prefix(root).unwrap().display(),
                block.file.as_deref().unwrap_or("block")
            );
            let loaded = manifest::load_str(&name, &block.code);
            if loaded.has_errors() {
                let mut report = Vec::new();
                manifest::render_text(&loaded, podlearn::term::Style::PLAIN, &mut report).unwrap();
                failures.push(String::from_utf8_lossy(&report).into_owned());
            }
        }
    }
    assert!(
        checked >= 20,
        "expected the lessons to hold many manifests, found {checked}"
    );
    assert!(
        mistakes >= 1,
        "the lessons show at least one mistake on purpose"
    );
    assert!(
        failures.is_empty(),
        "{} manifest(s) in the lessons or the book do not validate:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
