//! Hooks run real shell commands: payload on stdin, PTEST_EVENT, veto by a
//! failing pre-hook, report of a failing post-hook, time limit.

use ptest_shared::config::{Config, Inputs};
use ptest_shared::hooks::{self, Phase};
use ptest_shared::{Exit, Record};
use std::time::{Duration, Instant};

fn config(dir: &std::path::Path, toml: &str) -> Config {
    std::fs::write(dir.join("ptest.toml"), toml).unwrap();
    Config::load_from(&Inputs {
        cwd: dir.to_owned(),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn hook_gets_the_record_on_stdin_and_the_event_name() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().display();
    let cfg = config(
        t.path(),
        &format!(
            "[hooks]\n\"post-port.leased\" = [\"cat > {d}/payload\", \"echo $PTEST_EVENT $PTEST_HOOK > {d}/event\"]\n"
        ),
    );
    let mut rec = Record::resource("port", "ptest-port");
    rec.set("port", 20001);
    hooks::run(&cfg, Phase::Post, "port.leased", &rec).unwrap();
    assert_eq!(
        std::fs::read_to_string(t.path().join("payload")).unwrap(),
        rec.to_line() + "\n"
    );
    assert_eq!(
        std::fs::read_to_string(t.path().join("event")).unwrap(),
        "port.leased post\n"
    );
}

#[test]
fn failing_pre_hook_aborts_and_names_the_hook() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().display();
    let cfg = config(
        t.path(),
        &format!("[hooks]\npre-venv.created = [\"exit 3\", \"touch {d}/second-ran\"]\n"),
    );
    let e = hooks::pre(&cfg, "venv.created", &Record::new("venv")).unwrap_err();
    assert_eq!(e.exit, Exit::Failed);
    assert!(
        e.message.contains("pre-venv.created")
            && e.message.contains("exit 3")
            && e.message.contains("status 3"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("ptest.toml:2"),
        "names where it was set: {}",
        e.message
    );
    assert!(
        !t.path().join("second-ran").exists(),
        "later hooks do not run after a veto"
    );
}

#[test]
fn failing_post_hook_is_reported_and_the_action_stands() {
    let t = tempfile::tempdir().unwrap();
    let cfg = config(t.path(), "[hooks]\npost-venv.created = \"exit 9\"\n");
    // `run` reports the failure; `post` only warns and returns.
    assert!(hooks::run(&cfg, Phase::Post, "venv.created", &Record::new("venv")).is_err());
    hooks::post(&cfg, "venv.created", &Record::new("venv"));
}

#[test]
fn hooks_of_other_events_do_not_run() {
    let t = tempfile::tempdir().unwrap();
    let cfg = config(t.path(), "[hooks]\npre-venv.created = \"exit 1\"\n");
    hooks::pre(&cfg, "port.leased", &Record::new("port")).unwrap();
    hooks::pre(&cfg, "venv.removed", &Record::new("venv")).unwrap();
}

#[test]
fn hook_over_its_time_limit_is_killed_with_its_children() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().display();
    let cfg = config(
        t.path(),
        &format!(
            "[hooks]\ntimeout = \"300ms\"\npre-port.leased = \"(sleep 2; touch {d}/child-survived) & sleep 30\"\n"
        ),
    );
    let start = Instant::now();
    let e = hooks::pre(&cfg, "port.leased", &Record::new("port")).unwrap_err();
    assert_eq!(e.exit, Exit::Timeout);
    assert!(e.message.contains("300ms"), "{}", e.message);
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "took {:?}",
        start.elapsed()
    );
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !t.path().join("child-survived").exists(),
        "the hook's children are killed too"
    );
}

#[test]
fn hook_output_never_reaches_stdout() {
    // Run a child process whose stdout we capture: the hook's echo must land on stderr.
    let t = tempfile::tempdir().unwrap();
    let cfg = config(
        t.path(),
        "[hooks]\npost-port.leased = \"echo HOOK-OUTPUT\"\n",
    );
    if std::env::var_os("PTEST_HOOK_CHILD").is_some() {
        hooks::run(&cfg, Phase::Post, "port.leased", &Record::new("x")).unwrap();
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "hook_output_never_reaches_stdout",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PTEST_HOOK_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("HOOK-OUTPUT"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOOK-OUTPUT"));
}
