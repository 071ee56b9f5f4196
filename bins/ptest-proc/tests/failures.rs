//! What `proc run` made before the command began goes when it cannot begin
//! (a state directory that cannot be written included), and leases in the
//! stream end with the run even when the command cannot start.
//! One test binary of its own: it counts cgroups, which other tests make.

use ptest_shared::testkit::{Scenario, bin_path};
use std::path::Path;

/// Every `ptest-proc-*` cgroup directory on the machine.
fn our_cgroups() -> Vec<String> {
    fn walk(d: &Path, depth: u32, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(d) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if !e.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            if e.file_name().to_string_lossy().starts_with("ptest-proc-") {
                out.push(p.display().to_string());
            } else if depth < 6 {
                walk(&p, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new("/sys/fs/cgroup"), 0, &mut out);
    out.sort();
    out
}

#[test]
fn a_state_directory_that_cannot_be_written_leaves_no_cgroup() {
    let s = Scenario::new();
    s.cmd("ptest-proc").arg("ls").run().success();
    let before = our_cgroups();
    let marker = s.dir.path().join("ran");
    let r = s
        .cmd_read_only_state("ptest-proc")
        .args([
            "run",
            "--memory",
            "64M",
            "--",
            "touch",
            marker.to_str().unwrap(),
        ])
        .run()
        .expect_code(73);
    assert!(r.stderr.contains("Read-only"), "{}", r.stderr);
    assert!(!marker.exists(), "the command ran");
    assert_eq!(our_cgroups(), before, "a cgroup was left behind");
}

#[test]
fn a_lease_ends_with_a_run_whose_command_cannot_start() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--name", "b", "--range", "14400-14409"])
        .run()
        .success()
        .stdout;
    s.cmd("ptest-proc")
        .args(["run", "--", "nonexistent-command"])
        .stdin(lease)
        .run()
        .expect_code(127);
    // The run took the lease over and is gone: the lease is reclaimable.
    let stale = s
        .cmd("ptest")
        .args(["ls", "--stale", "--json"])
        .run()
        .success()
        .records();
    assert_eq!(stale.len(), 1, "the lease is still held by the session");
    s.cmd("ptest").arg("gc").run().success();
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn logs_kept_by_a_json_run_go_once_the_callers_session_is_gone() {
    let s = Scenario::new();
    // The run leads a session of its own; its caller, setsid, ends with it.
    let r = s
        .command("setsid")
        .args([
            "--fork",
            "--wait",
            bin_path("ptest-proc").to_str().unwrap(),
            "run",
            "--json",
            "--",
            "echo",
            "logged",
        ])
        .run()
        .success();
    let rec = r.records().remove(0);
    let out = std::path::PathBuf::from(rec["logs"]["stdout"].as_str().unwrap());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "logged\n");
    let listed = s.registry().list().unwrap();
    assert_eq!(listed.len(), 1, "the kept logs are registered");
    assert_eq!(listed[0].id(), rec["id"].as_str());
    // An old directory that nothing names goes too; a fresh one stays.
    let orphan = s.state.join("proc/proc-orphan1");
    let fresh = s.state.join("proc/proc-fresh1");
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::create_dir_all(&fresh).unwrap();
    s.command("touch")
        .args(["-d", "5 minutes ago"])
        .arg(&orphan)
        .run()
        .success();
    s.cmd("ptest").arg("gc").run().success();
    assert!(!out.exists(), "the logs outlived their owner");
    assert!(s.registry().list().unwrap().is_empty());
    assert!(!orphan.exists());
    assert!(fresh.exists());
}
