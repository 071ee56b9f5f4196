//! Services: `ptest proc start` and the commands that manage what it started.
//!
//! `start` writes the service's description into its directory
//! (`$PTEST_HOME/proc/<id>/`), registers a `proc` record (the PID file:
//! supervisor and command PIDs with their start times, state, restarts,
//! cgroup, logs) and spawns a detached supervisor, `ptest-proc __supervise
//! ID`, in a session of its own. The supervisor launches the command as
//! `run` does, appends its output to `stdout.log`/`stderr.log`, restarts it
//! per policy, and stops it when asked (SIGTERM), when its owner exits or
//! when its `--ttl` passes. `start` itself waits for the readiness checks.

use crate::launch::{self, Ended, Wake};
use crate::ready::HostService;
use crate::run::{self, TOOL};
use crate::{LaunchArgs, ReadyArgs, Restart};
use nix::libc;
use ptest_shared::cgroup::Cgroup;
use ptest_shared::cli::CommonArgs;
use ptest_shared::interrupt::Signals;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::{LifetimeArgs, Liveness, Owner, OwnerSpec, judge};
use ptest_shared::ready::{self, Check, HttpWant, NotReady, PortRef, Readiness};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Record, Result, stream};
use serde::{Deserialize, Serialize};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the supervisor needs, written by `start` as `service.json`.
#[derive(Serialize, Deserialize)]
struct Description {
    launch: LaunchArgs,
    restart: Restart,
    restart_limit: u32,
    /// The stream `start` consumed, one record per line.
    records: Vec<String>,
}

fn registry() -> Result<Registry> {
    Registry::open(&StateDir::open()?)
}

fn dir_of(id: &str) -> Result<PathBuf> {
    StateDir::open()?.subdir(&format!("proc/{id}"))
}

/// Writes the record under the registry lock (cheaply: a PID file).
fn save(reg: &Registry, rec: &Record) -> Result<()> {
    reg.transaction(|t| t.put_with(rec, Durability::Volatile, None))
}

fn owner_field(rec: &Record, key: &str) -> Option<Owner> {
    rec.get(key)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// The supervisor of a service, if it still runs (PID and start time match).
fn live_supervisor(rec: &Record) -> Option<Owner> {
    owner_field(rec, "supervisor").filter(Owner::is_alive)
}

/// The command's process, if it still runs (PID and start time match).
fn live_command(rec: &Record) -> Option<Owner> {
    let pid = rec.get("pid")?.as_u64()? as u32;
    let start = rec.get("start_time")?.as_u64()?;
    Owner::of(pid).filter(|o| o.start_time == start)
}

/// Finds services by ID or by name.
fn find(reg: &Registry, key: &str) -> Result<Option<Record>> {
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

pub fn start(
    common: &CommonArgs,
    launch: LaunchArgs,
    ready: ReadyArgs,
    restart: Restart,
    restart_limit: u32,
    name: Option<String>,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    let config = common.load_config()?;
    let mut out = RecordWriter::stdout();
    let records = stream::pass_through(&mut out)?;
    // Everything that can be wrong with the request is found now.
    let env = run::stream_env(std::env::vars().collect(), &records)?;
    let cwd = match &launch.cwd {
        Some(d) if !d.is_dir() => {
            return Err(Error::no_input(format!(
                "--cwd {}: no such directory",
                d.display()
            )));
        }
        Some(d) => d.clone(),
        None => std::env::current_dir()
            .map_err(|e| Error::from_io("cannot read the working directory", &e))?,
    };
    run::resolve_program(&launch.command[0], &env, &cwd)?;
    let readiness = ready.parse()?;
    let checks = host_checks(&readiness, &records)?;
    if let Some(n) = &name {
        if n.is_empty()
            || n.parse::<u64>().is_ok()
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        {
            return Err(Error::usage(format!(
                "--name {n:?}: use letters, digits, '_', '-', '.'"
            )));
        }
        if let Some(other) = find(&registry()?, n)?
            && live_supervisor(&other).is_some()
        {
            return Err(Error::usage(format!(
                "a service named {n:?} is running already ({})",
                other.id().unwrap_or_default()
            )));
        }
    }
    let lifetime = lifetime.resolve(OwnerSpec::Session)?;

    let mut rec = Record::resource("proc", TOOL);
    let id = rec.id().unwrap_or_default().to_owned();
    lifetime.apply(&mut rec);
    let dir = dir_of(&id)?;
    let (stdout_log, stderr_log) = (dir.join("stdout.log"), dir.join("stderr.log"));
    rec.set("mode", "service")
        .set("name", name.clone())
        .set("command", launch.command.clone())
        .set("state", "starting");
    rec.set("restart", serde_json::to_value(restart).unwrap_or_default())
        .set("restarts", 0);
    rec.set("dir", dir.display().to_string());
    rec.set(
        "logs",
        serde_json::json!({"stdout": stdout_log, "stderr": stderr_log}),
    );
    let desc = Description {
        launch: launch.clone(),
        restart,
        restart_limit,
        records: records.iter().map(Record::to_line).collect(),
    };
    std::fs::write(
        dir.join("service.json"),
        serde_json::to_vec(&desc).expect("serialises"),
    )
    .map_err(|e| Error::from_io(format!("cannot write {}", dir.display()), &e))?;
    // From here on a Ctrl-C stops what we started rather than leave it running.
    ptest_shared::interrupt::catch()?;
    let reg = registry()?;
    save(&reg, &rec)?;

    // The supervisor: a session of its own, stdio away from ours.
    let log = std::fs::File::create(dir.join("supervisor.log"))
        .map_err(|e| Error::from_io("cannot create supervisor.log", &e))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::internal(format!("cannot find own executable: {e}")))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["__supervise", &id])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(log);
    // SAFETY: between fork and exec only setsid(2), async-signal-safe.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            let _ = nix::unistd::setsid();
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::unavailable(format!("cannot start the supervisor: {e}")))?;
    let sup_pid = child.id();
    // Reap it in the background if it ends while we wait (it should not).
    std::thread::spawn(move || child.wait());

    let what = format!("service {}", name.as_deref().unwrap_or(&id));
    let mut alive = || -> std::result::Result<(), String> {
        let r = reg
            .get(&id)
            .ok()
            .flatten()
            .ok_or_else(|| "its record is gone".to_owned())?;
        match r.get("state").and_then(|s| s.as_str()) {
            Some("exited" | "failed" | "stopped") => Err(end_description(&r)),
            _ if Owner::of(sup_pid).is_none() => Err(format!(
                "its supervisor exited (see {})",
                dir.join("supervisor.log").display()
            )),
            _ => Ok(()),
        }
    };
    // Wait for the command to be launched (without readiness checks, that
    // is ready: the service may well exit at once and be restarted), then
    // for the checks.
    let begun = Instant::now();
    let launched = loop {
        if let Some(r) = reg.get(&id)?
            && r.get("launches").and_then(|n| n.as_u64()).unwrap_or(0) >= 1
        {
            break Ok(r);
        }
        if let Err(e) = alive() {
            break Err(NotReady::Died(e));
        }
        if let Some(n) = ptest_shared::interrupt::requested() {
            break Err(NotReady::Interrupted(n));
        }
        if begun.elapsed() > readiness.timeout {
            break Err(NotReady::Timeout {
                pending: vec!["the command to start".into()],
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let result = launched.and_then(|r| {
        // Port and HTTP checks of a service without network must look inside its namespace.
        if launch.net == crate::NetMode::None
            && let Some(pid) = r.get("pid").and_then(|p| p.as_u64())
            && let Ok(ns) = std::fs::File::open(format!("/proc/{pid}/ns/net"))
        {
            let _ = nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET);
        }
        if checks.is_empty() {
            return Ok((r, ()));
        }
        let left = readiness.timeout.saturating_sub(begun.elapsed());
        let mut service = HostService::new(
            vec![stdout_log.clone(), stderr_log.clone()],
            env.iter().map(|(k, v)| (k.into(), v.into())).collect(),
            Some(cwd.clone()),
            &mut alive,
        );
        ready::wait(&mut service, &checks, left).map(|_| (r, ()))
    });
    match result {
        Ok((mut r, _)) => {
            ptest_shared::hooks::post(&config, "proc.ready", &r);
            r.set(
                "ready_seconds",
                (begun.elapsed().as_secs_f64() * 1e3).round() / 1e3,
            );
            if common.json() {
                out.write(&r)?;
            } else {
                out.write_line(&format!(
                    "{} ready: {} (PID {})",
                    what,
                    r.id().unwrap_or_default(),
                    r.get("pid").cloned().unwrap_or_default()
                ))?;
            }
            Ok(0)
        }
        Err(not) => {
            let mut tail = String::new();
            // Interrupted, the user knows why: no log tail.
            let logs = if matches!(not, NotReady::Interrupted(_)) {
                &[][..]
            } else {
                &[("stdout", &stdout_log), ("stderr", &stderr_log)][..]
            };
            for (label, p) in logs {
                let lines = crate::logs::tail_lines(p, 20);
                if !lines.is_empty() {
                    tail.push_str(&format!(
                        "--- last lines of {label} ({}):\n{}\n",
                        p.display(),
                        lines.join("\n")
                    ));
                }
            }
            eprint!("{tail}");
            let _ = stop_one(&reg, &id, Duration::from_secs(5), false);
            Err(not.to_error(&what, readiness.timeout))
        }
    }
}

/// The checks of `--ready-*` on this host: a port is a port of 127.0.0.1
/// (a lease name, the lease's port in the stream).
fn host_checks(r: &Readiness, records: &[Record]) -> Result<Vec<Check>> {
    let port_of = |p: &PortRef| match p {
        PortRef::Number(n) => Ok(*n),
        PortRef::Lease(name) => run::leased_port(records, name),
    };
    let mut checks = Vec::new();
    if let Some(p) = &r.port {
        checks.push(Check::local_port(port_of(p)?));
    }
    if let Some(re) = &r.log {
        checks.push(Check::Log(re.clone()));
    }
    match &r.http {
        Some(HttpWant::Url(u)) => checks.push(Check::Http(u.clone())),
        Some(HttpWant::Path { path, .. }) => {
            let port = match r.http_port() {
                Some(p) => port_of(p)?,
                None => only_lease(records)?,
            };
            checks.push(Check::Http(ptest_shared::http::HttpUrl {
                host: "127.0.0.1".into(),
                port,
                path: path.clone(),
            }));
        }
        None => {}
    }
    if let Some(c) = &r.cmd {
        checks.push(Check::Cmd(c.clone()));
    }
    Ok(checks)
}

/// The port of the one port lease in the stream, for `--ready-http PATH`
/// that names no port.
fn only_lease(records: &[Record]) -> Result<u16> {
    let ports: Vec<u64> = records
        .iter()
        .filter(|r| r.kind() == "port")
        .filter_map(|r| r.get("port").and_then(|p| p.as_u64()))
        .collect();
    match ports[..] {
        [p] => u16::try_from(p)
            .map_err(|_| Error::data(format!("port {p} in the stream is not a port"))),
        _ => Err(Error::usage(format!(
            "--ready-http: name the port (PORT:PATH, NAME:PATH or a URL), or give --ready-port; the stream holds {} port leases",
            ports.len()
        ))),
    }
}

fn end_description(r: &Record) -> String {
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

/// `__supervise ID`: runs the service until it is over.
pub fn supervise(id: &str) -> Result<i32> {
    let reg = registry()?;
    let dir = dir_of(id)?;
    let desc: Description = serde_json::from_slice(
        &std::fs::read(dir.join("service.json")).map_err(|e| Error::from_io("service.json", &e))?,
    )
    .map_err(|e| Error::internal(format!("bad service.json: {e}")))?;
    let mut records = Vec::new();
    for (i, l) in desc.records.iter().enumerate() {
        records.push(Record::parse(l, "service.json", i + 1)?);
    }
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
        // Wait, waking every second to check the owner and the expiry.
        let stop_reason = loop {
            let wake = l.wait(
                Some(Instant::now() + Duration::from_secs(1)),
                Some(&signals),
            );
            // A long-running command re-reads its configuration when a
            // config file changes and on SIGHUP (docs/config.md).
            if config.files_changed() {
                reload(&mut config);
            }
            match wake {
                Wake::Exited => break None,
                Wake::Signal(libc::SIGHUP) => reload(&mut config),
                Wake::Signal(_) => break Some("stopped"),
                Wake::Deadline => match judge(&rec, Timestamp::now()) {
                    Ok(Liveness::Live) => {}
                    Ok(other) => break Some(other.as_str()),
                    Err(_) => {}
                },
            }
        };
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
        let ended = match l.reap() {
            Ok((e, _)) => e,
            Err((msg, code)) => {
                rec.set("error", msg);
                Ended::Exited(code)
            }
        };
        run::kill_leftovers(&l, prepared.cgroup.as_ref());
        ended.record(&mut rec);
        if let Some(s) = prepared.cgroup.as_ref().map(|c| c.stats()) {
            rec.set("oom_killed", s.oom_kills.is_some_and(|n| n > 0));
        }
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

/// Stops one service (or cleans up after a run whose supervisor was
/// killed): asks the supervisor, then makes sure nothing is left.
fn stop_one(reg: &Registry, id: &str, grace: Duration, forget: bool) -> Result<Option<Record>> {
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
