//! `ptest mon watch` of real services, containers and pids: samples
//! tagged with each resource's id, thresholds that stop what crossed them
//! through its own tool, a configuration edited while it watches, and
//! records that name nothing ptest made.

#[path = "../../ptest-docker/tests/common/mod.rs"]
mod common;

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::time::{Duration, Instant};

fn mon(s: &Scenario, args: &[&str], stdin: &str) -> Run {
    s.cmd("ptest-mon").args(args).stdin(stdin).run()
}

fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

fn of<'a>(recs: &'a [Value], kind: &str, resource: &str) -> Vec<&'a Value> {
    recs.iter()
        .filter(|r| r["kind"] == kind && r["resource"] == resource)
        .collect()
}

#[test]
fn a_service_is_watched_until_it_exits_and_the_host_beside_it() {
    let s = Scenario::new();
    let start = s
        .cmd("ptest-proc")
        .args([
            "start",
            "--json",
            "--",
            "python3",
            "-c",
            "import time; x = bytearray(64 << 20); time.sleep(1.5)",
        ])
        .run()
        .success();
    let line = start.stdout.clone();
    let id = start.records()[0]["id"].as_str().unwrap().to_owned();
    let r = mon(
        &s,
        &["watch", "--interval", "100ms", "--until-exit", "--json"],
        &line,
    )
    .success();
    let recs = r.records();
    assert_eq!(
        recs[0]["id"],
        id.as_str(),
        "the stream is passed through first"
    );
    let samples = of(&recs, "sample", &id);
    assert!(samples.len() >= 5, "{}", r.stdout);
    assert!(
        samples
            .iter()
            .any(|x| x["memory"].as_u64().unwrap() >= 64 << 20),
        "{}",
        r.stdout
    );
    assert!(!of(&recs, "sample", "host").is_empty());
    let host = of(&recs, "sample", "host")[0];
    assert!(host["memory_total"].as_u64().unwrap() > host["memory"].as_u64().unwrap());
    let sum = of(&recs, "summary", &id);
    assert_eq!(sum.len(), 1);
    assert_eq!(sum[0]["gone"], true);
    s.cmd("ptest-proc").args(["rm", &id]).run();
}

#[test]
fn kill_stops_a_service_through_its_tool() {
    let s = Scenario::new();
    let start = s
        .cmd("ptest-proc")
        .args(["start", "--json", "--", "sleep", "300"])
        .run()
        .success();
    let rec = start.records()[0].clone();
    let pid = rec["pid"].as_u64().unwrap();
    let r = mon(
        &s,
        &[
            "watch",
            "--interval",
            "100ms",
            "--until-exit",
            "--no-host",
            "--json",
            "--max-duration",
            "500ms",
            "--kill",
        ],
        &start.stdout,
    )
    .expect_code(125);
    let recs = r.records_before_error();
    let t = of(&recs, "threshold", rec["id"].as_str().unwrap());
    assert_eq!(t.len(), 1, "{}", r.stdout);
    assert_eq!(t[0]["threshold"], "max-duration");
    assert_eq!(t[0]["killed"], true);
    assert!(!alive(pid));
    assert!(r.stderr.contains("--max-duration"), "{}", r.stderr);
    s.cmd("ptest-proc")
        .args(["rm", rec["id"].as_str().unwrap()])
        .run();
}

#[test]
fn records_of_nothing_ptest_made_are_not_watched() {
    let s = Scenario::new();
    let mut victim = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let forged = format!(
        "{{\"v\":1,\"kind\":\"proc\",\"tool\":\"ptest-proc\",\"id\":\"proc-forged1\",\"pid\":{}}}\n",
        victim.id()
    );
    let r = mon(
        &s,
        &[
            "watch",
            "--until-exit",
            "--json",
            "--kill",
            "--max-duration",
            "100ms",
        ],
        &forged,
    )
    .expect_code(64);
    assert!(
        r.stderr.contains("not a live ptest resource"),
        "{}",
        r.stderr
    );
    assert!(alive(victim.id() as u64));
    victim.kill().unwrap();
    victim.wait().unwrap();
}

#[test]
fn a_pid_tree_is_watched_and_the_configuration_is_reloaded_while_watching() {
    let s = Scenario::new();
    let mut tree = std::process::Command::new("sh")
        .args(["-c", "sleep 30 & sleep 30 & wait"])
        .spawn()
        .unwrap();
    let pid = tree.id().to_string();
    let conf = s.work.join("ptest.toml");
    std::fs::write(&conf, "[mon]\nmax-procs = 10\n").unwrap();
    // A second later, the limit is lowered below what the tree holds.
    let editor = std::thread::spawn({
        let conf = conf.clone();
        move || {
            std::thread::sleep(Duration::from_millis(800));
            std::fs::write(&conf, "[mon]\nmax-procs = 2\n").unwrap();
        }
    });
    let start = Instant::now();
    let r = mon(
        &s,
        &[
            "watch",
            "--pid",
            &pid,
            "--interval",
            "100ms",
            "--duration",
            "2s",
            "--no-host",
            "--json",
        ],
        "",
    )
    .success();
    editor.join().unwrap();
    assert!(start.elapsed() >= Duration::from_secs(2));
    let recs = r.records();
    let id = format!("pid-{pid}");
    let samples = of(&recs, "sample", &id);
    assert!(samples.iter().all(|x| x["procs"] == 3), "{}", r.stdout);
    let t = of(&recs, "threshold", &id);
    assert_eq!(t.len(), 1, "{}", r.stdout);
    assert_eq!(t[0]["threshold"], "max-procs");
    assert_eq!(t[0]["limit"], 2.0);
    assert!(t[0]["elapsed"].as_f64().unwrap() >= 0.8, "{}", t[0]);
    assert_eq!(t[0]["killed"], false);
    tree.kill().unwrap();
    tree.wait().unwrap();
    let _ = std::process::Command::new("pkill")
        .args(["-P", &pid])
        .status();
    mon(&s, &["watch", "--pid", "999999999"], "").expect_code(66);
    mon(&s, &["watch", "--until-exit"], "").expect_code(64);
}

#[test]
fn containers_are_watched_through_their_cgroups() {
    let s = common::scenario();
    let image = common::busybox_image();
    let made = s
        .cmd("ptest-docker")
        .args([
            "create",
            "--json",
            "--image",
            &image,
            "--name",
            "hog",
            "--",
            "sh",
            "-c",
            "dd if=/dev/zero of=/dev/null bs=1M count=200000 & sleep 2",
        ])
        .run()
        .success();
    let _cleanup = common::Cleanup(&s, made.records());
    let id = made.records()[0]["id"].as_str().unwrap().to_owned();
    let r = s
        .cmd("ptest-mon")
        .args([
            "watch",
            "--interval",
            "200ms",
            "--until-exit",
            "--no-host",
            "--json",
        ])
        .stdin(made.stdout.clone())
        .run()
        .success();
    let recs = r.records();
    let samples = of(&recs, "sample", &id);
    assert!(samples.len() >= 3, "{}", r.stdout);
    assert!(
        samples
            .iter()
            .all(|x| x["source"] == "cgroup" && x["name"] == "hog")
    );
    assert!(
        samples
            .iter()
            .any(|x| x["cpu"].as_f64().unwrap_or(0.0) > 20.0),
        "dd keeps a CPU busy: {}",
        r.stdout
    );
    assert!(samples.iter().any(|x| x["procs"].as_u64().unwrap() >= 2));
    assert_eq!(of(&recs, "summary", &id)[0]["gone"], true);
}

#[test]
fn a_terminal_gets_a_live_table_and_out_still_gets_the_records() {
    let s = Scenario::new();
    let mut busy = std::process::Command::new("sh")
        .args(["-c", "while :; do :; done"])
        .spawn()
        .unwrap();
    let out = s.dir.path().join("watch.jsonl");
    let cmd = format!(
        "{} watch --pid {} --interval 200ms --duration 1s --out {}",
        ptest_shared::testkit::bin_path("ptest-mon").display(),
        busy.id(),
        out.display()
    );
    // `script` gives the command a terminal as its stdout.
    let r = s
        .command("script")
        .args(["-qec", &cmd, "/dev/null"])
        .run()
        .success();
    busy.kill().unwrap();
    busy.wait().unwrap();
    let screen = r.stdout.replace('\r', "");
    assert!(
        screen.contains("\x1b[H\x1b[J"),
        "the table is redrawn: {screen:?}"
    );
    let last = screen.rsplit("\x1b[H\x1b[J").next().unwrap();
    let row = last
        .lines()
        .find(|l| l.starts_with(&format!("pid-{}", busy.id())))
        .unwrap_or_else(|| panic!("{last}"));
    let cpu: f64 = row.split_whitespace().nth(5).unwrap().parse().unwrap();
    assert!(cpu > 20.0, "a busy loop shows in CPU %: {row}");
    assert!(last.contains("host"), "{last}");
    assert!(!screen.contains("\"kind\""), "no records on a terminal");
    let recs = std::fs::read_to_string(&out).unwrap();
    assert!(recs.lines().any(|l| l.contains("\"kind\":\"sample\"")));
    assert!(recs.lines().any(|l| l.contains("\"kind\":\"summary\"")));
}
