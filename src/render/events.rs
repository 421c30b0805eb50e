//! One line per event for the `run` foreground stream, in the spirit of
//! `kubectl get events -w`: time, type, reason, object, message.

use crate::status::Event;
use crate::term::Style;

use super::rfc1123z;

/// `05:25:24   Warning   BackOff     spec.containers{web}   Back-off restarting failed container web ...`
pub fn events_line(ev: &Event) -> String {
    events_line_styled(ev, Style::PLAIN)
}

/// [`events_line`] with Warning events in the warning color.
pub fn events_line_styled(ev: &Event, style: Style) -> String {
    // The clock part of the RFC 1123 time: "Sat, 21 Nov 2026 05:25:24 +0000".
    let stamp = rfc1123z(ev.time);
    let clock = stamp.get(17..25).unwrap_or(&stamp);
    let kind = format!("{:<7}", ev.kind);
    let kind = if ev.kind == "Warning" {
        style.warn(&kind)
    } else {
        kind
    };
    let object = ev.object.as_deref().unwrap_or("pod");
    format!(
        "{}   {}   {:<20}   {}   {}",
        style.dim(clock),
        kind,
        ev.reason,
        object,
        ev.message.trim()
    )
}
