//! What the report works out of a resource: [`Figures`].
//!
//! Statistics are nearest-rank on the sorted values (the median is the
//! 50th percentile, so every figure is a value that was measured). I/O
//! samples hold counters since monitoring began; rates come from
//! consecutive samples, and a counter that went down (a restarted
//! container) counts again from 0 instead of giving a negative rate.

use super::read::{CPU, IO_READ, IO_WRITE, MEMORY, MEMORY_PEAK, PROCS, Resource};

/// Min, median, 95th percentile and max of a list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Stats {
    pub(super) min: f64,
    pub(super) median: f64,
    pub(super) p95: f64,
    pub(super) max: f64,
}

/// The nearest-rank `p`th percentile of sorted, non-empty `values`: the
/// smallest value with at least p % of the values at or below it.
fn percentile(sorted: &[f64], p: usize) -> f64 {
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// The statistics of `values`, `None` when there are none.
fn stats(mut values: Vec<f64>) -> Option<Stats> {
    values.retain(|v| v.is_finite());
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    Some(Stats {
        min: values[0],
        median: percentile(&values, 50),
        p95: percentile(&values, 95),
        max: values[values.len() - 1],
    })
}

/// Rates in units per second from a cumulative counter's `(elapsed, value)`
/// points in time order, each at the later sample's elapsed. A counter that
/// went down restarted: it counted from 0 since. A point at the same time
/// as the one before gives no rate (the next one spans both); one earlier
/// than the one before starts a new monitoring session.
pub(super) fn rates(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len().saturating_sub(1));
    let mut prev: Option<(f64, f64)> = None;
    for &(e, v) in points {
        let Some((pe, pv)) = prev else {
            prev = Some((e, v));
            continue;
        };
        let dt = e - pe;
        if dt < 0.0 {
            prev = Some((e, v));
            continue;
        }
        if dt == 0.0 {
            continue;
        }
        let delta = if v >= pv { v - pv } else { v };
        let rate = round_to(delta / dt, 1e3);
        if rate.is_finite() {
            out.push((e, rate));
        }
        prev = Some((e, v));
    }
    out
}

/// `x` rounded to `1/per` (the float noise of a difference goes, e.g.
/// `0.01999999999998181` s is `0.02` s).
fn round_to(x: f64, per: f64) -> f64 {
    let r = (x * per).round() / per;
    if r.is_finite() { r } else { x }
}

/// The bytes a cumulative counter counted in all: its last value, plus
/// what it had counted before each restart.
fn counted(points: &[(f64, f64)]) -> Option<f64> {
    let mut total = 0.0;
    let mut prev: Option<(f64, f64)> = None;
    for &(e, v) in points {
        total += match prev {
            Some((pe, pv)) if e >= pe && v >= pv => v - pv,
            _ => v,
        };
        prev = Some((e, v));
    }
    prev.map(|_| total).filter(|t| t.is_finite())
}

/// What the report says of a resource.
#[derive(Debug, Clone, Default)]
pub(super) struct Figures {
    pub(super) samples: usize,
    /// First to last elapsed; `None` without samples.
    pub(super) span: Option<f64>,
    /// In the order of `METRICS` ([`render`](super::render)).
    pub(super) metrics: [Option<Stats>; 5],
    /// The true peak and how it was known.
    pub(super) memory_peak: Option<(f64, String)>,
    pub(super) procs_peak: Option<f64>,
    pub(super) wall_seconds: Option<f64>,
    /// User plus system CPU seconds, from a summary only.
    pub(super) cpu_seconds: Option<f64>,
    pub(super) io_read_bytes: Option<f64>,
    pub(super) io_write_bytes: Option<f64>,
    pub(super) has_summary: bool,
}

impl Figures {
    pub(super) fn of(r: &Resource) -> Figures {
        let col = |c: usize| r.rows.iter().map(|row| row.v[c]).collect::<Vec<_>>();
        let (read, write) = (r.column(IO_READ), r.column(IO_WRITE));
        let metrics = [
            stats(col(MEMORY)),
            stats(col(CPU)),
            stats(col(PROCS)),
            stats(rates(&read).into_iter().map(|p| p.1).collect()),
            stats(rates(&write).into_iter().map(|p| p.1).collect()),
        ];
        let span = (!r.rows.is_empty()).then(|| {
            let (lo, hi) = r.rows.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
                (lo.min(x.elapsed), hi.max(x.elapsed))
            });
            round_to(hi - lo, 1e6)
        });
        let max_of = |c: usize| stats(col(c)).map(|s| s.max);
        let sampled_peak = match (max_of(MEMORY_PEAK), max_of(MEMORY)) {
            (Some(p), m) if m.is_none_or(|m| p >= m) => {
                Some((p, r.source.clone().unwrap_or_else(|| "memory_peak".into())))
            }
            (_, Some(m)) => Some((m, "sampled".into())),
            _ => None,
        };
        let summary = r.summary.as_ref().map(|s| &s.0);
        let amount = |a: Option<ptest_shared::kinds::Amount>| a.map(|a| a.get());
        let memory_peak = summary
            .and_then(|s| {
                amount(s.memory_peak).map(|p| {
                    let src = s.memory_peak_source.as_ref();
                    (p, src.map_or("summary".into(), |x| x.get().clone()))
                })
            })
            .or(sampled_peak);
        let cpu_seconds = summary.and_then(|s| {
            match (amount(s.cpu_user_seconds), amount(s.cpu_system_seconds)) {
                (None, None) => None,
                (u, sys) => Some(u.unwrap_or(0.0) + sys.unwrap_or(0.0)),
            }
        });
        Figures {
            samples: r.rows.len(),
            span,
            procs_peak: summary
                .and_then(|s| amount(s.procs_peak))
                .or(metrics[2].map(|s| s.max)),
            wall_seconds: summary.map(|s| s.wall_seconds.get()).or(span),
            cpu_seconds,
            io_read_bytes: summary
                .and_then(|s| amount(s.io_read_bytes))
                .or_else(|| counted(&read)),
            io_write_bytes: summary
                .and_then(|s| amount(s.io_write_bytes))
                .or_else(|| counted(&write)),
            metrics,
            memory_peak,
            has_summary: summary.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::read::fixtures::{read, sample};

    #[test]
    fn nearest_rank_statistics_of_known_lists() {
        let s = stats((1..=20).map(f64::from).collect()).unwrap();
        assert_eq!((s.min, s.median, s.p95, s.max), (1.0, 10.0, 19.0, 20.0));
        // Odd count: the middle value; p95 of 5 values is the largest.
        let s = stats(vec![5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.min, s.median, s.p95, s.max), (1.0, 3.0, 5.0, 5.0));
        let s = stats((1..=100).map(f64::from).collect()).unwrap();
        assert_eq!((s.median, s.p95), (50.0, 95.0));
        let s = stats(vec![7.0]).unwrap();
        assert_eq!((s.min, s.median, s.p95, s.max), (7.0, 7.0, 7.0, 7.0));
        assert_eq!(stats(vec![]), None);
        assert_eq!(stats(vec![f64::NAN]), None);
        let s = stats(vec![1e18, 0.0]).unwrap();
        assert_eq!((s.median, s.max), (0.0, 1e18));
    }

    #[test]
    fn rates_come_from_consecutive_counters_and_restart_after_a_reset() {
        let pts = [
            (0.0, 0.0),
            (1.0, 100.0),
            (3.0, 500.0),
            (4.0, 50.0),
            (5.0, 150.0),
        ];
        assert_eq!(
            rates(&pts),
            [(1.0, 100.0), (3.0, 200.0), (4.0, 50.0), (5.0, 100.0)]
        );
        // 100 + 400 + 50 (counted from 0 after the reset) + 100.
        assert_eq!(counted(&pts), Some(650.0));
        // A duplicate time gives no rate; the next point spans both.
        assert_eq!(
            rates(&[(0.0, 0.0), (1.0, 10.0), (1.0, 20.0), (2.0, 40.0)]),
            [(1.0, 10.0), (2.0, 30.0)]
        );
        // Elapsed going back is a new session: no rate across it.
        assert_eq!(
            rates(&[(0.0, 0.0), (5.0, 50.0), (0.5, 10.0), (1.5, 30.0)]),
            [(5.0, 10.0), (1.5, 20.0)]
        );
        assert!(rates(&[(0.0, 1.0)]).is_empty());
        assert_eq!(counted(&[]), None);
        assert_eq!(counted(&[(0.0, 4096.0)]), Some(4096.0));
    }

    #[test]
    fn summary_peak_wins_over_sampled_figures() {
        let text = [
            sample("mon-a", 1, 0.0, r#","name":"pytest","memory":100,"io_read":0"#),
            sample("mon-a", 2, 1.0, r#","memory":300,"memory_peak":350,"io_read":10"#),
            r#"{"v":1,"kind":"summary","tool":"ptest-mon","resource":"mon-a","wall_seconds":2.5,"memory_peak":400,"memory_peak_source":"cgroup","cpu_user_seconds":1,"cpu_system_seconds":0.5,"exit_code":0}"#.to_owned(),
        ]
        .join("\n");
        let ds = read(&text).unwrap();
        let r = &ds.resources[0];
        assert_eq!(r.name.as_deref(), Some("pytest"));
        let f = Figures::of(r);
        assert_eq!(f.memory_peak, Some((400.0, "cgroup".into())));
        assert_eq!(f.wall_seconds, Some(2.5));
        assert_eq!(f.cpu_seconds, Some(1.5));
        assert_eq!(f.io_read_bytes, Some(10.0));
        // Without the summary: the cgroup's sampled peak, then the span.
        let bare = read(text.rsplit_once('\n').unwrap().0).unwrap();
        let f = Figures::of(&bare.resources[0]);
        assert_eq!(f.memory_peak.map(|p| p.0), Some(350.0));
        assert_eq!(f.wall_seconds, Some(1.0));
        assert_eq!(f.cpu_seconds, None);
    }
}
