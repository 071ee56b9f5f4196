//! `ptest doctor`: what the suite can use on this machine.
//!
//! Each tool knows what it needs and checks it itself (`ptest-<tool>
//! doctor --json`: venv its interpreter, pip and uv as its configuration
//! names them; docker the engine; proc cgroups and namespaces); this asks
//! every tool it finds, plugins too, at once, and adds what belongs to no
//! tool: the state directory and its quarantine. See
//! [`ptest_shared::checks`] for the records.
//!
//! Nothing is left changed: the probes remove what they make, and the state
//! directory is only looked at, never created (a missing one is fine: every
//! tool creates it, mode 0700, on first use).

use ptest_shared::checks::{Check, report};
use ptest_shared::{Record, Result, state, tools};
use serde_json::Value;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::Duration;

/// The tools whose checks come first, in this order; others follow by name.
const FIRST: &[&str] = &["venv", "docker", "proc", "mon", "snap"];

/// Runs every tool's checks and our own, and reports them. The built-in
/// tools are handed our `--config` overrides; each tool has `limit` to
/// answer (one that hangs is a finding).
pub fn run(json: bool, overrides: &[String], limit: Duration) -> Result<i32> {
    let mut found = tools::discover();
    found.sort_by_key(|(name, _)| {
        (
            FIRST.iter().position(|f| f == name).unwrap_or(FIRST.len()),
            name.clone(),
        )
    });
    let mut checks: Vec<Check> = std::thread::scope(|s| {
        let asked: Vec<_> = found
            .iter()
            .map(|(name, path)| s.spawn(move || ask(name, path, overrides, limit)))
            .collect();
        asked
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for name in FIRST {
        if !found.iter().any(|(n, _)| n == name) {
            checks.push(Check::fail(
                name,
                format!("ptest-{name} is not installed (not beside ptest nor on PATH)"),
                format!("install ptest-{name} beside ptest (make install)"),
            ));
        }
    }
    checks.push(state_check());
    checks.push(quarantine_check());
    report(json, &checks)
}

/// `ptest-<name> doctor --json`: its checks; none when it has no doctor
/// (exit 64); one failing check when it could not tell.
fn ask(name: &str, path: &Path, overrides: &[String], limit: Duration) -> Vec<Check> {
    let mut args = vec!["doctor", "--json"];
    if tools::is_builtin(&format!("ptest-{name}")) {
        for o in overrides {
            args.extend(["--config", o]);
        }
    }
    let out = match tools::call(path, &args, None, Some(limit)) {
        Ok(o) if o.status.code() == Some(64) => return Vec::new(),
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return vec![Check::fail(
                name,
                format!(
                    "ptest-{name} doctor failed ({}): {}",
                    o.status,
                    o.last_words()
                ),
                format!("run `ptest {name} doctor` to see why"),
            )];
        }
        Err(e) => {
            return vec![Check::fail(
                name,
                e,
                format!("run `ptest {name} doctor` to see why, or reinstall ptest-{name}"),
            )];
        }
    };
    out.stdout
        .lines()
        .filter_map(|l| Record::parse(l, "doctor", 1).ok())
        .filter_map(|r| Check::from_record(&r))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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
