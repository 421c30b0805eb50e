//! The command line: every verb podlearn knows, with help written for a
//! learner. Parsing only; `cmd` runs what was parsed.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::term::ColorFlag;

const ABOUT: &str = "Learn Kubernetes Pods by running them.

podlearn is a terminal course: short lessons, then exercises where you write
Pod manifests and podlearn runs them on your local Docker engine the way a
kubelet would, and grades what they actually do.

Start here:  podlearn start";

#[derive(Debug, Parser)]
#[command(name = "podlearn", version, about = ABOUT, long_about = None)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// When to use colors: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorFlag::Auto, global = true)]
    pub color: ColorFlag,

    /// Use the lessons and exercises in this folder instead of the built-in course
    /// (an instructor's own course, same format).
    #[arg(long, env = "PODLEARN_COURSE", global = true, value_name = "DIR")]
    pub course: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interactive course: lessons, exercises, your progress.
    Start,

    /// List the lessons, with a mark on the ones you have read.
    Lessons,

    /// Read one lesson, by number or id (`podlearn lesson 3`, `podlearn lesson sidecars`).
    Lesson(LessonArgs),

    /// Write the example manifests of a lesson into a folder, ready for `podlearn run`.
    Files(FilesArgs),

    /// Answer the short quiz at the end of a lesson.
    Quiz(QuizArgs),

    /// Show what you have done and what comes next.
    Progress,

    /// Forget all progress (asks first).
    Reset(ResetArgs),

    /// Print a shell completion script (bash, zsh or fish).
    Completions(CompletionsArgs),

    /// Check manifests the way the API server would, and explain every mistake.
    Validate(ValidateArgs),

    /// Run the Pods (and Services, Deployments, Jobs) of a manifest on the local Docker engine.
    Run(RunArgs),

    /// List pods and other objects podlearn is running (like `kubectl get`).
    Get(GetArgs),

    /// Show a pod in detail: containers, states, conditions, events (like `kubectl describe`).
    Describe(DescribeArgs),

    /// Print a container's logs (like `kubectl logs`).
    Logs(LogsArgs),

    /// Run a command in a container of a running pod (like `kubectl exec`).
    Exec(ExecArgs),

    /// Delete pods gracefully (like `kubectl delete`).
    Delete(DeleteArgs),

    /// Remove everything podlearn created on this Docker engine for you.
    Clean(CleanArgs),

    /// Change the number of replicas of a Deployment (like `kubectl scale`).
    Scale(ScaleArgs),

    /// Create an object from another one: `podlearn create job NAME --from=cronjob/NAME`.
    Create(CreateArgs),

    /// Explain how the Horizontal Pod Autoscaler would size a Deployment.
    Autoscale(AutoscaleArgs),

    /// List the exercises, with a mark on the ones you have passed.
    Exercises,

    /// Start an exercise: show the task and write the starter manifest to edit.
    Exercise(ExerciseArgs),

    /// Grade your manifest by running it: every check, what was expected, what happened.
    Check(CheckArgs),

    /// Show the next hint for an exercise.
    Hint(HintArgs),

    /// Show the reference solution of an exercise you have passed.
    Solution(SolutionArgs),

    /// Re-check an exercise every time you save the manifest.
    Watch(WatchArgs),

    /// For course authors: prove every starter fails, every solution passes and every
    /// known wrong answer fails where it should, by running them all.
    Verify(VerifyArgs),

    /// For instructors: who finished what, from the progress files of a class.
    Report(ReportArgs),

    /// Point the real kubectl at podlearn: start your node if needed, print its kubeconfig's path.
    #[command(after_help = "Examples:
  export KUBECONFIG=$(podlearn kubeconfig)     this shell's kubectl talks to podlearn
  kubectl --kubeconfig $(podlearn kubeconfig) get pods

The node serves Pods: kubectl apply -f, create -f, get, logs and delete work
on the Pods of your manifests, and see the ones `podlearn run` started.")]
    Kubeconfig,

    /// Your node: the background podlearn process that serves the Kubernetes API to kubectl.
    Node(NodeArgs),
}

#[derive(Debug, Args)]
pub struct NodeArgs {
    #[command(subcommand)]
    pub action: NodeAction,
}

#[derive(Debug, Subcommand)]
pub enum NodeAction {
    /// Start the node in the background (if it is not running) and say where it listens.
    Start,
    /// Stop the node; the Pods it created are deleted gracefully.
    Stop,
    /// Say whether the node is running, and where.
    Status,
    /// Be the node, in the foreground (what `start` runs in the background).
    #[command(hide = true)]
    Serve,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  podlearn report /srv/class            one PODLEARN_HOME per learner: /srv/class/ann/progress.json
  podlearn report collected/*.json      files the learners sent, named after them (ann.json)
  podlearn report /srv/class --format csv > class.csv

A learner's file is the one `podlearn progress` names at its end.")]
pub struct ReportArgs {
    /// Progress files, or folders holding them (`DIR/*/progress.json`, `DIR/*.json`).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// text for people, csv for a spreadsheet, json for scripts.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    #[default]
    Text,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct LessonArgs {
    /// Lesson number (as in `podlearn lessons`) or id.
    pub lesson: String,
    /// Print straight to the terminal instead of through a pager.
    #[arg(long)]
    pub no_pager: bool,
}

#[derive(Debug, Args)]
pub struct FilesArgs {
    /// Lesson number or id.
    pub lesson: String,
    /// Folder to write into (default: ./podlearn-files).
    #[arg(short, long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QuizArgs {
    /// Lesson number or id.
    pub lesson: String,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not ask for confirmation.
    #[arg(short, long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ValidateFormat {
    /// Compiler-style messages for people.
    #[default]
    Text,
    /// One JSON document, for tools and classroom scripts.
    Json,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Manifest files (YAML or JSON); `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub format: ValidateFormat,
}

/// Options shared by every command that starts pods.
#[derive(Debug, Clone, Args)]
pub struct RuntimeArgs {
    /// Divide the kubelet's waits (restart back-off, probe periods, the grace
    /// period after a failed probe) by this factor, so a lesson does not wait
    /// minutes. The output says when this is on.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub time_scale: f64,

    /// Use another image wherever a manifest names one: `--image busybox:1.28=busybox`.
    /// May be given more than once.
    #[arg(long = "image", value_name = "FROM=TO")]
    pub image_map: Vec<String>,

    /// Allow what the safety policy refuses by default: privileged containers,
    /// host namespaces, hostPath outside podlearn's own folder, extra capabilities.
    #[arg(long)]
    pub allow_host_access: bool,
}

impl RuntimeArgs {
    /// The runtime's options these flags ask for.
    pub fn run_options(&self) -> anyhow::Result<crate::runtime::RunOptions> {
        Ok(crate::runtime::RunOptions {
            time_scale: self.time_scale,
            image_map: crate::runtime::parse_image_map(&self.image_map)?,
            allow_host_access: self.allow_host_access,
            ..Default::default()
        })
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Manifest files; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Start the pods and return; they keep running until `podlearn delete`.
    #[arg(short, long)]
    pub detach: bool,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GetKind {
    #[value(alias = "pod", alias = "po")]
    Pods,
    #[value(alias = "service", alias = "svc")]
    Services,
    #[value(alias = "endpoint", alias = "ep")]
    Endpoints,
    #[value(alias = "deployment", alias = "deploy")]
    Deployments,
    #[value(alias = "job")]
    Jobs,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Wide,
    Yaml,
    Json,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// What to list: pods, services, endpoints, deployments, jobs, all.
    #[arg(value_enum)]
    pub kind: GetKind,
    /// Only this object.
    pub name: Option<String>,
    /// Output format: wide, yaml or json.
    #[arg(short, long, value_enum)]
    pub output: Option<OutputFormat>,
    /// Keep watching and print changes (like `kubectl get pods -w`).
    #[arg(short, long)]
    pub watch: bool,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Only `pod` for now.
    #[arg(value_parser = ["pod", "pods", "po"])]
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    pub pod: String,
    /// Container name (needed when the pod has more than one).
    #[arg(short, long)]
    pub container: Option<String>,
    /// Keep printing new lines as they come.
    #[arg(short, long)]
    pub follow: bool,
    /// The logs of the previous, terminated run of the container.
    #[arg(short, long)]
    pub previous: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    pub pod: String,
    /// Container name (needed when the pod has more than one).
    #[arg(short, long)]
    pub container: Option<String>,
    /// Keep standard input open.
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a terminal.
    #[arg(short, long)]
    pub tty: bool,
    /// The command to run, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// `pod NAME...` (or `pods`); omit with -f or --all.
    pub kind: Option<String>,
    pub names: Vec<String>,
    /// Delete the objects of this manifest file.
    #[arg(short, long, value_name = "FILE")]
    pub filename: Option<PathBuf>,
    /// Delete all of your pods.
    #[arg(long)]
    pub all: bool,
    /// Seconds to wait before killing (default: each pod's terminationGracePeriodSeconds).
    #[arg(long, value_name = "SECONDS")]
    pub grace_period: Option<u64>,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// On a shared engine: also remove other learners' objects (instructors).
    #[arg(long)]
    pub all_learners: bool,
}

#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// `deployment` (or `deploy`, `replicaset`, `rs`).
    pub kind: String,
    pub name: String,
    #[arg(long)]
    pub replicas: u32,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Only `job` for now.
    pub kind: String,
    pub name: String,
    /// The source, as `cronjob/NAME`.
    #[arg(long, value_name = "cronjob/NAME")]
    pub from: String,
}

#[derive(Debug, Args)]
pub struct AutoscaleArgs {
    /// Replicas running now.
    #[arg(long)]
    pub replicas: u32,
    /// The metric's current average value per Pod (e.g. 90 for 90% CPU).
    #[arg(long)]
    pub current: f64,
    /// The target value per Pod (e.g. 50 for 50% CPU).
    #[arg(long)]
    pub target: f64,
    #[arg(long, default_value_t = 1)]
    pub min: u32,
    #[arg(long, default_value_t = 10)]
    pub max: u32,
}

#[derive(Debug, Args)]
pub struct ExerciseArgs {
    /// Exercise id (see `podlearn exercises`).
    pub id: String,
    /// Your workspace folder (default shown by the command).
    #[arg(long, env = "PODLEARN_WORKSPACE", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum CheckFormat {
    #[default]
    Text,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exercise id (default: the one you are working on).
    pub id: Option<String>,
    /// Grade this file instead of the one in your workspace.
    #[arg(short, long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    #[arg(long, env = "PODLEARN_WORKSPACE", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    #[command(flatten)]
    pub runtime: RuntimeArgs,
}

#[derive(Debug, Args)]
pub struct HintArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SolutionArgs {
    pub id: String,
    /// Show it even though you have not passed yet.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    pub id: Option<String>,
    #[arg(long, env = "PODLEARN_WORKSPACE", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Only these exercises (default: all).
    pub ids: Vec<String>,
    /// How many manifests to grade at once (default: 4 per core, from 4 to 8).
    #[arg(short, long)]
    pub jobs: Option<usize>,
}
