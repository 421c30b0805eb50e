//! kubectl-style views of pods: the `get` table, `-o yaml`/`-o json`,
//! `describe`, and the event lines of the `run` stream.
//!
//! Everything here is a pure function of the manifest model and the observed
//! [`PodStatus`](crate::status::PodStatus): renderers write to any
//! `io::Write` and take a [`Style`](crate::term::Style), so tests compare
//! plain text.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::manifest::{Pod, PodSpec};
use crate::status::PodStatus;

mod describe;
mod events;
mod object;
mod table;
mod tabwriter;

pub use describe::{
    describe_pod, describe_pod_styled, describe_probe, differences_from_a_node, qos_class,
};
pub use events::{events_line, events_line_styled};
pub use object::{pod_json, pod_value, pod_yaml};
pub use table::{pods_table, pods_table_styled};
pub use tabwriter::align;

/// One line of `kubectl get pods`.
#[derive(Debug, Clone)]
pub struct PodRow {
    pub name: String,
    pub namespace: String,
    pub spec: PodSpec,
    pub status: PodStatus,
    /// Being deleted: STATUS reads `Terminating` until the phase is final.
    pub deleting: bool,
    /// The pod IP (`<none>` when absent).
    pub ip: Option<String>,
    /// The node name (`<none>` when absent).
    pub node: Option<String>,
    /// When the pod was created, for AGE; `status.start_time` when `None`.
    pub created: Option<SystemTime>,
}

impl PodRow {
    /// A row for `pod`, with the IP from its status and the podlearn node.
    pub fn new(pod: &Pod, status: &PodStatus, deleting: bool) -> Self {
        PodRow {
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            spec: pod.spec.clone(),
            status: status.clone(),
            deleting,
            ip: status.pod_ip.clone(),
            node: Some(
                pod.spec
                    .node_name
                    .clone()
                    .unwrap_or_else(|| crate::podenv::NodeInfo::default().name),
            ),
            created: status.start_time,
        }
    }
}

/// A time as Go's `time.RFC1123Z` prints it in UTC, the format of
/// `kubectl describe`: `Sat, 21 Nov 2026 05:25:24 +0000`.
pub fn rfc1123z(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (y, m, d).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests;
