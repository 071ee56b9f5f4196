//! `ptest doctor`: what the suite can use on this machine.
//!
//! Each finding is one `check` record (`name`, `ok`, `detail`, and `hint`
//! when not ok, plus fields specific to the check), or one row of a table
//! for people. A missing facility is a finding, not an error: the command
//! exits 0 whenever it could run its checks.
//!
//! Checks, in this order: `python3`, `pip`, `uv`, `docker`, `cgroups`,
//! `cgroup.memory`, `cgroup.cpu`, `cgroup.pids`, `cgroup.cpuset`,
//! `cgroup.io`, `netns`, `userns`, `state`. The slow ones (the Python
//! interpreter, the Docker engine, namespace and cgroup probes) run on
//! threads of their own.
//!
//! Nothing is left changed: the cgroup probes remove the child cgroups they
//! make, and the state directory is only looked at, never created (a
//! missing one is fine: every tool creates it, mode 0700, on first use).

use ptest_shared::Record;
use ptest_shared::output::{RecordWriter, color_stdout, paint, table};
use ptest_shared::probe::{self, CgroupInfo, CgroupVersion, ControllerInfo, PythonInfo, ToolInfo};
use ptest_shared::{Result, state};
use serde_json::Value;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// One finding.
#[derive(Debug)]
struct Check {
    name: String,
    ok: bool,
    detail: String,
    hint: Option<String>,
    /// Machine-readable facts of this check (`version`, `path`, …).
    extra: Vec<(&'static str, Value)>,
}

impl Check {
    fn ok(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            ok: true,
            detail: detail.into(),
            hint: None,
            extra: Vec::new(),
        }
    }

    fn fail(name: &str, detail: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            ok: false,
            detail: detail.into(),
            hint: Some(hint.into()),
            extra: Vec::new(),
        }
    }

    fn with(mut self, key: &'static str, value: impl Into<Value>) -> Check {
        self.extra.push((key, value.into()));
        self
    }

    fn record(&self) -> Record {
        let mut r = Record::new("check");
        r.set("name", self.name.as_str())
            .set("ok", self.ok)
            .set("detail", self.detail.as_str());
        if !self.ok {
            if let Some(h) = &self.hint {
                r.set("hint", h.as_str());
            }
        }
        for (k, v) in &self.extra {
            r.set(k, v.clone());
        }
        r
    }
}

/// Runs every check and prints the findings; 0 unless stdout fails.
pub fn run(json: bool) -> Result<i32> {
    let checks = gather();
    if json {
        let mut out = RecordWriter::stdout();
        for c in &checks {
            out.write(&c.record())?;
        }
    } else {
        let mut out = RecordWriter::stdout();
        for line in render(&checks, color_stdout()).lines() {
            out.write_line(line)?;
        }
    }
    Ok(0)
}

fn gather() -> Vec<Check> {
    std::thread::scope(|s| {
        let python = s.spawn(|| python_checks(probe::python3()));
        let uv = s.spawn(|| uv_check(probe::uv()));
        let docker = s.spawn(docker_check);
        let cgroups = s.spawn(|| cgroup_checks(&probe::cgroups()));
        let namespaces = s.spawn(|| vec![netns_check(), userns_check()]);
        let state = state_check();
        let quarantine = quarantine_check();
        let mut all = Vec::new();
        all.extend(join(python));
        all.push(join(uv));
        all.push(join(docker));
        all.extend(join(cgroups));
        all.extend(join(namespaces));
        all.push(state);
        all.push(quarantine);
        all
    })
}

fn join<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

// --- Python ----------------------------------------------------------------

fn python_checks(found: std::result::Result<PythonInfo, String>) -> Vec<Check> {
    const GET_PYTHON: &str =
        "install Python 3 (e.g. `apt install python3`, or pyenv) and put python3 on PATH";
    let py = match found {
        Ok(py) => py,
        Err(e) => {
            return vec![
                Check::fail("python3", e, GET_PYTHON),
                Check::fail("pip", "no python3 to run pip with", GET_PYTHON),
            ];
        }
    };
    let via = if py.executable != py.path {
        format!(" (via {})", py.path.display())
    } else {
        String::new()
    };
    let python = Check::ok(
        "python3",
        format!("{} at {}{via}", py.version, py.executable.display()),
    )
    .with("version", py.version.as_str())
    .with("path", py.executable.display().to_string());
    let pip = match &py.pip {
        Some(v) => {
            Check::ok("pip", format!("{v} for python3 {}", py.version)).with("version", v.as_str())
        }
        None => Check::fail(
            "pip",
            format!(
                "python3 {} at {} has no pip",
                py.version,
                py.executable.display()
            ),
            "`python3 -m ensurepip --upgrade` or `apt install python3-pip`; with uv installed, \
             ptest venv does not need pip",
        ),
    };
    vec![python, pip]
}

fn uv_check(found: std::result::Result<ToolInfo, String>) -> Check {
    match found {
        Ok(uv) => Check::ok("uv", format!("{} at {}", uv.version, uv.path.display()))
            .with("version", uv.version.as_str())
            .with("path", uv.path.display().to_string()),
        Err(e) => Check::fail(
            "uv",
            e,
            "optional, for fast installs: `pip install uv` (or see \
             https://docs.astral.sh/uv/getting-started/installation/); without it ptest venv \
             installs with pip",
        ),
    }
}

// --- Docker ----------------------------------------------------------------

fn docker_check() -> Check {
    match ptest_shared::docker::engine_facts() {
        Ok(f) => {
            let what = f.platform.as_deref().unwrap_or("engine");
            Check::ok(
                "docker",
                format!(
                    "{what} {}, API {} at {}",
                    f.version, f.api_version, f.endpoint
                ),
            )
            .with("endpoint", f.endpoint.as_str())
            .with("version", f.version.as_str())
            .with("api_version", f.api_version.as_str())
        }
        Err(e) => {
            let hint = match &e.hint {
                Some(h) if h.contains("DOCKER_HOST") => h.clone(),
                Some(h) => format!("{h}; or set DOCKER_HOST to the engine's address"),
                None => "start the Docker engine or set DOCKER_HOST to its address".to_owned(),
            };
            Check::fail("docker", e.message, hint)
        }
    }
}

// --- cgroups ---------------------------------------------------------------

fn cgroup_checks(info: &CgroupInfo) -> Vec<Check> {
    let mut checks = Vec::with_capacity(1 + info.controllers.len());
    let mut overall = match info.version {
        CgroupVersion::None => Check::fail(
            "cgroups",
            "no cgroup hierarchy is mounted",
            "mount the cgroup filesystem (in a container, give it the host's cgroups); without \
             it ptest proc applies rlimits only",
        ),
        v => {
            let mut detail = match v {
                CgroupVersion::V1 => "v1: one hierarchy per controller".to_owned(),
                CgroupVersion::V2 => "v2: unified hierarchy".to_owned(),
                _ => "hybrid: controllers split between v1 and v2".to_owned(),
            };
            if let (CgroupVersion::V1, Some(u)) = (v, &info.unified) {
                detail.push_str(&format!(
                    " (the cgroup2 mount at {} carries none of the controllers ptest uses)",
                    u.display()
                ));
            }
            Check::ok("cgroups", detail)
        }
    };
    overall = overall.with("version", info.version.as_str()).with(
        "writable",
        info.controllers
            .iter()
            .filter(|c| c.writable)
            .map(|c| Value::from(c.name.as_str()))
            .collect::<Vec<_>>(),
    );
    checks.push(overall);
    for (c, v2_name) in info.controllers.iter().zip(probe::CONTROLLERS) {
        checks.push(controller_check(c, v2_name, info));
    }
    checks
}

fn controller_check(c: &ControllerInfo, v2_name: &str, info: &CgroupInfo) -> Check {
    let name = format!("cgroup.{v2_name}");
    let detail = match c.version {
        CgroupVersion::None => c.detail.clone(),
        v => format!("{v} {}: {}", c.name, c.detail),
    };
    let check = if c.writable {
        Check::ok(&name, detail)
    } else {
        let hint = match c.version {
            CgroupVersion::V1 => format!(
                "cgroup v1 needs root, or a cgroup made for you: `sudo cgcreate -a $USER -t $USER \
                 -g {}:ptest` and run ptest inside it",
                c.name
            ),
            CgroupVersion::V2 => "cgroup v2: run ptest in a cgroup delegated to you, e.g. \
                 `systemd-run --user --scope -p Delegate=yes ptest …`"
                .to_owned(),
            _ if info.unified.is_some() => format!(
                "cgroup v2: delegate controllers to user sessions: a drop-in \
                 /etc/systemd/system/user@.service.d/delegate.conf with `[Service]` and \
                 `Delegate=cpu cpuset io memory pids`, then `systemctl daemon-reload` and log in \
                 again; ptest proc limits needing {v2_name} are unavailable until then"
            ),
            _ => format!(
                "this system offers no {v2_name} controller; ptest proc limits needing it are \
                 unavailable"
            ),
        };
        Check::fail(&name, detail, hint)
    };
    check
        .with("controller", c.name.as_str())
        .with("hierarchy", c.version.as_str())
        .with(
            "path",
            c.path
                .as_ref()
                .map_or(Value::Null, |p| p.display().to_string().into()),
        )
        .with("writable", c.writable)
}

// --- namespaces ------------------------------------------------------------

fn netns_check() -> Check {
    use nix::sched::CloneFlags;
    match probe::can_unshare(CloneFlags::CLONE_NEWNET) {
        Ok(()) => Check::ok("netns", "a new network namespace can be made"),
        // Without privileges, a network namespace inside a new user
        // namespace is how ptest proc isolates the network.
        Err(direct) => {
            match probe::can_unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWUSER) {
                Ok(()) => Check::ok(
                    "netns",
                    "a new network namespace can be made inside a new user namespace",
                ),
                Err(e) => Check::fail(
                    "netns",
                    format!("{direct}; {e}"),
                    "run as root (in a container: with CAP_SYS_ADMIN), or allow unprivileged user \
                 namespaces (sysctl user.max_user_namespaces > 0, and on Debian/Ubuntu \
                 kernel.unprivileged_userns_clone=1 or the AppArmor userns restriction lifted)",
                ),
            }
        }
    }
}

fn userns_check() -> Check {
    match probe::can_unshare(nix::sched::CloneFlags::CLONE_NEWUSER) {
        Ok(()) => Check::ok("userns", "a new user namespace can be made"),
        Err(e) => Check::fail(
            "userns",
            e,
            "allow user namespaces: sysctl user.max_user_namespaces > 0 (and on Debian/Ubuntu \
             kernel.unprivileged_userns_clone=1, or lift the AppArmor userns restriction); in a \
             container, the runtime's seccomp profile may forbid them",
        ),
    }
}

// --- state directory -------------------------------------------------------

fn state_check() -> Check {
    const OWN_DIR: &str = "set PTEST_HOME to a directory of your own";
    let (path, source) = match state::resolve() {
        Ok(r) => r,
        Err(e) => {
            return Check::fail(
                "state",
                e.message,
                e.hint.unwrap_or_else(|| OWN_DIR.to_owned()),
            );
        }
    };
    let shown = format!("{} (from {source})", path.display());
    let base = |c: Check| {
        c.with("path", path.display().to_string())
            .with("source", source)
    };
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return base(match creatable_from(&path) {
                Ok(()) => Check::ok(
                    "state",
                    format!(
                        "{shown} does not exist yet; it is created with mode 0700 on first use"
                    ),
                ),
                Err(why) => Check::fail(
                    "state",
                    format!("{shown} cannot be created: {why}"),
                    OWN_DIR,
                ),
            })
            .with("exists", false)
            .with("mode", Value::Null);
        }
        Err(e) => {
            return base(Check::fail(
                "state",
                format!("cannot inspect {shown}: {e}"),
                OWN_DIR,
            ))
            .with("exists", false)
            .with("mode", Value::Null);
        }
    };
    let mode = format!("{:04o}", meta.mode() & 0o7777);
    let uid = nix::unistd::geteuid().as_raw();
    let check = if !meta.is_dir() {
        Check::fail("state", format!("{shown} is not a directory"), OWN_DIR)
    } else if meta.uid() != uid {
        Check::fail(
            "state",
            format!(
                "{shown} belongs to uid {}, not to you (uid {uid})",
                meta.uid()
            ),
            OWN_DIR,
        )
    } else if meta.mode() & 0o077 != 0 {
        Check::fail(
            "state",
            format!("{shown} has mode {mode}; it must be 0700"),
            format!(
                "chmod 700 {} (ptest also tightens it the next time a tool uses it)",
                path.display()
            ),
        )
    } else {
        Check::ok(
            "state",
            format!("{shown}, mode {mode}, owned by you (uid {uid})"),
        )
    };
    base(check).with("exists", true).with("mode", mode)
}

/// Registry entries that were corrupt and moved aside (never created here).
fn quarantine_check() -> Check {
    let Ok((path, _)) = state::resolve() else {
        return Check::ok("quarantine", "no state directory");
    };
    let q = path.join("quarantine");
    let mut files: Vec<String> = std::fs::read_dir(&q)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        return Check::ok("quarantine", "no corrupt registry entries")
            .with("files", Vec::<Value>::new());
    }
    Check::fail(
        "quarantine",
        format!(
            "{} corrupt registry entr{} moved to {}: {}",
            files.len(),
            if files.len() == 1 { "y" } else { "ies" },
            q.display(),
            files.join(", ")
        ),
        "inspect each file, remove by hand what it describes if it still exists, then delete it",
    )
    .with(
        "files",
        files
            .iter()
            .map(|f| Value::from(f.as_str()))
            .collect::<Vec<_>>(),
    )
}

/// Whether `path` could be created: its nearest existing ancestor must be a
/// directory we may write to.
fn creatable_from(path: &Path) -> std::result::Result<(), String> {
    use nix::unistd::{AccessFlags, access};
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.exists() {
            if !d.is_dir() {
                return Err(format!("{} is not a directory", d.display()));
            }
            return access(d, AccessFlags::W_OK | AccessFlags::X_OK)
                .map_err(|e| format!("{} is not writable for you: {e}", d.display()));
        }
        dir = d.parent();
    }
    Err("no parent directory exists".into())
}

// --- human view ------------------------------------------------------------

/// The table of findings, the hints for those not ok, and a summary line.
fn render(checks: &[Check], color: bool) -> String {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                if c.ok { "ok" } else { "no" }.to_owned(),
                c.detail.clone(),
            ]
        })
        .collect();
    let plain = table(&["CHECK", "STATUS", "DETAIL"], &rows);
    // Colour the status words after alignment, so escapes do not count as width.
    let status_col = checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("CHECK".len())
        + 2;
    let mut out = String::new();
    for (i, line) in plain.lines().enumerate() {
        match i.checked_sub(1).and_then(|n| checks.get(n)) {
            Some(c) if color => {
                let (head, tail) = line.split_at(status_col);
                let word = if c.ok { "ok" } else { "no" };
                let sgr = if c.ok { "32" } else { "1;31" };
                out.push_str(head);
                out.push_str(&paint(true, sgr, word));
                out.push_str(&tail[word.len()..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    let failing: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    if !failing.is_empty() {
        out.push_str("\nHints:\n");
        for c in &failing {
            if let Some(h) = &c.hint {
                out.push_str(&format!("  {}: {h}\n", c.name));
            }
        }
    }
    out.push_str(&format!(
        "\n{} of {} checks ok\n",
        checks.len() - failing.len(),
        checks.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_carry_a_hint_only_when_not_ok() {
        let ok = Check::ok("a", "fine").with("version", "1").record();
        assert_eq!(
            ok.to_line(),
            r#"{"v":1,"kind":"check","name":"a","ok":true,"detail":"fine","version":"1"}"#
        );
        let bad = Check::fail("b", "gone", "get it").record();
        assert_eq!(bad.get("hint").and_then(Value::as_str), Some("get it"));
        assert_eq!(bad.get("ok"), Some(&Value::Bool(false)));
    }

    #[test]
    fn coloured_table_stays_aligned() {
        let checks = [
            Check::ok("python3", "3.11"),
            Check::fail("uv", "not found", "pip install uv"),
        ];
        let plain = render(&checks, false);
        let coloured = render(&checks, true);
        let strip = coloured
            .replace("\x1b[32m", "")
            .replace("\x1b[1;31m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, strip);
        assert!(coloured.contains("\x1b[1;31mno\x1b[0m"));
        assert!(plain.contains("  uv: pip install uv\n"));
        assert!(plain.ends_with("1 of 2 checks ok\n"));
    }

    #[test]
    fn missing_state_dir_is_fine_when_creatable() {
        let t = ptest_shared::testkit::Scenario::new();
        assert_eq!(creatable_from(&t.dir.path().join("a/b/state")), Ok(()));
        let f = t.dir.path().join("file");
        std::fs::write(&f, "").unwrap();
        assert!(
            creatable_from(&f.join("state"))
                .unwrap_err()
                .contains("not a directory")
        );
    }
}
