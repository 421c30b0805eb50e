//! `podlearn run` of Services, Deployments, Jobs and CronJobs end to end,
//! through the binary and the real engine: names resolve and round-robin, an
//! unready Pod drops out of the Service (and of the headless names), a
//! deleted replica is replaced, `scale` resizes, a Job retries up to its
//! backoffLimit then fails, `create job --from=cronjob/...` runs one now,
//! and Ctrl-C leaves nothing behind.

mod cluster_common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use cluster_common::{docker, unique_learner};

/// One learner with its own home; removes whatever is left when dropped.
struct Learner {
    name: String,
    home: tempfile::TempDir,
    runs: Vec<Child>,
}

impl Learner {
    fn new(tag: &str) -> Self {
        Learner {
            name: unique_learner(tag),
            home: tempfile::tempdir().unwrap(),
            runs: Vec::new(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_podlearn"));
        c.args(args)
            .env("PODLEARN_LEARNER", &self.name)
            .env("PODLEARN_HOME", self.home.path())
            .env("NO_COLOR", "1");
        c
    }

    fn podlearn(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn stdout(&self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.podlearn(args).stdout).into_owned()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.home.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn start_run(&mut self, file: &Path, out: &Path) {
        let log = std::fs::File::create(out).unwrap();
        let child = self
            .cmd(&["run", file.to_str().unwrap()])
            .stdout(log)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.runs.push(child);
    }

    /// Ctrl-C the runs and wait for them to end.
    fn interrupt(&mut self) {
        for c in &mut self.runs {
            Command::new("kill")
                .args(["-INT", &c.id().to_string()])
                .status()
                .unwrap();
        }
        for c in &mut self.runs {
            let start = Instant::now();
            while c.try_wait().unwrap().is_none() {
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "run did not end after Ctrl-C"
                );
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }

    fn leftovers(&self) -> String {
        let filter = format!("label=io.podlearn.learner={}", self.name);
        let (_, c, _) = docker(&["ps", "-aq", "--filter", &filter]);
        let (_, n, _) = docker(&["network", "ls", "-q", "--filter", &filter]);
        let (_, v, _) = docker(&["volume", "ls", "-q", "--filter", &filter]);
        format!("{c}{n}{v}").trim().to_string()
    }
}

impl Drop for Learner {
    fn drop(&mut self) {
        for c in &mut self.runs {
            let _ = c.kill();
            let _ = c.wait();
        }
        let _ = cluster_common::Cleanup {
            learner: self.name.clone(),
        };
    }
}

/// Poll `f` until it returns Some (30 s at most).
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: busybox
        command: ["sh", "-c", "mkdir -p /w && hostname > /w/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /w"]
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          exec: {command: ["test", "-f", "/tmp/ready"]}
          periodSeconds: 1
          timeoutSeconds: 5
---
apiVersion: v1
kind: Service
metadata: {name: front}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - {name: c, image: busybox, command: ["sleep", "3600"]}
"#;

fn web_pods(l: &Learner) -> Vec<String> {
    l.stdout(&["get", "pods"])
        .lines()
        .filter(|line| line.starts_with("web-") && line.contains("Running"))
        .map(|line| line.split_whitespace().next().unwrap().to_string())
        .collect()
}

fn endpoint_count(l: &Learner, svc: &str) -> usize {
    l.stdout(&["get", "endpoints", svc])
        .lines()
        .nth(1)
        .map(|row| {
            row.split_whitespace()
                .nth(1)
                .unwrap_or("")
                .split(',')
                .filter(|a| a.contains(':'))
                .count()
        })
        .unwrap_or(0)
}

fn client(l: &Learner, script: &str) -> String {
    l.stdout(&["exec", "client", "--", "sh", "-c", script])
}

#[test]
fn services_follow_readiness_and_replicas_are_replaced() {
    let mut l = Learner::new("run-web");
    let file = l.write("web.yaml", WEB);
    let out = l.home.path().join("run.out");
    l.start_run(&file, &out);
    eventually("two ready endpoints", || {
        (endpoint_count(&l, "front") == 2).then_some(())
    });
    let pods = web_pods(&l);
    assert_eq!(pods.len(), 2, "{pods:?}");

    // Round robin through the Service name, port 80 -> targetPort http (8080):
    // four requests, two to each Pod. (Retried while a loaded machine makes
    // a probe time out and a Pod flap out of the Service for a moment.)
    let mut last = String::new();
    eventually("a strict round robin over both Pods", || {
        last = client(
            &l,
            "for i in 1 2 3 4; do timeout 5 wget -qO- http://front.default.svc.cluster.local/; done",
        );
        pods.iter()
            .all(|p| last.lines().filter(|a| a == p).count() == 2)
            .then_some(())
    });
    assert_eq!(last.lines().count(), 4, "{last}");
    // The headless names resolve to both Pods.
    let dns = |l: &Learner| {
        client(
            l,
            "nslookup web.default.svc.cluster.local | grep -c '^Address: 10.213.'",
        )
    };
    assert_eq!(dns(&l).trim(), "2");

    // One Pod turns unready: it leaves the Service and the headless names.
    l.podlearn(&["exec", &pods[0], "--", "rm", "/tmp/ready"]);
    eventually("one ready endpoint", || {
        (endpoint_count(&l, "front") == 1).then_some(())
    });
    // `-o wide` says which Pods back the Service and which wait, unready.
    let wide = l.stdout(&["get", "endpoints", "front", "-o", "wide"]);
    let row: Vec<&str> = wide.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(
        (row[2], row[3]),
        (pods[1].as_str(), pods[0].as_str()),
        "{wide}"
    );
    let answers = client(
        &l,
        "for i in 1 2 3; do timeout 5 wget -qO- http://front/; done",
    );
    assert_eq!(
        answers.lines().collect::<Vec<_>>(),
        vec![pods[1].as_str(); 3]
    );
    eventually("headless names without the unready Pod", || {
        (dns(&l).trim() == "1").then_some(())
    });

    // A deleted replica is replaced with a new name.
    let deleted = l.podlearn(&["delete", "pod", &pods[1], "--grace-period", "1"]);
    assert!(deleted.status.success(), "{deleted:?}");
    let now = eventually("a replacement", || {
        let now = web_pods(&l);
        (now.len() == 2 && !now.contains(&pods[1])).then_some(now)
    });
    assert!(now.contains(&pods[0]));

    let scaled = l.stdout(&["scale", "deployment", "web", "--replicas", "3"]);
    assert_eq!(scaled.trim(), "deployment.apps/web scaled");
    eventually("three replicas", || (web_pods(&l).len() == 3).then_some(()));
    let deployments = l.stdout(&["get", "deployments"]);
    assert!(
        deployments.lines().nth(1).unwrap().starts_with("web "),
        "{deployments}"
    );
    let services = l.stdout(&["get", "services"]);
    assert!(
        services.contains("front   ClusterIP   10.213."),
        "{services}"
    );
    assert!(services.contains("web     ClusterIP   None"), "{services}");
    let all = l.stdout(&["get", "all"]);
    assert!(
        all.contains("client ")
            && all.contains("service/front ")
            && all.contains("deployment.apps/web "),
        "{all}"
    );

    l.interrupt();
    assert_eq!(l.leftovers(), "", "objects left after Ctrl-C");
    let log = std::fs::read_to_string(&out).unwrap();
    assert!(
        log.contains("is gone") && log.contains("scaled to 3"),
        "{log}"
    );
    // Nothing runs now: get says so, and scale names the mistake (exit 1).
    assert_eq!(
        l.podlearn(&["scale", "deployment", "web", "--replicas", "1"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn a_job_retries_up_to_its_backoff_limit_then_fails() {
    let l = Learner::new("run-job");
    let file = l.write(
        "job.yaml",
        r#"
apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: ["sh", "-c", "exit 1"]}]
---
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 2
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: main, image: busybox, command: ["echo", "3.14"]}]
"#,
    );
    let out = l.podlearn(&["run", "--time-scale", "20", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("job/flaky: Failed (BackoffLimitExceeded"),
        "{text}"
    );
    assert!(text.contains("job/pi: Complete"), "{text}");
    // The first try and two retries.
    assert_eq!(text.matches(": Failed (not ready)").count(), 3, "{text}");
    assert_eq!(l.leftovers(), "");
}

#[test]
fn a_cronjob_is_explained_and_run_once_on_request() {
    let mut l = Learner::new("run-cron");
    let file = l.write(
        "cron.yaml",
        r#"
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: main, image: busybox, command: ["echo", "hello"]}]
"#,
    );
    let out = l.home.path().join("run.out");
    l.start_run(&file, &out);
    eventually("the explanation", || {
        let log = std::fs::read_to_string(&out).ok()?;
        log.contains("next runs on a cluster:").then_some(())
    });
    let created = eventually("the CronJob to be known", || {
        let o = l.podlearn(&["create", "job", "hello-now", "--from=cronjob/hello"]);
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
    });
    assert!(
        created.starts_with("job.batch/hello-now created"),
        "{created}"
    );
    eventually("the Job to complete", || {
        l.stdout(&["get", "jobs"])
            .contains("hello-now   Complete   1/1")
            .then_some(())
    });
    let wrong = l.podlearn(&["create", "job", "x", "--from=cronjob/nope"]);
    assert_eq!(wrong.status.code(), Some(1));
    l.interrupt();
    assert_eq!(l.leftovers(), "");
}

#[test]
fn a_killed_run_is_swept_by_the_next_podlearn() {
    let mut l = Learner::new("run-kill");
    let file = l.write("web.yaml", WEB);
    let out = l.home.path().join("run.out");
    l.start_run(&file, &out);
    eventually("two ready endpoints", || {
        (endpoint_count(&l, "front") == 2).then_some(())
    });
    // SIGKILL: no cleanup by the run itself.
    for c in &mut l.runs {
        c.kill().unwrap();
        c.wait().unwrap();
    }
    assert_ne!(l.leftovers(), "", "the kill should leave the objects");
    // The dead run's tables are gone from `get` at once.
    let o = l.podlearn(&["get", "services"]);
    assert!(o.status.success() && o.stdout.is_empty(), "{o:?}");
    // The next podlearn that touches the engine sweeps what the dead run left.
    assert!(l.podlearn(&["get", "pods"]).status.success());
    eventually("the sweep", || l.leftovers().is_empty().then_some(()));
}
