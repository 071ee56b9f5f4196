//! ptest-snap against real trees in each test's own directory.

mod support;

use ptest_shared::testkit::Scenario;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::*;

#[test]
fn every_kind_of_entry_round_trips_through_create_and_restore() {
    let s = Scenario::new();
    let src = s.work.join("src");
    every_kind_of_tree(&src);
    let rec = create(&s, &src, &["--name", "fixture"]);
    assert_eq!(rec["kind"], "snapshot");
    assert_eq!(rec["tool"], "ptest-snap");
    assert_eq!(rec["name"], "fixture");
    assert_eq!(rec["files"], 9, "{rec}");
    assert_eq!(rec["symlinks"], 3, "{rec}");
    assert!(rec["bytes_new"].as_u64().unwrap() > 0);
    let out = s.work.join("out");
    let ev = snap(
        &s,
        &[
            "restore",
            &id(&rec),
            "--to",
            out.to_str().unwrap(),
            "--json",
        ],
    )
    .success()
    .records()
    .pop()
    .unwrap();
    assert_eq!(ev["event"], "snapshot.restored");
    assert!(
        [
            "reflink",
            "copy_file_range",
            "read/write",
            "copy_file_range+read/write"
        ]
        .contains(&ev["method"].as_str().unwrap()),
        "{ev}"
    );
    assert_eq!(describe(&src), describe(&out));
    // Restored files are independent of the store: never hard links into it.
    let m = std::fs::metadata(out.join("plain.txt")).unwrap();
    assert_eq!(
        std::os::unix::fs::MetadataExt::nlink(&m),
        2,
        "plain.txt and deep/hard-link only"
    );
}

#[test]
fn restore_over_an_existing_directory_swaps_it_whole() {
    let s = Scenario::new();
    let src = s.work.join("src");
    many_files(&src, 50);
    std::thread::sleep(Duration::from_millis(60));
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    std::fs::remove_dir_all(src.join("d3")).unwrap();
    std::fs::write(src.join("d1/new"), "new").unwrap();
    std::fs::write(src.join("d2/f2.txt"), "changed").unwrap();
    let ev = snap(&s, &["restore", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["replaced"], true);
    assert_eq!(describe(&src), want);
    assert!(
        beside(&src).is_empty(),
        "nothing left beside it: {:?}",
        beside(&src)
    );
}

#[test]
fn a_restore_killed_at_any_moment_leaves_the_old_tree_or_the_new_one_and_gc_cleans_up() {
    let s = Scenario::new();
    let target = s.work.join("tree");
    many_files(&target, 1500);
    std::thread::sleep(Duration::from_millis(60));
    let new = describe(&target);
    let rec = create(&s, &target, &[]);
    // The old tree: a different one in the same place.
    let make_old = || {
        std::fs::remove_dir_all(&target).unwrap();
        many_files(&target, 700);
        std::fs::write(target.join("old-marker"), "old").unwrap();
        describe(&target)
    };
    let mut old = make_old();
    // How long a whole restore takes here, to kill at points throughout it.
    let t = std::time::Instant::now();
    snap(
        &s,
        &[
            "restore",
            &id(&rec),
            "--to",
            s.work.join("timing").to_str().unwrap(),
        ],
    )
    .success();
    let whole = t.elapsed().as_millis() as u64;
    std::fs::remove_dir_all(s.work.join("timing")).unwrap();
    let (mut saw_old, mut saw_new) = (0, 0);
    for tenth in (0..=24u64).step_by(2) {
        let delay = whole * tenth / 10;
        let mut child = s
            .cmd("ptest-snap")
            .args(["restore", &id(&rec), "--json"])
            .inner;
        let mut child = child
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        child.wait().unwrap();
        let now = describe(&target);
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!("after a kill at {delay} ms the tree is neither the old one nor the new one");
        }
        snap(&s, &["gc", "--json"]).success();
        assert!(beside(&target).is_empty(), "gc left {:?}", beside(&target));
        assert_eq!(describe(&target), now, "gc touched the tree");
        if now == new {
            old = make_old();
        }
    }
    eprintln!(
        "a restore takes {whole} ms; killed before the swap {saw_old} times, after it {saw_new} times"
    );
    assert_eq!(saw_old + saw_new, 13);
    // Kills land on both sides of the swap on an idle machine; under load
    // the later ones may still come before it, which proves less but is
    // no failure.
    assert!(saw_old > 0);
}

#[test]
fn reset_after_ten_changes_in_a_thousand_files_touches_about_ten() {
    let s = Scenario::new();
    let src = s.work.join("tree");
    let files = many_files(&src, 1000);
    std::thread::sleep(Duration::from_millis(60));
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    for f in &files[..4] {
        std::fs::write(f, "changed by a test").unwrap();
    }
    for f in &files[100..103] {
        std::fs::remove_file(f).unwrap();
    }
    std::fs::write(src.join("d0/added-1"), "x").unwrap();
    std::fs::write(src.join("d5/added-2"), "y").unwrap();
    std::fs::set_permissions(&files[500], std::fs::Permissions::from_mode(0o600)).unwrap();
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["event"], "snapshot.reset");
    assert_eq!(ev["touched"], 10, "{ev}");
    assert_eq!(ev["rewritten"], 4, "{ev}");
    assert_eq!(ev["restored"], 3, "{ev}");
    assert_eq!(ev["removed"], 2, "{ev}");
    assert_eq!(ev["metadata"], 1, "{ev}");
    assert_eq!(ev["bytes_hashed"], 0, "sizes told every change: {ev}");
    assert_eq!(describe(&src), want);
    // Nothing left to do; and once what the reset wrote has settled, the
    // index vouches for every path: nothing is compared beyond its lstat.
    std::thread::sleep(Duration::from_millis(60));
    let reset = || {
        snap(&s, &["reset", &id(&rec), "--json"])
            .success()
            .records()
            .pop()
            .unwrap()
    };
    let ev = reset();
    assert_eq!(ev["touched"], 0, "{ev}");
    assert!(ev["compared"].as_u64().unwrap() < 30, "{ev}");
    let ev = reset();
    assert_eq!(ev["touched"], 0, "{ev}");
    assert_eq!(ev["compared"], 0, "{ev}");
}

#[test]
fn same_size_changes_are_found_by_their_contents() {
    let s = Scenario::new();
    let src = s.work.join("tree");
    let files = many_files(&src, 20);
    std::thread::sleep(Duration::from_millis(60));
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    let len = std::fs::metadata(&files[3]).unwrap().len() as usize;
    std::fs::write(&files[3], "z".repeat(len)).unwrap();
    let diff = snap(&s, &["diff", &id(&rec), src.to_str().unwrap(), "--json"])
        .success()
        .records();
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0]["change"], "changed");
    assert_eq!(diff[0]["path"], "d3/f3.txt");
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["rewritten"], 1, "{ev}");
    assert_eq!(describe(&src), want);
}

#[test]
fn a_second_snapshot_of_an_unchanged_tree_reads_no_contents_and_adds_no_objects() {
    let s = Scenario::new();
    let src = s.work.join("tree");
    many_files(&src, 300);
    std::thread::sleep(Duration::from_millis(60));
    let first = create(&s, &src, &[]);
    assert!(first["bytes_hashed"].as_u64().unwrap() > 0);
    let before = objects(&s);
    let second = create(&s, &src, &[]);
    assert_eq!(second["bytes_hashed"], 0, "{second}");
    assert_eq!(second["bytes_new"], 0, "{second}");
    assert_eq!(second["objects_new"], 0, "{second}");
    assert_eq!(objects(&s), before);
    assert_eq!(second["files"], first["files"]);
}

#[test]
fn concurrent_snapshots_of_overlapping_trees_share_objects_and_both_verify() {
    let s = Scenario::new();
    let a = s.work.join("a");
    let b = s.work.join("b");
    many_files(&a, 200);
    many_files(&b, 200);
    std::fs::write(b.join("only-b"), "b").unwrap();
    let spawn = |p: &std::path::Path| {
        s.cmd("ptest-snap")
            .args(["create", p.to_str().unwrap(), "--json"])
            .inner
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (x, y) = (spawn(&a), spawn(&b));
    let (x, y) = (x.wait_with_output().unwrap(), y.wait_with_output().unwrap());
    assert!(x.status.success() && y.status.success());
    // The same contents are stored once: 200 distinct files' worth, and one more.
    let distinct: std::collections::HashSet<_> = (0..200)
        .map(|i| format!("file {i}\n").repeat(1 + i % 7))
        .collect();
    assert_eq!(objects(&s), distinct.len() + 1);
    for out in [x, y] {
        let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        snap(&s, &["verify", &id(&rec), "--json"]).success();
    }
}

#[test]
fn verify_names_a_corrupt_object_with_65() {
    let s = Scenario::new();
    let src = s.work.join("tree");
    many_files(&src, 5);
    let rec = create(&s, &src, &[]);
    let hash = blake3::hash(b"file 2\nfile 2\nfile 2\n")
        .to_hex()
        .to_string();
    let obj = s
        .state
        .join("snap/objects")
        .join(&hash[..2])
        .join(&hash[2..]);
    std::fs::set_permissions(&obj, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&obj, "file 2\nfile 2\nfile X\n").unwrap();
    let r = snap(&s, &["verify", &id(&rec)]).expect_code(65);
    assert!(r.stderr.contains(&hash), "{}", r.stderr);
    r.error_record("ptest-snap");
}

#[test]
fn gc_keeps_referenced_objects_and_removes_the_rest() {
    let s = Scenario::new();
    let a = s.work.join("a");
    let b = s.work.join("b");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("shared"), "shared").unwrap();
    std::fs::write(a.join("only-a"), "only a").unwrap();
    std::fs::write(b.join("shared"), "shared").unwrap();
    let ra = create(&s, &a, &[]);
    let rb = create(&s, &b, &[]);
    assert_eq!(objects(&s), 2);
    // A stray temp object, as a killed writer leaves.
    std::fs::write(s.state.join("snap/tmp/obj-stray"), "x").unwrap();
    snap(&s, &["rm", &id(&ra)]).success();
    let g = snap(&s, &["gc", "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(g["objects_removed"], 1, "{g}");
    assert_eq!(objects(&s), 1);
    assert_eq!(
        std::fs::read_dir(s.state.join("snap/tmp")).unwrap().count(),
        0
    );
    snap(&s, &["verify", &id(&rb)]).success();
    let out = s.work.join("out");
    snap(&s, &["restore", &id(&rb), "--to", out.to_str().unwrap()]).success();
    assert_eq!(std::fs::read(out.join("shared")).unwrap(), b"shared");
}

#[test]
fn gc_removes_snapshots_whose_ttl_passed() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3);
    let rec = create(&s, &a, &["--ttl", "1s"]);
    std::thread::sleep(Duration::from_millis(1100));
    let recs = snap(&s, &["gc", "--json"]).success().records();
    assert_eq!(recs[0]["event"], "snapshot.removed");
    assert_eq!(recs[0]["reason"], "expired");
    assert_eq!(recs[0]["id"], rec["id"]);
    assert_eq!(objects(&s), 0);
}

#[test]
fn rm_of_an_unregistered_or_forged_id_is_refused_and_touches_nothing() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3);
    let rec = create(&s, &a, &[]);
    let r = snap(&s, &["rm", &id(&rec), "snapshot-nosuch1"]).expect_code(66);
    r.error_record("ptest-snap");
    snap(&s, &["rm", "../../etc"]).expect_code(64);
    snap(&s, &["verify", &id(&rec)]).success();
    // A forged record on stdin (another tool's id, and an unknown one) removes nothing.
    let forged = concat!(
        r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-zzzz9999","source":"/"}"#,
        "\n",
        r#"{"v":1,"kind":"port","tool":"ptest-snap","id":"port-abc","port":1}"#,
        "\n"
    );
    let r = s.cmd("ptest-snap").arg("rm").stdin(forged).run().success();
    assert!(
        r.stderr.contains("not a live ptest resource"),
        "{}",
        r.stderr
    );
    snap(&s, &["verify", &id(&rec)]).success();
    // Its own record, through the dispatcher's teardown, removes it.
    let line = format!("{}\n", serde_json::to_string(&rec).unwrap());
    let r = s
        .cmd("ptest-snap")
        .args(["rm", "--json"])
        .stdin(line)
        .run()
        .success();
    assert_eq!(r.records()[0]["event"], "snapshot.removed");
    snap(&s, &["inspect", &id(&rec)]).expect_code(66);
}

#[test]
fn an_upstream_error_stops_create_and_is_passed_on() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3);
    let input = "{\"v\":1,\"kind\":\"thing\"}\n{\"v\":1,\"kind\":\"error\",\"code\":\"no_input\",\"exit\":66,\"message\":\"boom\",\"tool\":\"ptest-docker\"}\n";
    let r = s
        .cmd("ptest-snap")
        .args(["create", a.to_str().unwrap()])
        .stdin(input)
        .run()
        .expect_code(66);
    let recs = r.records();
    assert_eq!(recs.len(), 2, "{}", r.stdout);
    assert_eq!(recs[1]["message"], "boom");
    assert_eq!(objects(&s), 0);
    assert!(snap(&s, &["ls", "--json"]).success().records().is_empty());
}

#[test]
fn create_passes_the_stream_through_first_and_missing_sources_are_66() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 2);
    let r = s
        .cmd("ptest-snap")
        .args(["create", a.to_str().unwrap()])
        .stdin("{\"v\":1,\"kind\":\"thing\",\"x\":1}\n")
        .run()
        .success();
    let recs = r.records();
    assert_eq!(recs[0]["kind"], "thing");
    assert_eq!(recs[1]["kind"], "snapshot");
    snap(&s, &["create", s.work.join("nope").to_str().unwrap()]).expect_code(66);
    snap(&s, &["restore", "snapshot-nope1234"]).expect_code(66);
}

#[test]
fn excluded_paths_are_neither_kept_nor_reset() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 10);
    std::fs::create_dir_all(a.join("cache")).unwrap();
    std::fs::write(a.join("cache/big"), "cached").unwrap();
    std::fs::write(a.join("x.pyc"), "bytecode").unwrap();
    let rec = create(&s, &a, &["--exclude", "cache", "--exclude", "*.pyc"]);
    assert_eq!(rec["files"], 10);
    std::fs::write(a.join("cache/more"), "more").unwrap();
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["touched"], 0, "{ev}");
    assert!(a.join("cache/more").exists() && a.join("x.pyc").exists());
}

#[test]
fn ptest_down_removes_a_snapshot_through_its_rm_and_ptest_gc_collects_objects() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 5);
    let r = s
        .cmd("ptest-snap")
        .args(["create", a.to_str().unwrap()])
        .run()
        .success();
    let stream = r.stdout.clone();
    let rec = r.records().pop().unwrap();
    let down = s
        .cmd("ptest")
        .arg("down")
        .arg("--json")
        .stdin(stream)
        .run()
        .success();
    let ev = down.records().pop().unwrap();
    assert_eq!(ev["event"], "snapshot.removed", "{}", down.stdout);
    assert_eq!(ev["id"], rec["id"]);
    snap(&s, &["inspect", &id(&rec)]).expect_code(66);
    assert_eq!(objects(&s), 5);
    s.cmd("ptest").arg("gc").run().success();
    assert_eq!(objects(&s), 0, "ptest gc runs ptest-snap gc");
}

#[test]
fn a_pre_hook_vetoes_create_and_restore() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3);
    let rec = create(&s, &a, &[]);
    s.write(
        "config/ptest/config.toml",
        "[hooks]\n\"pre-snapshot.created\" = \"exit 3\"\n\"pre-snapshot.restored\" = \"exit 4\"\n",
    );
    snap(&s, &["create", a.to_str().unwrap()]).expect_code(1);
    let listed = snap(&s, &["ls", "--json"]).success().records();
    assert_eq!(listed.len(), 1, "the vetoed snapshot is not registered");
    let out = s.work.join("out");
    snap(&s, &["restore", &id(&rec), "--to", out.to_str().unwrap()]).expect_code(1);
    assert!(!out.exists());
    assert!(
        beside(&out).iter().all(|n| !n.contains("ptest")),
        "{:?}",
        beside(&out)
    );
}

#[test]
fn restore_refuses_a_target_that_is_a_file_or_a_symlink() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3);
    let rec = create(&s, &a, &[]);
    let file = s.work.join("file");
    std::fs::write(&file, "keep").unwrap();
    let link = s.work.join("link");
    std::os::unix::fs::symlink(&a, &link).unwrap();
    for t in [&file, &link] {
        snap(&s, &["restore", &id(&rec), "--to", t.to_str().unwrap()]).expect_code(73);
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn an_interrupted_restore_removes_what_it_made() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 3000);
    let rec = create(&s, &a, &[]);
    // A restore that finishes before the signal lands proves nothing: try
    // again with a fresh target until one is interrupted.
    for attempt in 0..5 {
        let out = s.work.join(format!("out{attempt}"));
        let mut child = s
            .cmd("ptest-snap")
            .args(["restore", &id(&rec), "--to", out.to_str().unwrap()])
            .inner
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Once the staging directory exists, interrupt as Ctrl-C would.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while beside(&out).iter().all(|n| !n.contains("ptest-staging")) {
            assert!(
                std::time::Instant::now() < deadline,
                "no staging directory appeared"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        )
        .unwrap();
        let status = child.wait().unwrap();
        if status.code() == Some(0) {
            continue;
        }
        assert_eq!(status.code(), Some(130));
        assert!(!out.exists());
        assert!(
            beside(&out).iter().all(|n| !n.contains("ptest")),
            "{:?}",
            beside(&out)
        );
        return;
    }
    panic!("five restores all finished before SIGINT reached them");
}

#[test]
fn reset_undoes_every_kind_of_change_to_every_kind_of_entry() {
    let s = Scenario::new();
    let src = s.work.join("src");
    every_kind_of_tree(&src);
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    // In place, through one name of a hard-link group: both names change.
    std::fs::write(src.join("deep/hard-link"), "HELLO\n").unwrap();
    // A symlink pointed elsewhere, one removed, one replaced by a file.
    std::fs::remove_file(src.join("link-inside")).unwrap();
    std::os::unix::fs::symlink("empty", src.join("link-inside")).unwrap();
    std::fs::remove_file(src.join("link-dangling")).unwrap();
    std::fs::remove_file(src.join("link-outside")).unwrap();
    std::fs::write(src.join("link-outside"), "now a file").unwrap();
    // A directory replaced by a file, a file by a directory.
    std::fs::remove_dir(src.join("empty-dir")).unwrap();
    std::fs::write(src.join("empty-dir"), "not a dir").unwrap();
    std::fs::remove_file(src.join("empty")).unwrap();
    std::fs::create_dir_all(src.join("empty/sub")).unwrap();
    // A whole subtree gone, metadata changed, an xattr dropped, one added.
    std::fs::set_permissions(
        src.join("deep/a/b/c"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    std::fs::remove_dir_all(src.join("deep/a")).unwrap();
    std::fs::set_permissions(src.join("bin/run"), std::fs::Permissions::from_mode(0o600)).unwrap();
    xattr::remove(src.join("xattr-file"), "user.ptest.test").unwrap();
    xattr::set(src.join("plain.txt"), "user.extra", b"x").unwrap();
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(describe(&src), want, "{ev}");
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["touched"], 0, "{ev}");
}

#[test]
fn reset_keeps_hard_link_groups_whole() {
    let s = Scenario::new();
    let src = s.work.join("src");
    std::fs::create_dir_all(&src).unwrap();
    for g in ["a", "b", "c", "d"] {
        std::fs::write(src.join(format!("{g}1")), format!("group {g}")).unwrap();
        std::fs::hard_link(src.join(format!("{g}1")), src.join(format!("{g}2"))).unwrap();
    }
    std::thread::sleep(Duration::from_millis(60));
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    // One name removed; one replaced by a copy of itself (another inode);
    // the mode of one inode changed through one name.
    std::fs::remove_file(src.join("a2")).unwrap();
    std::fs::remove_file(src.join("b1")).unwrap();
    std::fs::write(src.join("b1"), "group b").unwrap();
    std::fs::set_permissions(src.join("c2"), std::fs::Permissions::from_mode(0o600)).unwrap();
    snap(&s, &["reset", &id(&rec), "--json"]).success();
    assert_eq!(describe(&src), want);
}

#[test]
fn diff_between_two_snapshots_names_each_path() {
    let s = Scenario::new();
    let src = s.work.join("src");
    many_files(&src, 10);
    let a = create(&s, &src, &[]);
    std::fs::write(src.join("d1/f1.txt"), "other").unwrap();
    std::fs::remove_file(src.join("d2/f2.txt")).unwrap();
    std::fs::write(src.join("new"), "new").unwrap();
    let b = create(&s, &src, &[]);
    let recs = snap(&s, &["diff", &id(&a), &id(&b), "--json"])
        .success()
        .records();
    let got: std::collections::BTreeSet<(String, String)> = recs
        .iter()
        .map(|r| {
            (
                r["change"].as_str().unwrap().to_owned(),
                r["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: std::collections::BTreeSet<(String, String)> = [
        ("changed", "d1/f1.txt"),
        ("removed", "d2/f2.txt"),
        ("added", "new"),
        // A file removed from it: its mtime changed.
        ("metadata", "d2"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
    let same = snap(&s, &["diff", &id(&b), src.to_str().unwrap(), "--json"])
        .success()
        .records();
    assert!(same.is_empty(), "{same:?}");
}

#[test]
fn the_state_directory_is_never_part_of_a_snapshot() {
    let s = Scenario::new();
    // The scenario's root holds the state directory.
    std::fs::create_dir_all(&s.state).unwrap();
    let rec = create(&s, s.dir.path(), &[]);
    let entries = snap(&s, &["inspect", &id(&rec), "--entries", "--json"])
        .success()
        .records();
    assert!(
        entries
            .iter()
            .all(|e| !e["path"].as_str().unwrap_or("").starts_with("state")),
        "{entries:?}"
    );
    snap(&s, &["create", s.state.join("snap").to_str().unwrap()]).expect_code(64);
}

#[test]
fn gc_running_beside_create_never_takes_its_objects() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 2000);
    // Distinct contents, all new to the store.
    for i in 0..2000 {
        std::fs::write(a.join(format!("d{}/u{i}", i % 10)), format!("unique {i}")).unwrap();
    }
    let create = s
        .cmd("ptest-snap")
        .args(["create", a.to_str().unwrap(), "--json"])
        .inner
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..20 {
        snap(&s, &["gc"]).success();
    }
    let out = create.wait_with_output().unwrap();
    assert!(out.status.success());
    let rec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    snap(&s, &["gc"]).success();
    snap(&s, &["verify", &id(&rec)]).success();
}

#[test]
fn a_restore_that_meets_a_lost_object_changes_nothing() {
    let s = Scenario::new();
    let a = s.work.join("a");
    many_files(&a, 20);
    let rec = create(&s, &a, &[]);
    // d7/f7.txt holds "file 7\n" once.
    let hash = blake3::hash(b"file 7\n").to_hex().to_string();
    let obj = s
        .state
        .join("snap/objects")
        .join(&hash[..2])
        .join(&hash[2..]);
    std::fs::remove_file(&obj).unwrap();
    std::fs::write(a.join("d0/f0.txt"), "the old tree").unwrap();
    let before = describe(&a);
    let r = snap(&s, &["restore", &id(&rec)]).expect_code(65);
    assert!(r.stderr.contains(&hash), "{}", r.stderr);
    assert_eq!(describe(&a), before);
    assert!(beside(&a).is_empty(), "{:?}", beside(&a));
    snap(&s, &["verify", &id(&rec)]).expect_code(65);
}

#[test]
fn reset_never_writes_through_a_symlink_a_test_put_in_the_tree() {
    let s = Scenario::new();
    let src = s.work.join("src");
    std::fs::create_dir_all(src.join("data/sub")).unwrap();
    std::fs::write(src.join("data/config"), "snapshot's config\n").unwrap();
    std::fs::write(src.join("data/sub/x"), "snapshot's x\n").unwrap();
    std::fs::write(src.join("top"), "top\n").unwrap();
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    // Outside the tree, a directory holding the same names, with other
    // contents and modes; the test swaps the tree's `data` for a link to it
    // and `top` for a link to a file of it.
    let victim = s.work.join("victim");
    std::fs::create_dir_all(victim.join("sub")).unwrap();
    std::fs::write(victim.join("config"), "victim's config\n").unwrap();
    std::fs::write(victim.join("sub/x"), "victim's x\n").unwrap();
    std::fs::write(victim.join("file"), "victim's file\n").unwrap();
    std::fs::set_permissions(
        victim.join("config"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let victim_before = describe(&victim);
    std::fs::remove_dir_all(src.join("data")).unwrap();
    std::os::unix::fs::symlink(&victim, src.join("data")).unwrap();
    std::fs::remove_file(src.join("top")).unwrap();
    std::os::unix::fs::symlink(victim.join("file"), src.join("top")).unwrap();
    snap(&s, &["reset", &id(&rec)]).success();
    assert_eq!(describe(&src), want);
    assert_eq!(
        describe(&victim),
        victim_before,
        "reset wrote outside the tree"
    );
    // A diff against the dirty tree and a restore over it do not follow it either.
    std::fs::remove_dir_all(src.join("data")).unwrap();
    std::os::unix::fs::symlink(&victim, src.join("data")).unwrap();
    let d = snap(&s, &["diff", &id(&rec), src.to_str().unwrap()]).success();
    assert!(d.stdout.contains("data"), "{}", d.stdout);
    snap(&s, &["restore", &id(&rec)]).success();
    assert_eq!(describe(&src), want);
    assert_eq!(
        describe(&victim),
        victim_before,
        "restore wrote outside the tree"
    );
}

/// Every path below `root` (and the root, as ""): its owner (uid, gid).
fn owners(root: &std::path::Path) -> std::collections::BTreeMap<String, (u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((p, rel)) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        out.insert(rel.clone(), (m.uid(), m.gid()));
        if m.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                let r = if rel.is_empty() {
                    name.clone()
                } else {
                    format!("{rel}/{name}")
                };
                stack.push((p.join(&name), r));
            }
        }
    }
    out
}

/// A tree owned by others: the root by 999 (a database's user), a
/// directory, a file, a setuid file and a symlink by 1234:4321, a file by
/// 65534 (nobody), the rest by root. The suite runs as root (README.md).
fn owned_tree(root: &std::path::Path) {
    use std::os::unix::fs::{chown, lchown};
    assert!(
        nix::unistd::geteuid().is_root(),
        "giving files away needs root, as the suite does"
    );
    std::fs::create_dir_all(root.join("data/base")).unwrap();
    std::fs::write(root.join("data/PG_VERSION"), "16\n").unwrap();
    std::fs::write(root.join("data/base/1"), "rows").unwrap();
    std::fs::write(root.join("nobody.txt"), "nobody's").unwrap();
    std::fs::write(root.join("root.txt"), "root's").unwrap();
    std::fs::write(root.join("suid"), "#!/bin/sh\n").unwrap();
    std::os::unix::fs::symlink("data/PG_VERSION", root.join("link")).unwrap();
    chown(root, Some(999), Some(999)).unwrap();
    for p in ["data", "data/PG_VERSION", "suid"] {
        chown(root.join(p), Some(1234), Some(4321)).unwrap();
    }
    lchown(root.join("link"), Some(1234), Some(4321)).unwrap();
    chown(root.join("nobody.txt"), Some(65534), Some(65534)).unwrap();
    chown(root.join("root.txt"), Some(0), Some(0)).unwrap();
    // After the chown, which clears it.
    std::fs::set_permissions(root.join("suid"), std::fs::Permissions::from_mode(0o4755)).unwrap();
}

#[test]
fn owners_round_trip_through_restore_and_through_export_and_import() {
    let s = Scenario::new();
    let src = s.work.join("src");
    owned_tree(&src);
    let (want, want_owners) = (describe(&src), owners(&src));
    assert_eq!(want_owners["data/base/1"], (0, 0));
    let rec = create(&s, &src, &[]);
    let out = s.work.join("out");
    snap(&s, &["restore", &id(&rec), "--to", out.to_str().unwrap()]).success();
    assert_eq!(owners(&out), want_owners);
    assert_eq!(
        describe(&out),
        want,
        "modes (the setuid bit too) after the owners"
    );
    // In place, over a tree now owned by root.
    std::fs::remove_dir_all(&src).unwrap();
    std::fs::create_dir(&src).unwrap();
    snap(&s, &["restore", &id(&rec)]).success();
    assert_eq!(owners(&src), want_owners);
    // The manifest is compact: owners on the root, and on the entries whose
    // owner differs from it only.
    let m = std::fs::read_to_string(
        s.state
            .join("snap/manifests")
            .join(format!("{}.json", id(&rec))),
    )
    .unwrap();
    let m: serde_json::Value = serde_json::from_str(&m).unwrap();
    assert_eq!(m["root"]["uid"], 999, "{m}");
    let with_uid = m["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("uid").is_some())
        .count();
    assert_eq!(with_uid, 8, "every entry differs from the root here: {m}");
    // Through an archive into another state directory.
    let archive = s
        .cmd("ptest-snap")
        .args(["export", &id(&rec)])
        .inner
        .output()
        .unwrap();
    assert!(archive.status.success());
    let other = Scenario::new();
    let got = other
        .cmd("ptest-snap")
        .args(["import", "--json"])
        .stdin(archive.stdout)
        .run()
        .success()
        .records()
        .pop()
        .unwrap();
    let out = other.work.join("imported");
    snap(
        &other,
        &["restore", &id(&got), "--to", out.to_str().unwrap()],
    )
    .success();
    assert_eq!(owners(&out), want_owners);
    assert_eq!(describe(&out), want);
}

#[test]
fn reset_puts_owners_back_as_metadata_and_keeps_the_setuid_bit() {
    use std::os::unix::fs::{chown, lchown};
    let s = Scenario::new();
    let src = s.work.join("src");
    owned_tree(&src);
    let (want, want_owners) = (describe(&src), owners(&src));
    let rec = create(&s, &src, &[]);
    chown(src.join("nobody.txt"), Some(0), Some(0)).unwrap();
    chown(src.join("root.txt"), Some(1234), None).unwrap();
    // Clears the setuid bit too.
    chown(src.join("suid"), Some(0), Some(0)).unwrap();
    lchown(src.join("link"), Some(0), Some(0)).unwrap();
    chown(src.join("data/base"), None, Some(65534)).unwrap();
    chown(&src, Some(0), Some(0)).unwrap();
    let diff = snap(&s, &["diff", &id(&rec), src.to_str().unwrap(), "--json"]).success();
    let changes: Vec<(String, String)> = diff
        .records()
        .iter()
        .map(|r| {
            (
                r["change"].as_str().unwrap_or_default().to_owned(),
                r["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for p in ["nobody.txt", "root.txt", "suid", "link", "data/base"] {
        assert!(
            changes.contains(&("metadata".into(), p.into())),
            "{p}: {changes:?}"
        );
    }
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["metadata"], 4, "{ev}");
    assert_eq!(ev["touched"], 4, "{ev}");
    assert_eq!(owners(&src), want_owners);
    assert_eq!(describe(&src), want);
    let ev = snap(&s, &["reset", &id(&rec), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["touched"], 0, "{ev}");
    assert_eq!(ev["dirs"], 0, "{ev}");
}

#[test]
fn restore_to_a_directory_holding_something_else_is_refused_and_the_source_is_put_back() {
    let s = Scenario::new();
    let src = s.work.join("src");
    many_files(&src, 20);
    let want = describe(&src);
    let rec = create(&s, &src, &[]);
    // Someone's directory: refused, untouched, nothing beside it.
    let theirs = s.work.join("theirs");
    std::fs::create_dir_all(theirs.join("keep")).unwrap();
    std::fs::write(theirs.join("keep/notes.txt"), "mine").unwrap();
    let before = describe(&theirs);
    let r = snap(
        &s,
        &["restore", &id(&rec), "--to", theirs.to_str().unwrap()],
    )
    .expect_code(73);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(describe(&theirs), before);
    assert!(
        beside(&theirs).iter().all(|n| !n.contains("ptest")),
        "{:?}",
        beside(&theirs)
    );
    // An empty one is taken; the source named by --to is put back whole.
    let empty = s.work.join("empty");
    std::fs::create_dir(&empty).unwrap();
    snap(&s, &["restore", &id(&rec), "--to", empty.to_str().unwrap()]).success();
    assert_eq!(describe(&empty), want);
    std::fs::write(src.join("d1/extra"), "x").unwrap();
    snap(&s, &["restore", &id(&rec), "--to", src.to_str().unwrap()]).success();
    assert_eq!(describe(&src), want);
    // Nothing is restored into ptest's own state directory.
    let inside = s.state.join("mine/deeper");
    let r = snap(
        &s,
        &["restore", &id(&rec), "--to", inside.to_str().unwrap()],
    )
    .expect_code(64);
    assert!(r.stderr.contains("state directory"), "{}", r.stderr);
    assert!(!s.state.join("mine").exists());
}

#[test]
fn ids_of_another_kind_or_with_nothing_after_the_kind_are_usage_errors() {
    let s = Scenario::new();
    let r = snap(&s, &["rm", "container-abc"]).expect_code(64);
    assert!(r.stderr.contains("neither a snapshot id"), "{}", r.stderr);
    for cmd in ["inspect", "restore", "reset", "verify"] {
        let r = snap(&s, &[cmd, "snapshot-"]).expect_code(64);
        assert!(
            r.stderr.contains("not a snapshot id"),
            "{cmd}: {}",
            r.stderr
        );
    }
}
