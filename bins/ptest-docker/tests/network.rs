//! `ptest-docker network`: subnets from ptest's pool, labels, and what
//! `--isolated` guarantees, checked against the real engine with real
//! containers (a busybox image imported from Debian's busybox-static) and a
//! real listener on the host.
//!
//! Each test uses its own slice of 10.214.0.0/16 as its pool, so tests
//! running at once never compete for a block (their state directories, and
//! so their allocation locks, differ).

mod common;

use ptest_docker::engine::Engine;
use ptest_shared::testkit::Scenario;
use serde_json::Value;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const FROM_CONTAINER: &str = "hello-from-container";

// ---------------------------------------------------------------------------
// Helpers

fn docker(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .expect("the docker CLI runs (the engine is meant to be up here)")
}

#[track_caller]
fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A name no other test (or test run) uses.
fn unique(what: &str) -> String {
    format!("ptest-nettest-{}-{what}", std::process::id())
}

/// Removes what a test made, whatever happens to the test: containers by
/// `docker rm -f`, then networks through the library (which removes their
/// firewall rules too).
#[derive(Default)]
struct Cleanup {
    containers: Vec<String>,
    networks: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for c in &self.containers {
            let _ = docker(&["rm", "-f", c]);
        }
        if self.networks.is_empty() {
            return;
        }
        if let Ok(engine) = Engine::connect() {
            for n in &self.networks {
                let _ = ptest_docker::network::remove(&engine, n);
            }
        }
    }
}

/// A scenario whose subnet pool is `pool` split into /28s.
fn scenario(pool: &str) -> Scenario {
    let mut s = Scenario::new();
    s.env("PTEST_DOCKER__SUBNET_POOL", pool)
        .env("PTEST_DOCKER__SUBNET_PREFIX", "28");
    s
}

/// `network create --json ARGS`: the one record it writes, its network
/// registered in `clean`.
#[track_caller]
fn create(s: &Scenario, clean: &mut Cleanup, args: &[&str]) -> Value {
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create", "--json"])
        .args(args)
        .run()
        .success();
    let recs = run.records();
    assert_eq!(recs.len(), 1, "{}", run.stdout);
    let rec = recs.into_iter().next().unwrap();
    clean.networks.push(str_of(&rec, "network_id"));
    rec
}

#[track_caller]
fn str_of(v: &Value, k: &str) -> String {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{k} missing from {v}"))
        .to_owned()
}

fn cidr(s: &str) -> (u32, u32) {
    let (a, p) = s.split_once('/').unwrap();
    (
        u32::from(a.parse::<Ipv4Addr>().unwrap()),
        p.parse().unwrap(),
    )
}

/// The ids of every network carrying ptest-docker's labels.
fn labelled_networks() -> HashSet<String> {
    docker_ok(&[
        "network",
        "ls",
        "-q",
        "--no-trunc",
        "--filter",
        "label=ptest.tool=ptest-docker",
    ])
    .lines()
    .map(str::to_owned)
    .collect()
}

/// The labelled networks made since `before` whose subnet starts with
/// `prefix` (other tests make networks meanwhile, in their own pools).
fn made_since(before: &HashSet<String>, prefix: &str) -> Vec<String> {
    labelled_networks()
        .difference(before)
        .filter(|id| {
            let out = docker(&[
                "network",
                "inspect",
                "-f",
                "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
                id,
            ]);
            String::from_utf8_lossy(&out.stdout).starts_with(prefix)
        })
        .cloned()
        .collect()
}

/// The INPUT chains of iptables and ip6tables.
fn input_rules() -> String {
    ["iptables", "ip6tables"]
        .iter()
        .filter_map(|b| Command::new(b).args(["-S", "INPUT"]).output().ok())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect()
}

fn comment_of(net: &Value) -> String {
    format!("ptest:{}", &str_of(net, "network_id")[..12])
}

/// Imports a busybox image once per test binary, removed when it exits:
/// `docker import` of a rootfs holding busybox-static, its applets and a
/// page for httpd to serve.
fn image() -> &'static str {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let tag = format!("ptest-test/busybox-net:{}", std::process::id());
        common::remove_at_exit(&tag);
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("rootfs");
        for d in ["bin", "www", "tmp", "etc"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::copy("/bin/busybox", root.join("bin/busybox"))
            .expect("/bin/busybox (Debian's busybox-static) is installed");
        for applet in [
            "sh", "wget", "nc", "sleep", "echo", "cat", "ls", "true", "false", "httpd", "timeout",
            "ip", "ifconfig", "ping",
        ] {
            std::os::unix::fs::symlink("busybox", root.join("bin").join(applet)).unwrap();
        }
        std::fs::write(root.join("www/index.html"), FROM_CONTAINER).unwrap();
        let tarball = dir.path().join("rootfs.tar");
        let st = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tarball)
            .arg(".")
            .status()
            .unwrap();
        assert!(st.success(), "tar failed");
        docker_ok(&["import", tarball.to_str().unwrap(), &tag]);
        tag
    })
}

/// A host service on 0.0.0.0: answers every connection with a fixed page.
fn host_service() -> (u16, &'static str) {
    const BODY: &str = "hello-from-host";
    let l = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut c) = conn else { continue };
            std::thread::spawn(move || {
                let _ = c.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 1024];
                let _ = c.read(&mut buf);
                let _ = write!(
                    c,
                    "HTTP/1.0 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
                    BODY.len()
                );
            });
        }
    });
    (port, BODY)
}

/// `wget`s `url` from a fresh container on `network`: whether it got an
/// answer, and its output. The container removes itself (`--rm`) and ends
/// within 4 s whatever happens (busybox `timeout`), so it needs no guard.
/// (Busybox wget's own `-T` segfaults in Debian's busybox-static 1.35.)
fn fetch_from(network: &str, url: &str) -> (bool, String) {
    let out = docker(&[
        "run",
        "--rm",
        "--network",
        network,
        image(),
        "sh",
        "-c",
        // Not exec'd by sh: as PID 1, wget would be immune to timeout's signal.
        &format!("timeout 4 wget -qO- {url}; exit $?"),
    ]);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

// ---------------------------------------------------------------------------
// The pool

#[test]
fn fifty_networks_get_distinct_subnets_and_go_by_id_and_by_stream() {
    let s = Scenario::new();
    let mut clean = Cleanup::default();
    let pool = "10.214.0.0/22";
    let started = Instant::now();
    let mut nets = Vec::new();
    for _ in 0..50 {
        nets.push(create(
            &s,
            &mut clean,
            &[
                "--config",
                &format!("docker.subnet-pool={pool}"),
                "--config",
                "docker.subnet-prefix=28",
            ],
        ));
    }
    let made = started.elapsed();
    let (pool_addr, _) = cidr(pool);
    let mut seen = HashSet::new();
    for n in &nets {
        assert_eq!(n["kind"], "network");
        assert_eq!(n["tool"], "ptest-docker");
        assert!(str_of(n, "id").starts_with("network-"));
        let (addr, prefix) = cidr(&str_of(n, "subnet"));
        assert_eq!(prefix, 28, "{n}");
        assert_eq!(addr & !0x3ff, pool_addr, "{n} lies outside {pool}");
        assert!(seen.insert(addr), "subnet handed out twice: {n}");
        assert_eq!(
            str_of(n, "gateway"),
            Ipv4Addr::from(addr + 1).to_string(),
            "{n}"
        );
        assert_eq!(n["internal"], false);
        assert_eq!(n["firewall"], false);
    }
    let ours: HashSet<String> = nets.iter().map(|n| str_of(n, "network_id")).collect();
    assert!(ours.is_subset(&labelled_networks()));
    assert_eq!(s.registry().list().unwrap().len(), 50);

    // Half by ptest id, half by the records on stdin.
    let started = Instant::now();
    let ids: Vec<String> = nets[..25].iter().map(|n| str_of(n, "id")).collect();
    let run = s
        .cmd("ptest-docker")
        .args(["network", "rm", "--json"])
        .args(&ids)
        .run()
        .success();
    assert_eq!(run.records().len(), 25, "{}", run.stdout);
    let stream: String = nets[25..].iter().map(|n| format!("{n}\n")).collect();
    let run = s
        .cmd("ptest-docker")
        .args(["network", "rm", "--json"])
        .stdin(stream)
        .run()
        .success();
    let events = run.records();
    assert_eq!(events.len(), 25, "{}", run.stdout);
    assert!(events.iter().all(|e| e["event"] == "network.removed"));
    let removed = started.elapsed();
    eprintln!("50 networks: created in {made:?}, removed in {removed:?}");

    let left = labelled_networks();
    assert!(
        ours.iter().all(|id| !left.contains(id)),
        "networks left behind"
    );
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn a_small_pool_runs_out_with_exit_75_and_a_removed_network_frees_its_subnet() {
    let s = scenario("10.214.8.0/27"); // two /28s
    let mut clean = Cleanup::default();
    let a = create(&s, &mut clean, &[]);
    let b = create(&s, &mut clean, &[]);
    assert_eq!(str_of(&a, "subnet"), "10.214.8.0/28");
    assert_eq!(str_of(&b, "subnet"), "10.214.8.16/28");
    let before = labelled_networks();
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create"])
        .run()
        .expect_code(75);
    assert!(
        run.stderr.contains("10.214.8.0/27") && run.stderr.contains("2 of its 2"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("docker.subnet-pool"), "{}", run.stderr);
    assert_eq!(run.error_record("ptest-docker")["code"], "temp_fail");
    assert_eq!(made_since(&before, "10.214.8."), Vec::<String>::new());

    s.cmd("ptest-docker")
        .args(["network", "rm", &str_of(&a, "id")])
        .run()
        .success();
    let c = create(&s, &mut clean, &[]);
    assert_eq!(str_of(&c, "subnet"), "10.214.8.0/28");
    s.cmd("ptest-docker")
        .args(["network", "rm", &str_of(&b, "name"), &str_of(&c, "id")])
        .run()
        .success();
}

#[test]
fn explicit_subnets_names_and_labels() {
    let s = scenario("10.214.12.0/26");
    let mut clean = Cleanup::default();
    let name = unique("labels");
    let net = create(
        &s,
        &mut clean,
        &["--name", &name, "--subnet", "10.214.12.64/28", "--internal"],
    );
    assert_eq!(str_of(&net, "name"), name);
    assert_eq!(str_of(&net, "subnet"), "10.214.12.64/28");
    assert_eq!(str_of(&net, "gateway"), "10.214.12.65");
    assert_eq!(net["internal"], true);
    assert_eq!(net["isolated"], false);
    assert!(net["owner"]["pid"].as_u64().is_some(), "{net}");

    let inspect: Value = serde_json::from_str(&docker_ok(&["network", "inspect", &name])).unwrap();
    let n = &inspect[0];
    let labels = &n["Labels"];
    assert_eq!(labels["ptest.tool"], "ptest-docker");
    assert_eq!(labels["ptest.id"], net["id"]);
    assert_eq!(labels["ptest.name"], name.as_str());
    let owner = labels["ptest.owner"].as_str().unwrap();
    assert!(
        owner.starts_with(&format!("{}:", net["owner"]["pid"])),
        "{owner}"
    );
    assert_eq!(n["Internal"], true);
    assert_eq!(n["IPAM"]["Config"][0]["Subnet"], "10.214.12.64/28");
    assert_eq!(
        n["Options"]["com.docker.network.bridge.name"], net["bridge"],
        "the bridge is named by ptest"
    );
    let reg = s.registry().get(&str_of(&net, "id")).unwrap().unwrap();
    assert_eq!(reg.get("network_id"), net.get("network_id"));

    // Taken names and subnets, and bad ones.
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create", "--name", &name])
        .run()
        .expect_code(65);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create", "--subnet", "10.214.12.64/27"])
        .run()
        .expect_code(65);
    assert!(
        run.stderr.contains(&name),
        "names the holder: {}",
        run.stderr
    );
    for bad in [
        "10.214.12.0",
        "10.214.12.3/28",
        "300.1.2.0/24",
        "fd00::/64",
        "10.0.0.0/31",
    ] {
        s.cmd("ptest-docker")
            .args(["network", "create", "--subnet", bad])
            .run()
            .expect_code(64);
    }
    s.cmd("ptest-docker")
        .args(["network", "create", "--name", "no spaces"])
        .run()
        .expect_code(64);

    // Records on stdin pass through, before the network's own.
    let upstream = r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":1}"#;
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create", "--json"])
        .stdin(format!("{upstream}\n"))
        .run()
        .success();
    let recs = run.records();
    assert_eq!(recs.len(), 2);
    clean.networks.push(str_of(&recs[1], "network_id"));
    assert_eq!(recs[0]["id"], "port-abc");
    assert_eq!(recs[1]["kind"], "network");

    let run = s
        .cmd("ptest-docker")
        .args(["network", "rm", &name, &str_of(&recs[1], "id")])
        .run()
        .success();
    let events = run.records();
    assert_eq!(events.len(), 2, "{}", run.stdout);
    assert_eq!(events[0]["event"], "network.removed");
    assert!(!docker(&["network", "inspect", &name]).status.success());
}

#[test]
fn a_pre_hook_veto_removes_the_network() {
    let s = scenario("10.214.13.0/26");
    s.write(
        "work/ptest.toml",
        "[hooks]\npre-network.created = \"exit 3\"\n",
    );
    let before = labelled_networks();
    s.cmd("ptest-docker")
        .args(["network", "create", "--isolated"])
        .run()
        .expect_code(1);
    assert_eq!(made_since(&before, "10.214.13."), Vec::<String>::new());
    assert!(s.registry().list().unwrap().is_empty());
}

// ---------------------------------------------------------------------------
// Isolation

#[test]
fn isolated_closes_the_host_hole_that_internal_leaves_open() {
    let s = scenario("10.214.16.0/26");
    let mut clean = Cleanup::default();
    image();
    let (port, body) = host_service();
    let internal = create(&s, &mut clean, &["--internal"]);
    let isolated = create(&s, &mut clean, &["--isolated"]);
    assert_eq!(isolated["internal"], true);
    assert_eq!(isolated["isolated"], true);
    assert_eq!(isolated["firewall"], true, "root with iptables: {isolated}");
    let rules = input_rules();
    assert!(rules.contains(&comment_of(&isolated)), "{rules}");
    assert!(!rules.contains(&comment_of(&internal)), "{rules}");
    assert!(rules.contains(&str_of(&isolated, "bridge")), "{rules}");

    // Both at once: the blocked one waits out its timeout.
    let started = Instant::now();
    let fetch = |net: &Value| {
        fetch_from(
            &str_of(net, "name"),
            &format!("http://{}:{port}/", str_of(net, "gateway")),
        )
    };
    let (open, closed) = std::thread::scope(|t| {
        let a = t.spawn(|| fetch(&internal));
        let b = t.spawn(|| fetch(&isolated));
        (a.join().unwrap(), b.join().unwrap())
    });
    eprintln!("host reachability checked in {:?}", started.elapsed());
    assert!(
        open.0 && open.1.contains(body),
        "from an --internal network the host's 0.0.0.0 service is reachable (the hole): {open:?}"
    );
    assert!(
        !closed.0 && !closed.1.contains(body),
        "from an --isolated network the host's service must be unreachable: {closed:?}"
    );

    s.cmd("ptest-docker")
        .args([
            "network",
            "rm",
            &str_of(&isolated, "id"),
            &str_of(&internal, "id"),
        ])
        .run()
        .success();
    let rules = input_rules();
    assert!(
        !rules.contains(&comment_of(&isolated)),
        "rule left: {rules}"
    );
    assert!(!rules.contains(&str_of(&isolated, "bridge")), "{rules}");
}

#[test]
fn isolated_without_a_firewall_is_made_with_a_loud_warning() {
    let s = scenario("10.214.20.0/26");
    let mut clean = Cleanup::default();
    // An iptables that refuses, as it does for a user who is not root.
    for bin in ["iptables", "ip6tables"] {
        let p = s.bin.join(bin);
        std::fs::write(
            &p,
            "#!/bin/sh\necho \"$0 v1.8.9 (nf_tables): Permission denied (you must be root)\" >&2\nexit 4\n",
        )
        .unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let run = s
        .cmd("ptest-docker")
        .args(["network", "create", "--isolated", "--json"])
        .run()
        .success();
    let net = run.records().pop().unwrap();
    clean.networks.push(str_of(&net, "network_id"));
    assert_eq!(net["firewall"], false);
    assert_eq!(net["isolated"], true);
    assert_eq!(net["internal"], true);
    for want in [
        "WARNING",
        "NOT isolated",
        "0.0.0.0",
        "Permission denied",
        &str_of(&net, "gateway"),
    ] {
        assert!(
            run.stderr.contains(want),
            "{want:?} missing from: {}",
            run.stderr
        );
    }
    let internal = docker_ok(&[
        "network",
        "inspect",
        "-f",
        "{{.Internal}}",
        &str_of(&net, "network_id"),
    ]);
    assert_eq!(internal, "true");
    assert!(!input_rules().contains(&comment_of(&net)));
    s.cmd("ptest-docker")
        .args(["network", "rm", &str_of(&net, "id")])
        .run()
        .success();
}

#[test]
fn containers_on_different_isolated_networks_cannot_reach_each_other() {
    let s = scenario("10.214.17.0/26");
    let mut clean = Cleanup::default();
    image();
    let a = create(&s, &mut clean, &["--isolated"]);
    let b = create(&s, &mut clean, &["--isolated"]);
    let server = unique("server");
    clean.containers.push(server.clone());
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &server,
        "--network",
        &str_of(&a, "name"),
        image(),
        "httpd",
        "-f",
        "-p",
        "8080",
        "-h",
        "/www",
    ]);
    let ip = docker_ok(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &server,
    ]);
    assert!(ip.starts_with("10.214.17."), "{ip}");
    let url = format!("http://{ip}:8080/");

    // Its own network reaches it, by name too (so the server is up, the
    // engine's DNS works behind the firewall, and the test is fair).
    let by_name = format!("http://{server}:8080/");
    let mut same = (false, String::new());
    for _ in 0..10 {
        same = fetch_from(&str_of(&a, "name"), &by_name);
        if same.0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(same.0 && same.1.contains(FROM_CONTAINER), "{same:?}");
    let other = fetch_from(&str_of(&b, "name"), &url);
    assert!(
        !other.0 && !other.1.contains(FROM_CONTAINER),
        "another isolated network reached it: {other:?}"
    );

    // A network with a container still attached goes too (disconnected first).
    let run = s
        .cmd("ptest-docker")
        .args([
            "network",
            "rm",
            "--json",
            &str_of(&a, "id"),
            &str_of(&b, "id"),
        ])
        .run()
        .success();
    assert_eq!(run.records().len(), 2);
    assert!(
        !docker(&["network", "inspect", &str_of(&a, "network_id")])
            .status
            .success()
    );
    let nets = docker_ok(&[
        "inspect",
        "-f",
        "{{len .NetworkSettings.Networks}}",
        &server,
    ]);
    assert_eq!(nets, "0");
}

#[test]
fn sweep_firewall_removes_only_the_rules_of_gone_networks() {
    let s = scenario("10.214.18.0/26");
    let mut clean = Cleanup::default();
    let live = create(&s, &mut clean, &["--isolated"]);
    // The rule a crash would leave: its network does not exist.
    let ghost = "ptest:000000ab0cde";
    let spec = [
        "INPUT",
        "-i",
        "ptest-brghost0",
        "-m",
        "comment",
        "--comment",
        ghost,
        "-j",
        "DROP",
    ];
    struct Ghost<'a>(&'a [&'a str]);
    impl Drop for Ghost<'_> {
        fn drop(&mut self) {
            let _ = Command::new("iptables").arg("-D").args(self.0).output();
        }
    }
    let _ghost = Ghost(&spec);
    let st = Command::new("iptables")
        .arg("-I")
        .args(spec)
        .status()
        .unwrap();
    assert!(st.success());
    assert!(input_rules().contains(ghost));

    let engine = Engine::connect().unwrap();
    let n = ptest_docker::network::sweep_firewall(&engine).unwrap();
    assert!(n >= 1, "{n}");
    let rules = input_rules();
    assert!(!rules.contains(ghost), "{rules}");
    assert!(
        rules.contains(&comment_of(&live)),
        "a live network's rule went: {rules}"
    );
}

#[test]
fn the_library_makes_and_removes_an_isolated_network() {
    use ptest_docker::network::{Request, create, remove};
    let dir = tempfile::tempdir().unwrap();
    let state = ptest_shared::state::StateDir::at(dir.path().join("state")).unwrap();
    let config = ptest_shared::config::Config::load_from(&ptest_shared::config::Inputs {
        cwd: dir.path().to_owned(),
        overrides: vec!["docker.subnet-pool=10.214.19.0/26".into()],
        ..Default::default()
    })
    .unwrap();
    let engine = Engine::connect().unwrap();
    let mut clean = Cleanup::default();
    let name = unique("lib");
    let made = create(
        &engine,
        &state,
        &config,
        &Request {
            name: name.clone(),
            isolated: true,
            labels: [("ptest.tool".to_owned(), "ptest-docker".to_owned())].into(),
            ..Default::default()
        },
    )
    .unwrap();
    clean.networks.push(made.engine_id.clone());
    // The default prefix, 26: the whole pool.
    assert_eq!(made.subnet, "10.214.19.0/26");
    assert_eq!(made.gateway, "10.214.19.1");
    assert!(made.firewall);
    assert!(input_rules().contains(&format!("ptest:{}", &made.engine_id[..12])));
    let e = create(
        &engine,
        &state,
        &config,
        &Request {
            name: unique("lib2"),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.exit.code(), 75, "{}", e.message);

    assert!(remove(&engine, &made.engine_id).unwrap());
    assert!(!remove(&engine, &made.engine_id).unwrap(), "gone already");
    assert!(!input_rules().contains(&format!("ptest:{}", &made.engine_id[..12])));
}
