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
