//! `ptest`: the dispatcher of the suite. `ptest <sub> ARGS` execs
//! `ptest-<sub>` (beside this executable first, then on PATH) so that its
//! exit code and signals are the user's; built-in commands manage what spans
//! every tool: the registry (`ls`, `gc`), teardown (`down`), configuration,
//! `doctor`, shell completions.

mod doctor;
mod down;
mod exec;
mod gc;
mod registry_cmds;

use clap::{CommandFactory, Parser, Subcommand};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Result};
use std::ffi::OsString;

const ABOUT: &str =
    "Isolated environments for tests: venvs, containers, ports, processes, snapshots";

const LONG_ABOUT: &str = "\
Isolated environments for tests: Python venvs, Docker containers, port leases,
supervised processes, snapshots and resource monitoring, composed through one
JSON Lines record stream.

`ptest <tool> ARGS` runs `ptest-<tool>`, found beside this program or on PATH;
any executable `ptest-<name>` on PATH is a plugin and runs the same way.

  set -o pipefail
  ptest venv create -r requirements.txt \\
    | ptest port lease --name http \\
    | ptest proc run --rm -- pytest -q

  ptest port lease --name db > env.jsonl   # keep the stream...
  ptest down < env.jsonl                   # ...and tear it all down

Tools (`ptest <tool> --help` for each; `ptest --list` shows which are
installed, and plugins):
  venv     Python virtual environments in milliseconds
  docker   Containers, networks and volumes that never leak
  port     Conflict-free port leases across concurrent processes
  proc     Run and supervise commands with limits and no orphans
  snap     Content-addressed snapshots of directories, venvs and containers
  mon      Resource sampling, thresholds and summaries of a process tree

A stage that fails ends its output with an `error` record; every stage after
it makes and runs nothing and exits with the same code. Teardown acts only on
what the registry holds for each record's id.";

#[derive(Parser, Debug)]
#[command(
    name = "ptest",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = ptest_shared::error::Exit::TABLE,
    after_help = "Tools: venv, docker, port, proc, snap, mon, and plugins (ptest --list). ptest <tool> --help for each.",
    allow_external_subcommands = true,
    disable_help_subcommand = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// List built-in commands, tools and plugins (with -v, their paths)
    #[arg(long)]
    list: bool,
    /// With --list, show where each tool was found
    #[arg(short, long)]
    verbose: bool,
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List the live resources of every tool (the registry)
    #[command(
        long_about = "List the resources of every tool recorded in the registry of the state \
directory, oldest first. Piped (or with --json), the records themselves, ready for \
`ptest down`; on a terminal, a table with each resource's state: live, owner-dead \
or expired (the last two are what `ptest gc` removes)."
    )]
    Ls {
        /// Only resources of this kind (port, venv, container, …)
        #[arg(long)]
        kind: Option<String>,
        /// Only resources managed by this tool (port or ptest-port)
        #[arg(long)]
        tool: Option<String>,
        /// Only resources `ptest gc` would remove (owner dead or expired)
        #[arg(long)]
        stale: bool,
    },
    /// Remove resources whose owner has exited or whose lease has expired
    #[command(
        long_about = "Remove every resource in the registry whose owner process has exited \
(checked by PID and start time, so a reused PID does not count) or whose \
expires_at has passed, by asking the tool that manages it (`ptest-<tool> rm`, \
records on stdin); then run every tool's own `gc` (found like plugins, so tools to \
come take part) and tidy the state directory (interrupted builds, lock files nobody \
holds, log directories nothing names). No daemon: run it whenever you like, e.g. at \
the start of a CI job."
    )]
    Gc {
        /// Show the registered resources that would be removed, remove nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Tear down every resource of a record stream on stdin, newest first
    #[command(
        long_about = "Read a record stream on stdin (what a pipeline of ptest tools wrote, \
e.g. saved with `tee env.jsonl`) and remove each resource it names, newest \
first, through `ptest-<tool> rm` of the tool that manages it, so a plugin's \
resources go to that plugin. Only the registry decides: each record counts \
for its id alone and the tool is handed the registry's copy; a record that \
is not a live ptest resource is left alone with a note. An `error` record \
does not stop the teardown; a malformed or cut line is exit 65 after the \
rest is torn down. Reports what it could not remove and then exits 1."
    )]
    Down,
    /// Print the effective configuration and where each value came from
    #[command(
        long_about = "Print every configuration key with its effective value and its source: \
default, the user file ($XDG_CONFIG_HOME/ptest/config.toml), the nearest \
ptest.toml above the working directory, a PTEST_<TABLE>__<KEY> environment \
variable, or a --config flag (later ones win). With KEY, print that value only."
    )]
    Config {
        /// One key to print, e.g. hooks.timeout
        key: Option<String>,
    },
    /// Check what this machine offers the suite (Python, uv, Docker, cgroups, namespaces)
    #[command(
        long_about = "Check what this machine offers the suite. Each installed tool checks \
what it needs (`ptest-<tool> doctor --json`: venv the interpreter, pip and uv its \
configuration names, docker the engine, proc cgroups and namespaces, and any plugin \
that has a doctor), all at once; then the state directory and the registry's \
quarantine. A table on a terminal, `check` records when piped. Findings are not \
errors: exit 0 whenever the checks ran."
    )]
    Doctor {
        /// How long each tool may take to check before it is a finding
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = ptest_shared::units::parse_positive_duration)]
        timeout: std::time::Duration,
    },
    /// Print shell completions for ptest
    Completions {
        /// The shell to complete for
        shell: clap_complete::Shell,
    },
    /// Show help for a command or tool (`ptest help port` runs `ptest-port --help`)
    Help {
        /// The command or tool
        command: Option<String>,
    },
    /// Record resources in the registry, or forget them (for plugins)
    #[command(subcommand)]
    Registry(registry_cmds::RegistryCmd),
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

/// The built-in commands, known before the command-line definition is
/// built (a test checks this list against it).
const BUILTIN_COMMANDS: &[&str] = &[
    "ls",
    "gc",
    "down",
    "config",
    "doctor",
    "completions",
    "help",
    "registry",
];

/// Execs `ptest-<sub>` at once when the first argument names an installed
/// tool rather than a built-in command or a flag; returns otherwise (and
/// when the exec fails), leaving everything to the full parser.
pub fn exec_fast_path() {
    let Some(sub) = std::env::args_os().nth(1) else {
        return;
    };
    let Some(sub) = sub.to_str() else { return };
    if sub.starts_with('-')
        || BUILTIN_COMMANDS.contains(&sub)
        || !ptest_shared::tools::valid_tool_name(&format!("ptest-{sub}"))
    {
        return;
    }
    let binary = format!("ptest-{sub}");
    if let Some(path) = ptest_shared::tools::find(&binary) {
        let _ = exec::exec_path(&path, &binary, std::env::args_os().skip(2).collect());
    }
}

/// Names of the built-in commands, for `--list` and suggestions.
fn builtin_commands() -> Vec<(String, String)> {
    command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| {
            (
                c.get_name().to_owned(),
                c.get_about().map(|a| a.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

pub fn run(cli: Cli) -> Result<i32> {
    let json = cli.common.json();
    if cli.list {
        return exec::list(json, cli.verbose);
    }
    let Some(cmd) = cli.cmd else {
        return Err(Error::usage("no command given").hint("run `ptest --help` or `ptest --list`"));
    };
    match cmd {
        Cmd::Ls { kind, tool, stale } => registry_cmds::ls(json, kind, tool, stale),
        Cmd::Gc { dry_run } => gc::gc(json, dry_run),
        Cmd::Down => down::down(json),
        Cmd::Config { key } => registry_cmds::config(&cli.common, key),
        Cmd::Doctor { timeout } => doctor::run(json, &cli.common.config, timeout),
        Cmd::Completions { shell } => {
            // The committed scripts: generated with every built-in tool's
            // command line and a lookup of plugins when completing, which
            // this binary alone could not produce.
            use clap_complete::Shell;
            let script = match shell {
                Shell::Bash => include_str!("../../../completions/ptest.bash"),
                Shell::Zsh => include_str!("../../../completions/_ptest"),
                Shell::Fish => include_str!("../../../completions/ptest.fish"),
                Shell::Elvish => include_str!("../../../completions/ptest.elv"),
                Shell::PowerShell => include_str!("../../../completions/_ptest.ps1"),
                other => {
                    return Err(Error::usage(format!("no completions for {other}")));
                }
            };
            RecordWriter::stdout().write_line(script.trim_end_matches('\n'))?;
            Ok(0)
        }
        Cmd::Help { command: None } => {
            command()
                .print_long_help()
                .map_err(|e| Error::from_io("cannot write help", &e))?;
            Ok(0)
        }
        Cmd::Help { command: Some(sub) } => {
            if let Some(c) = command().find_subcommand_mut(&sub) {
                let mut c = c.clone().bin_name(format!("ptest {sub}"));
                c.print_long_help()
                    .map_err(|e| Error::from_io("cannot write help", &e))?;
                return Ok(0);
            }
            exec::exec_tool(&sub, vec![OsString::from("--help")])
        }
        Cmd::Registry(r) => registry_cmds::registry(r),
        Cmd::External(mut args) => {
            let sub = args.remove(0).to_string_lossy().into_owned();
            // Options given before the tool's name are the tool's too.
            let mut forwarded: Vec<OsString> = Vec::new();
            let builtin = ptest_shared::tools::is_builtin(&format!("ptest-{sub}"));
            if !cli.common.config.is_empty() {
                // Checked here, as every tool would: a bad one is 64 now.
                cli.common.load_config()?;
                for kv in &cli.common.config {
                    if builtin {
                        forwarded.extend(["--config".into(), kv.into()]);
                    } else if let Some((k, v)) = kv.split_once('=') {
                        // A plugin need not take --config: it reads the
                        // configuration through `ptest config`, which sees
                        // the variable.
                        // SAFETY: single-threaded here, just before exec.
                        unsafe { std::env::set_var(ptest_shared::config::env_name(k.trim()), v) };
                    }
                }
            }
            if cli.common.output.json {
                forwarded.push("--json".into());
            } else if builtin && cli.common.output.format != ptest_shared::output::Format::Auto {
                forwarded.push(
                    format!(
                        "--format={}",
                        format!("{:?}", cli.common.output.format).to_lowercase()
                    )
                    .into(),
                );
            }
            forwarded.extend(args);
            exec::exec_tool(&sub, forwarded)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }

    #[test]
    fn fast_path_knows_every_builtin_command() {
        let names: Vec<String> = super::builtin_commands()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        for n in &names {
            assert!(
                super::BUILTIN_COMMANDS.contains(&n.as_str()),
                "{n} is missing from exec_fast_path's list"
            );
        }
    }
}
