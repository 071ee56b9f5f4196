//! Events and hooks.
//!
//! Each state change is an event `<kind>.<action>` (`port.leased`,
//! `venv.created`). `[hooks]` maps `pre-<event>` and `post-<event>` to shell
//! commands. A hook runs as `sh -c COMMAND` with the record as one JSON line
//! on stdin, `PTEST_EVENT` (and `PTEST_HOOK=pre|post`) in its environment,
//! its stdout sent to our stderr (stdout carries records only), and
//! `hooks.timeout` to finish. A failing pre-hook aborts the action; a failing
//! post-hook is reported and the action stands.

use crate::cli::prog_name;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::record::Record;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
}

/// Runs the `pre-<event>` hooks; the first failure aborts the action.
pub fn pre(config: &Config, event: &str, record: &Record) -> Result<()> {
    run(config, Phase::Pre, event, record)
}

/// Runs the `post-<event>` hooks; failures are reported on stderr only.
pub fn post(config: &Config, event: &str, record: &Record) {
    if let Err(e) = run(config, Phase::Post, event, record) {
        eprintln!(
            "{}: warning: {} (the {event} stands)",
            prog_name(),
            e.message
        );
    }
}

/// Runs the hooks of `phase` for `event` in order, stopping at the first failure.
pub fn run(config: &Config, phase: Phase, event: &str, record: &Record) -> Result<()> {
    let name = format!("{}-{event}", phase.as_str());
    let Some((commands, source)) = config.hook(&name) else {
        return Ok(());
    };
    let timeout = config.duration("hooks.timeout");
    let mut payload = record.to_line();
    payload.push('\n');
    for cmd in commands {
        let what = || format!("{name} hook `{cmd}` (from {source})");
        match run_one(cmd, phase, event, &payload, timeout) {
            Ok(status) if status.success() => {}
            Ok(status) => {
                let how = match (status.code(), status.signal()) {
                    (Some(c), _) => format!("exited with status {c}"),
                    (_, Some(s)) => format!("was killed by signal {s}"),
                    _ => "failed".to_owned(),
                };
                let e = Error::failed(format!("{} {how}", what()));
                return Err(if phase == Phase::Pre {
                    e.hint(format!("the hook vetoed {event}; nothing was done"))
                } else {
                    e
                });
            }
            Err(HookError::Timeout) => {
                return Err(Error::timeout(format!(
                    "{} did not finish within hooks.timeout ({})",
                    what(),
                    crate::units::format_duration(timeout)
                )));
            }
            Err(HookError::Interrupted(n)) => return Err(Error::interrupted(n)),
            Err(HookError::Spawn(e)) => {
                return Err(Error::unavailable(format!(
                    "{}: cannot run /bin/sh: {e}",
                    what()
                )));
            }
        }
    }
    Ok(())
}

enum HookError {
    Timeout,
    /// A signal caught by [`crate::interrupt`] asked us to stop.
    Interrupted(i32),
    Spawn(std::io::Error),
}

fn run_one(
    cmd: &str,
    phase: Phase,
    event: &str,
    payload: &str,
    timeout: Duration,
) -> std::result::Result<ExitStatus, HookError> {
    // The hook's stdout goes to our stderr: our stdout carries records only.
    let stdout = Stdio::from(std::io::stderr());
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .env("PTEST_EVENT", event)
        .env("PTEST_HOOK", phase.as_str())
        .stdin(Stdio::piped())
        .stdout(stdout)
        .process_group(0)
        .spawn()
        .map_err(HookError::Spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        let payload = payload.to_owned();
        // A hook that does not read its stdin must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(payload.as_bytes());
        });
    }
    let start = Instant::now();
    let mut nap = Duration::from_millis(1);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Ok(status);
        }
        // A hook runs in a process group of its own, which a terminal's
        // Ctrl-C does not reach: when we are asked to stop, it stops too.
        let stop = match crate::interrupt::requested() {
            Some(n) => Some(HookError::Interrupted(n)),
            None => (start.elapsed() >= timeout).then_some(HookError::Timeout),
        };
        if let Some(why) = stop {
            // The whole process group: a hook's own children go too.
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(child.id() as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            let _ = child.wait();
            return Err(why);
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(25));
    }
}
