//! `ptest-mon`: what a test run really cost — the whole tree's true peak,
//! sampled at almost no cost.
//!
//! - [`run`](mod@run): one command in a cgroup of its own (else a tree
//!   followed through `/proc`), sampled until it ends, then a `summary`.
//! - [`watch`]: the resources a stream names (services, containers, pids)
//!   and the host, sampled until told to stop.
//! - [`report`]: sample files as tables, an SVG timeline ([`svg`]), and a
//!   comparison with a baseline run.
//! - [`source`] reads what is measured (cgroup counters, `/proc`, the
//!   engine); [`sample`] turns readings into `sample` records;
//!   [`threshold`] enforces the limits; [`runs`] keeps the registry's
//!   `mon` entries (`ls`, `rm`, `gc`).

mod doctor;
mod engine;
mod live;
mod procfs;
mod report;
mod run;
mod runs;
mod sample;
mod source;
mod svg;
mod threshold;
mod watch;

use clap::{Args, CommandFactory, Parser, Subcommand};
use ptest_shared::Result;
use ptest_shared::cli::CommonArgs;
use ptest_shared::units::{parse_positive_duration, parse_size};
use std::path::PathBuf;
use std::time::Duration;

const LONG_ABOUT: &str = "\
What a test run really cost: memory, CPU, processes and I/O of a whole
process tree, a service or a container, sampled at almost no cost.

  ptest mon run -- pytest -q                  # like `time -v`, for the whole tree
  ptest mon run --max-memory 2G --kill --out run.jsonl -- make test
  ptest proc start -- ./server | ptest mon watch --until-exit
  ptest mon report run.jsonl --svg run.svg --baseline main.jsonl

A command runs in a cgroup of its own where one can be made, so the peak is
the kernel's counter, which catches a peak between two samples; elsewhere the
tree is followed through /proc. `sample` records, `threshold` records and a
final `summary` are the output; ptest mon's own CPU and memory are in the
summary, so its cost is never hidden.";

#[derive(Parser, Debug)]
#[command(name = "ptest-mon", version, about = "What a test run really cost: samples, thresholds and summaries", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

/// Limits a sampled resource must stay within (`run` and `watch`; also
/// `[mon]` in ptest.toml, re-read on SIGHUP and when the file changes).
#[derive(Args, Debug, Clone, Default)]
pub struct LimitArgs {
    /// Memory the tree may reach, e.g. 512M, 2G
    #[arg(long, value_name = "SIZE", value_parser = parse_size, help_heading = "Thresholds")]
    pub max_memory: Option<u64>,
    /// CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent, help_heading = "Thresholds")]
    pub max_cpu: Option<f64>,
    /// The window --max-cpu averages over
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, help_heading = "Thresholds")]
    pub cpu_window: Option<Duration>,
    /// Processes the tree may hold at once
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Thresholds")]
    pub max_procs: Option<u64>,
    /// How long it may run
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, help_heading = "Thresholds")]
    pub max_duration: Option<Duration>,
    /// End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it
    #[arg(long, help_heading = "Thresholds")]
    pub kill: bool,
}

fn parse_percent(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim().trim_end_matches('%');
    match t.parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 => Ok(p),
        _ => Err(format!(
            "{s:?} is not a percentage above 0 (100 is one whole CPU)"
        )),
    }
}

fn parse_interval(s: &str) -> std::result::Result<Duration, String> {
    let d = parse_positive_duration(s)?;
    if d < Duration::from_millis(10) {
        return Err(format!("{s:?}: sample at most every 10ms"));
    }
    if d > Duration::from_secs(3600) {
        return Err(format!("{s:?}: sample at least once an hour"));
    }
    Ok(d)
}

/// `ptest mon run`'s arguments.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// How often to sample
    #[arg(long, value_name = "DURATION", value_parser = parse_interval, default_value = "100ms")]
    pub interval: Duration,
    /// Write the records (samples, thresholds, summary) to FILE as well
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Set a variable (repeatable); applied after the stream's
    #[arg(long = "env", short = 'e', value_name = "K=V", value_parser = ptest_shared::environ::parse_env_pair)]
    pub env: Vec<(String, String)>,
    /// Working directory of the command
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Follow the tree through /proc even where a cgroup could be made
    #[arg(long)]
    pub no_cgroup: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The command and its arguments
    #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// `ptest mon watch`'s arguments.
#[derive(Args, Debug)]
pub struct WatchArgs {
    /// How often to sample
    #[arg(long, value_name = "DURATION", value_parser = parse_interval, default_value = "1s")]
    pub interval: Duration,
    /// Stop when every watched resource is gone
    #[arg(long)]
    pub until_exit: bool,
    /// Stop after this long
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration)]
    pub duration: Option<Duration>,
    /// Watch this process and its descendants too (repeatable)
    #[arg(long = "pid", value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub pids: Vec<u32>,
    /// Leave the host out
    #[arg(long)]
    pub no_host: bool,
    /// Write the records to FILE as well
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// `ptest mon report`'s arguments.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Sample files (JSON Lines; `-` for stdin)
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Draw the timeline as SVG into OUT
    #[arg(long, value_name = "OUT")]
    pub svg: Option<PathBuf>,
    /// Compare with this earlier run's sample file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// List metrics that grew by more than RATIO against the baseline
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio, default_value = "1.1", requires = "baseline")]
    pub grow: f64,
    /// Exit 1 when a metric grew by more than RATIO against the baseline
    #[arg(long, value_name = "RATIO", value_parser = parse_ratio, requires = "baseline")]
    pub fail_over: Option<f64>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run a command and measure its whole process tree, like `time -v`
    #[command(
        long_about = "Run CMD in a cgroup of its own where one can be made (else as a tree \
followed through /proc, with ptest mon as its subreaper), sample it every --interval, and end \
with a `summary` record: wall time, CPU user and system seconds, the tree's peak memory and \
how it was known (`cgroup`: the kernel's counter, which catches a peak between samples; \
`sampled` otherwise), peak process count, I/O read and write bytes, OOM kills, the exit \
code, and ptest mon's own CPU and memory. The environment is this process's, then each \
record's env and path_prepend from the stream on stdin, then --env. CMD owns stdout: records \
go to --out FILE in any mode, and to stdout only with --json (CMD's output then goes to log \
files named in the summary). Exits with CMD's code; 127 when CMD is not found, 126 when it \
cannot be executed, 125 when --kill ended it at a threshold."
    )]
    Run(RunArgs),
    /// Sample the resources named on stdin (services, containers), pids and the host
    #[command(
        long_about = "Sample every resource of the stream on stdin that has something to \
measure — a `proc` record (its cgroup, else its process tree), a `container` (its cgroup \
through the local engine, else the engine's one-shot stats) — each --pid, and the host, \
every --interval. Passes the stream through, then writes `sample` records tagged with each \
resource's id (and `threshold` records); on a terminal without --json, a live table instead. \
Runs until interrupted, for --duration, or with --until-exit until every resource it \
watches is gone. Thresholds apply to each resource; --kill stops a registered service or \
container through its tool, or kills a --pid's tree."
    )]
    Watch(WatchArgs),
    /// Summarise sample files: tables, an SVG timeline, growth against a baseline
    #[command(
        long_about = "Read sample files (the records `run` and `watch` write) and print, per \
resource, the minimum, median, 95th percentile and maximum of memory, CPU, processes and I/O \
rates. --svg draws a timeline (memory, CPU, processes, I/O; one line per resource, \
thresholds as dashed lines). --baseline compares with an earlier run, resource by resource \
(matched by name), and lists the metrics that grew by more than --grow; with --fail-over, \
exit 1 when one grew by more than that ratio. A malformed line is an error naming the file \
and line (65)."
    )]
    Report(ReportArgs),
    /// List monitored runs (running, or keeping logs) with their state
    Ls,
    /// Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)
    Rm {
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Clean up after runs whose monitor died (cgroups, logs)
    Gc,
    /// Check what can be measured here: cgroups, /proc, PSI, the engine
    #[command(
        long_about = "Check what this machine offers ptest mon: the cgroup version and whether a \
cgroup can be made for `run` (else /proc is followed), each counter it reads (memory peak, \
CPU, pids, I/O, OOM events), pressure stall information, and the Docker engine's cgroups. One \
`check` record each, or a table. Exit 0 whenever it could look."
    )]
    Doctor,
}

fn parse_ratio(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err(format!("{s:?} is not a ratio above 0 (1.2: 20 % more)")),
    }
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let c = &cli.common;
    match cli.cmd {
        Cmd::Run(args) => run::run(c, &args),
        Cmd::Watch(args) => watch::watch(c, &args),
        Cmd::Report(args) => report::run(c.json(), &args),
        Cmd::Ls => runs::ls(c),
        Cmd::Rm { ids } => runs::rm(c, ids),
        Cmd::Gc => runs::gc(c),
        Cmd::Doctor => doctor::run(c.json()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }
}
