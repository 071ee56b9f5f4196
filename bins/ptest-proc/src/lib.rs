//! `ptest-proc`: run and supervise commands inside an environment, with
//! limits and no orphans.
//!
//! - [`run`]: a command in the foreground; [`service`]: supervised
//!   background services (`start`, `stop`, `status`, `ls`, `logs`, `rm`,
//!   `gc`).
//! - [`spec`] and [`launch`]: what a command is started with, and starting
//!   `__init` ([`init`]), the command's first process, in PID and mount
//!   namespaces where it can.
//! - [`ready`]: readiness of a service on this host (the checks and their
//!   loop are `ptest_shared::ready`'s); [`logs`]: its log files.

mod doctor;
pub mod init;
mod launch;
mod logs;
mod ready;
mod run;
mod service;
mod spec;
mod start;
mod supervisor;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ptest_shared::Result;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use ptest_shared::ready::ReadyArgs;
use ptest_shared::units::{parse_duration, parse_positive_duration};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

const LONG_ABOUT: &str = "\
Run and supervise commands inside an environment, with limits and no orphans.

The environment comes from the record stream on stdin (each record's env and
path_prepend, in order), so a pipeline of ptest tools builds it:

  ptest venv create -r requirements.txt | ptest port lease --name http \\
    | ptest proc run --timeout 10m --memory 2G --rm -- pytest -q

The whole process tree is supervised, including children that call setsid
or double-fork: its init is a child subreaper that kills every descendant
when the command ends, on timeout, and when ptest-proc dies, even by SIGKILL
(or, with --pid-namespace, a PID namespace the kernel ends).";

#[derive(Parser, Debug)]
#[command(name = "ptest-proc", version, about = "Run and supervise commands with limits and no orphans", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetMode {
    /// The host's network
    #[default]
    Host,
    /// A fresh network namespace with only loopback, brought up
    None,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Restart {
    /// Never restart
    #[default]
    No,
    /// Restart when the command exits non-zero or is killed
    OnFailure,
    /// Restart whenever the command exits
    Always,
}

fn parse_listen(s: &str) -> std::result::Result<(String, Option<u16>), String> {
    let (name, port) = match s.split_once('=') {
        Some((n, p)) => (
            n,
            Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("{s:?}: {p:?} is not a port"))?,
            ),
        ),
        None => (s, None),
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(format!(
            "{s:?}: write NAME=PORT, or NAME of a port lease in the stream"
        ));
    }
    Ok((name.to_owned(), port))
}

/// How to launch the command: shared by `run` and `start`.
#[derive(Args, Debug, Clone, Default, Serialize, Deserialize)]
pub struct LaunchArgs {
    /// Set a variable (repeatable); applied after the stream's and --env-file's
    #[arg(long = "env", short = 'e', value_name = "K=V", value_parser = spec::parse_env_pair, help_heading = "Environment")]
    pub env: Vec<(String, String)>,
    /// Read variables from a file of KEY=VALUE lines (repeatable)
    #[arg(long, value_name = "FILE", help_heading = "Environment")]
    pub env_file: Vec<PathBuf>,
    /// Working directory of the command
    #[arg(long, value_name = "DIR", help_heading = "Environment")]
    pub cwd: Option<PathBuf>,
    /// Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, help_heading = "Limits")]
    pub timeout: Option<Duration>,
    /// Grace between SIGTERM and SIGKILL when stopping the tree
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s", help_heading = "Limits")]
    pub kill_after: Duration,
    /// Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)
    #[arg(long, value_name = "SIZE", value_parser = spec::parse_size, help_heading = "Limits")]
    pub memory: Option<u64>,
    /// CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)
    #[arg(long, value_name = "N", value_parser = spec::parse_cpus, help_heading = "Limits")]
    pub cpus: Option<f64>,
    /// Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    pub pids: Option<u64>,
    /// Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)
    #[arg(long, value_name = "NAME=VALUE", value_parser = spec::parse_rlimit, help_heading = "Limits")]
    pub rlimit: Vec<(spec::Rlimit, u64, u64)>,
    /// Network: the host's, or none (a fresh namespace with only loopback)
    #[arg(long, value_enum, default_value_t = NetMode::Host, help_heading = "Isolation")]
    pub net: NetMode,
    /// A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards
    #[arg(long, help_heading = "Isolation")]
    pub private_tmp: bool,
    /// Run as this user: NAME, UID or UID:GID (needs root)
    #[arg(long, value_name = "USER", help_heading = "Isolation")]
    pub user: Option<String>,
    /// Run in fresh PID and mount namespaces with an own /proc (as root, or
    /// as any user through a user namespace where the kernel allows): the
    /// kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms
    /// more per run; without it the tree is tracked and killed all the same
    #[arg(long, help_heading = "Isolation")]
    pub pid_namespace: bool,
    /// Forbid gaining privileges through set-user-ID programs or file capabilities
    #[arg(long, help_heading = "Isolation")]
    pub no_new_privileges: bool,
    /// Bind 127.0.0.1:PORT here and pass the listening socket to the command
    /// (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES);
    /// NAME alone takes the port of the lease named NAME in the stream
    #[arg(long, value_name = "NAME=PORT", value_parser = parse_listen, help_heading = "Isolation")]
    pub listen: Vec<(String, Option<u16>)>,
    /// The command and its arguments
    #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run a command in the foreground inside the stream's environment
    #[command(
        long_about = "Run CMD in the foreground. Its environment is this process's, then each \
record's env and path_prepend from the stream on stdin, in order, then --env-file and --env. \
Its stdout and stderr pass straight through: ptest-proc writes nothing of its own on stdout \
unless --json, when the command's output goes to log files and a `proc` record is written \
(exit or signal, wall and CPU time, peak memory, oom_killed, limits). Exits with the \
command's code, 124 on timeout, 128+N when killed by signal N, 127 when CMD is not found, \
126 when it cannot be executed. Port leases in the stream are taken over for the command's \
lifetime; --rm tears down every resource of the stream afterwards, however the command ended."
    )]
    Run {
        #[command(flatten)]
        launch: LaunchArgs,
        /// Afterwards, tear down every resource of the stream on stdin (newest first), whatever the outcome
        #[arg(long)]
        rm: bool,
        /// Write the `proc` record to FILE, whatever the output mode
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
    /// Start a supervised background service; return when it is ready
    #[command(
        long_about = "Start CMD as a background service, owned by a small detached supervisor \
(ptest-proc itself) that holds its process tree, cgroup, PID file and logs in the state \
directory and restarts it per --restart. Returns when every readiness check given passes \
(exit 0 and a `proc` record), or fails with the tail of the logs (1; 124 when readiness \
timed out), leaving nothing running. Owned by the caller's session by default, so a \
service started on one Makefile line still runs on the next; when the owner exits or \
--ttl passes, the supervisor stops it."
    )]
    Start {
        #[command(flatten)]
        launch: LaunchArgs,
        #[command(flatten)]
        ready: ReadyArgs,
        /// When to restart the command after it exits
        #[arg(long, value_enum, default_value_t = Restart::No, help_heading = "Restart")]
        restart: Restart,
        /// Give up after this many restarts in a row (with backoff 0.1 s, 0.2 s, … up to 10 s)
        #[arg(long, value_name = "N", default_value_t = 5, help_heading = "Restart")]
        restart_limit: u32,
        /// A name for the service (shown by ls; usable instead of the ID)
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// Stop services: SIGTERM to the whole tree, then SIGKILL after --grace
    #[command(
        long_about = "Stop services given by ID or name, or the `proc` records on stdin: \
SIGTERM to the whole tree, wait up to --grace, SIGKILL, then verify that nothing of it is \
left. Idempotent. Never signals a PID whose start time does not match the one recorded \
(a reused PID)."
    )]
    Stop {
        /// Service IDs or names
        #[arg(value_name = "ID")]
        ids: Vec<String>,
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
        grace: Duration,
    },
    /// Show a service's state (exit 0 when running, 3 when not)
    Status {
        #[arg(value_name = "ID")]
        id: String,
    },
    /// List services and running commands
    Ls,
    /// Print a service's output (stdout, or stderr with --stderr)
    Logs {
        #[arg(value_name = "ID")]
        id: String,
        /// Keep printing what the service writes, until it is gone
        #[arg(long, short = 'f')]
        follow: bool,
        #[arg(long)]
        stderr: bool,
    },
    /// Stop and forget services (IDs, or `proc` records on stdin, as `ptest down` calls it)
    Rm {
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Stop services whose owner exited or whose --ttl passed; clean up after killed supervisors
    Gc,
    /// Check cgroups (each controller ptest uses) and network and user namespaces
    #[command(
        long_about = "Check what this machine offers for limits and isolation: the cgroup \
version, each controller ptest proc uses (memory, cpu, pids, cpuset, io) and whether a cgroup \
can be made there, and whether network and user namespaces can be made. The probes remove \
what they make. One `check` record each, or a table. Exit 0 whenever it could look. `ptest \
doctor` gathers this with every other tool's."
    )]
    Doctor,
    /// The supervisor of a service (started by `start`)
    #[command(hide = true, name = "__supervise")]
    Supervise { id: String },
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let c = &cli.common;
    match cli.cmd {
        Cmd::Run { launch, rm, report } => run::run(&launch, c, rm, report.as_deref()),
        Cmd::Start {
            launch,
            ready,
            restart,
            restart_limit,
            name,
            lifetime,
        } => start::start(c, launch, ready, restart, restart_limit, name, &lifetime),
        Cmd::Stop { ids, grace } => service::stop(c, ids, grace),
        Cmd::Status { id } => service::status(c, &id),
        Cmd::Ls => service::ls(c),
        Cmd::Logs { id, follow, stderr } => service::logs(&id, follow, stderr),
        Cmd::Rm { ids } => service::rm(c, ids),
        Cmd::Gc => service::gc(c),
        Cmd::Doctor => doctor::run(c.json()),
        Cmd::Supervise { id } => supervisor::supervise(&id),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }
}
