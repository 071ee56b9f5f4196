//! Property-based fuzzing of pass-through at the binary level
//! (docs/fuzzing.md): the built `ptest-port lease --json` given a random
//! stream on stdin (records of every spelling, unknown kinds and fields,
//! error records, bad, blank, non-UTF-8 and cut lines, CRLF). The
//! in-process properties of the same reader are in
//! `shared/tests/fuzz_records.rs`.
//!
//! Properties: the process ends within its limit; stdout is the stream's
//! records up to its first failure, byte for byte and in order, then the
//! tool's own lease, or the `error` record of the failure (a bad or cut
//! line: 65; an upstream `error` record: passed on last, and its exit
//! code); a failure is one line on stderr naming the line; a usage error
//! found before the stream is read still passes the stream on first.

#[path = "../../../shared/tests/support/fuzz.rs"]
mod fuzz;
#[path = "../../../shared/tests/support/records.rs"]
mod records;

use proptest::prelude::*;
use ptest_shared::testkit::fuzz::{RUN_LIMIT, one_line};
use ptest_shared::testkit::{Run, Scenario};
use records::Stream;

/// Runs `ptest-port lease --json ARGS` with `input` on stdin, killed
/// after [`RUN_LIMIT`].
fn lease(s: &Scenario, args: &[&str], input: Vec<u8>) -> Result<Run, TestCaseError> {
    s.cmd("ptest-port")
        .args(["lease", "--json"])
        .args(args)
        .stdin(input)
        .run_killed_after(RUN_LIMIT)
        .map_err(TestCaseError::fail)
}

/// Checks what `run` wrote: the stream's records up to its first failure,
/// unchanged, then (`own`) what the tool adds when the stream is whole.
/// `usage`: the tool fails with 64 whatever the stream, once it is passed
/// on (unless it carries an upstream failure, whose code wins).
fn check_output(
    run: &Run,
    st: &Stream,
    own: impl Fn(&serde_json::Value) -> Result<(), TestCaseError>,
    usage: bool,
) -> Result<(), TestCaseError> {
    let own_code = if usage { 64 } else { 0 };
    let want = st.expected();
    let lines: Vec<&str> = run.stdout.split_inclusive('\n').collect();
    prop_assert!(
        lines.len() > want.written.len() || want.failure.is_some_and(|f| f.is_ok()),
        "too few lines: {:?}\nstderr: {}",
        run.stdout,
        run.stderr
    );
    for (i, w) in want.written.iter().enumerate() {
        let w = format!("{w}\n");
        prop_assert_eq!(
            lines.get(i).copied(),
            Some(w.as_str()),
            "line {} of stdout",
            i + 1
        );
    }
    let rest: Vec<serde_json::Value> = lines[want.written.len()..]
        .iter()
        .map(|l| serde_json::from_str(l).map_err(|e| TestCaseError::fail(format!("{l:?}: {e}"))))
        .collect::<Result<_, _>>()?;
    match want.failure {
        None => {
            prop_assert_eq!(run.code(), Some(own_code), "stderr: {}", run.stderr);
            prop_assert_eq!(rest.len(), 1, "{:?}", rest);
            own(&rest[0])?;
        }
        Some(Ok(code)) => {
            prop_assert_eq!(run.code(), Some(code), "stderr: {}", run.stderr);
            prop_assert!(rest.is_empty(), "after the upstream error record: {rest:?}");
            prop_assert!(one_line(&run.stderr), "stderr: {:?}", run.stderr);
            prop_assert!(
                usage || run.stderr.contains("failed before this stage"),
                "{}",
                run.stderr
            );
        }
        Some(Err(_)) if usage => {
            prop_assert_eq!(run.code(), Some(64), "stderr: {}", run.stderr);
            prop_assert_eq!(rest.len(), 1, "{:?}", rest);
            own(&rest[0])?;
        }
        Some(Err(lineno)) => {
            prop_assert_eq!(run.code(), Some(65), "stderr: {}", run.stderr);
            prop_assert_eq!(rest.len(), 1, "{:?}", rest);
            prop_assert_eq!(&rest[0]["kind"], "error");
            prop_assert_eq!(&rest[0]["exit"], 65);
            prop_assert_eq!(&rest[0]["tool"], "ptest-port");
            prop_assert!(one_line(&run.stderr), "stderr: {:?}", run.stderr);
            prop_assert!(
                run.stderr
                    .starts_with(&format!("ptest-port: error: stdin:{lineno}: ")),
                "{}",
                run.stderr
            );
        }
    }
    Ok(())
}

#[test]
fn a_lease_passes_any_stream_through_byte_for_byte_before_its_own() {
    let s = Scenario::new();
    fuzz::check(
        "port_passthrough",
        200,
        || records::stream(8),
        |st| {
            let run = lease(
                &s,
                &["--range", "15000-15999", "--owner", "none", "--ttl", "10m"],
                st.bytes(),
            )?;
            check_output(
                &run,
                &st,
                |lease| {
                    prop_assert_eq!(&lease["kind"], "port");
                    prop_assert_eq!(&lease["tool"], "ptest-port");
                    prop_assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
                    Ok(())
                },
                false,
            )
        },
    );
    // Nothing leased stays: the scenario's registry goes with it.
    drop(s);
}

#[test]
fn a_usage_error_still_passes_any_stream_on_first() {
    let s = Scenario::new();
    fuzz::check(
        "port_usage_passthrough",
        150,
        || records::stream(8),
        |st| {
            // Refused before the stream is read.
            let run = lease(&s, &["--count", "0"], st.bytes())?;
            check_output(
                &run,
                &st,
                |err| {
                    prop_assert_eq!(&err["kind"], "error");
                    prop_assert_eq!(&err["exit"], 64);
                    prop_assert!(one_line(&run.stderr), "stderr: {:?}", run.stderr);
                    Ok(())
                },
                true,
            )
        },
    );
}
