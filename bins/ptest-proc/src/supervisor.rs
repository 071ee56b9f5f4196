//! A service's supervisor, `ptest-proc __supervise ID`: launches the
//! command as `run` does, appends its output to the logs, restarts it per
//! policy, and stops it when asked (SIGTERM), when its owner exits or when
//! its `--ttl` passes. SIGHUP (or a changed configuration file) reloads the
//! configuration.

use crate::Restart;
use crate::launch::{self, Ended, Wake};
use crate::run;
use crate::service::{Description, dir_of, registry, save};
use nix::libc;
use ptest_shared::cgroup::Cgroup;
use ptest_shared::interrupt::Signals;
use ptest_shared::owner::{Liveness, Owner, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::{Error, Record, Result};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// `__supervise ID`: runs the service until it is over.
pub fn supervise(id: &str) -> Result<i32> {
    let reg = registry()?;
    let dir = dir_of(id)?;
    let (desc, records) = read_description(&dir)?;
    let mut config = ptest_shared::config::Config::load(&[])?;
    let mut rec = reg
        .get(id)?
        .ok_or_else(|| Error::internal(format!("no record for {id}")))?;
    rec.set(
        "supervisor",
        serde_json::to_value(Owner::current()).expect("owner serialises"),
    );
    let mut prepared = match run::prepare(&desc.launch, &records, &config, id, true) {
        Ok(p) => p,
        Err(e) => {
            rec.set("state", "failed").set("error", e.message.clone());
            save(&reg, &rec)?;
            return Err(e);
        }
    };
    if let Some(c) = &prepared.cgroup {
        rec.set("cgroup", run::cgroup_json(Some(c)));
    }
    let signals = ptest_shared::interrupt::pass_on()?;
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let fds: Vec<i32> = prepared.listeners.iter().map(|l| l.as_raw_fd()).collect();
    let mut restarts = 0u32;
    loop {
        let mut l = match launch::launch(&prepared.spec, &fds) {
            Ok(l) => l,
            Err(e) => {
                rec.set("state", "failed").set("error", e.message.clone());
                save(&reg, &rec)?;
                run::cleanup(&prepared, true);
                return Err(e);
            }
        };
        let pid = l.command_pid().unwrap_or(l.pid);
        rec.set("state", "running")
            .set("pid", pid)
            .set("restarts", restarts)
            .set("launches", restarts + 1);
        rec.set("start_time", Owner::of(pid as u32).map(|o| o.start_time));
        save(&reg, &rec)?;
        let stop_reason = watch(&l, &rec, &signals, &mut config);
        if let Some(reason) = stop_reason {
            let grace = std::fs::read_to_string(dir.join("stop-grace"))
                .ok()
                .and_then(|s| s.trim().parse::<f64>().ok())
                .map(Duration::from_secs_f64)
                .unwrap_or(desc.launch.kill_after);
            stop_tree(&mut l, prepared.cgroup.as_ref(), grace);
            run::kill_leftovers(&l, prepared.cgroup.as_ref());
            drop(std::mem::take(&mut prepared.listeners));
            run::cleanup(&prepared, true);
            rec.set("state", "stopped").set("stopped_because", reason);
            save(&reg, &rec)?;
            return Ok(0);
        }
        let ended = record_end(&mut l, &mut rec, prepared.cgroup.as_ref());
        ptest_shared::hooks::post(&config, "proc.exited", &rec);
        let failed = ended != Ended::Exited(0);
        let again = match desc.restart {
            Restart::No => false,
            Restart::OnFailure => failed,
            Restart::Always => true,
        };
        if !again || restarts >= desc.restart_limit {
            rec.set("state", if failed { "failed" } else { "exited" });
            if again {
                rec.set("error", format!("gave up after {restarts} restarts"));
            }
            save(&reg, &rec)?;
            drop(std::mem::take(&mut prepared.listeners));
            run::cleanup(&prepared, true);
            return Ok(0);
        }
        restarts += 1;
        rec.set("state", "restarting").set("restarts", restarts);
        save(&reg, &rec)?;
        // Backoff 0.1 s, 0.2 s, 0.4 s … up to 10 s; a stop request ends it.
        let backoff =
            Duration::from_millis(100u64 << (restarts - 1).min(7)).min(Duration::from_secs(10));
        // SIGHUP meanwhile reloads, as while running.
        let pause = Instant::now() + backoff;
        if wait_backoff(&signals, pause, &mut config) {
            drop(std::mem::take(&mut prepared.listeners));
            run::cleanup(&prepared, true);
            rec.set("state", "stopped")
                .set("stopped_because", "stopped");
            save(&reg, &rec)?;
            return Ok(0);
        }
    }
}

/// The description `start` wrote, and the stream it consumed.
fn read_description(dir: &std::path::Path) -> Result<(Description, Vec<Record>)> {
    let desc: Description = serde_json::from_slice(
        &std::fs::read(dir.join("service.json")).map_err(|e| Error::from_io("service.json", &e))?,
    )
    .map_err(|e| Error::internal(format!("bad service.json: {e}")))?;
    let mut records = Vec::new();
    for (i, l) in desc.records.iter().enumerate() {
        records.push(Record::parse(l, "service.json", i + 1)?);
    }
    Ok((desc, records))
}

/// Waits while the command runs, waking every second to check the owner
/// and the expiry: `None` when it ended by itself, else why it must stop.
/// A long-running command re-reads its configuration when a config file
/// changes and on SIGHUP (docs/config.md).
fn watch(
    l: &launch::Launched,
    rec: &Record,
    signals: &Signals,
    config: &mut ptest_shared::config::Config,
) -> Option<&'static str> {
    loop {
        let wake = l.wait(Some(Instant::now() + Duration::from_secs(1)), Some(signals));
        if config.files_changed() {
            reload(config);
        }
        match wake {
            Wake::Exited => return None,
            Wake::Signal(libc::SIGHUP) => reload(config),
            Wake::Signal(_) => return Some("stopped"),
            Wake::Deadline => match judge(rec, Timestamp::now()) {
                Ok(Liveness::Live) | Err(_) => {}
                Ok(other) => return Some(other.as_str()),
            },
        }
    }
}

/// Reaps the command that ended, removes what it left, and writes how it
/// ended into its record.
fn record_end(l: &mut launch::Launched, rec: &mut Record, cgroup: Option<&Cgroup>) -> Ended {
    let ended = match l.reap() {
        Ok((e, _)) => e,
        Err((msg, code)) => {
            rec.set("error", msg);
            Ended::Exited(code)
        }
    };
    run::kill_leftovers(l, cgroup);
    ended.record(rec);
    if let Some(s) = cgroup.map(|c| c.stats()) {
        rec.set("oom_killed", s.oom_kills.is_some_and(|n| n > 0));
    }
    ended
}

/// Sleeps until `until` between restarts; `true` when a stop request
/// (SIGTERM) came meanwhile. SIGHUP reloads the configuration.
fn wait_backoff(
    signals: &Signals,
    until: Instant,
    config: &mut ptest_shared::config::Config,
) -> bool {
    loop {
        match signals.wait_until(until) {
            None => return false,
            Some(libc::SIGHUP) => reload(config),
            Some(_) => return true,
        }
    }
}

/// Loads the configuration again; a bad file keeps the old one (and says
/// why in the supervisor's log).
fn reload(config: &mut ptest_shared::config::Config) {
    match ptest_shared::config::Config::load(&[]) {
        Ok(c) => *config = c,
        Err(e) => eprintln!("ptest-proc: configuration not reloaded: {e}"),
    }
}

/// SIGTERM to the whole tree, up to `grace`, then SIGKILL.
fn stop_tree(l: &mut launch::Launched, cgroup: Option<&Cgroup>, grace: Duration) {
    run::signal_tree(l, cgroup, libc::SIGTERM);
    if let Wake::Deadline = l.wait(Some(Instant::now() + grace), None) {
        run::signal_tree(l, cgroup, libc::SIGKILL);
    }
    let _ = l.reap();
}
