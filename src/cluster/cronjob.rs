//! CronJobs: the 5-field schedule parsed as the CronJob controller parses it
//! (minute hour day-of-month month day-of-week, ranges, steps, lists, names,
//! `@hourly`-style macros), explained in words, with the next times it would
//! fire (UTC, a cluster's default when `timeZone` is not set).
//!
//! podlearn does not run CronJobs on their schedule (a course session is too
//! short for that to teach anything); `podlearn create job NAME
//! --from=cronjob/NAME` runs the Job template once, now, as on a cluster.

use std::io::{self, Write};

use crate::manifest::model::CronJob;
use crate::term::Style;

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// `*` (or `?`) in day-of-month or day-of-week: then both must match;
    /// when both are restricted, either may (the classic cron rule).
    day_star: bool,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELD_NAMES: [&str; 5] = ["minute", "hour", "day of month", "month", "day of week"];

struct Field {
    min: u32,
    max: u32,
    names: &'static [&'static str],
    /// The first name stands for this number (1 for months, 0 for weekdays).
    names_from: u32,
}

const FIELDS: [Field; 5] = [
    Field {
        min: 0,
        max: 59,
        names: &[],
        names_from: 0,
    },
    Field {
        min: 0,
        max: 23,
        names: &[],
        names_from: 0,
    },
    Field {
        min: 1,
        max: 31,
        names: &[],
        names_from: 0,
    },
    Field {
        min: 1,
        max: 12,
        names: &MONTHS,
        names_from: 1,
    },
    // 7 is Sunday too.
    Field {
        min: 0,
        max: 7,
        names: &WEEKDAYS,
        names_from: 0,
    },
];

fn value(text: &str, f: &Field, field: &str) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = f.names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + f.names_from);
    }
    let n: u32 = text.parse().map_err(|_| {
        format!(
            "{field}: \"{text}\" is not a number{}",
            if f.names.is_empty() {
                String::new()
            } else {
                format!(" or a name ({})", f.names.join(", "))
            }
        )
    })?;
    if n < f.min || n > f.max {
        return Err(format!("{field}: {n} is out of range {}-{}", f.min, f.max));
    }
    Ok(n)
}

fn parse_field(text: &str, f: &Field, field: &str) -> Result<(u64, bool), String> {
    if part_is_empty(text) {
        return Err(format!("{field}: empty"));
    }
    let mut bits = 0u64;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().ok().filter(|&s| s > 0).ok_or_else(|| {
                    format!("{field}: step \"{s}\" must be a whole number above 0")
                })?;
                (r, Some(step))
            }
            None => (part, None),
        };
        let (lo, hi) = if range == "*" || range == "?" {
            star = star || step.is_none();
            (f.min, f.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (value(a, f, field)?, value(b, f, field)?);
            if a > b {
                return Err(format!("{field}: range {a}-{b} goes backwards"));
            }
            (a, b)
        } else {
            let a = value(range, f, field)?;
            // `5/15` means from 5 to the end, every 15.
            (a, if step.is_some() { f.max } else { a })
        };
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step.unwrap_or(1);
        }
    }
    Ok((bits, star))
}

fn part_is_empty(text: &str) -> bool {
    text.split(',').any(str::is_empty)
}

impl Schedule {
    /// Parse a schedule; the error says which field is wrong and why.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        let expanded = match text {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            t if t.starts_with('@') => {
                return Err(format!(
                    "unknown macro \"{t}\": use @yearly, @monthly, @weekly, @daily or @hourly, or five fields"
                ));
            }
            t if t.starts_with("TZ=") || t.starts_with("CRON_TZ=") => {
                return Err(
                    "a time zone in the schedule is not allowed: set spec.timeZone instead".into(),
                );
            }
            t => t,
        };
        let parts: Vec<&str> = expanded.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "expected 5 fields (minute hour day-of-month month day-of-week), found {}: e.g. \"*/5 * * * *\" for every 5 minutes",
                parts.len()
            ));
        }
        let mut sets = [0u64; 5];
        let mut stars = [false; 5];
        for i in 0..5 {
            (sets[i], stars[i]) = parse_field(parts[i], &FIELDS[i], FIELD_NAMES[i])?;
        }
        // Sunday is 0 and 7.
        if sets[4] & (1 << 7) != 0 {
            sets[4] = (sets[4] | 1) & !(1 << 7);
        }
        Ok(Schedule {
            minutes: sets[0],
            hours: sets[1],
            days: sets[2],
            months: sets[3],
            weekdays: sets[4],
            day_star: stars[2] || stars[4],
        })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let d = self.days & (1 << day) != 0;
        let w = self.weekdays & (1 << weekday) != 0;
        if self.day_star { d && w } else { d || w }
    }

    /// The next `count` times (minutes since the Unix epoch, UTC) strictly
    /// after `after_minute`. Fewer when the schedule never fires (`30 0 31 2 *`).
    pub fn next_times(&self, after_minute: i64, count: usize) -> Vec<i64> {
        let mut out = Vec::new();
        let start = after_minute + 1;
        let first_day = start.div_euclid(1440);
        // Eight years cover every leap-day schedule.
        for day in first_day..first_day + 366 * 8 {
            let (_, month, dom) = civil_from_days(day);
            let weekday = (day + 4).rem_euclid(7) as u32; // 1970-01-01 was a Thursday.
            if self.months & (1 << month) != 0 && self.day_matches(dom, weekday) {
                for minute_of_day in 0..1440 {
                    if out.len() == count {
                        return out;
                    }
                    let t = day * 1440 + minute_of_day;
                    if t >= start
                        && self.hours & (1 << (minute_of_day / 60)) != 0
                        && self.minutes & (1 << (minute_of_day % 60)) != 0
                    {
                        out.push(t);
                    }
                }
            }
            if out.len() == count {
                return out;
            }
        }
        out
    }

    /// The schedule in words, one field at a time.
    pub fn describe(&self) -> Vec<String> {
        let sets = [
            self.minutes,
            self.hours,
            self.days,
            self.months,
            self.weekdays,
        ];
        (0..5)
            .map(|i| {
                let f = &FIELDS[i];
                let max = if i == 4 { 6 } else { f.max };
                let values: Vec<u32> = (f.min..=max).filter(|v| sets[i] & (1 << v) != 0).collect();
                let all = values.len() as u32 == max - f.min + 1;
                let name = |v: u32| match i {
                    3 => MONTHS[(v - 1) as usize].to_string(),
                    4 => WEEKDAYS[v as usize].to_string(),
                    _ => v.to_string(),
                };
                let what = if all {
                    "every one".to_string()
                } else {
                    values
                        .iter()
                        .map(|&v| name(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("{:<13} {what}", format!("{}:", FIELD_NAMES[i]))
            })
            .collect()
    }
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31): Howard Hinnant's
/// `civil_from_days`.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `2026-11-21 05:40 UTC (Sat)`.
pub fn format_minute(t: i64) -> String {
    let day = t.div_euclid(1440);
    let (y, m, d) = civil_from_days(day);
    let mod_ = t.rem_euclid(1440);
    let weekday = WEEKDAYS[(day + 4).rem_euclid(7) as usize];
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC ({weekday})",
        mod_ / 60,
        mod_ % 60
    )
}

/// Explain a CronJob: its schedule field by field, the next three times,
/// what `suspend` and `concurrencyPolicy` do, and how to run it now.
pub fn explain(
    out: &mut impl Write,
    style: Style,
    cron: &CronJob,
    now_minute: i64,
) -> io::Result<()> {
    let name = &cron.metadata.name;
    writeln!(out, "{} {}", style.strong("CronJob"), style.strong(name))?;
    match Schedule::parse(&cron.schedule) {
        Err(e) => writeln!(out, "  schedule \"{}\": {}", cron.schedule, style.bad(&e))?,
        Ok(s) => {
            writeln!(out, "  schedule \"{}\":", cron.schedule)?;
            for line in s.describe() {
                writeln!(out, "    {line}")?;
            }
            let next = s.next_times(now_minute, 3);
            if next.is_empty() {
                writeln!(
                    out,
                    "  {}",
                    style.warn("this schedule never fires (no such date)")
                )?;
            } else {
                writeln!(out, "  next runs on a cluster:")?;
                for t in next {
                    writeln!(out, "    {}", format_minute(t))?;
                }
            }
        }
    }
    if cron.suspend {
        writeln!(
            out,
            "  suspend: true: a cluster starts no Job until it is set back to false"
        )?;
    }
    let policy = match cron.concurrency_policy.as_str() {
        "Forbid" => "Forbid: a run is skipped while the previous Job still runs",
        "Replace" => "Replace: a new run deletes the previous Job if it still runs",
        _ => "Allow: runs may overlap",
    };
    writeln!(out, "  concurrencyPolicy {policy}")?;
    writeln!(
        out,
        "  {} podlearn does not wait for the schedule; run it once now with {}",
        style.note("note:"),
        style.command(&format!(
            "podlearn create job {name}-manual --from=cronjob/{name}"
        ))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-21 05:40 UTC, a Saturday.
    const NOW: i64 = (20_778 * 1440) + 5 * 60 + 40;

    fn next(s: &str, n: usize) -> Vec<String> {
        Schedule::parse(s)
            .unwrap()
            .next_times(NOW, n)
            .into_iter()
            .map(format_minute)
            .collect()
    }

    #[test]
    fn dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_778), (2026, 11, 21));
        assert_eq!(format_minute(NOW), "2026-11-21 05:40 UTC (sat)");
    }

    #[test]
    fn every_five_minutes() {
        assert_eq!(
            next("*/5 * * * *", 3),
            [
                "2026-11-21 05:45 UTC (sat)",
                "2026-11-21 05:50 UTC (sat)",
                "2026-11-21 05:55 UTC (sat)"
            ]
        );
    }

    #[test]
    fn weekdays_at_nine_with_names() {
        assert_eq!(
            next("0 9 * * MON-FRI", 2),
            ["2026-11-23 09:00 UTC (mon)", "2026-11-24 09:00 UTC (tue)"]
        );
    }

    #[test]
    fn macros_and_sunday_as_seven() {
        assert_eq!(next("@daily", 1), ["2026-11-22 00:00 UTC (sun)"]);
        assert_eq!(next("@hourly", 1), ["2026-11-21 06:00 UTC (sat)"]);
        assert_eq!(next("0 0 * * 7", 1), next("@weekly", 1));
        assert_eq!(next("@yearly", 1), ["2027-01-01 00:00 UTC (fri)"]);
    }

    #[test]
    fn day_of_month_or_day_of_week_when_both_are_set() {
        // The 1st of the month or any Monday.
        assert_eq!(
            next("0 0 1 * mon", 3),
            [
                "2026-11-23 00:00 UTC (mon)",
                "2026-11-30 00:00 UTC (mon)",
                "2026-12-01 00:00 UTC (tue)"
            ]
        );
    }

    #[test]
    fn leap_day_and_impossible_dates() {
        assert_eq!(next("0 12 29 2 *", 1), ["2028-02-29 12:00 UTC (tue)"]);
        assert!(
            Schedule::parse("0 0 31 2 *")
                .unwrap()
                .next_times(NOW, 1)
                .is_empty()
        );
    }

    #[test]
    fn strictly_after_now() {
        assert_eq!(next("40 5 * * *", 1), ["2026-11-22 05:40 UTC (sun)"]);
        assert_eq!(next("41 5 * * *", 1), ["2026-11-21 05:41 UTC (sat)"]);
    }

    #[test]
    fn mistakes_name_the_field() {
        assert!(
            Schedule::parse("* * * *")
                .unwrap_err()
                .contains("expected 5 fields")
        );
        assert!(
            Schedule::parse("60 * * * *")
                .unwrap_err()
                .contains("minute: 60 is out of range 0-59")
        );
        assert!(
            Schedule::parse("* * * foo *")
                .unwrap_err()
                .contains("month: \"foo\" is not a number or a name")
        );
        assert!(Schedule::parse("*/0 * * * *").unwrap_err().contains("step"));
        assert!(
            Schedule::parse("@every 5m")
                .unwrap_err()
                .contains("unknown macro")
        );
        assert!(
            Schedule::parse("5-1 * * * *")
                .unwrap_err()
                .contains("backwards")
        );
        assert!(
            Schedule::parse("1,,2 * * * *")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn describes_in_words() {
        let d = Schedule::parse("0 9 * * 1-5").unwrap().describe();
        assert_eq!(d[0], "minute:       0");
        assert_eq!(d[2], "day of month: every one");
        assert_eq!(d[4], "day of week:  mon, tue, wed, thu, fri");
    }
}
