//! Services: what `ptest proc start` ([`crate::start`]) made and its
//! supervisor ([`crate::supervisor`]) runs, and the commands that manage
//! them: `stop`, `status`, `ls`, `logs`, `rm`, `gc`.
//!
//! A service lives in its directory (`$PTEST_HOME/proc/<id>/`: its
//! description `service.json`, `stdout.log`, `stderr.log`,
//! `supervisor.log`) and its `proc` record (the PID file: supervisor and
//! command PIDs with their start times, state, restarts, cgroup, logs).

use crate::launch;
use crate::run::TOOL;
use crate::{LaunchArgs, Restart};
use ptest_shared::cgroup::Cgroup;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::{Liveness, Owner, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Record, Result, stream};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the supervisor needs, written by `start` as `service.json`.
#[derive(Serialize, Deserialize)]
pub(crate) struct Description {
    pub launch: LaunchArgs,
    pub restart: Restart,
    pub restart_limit: u32,
    /// The stream `start` consumed, one record per line.
    pub records: Vec<String>,
}

pub(crate) fn registry() -> Result<Registry> {
    Registry::open(&StateDir::open()?)
}

pub(crate) fn dir_of(id: &str) -> Result<PathBuf> {
    StateDir::open()?.subdir(&format!("proc/{id}"))
}

/// Writes the record under the registry lock (cheaply: a PID file).
pub(crate) fn save(reg: &Registry, rec: &Record) -> Result<()> {
    reg.transaction(|t| t.put_with(rec, Durability::Volatile, None))
}

fn owner_field(rec: &Record, key: &str) -> Option<Owner> {
    rec.get(key)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The supervisor of a service, if it still runs (PID and start time match).
pub(crate) fn live_supervisor(rec: &Record) -> Option<Owner> {
    owner_field(rec, "supervisor").filter(Owner::is_alive)
}

/// The command's process, if it still runs (PID and start time match).
fn live_command(rec: &Record) -> Option<Owner> {
    let pid = rec.get("pid")?.as_u64()? as u32;
    let start = rec.get("start_time")?.as_u64()?;
    Owner::of(pid).filter(|o| o.start_time == start)
}

/// Finds services by ID or by name.
pub(crate) fn find(reg: &Registry, key: &str) -> Result<Option<Record>> {
    if ptest_shared::registry::validate_id(key).is_ok()
        && let Some(r) = reg.get(key)?
        && r.tool() == Some(TOOL)
    {
        return Ok(Some(r));
    }
    Ok(reg
        .list()?
        .into_iter()
        .find(|r| r.tool() == Some(TOOL) && r.get("name").and_then(|n| n.as_str()) == Some(key)))
}

pub(crate) fn end_description(r: &Record) -> String {
    match (
        r.get("exit_code").and_then(|c| c.as_i64()),
        r.get("signal").and_then(|s| s.as_i64()),
    ) {
        (Some(c), _) => format!("it exited with status {c}"),
        (_, Some(s)) => format!("it was killed by signal {s}"),
        _ => r
            .get("error")
            .and_then(|e| e.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| "it stopped".into()),
    }
}

/// Stops one service (or cleans up after a run whose supervisor was
/// killed): asks the supervisor, then makes sure nothing is left.
pub(crate) fn stop_one(
    reg: &Registry,
    id: &str,
    grace: Duration,
    forget: bool,
) -> Result<Option<Record>> {
    let Some(mut rec) = reg.get(id)? else {
        return Ok(None);
    };
    // What is deleted below must be ptest's: its directory under the state
    // directory's proc/, its cgroups under the cgroup mount.
    let typed: ptest_shared::kinds::Proc = rec.typed()?;
    let procs = StateDir::open()?.path().join("proc");
    let dir = typed
        .dir
        .map(|d| d.into_inner())
        .filter(|d| ptest_shared::kinds::is_within(d, &procs));
    let cgroups: Vec<PathBuf> = typed
        .cgroup
        .unwrap_or_default()
        .into_iter()
        .map(|p| p.into_inner())
        .filter(|p| ptest_shared::kinds::is_within(p, Path::new("/sys/fs/cgroup")))
        .collect();
    if let Some(sup) = live_supervisor(&rec) {
        if let Some(d) = &dir {
            let _ = std::fs::write(d.join("stop-grace"), grace.as_secs_f64().to_string());
        }
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(sup.pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
        let until = Instant::now() + grace + Duration::from_secs(5);
        while sup.is_alive() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        if sup.is_alive() {
            // Its init dies with it, and the namespace with that.
            launch::kill(sup.pid as i32);
        }
        rec = reg.get(id)?.unwrap_or(rec);
    }
    // Whatever is left: the command (only if it is still the same process),
    // then the cgroup.
    if let Some(cmd) = live_command(&rec) {
        launch::kill(cmd.pid as i32);
    }
    if !cgroups.is_empty() {
        let cg = Cgroup::from_paths(cgroups);
        let _ = cg.kill_all(Duration::from_secs(5));
        let _ = cg.remove();
    }
    if let Some(d) = &dir
        && let Some(t) = Some(d.join("tmp"))
    {
        let _ = std::fs::remove_dir_all(t);
    }
    if forget {
        reg.remove(id)?;
        if let Some(d) = dir {
            let _ = std::fs::remove_dir_all(d);
        }
    } else if !matches!(
        rec.get("state").and_then(|s| s.as_str()),
        Some("stopped" | "exited" | "failed")
    ) {
        rec.set("state", "stopped");
        save(reg, &rec)?;
    }
    Ok(Some(rec))
}

/// The services to act on: the ids or names given, or else the ids of
/// the `proc` records on stdin that the registry holds (a stream's record
/// counts for its id alone), with the error of a bad or cut line to report
/// once the rest is done.
fn ids_from(reg: &Registry, args: Vec<String>) -> Result<(Vec<String>, Option<Error>)> {
    if !args.is_empty() {
        return Ok((args, None));
    }
    let (records, bad) = stream::stdin(None)?.into_teardown();
    let procs: Vec<Record> = records
        .into_iter()
        .filter(|r| r.kind() == "proc" && r.tool() == Some(TOOL))
        .collect();
    let ids = ptest_shared::teardown::registered(reg, &procs)?
        .into_iter()
        .filter_map(|r| r.id().map(str::to_owned))
        .collect();
    Ok((ids, bad))
}

pub fn stop(common: &CommonArgs, ids: Vec<String>, grace: Duration) -> Result<i32> {
    let reg = registry()?;
    let mut out = RecordWriter::stdout();
    let (keys, bad) = ids_from(&reg, ids)?;
    for key in keys {
        let Some(rec) = find(&reg, &key)? else {
            eprintln!("ptest-proc: note: no service {key}");
            continue;
        };
        let id = rec.id().unwrap_or_default().to_owned();
        stop_one(&reg, &id, grace, false)?;
        emit(common, &mut out, "proc.stopped", &id)?;
    }
    bad.map_or(Ok(0), Err)
}

pub fn rm(common: &CommonArgs, ids: Vec<String>) -> Result<i32> {
    let reg = registry()?;
    let mut out = RecordWriter::stdout();
    let (keys, bad) = ids_from(&reg, ids)?;
    for key in keys {
        let Some(rec) = find(&reg, &key)? else {
            continue;
        };
        let id = rec.id().unwrap_or_default().to_owned();
        stop_one(&reg, &id, Duration::from_secs(10), true)?;
        emit(common, &mut out, "proc.removed", &id)?;
    }
    bad.map_or(Ok(0), Err)
}

fn emit(common: &CommonArgs, out: &mut RecordWriter, event: &str, id: &str) -> Result<()> {
    if common.json() {
        let mut ev = Record::new("event");
        ev.set("event", event).set("id", id);
        out.write(&ev)
    } else {
        out.write_line(&format!("{} {id}", event.trim_start_matches("proc.")))
    }
}

/// The state as it really is: a "running" record whose supervisor is gone is not running.
fn actual_state(rec: &Record) -> String {
    let s = rec.get("state").and_then(|s| s.as_str()).unwrap_or("?");
    match (s, rec.get("mode").and_then(|m| m.as_str())) {
        ("running" | "starting" | "restarting", Some("service"))
            if live_supervisor(rec).is_none() =>
        {
            "dead".into()
        }
        _ => s.into(),
    }
}

pub fn status(common: &CommonArgs, key: &str) -> Result<i32> {
    let reg = registry()?;
    let Some(mut rec) = find(&reg, key)? else {
        return Err(Error::no_input(format!("no service {key}")).hint("`ptest proc ls` lists them"));
    };
    let state = actual_state(&rec);
    rec.set("state", state.clone());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&rec)?;
    } else {
        out.write_line(&format!(
            "{} {}: {state}, PID {}, {} restarts, {}",
            rec.id().unwrap_or_default(),
            rec.get("name").and_then(|n| n.as_str()).unwrap_or(""),
            rec.get("pid").cloned().unwrap_or_default(),
            rec.get("restarts").cloned().unwrap_or_default(),
            end_or_command(&rec)
        ))?;
    }
    if state == "running" {
        return Ok(0);
    }
    Err(Error::exit_code(
        3,
        format!("service {key} is {state}, not running"),
    ))
}

fn end_or_command(rec: &Record) -> String {
    rec.get("command")
        .and_then(|c| c.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let recs: Vec<Record> = registry()?
        .list()?
        .into_iter()
        .filter(|r| r.tool() == Some(TOOL))
        .collect();
    listing(
        common.json(),
        &recs,
        "no services or running commands",
        &["ID", "NAME", "MODE", "STATE", "PID", "RESTARTS", "COMMAND"],
        |r| {
            Ok(vec![
                cell(r, "id"),
                cell(r, "name"),
                cell(r, "mode"),
                actual_state(r),
                cell(r, "pid"),
                r.get("restarts").map_or("0".into(), |n| n.to_string()),
                end_or_command(r),
            ])
        },
    )
}

pub fn logs(key: &str, follow: bool, stderr: bool) -> Result<i32> {
    let reg = registry()?;
    let rec = find(&reg, key)?.ok_or_else(|| {
        Error::no_input(format!("no service {key}")).hint("`ptest proc ls` lists them")
    })?;
    let file = rec
        .get("logs")
        .and_then(|l| l[if stderr { "stderr" } else { "stdout" }].as_str())
        .map(PathBuf::from);
    let Some(file) = file else {
        return Err(Error::no_input(format!("{key} keeps no logs")));
    };
    let mut out = std::io::stdout();
    if follow {
        let id = rec.id().unwrap_or_default().to_owned();
        let stop = || {
            reg.get(&id)
                .ok()
                .flatten()
                .is_none_or(|r| live_supervisor(&r).is_none())
        };
        crate::logs::follow(&file, &mut out, &stop)
            .map_err(|e| Error::from_io(format!("{}", file.display()), &e))?;
    } else {
        match std::fs::File::open(&file) {
            Ok(mut f) => {
                std::io::copy(&mut f, &mut out)
                    .map_err(|e| Error::from_io("cannot write to stdout", &e))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::from_io(format!("{}", file.display()), &e)),
        }
    }
    Ok(0)
}

/// Stops services whose owner is gone or whose ttl passed, and cleans up
/// after supervisors that were killed.
pub fn gc(common: &CommonArgs) -> Result<i32> {
    let reg = registry()?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    for rec in reg.list()?.into_iter().filter(|r| r.tool() == Some(TOOL)) {
        let id = rec.id().unwrap_or_default().to_owned();
        let stale = judge(&rec, now)? != Liveness::Live;
        let orphaned = match rec.get("mode").and_then(|m| m.as_str()) {
            Some("service") => {
                live_supervisor(&rec).is_none()
                    && matches!(
                        rec.get("state").and_then(|s| s.as_str()),
                        Some("running" | "starting" | "restarting")
                    )
            }
            _ => false,
        };
        if stale || orphaned {
            stop_one(&reg, &id, Duration::from_secs(10), true)?;
            emit(common, &mut out, "proc.removed", &id)?;
        }
    }
    sweep_dirs(&reg)?;
    // A run killed between making its cgroup and registering it.
    for name in ptest_shared::cgroup::sweep_unregistered("proc", Duration::from_secs(60), |id| {
        reg.get(id).ok().flatten().is_some()
    }) {
        eprintln!("ptest-proc: removed cgroup {name}, which no run registered");
    }
    Ok(0)
}

/// Removes `proc/<id>` directories that no registry entry names any more
/// (their run or service is gone), once a minute old: a run registers its
/// directory within moments of making it.
fn sweep_dirs(reg: &Registry) -> Result<usize> {
    let procs = StateDir::open()?.subdir("proc")?;
    let mut n = 0;
    for e in std::fs::read_dir(&procs)
        .map_err(|e| Error::from_io(format!("cannot list {}", procs.display()), &e))?
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let registered =
            ptest_shared::registry::validate_id(&name).is_err() || reg.get(&name)?.is_some();
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60));
        if !registered && old && std::fs::remove_dir_all(e.path()).is_ok() {
            n += 1;
        }
    }
    Ok(n)
}
