//! `ptest proc start` and the commands that manage services.

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::time::{Duration, Instant};

fn proc(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-proc").args(args).run()
}

fn start(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-proc")
        .arg("start")
        .arg("--json")
        .args(args)
        .run()
}

fn alive(pid: u64) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| !s.contains(") Z "))
}

fn until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !f() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn ready_by_log_line_then_stop_leaves_nothing() {
    let s = Scenario::new();
    let r = start(
        &s,
        &[
            "--name",
            "web",
            "--ready-log",
            "listening on",
            "--",
            "sh",
            "-c",
            "sleep 0.3; echo 'listening on 1234'; exec sleep 300",
        ],
    )
    .success();
    let rec = &r.records()[0];
    assert_eq!(rec["kind"], "proc");
    assert_eq!(rec["state"], "running");
    assert!(rec["ready_seconds"].as_f64().unwrap() >= 0.3, "{rec}");
    let pid = rec["pid"].as_u64().unwrap();
    assert!(alive(pid));
    let id = rec["id"].as_str().unwrap();
    proc(&s, &["status", "web"]).success();
    let logs = proc(&s, &["logs", id]).success();
    assert_eq!(logs.stdout, "listening on 1234\n");
    let ls = proc(&s, &["ls", "--format", "human"]).success().stdout;
    assert!(ls.contains("web") && ls.contains("running"), "{ls}");
    proc(&s, &["stop", "web", "--grace", "2s"]).success();
    assert!(!alive(pid));
    proc(&s, &["status", id]).expect_code(3);
    proc(&s, &["stop", "web"]).success(); // idempotent
    proc(&s, &["rm", id]).success();
    proc(&s, &["status", id]).expect_code(66);
    proc(&s, &["logs", id]).expect_code(66);
}

#[test]
fn ready_by_port_http_and_command() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--name", "http", "--range", "13300-13399"])
        .run()
        .success();
    let port = lease.records()[0]["port"].as_u64().unwrap();
    let server = "import http.server, os, time\ntime.sleep(0.3)\nhttp.server.HTTPServer(('127.0.0.1', int(os.environ['PTEST_PORT_HTTP'])), http.server.SimpleHTTPRequestHandler).serve_forever()";
    let r = s
        .cmd("ptest-proc")
        .args([
            "start",
            "--json",
            "--ready-port",
            "http",
            "--ready-http",
            &format!("http://127.0.0.1:{port}/"),
            "--ready-cmd",
            "test -n \"$PTEST_PORT_HTTP\"",
            "--",
            "python3",
            "-c",
            server,
        ])
        .stdin(lease.stdout.clone())
        .run()
        .success();
    let recs = r.records();
    assert_eq!(
        recs.len(),
        2,
        "the lease passes through, then the service: {}",
        r.stdout
    );
    assert_eq!(recs[0]["kind"], "port");
    let body = std::net::TcpStream::connect(("127.0.0.1", port as u16));
    assert!(body.is_ok());
    proc(&s, &["rm", recs[1]["id"].as_str().unwrap()]).success();
}

#[test]
fn readiness_timeout_is_124_with_the_log_tail_and_nothing_left() {
    let s = Scenario::new();
    let r = start(
        &s,
        &[
            "--ready-log",
            "never printed",
            "--ready-timeout",
            "1s",
            "--",
            "sh",
            "-c",
            "echo booting; echo 'config error' >&2; exec sleep 300",
        ],
    )
    .expect_code(124);
    assert!(
        r.stderr.contains("booting") && r.stderr.contains("config error"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("never printed"), "{}", r.stderr);
    let ls = proc(&s, &["ls"]).success().records();
    for rec in ls {
        assert_ne!(rec["state"], "running", "{rec}");
        if let Some(pid) = rec["pid"].as_u64() {
            assert!(!alive(pid), "the service was stopped");
        }
    }
}

#[test]
fn a_service_that_dies_before_ready_is_1() {
    let s = Scenario::new();
    let r = start(
        &s,
        &[
            "--ready-port",
            "13499",
            "--",
            "sh",
            "-c",
            "echo 'bad flag' >&2; exit 2",
        ],
    )
    .expect_code(1);
    assert!(
        r.stderr.contains("bad flag") && r.stderr.contains("status 2"),
        "{}",
        r.stderr
    );
}

#[test]
fn restart_on_failure_with_a_limit_and_always() {
    let s = Scenario::new();
    let count = s.dir.path().join("count");
    let script = format!("echo x >> {}; exit 1", count.display());
    let r = start(
        &s,
        &[
            "--restart",
            "on-failure",
            "--restart-limit",
            "2",
            "--",
            "sh",
            "-c",
            &script,
        ],
    )
    .success();
    let id = r.records()[0]["id"].as_str().unwrap().to_owned();
    until("the service to give up", Duration::from_secs(10), || {
        proc(&s, &["status", "--json", &id]).records()[0]["state"] == "failed"
    });
    assert_eq!(
        std::fs::read_to_string(&count).unwrap().lines().count(),
        3,
        "first run and two restarts"
    );
    let st = proc(&s, &["status", "--json", &id]).records()[0].clone();
    assert_eq!(st["restarts"], 2);
    assert_eq!(st["exit_code"], 1);

    // on-failure does not restart a clean exit; always does.
    let ok = s.dir.path().join("ok");
    let r = start(
        &s,
        &[
            "--restart",
            "on-failure",
            "--",
            "sh",
            "-c",
            &format!("echo x >> {}", ok.display()),
        ],
    )
    .success();
    let id = r.records()[0]["id"].as_str().unwrap().to_owned();
    until("exit", Duration::from_secs(5), || {
        proc(&s, &["status", "--json", &id]).records()[0]["state"] == "exited"
    });
    assert_eq!(std::fs::read_to_string(&ok).unwrap().lines().count(), 1);
    let al = s.dir.path().join("always");
    let r = start(
        &s,
        &[
            "--restart",
            "always",
            "--restart-limit",
            "1",
            "--",
            "sh",
            "-c",
            &format!("echo x >> {}", al.display()),
        ],
    )
    .success();
    let id = r.records()[0]["id"].as_str().unwrap().to_owned();
    until("exit", Duration::from_secs(5), || {
        proc(&s, &["status", "--json", &id]).records()[0]["state"] == "exited"
    });
    assert_eq!(std::fs::read_to_string(&al).unwrap().lines().count(), 2);
}

#[test]
fn a_stale_pid_file_never_signals_an_unrelated_process() {
    let s = Scenario::new();
    let r = start(&s, &["--", "sleep", "300"]).success();
    let rec = r.records()[0].clone();
    let id = rec["id"].as_str().unwrap();
    proc(&s, &["stop", id]).success();
    // The PID is reused by an unrelated process: write its PID, keep the old start time.
    let mut other = std::process::Command::new("sleep")
        .arg("300")
        .spawn()
        .unwrap();
    let file = s.state.join(format!("registry/{id}.json"));
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    v["pid"] = other.id().into();
    v["state"] = "running".into();
    v["supervisor"]["pid"] = other.id().into();
    std::fs::write(&file, v.to_string()).unwrap();
    proc(&s, &["stop", id]).success();
    proc(&s, &["rm", id]).success();
    proc(&s, &["gc"]).success();
    assert!(
        other.try_wait().unwrap().is_none(),
        "the unrelated process was signalled"
    );
    other.kill().unwrap();
    other.wait().unwrap();
}

#[test]
fn a_service_stops_when_its_owner_exits() {
    let s = Scenario::new();
    let mut owner = std::process::Command::new("sleep")
        .arg("300")
        .spawn()
        .unwrap();
    let r = start(
        &s,
        &["--owner", &owner.id().to_string(), "--", "sleep", "300"],
    )
    .success();
    let pid = r.records()[0]["pid"].as_u64().unwrap();
    assert!(alive(pid));
    owner.kill().unwrap();
    owner.wait().unwrap();
    until(
        "the service to stop after its owner",
        Duration::from_secs(5),
        || !alive(pid),
    );
    // And ptest gc forgets it.
    let ev = s.cmd("ptest").arg("gc").run().success().records();
    assert_eq!(ev.len(), 1, "{ev:?}");
}

#[test]
fn ptest_down_stops_services_of_a_stream() {
    let s = Scenario::new();
    let stream = s
        .cmd("ptest-proc")
        .args(["start", "--json", "--", "sleep", "300"])
        .run()
        .success()
        .stdout;
    let pid = serde_json::from_str::<Value>(stream.trim()).unwrap()["pid"]
        .as_u64()
        .unwrap();
    s.cmd("ptest").arg("down").stdin(stream).run().success();
    assert!(!alive(pid));
    assert!(proc(&s, &["ls"]).success().records().is_empty());
}

#[test]
fn logs_follow_prints_until_the_service_is_gone() {
    let s = Scenario::new();
    let r = start(
        &s,
        &[
            "--",
            "sh",
            "-c",
            "for i in 1 2 3; do echo line $i; sleep 0.2; done",
        ],
    )
    .success();
    let id = r.records()[0]["id"].as_str().unwrap().to_owned();
    let out = proc(&s, &["logs", "--follow", &id]).success().stdout;
    assert_eq!(out, "line 1\nline 2\nline 3\n");
}

#[test]
fn the_supervisor_rereads_its_configuration_and_sighup_does_not_stop_it() {
    let s = Scenario::new();
    let r = start(
        &s,
        &[
            "--restart",
            "always",
            "--restart-limit",
            "50",
            "--",
            "sh",
            "-c",
            "sleep 0.3; exit 1",
        ],
    )
    .success();
    let rec = r.records()[0].clone();
    let id = rec["id"].as_str().unwrap().to_owned();
    let sup = proc(&s, &["status", "--json", &id]).records()[0]["supervisor"]["pid"]
        .as_u64()
        .unwrap();
    // A hook configured after the start is picked up when the file changes.
    let seen = s.dir.path().join("exits");
    s.write(
        "work/ptest.toml",
        &format!(
            "[hooks]\n\"post-proc.exited\" = \"echo exited >> {}\"\n",
            seen.display()
        ),
    );
    until("the new hook to run", Duration::from_secs(8), || {
        std::fs::read_to_string(&seen).is_ok_and(|t| !t.is_empty())
    });
    // SIGHUP means "reload", not "stop": while the command runs and while
    // the supervisor waits to restart it (the command exits every 0.3 s,
    // so ten signals 0.1 s apart land in both).
    for _ in 0..10 {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(sup as i32),
            nix::sys::signal::Signal::SIGHUP,
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(alive(sup), "the supervisor survives SIGHUP");
    let st = proc(&s, &["status", "--json", &id]).records()[0]["state"].clone();
    assert!(st == "running" || st == "restarting", "{st}");
    proc(&s, &["rm", &id]).success();
    assert!(!alive(sup));
}

#[test]
fn ready_http_path_goes_to_the_port_it_names_or_the_one_lease() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--name", "web", "--range", "13400-13499"])
        .run()
        .success();
    let server = "import http.server, os, time\ntime.sleep(0.2)\nhttp.server.HTTPServer(('127.0.0.1', int(os.environ['PTEST_PORT_WEB'])), http.server.SimpleHTTPRequestHandler).serve_forever()";
    // PATH alone: the stream's one lease; NAME:PATH: the lease named.
    for http in ["/", "web:/"] {
        let r = s
            .cmd("ptest-proc")
            .args(["start", "--json", "--ready-http", http, "--"])
            .args(["python3", "-c", server])
            .stdin(lease.stdout.clone())
            .run()
            .success();
        let rec = &r.records()[1];
        assert_eq!(rec["state"], "running", "{rec}");
        assert!(rec["ready_seconds"].as_f64().unwrap() >= 0.2, "{rec}");
        proc(&s, &["rm", rec["id"].as_str().unwrap()]).success();
    }
    // No lease to go to, or a lease the stream does not hold: usage errors,
    // and nothing started.
    for (http, stdin, says) in [
        ("/", String::new(), "name the port"),
        ("db:/", lease.stdout.clone(), "\"db\""),
    ] {
        let r = s
            .cmd("ptest-proc")
            .args(["start", "--ready-http", http, "--", "sleep", "300"])
            .stdin(stdin)
            .run()
            .expect_code(64);
        assert!(r.stderr.contains(says), "{}", r.stderr);
    }
    let ls = proc(&s, &["ls", "--json"]).success().records();
    assert!(ls.is_empty(), "{ls:?}");
}

#[test]
fn ctrl_c_while_waiting_for_readiness_stops_the_service() {
    let s = Scenario::new();
    let mut c = s.cmd("ptest-proc").args([
        "start",
        "--json",
        "--name",
        "intr",
        "--ready-log",
        "never printed",
        "--",
        "sleep",
        "300",
    ]);
    let child = c
        .inner
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pid = 0;
    until("the service to run", Duration::from_secs(10), || {
        let r = proc(&s, &["status", "intr", "--json"]);
        if r.code() == Some(0) {
            pid = r.records()[0]["pid"].as_u64().unwrap_or(0);
        }
        pid != 0
    });
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted by SIGINT"), "{err}");
    assert!(!err.contains("last lines"), "no log tail: {err}");
    let rec: Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(rec["kind"], "error");
    until("the service to stop", Duration::from_secs(10), || {
        !alive(pid)
    });
    proc(&s, &["status", "intr"]).expect_code(3);
}
