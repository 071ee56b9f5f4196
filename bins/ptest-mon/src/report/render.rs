//! How the report shows things: per-resource tables and `report` records,
//! the comparison's rows and `comparison` records, and figures for people.

use super::compare::Compared;
use super::read::{Crossed, Resource};
use super::stats::Figures;
use ptest_shared::Record;
use ptest_shared::kinds::ThresholdName;
use ptest_shared::output::table;
use serde_json::{Map, Value, json};

/// The metrics of the per-resource table, as named in `report` records.
const METRICS: [(&str, &str, Unit); 5] = [
    ("memory", "memory", Unit::Bytes),
    ("cpu", "cpu", Unit::Percent),
    ("procs", "procs", Unit::Count),
    ("io_read_rate", "io read", Unit::Rate),
    ("io_write_rate", "io write", Unit::Rate),
];

/// How a figure is shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Bytes,
    Rate,
    Percent,
    Count,
    Seconds,
}

impl Unit {
    fn show(self, x: f64) -> String {
        match self {
            Unit::Bytes => human_bytes(x),
            Unit::Rate => format!("{}/s", human_bytes(x)),
            Unit::Percent => format!("{x:.1}%"),
            Unit::Count => trim_float(x),
            Unit::Seconds => human_seconds(x),
        }
    }
}

/// A number as JSON: an integer when it is one (bytes stay `123456789`, not
/// `123456789.0`), else a float.
fn num(x: f64) -> Value {
    if x.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&x) {
        Value::from(x as u64)
    } else {
        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// The `report` record of one resource.
pub(super) fn report_record(r: &Resource, f: &Figures) -> Record {
    let mut rec = Record::new("report");
    rec.set("resource", r.id.clone());
    if let Some(n) = &r.name {
        rec.set("name", n.clone());
    }
    rec.set("samples", f.samples);
    if let Some(span) = f.span {
        rec.set("span_seconds", num(span));
    }
    if let Some((peak, source)) = &f.memory_peak {
        rec.set("memory_peak", num(*peak));
        rec.set("memory_peak_source", source.clone());
    }
    let mut metrics = Map::new();
    for ((key, _, _), s) in METRICS.iter().zip(&f.metrics) {
        if let Some(s) = s {
            metrics.insert(
                (*key).into(),
                json!({"min": num(s.min), "median": num(s.median), "p95": num(s.p95), "max": num(s.max)}),
            );
        }
    }
    rec.set("metrics", metrics);
    if let Some((_, fields)) = &r.summary {
        rec.set("summary", fields.clone());
    }
    let thresholds: Vec<Value> = r.thresholds.iter().map(threshold_value).collect();
    rec.set("thresholds", thresholds);
    rec
}

fn threshold_value(c: &Crossed) -> Value {
    let mut m = Map::new();
    m.insert("threshold".into(), c.threshold.as_str().into());
    m.insert("limit".into(), num(c.limit));
    m.insert("value".into(), num(c.value));
    if let Some(t) = &c.t {
        m.insert("t".into(), t.clone().into());
    }
    if let Some(e) = c.elapsed {
        m.insert("elapsed".into(), num(e));
    }
    if let Some(k) = c.killed {
        m.insert("killed".into(), k.into());
    }
    Value::Object(m)
}

/// The unit a threshold's limit and value are in.
fn threshold_unit(t: ThresholdName) -> Unit {
    match t {
        ThresholdName::MaxMemory => Unit::Bytes,
        ThresholdName::MaxCpu => Unit::Percent,
        ThresholdName::MaxProcs => Unit::Count,
        ThresholdName::MaxDuration => Unit::Seconds,
    }
}

/// `text` without trailing blanks on any line (a table's empty last column).
pub(super) fn trim_lines(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Indents every line of `text` by two spaces.
fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The human view of one resource: a heading, the metrics table, the
/// summary's figures and the thresholds crossed.
pub(super) fn report_text(r: &Resource, f: &Figures) -> String {
    let mut out = r.title();
    match (f.samples, f.span) {
        (0, _) | (_, None) => out.push_str(": no samples"),
        (1, _) => out.push_str(": 1 sample"),
        (n, Some(span)) => out.push_str(&format!(": {n} samples over {}", human_seconds(span))),
    }
    out.push('\n');
    let rows: Vec<Vec<String>> = METRICS
        .iter()
        .zip(&f.metrics)
        .filter_map(|((_, label, unit), s)| {
            s.map(|s| {
                vec![
                    (*label).to_owned(),
                    unit.show(s.min),
                    unit.show(s.median),
                    unit.show(s.p95),
                    unit.show(s.max),
                ]
            })
        })
        .collect();
    if !rows.is_empty() {
        out.push_str(&indent(&table(
            &["METRIC", "MIN", "MEDIAN", "P95", "MAX"],
            &rows,
        )));
        out.push('\n');
    }
    let mut facts = Vec::new();
    if let Some((peak, source)) = &f.memory_peak {
        facts.push(format!("peak memory {} ({source})", human_bytes(*peak)));
    }
    if let Some((s, _)) = &r.summary {
        facts.push(format!("wall {}", human_seconds(s.wall_seconds.get())));
        let (u, sys) = (s.cpu_user_seconds, s.cpu_system_seconds);
        if u.is_some() || sys.is_some() {
            let show = |a: Option<ptest_shared::kinds::Amount>| {
                a.map_or("-".into(), |a| human_seconds(a.get()))
            };
            facts.push(format!("cpu {} user + {} system", show(u), show(sys)));
        }
        if let Some(p) = s.procs_peak {
            facts.push(format!("peak procs {}", trim_float(p.get())));
        }
        if let Some(o) = s.oom_kills.filter(|o| o.get() > 0.0) {
            facts.push(format!("OOM kills {}", trim_float(o.get())));
        }
        if let Some(c) = s.exit_code {
            facts.push(format!("exit {c}"));
        }
    }
    if !facts.is_empty() {
        out.push_str(&format!("  {}\n", facts.join(", ")));
    }
    if !r.thresholds.is_empty() {
        let rows: Vec<Vec<String>> = r
            .thresholds
            .iter()
            .map(|c| {
                let unit = threshold_unit(c.threshold);
                vec![
                    c.threshold.as_str().to_owned(),
                    unit.show(c.limit),
                    unit.show(c.value),
                    c.elapsed
                        .map(human_seconds)
                        .or_else(|| c.t.clone())
                        .unwrap_or_else(|| "-".into()),
                    match c.killed {
                        Some(true) => "yes".into(),
                        Some(false) => "no".into(),
                        None => "-".into(),
                    },
                ]
            })
            .collect();
        let header = ["THRESHOLD", "LIMIT", "VALUE", "AT", "KILLED"];
        out.push_str(&indent(&table(&header, &rows)));
        out.push('\n');
    }
    out
}

/// A size for people: `812B`, `1.5K`, `512.0M`, `2.0G` (binary units).
pub(crate) fn human_bytes(x: f64) -> String {
    const UNITS: [&str; 6] = ["K", "M", "G", "T", "P", "E"];
    if !x.is_finite() {
        return "-".into();
    }
    if x.abs() < 1024.0 {
        return format!("{x:.0}B");
    }
    let mut v = x / 1024.0;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1}{}", UNITS[unit])
}

/// Seconds for people: `0.25s`, `12.5s`, `2m05s`, `1h02m`.
pub(crate) fn human_seconds(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    if s < 10.0 {
        let t = format!("{s:.2}");
        let t = t.trim_end_matches('0').trim_end_matches('.');
        return format!("{t}s");
    }
    if s < 60.0 {
        return format!("{s:.1}s");
    }
    let whole = s.round() as u64;
    if whole < 3600 {
        format!("{}m{:02}s", whole / 60, whole % 60)
    } else {
        format!("{}h{:02}m", whole / 3600, whole % 3600 / 60)
    }
}

/// A number with at most two decimals and no trailing zeros: `20`, `2.5`.
pub(crate) fn trim_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let t = format!("{x:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The `comparison` record of a pair, or of a resource on one side only
/// (`status` `only_current` / `only_baseline`, no metrics).
pub(super) fn comparison_record(
    cur: Option<&Resource>,
    base: Option<&Resource>,
    metrics: &[Compared],
) -> Record {
    let mut rec = Record::new("comparison");
    rec.set("resource", cur.map_or(Value::Null, |r| r.id.clone().into()));
    let name = cur.or(base).and_then(|r| r.name.clone());
    rec.set("name", name.map_or(Value::Null, Value::from));
    rec.set(
        "baseline_resource",
        base.map_or(Value::Null, |r| r.id.clone().into()),
    );
    let status = match (cur, base) {
        (Some(_), Some(_)) => "compared",
        (Some(_), None) => "only_current",
        _ => "only_baseline",
    };
    rec.set("status", status);
    let list: Vec<Value> = metrics
        .iter()
        .filter_map(|m| {
            let ratio = m.ratio()?;
            Some(json!({
                "metric": m.metric,
                "baseline": num(m.baseline),
                "current": num(m.current),
                "ratio": num(ratio),
                "grew": m.grew,
            }))
        })
        .collect();
    rec.set("metrics", list);
    rec
}

/// The table rows of a pair, or of a resource on one side only.
pub(super) fn comparison_rows(
    cur: Option<&Resource>,
    base: Option<&Resource>,
    metrics: &[Compared],
    rows: &mut Vec<Vec<String>>,
) {
    let dash = || "-".to_owned();
    match (cur, base) {
        (Some(c), Some(b)) => {
            let who = if c.label() == b.label() {
                c.label().to_owned()
            } else {
                format!("{} (baseline {})", c.label(), b.label())
            };
            if metrics.is_empty() {
                rows.push(vec![
                    who.clone(),
                    dash(),
                    dash(),
                    dash(),
                    dash(),
                    "nothing to compare".into(),
                ]);
            }
            for m in metrics {
                let (ratio, mark) = match m.ratio() {
                    Some(r) => (format!("{r:.2}×"), if m.grew { "grew" } else { "" }),
                    None => ("new".into(), ""),
                };
                rows.push(vec![
                    who.clone(),
                    m.metric.into(),
                    m.unit.show(m.baseline),
                    m.unit.show(m.current),
                    ratio,
                    mark.into(),
                ]);
            }
        }
        (Some(c), None) => rows.push(vec![
            c.title(),
            dash(),
            dash(),
            dash(),
            dash(),
            "only in this run".into(),
        ]),
        (None, Some(b)) => rows.push(vec![
            b.title(),
            dash(),
            dash(),
            dash(),
            dash(),
            "only in the baseline".into(),
        ]),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::read::fixtures::{read, sample};

    #[test]
    fn report_record_omits_metrics_without_values() {
        let ds = read(&sample("pid-7", 1, 0.5, r#","memory":1048576,"cpu":12.5"#)).unwrap();
        let r = &ds.resources[0];
        let rec = report_record(r, &Figures::of(r));
        let v: Value = serde_json::from_str(&rec.to_line()).unwrap();
        assert_eq!(v["kind"], "report");
        assert_eq!(v["samples"], 1);
        assert_eq!(v["span_seconds"], 0);
        assert_eq!(v["metrics"]["memory"]["p95"], 1048576);
        assert_eq!(v["metrics"]["cpu"]["max"], 12.5);
        let keys: Vec<_> = v["metrics"].as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["memory", "cpu"]);
        assert!(v.get("tool").is_none() && v.get("id").is_none());
    }

    #[test]
    fn human_units() {
        assert_eq!(human_bytes(812.0), "812B");
        assert_eq!(human_bytes(536870912.0), "512.0M");
        assert_eq!(human_bytes(1536.0), "1.5K");
        assert_eq!(human_bytes(1e18), "888.2P");
        assert_eq!(human_seconds(0.25), "0.25s");
        assert_eq!(human_seconds(12.5), "12.5s");
        assert_eq!(human_seconds(125.0), "2m05s");
        assert_eq!(trim_float(20.0), "20");
        assert_eq!(num(123456789.0), json!(123456789));
        assert_eq!(num(45.2), json!(45.2));
        assert_eq!(num(1e18), json!(1_000_000_000_000_000_000u64));
    }
}
