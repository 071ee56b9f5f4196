//! `ptest mon report` run as the built binary on sample files written by a
//! small generator: tables, `report` records with exact statistics, the SVG
//! (parsed as XML by python3), the comparison with a baseline, and the
//! exit codes of bad input (65), missing files (66) and an SVG that cannot
//! be written (73).

use ptest_shared::testkit::{Run, Scenario};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const MIB: u64 = 1 << 20;

/// The RFC 3339 time `elapsed` seconds after 18:00 on the day of the runs.
fn time_at(elapsed: f64) -> String {
    let ms = (elapsed * 1000.0).round() as u64;
    let (s, ms) = (ms / 1000, ms % 1000);
    format!(
        "2026-11-30T{:02}:{:02}:{:02}.{ms:03}Z",
        18 + s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// One measurement; `None` fields are left out of the record.
#[derive(Clone, Copy, Default)]
struct S {
    elapsed: f64,
    memory: Option<u64>,
    cpu: Option<f64>,
    procs: Option<u64>,
    io_read: Option<u64>,
    io_write: Option<u64>,
}

/// A `sample` record of `id` named `name`.
fn sample(id: &str, name: &str, s: S) -> String {
    let mut v = json!({
        "v": 1, "kind": "sample", "tool": "ptest-mon", "resource": id, "name": name,
        "t": time_at(s.elapsed), "elapsed": s.elapsed, "source": "cgroup",
    });
    let m = v.as_object_mut().unwrap();
    if let Some(x) = s.memory {
        m.insert("memory".into(), x.into());
    }
    if let Some(x) = s.cpu {
        m.insert("cpu".into(), x.into());
    }
    if let Some(x) = s.procs {
        m.insert("procs".into(), x.into());
    }
    if let Some(x) = s.io_read {
        m.insert("io_read".into(), x.into());
    }
    if let Some(x) = s.io_write {
        m.insert("io_write".into(), x.into());
    }
    v.to_string()
}

/// A `threshold` record.
fn threshold(id: &str, name: &str, which: &str, limit: f64, value: f64, elapsed: f64) -> String {
    json!({
        "v": 1, "kind": "threshold", "tool": "ptest-mon", "resource": id, "name": name,
        "threshold": which, "limit": limit, "value": value, "t": time_at(elapsed),
        "elapsed": elapsed, "killed": false,
    })
    .to_string()
}

/// A `summary` record.
fn summary(id: &str, name: &str, memory_peak: u64, wall: f64) -> String {
    json!({
        "v": 1, "kind": "summary", "tool": "ptest-mon", "resource": id, "name": name,
        "command": ["pytest", "-q"], "wall_seconds": wall, "cpu_user_seconds": 4.0,
        "cpu_system_seconds": 1.0, "memory_peak": memory_peak, "memory_peak_source": "cgroup",
        "procs_peak": 5, "io_read_bytes": 0, "io_write_bytes": 4096, "oom_kills": 0,
        "exit_code": 0, "samples": 20, "interval": "500ms",
        "monitor": {"cpu_seconds": 0.05, "cpu_percent": 0.4, "memory_peak": 3145728},
    })
    .to_string()
}

/// The run every test reads: `mon-k3x9m2qa` (pytest) with 20 samples of
/// known values, a threshold and a summary; `proc-r3d1s` (redis) with 10;
/// the host with 20; records of other kinds in between.
///
/// pytest, sample i = 1..=20 at elapsed 0.5·i: memory i MiB, cpu 5·i %,
/// procs i % 5 + 1, io_read counting 1024·i more each time (rates 2048·i
/// B/s for i ≥ 2), io_write 1000 per sample with a counter reset after the
/// 10th (so the rate is 2000 B/s throughout).
fn run_file() -> String {
    let mut lines = vec![
        r#"{"v":1,"kind":"proc","tool":"ptest-proc","id":"proc-r3d1s","pid":4242}"#.to_owned(),
    ];
    let mut read = 0;
    for i in 1..=20u64 {
        read += 1024 * i;
        let e = 0.5 * i as f64;
        lines.push(sample(
            "mon-k3x9m2qa",
            "pytest",
            S {
                elapsed: e,
                memory: Some(i * MIB),
                cpu: Some(5.0 * i as f64),
                procs: Some(i % 5 + 1),
                io_read: Some(read),
                io_write: Some(1000 * if i <= 10 { i } else { i - 10 }),
            },
        ));
        if i <= 10 {
            lines.push(sample(
                "proc-r3d1s",
                "redis",
                S {
                    elapsed: e,
                    memory: Some(64 * MIB),
                    cpu: Some(1.0),
                    procs: Some(4),
                    io_read: Some(0),
                    io_write: Some(100 * i),
                },
            ));
        }
        lines.push(sample(
            "host",
            "host",
            S {
                elapsed: e,
                memory: Some(4096 * MIB + i),
                cpu: Some(150.0),
                procs: Some(300),
                io_read: Some(10_000 * i),
                io_write: Some(20_000 * i),
            },
        ));
        if i == 17 {
            lines.push(threshold(
                "mon-k3x9m2qa",
                "pytest",
                "max-memory",
                (16 * MIB) as f64,
                (17 * MIB) as f64,
                e,
            ));
        }
    }
    lines.push(summary("mon-k3x9m2qa", "pytest", 25 * MIB, 10.25));
    lines.push(r#"{"v":1,"kind":"error","code":"failed","exit":1,"message":"pytest failed","tool":"ptest-mon"}"#.to_owned());
    lines.join("\n") + "\n"
}

fn report(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-mon").arg("report").args(args).run()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The `report` record of `id` among `recs`.
fn record_of<'a>(recs: &'a [Value], id: &str) -> &'a Value {
    recs.iter()
        .find(|r| r["kind"] == "report" && r["resource"] == id)
        .unwrap_or_else(|| panic!("no report record for {id}: {recs:?}"))
}

#[test]
fn table_names_every_resource_with_its_max_and_median() {
    let s = Scenario::new();
    let f = s.write("run.jsonl", &run_file());
    let r = report(&s, &["--format", "human", path(&f)]).success();
    let out = &r.stdout;
    for want in ["pytest (mon-k3x9m2qa)", "redis (proc-r3d1s)", "host"] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    let host_at = out.find("\nhost").expect("a host section");
    assert!(
        out.find("pytest").unwrap() < host_at && out.find("redis").unwrap() < host_at,
        "host comes last:\n{out}"
    );
    // pytest's memory: min 1 MiB, median 10 MiB, p95 19 MiB, max 20 MiB.
    let memory = out
        .lines()
        .find(|l| l.trim_start().starts_with("memory"))
        .unwrap();
    let cells: Vec<_> = memory.split_whitespace().collect();
    assert_eq!(
        cells,
        ["memory", "1.0M", "10.0M", "19.0M", "20.0M"],
        "{out}"
    );
    let cpu = out
        .lines()
        .find(|l| l.trim_start().starts_with("cpu "))
        .unwrap();
    assert!(cpu.contains("50.0%") && cpu.contains("100.0%"), "{cpu}");
    assert!(out.contains("20 samples over 9.5s"), "{out}");
    // The summary's true figures, its peak over the sampled maximum.
    assert!(out.contains("peak memory 25.0M (cgroup)"), "{out}");
    assert!(
        out.contains("wall 10.2s") || out.contains("wall 10.3s"),
        "{out}"
    );
    assert!(out.contains("exit 0"), "{out}");
    // The threshold crossed.
    let th = out.lines().find(|l| l.contains("max-memory")).unwrap();
    assert!(
        th.contains("16.0M") && th.contains("17.0M") && th.contains("no"),
        "{th}"
    );
}

#[test]
fn json_records_hold_exact_statistics() {
    let s = Scenario::new();
    let f = s.write("run.jsonl", &run_file());
    let recs = report(&s, &["--json", path(&f)]).success().records();
    assert!(recs.iter().all(|r| r["kind"] == "report"), "{recs:?}");
    let order: Vec<_> = recs
        .iter()
        .map(|r| r["resource"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["mon-k3x9m2qa", "proc-r3d1s", "host"]);
    let py = record_of(&recs, "mon-k3x9m2qa");
    assert_eq!(py["v"], 1);
    assert_eq!(py["name"], "pytest");
    assert!(py.get("tool").is_none() && py.get("id").is_none(), "{py}");
    assert_eq!(py["samples"], 20);
    assert_eq!(py["span_seconds"], 9.5);
    let m = &py["metrics"];
    let stat = |k: &str| {
        [
            m[k]["min"].as_f64().unwrap(),
            m[k]["median"].as_f64().unwrap(),
            m[k]["p95"].as_f64().unwrap(),
            m[k]["max"].as_f64().unwrap(),
        ]
    };
    let mib = MIB as f64;
    assert_eq!(stat("memory"), [mib, 10.0 * mib, 19.0 * mib, 20.0 * mib]);
    assert_eq!(m["memory"]["max"], json!(20 * MIB), "bytes stay integers");
    assert_eq!(stat("cpu"), [5.0, 50.0, 95.0, 100.0]);
    assert_eq!(stat("procs"), [1.0, 3.0, 5.0, 5.0]);
    // 19 rates 2048·i for i = 2..=20: nearest rank 10 is i = 11, rank 19 is i = 20.
    assert_eq!(stat("io_read_rate"), [4096.0, 22528.0, 40960.0, 40960.0]);
    // The counter reset after the 10th sample counts from 0: never negative.
    assert_eq!(stat("io_write_rate"), [2000.0; 4]);
    // The summary is authoritative: its peak, not the sampled 20 MiB.
    assert_eq!(py["memory_peak"], json!(25 * MIB));
    assert_eq!(py["memory_peak_source"], "cgroup");
    assert_eq!(py["summary"]["wall_seconds"], 10.25);
    assert_eq!(py["summary"]["exit_code"], 0);
    assert_eq!(py["summary"]["memory_peak"], json!(25 * MIB));
    let th = py["thresholds"].as_array().unwrap();
    assert_eq!(th.len(), 1);
    assert_eq!(th[0]["threshold"], "max-memory");
    assert_eq!(th[0]["limit"], json!(16 * MIB));
    assert_eq!(th[0]["value"], json!(17 * MIB));
    assert_eq!(th[0]["elapsed"], 8.5);
    assert_eq!(th[0]["killed"], false);
    let redis = record_of(&recs, "proc-r3d1s");
    assert_eq!(redis["samples"], 10);
    assert!(redis.get("summary").is_none());
    assert_eq!(redis["thresholds"], json!([]));
    assert_eq!(redis["metrics"]["io_read_rate"]["max"], 0);
    assert_eq!(record_of(&recs, "host")["metrics"]["cpu"]["median"], 150.0);
}

#[test]
fn metrics_without_values_are_left_out_and_one_sample_has_zero_span() {
    let s = Scenario::new();
    let one = S {
        elapsed: 2.0,
        memory: Some(1_000_000_000_000_000_000),
        cpu: Some(12.5),
        ..S::default()
    };
    let text = [
        sample("pid-42", "worker", one),
        threshold("proc-z9", "only-thresholds", "max-cpu", 50.0, 80.0, 1.0),
    ]
    .join("\n");
    let f = s.write("one.jsonl", &text);
    let recs = report(&s, &["--json", path(&f)]).success().records();
    let r = record_of(&recs, "pid-42");
    assert_eq!(r["samples"], 1);
    assert_eq!(r["span_seconds"], 0);
    let keys: Vec<_> = r["metrics"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["memory", "cpu"]);
    assert_eq!(
        r["metrics"]["memory"]["p95"],
        json!(1_000_000_000_000_000_000u64)
    );
    // A resource known only from a threshold record is still reported.
    let z = record_of(&recs, "proc-z9");
    assert_eq!(z["samples"], 0);
    assert_eq!(z["metrics"], json!({}));
    assert_eq!(z["thresholds"][0]["threshold"], "max-cpu");
    // Its SVG: a point for the lone sample, the threshold line, valid XML.
    let out = s.dir.path().join("one.svg");
    report(&s, &["--svg", path(&out), path(&f)]).success();
    let doc = parse_svg(&out);
    let points: Vec<_> = doc["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["data-resource"] == "pid-42")
        .collect();
    assert!(!points.is_empty());
    assert!(points.iter().all(|e| e["tag"] == "circle"), "{points:?}");
    assert!(
        doc["elements"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["data-threshold"] == "max-cpu" && e["data-resource"] == "proc-z9")
    );
}

#[test]
fn samples_from_stdin_out_of_order_with_duplicate_times_and_no_final_newline() {
    let s = Scenario::new();
    let at = |e: f64, mem: u64, read: u64| {
        sample(
            "container-c1",
            "db",
            S {
                elapsed: e,
                memory: Some(mem),
                io_read: Some(read),
                ..S::default()
            },
        )
    };
    let text = [
        at(3.0, 30, 3000),
        at(1.0, 10, 1000),
        at(2.0, 20, 2000),
        at(2.0, 20, 2000),
        at(4.0, 40, 4000),
    ]
    .join("\n");
    let recs = s
        .cmd("ptest-mon")
        .args(["report", "--json", "-"])
        .stdin(text)
        .run()
        .success()
        .records();
    let r = record_of(&recs, "container-c1");
    assert_eq!(r["samples"], 5);
    assert_eq!(r["span_seconds"], 3);
    assert_eq!(r["metrics"]["memory"]["median"], 20);
    // Sorted by time, the duplicate giving no rate of its own: 1000 B/s each.
    assert_eq!(
        r["metrics"]["io_read_rate"],
        json!({"min": 1000, "median": 1000, "p95": 1000, "max": 1000})
    );
}

#[test]
fn the_same_resource_in_two_files_is_one() {
    let s = Scenario::new();
    let part = |from: u64, to: u64| {
        (from..=to)
            .map(|i| {
                sample(
                    "proc-w1",
                    "web",
                    S {
                        elapsed: i as f64,
                        memory: Some(i * MIB),
                        ..S::default()
                    },
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    // Given in the wrong order: concatenated and sorted by time all the same.
    let second = s.write("b.jsonl", &part(6, 10));
    let first = s.write("a.jsonl", &part(1, 5));
    let recs = report(&s, &["--json", path(&second), path(&first)])
        .success()
        .records();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0]["samples"], 10);
    assert_eq!(recs[0]["span_seconds"], 9);
    assert_eq!(recs[0]["metrics"]["memory"]["median"], json!(5 * MIB));
}

/// Parses `svg` with python3's XML parser (failing on any error) and
/// returns its root, title, size and every element with a `data-`
/// attribute (with its `<title>` child's text).
fn parse_svg(svg: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
root = d.documentElement
def title(e):
    for n in e.childNodes:
        if n.nodeType == n.ELEMENT_NODE and n.tagName == "title":
            return "".join(c.data for c in n.childNodes if c.nodeType == c.TEXT_NODE)
    return None
els = []
for e in root.getElementsByTagName("*"):
    a = {k: v for k, v in e.attributes.items() if k.startswith("data-")}
    if a:
        a["tag"] = e.tagName
        a["title"] = title(e)
        els.append(a)
print(json.dumps({"root": root.tagName, "title": title(root),
    "width": root.getAttribute("width"), "height": root.getAttribute("height"),
    "viewBox": root.getAttribute("viewBox"), "elements": els}))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(svg)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{} is not well-formed XML: {}",
        svg.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(svg).unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\""),
        "no XML declaration"
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn svg_is_well_formed_and_draws_every_series_and_the_threshold() {
    let s = Scenario::new();
    let hostile = r#"<script>&"'"#;
    let mut text = run_file();
    for i in 1..=3u64 {
        let x = S {
            elapsed: i as f64,
            memory: Some(i * MIB),
            cpu: Some(1.0),
            procs: Some(1),
            io_read: Some(10 * i),
            io_write: Some(10 * i),
        };
        text.push_str(&sample("proc-evil1", hostile, x));
        text.push('\n');
    }
    let f = s.write("run.jsonl", &text);
    let out = s.dir.path().join("run.svg");
    let r = report(&s, &["--json", "--svg", path(&out), path(&f)]).success();
    assert_eq!(r.records().len(), 4, "records, and nothing else, on stdout");
    let doc = parse_svg(&out);
    assert_eq!(doc["root"], "svg");
    assert!(doc["title"].as_str().unwrap().contains("pytest"), "{doc}");
    for k in ["width", "height", "viewBox"] {
        assert_ne!(doc[k], "", "{k} missing");
    }
    let els = doc["elements"].as_array().unwrap();
    for id in ["mon-k3x9m2qa", "proc-r3d1s", "host", "proc-evil1"] {
        for metric in ["memory", "cpu", "procs", "io_read", "io_write"] {
            let lines: Vec<_> = els
                .iter()
                .filter(|e| e["data-resource"] == id && e["data-metric"] == metric)
                .collect();
            assert_eq!(lines.len(), 1, "{id} × {metric}: {lines:?}");
            assert_eq!(lines[0]["tag"], "polyline");
            assert!(
                lines[0]["title"].as_str().unwrap().contains(id),
                "the tooltip names the resource: {}",
                lines[0]
            );
        }
    }
    let th: Vec<_> = els
        .iter()
        .filter(|e| e["data-threshold"] == "max-memory")
        .collect();
    assert_eq!(th.len(), 1, "{th:?}");
    assert_eq!(th[0]["data-resource"], "mon-k3x9m2qa");
    // The hostile name reads back as itself, and appears only escaped.
    let evil = els
        .iter()
        .find(|e| e["data-resource"] == "proc-evil1")
        .unwrap();
    assert!(evil["title"].as_str().unwrap().contains(hostile), "{evil}");
    let raw = std::fs::read_to_string(&out).unwrap();
    assert!(!raw.contains("<script>"));
    assert!(raw.contains("&lt;script&gt;&amp;&quot;&apos;"));
    for bad in ["NaN", "inf"] {
        assert!(!raw.contains(bad), "{bad} in the SVG");
    }
    // No temporary file left beside it.
    let names: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("run.svg"))
        .collect();
    assert_eq!(names, ["run.svg"]);
}

#[test]
fn hostile_names_are_plain_text_in_the_table() {
    let s = Scenario::new();
    let x = S {
        elapsed: 1.0,
        memory: Some(1),
        ..S::default()
    };
    let f = s.write("a.jsonl", &(sample("pid-9", "<b>&amp;", x) + "\n"));
    let r = report(&s, &["--format", "human", path(&f)]).success();
    assert!(r.stdout.contains("<b>&amp; (pid-9)"), "{}", r.stdout);
}

/// A run of `pytest` whose peak was `peak` MiB, and a database beside it
/// named `other`, with the host.
fn baseline_run(id: &str, peak: u64, other: &str) -> String {
    let mut lines = Vec::new();
    for i in 1..=10u64 {
        let e = i as f64;
        let x = S {
            elapsed: e,
            memory: Some(peak * MIB * i / 10),
            cpu: Some(50.0),
            procs: Some(3),
            io_read: Some(0),
            io_write: Some(4096),
        };
        lines.push(sample(id, "pytest", x));
        lines.push(sample(&format!("proc-{other}"), other, x));
        lines.push(sample("host", "host", x));
    }
    lines.push(summary(id, "pytest", peak * MIB, 10.0));
    lines.join("\n") + "\n"
}

#[test]
fn a_memory_peak_that_grew_half_is_listed_and_fail_over_decides_the_exit() {
    let s = Scenario::new();
    let base = s.write("main.jsonl", &baseline_run("mon-old1", 400, "db"));
    let cur = s.write("branch.jsonl", &baseline_run("mon-new1", 600, "redis"));
    let (b, c) = (path(&base), path(&cur));

    let r = report(&s, &["--format", "human", c, "--baseline", b]).success();
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains("memory_peak"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(row.starts_with("pytest"), "{row}");
    assert!(row.contains("400.0M") && row.contains("600.0M"), "{row}");
    assert!(row.contains("1.50×") && row.contains("grew"), "{row}");
    let wall = r
        .stdout
        .lines()
        .find(|l| l.contains("wall_seconds"))
        .unwrap();
    assert!(!wall.contains("grew"), "{wall}");
    assert!(r.stdout.contains("cpu_seconds"), "both have summaries");
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("redis") && l.contains("only in this run")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("db") && l.contains("only in the baseline")),
        "{}",
        r.stdout
    );

    let recs = report(&s, &["--json", c, "--baseline", b])
        .success()
        .records();
    let cmp = recs
        .iter()
        .find(|r| r["kind"] == "comparison" && r["resource"] == "mon-new1")
        .unwrap();
    assert_eq!(cmp["baseline_resource"], "mon-old1");
    assert_eq!(cmp["name"], "pytest");
    let mem = cmp["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "memory_peak")
        .unwrap();
    assert_eq!(mem["baseline"], json!(400 * MIB));
    assert_eq!(mem["current"], json!(600 * MIB));
    assert_eq!(mem["ratio"], 1.5);
    assert_eq!(mem["grew"], true);
    let host = recs
        .iter()
        .find(|r| r["kind"] == "comparison" && r["resource"] == "host")
        .unwrap();
    assert_eq!(host["baseline_resource"], "host");

    let r = report(&s, &[c, "--baseline", b, "--fail-over", "1.2"]).expect_code(1);
    assert!(
        r.stderr
            .contains("memory_peak grew 1.50× (over 1.20×) for pytest"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wall_seconds"), "{}", r.stderr);
    let err = r.error_record("ptest-mon");
    assert!(err["message"].as_str().unwrap().contains("memory_peak"));
    assert!(
        r.records_before_error()
            .iter()
            .any(|r| r["kind"] == "comparison"),
        "the comparison comes before the error"
    );

    report(&s, &[c, "--baseline", b, "--fail-over", "2"]).success();
    // --grow decides what is marked, never the exit.
    let recs = report(&s, &["--json", c, "--baseline", b, "--grow", "2"])
        .success()
        .records();
    assert!(
        recs.iter()
            .filter(|r| r["kind"] == "comparison")
            .flat_map(|r| r["metrics"].as_array().unwrap())
            .all(|m| m["grew"] == false)
    );
}

#[test]
fn lone_runs_are_compared_whatever_their_names() {
    let s = Scenario::new();
    let base = s.write(
        "a.jsonl",
        &baseline_run("mon-a1", 100, "x").replace("proc-x", "host"),
    );
    let cur = baseline_run("mon-b1", 100, "x")
        .replace("proc-x", "host")
        .replace("\"pytest\"", "\"make\"");
    let cur = s.write("b.jsonl", &cur);
    let recs = report(&s, &["--json", path(&cur), "--baseline", path(&base)])
        .success()
        .records();
    let cmp = recs
        .iter()
        .find(|r| r["kind"] == "comparison" && r["resource"] == "mon-b1")
        .unwrap();
    assert_eq!(cmp["baseline_resource"], "mon-a1");
}

#[test]
fn a_malformed_line_is_65_naming_file_and_line() {
    let good = sample(
        "mon-a1",
        "a",
        S {
            elapsed: 1.0,
            memory: Some(1),
            ..S::default()
        },
    );
    let other = r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":20113}"#;
    for (bad, want) in [
        ("{\"v\":1,\"kind\":\"sample\",".to_owned(), "malformed"),
        (good.replace("\"memory\":1", "\"memory\":-5"), "memory"),
        (good.replace("\"memory\":1", "\"memory\":\"x\""), "memory"),
    ] {
        let s = Scenario::new();
        let f = s.write("bad.jsonl", &format!("{good}\n{other}\n{bad}\n{good}\n"));
        let r = report(&s, &[path(&f)]).expect_code(65);
        let at = format!("{}:3", f.display());
        assert!(r.stderr.contains(&at), "{at} not in: {}", r.stderr);
        assert!(r.stderr.contains(want), "{want} not in: {}", r.stderr);
        let err = r.error_record("ptest-mon");
        assert!(err["message"].as_str().unwrap().contains(&at));
    }
}

#[test]
fn a_missing_file_is_66() {
    let s = Scenario::new();
    let missing = s.dir.path().join("nope.jsonl");
    let r = report(&s, &[path(&missing)]).expect_code(66);
    assert!(r.stderr.contains("nope.jsonl"), "{}", r.stderr);
    let f = s.write("run.jsonl", &run_file());
    let r = report(&s, &[path(&f), "--baseline", path(&missing)]).expect_code(66);
    assert!(r.stderr.contains("nope.jsonl"), "{}", r.stderr);
}

#[test]
fn an_svg_that_cannot_be_written_is_73_and_leaves_nothing() {
    let s = Scenario::new();
    let f = s.write("run.jsonl", &run_file());
    let out: PathBuf = s.dir.path().join("no-such-dir/run.svg");
    let r = report(&s, &["--svg", path(&out), path(&f)]).expect_code(73);
    assert!(r.stderr.contains(path(&out)), "{}", r.stderr);
    assert!(!out.exists() && !out.parent().unwrap().exists());
    // A directory where the file should go: refused, no temporary file left.
    let dir = s.dir.path().join("svgs");
    std::fs::create_dir(&dir).unwrap();
    let out = dir.join("taken.svg");
    std::fs::create_dir(&out).unwrap();
    let r = report(&s, &["--svg", path(&out), path(&f)]).expect_code(73);
    assert!(r.stderr.contains(path(&out)), "{}", r.stderr);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["taken.svg"]);
}

#[test]
fn files_without_samples_are_65_naming_them() {
    let s = Scenario::new();
    let empty = s.write("empty.jsonl", "");
    let r = report(&s, &[path(&empty)]).expect_code(65);
    assert!(
        r.stderr
            .contains(&format!("no sample records in {}", empty.display())),
        "{}",
        r.stderr
    );
    let only_summary = s.write("summary.jsonl", &(summary("mon-a1", "a", 1, 1.0) + "\n"));
    let good = s.write("run.jsonl", &run_file());
    let r = report(&s, &[path(&good), path(&empty), path(&only_summary)]).expect_code(65);
    assert!(r.stderr.contains(path(&empty)), "{}", r.stderr);
    assert!(r.stderr.contains(path(&only_summary)), "{}", r.stderr);
    assert!(!r.stderr.contains(path(&good)), "{}", r.stderr);
}
