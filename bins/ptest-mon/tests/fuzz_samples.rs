//! Property-based fuzzing of the sample files `ptest mon report` reads, at
//! the binary level (docs/fuzzing.md): the built `ptest-mon report` on
//! random files (and stdin), with and without a baseline, `--svg`,
//! `--fail-over`, records or tables. The in-process properties, with many
//! more cases, are in `src/report/fuzz.rs`.
//!
//! Properties: the process ends within its limit; its exit is 0, 1 (only
//! with `--fail-over`) or 65, never 70 nor a panic; stdout is records with
//! `--json`, ending with the `error` record of a failure; a failure is one
//! line on stderr naming the file; the SVG is written whole or not at all,
//! and nothing else is left beside it.

#[path = "../../../shared/tests/support/fuzz.rs"]
mod fuzz;
#[path = "support/samples.rs"]
mod samples;

use proptest::prelude::*;
use ptest_shared::testkit::Scenario;
use ptest_shared::testkit::fuzz::{RUN_LIMIT, one_line};
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Debug, Clone)]
struct Case {
    current: Vec<u8>,
    baseline: Option<Vec<u8>>,
    stdin: bool,
    svg: bool,
    json: bool,
    fail_over: Option<f64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        samples::file(true),
        proptest::option::weighted(0.4, samples::file(true)),
        prop::bool::weighted(0.2),
        any::<bool>(),
        prop::bool::weighted(0.7),
        proptest::option::weighted(0.3, 1.0f64..3.0),
    )
        .prop_map(|(current, baseline, stdin, svg, json, fail_over)| Case {
            fail_over: fail_over.filter(|_| baseline.is_some()),
            current,
            baseline,
            stdin,
            svg,
            json,
        })
}

#[test]
fn sample_files_are_reported_or_refused_in_one_line() {
    let s = Scenario::new();
    let n = AtomicUsize::new(0);
    fuzz::check("mon_report_binary", 500, case, |c| {
        let dir = s
            .work
            .join(format!("case{}", n.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("cur.jsonl"), &c.current).unwrap();
        let mut cmd = s.cmd("ptest-mon").arg("report").current_dir(&dir);
        if c.stdin {
            cmd = cmd.arg("-").stdin(c.current.clone());
        } else {
            cmd = cmd.arg("cur.jsonl");
        }
        if let Some(b) = &c.baseline {
            std::fs::write(dir.join("base.jsonl"), b).unwrap();
            cmd = cmd.args(["--baseline", "base.jsonl"]);
        }
        if c.svg {
            cmd = cmd.args(["--svg", "out.svg"]);
        }
        if let Some(r) = c.fail_over {
            cmd = cmd.args(["--fail-over", &r.to_string()]);
        }
        cmd = cmd.args(["--format", if c.json { "json" } else { "human" }]);
        let run = cmd
            .run_killed_after(RUN_LIMIT)
            .map_err(TestCaseError::fail)?;
        let code = run.code();
        prop_assert!(
            matches!(code, Some(0 | 65)) || (code == Some(1) && c.fail_over.is_some()),
            "exit {:?}\nstderr: {}",
            run.status,
            run.stderr
        );
        if c.json {
            let records = run.records();
            if code != Some(0) {
                run.error_record("ptest-mon");
            } else {
                prop_assert!(records.iter().all(|r| r["kind"] != "error"));
            }
        }
        if code == Some(0) {
            prop_assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
        } else {
            prop_assert!(
                run.stderr.starts_with("ptest-mon: error: ") && one_line(&run.stderr),
                "stderr: {:?}",
                run.stderr
            );
        }
        if code == Some(65) {
            let named = ["cur.jsonl", "stdin", "base.jsonl"]
                .iter()
                .any(|f| run.stderr.contains(f));
            prop_assert!(named, "the error names no file: {}", run.stderr);
        }
        // The SVG whole, or not at all; nothing else left beside it.
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "cur.jsonl" && n != "base.jsonl")
            .collect();
        left.sort();
        if c.svg && code != Some(65) {
            prop_assert_eq!(left, ["out.svg"]);
            let svg = std::fs::read_to_string(dir.join("out.svg")).unwrap();
            prop_assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
        } else {
            prop_assert!(left.is_empty(), "left behind: {left:?}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
        Ok(())
    });
}
