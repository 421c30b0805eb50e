//! Who finished what, across a class: the progress files of many learners
//! summed up against the course (`podlearn report`). Finding and reading the
//! files is here; the summary and its renderings (text, CSV, JSON) are pure.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::progress::Progress;

/// One learner's progress, and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub learner: String,
    pub file: PathBuf,
    pub progress: Progress,
}

/// A file that was found but could not be read, with why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub file: PathBuf,
    pub why: String,
}

/// The progress files under `paths`: a file is taken as it is; a folder
/// gives its own `progress.json`, those of its sub-folders (one
/// `PODLEARN_HOME` per learner: `class/ann/progress.json`) and the `.json`
/// files in it (collected files: `class/ann.json`). A learner is named by the
/// file, or by its folder when the file is called `progress.json`.
pub fn find(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            crate::exit::learner_error(format!(
                "{}: {} (give progress files, or folders that hold them)",
                path.display(),
                io_reason(&e)
            ))
        })?;
        if !meta.is_dir() {
            files.push(path.clone());
            continue;
        }
        let mut found = Vec::new();
        let entries = std::fs::read_dir(path)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), io_reason(&e)))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                let inner = p.join(crate::progress::FILE_NAME);
                if inner.is_file() {
                    found.push(inner);
                }
            } else if p.extension().is_some_and(|e| e == "json") {
                found.push(p);
            }
        }
        found.sort();
        files.extend(found);
    }
    files.dedup();
    Ok(files)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Read every file: the ones podlearn can read, and why the others cannot
/// be. Nothing is changed on disk.
pub fn read(files: &[PathBuf]) -> (Vec<Entry>, Vec<Unreadable>) {
    let mut entries = Vec::new();
    let mut unreadable = Vec::new();
    for file in files {
        let read = std::fs::read(file)
            .map_err(|e| io_reason(&e))
            .and_then(|bytes| crate::progress::parse_file_contents(&bytes));
        match read {
            Ok(progress) => entries.push(Entry {
                learner: learner_name(file),
                file: file.clone(),
                progress,
            }),
            Err(why) => unreadable.push(Unreadable {
                file: file.clone(),
                why,
            }),
        }
    }
    entries.sort_by(|a, b| a.learner.cmp(&b.learner).then(a.file.cmp(&b.file)));
    (entries, unreadable)
}

/// `class/ann/progress.json` is ann's; `class/ann.json` too.
pub fn learner_name(file: &Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned());
    if file
        .file_name()
        .is_some_and(|n| n == crate::progress::FILE_NAME)
        && let Some(dir) = file
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
    {
        return dir;
    }
    stem.unwrap_or_else(|| file.display().to_string())
}

/// What the course holds, to count against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseShape {
    pub lessons: Vec<String>,
    /// Lesson ids that have a quiz.
    pub quizzes: Vec<String>,
    /// Exercise ids, in course order.
    pub exercises: Vec<String>,
}

/// One learner's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub learner: String,
    pub file: String,
    pub lessons_read: usize,
    pub quizzes_taken: usize,
    /// Quizzes answered without a mistake.
    pub quizzes_perfect: usize,
    pub exercises_passed: usize,
    /// Exercise id -> when it first passed (Unix seconds), for the course's
    /// exercises only.
    pub passed: std::collections::BTreeMap<String, u64>,
    pub hints_revealed: u32,
    /// The latest first pass, Unix seconds.
    pub last_passed_at: Option<u64>,
}

/// The whole class against the course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub lessons: usize,
    pub quizzes: usize,
    pub exercises: Vec<String>,
    pub learners: Vec<Row>,
}

pub fn summarize(course: &CourseShape, entries: &[Entry]) -> Report {
    let learners = entries
        .iter()
        .map(|e| {
            let p = &e.progress;
            let passed: std::collections::BTreeMap<String, u64> = p
                .exercises_passed
                .iter()
                .filter(|(id, _)| course.exercises.contains(id))
                .map(|(id, r)| (id.clone(), r.passed_at))
                .collect();
            let quiz = |id: &String| course.quizzes.contains(id);
            Row {
                learner: e.learner.clone(),
                file: e.file.display().to_string(),
                lessons_read: p
                    .lessons_read
                    .iter()
                    .filter(|l| course.lessons.contains(l))
                    .count(),
                quizzes_taken: p.quiz_scores.keys().filter(|id| quiz(id)).count(),
                quizzes_perfect: p
                    .quiz_scores
                    .iter()
                    .filter(|(id, s)| quiz(id) && s.total > 0 && s.correct == s.total)
                    .count(),
                exercises_passed: passed.len(),
                last_passed_at: passed.values().copied().max(),
                passed,
                hints_revealed: p
                    .hints_revealed
                    .iter()
                    .filter(|(id, _)| course.exercises.contains(id))
                    .map(|(_, n)| *n)
                    .sum(),
            }
        })
        .collect();
    Report {
        lessons: course.lessons.len(),
        quizzes: course.quizzes.len(),
        exercises: course.exercises.clone(),
        learners,
    }
}

/// `2026-11-21 09:40` (UTC) from Unix seconds.
fn date(secs: u64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    let s = humantime::format_rfc3339_seconds(t).to_string();
    // 2026-11-21T09:40:12Z
    s.get(..16).unwrap_or(&s).replace('T', " ")
}

/// The report for people: one line per learner, then who passed each exercise.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    let rows: Vec<Vec<String>> = r
        .learners
        .iter()
        .map(|l| {
            vec![
                l.learner.clone(),
                format!("{}/{}", l.lessons_read, r.lessons),
                format!("{}/{}", l.quizzes_taken, r.quizzes),
                format!("{}/{}", l.exercises_passed, r.exercises.len()),
                l.hints_revealed.to_string(),
                l.last_passed_at.map(date).unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "LEARNER",
            "LESSONS",
            "QUIZZES",
            "EXERCISES",
            "HINTS",
            "LAST PASS (UTC)",
        ],
        &rows,
    ));
    out.push('\n');
    let total = r.learners.len();
    let rows: Vec<Vec<String>> = r
        .exercises
        .iter()
        .map(|id| {
            let not_yet: Vec<&str> = r
                .learners
                .iter()
                .filter(|l| !l.passed.contains_key(id))
                .map(|l| l.learner.as_str())
                .collect();
            let passed = total - not_yet.len();
            let waiting = match not_yet.len() {
                0 => "everyone".to_string(),
                n if n == total => "no one yet".to_string(),
                n if n <= 5 => format!("not yet: {}", not_yet.join(", ")),
                n => format!("not yet: {} and {} more", not_yet[..4].join(", "), n - 4),
            };
            vec![id.clone(), format!("{passed}/{total}"), waiting]
        })
        .collect();
    out.push_str(&table(&["EXERCISE", "PASSED", ""], &rows));
    out
}

/// One row per learner, one column per exercise (the date it passed).
pub fn render_csv(r: &Report) -> String {
    let mut header = vec![
        "learner".to_string(),
        "lessons_read".into(),
        "quizzes_taken".into(),
        "quizzes_perfect".into(),
        "exercises_passed".into(),
        "hints_revealed".into(),
    ];
    header.extend(r.exercises.iter().cloned());
    let mut out = csv_line(&header);
    for l in &r.learners {
        let mut cells = vec![
            l.learner.clone(),
            l.lessons_read.to_string(),
            l.quizzes_taken.to_string(),
            l.quizzes_perfect.to_string(),
            l.exercises_passed.to_string(),
            l.hints_revealed.to_string(),
        ];
        cells.extend(
            r.exercises
                .iter()
                .map(|id| l.passed.get(id).map(|t| date(*t)).unwrap_or_default()),
        );
        out.push_str(&csv_line(&cells));
    }
    out
}

fn csv_line(cells: &[String]) -> String {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            // A cell a spreadsheet would run as a formula is kept as text.
            let c = if c.starts_with(['=', '+', '-', '@']) {
                format!("'{c}")
            } else {
                c.clone()
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

/// Columns as `kubectl get` aligns them.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut text = header.join("\t") + "\n";
    for r in rows {
        text.push_str(&r.join("\t"));
        text.push('\n');
    }
    crate::render::align(&text, 3)
        .lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::{PassRecord, QuizScore};

    fn shape() -> CourseShape {
        CourseShape {
            lessons: vec!["what-is-a-pod".into(), "sidecars".into()],
            quizzes: vec!["what-is-a-pod".into()],
            exercises: vec!["first-pod".into(), "sidecar-logs".into()],
        }
    }

    fn entry(name: &str, passed: &[(&str, u64)]) -> Entry {
        let mut p = Progress::default();
        p.lessons_read.insert("what-is-a-pod".into());
        p.lessons_read
            .insert("a-lesson-no-longer-in-the-course".into());
        for (id, at) in passed {
            p.exercises_passed.insert(
                id.to_string(),
                PassRecord {
                    passed_at: *at,
                    seconds: 1.0,
                },
            );
        }
        p.quiz_scores.insert(
            "what-is-a-pod".into(),
            QuizScore {
                correct: 3,
                total: 3,
            },
        );
        p.hints_revealed.insert("sidecar-logs".into(), 2);
        Entry {
            learner: name.into(),
            file: PathBuf::from(format!("class/{name}/progress.json")),
            progress: p,
        }
    }

    #[test]
    fn learners_are_named_by_their_folder_or_their_file() {
        assert_eq!(learner_name(Path::new("class/ann/progress.json")), "ann");
        assert_eq!(learner_name(Path::new("collected/bob.json")), "bob");
        assert_eq!(learner_name(Path::new("progress.json")), "progress");
    }

    #[test]
    fn the_report_counts_against_the_course_and_says_who_is_missing() {
        let r = summarize(
            &shape(),
            &[
                entry(
                    "ann",
                    &[
                        ("first-pod", 1_795_250_000),
                        ("sidecar-logs", 1_795_260_000),
                    ],
                ),
                entry("bob", &[("first-pod", 1_795_240_000), ("gone-exercise", 1)]),
            ],
        );
        assert_eq!(
            r.learners[0].lessons_read, 1,
            "lessons not in the course are not counted"
        );
        assert_eq!(r.learners[1].exercises_passed, 1);
        assert_eq!(r.learners[0].last_passed_at, Some(1_795_260_000));
        let text = render_text(&r);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            [
                "LEARNER",
                "LESSONS",
                "QUIZZES",
                "EXERCISES",
                "HINTS",
                "LAST",
                "PASS",
                "(UTC)"
            ]
        );
        assert!(
            lines[1].starts_with("ann ") && lines[1].contains(" 2/2 "),
            "{text}"
        );
        assert!(lines[1].ends_with("2026-11-21 11:20"), "{text}");
        assert!(text.contains("first-pod      2/2      everyone"), "{text}");
        assert!(
            text.contains("sidecar-logs   1/2      not yet: bob"),
            "{text}"
        );
    }

    #[test]
    fn csv_has_a_column_per_exercise_and_is_safe_in_a_spreadsheet() {
        let mut bob = entry("=cmd", &[("sidecar-logs", 1_795_240_000)]);
        bob.learner = "=cmd|' /c calc'!A1".into();
        let r = summarize(&shape(), &[entry("ann", &[]), bob]);
        let csv = render_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "learner,lessons_read,quizzes_taken,quizzes_perfect,exercises_passed,hints_revealed,first-pod,sidecar-logs"
        );
        assert_eq!(lines[1], "ann,1,1,1,0,2,,");
        assert_eq!(lines[2], "'=cmd|' /c calc'!A1,1,1,1,1,2,,2026-11-21 05:46");
    }
}
