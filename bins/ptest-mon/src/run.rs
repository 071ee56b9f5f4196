//! `ptest mon run`: one command, measured as a whole tree from start to
//! end, like `time -v` for everything it starts.
//!
//! The command runs in a cgroup of its own where one can be made (its
//! counters are the kernel's: a peak between two samples is still seen),
//! else as a tree followed through `/proc`, with ptest mon as the
//! subreaper of everything it starts (so that a daemonising child is still
//! counted, and reaped here). Its environment is the stream's, as `proc
//! run` builds it (`ptest_shared::environ`).

use crate::runs;
use crate::sample::{Sink, TOOL, Watched, round3};
use crate::source::{self, Source};
use crate::threshold::{Crossed, Limits, Reloading};
use crate::{RunArgs, procfs};
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;
use ptest_shared::cgroup::Cgroup;
use ptest_shared::cli::CommonArgs;
use ptest_shared::environ;
use ptest_shared::interrupt::Signals;
use ptest_shared::registry::Registry;
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Exit, Record, Result};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Exited(i32),
    Signaled(i32),
}

/// What the run holds while it runs, undone by [`Held::release`].
struct Held {
    id: String,
    cgroup: Option<Cgroup>,
    dir: Option<PathBuf>,
    reg: Option<Registry>,
}

impl Held {
    fn release(&self, keep_logs: bool) {
        if let Some(c) = &self.cgroup {
            let _ = c.kill_all(Duration::from_secs(5));
            let _ = c.remove();
        }
        if !keep_logs {
            if let Some(d) = &self.dir {
                let _ = std::fs::remove_dir_all(d);
            }
            if let Some(r) = &self.reg {
                let _ = r.remove(&self.id);
            }
        }
    }
}

pub fn run(common: &CommonArgs, args: &RunArgs) -> Result<i32> {
    // The command owns stdout: records go there only when asked.
    let json = common.output.json || common.output.format == ptest_shared::output::Format::Json;
    let config = Reloading::new(&common.config)?;
    let limits = Limits::resolve(&args.limits, &config.config);
    let launch = prepare(json, args)?;
    let sink = Sink::new(json, args.out.as_deref())?;
    let id = ptest_shared::record::new_id("mon");
    let mut notes = Vec::new();
    let mut held = hold(&id, args, &mut notes);
    let (signals, child) = match start(&mut held, args, json, &launch) {
        Ok(s) => s,
        Err(e) => {
            held.release(false);
            return Err(e);
        }
    };
    let mut r = Running::new(&held, args, child.id(), signals, sink, config, limits);
    let outcome = r.sample_until_end(held.cgroup.as_ref());
    // The command is over: the last figures, then what it left running
    // goes with it.
    let wall = r.t0.elapsed();
    if let Some(rec) = r.w.sample(r.t0, Instant::now(), Duration::MAX) {
        let _ = r.sink.write(&rec);
    }
    let stats = held.cgroup.as_ref().map(Cgroup::stats);
    let leftovers = end_leftovers(held.cgroup.as_ref());
    if let Err(e) = outcome {
        held.release(false);
        return Err(e);
    }
    if leftovers > 0 {
        notes.push(format!(
            "{leftovers} processes the command left running were killed"
        ));
    }
    let ended = r.ended.unwrap_or(Ended::Exited(0));
    let mut summary = summarise(&r.w, stats.as_ref(), wall, ended, args);
    summary
        .set(
            "monitor",
            crate::sample::monitor(r.own_at_start, wall, args.interval),
        )
        .set(
            "thresholds",
            r.crossed
                .iter()
                .map(|c| c.fields().clone())
                .collect::<Vec<_>>(),
        )
        .set("limits", r.limits.to_json());
    if !notes.is_empty() {
        summary.set("notes", notes);
    }
    if let Some(d) = &held.dir {
        summary.set(
            "logs",
            serde_json::json!({"stdout": d.join("stdout.log"), "stderr": d.join("stderr.log")}),
        );
    }
    // With --json the logs stay, owned by the caller's session.
    held.release(json);
    if json && let Some(reg) = &held.reg {
        runs::keep_logs(reg, &id, held.dir.as_deref(), &args.command)?;
    }
    r.sink.write(&summary)?;
    r.sink.flush()?;
    if !r.sink.to_stdout() {
        print_summary(&summary);
    }
    exit_of(ended, r.killed.as_ref())
}

/// What the command is started with.
struct Launch {
    env: Vec<(String, String)>,
    cwd: PathBuf,
    program: PathBuf,
}

/// The stream (a failure upstream ends here, passed on with `--json`), the
/// environment it gives, the working directory and the program: all
/// checked before anything is made.
fn prepare(json: bool, args: &RunArgs) -> Result<Launch> {
    let stream = ptest_shared::stream::stdin(None)?;
    if let Some(failure) = stream.failure {
        if json && let ptest_shared::stream::Failure::Upstream { record, .. } = &failure {
            ptest_shared::output::RecordWriter::stdout().write(record)?;
        }
        return Err(failure.into_error());
    }
    let mut env = environ::stream_env(std::env::vars().collect(), &stream.records)?;
    for (k, v) in &args.env {
        environ::set(&mut env, k, v.clone());
    }
    let cwd = environ::working_dir(args.cwd.as_deref())?;
    let program = environ::resolve_program(&args.command[0], &env, &cwd)?;
    Ok(Launch { env, cwd, program })
}

/// The run's cgroup, unless `--no-cgroup` or none can be made (a note
/// then says why, and the tree is followed through `/proc`).
fn hold(id: &str, args: &RunArgs, notes: &mut Vec<String>) -> Held {
    let cgroup = if args.no_cgroup {
        None
    } else {
        Cgroup::create(&format!("ptest-{id}"), &Default::default())
            .inspect_err(|u| {
                notes.push(format!(
                    "no cgroup, the tree is followed through /proc: {}",
                    u.reason
                ))
            })
            .ok()
    };
    Held {
        id: id.to_owned(),
        cgroup,
        dir: None,
        reg: None,
    }
}

/// Registers what would outlive a SIGKILL (the cgroup, the log
/// directory), then starts the command.
fn start(
    held: &mut Held,
    args: &RunArgs,
    json: bool,
    launch: &Launch,
) -> Result<(Signals, std::process::Child)> {
    if json || held.cgroup.is_some() {
        let state = StateDir::open()?;
        if json {
            let dir = state.path().join(format!("mon/{}", held.id));
            ptest_shared::state::ensure_private_dir(&dir)?;
            held.dir = Some(dir);
        }
        let reg = Registry::open(&state)?;
        let entry = runs::entry(
            &held.id,
            held.cgroup.as_ref(),
            held.dir.as_deref(),
            &args.command,
        );
        reg.transaction(|t| t.put_with(&entry, Durability::Volatile, None))?;
        held.reg = Some(reg);
    }
    let signals = ptest_shared::interrupt::pass_on()?;
    // Whatever the command starts and leaves behind comes to us.
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let child = spawn(launch, args, held.cgroup.as_ref(), held.dir.as_deref())?;
    if let Some(reg) = &held.reg {
        let mut r = runs::entry(
            &held.id,
            held.cgroup.as_ref(),
            held.dir.as_deref(),
            &args.command,
        );
        r.set("pid", child.id());
        let _ = reg.transaction(|t| t.put_with(&r, Durability::Volatile, None));
    }
    Ok((signals, child))
}

/// The command while it runs: what is sampled, the limits in force, and
/// how it is going.
struct Running<'a> {
    args: &'a RunArgs,
    w: Watched,
    t0: Instant,
    own_at_start: Duration,
    pid: u32,
    pidfd: Option<OwnedFd>,
    signals: Signals,
    sink: Sink,
    config: Reloading,
    limits: Limits,
    crossed: Vec<Record>,
    killed: Option<Crossed>,
    ended: Option<Ended>,
}

impl<'a> Running<'a> {
    fn new(
        held: &Held,
        args: &'a RunArgs,
        pid: u32,
        signals: Signals,
        sink: Sink,
        config: Reloading,
        limits: Limits,
    ) -> Running<'a> {
        let name = std::path::Path::new(&args.command[0])
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| args.command[0].clone());
        let source = match &held.cgroup {
            Some(c) => Source::cgroup(c.clone(), None),
            None => Source::tree(std::process::id(), true),
        };
        Running {
            args,
            w: Watched::new(held.id.as_str(), name, source),
            t0: Instant::now(),
            own_at_start: crate::sample::own_cpu(),
            pid,
            pidfd: ptest_shared::owner::pidfd_open(pid as i32).ok(),
            signals,
            sink,
            config,
            limits,
            crossed: Vec::new(),
            killed: None,
            ended: None,
        }
    }

    /// Samples every `--interval` until the command ends.
    fn sample_until_end(&mut self, cgroup: Option<&Cgroup>) -> Result<()> {
        let mut next = self.t0;
        while self.ended.is_none() {
            self.tick(cgroup)?;
            next += self.args.interval;
            if next < Instant::now() {
                next = Instant::now() + self.args.interval;
            }
            let mut hup = false;
            self.ended = wait(
                &self.signals,
                self.pidfd.as_ref(),
                self.pid,
                next,
                cgroup,
                &mut || hup = true,
            );
            if self.config.refresh(hup) {
                self.limits = Limits::resolve(&self.args.limits, &self.config.config);
            }
        }
        Ok(())
    }

    /// One sample, and the thresholds it crosses.
    fn tick(&mut self, cgroup: Option<&Cgroup>) -> Result<()> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.t0);
        let keep = self.limits.cpu_window + self.args.interval;
        if let Some(rec) = self.w.sample(self.t0, now, keep) {
            self.sink.write(&rec)?;
        }
        for c in self.limits.check(&mut self.w, elapsed) {
            let kill = self.limits.kill && self.killed.is_none();
            let rec = c.record(&self.w, elapsed, kill);
            let what = if kill {
                format!("the command crossed {} and is being killed", c.describe())
            } else {
                format!("the command crossed {}", c.describe())
            };
            crate::threshold::report(&self.config.config, &mut self.sink, &rec, &what)?;
            if kill {
                kill_tree(cgroup, self.pid);
                self.killed = Some(c.clone());
            }
            self.crossed.push(rec);
        }
        self.sink.flush()
    }
}

/// Starts the command: its environment and directory, in the cgroup from
/// its first instruction, killed should ptest mon die (`PDEATHSIG`), its
/// output in the log directory when there is one.
fn spawn(
    launch: &Launch,
    args: &RunArgs,
    cgroup: Option<&Cgroup>,
    logs: Option<&std::path::Path>,
) -> Result<std::process::Child> {
    let mut cmd = std::process::Command::new(&launch.program);
    cmd.arg0(&args.command[0])
        .args(&args.command[1..])
        .env_clear()
        .envs(launch.env.iter().map(|(k, v)| (k, v)))
        .current_dir(&launch.cwd);
    if let Some(d) = logs {
        let open = |n: &str| {
            std::fs::File::create(d.join(n))
                .map_err(|e| Error::cant_create(format!("{}: {e}", d.join(n).display())))
        };
        cmd.stdout(Stdio::from(open("stdout.log")?))
            .stderr(Stdio::from(open("stderr.log")?));
    }
    let mut join = cgroup.map(Cgroup::pre_exec_join);
    let parent = std::process::id();
    // SAFETY: between fork and exec the closure only makes system calls
    // (prctl, getppid, kill, and the cgroup join's open and write of paths
    // prepared before the fork), all async-signal-safe; it allocates
    // nothing and takes no lock.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // Should ptest mon have died before the line above, no signal
            // would come: end now.
            if nix::unistd::getppid().as_raw() as u32 != parent {
                return Err(std::io::Error::from_raw_os_error(nix::libc::ESRCH));
            }
            if let Some(j) = join.as_mut() {
                j()?;
            }
            Ok(())
        });
    }
    cmd.spawn().map_err(|e| match e.raw_os_error() {
        Some(nix::libc::ENOENT) => Error::new(
            Exit::NotFound,
            format!("{}: command not found", args.command[0]),
        ),
        Some(nix::libc::EACCES | nix::libc::ENOEXEC) => Error::new(
            Exit::CannotExecute,
            format!("{}: cannot execute: {e}", args.command[0]),
        ),
        _ => Error::failed(format!("cannot start {}: {e}", args.command[0])),
    })
}

/// Waits until `until` for the command's end, reaping what ptest mon
/// inherited meanwhile; passes SIGTERM on to the tree and reloads the
/// configuration on SIGHUP.
fn wait(
    signals: &Signals,
    pidfd: Option<&OwnedFd>,
    pid: u32,
    until: Instant,
    cgroup: Option<&Cgroup>,
    reload: &mut dyn FnMut(),
) -> Option<Ended> {
    use nix::poll::{PollFd, PollFlags, poll};
    loop {
        if let Some(e) = reap(pid) {
            return Some(e);
        }
        while let Some(sig) = signals.next() {
            if sig == nix::libc::SIGHUP {
                reload();
            } else {
                signal_tree(cgroup, pid, sig);
            }
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        let mut fds = vec![PollFd::new(signals.fd(), PollFlags::POLLIN)];
        if let Some(p) = pidfd {
            fds.push(PollFd::new(p.as_fd(), PollFlags::POLLIN));
        }
        // Without a pidfd (kernels before 5.3), look every 10 ms.
        let left = if pidfd.is_some() {
            left
        } else {
            left.min(Duration::from_millis(10))
        };
        let _ = poll(&mut fds, ptest_shared::interrupt::poll_timeout(left));
    }
}

/// Reaps every child that has ended; the command's end when it is one.
fn reap(pid: u32) -> Option<Ended> {
    let mut ended = None;
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::Exited(p, code)) if p.as_raw() as u32 == pid => {
                ended = Some(Ended::Exited(code));
            }
            Ok(WaitStatus::Signaled(p, sig, _)) if p.as_raw() as u32 == pid => {
                ended = Some(Ended::Signaled(sig as i32));
            }
            Ok(WaitStatus::StillAlive) | Err(_) => return ended,
            Ok(_) => {}
        }
    }
}

fn signal_tree(cgroup: Option<&Cgroup>, pid: u32, sig: i32) {
    let Ok(s) = Signal::try_from(sig) else { return };
    match cgroup {
        Some(c) => c.signal_all(s),
        None => {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid as i32), s);
        }
    }
}

/// SIGKILL to the whole tree: the cgroup's processes, else every
/// descendant of ptest mon.
fn kill_tree(cgroup: Option<&Cgroup>, pid: u32) {
    match cgroup {
        Some(c) => {
            let _ = c.kill_all(Duration::from_secs(5));
        }
        None => {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            kill_own_descendants();
        }
    }
}

fn kill_own_descendants() -> usize {
    let me = std::process::id();
    let mut killed = 0;
    for _ in 0..100 {
        let left: Vec<u32> = procfs::tree(me).into_iter().skip(1).collect();
        if left.is_empty() {
            break;
        }
        for p in &left {
            if nix::sys::signal::kill(Pid::from_raw(*p as i32), Signal::SIGKILL).is_ok() {
                killed += 1;
            }
        }
        while let Ok(s) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            if s == WaitStatus::StillAlive {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    killed
}

/// Ends what the command left running (its cgroup's processes, or what
/// ptest mon inherited) and reaps it; how many there were.
fn end_leftovers(cgroup: Option<&Cgroup>) -> usize {
    let n = match cgroup {
        Some(c) => {
            let n = c.pids().len();
            let _ = c.kill_all(Duration::from_secs(5));
            n
        }
        None => 0,
    };
    let m = kill_own_descendants();
    while let Ok(s) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
        if s == WaitStatus::StillAlive {
            break;
        }
    }
    n.max(m)
}

/// The `summary` record: what the whole run cost.
fn summarise(
    w: &Watched,
    stats: Option<&ptest_shared::cgroup::Stats>,
    wall: Duration,
    ended: Ended,
    args: &RunArgs,
) -> Record {
    let children =
        source::rusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap_or_default();
    let mut rec = Record::new("summary");
    rec.set("tool", TOOL)
        .set("resource", w.id.as_str())
        .set("name", w.name.as_str())
        .set("command", args.command.clone())
        .set("wall_seconds", round3(wall.as_secs_f64()));
    let (user, system) = stats
        .and_then(|s| s.cpu_split)
        .unwrap_or((children.user, children.system));
    rec.set("cpu_user_seconds", round3(user.as_secs_f64()))
        .set("cpu_system_seconds", round3(system.as_secs_f64()));
    match stats.and_then(|s| s.memory_peak) {
        Some(p) => rec
            .set("memory_peak", p.max(w.memory_peak))
            .set("memory_peak_source", "cgroup"),
        None if children.max_rss > w.memory_peak => rec
            .set("memory_peak", children.max_rss)
            .set("memory_peak_source", "largest-process"),
        None => rec
            .set("memory_peak", w.memory_peak)
            .set("memory_peak_source", "sampled"),
    };
    // Sampled: the kernel's pids.peak counts threads, not processes.
    rec.set("procs_peak", w.procs_peak);
    let sampled_io = w
        .last
        .as_ref()
        .map(|r| (r.io_read, r.io_write))
        .unwrap_or_default();
    // Every process was reaped here: getrusage counts what reached the
    // disks for all of them, where the cgroup's counter is empty (v1 blkio
    // on recent kernels counts nothing).
    let cgroup_io = stats.and_then(|s| s.io_bytes).unwrap_or_default();
    let io_read = cgroup_io.0.max(sampled_io.0).max(children.io_read);
    let io_write = cgroup_io.1.max(sampled_io.1).max(children.io_write);
    rec.set("io_read_bytes", io_read)
        .set("io_write_bytes", io_write)
        .set("oom_kills", stats.and_then(|s| s.oom_kills));
    match ended {
        Ended::Exited(c) => rec.set("exit_code", c),
        Ended::Signaled(s) => rec.set("exit_code", 128 + s).set("signal", s),
    };
    rec.set("samples", w.samples)
        .set(
            "interval",
            ptest_shared::units::format_duration(args.interval),
        )
        .set("source", w.source.name());
    rec
}

/// The summary for people, on stderr (stdout is the command's).
fn print_summary(s: &Record) {
    let f = |k: &str| s.get(k).and_then(serde_json::Value::as_f64).unwrap_or(0.0);
    let size = |k: &str| ptest_shared::units::format_size(f(k) as u64);
    let mon = s.get("monitor").cloned().unwrap_or_default();
    eprintln!(
        "ptest-mon: {:.2}s wall, {:.2}s user, {:.2}s system; peak memory {} ({}), {} processes at most; \
         I/O {} read, {} written; {} OOM kills; ptest mon itself: {:.1}% CPU",
        f("wall_seconds"),
        f("cpu_user_seconds"),
        f("cpu_system_seconds"),
        size("memory_peak"),
        s.get("memory_peak_source")
            .and_then(|v| v.as_str())
            .unwrap_or("?"),
        f("procs_peak"),
        size("io_read_bytes"),
        size("io_write_bytes"),
        s.get("oom_kills")
            .and_then(|v| v.as_u64())
            .map_or("no".into(), |n| n.to_string()),
        mon.get("cpu_percent")
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0),
    );
}

/// The command's own code, or 125 when a threshold ended it.
fn exit_of(ended: Ended, killed: Option<&Crossed>) -> Result<i32> {
    if let Some(c) = killed {
        return Err(Error::new(
            Exit::Threshold,
            format!("the command was killed for crossing {}", c.describe()),
        ));
    }
    match ended {
        Ended::Exited(0) => Ok(0),
        Ended::Exited(c) => Err(Error::command_exited(c)),
        Ended::Signaled(s) => Err(Error::command_killed(s)),
    }
}
