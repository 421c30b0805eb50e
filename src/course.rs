//! The course: the ordered lessons of `lessons/index.toml`, their markdown and
//! their optional quizzes, read from a [`ContentSource`].
//!
//! The index is strict (`deny_unknown_fields`, `format_version = 1`), and every
//! error names the file and the line, so a course author sees what to fix.

pub mod quiz;

use std::ops::Range;

use serde::Deserialize;

use crate::content::ContentSource;
use crate::exit::learner_error;

pub use quiz::{Question, Quiz};

/// The format of `lessons/index.toml` this podlearn reads.
pub const INDEX_FORMAT_VERSION: i64 = 1;

const INDEX: &str = "lessons/index.toml";

/// One lesson, as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    /// Stable id, used in progress files and on the command line.
    pub id: String,
    pub title: String,
    /// The markdown file, relative to `lessons/`.
    pub file: String,
    /// The quiz file, relative to `lessons/`, if the lesson has one.
    #[serde(default)]
    pub quiz: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexFile {
    #[allow(dead_code)] // checked before the typed parse
    format_version: i64,
    #[serde(default)]
    lesson: Vec<toml::Spanned<Lesson>>,
}

/// The lessons of a course, in the order they are taught.
#[derive(Debug, Clone)]
pub struct Course {
    pub source: ContentSource,
    pub lessons: Vec<Lesson>,
}

impl Course {
    /// Read and check `lessons/index.toml`.
    pub fn load(source: ContentSource) -> anyhow::Result<Course> {
        let text = source.read_to_string(INDEX)?;
        let lessons = parse_index(&text, &source.display_path(INDEX))?;
        Ok(Course { source, lessons })
    }

    /// A lesson by 1-based number or by id, with its 0-based position. An
    /// unknown one is the learner's mistake (exit 1), and the message lists
    /// the lessons there are.
    pub fn find(&self, key: &str) -> anyhow::Result<(usize, &Lesson)> {
        let key = key.trim();
        if let Ok(n) = key.parse::<usize>() {
            if n >= 1 && n <= self.lessons.len() {
                return Ok((n - 1, &self.lessons[n - 1]));
            }
        } else if let Some(i) = self.lessons.iter().position(|l| l.id == key) {
            return Ok((i, &self.lessons[i]));
        }
        let mut msg = format!("There is no lesson `{key}`.");
        if let Some(close) = self.closest_id(key) {
            msg.push_str(&format!(" Did you mean `{close}`?"));
        }
        msg.push_str(&format!(
            "\nThe lessons are (use the number or the id):\n{}",
            self.listing()
        ));
        Err(learner_error(msg))
    }

    /// The position of the lesson with this id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.lessons.iter().position(|l| l.id == id)
    }

    fn closest_id(&self, key: &str) -> Option<&str> {
        self.lessons
            .iter()
            .map(|l| (strsim::jaro_winkler(key, &l.id), l.id.as_str()))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }

    /// `  1  id  title` lines, one per lesson.
    pub fn listing(&self) -> String {
        let w = self.lessons.iter().map(|l| l.id.len()).max().unwrap_or(0);
        self.lessons
            .iter()
            .enumerate()
            .map(|(i, l)| format!("  {:>2}  {:<w$}  {}", i + 1, l.id, l.title))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Course-relative path of a file named in the index (`lessons/<file>`).
    pub fn lesson_path(file: &str) -> String {
        format!("lessons/{file}")
    }

    /// The markdown of a lesson.
    pub fn markdown(&self, lesson: &Lesson) -> anyhow::Result<String> {
        self.source.read_to_string(&Self::lesson_path(&lesson.file))
    }

    /// The quiz of a lesson: `None` when the lesson names none, or names one
    /// whose file is not written yet. A malformed quiz is an error.
    pub fn quiz(&self, lesson: &Lesson) -> anyhow::Result<Option<Quiz>> {
        let Some(file) = &lesson.quiz else {
            return Ok(None);
        };
        let rel = Self::lesson_path(file);
        let Some(bytes) = self.source.get(&rel)? else {
            return Ok(None);
        };
        let shown = self.source.display_path(&rel);
        let text = String::from_utf8(bytes.into_owned())
            .map_err(|_| anyhow::anyhow!("{shown} is not UTF-8 text"))?;
        Quiz::parse(&text, &shown).map(Some)
    }

    /// Every problem of the course's files, for authors: a lesson file that is
    /// missing or not UTF-8, a quiz that does not parse, an example file name
    /// that would land outside the learner's folder. Empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for lesson in &self.lessons {
            match self.markdown(lesson) {
                Ok(md) => {
                    for block in crate::markdown::code_blocks(&md) {
                        if let Some(file) = block.file.filter(|f| !is_plain_relative(f)) {
                            problems.push(format!(
                                "{}: `file={file}` must be a plain relative file name",
                                self.source.display_path(&Self::lesson_path(&lesson.file))
                            ));
                        }
                    }
                }
                Err(e) => problems.push(format!("{e:#}")),
            }
            if let Err(e) = self.quiz(lesson) {
                problems.push(format!("{e:#}"));
            }
        }
        problems
    }

    /// Whether the lesson's quiz file exists (without parsing it).
    pub fn has_quiz(&self, lesson: &Lesson) -> bool {
        lesson.quiz.as_ref().is_some_and(|file| {
            self.source
                .get(&Self::lesson_path(file))
                .is_ok_and(|f| f.is_some())
        })
    }
}

/// A relative path made of plain names only (no `..`, not absolute).
pub fn is_plain_relative(name: &str) -> bool {
    let path = std::path::Path::new(name);
    path.components().next().is_some()
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// `file:line:column` for a byte range of `text`.
pub(crate) fn locate(path: &str, text: &str, span: Option<Range<usize>>) -> String {
    match span {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{path}:{line}:{col}")
        }
        None => path.to_string(),
    }
}

/// A TOML error as `file:line:col: message`.
pub(crate) fn toml_error(path: &str, text: &str, err: &toml::de::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: {}",
        locate(path, text, err.span()),
        err.message().trim_end()
    )
}

/// Check the `format_version` key before anything else, so a file from a newer
/// podlearn gets "upgrade" rather than a confusing unknown-key error.
pub(crate) fn check_format_version(
    path: &str,
    text: &str,
    what: &str,
    supported: i64,
) -> anyhow::Result<()> {
    let table: toml::Table = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    match table.get("format_version") {
        None => anyhow::bail!(
            "{path}: missing `format_version`; write `format_version = {supported}` at the top of the {what}"
        ),
        Some(toml::Value::Integer(v)) if *v == supported => Ok(()),
        Some(toml::Value::Integer(v)) => anyhow::bail!(
            "{path}: `format_version = {v}` is not supported; this podlearn reads {what}s with `format_version = {supported}` (a newer podlearn may read this one)"
        ),
        Some(other) => {
            anyhow::bail!("{path}: `format_version` must be the number {supported}, not `{other}`")
        }
    }
}

fn parse_index(text: &str, path: &str) -> anyhow::Result<Vec<Lesson>> {
    check_format_version(path, text, "course index", INDEX_FORMAT_VERSION)?;
    let index: IndexFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
    if index.lesson.is_empty() {
        anyhow::bail!("{path}: the course has no lessons; add a `[[lesson]]` table");
    }
    let mut lessons: Vec<Lesson> = Vec::with_capacity(index.lesson.len());
    for spanned in index.lesson {
        let at = locate(path, text, Some(spanned.span()));
        let lesson = spanned.into_inner();
        if lesson.id.is_empty()
            || !lesson
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || lesson.id.chars().all(|c| c.is_ascii_digit())
        {
            anyhow::bail!(
                "{at}: lesson id `{}` must be lowercase letters, digits and dashes (like `sharing-files`), and not only digits",
                lesson.id
            );
        }
        if lessons.iter().any(|l| l.id == lesson.id) {
            anyhow::bail!("{at}: the lesson id `{}` is used twice", lesson.id);
        }
        if lesson.file.is_empty() {
            anyhow::bail!("{at}: lesson `{}` has an empty `file`", lesson.id);
        }
        lessons.push(lesson);
    }
    Ok(lessons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(index: &str) -> anyhow::Result<Course> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("lessons")).unwrap();
        std::fs::write(dir.path().join("lessons/index.toml"), index).unwrap();
        Course::load(ContentSource::Dir(dir.path().to_path_buf()))
    }

    const TWO: &str = "format_version = 1\n\n[[lesson]]\nid = \"one\"\ntitle = \"One\"\nfile = \"01-one.md\"\nquiz = \"01-one.quiz.toml\"\n\n[[lesson]]\nid = \"two\"\ntitle = \"Two\"\nfile = \"02-two.md\"\n";

    #[test]
    fn builtin_index_loads_in_order() {
        let c = Course::load(ContentSource::BuiltIn).unwrap();
        assert_eq!(c.lessons[0].id, "what-is-a-pod");
        assert!(c.lessons.len() >= 2);
    }

    #[test]
    fn builtin_course_files_are_all_there_and_parse() {
        let c = Course::load(ContentSource::BuiltIn).unwrap();
        assert_eq!(c.problems(), Vec::<String>::new());
    }

    #[test]
    fn problems_name_missing_lessons_and_bad_quizzes() {
        let dir = tempfile::tempdir().unwrap();
        let lessons = dir.path().join("lessons");
        std::fs::create_dir_all(&lessons).unwrap();
        std::fs::write(lessons.join("index.toml"), TWO).unwrap();
        std::fs::write(
            lessons.join("01-one.md"),
            "```yaml file=../x.yaml\na: 1\n```\n",
        )
        .unwrap();
        std::fs::write(lessons.join("01-one.quiz.toml"), "format_version = 1\n").unwrap();
        let c = Course::load(ContentSource::Dir(dir.path().to_path_buf())).unwrap();
        let problems = c.problems().join("\n");
        assert!(problems.contains("`file=../x.yaml`"), "{problems}");
        assert!(
            problems.contains("01-one.quiz.toml: the quiz has no questions"),
            "{problems}"
        );
        assert!(
            problems.contains("has no file lessons/02-two.md"),
            "{problems}"
        );
    }

    #[test]
    fn finds_by_number_and_id() {
        let c = course(TWO).unwrap();
        assert_eq!(c.find("2").unwrap().1.id, "two");
        assert_eq!(c.find("one").unwrap().0, 0);
    }

    #[test]
    fn unknown_lesson_is_a_learner_error_listing_the_lessons() {
        let c = course(TWO).unwrap();
        for key in ["3", "0", "twoo"] {
            let err = c.find(key).unwrap_err();
            assert_eq!(crate::exit::code_for_error(&err), 1);
            let msg = err.to_string();
            assert!(
                msg.contains("1  one  One") && msg.contains("2  two  Two"),
                "{msg}"
            );
        }
        assert!(
            c.find("twoo")
                .unwrap_err()
                .to_string()
                .contains("Did you mean `two`?")
        );
    }

    #[test]
    fn unknown_key_names_file_and_line() {
        let err = course(&TWO.replace("title = \"Two\"", "titel = \"Two\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("index.toml:11:"), "{err}");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn wrong_format_version_is_refused() {
        let err = course(&TWO.replace("format_version = 1", "format_version = 2"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("format_version = 2` is not supported"),
            "{err}"
        );
        let err = course(&TWO.replace("format_version = 1\n", ""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing `format_version`"), "{err}");
    }

    #[test]
    fn duplicate_and_numeric_ids_are_refused_with_their_line() {
        let err = course(&TWO.replace("id = \"two\"", "id = \"one\""))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("index.toml:9:") && err.contains("used twice"),
            "{err}"
        );
        let err = course(&TWO.replace("id = \"two\"", "id = \"12\""))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not only digits"), "{err}");
    }

    #[test]
    fn missing_quiz_file_is_no_quiz() {
        let c = course(TWO).unwrap();
        assert!(c.quiz(&c.lessons[0]).unwrap().is_none());
        assert!(!c.has_quiz(&c.lessons[0]));
        assert!(c.quiz(&c.lessons[1]).unwrap().is_none());
    }
}
