//! Cross-tool pipelines of real binaries: the documented example plugin
//! composes with the dispatcher like a built-in tool.

use ptest_shared::testkit::{Scenario, target_dir};
use std::path::PathBuf;

fn scenario() -> Scenario {
    let mut s = Scenario::new();
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ptest-tmpdir");
    std::fs::copy(example, s.bin.join("ptest-tmpdir")).unwrap();
    let path = format!(
        "{}:{}:{}",
        s.bin.display(),
        target_dir().display(),
        std::env::var("PATH").unwrap()
    );
    s.env("PATH", path);
    s
}

fn sh(s: &Scenario, script: &str) -> ptest_shared::testkit::Run {
    s.command("sh").args(["-c", script]).run()
}

#[test]
fn a_stream_accumulates_the_environment_and_down_tears_it_all_down() {
    let s = scenario();
    let r = sh(&s, "printf '%s\\n' '{\"v\":1,\"kind\":\"note\",\"text\":\"kept\"}' | ptest tmpdir create --name a | ptest tmpdir create --name b | tee env.jsonl").success();
    let recs = r.records();
    assert_eq!(recs.len(), 3, "{}", r.stdout);
    assert_eq!(
        r.stdout.lines().next().unwrap(),
        "{\"v\":1,\"kind\":\"note\",\"text\":\"kept\"}"
    );
    let (a, b) = (&recs[1], &recs[2]);
    assert!(a["env"]["PTEST_TMPDIR_A"].is_string() && b["env"]["PTEST_TMPDIR_B"].is_string());
    let dirs: Vec<PathBuf> = [a, b]
        .iter()
        .map(|r| PathBuf::from(r["path"].as_str().unwrap()))
        .collect();
    assert!(dirs.iter().all(|d| d.is_dir()));

    let listed = s.cmd("ptest").arg("ls").run().success().records();
    assert_eq!(listed.len(), 2);

    let events = sh(&s, "ptest down < env.jsonl").success().records();
    let order: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [b["id"].as_str().unwrap(), a["id"].as_str().unwrap()],
        "newest first"
    );
    assert!(dirs.iter().all(|d| !d.exists()));
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
fn gc_reaps_the_resources_of_an_owner_that_died() {
    let s = scenario();
    // The owner is a shell that exits right after creating the directory.
    let r = sh(&s, "sh -c 'ptest tmpdir create --owner caller' ").success();
    let rec = &r.records()[0];
    let dir = PathBuf::from(rec["path"].as_str().unwrap());
    assert!(dir.is_dir());
    let keep = sh(&s, "ptest tmpdir create --owner none")
        .success()
        .records()[0]
        .clone();
    let events = s.cmd("ptest").arg("gc").run().success().records();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["id"], rec["id"]);
    assert_eq!(events[0]["reason"], "owner-dead");
    assert!(!dir.exists());
    assert!(PathBuf::from(keep["path"].as_str().unwrap()).is_dir());
    sh(&s, &format!("echo '{keep}' | ptest down")).success();
}

#[test]
fn the_readme_pipeline_venv_port_proc_runs_and_rm_tears_it_down() {
    let s = scenario();
    // A wheel of our own, so that nothing reaches an index.
    let wh = s.dir.path().join("wheels");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bins/ptest-venv/tests/wheel.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&wh)
        .args(["greet", "1.0"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = sh(
        &s,
        &format!(
            "ptest venv create --no-index -f {} greet | ptest port lease --name http | tee env.jsonl \
             | ptest proc run --rm -- python -c 'import greet, os, sys; print(greet.VERSION, sys.prefix == os.environ[\"VIRTUAL_ENV\"], os.environ[\"PTEST_PORT_HTTP\"])'",
            wh.display()
        ),
    )
    .success();
    let env: Vec<serde_json::Value> = std::fs::read_to_string(s.work.join("env.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(env.len(), 2);
    let port = env[1]["port"].as_u64().unwrap();
    assert_eq!(r.stdout.trim(), format!("1.0 True {port}"));
    // --rm tore down the venv and the lease.
    let venv_dir = PathBuf::from(env[0]["path"].as_str().unwrap());
    assert!(!venv_dir.exists());
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
fn a_failing_middle_stage_stops_the_pipeline_without_pipefail() {
    let mut s = scenario();
    for k in ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] {
        if let Ok(v) = std::env::var(k) {
            s.env(k, v);
        }
    }
    // The image does not exist (nothing is ever pulled): docker create fails.
    let image = format!(
        "ptest-test/absent-{}:16",
        ptest_shared::record::random_hex(4)
    );
    let r = s
        .command("sh")
        .args([
            "-c",
            &format!(
                "ptest port lease --name db | ptest docker create --image {image} --name db --port 5432=db \
                 | ptest proc run --rm -- sh -c 'echo COMMAND RAN'"
            ),
        ])
        .run()
        .expect_code(66);
    assert!(!r.stdout.contains("COMMAND RAN"), "{}", r.stdout);
    assert!(
        r.stderr.contains("no image") && r.stderr.contains("ptest-docker failed before this stage"),
        "{}",
        r.stderr
    );
    // --rm tore down the lease the first stage made.
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn rm_makes_the_run_own_the_whole_stream_so_a_killed_run_leaves_only_what_gc_takes() {
    // A snapshot is owned by nobody (meant to last): `proc run --rm` is to
    // remove it, so while it runs it owns it, and when it is SIGKILLed
    // before it could, `gc` does.
    let s = scenario();
    let tree = s.work.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::write(tree.join("f"), "x").unwrap();
    let snap = s
        .cmd("ptest-snap")
        .args(["create", "--json"])
        .arg(&tree)
        .run()
        .success()
        .stdout;
    let id = serde_json::from_str::<serde_json::Value>(snap.trim()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        s.registry()
            .get(&id)
            .unwrap()
            .unwrap()
            .owner()
            .unwrap()
            .is_none()
    );
    let mut run = s
        .cmd("ptest-proc")
        .args(["run", "--rm", "--", "sleep", "60"])
        .inner;
    run.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null());
    let mut child = run.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(snap.as_bytes()).unwrap();
    }
    let start = std::time::Instant::now();
    loop {
        let owner = s.registry().get(&id).unwrap().unwrap().owner().unwrap();
        if owner.is_some_and(|o| o.pid == child.id()) {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "proc run --rm did not take the snapshot over"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    s.cmd("ptest").arg("gc").run().success();
    assert!(
        s.registry().get(&id).unwrap().is_none(),
        "the snapshot outlived its run"
    );
}
