//! kubectl-style tables for `podlearn get services|endpoints|deployments|jobs`.
//! Pure: rows in, text out, to any `io::Write`.

use std::io::{self, Write};
use std::time::Duration;

use crate::manifest::model::ServicePort;
use crate::phase::human_duration;
use crate::term::Style;

/// One row of `get services`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRow {
    pub name: String,
    /// `ClusterIP`, `NodePort`, ...
    pub kind: String,
    /// The Service proxy's address; `None` for a headless Service.
    pub cluster_ip: Option<String>,
    pub ports: Vec<ServicePort>,
    pub age: Duration,
}

/// One row of `get endpoints`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointsRow {
    pub name: String,
    /// Already in kubectl's form, see `endpoints::endpoints_column`.
    pub endpoints: String,
    pub age: Duration,
    /// Which Pods back the Service, and which match but are not ready.
    pub ready_pods: Vec<String>,
    pub not_ready_pods: Vec<String>,
}

/// One row of `get deployments`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRow {
    pub name: String,
    pub ready: u32,
    pub replicas: u32,
    pub up_to_date: u32,
    pub available: u32,
    pub age: Duration,
}

/// One row of `get jobs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub name: String,
    /// `Running`, `Complete`, `Failed`.
    pub status: String,
    /// `succeeded/completions`.
    pub completions: String,
    pub duration: Duration,
    pub age: Duration,
}

/// kubectl's PORT(S): `80/TCP`, several joined by commas.
pub fn ports_column(ports: &[ServicePort]) -> String {
    if ports.is_empty() {
        return "<none>".into();
    }
    ports
        .iter()
        .map(|p| format!("{}/{}", p.port, p.protocol))
        .collect::<Vec<_>>()
        .join(",")
}

/// Left-aligned columns separated by three spaces, like kubectl's tabwriter.
pub fn table(
    out: &mut impl Write,
    style: Style,
    header: &[&str],
    rows: &[Vec<String>],
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len() - 1;
        cells
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                if i == last {
                    c
                } else {
                    let pad = widths[i] - c.chars().count();
                    format!("{c}{}   ", " ".repeat(pad))
                }
            })
            .collect::<String>()
    };
    let head = line(header.iter().map(|h| h.to_string()).collect());
    writeln!(out, "{}", style.strong(&head))?;
    for row in rows {
        writeln!(out, "{}", line(row.clone()))?;
    }
    Ok(())
}

pub const SERVICES: &[&str] = &[
    "NAME",
    "TYPE",
    "CLUSTER-IP",
    "EXTERNAL-IP",
    "PORT(S)",
    "AGE",
];
pub const ENDPOINTS: &[&str] = &["NAME", "ENDPOINTS", "AGE"];
pub const ENDPOINTS_WIDE: &[&str] = &["NAME", "ENDPOINTS", "READY PODS", "NOT READY PODS", "AGE"];
pub const DEPLOYMENTS: &[&str] = &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];
pub const JOBS: &[&str] = &["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"];

/// The cells of `get services` rows.
pub fn services_cells(rows: &[ServiceRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.kind.clone(),
                r.cluster_ip.clone().unwrap_or_else(|| "None".into()),
                "<none>".into(),
                ports_column(&r.ports),
                human_duration(r.age),
            ]
        })
        .collect()
}

/// Five cells per row: NAME ENDPOINTS AGE, then the ready and the not ready
/// Pods (what `-o wide` adds; see [`endpoints_view`]).
pub fn endpoints_cells(rows: &[EndpointsRow]) -> Vec<Vec<String>> {
    let list = |pods: &[String]| {
        if pods.is_empty() {
            "<none>".to_string()
        } else {
            pods.join(",")
        }
    };
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.endpoints.clone(),
                human_duration(r.age),
                list(&r.ready_pods),
                list(&r.not_ready_pods),
            ]
        })
        .collect()
}

/// `get endpoints` columns from [`endpoints_cells`]: kubectl's three, or
/// with `wide` the Pods behind them, ready or not.
pub fn endpoints_view(
    cells: &[Vec<String>],
    wide: bool,
) -> (&'static [&'static str], Vec<Vec<String>>) {
    let order: &[usize] = if wide { &[0, 1, 3, 4, 2] } else { &[0, 1, 2] };
    let rows = cells
        .iter()
        .map(|r| {
            order
                .iter()
                .map(|&i| r.get(i).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    (if wide { ENDPOINTS_WIDE } else { ENDPOINTS }, rows)
}

pub fn deployments_cells(rows: &[DeploymentRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                format!("{}/{}", r.ready, r.replicas),
                r.up_to_date.to_string(),
                r.available.to_string(),
                human_duration(r.age),
            ]
        })
        .collect()
}

pub fn jobs_cells(rows: &[JobRow]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.status.clone(),
                r.completions.clone(),
                human_duration(r.duration),
                human_duration(r.age),
            ]
        })
        .collect()
}

pub fn services(out: &mut impl Write, style: Style, rows: &[ServiceRow]) -> io::Result<()> {
    table(out, style, SERVICES, &services_cells(rows))
}

pub fn endpoints(
    out: &mut impl Write,
    style: Style,
    rows: &[EndpointsRow],
    wide: bool,
) -> io::Result<()> {
    let (header, rows) = endpoints_view(&endpoints_cells(rows), wide);
    table(out, style, header, &rows)
}

pub fn deployments(out: &mut impl Write, style: Style, rows: &[DeploymentRow]) -> io::Result<()> {
    table(out, style, DEPLOYMENTS, &deployments_cells(rows))
}

pub fn jobs(out: &mut impl Write, style: Style, rows: &[JobRow]) -> io::Result<()> {
    table(out, style, JOBS, &jobs_cells(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::IntOrString;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn ages_read_like_kubectls() {
        let s = Duration::from_secs;
        assert_eq!(human_duration(s(45)), "45s");
        assert_eq!(human_duration(s(119)), "119s");
        assert_eq!(human_duration(s(192)), "3m12s");
        assert_eq!(human_duration(s(600)), "10m");
        assert_eq!(human_duration(s(4 * 3600 + 600)), "4h10m");
        assert_eq!(human_duration(s(30 * 3600)), "30h");
        assert_eq!(human_duration(s(3 * 86_400)), "3d");
        assert_eq!(human_duration(s(800 * 86_400)), "2y70d");
    }

    #[test]
    fn services_table() {
        let port = |p: u16| ServicePort {
            name: None,
            port: p,
            target_port: IntOrString::Int(8080),
            protocol: "TCP".into(),
        };
        let rows = [
            ServiceRow {
                name: "web".into(),
                kind: "ClusterIP".into(),
                cluster_ip: Some("10.213.7.2".into()),
                ports: vec![port(80), port(443)],
                age: Duration::from_secs(5),
            },
            ServiceRow {
                name: "db".into(),
                kind: "ClusterIP".into(),
                cluster_ip: None,
                ports: vec![port(5432)],
                age: Duration::from_secs(300),
            },
        ];
        let t = text(|o| services(o, Style::PLAIN, &rows));
        assert_eq!(
            t,
            "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)          AGE\n\
             web    ClusterIP   10.213.7.2   <none>        80/TCP,443/TCP   5s\n\
             db     ClusterIP   None         <none>        5432/TCP         5m\n"
        );
    }

    #[test]
    fn endpoints_deployments_jobs_tables() {
        let t = text(|o| {
            endpoints(
                o,
                Style::PLAIN,
                &[EndpointsRow {
                    name: "web".into(),
                    endpoints: "<none>".into(),
                    age: Duration::from_secs(7),
                    ready_pods: vec![],
                    not_ready_pods: vec!["web-1".into()],
                }],
                false,
            )
        });
        assert_eq!(t, "NAME   ENDPOINTS   AGE\nweb    <none>      7s\n");
        let t = text(|o| {
            endpoints(
                o,
                Style::PLAIN,
                &[EndpointsRow {
                    name: "web".into(),
                    endpoints: "10.0.0.2:80".into(),
                    age: Duration::from_secs(7),
                    ready_pods: vec!["web-0".into()],
                    not_ready_pods: vec!["web-1".into()],
                }],
                true,
            )
        });
        assert_eq!(
            t,
            "NAME   ENDPOINTS     READY PODS   NOT READY PODS   AGE\n\
             web    10.0.0.2:80   web-0        web-1            7s\n"
        );
        let t = text(|o| {
            deployments(
                o,
                Style::PLAIN,
                &[DeploymentRow {
                    name: "web".into(),
                    ready: 2,
                    replicas: 3,
                    up_to_date: 3,
                    available: 2,
                    age: Duration::from_secs(61),
                }],
            )
        });
        assert_eq!(
            t,
            "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    2/3     3            2           61s\n"
        );
        let t = text(|o| {
            jobs(
                o,
                Style::PLAIN,
                &[JobRow {
                    name: "pi".into(),
                    status: "Complete".into(),
                    completions: "1/1".into(),
                    duration: Duration::from_secs(4),
                    age: Duration::from_secs(9),
                }],
            )
        });
        assert_eq!(
            t,
            "NAME   STATUS     COMPLETIONS   DURATION   AGE\npi     Complete   1/1           4s         9s\n"
        );
    }
}
