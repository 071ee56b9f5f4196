//! ptest-venv with real python3, real uv and pip, and wheels built by the
//! tests themselves (tests/wheel.py), installed with --no-index
//! --find-links: nothing reaches an index.

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds a wheel into `dir`: `name version [--dep REQ]... [--script N=M:F]...`.
fn wheel(dir: &Path, name: &str, version: &str, extra: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wheel.py");
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

/// A wheelhouse: alpha 1.0 (needs beta>=1, has an `alpha` script), beta
/// 1.0 and 2.0, gamma 1.0, and pinned 1.0 (needs beta<2).
fn wheelhouse(s: &Scenario) -> PathBuf {
    let wh = s.dir.path().join("wheels");
    wheel(
        &wh,
        "alpha",
        "1.0",
        &["--dep", "beta>=1", "--script", "alpha=alpha:main"],
    );
    wheel(&wh, "beta", "1.0", &[]);
    wheel(&wh, "beta", "2.0", &[]);
    wheel(&wh, "gamma", "1.0", &[]);
    wheel(&wh, "pinned", "1.0", &["--dep", "beta<2"]);
    wh
}

fn venv(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-venv").args(args).run()
}

fn create(s: &Scenario, wh: &Path, args: &[&str]) -> Value {
    let mut all = vec![
        "create",
        "--json",
        "--no-index",
        "--find-links",
        wh.to_str().unwrap(),
    ];
    all.extend_from_slice(args);
    let r = venv(s, &all).success();
    r.records().pop().unwrap()
}

fn path_of(rec: &Value) -> PathBuf {
    PathBuf::from(rec["path"].as_str().unwrap())
}

fn python_prefix(env: &Path, code: &str) -> String {
    let out = Command::new(env.join("bin/python"))
        .args(["-c", code])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// `lib/pythonX.Y/site-packages` of an environment.
fn site_packages(env: &Path) -> PathBuf {
    let lib = std::fs::read_dir(env.join("lib"))
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python"))
        .unwrap();
    lib.path().join("site-packages")
}

fn ino(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().ino()
}

#[test]
fn empty_environments_with_each_backend_are_real_venvs() {
    let s = Scenario::new();
    for backend in ["uv", "pip"] {
        let r = venv(&s, &["create", "--json", "--backend", backend]).success();
        let rec = r.records().pop().unwrap();
        assert_eq!(rec["kind"], "venv");
        assert_eq!(rec["tool"], "ptest-venv");
        assert_eq!(rec["backend"], backend);
        assert_eq!(rec["packages"], serde_json::json!([]));
        let dir = path_of(&rec);
        assert_eq!(rec["env"]["VIRTUAL_ENV"], dir.to_str().unwrap());
        assert_eq!(rec["path_prepend"][0], dir.join("bin").to_str().unwrap());
        assert_eq!(
            python_prefix(
                &dir,
                "import sys; print(sys.prefix != sys.base_prefix, sys.prefix)"
            ),
            format!("True {}", dir.display())
        );
        assert!(rec["python_version"].as_str().unwrap().starts_with("3."));
    }
}

#[test]
fn populated_environments_with_each_backend_run_their_own_console_scripts() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    for backend in ["uv", "pip"] {
        let a = create(&s, &wh, &["--backend", backend, "alpha"]);
        let b = create(&s, &wh, &["--backend", backend, "alpha"]);
        assert_eq!(
            a["packages"],
            serde_json::json!(["alpha==1.0", "beta==2.0"]),
            "{a}"
        );
        assert_eq!(
            a["template"], b["template"],
            "one template for the same inputs"
        );
        assert!(a["template"].is_string());
        for rec in [&a, &b] {
            let dir = path_of(rec);
            // The clone's console script runs the clone's interpreter.
            let out = Command::new(dir.join("bin/alpha")).output().unwrap();
            assert_eq!(
                String::from_utf8_lossy(&out.stdout).trim(),
                format!("alpha 1.0 {}", dir.display()),
                "{backend}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // Bytecode came with the template.
            let pyc = std::fs::read_dir(site_packages(&dir).join("alpha/__pycache__"));
            assert!(
                pyc.is_ok_and(|mut d| d.next().is_some()),
                "{backend}: no bytecode"
            );
        }
        // The template's files are read-only, shared by hard links or reflinks.
        let script = path_of(&a).join("bin/alpha");
        assert!(
            std::fs::metadata(&script).unwrap().permissions().readonly()
                || a["link_mode"] == "reflink"
        );
    }
}

#[test]
fn a_clone_survives_the_removal_of_other_clones_and_of_its_template() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let a = create(&s, &wh, &["alpha"]);
    let b = create(&s, &wh, &["alpha"]);
    let r = venv(&s, &["rm", "--json", a["id"].as_str().unwrap()]).success();
    assert_eq!(r.records()[0]["event"], "venv.removed");
    assert!(
        !path_of(&a).exists(),
        "removal renames the environment away at once"
    );
    venv(&s, &["cache", "prune", "--all"]).success();
    assert_eq!(
        venv(&s, &["cache", "ls", "--json"])
            .success()
            .records()
            .len(),
        0
    );
    let dir = path_of(&b);
    let out = Command::new(dir.join("bin/alpha")).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("alpha 1.0 {}", dir.display())
    );
    let ls = venv(&s, &["ls", "--json"]).success().records();
    assert_eq!(ls.len(), 1);
    assert_eq!(ls[0]["id"], b["id"]);
}

#[test]
fn sync_installs_only_the_difference_and_is_a_no_op_when_nothing_changed() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let v1 = s.write("work/v1.txt", "alpha\nbeta==1.0\n");
    let v2 = s.write("work/v2.txt", "alpha\nbeta==2.0  # upgraded\ngamma\n");
    let rec = create(&s, &wh, &["--name", "app", "-r", v1.to_str().unwrap()]);
    assert_eq!(
        rec["packages"],
        serde_json::json!(["alpha==1.0", "beta==1.0"])
    );
    let dir = path_of(&rec);
    let alpha_meta = site_packages(&dir).join("alpha-1.0.dist-info/METADATA");
    let before = ino(&alpha_meta);
    let sync = |file: &Path, extra: &[&str]| {
        let mut a = vec![
            "sync",
            "app",
            "--json",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "-r",
            file.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        venv(&s, &a).success().records().pop().unwrap()
    };
    let r = sync(&v2, &[]);
    assert_eq!(r["changed"], true);
    assert_eq!(
        r["installed"],
        serde_json::json!(["beta==2.0", "gamma==1.0"]),
        "{r}"
    );
    assert_eq!(r["removed"], serde_json::json!(["beta==1.0"]));
    assert_eq!(ino(&alpha_meta), before, "alpha was not reinstalled");
    // Unchanged inputs: nothing runs.
    let r = sync(&v2, &[]);
    assert_eq!(r["changed"], false, "{r}");
    assert_eq!(r["installed"], serde_json::json!([]));
    // --exact removes what the requirements do not need (beta stays: alpha needs it).
    let v3 = s.write("work/v3.txt", "alpha\n");
    let r = sync(&v3, &["--exact"]);
    assert_eq!(r["removed"], serde_json::json!(["gamma==1.0"]), "{r}");
    // Requirement lines wherever stdout goes (here a pipe); records with --json.
    let frozen = venv(&s, &["freeze", "app"]).success().stdout;
    assert_eq!(frozen, "alpha==1.0\nbeta==2.0\n");
    let recs = venv(&s, &["freeze", "app", "--json"]).success().records();
    assert_eq!(recs.len(), 2);
    assert_eq!(
        (&recs[0]["kind"], &recs[0]["name"]),
        (&"package".into(), &"alpha".into())
    );
    // A failure adds nothing to the lines (a file being written).
    let r = venv(&s, &["freeze", "nosuch"]).expect_code(66);
    assert_eq!(r.stdout, "");
    // A changed requirement file (same name) is new input.
    std::fs::write(&v3, "alpha\ngamma\n").unwrap();
    let r = sync(&v3, &[]);
    assert_eq!(r["installed"], serde_json::json!(["gamma==1.0"]));
}

#[test]
fn conflicts_are_found_before_install_with_both_lines_named() {
    let s = Scenario::new();
    s.write("work/base.txt", "# pins\nbeta==1.0\n");
    let top = s.write("work/top.txt", "-r base.txt\nalpha\nbeta>=2\n");
    let r = venv(&s, &["check", "--json", "-r", top.to_str().unwrap()]).expect_code(1);
    let c = &r.records()[0];
    assert_eq!(c["kind"], "conflict");
    assert_eq!(c["project"], "beta");
    let text = c.to_string();
    assert!(
        text.contains("base.txt") && text.contains("top.txt"),
        "{text}"
    );
    let human = venv(&s, &["check", "-r", top.to_str().unwrap()]).expect_code(1);
    assert!(
        human.stdout.contains("base.txt:2") && human.stdout.contains("top.txt:3"),
        "{}",
        human.stdout
    );
    // create refuses them before installing anything.
    let wh = wheelhouse(&s);
    let r = venv(
        &s,
        &[
            "create",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "-r",
            top.to_str().unwrap(),
        ],
    )
    .expect_code(65);
    assert!(r.stderr.contains("base.txt:2"), "{}", r.stderr);
    assert_eq!(venv(&s, &["ls", "--json"]).success().records().len(), 0);
    let fine = s.write("work/fine.txt", "beta>=1\nbeta<3\n");
    venv(&s, &["check", "-r", fine.to_str().unwrap()]).success();
}

#[test]
fn conflicts_after_install_are_found_natively() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let rec = create(&s, &wh, &["--name", "e", "pinned", "alpha"]);
    assert_eq!(
        rec["packages"],
        serde_json::json!(["alpha==1.0", "beta==1.0", "pinned==1.0"])
    );
    venv(&s, &["check", "e"]).success();
    // Upgrading beta breaks pinned's `beta<2`; removing it breaks alpha too.
    venv(
        &s,
        &[
            "install",
            "e",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "beta==2.0",
        ],
    )
    .success();
    let r = venv(&s, &["check", "e", "--json"]).expect_code(1);
    assert_eq!(r.error_record("ptest-venv")["message"], "1 conflict found");
    let recs = r.records_before_error();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0]["project"], "beta");
    assert!(
        recs[0]["reason"].as_str().unwrap().contains("pinned"),
        "{}",
        recs[0]
    );
    venv(&s, &["uninstall", "e", "beta"]).success();
    let r = venv(&s, &["check", "e"]).expect_code(1);
    assert!(
        r.stdout.contains("alpha") && r.stdout.contains("pinned"),
        "{}",
        r.stdout
    );
}

#[test]
fn sixteen_concurrent_creates_build_the_template_once() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let children: Vec<_> = (0..16)
        .map(|_| {
            s.cmd("ptest-venv")
                .args([
                    "create",
                    "--json",
                    "--no-index",
                    "-f",
                    wh.to_str().unwrap(),
                    "alpha",
                    "gamma",
                ])
                .inner
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut paths = std::collections::BTreeSet::new();
    let mut templates = std::collections::BTreeSet::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rec: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
        templates.insert(rec["template"].as_str().unwrap().to_owned());
        paths.insert(path_of(&rec));
    }
    assert_eq!(paths.len(), 16);
    assert_eq!(templates.len(), 1);
    let cache = venv(&s, &["cache", "ls", "--json"]).success().records();
    assert_eq!(cache.len(), 1, "built once: {cache:?}");
    for p in &paths {
        assert_eq!(
            python_prefix(p, "import alpha, gamma, sys; print(sys.prefix)"),
            p.display().to_string()
        );
    }
}

#[test]
fn a_pipeline_runs_a_command_inside_the_environment() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let created = venv(
        &s,
        &[
            "create",
            "--json",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "alpha",
        ],
    )
    .success();
    let dir = path_of(&created.records()[0]);
    let r = s
        .cmd("ptest-proc")
        .args([
            "run",
            "--",
            "python",
            "-c",
            "import alpha, os, sys; print(sys.prefix, os.environ['VIRTUAL_ENV'])",
        ])
        .stdin(created.stdout.clone())
        .run()
        .success();
    assert_eq!(r.stdout.trim(), format!("{0} {0}", dir.display()));
    // And `ptest down` removes it through the dispatcher.
    s.cmd("ptest")
        .arg("down")
        .stdin(created.stdout)
        .run()
        .success();
    assert!(!dir.exists());
    assert_eq!(venv(&s, &["ls", "--json"]).success().records().len(), 0);
}

#[test]
fn bad_input_gets_the_right_exit_code_and_leaves_nothing_behind() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let r = venv(&s, &["create", "--python", "python9.99"]).expect_code(69);
    assert!(
        r.stderr.contains("python9.99") && r.stderr.contains("searched"),
        "{}",
        r.stderr
    );
    let bad = s.write("work/bad.txt", "alpha\n\nbeta>=1.0,<\n");
    let r = venv(&s, &["create", "-r", bad.to_str().unwrap()]).expect_code(65);
    assert!(r.stderr.contains("bad.txt:3:"), "{}", r.stderr);
    let r = venv(&s, &["create", "-r", "missing.txt"]).expect_code(66);
    assert!(r.stderr.contains("missing.txt"), "{}", r.stderr);
    // A package the index does not have: the installer's message, 69, and
    // no environment, template or registry entry left.
    let dir = s.dir.path().join("nothere");
    let r = venv(
        &s,
        &[
            "create",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "--dir",
            dir.to_str().unwrap(),
            "nosuchpkg",
        ],
    )
    .expect_code(69);
    assert!(
        r.stderr.to_lowercase().contains("nosuchpkg"),
        "{}",
        r.stderr
    );
    assert!(!dir.exists());
    assert_eq!(
        venv(&s, &["cache", "ls", "--json"])
            .success()
            .records()
            .len(),
        0
    );
    let templates = s.state.join("cache/venv/templates");
    let left: Vec<_> = std::fs::read_dir(&templates)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(venv(&s, &["ls", "--json"]).success().records().len(), 0);
    // rm refuses a directory that is not an environment.
    let plain = s.dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    venv(&s, &["rm", plain.to_str().unwrap()]).expect_code(66);
    assert!(plain.exists());
    venv(&s, &["sync", "nosuchenv", "-r", bad.to_str().unwrap()]).expect_code(66);
}

#[test]
fn a_changed_interpreter_rebuilds_the_environment() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    // Two interpreters of different versions (on PATH or kept by pyenv),
    // then found through one path whose target changes.
    let mut dirs: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap()).collect();
    if let Some(home) = std::env::var_os("HOME")
        && let Ok(entries) = std::fs::read_dir(Path::new(&home).join(".pyenv/versions"))
    {
        dirs.extend(entries.flatten().map(|e| e.path().join("bin")));
    }
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for v in ["3.10", "3.11", "3.12", "3.13"] {
        let real = dirs.iter().find_map(|d| {
            let out = Command::new(d.join(format!("python{v}")))
                .args([
                    "-c",
                    "import os, sys; print(os.path.realpath(sys.executable))",
                ])
                .output()
                .ok()?;
            out.status
                .success()
                .then(|| PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
        });
        if let Some(r) = real {
            found.push((v.to_owned(), r));
        }
    }
    assert!(
        found.len() >= 2,
        "this test needs two Python versions: {found:?}"
    );
    let (first, second) = (found[0].1.clone(), found[1].1.clone());
    let link_dir = s.dir.path().join("py/bin");
    std::fs::create_dir_all(&link_dir).unwrap();
    let link = link_dir.join("python3");
    std::os::unix::fs::symlink(&first, &link).unwrap();
    let req = s.write("work/r.txt", "alpha\n");
    let rec = create(
        &s,
        &wh,
        &[
            "--name",
            "x",
            "--python",
            link.to_str().unwrap(),
            "-r",
            req.to_str().unwrap(),
        ],
    );
    assert!(
        rec["python_version"]
            .as_str()
            .unwrap()
            .starts_with(&found[0].0)
    );
    std::fs::remove_file(&link).unwrap();
    std::os::unix::fs::symlink(&second, &link).unwrap();
    let r = venv(
        &s,
        &[
            "sync",
            "x",
            "--json",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "-r",
            req.to_str().unwrap(),
        ],
    )
    .success();
    let rec2 = r.records().pop().unwrap();
    assert_eq!(rec2["rebuilt"], true, "{rec2}");
    assert!(
        rec2["python_version"]
            .as_str()
            .unwrap()
            .starts_with(&found[1].0),
        "{rec2}"
    );
    let dir = path_of(&rec2);
    assert_eq!(dir, path_of(&rec));
    assert_eq!(
        python_prefix(
            &dir,
            "import alpha, sys; print('%d.%d' % sys.version_info[:2])"
        ),
        found[1].0
    );
}

#[test]
fn copy_mode_gives_independent_writable_files() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    let a = create(&s, &wh, &["--link-mode", "copy", "alpha"]);
    let b = create(&s, &wh, &["--link-mode", "hardlink", "alpha"]);
    assert_eq!(a["link_mode"], "copy");
    assert_eq!(b["link_mode"], "hardlink");
    let rel = "bin/alpha";
    let (fa, fb) = (path_of(&a).join(rel), path_of(&b).join(rel));
    assert_ne!(ino(&fa), ino(&fb));
    assert!(!std::fs::metadata(&fa).unwrap().permissions().readonly());
    assert!(std::fs::metadata(&fb).unwrap().permissions().readonly());
}

#[test]
fn constraints_hashes_and_markers_reach_the_installer() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    // A constraint holds beta back; a marker that does not apply skips gamma.
    let c = s.write("work/c.txt", "beta==1.0\n");
    let r = s.write("work/r.txt", "alpha\ngamma; python_version < \"3\"\n");
    let rec = create(
        &s,
        &wh,
        &["-r", r.to_str().unwrap(), "-c", c.to_str().unwrap()],
    );
    assert_eq!(
        rec["packages"],
        serde_json::json!(["alpha==1.0", "beta==1.0"]),
        "{rec}"
    );
    // --hash: the right one installs, a wrong one is refused by the installer.
    let whl = wh.join("gamma-1.0-py3-none-any.whl");
    let out = Command::new("sha256sum").arg(&whl).output().unwrap();
    let digest = String::from_utf8(out.stdout).unwrap();
    let digest = digest.split_whitespace().next().unwrap().to_owned();
    let good = s.write(
        "work/good.txt",
        &format!("gamma==1.0 \\\n    --hash=sha256:{digest}\n"),
    );
    let rec = create(&s, &wh, &["-r", good.to_str().unwrap()]);
    assert_eq!(rec["packages"], serde_json::json!(["gamma==1.0"]));
    let bad = s.write(
        "work/bad.txt",
        &format!("gamma==1.0 --hash=sha256:{}\n", "0".repeat(64)),
    );
    venv(
        &s,
        &[
            "create",
            "--no-index",
            "-f",
            wh.to_str().unwrap(),
            "-r",
            bad.to_str().unwrap(),
        ],
    )
    .expect_code(69);
}

#[test]
fn ctrl_c_during_create_leaves_no_environment_behind() {
    // Interrupted in its pre-venv.created hook (a slow one), after the
    // environment was written: the hook is stopped too, the environment
    // is discarded, and the exit is 128+N.
    let s = Scenario::new();
    s.write(
        "work/ptest.toml",
        "[hooks]\npre-venv.created = \"touch hook-started; exec sleep 30\"\n",
    );
    for (sig, code) in [
        (nix::sys::signal::Signal::SIGINT, 130),
        (nix::sys::signal::Signal::SIGTERM, 143),
    ] {
        let dir = s.dir.path().join(format!("env-{code}"));
        let started = s.dir.path().join("work/hook-started");
        let _ = std::fs::remove_file(&started);
        let mut c = s
            .cmd("ptest-venv")
            .args(["create", "--dir", dir.to_str().unwrap()]);
        let child = c
            .inner
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !started.exists() {
            assert!(std::time::Instant::now() < deadline, "the hook never ran");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(dir.join("pyvenv.cfg").exists(), "written before the hook");
        let sent = std::time::Instant::now();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert!(err.contains("interrupted by SIG"), "{err}");
        assert!(
            sent.elapsed() < std::time::Duration::from_secs(10),
            "the hook was stopped, not waited for"
        );
        assert!(!dir.exists(), "the environment is discarded");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let rec: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&stdout);
        assert_eq!(
            rec["code"], "signal",
            "only the interruption is reported: {stdout}"
        );
    }
    assert_eq!(venv(&s, &["ls", "--json"]).success().records().len(), 0);
}

#[test]
fn templates_are_keyed_by_content_local_sources_included() {
    let s = Scenario::new();
    let wh = wheelhouse(&s);
    // One requirements file, spelled three ways: one template.
    s.write("work/req.txt", "gamma==1.0\n");
    let abs = s.work.join("req.txt");
    let mut templates = std::collections::BTreeSet::new();
    for spelling in ["req.txt", "./req.txt", abs.to_str().unwrap()] {
        let r = create(&s, &wh, &["-r", spelling]);
        templates.insert(r["template"].as_str().unwrap().to_owned());
    }
    assert_eq!(templates.len(), 1, "{templates:?}");
    // A local wheel that changes under the same name is a new template.
    let local = s.dir.path().join("local");
    wheel(&local, "greet", "1.0", &[]);
    let url = format!(
        "greet @ file://{}",
        local.join("greet-1.0-py3-none-any.whl").display()
    );
    let first = create(&s, &wh, &[&url]);
    let first_path = PathBuf::from(first["path"].as_str().unwrap());
    assert!(!first_path.join("bin/hi").exists());
    wheel(&local, "greet", "1.0", &["--script", "hi=greet:main"]);
    let second = create(&s, &wh, &[&url]);
    assert_ne!(
        first["template"], second["template"],
        "a stale template was cloned"
    );
    let hi = PathBuf::from(second["path"].as_str().unwrap()).join("bin/hi");
    assert!(hi.exists(), "the new environment runs the new source");
    // Unchanged, it is the same template again.
    let third = create(&s, &wh, &[&url]);
    assert_eq!(second["template"], third["template"]);
}
