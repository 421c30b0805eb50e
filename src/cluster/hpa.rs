//! The Horizontal Pod Autoscaler's arithmetic, for `podlearn autoscale`.
//!
//! A real HPA needs a metrics pipeline (metrics-server), which podlearn does
//! not run, so it never resizes anything. What it can do is show the exact
//! computation the HPA controller applies, step by step, for numbers the
//! learner gives (the algorithm of the Kubernetes page "Horizontal Pod
//! Autoscaling"):
//!
//! ```text
//! desiredReplicas = ceil(currentReplicas * currentMetricValue / desiredMetricValue)
//! ```
//!
//! skipped when the ratio is within the 10% tolerance, then clamped to
//! `minReplicas..=maxReplicas`.

use std::io::{self, Write};

use crate::term::Style;

/// The controller's default tolerance (`--horizontal-pod-autoscaler-tolerance`).
pub const TOLERANCE: f64 = 0.1;

/// What the learner asked about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HpaInput {
    pub current_replicas: u32,
    /// The metric's current average per Pod (e.g. 90 for 90% CPU).
    pub current_metric: f64,
    /// The target average per Pod.
    pub target_metric: f64,
    pub min_replicas: u32,
    pub max_replicas: u32,
}

/// Why the result is what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HpaReason {
    /// |ratio - 1| <= tolerance: the HPA leaves the Deployment alone.
    WithinTolerance,
    /// The computed count, within the bounds.
    Computed,
    /// The computed count was below `minReplicas`.
    ClampedToMin,
    /// The computed count was above `maxReplicas`.
    ClampedToMax,
}

/// The steps of the computation, kept so they can be shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HpaDecision {
    pub ratio: f64,
    /// `ceil(current * ratio)`, before tolerance and clamping.
    pub raw: u32,
    pub desired: u32,
    pub reason: HpaReason,
}

/// A mistake in the numbers, said the way a teacher would.
pub fn check_input(input: &HpaInput) -> Result<(), String> {
    if !(input.target_metric.is_finite() && input.target_metric > 0.0) {
        return Err(format!(
            "--target must be a number above 0 (got {}): it is the value per Pod the HPA aims for, e.g. 50 for 50% CPU",
            input.target_metric
        ));
    }
    if !(input.current_metric.is_finite() && input.current_metric >= 0.0) {
        return Err(format!(
            "--current must be 0 or more (got {}): it is the metric's average per Pod now",
            input.current_metric
        ));
    }
    if input.min_replicas == 0 {
        return Err("--min must be at least 1 (minReplicas: 0 needs the HPAScaleToZero feature gate, off by default)".into());
    }
    if input.min_replicas > input.max_replicas {
        return Err(format!(
            "--min ({}) is above --max ({}): the API server rejects that (minReplicas must be less than or equal to maxReplicas)",
            input.min_replicas, input.max_replicas
        ));
    }
    if input.current_replicas == 0 {
        return Err("--replicas must be at least 1: the HPA does nothing to a Deployment scaled to 0 (scaling is disabled)".into());
    }
    Ok(())
}

/// Apply the HPA algorithm. `input` must have passed [`check_input`].
pub fn decide(input: &HpaInput) -> HpaDecision {
    let ratio = input.current_metric / input.target_metric;
    let raw = (f64::from(input.current_replicas) * ratio).ceil();
    // Float noise like 2.0000000001 must not add a replica: round to 1e-9 first.
    let raw = ((raw * 1e9).round() / 1e9).ceil().min(f64::from(u32::MAX)) as u32;
    if (ratio - 1.0).abs() <= TOLERANCE {
        let desired = input
            .current_replicas
            .clamp(input.min_replicas, input.max_replicas);
        let reason = clamp_reason(input, input.current_replicas);
        let reason = if reason == HpaReason::Computed {
            HpaReason::WithinTolerance
        } else {
            reason
        };
        return HpaDecision {
            ratio,
            raw,
            desired,
            reason,
        };
    }
    HpaDecision {
        ratio,
        raw,
        desired: raw.clamp(input.min_replicas, input.max_replicas),
        reason: clamp_reason(input, raw),
    }
}

fn clamp_reason(input: &HpaInput, n: u32) -> HpaReason {
    if n < input.min_replicas {
        HpaReason::ClampedToMin
    } else if n > input.max_replicas {
        HpaReason::ClampedToMax
    } else {
        HpaReason::Computed
    }
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let s = format!("{x:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Print the computation step by step.
pub fn explain(out: &mut impl Write, style: Style, input: &HpaInput) -> io::Result<()> {
    let d = decide(input);
    writeln!(
        out,
        "{}",
        style.strong("How the Horizontal Pod Autoscaler would size this Deployment")
    )?;
    writeln!(
        out,
        "  ratio   = currentMetric / target = {} / {} = {}",
        num(input.current_metric),
        num(input.target_metric),
        num(d.ratio)
    )?;
    writeln!(
        out,
        "  desired = ceil(currentReplicas * ratio) = ceil({} * {}) = {}",
        input.current_replicas,
        num(d.ratio),
        d.raw
    )?;
    let verdict = match d.reason {
        HpaReason::WithinTolerance => format!(
            "  |ratio - 1| = {} is within the 10% tolerance: no change, stays at {}",
            num((d.ratio - 1.0).abs()),
            d.desired
        ),
        HpaReason::Computed => format!(
            "  {} is within minReplicas..maxReplicas ({}..{}): scale {} -> {}",
            d.raw, input.min_replicas, input.max_replicas, input.current_replicas, d.desired
        ),
        HpaReason::ClampedToMin => format!(
            "  below minReplicas {}: clamped, scale {} -> {}",
            input.min_replicas, input.current_replicas, d.desired
        ),
        HpaReason::ClampedToMax => format!(
            "  above maxReplicas {}: clamped, scale {} -> {}",
            input.max_replicas, input.current_replicas, d.desired
        ),
    };
    writeln!(out, "{verdict}")?;
    writeln!(out, "{} {}", style.strong("desired replicas:"), d.desired)?;
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        style.dim(
            "On a cluster the HPA repeats this every 15 s from metrics-server's numbers, and waits out a\n\
             5-minute stabilization window before scaling down. podlearn has no metrics pipeline, so it\n\
             shows the arithmetic and never resizes anything by itself: try `podlearn scale deployment NAME --replicas N`."
        )
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(replicas: u32, current: f64, target: f64) -> HpaInput {
        HpaInput {
            current_replicas: replicas,
            current_metric: current,
            target_metric: target,
            min_replicas: 1,
            max_replicas: 10,
        }
    }

    #[test]
    fn doubles_when_metric_is_twice_the_target() {
        let d = decide(&input(3, 100.0, 50.0));
        assert_eq!(d.raw, 6);
        assert_eq!(d.desired, 6);
        assert_eq!(d.reason, HpaReason::Computed);
    }

    #[test]
    fn rounds_up_like_the_controller() {
        // The Kubernetes docs' example: 1 replica, 200m of 100m -> 2; 3 at 90/50 -> ceil(5.4) = 6.
        assert_eq!(decide(&input(1, 200.0, 100.0)).desired, 2);
        assert_eq!(decide(&input(3, 90.0, 50.0)).desired, 6);
        assert_eq!(decide(&input(4, 25.0, 50.0)).desired, 2);
    }

    #[test]
    fn exact_ratio_has_no_float_noise() {
        // 3 * (0.7 / 0.35) must be 6, not 7.
        assert_eq!(decide(&input(3, 0.7, 0.35)).raw, 6);
    }

    #[test]
    fn within_tolerance_keeps_the_count() {
        let d = decide(&input(4, 54.0, 50.0));
        assert_eq!(d.reason, HpaReason::WithinTolerance);
        assert_eq!(d.desired, 4);
        // 11% over is outside.
        assert_eq!(decide(&input(4, 55.5, 50.0)).desired, 5);
    }

    #[test]
    fn clamps_to_min_and_max() {
        let d = decide(&input(8, 200.0, 50.0));
        assert_eq!(
            (d.raw, d.desired, d.reason),
            (32, 10, HpaReason::ClampedToMax)
        );
        let mut i = input(3, 1.0, 50.0);
        i.min_replicas = 2;
        let d = decide(&i);
        assert_eq!(
            (d.raw, d.desired, d.reason),
            (1, 2, HpaReason::ClampedToMin)
        );
    }

    #[test]
    fn rejects_numbers_an_hpa_would_not_take() {
        assert!(check_input(&input(3, 50.0, 0.0)).is_err());
        assert!(check_input(&input(0, 50.0, 50.0)).is_err());
        assert!(check_input(&input(1, -1.0, 50.0)).is_err());
        let mut i = input(1, 1.0, 1.0);
        i.min_replicas = 5;
        i.max_replicas = 2;
        assert!(
            check_input(&i)
                .unwrap_err()
                .contains("--min (5) is above --max (2)")
        );
        assert!(check_input(&input(3, 90.0, 50.0)).is_ok());
    }

    #[test]
    fn explanation_shows_every_step() {
        let mut out = Vec::new();
        explain(&mut out, Style::PLAIN, &input(3, 90.0, 50.0)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("ratio   = currentMetric / target = 90 / 50 = 1.8"),
            "{text}"
        );
        assert!(text.contains("ceil(3 * 1.8) = 6"), "{text}");
        assert!(text.contains("scale 3 -> 6"), "{text}");
        assert!(text.contains("desired replicas: 6"), "{text}");
    }
}
