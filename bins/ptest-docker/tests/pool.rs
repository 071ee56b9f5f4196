//! Pools of ready containers (`ptest-docker pool …`, and `create` taking
//! from them), against the real engine with the busybox image the tests
//! import themselves. The docker CLI checks what ptest made, and does
//! what happens behind ptest's back: a member killed, a volume made by
//! hand, an image tag moved to another image.
//!
//! The pooled spec is busybox's httpd on port 80, published on a port the
//! engine picks, ready once port 80 accepts: a container handed out is one
//! whose port answers HTTP. Owners are `sleep` processes the tests spawn
//! and kill; every test removes what it made (pools drained, takers'
//! containers removed, owners killed) and then checks that nothing of its
//! state directory is left on the engine, in the registry or as a keeper
//! process. A [`Pools`] guard does the same, harder, when a test fails.

mod common;

use common::{docker, docker_output, docker_quiet};
use ptest_shared::record::{Record, random_hex};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

/// The flags of the pooled spec, before the command.
const SPEC: &[&str] = &["--port", "80", "--ready-port", "80"];
/// The pooled command: busybox httpd serving `/` on port 80.
const HTTPD: &[&str] = &["--", "httpd", "-f", "-p", "80", "-h", "/"];

/// How long a SIGKILLed owner's objects may outlive it.
const AFTER_DEATH: Duration = Duration::from_secs(5);
/// How long a keeper may take to fill its pool again (containers are made
/// and checked ready on a 2-core machine busy with other tests).
const REFILL: Duration = Duration::from_secs(30);

/// One test's scenario, owners and what it made; on drop, everything of
/// its state directory is removed, however the test ended.
struct Pools {
    s: Scenario,
    image: String,
    /// The `sleep` processes that own pools and containers.
    owners: Mutex<Vec<Child>>,
    /// Every record `create` printed: containers (engine ids) and volumes.
    made: Mutex<Vec<Value>>,
}

impl Pools {
    fn new() -> Pools {
        Pools {
            s: common::scenario(),
            image: common::busybox_image(),
            owners: Mutex::new(Vec::new()),
            made: Mutex::new(Vec::new()),
        }
    }

    fn state(&self) -> String {
        self.s.state.display().to_string()
    }

    /// A new owner: a `sleep` this test kills (or the guard does).
    fn owner(&self) -> String {
        let c = Command::new("sleep").arg("300").spawn().unwrap();
        let pid = c.id().to_string();
        self.owners.lock().unwrap().push(c);
        pid
    }

    /// SIGKILLs the owner `pid` (and reaps it).
    fn kill_owner(&self, pid: &str) -> Instant {
        let mut owners = self.owners.lock().unwrap();
        let c = owners
            .iter_mut()
            .find(|c| c.id().to_string() == pid)
            .expect("an owner of this test");
        c.kill().unwrap();
        let killed = Instant::now();
        c.wait().unwrap();
        killed
    }

    /// The create flags of the pooled spec with `extra` flags.
    fn spec(&self, extra: &[&str]) -> Vec<String> {
        let mut v = vec!["--image".to_owned(), self.image.clone()];
        v.extend(extra.iter().chain(SPEC).chain(HTTPD).map(|s| s.to_string()));
        v
    }

    /// `pool create --json --pool NAME --size N` of the spec with `extra`.
    fn pool_create(&self, name: &str, size: u32, extra: &[&str]) -> Run {
        self.s
            .cmd("ptest-docker")
            .args(["pool", "create", "--json", "--pool", name, "--size"])
            .arg(size.to_string())
            .args(self.spec(extra))
            .run()
    }

    /// A pool made and full: its record.
    fn new_pool(&self, name: &str, size: u32, extra: &[&str]) -> Value {
        let r = self.pool_create(name, size, extra).success();
        let recs = r.records();
        assert_eq!(recs.len(), 1, "one pool record: {}", r.stdout);
        let p = recs[0].clone();
        assert_eq!(p["kind"], "pool");
        assert_eq!(p["name"], name);
        assert_eq!(p["size"], size);
        // `pool create` returns once every member is ready.
        assert_eq!(self.ready(id(&p)).len(), size as usize, "{p}");
        p
    }

    /// `create --json` of the spec with `extra` flags (unchecked).
    fn create_cmd(&self, extra: &[&str]) -> ptest_shared::testkit::Cmd {
        self.s
            .cmd("ptest-docker")
            .args(["create", "--json"])
            .args(self.spec(extra))
    }

    /// Remembers what a create made, for the cleanup.
    fn track(&self, r: &Run) {
        self.made.lock().unwrap().extend(r.records());
    }

    /// A successful `create`: every record it printed, tracked.
    fn create_all(&self, extra: &[&str]) -> Vec<Value> {
        let r = self.create_cmd(extra).run();
        self.track(&r);
        r.success().records()
    }

    /// A successful `create` of one container: its container record.
    fn create(&self, extra: &[&str]) -> Value {
        let recs = self.create_all(extra);
        let c: Vec<&Value> = recs.iter().filter(|r| r["kind"] == "container").collect();
        assert_eq!(c.len(), 1, "one container: {recs:?}");
        c[0].clone()
    }

    fn registry(&self) -> Registry {
        self.s.registry()
    }

    /// The pool's ready members, as the registry holds them.
    fn ready(&self, pool: &str) -> Vec<Record> {
        self.registry()
            .list()
            .unwrap()
            .into_iter()
            .filter(|r| r.kind() == "container" && r.get("pool") == Some(&Value::from(pool)))
            .collect()
    }

    /// The engine ids of the pool's ready members.
    fn ready_cids(&self, pool: &str) -> HashSet<String> {
        self.ready(pool)
            .iter()
            .map(|r| r.get("container_id").unwrap().as_str().unwrap().to_owned())
            .collect()
    }

    /// `pool ls --json`.
    fn pool_ls(&self) -> Vec<Value> {
        self.s
            .cmd("ptest-docker")
            .args(["pool", "ls", "--json"])
            .run()
            .success()
            .records()
    }

    /// Waits until pool `id` holds `n` ready members with its keeper
    /// running, as `pool ls` says.
    fn wait_full(&self, pool: &str, n: u64) {
        let deadline = Instant::now() + REFILL;
        loop {
            let ls = self.pool_ls();
            let p = ls.iter().find(|p| p["id"] == pool);
            if let Some(p) = p
                && p["ready"] == n
                && p["keeper"] == "running"
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "pool {pool} not back to {n} ready within {REFILL:?}: {ls:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Engine objects (`container`, `volume` or `network`) labelled as
    /// made for a pool of this test's state directory.
    fn labelled(&self, what: &str, more: &[&str]) -> Vec<String> {
        let home = format!("label=ptest.home={}", self.state());
        let mut args = match what {
            "container" => vec!["ps", "-aq", "--no-trunc"],
            _ => vec![what, "ls", "-q"],
        };
        args.extend(["--filter", &home]);
        for m in more {
            args.extend(["--filter", m]);
        }
        let out = docker(&args);
        out.lines().map(str::to_owned).collect()
    }

    /// The keeper processes of this test's state directory.
    fn keepers(&self) -> Vec<u32> {
        let home = format!("PTEST_HOME={}", self.state());
        let mut found = Vec::new();
        for e in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if !String::from_utf8_lossy(&cmdline).contains("__keep") {
                continue;
            }
            let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
            if environ.split(|b| *b == 0).any(|v| v == home.as_bytes()) {
                found.push(pid);
            }
        }
        found
    }

    /// The guardians of owner `pid` (whatever state directory).
    fn guardians(&self, pid: &str) -> Vec<u32> {
        let out = Command::new("pgrep")
            .args(["-f", &format!("__guard {pid}:")])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// `ptest-docker rm` of records, fed on stdin as `ptest down` does.
    fn rm(&self, records: &[Value]) -> Run {
        let input: String = records.iter().map(|r| format!("{r}\n")).collect();
        self.s
            .cmd("ptest-docker")
            .args(["rm", "--json"])
            .stdin(input)
            .run()
    }

    /// Asserts that nothing of this test is left: no registry entry, no
    /// engine object made for its pools, none of the containers or volumes
    /// its creates printed, no keeper. Waits a moment for removals that
    /// finish in the background (a guardian's).
    fn assert_clean(&self) {
        let deadline = Instant::now() + AFTER_DEATH;
        loop {
            let left = self.leftovers();
            if left.is_empty() {
                return;
            }
            assert!(Instant::now() < deadline, "left behind: {left:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn leftovers(&self) -> Vec<String> {
        let mut left: Vec<String> = Vec::new();
        if let Ok(state) = StateDir::at(self.s.state.clone())
            && let Ok(reg) = Registry::open(&state)
        {
            for r in reg.list().unwrap_or_default() {
                left.push(format!("registry {}", r.to_line()));
            }
        }
        for what in ["container", "volume", "network"] {
            for o in self.labelled(what, &[]) {
                left.push(format!("{what} {o}"));
            }
        }
        for r in self.made.lock().unwrap().iter() {
            if let Some(cid) = r["container_id"].as_str()
                && docker_output(&["container", "inspect", cid]).is_some()
            {
                left.push(format!("container {cid} ({})", r["name"]));
            }
            if let Some(v) = r["volume_name"].as_str()
                && docker_output(&["volume", "inspect", v]).is_some()
            {
                left.push(format!("volume {v}"));
            }
        }
        for k in self.keepers() {
            left.push(format!("keeper process {k}"));
        }
        left
    }
}

impl Drop for Pools {
    /// Removes everything of this test however it ended: pools drained,
    /// registered objects removed, owners killed, and what still stands on
    /// the engine (or a keeper still running) removed by force.
    fn drop(&mut self) {
        let records = StateDir::at(self.s.state.clone())
            .ok()
            .and_then(|s| Registry::open(&s).ok())
            .and_then(|r| r.list().ok())
            .unwrap_or_default();
        let pools: Vec<&str> = records
            .iter()
            .filter(|r| r.kind() == "pool")
            .filter_map(Record::id)
            .collect();
        if !pools.is_empty() {
            let _ = self
                .s
                .cmd("ptest-docker")
                .args(["pool", "rm"])
                .args(&pools)
                .run();
        }
        let input: String = records
            .iter()
            .filter(|r| r.kind() != "pool")
            .map(|r| r.to_line() + "\n")
            .collect();
        if !input.is_empty() {
            let _ = self.s.cmd("ptest-docker").arg("rm").stdin(input).run();
        }
        let owners = match self.owners.lock() {
            Ok(mut v) => std::mem::take(&mut *v),
            Err(e) => std::mem::take(&mut *e.into_inner()),
        };
        for mut c in owners {
            let _ = c.kill();
            let _ = c.wait();
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.keepers().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        for k in self.keepers() {
            let _ = Command::new("kill").args(["-9", &k.to_string()]).status();
        }
        let made = self.made.lock().map(|m| m.clone()).unwrap_or_default();
        for c in self.labelled("container", &[]).into_iter().chain(
            made.iter()
                .filter_map(|r| r["container_id"].as_str().map(str::to_owned)),
        ) {
            docker_quiet(&["rm", "-f", "-v", &c]);
        }
        for v in self.labelled("volume", &[]).into_iter().chain(
            made.iter()
                .filter_map(|r| r["volume_name"].as_str().map(str::to_owned)),
        ) {
            docker_quiet(&["volume", "rm", "-f", &v]);
        }
        for n in self.labelled("network", &[]) {
            docker_quiet(&["network", "rm", &n]);
        }
    }
}

/// A record's `id`.
fn id(r: &Value) -> &str {
    r["id"].as_str().unwrap_or_else(|| panic!("no id: {r}"))
}

/// A container record's engine id.
fn cid(r: &Value) -> String {
    r["container_id"]
        .as_str()
        .unwrap_or_else(|| panic!("no container_id: {r}"))
        .to_owned()
}

/// A container record's published host port for container port 80.
fn host_port(r: &Value) -> u16 {
    let p = &r["ports"][0];
    assert_eq!(p["container_port"], 80, "{r}");
    assert_eq!(p["host_ip"], "127.0.0.1", "{r}");
    p["host_port"].as_u64().unwrap() as u16
}

/// Whether the engine has container `cid` running.
fn running(cid: &str) -> bool {
    docker_output(&["inspect", "-f", "{{.State.Running}}", cid]).as_deref() == Some("true")
}

fn exists(what: &str, name: &str) -> bool {
    docker_output(&[what, "inspect", name]).is_some()
}

/// The first line of busybox httpd's answer on 127.0.0.1:`port` (any
/// status: `/` has no index page).
fn http_status(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("nothing accepts on 127.0.0.1:{port}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET / HTTP/1.0\r\n\r\n").unwrap();
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply.lines().next().unwrap_or_default().to_owned()
}

/// Asserts that a handed-out container runs and its port answers HTTP.
#[track_caller]
fn assert_serves(c: &Value) {
    let cid = cid(c);
    assert!(running(&cid), "not running: {c}");
    let status = http_status(host_port(c));
    assert!(
        status.starts_with("HTTP/1."),
        "no HTTP reply: {status:?} ({c})"
    );
}

/// Polls `done` until it holds or `within` passes; how long it took.
#[track_caller]
fn within(what: &str, within: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    start.elapsed()
}

/// SIGKILLs a process this test started (a keeper, a guardian) and waits
/// until it has ended: every thread gone, its descriptors (and so its
/// locks) closed. Its command line reads empty a moment before that.
fn kill9(pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    within(&format!("process {pid} killed"), AFTER_DEATH, || {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return true; // reaped
        };
        // A zombie whose last thread has gone: the state follows the
        // command name's closing parenthesis.
        let zombie = stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with(['Z', 'X']));
        let threads = std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |d| d.count());
        zombie && threads <= 1
    });
}

/// A volume name of this test run, which the leak check of tests/run knows.
fn volume_name(what: &str) -> String {
    format!("ptest-test-pool{what}-{}", random_hex(4))
}

/// Twenty creates at once from a pool of ten: every one succeeds, at
/// least ten get a ready member, the rest are made cold, and no two share
/// a container or a port.
#[test]
fn twenty_concurrent_takes_from_a_pool_of_ten_all_succeed_on_distinct_containers() {
    let p = Pools::new();
    let owner = p.owner();
    let pool = p.new_pool("web", 10, &["--owner", &owner]);
    let pool_id = id(&pool).to_owned();
    let members = p.ready_cids(&pool_id);
    assert_eq!(members.len(), 10);
    let taker = p.owner();

    let barrier = Barrier::new(20);
    let started = Instant::now();
    let runs: Vec<(Run, Duration)> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..20)
            .map(|i| {
                let cmd = p.create_cmd(&["--owner", &taker, "--name", &format!("t{i}")]);
                let barrier = &barrier;
                sc.spawn(move || {
                    barrier.wait();
                    let t = Instant::now();
                    let r = cmd.run();
                    (r, t.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    eprintln!("20 concurrent creates took {:?}", started.elapsed());
    for (r, _) in &runs {
        p.track(r);
    }
    let mut containers = Vec::new();
    for (i, (r, took)) in runs.iter().enumerate() {
        assert_eq!(r.code(), Some(0), "take t{i} failed: {}", r.stderr);
        let recs = r.records();
        assert_eq!(recs.len(), 1, "{}", r.stdout);
        let c = recs[0].clone();
        assert_eq!(c["kind"], "container");
        assert_eq!(c["name"], format!("t{i}"));
        // The taker's name in its variables, whichever way it was made.
        let port = host_port(&c);
        assert_eq!(c["env"][format!("PTEST_T{i}_PORT_80")], port.to_string());
        assert_eq!(c["env"][format!("PTEST_T{i}_HOST")], "127.0.0.1");
        assert_eq!(c["owner"]["pid"].to_string(), taker, "{c}");
        assert!(
            c.get("pool").is_none(),
            "a taken one is no longer the pool's: {c}"
        );
        eprintln!(
            "t{i}: {:?} {}",
            took,
            if c["from_pool"].is_null() {
                "cold"
            } else {
                "taken"
            }
        );
        containers.push(c);
    }
    let taken: Vec<&Value> = containers
        .iter()
        .filter(|c| !c["from_pool"].is_null())
        .collect();
    for c in &taken {
        assert_eq!(c["from_pool"], pool_id.as_str());
    }
    // The pool held ten when the creates began, and nothing but a take
    // removes a live member: a create finds the pool empty only once ten
    // were taken, so at least ten are taken. The keeper makes new members
    // while the creates run, and a create that comes late may take one of
    // those: more than ten may be taken, never fewer.
    assert!(
        taken.len() >= 10,
        "only {} of 20 taken from a pool of 10",
        taken.len()
    );
    let from_first: usize = taken.iter().filter(|c| members.contains(&cid(c))).count();
    eprintln!(
        "{} taken ({from_first} of the first ten members), {} cold",
        taken.len(),
        20 - taken.len()
    );
    let cids: HashSet<String> = containers.iter().map(cid).collect();
    assert_eq!(cids.len(), 20, "two creates got the same container");
    let ports: HashSet<u16> = containers.iter().map(host_port).collect();
    assert_eq!(ports.len(), 20, "two containers share a port");
    for c in &containers {
        assert_serves(c);
    }
    // None handed out is still the pool's.
    let ready = p.ready_cids(&pool_id);
    assert!(ready.is_disjoint(&cids), "handed out and still ready");

    // `pool rm` leaves the twenty to their taker; `rm` removes them.
    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    for c in &containers {
        assert!(running(&cid(c)), "pool rm removed a taken container: {c}");
    }
    p.rm(&containers).success();
    p.assert_clean();
}

/// A spec that differs in one env value is not taken (automatically), and
/// `--pool` with it is a usage error naming env; the name and readiness
/// timeout are not part of the spec; `--no-pool` never takes.
#[test]
fn a_spec_differing_in_one_env_value_is_never_taken() {
    let p = Pools::new();
    let owner = p.owner();
    let pool = p.new_pool("envpool", 2, &["--owner", &owner, "--env", "MODE=one"]);
    let pool_id = id(&pool).to_owned();
    let before = p.ready_cids(&pool_id);
    assert_eq!(before.len(), 2);

    let other = p.create(&["--owner", &owner, "--name", "other", "--env", "MODE=two"]);
    assert!(
        other["from_pool"].is_null(),
        "taken with another env: {other}"
    );
    assert!(!before.contains(&cid(&other)));
    assert_serves(&other);
    assert_eq!(p.ready_cids(&pool_id), before, "the pool was touched");

    let r = p
        .create_cmd(&["--owner", &owner, "--pool", "envpool", "--env", "MODE=two"])
        .run();
    p.track(&r);
    let r = r.expect_code(64);
    assert!(r.stderr.contains("env"), "{}", r.stderr);
    assert!(r.stderr.contains("envpool"), "{}", r.stderr);
    assert!(r.records_before_error().is_empty(), "{}", r.stdout);
    assert_eq!(p.ready_cids(&pool_id), before, "the pool was touched");

    // --no-pool with the pool's very spec: made cold.
    let cold = p.create(&["--owner", &owner, "--no-pool", "--env", "MODE=one"]);
    assert!(cold["from_pool"].is_null(), "{cold}");
    assert_eq!(p.ready_cids(&pool_id), before, "the pool was touched");

    // The control: the pool's spec under another name and readiness
    // timeout is taken, from that pool, and is the pool's container.
    let taken = p.create(&[
        "--owner",
        &owner,
        "--pool",
        "envpool",
        "--name",
        "mine",
        "--ready-timeout",
        "17s",
        "--env",
        "MODE=one",
    ]);
    assert_eq!(taken["from_pool"], pool_id.as_str(), "{taken}");
    assert!(before.contains(&cid(&taken)), "{taken}");
    assert_eq!(taken["name"], "mine");
    assert_eq!(
        taken["env"]["PTEST_MINE_PORT_80"],
        host_port(&taken).to_string()
    );
    let env = docker(&["inspect", "-f", "{{json .Config.Env}}", &cid(&taken)]);
    assert!(env.contains("\"MODE=one\""), "{env}");
    assert_serves(&taken);
    // --pool takes the pool's id as well as its name.
    let by_id = p.create(&["--owner", &owner, "--pool", &pool_id, "--env", "MODE=one"]);
    assert_eq!(by_id["from_pool"], pool_id.as_str(), "{by_id}");
    assert!(before.contains(&cid(&by_id)), "{by_id}");
    assert_ne!(cid(&by_id), cid(&taken));

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "envpool"])
        .run()
        .success();
    p.rm(&[other, cold, taken, by_id]).success();
    p.assert_clean();
}

/// The pool's owner SIGKILLed: its ready members, their volumes, its
/// record and its keeper are gone within seconds; a container another
/// owner took from it stays.
#[test]
fn sigkill_of_the_pool_owner_removes_the_ready_members_not_the_taken_ones() {
    let p = Pools::new();
    let owner = p.owner();
    let taker = p.owner();
    let vol = volume_name("own");
    let bind = format!("{vol}:/data");
    let pool = p.new_pool("web", 2, &["--owner", &owner, "--volume", &bind]);
    let pool_id = id(&pool).to_owned();

    let taken_recs = p.create_all(&["--owner", &taker, "--volume", &bind]);
    let taken = taken_recs
        .iter()
        .find(|r| r["kind"] == "container")
        .unwrap()
        .clone();
    assert_eq!(taken["from_pool"], pool_id.as_str(), "{taken}");
    let taken_vol = taken_recs
        .iter()
        .find(|r| r["kind"] == "volume")
        .and_then(|v| v["volume_name"].as_str())
        .unwrap_or_else(|| panic!("no volume record: {taken_recs:?}"))
        .to_owned();
    assert!(taken_vol.starts_with(&format!("{vol}-")), "{taken_vol}");
    p.wait_full(&pool_id, 2);

    let pool_label = format!("label=ptest.pool={pool_id}");
    let members: Vec<String> = p
        .labelled("container", &[&pool_label])
        .into_iter()
        .filter(|c| *c != cid(&taken))
        .collect();
    let volumes: Vec<String> = p
        .labelled("volume", &[&pool_label])
        .into_iter()
        .filter(|v| *v != taken_vol)
        .collect();
    assert_eq!(members.len(), 2, "two ready members: {members:?}");
    assert_eq!(volumes.len(), 2, "a volume each: {volumes:?}");
    assert_eq!(p.keepers().len(), 1, "one keeper");

    let killed = p.kill_owner(&owner);
    let gone = within("the pool outliving its owner", AFTER_DEATH, || {
        members.iter().all(|c| !exists("container", c))
            && volumes.iter().all(|v| !exists("volume", v))
            && p.pool_ls().is_empty()
            && p.keepers().is_empty()
    });
    eprintln!(
        "members, volumes, record and keeper gone {:?} after the SIGKILL ({:?} polling)",
        killed.elapsed(),
        gone
    );
    assert!(p.ready(&pool_id).is_empty());

    // The taker's container, its volume and its entry stay.
    assert_serves(&taken);
    assert!(exists("volume", &taken_vol));
    let entry = p.registry().get(id(&taken)).unwrap();
    assert!(entry.is_some(), "the taken container's entry went");

    p.rm(&taken_recs).success();
    p.assert_clean();
}

/// The taker SIGKILLed: the container it took goes within seconds (its
/// labels name no owner: the guardian reads the registry), and the pool
/// is full again.
#[test]
fn sigkill_of_the_taker_removes_its_taken_container_and_the_pool_refills() {
    let p = Pools::new();
    let owner = p.owner();
    let taker = p.owner();
    let pool = p.new_pool("web", 2, &["--owner", &owner]);
    let pool_id = id(&pool).to_owned();

    let taken = p.create(&["--owner", &taker]);
    assert_eq!(taken["from_pool"], pool_id.as_str(), "{taken}");
    let owner_label = docker(&[
        "inspect",
        "-f",
        "{{index .Config.Labels \"ptest.owner\"}}",
        &cid(&taken),
    ]);
    assert_eq!(owner_label, "", "a pooled container has no owner label");
    assert!(!p.guardians(&taker).is_empty(), "the taker is watched");

    let killed = p.kill_owner(&taker);
    within(
        "the taken container outliving its taker",
        AFTER_DEATH,
        || !exists("container", &cid(&taken)),
    );
    eprintln!(
        "taken container gone {:?} after the SIGKILL",
        killed.elapsed()
    );
    within("the taken container's entry", AFTER_DEATH, || {
        p.registry().get(id(&taken)).unwrap().is_none()
    });

    p.wait_full(&pool_id, 2);
    for r in p.ready(&pool_id) {
        assert!(running(r.get("container_id").unwrap().as_str().unwrap()));
    }
    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    p.assert_clean();
}

/// Members killed behind ptest's back while they waited are never handed
/// out: every take gets a running container whose port answers, the dead
/// ones are removed, and the keeper fills the pool again.
#[test]
fn a_member_that_died_while_it_waited_is_never_handed_out_and_is_replaced() {
    let p = Pools::new();
    let owner = p.owner();
    let pool = p.new_pool("web", 3, &["--owner", &owner]);
    let pool_id = id(&pool).to_owned();
    let members: Vec<String> = p.ready_cids(&pool_id).into_iter().collect();
    let dead: Vec<String> = members[..2].to_vec();
    for c in &dead {
        docker(&["kill", c]);
    }
    for c in &dead {
        assert!(!running(c), "{c} still runs");
    }

    // At once, before the keeper's next look: three wanted, two of the
    // three ready ones dead.
    let recs = p.create_all(&["--owner", &owner, "--count", "3"]);
    let first: Vec<Value> = recs
        .into_iter()
        .filter(|r| r["kind"] == "container")
        .collect();
    assert_eq!(first.len(), 3, "{first:?}");
    // One after another, while the keeper refills.
    let mut later = Vec::new();
    for i in 0..3 {
        later.push(p.create(&["--owner", &owner, "--name", &format!("later{i}")]));
    }
    let all: Vec<Value> = first.iter().chain(&later).cloned().collect();
    for c in &all {
        assert!(!dead.contains(&cid(c)), "a dead member was handed out: {c}");
        assert_serves(c);
    }
    let names: Vec<&str> = first.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["busybox-0", "busybox-1", "busybox-2"]);
    for c in &first {
        let n = c["name"].as_str().unwrap().to_uppercase().replace('-', "_");
        assert_eq!(
            c["env"][format!("PTEST_{n}_PORT_80")],
            host_port(c).to_string(),
            "{c}"
        );
    }
    assert!(
        all.iter().any(|c| c["from_pool"] == pool_id.as_str()),
        "the live member was taken: {all:?}"
    );
    within("the dead members removed from the engine", REFILL, || {
        dead.iter().all(|c| !exists("container", c))
    });
    p.wait_full(&pool_id, 3);
    let ready = p.ready_cids(&pool_id);
    for c in &ready {
        assert!(running(c), "a dead member counted ready: {c}");
        assert!(!dead.contains(c));
    }

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    p.rm(&all).success();
    p.assert_clean();
}

/// A pool's --ttl drains it without gc: record, members, their volumes and
/// keeper gone once it passes, not before.
#[test]
fn a_pool_ttl_drains_it_without_gc() {
    let p = Pools::new();
    let vol = volume_name("ttl");
    let bind = format!("{vol}:/data");
    let before = Instant::now();
    let pool = p.new_pool(
        "web",
        2,
        &["--owner", "none", "--ttl", "3s", "--volume", &bind],
    );
    let pool_id = id(&pool).to_owned();
    assert!(pool["expires_at"].is_string(), "{pool}");
    assert!(pool.get("owner").is_none(), "{pool}");
    let pool_label = format!("label=ptest.pool={pool_id}");
    let members = p.labelled("container", &[&pool_label]);
    let volumes = p.labelled("volume", &[&pool_label]);
    assert_eq!((members.len(), volumes.len()), (2, 2));
    assert_eq!(p.keepers().len(), 1);

    within(
        "the expired pool drained",
        Duration::from_secs(3) + AFTER_DEATH,
        || {
            p.pool_ls().is_empty()
                && members.iter().all(|c| !exists("container", c))
                && volumes.iter().all(|v| !exists("volume", v))
                && p.keepers().is_empty()
        },
    );
    let at = before.elapsed();
    eprintln!("drained {at:?} after pool create began (--ttl 3s)");
    assert!(
        at >= Duration::from_secs(3),
        "drained before its ttl: {at:?}"
    );
    p.assert_clean();
}

/// With the guardian and the keeper gone (a supervisor killed the tree),
/// `gc` after the owner's death drains the pool and removes its members,
/// their volumes, and a member the keeper left unregistered.
#[test]
fn gc_after_the_owners_death_removes_the_pool_and_its_orphans() {
    let p = Pools::new();
    let owner = p.owner();
    let vol = volume_name("gc");
    let bind = format!("{vol}:/data");
    let pool = p.new_pool("web", 2, &["--owner", &owner, "--volume", &bind]);
    let pool_id = id(&pool).to_owned();
    let pool_label = format!("label=ptest.pool={pool_id}");
    let members = p.labelled("container", &[&pool_label]);
    let volumes = p.labelled("volume", &[&pool_label]);
    assert_eq!((members.len(), volumes.len()), (2, 2));

    // One member unregistered, as a keeper SIGKILLed between making a
    // member and registering it leaves one.
    let ready = p.ready(&pool_id);
    let orphan = ready[0].clone();
    let orphan_cid = orphan
        .get("container_id")
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert!(p.registry().remove(orphan.id().unwrap()).unwrap());

    let guardians = p.guardians(&owner);
    let keepers = p.keepers();
    assert!(!guardians.is_empty(), "the pool's owner is watched");
    assert_eq!(keepers.len(), 1);
    for pid in guardians.iter().chain(&keepers) {
        kill9(*pid);
    }
    p.kill_owner(&owner);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        members.iter().all(|c| exists("container", c)),
        "nothing but gc was to remove them"
    );
    let ls = p.pool_ls();
    assert_eq!(ls.len(), 1, "{ls:?}");
    assert_eq!(ls[0]["keeper"], "stopped", "{ls:?}");

    let gc =
        p.s.cmd("ptest-docker")
            .args(["gc", "--json"])
            .run()
            .success();
    let events = gc.records();
    assert!(
        events
            .iter()
            .any(|e| e["event"] == "pool.removed" && e["id"] == pool_id.as_str()),
        "{events:?}"
    );
    for c in &members {
        assert!(!exists("container", c), "gc left {c} (orphan {orphan_cid})");
    }
    for v in &volumes {
        assert!(!exists("volume", v), "gc left volume {v}");
    }
    assert!(p.pool_ls().is_empty());
    p.assert_clean();
}

/// `pool rm` drains (ready members go, taken ones stay); `rm` with the
/// pool's record on stdin (`ptest down`) drains too; `pool ls` tells the
/// ready count and whether the keeper runs.
#[test]
fn pool_rm_and_rm_of_the_record_drain_and_pool_ls_tells_ready_and_keeper() {
    let p = Pools::new();
    let owner = p.owner();
    let first = p.new_pool("first", 2, &["--owner", &owner, "--env", "P=1"]);
    let first_id = id(&first).to_owned();
    let ls = p.pool_ls();
    assert_eq!(ls.len(), 1, "{ls:?}");
    assert_eq!(ls[0]["id"], first_id.as_str());
    assert_eq!(ls[0]["name"], "first");
    assert_eq!(ls[0]["size"], 2);
    assert_eq!(ls[0]["ready"], 2);
    assert_eq!(ls[0]["keeper"], "running");
    assert_eq!(ls[0]["spec_hash"], first["spec_hash"]);

    let taken = p.create(&["--owner", &owner, "--env", "P=1"]);
    assert_eq!(taken["from_pool"], first_id.as_str());
    p.wait_full(&first_id, 2);
    let ready = p.ready_cids(&first_id);
    assert_eq!(ready.len(), 2);

    let r =
        p.s.cmd("ptest-docker")
            .args(["pool", "rm", "--json", "first"])
            .run()
            .success();
    let ev = r.records();
    assert_eq!(ev.len(), 1, "{}", r.stdout);
    assert_eq!(ev[0]["event"], "pool.removed");
    assert_eq!(ev[0]["id"], first_id.as_str());
    assert_eq!(ev[0]["drained"], 2);
    for c in &ready {
        assert!(!exists("container", c), "pool rm left ready member {c}");
    }
    assert!(p.keepers().is_empty(), "the keeper outlived pool rm");
    assert!(p.pool_ls().is_empty());
    assert_serves(&taken);

    // The record on stdin, as `ptest down` passes it.
    let second = p.new_pool("second", 1, &["--owner", &owner, "--env", "P=2"]);
    let second_id = id(&second).to_owned();
    let members = p.ready_cids(&second_id);
    let r = p.rm(std::slice::from_ref(&second)).success();
    let ev = r.records();
    assert!(
        ev.iter().any(|e| e["event"] == "pool.removed"
            && e["id"] == second_id.as_str()
            && e["drained"] == 1),
        "{}",
        r.stdout
    );
    for c in &members {
        assert!(!exists("container", c), "rm left ready member {c}");
    }
    assert!(p.keepers().is_empty(), "the keeper outlived rm");

    // A keeper that died: `pool ls` says so.
    let third = p.new_pool("third", 1, &["--owner", &owner, "--env", "P=3"]);
    let keepers = p.keepers();
    assert_eq!(keepers.len(), 1);
    kill9(keepers[0]);
    let ls = p.pool_ls();
    assert_eq!(ls.len(), 1, "{ls:?}");
    assert_eq!(ls[0]["keeper"], "stopped");
    assert_eq!(ls[0]["ready"], 1);
    // By its id, as a word.
    let r =
        p.s.cmd("ptest-docker")
            .args(["rm", "--json", id(&third)])
            .run()
            .success();
    assert!(
        r.records()
            .iter()
            .any(|e| e["event"] == "pool.removed" && e["id"] == third["id"] && e["drained"] == 1),
        "{}",
        r.stdout
    );
    assert!(p.pool_ls().is_empty());

    assert_serves(&taken);
    p.rm(&[taken]).success();
    p.assert_clean();
}

/// What cannot be pooled is refused before anything is made, a name taken
/// by another spec is refused and the pool left as it was, and a missing
/// --pool is 66.
#[test]
fn pool_errors_leave_nothing_and_leave_the_existing_pool_as_it_was() {
    let p = Pools::new();
    let owner = p.owner();
    let o = ["--owner", owner.as_str()];

    let r = p
        .pool_create("leased", 1, &[&o[..], &["--port", "8080=web"]].concat())
        .expect_code(64);
    assert!(r.stderr.contains("8080=web"), "{}", r.stderr);
    for size in ["0", "65"] {
        let r =
            p.s.cmd("ptest-docker")
                .args(["pool", "create", "--pool", "big", "--size", size])
                .args(p.spec(&o))
                .run()
                .expect_code(64);
        assert!(r.stderr.contains("--size"), "{}", r.stderr);
    }
    let vol = volume_name("exists");
    docker(&["volume", "create", &vol]);
    let r = p.pool_create(
        "vol",
        1,
        &[&o[..], &["--volume", &format!("{vol}:/data")]].concat(),
    );
    docker_quiet(&["volume", "rm", "-f", &vol]);
    let r = r.expect_code(64);
    assert!(r.stderr.contains(&vol), "{}", r.stderr);
    let r = p
        .create_cmd(&[&o[..], &["--pool", "nosuch"]].concat())
        .run()
        .expect_code(66);
    assert!(r.stderr.contains("nosuch"), "{}", r.stderr);
    // Members that never get ready: the keeper's failure is pool create's.
    let r =
        p.s.cmd("ptest-docker")
            .args(["pool", "create", "--pool", "never", "--size", "2"])
            .args(["--owner", &owner, "--image", &p.image, "--port", "80"])
            .args(["--ready-port", "81", "--ready-timeout", "2s"])
            .args(HTTPD)
            .run()
            .expect_code(124);
    assert!(r.stderr.contains("not ready"), "{}", r.stderr);
    p.assert_clean();

    let web = p.new_pool("web", 1, &[&o[..], &["--env", "A=1"]].concat());
    let web_id = id(&web).to_owned();
    let members = p.ready_cids(&web_id);
    let r = p
        .pool_create("web", 1, &[&o[..], &["--env", "A=2"]].concat())
        .expect_code(73);
    assert!(r.stderr.contains("env"), "{}", r.stderr);
    // The same name and spec: the pool as it is, nothing made.
    let r = p
        .pool_create("web", 1, &[&o[..], &["--env", "A=1"]].concat())
        .success();
    assert_eq!(r.records()[0]["id"], web_id.as_str(), "{}", r.stdout);
    assert!(r.stderr.contains("exists already"), "{}", r.stderr);
    let ls = p.pool_ls();
    assert_eq!(ls.len(), 1, "{ls:?}");
    assert_eq!(ls[0]["id"], web_id.as_str());
    assert_eq!(ls[0]["ready"], 1);
    assert_eq!(ls[0]["keeper"], "running");
    assert_eq!(p.ready_cids(&web_id), members, "the pool was touched");
    assert_eq!(p.keepers().len(), 1);
    assert_eq!(
        p.labelled("container", &[]).len(),
        1,
        "only the first pool's member"
    );
    // And it still serves.
    let taken = p.create(&[&o[..], &["--env", "A=1", "--pool", "web"]].concat());
    assert_eq!(taken["from_pool"], web_id.as_str());
    assert!(members.contains(&cid(&taken)));

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    p.rm(&[taken]).success();
    p.assert_clean();
}

/// Each member has named volumes of its own: two takes get two volumes,
/// and what one writes the other does not see.
#[test]
fn each_member_gets_fresh_named_volumes() {
    let p = Pools::new();
    let owner = p.owner();
    let vol = volume_name("fresh");
    let bind = format!("{vol}:/data");
    let pool = p.new_pool("web", 2, &["--owner", &owner, "--volume", &bind]);
    let pool_id = id(&pool).to_owned();

    let mut takes = Vec::new();
    for name in ["a", "b"] {
        let recs = p.create_all(&["--owner", &owner, "--name", name, "--volume", &bind]);
        let c = recs.iter().find(|r| r["kind"] == "container").unwrap();
        assert_eq!(c["from_pool"], pool_id.as_str(), "{c}");
        let v = recs
            .iter()
            .find(|r| r["kind"] == "volume")
            .unwrap_or_else(|| panic!("no volume record: {recs:?}"));
        let name = v["volume_name"].as_str().unwrap().to_owned();
        assert!(name.starts_with(&format!("{vol}-")), "{name}");
        let mounts = docker(&["inspect", "-f", "{{json .Mounts}}", &cid(c)]);
        assert!(mounts.contains(&format!("\"Name\":\"{name}\"")), "{mounts}");
        takes.push((c.clone(), name, recs));
    }
    assert_ne!(takes[0].1, takes[1].1, "two takes share a volume");
    assert!(
        !exists("volume", &vol),
        "the volume named in the spec was made"
    );

    let exec = |c: &Value, script: &str| {
        p.s.cmd("ptest-docker")
            .args([
                "exec",
                c["name"].as_str().unwrap(),
                "--",
                "sh",
                "-c",
                script,
            ])
            .run()
    };
    exec(&takes[0].0, "echo one > /data/f").success();
    let r = exec(&takes[0].0, "cat /data/f").success();
    assert_eq!(r.stdout, "one\n");
    let r = exec(&takes[1].0, "ls -A /data; test ! -e /data/f && echo absent").success();
    assert_eq!(
        r.stdout, "absent\n",
        "the second take sees the first's file"
    );

    // Once the volume the spec names exists, the spec is not taken (its
    // containers would share that volume): made cold on it, with a note.
    p.made
        .lock()
        .unwrap()
        .push(serde_json::json!({ "volume_name": vol }));
    p.wait_full(&pool_id, 2);
    let members = p.ready_cids(&pool_id);
    docker(&["volume", "create", &vol]);
    let r = p
        .create_cmd(&["--owner", &owner, "--name", "c", "--volume", &bind])
        .run();
    p.track(&r);
    let r = r.success();
    assert!(r.stderr.contains("not taken from pool web"), "{}", r.stderr);
    let recs = r.records();
    let c = recs.iter().find(|r| r["kind"] == "container").unwrap();
    assert!(c["from_pool"].is_null(), "{c}");
    let mounts = docker(&["inspect", "-f", "{{json .Mounts}}", &cid(c)]);
    assert!(mounts.contains(&format!("\"Name\":\"{vol}\"")), "{mounts}");
    assert_eq!(p.ready_cids(&pool_id), members, "the pool was touched");
    p.rm(&recs).success();
    assert!(
        exists("volume", &vol),
        "rm removed a volume ptest did not make"
    );
    docker(&["volume", "rm", &vol]);

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    for (_, v, recs) in &takes {
        p.rm(recs).success();
        assert!(!exists("volume", v), "rm left the taken volume {v}");
    }
    p.assert_clean();
}

/// A pool is of an image, not of a tag: once the tag the pool was made
/// with names another image, the keeper still makes members of the
/// pool's image, so a create asking for that image (by id) gets it, and
/// one asking for the tag (now another image) is made cold.
#[test]
fn a_moved_tag_never_gets_a_create_a_container_of_another_image() {
    let p = Pools::new();
    let owner = p.owner();
    let first = docker(&["image", "inspect", "-f", "{{.Id}}", &p.image]);
    // Another image: the same root filesystem, imported again with a label.
    let tarball = p.s.dir.path().join("rootfs.tar");
    common::write_busybox_rootfs(&tarball);
    let suffix = format!("{}-{}", std::process::id(), random_hex(3));
    let other_tag = format!("{}:moved-{suffix}", common::BUSYBOX_REPO);
    let tag = format!("{}:moving-{suffix}", common::BUSYBOX_REPO);
    common::remove_at_exit(&other_tag);
    common::remove_at_exit(&tag);
    let tar = tarball.display().to_string();
    let other = docker(&["import", "--change", "LABEL moved=1", &tar, &other_tag]);
    assert_ne!(other, first);
    docker(&["tag", &p.image, &tag]);

    let args = |image: &str, name: &str| -> Vec<String> {
        [
            "--owner",
            &owner,
            "--image",
            image,
            "--name",
            name,
            "--ready-cmd",
            "true",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(["--", "sleep", "300"].map(String::from))
        .collect()
    };
    let pool =
        p.s.cmd("ptest-docker")
            .args([
                "pool", "create", "--json", "--pool", "tagged", "--size", "1",
            ])
            .args(args(&tag, "member"))
            .run()
            .success()
            .records()
            .remove(0);
    let pool_id = id(&pool).to_owned();
    assert_eq!(pool["spec"]["image_id"], first.as_str());
    docker(&["tag", &other_tag, &tag]);

    let take = |image: &str, name: &str| -> Value {
        let r = p.s.cmd("ptest-docker").args(["create", "--json"]);
        let r = r.args(args(image, name)).run();
        p.track(&r);
        let recs = r.success().records();
        recs.into_iter().find(|r| r["kind"] == "container").unwrap()
    };
    let image_of = |c: &Value| docker(&["inspect", "-f", "{{.Image}}", &cid(c)]);
    // The tag now names the other image: made cold, of that image.
    let by_tag = take(&tag, "bytag");
    assert!(by_tag["from_pool"].is_null(), "{by_tag}");
    assert_eq!(image_of(&by_tag), other);
    // The pool's image by id: taken, then taken again from the refill.
    let mut takes = vec![by_tag];
    for name in ["byid0", "byid1"] {
        let c = take(&first, name);
        assert_eq!(c["from_pool"], pool_id.as_str(), "{c}");
        assert_eq!(
            image_of(&c),
            first,
            "asked for {first}, got another image: {c}"
        );
        takes.push(c);
        p.wait_full(&pool_id, 1);
    }

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "tagged"])
        .run()
        .success();
    p.rm(&takes).success();
    p.assert_clean();
    docker_quiet(&["image", "rm", &tag, &other_tag]);
}

/// A taken container is found by its name, as a cold one is; the pool's
/// ready members (named as the pool's spec names them, often the same
/// name) are nobody's yet: `exec NAME` never runs in one, and `rm NAME`
/// never removes one.
#[test]
fn a_name_names_the_takers_container_never_a_ready_member() {
    let p = Pools::new();
    let owner = p.owner();
    // No --name anywhere: members and takes are all named after the image.
    let pool = p.new_pool("web", 2, &["--owner", &owner]);
    let pool_id = id(&pool).to_owned();
    let taken = p.create(&["--owner", &owner]);
    assert_eq!(taken["from_pool"], pool_id.as_str(), "{taken}");
    let name = taken["name"].as_str().unwrap().to_owned();
    // The members made after the take are the newest of that name.
    p.wait_full(&pool_id, 2);
    let members = p.ready_cids(&pool_id);
    for r in p.ready(&pool_id) {
        assert_eq!(r.get("name"), Some(&Value::from(name.as_str())));
    }

    let r =
        p.s.cmd("ptest-docker")
            .args(["exec", &name, "--", "hostname"])
            .run()
            .success();
    assert_eq!(
        r.stdout.trim(),
        &cid(&taken)[..12],
        "exec {name} ran in another container than the one taken"
    );
    p.s.cmd("ptest-docker").args(["rm", &name]).run().success();
    assert!(!exists("container", &cid(&taken)), "rm {name} left it");
    assert_eq!(
        p.ready_cids(&pool_id),
        members,
        "rm {name} touched the pool"
    );
    for c in &members {
        assert!(running(c));
    }

    p.s.cmd("ptest-docker")
        .args(["pool", "rm", "web"])
        .run()
        .success();
    p.assert_clean();
}
