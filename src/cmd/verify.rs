//! `podlearn verify`: for every exercise, for real on the engine and in
//! parallel, the starter fails, the reference solution and every alternative
//! right answer pass, and every known wrong answer fails on the check it
//! names, with its message.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use futures_util::StreamExt;

use crate::cli::VerifyArgs;
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::{Catalog, Exercise};
use crate::exit::Outcome;
use crate::grade::engine::EngineLauncher;
use crate::grade::session::{self, Graded};
use crate::grade::{GradeOptions, Launcher};
use crate::term::Style;

/// What one manifest of an exercise must do.
#[derive(Debug, Clone)]
pub enum Expect {
    Pass,
    Fail,
    FailOn { check: String, message: String },
}

/// One manifest to grade.
#[derive(Debug, Clone)]
pub struct Case<'a> {
    pub exercise: &'a Exercise,
    pub label: String,
    pub manifest: String,
    pub expect: Expect,
}

/// Every case of these exercises: starter, solution, each right and wrong answer.
pub fn cases<'a>(exercises: &[&'a Exercise]) -> Vec<Case<'a>> {
    let mut out = Vec::new();
    for ex in exercises {
        out.push(Case {
            exercise: ex,
            label: "starter.yaml".into(),
            manifest: ex.starter.clone(),
            expect: Expect::Fail,
        });
        out.push(Case {
            exercise: ex,
            label: "solution.yaml".into(),
            manifest: ex.solution.clone(),
            expect: Expect::Pass,
        });
        for r in &ex.right {
            out.push(Case {
                exercise: ex,
                label: format!("right/{}", r.file),
                manifest: r.manifest.clone(),
                expect: Expect::Pass,
            });
        }
        for w in &ex.wrong {
            out.push(Case {
                exercise: ex,
                label: format!("wrong/{}", w.file),
                manifest: w.manifest.clone(),
                expect: Expect::FailOn {
                    check: w.fails.clone(),
                    message: w.message.clone(),
                },
            });
        }
    }
    out
}

/// Grade one case; `Ok(None)` when it behaved as it must, `Ok(Some(why))` when not.
pub async fn verify_case<L: Launcher>(
    launcher: &L,
    case: &Case<'_>,
) -> anyhow::Result<Option<String>> {
    let opts = GradeOptions::default();
    let mut diag = Vec::new();
    let file = format!("exercises/{}/{}", case.exercise.id, case.label);
    let graded = session::grade_text(
        case.exercise,
        &file,
        &case.manifest,
        launcher,
        &opts,
        (Style::PLAIN, &mut diag),
        &mut |_| {},
    )
    .await;
    let report = match graded {
        Ok(Graded::Report(r)) => r,
        Ok(Graded::Invalid) => {
            return Ok(Some(format!(
                "does not validate:\n{}",
                String::from_utf8_lossy(&diag)
            )));
        }
        Err(e) if e.downcast_ref::<crate::exit::LearnerError>().is_some() => {
            return Ok(Some(format!("{e}")));
        }
        Err(e) => return Err(e),
    };
    let failed: Vec<String> = report
        .outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| {
            format!(
                "{} (expected {}; observed {})",
                o.id, o.expected, o.observed
            )
        })
        .collect();
    Ok(match &case.expect {
        Expect::Pass if report.passed => None,
        Expect::Pass => Some(format!("must pass, but failed: {}", failed.join("; "))),
        Expect::Fail if !report.passed => None,
        Expect::Fail => Some("must fail, but passed every check".into()),
        Expect::FailOn { check, message } => {
            match report.outcomes.iter().find(|o| &o.id == check) {
                Some(o) if !o.passed && o.text().contains(message.as_str()) => None,
                Some(o) if !o.passed => Some(format!(
                    "fails {check} as it must, but the learner does not see {message:?}; they see: {}",
                    o.text().replace('\n', " | ")
                )),
                Some(_) => Some(format!(
                    "must fail {check}, but it passed{}",
                    if failed.is_empty() {
                        String::new()
                    } else {
                        format!(" (it failed: {})", failed.join("; "))
                    }
                )),
                None => Some(format!("must fail {check}, which did not run")),
            }
        }
    })
}

pub fn run(ctx: &Ctx, args: VerifyArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let chosen: Vec<&Exercise> = if args.ids.is_empty() {
        catalog.exercises.iter().collect()
    } else {
        args.ids
            .iter()
            .map(|id| catalog.get(id))
            .collect::<anyhow::Result<_>>()?
    };
    let cases = cases(&chosen);
    // Grading mostly waits (for containers to start, restart, answer), so
    // more manifests than cores run at once. On 2 cores the built-in course
    // (126 manifests) takes about 8 min two at a time, 160 s eight at a time.
    let jobs = args
        .jobs
        .unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            (cores * 4).clamp(4, 8)
        })
        .max(1);
    let style = ctx.color.out();
    let started = Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("Failed to start the async runtime")?;
    println!(
        "verifying {} exercises ({} manifests, {jobs} at a time) from {}",
        chosen.len(),
        cases.len(),
        catalog.source.describe()
    );
    let results = rt.block_on(async {
        let launcher = EngineLauncher::connect(crate::runtime::RunOptions::default()).await?;
        let launcher = &launcher;
        let results: Vec<(usize, anyhow::Result<Option<String>>, f64)> =
            futures_util::stream::iter(cases.iter().enumerate())
                .map(|(i, case)| async move {
                    let t = Instant::now();
                    let r = verify_case(launcher, case).await;
                    let secs = t.elapsed().as_secs_f64();
                    print_case(style, case, &r, secs);
                    (i, r, secs)
                })
                .buffer_unordered(jobs)
                .collect()
                .await;
        anyhow::Ok(results)
    })?;
    let mut bad = 0;
    let mut engine_error = None;
    for (_, r, _) in results {
        match r {
            Ok(None) => {}
            Ok(Some(_)) => bad += 1,
            Err(e) => engine_error = Some(e),
        }
    }
    if let Some(e) = engine_error {
        return Err(e.context("verify could not run every exercise"));
    }
    let secs = started.elapsed().as_secs_f64();
    if bad == 0 {
        println!(
            "{} {} manifests behaved as their exercises say, in {secs:.1}s",
            style.ok("verified:"),
            cases.len()
        );
    } else {
        println!(
            "{} {bad} of {} manifests did not behave as their exercises say ({secs:.1}s)",
            style.bad("FAILED:"),
            cases.len()
        );
    }
    Ok(Outcome::from_bool(bad == 0))
}

fn print_case(style: Style, case: &Case<'_>, r: &anyhow::Result<Option<String>>, secs: f64) {
    let what = match &case.expect {
        Expect::Pass => "passes".to_string(),
        Expect::Fail => "fails".to_string(),
        Expect::FailOn { check, .. } => format!("fails {check}"),
    };
    let name = format!("{}/{}", case.exercise.id, case.label);
    let mut out = std::io::stdout().lock();
    let _ = match r {
        Ok(None) => writeln!(
            out,
            "  {} {name} {what} {}",
            style.ok("ok "),
            style.dim(&format!("{secs:.1}s"))
        ),
        Ok(Some(why)) => writeln!(out, "  {} {name}: {why}", style.bad("BAD")),
        Err(e) => writeln!(out, "  {} {name}: {e:#}", style.bad("ERR")),
    };
}
