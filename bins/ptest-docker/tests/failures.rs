//! A create that fails at any step leaves nothing running, registry write
//! included; a request that cannot be met is refused, never dropped.

mod common;

use common::{docker, docker_output, docker_quiet};
use ptest_shared::record::random_hex;

#[test]
fn a_registry_that_cannot_be_written_leaves_nothing_running() {
    let s = common::scenario();
    let image = common::busybox_image();
    // The state directory exists, then cannot be written.
    s.cmd("ptest-docker").arg("ls").run().success();
    let name = format!("rofail-{}", random_hex(3));
    let volume = format!("ptest-test-rovol-{}", random_hex(3));
    for extra in [
        vec![],
        vec!["--volume".to_owned(), format!("{volume}:/data")],
    ] {
        let mut args = vec![
            "create", "--owner", "none", "--image", &image, "--name", &name,
        ];
        args.extend(extra.iter().map(String::as_str));
        args.extend(["--", "sleep", "60"]);
        let r = s
            .cmd_read_only_state("ptest-docker")
            .args(&args)
            .run()
            .expect_code(73);
        assert!(r.stderr.contains("Read-only"), "{}", r.stderr);
        let left = docker(&["ps", "-aq", "--filter", &format!("label=ptest.name={name}")]);
        assert_eq!(left, "", "containers left running: {left}");
        assert!(
            docker_output(&["volume", "inspect", &volume]).is_none(),
            "volume left"
        );
    }
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn ports_that_cannot_be_published_are_refused_not_dropped() {
    let s = common::scenario();
    let image = common::busybox_image();
    for net in ["isolated", "none", "host"] {
        let r = s
            .cmd("ptest-docker")
            .args([
                "create",
                "--image",
                &image,
                "--network",
                net,
                "--port",
                "8080",
            ])
            .run()
            .expect_code(64);
        assert!(r.stderr.contains("cannot publish"), "{}", r.stderr);
    }
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn strict_security_leaves_its_tmpfs_writable_by_its_own_user() {
    let s = common::scenario();
    let image = common::busybox_image();
    let r = s
        .cmd("ptest-docker")
        .args([
            "create",
            "--json",
            "--image",
            &image,
            "--security",
            "strict",
        ])
        .args(["--tmpfs", "/tmp", "--tmpfs", "/data", "--", "sleep", "60"])
        .run()
        .success();
    let rec = r.records().pop().unwrap();
    let id = rec["id"].as_str().unwrap();
    let out = s
        .cmd("ptest-docker")
        .args([
            "exec",
            id,
            "--",
            "sh",
            "-c",
            "id -u; touch /tmp/a /data/b && echo ok",
        ])
        .run();
    s.cmd("ptest-docker")
        .arg("rm")
        .stdin(format!("{rec}\n"))
        .run()
        .success();
    let out = out.success();
    assert_eq!(out.stdout, "65534\nok\n", "{}", out.stderr);
}

#[test]
fn a_volume_outlives_its_container_but_not_its_owner() {
    let mut s = common::scenario();
    // The guardian looks every 200 ms whether its owner still owns anything.
    s.env("PTEST_GUARDIAN_POLL", "200ms");
    let image = common::busybox_image();
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let volume = format!("ptest-test-keep-{}", random_hex(3));
    let made = s
        .cmd("ptest-docker")
        .args([
            "create",
            "--json",
            "--owner",
            &owner.id().to_string(),
            "--image",
            &image,
        ])
        .args(["--volume", &format!("{volume}:/data"), "--", "sleep", "60"])
        .run()
        .success()
        .records();
    let container = made.iter().find(|r| r["kind"] == "container").unwrap();
    s.cmd("ptest-docker")
        .args(["rm", container["id"].as_str().unwrap()])
        .run()
        .success();
    // Long enough for a guardian that watched containers only to leave.
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(docker_output(&["volume", "inspect", &volume]).is_some());
    owner.kill().unwrap();
    owner.wait().unwrap();
    let start = std::time::Instant::now();
    while docker_output(&["volume", "inspect", &volume]).is_some() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "the volume outlived its owner"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(s.registry().list().unwrap().is_empty());
}

/// `gc` sweeps every ptest object of the engine whose owner died: the
/// tests that leave one for their own gc to find take turns, or one's gc
/// takes what the other asserts is still there.
static OWN_GC: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn ptest_gc_finds_a_container_only_its_labels_name() {
    let _turn = OWN_GC.lock().unwrap_or_else(|e| e.into_inner());
    let s = common::scenario();
    let image = common::busybox_image();
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let pid = owner.id();
    let rec = s
        .cmd("ptest-docker")
        .args([
            "create",
            "--json",
            "--owner",
            &pid.to_string(),
            "--image",
            &image,
        ])
        .args(["--", "sleep", "60"])
        .run()
        .success()
        .records()
        .remove(0);
    let cid = rec["container_id"].as_str().unwrap().to_owned();
    // No registry entry, no guardian, no owner: only its labels say whose it is.
    s.cmd("ptest")
        .args(["registry", "rm", rec["id"].as_str().unwrap()])
        .run()
        .success();
    kill_guardians_of(pid);
    owner.kill().unwrap();
    owner.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(docker_output(&["container", "inspect", &cid]).is_some());
    // The dispatcher's gc runs ptest-docker's own, which sweeps labels.
    s.cmd("ptest").arg("gc").run().success();
    assert!(
        docker_output(&["container", "inspect", &cid]).is_none(),
        "ptest gc left a container ptest-docker gc would have removed"
    );
}

#[test]
fn ptest_gc_removes_a_volume_an_unregistered_container_held_at_the_first_go() {
    // `create` killed between making its container and registering it: the
    // volume is registered, the container that uses it only labelled.
    let _turn = OWN_GC.lock().unwrap_or_else(|e| e.into_inner());
    let s = common::scenario();
    let image = common::busybox_image();
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let pid = owner.id();
    let volume = format!("ptest-test-held-{}", random_hex(3));
    let made = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--owner", &pid.to_string()])
        .args(["--image", &image, "--volume", &format!("{volume}:/data")])
        .args(["--", "sleep", "60"])
        .run()
        .success()
        .records();
    let container = made.iter().find(|r| r["kind"] == "container").unwrap();
    let cid = container["container_id"].as_str().unwrap().to_owned();
    s.cmd("ptest")
        .args(["registry", "rm", container["id"].as_str().unwrap()])
        .run()
        .success();
    kill_guardians_of(pid);
    owner.kill().unwrap();
    owner.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(docker_output(&["volume", "inspect", &volume]).is_some());
    // One gc, exit 0: the tools' own gc first (the container and then its
    // volume), the registry's stale entries after.
    let r = s.cmd("ptest").arg("gc").run();
    let container_left = docker_output(&["container", "inspect", &cid]).is_some();
    let volume_left = docker_output(&["volume", "inspect", &volume]).is_some();
    docker_quiet(&["rm", "-f", "-v", &cid]);
    docker_quiet(&["volume", "rm", "-f", &volume]);
    assert_eq!(r.status.code(), Some(0), "{}", r.stderr);
    assert!(!container_left && !volume_left, "gc left them");
    assert!(s.registry().list().unwrap().is_empty());
}

/// SIGKILLs the guardians watching `pid`: what they would remove is then
/// left for `gc` to find.
fn kill_guardians_of(pid: u32) {
    let guards = std::process::Command::new("pgrep")
        .args(["-f", &format!("__guard {pid}:")])
        .output()
        .unwrap();
    for g in String::from_utf8_lossy(&guards.stdout).split_whitespace() {
        let _ = std::process::Command::new("kill").args(["-9", g]).status();
    }
}
