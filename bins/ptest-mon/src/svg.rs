//! The SVG timeline of `ptest mon report --svg`, written by hand: four
//! stacked panels sharing the time axis (elapsed seconds) — memory, CPU,
//! processes, I/O rates — with one line per resource and panel, the
//! thresholds crossed as dashed lines, axis ticks in 1-2-5 steps and a
//! legend.
//!
//! The document is self-contained and always well-formed XML: every piece
//! of text from the input is escaped ([`escape`]), characters XML cannot
//! hold are replaced, and a number that is not finite is never written.
//! Elements carry `data-resource`, `data-metric` and `data-threshold`
//! attributes so that tools (and tests) can find each series.

use crate::report::{human_bytes, human_seconds, trim_float};
use ptest_shared::kinds::ThresholdName;

/// One resource's series, each `(elapsed seconds, value)` in time order.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// The resource id (`mon-k3x9m2qa`, `host`).
    pub resource: String,
    /// What people call it (its name, else its id).
    pub name: String,
    /// Bytes.
    pub memory: Vec<(f64, f64)>,
    /// Percent of one CPU.
    pub cpu: Vec<(f64, f64)>,
    /// Process count.
    pub procs: Vec<(f64, f64)>,
    /// Bytes read per second.
    pub io_read: Vec<(f64, f64)>,
    /// Bytes written per second.
    pub io_write: Vec<(f64, f64)>,
}

/// A threshold's limit, drawn as a dashed line.
#[derive(Debug, Clone)]
pub struct Limit {
    /// The resource whose threshold record gave it.
    pub resource: String,
    pub threshold: ThresholdName,
    /// Bytes, percent, a count or seconds, as the threshold's unit.
    pub limit: f64,
}

const WIDTH: f64 = 960.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 64.0;
const PANEL_H: f64 = 140.0;
const GAP: f64 = 44.0;
const LEGEND_ROW: f64 = 18.0;
/// Points of one polyline at most: more than the plot has pixels.
const MAX_POINTS: usize = 2000;
/// A white outline under a label, so that a line crossing it leaves it legible.
const HALO: &str = " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
/// The longest name the legend shows whole.
const LEGEND_NAME: usize = 60;

/// The colours of the first resources, then hues spread by the golden angle.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// The colour of the `i`th resource.
fn colour(i: usize) -> String {
    match PALETTE.get(i) {
        Some(c) => (*c).to_owned(),
        None => {
            let hue = (i as f64 * 137.508) % 360.0;
            format!("hsl({hue:.0},65%,42%)")
        }
    }
}

/// A line of a panel: its `data-metric`, its points, and whether it is dashed.
type Line<'a> = (&'static str, &'a [(f64, f64)], bool);

/// The four panels, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Memory,
    Cpu,
    Procs,
    Io,
}

impl Panel {
    const ALL: [Panel; 4] = [Panel::Memory, Panel::Cpu, Panel::Procs, Panel::Io];

    fn title(self) -> &'static str {
        match self {
            Panel::Memory => "Memory (bytes)",
            Panel::Cpu => "CPU (% of one CPU)",
            Panel::Procs => "Processes",
            Panel::Io => "I/O (bytes/s; solid: read, dashed: write)",
        }
    }

    /// The series of this panel: `(data-metric, points, dashed)`.
    fn series(self, s: &Series) -> Vec<Line<'_>> {
        match self {
            Panel::Memory => vec![("memory", &s.memory, false)],
            Panel::Cpu => vec![("cpu", &s.cpu, false)],
            Panel::Procs => vec![("procs", &s.procs, false)],
            Panel::Io => vec![
                ("io_read", &s.io_read, false),
                ("io_write", &s.io_write, true),
            ],
        }
    }

    /// The panel a threshold's line goes in (max-duration: all, vertically).
    fn of(t: ThresholdName) -> Option<Panel> {
        match t {
            ThresholdName::MaxMemory => Some(Panel::Memory),
            ThresholdName::MaxCpu => Some(Panel::Cpu),
            ThresholdName::MaxProcs => Some(Panel::Procs),
            ThresholdName::MaxDuration => None,
        }
    }

    /// The y axis: 0 to a round top above `max`, its step and labels.
    fn axis(self, max: f64) -> Axis {
        match self {
            Panel::Memory => Axis::binary(max, ""),
            Panel::Io => Axis::binary(max, "/s"),
            Panel::Cpu => Axis::decimal(0.0, max, 1.0, "%"),
            Panel::Procs => Axis::decimal(0.0, max, 1.0, "").at_least_step(1.0),
        }
    }
}

/// The rounded step of 1, 2 or 5 times a power of ten that cuts `span`
/// into about `target` parts.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// An axis from `lo` to `hi` with ticks every `step`, labelled in `scale`
/// units (1024³ for G) followed by `suffix`.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    step: f64,
    scale: f64,
    suffix: String,
}

impl Axis {
    /// Plain numbers from `lo` (rounded down) to `max` (rounded up), at
    /// least `min_span` wide.
    fn decimal(lo: f64, max: f64, min_span: f64, suffix: &str) -> Axis {
        let hi = if max - lo >= min_span {
            max
        } else {
            lo + min_span
        };
        let step = nice_step(hi - lo, 5.0);
        Axis {
            lo: (lo / step).floor() * step,
            hi: (hi / step).ceil() * step,
            step,
            scale: 1.0,
            suffix: suffix.to_owned(),
        }
    }

    /// Bytes from 0 to `max`, ticks in 1-2-5 steps of K, M, G…
    fn binary(max: f64, suffix: &str) -> Axis {
        const UNITS: [&str; 7] = ["", "K", "M", "G", "T", "P", "E"];
        let max = if max > 0.0 { max } else { 1.0 };
        let mut k = 0;
        while k + 1 < UNITS.len() && max / 1024f64.powi(k as i32) >= 1024.0 {
            k += 1;
        }
        let scale = 1024f64.powi(k as i32);
        let mut a = Axis::decimal(0.0, max / scale, 0.0, &format!("{}{suffix}", UNITS[k]));
        if k == 0 {
            a = a.at_least_step(1.0);
        }
        Axis {
            lo: a.lo * scale,
            hi: a.hi * scale,
            step: a.step * scale,
            scale,
            ..a
        }
    }

    /// The same axis with a step of at least `min` (whole processes).
    fn at_least_step(mut self, min: f64) -> Axis {
        if self.step < min * self.scale {
            self.step = min * self.scale;
            self.hi = (self.hi / self.step).ceil() * self.step;
        }
        self
    }

    fn ticks(&self) -> Vec<f64> {
        let n = ((self.hi - self.lo) / self.step).round();
        if !(n.is_finite() && n >= 0.0) {
            return vec![self.lo];
        }
        (0..=(n as usize).min(40))
            .map(|i| self.lo + i as f64 * self.step)
            .collect()
    }

    fn label(&self, v: f64) -> String {
        if v == 0.0 {
            return "0".into();
        }
        let step = self.step / self.scale;
        let decimals = if step >= 1.0 {
            0
        } else {
            ((-step.log10()).ceil() as usize).min(6)
        };
        let n = format!("{:.*}", decimals, v / self.scale);
        let n = if n.contains('.') {
            n.trim_end_matches('0').trim_end_matches('.')
        } else {
            &n
        };
        format!("{n}{}", self.suffix)
    }

    /// Where `v` falls between `a` (at `lo`) and `b` (at `hi`).
    fn map(&self, v: f64, a: f64, b: f64) -> f64 {
        let span = self.hi - self.lo;
        if span.is_nan() || span <= 0.0 {
            return a;
        }
        a + (v - self.lo) / span * (b - a)
    }
}

/// Escapes text for XML content and attribute values alike; characters
/// XML 1.0 cannot hold (control characters) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// `s` cut to `max` characters, with an ellipsis when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// At most `max` points of `points` (finite ones only), keeping in each
/// stretch its lowest and highest so that no peak is lost.
fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    let finite: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if finite.len() <= max || max < 2 {
        return finite;
    }
    let buckets = max / 2;
    let n = finite.len();
    let mut out = Vec::with_capacity(max);
    for b in 0..buckets {
        let chunk = &finite[b * n / buckets..(b + 1) * n / buckets];
        let (mut lo, mut hi) = (0, 0);
        for (i, p) in chunk.iter().enumerate() {
            if p.1 < chunk[lo].1 {
                lo = i;
            }
            if p.1 > chunk[hi].1 {
                hi = i;
            }
        }
        out.push(chunk[lo.min(hi)]);
        if lo != hi {
            out.push(chunk[lo.max(hi)]);
        }
    }
    out
}

/// A number as an SVG coordinate.
fn c(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "0".into()
    }
}

/// A limit as its label shows it: `max-memory 512.0M`.
fn limit_label(l: &Limit) -> String {
    let v = match l.threshold {
        ThresholdName::MaxMemory => human_bytes(l.limit),
        ThresholdName::MaxCpu => format!("{}%", trim_float(l.limit)),
        ThresholdName::MaxProcs => trim_float(l.limit),
        ThresholdName::MaxDuration => human_seconds(l.limit),
    };
    format!("{} {v}", l.threshold.as_str())
}

/// The timeline of `series` with the `limits` crossed, as an SVG document.
pub fn timeline(series: &[Series], limits: &[Limit]) -> String {
    // One line per resource, threshold and limit, however often it was crossed.
    let mut lims: Vec<&Limit> = Vec::new();
    for l in limits.iter().filter(|l| l.limit.is_finite()) {
        if !lims
            .iter()
            .any(|m| m.resource == l.resource && m.threshold == l.threshold && m.limit == l.limit)
        {
            lims.push(l);
        }
    }
    let thinned: Vec<Vec<Vec<(f64, f64)>>> = series
        .iter()
        .map(|s| {
            Panel::ALL
                .iter()
                .flat_map(|p| p.series(s))
                .map(|(_, pts, _)| thin(pts, MAX_POINTS))
                .collect()
        })
        .collect();
    let all_points = || thinned.iter().flatten().flatten();
    let colour_of = |id: &str| {
        series
            .iter()
            .position(|s| s.resource == id)
            .map_or("#c00000".to_owned(), colour)
    };

    // The shared time axis: from 0 (or from where the data begins, when
    // it begins late) to the last sample or max-duration limit.
    let (mut xmin, mut xmax) = (f64::INFINITY, f64::NEG_INFINITY);
    for &(x, _) in all_points() {
        xmin = xmin.min(x);
        xmax = xmax.max(x);
    }
    for l in lims
        .iter()
        .filter(|l| l.threshold == ThresholdName::MaxDuration)
    {
        xmin = xmin.min(l.limit);
        xmax = xmax.max(l.limit);
    }
    if !(xmin.is_finite() && xmax.is_finite()) {
        (xmin, xmax) = (0.0, 1.0);
    }
    if xmin <= xmax - xmin || xmin == xmax {
        xmin = xmin.min(0.0);
    }
    // Zero span (one sample at 0): one second wide, so the point shows.
    let xaxis = Axis::decimal(xmin, xmax, if xmax > xmin { 0.0 } else { 1.0 }, "");
    let (x0, x1) = (LEFT, WIDTH - RIGHT);
    let px = |x: f64| xaxis.map(x, x0, x1);

    let panels_bottom = TOP + 4.0 * PANEL_H + 3.0 * GAP;
    let legend_top = panels_bottom + 46.0;
    let height = legend_top + series.len().max(1) as f64 * LEGEND_ROW + 12.0;

    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\n",
        w = c(WIDTH),
        h = c(height)
    ));
    let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    out.push_str(&format!(
        "<title>{}</title>\n",
        escape(&format!(
            "ptest mon report: {}",
            if names.is_empty() {
                "no resources".to_owned()
            } else {
                names.join(", ")
            }
        ))
    ));
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    out.push_str(&format!(
        "<text x=\"{}\" y=\"26\" font-size=\"16\" font-weight=\"bold\">ptest mon report</text>\n",
        c(LEFT)
    ));

    for (pi, panel) in Panel::ALL.into_iter().enumerate() {
        let top = TOP + pi as f64 * (PANEL_H + GAP);
        let bottom = top + PANEL_H;
        let mut max = 0.0f64;
        for (si, s) in series.iter().enumerate() {
            let first = Panel::ALL[..pi]
                .iter()
                .map(|p| p.series(s).len())
                .sum::<usize>();
            for k in 0..panel.series(s).len() {
                for &(_, y) in &thinned[si][first + k] {
                    max = max.max(y);
                }
            }
        }
        for l in lims
            .iter()
            .filter(|l| Panel::of(l.threshold) == Some(panel))
        {
            max = max.max(l.limit);
        }
        let yaxis = panel.axis(max);
        let py = |v: f64| yaxis.map(v, bottom, top);

        out.push_str(&format!(
            "<g data-panel=\"{}\">\n",
            ["memory", "cpu", "procs", "io"][pi]
        ));
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"13\" font-weight=\"bold\">{}</text>\n",
            c(x0),
            c(top - 8.0),
            escape(panel.title())
        ));
        out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999999\"/>\n",
            c(x0),
            c(top),
            c(x1 - x0),
            c(PANEL_H)
        ));
        for v in yaxis.ticks() {
            let y = py(v);
            out.push_str(&format!(
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#e5e5e5\"/>\n",
                c(x0),
                c(x1),
                y = c(y)
            ));
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                c(x0 - 6.0),
                c(y + 4.0),
                escape(&yaxis.label(v))
            ));
        }
        for v in xaxis.ticks() {
            let x = px(v);
            out.push_str(&format!(
                "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#eeeeee\"/>\n",
                c(top),
                c(bottom),
                x = c(x)
            ));
            if pi == Panel::ALL.len() - 1 {
                out.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                    c(x),
                    c(bottom + 16.0),
                    escape(&xaxis.label(v))
                ));
            }
        }
        for (si, s) in series.iter().enumerate() {
            let col = colour(si);
            let first = Panel::ALL[..pi]
                .iter()
                .map(|p| p.series(s).len())
                .sum::<usize>();
            for (k, (metric, _, dashed)) in panel.series(s).into_iter().enumerate() {
                let pts = &thinned[si][first + k];
                let tip = escape(&format!("{} ({}): {metric}", s.name, s.resource));
                let attrs = format!(
                    "data-resource=\"{}\" data-metric=\"{metric}\"",
                    escape(&s.resource)
                );
                match pts.as_slice() {
                    [] => {}
                    [(x, y)] => out.push_str(&format!(
                        "<circle {attrs} cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{col}\"><title>{tip}</title></circle>\n",
                        c(px(*x)),
                        c(py(*y))
                    )),
                    _ => {
                        let points: Vec<String> = pts
                            .iter()
                            .map(|&(x, y)| format!("{},{}", c(px(x)), c(py(y))))
                            .collect();
                        out.push_str(&format!(
                            "<polyline {attrs} fill=\"none\" stroke=\"{col}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"{} points=\"{}\"><title>{tip}</title></polyline>\n",
                            if dashed { " stroke-dasharray=\"5 3\"" } else { "" },
                            points.join(" ")
                        ));
                    }
                }
            }
        }
        for l in lims
            .iter()
            .filter(|l| Panel::of(l.threshold) == Some(panel))
        {
            let y = c(py(l.limit));
            let label = escape(&limit_label(l));
            out.push_str(&format!(
                "<line data-threshold=\"{}\" data-resource=\"{}\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"><title>{label} ({})</title></line>\n",
                l.threshold.as_str(),
                escape(&l.resource),
                c(x0),
                c(x1),
                colour_of(&l.resource),
                escape(&l.resource)
            ));
            out.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\"{HALO}>{label}</text>\n",
                c(x1 - 4.0),
                c(py(l.limit) - 3.0),
                colour_of(&l.resource)
            ));
        }
        out.push_str("</g>\n");
    }

    // max-duration: one vertical line through all four panels.
    for l in lims
        .iter()
        .filter(|l| l.threshold == ThresholdName::MaxDuration)
    {
        let x = c(px(l.limit));
        let label = escape(&limit_label(l));
        out.push_str(&format!(
            "<line data-threshold=\"{}\" data-resource=\"{}\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"><title>{label} ({})</title></line>\n",
            l.threshold.as_str(),
            escape(&l.resource),
            c(TOP),
            c(panels_bottom),
            colour_of(&l.resource),
            escape(&l.resource)
        ));
        // Beside the line, on the side with room for it.
        let (tx, anchor) = if px(l.limit) > (x0 + x1) / 2.0 {
            (px(l.limit) - 4.0, "end")
        } else {
            (px(l.limit) + 4.0, "start")
        };
        out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{}\"{HALO}>{label}</text>\n",
            c(tx),
            c(TOP - 8.0),
            colour_of(&l.resource)
        ));
    }

    out.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">elapsed (s)</text>\n",
        c((x0 + x1) / 2.0),
        c(panels_bottom + 32.0)
    ));
    out.push_str("<g data-legend=\"resources\">\n");
    for (si, s) in series.iter().enumerate() {
        let y = legend_top + si as f64 * LEGEND_ROW;
        let text = if s.name == s.resource {
            shorten(&s.resource, LEGEND_NAME)
        } else {
            format!("{} ({})", shorten(&s.name, LEGEND_NAME), s.resource)
        };
        out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{}\" stroke-width=\"3\"/>\n<text x=\"{}\" y=\"{}\">{}</text>\n",
            c(x0),
            c(x0 + 24.0),
            colour(si),
            c(x0 + 30.0),
            c(y + 4.0),
            escape(&text),
            y = c(y)
        ));
    }
    out.push_str("</g>\n</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(id: &str, name: &str, n: usize) -> Series {
        let pts = |f: f64| (0..n).map(|i| (i as f64, f * i as f64)).collect::<Vec<_>>();
        Series {
            resource: id.into(),
            name: name.into(),
            memory: pts(1e6),
            cpu: pts(10.0),
            procs: pts(1.0),
            io_read: pts(100.0),
            io_write: pts(50.0),
        }
    }

    #[test]
    fn escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(escape("<script>&\"'"), "&lt;script&gt;&amp;&quot;&apos;");
        assert_eq!(escape("a\u{1}b\nc"), "a\u{FFFD}b&#10;c");
        assert_eq!(escape("plain ünï €"), "plain ünï €");
    }

    #[test]
    fn hostile_names_never_reach_the_document_raw() {
        let doc = timeline(&[series("proc-x1", "<script>&\"'", 3)], &[]);
        assert!(!doc.contains("<script>"));
        assert!(doc.contains("&lt;script&gt;&amp;&quot;&apos;"));
    }

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(7.0, 5.0), 2.0);
        assert_eq!(nice_step(0.3, 5.0), 0.1);
        assert_eq!(nice_step(4.0e6, 5.0), 1.0e6);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
        let a = Axis::binary(700.0 * 1048576.0, "");
        assert_eq!(a.label(a.step), "200M");
        assert_eq!(a.hi, 800.0 * 1048576.0);
        let labels: Vec<_> = a.ticks().into_iter().map(|t| a.label(t)).collect();
        assert_eq!(labels, ["0", "200M", "400M", "600M", "800M"]);
        let p = Panel::Procs.axis(3.0);
        assert!(p.step >= 1.0);
        let z = Panel::Cpu.axis(0.0);
        assert!(z.hi > z.lo, "an all-zero panel still has an axis");
        let big = Axis::binary(1e18, "");
        assert!(
            big.label(big.step).ends_with('P'),
            "{}",
            big.label(big.step)
        );
    }

    #[test]
    fn every_series_and_limit_is_drawn_and_one_sample_is_a_point() {
        let limits = [
            Limit {
                resource: "mon-a".into(),
                threshold: ThresholdName::MaxMemory,
                limit: 5e6,
            },
            Limit {
                resource: "mon-a".into(),
                threshold: ThresholdName::MaxMemory,
                limit: 5e6,
            },
            Limit {
                resource: "mon-a".into(),
                threshold: ThresholdName::MaxDuration,
                limit: 30.0,
            },
        ];
        let doc = timeline(
            &[series("mon-a", "pytest", 10), series("host", "host", 1)],
            &limits,
        );
        for m in ["memory", "cpu", "procs", "io_read", "io_write"] {
            assert!(doc.contains(&format!(
                "<polyline data-resource=\"mon-a\" data-metric=\"{m}\""
            )));
            assert!(doc.contains(&format!(
                "<circle data-resource=\"host\" data-metric=\"{m}\""
            )));
        }
        assert_eq!(doc.matches("data-threshold=\"max-memory\"").count(), 1);
        assert_eq!(doc.matches("data-threshold=\"max-duration\"").count(), 1);
        assert!(!doc.contains("NaN") && !doc.contains("inf"));
        assert!(doc.starts_with("<?xml"));
    }

    #[test]
    fn non_finite_and_empty_input_still_give_a_document() {
        let mut s = series("pid-1", "pid-1", 3);
        s.cpu = vec![(0.0, f64::NAN), (f64::INFINITY, 1.0)];
        let doc = timeline(&[s], &[]);
        assert!(!doc.contains("NaN") && !doc.contains("inf"));
        let empty = timeline(&[], &[]);
        assert!(empty.ends_with("</svg>\n"));
    }

    #[test]
    fn thinning_keeps_peaks() {
        let mut pts: Vec<(f64, f64)> = (0..100_000).map(|i| (i as f64, 1.0)).collect();
        pts[54_321].1 = 99.0;
        let t = thin(&pts, 1000);
        assert!(t.len() <= 1000);
        assert!(t.iter().any(|p| p.1 == 99.0));
        assert!(t.windows(2).all(|w| w[0].0 <= w[1].0));
    }
}
