//! `podlearn get services|endpoints|deployments|jobs`, `podlearn scale` and
//! `podlearn create job --from=cronjob/NAME` from any terminal: they read
//! the snapshots of the learner's live runs and leave requests for them
//! (see `store`).

use std::io::Write;
use std::time::{Duration, Instant};

use super::render;
use super::store::{self, Request, RunFiles, Snapshot};
use crate::exit::{Outcome, learner_error};
use crate::term::Style;

/// The kinds this module lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Services,
    Endpoints,
    Deployments,
    Jobs,
}

impl Kind {
    fn header(self) -> &'static [&'static str] {
        match self {
            Kind::Services => render::SERVICES,
            Kind::Endpoints => render::ENDPOINTS,
            Kind::Deployments => render::DEPLOYMENTS,
            Kind::Jobs => render::JOBS,
        }
    }

    fn rows(self, s: &Snapshot) -> &[Vec<String>] {
        match self {
            Kind::Services => &s.services,
            Kind::Endpoints => &s.endpoints,
            Kind::Deployments => &s.deployments,
            Kind::Jobs => &s.jobs,
        }
    }

    /// kubectl's resource name in messages (`services "web" not found`).
    fn resource(self) -> &'static str {
        match self {
            Kind::Services => "services",
            Kind::Endpoints => "endpoints",
            Kind::Deployments => "deployments.apps",
            Kind::Jobs => "jobs.batch",
        }
    }
}

/// Print the table of one kind from the learner's live runs. The name, when
/// given, must exist (kubectl's `services "x" not found`, exit 1).
pub fn print(
    out: &mut impl Write,
    style: Style,
    kind: Kind,
    name: Option<&str>,
    wide: bool,
) -> anyhow::Result<Outcome> {
    let learner = crate::runtime::current_learner();
    let snaps = store::live_snapshots(&learner)?;
    let rows: Vec<Vec<String>> = snaps
        .iter()
        .flat_map(|(s, _)| kind.rows(s).iter().cloned())
        .filter(|r| name.is_none_or(|n| r.first().map(String::as_str) == Some(n)))
        .collect();
    if rows.is_empty() {
        if let Some(n) = name {
            return Err(learner_error(format!(
                "{} {n:?} not found (they exist while `podlearn run FILE` runs them)",
                kind.resource()
            )));
        }
        eprintln!(
            "No resources found. {}",
            style
                .dim("(Services, Deployments and Jobs exist while `podlearn run FILE` runs them.)")
        );
        return Ok(Outcome::Success);
    }
    if kind == Kind::Endpoints {
        let (header, view) = render::endpoints_view(&rows, wide);
        render::table(out, style, header, &view)?;
        let waiting = rows
            .iter()
            .filter(|r| r.get(4).is_some_and(|c| c != "<none>"))
            .count();
        if !wide && waiting > 0 {
            writeln!(
                out,
                "{}",
                style.dim(&format!(
                    "({waiting} with Pods that match but are not ready: `podlearn get endpoints -o wide` names them)"
                ))
            )?;
        }
    } else {
        render::table(out, style, kind.header(), &rows)?;
    }
    Ok(Outcome::Success)
}

/// The end of `podlearn get all`: Services, Deployments and Jobs of the
/// learner's live runs, named `kind/name` as kubectl does (no Endpoints).
pub fn print_all(out: &mut impl Write, style: Style) -> anyhow::Result<()> {
    let learner = crate::runtime::current_learner();
    let snaps = store::live_snapshots(&learner)?;
    for (kind, prefix) in [
        (Kind::Services, "service/"),
        (Kind::Deployments, "deployment.apps/"),
        (Kind::Jobs, "job.batch/"),
    ] {
        let rows: Vec<Vec<String>> = snaps
            .iter()
            .flat_map(|(s, _)| kind.rows(s).iter().cloned())
            .map(|mut r| {
                if let Some(name) = r.first_mut() {
                    name.insert_str(0, prefix);
                }
                r
            })
            .collect();
        if !rows.is_empty() {
            writeln!(out)?;
            render::table(out, style, kind.header(), &rows)?;
        }
    }
    Ok(())
}

fn find(
    snaps: &[(Snapshot, RunFiles)],
    pick: impl Fn(&Snapshot) -> bool,
) -> Option<&(Snapshot, RunFiles)> {
    snaps.iter().find(|(s, _)| pick(s))
}

/// Wait (up to 5 s) until the run shows what was asked.
fn wait_for(learner: &str, files: &RunFiles, done: impl Fn(&Snapshot) -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(snaps) = store::live_snapshots(learner)
            && snaps
                .iter()
                .any(|(s, f)| f.snapshot == files.snapshot && done(s))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// `podlearn scale deployment NAME --replicas N`.
pub fn scale(
    out: &mut impl Write,
    kind: &str,
    name: &str,
    replicas: u32,
) -> anyhow::Result<Outcome> {
    let (resource, plural) = match kind {
        "deployment" | "deployments" | "deploy" => ("deployment.apps", "deployments.apps"),
        "replicaset" | "replicasets" | "rs" => ("replicaset.apps", "replicasets.apps"),
        other => {
            return Err(learner_error(format!(
                "cannot scale {other:?}: podlearn scales a deployment or a replicaset \
                 (`podlearn scale deployment NAME --replicas N`)"
            )));
        }
    };
    let learner = crate::runtime::current_learner();
    let snaps = store::live_snapshots(&learner)?;
    let has = |s: &Snapshot| {
        s.deployments
            .iter()
            .any(|r| r.first().map(String::as_str) == Some(name))
    };
    let Some((_, files)) = find(&snaps, has) else {
        return Err(learner_error(format!(
            "{plural} {name:?} not found: a Deployment exists while `podlearn run FILE` runs it \
             (start it in another terminal, then scale it here)"
        )));
    };
    store::send(
        files,
        &Request::Scale {
            name: name.into(),
            replicas,
        },
    )?;
    let wanted = format!("/{replicas}");
    let applied = wait_for(&learner, files, |s| {
        s.deployments.iter().any(|r| {
            r.first().map(String::as_str) == Some(name)
                && r.get(1).is_some_and(|c| c.ends_with(&wanted))
        })
    });
    if !applied {
        anyhow::bail!(
            "the `podlearn run` that runs {resource}/{name} did not take the request within 5 s"
        );
    }
    writeln!(out, "{resource}/{name} scaled")?;
    Ok(Outcome::Success)
}

/// `podlearn create job NAME --from=cronjob/CRON`.
pub fn create_job(
    out: &mut impl Write,
    kind: &str,
    name: &str,
    from: &str,
) -> anyhow::Result<Outcome> {
    if kind != "job" {
        return Err(learner_error(format!(
            "podlearn creates only a job from a cronjob (`podlearn create job NAME --from=cronjob/NAME`), not {kind:?}"
        )));
    }
    let Some(cron) = from
        .strip_prefix("cronjob/")
        .or_else(|| from.strip_prefix("cronjobs/"))
    else {
        return Err(learner_error(format!(
            "--from={from}: write --from=cronjob/NAME (the only source kubectl accepts for a job)"
        )));
    };
    let learner = crate::runtime::current_learner();
    let snaps = store::live_snapshots(&learner)?;
    let Some((_, files)) = find(&snaps, |s| s.cronjobs.iter().any(|c| c == cron)) else {
        return Err(learner_error(format!(
            "cronjobs.batch {cron:?} not found: run the file that defines it (`podlearn run FILE`) \
             in another terminal, then create the job here"
        )));
    };
    if find(&snaps, |s| {
        s.jobs
            .iter()
            .any(|r| r.first().map(String::as_str) == Some(name))
    })
    .is_some()
    {
        return Err(learner_error(format!("jobs.batch {name:?} already exists")));
    }
    store::send(
        files,
        &Request::CreateJobFromCronJob {
            job: name.into(),
            cronjob: cron.into(),
        },
    )?;
    let created = wait_for(&learner, files, |s| {
        s.jobs
            .iter()
            .any(|r| r.first().map(String::as_str) == Some(name))
    });
    if !created {
        anyhow::bail!(
            "the `podlearn run` that has cronjob/{cron} did not take the request within 5 s"
        );
    }
    writeln!(
        out,
        "job.batch/{name} created (follow it with `podlearn get jobs`)"
    )?;
    Ok(Outcome::Success)
}
