//! Venv snapshots with real venvs: made by ptest-venv with real python3 and
//! pip, from wheels the tests build themselves (ptest-venv's tests/wheel.py)
//! and install with --no-index --find-links, so that nothing reaches an
//! index.

mod support;

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{describe, id, snap};

/// Builds a wheel into `dir`: `name version [--script N=M:F]...`.
fn wheel(dir: &Path, name: &str, version: &str, extra: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ptest-venv/tests/wheel.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir)
        .args([name, version])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// alpha (script `alpha`), delta (script `delta`) and gamma, 1.0 each.
fn wheelhouse(s: &Scenario) -> PathBuf {
    let wh = s.dir.path().join("wheels");
    wheel(&wh, "alpha", "1.0", &["--script", "alpha=alpha:main"]);
    wheel(&wh, "delta", "1.0", &["--script", "delta=delta:main"]);
    wheel(&wh, "gamma", "1.0", &[]);
    wh
}

fn venv(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-venv").args(args).run()
}

/// `ptest venv ARGS --backend pip --no-index --find-links WH`.
fn venv_pip(s: &Scenario, wh: &Path, args: &[&str]) -> Run {
    let mut all = args.to_vec();
    all.extend(["--backend", "pip", "--no-index", "--find-links"]);
    all.push(wh.to_str().unwrap());
    venv(s, &all)
}

fn path_of(rec: &Value) -> PathBuf {
    PathBuf::from(rec["path"].as_str().unwrap())
}

/// Runs `program args` and returns its stdout, trimmed; it must succeed.
fn run_ok(program: &Path, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}: {}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn imports(env: &Path, module: &str) -> bool {
    Command::new(env.join("bin/python"))
        .args(["-c", &format!("import {module}")])
        .output()
        .unwrap()
        .status
        .success()
}

/// The registry's ids of `kind`.
fn registered(s: &Scenario, kind: &str) -> Vec<String> {
    let mut ids: Vec<String> = s
        .registry()
        .list()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind() == kind)
        .map(|r| r.id().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// Names in `dir` that a staging directory or a restore's leftover would have.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("ptest-staging") || n.contains("ptest-snap"))
        .collect()
}

/// A venv with alpha from its template, then delta installed into it by
/// pip (so that `bin/delta` starts with pip's absolute shebang), and a
/// snapshot of it.
fn venv_and_snapshot(s: &Scenario, wh: &Path) -> (Value, PathBuf, Value) {
    let rec = venv_pip(s, wh, &["create", "--json", "alpha"])
        .success()
        .records()
        .pop()
        .unwrap();
    let dir = path_of(&rec);
    venv_pip(s, wh, &["install", rec["id"].as_str().unwrap(), "delta"]).success();
    let first = std::fs::read_to_string(dir.join("bin/delta")).unwrap();
    assert!(
        first.starts_with(&format!("#!{}/bin/python", dir.display())),
        "pip's shebang names the venv: {first}"
    );
    let snapshot = snap(
        s,
        &["create", "--venv", rec["id"].as_str().unwrap(), "--json"],
    )
    .success()
    .records()
    .pop()
    .unwrap();
    (rec, dir, snapshot)
}

#[test]
fn reset_puts_a_dirtied_venv_back_and_its_scripts_run() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let (rec, dir, snapshot) = venv_and_snapshot(&s, &wh);
    let vid = rec["id"].as_str().unwrap();
    assert_eq!(snapshot["kind"], "snapshot");
    assert_eq!(snapshot["venv"], vid);
    assert_eq!(snapshot["source"], dir.to_str().unwrap());
    assert_eq!(snapshot["name"], rec["name"], "the venv's name by default");
    let before = describe(&dir);

    // A test dirties it: installs gamma, uninstalls alpha.
    venv_pip(&s, &wh, &["install", vid, "gamma"]).success();
    venv(&s, &["uninstall", vid, "alpha"]).success();
    assert!(imports(&dir, "gamma"));
    assert!(!dir.join("bin/alpha").exists());

    let ev = snap(&s, &["reset", &id(&snapshot), "--json"])
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(ev["event"], "snapshot.reset");
    assert!(ev["touched"].as_u64().unwrap() > 0, "{ev}");
    assert_eq!(describe(&dir), before);
    assert!(!imports(&dir, "gamma"), "gamma is gone");
    assert!(imports(&dir, "alpha"));
    let out = run_ok(&dir.join("bin/alpha"), &[]);
    assert_eq!(out, format!("alpha 1.0 {}", dir.display()));
    // Its registry record is the venv's still.
    assert_eq!(registered(&s, "venv"), vec![vid.to_owned()]);

    // A restore in place swaps the whole tree back, too.
    venv_pip(&s, &wh, &["install", vid, "gamma"]).success();
    snap(&s, &["restore", &id(&snapshot), "--json"]).success();
    assert_eq!(describe(&dir), before);
    assert_eq!(
        run_ok(&dir.join("bin/delta"), &[]),
        format!("delta 1.0 {}", dir.display())
    );
}

#[test]
fn restore_elsewhere_makes_a_registered_relocated_venv_that_down_removes() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let (rec, dir, snapshot) = venv_and_snapshot(&s, &wh);
    let before = describe(&dir);
    let copy = s.work.join("copy");
    let r = snap(
        &s,
        &[
            "restore",
            &id(&snapshot),
            "--to",
            copy.to_str().unwrap(),
            "--owner",
            "none",
            "--ttl",
            "1h",
            "--json",
        ],
    )
    .success();
    let recs = r.records();
    let new = &recs[0];
    assert_eq!(new["kind"], "venv");
    assert_eq!(new["tool"], "ptest-venv");
    let new_id = new["id"].as_str().unwrap();
    assert_ne!(new_id, rec["id"].as_str().unwrap());
    assert_eq!(new["path"], copy.to_str().unwrap());
    assert_eq!(new["env"]["VIRTUAL_ENV"], copy.to_str().unwrap());
    assert_eq!(new["path_prepend"][0], copy.join("bin").to_str().unwrap());
    assert_eq!(new["python_version"], rec["python_version"]);
    assert_eq!(new["restored_from"], id(&snapshot));
    assert!(new["expires_at"].is_string(), "--ttl: {new}");
    let packages: Vec<&str> = new["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(packages, ["alpha==1.0", "delta==1.0"]);
    let ev = &recs[1];
    assert_eq!(ev["event"], "snapshot.restored");
    assert_eq!(ev["venv"], new_id);
    assert_eq!(ev["scripts_relocated"], 1, "delta's shebang: {ev}");

    // Registered as ptest-venv's own, exactly as its record says.
    let held = s.registry().get(new_id).unwrap().unwrap();
    assert_eq!(held.kind(), "venv");
    assert_eq!(held.get("path").unwrap(), &new["path"]);
    // ptest-venv knows it: its notes carry the new id.
    let info = venv(&s, &["info", new_id, "--json"]).success().records();
    assert_eq!(info[0]["id"], new_id, "{:?}", info);

    // Usable where it is: its python, and console scripts of both kinds.
    assert_eq!(
        run_ok(
            &copy.join("bin/python"),
            &["-c", "import alpha, delta, sys; print(sys.prefix)"]
        ),
        copy.to_str().unwrap()
    );
    assert_eq!(
        run_ok(&copy.join("bin/alpha"), &[]),
        format!("alpha 1.0 {}", copy.display())
    );
    assert_eq!(
        run_ok(&copy.join("bin/delta"), &[]),
        format!("delta 1.0 {}", copy.display())
    );
    // Its own: installing into it leaves the original alone.
    venv_pip(&s, &wh, &["install", new_id, "gamma"]).success();
    assert!(imports(&copy, "gamma"));
    assert!(!imports(&dir, "gamma"));
    assert_eq!(describe(&dir), before, "the original is untouched");

    // Torn down like any venv, by the registry's record.
    let line = serde_json::to_string(new).unwrap() + "\n";
    s.cmd("ptest").arg("down").stdin(line).run().success();
    assert!(!copy.exists(), "ptest down removed the restored venv");
    assert_eq!(
        registered(&s, "venv"),
        vec![rec["id"].as_str().unwrap().to_owned()]
    );
    assert!(dir.join("bin/python").exists());
    assert_eq!(leftovers(&s.work), Vec::<String>::new());
}

#[test]
fn restore_elsewhere_refuses_a_full_target_overlay_and_a_vetoed_venv_leaving_nothing() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let (_, _, snapshot) = venv_and_snapshot(&s, &wh);
    let sid = id(&snapshot);
    let venvs = registered(&s, "venv");

    // A target that holds anything: 73, untouched.
    let full = s.work.join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep"), "mine").unwrap();
    let r = snap(&s, &["restore", &sid, "--to", full.to_str().unwrap()]).expect_code(73);
    assert!(r.stderr.contains("not empty"), "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(full.join("keep")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&full).unwrap().count(), 1);

    // --mode overlay: a venv elsewhere is a copy of its own.
    let over = s.work.join("over");
    snap(
        &s,
        &[
            "restore",
            &sid,
            "--to",
            over.to_str().unwrap(),
            "--mode",
            "overlay",
        ],
    )
    .expect_code(64);
    assert!(!over.exists());

    // A pre-venv.created hook vetoes after the tree was restored and
    // relocated: the new tree goes, nothing is registered.
    s.write(
        "work/ptest.toml",
        "[hooks]\npre-venv.created = \"exit 3\"\n",
    );
    let vetoed = s.work.join("vetoed");
    snap(&s, &["restore", &sid, "--to", vetoed.to_str().unwrap()]).expect_code(1);
    assert!(!vetoed.exists());
    assert_eq!(registered(&s, "venv"), venvs);
    assert_eq!(leftovers(&s.work), Vec::<String>::new());
    assert!(
        std::fs::read_dir(s.state.join("staging"))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "no staging note is left"
    );
}

#[test]
fn only_registered_venvs_are_snapshotted() {
    let s = Scenario::new();
    // Not a venv id: 64; a venv id nobody registered: 66.
    for (arg, code) in [
        ("port-abc123", 64),
        ("venv-../x", 64),
        ("/tmp", 64),
        ("venv-nothere1", 66),
    ] {
        snap(&s, &["create", "--venv", arg]).expect_code(code);
    }
    // A venv ptest did not make, named by its directory: refused too.
    let foreign = s.work.join("foreign");
    let out = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&foreign)
        .output()
        .unwrap();
    assert!(out.status.success());
    snap(&s, &["create", "--venv", foreign.to_str().unwrap()]).expect_code(64);
    assert!(registered(&s, "snapshot").is_empty());
    assert!(
        std::fs::read_dir(s.state.join("snap/manifests"))
            .map(|d| d.count())
            .unwrap_or(0)
            == 0,
        "no manifest was written"
    );
}

#[test]
fn a_removed_venv_is_restored_only_elsewhere() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let (rec, dir, snapshot) = venv_and_snapshot(&s, &wh);
    let sid = id(&snapshot);
    venv(&s, &["rm", rec["id"].as_str().unwrap()]).success();
    assert!(!dir.exists());
    for args in [vec!["restore", sid.as_str()], vec!["reset", sid.as_str()]] {
        let r = snap(&s, &args).expect_code(66);
        assert!(r.stderr.contains("--to"), "{}", r.stderr);
        assert!(!dir.exists(), "{args:?} made nothing");
    }
    let copy = s.work.join("again");
    let new = snap(
        &s,
        &["restore", &sid, "--to", copy.to_str().unwrap(), "--json"],
    )
    .success()
    .records()
    .remove(0);
    assert_eq!(registered(&s, "venv"), vec![new["id"].as_str().unwrap()]);
    assert_eq!(
        run_ok(&copy.join("bin/delta"), &[]),
        format!("delta 1.0 {}", copy.display())
    );
    venv(&s, &["rm", new["id"].as_str().unwrap()]).success();
    assert!(!copy.exists());
}

#[test]
fn create_all_snapshots_the_venvs_of_the_stream() {
    let s = Scenario::new();
    let made = venv(&s, &["create", "--json"]).success();
    let stream = made.stdout.clone();
    let vrec = made.records().pop().unwrap();
    let r = s
        .cmd("ptest-snap")
        .args(["create", "--all", "--json"])
        .stdin(stream.clone())
        .run()
        .success();
    assert!(
        r.stdout.starts_with(&stream),
        "the venv record passes through first"
    );
    let recs = r.records();
    assert_eq!(recs.len(), 2, "{}", r.stdout);
    assert_eq!(recs[1]["kind"], "snapshot");
    assert_eq!(recs[1]["venv"], vrec["id"]);
    assert_eq!(recs[1]["source"], vrec["path"]);
    assert_eq!(registered(&s, "snapshot"), vec![id(&recs[1])]);

    // A forged venv record in the stream names nothing registered: 66,
    // nothing snapshotted.
    let forged = r#"{"v":1,"kind":"venv","tool":"ptest-venv","id":"venv-forged1","path":"/etc"}"#;
    s.cmd("ptest-snap")
        .args(["create", "--all", "--json"])
        .stdin(format!("{forged}\n"))
        .run()
        .expect_code(66);
    assert_eq!(registered(&s, "snapshot"), vec![id(&recs[1])]);
}
