//! `ptest mon report`: sample files (the records `run` and `watch` write)
//! summarised per resource, drawn as an SVG timeline ([`crate::svg`]) and
//! compared with a baseline run.
//!
//! Files are read line by line. Of each resource only what the figures need
//! is kept: one compact row per sample (time, elapsed and six numbers), its
//! threshold records and its last summary. Records of other kinds pass
//! unread; a malformed line stops the report with 65, naming file and line.
//!
//! Statistics are nearest-rank on the sorted values (the median is the
//! 50th percentile, so every figure is a value that was measured). I/O
//! samples hold counters since monitoring began; rates come from
//! consecutive samples, and a counter that went down (a restarted
//! container) counts again from 0 instead of giving a negative rate.

use ptest_shared::kinds::{Sample, Summary, Threshold, ThresholdName};
use ptest_shared::output::{RecordWriter, table};
use ptest_shared::stream::MAX_LINE;
use ptest_shared::{Error, Record, Result};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

/// `ptest mon report`'s arguments.
#[derive(Debug, Clone)]
pub struct ReportArgs {
    /// Sample files, JSON Lines; `-` means stdin.
    pub files: Vec<PathBuf>,
    /// `--svg OUT`: write an SVG timeline there.
    pub svg: Option<PathBuf>,
    /// `--baseline FILE`: an earlier run's sample file.
    pub baseline: Option<PathBuf>,
    /// `--grow RATIO`: list metrics that grew by more than this.
    pub grow: f64,
    /// `--fail-over RATIO`: exit 1 when a metric grew by more than this.
    pub fail_over: Option<f64>,
}

/// Runs `ptest mon report`: tables (or `report` records with `json`), the
/// SVG, and the comparison with the baseline. Exit 1 (as an error) when a
/// metric grew by more than `--fail-over`.
pub fn run(json: bool, args: &ReportArgs) -> Result<i32> {
    let stdin_uses = args
        .files
        .iter()
        .chain(args.baseline.as_ref())
        .filter(|p| is_stdin(p))
        .count();
    if stdin_uses > 1 {
        return Err(Error::usage(
            "stdin (`-`) can be read only once: name it as one file at most",
        ));
    }
    let current = load(&args.files)?;
    let baseline = match &args.baseline {
        Some(b) => Some(load(std::slice::from_ref(b))?),
        None => None,
    };
    let figures: Vec<Figures> = current.resources.iter().map(Figures::of).collect();
    if let Some(out) = &args.svg {
        let doc = timeline(&current);
        write_atomic(out, doc.as_bytes())?;
    }
    let mut w = RecordWriter::stdout();
    for (r, f) in current.resources.iter().zip(&figures) {
        if json {
            w.write(&report_record(r, f))?;
        } else {
            w.write_line(&report_text(r, f))?;
        }
    }
    if let (Some(out), false) = (&args.svg, json) {
        w.write_line(&format!("timeline: {}", out.display()))?;
    }
    let Some(baseline) = baseline else {
        return Ok(0);
    };
    let bfigures: Vec<Figures> = baseline.resources.iter().map(Figures::of).collect();
    let pairs = match_resources(&keys(&current), &keys(&baseline));
    let mut rows = Vec::new();
    let mut over = Vec::new();
    for &(c, b) in &pairs {
        let cur = c.map(|i| (&current.resources[i], &figures[i]));
        let base = b.map(|i| (&baseline.resources[i], &bfigures[i]));
        let compared = match (cur, base) {
            (Some((_, cf)), Some((_, bf))) => compare(cf, bf, args.grow),
            _ => Vec::new(),
        };
        if let (Some(limit), Some((cr, _))) = (args.fail_over, cur) {
            for m in &compared {
                if let Some(ratio) = m.ratio()
                    && ratio > limit
                {
                    over.push(format!(
                        "{} grew {ratio:.2}× (over {limit:.2}×) for {}",
                        m.metric,
                        cr.label()
                    ));
                }
            }
        }
        if json {
            w.write(&comparison_record(
                cur.map(|x| x.0),
                base.map(|x| x.0),
                &compared,
            ))?;
        } else {
            comparison_rows(cur.map(|x| x.0), base.map(|x| x.0), &compared, &mut rows);
        }
    }
    if !json {
        let source = args
            .baseline
            .as_deref()
            .map(display_name)
            .unwrap_or_default();
        w.write_line(&format!(
            "against {source} (marked: grew by more than {:.2}×)",
            args.grow
        ))?;
        let header = ["RESOURCE", "METRIC", "BASELINE", "CURRENT", "RATIO", ""];
        w.write_line(&trim_lines(&table(&header, &rows)))?;
    }
    if !over.is_empty() {
        return Err(Error::failed(over.join("; ")));
    }
    Ok(0)
}

// ---------------------------------------------------------------------------
// Reading

/// The figures of one sample: `v` holds [`MEMORY`] … [`IO_WRITE`], NaN
/// where the sample has none (a measure is never NaN, so that is
/// unambiguous and keeps a row at 64 bytes).
#[derive(Debug, Clone, Copy)]
struct Row {
    /// Microseconds since the Unix epoch (`t`).
    t: i64,
    elapsed: f64,
    v: [f64; 6],
}

const MEMORY: usize = 0;
const MEMORY_PEAK: usize = 1;
const CPU: usize = 2;
const PROCS: usize = 3;
const IO_READ: usize = 4;
const IO_WRITE: usize = 5;

/// A threshold record, as reported.
#[derive(Debug, Clone)]
struct Crossed {
    threshold: ThresholdName,
    limit: f64,
    value: f64,
    t: Option<String>,
    elapsed: Option<f64>,
    killed: Option<bool>,
}

/// Everything read about one resource.
#[derive(Debug, Default)]
struct Resource {
    id: String,
    name: Option<String>,
    /// Sorted by `t` (then elapsed) once every file is read.
    rows: Vec<Row>,
    /// The last summary read, typed and as its fields.
    summary: Option<(Summary, Map<String, Value>)>,
    thresholds: Vec<Crossed>,
    /// The samples' `source` (`cgroup`, `proc`…), the last one given.
    source: Option<String>,
}

impl Resource {
    fn is_host(&self) -> bool {
        self.id == "host"
    }

    /// What people call it: its name, else its id.
    fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// `name (id)`, or the id alone when that is all there is.
    fn title(&self) -> String {
        match &self.name {
            Some(n) if n != &self.id => format!("{n} ({})", self.id),
            _ => self.id.clone(),
        }
    }

    /// `(elapsed, value)` of a column, in order, where the sample has one.
    fn column(&self, col: usize) -> Vec<(f64, f64)> {
        self.rows
            .iter()
            .filter(|r| !r.v[col].is_nan())
            .map(|r| (r.elapsed, r.v[col]))
            .collect()
    }
}

/// The resources of a set of files, in the order first seen, host last.
#[derive(Debug, Default)]
struct Dataset {
    resources: Vec<Resource>,
    index: HashMap<String, usize>,
}

impl Dataset {
    fn entry(&mut self, id: &str, name: Option<&str>) -> &mut Resource {
        let i = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.resources.push(Resource {
                    id: id.to_owned(),
                    ..Resource::default()
                });
                self.index.insert(id.to_owned(), self.resources.len() - 1);
                self.resources.len() - 1
            }
        };
        let r = &mut self.resources[i];
        if r.name.is_none()
            && let Some(n) = name.filter(|n| !n.is_empty())
        {
            r.name = Some(n.to_owned());
        }
        r
    }

    /// Sorts every resource's samples by time and puts the host last.
    fn finish(&mut self) {
        for r in &mut self.resources {
            r.rows
                .sort_by(|a, b| a.t.cmp(&b.t).then(a.elapsed.total_cmp(&b.elapsed)));
        }
        // A stable sort: the others keep the order they were first seen in.
        self.resources.sort_by_key(Resource::is_host);
        self.index.clear();
    }
}

fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// How a file is named in messages (`stdin` for `-`).
fn display_name(p: &Path) -> String {
    if is_stdin(p) {
        "stdin".into()
    } else {
        p.display().to_string()
    }
}

/// Reads `files` into one dataset: 66 for a file that cannot be opened, 65
/// for a malformed line or for files without any sample.
fn load(files: &[PathBuf]) -> Result<Dataset> {
    let mut ds = Dataset::default();
    let mut without = Vec::new();
    for p in files {
        let name = display_name(p);
        let samples = if is_stdin(p) {
            read_records(std::io::stdin().lock(), &name, &mut ds)?
        } else {
            read_records(std::io::BufReader::new(open(p)?), &name, &mut ds)?
        };
        if samples == 0 {
            without.push(name);
        }
    }
    if !without.is_empty() {
        return Err(
            Error::data(format!("no sample records in {}", without.join(", ")))
                .hint("give the files `ptest mon run --out` or `ptest mon watch --out` wrote"),
        );
    }
    ds.finish();
    Ok(ds)
}

/// Opens an input file: a missing or unreadable one (or a directory) is 66.
fn open(p: &Path) -> Result<std::fs::File> {
    let what = format!("cannot read {}", p.display());
    let f = std::fs::File::open(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            Error::no_input(format!("{what}: {e}"))
        }
        _ => Error::from_io(&what, &e),
    })?;
    match f.metadata() {
        Ok(m) if m.is_dir() => Err(Error::no_input(format!("{what}: it is a directory"))),
        _ => Ok(f),
    }
}

/// Reads the records of one input, keeping samples, thresholds and
/// summaries in `ds`; returns how many samples it held. A last line
/// without its newline is read like any other.
fn read_records<R: BufRead>(mut input: R, source: &str, ds: &mut Dataset) -> Result<usize> {
    let mut buf = Vec::new();
    let mut lineno = 0usize;
    let mut samples = 0usize;
    loop {
        buf.clear();
        let n = match input.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("cannot read {source}: {e}"))),
        };
        if n == 0 {
            return Ok(samples);
        }
        lineno += 1;
        if n as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            return Err(Error::data(format!(
                "{source}:{lineno}: a line longer than {} MiB is not a record",
                MAX_LINE >> 20
            )));
        }
        let mut line = &buf[..];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = std::str::from_utf8(line)
            .map_err(|e| Error::data(format!("{source}:{lineno}: not UTF-8: {e}")))?;
        let rec = Record::parse(line, source, lineno)?;
        let at = |e: Error| Error::data(format!("{source}:{lineno}: {}", e.message));
        match rec.kind() {
            "sample" => {
                let s: Sample = rec.typed().map_err(at)?;
                let opt = |a: Option<ptest_shared::kinds::Amount>| a.map_or(f64::NAN, |a| a.get());
                let row = Row {
                    t: s.t.get().as_microsecond(),
                    elapsed: s.elapsed.get(),
                    v: [
                        opt(s.memory),
                        opt(s.memory_peak),
                        opt(s.cpu),
                        opt(s.procs),
                        opt(s.io_read),
                        opt(s.io_write),
                    ],
                };
                let r = ds.entry(s.resource.get(), s.name.as_ref().map(|n| n.get().as_str()));
                r.rows.push(row);
                if let Some(src) = s.source {
                    r.source = Some(src.into_inner());
                }
                samples += 1;
            }
            "threshold" => {
                let t: Threshold = rec.typed().map_err(at)?;
                let r = ds.entry(t.resource.get(), t.name.as_ref().map(|n| n.get().as_str()));
                r.thresholds.push(Crossed {
                    threshold: t.threshold,
                    limit: t.limit.get(),
                    value: t.value.get(),
                    t: t.t.map(|t| t.get().to_string()),
                    elapsed: t.elapsed.map(|e| e.get()),
                    killed: t.killed,
                });
            }
            "summary" => {
                let s: Summary = rec.typed().map_err(at)?;
                let mut fields = rec.fields().clone();
                for k in ["v", "kind", "tool", "id", "resource", "name"] {
                    fields.shift_remove(k);
                }
                let r = ds.entry(s.resource.get(), s.name.as_ref().map(|n| n.get().as_str()));
                r.summary = Some((s, fields));
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Figures

/// Min, median, 95th percentile and max of a list.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Stats {
    min: f64,
    median: f64,
    p95: f64,
    max: f64,
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
fn rates(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
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
enum Unit {
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

/// What the report says of a resource.
#[derive(Debug, Clone, Default)]
struct Figures {
    samples: usize,
    /// First to last elapsed; `None` without samples.
    span: Option<f64>,
    /// In the order of [`METRICS`].
    metrics: [Option<Stats>; 5],
    /// The true peak and how it was known.
    memory_peak: Option<(f64, String)>,
    procs_peak: Option<f64>,
    wall_seconds: Option<f64>,
    /// User plus system CPU seconds, from a summary only.
    cpu_seconds: Option<f64>,
    io_read_bytes: Option<f64>,
    io_write_bytes: Option<f64>,
    has_summary: bool,
}

impl Figures {
    fn of(r: &Resource) -> Figures {
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

// ---------------------------------------------------------------------------
// Output

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
fn report_record(r: &Resource, f: &Figures) -> Record {
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
fn trim_lines(text: &str) -> String {
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
fn report_text(r: &Resource, f: &Figures) -> String {
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

// ---------------------------------------------------------------------------
// The timeline

/// The SVG of a dataset: every resource's series, and the limits of its
/// threshold records.
fn timeline(ds: &Dataset) -> String {
    let series: Vec<crate::svg::Series> = ds
        .resources
        .iter()
        .map(|r| crate::svg::Series {
            resource: r.id.clone(),
            name: r.label().to_owned(),
            memory: r.column(MEMORY),
            cpu: r.column(CPU),
            procs: r.column(PROCS),
            io_read: rates(&r.column(IO_READ)),
            io_write: rates(&r.column(IO_WRITE)),
        })
        .collect();
    let limits: Vec<crate::svg::Limit> = ds
        .resources
        .iter()
        .flat_map(|r| {
            r.thresholds.iter().map(|c| crate::svg::Limit {
                resource: r.id.clone(),
                threshold: c.threshold,
                limit: c.limit,
            })
        })
        .collect();
    crate::svg::timeline(&series, &limits)
}

/// Writes `bytes` to `out` through a temporary file beside it renamed into
/// place: a failure leaves neither a half file nor the temporary one. Any
/// failure is 73, naming `out`.
fn write_atomic(out: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::cant_create(format!("cannot write {}: {e}", out.display()))
    };
    let Some(name) = out.file_name() else {
        return Err(fail(&"not a file name"));
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        ptest_shared::record::random_hex(6)
    ));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, out));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(&e)
    })
}

// ---------------------------------------------------------------------------
// Comparing with a baseline

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

fn keys(ds: &Dataset) -> Vec<Key<'_>> {
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
fn match_resources(current: &[Key], baseline: &[Key]) -> Vec<(Option<usize>, Option<usize>)> {
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
struct Compared {
    metric: &'static str,
    unit: Unit,
    baseline: f64,
    current: f64,
    grew: bool,
}

impl Compared {
    /// current / baseline; `None` for a metric new in this run (baseline 0).
    fn ratio(&self) -> Option<f64> {
        (self.baseline > 0.0).then(|| self.current / self.baseline)
    }
}

/// The metrics both sides have: a metric missing on either side, or 0 on
/// both, is left out; 0 in the baseline only is kept, as new (no ratio).
fn compare(cur: &Figures, base: &Figures, grow: f64) -> Vec<Compared> {
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

/// The `comparison` record of a pair, or of a resource on one side only
/// (`status` `only_current` / `only_baseline`, no metrics).
fn comparison_record(
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
fn comparison_rows(
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

    fn read(text: &str) -> Result<Dataset> {
        let mut ds = Dataset::default();
        read_records(text.as_bytes(), "f.jsonl", &mut ds)?;
        ds.finish();
        Ok(ds)
    }

    fn sample(id: &str, t: u32, elapsed: f64, extra: &str) -> String {
        format!(
            r#"{{"v":1,"kind":"sample","tool":"ptest-mon","resource":"{id}","t":"2026-11-30T18:00:{t:02}Z","elapsed":{elapsed}{extra}}}"#
        )
    }

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
    fn samples_are_sorted_by_time_and_host_goes_last() {
        let text = [
            sample("host", 1, 1.0, r#","memory":1"#),
            sample("proc-b", 3, 3.0, r#","memory":30"#),
            sample("proc-b", 1, 1.0, r#","memory":10"#),
            sample("proc-a", 2, 2.0, r#","memory":5"#),
            sample("proc-b", 2, 2.0, r#","memory":20"#),
        ]
        .join("\n");
        let ds = read(&text).unwrap();
        let ids: Vec<_> = ds.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["proc-b", "proc-a", "host"]);
        let mem: Vec<_> = ds.resources[0]
            .column(MEMORY)
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(mem, [10.0, 20.0, 30.0]);
        assert_eq!(Figures::of(&ds.resources[0]).span, Some(2.0));
    }

    #[test]
    fn bad_lines_name_file_and_line_and_other_kinds_pass() {
        let good = sample("proc-a", 1, 1.0, r#","memory":1"#);
        let other = r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":20113}"#;
        for (bad, want) in [
            (sample("proc-a", 2, 2.0, r#","memory":-5"#), "memory"),
            (sample("proc-a", 2, 2.0, r#","memory":"x""#), "memory"),
            ("{not json".to_owned(), "malformed"),
        ] {
            let text = format!("{good}\n{other}\n{bad}\n{good}\n");
            let e = read(&text).unwrap_err();
            assert_eq!(e.exit.code(), 65);
            assert!(e.message.contains("f.jsonl:3"), "{}", e.message);
            assert!(e.message.contains(want), "{}", e.message);
        }
        // A last line without newline is read; a plugin's kind is skipped.
        let ds = read(&format!("{other}\n{good}")).unwrap();
        assert_eq!(ds.resources.len(), 1);
        assert_eq!(ds.resources[0].rows.len(), 1);
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
        let mut bare = Dataset::default();
        read_records(text.rsplit_once('\n').unwrap().0.as_bytes(), "f", &mut bare).unwrap();
        let f = Figures::of(&bare.resources[0]);
        assert_eq!(f.memory_peak.map(|p| p.0), Some(350.0));
        assert_eq!(f.wall_seconds, Some(1.0));
        assert_eq!(f.cpu_seconds, None);
    }

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
