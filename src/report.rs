//! The per-check report of a grading run, for people (text), tools (JSON)
//! and CI dashboards (JUnit XML). Renderers are pure: they write to any
//! `io::Write` and take a `term::Style`.

use std::io::{self, Write};

use serde::Serialize;

use crate::check::CheckOutcome;
use crate::term::Style;

/// Everything one `podlearn check` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeReport {
    pub exercise: String,
    pub title: String,
    pub passed: bool,
    pub outcomes: Vec<CheckOutcome>,
    /// End to end, pod start and teardown included.
    pub seconds: f64,
}

impl GradeReport {
    pub fn failed_count(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.passed).count()
    }
}

/// The text report: one line per check, and for each failure what was
/// expected, what was observed, and the hint.
pub fn render_text(report: &GradeReport, style: Style, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "{} {}",
        style.strong(&report.exercise),
        style.dim(&format!("({})", report.title))
    )?;
    for o in &report.outcomes {
        if o.passed {
            writeln!(w, "  {} {}", style.ok("✓"), o.id)?;
        } else {
            writeln!(w, "  {} {}", style.bad("✗"), style.strong(&o.id))?;
            writeln!(w, "      expected: {}", o.expected)?;
            writeln!(w, "      observed: {}", o.observed)?;
            if let Some(h) = &o.hint {
                writeln!(w, "      {} {h}", style.note("hint:"))?;
            }
        }
    }
    let total = report.outcomes.len();
    let time = format!("in {:.1}s", report.seconds);
    if report.passed {
        writeln!(
            w,
            "{} all {total} checks passed {}",
            style.ok("PASSED"),
            style.dim(&time)
        )
    } else {
        writeln!(
            w,
            "{} {} of {total} checks failed {}",
            style.bad("FAILED"),
            report.failed_count(),
            style.dim(&time)
        )
    }
}

/// One JSON document.
pub fn render_json(report: &GradeReport, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report).map_err(io::Error::other)?;
    writeln!(w)
}

/// JUnit XML: one test suite per exercise, one test case per check.
pub fn render_junit(report: &GradeReport, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<testsuites name="podlearn" tests="{}" failures="{}" time="{:.3}">"#,
        report.outcomes.len(),
        report.failed_count(),
        report.seconds
    )?;
    writeln!(
        w,
        r#"  <testsuite name="{}" tests="{}" failures="{}" time="{:.3}">"#,
        xml(&report.exercise),
        report.outcomes.len(),
        report.failed_count(),
        report.seconds
    )?;
    for o in &report.outcomes {
        let open = format!(
            r#"    <testcase classname="{}" name="{}" time="{:.3}""#,
            xml(&report.exercise),
            xml(&o.id),
            o.seconds
        );
        if o.passed {
            writeln!(w, "{open}/>")?;
        } else {
            writeln!(w, "{open}>")?;
            writeln!(
                w,
                r#"      <failure message="{}">expected: {}&#10;observed: {}&#10;hint: {}</failure>"#,
                xml(&format!("expected {}", o.expected)),
                xml(&o.expected),
                xml(&o.observed),
                xml(o.hint.as_deref().unwrap_or(""))
            )?;
            writeln!(w, "    </testcase>")?;
        }
    }
    writeln!(w, "  </testsuite>")?;
    writeln!(w, "</testsuites>")
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "&#10;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> GradeReport {
        GradeReport {
            exercise: "localhost-pair".into(),
            title: "Two containers, one localhost".into(),
            passed: false,
            seconds: 1.25,
            outcomes: vec![
                CheckOutcome {
                    id: "two-containers".into(),
                    kind: "containers".into(),
                    passed: true,
                    expected: "2 containers".into(),
                    observed: "2 containers: web, client".into(),
                    hint: None,
                    seconds: 0.0,
                },
                CheckOutcome {
                    id: "client-reaches-web".into(),
                    kind: "http".into(),
                    passed: false,
                    expected: "GET http://localhost:8080/ from client to answer 200".into(),
                    observed: "no answer: \"Connection refused\"".into(),
                    hint: Some("Is web listening on <8080> & localhost?".into()),
                    seconds: 0.5,
                },
            ],
        }
    }

    fn render(f: impl Fn(&GradeReport, &mut dyn Write) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&sample(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_report_snapshot() {
        let text = render(|r, w| render_text(r, Style::PLAIN, w));
        assert_eq!(
            text,
            "localhost-pair (Two containers, one localhost)
  ✓ two-containers
  ✗ client-reaches-web
      expected: GET http://localhost:8080/ from client to answer 200
      observed: no answer: \"Connection refused\"
      hint: Is web listening on <8080> & localhost?
FAILED 1 of 2 checks failed in 1.2s
"
        );
    }

    #[test]
    fn json_report_snapshot() {
        let text = render(|r, w| render_json(r, w));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["exercise"], "localhost-pair");
        assert_eq!(v["passed"], false);
        assert_eq!(v["outcomes"][1]["id"], "client-reaches-web");
        assert_eq!(
            v["outcomes"][1]["observed"],
            "no answer: \"Connection refused\""
        );
        assert!(v["outcomes"][0].get("hint").is_none());
    }

    #[test]
    fn junit_report_snapshot() {
        let text = render(|r, w| render_junit(r, w));
        assert_eq!(
            text,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="podlearn" tests="2" failures="1" time="1.250">
  <testsuite name="localhost-pair" tests="2" failures="1" time="1.250">
    <testcase classname="localhost-pair" name="two-containers" time="0.000"/>
    <testcase classname="localhost-pair" name="client-reaches-web" time="0.500">
      <failure message="expected GET http://localhost:8080/ from client to answer 200">expected: GET http://localhost:8080/ from client to answer 200&#10;observed: no answer: &quot;Connection refused&quot;&#10;hint: Is web listening on &lt;8080&gt; &amp; localhost?</failure>
    </testcase>
  </testsuite>
</testsuites>
"#
        );
    }
}
