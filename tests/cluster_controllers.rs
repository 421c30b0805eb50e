//! The ReplicaSet and Job controllers against the real engine: a deleted
//! replica is replaced and `scale` resizes; a failing Job retries up to its
//! backoffLimit, then fails; a good Job completes its completions.

mod cluster_common;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use cluster_common::*;
use podlearn::cluster::control::ControlPlane;
use podlearn::cluster::replicaset::ALPHABET;
use podlearn::cluster::{PodEngine, network};
use podlearn::manifest::model::{
    Deployment, Job, JobSpec, LabelSelector, ObjectMeta, RestartPolicy,
};
use podlearn::status::Phase;

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: name.into(),
        namespace: "default".into(),
        ..Default::default()
    }
}

async fn setup(tag: &str) -> (Cleanup, CliEngine, CliPods, ControlPlane) {
    let learner = unique_learner(tag);
    let cleanup = Cleanup {
        learner: learner.clone(),
    };
    let engine = CliEngine;
    let plane = ControlPlane::start(&engine, &learner, "default", labels(&learner), 100.0)
        .await
        .unwrap();
    let pods = CliPods {
        learner: learner.clone(),
        network: network::network_name(&learner, "default"),
        started: Mutex::new(BTreeMap::new()),
    };
    (cleanup, engine, pods, plane)
}

/// Tick until `done` holds (or 30 s pass); every line said.
async fn tick_until(
    plane: &mut ControlPlane,
    engine: &CliEngine,
    pods: &CliPods,
    done: impl Fn(&ControlPlane, &[podlearn::cluster::PodObservation]) -> bool,
) -> Vec<String> {
    let start = Instant::now();
    let mut said = Vec::new();
    loop {
        said.extend(plane.tick(engine, pods).await.unwrap());
        let observed = pods.observe().await.unwrap();
        if done(plane, &observed) {
            return said;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out; said: {said:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn running(observed: &[podlearn::cluster::PodObservation]) -> Vec<String> {
    observed
        .iter()
        .filter(|p| p.phase == Phase::Running)
        .map(|p| p.name.clone())
        .collect()
}

/// Deployment web of 2 replicas, `app: web` Pods that sleep.
fn web_deployment(paused: bool) -> Deployment {
    Deployment {
        metadata: meta("web"),
        replicas: 2,
        selector: LabelSelector {
            match_labels: BTreeMap::from([("app".to_string(), "web".to_string())]),
            match_expressions: vec![],
        },
        template: template(&[("app", "web")], "exec sleep 300", RestartPolicy::Always),
        paused,
    }
}

/// Created paused, a Deployment has no ReplicaSet, so no Pods, as on a
/// cluster; `get deployments` shows it at 0 of its replicas.
#[tokio::test]
async fn a_deployment_created_paused_makes_no_pods() {
    let (_cleanup, engine, pods, mut plane) = setup("paused").await;
    plane.add_deployment(&web_deployment(true));
    for _ in 0..5 {
        let said = plane.tick(&engine, &pods).await.unwrap();
        assert!(said.is_empty(), "{said:?}");
        assert_eq!(pods.observe().await.unwrap().len(), 0);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_deleted_replica_is_replaced_and_scale_resizes() {
    let (_cleanup, engine, pods, mut plane) = setup("rs").await;
    plane.add_deployment(&web_deployment(false));
    tick_until(&mut plane, &engine, &pods, |_, o| running(o).len() == 2).await;
    let first = running(&pods.observe().await.unwrap());
    for name in &first {
        // web-<hash>-<5 characters>
        let parts: Vec<&str> = name.split('-').collect();
        assert_eq!(parts.len(), 3, "{name}");
        assert_eq!(parts[0], "web");
        assert_eq!(parts[2].len(), 5);
        assert!(
            format!("{}{}", parts[1], parts[2])
                .bytes()
                .all(|b| ALPHABET.contains(&b)),
            "{name}"
        );
    }
    let row = plane
        .deployment_rows(&pods.observe().await.unwrap())
        .remove(0);
    assert_eq!((row.ready, row.replicas), (2, 2));

    // Delete one replica behind the controller's back.
    docker_ok(&["rm", "-f", &pods.container_name(&first[0])]);
    let said = tick_until(&mut plane, &engine, &pods, |_, o| running(o).len() == 2).await;
    let now = running(&pods.observe().await.unwrap());
    assert!(
        !now.contains(&first[0]) && now.contains(&first[1]),
        "{now:?}"
    );
    assert!(
        said.iter()
            .any(|s| s.contains(&format!("pod {} is gone", first[0]))),
        "{said:?}"
    );

    assert!(plane.scale("web", 3));
    tick_until(&mut plane, &engine, &pods, |_, o| running(o).len() == 3).await;
    assert!(plane.scale("web", 1));
    tick_until(&mut plane, &engine, &pods, |_, o| running(o).len() == 1).await;
    assert!(!plane.scale("nope", 1));
    plane.teardown(&engine, &pods).await.unwrap();
    assert!(pods.observe().await.unwrap().is_empty());
}

fn job(name: &str, script: &str, completions: u32, backoff_limit: u32) -> Job {
    Job {
        metadata: meta(name),
        spec: JobSpec {
            completions: Some(completions),
            parallelism: 1,
            backoff_limit,
            active_deadline_seconds: None,
            template: template(&[], script, RestartPolicy::Never),
        },
    }
}

#[tokio::test]
async fn a_failing_job_retries_up_to_its_backoff_limit_then_fails() {
    let (_cleanup, engine, pods, mut plane) = setup("job").await;
    plane.add_job(&job("bad", "exit 3", 1, 2));
    let said = tick_until(&mut plane, &engine, &pods, |p, _| p.jobs_done()).await;
    let row = plane.job_rows().remove(0);
    assert_eq!(row.status, "Failed");
    assert_eq!(row.completions, "0/1");
    assert!(plane.any_job_failed());
    // The first try and backoffLimit (2) retries: three Pods, all failed.
    let observed = pods.observe().await.unwrap();
    assert_eq!(observed.len(), 3, "{observed:?}");
    assert!(
        observed
            .iter()
            .all(|p| p.phase == Phase::Failed && p.name.starts_with("bad-"))
    );
    assert!(
        said.iter()
            .any(|s| s.contains("job/bad: Failed (BackoffLimitExceeded")),
        "{said:?}"
    );
    plane.teardown(&engine, &pods).await.unwrap();
}

#[tokio::test]
async fn a_job_completes_its_completions() {
    let (_cleanup, engine, pods, mut plane) = setup("jobok").await;
    plane.add_job(&job("pi", "echo 3.14", 2, 6));
    tick_until(&mut plane, &engine, &pods, |p, _| p.jobs_done()).await;
    let row = plane.job_rows().remove(0);
    assert_eq!(
        (row.status.as_str(), row.completions.as_str()),
        ("Complete", "2/2")
    );
    assert!(!plane.any_job_failed());
    plane.teardown(&engine, &pods).await.unwrap();
}
