//! Failure travels down a pipeline: every command that reads a stream,
//! fed an upstream `error` record or a last line cut short, makes nothing,
//! runs nothing, runs no hooks, passes the failure on and exits with its
//! code (65 for a cut line); teardown (`down`, `rm`, `proc run --rm`) still
//! removes what the stream names.

use ptest_shared::testkit::{Run, Scenario, target_dir};
use serde_json::Value;
use std::path::PathBuf;

const UPSTREAM: &str = r#"{"v":1,"kind":"error","code":"no_input","exit":66,"message":"no image \"postgres:16\" on this engine","tool":"ptest-docker"}"#;

struct Env {
    s: Scenario,
    /// Every hook that runs appends its event here.
    hooks: PathBuf,
    /// A command that runs touches this.
    ran: PathBuf,
}

fn env() -> Env {
    let mut s = Scenario::new();
    let path = format!(
        "{}:{}",
        target_dir().display(),
        std::env::var("PATH").unwrap()
    );
    s.env("PATH", path);
    for k in ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] {
        if let Ok(v) = std::env::var(k) {
            s.env(k, v);
        }
    }
    let hooks = s.dir.path().join("hooks.log");
    let ran = s.dir.path().join("ran");
    let events = [
        "venv.created",
        "venv.removed",
        "port.leased",
        "port.released",
        "proc.ready",
        "proc.exited",
        "container.ready",
        "network.created",
    ];
    let mut toml = String::from("[hooks]\n");
    for e in events {
        for phase in ["pre", "post"] {
            toml.push_str(&format!(
                "\"{phase}-{e}\" = \"echo {phase}-$PTEST_EVENT >> {}\"\n",
                hooks.display()
            ));
        }
    }
    s.write("work/ptest.toml", &toml);
    Env { s, hooks, ran }
}

impl Env {
    /// A real lease, as the first stage of a pipeline would write it.
    fn lease(&self) -> String {
        let r = self
            .s
            .cmd("ptest-port")
            .args(["lease", "--name", "db", "--range", "14100-14199"])
            .run()
            .success();
        std::fs::remove_file(&self.hooks).ok();
        r.stdout.lines().next().unwrap().to_owned()
    }

    fn registered(&self) -> Vec<String> {
        self.s
            .registry()
            .list()
            .unwrap()
            .iter()
            .map(|r| r.id().unwrap().to_owned())
            .collect()
    }

    fn hooks_ran(&self) -> String {
        std::fs::read_to_string(&self.hooks).unwrap_or_default()
    }

    fn run(&self, words: &[&str], stdin: &str) -> Run {
        let ran = self.ran.display().to_string();
        let words: Vec<String> = words.iter().map(|w| w.replace("RAN", &ran)).collect();
        self.s
            .cmd(&words[0])
            .args(&words[1..])
            .stdin(stdin.to_owned())
            .run()
    }
}

/// The commands that make or run something from a stream, and whether they
/// pass the stream through to stdout.
fn makers(wheels: &str) -> Vec<(Vec<String>, bool)> {
    let v = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (v(&["ptest-port", "lease", "--name", "web"]), true),
        (
            v(&[
                "ptest-venv",
                "create",
                "--no-index",
                "-f",
                wheels,
                "--name",
                "made",
            ]),
            true,
        ),
        (v(&["ptest-venv", "install", "made", "x"]), true),
        (v(&["ptest-venv", "sync", "made", "x"]), true),
        (
            v(&["ptest-proc", "start", "--name", "svc", "--", "touch", "RAN"]),
            true,
        ),
        (
            v(&[
                "ptest-docker",
                "create",
                "--image",
                "ptest-test/none:1",
                "--name",
                "made",
            ]),
            true,
        ),
        (v(&["ptest-docker", "network", "create"]), true),
        (v(&["ptest", "registry", "add"]), true),
        (v(&["ptest", "port", "lease"]), true),
        (v(&["ptest-proc", "run", "--", "touch", "RAN"]), false),
    ]
}

#[test]
fn an_upstream_error_stops_every_stage_that_makes_or_runs() {
    let e = env();
    let wheels = e.s.dir.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    for (words, passes) in makers(wheels.to_str().unwrap()) {
        let lease = e.lease();
        let before = e.registered();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let r = e.run(&words, &format!("{lease}\n{UPSTREAM}\n"));
        let r = r.expect_code(66);
        // The failure passed on as the last line, after what came before;
        // no record of its own.
        let want = if passes {
            format!("{lease}\n{UPSTREAM}\n")
        } else {
            String::new()
        };
        assert_eq!(r.stdout, want, "{words:?}");
        assert!(
            r.stderr
                .contains("ptest-docker failed before this stage (exit 66)")
                && r.stderr.contains("nothing was done"),
            "{words:?}: {}",
            r.stderr
        );
        assert!(!e.ran.exists(), "{words:?} ran its command");
        assert_eq!(e.hooks_ran(), "", "{words:?} ran hooks");
        assert_eq!(e.registered(), before, "{words:?} made something");
        e.run(&["ptest", "down"], &format!("{lease}\n")).success();
    }
}

#[test]
fn a_cut_last_line_is_65_and_stops_every_stage_that_makes_or_runs() {
    let e = env();
    let wheels = e.s.dir.path().join("wheels");
    std::fs::create_dir_all(&wheels).unwrap();
    for (words, passes) in makers(wheels.to_str().unwrap()) {
        let lease = e.lease();
        let before = e.registered();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let cut = r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc"#;
        let r = e.run(&words, &format!("{lease}\n{cut}")).expect_code(65);
        assert!(
            r.stderr.contains("stdin:2") && r.stderr.contains("no newline"),
            "{words:?}: {}",
            r.stderr
        );
        if passes {
            // What was whole went on; the cut line never did; then our error.
            assert!(r.stdout.starts_with(&format!("{lease}\n")), "{words:?}");
            assert!(!r.stdout.contains("port-abc"), "{words:?}: {}", r.stdout);
            let tool = if words[0] == "ptest" && words[1] == "port" {
                "ptest-port"
            } else {
                words[0]
            };
            assert_eq!(r.error_record(tool)["code"], "data");
        } else {
            assert_eq!(r.stdout, "", "{words:?}: the command's stdout is its own");
        }
        assert!(!e.ran.exists(), "{words:?} ran its command");
        assert_eq!(e.hooks_ran(), "", "{words:?} ran hooks");
        assert_eq!(e.registered(), before, "{words:?} made something");
        e.run(&["ptest", "down"], &format!("{lease}\n")).success();
    }
}

#[test]
fn proc_run_rm_tears_the_stream_down_whatever_stopped_it() {
    let e = env();
    for (tail, code) in [
        (format!("{UPSTREAM}\n"), 66),
        (r#"{"v":1,"kind":"po"#.to_owned(), 65),
    ] {
        let lease = e.lease();
        assert_eq!(e.registered().len(), 1);
        let r = e
            .run(
                &["ptest-proc", "run", "--rm", "--json", "--", "touch", "RAN"],
                &format!("{lease}\n{tail}"),
            )
            .expect_code(code);
        assert!(!e.ran.exists());
        assert!(e.registered().is_empty(), "--rm tore the lease down");
        assert_eq!(e.hooks_ran(), "post-port.released\n");
        // With --json the failure goes on: the upstream's own record, or ours.
        let rec = r.error_record(if code == 66 {
            "ptest-docker"
        } else {
            "ptest-proc"
        });
        assert_eq!(rec["exit"], code);
        std::fs::remove_file(&e.hooks).ok();
    }
}

#[test]
fn teardown_is_not_stopped_by_an_upstream_error_and_reports_a_cut_line() {
    let e = env();
    // Each teardown command, with the lease it removes (or leaves: not its kind).
    let cases: [(&[&str], bool); 6] = [
        (&["ptest", "down"], true),
        (&["ptest-port", "rm"], true),
        (&["ptest-port", "release"], true),
        (&["ptest-venv", "rm"], false),
        (&["ptest-proc", "rm"], false),
        (&["ptest-proc", "stop"], false),
    ];
    for (words, removes) in cases {
        for (tail, code) in [
            (format!("{UPSTREAM}\n"), 0),
            (r#"{"v":1,"kind":"po"#.to_owned(), 65),
        ] {
            let lease = e.lease();
            let r = e.run(words, &format!("{lease}\n{tail}")).expect_code(code);
            assert_eq!(
                e.registered().is_empty(),
                removes,
                "{words:?}: {}",
                r.stderr
            );
            assert!(!r.stdout.contains(UPSTREAM), "{words:?}: {}", r.stdout);
            if code == 65 {
                assert!(r.stderr.contains("stdin:2"), "{words:?}: {}", r.stderr);
            }
            e.run(&["ptest", "down"], &format!("{lease}\n")).success();
        }
    }
    // docker rm too, with a lease it leaves alone.
    let lease = e.lease();
    e.run(&["ptest-docker", "rm"], &format!("{lease}\n{UPSTREAM}\n"))
        .success();
    e.run(&["ptest-docker", "rm"], &format!("{lease}\n{{\"v\""))
        .expect_code(65);
    e.run(&["ptest", "down"], &format!("{lease}\n")).success();
}

#[test]
fn a_failure_passes_through_a_chain_of_stages_unchanged() {
    let e = env();
    let script = format!(
        "printf '%s\\n' '{UPSTREAM}' | ptest port lease --name a | ptest port lease --name b | ptest proc run --json -- touch {}",
        e.ran.display()
    );
    let r =
        e.s.command("sh")
            .args(["-c", &script])
            .run()
            .expect_code(66);
    assert_eq!(r.stdout, format!("{UPSTREAM}\n"));
    assert!(!e.ran.exists());
    assert!(e.registered().is_empty());
    // Each stage said why it stopped, naming the first failure.
    assert_eq!(
        r.stderr
            .matches("ptest-docker failed before this stage (exit 66)")
            .count(),
        3,
        "{}",
        r.stderr
    );
}

#[test]
fn an_error_record_is_validated_like_any_record() {
    let e = env();
    for (bad, field) in [
        (r#"{"v":1,"kind":"error","message":"m","exit":0}"#, "exit"),
        (r#"{"v":1,"kind":"error","exit":3}"#, "message"),
    ] {
        let r = e
            .run(&["ptest-port", "lease"], &format!("{bad}\n"))
            .expect_code(65);
        assert!(
            r.stderr.contains("stdin:1") && r.stderr.contains(field),
            "{}",
            r.stderr
        );
        assert!(e.registered().is_empty());
    }
    // A plugin's error with only a message is a failure of 1.
    let r = e
        .run(
            &["ptest-port", "lease"],
            "{\"v\":1,\"kind\":\"error\",\"message\":\"plugin broke\"}\n",
        )
        .expect_code(1);
    assert!(r.stderr.contains("plugin broke"), "{}", r.stderr);
}

#[test]
fn records_that_reach_exec_env_or_a_path_are_validated_naming_line_and_field() {
    let e = env();
    let cases = [
        (r#"{"v":1,"kind":"note","env":{"BAD-NAME":"x"}}"#, "env"),
        (r#"{"v":1,"kind":"note","env":{"A":"x\u0000y"}}"#, "NUL"),
        (
            r#"{"v":1,"kind":"note","path_prepend":["relative/bin"]}"#,
            "path_prepend[0]",
        ),
        (
            r#"{"v":1,"kind":"note","path_prepend":["/a:/b"]}"#,
            "path_prepend[0]",
        ),
        (r#"{"v":1,"kind":"port","name":"db","port":70000}"#, "port"),
        (
            r#"{"v":1,"kind":"venv","id":"venv-a","path":"rel"}"#,
            "path",
        ),
        (r#"{"v":1,"kind":"venv","id":"../../x","path":"/v"}"#, "id"),
        (
            r#"{"v":1,"kind":"proc","id":"proc-a","command":["a\u0000b"]}"#,
            "command[0]",
        ),
    ];
    for (bad, field) in cases {
        let stream = format!("{{\"v\":1,\"kind\":\"note\"}}\n{bad}\n");
        let r = e
            .run(&["ptest-proc", "run", "--", "touch", "RAN"], &stream)
            .expect_code(65);
        assert!(
            r.stderr.contains("stdin:2") && r.stderr.contains(field),
            "{bad}: {}",
            r.stderr
        );
        assert!(!e.ran.exists());
    }
    // Unknown kinds and fields still pass through byte for byte.
    let odd = r#"{"v":1,"kind":"x-plugin","weird":[1, 2.50,{"é":null}],"path":"relative"}"#;
    let r = e
        .run(&["ptest", "registry", "add"], &format!("{odd}\n"))
        .success();
    assert_eq!(r.stdout, format!("{odd}\n"));
}

#[test]
fn a_usage_error_ends_a_piped_stdout_with_a_record_too() {
    let e = env();
    let r = e
        .run(&["ptest-port", "lease", "--bogus"], "")
        .expect_code(64);
    let rec = r.error_record("ptest-port");
    assert_eq!(rec["code"], "usage");
    assert!(r.stderr.contains("--bogus"), "{}", r.stderr);
    let stop: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let r = e
        .run(&["ptest-proc", "run", "--", "touch", "RAN"], &r.stdout)
        .expect_code(64);
    assert!(!e.ran.exists(), "{stop}");
    assert!(
        r.stderr.contains("ptest-port failed before this stage"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_stage_that_fails_before_reading_still_passes_the_stream_on_for_teardown() {
    let e = env();
    let mut lease = e.lease();
    for words in [
        &["ptest-port", "lease", "--bogus"][..],
        &["ptest-port", "lease", "--count", "0"],
        &["ptest-venv", "create", "--name", "venv-x"],
        &["ptest-docker", "create", "--image", "Bad/Image"],
        &["ptest-docker", "network", "create", "--name", "-bad"],
        &[
            "ptest-proc",
            "start",
            "--restart",
            "sometimes",
            "--",
            "true",
        ],
        &["ptest", "registry", "add", "--bogus"],
    ] {
        let r = e.run(words, &format!("{lease}\n")).expect_code(64);
        assert!(
            r.stdout.starts_with(&format!("{lease}\n")),
            "{words:?}: {}",
            r.stdout
        );
        assert_eq!(
            r.error_record(if words[0] == "ptest" {
                "ptest"
            } else {
                words[0]
            })["code"],
            "usage"
        );
        // Downstream teardown sees the lease.
        let down = e.run(&["ptest-proc", "run", "--rm", "--", "true"], &r.stdout);
        down.expect_code(64);
        assert!(
            e.registered().is_empty(),
            "{words:?}: the lease was not torn down"
        );
        lease = e.lease();
    }
    // An upstream failure met on the way is the one passed on.
    let r = e
        .run(
            &["ptest-port", "lease", "--bogus"],
            &format!("{lease}\n{UPSTREAM}\n"),
        )
        .expect_code(66);
    assert_eq!(r.stdout, format!("{lease}\n{UPSTREAM}\n"));
}
