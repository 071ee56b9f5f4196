//! Property-based fuzzing of the record stream (docs/fuzzing.md): the
//! record parser (`Record::parse`), validation (`kinds::validate`) and
//! the stream reader (`stream::read`), in-process, a few thousand cases
//! each, every case bounded by a watchdog.
//!
//! Properties: nothing panics or hangs; a bad line is exit 65 with one line
//! naming `stdin:N`; a valid record, whatever its spelling (escapes, key
//! order, whitespace, big numbers, odd unicode, unknown kinds and fields),
//! is kept byte for byte; a stream is passed through unchanged, in order,
//! up to its first failure (an `error` record passed on last, a bad or cut
//! line not at all), and read to its end.

#[path = "support/fuzz.rs"]
mod fuzz;
#[path = "support/records.rs"]
mod records;

use proptest::prelude::*;
use ptest_shared::error::Exit;
use ptest_shared::output::RecordWriter;
use ptest_shared::stream::{self, Failure};
use ptest_shared::testkit::fuzz::{CASE_LIMIT, one_line, within};
use ptest_shared::{Error, Record};
use records::Stream;
use serde_json::{Map, Value};

/// `Record::parse` in a watchdog: never a panic, never a hang.
fn parse(line: &str, lineno: usize) -> Result<Record, Error> {
    let line = line.to_owned();
    within(CASE_LIMIT, "Record::parse", move || {
        Record::parse(&line, "stdin", lineno)
    })
}

/// A refusal as the protocol wants it: 65, one line naming where.
fn check_refusal(e: &Error, at: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.exit, Exit::Data, "{}", e.message);
    prop_assert!(
        e.message.starts_with(&format!("{at}: ")),
        "the message does not name {at}: {:?}",
        e.message
    );
    prop_assert!(
        one_line(&e.to_string()),
        "not one line: {:?}",
        e.to_string()
    );
    Ok(())
}

#[test]
fn any_text_is_a_record_or_a_refusal_naming_the_line() {
    let text = || {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(records::odd_char(), 0..40)
                .prop_map(|c| c.into_iter().collect()),
            records::json_value(),
            records::bad_record(),
            records::valid_record().prop_map(|(l, _)| l),
        ]
        .prop_map(|s: String| s.replace('\n', " "))
    };
    fuzz::check(
        "any_text",
        4000,
        || (text(), 1usize..100_000),
        |(line, n)| {
            match parse(&line, n) {
                Ok(r) => {
                    prop_assert_eq!(r.to_line(), line, "a record read is written back unchanged");
                    prop_assert!(!r.kind().is_empty());
                }
                Err(e) => check_refusal(&e, &format!("stdin:{n}"))?,
            }
            Ok(())
        },
    );
}

#[test]
fn valid_records_are_read_and_kept_byte_for_byte() {
    fuzz::check(
        "valid_records",
        3000,
        records::valid_record,
        |(line, kind)| {
            let r = match parse(&line, 3) {
                Ok(r) => r,
                Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
            };
            prop_assert_eq!(r.to_line(), line.clone());
            prop_assert_eq!(r.kind(), kind.as_str());
            // Changed, it is written afresh, and reads back the same.
            let mut changed = r.clone();
            changed.set("fuzz_added", "é\u{2028}\"\\");
            let again = parse(&changed.to_line(), 1)
                .map_err(|e| TestCaseError::fail(format!("{e}: {}", changed.to_line())))?;
            prop_assert_eq!(&again, &changed);
            // The fields are those of the text, whatever its spelling.
            let value: Value = serde_json::from_str(&line).unwrap();
            prop_assert_eq!(Value::Object(r.fields().clone()), value);
            Ok(())
        },
    );
}

#[test]
fn bad_records_are_65_naming_the_line() {
    fuzz::check(
        "bad_records",
        3000,
        || (records::bad_record(), 1usize..1000),
        |(line, n)| {
            match parse(&line, n) {
                Ok(r) => {
                    return Err(TestCaseError::fail(format!(
                        "accepted a bad record: {}",
                        r.to_line()
                    )));
                }
                Err(e) => check_refusal(&e, &format!("stdin:{n}"))?,
            }
            Ok(())
        },
    );
}

#[test]
fn error_records_are_read_with_their_exit_code() {
    fuzz::check(
        "error_records",
        2000,
        records::error_record,
        |(line, code)| {
            let r = parse(&line, 1).map_err(|e| TestCaseError::fail(format!("refused: {e}")))?;
            let e: ptest_shared::kinds::ErrorRecord =
                r.typed().map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(e.exit_code(), code);
            Ok(())
        },
    );
}

/// An object with any of the fields the suite checks, each of any type.
fn hostile_object() -> impl Strategy<Value = Map<String, Value>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop_oneof![
            any::<String>(),
            "[a-z]{1,8}-[a-z0-9]{1,8}",
            "/[a-z/:]{0,10}",
            "[0-9a-f]{64}",
            "sha256:[0-9a-f]{64}",
            "[0-9]{1,5}:/[a-z]{0,5}",
            "https?://[a-z.:0-9\\[\\]@]{0,20}/?[a-z]{0,5}",
            "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})",
            Just("max-memory".to_owned()),
            Just("\u{0}".to_owned()),
        ]
        .prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(3, 20, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    });
    let kind = prop_oneof![
        proptest::sample::select(ptest_shared::kinds::SUITE_KINDS.to_vec()).prop_map(str::to_owned),
        any::<String>(),
    ];
    (kind, proptest::collection::vec((key(), value), 0..8)).prop_map(|(kind, fields)| {
        let mut m: Map<String, Value> = fields.into_iter().collect();
        m.insert("v".into(), 1.into());
        m.insert("kind".into(), kind.into());
        m
    })
}

/// Field names the suite's kinds use, and any other.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(vec![
            "tool", "id", "created_at", "expires_at", "owner", "pid", "start_time", "boot_id",
            "env", "path_prepend", "port", "name", "proto", "path", "dir", "cgroup", "command",
            "container_id", "engine_name", "image", "ports", "container_port", "host_port", "ready",
            "log", "http", "cmd", "timeout_ms", "network_id", "bridge", "volume_name", "image_id",
            "tag", "resource", "t", "elapsed", "source", "memory", "memory_peak", "cpu", "procs",
            "io_read", "io_write", "psi", "io", "threshold", "limit", "value", "killed",
            "wall_seconds", "exit_code", "samples", "container", "venv", "files", "snapshot", "lower",
            "upper", "work", "made_dir", "mnt_ns", "code", "exit", "message", "hint", "python",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

#[test]
fn validation_of_any_object_ends_in_a_verdict() {
    fuzz::check("validate", 4000, hostile_object, |fields| {
        let f = fields.clone();
        let verdict = within(CASE_LIMIT, "kinds::validate", move || {
            ptest_shared::kinds::validate(&f)
        });
        if let Err(msg) = verdict {
            prop_assert!(one_line(&msg), "not one line: {msg:?}");
        }
        // The parser says the same of the object's text.
        let line = Value::Object(fields).to_string();
        match parse(&line, 1) {
            Ok(_) => {}
            Err(e) => check_refusal(&e, "stdin:1")?,
        }
        Ok(())
    });
}

/// `stream::read` of `input` in a watchdog: what it wrote and the stream.
fn read(input: Vec<u8>) -> (stream::Stream, Vec<u8>) {
    within(CASE_LIMIT, "stream::read", move || {
        let mut w = RecordWriter::new(Vec::new());
        let s = stream::read(input.as_slice(), "stdin", Some(&mut w))
            .expect("no I/O error reading memory");
        (s, w.into_inner())
    })
}

#[test]
fn streams_pass_through_byte_for_byte_up_to_the_first_failure() {
    fuzz::check(
        "streams",
        2000,
        || records::stream(12),
        |st: Stream| {
            let want = st.expected();
            let (got, out) = read(st.bytes());
            let written: String = want.written.iter().map(|l| format!("{l}\n")).collect();
            prop_assert_eq!(
                String::from_utf8_lossy(&out),
                written.as_str(),
                "what is passed through"
            );
            prop_assert_eq!(got.records.len(), want.kept, "records kept for teardown");
            match (&got.failure, want.failure) {
                (None, None) => {}
                (Some(Failure::Upstream { error, .. }), Some(Ok(code))) => {
                    prop_assert_eq!(error.exit_code(), code);
                }
                (Some(Failure::Bad(e)), Some(Err(lineno))) => {
                    check_refusal(e, &format!("stdin:{lineno}"))?;
                }
                (got, want) => {
                    return Err(TestCaseError::fail(format!(
                        "failure {got:?}, expected {want:?}"
                    )));
                }
            }
            let err = got.into_result().err();
            if let Some(e) = &err {
                prop_assert!(
                    one_line(&e.to_string()),
                    "not one line: {:?}",
                    e.to_string()
                );
            }
            let code = err.map(|e| e.exit.code());
            prop_assert_eq!(code, want.failure.map(|f| f.unwrap_or(65)), "the exit code");
            Ok(())
        },
    );
}

#[test]
fn any_bytes_are_read_to_the_end_and_pass_only_whole_records() {
    let bytes = || {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..400),
            proptest::collection::vec(
                prop_oneof![
                    Just(b"\n".to_vec()),
                    Just(b"\r\n".to_vec()),
                    Just(b"{\"v\":1,\"kind\":\"x\"}".to_vec()),
                    Just(b"{\"v\":1,\"kind\":\"error\",\"message\":\"m\",\"exit\":70}".to_vec()),
                    Just(b"{\"v\":1,\"kind\":\"port\",\"port\":80}".to_vec()),
                    Just(b"{\"v\":1,".to_vec()),
                    Just(b"\"".to_vec()),
                    Just(b"\\".to_vec()),
                    Just(b" ".to_vec()),
                    Just(vec![0xff]),
                    Just(vec![0]),
                    proptest::collection::vec(any::<u8>(), 0..8),
                ],
                0..40,
            )
            .prop_map(|parts| parts.concat()),
        ]
    };
    fuzz::check("any_bytes", 4000, bytes, |input| {
        let (got, out) = read(input.clone());
        let out = String::from_utf8(out).expect("what is written is UTF-8");
        // Only whole lines of the input, each a valid record, are written.
        let lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
        let whole = &lines[..lines.len() - 1];
        for l in out.lines() {
            prop_assert!(
                whole
                    .iter()
                    .any(|w| w == &l.as_bytes() || w.strip_suffix(b"\r") == Some(l.as_bytes())),
                "{l:?} is not a line of the input"
            );
            prop_assert!(parse(l, 1).is_ok());
        }
        // An error record is the last line written, if any is.
        let errors: Vec<usize> = out
            .lines()
            .enumerate()
            .filter(|(_, l)| parse(l, 1).is_ok_and(|r| r.kind() == "error"))
            .map(|(i, _)| i)
            .collect();
        prop_assert!(errors.len() <= 1 && errors.iter().all(|i| i + 1 == out.lines().count()));
        match got.failure {
            None => {}
            Some(Failure::Upstream { error, .. }) => {
                prop_assert!((1..=255).contains(&error.exit_code()));
            }
            Some(Failure::Bad(e)) => {
                prop_assert!(e.message.starts_with("stdin:"), "{}", e.message);
                prop_assert_eq!(e.exit, Exit::Data);
                prop_assert!(one_line(&e.to_string()), "{:?}", e.to_string());
            }
        }
        Ok(())
    });
}
