//! `--mode overlay` on real overlayfs mounts (the suite runs as root), and
//! its fallback where mounting is not permitted.

mod support;

use ptest_shared::testkit::{Scenario, bin_path};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::*;

/// A scenario that unmounts, when dropped, every mount below its
/// directory: a failing test leaves no mount behind.
struct Mounts(Scenario);

impl Drop for Mounts {
    fn drop(&mut self) {
        for p in mounts_below(self.0.dir.path()).into_iter().rev() {
            let _ = nix::mount::umount2(&p, nix::mount::MntFlags::MNT_DETACH);
        }
    }
}

impl std::ops::Deref for Mounts {
    type Target = Scenario;
    fn deref(&self) -> &Scenario {
        &self.0
    }
}

fn scenario() -> Mounts {
    Mounts(Scenario::new())
}

/// Mount points below `dir`, in mount order.
fn mounts_below(dir: &Path) -> Vec<PathBuf> {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|p| PathBuf::from(p.replace("\\040", " ")))
        .filter(|p| p.starts_with(&dir))
        .collect()
}

fn records(s: &Scenario, args: &[&str]) -> Vec<Value> {
    snap(s, args).success().records()
}

fn overlay_dirs(s: &Scenario) -> Vec<String> {
    std::fs::read_dir(s.state.join("snap/overlays"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn registered_overlays(s: &Scenario) -> Vec<Value> {
    s.registry()
        .list()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind() == "overlay")
        .map(|r| serde_json::from_str(&r.to_line()).unwrap())
        .collect()
}

/// No mount, no overlay directory and no overlay record is left.
fn nothing_left(s: &Scenario) {
    assert!(
        mounts_below(s.dir.path()).is_empty(),
        "{:?}",
        mounts_below(s.dir.path())
    );
    assert!(overlay_dirs(s).is_empty(), "{:?}", overlay_dirs(s));
    assert!(registered_overlays(s).is_empty());
}

fn lowers(s: &Scenario) -> Vec<String> {
    std::fs::read_dir(s.state.join("snap/lower"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// `restore --mode overlay … --json`: the overlay record and the event.
fn restore_overlay(s: &Scenario, id: &str, extra: &[&str]) -> (Value, Value) {
    let mut args = vec!["restore", id, "--mode", "overlay", "--json"];
    args.extend_from_slice(extra);
    let recs = records(s, &args);
    assert_eq!(recs.len(), 2, "{recs:?}");
    assert_eq!(recs[0]["kind"], "overlay");
    assert_eq!(recs[1]["event"], "snapshot.restored");
    assert_eq!(recs[1]["method"], "overlay");
    (recs[0].clone(), recs[1].clone())
}

#[test]
fn restore_mounts_the_exact_tree_writable_and_writes_reach_neither_lower_nor_store() {
    let s = scenario();
    let src = s.work.join("src");
    every_kind_of_tree(&src);
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    let (o, ev) = restore_overlay(&s, &id(&rec), &["--to", out.to_str().unwrap()]);
    assert_eq!(o["tool"], "ptest-snap");
    assert_eq!(o["snapshot"], rec["id"]);
    assert_eq!(o["path"], out.to_str().unwrap());
    assert_eq!(ev["overlay"], o["id"]);
    assert!(o["owner"].is_object(), "owned by the session: {o}");
    assert_eq!(mounts_below(s.dir.path()), vec![out.clone()]);
    assert_eq!(describe(&out), want, "the exact tree");
    // Writable: write, change, remove, add.
    std::fs::write(out.join("plain.txt"), "changed").unwrap();
    std::fs::remove_file(out.join("bin/run")).unwrap();
    std::fs::write(out.join("deep/a/new"), "new").unwrap();
    std::fs::remove_dir_all(out.join("empty-dir")).unwrap();
    assert_eq!(std::fs::read(out.join("plain.txt")).unwrap(), b"changed");
    // Neither the lower layer, the store nor the source saw any of it.
    let lower = s.state.join("snap/lower").join(id(&rec));
    assert_eq!(o["lower"], lower.to_str().unwrap());
    assert_eq!(describe(&lower), want);
    assert_eq!(describe(&src), want);
    snap(&s, &["verify", &id(&rec)]).success();
    // Listed, then removed by id: unmounted, its layers and mount point gone.
    let listed = records(&s, &["ls", "--json"]);
    assert!(listed.iter().any(|r| r["id"] == o["id"]), "{listed:?}");
    let human = snap(&s, &["ls", "--format", "human"]).success().stdout;
    assert!(
        human.contains("OVERLAY") && human.contains("mounted"),
        "{human}"
    );
    let rm = records(&s, &["rm", o["id"].as_str().unwrap(), "--json"]);
    assert_eq!(rm[0]["event"], "overlay.removed");
    assert!(!out.exists(), "the mount point it made goes too");
    nothing_left(&s);
    assert_eq!(
        lowers(&s),
        vec![id(&rec)],
        "the lower stays with its snapshot"
    );
}

#[test]
fn reset_puts_the_tree_back_by_remounting_and_ptest_down_unmounts() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 200);
    std::thread::sleep(Duration::from_millis(60));
    let rec = create(&s, &src, &[]);
    let want = describe(&src);
    // Not mounted yet: reset mounts over the source, hiding the live tree.
    std::fs::write(src.join("live-only"), "under the mount").unwrap();
    let first = snap(
        &s,
        &[
            "reset",
            "--mode",
            "overlay",
            &id(&rec),
            "--json",
            "--ttl",
            "1h",
        ],
    )
    .success();
    let recs = first.records();
    assert_eq!(recs[0]["kind"], "overlay", "{}", first.stdout);
    assert!(
        recs[0]["expires_at"].is_string() && recs[0]["owner"].is_object(),
        "the mount it made has the session as owner and the --ttl given: {}",
        recs[0]
    );
    assert_eq!(recs[1]["event"], "snapshot.reset");
    assert_eq!(recs[1]["remounted"], false);
    assert_eq!(recs[1]["hidden"], true);
    assert_eq!(
        describe(&src),
        want,
        "the live tree is hidden under the mount"
    );
    for round in 0..3 {
        std::fs::write(src.join("d1/f1.txt"), format!("round {round}")).unwrap();
        std::fs::remove_file(src.join("d2/f2.txt")).unwrap();
        std::fs::create_dir(src.join("added")).unwrap();
        std::fs::write(src.join("added/x"), "x").unwrap();
        assert_ne!(describe(&src), want);
        let ev = records(&s, &["reset", "--mode", "overlay", &id(&rec), "--json"]);
        assert_eq!(ev.len(), 1, "{ev:?}");
        assert_eq!(ev[0]["event"], "snapshot.reset");
        assert_eq!(ev[0]["method"], "overlay");
        assert_eq!(ev[0]["remounted"], true);
        assert_eq!(ev[0]["overlay"], recs[0]["id"]);
        assert_eq!(describe(&src), want, "round {round}");
    }
    // The old upper layers went: one overlay directory with its two layers.
    let dir = s
        .state
        .join("snap/overlays")
        .join(recs[0]["id"].as_str().unwrap());
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["upper", "work"]);
    // ptest down of the stream unmounts it: the live tree is back.
    let down = s
        .cmd("ptest")
        .args(["down", "--json"])
        .stdin(first.stdout.clone())
        .run()
        .success();
    let ev = down.records();
    assert_eq!(ev[0]["event"], "overlay.removed", "{}", down.stdout);
    assert_eq!(
        std::fs::read(src.join("live-only")).unwrap(),
        b"under the mount"
    );
    nothing_left(&s);
}

#[test]
fn rm_of_a_busy_overlay_is_refused_with_75_and_keeps_it() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 20);
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    let (o, _) = restore_overlay(&s, &id(&rec), &["--to", out.to_str().unwrap()]);
    std::fs::write(out.join("mine"), "kept").unwrap();
    let mut sleeper = std::process::Command::new("sleep")
        .arg("30")
        .current_dir(&out)
        .spawn()
        .unwrap();
    // A process has its working directory in it: not unmounted (not
    // lazily either), the mount and its upper layer as they were.
    let r = snap(&s, &["rm", o["id"].as_str().unwrap()]).expect_code(75);
    assert!(r.stderr.contains("busy"), "{}", r.stderr);
    assert_eq!(std::fs::read(out.join("mine")).unwrap(), b"kept");
    assert_eq!(registered_overlays(&s).len(), 1);
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    snap(&s, &["rm", o["id"].as_str().unwrap()]).success();
    nothing_left(&s);
}

#[test]
fn a_busy_source_is_not_reset() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 20);
    let rec = create(&s, &src, &[]);
    let first = records(&s, &["reset", "--mode", "overlay", &id(&rec), "--json"]);
    std::fs::write(src.join("scratch"), "a test's").unwrap();
    let mut sleeper = std::process::Command::new("sleep")
        .arg("30")
        .current_dir(&src)
        .spawn()
        .unwrap();
    let r = snap(&s, &["reset", "--mode", "overlay", &id(&rec)]).expect_code(75);
    assert!(r.stderr.contains("busy"), "{}", r.stderr);
    assert_eq!(std::fs::read(src.join("scratch")).unwrap(), b"a test's");
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    snap(&s, &["reset", "--mode", "overlay", &id(&rec)]).success();
    assert!(!src.join("scratch").exists());
    snap(&s, &["rm", first[0]["id"].as_str().unwrap()]).success();
    // What was written went to the upper layer, never to the live tree.
    assert!(!src.join("scratch").exists());
    nothing_left(&s);
}

#[test]
fn gc_unmounts_the_overlays_of_dead_owners_and_of_mounts_gone_by_hand() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 10);
    let rec = create(&s, &src, &[]);
    let mut owner = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let a = s.work.join("a");
    let pid = owner.id().to_string();
    let (oa, _) = restore_overlay(
        &s,
        &id(&rec),
        &["--to", a.to_str().unwrap(), "--owner", &pid],
    );
    let b = s.work.join("b");
    let (ob, _) = restore_overlay(&s, &id(&rec), &["--to", b.to_str().unwrap()]);
    // Alive: gc leaves both.
    snap(&s, &["gc"]).success();
    assert_eq!(registered_overlays(&s).len(), 2);
    owner.kill().unwrap();
    owner.wait().unwrap();
    nix::mount::umount2(&b, nix::mount::MntFlags::empty()).unwrap();
    let ev = records(&s, &["gc", "--json"]);
    let reason = |o: &Value| {
        ev.iter()
            .find(|e| e["id"] == o["id"])
            .unwrap_or_else(|| panic!("{ev:?}"))["reason"]
            .clone()
    };
    assert_eq!(reason(&oa), "owner-dead");
    assert_eq!(reason(&ob), "not-mounted");
    assert!(!a.exists() && !b.exists());
    nothing_left(&s);
}

#[test]
fn ptest_gc_removes_an_expired_overlay_through_rm() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 10);
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    restore_overlay(
        &s,
        &id(&rec),
        &["--to", out.to_str().unwrap(), "--ttl", "1s"],
    );
    std::thread::sleep(Duration::from_millis(1200));
    let r = s.cmd("ptest").args(["gc", "--json"]).run().success();
    assert!(r.stdout.contains("overlay.removed"), "{}", r.stdout);
    assert!(r.stdout.contains("expired"), "{}", r.stdout);
    nothing_left(&s);
}

#[test]
fn the_lower_is_made_at_create_kept_while_mounted_and_removed_with_its_snapshot() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 30);
    let rec = create(&s, &src, &["--overlay"]);
    assert_eq!(lowers(&s), vec![id(&rec)], "made at create --overlay");
    assert_eq!(
        describe(&s.state.join("snap/lower").join(id(&rec))),
        describe(&src)
    );
    let out = s.work.join("out");
    let (o, _) = restore_overlay(&s, &id(&rec), &["--to", out.to_str().unwrap()]);
    // The snapshot goes; its lower stays under the mount.
    let rm = snap(&s, &["rm", &id(&rec)]).success();
    assert!(rm.stderr.contains("kept"), "{}", rm.stderr);
    assert_eq!(lowers(&s), vec![id(&rec)]);
    assert_eq!(describe(&out), describe(&src), "the mount still works");
    snap(&s, &["gc"]).success();
    assert_eq!(lowers(&s), vec![id(&rec)], "gc keeps a lower a mount uses");
    snap(&s, &["rm", o["id"].as_str().unwrap()]).success();
    let gc = records(&s, &["gc", "--json"]);
    assert_eq!(gc.last().unwrap()["lowers_removed"], 1, "{gc:?}");
    assert!(lowers(&s).is_empty());
    // Without an overlay, rm takes the lower with the snapshot.
    let rec = create(&s, &src, &["--overlay"]);
    snap(&s, &["rm", &id(&rec)]).success();
    assert!(lowers(&s).is_empty());
    nothing_left(&s);
}

#[test]
fn a_non_empty_target_is_refused_and_a_mounted_one_too() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 5);
    let rec = create(&s, &src, &[]);
    let full = s.work.join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep"), "keep").unwrap();
    let r = snap(
        &s,
        &[
            "restore",
            &id(&rec),
            "--mode",
            "overlay",
            "--to",
            full.to_str().unwrap(),
        ],
    )
    .expect_code(73);
    assert!(r.stderr.contains("full"), "{}", r.stderr);
    assert_eq!(std::fs::read(full.join("keep")).unwrap(), b"keep");
    nothing_left(&s);
    // An empty directory is used, and kept when the mount goes.
    let empty = s.work.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (o, _) = restore_overlay(&s, &id(&rec), &["--to", empty.to_str().unwrap()]);
    assert_eq!(o["made_dir"], false);
    snap(
        &s,
        &[
            "restore",
            &id(&rec),
            "--mode",
            "overlay",
            "--to",
            empty.to_str().unwrap(),
        ],
    )
    .expect_code(73);
    snap(&s, &["rm", o["id"].as_str().unwrap()]).success();
    assert!(empty.is_dir());
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
    nothing_left(&s);
}

#[test]
fn an_interrupted_or_killed_overlay_restore_leaves_only_what_gc_removes() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 3000);
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    for signal in [
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGKILL,
    ] {
        let mut child = s
            .cmd("ptest-snap")
            .args(["restore", &id(&rec), "--mode", "overlay", "--to"])
            .arg(&out)
            .inner
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Once the lower layer is being built, interrupt.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while lowers(&s).iter().all(|n| !n.contains(".building-")) {
            if std::time::Instant::now() > deadline || child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let status = child.wait().unwrap();
        if status.code() == Some(0) {
            // It finished first: take it down, and try again no more.
            let o = registered_overlays(&s);
            snap(&s, &["rm", o[0]["id"].as_str().unwrap()]).success();
            break;
        }
        if signal == nix::sys::signal::Signal::SIGINT {
            assert_eq!(status.code(), Some(130));
            assert!(lowers(&s).is_empty(), "{:?}", lowers(&s));
        }
        assert!(!out.exists());
        snap(&s, &["gc"]).success();
        assert!(lowers(&s).is_empty(), "{:?}", lowers(&s));
        nothing_left(&s);
    }
}

#[test]
fn where_mounting_is_not_permitted_restore_and_reset_copy_with_a_note() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 20);
    let rec = create(&s, &src, &[]);
    let want = describe(&src);
    // A user namespace of its own, without a mount namespace it owns:
    // root there, but the kernel refuses every mount (EPERM).
    let unprivileged = |args: &[&str]| {
        s.command("unshare")
            .args(["--user", "--map-root-user"])
            .arg(bin_path("ptest-snap"))
            .args(args)
            .run()
    };
    let doctor = unprivileged(&["doctor", "--json"]).records();
    let check = doctor.iter().find(|c| c["name"] == "snap.overlay").unwrap();
    assert_eq!(check["ok"], false, "{check}");
    let out = s.work.join("out");
    let r = unprivileged(&[
        "restore",
        &id(&rec),
        "--mode",
        "overlay",
        "--to",
        out.to_str().unwrap(),
        "--json",
    ])
    .success();
    assert!(
        r.stderr.contains("not available here") && r.stderr.contains("not permitted"),
        "{}",
        r.stderr
    );
    let ev = r.records();
    assert_eq!(ev.len(), 1, "no overlay record: {ev:?}");
    assert_eq!(ev[0]["event"], "snapshot.restored");
    assert_ne!(ev[0]["method"], "overlay");
    assert_eq!(describe(&out), want);
    std::fs::write(src.join("d1/f1.txt"), "dirty").unwrap();
    let r = unprivileged(&["reset", "--mode", "overlay", &id(&rec), "--json"]).success();
    assert!(r.stderr.contains("copying instead"), "{}", r.stderr);
    let ev = r.records();
    assert_eq!(ev[0]["event"], "snapshot.reset");
    assert_eq!(ev[0]["touched"], 1, "{ev:?}");
    assert_eq!(describe(&src), want);
    nothing_left(&s);
    // Root here: the same check passes.
    let doctor = records(&s, &["doctor", "--json"]);
    let check = doctor.iter().find(|c| c["name"] == "snap.overlay").unwrap();
    assert_eq!(check["ok"], true, "{check}");
}

#[test]
fn forged_or_unregistered_overlay_records_are_left_alone() {
    let s = scenario();
    let src = s.work.join("src");
    many_files(&src, 5);
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    let (o, _) = restore_overlay(&s, &id(&rec), &["--to", out.to_str().unwrap()]);
    // A stream's record counts for its id alone: a forged path is not used.
    let victim = s.work.join("victim");
    std::fs::create_dir(&victim).unwrap();
    let mut forged = o.clone();
    forged["path"] = Value::from(victim.to_str().unwrap());
    forged["id"] = Value::from("overlay-forged1");
    s.cmd("ptest-snap")
        .arg("rm")
        .stdin(format!("{forged}\n"))
        .run()
        .success();
    assert!(victim.is_dir());
    assert_eq!(registered_overlays(&s).len(), 1);
    snap(&s, &["rm", "overlay-nosuch1"]).expect_code(66);
    snap(&s, &["rm", "overlay-a/b"]).expect_code(64);
    // The registry's copy, given with another path on stdin, removes the real one.
    let mut moved = o.clone();
    moved["path"] = Value::from(victim.to_str().unwrap());
    s.cmd("ptest-snap")
        .args(["rm", "--json"])
        .stdin(format!("{moved}\n"))
        .run()
        .success();
    assert!(victim.is_dir() && !out.exists());
    nothing_left(&s);
}

#[test]
fn the_mount_shows_the_snapshot_root_s_owner_and_mode_and_reads_no_manifest_once_the_lower_exists()
{
    use std::os::unix::fs::MetadataExt;
    let s = scenario();
    let src = s.work.join("src");
    std::fs::create_dir_all(src.join("d")).unwrap();
    std::fs::write(src.join("d/f"), "x").unwrap();
    std::os::unix::fs::chown(&src, Some(1234), Some(4321)).unwrap();
    std::fs::set_permissions(&src, std::os::unix::fs::PermissionsExt::from_mode(0o2750)).unwrap();
    let want = describe(&src);
    let rec = create(&s, &src, &["--overlay"]);
    let out = s.work.join("out");
    // The lower layer exists: a mount reads nothing else of the snapshot
    // (here its manifest is moved away meanwhile, and put back after).
    let manifest = s
        .state
        .join("snap/manifests")
        .join(format!("{}.json", id(&rec)));
    let aside = s.work.join("manifest.json");
    std::fs::rename(&manifest, &aside).unwrap();
    let (o, _) = restore_overlay(&s, &id(&rec), &["--to", out.to_str().unwrap()]);
    std::fs::rename(&aside, &manifest).unwrap();
    let root = std::fs::metadata(&out).unwrap();
    assert_eq!((root.uid(), root.gid()), (1234, 4321));
    assert_eq!(root.mode() & 0o7777, 0o2750);
    assert_eq!(describe(&out), want);
    snap(&s, &["rm", o["id"].as_str().unwrap()]).success();
    nothing_left(&s);
}
