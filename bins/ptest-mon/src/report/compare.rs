//! Comparing with a baseline run: which resource is which, and which of
//! its metrics grew.

use super::read::Dataset;
use super::render::Unit;
use super::stats::Figures;

/// One resource as matching sees it: id and name.
type Key<'a> = (&'a str, Option<&'a str>);

/// A way of matching a current resource with a baseline one.
type Rule = fn(&Key, &Key) -> bool;

fn host(k: &Key) -> bool {
    k.0 == "host"
}

/// The name a resource is matched by: its name, else its id.
fn key_name<'a>(k: &Key<'a>) -> &'a str {
    k.1.filter(|n| !n.is_empty()).unwrap_or(k.0)
}

pub(super) fn keys(ds: &Dataset) -> Vec<Key<'_>> {
    ds.resources
        .iter()
        .map(|r| (r.id.as_str(), r.name.as_deref()))
        .collect()
}

/// Pairs current resources with baseline ones: host with host, then by
/// name (a resource without one by its id), then by id; and when each side
/// holds exactly one resource besides the host, those two whatever their
/// names. Returns the pairs in the current order, then the current-only
/// ones in place, then the baseline-only ones: `(current, baseline)`
/// indices.
pub(super) fn match_resources(
    current: &[Key],
    baseline: &[Key],
) -> Vec<(Option<usize>, Option<usize>)> {
    let mut pair: Vec<Option<usize>> = vec![None; current.len()];
    let mut used = vec![false; baseline.len()];
    let rules: [Rule; 3] = [
        |c, b| host(c) && host(b),
        |c, b| !host(c) && !host(b) && key_name(c) == key_name(b),
        |c, b| !host(c) && !host(b) && c.0 == b.0,
    ];
    for rule in rules {
        for (ci, c) in current.iter().enumerate() {
            if pair[ci].is_some() {
                continue;
            }
            if let Some(bi) = (0..baseline.len()).find(|&bi| !used[bi] && rule(c, &baseline[bi])) {
                pair[ci] = Some(bi);
                used[bi] = true;
            }
        }
    }
    let lone = |ks: &[Key]| {
        let mut it = ks.iter().enumerate().filter(|(_, k)| !host(k));
        match (it.next(), it.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    };
    if let (Some(ci), Some(bi)) = (lone(current), lone(baseline))
        && pair[ci].is_none()
        && !used[bi]
    {
        pair[ci] = Some(bi);
        used[bi] = true;
    }
    let mut out: Vec<_> = pair
        .iter()
        .enumerate()
        .map(|(ci, b)| (Some(ci), *b))
        .collect();
    out.extend(
        (0..baseline.len())
            .filter(|&bi| !used[bi])
            .map(|bi| (None, Some(bi))),
    );
    out
}

/// One metric compared.
#[derive(Debug, Clone)]
pub(super) struct Compared {
    pub(super) metric: &'static str,
    pub(super) unit: Unit,
    pub(super) baseline: f64,
    pub(super) current: f64,
    pub(super) grew: bool,
}

impl Compared {
    /// current / baseline; `None` for a metric new in this run (baseline 0).
    pub(super) fn ratio(&self) -> Option<f64> {
        (self.baseline > 0.0).then(|| self.current / self.baseline)
    }
}

/// The metrics both sides have: a metric missing on either side, or 0 on
/// both, is left out; 0 in the baseline only is kept, as new (no ratio).
pub(super) fn compare(cur: &Figures, base: &Figures, grow: f64) -> Vec<Compared> {
    let peak = |f: &Figures| f.memory_peak.as_ref().map(|p| p.0);
    let median = |f: &Figures| f.metrics[1].map(|s| s.median);
    let p95 = |f: &Figures| f.metrics[1].map(|s| s.p95);
    let both = cur.has_summary && base.has_summary;
    let candidates: [(&str, Unit, Option<f64>, Option<f64>); 8] = [
        ("memory_peak", Unit::Bytes, peak(base), peak(cur)),
        ("cpu_median", Unit::Percent, median(base), median(cur)),
        ("cpu_p95", Unit::Percent, p95(base), p95(cur)),
        ("procs_peak", Unit::Count, base.procs_peak, cur.procs_peak),
        (
            "wall_seconds",
            Unit::Seconds,
            base.wall_seconds,
            cur.wall_seconds,
        ),
        (
            "cpu_seconds",
            Unit::Seconds,
            base.cpu_seconds.filter(|_| both),
            cur.cpu_seconds.filter(|_| both),
        ),
        (
            "io_read_bytes",
            Unit::Bytes,
            base.io_read_bytes,
            cur.io_read_bytes,
        ),
        (
            "io_write_bytes",
            Unit::Bytes,
            base.io_write_bytes,
            cur.io_write_bytes,
        ),
    ];
    candidates
        .into_iter()
        .filter_map(|(metric, unit, b, c)| {
            let (b, c) = (b?, c?);
            if !(b.is_finite() && c.is_finite()) || (b <= 0.0 && c <= 0.0) {
                return None;
            }
            let mut m = Compared {
                metric,
                unit,
                baseline: b,
                current: c,
                grew: false,
            };
            m.grew = m.ratio().is_some_and(|r| r > grow);
            Some(m)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_matching_rules() {
        let m = |c: &[Key], b: &[Key]| match_resources(c, b);
        // By name, whatever the ids; host with host; the rest one-sided.
        let cur = [
            ("mon-x", Some("pytest")),
            ("host", Some("host")),
            ("proc-new", Some("redis")),
        ];
        let base = [
            ("host", Some("host")),
            ("mon-y", Some("pytest")),
            ("proc-old", Some("db")),
        ];
        assert_eq!(
            m(&cur, &base),
            [
                (Some(0), Some(1)),
                (Some(1), Some(0)),
                (Some(2), None),
                (None, Some(2))
            ]
        );
        // No name: by id.
        assert_eq!(
            m(&[("pid-1", None)], &[("pid-2", None), ("pid-1", None)]),
            [(Some(0), Some(1)), (None, Some(0))]
        );
        // One non-host resource on each side: those two, whatever names.
        assert_eq!(
            m(
                &[("host", None), ("mon-a", Some("pytest -x"))],
                &[("mon-b", Some("pytest")), ("host", None)]
            ),
            [(Some(0), Some(1)), (Some(1), Some(0))]
        );
        // Two on one side: no guessing.
        assert_eq!(
            m(
                &[("mon-a", Some("a"))],
                &[("mon-b", Some("b")), ("mon-c", Some("c"))]
            ),
            [(Some(0), None), (None, Some(0)), (None, Some(1))]
        );
        // Host never pairs with a lone other resource.
        assert_eq!(
            m(&[("host", None)], &[("mon-b", None)]),
            [(Some(0), None), (None, Some(0))]
        );
    }

    #[test]
    fn comparison_ratios_skip_missing_and_keep_new() {
        let base = Figures {
            memory_peak: Some((400.0, "cgroup".into())),
            wall_seconds: Some(10.0),
            io_write_bytes: Some(0.0),
            io_read_bytes: Some(0.0),
            cpu_seconds: Some(3.0),
            ..Figures::default()
        };
        let cur = Figures {
            memory_peak: Some((600.0, "cgroup".into())),
            wall_seconds: Some(10.5),
            io_write_bytes: Some(4096.0),
            io_read_bytes: Some(0.0),
            cpu_seconds: Some(9.0),
            ..Figures::default()
        };
        let c = compare(&cur, &base, 1.1);
        let names: Vec<_> = c.iter().map(|m| m.metric).collect();
        // cpu_seconds only when both have summaries; 0 on both sides is left out.
        assert_eq!(names, ["memory_peak", "wall_seconds", "io_write_bytes"]);
        assert_eq!(c[0].ratio(), Some(1.5));
        assert!(c[0].grew);
        assert!(!c[1].grew);
        assert_eq!(c[2].ratio(), None, "new, never a ratio");
        assert!(!c[2].grew);
    }
}
