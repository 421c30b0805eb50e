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

/// An image reference split as the container runtime reads it
/// (`docker.io/library/busybox:latest`): registry, repository path, tag, digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// `docker.io` when none is written (`index.docker.io` is the same).
    pub domain: String,
    /// `library/busybox` for an official Docker Hub image written `busybox`.
    pub path: String,
    /// `latest` when neither a tag nor a digest is written.
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// Read a reference the way the engine and the kubelet normalize it
    /// (`busybox`, `library/busybox`, `docker.io/busybox`,
    /// `docker.io/library/busybox:latest` are one image).
    pub fn parse(image: &str) -> ImageRef {
        let image = image.trim();
        let (name, digest) = match image.split_once('@') {
            Some((n, d)) => (n, Some(d.to_string())),
            None => (image, None),
        };
        // a tag is after the last ':' that has no '/' after it (not a registry port)
        let (name, tag) = match name.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => (n, Some(t.to_string())),
            _ => (name, None),
        };
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => ("docker.io".to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            "docker.io".to_string()
        } else {
            domain
        };
        let path = if domain == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        let tag = match (&tag, &digest) {
            (None, None) => Some("latest".to_string()),
            _ => tag,
        };
        ImageRef {
            domain,
            path,
            tag,
            digest,
        }
    }

    /// `docker.io/library/busybox` (no tag or digest).
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }
}

impl std::fmt::Display for ImageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.repository())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The fully qualified spelling of an image (`busybox` ->
/// `docker.io/library/busybox:latest`), as the container runtime stores it.
pub fn normalize(image: &str) -> String {
    ImageRef::parse(image).to_string()
}

/// The spellings of one image a pattern may be written against: as
/// written, fully qualified (`docker.io/library/busybox:latest`) and the
/// short form Docker shows (`busybox:latest`, `busybox`).
pub fn spellings(image: &str) -> Vec<String> {
    let r = ImageRef::parse(image);
    let mut out = vec![image.trim().to_string(), r.to_string()];
    if r.domain == "docker.io" {
        let short = ImageRef {
            domain: String::new(),
            path: r
                .path
                .strip_prefix("library/")
                .unwrap_or(&r.path)
                .to_string(),
            ..r.clone()
        };
        let mut s = short.path.clone();
        if let Some(t) = &short.tag {
            s.push_str(&format!(":{t}"));
        }
        if let Some(d) = &short.digest {
            s.push_str(&format!("@{d}"));
        }
        out.push(s);
        if short.tag.as_deref() == Some("latest") && short.digest.is_none() {
            out.push(short.path);
        }
    }
    out.dedup();
    out
}

/// Whether two spellings name the same image.
pub fn same_image(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_image_normalize_alike() {
        for s in [
            "busybox",
            "busybox:latest",
            "library/busybox",
            "library/busybox:latest",
            "docker.io/busybox",
            "docker.io/library/busybox:latest",
            "index.docker.io/library/busybox",
        ] {
            assert_eq!(normalize(s), "docker.io/library/busybox:latest", "{s}");
            assert!(same_image(s, "busybox"), "{s}");
        }
        assert!(!same_image("busybox:1.36", "busybox"));
        assert!(!same_image("example.com/busybox", "busybox"));
        assert_eq!(normalize("nginx:1.27"), "docker.io/library/nginx:1.27");
        assert_eq!(normalize("bitnami/nginx"), "docker.io/bitnami/nginx:latest");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(
            normalize("registry.example.com:443/team/app:v2"),
            "registry.example.com:443/team/app:v2"
        );
        assert_eq!(
            normalize("busybox@sha256:abc"),
            "docker.io/library/busybox@sha256:abc"
        );
        assert_eq!(
            normalize("busybox:1.36@sha256:abc"),
            "docker.io/library/busybox:1.36@sha256:abc"
        );
        let r = ImageRef::parse("localhost:5000/app:v1");
        assert_eq!(r.repository(), "localhost:5000/app");
        assert_eq!(r.tag.as_deref(), Some("v1"));
    }
}
