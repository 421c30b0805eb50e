//! Pod volumes on Docker: the files of configMap, secret and downwardAPI
//! volumes (written as a tar archive through the sandbox), and subPath
//! mounts (a directory of the volume on the engine's host, bind-mounted).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::manifest::{KeyToPath, Pod, VolumeSource};
use crate::podenv::{self, Inputs};

use super::docker::Api;
use super::plan::{PodPlan, SANDBOX_VOLUME_ROOT};

/// Files of a volume: path -> (content, mode).
pub type Files = BTreeMap<String, (Vec<u8>, u32)>;

/// The files of a configMap, secret, downwardAPI or projected volume, as the
/// kubelet writes them (missing optional sources give no files).
pub fn volume_files(
    source: &VolumeSource,
    pod: &Pod,
    inputs: &Inputs,
    pod_ip: Option<&str>,
) -> Files {
    let ns = &pod.metadata.namespace;
    let mut files = BTreeMap::new();
    match source {
        VolumeSource::ConfigMap {
            name,
            items,
            default_mode,
            ..
        } => {
            if let Some(cm) = inputs.configmap(ns, name) {
                let mut all: BTreeMap<String, Vec<u8>> = cm
                    .data
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_bytes().to_vec()))
                    .collect();
                all.extend(cm.binary_data.clone());
                pick(&all, items, *default_mode, &mut files);
            }
        }
        VolumeSource::Secret {
            secret_name,
            items,
            default_mode,
            ..
        } => {
            if let Some(s) = inputs.secret(ns, secret_name) {
                pick(&s.data, items, *default_mode, &mut files);
            }
        }
        VolumeSource::DownwardApi {
            items,
            default_mode,
        } => {
            for i in items {
                let Some(fp) = &i.field_path else { continue };
                let text = podenv::field_ref(pod, fp, inputs, pod_ip).unwrap_or_default();
                files.insert(
                    i.path.clone(),
                    (text.into_bytes(), i.mode.unwrap_or(*default_mode)),
                );
            }
        }
        VolumeSource::Projected {
            sources,
            default_mode,
        } => {
            // A projection has no defaultMode of its own: the volume's applies
            // to every file an item does not give a mode.
            for s in sources {
                let mut s = s.clone();
                if let VolumeSource::ConfigMap {
                    default_mode: m, ..
                }
                | VolumeSource::Secret {
                    default_mode: m, ..
                }
                | VolumeSource::DownwardApi {
                    default_mode: m, ..
                } = &mut s
                {
                    *m = *default_mode;
                }
                files.extend(volume_files(&s, pod, inputs, pod_ip));
            }
        }
        _ => {}
    }
    files
}

fn pick(all: &BTreeMap<String, Vec<u8>>, items: &[KeyToPath], mode: u32, files: &mut Files) {
    if items.is_empty() {
        for (k, v) in all {
            files.insert(k.clone(), (v.clone(), mode));
        }
    }
    for i in items {
        if let Some(v) = all.get(&i.key) {
            files.insert(i.path.clone(), (v.clone(), i.mode.unwrap_or(mode)));
        }
    }
}

/// A tar archive (ustar) of `path -> (content, mode)`, with parent directories.
pub fn tar(files: &Files) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for path in files.keys() {
        let mut acc = String::new();
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            acc.push_str(part);
            acc.push('/');
            if !dirs.contains(&acc) {
                dirs.push(acc.clone());
            }
        }
    }
    for d in &dirs {
        header(&mut out, d, 0, 0o755, b'5');
    }
    for (path, (data, mode)) in files {
        header(
            &mut out,
            path.trim_start_matches('/'),
            data.len(),
            *mode,
            b'0',
        );
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn header(out: &mut Vec<u8>, name: &str, size: usize, mode: u32, kind: u8) {
    let mut h = [0u8; 512];
    let name = name.as_bytes();
    let n = name.len().min(99);
    h[..n].copy_from_slice(&name[..n]);
    let octal = |v: u64, width: usize| format!("{:0w$o}\0", v, w = width - 1);
    h[100..108].copy_from_slice(octal(u64::from(mode & 0o7777), 8).as_bytes());
    h[108..116].copy_from_slice(octal(0, 8).as_bytes());
    h[116..124].copy_from_slice(octal(0, 8).as_bytes());
    h[124..136].copy_from_slice(octal(size as u64, 12).as_bytes());
    h[136..148].copy_from_slice(octal(0, 12).as_bytes());
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    out.extend_from_slice(&h);
}

/// The host path of `sub` inside Docker volume `volume`, created (as the
/// kubelet does) if missing.
pub async fn sub_path(
    api: &Api,
    sandbox: &str,
    plan: &PodPlan,
    volume: &str,
    sub: &str,
) -> anyhow::Result<String> {
    anyhow::ensure!(
        !sub.split('/').any(|p| p == "..") && !sub.starts_with('/'),
        "subPath {sub:?} must be a relative path without '..'"
    );
    let pod_volume = plan
        .volumes
        .iter()
        .find(|v| v.name == volume)
        .map(|v| v.pod_volume.clone())
        .unwrap_or_default();
    let inside = format!("{SANDBOX_VOLUME_ROOT}/{pod_volume}/{sub}");
    let argv = ["mkdir", "-p", inside.as_str()].map(String::from);
    let out = api.exec(sandbox, &argv, Duration::from_secs(10)).await?;
    anyhow::ensure!(out.exit_code == 0, "{}", out.stderr.trim());
    let root = api.volume_mountpoint(volume).await?;
    Ok(format!("{root}/{sub}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_has_headers_data_and_trailer() {
        let mut files = BTreeMap::new();
        files.insert("conf/app.txt".to_string(), (b"hello".to_vec(), 0o644));
        let t = tar(&files);
        assert_eq!(t.len() % 512, 0);
        assert_eq!(&t[0..5], b"conf/");
        assert_eq!(t[156], b'5');
        assert_eq!(&t[512..524], b"conf/app.txt");
        assert_eq!(&t[1024..1029], b"hello");
        // Header, dir header, data block, two zero blocks.
        assert_eq!(t.len(), 512 * 5);
    }

    #[test]
    fn a_projected_volumes_default_mode_applies_to_its_sources() {
        use crate::fixtures::{container, pod, spec};
        use crate::manifest::{ConfigMap, Object, ObjectMeta, Resource, RestartPolicy, Secret};

        let meta = |name: &str| ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        };
        let objects = [
            Object {
                source: Default::default(),
                resource: Resource::ConfigMap(ConfigMap {
                    metadata: meta("shop"),
                    data: BTreeMap::from([("name".to_string(), "corner".to_string())]),
                    binary_data: BTreeMap::new(),
                }),
            },
            Object {
                source: Default::default(),
                resource: Resource::Secret(Secret {
                    metadata: meta("api"),
                    kind: "Opaque".into(),
                    data: BTreeMap::from([("key".to_string(), b"k".to_vec())]),
                }),
            },
        ];
        let inputs = Inputs::from_objects(&objects);
        let p = pod(
            "shop",
            spec(vec![], vec![container("app")], RestartPolicy::Always),
        );
        let source = VolumeSource::Projected {
            default_mode: 0o400,
            sources: vec![
                VolumeSource::ConfigMap {
                    name: "shop".into(),
                    items: vec![],
                    default_mode: 0o644,
                    optional: false,
                },
                VolumeSource::Secret {
                    secret_name: "api".into(),
                    items: vec![KeyToPath {
                        key: "key".into(),
                        path: "api-key".into(),
                        mode: Some(0o440),
                    }],
                    default_mode: 0o644,
                    optional: false,
                },
            ],
        };
        let files = volume_files(&source, &p, &inputs, None);
        assert_eq!(files["name"], (b"corner".to_vec(), 0o400));
        // An item's own mode still wins.
        assert_eq!(files["api-key"], (b"k".to_vec(), 0o440));
    }
}
