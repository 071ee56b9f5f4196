//! The record protocol as every tool applies it, seen through `ptest
//! registry add`, which passes its stream through.

use ptest_shared::testkit::Scenario;
use std::process::Stdio;

#[test]
fn pass_through_keeps_unknown_kinds_and_fields_byte_for_byte() {
    let s = Scenario::new();
    let input = concat!(
        "{\"v\":1,\"kind\":\"frobnicator\",  \"zeta\": [1, 2.50, {\"é\": null}], \"alpha\":\"x\"}\n",
        "{\"v\":1,\"kind\":\"scratch\",\"tool\":\"ptest-scratch\",\"id\":\"scratch-abc\",\"port\":20001,\"custom\":{\"b\":1,\"a\":2}}\n",
        "{\"kind\":\"gauge\",\"v\":1,\"rss\":1e3}\n",
    );
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .success();
    assert_eq!(r.stdout, input);
}

#[test]
fn malformed_line_is_65_with_its_line_number_and_nothing_half_written() {
    let s = Scenario::new();
    let input = "{\"v\":1,\"kind\":\"a\"}\n{\"v\":1,\"kind\":\"b\"}\n{\"v\":1,\"kind\":\n";
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .expect_code(65);
    assert!(r.stderr.contains("stdin:3"), "{}", r.stderr);
    assert!(r.stdout.is_empty() || r.stdout.ends_with('\n'));
    for l in r.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(l).expect("only whole records on stdout");
    }
}

#[test]
fn newer_protocol_version_is_65_naming_both() {
    let s = Scenario::new();
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin("{\"v\":1,\"kind\":\"a\"}\n{\"v\":7,\"kind\":\"a\"}\n")
        .run()
        .expect_code(65);
    assert!(
        r.stderr.contains("stdin:2")
            && r.stderr.contains("version 7")
            && r.stderr.contains("version 1"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_error_ends_stdout_as_a_record_and_stderr_keeps_the_line() {
    let s = Scenario::new();
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin("{\"v\":1,\"kind\":\"a\"}\nnope\n")
        .run()
        .expect_code(65);
    let e = r.error_record("ptest");
    assert_eq!(e["v"], 1);
    assert_eq!(e["code"], "data");
    assert!(e["message"].as_str().unwrap().contains("stdin:2"));
    assert!(e["hint"].is_string());
    // What came before the bad line was passed through, then the record.
    assert_eq!(r.records_before_error().len(), 1);
    assert!(
        r.stderr
            .starts_with("ptest: error: stdin:2: malformed record"),
        "{}",
        r.stderr
    );
    // --format human keeps stdout for people.
    let r = s
        .cmd("ptest")
        .args(["registry", "add", "--format", "human"])
        .stdin("nope\n")
        .run()
        .expect_code(65);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn closed_stdout_is_a_quiet_exit_0() {
    let s = Scenario::new();
    let line = "{\"v\":1,\"kind\":\"gauge\",\"pad\":\"".to_owned() + &"x".repeat(1000) + "\"}\n";
    let input = line.repeat(2000);
    let mut c = s.cmd("ptest").args(["registry", "add"]).inner;
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take()); // the reader goes away at once
    let mut stdin = child.stdin.take().unwrap();
    let w = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut stdin, input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn closed_or_empty_stdin_is_an_empty_stream() {
    let s = Scenario::new();
    let r = s.cmd("ptest").args(["registry", "add"]).run().success();
    assert_eq!(r.stdout, "");
    let mut c = s.cmd("ptest").args(["registry", "add"]).inner;
    // Run with descriptor 0 closed altogether.
    // SAFETY: between fork and exec only close(2), async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut c, || {
            nix::libc::close(0);
            Ok(())
        });
    }
    let out = c.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
