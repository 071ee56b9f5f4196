//! `ptest mon run` against real process trees: forks, daemons, a memory
//! hog, a peak between samples; exit codes, stdout, the stream's
//! environment, thresholds and their hook, and what is left afterwards.

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::time::{Duration, Instant};

const MB: u64 = 1 << 20;

fn mon(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-mon").args(args).run()
}

fn summary(r: &Run) -> Value {
    let recs = r.records();
    let last = recs.last().expect("records").clone();
    assert_eq!(last["kind"], "summary", "{}", r.stdout);
    last
}

fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

/// Four children of 30 MB each for 0.6 s, and a daemon (setsid, double
/// fork) of 40 MB that outlives its parent's wait by 0.3 s.
const TREE: &str = r#"
import os, time
kids = []
for i in range(4):
    pid = os.fork()
    if pid == 0:
        x = bytearray(30 << 20)
        time.sleep(0.6)
        os._exit(0)
    kids.append(pid)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        x = bytearray(40 << 20)
        time.sleep(0.9)
        os._exit(0)
    os._exit(0)
for k in kids:
    os.waitpid(k, 0)
time.sleep(0.5)
"#;

#[test]
fn a_forking_tree_is_measured_whole_with_a_cgroup_and_through_proc() {
    let s = Scenario::new();
    for extra in [&[][..], &["--no-cgroup"][..]] {
        let mut args = vec!["run", "--json", "--interval", "50ms"];
        args.extend_from_slice(extra);
        args.extend(["--", "python3", "-c", TREE]);
        let r = mon(&s, &args).success();
        let sum = summary(&r);
        let samples: Vec<Value> = r
            .records()
            .into_iter()
            .filter(|x| x["kind"] == "sample")
            .collect();
        assert!(samples.len() >= 5, "{}", r.stdout);
        assert!(samples.iter().all(|x| x["resource"] == sum["resource"]));
        let id = sum["resource"].as_str().unwrap();
        assert!(id.starts_with("mon-"), "{sum}");
        assert_eq!(sum["exit_code"], 0);
        // 4 × 30 MB at once and the daemon's 40 MB, whatever the source.
        let peak = sum["memory_peak"].as_u64().unwrap();
        assert!(peak >= 150 * MB, "peak {peak} ({extra:?}): {sum}");
        assert!(peak < 1024 * MB, "{sum}");
        // The parent, four children, the daemon: six at once.
        assert!(sum["procs_peak"].as_u64().unwrap() >= 6, "{extra:?}: {sum}");
        let source = sum["memory_peak_source"].as_str().unwrap();
        if extra.is_empty() {
            assert_eq!(source, "cgroup", "this machine can make cgroups: {sum}");
            assert!(samples.iter().all(|x| x["source"] == "cgroup"));
        } else {
            assert!(["sampled", "largest-process"].contains(&source), "{sum}");
            assert!(samples.iter().all(|x| x["source"] == "proc"));
        }
        let wall = sum["wall_seconds"].as_f64().unwrap();
        assert!((1.0..10.0).contains(&wall), "{sum}");
        let mon = &sum["monitor"];
        assert!(mon["cpu_seconds"].as_f64().is_some() && mon["memory_peak"].as_u64().unwrap() > 0);
        assert!(sum["samples"].as_u64().unwrap() as usize == samples.len());
    }
    assert!(
        s.registry()
            .list()
            .unwrap()
            .iter()
            .all(|r| r.get("state").and_then(Value::as_str) == Some("exited")),
        "only the kept logs of --json runs are registered"
    );
}

#[test]
fn the_cgroup_catches_a_peak_between_two_samples() {
    let s = Scenario::new();
    let script = "import time\ntime.sleep(0.05)\nx = bytearray(150 << 20)\ntime.sleep(0.03)\ndel x\ntime.sleep(0.1)";
    let r = mon(
        &s,
        &[
            "run",
            "--json",
            "--interval",
            "2s",
            "--",
            "python3",
            "-c",
            script,
        ],
    )
    .success();
    let sum = summary(&r);
    assert_eq!(sum["memory_peak_source"], "cgroup");
    assert!(sum["memory_peak"].as_u64().unwrap() >= 150 * MB, "{sum}");
    let sampled_max = r
        .records()
        .iter()
        .filter(|x| x["kind"] == "sample")
        .filter_map(|x| x["memory"].as_u64())
        .max()
        .unwrap();
    assert!(sampled_max < 150 * MB, "no sample saw it: {sampled_max}");
}

#[test]
fn a_memory_hog_is_killed_at_its_threshold_and_nothing_is_left() {
    let s = Scenario::new();
    let pidfile = s.write("hog.pid", "");
    let script = format!(
        "import os, time\nopen({:?}, 'w').write(str(os.getpid()))\nchunks = []\nfor i in range(200):\n    chunks.append(bytearray(16 << 20))\n    time.sleep(0.02)\n",
        pidfile.display().to_string()
    );
    let start = Instant::now();
    let r = mon(
        &s,
        &[
            "run",
            "--json",
            "--interval",
            "50ms",
            "--max-memory",
            "96M",
            "--kill",
            "--",
            "python3",
            "-c",
            &script,
        ],
    )
    .expect_code(125);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert!(r.stderr.contains("--max-memory 96.0M"), "{}", r.stderr);
    let recs = r.records_before_error();
    let t: Vec<&Value> = recs.iter().filter(|x| x["kind"] == "threshold").collect();
    assert_eq!(t.len(), 1, "{}", r.stdout);
    assert_eq!(t[0]["threshold"], "max-memory");
    assert_eq!(t[0]["killed"], true);
    assert!(t[0]["value"].as_f64().unwrap() > t[0]["limit"].as_f64().unwrap());
    let sum = recs.iter().find(|x| x["kind"] == "summary").unwrap();
    assert_eq!(sum["exit_code"], 128 + 9, "{sum}");
    assert!(
        sum["memory_peak"].as_u64().unwrap() < 600 * MB,
        "killed early: {sum}"
    );
    assert_eq!(r.error_record("ptest-mon")["exit"], 125);
    let pid: u64 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(!alive(pid));
}

#[test]
fn a_threshold_without_kill_is_reported_runs_its_hook_and_the_command_goes_on() {
    let s = Scenario::new();
    let seen = s.dir.path().join("hook.json");
    s.write(
        "work/ptest.toml",
        &format!(
            "[mon]\nmax-duration = \"200ms\"\n[hooks]\npost-mon.threshold = \"cat > {}\"\n",
            seen.display()
        ),
    );
    let r = mon(
        &s,
        &[
            "run",
            "--json",
            "--interval",
            "50ms",
            "--",
            "sh",
            "-c",
            "sleep 0.6; exit 3",
        ],
    )
    .expect_code(3);
    let recs = r.records_before_error();
    let t = recs
        .iter()
        .find(|x| x["kind"] == "threshold")
        .expect("a threshold record");
    assert_eq!(t["threshold"], "max-duration");
    assert_eq!(t["killed"], false);
    let sum = recs.iter().find(|x| x["kind"] == "summary").unwrap();
    assert_eq!(sum["exit_code"], 3);
    assert!(sum["wall_seconds"].as_f64().unwrap() >= 0.6);
    let hook: Value = serde_json::from_str(&std::fs::read_to_string(&seen).unwrap()).unwrap();
    assert_eq!(hook["kind"], "threshold");
    assert_eq!(hook["resource"], sum["resource"]);
}

#[test]
fn exit_codes_are_the_commands() {
    let s = Scenario::new();
    mon(&s, &["run", "--", "sh", "-c", "exit 7"]).expect_code(7);
    mon(&s, &["run", "--", "sh", "-c", "kill -TERM $$"]).expect_code(143);
    let r = mon(&s, &["run", "--", "no-such-command-here"]).expect_code(127);
    assert!(r.stderr.contains("no-such-command-here"), "{}", r.stderr);
    let f = s.write("not-executable", "#!/bin/sh\n");
    mon(&s, &["run", "--", f.to_str().unwrap()]).expect_code(126);
    mon(&s, &["run", "--interval", "1ms", "--", "true"]).expect_code(64);
    mon(&s, &["run", "--max-cpu", "-5", "--", "true"]).expect_code(64);
}

#[test]
fn stdout_is_the_commands_and_records_go_where_asked() {
    let s = Scenario::new();
    let out = s.dir.path().join("run.jsonl");
    let r = mon(
        &s,
        &[
            "run",
            "--out",
            out.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "echo hello; echo oops >&2",
        ],
    )
    .success();
    assert_eq!(r.stdout, "hello\n");
    assert!(
        r.stderr.contains("oops") && r.stderr.contains("peak memory"),
        "{}",
        r.stderr
    );
    let lines = std::fs::read_to_string(&out).unwrap();
    let last: Value = serde_json::from_str(lines.lines().last().unwrap()).unwrap();
    assert_eq!(last["kind"], "summary");
    // Records on stdout with --json; the output goes to logs named in the
    // summary, kept until `rm`.
    let r = mon(&s, &["run", "--json", "--", "sh", "-c", "echo hello"]).success();
    let sum = summary(&r);
    let log = sum["logs"]["stdout"].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(log).unwrap(), "hello\n");
    let id = sum["resource"].as_str().unwrap();
    let ls = mon(&s, &["ls", "--json"]).success();
    assert!(ls.records().iter().any(|x| x["id"] == id), "{}", ls.stdout);
    mon(&s, &["rm", id]).success();
    assert!(!std::path::Path::new(log).exists());
    assert!(s.registry().list().unwrap().is_empty());
    mon(&s, &["rm", id]).expect_code(66);
    let bad = s.dir.path().join("no/such/dir/out.jsonl");
    mon(&s, &["run", "--out", bad.to_str().unwrap(), "--", "true"]).expect_code(73);
}

#[test]
fn the_stream_gives_the_environment_and_a_failure_upstream_runs_nothing() {
    let s = Scenario::new();
    let stream = "{\"v\":1,\"kind\":\"port\",\"port\":20999,\"name\":\"http\",\"env\":{\"PTEST_PORT_HTTP\":\"20999\"}}\n";
    let r = s
        .cmd("ptest-mon")
        .args([
            "run",
            "-e",
            "EXTRA=1",
            "--",
            "sh",
            "-c",
            "echo $PTEST_PORT_HTTP $EXTRA",
        ])
        .stdin(stream)
        .run()
        .success();
    assert_eq!(r.stdout, "20999 1\n");
    let marker = s.dir.path().join("ran");
    let failed = "{\"v\":1,\"kind\":\"error\",\"code\":\"unavailable\",\"exit\":69,\"message\":\"no engine\"}\n";
    let r = s
        .cmd("ptest-mon")
        .args(["run", "--json", "--", "touch", marker.to_str().unwrap()])
        .stdin(failed)
        .run()
        .expect_code(69);
    assert!(!marker.exists());
    let last: Value = serde_json::from_str(r.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(
        last["message"], "no engine",
        "the upstream's record is passed on"
    );
}

#[test]
fn a_killed_monitor_leaves_only_what_gc_removes() {
    let s = Scenario::new();
    let mut cmd = s
        .command(ptest_shared::testkit::bin_path("ptest-mon"))
        .args(["run", "--", "sleep", "30"])
        .inner;
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let reg = s.registry();
    let end = Instant::now() + Duration::from_secs(10);
    let entry = loop {
        if let Some(r) = reg.list().unwrap().into_iter().find(|r| r.kind() == "mon")
            && r.get("pid").is_some()
        {
            break r;
        }
        assert!(Instant::now() < end, "the run registers its cgroup");
        std::thread::sleep(Duration::from_millis(20));
    };
    let pid = entry.get("pid").unwrap().as_u64().unwrap();
    let cgroup: Vec<String> = serde_json::from_value(entry.get("cgroup").unwrap().clone()).unwrap();
    assert!(!cgroup.is_empty());
    child.kill().unwrap();
    child.wait().unwrap();
    let end = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(Instant::now() < end, "the command dies with its monitor");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(std::path::Path::new(&cgroup[0]).exists(), "left for gc");
    let r = mon(&s, &["gc", "--json"]).success();
    assert!(r.stdout.contains(entry.id().unwrap()), "{}", r.stdout);
    assert!(cgroup.iter().all(|c| !std::path::Path::new(c).exists()));
    assert!(reg.list().unwrap().is_empty());
}

#[test]
fn io_that_reaches_the_disk_is_counted() {
    let s = Scenario::new();
    let f = s.dir.path().join("io.bin");
    let script = format!(
        "dd if=/dev/zero of={f} bs=1M count=8 oflag=direct 2>/dev/null && dd if={f} of=/dev/null bs=1M iflag=direct 2>/dev/null",
        f = f.display()
    );
    let r = mon(&s, &["run", "--json", "--", "sh", "-c", &script]).success();
    let sum = summary(&r);
    assert!(sum["io_write_bytes"].as_u64().unwrap() >= 8 * MB, "{sum}");
    assert!(sum["io_read_bytes"].as_u64().unwrap() >= 8 * MB, "{sum}");
}
