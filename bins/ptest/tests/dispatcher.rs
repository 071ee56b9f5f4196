//! `ptest <sub>` runs plugins and tools: arguments, exit codes, signals,
//! `PTEST`, lookup order, `--list`, `help`, unknown commands.

use ptest_shared::testkit::{Scenario, bin_path};

const HELLO: &str = "#!/bin/sh
# ptest-description: Say hello (a test plugin)
if [ \"$1\" = --help ]; then echo 'usage: ptest-hello [NAME]'; exit 0; fi
echo \"hello $*\"
echo \"PTEST=$PTEST\" >&2
exit ${HELLO_EXIT:-0}
";

#[test]
fn plugin_runs_with_its_arguments_and_ptest_exported() {
    let s = Scenario::new();
    s.plugin("hello", HELLO);
    let r = s
        .cmd("ptest")
        .args(["hello", "world", "--json", "-x"])
        .run()
        .success();
    assert_eq!(r.stdout, "hello world --json -x\n");
    assert_eq!(
        r.stderr.trim(),
        format!("PTEST={}", bin_path("ptest").display())
    );
}

#[test]
fn exit_code_passes_through() {
    let s = Scenario::new();
    s.plugin("hello", HELLO);
    s.cmd("ptest")
        .arg("hello")
        .env("HELLO_EXIT", "7")
        .run()
        .expect_code(7);
}

#[test]
fn death_by_signal_passes_through() {
    let s = Scenario::new();
    s.plugin("die", "#!/bin/sh\nkill -TERM $$\n");
    let r = s.cmd("ptest").arg("die").run();
    assert_eq!(
        r.signal(),
        Some(15),
        "ptest itself must die of the plugin's signal: {r:?}"
    );
}

#[test]
fn signals_sent_to_ptest_reach_the_tool() {
    // ptest execs: the PID we signal is the plugin's.
    let s = Scenario::new();
    let marker = s.dir.path().join("got-term");
    s.plugin(
        "wait",
        &format!(
            "#!/bin/sh\ntrap 'touch {}; exit 3' TERM\necho ready\nwhile :; do sleep 0.05; done\n",
            marker.display()
        ),
    );
    let mut c = s.cmd("ptest").arg("wait").inner;
    c.stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    assert_eq!(line, "ready\n");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let st = child.wait().unwrap();
    assert_eq!(st.code(), Some(3));
    assert!(marker.exists());
}

#[test]
fn tool_beside_ptest_wins_over_path() {
    let s = Scenario::new();
    s.plugin("hello", "#!/bin/sh\necho from-path\n");
    let beside = s.dir.path().join("install");
    std::fs::create_dir(&beside).unwrap();
    std::fs::copy(bin_path("ptest"), beside.join("ptest")).unwrap();
    std::fs::write(beside.join("ptest-hello"), "#!/bin/sh\necho from-beside\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        beside.join("ptest-hello"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let r = s
        .cmd(beside.join("ptest").to_str().unwrap())
        .arg("hello")
        .run()
        .success();
    assert_eq!(r.stdout, "from-beside\n");
}

#[test]
fn list_shows_plugins_sorted_with_descriptions() {
    let s = Scenario::new();
    s.plugin("hello", HELLO);
    s.plugin("aardvark", "#!/bin/sh\n");
    let r = s
        .cmd("ptest")
        .args(["--list", "--format", "human"])
        .run()
        .success();
    let names: Vec<&str> = r
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted:\n{}", r.stdout);
    let hello = r
        .stdout
        .lines()
        .find(|l| l.starts_with("hello "))
        .expect(&r.stdout);
    assert!(
        hello.contains("plugin") && hello.contains("Say hello (a test plugin)"),
        "{hello}"
    );
    for builtin in ["ls", "gc", "down", "config", "doctor", "completions"] {
        assert!(names.contains(&builtin), "{builtin} missing:\n{}", r.stdout);
    }
    // -v adds where each one lives
    let v = s
        .cmd("ptest")
        .args(["--list", "-v", "--format", "human"])
        .run()
        .success();
    assert!(
        v.stdout
            .contains(&s.bin.join("ptest-hello").display().to_string()),
        "{}",
        v.stdout
    );
    // records when piped
    let recs = s.cmd("ptest").arg("--list").run().success().records();
    let h = recs.iter().find(|r| r["name"] == "hello").unwrap();
    assert_eq!(h["kind"], "command");
    assert_eq!(h["type"], "plugin");
    assert_eq!(
        recs.iter().filter(|r| r["name"] == "hello").count(),
        1,
        "de-duplicated"
    );
}

#[test]
fn duplicate_plugins_on_path_are_listed_once_first_wins() {
    let mut s = Scenario::new();
    let second = s.dir.path().join("bin2");
    std::fs::create_dir(&second).unwrap();
    s.plugin("hello", HELLO);
    std::fs::copy(s.bin.join("ptest-hello"), second.join("ptest-hello")).unwrap();
    let path = format!(
        "{}:{}:{}",
        s.bin.display(),
        second.display(),
        std::env::var("PATH").unwrap()
    );
    s.env("PATH", path);
    let recs = s.cmd("ptest").arg("--list").run().success().records();
    let hellos: Vec<_> = recs.iter().filter(|r| r["name"] == "hello").collect();
    assert_eq!(hellos.len(), 1);
    assert_eq!(
        hellos[0]["path"],
        s.bin.join("ptest-hello").display().to_string()
    );
}

#[test]
fn unknown_command_is_64_with_a_suggestion() {
    let s = Scenario::new();
    s.plugin("hello", HELLO);
    let r = s.cmd("ptest").arg("helo").run().expect_code(64);
    assert!(
        r.stderr.contains("no such command: `ptest helo`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `ptest hello`"),
        "{}",
        r.stderr
    );
    let r = s.cmd("ptest").arg("confg").run().expect_code(64);
    assert!(r.stderr.contains("`ptest config`"), "{}", r.stderr);
    let r = s
        .cmd("ptest")
        .args(["zzzzqqq", "--json"])
        .run()
        .expect_code(64);
    let e = r.error_record("ptest");
    assert_eq!(e["code"], "usage");
    assert!(r.stderr.contains("no such command"), "{}", r.stderr);
}

#[test]
fn missing_builtin_tool_is_69() {
    let mut s = Scenario::new();
    // A ptest installed alone: no ptest-snap beside it, none on PATH.
    let lone = s.bin.join("ptest");
    std::fs::copy(ptest_shared::testkit::bin_path("ptest"), &lone).unwrap();
    s.env("PATH", format!("{}:/usr/bin:/bin", s.bin.display()));
    let r = s
        .cmd(lone.to_str().unwrap())
        .args(["snap", "ls"])
        .run()
        .expect_code(69);
    assert!(
        r.stderr.contains("ptest-snap") && r.stderr.contains("not installed"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors_are_64_and_help_is_0() {
    let s = Scenario::new();
    s.cmd("ptest")
        .args(["ls", "--no-such-flag"])
        .run()
        .expect_code(64);
    s.cmd("ptest").run().expect_code(64);
    let h = s.cmd("ptest").arg("--help").run().success();
    assert!(
        h.stdout.contains("Exit status:") && h.stdout.contains("75"),
        "{}",
        h.stdout
    );
    s.cmd("ptest").arg("--version").run().success();
}

#[test]
fn help_of_a_tool_runs_its_help() {
    let s = Scenario::new();
    s.plugin("hello", HELLO);
    let r = s.cmd("ptest").args(["help", "hello"]).run().success();
    assert_eq!(r.stdout, "usage: ptest-hello [NAME]\n");
    let r = s.cmd("ptest").args(["help", "gc"]).run().success();
    assert!(r.stdout.contains("owner"), "{}", r.stdout);
    s.cmd("ptest").args(["help", "nope"]).run().expect_code(64);
}

#[test]
fn completions_for_every_shell() {
    let s = Scenario::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let r = s.cmd("ptest").args(["completions", shell]).run().success();
        assert!(r.stdout.contains("doctor"), "{shell}");
    }
    s.cmd("ptest")
        .args(["completions", "tcsh"])
        .run()
        .expect_code(64);
}
