//! `ptest proc run` with real processes, cgroups and namespaces.

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::time::{Duration, Instant};

fn run(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-proc").arg("run").args(args).run()
}

/// A token no other process on the machine carries, to find ours.
fn token() -> String {
    format!(
        "{}.{}",
        1000 + std::process::id() % 1000,
        Instant::now().elapsed().as_nanos() % 1_000_000 + rand_u32() as u128 % 100000
    )
}

fn rand_u32() -> u32 {
    let mut b = [0u8; 4];
    ptest_shared::record::random_bytes(&mut b);
    u32::from_le_bytes(b)
}

/// PIDs of live (non-zombie) `sleep TOKEN` processes.
fn processes_with(token: &str) -> Vec<u32> {
    let needle = format!("sleep {token}");
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let zombie = std::fs::read_to_string(e.path().join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if cmd.trim_end() == needle && !zombie {
            out.push(pid);
        }
    }
    out
}

/// Live processes whose command line mentions `token` anywhere.
fn any_process_mentioning(token: &str) -> Vec<String> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cmd) = std::fs::read(e.path().join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        let zombie = std::fs::read_to_string(e.path().join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        if cmd.contains(token) && !zombie {
            out.push(cmd);
        }
    }
    out
}

fn wait_gone(needle: &str, within: Duration) -> Vec<u32> {
    let until = Instant::now() + within;
    loop {
        let left = processes_with(needle);
        if left.is_empty() || Instant::now() > until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn both_modes() -> [&'static str; 2] {
    ["proc.pid-namespace=on", "proc.pid-namespace=off"]
}

#[test]
fn exit_codes_are_the_commands() {
    let s = Scenario::new();
    run(&s, &["--", "sh", "-c", "exit 3"]).expect_code(3);
    run(&s, &["--", "true"]).success();
    run(&s, &["--", "sh", "-c", "kill -TERM $$"]).expect_code(128 + 15);
    let r = run(&s, &["--", "no-such-command-xyz"]).expect_code(127);
    assert!(
        r.stderr.contains("no-such-command-xyz") && r.stderr.contains("not found"),
        "{}",
        r.stderr
    );
    s.write("work/script.sh", "#!/bin/sh\necho hi\n");
    run(&s, &["--", "./script.sh"]).expect_code(126);
    // Output passes straight through; nothing of ptest's own on stdout.
    let r = run(&s, &["--", "sh", "-c", "echo out; echo err >&2"]).success();
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");
}

#[test]
fn environment_comes_from_the_stream_then_files_then_flags() {
    let s = Scenario::new();
    let venv = s.dir.path().join("venv");
    std::fs::create_dir_all(venv.join("bin")).unwrap();
    std::fs::write(
        venv.join("bin/hello-from-venv"),
        "#!/bin/sh\necho venv-bin \"$VIRTUAL_ENV\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        venv.join("bin/hello-from-venv"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let stream = format!(
        "{}\n{}\n{}\n",
        serde_json::json!({"v":1,"kind":"venv","tool":"ptest-venv","id":"venv-t1","path":venv,"env":{"VIRTUAL_ENV": venv, "A":"from-venv"},"path_prepend":[venv.join("bin")]}),
        serde_json::json!({"v":1,"kind":"port","tool":"ptest-port","id":"port-t1","port":20001,"name":"http","env":{"PTEST_PORT_HTTP":"20001"}}),
        serde_json::json!({"v":1,"kind":"port","tool":"ptest-port","id":"port-t2","port":20002,"name":"db","env":{"PTEST_PORT_DB":"20002","A":"from-port"}}),
    );
    s.write(
        "work/e.env",
        "# vars\nB=from-file\nexport C='quoted value'\n",
    );
    let r = s
        .cmd("ptest-proc")
        .args([
            "run",
            "--env-file",
            "e.env",
            "--env",
            "C=from-flag",
            "--",
            "sh",
            "-c",
            "hello-from-venv; echo $PTEST_PORT_HTTP $PTEST_PORT_DB $A $B \"$C\"; pwd",
        ])
        .stdin(stream)
        .run()
        .success();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], format!("venv-bin {}", venv.display()));
    assert_eq!(lines[1], "20001 20002 from-port from-file from-flag");
    assert_eq!(lines[2], s.work.display().to_string());
    let sub = s.work.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let r = run(&s, &["--cwd", "sub", "--", "pwd"]).success();
    assert_eq!(r.stdout.trim(), sub.display().to_string());
    run(&s, &["--cwd", "nope", "--", "pwd"]).expect_code(66);
    run(&s, &["--env-file", "missing.env", "--", "true"]).expect_code(66);
}

#[test]
fn timeout_kills_a_tree_whose_grandchild_called_setsid() {
    for mode in both_modes() {
        let s = Scenario::new();
        let t = token();
        let start = Instant::now();
        let r = run(
            &s,
            &[
                "--config",
                mode,
                "--timeout",
                "1s",
                "--kill-after",
                "1s",
                "--",
                "sh",
                "-c",
                &format!("setsid sh -c 'trap \"\" TERM; exec sleep {t}' & sleep {t}"),
            ],
        );
        r.expect_code(124);
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{mode}: took {:?}",
            start.elapsed()
        );
        let left = wait_gone(&t, Duration::from_secs(2));
        assert!(left.is_empty(), "{mode}: survivors {left:?}");
    }
}

#[test]
fn background_children_do_not_outlive_the_command() {
    for mode in both_modes() {
        let s = Scenario::new();
        let t = token();
        run(
            &s,
            &[
                "--config",
                mode,
                "--",
                "sh",
                "-c",
                &format!("setsid sleep {t} & (sleep {t} &) ; exit 0"),
            ],
        )
        .success();
        let left = wait_gone(&t, Duration::from_secs(2));
        assert!(left.is_empty(), "{mode}: survivors {left:?}");
    }
}

#[test]
fn sigkill_of_the_supervisor_leaves_no_process_behind() {
    for mode in both_modes() {
        let s = Scenario::new();
        let t = token();
        let mut c = s
            .cmd("ptest-proc")
            .args([
                "run",
                "--config",
                mode,
                "--",
                "sh",
                "-c",
                &format!("setsid sleep {t} & sleep {t} & echo started; wait"),
            ])
            .inner;
        c.stdout(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line, "started\n");
        let until = Instant::now() + Duration::from_secs(2);
        while processes_with(&t).len() < 2 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(processes_with(&t).len(), 2, "{mode}: both sleeps run");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let left = wait_gone(&t, Duration::from_secs(3));
        assert!(left.is_empty(), "{mode}: survivors {left:?}");
        // Nor does anything of ptest-proc's own stay (its init carries the
        // same command line).
        let until = Instant::now() + Duration::from_secs(3);
        let mine = || any_process_mentioning(&t);
        while !mine().is_empty() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(mine().is_empty(), "{mode}: left behind {:?}", mine());
    }
}

#[test]
fn memory_limit_kills_an_allocator_and_says_oom_killed() {
    let s = Scenario::new();
    let report = s.dir.path().join("report.json");
    let r = run(
        &s,
        &[
            "--memory",
            "64M",
            "--report",
            report.to_str().unwrap(),
            "--",
            "python3",
            "-c",
            "b=[]\nwhile True: b.append(bytearray(8*1024*1024))",
        ],
    );
    assert_eq!(r.code(), Some(128 + 9), "{}", r.stderr);
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rec["oom_killed"], true, "{rec}");
    assert_eq!(rec["signal"], 9);
    assert_eq!(rec["limits"]["memory"], 64 << 20);
    assert_eq!(rec["limits"]["enforced_by"], "cgroup");
    assert_eq!(rec["memory_peak_of"], "tree");
    assert!(rec["memory_peak"].as_u64().unwrap() >= 48 << 20, "{rec}");
    // A process that exits 137 on its own is not called OOM-killed.
    run(
        &s,
        &[
            "--memory",
            "64M",
            "--report",
            report.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "exit 137",
        ],
    )
    .expect_code(137);
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(rec["oom_killed"], false);
}

#[test]
fn pids_limit_stops_a_fork_bomb() {
    let s = Scenario::new();
    let t = token();
    // The shell runs out of processes: fork fails and it gives up.
    let r = run(
        &s,
        &[
            "--pids",
            "20",
            "--timeout",
            "10s",
            "--",
            "sh",
            "-c",
            &format!("for i in $(seq 200); do sleep {t} & done; echo spawned-all"),
        ],
    );
    assert_ne!(r.code(), Some(0), "{}", r.stdout);
    assert!(!r.stdout.contains("spawned-all"));
    assert!(r.stderr.to_lowercase().contains("fork"), "{}", r.stderr);
    assert!(wait_gone(&t, Duration::from_secs(2)).is_empty());
    // Count what could run at once: forks fail past the limit.
    let counter = "import os, time\nkids = 0\nfor i in range(100):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n    kids += 1\nprint(kids)";
    let r = run(&s, &["--pids", "20", "--", "python3", "-c", counter]).success();
    let kids: u32 = r.stdout.trim().parse().unwrap();
    assert!(
        (5..20).contains(&kids),
        "children forked under --pids 20: {kids}"
    );
}

#[test]
fn cpus_limit_is_applied() {
    let s = Scenario::new();
    let report = s.dir.path().join("r.json");
    run(
        &s,
        &[
            "--cpus",
            "0.25",
            "--timeout",
            "2s",
            "--kill-after",
            "100ms",
            "--report",
            report.to_str().unwrap(),
            "--",
            "sh",
            "-c",
            "while :; do :; done",
        ],
    )
    .expect_code(124);
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let cpu = rec["cpu_seconds"].as_f64().unwrap();
    assert!(cpu < 1.0, "0.25 CPUs for 2 s used {cpu} s of CPU");
}

#[test]
fn net_none_cannot_reach_the_hosts_loopback_but_has_its_own() {
    let s = Scenario::new();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let probe = format!(
        "import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1); print('reached')\nexcept OSError as e: print('unreachable')\ns=socket.socket(); s.bind(('127.0.0.1', {port})); s.listen(); print('bound')"
    );
    let r = run(&s, &["--net", "none", "--", "python3", "-c", &probe]).success();
    assert_eq!(r.stdout, "unreachable\nbound\n");
    let r = run(&s, &["--", "python3", "-c", &format!("import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1); print('reached')")]).success();
    assert_eq!(r.stdout, "reached\n");
}

#[test]
fn rlimits_user_private_tmp_and_no_new_privileges() {
    let s = Scenario::new();
    let r = run(
        &s,
        &[
            "--rlimit",
            "NOFILE=123",
            "--rlimit",
            "CORE=0",
            "--",
            "sh",
            "-c",
            "ulimit -n; ulimit -c",
        ],
    )
    .success();
    assert_eq!(r.stdout, "123\n0\n");
    let r = run(
        &s,
        &["--user", "65534:65534", "--cwd", "/", "--", "id", "-u"],
    )
    .success();
    assert_eq!(r.stdout, "65534\n");
    let r = run(&s, &["--user", "no-such-user-xyz", "--", "true"]).expect_code(67);
    assert!(r.stderr.contains("no-such-user-xyz"), "{}", r.stderr);
    let r = run(
        &s,
        &[
            "--no-new-privileges",
            "--",
            "grep",
            "NoNewPrivs",
            "/proc/self/status",
        ],
    )
    .success();
    assert!(r.stdout.contains("1"), "{}", r.stdout);
    // With a mount namespace: /tmp itself is private, and so is TMPDIR.
    let marker = format!("ptest-private-{}", token());
    let r = run(
        &s,
        &[
            "--private-tmp",
            "--pid-namespace",
            "--",
            "sh",
            "-c",
            &format!("echo $TMPDIR; touch /tmp/{marker}; ls /tmp; pwd"),
        ],
    )
    .success();
    assert_eq!(
        r.stdout,
        format!("/tmp\n{marker}\n{}\n", s.work.display()),
        "the working directory stays reachable"
    );
    assert!(
        !std::path::Path::new("/tmp").join(&marker).exists(),
        "/tmp was private"
    );
    assert!(
        !s.state
            .join("proc")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some()),
        "the private tmp is removed afterwards"
    );
    // Without: TMPDIR points at the private directory.
    let r = run(
        &s,
        &[
            "--private-tmp",
            "--config",
            "proc.pid-namespace=off",
            "--",
            "sh",
            "-c",
            "echo $TMPDIR; touch $TMPDIR/x; ls $TMPDIR",
        ],
    )
    .success();
    let tmpdir = r.stdout.lines().next().unwrap().to_owned();
    assert!(
        tmpdir.starts_with(&s.state.display().to_string()),
        "{tmpdir}"
    );
    assert_eq!(r.stdout.lines().nth(1), Some("x"));
    assert!(
        !std::path::Path::new(&tmpdir).exists(),
        "the private tmp is removed afterwards"
    );
}

#[test]
fn bad_values_are_64_naming_them() {
    let s = Scenario::new();
    for (args, want) in [
        (&["--timeout", "soon", "--", "true"][..], "soon"),
        (&["--memory", "lots", "--", "true"][..], "lots"),
        (&["--rlimit", "FILES=3", "--", "true"][..], "FILES"),
        (&["--cpus", "zero", "--", "true"][..], "zero"),
        (&["--listen", "web=notaport", "--", "true"][..], "notaport"),
        (&["--env", "1X=2", "--", "true"][..], "1X"),
    ] {
        let r = run(&s, args).expect_code(64);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
    run(&s, &[]).expect_code(64);
}

#[test]
fn json_mode_writes_a_record_and_keeps_output_in_logs() {
    let s = Scenario::new();
    let r = run(
        &s,
        &[
            "--json",
            "--",
            "sh",
            "-c",
            "echo to-out; echo to-err >&2; exit 5",
        ],
    )
    .expect_code(5);
    let e = r.error_record("ptest-proc");
    assert_eq!(e["message"], "the command exited with 5");
    assert!(
        !r.stderr.contains("error"),
        "the command's code is not ptest's error: {}",
        r.stderr
    );
    let recs = r.records_before_error();
    assert_eq!(recs.len(), 1, "{}", r.stdout);
    let rec = &recs[0];
    assert_eq!(rec["kind"], "proc");
    assert_eq!(rec["tool"], "ptest-proc");
    assert_eq!(rec["exit_code"], 5);
    assert!(rec["wall_seconds"].as_f64().unwrap() >= 0.0);
    assert!(rec["cpu_seconds"].is_number());
    let out = std::fs::read_to_string(rec["logs"]["stdout"].as_str().unwrap()).unwrap();
    let err = std::fs::read_to_string(rec["logs"]["stderr"].as_str().unwrap()).unwrap();
    assert_eq!((out.as_str(), err.as_str()), ("to-out\n", "to-err\n"));
    // Piped stdout alone does not switch to records: run ends pipelines,
    // and a failure adds nothing to the command's output.
    let r = run(&s, &["--", "echo", "plain"]).success();
    assert_eq!(r.stdout, "plain\n");
    let r = run(&s, &["--", "sh", "-c", "echo plain; exit 3"]).expect_code(3);
    assert_eq!(r.stdout, "plain\n");
    let r = run(&s, &["--timeout", "soon", "--", "echo", "x"]).expect_code(64);
    assert_eq!(r.stdout, "");
}

#[test]
fn socket_activation_hands_a_listening_socket_to_a_server() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--name", "web", "--range", "13000-13099"])
        .run()
        .success();
    let port = lease.records()[0]["port"].as_u64().unwrap();
    let server = "import os, socket\nassert os.environ['LISTEN_PID'] == str(os.getpid()), os.environ['LISTEN_PID']\nn = int(os.environ['LISTEN_FDS'])\nnames = os.environ['LISTEN_FDNAMES'].split(':')\ns = socket.socket(fileno=3)\nc, _ = s.accept()\nc.sendall(('hello from %s, %d socket(s)\\n' % (names[0], n)).encode())\nc.close()";
    let mut c = s
        .cmd("ptest-proc")
        .args(["run", "--listen", "web", "--", "python3", "-c", server])
        .stdin(lease.stdout.clone())
        .inner;
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), lease.stdout.as_bytes()).unwrap();
    // The port is bound before the server even starts: connect at once.
    let mut conn = None;
    for _ in 0..100 {
        if let Ok(k) = std::net::TcpStream::connect(("127.0.0.1", port as u16)) {
            conn = Some(k);
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut got = String::new();
    std::io::Read::read_to_string(&mut conn.expect("connects"), &mut got).unwrap();
    assert_eq!(got, "hello from web, 1 socket(s)\n");
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn rm_tears_down_the_stream_even_when_the_command_fails() {
    let s = Scenario::new();
    let stream = s
        .cmd("ptest-port")
        .args([
            "lease",
            "--name",
            "a",
            "--name",
            "b",
            "--range",
            "13100-13199",
        ])
        .run()
        .success()
        .stdout;
    assert_eq!(s.cmd("ptest-port").arg("ls").run().records().len(), 2);
    s.cmd("ptest-proc")
        .args(["run", "--rm", "--", "sh", "-c", "exit 9"])
        .stdin(stream.clone())
        .run()
        .expect_code(9);
    assert!(
        s.cmd("ptest-port")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty()
    );
    // And when it cannot even start.
    let stream = s
        .cmd("ptest-port")
        .args(["lease", "--range", "13100-13199"])
        .run()
        .success()
        .stdout;
    s.cmd("ptest-proc")
        .args(["run", "--rm", "--", "no-such-command-xyz"])
        .stdin(stream)
        .run()
        .expect_code(127);
    assert!(
        s.cmd("ptest-port")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty()
    );
}

#[test]
fn port_leases_are_taken_over_for_the_commands_lifetime() {
    let s = Scenario::new();
    let stream = s
        .cmd("ptest-port")
        .args(["lease", "--owner", "none", "--range", "13200-13200"])
        .run()
        .success()
        .stdout;
    let id = serde_json::from_str::<Value>(stream.trim()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = s
        .cmd("ptest-proc")
        .args([
            "run",
            "--",
            "sh",
            "-c",
            "cat \"$PTEST_HOME/registry/$LEASE.json\"",
        ])
        .env("LEASE", &id)
        .stdin(stream)
        .run()
        .success();
    let during: Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert!(
        during["owner"]["pid"].is_u64(),
        "owned by the run while it runs: {during}"
    );
    // The run is over: its lease is free for the next one.
    s.cmd("ptest-port")
        .args(["lease", "--range", "13200-13200"])
        .run()
        .success();
}

#[test]
fn post_proc_exited_hook_gets_the_record() {
    let s = Scenario::new();
    let seen = s.dir.path().join("seen.json");
    s.write(
        "work/ptest.toml",
        &format!(
            "[hooks]\n\"post-proc.exited\" = \"cat > {}\"\n",
            seen.display()
        ),
    );
    run(&s, &["--", "sh", "-c", "exit 4"]).expect_code(4);
    let rec: Value = serde_json::from_str(std::fs::read_to_string(&seen).unwrap().trim()).unwrap();
    assert_eq!(rec["kind"], "proc");
    assert_eq!(rec["exit_code"], 4);
    assert_eq!(rec["command"], serde_json::json!(["sh", "-c", "exit 4"]));
}

#[test]
fn unprivileged_users_get_pid_and_network_namespaces_too() {
    // As `nobody`, through a user namespace of the command's own.
    let dir = tempfile::Builder::new()
        .prefix("ptest-nobody-")
        .tempdir()
        .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    // A copy nobody can run wherever the checkout lives (a 0700 home).
    let bin = dir.path().join("ptest-proc");
    std::fs::copy(ptest_shared::testkit::bin_path("ptest-proc"), &bin).unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new("setpriv")
        .args([
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            "env",
        ])
        .arg(format!("PTEST_HOME={}/state", dir.path().display()))
        .arg(format!("HOME={}", dir.path().display()))
        .arg(&bin)
        .args([
            "run",
            "--pid-namespace",
            "--net",
            "none",
            "--",
            "sh",
            "-c",
            "echo $$; id -u; ls /proc | grep -c '^[0-9]'; grep -c : /proc/net/dev",
        ])
        .current_dir(dir.path())
        .output()
        .expect("setpriv (util-linux) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "2", "the command is PID 2 under its init");
    assert_eq!(lines[1], "65534", "and keeps its own user");
    let procs: u32 = lines[2].parse().unwrap();
    assert!(procs <= 4, "its /proc shows only its namespace: {procs}");
    assert_eq!(lines[3], "1", "only loopback");
}

/// Runs a command that traps `trapped` under `ptest-proc run` (with a 20 s
/// --timeout, so that a signal not passed on fails rather than hangs), waits
/// until it is ready, signals ptest-proc (`group`: its whole process group,
/// as a terminal does) and returns what the command printed then and the
/// exit code.
fn signal_a_run(
    sig: nix::sys::signal::Signal,
    trapped: &str,
    group: bool,
) -> (String, Option<i32>) {
    let s = Scenario::new();
    let script = format!(
        "trap 'echo got-{trapped}; exit 7' {trapped}; echo ready; while :; do sleep 0.05; done"
    );
    let mut c = s
        .cmd("ptest-proc")
        .args(["run", "--timeout", "20s", "--", "sh", "-c", &script])
        .inner;
    if group {
        std::os::unix::process::CommandExt::process_group(&mut c, 0);
    }
    c.stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    if group {
        nix::sys::signal::killpg(pid, sig).unwrap();
    } else {
        nix::sys::signal::kill(pid, sig).unwrap();
    }
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    (rest, child.wait().unwrap().code())
}

#[test]
fn ctrl_c_reaches_the_command_and_its_exit_is_reported() {
    // The terminal sends SIGINT to the whole foreground process group.
    let (said, code) = signal_a_run(nix::sys::signal::Signal::SIGINT, "INT", true);
    assert_eq!(said, "got-INT\n");
    assert_eq!(code, Some(7));
}

#[test]
fn sigterm_to_ptest_is_passed_on_to_the_command() {
    // A CI job's timeout signals ptest alone: the command must hear it.
    let (said, code) = signal_a_run(nix::sys::signal::Signal::SIGTERM, "TERM", false);
    assert_eq!(said, "got-TERM\n");
    assert_eq!(code, Some(7));
}

#[test]
fn private_tmp_works_when_ptest_itself_lives_under_tmp() {
    // The mount over /tmp must not hide ptest-proc's own binary from its init.
    let s = Scenario::new();
    let copy = s.dir.path().join("ptest-proc");
    assert!(
        copy.starts_with(std::env::temp_dir()),
        "the scenario lives under the temp dir"
    );
    std::fs::copy(ptest_shared::testkit::bin_path("ptest-proc"), &copy).unwrap();
    let r = s
        .cmd(copy.to_str().unwrap())
        .args([
            "run",
            "--pid-namespace",
            "--private-tmp",
            "--",
            "sh",
            "-c",
            "echo $TMPDIR",
        ])
        .run()
        .success();
    assert_eq!(r.stdout, "/tmp\n");
}
