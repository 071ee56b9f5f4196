//! ptest-port against real sockets on 127.0.0.1 and real processes. Each
//! test leases from its own --range so that tests running side by side
//! never see each other's ports.

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::{TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};

fn lease(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-port").arg("lease").args(args).run()
}

fn port_of(r: &Value) -> u16 {
    r["port"].as_u64().unwrap() as u16
}

fn sleeper() -> Child {
    Command::new("sleep").arg("300").spawn().unwrap()
}

#[test]
fn eight_processes_times_two_hundred_leases_are_distinct_and_bindable() {
    let s = Scenario::new();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let mut c = s.cmd("ptest-port").inner;
            // Each worker is a shell running 200 whole `ptest-port lease` processes.
            let bin = c.get_program().to_owned();
            c = Command::new("sh");
            c.arg("-c")
                .arg(format!(
                    "for i in $(seq 200); do {} lease --range 10000-11999 --owner {} || exit 1; done",
                    bin.to_string_lossy(),
                    // Every lease lives until the test ends, whichever worker
                    // finishes first.
                    std::process::id()
                ))
                .env("PTEST_HOME", &s.state)
                .env("XDG_CONFIG_HOME", &s.config_home)
                .current_dir(&s.work)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            c.spawn().unwrap()
        })
        .collect();
    let mut ports = Vec::new();
    for w in workers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            ports.push(port_of(&v));
        }
    }
    assert_eq!(ports.len(), 1600);
    let distinct: BTreeSet<u16> = ports.iter().copied().collect();
    assert_eq!(distinct.len(), 1600, "a port was handed out twice");
    for p in &distinct {
        assert!((10000..=11999).contains(p));
        TcpListener::bind(("127.0.0.1", *p))
            .unwrap_or_else(|e| panic!("leased port {p} is not bindable: {e}"));
    }
    let listed = s.cmd("ptest-port").arg("ls").run().success().records();
    assert_eq!(listed.len(), 1600);
}

#[test]
fn release_by_id_by_port_and_from_stdin_makes_the_port_leasable_again() {
    let s = Scenario::new();
    let one = ["--range", "12000-12000"];
    let a = lease(&s, &one).success().records().remove(0);
    lease(&s, &one).expect_code(75);
    let ev = s
        .cmd("ptest-port")
        .args(["release", a["id"].as_str().unwrap()])
        .run()
        .success()
        .records();
    assert_eq!(ev[0]["event"], "port.released");
    assert_eq!(ev[0]["id"], a["id"]);

    let b = lease(&s, &one).success().records().remove(0);
    assert_eq!(port_of(&b), 12000);
    s.cmd("ptest-port")
        .args(["release", "12000"])
        .run()
        .success();
    let c = lease(&s, &one).success();
    // `rm` with the records on stdin, as `ptest down` calls it.
    s.cmd("ptest-port")
        .arg("rm")
        .stdin(c.stdout.clone())
        .run()
        .success();
    assert!(
        s.cmd("ptest-port")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty()
    );
    // Releasing what is already gone is fine.
    s.cmd("ptest-port")
        .arg("rm")
        .stdin(c.stdout)
        .run()
        .success();
    let r = s
        .cmd("ptest-port")
        .args(["release", "12000"])
        .run()
        .success();
    assert!(r.stderr.contains("no lease for 12000"), "{}", r.stderr);
    s.cmd("ptest-port")
        .args(["release", "not/an/id"])
        .run()
        .expect_code(64);
}

#[test]
fn ttl_expiry_frees_the_port() {
    let s = Scenario::new();
    let one = ["--range", "12010-12010"];
    lease(
        &s,
        &["--range", "12010-12010", "--ttl", "1s", "--owner", "none"],
    )
    .success();
    lease(&s, &one).expect_code(75);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let states = s
        .cmd("ptest-port")
        .args(["ls", "--format", "human"])
        .run()
        .success()
        .stdout;
    assert!(states.contains("expired"), "{states}");
    let b = lease(&s, &one).success().records().remove(0);
    assert_eq!(port_of(&b), 12010, "the next lease reclaims an expired one");
}

#[test]
fn a_sigkilled_owners_lease_is_reaped_by_gc_and_by_the_next_lease() {
    let s = Scenario::new();
    let mut owner = sleeper();
    let pid = owner.id().to_string();
    let a = lease(&s, &["--range", "12020-12021", "-n", "2", "--owner", &pid])
        .success()
        .records();
    assert_eq!(a.len(), 2);
    lease(&s, &["--range", "12020-12021"]).expect_code(75);
    owner.kill().unwrap(); // SIGKILL
    owner.wait().unwrap();
    // The next lease takes a dead owner's port...
    let b = lease(&s, &["--range", "12020-12020"])
        .success()
        .records()
        .remove(0);
    assert_eq!(port_of(&b), 12020);
    // ...and gc ends the other one.
    let ev = s.cmd("ptest-port").arg("gc").run().success().records();
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert_eq!(ev[0]["port"], 12021);
    assert_eq!(ev[0]["reason"], "owner-dead");
    let left: Vec<u16> = s
        .cmd("ptest-port")
        .arg("ls")
        .run()
        .records()
        .iter()
        .map(port_of)
        .collect();
    assert_eq!(left, [12020]);
}

#[test]
fn a_reused_pid_does_not_revive_a_dead_owners_lease() {
    let s = Scenario::new();
    let mut owner = sleeper();
    let a = lease(
        &s,
        &["--range", "12030-12030", "--owner", &owner.id().to_string()],
    )
    .success()
    .records()
    .remove(0);
    // The owner's PID now belongs to another process: same PID, other start time.
    let file = s
        .state
        .join(format!("registry/{}.json", a["id"].as_str().unwrap()));
    let mut rec: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    rec["owner"]["start_time"] = (rec["owner"]["start_time"].as_u64().unwrap() + 777).into();
    std::fs::write(&file, rec.to_string() + "\n").unwrap();
    let table = s
        .cmd("ptest-port")
        .args(["ls", "--format", "human"])
        .run()
        .success()
        .stdout;
    assert!(table.contains("owner-dead"), "{table}");
    let b = lease(&s, &["--range", "12030-12030"])
        .success()
        .records()
        .remove(0);
    assert_eq!(port_of(&b), 12030);
    owner.kill().unwrap();
    owner.wait().unwrap();
}

#[test]
fn exhaustion_is_75_naming_range_leases_and_owners() {
    let s = Scenario::new();
    lease(&s, &["--range", "12040-12042", "-n", "3"]).success();
    let r = lease(&s, &["--range", "12040-12042"]).expect_code(75);
    assert!(
        r.stderr.contains("12040-12042") && r.stderr.contains("3 leased by 1 live owner"),
        "{}",
        r.stderr
    );
    assert_eq!(r.error_record("ptest-port")["code"], "temp_fail");
    assert!(r.records_before_error().is_empty(), "nothing leased");
    // All or nothing: two wanted from a range with one free leases none.
    s.cmd("ptest-port")
        .args(["release", "12041"])
        .run()
        .success();
    lease(&s, &["--range", "12040-12042", "-n", "2"]).expect_code(75);
    assert_eq!(s.cmd("ptest-port").arg("ls").run().records().len(), 2);
}

#[test]
fn ports_bound_by_other_programs_are_skipped_per_protocol() {
    let s = Scenario::new();
    let tcp = TcpListener::bind("127.0.0.1:12050").unwrap();
    let udp = UdpSocket::bind("127.0.0.1:12051").unwrap();
    let got = |proto: &str| -> Vec<u16> {
        lease(
            &s,
            &[
                "--range",
                "12050-12052",
                "--proto",
                proto,
                "--owner",
                "none",
                "--ttl",
                "1s",
            ],
        )
        .success()
        .records()
        .iter()
        .map(port_of)
        .collect()
    };
    let p = got("tcp");
    assert!(p[0] == 12051 || p[0] == 12052, "tcp lease got {p:?}");
    s.cmd("ptest-port")
        .args(["release", &p[0].to_string()])
        .run()
        .success();
    let p = got("udp");
    assert!(p[0] == 12050 || p[0] == 12052, "udp lease got {p:?}");
    s.cmd("ptest-port")
        .args(["release", &p[0].to_string()])
        .run()
        .success();
    for _ in 0..3 {
        let p = got("both");
        assert_eq!(p, [12052], "only 12052 is free for both");
        s.cmd("ptest-port")
            .args(["release", "12052"])
            .run()
            .success();
    }
    let b = lease(&s, &["--range", "12050-12052", "--proto", "both"])
        .success()
        .records()
        .remove(0);
    assert_eq!(b["proto"], "both");
    lease(&s, &["--range", "12050-12052", "--proto", "both"]).expect_code(75);
    drop((tcp, udp));
}

#[test]
fn named_and_numbered_env_variables() {
    let s = Scenario::new();
    let recs = lease(
        &s,
        &[
            "--range",
            "12060-12069",
            "--name",
            "http",
            "--name",
            "db-primary",
        ],
    )
    .success()
    .records();
    assert_eq!(recs[0]["name"], "http");
    assert_eq!(
        recs[0]["env"]["PTEST_PORT_HTTP"],
        recs[0]["port"].to_string()
    );
    assert_eq!(
        recs[1]["env"]["PTEST_PORT_DB_PRIMARY"],
        recs[1]["port"].to_string()
    );
    let recs = lease(&s, &["--range", "12060-12069", "--count", "2"])
        .success()
        .records();
    assert_eq!(recs[0]["env"]["PTEST_PORT_0"], recs[0]["port"].to_string());
    assert_eq!(recs[1]["env"]["PTEST_PORT_1"], recs[1]["port"].to_string());
    assert!(recs[0]["name"].is_null());
    for r in &recs {
        assert_eq!(r["v"], 1);
        assert_eq!(r["kind"], "port");
        assert_eq!(r["tool"], "ptest-port");
        assert_eq!(r["proto"], "tcp");
        assert!(r["id"].as_str().unwrap().starts_with("port-"));
        assert!(
            r["owner"]["pid"].is_u64(),
            "owned by the session by default: {r}"
        );
    }
}

#[test]
fn pass_through_comes_first_and_unchanged() {
    let s = Scenario::new();
    let input = "{\"v\":1,\"kind\":\"venv\",\"tool\":\"ptest-venv\",\"id\":\"venv-x\",\"path\":\"/v\", \"odd\" : [1,2]}\n{\"v\":1,\"kind\":\"x-plugin\"}\n";
    let r = s
        .cmd("ptest-port")
        .args(["lease", "--range", "12070-12079"])
        .stdin(input)
        .run()
        .success();
    assert!(r.stdout.starts_with(input), "{}", r.stdout);
    assert_eq!(r.stdout.lines().count(), 3);
    let bad = s
        .cmd("ptest-port")
        .args(["lease", "--range", "12070-12079"])
        .stdin("{\"v\":9,\"kind\":\"x\"}\n")
        .run()
        .expect_code(65);
    assert!(bad.stderr.contains("version 9"), "{}", bad.stderr);
    assert_eq!(
        s.cmd("ptest-port").arg("ls").run().records().len(),
        1,
        "bad input leases nothing"
    );
}

#[test]
fn ptest_down_releases_through_the_dispatcher() {
    let s = Scenario::new();
    let stream = lease(
        &s,
        &["--range", "12080-12089", "--name", "a", "--name", "b"],
    )
    .success()
    .stdout;
    let ev = s
        .cmd("ptest")
        .arg("down")
        .stdin(stream)
        .run()
        .success()
        .records();
    assert_eq!(ev.len(), 2);
    assert!(
        s.cmd("ptest-port")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty()
    );
    // And ptest gc reaps port leases through ptest-port rm.
    let mut owner = sleeper();
    lease(
        &s,
        &["--range", "12080-12089", "--owner", &owner.id().to_string()],
    )
    .success();
    owner.kill().unwrap();
    owner.wait().unwrap();
    let ev = s.cmd("ptest").arg("gc").run().success().records();
    assert_eq!(ev.len(), 1);
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
fn default_range_stays_out_of_the_kernels_ephemeral_range() {
    let s = Scenario::new();
    let eph = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let (lo, hi) = eph.split_once(char::is_whitespace).unwrap();
    let (lo, hi): (u16, u16) = (lo.trim().parse().unwrap(), hi.trim().parse().unwrap());
    let recs = lease(&s, &["-n", "20", "--owner", "none", "--ttl", "5s"])
        .success()
        .records();
    for r in &recs {
        let p = port_of(r);
        assert!(
            (20000..=29999).contains(&p) && !(lo..=hi).contains(&p),
            "{p}"
        );
    }
    // [port] range in ptest.toml is honoured.
    s.write("work/ptest.toml", "[port]\nrange = \"12090-12091\"\n");
    let p = port_of(&lease(&s, &[]).success().records()[0]);
    assert!((12090..=12091).contains(&p));
    s.write("work/ptest.toml", "[port]\nrange = \"9-1\"\n");
    let r = lease(&s, &[]).expect_code(65);
    assert!(
        r.stderr.contains("port.range") && r.stderr.contains("ptest.toml:2"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_arguments_are_64_with_the_reason() {
    let s = Scenario::new();
    for (args, want) in [
        (&["--range", "30000-20000"][..], "above"),
        (&["--range", "0-10"][..], "not a port"),
        (&["--range", "1-99999"][..], "not a port"),
        (&["--count", "0"][..], "at least 1"),
        (&["--count", "3", "--name", "a"][..], "disagrees"),
        (&["--name", "a", "--name", "A"][..], "twice"),
        (&["--name", "a b"][..], "--name"),
        (&["--owner", "nobody"][..], "session, caller, none"),
        (&["--ttl", "soon"][..], "duration"),
    ] {
        let r = lease(&s, args).expect_code(64);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn a_corrupt_table_entry_holds_its_port_until_gc_and_stops_nothing_else() {
    let s = Scenario::new();
    let a = lease(&s, &["--range", "12100-12101"])
        .success()
        .records()
        .remove(0);
    let other = if port_of(&a) == 12100 { 12101 } else { 12100 };
    let index = s.state.join(format!("port/leases/{other}"));
    std::fs::write(&index, "\u{0}\u{1}garbage").unwrap();
    // Held by an unknown owner: not handed out, and named.
    let r = lease(&s, &["--range", "12100-12101"]).expect_code(75);
    assert!(
        r.stderr.contains(&index.display().to_string()) && r.stderr.contains("corrupt"),
        "{}",
        r.stderr
    );
    // The live lease is still there and still held.
    let listed = s.cmd("ptest-port").arg("ls").run().success().records();
    assert_eq!(listed, std::slice::from_ref(&a));
    // gc clears an entry the registry holds no lease for; the port is free.
    s.cmd("ptest-port").arg("gc").run().success();
    assert!(!index.exists());
    let b = lease(&s, &["--range", "12100-12101"])
        .success()
        .records()
        .remove(0);
    assert_eq!(port_of(&b), other);
    // A corrupt registry entry is quarantined, named, and ls goes on.
    let reg = s
        .state
        .join(format!("registry/{}.json", b["id"].as_str().unwrap()));
    std::fs::remove_file(&reg).unwrap();
    std::fs::write(&reg, "{\"v\":1,").unwrap();
    let r = s.cmd("ptest-port").arg("ls").run().success();
    assert!(
        r.stderr.contains(&reg.display().to_string()) && r.stderr.contains("quarantine"),
        "{}",
        r.stderr
    );
    assert_eq!(r.records(), std::slice::from_ref(&a));
}

#[test]
fn sigkill_at_any_moment_leaves_a_readable_table_and_no_double_lease() {
    let s = Scenario::new();
    let bin = ptest_shared::testkit::bin_path("ptest-port");
    for round in 0..40u64 {
        let mut c = s
            .cmd(bin.to_str().unwrap())
            .args([
                "lease",
                "--range",
                "12200-12229",
                "-n",
                "5",
                "--owner",
                "none",
            ])
            .inner;
        c.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros(200 * (round % 10)));
        let _ = child.kill();
        let _ = child.wait();
        let listed = s.cmd("ptest-port").arg("ls").run().success().records();
        let ports: BTreeSet<u16> = listed.iter().map(port_of).collect();
        assert_eq!(
            ports.len(),
            listed.len(),
            "two leases of one port after a kill: {listed:?}"
        );
        if listed.len() > 20 {
            s.cmd("ptest-port")
                .arg("rm")
                .stdin(
                    listed
                        .iter()
                        .map(|r| r.to_string() + "\n")
                        .collect::<String>(),
                )
                .run()
                .success();
        }
    }
    // Whatever the kills left, leasing still works and never duplicates.
    s.cmd("ptest-port").arg("gc").run().success();
    let left = s
        .cmd("ptest-port")
        .arg("ls")
        .run()
        .success()
        .records()
        .len();
    if left <= 25 {
        lease(&s, &["--range", "12200-12229", "-n", "5"]).success();
    }
}

#[test]
fn check_tells_free_leased_and_bound() {
    let s = Scenario::new();
    let a = lease(&s, &["--range", "12300-12300"])
        .success()
        .records()
        .remove(0);
    let l = TcpListener::bind("127.0.0.1:12301").unwrap();
    let r = s
        .cmd("ptest-port")
        .args(["check", "12300", "12301", "12302"])
        .run()
        .expect_code(1);
    let recs = r.records();
    assert_eq!(recs[0]["kind"], "port-check");
    assert_eq!(recs[0]["leased"]["id"], a["id"]);
    assert_eq!(recs[0]["free"], false);
    assert_eq!(recs[1]["bound"][0]["pid"], std::process::id());
    assert_eq!(recs[1]["bound"][0]["state"], "listen");
    assert_eq!(recs[1]["free"], false);
    assert_eq!(recs[2]["free"], true);
    s.cmd("ptest-port").args(["check", "12302"]).run().success();
    drop(l);
}

#[test]
fn hooks_veto_and_observe_leases() {
    let s = Scenario::new();
    let seen = s.dir.path().join("seen");
    s.write(
        "work/ptest.toml",
        &format!(
            "[hooks]\npre-port.leased = \"exit 4\"\npost-port.released = \"cat >> {}\"\n",
            seen.display()
        ),
    );
    let r = lease(&s, &["--range", "12400-12409"]).expect_code(1);
    assert!(r.stderr.contains("pre-port.leased"), "{}", r.stderr);
    r.error_record("ptest-port");
    assert!(r.records_before_error().is_empty(), "nothing leased");
    assert!(
        s.cmd("ptest-port")
            .arg("ls")
            .run()
            .success()
            .records()
            .is_empty(),
        "a vetoed lease is undone"
    );
    s.write(
        "work/ptest.toml",
        &format!(
            "[hooks]\npost-port.released = \"cat >> {}\"\n",
            seen.display()
        ),
    );
    let a = lease(&s, &["--range", "12400-12409"])
        .success()
        .records()
        .remove(0);
    s.cmd("ptest-port")
        .args(["release", a["id"].as_str().unwrap()])
        .run()
        .success();
    let got: Value = serde_json::from_str(std::fs::read_to_string(&seen).unwrap().trim()).unwrap();
    assert_eq!(got["id"], a["id"]);
}

#[test]
fn a_consuming_tool_takes_over_a_lease_for_its_lifetime() {
    let s = Scenario::new();
    let a = lease(&s, &["--range", "12500-12500"])
        .success()
        .records()
        .remove(0);
    let mut consumer = sleeper();
    let owner = ptest_shared::owner::Owner::of(consumer.id()).unwrap();
    let taken = s
        .registry()
        .take_over(a["id"].as_str().unwrap(), &owner)
        .unwrap()
        .unwrap();
    assert_eq!(taken.owner().unwrap(), Some(owner));
    lease(&s, &["--range", "12500-12500"]).expect_code(75);
    consumer.kill().unwrap();
    consumer.wait().unwrap();
    // The lease lived exactly as long as the consumer.
    lease(&s, &["--range", "12500-12500"]).success();
}

#[test]
fn session_ownership_holds_across_make_lines_when_the_leader_is_in_another_pid_namespace() {
    // In a container or under some CI runners the session leader lives in a
    // parent PID namespace: getsid reports 0. A lease made by one "Makefile
    // line" (a shell under make) must still be owned by the job, not by the
    // line's shell, which exits at once.
    let s = Scenario::new();
    let bin = s
        .cmd("ptest-port")
        .inner
        .get_program()
        .to_string_lossy()
        .into_owned();
    let make = s.work.join("make.sh");
    std::fs::write(
        &make,
        format!(
            "echo make=$$\nsh -c '{bin} lease --range 12600-12600'\nsh -c '{bin} lease --range 12600-12600; echo second=$?'\n"
        ),
    )
    .unwrap();
    // PID 1 of the namespace is an init (`sh`); the "make" shell is its child.
    let out = Command::new("unshare")
        .args(["--pid", "--fork", "--mount-proc", "sh", "-c"])
        .arg(format!("sh {}; true", make.display()))
        .env("PTEST_HOME", &s.state)
        .env("XDG_CONFIG_HOME", &s.config_home)
        .current_dir(&s.work)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("unshare failed") {
        panic!("this test needs PID namespaces (root or user namespaces): {stderr}");
    }
    let make: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("make="))
        .unwrap_or_else(|| panic!("no make pid in {stdout:?} / {stderr}"))
        .parse()
        .unwrap();
    let rec: Value = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or_else(|| panic!("no lease in {stdout:?} / {stderr}"));
    assert_eq!(rec["owner"]["pid"], make, "owned by the make shell: {rec}");
    // The second line finds the one port still leased: exhausted.
    assert!(stdout.contains("second=75"), "{stdout} / {stderr}");
}
