//! `ptest gc` does everything every tool's own `gc` does: it runs each
//! tool's `gc`, found like plugins (so tools still to come take part), and
//! tidies the state directory.

use ptest_shared::testkit::Scenario;

#[test]
fn gc_runs_every_tools_own_gc_and_reports_one_that_fails() {
    let s = Scenario::new();
    let log = s.dir.path().join("gc.log");
    s.plugin(
        "alpha",
        &format!(
            "#!/bin/sh\n[ \"$1\" = gc ] || exit 64\necho alpha >> {}\necho '{{\"v\":1,\"kind\":\"event\",\"event\":\"thing.removed\",\"id\":\"thing-1\"}}'\n",
            log.display()
        ),
    );
    // A plugin without gc answers 64 and takes no part.
    s.plugin(
        "nogc",
        "#!/bin/sh\necho \"unknown command $1\" >&2\nexit 64\n",
    );
    let r = s.cmd("ptest").arg("gc").run().success();
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "alpha\n");
    assert!(
        r.records().iter().any(|e| e["id"] == "thing-1"),
        "a tool's events are passed on: {}",
        r.stdout
    );
    // One that fails is reported after the others ran, exit 1.
    s.plugin("broken", "#!/bin/sh\necho 'disk on fire' >&2\nexit 3\n");
    let r = s.cmd("ptest").arg("gc").run().expect_code(1);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "alpha\nalpha\n");
    assert!(
        r.stderr.contains("ptest-broken gc failed") && r.stderr.contains("disk on fire"),
        "{}",
        r.stderr
    );
    assert_eq!(r.error_record("ptest")["exit"], 1);
}

#[test]
fn gc_removes_lock_files_nobody_holds_and_keeps_held_ones() {
    let s = Scenario::new();
    s.cmd("ptest").arg("ls").run().success();
    let locks = s.state.join("locks");
    std::fs::create_dir_all(&locks).unwrap();
    for name in ["template-gone.lock", "docker-guardian-1-2.lock"] {
        std::fs::write(locks.join(name), "").unwrap();
    }
    let held = ptest_shared::state::StateDir::at(s.state.clone())
        .unwrap()
        .lock("in-use", std::time::Duration::from_secs(1))
        .unwrap();
    s.cmd("ptest").arg("gc").run().success();
    let left: Vec<String> = std::fs::read_dir(&locks)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["in-use.lock"]);
    drop(held);
}

#[test]
fn a_resource_made_after_its_session_ended_goes_with_the_tool_that_made_it() {
    // The session's leader exits at once; the tool starts a moment later,
    // re-parented to an init (or a subreaper), with nothing of its session
    // left above it. It used to give the lease to that init, for good.
    let s = Scenario::new();
    let out = s.dir.path().join("lease.jsonl");
    let bin = ptest_shared::testkit::target_dir().join("ptest-port");
    let script = format!(
        "(sleep 0.3; exec {} lease --json > {}) & exit 0",
        bin.display(),
        out.display()
    );
    let status = std::process::Command::new("setsid")
        .args(["sh", "-c", &script])
        .env("PTEST_HOME", &s.state)
        .status()
        .unwrap();
    assert!(status.success());
    let start = std::time::Instant::now();
    let lease = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if let Some(line) = text.lines().next() {
            break serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "no lease"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let pid = lease["owner"]["pid"].as_u64().unwrap();
    assert_ne!(pid, 1, "owned by init: {lease}");
    // Its owner is the tool itself, which has exited: gc takes it.
    let start = std::time::Instant::now();
    while ptest_shared::owner::proc_stat(pid as u32).is_some_and(|st| st.state != 'Z') {
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    s.cmd("ptest").arg("gc").run().success();
    let left = s.cmd("ptest").args(["ls", "--json"]).run().success();
    assert!(left.records().is_empty(), "{}", left.stdout);
}

#[test]
fn gc_removes_what_a_writer_killed_mid_write_left_in_staging() {
    let s = Scenario::new();
    s.cmd("ptest").arg("ls").run().success();
    let staging = s.state.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let old = staging.join(".tmp-0123abcd.json-x1y2");
    let fresh = staging.join(".tmp-4567cdef.json-z3w4");
    std::fs::write(&old, "{").unwrap();
    std::fs::write(&fresh, "{").unwrap();
    let ok = std::process::Command::new("touch")
        .args(["-d", "2 minutes ago"])
        .arg(&old)
        .status()
        .unwrap();
    assert!(ok.success());
    s.cmd("ptest").arg("gc").run().success();
    assert!(!old.exists(), "an old writer's temp file stayed");
    assert!(fresh.exists(), "a file being written went");
}
