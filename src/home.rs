//! The interactive home's data: which entries the menu of `podlearn start`
//! shows (built from the course and the progress, so it is tested without a
//! terminal), what comes next, and the progress overview that `start` and
//! `podlearn progress` print.

use std::fmt;
use std::io::{self, Write};

use crate::course::Course;
use crate::progress::Progress;
use crate::term::Style;

/// An exercise as the home shows it, slotted after the lesson it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseEntry {
    pub id: String,
    pub title: String,
    /// The id of its lesson.
    pub lesson: String,
}

/// One entry of the home menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuItem {
    /// Read the next unread lesson (`index` is 0-based). `first` when nothing
    /// was read yet.
    Continue {
        index: usize,
        title: String,
        first: bool,
    },
    Lesson {
        index: usize,
        id: String,
        title: String,
        read: bool,
    },
    Exercise {
        id: String,
        title: String,
        passed: bool,
    },
    Progress,
    Quit,
}

impl fmt::Display for MenuItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = |done: bool| if done { "✔" } else { " " };
        match self {
            MenuItem::Continue {
                index,
                title,
                first: true,
            } => write!(f, "▶ Start with lesson {}: {title}", index + 1),
            MenuItem::Continue { index, title, .. } => {
                write!(f, "▶ Continue where you left off: {}. {title}", index + 1)
            }
            MenuItem::Lesson {
                index, title, read, ..
            } => write!(f, "{} {:>2}. {title}", mark(*read), index + 1),
            MenuItem::Exercise { title, passed, .. } => {
                write!(f, "{}     exercise: {title}", mark(*passed))
            }
            MenuItem::Progress => write!(f, "  Your progress"),
            MenuItem::Quit => write!(f, "  Quit"),
        }
    }
}

/// The lesson to read next: the first unread one after the last one read,
/// else the first unread one; `None` when every lesson is read.
pub fn next_lesson(course: &Course, progress: &Progress) -> Option<usize> {
    let unread = |i: &usize| !progress.lessons_read.contains(&course.lessons[*i].id);
    let after = progress
        .last_lesson
        .as_deref()
        .and_then(|id| course.position(id))
        .map_or(0, |i| i + 1);
    (after..course.lessons.len())
        .find(unread)
        .or_else(|| (0..course.lessons.len()).find(unread))
}

/// The home menu: continue, every lesson with its exercises after it, the
/// progress overview, quit.
pub fn menu(course: &Course, progress: &Progress, exercises: &[ExerciseEntry]) -> Vec<MenuItem> {
    let mut items = Vec::new();
    if let Some(index) = next_lesson(course, progress) {
        items.push(MenuItem::Continue {
            index,
            title: course.lessons[index].title.clone(),
            first: progress.lessons_read.is_empty(),
        });
    }
    let exercise = |e: &ExerciseEntry| MenuItem::Exercise {
        id: e.id.clone(),
        title: e.title.clone(),
        passed: progress.exercises_passed.contains_key(&e.id),
    };
    for (index, lesson) in course.lessons.iter().enumerate() {
        items.push(MenuItem::Lesson {
            index,
            id: lesson.id.clone(),
            title: lesson.title.clone(),
            read: progress.lessons_read.contains(&lesson.id),
        });
        items.extend(
            exercises
                .iter()
                .filter(|e| e.lesson == lesson.id)
                .map(exercise),
        );
    }
    // Exercises of a lesson this course does not have are still offered.
    items.extend(
        exercises
            .iter()
            .filter(|e| course.position(&e.lesson).is_none())
            .map(exercise),
    );
    items.push(MenuItem::Progress);
    items.push(MenuItem::Quit);
    items
}

/// Counts for the progress overview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub lessons_read: usize,
    pub lessons: usize,
    pub quizzes_taken: usize,
    /// Lessons that have a quiz.
    pub quizzes: usize,
    pub answers_right: u32,
    pub answers: u32,
    pub exercises_passed: usize,
    pub exercises: usize,
    /// `(index, title)` of the next lesson.
    pub next: Option<(usize, String)>,
}

impl Overview {
    /// `has_quiz[i]`: whether lesson `i` has a quiz.
    pub fn new(
        course: &Course,
        progress: &Progress,
        has_quiz: &[bool],
        exercises: &[ExerciseEntry],
    ) -> Overview {
        let lessons_read = course
            .lessons
            .iter()
            .filter(|l| progress.lessons_read.contains(&l.id))
            .count();
        let scores: Vec<_> = course
            .lessons
            .iter()
            .filter_map(|l| progress.quiz_scores.get(&l.id))
            .collect();
        Overview {
            lessons_read,
            lessons: course.lessons.len(),
            quizzes_taken: scores.len(),
            quizzes: has_quiz.iter().filter(|q| **q).count(),
            answers_right: scores.iter().map(|s| s.correct).sum(),
            answers: scores.iter().map(|s| s.total).sum(),
            exercises_passed: exercises
                .iter()
                .filter(|e| progress.exercises_passed.contains_key(&e.id))
                .count(),
            exercises: exercises.len(),
            next: next_lesson(course, progress).map(|i| (i, course.lessons[i].title.clone())),
        }
    }

    /// The overview as a few aligned lines.
    pub fn render(&self, style: Style, out: &mut impl Write) -> io::Result<()> {
        let count = |done: usize, total: usize| {
            let text = format!("{done} of {total}");
            if total > 0 && done == total {
                style.ok(&text)
            } else {
                style.strong(&text)
            }
        };
        writeln!(
            out,
            "Lessons    {} read",
            count(self.lessons_read, self.lessons)
        )?;
        if self.quizzes > 0 || self.quizzes_taken > 0 {
            write!(
                out,
                "Quizzes    {} taken",
                count(self.quizzes_taken, self.quizzes.max(self.quizzes_taken))
            )?;
            if self.answers > 0 {
                write!(
                    out,
                    " ({} of {} answers right)",
                    self.answers_right, self.answers
                )?;
            }
            writeln!(out)?;
        }
        if self.exercises > 0 {
            writeln!(
                out,
                "Exercises  {} passed",
                count(self.exercises_passed, self.exercises)
            )?;
        }
        match &self.next {
            Some((index, title)) => writeln!(
                out,
                "Next       lesson {}, {title}: {}",
                index + 1,
                style.command(&format!("podlearn lesson {}", index + 1))
            ),
            None => writeln!(
                out,
                "Next       {}",
                style.ok("every lesson is read. Well done!")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ContentSource;
    use crate::course::Lesson;
    use crate::progress::QuizScore;

    fn course() -> Course {
        let lesson = |id: &str| Lesson {
            id: id.into(),
            title: id.to_uppercase(),
            file: format!("{id}.md"),
            quiz: None,
        };
        Course {
            source: ContentSource::BuiltIn,
            lessons: vec![lesson("a"), lesson("b"), lesson("c")],
        }
    }

    fn read(ids: &[&str], last: Option<&str>) -> Progress {
        Progress {
            lessons_read: ids.iter().map(|s| s.to_string()).collect(),
            last_lesson: last.map(str::to_string),
            ..Progress::default()
        }
    }

    #[test]
    fn new_learner_starts_with_lesson_one() {
        let items = menu(&course(), &Progress::default(), &[]);
        assert_eq!(items[0].to_string(), "▶ Start with lesson 1: A");
        assert_eq!(items.len(), 1 + 3 + 2);
        assert_eq!(items[items.len() - 1], MenuItem::Quit);
        assert_eq!(items[1].to_string(), "   1. A");
    }

    #[test]
    fn continue_goes_to_the_next_unread_after_the_last_read() {
        let c = course();
        assert_eq!(next_lesson(&c, &read(&["a"], Some("a"))), Some(1));
        assert_eq!(next_lesson(&c, &read(&["b"], Some("b"))), Some(2));
        assert_eq!(next_lesson(&c, &read(&["b", "c"], Some("c"))), Some(0));
        assert_eq!(next_lesson(&c, &read(&["a", "b", "c"], Some("b"))), None);
        let items = menu(&c, &read(&["a"], Some("a")), &[]);
        assert_eq!(items[0].to_string(), "▶ Continue where you left off: 2. B");
        assert_eq!(items[1].to_string(), "✔  1. A");
    }

    #[test]
    fn everything_read_has_no_continue() {
        let items = menu(&course(), &read(&["a", "b", "c"], None), &[]);
        assert!(matches!(items[0], MenuItem::Lesson { .. }));
    }

    #[test]
    fn exercises_follow_their_lesson() {
        let ex = |id: &str, lesson: &str| ExerciseEntry {
            id: id.into(),
            title: id.into(),
            lesson: lesson.into(),
        };
        let mut p = Progress::default();
        p.exercises_passed.insert("x1".into(), Default::default());
        let items = menu(
            &course(),
            &p,
            &[ex("x1", "b"), ex("x2", "a"), ex("x3", "gone")],
        );
        let ids: Vec<String> = items
            .iter()
            .filter_map(|i| match i {
                MenuItem::Lesson { id, .. } => Some(id.clone()),
                MenuItem::Exercise { id, passed, .. } => Some(format!("{id}:{passed}")),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["a", "x2:false", "b", "x1:true", "c", "x3:false"]);
    }

    #[test]
    fn overview_counts_and_renders() {
        let c = course();
        let mut p = read(&["a", "b"], Some("b"));
        p.quiz_scores.insert(
            "a".into(),
            QuizScore {
                correct: 2,
                total: 3,
            },
        );
        let o = Overview::new(&c, &p, &[true, true, false], &[]);
        assert_eq!((o.lessons_read, o.quizzes_taken, o.quizzes), (2, 1, 2));
        let mut out = Vec::new();
        o.render(Style::PLAIN, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            "Lessons    2 of 3 read\nQuizzes    1 of 2 taken (2 of 3 answers right)\nNext       lesson 3, C: podlearn lesson 3\n"
        );
    }
}
