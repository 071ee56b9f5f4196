//! `ptest doctor` on this machine: the real python3, Docker engine, cgroups,
//! namespaces and state directory, each cross-checked independently.

use ptest_shared::testkit::Scenario;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;

const CHECKS: [&str; 23] = [
    "python3",
    "pip",
    "uv",
    "docker",
    "cgroups",
    "cgroup.memory",
    "cgroup.cpu",
    "cgroup.pids",
    "cgroup.cpuset",
    "cgroup.io",
    "netns",
    "userns",
    "counters.cgroup",
    "counters.proc",
    "counters.psi",
    "counters.engine",
    "snap.reflink",
    "snap.copy_file_range",
    "snap.renameat2",
    "snap.xattrs",
    "snap.overlay",
    "state",
    "quarantine",
];

fn doctor(s: &Scenario) -> Vec<Value> {
    s.cmd("ptest")
        .args(["doctor", "--json"])
        .run()
        .success()
        .records()
}

fn check<'a>(records: &'a [Value], name: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {name:?} check in {records:#?}"))
}

fn str_field<'a>(r: &'a Value, key: &str) -> &'a str {
    r[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key:?} is not a string in {r}"))
}

/// `(major, minor)` of an API version such as `1.41`.
fn api(v: &str) -> (u32, u32) {
    let (a, b) = v
        .split_once('.')
        .unwrap_or_else(|| panic!("bad API version {v:?}"));
    (a.parse().unwrap(), b.parse().unwrap())
}

/// The cgroup version as read here, independently of ptest: v1 controller
/// mounts, unless the unified hierarchy holds some of the controllers ptest
/// uses (hybrid); no v1 controller mounts but a cgroup2 mount: v2.
fn expected_cgroup_version() -> &'static str {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let wanted = ["memory", "cpu", "pids", "cpuset", "blkio"];
    let mut v1 = false;
    let mut v2_root = None;
    for line in mountinfo.lines() {
        let (left, right) = line.split_once(" - ").unwrap();
        let mut r = right.split(' ');
        let fstype = r.next().unwrap();
        let options: Vec<&str> = r.nth(1).unwrap_or("").split(',').collect();
        if fstype == "cgroup" && wanted.iter().any(|c| options.contains(c)) {
            v1 = true;
        }
        if fstype == "cgroup2" {
            v2_root = left.split(' ').nth(4).map(str::to_owned);
        }
    }
    let v2_controllers = v2_root
        .as_ref()
        .and_then(|d| std::fs::read_to_string(format!("{d}/cgroup.controllers")).ok())
        .unwrap_or_default();
    let on_v2 = ["memory", "cpu", "pids", "cpuset", "io"]
        .iter()
        .any(|c| v2_controllers.split_whitespace().any(|x| x == *c));
    match (v1, on_v2, v2_root.is_some()) {
        (true, true, _) => "hybrid",
        (true, false, _) => "v1",
        (false, _, true) => "v2",
        (false, _, false) => "none",
    }
}

#[test]
fn doctor_reports_every_check_as_a_record() {
    let s = Scenario::new();
    s.registry(); // creates the state directory, mode 0700
    let records = doctor(&s);
    let names: Vec<&str> = records.iter().map(|r| str_field(r, "name")).collect();
    assert_eq!(
        names, CHECKS,
        "one check record per check, in a stable order"
    );
    for r in &records {
        assert_eq!(r["v"], 1, "{r}");
        assert_eq!(r["kind"], "check", "{r}");
        let ok = r["ok"]
            .as_bool()
            .unwrap_or_else(|| panic!("ok is not a bool: {r}"));
        assert!(!str_field(r, "detail").is_empty(), "{r}");
        if ok {
            assert!(r.get("hint").is_none(), "a hint only when not ok: {r}");
        } else {
            assert!(!str_field(r, "hint").is_empty(), "not ok needs a hint: {r}");
        }
    }
}

#[test]
fn python3_is_found_with_the_version_it_reports_itself() {
    let s = Scenario::new();
    let records = doctor(&s);
    let py = check(&records, "python3");
    assert_eq!(py["ok"], true, "{py}");
    let own = s.command("python3").arg("--version").run().success();
    let own = format!("{}{}", own.stdout, own.stderr);
    let own_version = own.split_whitespace().nth(1).expect("Python X.Y.Z");
    assert_eq!(str_field(py, "version"), own_version, "{py}");
    assert!(str_field(py, "detail").contains(own_version), "{py}");
    let interpreter = std::path::Path::new(str_field(py, "path"));
    assert!(interpreter.is_absolute() && interpreter.exists(), "{py}");
}

#[test]
fn the_docker_engine_is_reachable_with_api_141_or_newer() {
    let s = Scenario::new();
    let records = doctor(&s);
    let d = check(&records, "docker");
    assert_eq!(
        d["ok"], true,
        "the Docker engine of this machine must be up for these tests: {d}"
    );
    assert!(api(str_field(d, "api_version")) >= (1, 41), "{d}");
    assert!(!str_field(d, "version").is_empty(), "{d}");
    assert!(
        str_field(d, "detail").contains(str_field(d, "api_version")),
        "{d}"
    );
}

#[test]
fn an_unreachable_docker_host_is_a_finding_with_a_hint() {
    let mut s = Scenario::new();
    s.env("DOCKER_HOST", "unix:///nonexistent.sock");
    let records = doctor(&s);
    let d = check(&records, "docker");
    assert_eq!(d["ok"], false, "{d}");
    assert!(str_field(d, "detail").contains("/nonexistent.sock"), "{d}");
    assert!(str_field(d, "hint").contains("DOCKER_HOST"), "{d}");
    // ptest mon cannot watch containers either, and says why.
    let e = check(&records, "counters.engine");
    assert_eq!(e["ok"], false, "{e}");
    assert!(str_field(e, "detail").contains("/nonexistent.sock"), "{e}");
    // The other checks still ran.
    assert_eq!(records.len(), CHECKS.len());
}

#[test]
fn cgroups_report_the_version_and_a_writable_memory_controller() {
    let s = Scenario::new();
    let records = doctor(&s);
    let cg = check(&records, "cgroups");
    assert_eq!(str_field(cg, "version"), expected_cgroup_version(), "{cg}");
    assert_eq!(cg["ok"], true, "{cg}");
    let mem = check(&records, "cgroup.memory");
    assert_eq!(mem["ok"], true, "we are root here: {mem}");
    assert_eq!(mem["writable"], true, "{mem}");
    assert_eq!(mem["hierarchy"], cg["version"], "{mem}");
    assert!(
        cg["writable"]
            .as_array()
            .unwrap()
            .contains(&"memory".into()),
        "{cg}"
    );
    // Cross-check the claim: a child cgroup can really be made there, and
    // on v1 it has the memory controller's files.
    let dir = std::path::Path::new(str_field(mem, "path"));
    let child = dir.join(format!("ptest-doctor-test-{}", std::process::id()));
    std::fs::create_dir(&child).unwrap_or_else(|e| panic!("{}: {e}", child.display()));
    let has_limit_file = child.join("memory.limit_in_bytes").exists()
        || child.join("memory.max").exists()
        || mem["hierarchy"] == "v2";
    std::fs::remove_dir(&child).unwrap();
    assert!(
        has_limit_file,
        "{} has no memory limit file",
        child.display()
    );
    // Nothing left behind by the probes.
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("ptest-probe-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn network_and_user_namespaces_can_be_made() {
    let s = Scenario::new();
    let records = doctor(&s);
    let net = check(&records, "netns");
    assert_eq!(net["ok"], true, "{net}");
    let user = check(&records, "userns");
    assert_eq!(user["ok"], true, "{user}");
}

#[test]
fn the_state_directory_must_be_private() {
    let s = Scenario::new();
    s.registry();
    let st = check(&doctor(&s), "state").clone();
    assert_eq!(st["ok"], true, "{st}");
    assert_eq!(st["mode"], "0700", "{st}");
    assert_eq!(st["exists"], true, "{st}");
    assert_eq!(str_field(&st, "path"), s.state.display().to_string());
    assert_eq!(st["source"], "PTEST_HOME");

    std::fs::set_permissions(&s.state, std::fs::Permissions::from_mode(0o755)).unwrap();
    let st = check(&doctor(&s), "state").clone();
    assert_eq!(st["ok"], false, "{st}");
    assert_eq!(st["mode"], "0755", "{st}");
    assert!(str_field(&st, "hint").contains("chmod 700"), "{st}");
    assert_eq!(
        std::fs::metadata(&s.state).unwrap().permissions().mode() & 0o777,
        0o755,
        "doctor only looks, it does not change the directory"
    );
}

#[test]
fn a_missing_state_directory_is_fine_and_not_created() {
    let s = Scenario::new();
    let st = check(&doctor(&s), "state").clone();
    assert_eq!(st["ok"], true, "{st}");
    assert_eq!(st["exists"], false, "{st}");
    assert!(
        !s.state.exists(),
        "doctor must not create {}",
        s.state.display()
    );
}

#[test]
fn the_human_view_is_a_table_with_hints() {
    let mut s = Scenario::new();
    s.env("DOCKER_HOST", "unix:///nonexistent.sock");
    let out = s
        .cmd("ptest")
        .args(["doctor", "--format", "human"])
        .run()
        .success()
        .stdout;
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("CHECK") && header.contains("STATUS") && header.contains("DETAIL"),
        "{out}"
    );
    let status_at = header.find("STATUS").unwrap();
    for name in CHECKS {
        let row = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no row for {name}:\n{out}"));
        let status = row[status_at..].split_whitespace().next().unwrap();
        assert!(status == "ok" || status == "no", "{row}");
    }
    assert!(
        out.contains("Hints:") && out.contains("  docker: "),
        "{out}"
    );
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    assert!(out.trim_end().ends_with("checks ok"), "{out}");
}

#[test]
fn the_interpreter_checked_is_the_one_venv_is_configured_to_use() {
    let s = Scenario::new();
    let missing = "/nonexistent/python9";
    // Through the dispatcher, which hands its --config to each tool, and
    // from the tool itself.
    for records in [
        s.cmd("ptest")
            .args(["doctor", "--json", "--config"])
            .arg(format!("venv.python={missing}"))
            .run()
            .success()
            .records(),
        s.cmd("ptest-venv")
            .args(["doctor", "--json", "--config"])
            .arg(format!("venv.python={missing}"))
            .run()
            .success()
            .records(),
    ] {
        let py = check(&records, "python3");
        assert_eq!(py["ok"], false, "{py}");
        assert!(str_field(py, "detail").contains(missing), "{py}");
        assert!(str_field(py, "hint").contains("venv.python"), "{py}");
        assert_eq!(check(&records, "pip")["ok"], false);
    }
}

#[test]
fn each_tool_checks_only_what_it_needs() {
    let s = Scenario::new();
    let names = |tool: &str| -> Vec<String> {
        s.cmd(tool)
            .args(["doctor", "--json"])
            .run()
            .success()
            .records()
            .iter()
            .map(|r| str_field(r, "name").to_owned())
            .collect()
    };
    assert_eq!(names("ptest-venv"), ["python3", "pip", "uv"]);
    assert_eq!(names("ptest-docker"), ["docker"]);
    assert_eq!(names("ptest-proc"), &CHECKS[4..12]);
}

#[test]
fn plugins_take_part_and_one_that_hangs_is_a_finding() {
    let s = Scenario::new();
    s.plugin(
        "good",
        "#!/bin/sh\n[ \"$1\" = doctor ] || exit 64\n\
         echo '{\"v\":1,\"kind\":\"check\",\"name\":\"good.thing\",\"ok\":false,\"detail\":\"missing\",\"hint\":\"get it\"}'\n",
    );
    s.plugin("silent", "#!/bin/sh\nexit 64\n");
    let pid_file = s.write("hang.pid", "");
    s.plugin(
        "hang",
        &format!(
            "#!/bin/sh\necho $$ > {}\nexec sleep 300\n",
            pid_file.display()
        ),
    );
    let records = s
        .cmd("ptest")
        .args(["doctor", "--json", "--timeout", "1s"])
        .run()
        .success()
        .records();
    let good = check(&records, "good.thing");
    assert_eq!(good["ok"], false, "{good}");
    assert_eq!(good["hint"], "get it", "{good}");
    assert!(
        !records.iter().any(|r| r["name"] == "silent"),
        "{records:#?}"
    );
    let hang = check(&records, "hang");
    assert_eq!(hang["ok"], false, "{hang}");
    assert!(str_field(hang, "detail").contains("killed"), "{hang}");
    // The built-in checks still all came, first.
    let first: Vec<&str> = records[..CHECKS.len() - 2]
        .iter()
        .map(|r| str_field(r, "name"))
        .collect();
    assert_eq!(first, &CHECKS[..CHECKS.len() - 2]);
    // What hung was killed, not left running.
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let gone = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err();
    assert!(gone, "the hanging plugin (pid {pid}) is still running");
}
