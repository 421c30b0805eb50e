//! Exercises as data: one folder per exercise, read from the built-in course
//! or an instructor's `--course DIR`, strictly parsed and checked for
//! consistency before anyone is graded by it.
//!
//! ```text
//! exercises/<id>/exercise.toml   title, lesson, hints, injections, checks, wrong answers
//! exercises/<id>/task.md         the task, in markdown
//! exercises/<id>/starter.yaml    what the learner starts from
//! exercises/<id>/solution.yaml   the reference solution
//! exercises/<id>/right/*.yaml    other right answers, in other styles: each must pass
//! exercises/<id>/wrong/*.yaml    known wrong answers, each named by a [[wrong]]
//! ```

pub mod format;

use serde::Deserialize;

pub use format::{FORMAT_VERSION, FormatError};

use crate::check::{Check, CheckSpec};
use crate::content::ContentSource;
use crate::exit::learner_error;

/// One exercise, parsed and with its files read.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// The folder name.
    pub id: String,
    pub title: String,
    /// The id of the lesson it follows.
    pub lesson: String,
    /// Position among the exercises of its lesson.
    pub order: u32,
    /// Divide the kubelet's waits by this while grading (shown to the learner).
    pub time_scale: Option<f64>,
    pub hints: Vec<String>,
    pub inject: Vec<Inject>,
    pub checks: Vec<Check>,
    pub wrong: Vec<WrongAnswer>,
    /// Alternative right answers (`right/*.yaml`): every one must pass.
    pub right: Vec<RightAnswer>,
    pub task: String,
    pub starter: String,
    pub solution: String,
}

impl Exercise {
    /// The volume a `delete` check observes, if any.
    pub fn observed_volume(&self) -> Option<&str> {
        self.checks.iter().find_map(|c| match &c.spec {
            CheckSpec::Delete {
                observe: Some(o), ..
            } => Some(o.volume.as_str()),
            _ => None,
        })
    }

    /// Whether the exercise grades a whole manifest (Services, controllers,
    /// several Pods): a check or an injection names its Pod, or a check
    /// looks at a Service or a controller.
    pub fn is_multi(&self) -> bool {
        grades_whole_manifest(&self.inject, &self.checks)
    }
}

/// [`Exercise::is_multi`] from its parts (the format reader asks before the
/// exercise is built).
pub(crate) fn grades_whole_manifest(inject: &[Inject], checks: &[Check]) -> bool {
    inject.iter().any(|i| i.pod.is_some())
        || checks
            .iter()
            .any(|c| c.pod.is_some() || c.spec.is_cluster())
}

/// A value known only at run time (see `grade::Tokens`). With no place to
/// go (no `env`, `file`, `configmap`, `secret` or `label`) it is a value for
/// a `write` check to deliver while the pod runs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// Referred to as `{{name}}` in checks.
    pub name: String,
    #[serde(default)]
    pub value: InjectValue,
    /// Set as this environment variable...
    #[serde(default)]
    pub env: Option<String>,
    /// ...in these containers (default: every container of the pod).
    #[serde(default)]
    pub containers: Vec<String>,
    /// Written into this file (once `container` runs).
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub container: Option<String>,
    /// Set as `key` of the learner's ConfigMap of this name...
    #[serde(default)]
    pub configmap: Option<String>,
    /// ...or of the learner's Secret of this name, before the pod starts.
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    /// Set as this label of the Pod (and of a controller's Pod template), so
    /// that only the downward API can show it: a hand-written value cannot
    /// know it.
    #[serde(default)]
    pub label: Option<String>,
    /// The Pod it goes to in a whole manifest: a Pod's name, or
    /// `deployment/NAME`, `replicaset/NAME`, `job/NAME` for the template of a
    /// controller (every replica gets the same value). Default: every Pod.
    #[serde(default)]
    pub pod: Option<String>,
}

/// What kind of value to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectValue {
    /// `pl-` and 10 hex digits.
    #[default]
    Hex,
    /// A TCP port between 20000 and 29999.
    Port,
    /// An HTTP status between 400 and 599 other than 500 and 503: a number
    /// no table of statuses by level can guess.
    Status,
}

/// A known wrong answer: the check it must fail, and words the learner must see.
#[derive(Debug, Clone)]
pub struct WrongAnswer {
    /// File name inside `wrong/`.
    pub file: String,
    pub fails: String,
    pub message: String,
    pub manifest: String,
}

/// An alternative right answer: a correct Kubernetes answer in another style
/// than the reference solution, which the grader must accept.
#[derive(Debug, Clone)]
pub struct RightAnswer {
    /// File name inside `right/`.
    pub file: String,
    pub manifest: String,
}

/// Every exercise of a course, in course order.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub source: ContentSource,
    pub exercises: Vec<Exercise>,
}

#[derive(Deserialize)]
struct LessonIndex {
    #[serde(default)]
    lesson: Vec<LessonId>,
}

#[derive(Deserialize)]
struct LessonId {
    id: String,
}

impl Catalog {
    /// Read every `exercises/<id>/exercise.toml` of `source`. A broken exercise
    /// is an error naming its file and line.
    pub fn load(source: &ContentSource) -> anyhow::Result<Catalog> {
        let mut ids: Vec<String> = source
            .list("exercises")?
            .iter()
            .filter_map(|f| {
                let rest = f.strip_prefix("exercises/")?;
                let (id, file) = rest.split_once('/')?;
                (file == "exercise.toml").then(|| id.to_string())
            })
            .collect();
        ids.dedup();
        let lessons: Vec<String> = source
            .get("lessons/index.toml")?
            .and_then(|b| toml::from_str::<LessonIndex>(&String::from_utf8_lossy(&b)).ok())
            .map(|i| i.lesson.into_iter().map(|l| l.id).collect())
            .unwrap_or_default();
        let mut exercises = Vec::new();
        for id in ids {
            exercises.push(load_one(source, &id).map_err(|e| learner_error(e.to_string()))?);
        }
        let pos = |l: &str| lessons.iter().position(|x| x == l).unwrap_or(usize::MAX);
        exercises.sort_by(|a, b| {
            (pos(&a.lesson), a.order, &a.id).cmp(&(pos(&b.lesson), b.order, &b.id))
        });
        Ok(Catalog {
            source: source.clone(),
            exercises,
        })
    }

    /// The exercise `id`, or an error (exit 1) listing the ids there are.
    pub fn get(&self, id: &str) -> anyhow::Result<&Exercise> {
        if let Some(e) = self.exercises.iter().find(|e| e.id == id) {
            return Ok(e);
        }
        let ids: Vec<&str> = self.exercises.iter().map(|e| e.id.as_str()).collect();
        let close = ids
            .iter()
            .filter(|i| strsim::jaro_winkler(i, id) > 0.8)
            .max_by(|a, b| strsim::jaro_winkler(a, id).total_cmp(&strsim::jaro_winkler(b, id)));
        let mut msg = format!("There is no exercise {id:?} in {}.", self.source.describe());
        if let Some(c) = close {
            msg.push_str(&format!(" Did you mean {c:?}?"));
        }
        msg.push_str(&format!("\nThe exercises are: {}", ids.join(", ")));
        Err(learner_error(msg))
    }

    /// The exercises that follow lesson `lesson`.
    pub fn for_lesson<'a>(&'a self, lesson: &'a str) -> impl Iterator<Item = &'a Exercise> {
        self.exercises.iter().filter(move |e| e.lesson == lesson)
    }
}

fn is_manifest_name(file: &str) -> bool {
    [".yaml", ".yml", ".json"].iter().any(|e| file.ends_with(e))
}

/// Read one exercise folder.
pub fn load_one(source: &ContentSource, id: &str) -> Result<Exercise, FormatError> {
    let dir = format!("exercises/{id}");
    let read = |name: &str| -> Result<String, FormatError> {
        let rel = format!("{dir}/{name}");
        match source.get(&rel) {
            Ok(Some(bytes)) => String::from_utf8(bytes.into_owned()).map_err(|_| FormatError {
                file: source.display_path(&rel),
                line: 0,
                message: "is not UTF-8 text".into(),
            }),
            Ok(None) => Err(FormatError {
                file: source.display_path(&rel),
                line: 0,
                message: format!("missing: every exercise folder needs {name}"),
            }),
            Err(e) => Err(FormatError {
                file: source.display_path(&rel),
                line: 0,
                message: format!("{e:#}"),
            }),
        }
    };
    let toml_file = source.display_path(&format!("{dir}/exercise.toml"));
    let mut ex = format::parse(id, &toml_file, &read("exercise.toml")?)?;
    ex.task = read("task.md")?;
    ex.starter = read("starter.yaml")?;
    ex.solution = read("solution.yaml")?;
    for w in &mut ex.wrong {
        w.manifest = read(&format!("wrong/{}", w.file))?;
    }
    let listed = |sub: &str| -> Result<Vec<String>, FormatError> {
        let folder = format!("{dir}/{sub}");
        let files = source.list(&folder).map_err(|e| FormatError {
            file: source.display_path(&folder),
            line: 0,
            message: format!("{e:#}"),
        })?;
        Ok(files
            .iter()
            .filter_map(|f| f.strip_prefix(&format!("{folder}/")))
            .filter(|f| !f.contains('/'))
            .map(str::to_string)
            .collect())
    };
    for file in listed("right")? {
        if !is_manifest_name(&file) {
            return Err(FormatError {
                file: source.display_path(&format!("{dir}/right/{file}")),
                line: 0,
                message: "right/ holds manifests only: name it *.yaml, *.yml or *.json".into(),
            });
        }
        let manifest = read(&format!("right/{file}"))?;
        ex.right.push(RightAnswer { file, manifest });
    }
    // A wrong answer nobody names would never be verified.
    for file in listed("wrong")? {
        if !ex.wrong.iter().any(|w| w.file == file) {
            return Err(FormatError {
                file: toml_file.clone(),
                line: 0,
                message: format!(
                    "wrong/{file} is named by no [[wrong]]: add one with file = {file:?}, the check it fails and the words the learner sees"
                ),
            });
        }
    }
    Ok(ex)
}
