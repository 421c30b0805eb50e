//! `podlearn check [<id>]`: validate the learner's manifest, run it, grade
//! every check, tear the pod down, print the report, record a pass.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{CheckArgs, CheckFormat, RuntimeArgs};
use crate::cmd::Ctx;
use crate::content::ContentSource;
use crate::exercise::{Catalog, Exercise};
use crate::exit::{Outcome, learner_error};
use crate::grade::GradeOptions;
use crate::grade::session::{self, Graded};
use crate::report;
use crate::workspace::Workspace;

pub fn run(ctx: &Ctx, args: CheckArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::load(&ContentSource::new(ctx.course_dir.as_deref()))?;
    let ws = Workspace::resolve(args.workspace.as_deref());
    let store = crate::progress::Store::open()?;
    let id = match args.id.clone().or(store.load()?.current_exercise) {
        Some(id) => id,
        None => {
            let ids: Vec<&str> = catalog.exercises.iter().map(|e| e.id.as_str()).collect();
            return Err(learner_error(format!(
                "Which exercise? Run `podlearn check <id>`, or start one with `podlearn exercise <id>`.\nThe exercises are: {}",
                ids.join(", ")
            )));
        }
    };
    let ex = catalog.get(&id)?;
    let path = args
        .file
        .clone()
        .unwrap_or_else(|| ws.manifest_path(&ex.id));
    check_file(ctx, ex, &path, args.format, &args.runtime)
}

/// Grade `path` for `ex` and print the report; shared with `watch` and `start`.
pub(crate) fn check_file(
    ctx: &Ctx,
    ex: &Exercise,
    path: &Path,
    format: CheckFormat,
    runtime: &RuntimeArgs,
) -> anyhow::Result<Outcome> {
    let text = session::read_manifest(path, &ex.id)?;
    let opts = GradeOptions {
        time_scale: runtime.time_scale,
        allow_host_access: runtime.allow_host_access,
        ..GradeOptions::default()
    };
    let scale = ex.time_scale.unwrap_or(runtime.time_scale);
    let style_err = ctx.color.err();
    if let Some(notice) = crate::runtime::RunOptions::time_scale_notice(scale)
        && format == CheckFormat::Text
    {
        eprintln!("{}", style_err.note(&format!("note: {notice}")));
    }
    let spinner = spinner(format);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("Failed to start the async runtime")?;
    let file = path.display().to_string();
    let graded = rt.block_on(async {
        let launcher = session::connect(runtime.run_options()?).await?;
        let mut stderr = std::io::stderr();
        let mut progress = |what: &str| spinner.set_message(what.to_string());
        session::grade_text(
            ex,
            &file,
            &text,
            &launcher,
            &opts,
            (style_err, &mut stderr),
            &mut progress,
        )
        .await
    });
    spinner.finish_and_clear();
    let report = match graded? {
        Graded::Invalid => {
            eprintln!(
                "{} fix the errors above in {file}, then check again (nothing was run).",
                style_err.bad("not checked:")
            );
            return Ok(Outcome::Failed);
        }
        Graded::Report(r) => r,
    };
    let mut out = std::io::stdout().lock();
    match format {
        CheckFormat::Text => report::render_text(&report, ctx.color.out(), &mut out)?,
        CheckFormat::Json => report::render_json(&report, &mut out)?,
        CheckFormat::Junit => report::render_junit(&report, &mut out)?,
    }
    if report.passed {
        let passed_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        crate::progress::Store::open()?.update(|p| {
            p.exercises_passed
                .entry(ex.id.clone())
                .or_insert(crate::progress::PassRecord {
                    passed_at,
                    seconds: report.seconds,
                });
        })?;
        if format == CheckFormat::Text {
            writeln!(
                out,
                "Well done. The reference solution: {}",
                ctx.color
                    .out()
                    .command(&format!("podlearn solution {}", ex.id))
            )?;
        }
    }
    Ok(Outcome::from_bool(report.passed))
}

fn spinner(format: CheckFormat) -> ProgressBar {
    if format != CheckFormat::Text || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        pb.set_style(style);
    }
    pb.set_message("validating");
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}
