//! Images as the kubelet treats them: a local image is used when the pull
//! policy allows; a missing one is pulled through the engine; a failed pull
//! is `ErrImagePull`, then `ImagePullBackOff` with the kubelet's back-off,
//! and the message says how to get the image onto an offline machine.

use std::time::{Duration, Instant, SystemTime};

use crate::manifest::PullPolicy;
use crate::status::ContainerState;

use super::plan::ContainerPlan;
use super::state::PodShared;
use crate::restart::BackOff;

/// How to get an image without a registry.
pub fn offline_help(image: &str) -> String {
    format!(
        "podlearn cannot pull {image:?} (no registry reachable). Get it onto this engine with \
         `docker load -i FILE.tar` (a classroom image bundle), `scripts/busybox-image` for \
         busybox, or run with `--image {image}=busybox:latest` to use a local image instead"
    )
}

/// Make sure the container's image is on the engine. Returns false when the
/// pod was stopped while waiting.
pub async fn ensure(
    sh: &PodShared,
    p: &ContainerPlan,
    stop: &mut tokio::sync::watch::Receiver<Option<Instant>>,
) -> bool {
    let name = &p.container.name;
    let image = &p.spec.image;
    if image != &p.container.image {
        sh.event(
            Some(name),
            false,
            "ImageMapped",
            format!(
                "Using image {image:?} for {:?} (--image)",
                p.container.image
            ),
        );
    }
    let mut backoff = BackOff::new(sh.opts.time_scale);
    loop {
        let present = sh.api.image_present(image).await.unwrap_or(false);
        let pull = match p.pull_policy {
            PullPolicy::Never => false,
            PullPolicy::IfNotPresent => !present,
            PullPolicy::Always => true,
        };
        if !pull {
            if present {
                sh.event(
                    Some(name),
                    false,
                    "Pulled",
                    format!("Container image {image:?} already present on machine"),
                );
                return true;
            }
            let msg = format!(
                "Container image {image:?} is not present with pull policy of Never. {}",
                offline_help(image)
            );
            set_waiting(sh, name, "ErrImageNeverPull", &msg);
            sh.event(Some(name), true, "ErrImageNeverPull", msg);
            let _ = stop.changed().await;
            return false;
        }
        sh.event(
            Some(name),
            false,
            "Pulling",
            format!("Pulling image {image:?}"),
        );
        let began = Instant::now();
        let result = sh
            .api
            .pull(image, |line| {
                sh.update_container(name, |c| {
                    c.state = ContainerState::Waiting {
                        reason: "ContainerCreating".into(),
                        message: Some(format!("Pulling {image}: {line}")),
                    };
                });
            })
            .await;
        match result {
            Ok(()) => {
                sh.event(
                    Some(name),
                    false,
                    "Pulled",
                    format!(
                        "Successfully pulled image {image:?} in {:.3}s",
                        began.elapsed().as_secs_f64()
                    ),
                );
                return true;
            }
            Err(err) if present => {
                // imagePullPolicy Always offline: a node would fail here; the
                // learner's own copy is used instead, and the events say so.
                sh.event(
                    Some(name),
                    true,
                    "Failed",
                    format!(
                        "Failed to pull image {image:?} ({}); using the copy already on this \
                         machine (a node with imagePullPolicy: Always would report ErrImagePull)",
                        short(&err)
                    ),
                );
                return true;
            }
            Err(err) => {
                let msg = format!(
                    "Failed to pull image {image:?}: {err}. {}",
                    offline_help(image)
                );
                set_waiting(sh, name, "ErrImagePull", &msg);
                sh.event(Some(name), true, "Failed", msg.clone());
                let now = SystemTime::now();
                let delay = backoff
                    .next_delay(now, now)
                    .max(sh.opts.scaled(Duration::from_secs(10)));
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(200).min(delay)) => {}
                    _ = stop.changed() => return false,
                }
                set_waiting(
                    sh,
                    name,
                    "ImagePullBackOff",
                    &format!("Back-off pulling image {image:?}. {}", offline_help(image)),
                );
                sh.event(
                    Some(name),
                    false,
                    "BackOff",
                    format!("Back-off pulling image {image:?}"),
                );
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = stop.changed() => return false,
                }
            }
        }
    }
}

/// The gist of an engine's pull error (`no such host`, `not found`, ...).
fn short(err: &str) -> &str {
    err.rsplit(": ").next().unwrap_or(err)
}

fn set_waiting(sh: &PodShared, name: &str, reason: &str, msg: &str) {
    sh.update_container(name, |c| {
        c.state = ContainerState::Waiting {
            reason: reason.into(),
            message: Some(msg.to_string()),
        };
    });
}
