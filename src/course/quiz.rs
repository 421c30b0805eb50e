//! A lesson's quiz: a TOML file of multiple-choice questions, each with the
//! index of the right choice and why it is right.
//!
//! ```toml
//! format_version = 1
//! [[question]]
//! prompt = "Where do the containers of one Pod run?"
//! choices = ["On one node", "Spread across nodes"]
//! answer = 0   # 0-based index of the right choice
//! why = "A Pod is scheduled as a unit onto a single node."
//! ```

use serde::Deserialize;

use super::{check_format_version, locate, toml_error};

/// The format of quiz files this podlearn reads.
pub const QUIZ_FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// 0-based index into `choices`.
    pub answer: usize,
    /// Shown after the learner answers, right or wrong.
    pub why: String,
}

impl Question {
    pub fn is_right(&self, choice: usize) -> bool {
        choice == self.answer
    }

    pub fn right_choice(&self) -> &str {
        &self.choices[self.answer]
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quiz {
    pub questions: Vec<Question>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizFile {
    #[allow(dead_code)] // checked before the typed parse
    format_version: i64,
    #[serde(default)]
    question: Vec<RawQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    prompt: String,
    choices: toml::Spanned<Vec<String>>,
    answer: toml::Spanned<i64>,
    why: String,
}

impl Quiz {
    /// Parse and check a quiz; `path` is how errors name the file.
    pub fn parse(text: &str, path: &str) -> anyhow::Result<Quiz> {
        check_format_version(path, text, "quiz", QUIZ_FORMAT_VERSION)?;
        let file: QuizFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        if file.question.is_empty() {
            anyhow::bail!("{path}: the quiz has no questions; add a `[[question]]` table");
        }
        let mut questions = Vec::with_capacity(file.question.len());
        for raw in file.question {
            let choices_at = locate(path, text, Some(raw.choices.span()));
            let answer_at = locate(path, text, Some(raw.answer.span()));
            let choices = raw.choices.into_inner();
            if choices.len() < 2 {
                anyhow::bail!("{choices_at}: a question needs at least two `choices`");
            }
            let answer = *raw.answer.get_ref();
            let Some(answer) = usize::try_from(answer).ok().filter(|&a| a < choices.len()) else {
                anyhow::bail!(
                    "{answer_at}: `answer = {answer}` is not one of the choices; it is the 0-based index of the right choice, from 0 to {}",
                    choices.len() - 1
                );
            };
            questions.push(Question {
                prompt: raw.prompt,
                choices,
                answer,
                why: raw.why,
            });
        }
        Ok(Quiz { questions })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"format_version = 1

[[question]]
prompt = "Where do the containers of one Pod run?"
choices = ["On one node", "Spread across nodes"]
answer = 0
why = "A Pod is scheduled as a unit onto a single node."
"#;

    #[test]
    fn parses_questions() {
        let q = Quiz::parse(GOOD, "q.toml").unwrap();
        assert_eq!(q.questions.len(), 1);
        assert_eq!(q.questions[0].right_choice(), "On one node");
        assert!(q.questions[0].is_right(0) && !q.questions[0].is_right(1));
    }

    #[test]
    fn answer_out_of_range_names_the_line() {
        let err = Quiz::parse(&GOOD.replace("answer = 0", "answer = 2"), "q.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("q.toml:6:"), "{err}");
        assert!(err.contains("from 0 to 1"), "{err}");
    }

    #[test]
    fn unknown_key_and_syntax_errors_name_the_line() {
        let err = Quiz::parse(&GOOD.replace("why =", "because ="), "q.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("q.toml:"), "{err}");
        assert!(err.contains("because"), "{err}");
        let err = Quiz::parse(&GOOD.replace("answer = 0", "answer = "), "q.toml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("q.toml:6:"), "{err}");
    }

    #[test]
    fn one_choice_or_no_question_is_refused() {
        let err = Quiz::parse(
            &GOOD.replace(r#"["On one node", "Spread across nodes"]"#, r#"["x"]"#),
            "q.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("q.toml:5:") && err.contains("two"), "{err}");
        let err = Quiz::parse("format_version = 1\n", "q.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("no questions"), "{err}");
    }
}
