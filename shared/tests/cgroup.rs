//! Real cgroups on this machine: limits the kernel enforces, process trees
//! that escape their process group, usage, and cleanup. These tests need
//! root and a writable cgroup hierarchy (v1 or v2); each uses its own name.

use nix::sys::signal::Signal;
use ptest_shared::cgroup::{Cgroup, Facts, Limits, Plan};
use ptest_shared::probe::CgroupVersion;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

fn name(tag: &str) -> String {
    format!("ptest-test-{}-{tag}", std::process::id())
}

/// Kills and removes the cgroup even when an assertion fails first.
struct Cleanup(Cgroup);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = self.0.kill_all(Duration::from_secs(2));
        let _ = self.0.remove();
    }
}

fn create(tag: &str, limits: Limits) -> Cleanup {
    match Cgroup::create(&name(tag), &limits) {
        Ok(cg) => Cleanup(cg),
        Err(e) => panic!("cannot create a cgroup: {e}"),
    }
}

/// Spawns `sh -c script` inside `cg` (joined before exec).
fn spawn_in(cg: &Cgroup, script: &str) -> Child {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: the hook only calls open/write/close (async-signal-safe) on
    // paths prepared before the fork.
    unsafe {
        cmd.pre_exec(cg.pre_exec_join());
    }
    cmd.spawn().expect("spawn sh")
}

fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let end = Instant::now() + limit;
    while Instant::now() < end {
        if let Some(s) = child.try_wait().unwrap() {
            return Some(s);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

/// The file `file` in whichever of the cgroup's directories has it.
fn control_file(cg: &Cgroup, file: &str) -> PathBuf {
    cg.paths()
        .into_iter()
        .map(|d| d.join(file))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no {file} in {:?}", cg.paths()))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .trim()
        .to_owned()
}

/// (session id, process group id, state) from /proc/<pid>/stat.
fn sid_pgid_state(pid: u32) -> Option<(i32, i32, char)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let state = f.first()?.chars().next()?;
    Some((f.get(3)?.parse().ok()?, f.get(2)?.parse().ok()?, state))
}

fn gone_or_zombie(pid: u32) -> bool {
    sid_pgid_state(pid).is_none_or(|(_, _, s)| s == 'Z' || s == 'X')
}

fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

const MIB: u64 = 1024 * 1024;

#[test]
fn memory_limit_gets_the_command_oom_killed() {
    let cg = create(
        "oom",
        Limits {
            memory: Some(64 * MIB),
            ..Limits::default()
        },
    );
    let cg = &cg.0;
    match cg.version() {
        CgroupVersion::V2 => assert_eq!(read(&control_file(cg, "memory.max")), "67108864"),
        _ => {
            assert_eq!(read(&control_file(cg, "memory.limit_in_bytes")), "67108864");
            let memsw = cg
                .paths()
                .into_iter()
                .map(|d| d.join("memory.memsw.limit_in_bytes"))
                .find(|p| p.exists());
            if let Some(memsw) = memsw {
                assert_eq!(read(&memsw), "67108864", "swap may not dodge the limit");
            }
        }
    }
    // Grows by 10 MiB chunks, every byte written, until killed.
    let mut child = spawn_in(
        cg,
        "exec python3 -c 'b = []\nwhile True: b.append(b\"x\" * (10 * 1024 * 1024))'",
    );
    let status = wait_timeout(&mut child, Duration::from_secs(10));
    let _ = child.kill();
    let status = status.expect("the allocator was not stopped by the memory limit");
    assert_eq!(status.signal(), Some(9), "OOM-killed: {status:?}");
    let st = cg.stats();
    assert!(st.oom_kills.unwrap_or(0) >= 1, "{st:?}");
    let peak = st.memory_peak.expect("memory peak");
    assert!(
        (48 * MIB..=64 * MIB + MIB).contains(&peak),
        "peak {peak} is not near the 64 MiB limit"
    );
    assert!(cg.is_empty());
    cg.remove().unwrap();
    assert!(cg.paths().iter().all(|p| !p.exists()));
}

#[test]
fn pids_limit_stops_forks_and_kill_all_gets_setsid_children() {
    let cg = create(
        "pids",
        Limits {
            pids: Some(10),
            ..Limits::default()
        },
    );
    let cg = &cg.0;
    assert_eq!(read(&control_file(cg, "pids.max")), "10");
    let mut child = spawn_in(
        cg,
        "setsid sleep 100 & for i in $(seq 50); do sleep 5 & done; wait",
    );
    let sh = child.id();
    let mut samples = 0;
    let status = loop {
        let now = cg.stats().pids_current.expect("pids.current");
        assert!(now <= 10, "{now} processes under a limit of 10");
        samples += 1;
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(samples < 1000, "sh kept running despite the limit");
        std::thread::sleep(Duration::from_millis(2));
    };
    assert!(!status.success(), "a fork failed, so sh failed: {status:?}");
    let st = cg.stats();
    assert!(st.pids_limit_hits.unwrap_or(0) >= 1, "{st:?}");
    if let Some(peak) = st.pids_peak {
        assert!(peak <= 10, "peak {peak}");
    }
    // sh is gone; its children (one in a session of its own) remain. The
    // first background child may still be on its way to setsid(2) when sh
    // has already failed: give it a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let (left, escaped) = loop {
        let left = cg.pids();
        let escaped: Vec<u32> = left
            .iter()
            .copied()
            .filter(|&p| sid_pgid_state(p).is_some_and(|(sid, _, _)| sid == p as i32))
            .collect();
        if !escaped.is_empty() || std::time::Instant::now() > deadline {
            break (left, escaped);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(left.len() >= 2, "{left:?}");
    assert!(!left.contains(&sh));
    assert_eq!(escaped.len(), 1, "the setsid'd sleep: {left:?}");
    cg.kill_all(Duration::from_secs(5)).unwrap();
    assert!(cg.is_empty());
    assert!(left.iter().all(|&p| gone_or_zombie(p)), "{left:?}");
    cg.remove().unwrap();
    assert!(cg.paths().iter().all(|p| !p.exists()));
}

#[test]
fn cpu_limit_holds_a_busy_loop_to_half_a_cpu() {
    let cg = create(
        "cpu",
        Limits {
            cpus: Some(0.5),
            ..Limits::default()
        },
    );
    let cg = &cg.0;
    match cg.version() {
        CgroupVersion::V2 => assert_eq!(read(&control_file(cg, "cpu.max")), "50000 100000"),
        _ => {
            assert_eq!(read(&control_file(cg, "cpu.cfs_quota_us")), "50000");
            assert_eq!(read(&control_file(cg, "cpu.cfs_period_us")), "100000");
        }
    }
    let mut child = spawn_in(cg, "while :; do :; done");
    std::thread::sleep(Duration::from_secs(1));
    cg.kill_all(Duration::from_secs(5)).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9));
    let st = cg.stats();
    let used = st.cpu_usage.expect("cpu usage");
    assert!(
        used > Duration::from_millis(200) && used < Duration::from_millis(800),
        "a busy loop used {used:?} of CPU in 1 s under a 0.5 CPU limit"
    );
    assert!(
        st.cpu_throttled.is_some_and(|t| t > Duration::ZERO),
        "{st:?}"
    );
    cg.remove().unwrap();
}

/// `( setsid … & )`: the daemon's parent exits at once, so it is reparented
/// and lives in a session and process group of its own.
const DOUBLE_FORK: &str =
    "( setsid sh -c 'sleep 300 & sleep 300' </dev/null >/dev/null 2>&1 & ) ; exit 0";

fn assert_kills_escaped_daemon(cg: &Cgroup) {
    let mut child = spawn_in(cg, DOUBLE_FORK);
    let sh = child.id() as i32;
    let (sh_sid, sh_pgid, _) = sid_pgid_state(child.id()).expect("sh is running or a zombie");
    let status = wait_timeout(&mut child, Duration::from_secs(5)).expect("sh exits at once");
    assert!(status.success());
    // The daemon may still be calling setsid or starting its sleep.
    let escaped = |p: &u32| {
        sid_pgid_state(*p)
            .is_some_and(|(sid, pgid, _)| sid != sh_sid && pgid != sh_pgid && pgid != sh)
    };
    assert!(
        wait_for(Duration::from_secs(2), || {
            let pids = cg.pids();
            pids.len() >= 2 && pids.iter().all(escaped)
        }),
        "the daemon did not escape sh's session: {:?}",
        cg.pids()
    );
    let daemons = cg.pids();
    cg.kill_all(Duration::from_secs(5)).unwrap();
    assert!(cg.is_empty());
    assert!(
        wait_for(Duration::from_secs(2), || daemons
            .iter()
            .all(|&p| gone_or_zombie(p))),
        "{daemons:?}"
    );
}

#[test]
fn kill_all_gets_a_double_forked_daemon() {
    let cg = create("daemon", Limits::default());
    // On v1 with a freezer mounted, kill_all freezes the tree first.
    let facts = Facts::read().unwrap();
    if cg.0.version() == CgroupVersion::V1 && facts.layout.v1_hierarchy("freezer").is_some() {
        let frozen = control_file(&cg.0, "freezer.state");
        assert_eq!(read(&frozen), "THAWED");
    }
    assert_kills_escaped_daemon(&cg.0);
    cg.0.remove().unwrap();
}

#[test]
fn kill_all_without_a_freezer_still_stops_a_fork_loop() {
    // About 50 sleeps alive at a time; the limit is only a safety net.
    let cg = create(
        "loop",
        Limits {
            pids: Some(300),
            ..Limits::default()
        },
    );
    // The same cgroup seen through its directories without the freezer
    // (v1): kill_all must win against the forks by killing repeatedly.
    let no_freezer: Vec<PathBuf> =
        cg.0.paths()
            .into_iter()
            .filter(|d| !d.join("freezer.state").exists())
            .collect();
    let bare = Cgroup::from_paths(no_freezer);
    let mut child = spawn_in(&bare, "while :; do sleep 1 & sleep 0.02; done");
    assert!(
        wait_for(Duration::from_secs(2), || bare.pids().len() >= 10),
        "{:?}",
        bare.pids()
    );
    bare.kill_all(Duration::from_secs(5)).unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));
    assert!(bare.is_empty() && cg.0.is_empty());
    cg.0.remove().unwrap();
}

#[test]
fn signal_all_reaches_every_process() {
    let cg = create("term", Limits::default());
    let mut child = spawn_in(&cg.0, "sleep 100 & sleep 100 & wait");
    assert!(wait_for(Duration::from_secs(2), || cg.0.pids().len() == 3));
    cg.0.signal_all(Signal::SIGTERM);
    let status = wait_timeout(&mut child, Duration::from_secs(5)).expect("sh ends");
    assert_eq!(status.signal(), Some(15));
    assert!(wait_for(Duration::from_secs(2), || cg.0.is_empty()));
    cg.0.remove().unwrap();
}

#[test]
fn paths_round_trip_remove_is_idempotent_and_names_are_reusable() {
    let n = name("again");
    let limits = Limits {
        pids: Some(20),
        ..Limits::default()
    };
    let cg = Cleanup(Cgroup::create(&n, &limits).unwrap());
    let paths = cg.0.paths();
    assert!(!paths.is_empty() && paths.iter().all(|p| p.is_dir() && p.ends_with(&n)));
    assert_eq!(cg.0.procs_files().len(), paths.len());
    // A name in use is refused, without harm to the existing cgroup.
    let e = Cgroup::create(&n, &limits).unwrap_err();
    assert!(e.reason.contains(&n), "{e}");
    assert!(paths.iter().all(|p| p.is_dir()));

    let again = Cgroup::from_paths(paths.clone());
    assert_eq!(again.paths(), paths);
    assert_eq!(again.version(), cg.0.version());
    let mut child = spawn_in(&cg.0, "exec sleep 100");
    let pid = child.id();
    assert_eq!(again.pids(), vec![pid]);
    // Not removable while it holds a process: the error says so.
    let e = again.remove().unwrap_err();
    assert!(e.to_string().contains("still holds processes"), "{e}");
    // add_pid moves a running process in.
    let mut outside = Command::new("sleep").arg("100").spawn().unwrap();
    again.add_pid(outside.id()).unwrap();
    assert_eq!(cg.0.pids().len(), 2);
    again.kill_all(Duration::from_secs(5)).unwrap();
    child.wait().unwrap();
    outside.wait().unwrap();
    again.remove().unwrap();
    assert!(paths.iter().all(|p| !p.exists()));
    cg.0.remove().unwrap();
    again.remove().unwrap();
    assert_eq!(
        Cgroup::from_paths(paths.clone()).version(),
        CgroupVersion::None
    );

    let fresh = Cleanup(Cgroup::create(&n, &limits).unwrap());
    assert_eq!(fresh.0.paths(), paths);
    assert_eq!(read(&control_file(&fresh.0, "pids.max")), "20");
    fresh.0.remove().unwrap();
}

/// cgroup v2 for real: on a v2 machine the normal placement; on a v1
/// machine with systemd's controller-less cgroup2 mount, a cgroup there
/// (no controllers, but tracking, cgroup.kill and cpu.stat).
#[test]
fn v2_cgroup_tracks_and_kills_through_cgroup_kill() {
    let facts = Facts::read().unwrap();
    let n = name("v2");
    let mut plan = Plan::new(&facts, &n, &Limits::default()).unwrap();
    if plan.version() == CgroupVersion::V1 {
        let Some(u) = &facts.layout.unified else {
            eprintln!("no cgroup2 mount on this machine: nothing to test");
            return;
        };
        plan = Plan::v2_at(&u.mount_point, &n, &Limits::default()).unwrap();
    }
    let cg = Cleanup(plan.realize().unwrap());
    assert_eq!(cg.0.version(), CgroupVersion::V2);
    assert_eq!(cg.0.paths().len(), 1);
    assert!(
        cg.0.paths()[0].join("cgroup.kill").exists(),
        "kernel ≥ 5.14"
    );
    assert_eq!(
        Cgroup::from_paths(cg.0.paths()).version(),
        CgroupVersion::V2
    );
    let mut busy = spawn_in(&cg.0, "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done");
    assert!(wait_timeout(&mut busy, Duration::from_secs(10)).is_some_and(|s| s.success()));
    assert!(
        cg.0.stats()
            .cpu_usage
            .is_some_and(|u| u > Duration::from_millis(1)),
        "{:?}",
        cg.0.stats()
    );
    assert_kills_escaped_daemon(&cg.0);
    cg.0.remove().unwrap();
    assert!(!cg.0.paths()[0].exists());
}

#[test]
fn gc_sweeps_unregistered_cgroups_of_a_tool_and_kills_what_they_hold() {
    // A tool name of this test's own, so that no other test's cgroup is swept.
    let tool = format!("sweep{}", std::process::id());
    let limits = Limits {
        memory: Some(64 << 20),
        ..Limits::default()
    };
    let orphan = Cleanup(Cgroup::create(&format!("ptest-{tool}-orphan1"), &limits).unwrap());
    let kept = Cleanup(Cgroup::create(&format!("ptest-{tool}-kept1"), &limits).unwrap());
    let mut child = spawn_in(&orphan.0, "exec sleep 100");
    // Too young: nothing is taken (a run registers within moments).
    let none =
        ptest_shared::cgroup::sweep_unregistered(&tool, Duration::from_secs(3600), |_| false);
    assert!(none.is_empty(), "{none:?}");
    assert!(orphan.0.paths().iter().all(|p| p.is_dir()));
    let kept_id = format!("{tool}-kept1");
    let swept = ptest_shared::cgroup::sweep_unregistered(&tool, Duration::ZERO, |id| id == kept_id);
    assert_eq!(swept, vec![format!("ptest-{tool}-orphan1")]);
    assert!(orphan.0.paths().iter().all(|p| !p.exists()));
    assert!(kept.0.paths().iter().all(|p| p.is_dir()));
    let status =
        wait_timeout(&mut child, Duration::from_secs(5)).expect("the orphan's process was killed");
    assert_eq!(status.signal(), Some(Signal::SIGKILL as i32));

    // A cgroup whose process belongs to another state directory (another
    // user's run, a test's own PTEST_HOME) is not this registry's to judge.
    let other = Cleanup(Cgroup::create(&format!("ptest-{tool}-other1"), &limits).unwrap());
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "exec sleep 100"])
        .env("PTEST_HOME", "/nonexistent/another-state-dir")
        .stdin(Stdio::null());
    // SAFETY: as in spawn_in.
    unsafe {
        cmd.pre_exec(other.0.pre_exec_join());
    }
    let mut theirs = cmd.spawn().unwrap();
    let swept = ptest_shared::cgroup::sweep_unregistered(&tool, Duration::ZERO, |id| id == kept_id);
    assert!(swept.is_empty(), "{swept:?}");
    assert!(other.0.paths().iter().all(|p| p.is_dir()));
    assert!(
        theirs.try_wait().unwrap().is_none(),
        "another's process was killed"
    );
    theirs.kill().unwrap();
    theirs.wait().unwrap();
}
