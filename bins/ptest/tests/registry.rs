//! The registry under concurrency and crashes; `ls` and `gc` judging owners
//! by PID and start time.

use ptest_shared::testkit::Scenario;
use serde_json::json;
use std::collections::BTreeSet;
use std::process::Stdio;

fn resource(id: &str, tool: &str, extra: serde_json::Value) -> String {
    let mut v = json!({"v": 1, "kind": "thing", "tool": tool, "id": id, "created_at": "2026-01-01T00:00:00Z"});
    v.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    v.to_string() + "\n"
}

#[test]
fn sixteen_concurrent_writers_and_removers_lose_nothing() {
    let s = Scenario::new();
    let children: Vec<_> = (0..16)
        .map(|w| {
            let input: String = (0..40)
                .map(|i| resource(&format!("thing-w{w}i{i}"), "ptest-thing", json!({})))
                .collect();
            let s_cmd = s.cmd("ptest").args(["registry", "add"]);
            let mut c = s_cmd.inner;
            c.stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            let mut child = c.spawn().unwrap();
            std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
            child
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Now 16 removers, each removing the odd entries of one writer, while
    // 16 more writers add new ones.
    let mut procs = Vec::new();
    for w in 0..16 {
        let ids: Vec<String> = (0..40)
            .filter(|i| i % 2 == 1)
            .map(|i| format!("thing-w{w}i{i}"))
            .collect();
        procs.push(
            s.cmd("ptest")
                .args(["registry", "rm"])
                .args(&ids)
                .inner
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let input: String = (0..10)
            .map(|i| resource(&format!("thing-x{w}i{i}"), "ptest-thing", json!({})))
            .collect();
        let mut c = s.cmd("ptest").args(["registry", "add"]).inner;
        c.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = c.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
        procs.push(child);
    }
    for p in procs {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let listed: BTreeSet<String> = s
        .cmd("ptest")
        .arg("ls")
        .run()
        .success()
        .records()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let mut want = BTreeSet::new();
    for w in 0..16 {
        for i in (0..40).filter(|i| i % 2 == 0) {
            want.insert(format!("thing-w{w}i{i}"));
        }
        for i in 0..10 {
            want.insert(format!("thing-x{w}i{i}"));
        }
    }
    assert_eq!(listed, want);
}

#[test]
fn writer_killed_mid_write_leaves_a_readable_registry() {
    let s = Scenario::new();
    let pad = "y".repeat(20_000);
    let input: String = (0..3000)
        .map(|i| resource(&format!("thing-k{i}"), "ptest-thing", json!({"pad": pad})))
        .collect();
    let mut counts = vec![];
    for delay_ms in [30u64, 100, 250, 500] {
        let mut c = s.cmd("ptest").args(["registry", "add"]).inner;
        c.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.clone();
        let w = std::thread::spawn(move || {
            let _ = std::io::Write::write_all(&mut stdin, data.as_bytes());
        });
        // `registry add` validates the whole stream, then writes entry by
        // entry: kill it during those writes.
        w.join().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let r = s.cmd("ptest").arg("ls").run().success();
        let records = r.records();
        for rec in &records {
            assert_eq!(
                rec["pad"].as_str().map(str::len),
                Some(20_000),
                "a torn entry: {rec}"
            );
        }
        counts.push(records.len());
    }
    // The writer really was killed midway: some entries, not all of them.
    assert!(
        counts.iter().any(|&n| n > 0 && n < 3000),
        "entries after each kill: {counts:?}"
    );
}

/// A plugin that removes `thing` resources by logging them.
fn thing_plugin(s: &Scenario) -> std::path::PathBuf {
    let log = s.dir.path().join("removed.log");
    s.plugin(
        "thing",
        &format!(
            "#!/bin/sh\n[ \"$1\" = rm ] || exit 64\ncat >> {}\n",
            log.display()
        ),
    );
    log
}

fn start_time(pid: u32) -> u64 {
    ptest_shared::owner::Owner::of(pid).unwrap().start_time
}

#[test]
fn gc_removes_resources_of_dead_owners_even_when_the_pid_is_reused() {
    let s = Scenario::new();
    let log = thing_plugin(&s);
    let mut live = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let pid = live.id();
    let real = start_time(pid);
    let input = [
        // Owned by a live process: kept.
        resource(
            "thing-live",
            "ptest-thing",
            json!({"owner": {"pid": pid, "start_time": real}}),
        ),
        // Same PID but another start time: the PID was reused, the owner is dead.
        resource(
            "thing-reused",
            "ptest-thing",
            json!({"owner": {"pid": pid, "start_time": real + 12345}}),
        ),
        // Expired.
        resource(
            "thing-expired",
            "ptest-thing",
            json!({"expires_at": "2020-01-01T00:00:00Z"}),
        ),
        // No owner, no expiry: lives until removed.
        resource("thing-forever", "ptest-thing", json!({})),
    ]
    .concat();
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .success();

    let table = s
        .cmd("ptest")
        .args(["ls", "--format", "human"])
        .run()
        .success()
        .stdout;
    let state_of = |id: &str| {
        table
            .lines()
            .find(|l| l.starts_with(id))
            .map(|l| l.split_whitespace().nth(4).unwrap().to_owned())
    };
    assert_eq!(state_of("thing-live").as_deref(), Some("live"), "{table}");
    assert_eq!(
        state_of("thing-reused").as_deref(),
        Some("owner-dead"),
        "{table}"
    );
    assert_eq!(
        state_of("thing-expired").as_deref(),
        Some("expired"),
        "{table}"
    );

    let stale: Vec<_> = s
        .cmd("ptest")
        .args(["ls", "--stale"])
        .run()
        .success()
        .records();
    assert_eq!(stale.len(), 2);

    let dry = s
        .cmd("ptest")
        .args(["gc", "--dry-run"])
        .run()
        .success()
        .records();
    assert_eq!(dry.len(), 2);
    assert_eq!(
        s.cmd("ptest").arg("ls").run().records().len(),
        4,
        "dry run removes nothing"
    );

    let events = s.cmd("ptest").arg("gc").run().success().records();
    let removed: BTreeSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(removed, BTreeSet::from(["thing-reused", "thing-expired"]));
    assert!(events.iter().all(|e| e["event"] == "thing.removed"));
    // The plugin got exactly those records on stdin.
    let got = std::fs::read_to_string(&log).unwrap();
    assert_eq!(got.lines().count(), 2, "{got}");
    assert!(got.contains("thing-reused") && got.contains("thing-expired"));

    // The owner dies: its resource goes at the next gc.
    live.kill().unwrap();
    live.wait().unwrap();
    let events = s.cmd("ptest").arg("gc").run().success().records();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], "thing-live");
    assert_eq!(events[0]["reason"], "owner-dead");
    let left: Vec<_> = s
        .cmd("ptest")
        .arg("ls")
        .run()
        .records()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(left, [json!("thing-forever")]);
}

#[test]
fn gc_keeps_what_the_tool_could_not_remove_and_says_so() {
    let s = Scenario::new();
    s.plugin("thing", "#!/bin/sh\necho 'engine on fire' >&2\nexit 3\n");
    let input = resource(
        "thing-a",
        "ptest-thing",
        json!({"expires_at": "2020-01-01T00:00:00Z"}),
    ) + &resource(
        "ghost-a",
        "ptest-ghost",
        json!({"expires_at": "2020-01-01T00:00:00Z"}),
    );
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .success();
    let r = s.cmd("ptest").arg("gc").run().expect_code(1);
    assert!(
        r.stderr.contains("thing-a")
            && r.stderr.contains("engine on fire")
            && r.stderr.contains("exit 3"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("ptest-ghost is not installed"),
        "{}",
        r.stderr
    );
    assert_eq!(
        s.cmd("ptest").arg("ls").run().records().len(),
        2,
        "nothing is forgotten"
    );
}

#[test]
fn registry_add_refuses_bad_resources_before_recording_any() {
    let s = Scenario::new();
    let input = resource("thing-ok", "ptest-thing", json!({}))
        + &resource("../escape", "ptest-thing", json!({}));
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .expect_code(65);
    let input = resource("thing-ok", "rm -rf /", json!({}));
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin(input)
        .run()
        .expect_code(65);
    assert!(r.stderr.contains("not a ptest tool name"), "{}", r.stderr);
    assert!(
        s.cmd("ptest")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty()
    );
}

#[test]
fn a_corrupt_registry_entry_is_named_and_moved_aside_and_nothing_else_is_dropped() {
    let s = Scenario::new();
    s.cmd("ptest")
        .args(["registry", "add"])
        .stdin(resource("thing-a", "ptest-thing", json!({})))
        .run()
        .success();
    let f = s.state.join("registry/thing-b.json");
    std::fs::write(&f, "{\"v\":1,\"kind\":").unwrap();
    let r = s.cmd("ptest").arg("ls").run().success();
    assert!(r.stderr.contains(&f.display().to_string()), "{}", r.stderr);
    assert_eq!(r.records().len(), 1);
    assert!(!f.exists(), "moved to quarantine");
    assert!(
        s.state.join("registry/thing-a.json").exists(),
        "nothing is dropped"
    );
}

#[test]
fn state_directory_is_created_private() {
    use std::os::unix::fs::MetadataExt;
    let s = Scenario::new();
    s.cmd("ptest").arg("ls").run().success();
    assert_eq!(std::fs::metadata(&s.state).unwrap().mode() & 0o777, 0o700);
}
