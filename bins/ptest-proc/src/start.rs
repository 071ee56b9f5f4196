//! `ptest proc start`: checks the request, registers the service, spawns
//! its supervisor ([`crate::supervisor`]) and waits until the service is
//! ready — or stops it and says why.

use crate::ready::HostService;
use crate::run::{self, TOOL};
use crate::service::{
    Description, dir_of, end_description, find, live_supervisor, registry, save, stop_one,
};
use crate::{LaunchArgs, NetMode, Restart};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{LifetimeArgs, Owner, OwnerSpec};
use ptest_shared::ready::{self, Check, HttpWant, NotReady, PortRef, Readiness, ReadyArgs};
use ptest_shared::registry::Registry;
use ptest_shared::{Error, Record, Result, stream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A request checked: everything that can be wrong with it is found before
/// anything is made.
struct Request {
    launch: LaunchArgs,
    name: Option<String>,
    /// The command's environment: ours, then the stream's.
    env: Vec<(String, String)>,
    cwd: PathBuf,
    readiness: Readiness,
    checks: Vec<Check>,
}

/// What `start` made for the service.
struct Made {
    id: String,
    rec: Record,
    dir: PathBuf,
    stdout_log: PathBuf,
    stderr_log: PathBuf,
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
    let req = check(launch, &ready, name, &records)?;
    let lifetime = lifetime.resolve(OwnerSpec::Session)?;
    let made = describe(&req, restart, restart_limit, &records, &lifetime)?;
    // From here on a Ctrl-C stops what we started rather than leave it running.
    ptest_shared::interrupt::catch()?;
    let reg = registry()?;
    save(&reg, &made.rec)?;
    let supervisor = spawn_supervisor(&made)?;
    let begun = Instant::now();
    let what = format!("service {}", req.name.as_deref().unwrap_or(&made.id));
    match wait_ready(&reg, &req, &made, supervisor, begun) {
        Ok(mut r) => {
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
            // Interrupted, the user knows why: no log tail.
            if !matches!(not, NotReady::Interrupted(_)) {
                print_log_tails(&made);
            }
            let _ = stop_one(&reg, &made.id, Duration::from_secs(5), false);
            Err(not.to_error(&what, req.readiness.timeout))
        }
    }
}

/// Checks the request against the stream and this machine.
fn check(
    launch: LaunchArgs,
    ready: &ReadyArgs,
    name: Option<String>,
    records: &[Record],
) -> Result<Request> {
    let env = ptest_shared::environ::stream_env(std::env::vars().collect(), records)?;
    let cwd = run::working_dir(&launch)?;
    ptest_shared::environ::resolve_program(&launch.command[0], &env, &cwd)?;
    let readiness = ready.parse()?;
    let checks = host_checks(&readiness, records)?;
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
    Ok(Request {
        launch,
        name,
        env,
        cwd,
        readiness,
        checks,
    })
}

/// The service's record and its directory, with the description its
/// supervisor starts from (`service.json`).
fn describe(
    req: &Request,
    restart: Restart,
    restart_limit: u32,
    records: &[Record],
    lifetime: &ptest_shared::owner::Lifetime,
) -> Result<Made> {
    let mut rec = Record::resource("proc", TOOL);
    let id = rec.id().unwrap_or_default().to_owned();
    lifetime.apply(&mut rec);
    let dir = dir_of(&id)?;
    let (stdout_log, stderr_log) = (dir.join("stdout.log"), dir.join("stderr.log"));
    rec.set("mode", "service")
        .set("name", req.name.clone())
        .set("command", req.launch.command.clone())
        .set("state", "starting");
    rec.set("restart", serde_json::to_value(restart).unwrap_or_default())
        .set("restarts", 0);
    rec.set("dir", dir.display().to_string());
    rec.set(
        "logs",
        serde_json::json!({"stdout": stdout_log, "stderr": stderr_log}),
    );
    let desc = Description {
        launch: req.launch.clone(),
        restart,
        restart_limit,
        records: records.iter().map(Record::to_line).collect(),
    };
    std::fs::write(
        dir.join("service.json"),
        serde_json::to_vec(&desc).expect("serialises"),
    )
    .map_err(|e| Error::from_io(format!("cannot write {}", dir.display()), &e))?;
    Ok(Made {
        id,
        rec,
        dir,
        stdout_log,
        stderr_log,
    })
}

/// The supervisor, `ptest-proc __supervise ID`: a session of its own,
/// stdio away from ours. Its PID.
fn spawn_supervisor(made: &Made) -> Result<u32> {
    let log = std::fs::File::create(made.dir.join("supervisor.log"))
        .map_err(|e| Error::from_io("cannot create supervisor.log", &e))?;
    let exe = std::env::current_exe()
        .map_err(|e| Error::internal(format!("cannot find own executable: {e}")))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["__supervise", &made.id])
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
    let pid = child.id();
    // Reap it in the background if it ends while we wait (it should not).
    std::thread::spawn(move || child.wait());
    Ok(pid)
}

/// Waits for the command to be launched (without readiness checks, that is
/// ready: the service may well exit at once and be restarted), then for the
/// checks; the service's record as it was when it became ready.
fn wait_ready(
    reg: &Registry,
    req: &Request,
    made: &Made,
    supervisor: u32,
    begun: Instant,
) -> std::result::Result<Record, NotReady> {
    let mut alive = || -> std::result::Result<(), String> {
        let r = reg
            .get(&made.id)
            .ok()
            .flatten()
            .ok_or_else(|| "its record is gone".to_owned())?;
        match r.get("state").and_then(|s| s.as_str()) {
            Some("exited" | "failed" | "stopped") => Err(end_description(&r)),
            _ if Owner::of(supervisor).is_none() => Err(format!(
                "its supervisor exited (see {})",
                made.dir.join("supervisor.log").display()
            )),
            _ => Ok(()),
        }
    };
    let launched = loop {
        if let Some(r) = reg.get(&made.id).ok().flatten()
            && r.get("launches").and_then(|n| n.as_u64()).unwrap_or(0) >= 1
        {
            break r;
        }
        alive().map_err(NotReady::Died)?;
        if let Some(n) = ptest_shared::interrupt::requested() {
            return Err(NotReady::Interrupted(n));
        }
        if begun.elapsed() > req.readiness.timeout {
            return Err(NotReady::Timeout {
                pending: vec!["the command to start".into()],
            });
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Port and HTTP checks of a service without network must look inside its namespace.
    if req.launch.net == NetMode::None
        && let Some(pid) = launched.get("pid").and_then(|p| p.as_u64())
        && let Ok(ns) = std::fs::File::open(format!("/proc/{pid}/ns/net"))
    {
        let _ = nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET);
    }
    if req.checks.is_empty() {
        return Ok(launched);
    }
    let left = req.readiness.timeout.saturating_sub(begun.elapsed());
    let mut service = HostService::new(
        vec![made.stdout_log.clone(), made.stderr_log.clone()],
        req.env.iter().map(|(k, v)| (k.into(), v.into())).collect(),
        Some(req.cwd.clone()),
        &mut alive,
    );
    ready::wait(&mut service, &req.checks, left).map(|_| launched)
}

/// The last lines of the service's logs, on stderr.
fn print_log_tails(made: &Made) {
    for (label, p) in [("stdout", &made.stdout_log), ("stderr", &made.stderr_log)] {
        let lines = crate::logs::tail_lines(p, 20);
        if !lines.is_empty() {
            eprintln!(
                "--- last lines of {label} ({}):\n{}",
                p.display(),
                lines.join("\n")
            );
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
