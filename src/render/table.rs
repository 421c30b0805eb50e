//! `kubectl get pods` (and `-o wide`): NAME READY STATUS RESTARTS AGE, then
//! IP NODE NOMINATED NODE READINESS GATES; columns padded to the widest cell
//! plus three spaces, the last one unpadded, as kubectl's tabwriter does.

use std::io;
use std::time::SystemTime;

use crate::phase::{age, ready_column, restarts_column, status_column};
use crate::term::Style;

use super::PodRow;

/// The pod table without color.
pub fn pods_table(
    rows: &[PodRow],
    wide: bool,
    now: SystemTime,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    pods_table_styled(rows, wide, now, Style::PLAIN, w)
}

/// The pod table, STATUS colored by `style`: Running and Completed green,
/// errors red, Pending, Init and other waiting states yellow.
pub fn pods_table_styled(
    rows: &[PodRow],
    wide: bool,
    now: SystemTime,
    style: Style,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    let mut header = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    if wide {
        header.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    }
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for row in rows {
        let age_cell = row
            .created
            .or(row.status.start_time)
            .map_or_else(|| "<unknown>".to_string(), |t| age(t, now));
        let mut cells = vec![
            row.name.clone(),
            ready_column(&row.spec, &row.status),
            status_column(&row.spec, &row.status, row.deleting),
            restarts_column(&row.status, now),
            age_cell,
        ];
        if wide {
            let none = || "<none>".to_string();
            cells.push(
                row.ip
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(none),
            );
            cells.push(
                row.node
                    .clone()
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(none),
            );
            cells.push(none());
            cells.push(none());
        }
        table.push(cells);
    }
    let columns = table[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            table
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, cells) in table.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let painted = if c == 2 && i > 0 {
                paint_status(cell, style)
            } else {
                cell.clone()
            };
            line.push_str(&painted);
            if c + 1 < columns {
                let pad = widths[c] + 3 - cell.chars().count();
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        writeln!(w, "{line}")?;
    }
    Ok(())
}

/// STATUS in its color.
fn paint_status(status: &str, style: Style) -> String {
    match status {
        "Running" | "Completed" | "Succeeded" => style.ok(status),
        "Error"
        | "Failed"
        | "OOMKilled"
        | "CrashLoopBackOff"
        | "ErrImagePull"
        | "ImagePullBackOff"
        | "CreateContainerConfigError"
        | "CreateContainerError"
        | "RunContainerError"
        | "PostStartHookError"
        | "DeadlineExceeded"
        | "Init:Error"
        | "Init:CrashLoopBackOff"
        | "Unknown" => style.bad(status),
        s if s.starts_with("Init:") && (s.contains("Err") || s.contains("BackOff")) => style.bad(s),
        s if s.starts_with("ExitCode:") || s.starts_with("Signal:") => style.bad(s),
        _ => style.warn(status),
    }
}
