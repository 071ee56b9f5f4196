//! Generators of sample files for the fuzz tests of `ptest mon report`
//! (docs/fuzzing.md): `sample`, `threshold` and `summary` records with
//! measures from 0 to the largest finite numbers, times from year 1 to
//! 9999 in any order, repeated and missing fields, odd names; records of
//! other kinds; and, at times, a bad line, a blank one, CRLF, a last line
//! without its newline.
//!
//! Shared by the in-process properties (`bins/ptest-mon/src/report/fuzz.rs`)
//! and the binary-level ones (`bins/ptest-mon/tests/fuzz_samples.rs`),
//! through `#[path]`.

#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// A measure: a finite number, 0 or more, of every size.
pub fn amount() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0f64..1e4,
        2 => (0u64..1u64 << 40).prop_map(|n| n as f64),
        1 => Just(0.0),
        1 => Just(f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
        1 => Just(5e-324),
        1 => Just(1.8446744073709552e19),
        1 => Just(9.007199254740993e15),
        1 => (0.0f64..1.0).prop_map(|x| x * 1e300),
        1 => any::<u64>().prop_map(|n| n as f64),
    ]
}

/// Elapsed seconds: mostly increasing in a file, at times not.
pub fn elapsed() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 0.0f64..3600.0,
        1 => Just(0.0),
        1 => amount(),
    ]
}

/// An RFC 3339 time, from year 1 to 9999.
pub fn time() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..3, 0u32..60, 0u32..60, 0u32..1000)
            .prop_map(|(h, m, s, ms)| format!("2026-11-30T{:02}:{m:02}:{s:02}.{ms:03}Z", 18 + h)),
        1 => (1u32..10000, 1u32..13, 1u32..29, 0u32..24, "(\\.[0-9]{1,9})?", prop_oneof![Just("Z"), Just("+14:00"), Just("-12:30")])
            .prop_map(|(y, mo, d, h, f, z)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:00:00{f}{z}")),
        1 => Just("9999-12-31T23:59:59.999999999Z".to_owned()),
        1 => Just("0001-01-01T00:00:00Z".to_owned()),
    ]
}

/// What a resource is called: a few ids, so that records meet, and names.
pub fn resource() -> impl Strategy<Value = (String, Option<String>)> {
    (
        proptest::sample::select(vec![
            "host",
            "mon-a1",
            "proc-b2",
            "container-c3",
            "pid-42",
            "",
            "é\"<&>'",
            "\u{1b}[31m",
            "\u{202e}x",
            "a\u{2028}b",
            "🦀",
        ]),
        proptest::option::of(proptest::sample::select(vec![
            "db",
            "",
            "web app",
            "<script>",
            "x\ty",
            "\u{7f}\u{85}",
            "ünïcødé",
            "host",
        ])),
    )
        .prop_map(|(r, n)| (r.to_owned(), n.map(str::to_owned)))
}

fn put(m: &mut Map<String, Value>, k: &str, v: Option<f64>) {
    if let Some(x) = v {
        // As a program would write it: integers as integers.
        let v = if x.fract() == 0.0 && x < 1.8e19 {
            json!(x as u64)
        } else {
            json!(x)
        };
        m.insert(k.into(), v);
    }
}

pub fn sample() -> impl Strategy<Value = Value> {
    (
        resource(),
        time(),
        elapsed(),
        proptest::collection::vec(proptest::option::of(amount()), 6),
        proptest::option::of(proptest::sample::select(vec![
            "cgroup", "proc", "engine", "sampled", "",
        ])),
        proptest::option::of((
            proptest::option::of(amount()),
            proptest::option::of(amount()),
        )),
    )
        .prop_map(|((id, name), t, elapsed, v, source, psi)| {
            let mut m = Map::new();
            m.insert("v".into(), json!(1));
            m.insert("kind".into(), json!("sample"));
            m.insert("tool".into(), json!("ptest-mon"));
            m.insert("resource".into(), json!(id));
            if let Some(n) = name {
                m.insert("name".into(), json!(n));
            }
            m.insert("t".into(), json!(t));
            put(&mut m, "elapsed", Some(elapsed));
            for (k, x) in [
                "memory",
                "memory_peak",
                "cpu",
                "procs",
                "io_read",
                "io_write",
            ]
            .iter()
            .zip(v)
            {
                put(&mut m, k, x);
            }
            if let Some(s) = source {
                m.insert("source".into(), json!(s));
            }
            if let Some((c, mem)) = psi {
                let mut p = Map::new();
                put(&mut p, "cpu", c);
                put(&mut p, "memory", mem);
                m.insert("psi".into(), Value::Object(p));
            }
            Value::Object(m)
        })
}

pub fn threshold() -> impl Strategy<Value = Value> {
    (
        resource(),
        proptest::sample::select(vec!["max-memory", "max-cpu", "max-procs", "max-duration"]),
        amount(),
        amount(),
        proptest::option::of(time()),
        proptest::option::of(elapsed()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(|((id, name), th, limit, value, t, e, killed)| {
            let mut m = Map::new();
            m.insert("v".into(), json!(1));
            m.insert("kind".into(), json!("threshold"));
            m.insert("resource".into(), json!(id));
            if let Some(n) = name {
                m.insert("name".into(), json!(n));
            }
            m.insert("threshold".into(), json!(th));
            put(&mut m, "limit", Some(limit));
            put(&mut m, "value", Some(value));
            if let Some(t) = t {
                m.insert("t".into(), json!(t));
            }
            put(&mut m, "elapsed", e);
            if let Some(k) = killed {
                m.insert("killed".into(), json!(k));
            }
            Value::Object(m)
        })
}

pub fn summary() -> impl Strategy<Value = Value> {
    (
        resource(),
        amount(),
        proptest::collection::vec(proptest::option::of(amount()), 9),
        proptest::option::of(any::<i32>()),
        proptest::option::of(proptest::collection::vec("[a-z -]{0,6}", 0..3)),
    )
        .prop_map(|((id, name), wall, v, exit, cmd)| {
            let mut m = Map::new();
            m.insert("v".into(), json!(1));
            m.insert("kind".into(), json!("summary"));
            m.insert("tool".into(), json!("ptest-mon"));
            m.insert("resource".into(), json!(id));
            if let Some(n) = name {
                m.insert("name".into(), json!(n));
            }
            put(&mut m, "wall_seconds", Some(wall));
            let keys = [
                "cpu_user_seconds",
                "cpu_system_seconds",
                "memory_peak",
                "procs_peak",
                "io_read_bytes",
                "io_write_bytes",
                "oom_kills",
                "samples",
                "mon_cpu_percent",
            ];
            for (k, x) in keys.iter().zip(v) {
                put(&mut m, k, x);
            }
            if let Some(c) = exit {
                m.insert("exit_code".into(), json!(c));
            }
            if let Some(c) = cmd {
                m.insert("command".into(), json!(c));
            }
            m.insert("memory_peak_source".into(), json!("cgroup"));
            Value::Object(m)
        })
}

/// A line of a sample file: records of every kind a file may hold (with
/// `bad`: a line that is not a valid record).
pub fn line(bad: bool) -> impl Strategy<Value = String> {
    let good = prop_oneof![
        12 => sample().prop_map(|v| v.to_string()),
        2 => threshold().prop_map(|v| v.to_string()),
        2 => summary().prop_map(|v| v.to_string()),
        1 => Just(r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":20113}"#.to_owned()),
        1 => Just(r#"{"v":1,"kind":"report","resource":"x","wall_seconds":null}"#.to_owned()),
        1 => Just(String::new()),
    ];
    let wrong = prop_oneof![
        Just(r#"{"v":1,"kind":"sample","resource":"h","t":"2026-11-30T18:00:00Z","elapsed":-1}"#.to_owned()),
        Just(r#"{"v":1,"kind":"sample","resource":"h","t":"yesterday","elapsed":1}"#.to_owned()),
        Just(r#"{"v":1,"kind":"sample","resource":"h","t":"2026-11-30T18:00:00Z","elapsed":1,"memory":"1G"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"threshold","resource":"h","threshold":"max-fun","limit":1,"value":2}"#.to_owned()),
        Just(r#"{"v":1,"kind":"summary","resource":"h","wall_seconds":1e400}"#.to_owned()),
        Just(r#"{"v":1,"kind":"sample","resource":"h\u0000","t":"2026-11-30T18:00:00Z","elapsed":1}"#.to_owned()),
        Just("{\"v\":1,\"kind\":\"sample\"".to_owned()),
        Just("not json".to_owned()),
        Just("[1,2]".to_owned()),
    ];
    if bad { wrong.boxed() } else { good.boxed() }
}

/// A sample file's bytes: lines, LF or CRLF, the last one maybe without
/// its newline; with `bad`, at times a line that is not a valid record or
/// a byte that is not UTF-8.
pub fn file(bad: bool) -> impl Strategy<Value = Vec<u8>> {
    // proptest takes no probability of 0: a good file has a tiny chance
    // of a wrong line, which it then leaves out.
    let wrong = if bad { 0.3 } else { 1e-9 };
    (
        proptest::collection::vec(line(false), 0..30),
        proptest::option::weighted(wrong, (line(true), any::<proptest::sample::Index>())),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.2),
        prop::bool::weighted(wrong / 10.0),
    )
        .prop_map(move |(mut lines, wrong, crlf, cut, not_utf8)| {
            if let Some((w, at)) = wrong.filter(|_| bad) {
                lines.insert(at.index(lines.len() + 1), w);
            }
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(nl);
            if !cut {
                text.push_str(nl);
            }
            let mut bytes = text.into_bytes();
            if not_utf8 && bad {
                bytes.insert(bytes.len() / 2, 0xff);
            }
            bytes
        })
}
