//! `ptest proc run`: one command in the foreground, inside the environment
//! the stream describes, with limits, and nothing of it left afterwards.

use crate::launch::{self, Ended, Launched, Wake};
use crate::spec::{self, Spec};
use crate::{LaunchArgs, NetMode};
use nix::libc;
use ptest_shared::cgroup::{Cgroup, Limits};
use ptest_shared::config::Config;
use ptest_shared::environ::{resolve_program, set, stream_env};
use ptest_shared::interrupt::Signals;
use ptest_shared::owner::{Owner, OwnerSpec};
use ptest_shared::registry::Registry;
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Record, Result};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const TOOL: &str = "ptest-proc";

/// A command made ready to launch, and what must be cleaned up after it.
pub struct Prepared {
    pub spec: Spec,
    pub cgroup: Option<Cgroup>,
    pub listeners: Vec<OwnedFd>,
    pub warnings: Vec<String>,
    pub private_tmp: Option<PathBuf>,
    pub dir: PathBuf,
    pub limits: serde_json::Value,
}

/// Whether to give the command PID and mount namespaces (`--pid-namespace`
/// or `[proc] pid-namespace = "on"`).
fn use_pid_ns(args: &LaunchArgs, config: &Config) -> Result<bool> {
    // Without root, a user namespace makes it possible where the kernel
    // allows unprivileged ones; launching says so (69) where it does not.
    Ok(args.pid_namespace || config.string("proc.pid-namespace") == "on")
}

/// Validates the options and builds the launch: environment, program,
/// cgroup, sockets, private /tmp. Nothing runs yet.
pub fn prepare(
    args: &LaunchArgs,
    records: &[Record],
    config: &Config,
    id: &str,
    logs: bool,
) -> Result<Prepared> {
    let state = StateDir::open()?;
    let mut warnings = Vec::new();
    let cwd = working_dir(args)?;
    let mut env = stream_env(std::env::vars().collect(), records)?;
    for f in &args.env_file {
        for (k, v) in spec::read_env_file(f)? {
            set(&mut env, &k, v);
        }
    }
    for (k, v) in &args.env {
        set(&mut env, k, v.clone());
    }
    let user = args.user.as_deref().map(spec::resolve_user).transpose()?;
    if user.is_some() && !nix::unistd::geteuid().is_root() {
        return Err(Error::unavailable(
            "--user needs root (run ptest-proc as root to switch users)",
        ));
    }
    let program = resolve_program(&args.command[0], &env, &cwd)?;
    let pid_ns = use_pid_ns(args, config)?;
    let dir = state.path().join(format!("proc/{id}"));
    if logs || args.private_tmp {
        ptest_shared::state::ensure_private_dir(&dir)?;
    }

    let private_tmp = if args.private_tmp {
        Some(private_tmp(&dir, user.as_ref(), pid_ns, &mut env)?)
    } else {
        None
    };

    let (listeners, names) = bind_listeners(args, records)?;

    // Limits: a cgroup, else rlimits where one exists. Made last, so that
    // no failure of this function can leave it behind.
    let want_limits = args.memory.is_some() || args.cpus.is_some() || args.pids.is_some();
    let (cgroup, rlimits) = limits(args, config, id, &mut warnings)?;
    for w in &warnings {
        eprintln!("ptest-proc: warning: {w}");
    }

    let (stdout, stderr) = if logs {
        (Some(dir.join("stdout.log")), Some(dir.join("stderr.log")))
    } else {
        (None, None)
    };
    let spec = Spec {
        program,
        argv: args.command.clone(),
        env,
        cwd: Some(cwd),
        rlimits: rlimits.clone(),
        user,
        no_new_privs: args.no_new_privileges,
        net_none: args.net == NetMode::None,
        pid_ns,
        private_tmp: if pid_ns { private_tmp.clone() } else { None },
        cgroup_procs: cgroup.as_ref().map(|c| c.procs_files()).unwrap_or_default(),
        listen_names: names,
        listen_fds: listeners.iter().map(|l| l.as_raw_fd()).collect(),
        stdout,
        stderr,
    };
    let limits = serde_json::json!({
        "memory": args.memory,
        "cpus": args.cpus,
        "pids": args.pids,
        "timeout": args.timeout.map(ptest_shared::units::format_duration),
        "rlimits": rlimits.iter().map(|(r, s, h)| (r.name().to_owned(), serde_json::json!([lim(*s), lim(*h)]))).collect::<serde_json::Map<_, _>>(),
        "enforced_by": if cgroup.is_some() { "cgroup" } else if want_limits { "rlimit" } else { "none" },
    });
    Ok(Prepared {
        spec,
        cgroup,
        listeners,
        warnings,
        private_tmp,
        dir,
        limits,
    })
}

/// The command's working directory: `--cwd` (which must exist), else ours.
pub fn working_dir(args: &LaunchArgs) -> Result<PathBuf> {
    ptest_shared::environ::working_dir(args.cwd.as_deref())
}

/// `--private-tmp`: a directory of the run's own (the user's, with
/// `--user`), named by TMPDIR, TMP and TEMP.
fn private_tmp(
    dir: &Path,
    user: Option<&spec::UserIds>,
    pid_ns: bool,
    env: &mut Vec<(String, String)>,
) -> Result<PathBuf> {
    let t = dir.join("tmp");
    ptest_shared::state::ensure_private_dir(&t)?;
    if let Some(u) = user {
        let _ = nix::unistd::chown(
            &t,
            Some(nix::unistd::Uid::from_raw(u.uid)),
            Some(nix::unistd::Gid::from_raw(u.gid)),
        );
    }
    // With a mount namespace the directory is bound on /tmp (and its own
    // path may be hidden under it); without, it is used where it is.
    let tmpdir = if pid_ns {
        "/tmp".to_owned()
    } else {
        t.display().to_string()
    };
    for k in ["TMPDIR", "TMP", "TEMP"] {
        set(env, k, tmpdir.clone());
    }
    Ok(t)
}

/// Socket activation (`--listen`): the ports bound here, to hand over, with
/// their names.
fn bind_listeners(args: &LaunchArgs, records: &[Record]) -> Result<(Vec<OwnedFd>, Vec<String>)> {
    let mut listeners = Vec::new();
    let mut names = Vec::new();
    for (name, port) in &args.listen {
        let port = match port {
            Some(p) => *p,
            None => leased_port(records, name)?,
        };
        let l = std::net::TcpListener::bind(("127.0.0.1", port)).map_err(|e| {
            Error::temp_fail(format!(
                "--listen {name}={port}: cannot bind 127.0.0.1:{port}: {e}"
            ))
        })?;
        listeners.push(OwnedFd::from(l));
        names.push(name.clone());
    }
    Ok((listeners, names))
}

/// Resource limits: which, soft, hard.
type Rlimits = Vec<(spec::Rlimit, u64, u64)>;

/// `--memory`, `--cpus`, `--pids`: a cgroup, else rlimits where one exists
/// (with a warning saying what that enforces); `--cpus` needs a cgroup.
fn limits(
    args: &LaunchArgs,
    config: &Config,
    id: &str,
    warnings: &mut Vec<String>,
) -> Result<(Option<Cgroup>, Rlimits)> {
    let limits = Limits {
        memory: args.memory,
        cpus: args.cpus,
        pids: args.pids,
    };
    let want_limits = args.memory.is_some() || args.cpus.is_some() || args.pids.is_some();
    let mut rlimits = args.rlimit.clone();
    let cgroup = if config.string("proc.cgroups") == "off" {
        None
    } else if want_limits {
        match Cgroup::create(&format!("ptest-{id}"), &limits) {
            Ok(c) => Some(c),
            Err(u) => {
                if args.cpus.is_some() {
                    return Err(Error::unavailable(format!(
                        "--cpus needs a cgroup, and none can be made: {}",
                        u.reason
                    ))
                    .hint(u.hint));
                }
                warnings.push(format!(
                    "no cgroup ({}); limits fall back to rlimits",
                    u.reason
                ));
                None
            }
        }
    } else {
        None
    };
    if cgroup.is_none() && want_limits {
        if args.cpus.is_some() {
            return Err(Error::unavailable(
                "--cpus needs a cgroup, and [proc] cgroups is off",
            ));
        }
        if let Some(m) = args.memory {
            rlimits.push((spec::Rlimit::As, m, m));
            warnings.push(format!("--memory {m} enforced as RLIMIT_AS (address space per process), not for the whole tree"));
        }
        if let Some(p) = args.pids {
            rlimits.push((spec::Rlimit::Nproc, p, p));
            warnings.push(format!(
                "--pids {p} enforced as RLIMIT_NPROC (processes of the user), not for the tree"
            ));
        }
    }
    Ok((cgroup, rlimits))
}

/// The cgroup's directories as JSON (null without one).
pub fn cgroup_json(c: Option<&Cgroup>) -> serde_json::Value {
    c.map(|c| serde_json::to_value(c.paths()).expect("paths serialise"))
        .unwrap_or_default()
}

fn lim(v: u64) -> serde_json::Value {
    if v == u64::MAX {
        "unlimited".into()
    } else {
        v.into()
    }
}

/// The port of the lease named `name` in the stream.
pub fn leased_port(records: &[Record], name: &str) -> Result<u16> {
    ptest_shared::kinds::lease_named(records, name)?
        .map(|l| *l.port.get())
        .ok_or_else(|| Error::usage(format!("no port lease named {name:?} in the stream on stdin (give NAME=PORT, or lease it with `ptest port lease --name {name}`)")))
}

/// Sends `sig` to the command's whole tree, through its init: in a PID
/// namespace SIGKILL to the init ends the namespace; otherwise the init
/// SIGKILLs every descendant on [`crate::init::kill_all_signal`], and passes
/// other signals on to all of them.
pub fn signal_tree(l: &Launched, cgroup: Option<&Cgroup>, sig: i32) {
    let to_init = if sig == libc::SIGKILL && !l.pid_ns {
        crate::init::kill_all_signal()
    } else {
        sig
    };
    launch::send_signal(l.pid, to_init);
    if sig == libc::SIGKILL
        && let Some(c) = cgroup
    {
        c.signal_all(nix::sys::signal::Signal::SIGKILL);
    }
}

/// Kills whatever is left of the tree and reaps it, after the init is gone
/// (it kills the tree itself; this covers an init that was killed).
pub fn kill_leftovers(l: &Launched, cgroup: Option<&Cgroup>) -> Vec<String> {
    let mut problems = Vec::new();
    if !l.pid_ns {
        if let Some(c) = cgroup {
            if let Err(e) = c.kill_all(Duration::from_secs(5)) {
                problems.push(e);
            }
        } else {
            for _ in 0..50 {
                let left = launch::descendants(std::process::id() as i32);
                if left.is_empty() {
                    break;
                }
                for p in left {
                    launch::kill(p);
                }
                launch::reap_ended();
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    launch::reap_ended();
    problems
}

/// How a supervised command went.
pub struct Finished {
    pub ended: Ended,
    pub timed_out: bool,
    pub pid: Option<i32>,
    pub wall: Duration,
    pub error: Option<(String, i32)>,
}

/// Waits for the command, enforcing the timeout and passing the
/// supervisor's SIGTERM/SIGHUP on to the tree.
pub fn supervise(
    l: &mut Launched,
    cgroup: Option<&Cgroup>,
    timeout: Option<Duration>,
    kill_after: Duration,
    signals: &Signals,
) -> Finished {
    // In a PID namespace the init cannot tell the host PID; we look.
    let ns_pid = if l.pid_ns { l.command_pid() } else { None };
    let mut deadline = timeout.map(|t| l.started + t);
    let mut timed_out = false;
    let mut killing = false;
    loop {
        match l.wait(deadline, Some(signals)) {
            Wake::Exited => break,
            Wake::Deadline if !killing => {
                timed_out |= !killing;
                signal_tree(l, cgroup, libc::SIGTERM);
                killing = true;
                deadline = Some(Instant::now() + kill_after);
            }
            Wake::Deadline => {
                signal_tree(l, cgroup, libc::SIGKILL);
                deadline = None;
            }
            Wake::Signal(sig) => {
                signal_tree(l, cgroup, sig);
                if !killing {
                    killing = true;
                    deadline = Some(Instant::now() + kill_after);
                }
            }
        }
    }
    let wall = l.elapsed();
    let (ended, pid, error) = match l.reap() {
        Ok((e, p)) => (e, p.or(ns_pid), None),
        Err((msg, code)) => (Ended::Exited(code), ns_pid, Some((msg, code))),
    };
    Finished {
        ended,
        timed_out,
        pid,
        wall,
        error,
    }
}

/// CPU time and the largest RSS of every reaped descendant.
fn children_usage() -> (f64, u64) {
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    let Ok(ru) = getrusage(UsageWho::RUSAGE_CHILDREN) else {
        return (0.0, 0);
    };
    let secs = |tv: nix::sys::time::TimeVal| tv.num_microseconds() as f64 / 1e6;
    (
        secs(ru.user_time()) + secs(ru.system_time()),
        ru.max_rss() as u64 * 1024,
    )
}

/// Fills the `proc` record with how it went.
pub fn describe(rec: &mut Record, p: &Prepared, f: &Finished) {
    let stats = p.cgroup.as_ref().map(|c| c.stats());
    let (cpu, maxrss) = children_usage();
    rec.set("command", p.spec.argv.clone());
    rec.set("cwd", p.spec.cwd.as_ref().map(|c| c.display().to_string()));
    rec.set("pid", f.pid);
    f.ended.record(rec);
    rec.set("timed_out", f.timed_out);
    let oom = stats
        .as_ref()
        .and_then(|s| s.oom_kills)
        .is_some_and(|n| n > 0);
    rec.set("oom_killed", oom);
    rec.set("wall_seconds", (f.wall.as_secs_f64() * 1e3).round() / 1e3);
    let cpu = stats
        .as_ref()
        .and_then(|s| s.cpu_usage)
        .map(|d| d.as_secs_f64())
        .unwrap_or(cpu);
    rec.set("cpu_seconds", (cpu * 1e3).round() / 1e3);
    match stats.as_ref().and_then(|s| s.memory_peak) {
        Some(m) => rec.set("memory_peak", m).set("memory_peak_of", "tree"),
        None => rec
            .set("memory_peak", maxrss)
            .set("memory_peak_of", "largest-process"),
    };
    rec.set("limits", p.limits.clone());
    rec.set(
        "isolation",
        serde_json::json!({
            "pid_namespace": p.spec.pid_ns,
            "cgroup": p.cgroup.as_ref().map(|c| c.paths()),
            "net": if p.spec.net_none { "none" } else { "host" },
            "private_tmp": p.private_tmp,
            "user": p.spec.user.map(|u| format!("{}:{}", u.uid, u.gid)),
            "no_new_privileges": p.spec.no_new_privs,
            "listen": p.spec.listen_names,
        }),
    );
    if let (Some(o), Some(e)) = (&p.spec.stdout, &p.spec.stderr) {
        rec.set("logs", serde_json::json!({"stdout": o, "stderr": e}));
    }
    if !p.warnings.is_empty() {
        rec.set("warnings", p.warnings.clone());
    }
    if let Some((e, _)) = &f.error {
        rec.set("error", e.clone());
    }
}

/// Removes what the run made: cgroup, private /tmp, its state directory
/// (unless it holds logs someone asked for).
pub fn cleanup(p: &Prepared, keep_dir: bool) {
    if let Some(c) = &p.cgroup {
        let _ = c.remove();
    }
    if let Some(t) = &p.private_tmp {
        let _ = std::fs::remove_dir_all(t);
    }
    if !keep_dir {
        let _ = std::fs::remove_dir_all(&p.dir);
    }
}

pub fn run(
    args: &LaunchArgs,
    common: &ptest_shared::cli::CommonArgs,
    rm: bool,
    report: Option<&Path>,
) -> Result<i32> {
    let config = common.load_config()?;
    let json = common.output.json || common.output.format == ptest_shared::output::Format::Json;
    // A stream that carries a failure runs nothing; --rm still tears down
    // what it names, and --json passes the upstream's error record on.
    let stream = ptest_shared::stream::stdin(None)?;
    if let Some(failure) = stream.failure {
        if rm {
            teardown(&stream.records);
        }
        if json && let ptest_shared::stream::Failure::Upstream { record, .. } = &failure {
            ptest_shared::output::RecordWriter::stdout().write(record)?;
        }
        return Err(failure.into_error());
    }
    let records = stream.records;
    let reg = Registry::open(&StateDir::open()?)?;
    // Leases in the stream now live exactly as long as this command, even
    // when it cannot start: they are reclaimable once it is over. With
    // --rm, everything the stream holds does (a venv too, owned by nobody
    // otherwise): this command is to remove it, and if it is killed
    // first, `gc` does.
    take_over(&reg, &records, rm)?;
    let id = ptest_shared::record::new_id("proc");
    let mut rec = Record::resource_with_id("proc", TOOL, &id);
    rec.set_owner(Some(&Owner::current()));
    let prepared = prepare(args, &records, &config, &id, json);
    let mut prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            if rm {
                teardown(&records);
            }
            return Err(e);
        }
    };
    // Registered while running when something would outlive a SIGKILL of
    // this supervisor (a cgroup, a private /tmp) or the run keeps a log
    // directory (--json): `ptest proc gc` cleans up after it. (The tree
    // itself dies with its init.)
    let registered = prepared.cgroup.is_some() || prepared.private_tmp.is_some() || json;
    let ready = (|| {
        if registered {
            let mut r = rec.clone();
            r.set("mode", "run")
                .set("cgroup", cgroup_json(prepared.cgroup.as_ref()))
                .set("dir", prepared.dir.display().to_string());
            reg.transaction(|t| t.put_with(&r, Durability::Volatile, None))?;
        }
        ptest_shared::interrupt::pass_on()
    })();
    // What prepare made (a cgroup, a private /tmp) goes when the run cannot
    // begin, a state directory that cannot be written included.
    let signals = match ready {
        Ok(s) => s,
        Err(e) => {
            cleanup(&prepared, false);
            let _ = reg.remove(&id);
            if rm {
                teardown(&records);
            }
            return Err(e);
        }
    };
    // Should the init be killed, orphans of the tree come to us.
    let _ = nix::sys::prctl::set_child_subreaper(true);
    let fds: Vec<i32> = prepared.listeners.iter().map(|l| l.as_raw_fd()).collect();
    let launched = launch::launch(&prepared.spec, &fds);
    let mut launched = match launched {
        Ok(l) => l,
        Err(e) => {
            cleanup(&prepared, false);
            let _ = reg.remove(&id);
            return Err(e);
        }
    };
    // The command holds the listening sockets now.
    drop(std::mem::take(&mut prepared.listeners));
    if registered {
        register_running(&reg, &rec, &prepared, &launched);
    }
    let finished = supervise(
        &mut launched,
        prepared.cgroup.as_ref(),
        args.timeout,
        args.kill_after,
        &signals,
    );
    let problems = kill_leftovers(&launched, prepared.cgroup.as_ref());
    describe(&mut rec, &prepared, &finished);
    ptest_shared::hooks::post(&config, "proc.exited", &rec);
    say_why_it_ended(&rec, &finished);
    if !problems.is_empty() {
        rec.set("leftovers", problems.clone());
    }
    cleanup(&prepared, json);
    if json {
        keep_logs(&reg, &rec, &prepared)?;
    } else if registered {
        let _ = reg.remove(&id);
    }
    if let Some(path) = report {
        let mut line = rec.to_line();
        line.push('\n');
        std::fs::write(path, line)
            .map_err(|e| Error::from_io(format!("--report {}", path.display()), &e))?;
    }
    if json {
        ptest_shared::output::RecordWriter::stdout().write(&rec)?;
    }
    if rm {
        teardown(&records);
    }
    exit_of(&finished)
}

/// A note on stderr when the command did not end by itself.
fn say_why_it_ended(rec: &Record, finished: &Finished) {
    if rec.get("oom_killed") == Some(&serde_json::Value::Bool(true)) {
        eprintln!(
            "ptest-proc: the command was killed for going over --memory (out of memory in its cgroup)"
        );
    }
    if finished.timed_out {
        eprintln!("ptest-proc: the command was stopped after --timeout");
    }
}

/// With `--json`, the logs stay as long as the caller's session: the
/// record, owned by it, is what `gc` removes them by (and `ptest proc rm
/// ID`). When it cannot be written, the logs go now.
fn keep_logs(reg: &Registry, rec: &Record, prepared: &Prepared) -> Result<()> {
    let mut kept = rec.clone();
    kept.set("mode", "run")
        .set("state", "exited")
        .set("dir", prepared.dir.display().to_string());
    kept.set_owner(OwnerSpec::Session.resolve()?.as_ref());
    reg.transaction(|t| t.put_with(&kept, Durability::Volatile, None))
        .inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&prepared.dir);
            let _ = reg.remove(rec.id().unwrap_or_default());
        })
}

/// Makes this command the owner of the stream's port leases (with `all`,
/// of every resource in it), as the registry holds them: a stream's record
/// counts for its id, kind and tool alone.
fn take_over(reg: &Registry, records: &[Record], all: bool) -> Result<()> {
    let me = Owner::current();
    let is_lease = |r: &Record| r.kind() == "port" && r.tool() == Some("ptest-port");
    for r in records
        .iter()
        .filter(|r| r.is_resource() && (all || is_lease(r)))
    {
        let Some(id) = r.id() else { continue };
        let registered = ptest_shared::registry::validate_id(id).is_ok()
            && reg
                .get(id)?
                .is_some_and(|mine| mine.kind() == r.kind() && mine.tool() == r.tool());
        if registered {
            reg.take_over(id, &me)?;
        }
    }
    Ok(())
}

/// The run's record while it runs, with the command's PID and start time.
fn register_running(reg: &Registry, rec: &Record, prepared: &Prepared, launched: &Launched) {
    let Some(pid) = launched.command_pid() else {
        return;
    };
    let mut r = rec.clone();
    r.set("mode", "run")
        .set("pid", pid)
        .set("cgroup", cgroup_json(prepared.cgroup.as_ref()))
        .set("dir", prepared.dir.display().to_string());
    if let Some(o) = Owner::of(pid as u32) {
        r.set("start_time", o.start_time);
    }
    let _ = reg.transaction(|t| t.put_with(&r, Durability::Volatile, None));
}

/// The command's own code is the exit; with --json an error record says so
/// downstream.
fn exit_of(finished: &Finished) -> Result<i32> {
    match (finished.timed_out, finished.ended) {
        (true, _) => Err(Error::exit_code(
            124,
            "the command was stopped after --timeout",
        )),
        (false, Ended::Exited(0)) => Ok(0),
        (false, Ended::Exited(c)) => Err(Error::command_exited(c)),
        (false, Ended::Signaled(s)) => Err(Error::command_killed(s)),
    }
}

/// `--rm`: every resource of the consumed stream, newest first; failures
/// are reported on stderr and do not change the command's exit code.
fn teardown(records: &[Record]) {
    let res = match ptest_shared::teardown::registered_newest_first(records) {
        Ok(res) if res.is_empty() => return,
        Ok(res) => res,
        Err(e) => {
            eprintln!("ptest-proc: warning: --rm: {e}");
            return;
        }
    };
    if let Err(e) = ptest_shared::teardown::remove_all(ptest_shared::teardown::Report::Quiet, res) {
        eprintln!("ptest-proc: warning: --rm: {e}");
    }
}
