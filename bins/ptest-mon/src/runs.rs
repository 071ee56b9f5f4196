//! The registry's `mon` entries: a run registers what would outlive a
//! SIGKILL of ptest mon (its cgroup, its log directory), so that `gc` can
//! clean up after it; `ls`, `rm` and `gc` act on them.

use crate::sample::TOOL;
use ptest_shared::cgroup::Cgroup;
use ptest_shared::cli::CommonArgs;
use ptest_shared::kinds::MonRun;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::{Liveness, Owner, OwnerSpec, judge};
use ptest_shared::registry::Registry;
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Record, Result};
use std::path::Path;
use std::time::Duration;

/// A run's entry while it runs, owned by this process.
pub fn entry(id: &str, cgroup: Option<&Cgroup>, dir: Option<&Path>, command: &[String]) -> Record {
    let mut r = Record::resource_with_id("mon", TOOL, id);
    r.set_owner(Some(&Owner::current()));
    r.set("state", "running")
        .set("command", command.to_vec())
        .set(
            "cgroup",
            cgroup.map(|c| serde_json::to_value(c.paths()).unwrap_or_default()),
        )
        .set("dir", dir.map(|d| d.display().to_string()));
    r
}

/// After a `--json` run: its logs stay as long as the caller's session.
pub fn keep_logs(reg: &Registry, id: &str, dir: Option<&Path>, command: &[String]) -> Result<()> {
    let mut r = entry(id, None, dir, command);
    r.set("state", "exited");
    r.set_owner(OwnerSpec::Session.resolve()?.as_ref());
    reg.transaction(|t| t.put_with(&r, Durability::Volatile, None))
        .inspect_err(|_| {
            if let Some(d) = dir {
                let _ = std::fs::remove_dir_all(d);
            }
            let _ = reg.remove(id);
        })
}

fn registry() -> Result<Registry> {
    Registry::open(&StateDir::open()?)
}

fn mine(reg: &Registry) -> Result<Vec<Record>> {
    Ok(reg
        .list()?
        .into_iter()
        .filter(|r| r.kind() == "mon" && r.tool() == Some(TOOL))
        .collect())
}

/// Removes what a run left: its cgroup (killing what is still in it) and
/// its log directory, then its entry. Only paths of the registry's copy,
/// and only where ptest puts them, are touched.
fn remove(reg: &Registry, rec: &Record) -> Result<()> {
    let run: MonRun = rec.typed()?;
    if let Some(paths) = run.cgroup {
        let paths: Vec<_> = paths.into_iter().map(|p| p.into_inner()).collect();
        if paths.iter().all(|p| is_ours(p, run.id.get())) {
            let cg = Cgroup::from_paths(paths);
            cg.kill_all(Duration::from_secs(5))
                .map_err(|e| Error::temp_fail(format!("{}: {e}", run.id.get())))?;
            cg.remove().map_err(|e| {
                Error::from_io(format!("cannot remove the cgroup of {}", run.id.get()), &e)
            })?;
        }
    }
    if let Some(d) = run.dir {
        let state = StateDir::open()?;
        let expected = state.path().join("mon").join(run.id.get());
        if d.get() == &expected {
            let _ = std::fs::remove_dir_all(d.get());
        }
    }
    reg.remove(run.id.get())?;
    Ok(())
}

/// A cgroup directory ptest mon made for run `id`: `…/ptest/ptest-<id>`
/// under a cgroup filesystem.
fn is_ours(p: &Path, id: &str) -> bool {
    p.starts_with("/sys/fs/cgroup")
        && p.file_name()
            .is_some_and(|n| n == format!("ptest-{id}").as_str())
        && p.parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == ptest_shared::cgroup::PARENT)
        && !p.components().any(|c| c == std::path::Component::ParentDir)
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let reg = registry()?;
    let now = ptest_shared::record::Timestamp::now();
    let recs = mine(&reg)?;
    listing(
        common.json(),
        &recs,
        "no monitored runs",
        &["ID", "STATE", "OWNER", "COMMAND"],
        |r| {
            let state = match judge(r, now)? {
                Liveness::Live => cell(r, "state"),
                other => other.as_str().to_owned(),
            };
            let cmd = r
                .get("command")
                .and_then(|c| c.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            Ok(vec![cell(r, "id"), state, cell(r, "owner"), cmd])
        },
    )
}

pub fn rm(common: &CommonArgs, ids: Vec<String>) -> Result<i32> {
    let reg = registry()?;
    let ids = if ids.is_empty() {
        let records = ptest_shared::stream::read_stdin()?;
        let ours = records
            .iter()
            .filter(|r| r.kind() == "mon" && r.tool() == Some(TOOL));
        ptest_shared::teardown::registered(&reg, ours)?
            .into_iter()
            .filter_map(|r| r.id().map(str::to_owned))
            .collect()
    } else {
        ids
    };
    let mut out = RecordWriter::stdout();
    let mut missing = Vec::new();
    for id in ids {
        let found = ptest_shared::registry::validate_id(&id)
            .ok()
            .and_then(|()| reg.get(&id).ok().flatten())
            .filter(|r| r.kind() == "mon" && r.tool() == Some(TOOL));
        let Some(rec) = found else {
            missing.push(id);
            continue;
        };
        remove(&reg, &rec)?;
        event(common, &mut out, &id)?;
    }
    if !missing.is_empty() {
        return Err(Error::no_input(format!(
            "no monitored run {} (see `ptest mon ls`)",
            missing.join(", ")
        )));
    }
    Ok(0)
}

pub fn gc(common: &CommonArgs) -> Result<i32> {
    let reg = registry()?;
    let now = ptest_shared::record::Timestamp::now();
    let mut out = RecordWriter::stdout();
    // One run that cannot be cleaned up does not keep the others.
    let mut failed = None;
    for rec in mine(&reg)? {
        if judge(&rec, now)? != Liveness::Live {
            let id = rec.id().unwrap_or_default().to_owned();
            match remove(&reg, &rec) {
                Ok(()) => event(common, &mut out, &id)?,
                Err(e) => {
                    eprintln!("ptest-mon: warning: {id}: {}", e.message);
                    failed = Some(e);
                }
            }
        }
    }
    // A run killed between making its cgroup and registering it.
    for name in ptest_shared::cgroup::sweep_unregistered("mon", SWEEP_AGE, |id| {
        reg.get(id).ok().flatten().is_some()
    }) {
        eprintln!("ptest-mon: removed cgroup {name}, which no run registered");
    }
    failed.map_or(Ok(0), Err)
}

/// How old an unregistered cgroup must be before gc takes it: a run
/// registers its cgroup within moments of making it.
const SWEEP_AGE: std::time::Duration = std::time::Duration::from_secs(60);

fn event(common: &CommonArgs, out: &mut RecordWriter, id: &str) -> Result<()> {
    if common.json() {
        let mut ev = Record::new("event");
        ev.set("event", "mon.removed").set("id", id);
        out.write(&ev)
    } else {
        out.write_line(&format!("removed {id}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cgroups_ptest_made_for_the_run_are_removed() {
        let id = "mon-abc123";
        assert!(is_ours(
            Path::new("/sys/fs/cgroup/memory/x/ptest/ptest-mon-abc123"),
            id
        ));
        assert!(!is_ours(
            Path::new("/sys/fs/cgroup/memory/x/ptest-mon-abc123"),
            id
        ));
        assert!(!is_ours(Path::new("/etc/ptest/ptest-mon-abc123"), id));
        assert!(!is_ours(
            Path::new("/sys/fs/cgroup/memory/ptest/ptest-mon-other"),
            id
        ));
        assert!(!is_ours(
            Path::new("/sys/fs/cgroup/../../etc/ptest/ptest-mon-abc123"),
            id
        ));
    }
}
