//! The Docker engine, through bollard: the only module that imports it. A
//! narrow interface of what the runtime needs, with engine errors turned into
//! messages that say what to do.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, SystemTime};

use anyhow::{Context, anyhow, bail};
use bollard::Docker;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use bollard::models::{
    ContainerCreateBody, HostConfig, Mount, MountType, MountVolumeOptions, RestartPolicy,
    RestartPolicyNameEnum, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, CreateImageOptions, KillContainerOptions, ListContainersOptions,
    ListVolumesOptions, LogsOptions, RemoveContainerOptions, RemoveVolumeOptions,
    StopContainerOptions, UploadToContainerOptions, WaitContainerOptions,
};
use futures_util::{Stream, StreamExt};

use super::plan::{ContainerSpec, MountSpec};

mod network;

/// The oldest engine API podlearn works with.
const MIN_API: (u32, u32) = (1, 40);

/// A connection to the engine.
#[derive(Clone)]
pub struct Api {
    docker: Docker,
}

/// What `docker inspect` tells about a container's state.
#[derive(Debug, Clone, Default)]
pub struct Inspected {
    pub running: bool,
    pub exit_code: i64,
    pub oom_killed: bool,
    pub started_at: Option<SystemTime>,
    pub finished_at: Option<SystemTime>,
    /// IP address on its network (the sandbox's is the pod IP).
    pub ip: Option<String>,
}

/// A container found by labels.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub labels: BTreeMap<String, String>,
}

/// The other end of an attached exec (see [`Api::exec_attached`]).
pub struct AttachedIo<'a> {
    pub tty: bool,
    pub input: tokio::sync::mpsc::Receiver<Vec<u8>>,
    /// Width and height of the terminal, first and on every change.
    pub resize: tokio::sync::mpsc::Receiver<(u16, u16)>,
    pub output: &'a mut (dyn FnMut(bool, &[u8]) + Send),
}

/// What a command run with `exec` produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecOutput {
    pub exit_code: i64,
    pub stdout: String,
    pub stderr: String,
}

fn parse_time(s: &Option<String>) -> Option<SystemTime> {
    let s = s.as_deref()?;
    if s.starts_with("0001-") {
        return None;
    }
    // Keep Docker's fractions of a second: the `order` check compares one
    // container's finish with the next one's start, often within a second.
    humantime::parse_rfc3339_weak(s)
        .or_else(|_| humantime::parse_rfc3339_weak(s.split('.').next().unwrap_or(s)))
        .ok()
}

/// Whether an engine call failed because the network it named was removed
/// meanwhile (the engine says so only in words).
pub fn network_vanished(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        let text = c.to_string();
        text.contains("network") && text.contains("not found")
    })
}

/// The HTTP status of an engine error, if it has one.
pub fn status_of(err: &anyhow::Error) -> Option<u16> {
    err.chain()
        .find_map(|e| match e.downcast_ref::<bollard::errors::Error>() {
            Some(bollard::errors::Error::DockerResponseServerError { status_code, .. }) => {
                Some(*status_code)
            }
            _ => None,
        })
}

/// `result`, with the engine's answers in `fine` (a container already
/// stopped, gone, being removed) counted as done: the state asked for holds.
pub(super) fn done_unless<T>(
    result: Result<T, bollard::errors::Error>,
    fine: &[u16],
    done: T,
) -> anyhow::Result<T> {
    result.or_else(|e| {
        let e = anyhow::Error::new(e);
        match status_of(&e) {
            Some(code) if fine.contains(&code) => Ok(done),
            _ => Err(e),
        }
    })
}

/// The engine's "no such container" or exec instance (404) and "container is
/// not running, restarting or paused" (409) are the container's state, not
/// its failure.
/// A container that exits between creating an exec and starting it comes
/// back as a 500 with the same words: the one place that reads them.
fn unavailable_if_gone(err: bollard::errors::Error) -> anyhow::Error {
    match &err {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } if matches!(status_code, 404 | 409)
            || (*status_code == 500
                && [
                    "is not running",
                    "is restarting",
                    "is paused",
                    "No such container",
                ]
                .iter()
                .any(|w| message.contains(w))) =>
        {
            super::ContainerUnavailable(message.clone()).into()
        }
        _ => err.into(),
    }
}

fn label_filter(labels: &BTreeMap<String, String>) -> HashMap<String, Vec<String>> {
    let mut f = HashMap::new();
    f.insert(
        "label".to_string(),
        labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
    );
    f
}

fn connect_help(host: &str, err: &(dyn std::error::Error + 'static)) -> anyhow::Error {
    // The client's own message hides the cause ("client error (Connect)"):
    // the operating system's error is further down the chain.
    let mut cause: &(dyn std::error::Error + 'static) = err;
    let mut denied = false;
    loop {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            denied |= io.kind() == std::io::ErrorKind::PermissionDenied;
        }
        match cause.source() {
            Some(next) => cause = next,
            None => break,
        }
    }
    let text = cause.to_string();
    if denied || text.contains("ermission denied") {
        anyhow!(
            "permission denied on the Docker engine at {host}.\n  fix: add yourself to the \
             `docker` group (`sudo usermod -aG docker $USER`, then log in again), or set \
             DOCKER_HOST to an engine you may use."
        )
    } else {
        anyhow!(
            "cannot reach the Docker engine at {host} ({text}).\n  fix: start Docker (`sudo \
             systemctl start docker`, or Docker Desktop), or set DOCKER_HOST to the engine's \
             address (e.g. unix:///var/run/docker.sock)."
        )
    }
}

impl Api {
    /// Connect to `DOCKER_HOST` (or the default socket) and agree on an API version.
    pub async fn connect() -> anyhow::Result<Api> {
        let host = std::env::var("DOCKER_HOST")
            .unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string());
        let docker = Docker::connect_with_defaults().map_err(|e| connect_help(&host, &e))?;
        // One round trip: negotiation lowers the client's version to the
        // engine's when the engine is older, so that is what is checked.
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| connect_help(&host, &e))?;
        let v = docker.client_version();
        let (major, minor) = (v.major_version as u32, v.minor_version as u32);
        if (major, minor) < MIN_API {
            bail!(
                "the Docker engine at {host} speaks API {major}.{minor}, too old for podlearn \
                 (needs {}.{} or newer, Docker 19.03+).\n  fix: upgrade Docker.",
                MIN_API.0,
                MIN_API.1
            );
        }
        Ok(Api { docker })
    }

    pub async fn create(&self, spec: &ContainerSpec) -> anyhow::Result<String> {
        // The engine makes a missing source folder for a bind given the old
        // way (`Binds`), never for one in `Mounts`.
        let binds: Vec<String> = spec
            .mounts
            .iter()
            .filter_map(|m| match m {
                MountSpec::BindOrCreate {
                    source,
                    target,
                    read_only,
                } => Some(format!(
                    "{source}:{target}{}",
                    if *read_only { ":ro" } else { "" }
                )),
                _ => None,
            })
            .collect();
        let mounts = spec
            .mounts
            .iter()
            .filter_map(|m| {
                let (typ, source, target, read_only, volume_options) = match m {
                    MountSpec::Volume {
                        source,
                        target,
                        read_only,
                        labels,
                    } => {
                        let options = MountVolumeOptions {
                            labels: Some(labels.clone().into_iter().collect()),
                            ..Default::default()
                        };
                        (MountType::VOLUME, source, target, read_only, Some(options))
                    }
                    MountSpec::Bind {
                        source,
                        target,
                        read_only,
                    } => (MountType::BIND, source, target, read_only, None),
                    MountSpec::BindOrCreate { .. } => return None,
                };
                Some(Mount {
                    typ: Some(typ),
                    source: Some(source.clone()),
                    target: Some(target.clone()),
                    read_only: Some(*read_only),
                    volume_options,
                    ..Default::default()
                })
            })
            .collect();
        let host_config = HostConfig {
            network_mode: spec.network_mode.clone(),
            dns_search: (!spec.dns_search.is_empty()).then(|| spec.dns_search.clone()),
            ipc_mode: spec.ipc_mode.clone(),
            pid_mode: spec.pid_mode.clone(),
            init: spec.init.then_some(true),
            mounts: Some(mounts),
            binds: (!binds.is_empty()).then_some(binds),
            readonly_rootfs: Some(spec.read_only_rootfs),
            memory: spec.memory_bytes,
            // No swap beyond the limit, so exceeding it is an OOM kill as on a node.
            memory_swap: spec.memory_bytes,
            nano_cpus: spec.nano_cpus,
            privileged: spec.privileged.then_some(true),
            cap_add: (!spec.cap_add.is_empty()).then(|| spec.cap_add.clone()),
            cap_drop: (!spec.cap_drop.is_empty()).then(|| spec.cap_drop.clone()),
            // podlearn restarts containers itself, with the kubelet's back-off.
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::NO),
                maximum_retry_count: None,
            }),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: Some(spec.env.clone()),
            working_dir: spec.working_dir.clone(),
            user: spec.user.clone(),
            hostname: spec.hostname.clone(),
            labels: Some(spec.labels.clone().into_iter().collect()),
            tty: Some(spec.tty),
            open_stdin: Some(spec.stdin),
            host_config: Some(host_config),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(spec.name.clone()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .with_context(|| format!("creating container {}", spec.name))?;
        Ok(created.id)
    }

    pub async fn start(&self, id: &str) -> anyhow::Result<()> {
        self.docker.start_container(id, None).await?;
        Ok(())
    }

    /// The image's STOPSIGNAL (SIGTERM by default), then SIGKILL after `grace`.
    pub async fn stop(&self, id: &str, grace: Duration) -> anyhow::Result<()> {
        let options = StopContainerOptions {
            signal: None,
            t: Some(grace.as_secs_f64().ceil() as i32),
        };
        done_unless(
            self.docker.stop_container(id, Some(options)).await,
            &[304, 404],
            (),
        )
    }

    /// Send a signal; a container that is not running is not an error.
    pub async fn kill(&self, id: &str, signal: &str) -> anyhow::Result<()> {
        let options = KillContainerOptions {
            signal: signal.to_string(),
        };
        done_unless(
            self.docker.kill_container(id, Some(options)).await,
            &[404, 409],
            (),
        )
    }

    /// Remove a container, running or not; one that is gone already is fine.
    pub async fn remove(&self, id: &str) -> anyhow::Result<()> {
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        // 409: removal already in progress.
        done_unless(
            self.docker.remove_container(id, Some(options)).await,
            &[404, 409],
            (),
        )
    }

    pub async fn inspect(&self, id: &str) -> anyhow::Result<Inspected> {
        let i = self.docker.inspect_container(id, None).await?;
        let state = i.state.unwrap_or_default();
        let ip = i
            .network_settings
            .and_then(|n| n.networks)
            .and_then(|nets| nets.into_values().find_map(|e| e.ip_address))
            .filter(|ip| !ip.is_empty());
        Ok(Inspected {
            running: state.running.unwrap_or(false),
            exit_code: state.exit_code.unwrap_or(0),
            oom_killed: state.oom_killed.unwrap_or(false),
            started_at: parse_time(&state.started_at),
            finished_at: parse_time(&state.finished_at),
            ip,
        })
    }

    /// Wait until the container stops; its exit code.
    pub async fn wait(&self, id: &str) -> anyhow::Result<i64> {
        let options = WaitContainerOptions {
            condition: "not-running".to_string(),
        };
        let mut stream = self.docker.wait_container(id, Some(options));
        match stream.next().await {
            Some(Ok(r)) => Ok(r.status_code),
            // A non-zero exit comes back as this error.
            Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(e.into()),
            None => Ok(self.inspect(id).await?.exit_code),
        }
    }

    /// Containers (running or not) carrying all these labels.
    pub async fn list(&self, labels: &BTreeMap<String, String>) -> anyhow::Result<Vec<Listed>> {
        let options = ListContainersOptions {
            all: true,
            filters: Some(label_filter(labels)),
            ..Default::default()
        };
        let list = self.docker.list_containers(Some(options)).await?;
        Ok(list
            .into_iter()
            .map(|c| Listed {
                id: c.id.unwrap_or_default(),
                labels: c.labels.unwrap_or_default().into_iter().collect(),
            })
            .collect())
    }

    /// Run a command in a running container and collect its output.
    pub async fn exec(
        &self,
        id: &str,
        argv: &[String],
        timeout: Duration,
    ) -> anyhow::Result<ExecOutput> {
        let exec_id = self.create_exec(id, argv, false, false).await?;
        let run = async {
            let mut out = ExecOutput::default();
            let start = StartExecOptions::default();
            if let StartExecResults::Attached { mut output, .. } = self
                .docker
                .start_exec(&exec_id, Some(start))
                .await
                .map_err(unavailable_if_gone)?
            {
                while let Some(chunk) = output.next().await {
                    match chunk.map_err(unavailable_if_gone)? {
                        bollard::container::LogOutput::StdErr { message } => {
                            out.stderr.push_str(&String::from_utf8_lossy(&message))
                        }
                        other => out.stdout.push_str(&other.to_string()),
                    }
                }
            }
            // The exec goes with its container: a container removed while
            // the command ran leaves "no such exec instance" (404).
            let inspected = self
                .docker
                .inspect_exec(&exec_id)
                .await
                .map_err(unavailable_if_gone)?;
            out.exit_code = inspected.exit_code.unwrap_or(-1);
            anyhow::Ok(out)
        };
        match tokio::time::timeout(timeout, run).await {
            Ok(r) => r,
            Err(_) => Err(super::ContainerUnavailable(format!(
                "timed out after {}",
                humantime::format_duration(timeout)
            ))
            .into()),
        }
    }

    /// An exec of `argv` in container `id`, its output attached, its stdin
    /// and a tty when asked; a container that is gone is unavailable.
    async fn create_exec(
        &self,
        id: &str,
        argv: &[String],
        stdin: bool,
        tty: bool,
    ) -> anyhow::Result<String> {
        let config = CreateExecOptions {
            attach_stdin: stdin.then_some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: tty.then_some(true),
            cmd: Some(argv.to_vec()),
            ..Default::default()
        };
        self.docker
            .create_exec(id, config)
            .await
            .map(|e| e.id)
            .map_err(unavailable_if_gone)
    }

    /// Run `argv` in container `id` attached to a terminal or pipes, as
    /// `docker exec -i [-t]` does: bytes from `io.input` go to the command's
    /// stdin (closed when the channel closes), its output to `io.output`
    /// (`true` for stderr; with a tty all of it is stdout), and sizes from
    /// `io.resize` to its tty. Returns the command's exit code.
    pub async fn exec_attached(
        &self,
        id: &str,
        argv: &[String],
        mut io: AttachedIo<'_>,
    ) -> anyhow::Result<i64> {
        use tokio::io::AsyncWriteExt;
        let exec_id = self.create_exec(id, argv, true, io.tty).await?;
        let start = StartExecOptions {
            detach: false,
            tty: io.tty,
            output_capacity: None,
        };
        let StartExecResults::Attached {
            mut output,
            mut input,
        } = self
            .docker
            .start_exec(&exec_id, Some(start))
            .await
            .map_err(unavailable_if_gone)?
        else {
            bail!("the engine did not attach to the command");
        };
        let mut input_open = true;
        // Without a size watcher (no tty, or the signal could not be
        // registered) the channel closes; stop asking it.
        let mut resize_open = true;
        loop {
            tokio::select! {
                chunk = output.next() => match chunk {
                    Some(c) => match c.map_err(unavailable_if_gone)? {
                        bollard::container::LogOutput::StdErr { message } => {
                            (io.output)(true, &message)
                        }
                        other => (io.output)(false, &other.into_bytes()),
                    },
                    None => break,
                },
                bytes = io.input.recv(), if input_open => match bytes {
                    Some(b) => {
                        // The command may have ended and closed its stdin.
                        if input.write_all(&b).await.is_err() {
                            input_open = false;
                        }
                        let _ = input.flush().await;
                    }
                    None => {
                        input_open = false;
                        let _ = input.shutdown().await;
                    }
                },
                size = io.resize.recv(), if resize_open => match size {
                    Some((width, height)) => {
                        let size = bollard::exec::ResizeExecOptions { height, width };
                        // Too early (not started yet) or too late: not worth failing.
                        let _ = self.docker.resize_exec(&exec_id, size).await;
                    }
                    None => resize_open = false,
                },
            }
        }
        let inspected = self
            .docker
            .inspect_exec(&exec_id)
            .await
            .map_err(unavailable_if_gone)?;
        Ok(inspected.exit_code.unwrap_or(-1))
    }

    /// A container's output so far, or a stream of it as it comes.
    pub fn logs(
        &self,
        id: &str,
        follow: bool,
    ) -> impl Stream<Item = anyhow::Result<String>> + use<> {
        let options = LogsOptions {
            follow,
            stdout: true,
            stderr: true,
            tail: "all".to_string(),
            ..Default::default()
        };
        self.docker
            .logs(id, Some(options))
            .map(|r| r.map(|o| o.to_string()).map_err(unavailable_if_gone))
    }

    pub async fn create_volume(
        &self,
        name: &str,
        driver_opts: &BTreeMap<String, String>,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let req = VolumeCreateRequest {
            name: Some(name.to_string()),
            driver: Some("local".to_string()),
            driver_opts: Some(driver_opts.clone().into_iter().collect()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        self.docker
            .create_volume(req)
            .await
            .with_context(|| format!("creating volume {name}"))?;
        Ok(())
    }

    /// Where a volume's files are on the engine's host.
    pub async fn volume_mountpoint(&self, name: &str) -> anyhow::Result<String> {
        Ok(self.docker.inspect_volume(name).await?.mountpoint)
    }

    pub async fn remove_volume(&self, name: &str) -> anyhow::Result<()> {
        let options = RemoveVolumeOptions { force: true };
        done_unless(
            self.docker.remove_volume(name, Some(options)).await,
            &[404],
            (),
        )
    }

    /// Volume names carrying all these labels, with their labels.
    pub async fn list_volumes(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<Vec<(String, BTreeMap<String, String>)>> {
        let options = ListVolumesOptions {
            filters: Some(label_filter(labels)),
        };
        let list = self.docker.list_volumes(Some(options)).await?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.name, v.labels.into_iter().collect()))
            .collect())
    }

    /// Copy a tar archive into a container (created or running) at `path`.
    pub async fn upload(&self, id: &str, path: &str, tar: Vec<u8>) -> anyhow::Result<()> {
        let options = UploadToContainerOptions {
            path: path.to_string(),
            ..Default::default()
        };
        self.docker
            .upload_to_container(id, Some(options), bollard::body_full(tar.into()))
            .await?;
        Ok(())
    }

    pub async fn image_present(&self, image: &str) -> anyhow::Result<bool> {
        done_unless(
            self.docker.inspect_image(image).await.map(|_| true),
            &[404],
            false,
        )
    }

    /// Pull an image, reporting progress lines; the engine's message on failure.
    pub async fn pull(&self, image: &str, mut progress: impl FnMut(&str)) -> Result<(), String> {
        // a registry port is not a tag; a digest pulls by digest
        let r = super::image::ImageRef::parse(image);
        let repo = r.repository();
        let tag = r
            .digest
            .clone()
            .or(r.tag.clone())
            .unwrap_or_else(|| "latest".to_string());
        let options = CreateImageOptions {
            from_image: Some(repo),
            tag: Some(tag),
            ..Default::default()
        };
        let mut stream = self.docker.create_image(Some(options), None, None);
        while let Some(item) = stream.next().await {
            match item {
                Ok(info) => {
                    if let Some(err) = info.error_detail.and_then(|d| d.message) {
                        return Err(err);
                    }
                    if let Some(status) = info.status {
                        let detail = info.progress_detail.unwrap_or_default();
                        match (detail.current, detail.total) {
                            (Some(c), Some(t)) if t > 0 => progress(&format!(
                                "{status} {}/{} MB ({}%)",
                                c / 1_000_000,
                                t / 1_000_000,
                                c * 100 / t
                            )),
                            _ => progress(&status),
                        }
                    }
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod time_tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::parse_time;

    #[test]
    fn docker_times_keep_their_fractions_of_a_second() {
        let t = |s: &str| parse_time(&Some(s.to_string())).unwrap();
        let a = t("2026-11-21T06:36:52.123456789Z");
        let b = t("2026-11-21T06:36:52.5Z");
        assert!(a < b);
        assert_eq!(
            a.duration_since(UNIX_EPOCH).unwrap().subsec_nanos(),
            123_456_789
        );
        assert_eq!(b - Duration::from_millis(500), t("2026-11-21T06:36:52Z"));
        assert_eq!(parse_time(&Some("0001-01-01T00:00:00Z".into())), None);
    }
}
