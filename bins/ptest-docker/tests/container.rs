//! ptest-docker create and the commands on containers, against the real
//! engine, with a busybox image the tests import themselves. The docker CLI
//! is used only to check what ptest made.

mod common;

use common::Cleanup;

use ptest_shared::testkit::{Run, Scenario};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

fn docker(args: &[&str]) -> String {
    let out = Command::new("docker").args(args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn create(s: &Scenario, args: &[&str]) -> Run {
    let image = common::busybox_image();
    s.cmd("ptest-docker")
        .args(["create", "--json", "--image", &image])
        .args(args)
        .run()
}

fn http_get(port: u64, path: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port as u16)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\n\r\n").unwrap();
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}

const WEB: &str =
    "mkdir -p /www && echo hello-from-busybox > /www/index.html && exec httpd -f -p 8080 -h /www";

#[test]
fn a_web_container_is_ready_published_on_loopback_and_described() {
    let s = Scenario::new();
    let r = create(
        &s,
        &[
            "--name",
            "web",
            "--port",
            "8080",
            "--ready-http",
            "/",
            "--",
            "sh",
            "-c",
            WEB,
        ],
    )
    .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    let c = &recs[0];
    assert_eq!(c["kind"], "container");
    assert_eq!(c["tool"], "ptest-docker");
    assert_eq!(c["name"], "web");
    let port = c["ports"][0]["host_port"].as_u64().unwrap();
    assert_eq!(c["ports"][0]["host_ip"], "127.0.0.1");
    assert_eq!(c["env"]["PTEST_WEB_HOST"], "127.0.0.1");
    assert_eq!(c["env"]["PTEST_WEB_PORT_8080"], port.to_string());
    assert!(http_get(port, "/").contains("hello-from-busybox"));
    // Published on 127.0.0.1 only, as the engine itself says.
    let id = c["container_id"].as_str().unwrap();
    let bindings = docker(&["inspect", "-f", "{{json .HostConfig.PortBindings}}", id]);
    assert!(bindings.contains("\"HostIp\":\"127.0.0.1\""), "{bindings}");
    // Labelled for its owner.
    let owner = docker(&[
        "inspect",
        "-f",
        "{{index .Config.Labels \"ptest.owner\"}}",
        id,
    ]);
    assert!(owner.contains(':'), "{owner}");
    // Listed, and removed by id.
    let ls = s
        .cmd("ptest-docker")
        .args(["ls", "--json"])
        .run()
        .success()
        .records();
    assert_eq!(ls[0]["state"], "running");
    s.cmd("ptest-docker")
        .args(["rm", c["id"].as_str().unwrap()])
        .run()
        .success();
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("id={id}")]), "");
}

#[test]
fn a_leased_port_from_the_stream_is_the_published_port() {
    let s = Scenario::new();
    let lease = s
        .cmd("ptest-port")
        .args(["lease", "--json", "--name", "db", "--range", "14000-14099"])
        .run()
        .success();
    let leased = lease.records()[0]["port"].as_u64().unwrap();
    let image = common::busybox_image();
    let r = s
        .cmd("ptest-docker")
        .args([
            "create",
            "--json",
            "--image",
            &image,
            "--name",
            "db",
            "--port",
            "8080=db",
            // The lease's name stands for the container port published on it.
            "--ready-port",
            "db",
            "--ready-http",
            "db:/index.html",
            "--",
            "sh",
            "-c",
            WEB,
        ])
        .stdin(lease.stdout.clone())
        .run()
        .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    assert_eq!(recs[0]["kind"], "port", "the lease passes through first");
    assert_eq!(recs[1]["ports"][0]["host_port"].as_u64(), Some(leased));
    assert!(http_get(leased, "/").contains("hello-from-busybox"));
    // A lease name that is not in the stream is a usage error, before anything is made.
    let r = create(&s, &["--port", "8080=nope", "--", "sleep", "30"]).expect_code(64);
    assert!(r.stderr.contains("nope"), "{}", r.stderr);
    // So is a readiness port on a lease no --port publishes on.
    let r = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "nolease"])
        .args(["--ready-port", "db", "--", "sleep", "30"])
        .stdin(lease.stdout.clone())
        .run()
        .expect_code(64);
    assert!(r.stderr.contains("--ready-port db"), "{}", r.stderr);
    let left = docker(&["ps", "-aq", "--filter", "label=ptest.name=nolease"]);
    assert_eq!(left, "", "nothing was made");
}

#[test]
fn readiness_by_log_port_and_command_and_failures_with_log_tail() {
    let s = Scenario::new();
    let start = Instant::now();
    let r = create(
        &s,
        &[
            "--ready-log",
            "^ready now$",
            "--",
            "sh",
            "-c",
            "sleep 1; echo ready now; exec sleep 300",
        ],
    )
    .success();
    let a = r.records();
    let _a = Cleanup(&s, a.clone());
    assert!(
        start.elapsed() >= Duration::from_millis(900),
        "returned before the log line"
    );
    let logs = s
        .cmd("ptest-docker")
        .args(["logs", a[0]["id"].as_str().unwrap(), "--tail", "1"])
        .run()
        .success();
    assert_eq!(logs.stdout, "ready now\n");
    let r = create(
        &s,
        &[
            "--ready-port",
            "9000",
            "--",
            "sh",
            "-c",
            "sleep 1; exec nc -ll -p 9000 -e cat",
        ],
    )
    .success();
    let _b = Cleanup(&s, r.records());
    let r = create(
        &s,
        &[
            "--ready-cmd",
            "test -f /tmp/ok",
            // Given together, every check must hold.
            "--ready-log",
            "^touched$",
            "--",
            "sh",
            "-c",
            "sleep 1; touch /tmp/ok; echo touched; exec sleep 300",
        ],
    )
    .success();
    let _c = Cleanup(&s, r.records());
    // Never ready: 124, the log tail, and nothing left behind.
    let name = format!("slow{}", std::process::id());
    let r = create(
        &s,
        &[
            "--name",
            &name,
            "--ready-log",
            "never",
            "--ready-timeout",
            "2s",
            "--",
            "sh",
            "-c",
            "echo starting up; echo still busy; exec sleep 300",
        ],
    )
    .expect_code(124);
    assert!(
        r.stderr.contains("still busy") && r.stderr.contains("never"),
        "{}",
        r.stderr
    );
    let left = docker(&["ps", "-aq", "--filter", &format!("label=ptest.name={name}")]);
    assert_eq!(left, "", "the failed container was removed");
    // Exits before ready: 1.
    let r = create(
        &s,
        &[
            "--ready-port",
            "9000",
            "--",
            "sh",
            "-c",
            "echo bad config >&2; exit 3",
        ],
    )
    .expect_code(1);
    assert!(
        r.stderr.contains("bad config") && r.stderr.contains("exited with status 3"),
        "{}",
        r.stderr
    );
}

#[test]
fn limits_are_what_the_engine_enforces_and_oom_is_reported_from_its_state() {
    let s = Scenario::new();
    let r = create(
        &s,
        &[
            "--memory", "64M", "--cpus", "0.5", "--pids", "50", "--", "sleep", "300",
        ],
    )
    .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    let id = recs[0]["container_id"].as_str().unwrap();
    let hc = docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}",
        id,
    ]);
    assert_eq!(hc, format!("{} 500000000 50", 64 << 20));
    assert_eq!(recs[0]["limits"]["memory_bytes"], 64 << 20);
    // An allocation beyond the limit: killed by the kernel, reported as such.
    let r = create(
        &s,
        &[
            "--name",
            "hog",
            "--memory",
            "32M",
            "--",
            "sh",
            "-c",
            "sleep 1; x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo $x | wc -c",
        ],
    )
    .success();
    let hog = r.records();
    let _h = Cleanup(&s, hog.clone());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ls = s
            .cmd("ptest-docker")
            .args(["ls", "--json"])
            .run()
            .success()
            .records();
        let me = ls.iter().find(|c| c["id"] == hog[0]["id"]).unwrap().clone();
        if me["state"] == "exited" {
            assert_eq!(me["oom_killed"], true, "{me}");
            break;
        }
        assert!(Instant::now() < deadline, "the hog never ended: {me}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn strict_security_drops_everything() {
    let s = Scenario::new();
    let r = create(&s, &["--security", "strict", "--", "sleep", "300"]).success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    let id = recs[0]["container_id"].as_str().unwrap();
    let hc = docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.CapDrop}} {{.HostConfig.ReadonlyRootfs}} {{.HostConfig.SecurityOpt}} {{.Config.User}} {{.HostConfig.PidsLimit}}",
        id,
    ]);
    assert_eq!(hc, "[ALL] true [no-new-privileges] 65534:65534 256");
    let pid = recs[0]["id"].as_str().unwrap();
    let r = s
        .cmd("ptest-docker")
        .args([
            "exec",
            pid,
            "--",
            "sh",
            "-c",
            "id -u; touch /x 2>/dev/null || echo ro; touch /tmp/y && echo tmp-ok",
        ])
        .run()
        .success();
    assert_eq!(r.stdout, "65534\nro\ntmp-ok\n");
}

#[test]
fn exec_returns_the_commands_exit_code_and_streams_its_output() {
    let s = Scenario::new();
    let r = create(&s, &["--name", "box", "--", "sleep", "300"]).success();
    let _c = Cleanup(&s, r.records());
    let r = s
        .cmd("ptest-docker")
        .args([
            "exec",
            "box",
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ])
        .run()
        .expect_code(3);
    assert_eq!(r.stdout, "out\n");
    assert_eq!(r.stderr, "err\n");
    let r = s.cmd("ptest-docker").args(["logs", "box"]).run().success();
    assert_eq!(r.stdout, "");
    s.cmd("ptest-docker")
        .args(["exec", "nosuch", "--", "true"])
        .run()
        .expect_code(66);
}

#[test]
fn no_network_and_an_isolated_one_cannot_reach_a_host_listener() {
    let s = Scenario::new();
    let listener = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for c in listener.incoming().flatten() {
            let mut c = c;
            let _ = c.write_all(b"HTTP/1.0 200 OK\r\n\r\nhost-secret\n");
        }
    });
    // How a container sees the host: its default route on a bridge, its
    // network's gateway address (the host's side of the bridge) otherwise.
    let run = |net: &str| {
        let r = create(&s, &["--network", net, "--", "sleep", "300"]).success();
        let recs = r.records();
        let c = recs
            .iter()
            .find(|r| r["kind"] == "container")
            .unwrap()
            .clone();
        let gw = recs
            .iter()
            .find(|r| r["kind"] == "network")
            .map(|n| n["gateway"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| "$(ip route | awk '/^default/ {print $3}')".into());
        // (busybox's static wget crashes in getaddrinfo; nc does not.)
        let probe =
            format!("gw={gw}; sleep 1 | nc -w 2 ${{gw:-172.17.0.1}} {port} || echo unreachable");
        let out = s
            .cmd("ptest-docker")
            .args(["exec", c["id"].as_str().unwrap(), "--", "sh", "-c", &probe])
            .run();
        (out.stdout, recs)
    };
    let (out, recs) = run("bridge");
    let _a = Cleanup(&s, recs);
    assert!(
        out.contains("host-secret"),
        "a plain bridge reaches the host: {out}"
    );
    let (out, recs) = run("none");
    let _b = Cleanup(&s, recs);
    assert!(out.contains("unreachable"), "{out}");
    let (out, recs) = run("isolated");
    assert_eq!(
        recs.iter().filter(|r| r["kind"] == "network").count(),
        1,
        "its own network"
    );
    let net = recs.iter().find(|r| r["kind"] == "network").unwrap()["network_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(out.contains("unreachable"), "{out}");
    drop(Cleanup(&s, recs));
    assert_eq!(
        docker(&["network", "ls", "-q", "--filter", &format!("id={net}")]),
        "",
        "the network went with it"
    );
    // The host still reaches into an isolated network: readiness works.
    let r = create(
        &s,
        &[
            "--network",
            "isolated",
            "--ready-port",
            "9000",
            "--",
            "sh",
            "-c",
            "exec nc -ll -p 9000 -e cat",
        ],
    )
    .success();
    drop(Cleanup(&s, r.records()));
}

#[test]
fn sigkill_of_the_owner_removes_its_containers_volume_and_network_within_seconds() {
    let s = Scenario::new();
    let mut owner = Command::new("sleep").arg("300").spawn().unwrap();
    let pid = owner.id().to_string();
    let r = create(
        &s,
        &[
            "--owner",
            &pid,
            "--count",
            "2",
            "--network",
            "isolated",
            "--volume",
            &format!("kv{pid}:/data"),
            "--",
            "sleep",
            "300",
        ],
    )
    .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    let kinds: Vec<&str> = recs.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["network", "volume", "container", "container"]);
    let first = &recs[2];
    let filter = format!("label=ptest.owner={}", first["owner"]["pid"]);
    assert!(filter.ends_with(&pid));
    let label = docker(&[
        "inspect",
        "-f",
        "{{index .Config.Labels \"ptest.owner\"}}",
        first["container_id"].as_str().unwrap(),
    ]);
    let filter = format!("label=ptest.owner={label}");
    assert_eq!(
        docker(&["ps", "-q", "--filter", &filter]).lines().count(),
        2
    );
    owner.kill().unwrap(); // SIGKILL
    let killed = Instant::now();
    owner.wait().unwrap();
    loop {
        let left = docker(&["ps", "-aq", "--filter", &filter]).lines().count()
            + docker(&["network", "ls", "-q", "--filter", &filter])
                .lines()
                .count()
            + docker(&["volume", "ls", "-q", "--filter", &filter])
                .lines()
                .count();
        if left == 0 {
            break;
        }
        assert!(
            killed.elapsed() < Duration::from_secs(10),
            "{left} objects outlived their owner"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("all gone {:?} after the SIGKILL", killed.elapsed());
    let left = s
        .cmd("ptest-docker")
        .args(["ls", "--json"])
        .run()
        .success()
        .records();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn gc_removes_expired_containers() {
    let s = Scenario::new();
    let r = create(
        &s,
        &["--owner", "none", "--ttl", "1s", "--", "sleep", "300"],
    )
    .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    std::thread::sleep(Duration::from_millis(1500));
    let r = s.cmd("ptest-docker").args(["gc", "--json"]).run().success();
    let events = r.records();
    assert!(
        events
            .iter()
            .any(|e| e["id"] == recs[0]["id"] && e["reason"] == "expired"),
        "{events:?}"
    );
    let id = recs[0]["container_id"].as_str().unwrap();
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("id={id}")]), "");
}

#[test]
fn twenty_at_once_are_all_ready_and_ptest_down_removes_the_stream() {
    let s = Scenario::new();
    let r = create(
        &s,
        &[
            "--count",
            "20",
            "--name",
            "w",
            "--ready-cmd",
            "true",
            "--",
            "sleep",
            "300",
        ],
    )
    .success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    assert_eq!(recs.len(), 20);
    let names: std::collections::BTreeSet<&str> =
        recs.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 20);
    assert_eq!(
        docker(&["ps", "-q", "--filter", "label=ptest.name=w-19"])
            .lines()
            .count(),
        1
    );
    s.cmd("ptest")
        .arg("down")
        .stdin(r.stdout.clone())
        .run()
        .success();
    for rec in &recs {
        let id = rec["container_id"].as_str().unwrap();
        assert_eq!(docker(&["ps", "-aq", "--filter", &format!("id={id}")]), "");
    }
}

#[test]
fn bad_input_and_an_unreachable_engine() {
    let s = Scenario::new();
    let r = s
        .cmd("ptest-docker")
        .args(["create", "--image", "no/such:image", "--", "true"])
        .run()
        .expect_code(66);
    assert!(
        r.stderr.contains("no/such:image") && r.stderr.contains("import"),
        "{}",
        r.stderr
    );
    create(&s, &["--memory", "lots", "--", "true"]).expect_code(64);
    create(&s, &["--port", "http", "--", "true"]).expect_code(64);
    let r = s
        .cmd("ptest-docker")
        .args(["ls"])
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        .run()
        .expect_code(69);
    assert!(
        r.stderr.contains("/nonexistent/docker.sock"),
        "{}",
        r.stderr
    );
}

#[test]
fn gc_is_the_second_line_of_defence_when_the_guardian_is_gone_too() {
    let s = Scenario::new();
    let mut owner = Command::new("sleep").arg("300").spawn().unwrap();
    let pid = owner.id();
    let r = create(&s, &["--owner", &pid.to_string(), "--", "sleep", "300"]).success();
    let recs = r.records();
    let _c = Cleanup(&s, recs.clone());
    // Kill the owner's guardian first (as a tree-killing supervisor would),
    // then the owner: nothing removes the container but gc.
    let guards = Command::new("pgrep")
        .args(["-f", &format!("__guard {pid}:")])
        .output()
        .unwrap();
    let guards = String::from_utf8_lossy(&guards.stdout).to_string();
    assert!(!guards.trim().is_empty(), "a guardian watches the owner");
    for g in guards.split_whitespace() {
        let _ = Command::new("kill").args(["-9", g]).status();
    }
    owner.kill().unwrap();
    owner.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let id = recs[0]["container_id"].as_str().unwrap();
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("id={id}")])
            .lines()
            .count(),
        1
    );
    let events = s
        .cmd("ptest-docker")
        .args(["gc", "--json"])
        .run()
        .success()
        .records();
    assert!(
        events
            .iter()
            .any(|e| e["id"] == recs[0]["id"] && e["reason"] == "owner-dead"),
        "{events:?}"
    );
    assert_eq!(docker(&["ps", "-aq", "--filter", &format!("id={id}")]), "");
}

#[test]
fn one_guardian_per_owner_holding_none_of_its_callers_descriptors() {
    // A caller's descriptor without close-on-exec (make's jobserver pipe, a
    // CI runner's log pipe) must not live on in the guardian: whoever reads
    // it to its end would wait for the guardian to exit.
    let s = Scenario::new();
    let mut owner = Command::new("sleep").arg("300").spawn().unwrap();
    let pid = owner.id().to_string();
    let fifo = s.write("x", "").with_file_name("inherited.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    let image = common::busybox_image();
    let mut made = Vec::new();
    for _ in 0..2 {
        // fd 9: opened by the shell, inherited by everything it starts.
        let r = s
            .command("sh")
            .args([
                "-c",
                "exec 9>\"$1\"; shift; exec \"$@\"",
                "sh",
                fifo.to_str().unwrap(),
            ])
            .arg(ptest_shared::testkit::bin_path("ptest-docker"))
            .args(["create", "--json", "--image", &image, "--owner", &pid])
            .args(["--", "sleep", "300"])
            .run()
            .success();
        made.extend(r.records());
    }
    let _c = Cleanup(&s, made.clone());
    let guards = Command::new("pgrep")
        .args(["-f", &format!("__guard {pid}:")])
        .output()
        .unwrap();
    let guards = String::from_utf8_lossy(&guards.stdout).to_string();
    assert_eq!(
        guards.split_whitespace().count(),
        1,
        "one guardian for both creates: {guards:?}"
    );
    // Every writer is gone: the reader sees the end (0), not EAGAIN.
    let mut buf = [0u8; 8];
    match (&reader).read(&mut buf) {
        Ok(0) => {}
        other => panic!("the guardian kept the caller's pipe open: {other:?}"),
    }
    // And it still does its job.
    owner.kill().unwrap();
    owner.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    for r in &made {
        let id = r["container_id"].as_str().unwrap();
        while !docker(&["ps", "-aq", "--filter", &format!("id={id}")]).is_empty() {
            assert!(Instant::now() < deadline, "{id} outlived its owner");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn ctrl_c_or_sigterm_during_create_removes_what_it_made() {
    let s = Scenario::new();
    // An owner that outlives the test's interrupts: only create's own undo
    // can remove anything here, not the guardian.
    let mut owner = Command::new("sleep").arg("300").spawn().unwrap();
    let image = common::busybox_image();
    for (sig, code, name) in [
        (nix::sys::signal::Signal::SIGINT, 130, "SIGINT"),
        (nix::sys::signal::Signal::SIGTERM, 143, "SIGTERM"),
    ] {
        let tag = format!("intr{}-{code}", owner.id());
        let mut c = s.cmd("ptest-docker").args([
            "create",
            "--json",
            "--image",
            &image,
            "--name",
            &tag,
            "--owner",
            &owner.id().to_string(),
            "--count",
            "2",
            "--network",
            "isolated",
            "--ready-log",
            "never printed",
            "--",
            "sleep",
            "300",
        ]);
        let mut child = c
            .inner
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let containers = || {
            docker(&["ps", "-aq", "--filter", &format!("name=ptest-{tag}-")])
                .lines()
                .count()
        };
        let networks = || {
            docker(&[
                "network",
                "ls",
                "-q",
                "--filter",
                &format!("label=ptest.name={tag}"),
            ])
            .lines()
            .count()
        };
        // Both containers made and waiting to be ready.
        let deadline = Instant::now() + Duration::from_secs(30);
        while containers() < 2 {
            assert!(Instant::now() < deadline, "the containers never came");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert_eq!(networks(), 1);
        let sent = Instant::now();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
        let out = loop {
            if child.try_wait().unwrap().is_some() {
                break child.wait_with_output().unwrap();
            }
            assert!(
                sent.elapsed() < Duration::from_secs(15),
                "create did not stop on {name}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert!(err.contains(&format!("interrupted by {name}")), "{err}");
        // Nothing is reported made; the interruption travels downstream.
        let stdout = String::from_utf8_lossy(&out.stdout);
        let rec: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&stdout);
        assert_eq!(
            (
                rec["kind"].as_str(),
                rec["code"].as_str(),
                rec["exit"].as_i64()
            ),
            (Some("error"), Some("signal"), Some(i64::from(code))),
            "{stdout}"
        );
        assert_eq!(containers(), 0, "containers left after {name}");
        assert_eq!(networks(), 0, "network left after {name}");
    }
    assert!(
        s.registry().list().unwrap().is_empty(),
        "the registry keeps nothing"
    );
    owner.kill().unwrap();
    owner.wait().unwrap();
}
