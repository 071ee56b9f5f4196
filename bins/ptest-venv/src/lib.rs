//! `ptest-venv`: Python virtual environments in milliseconds, with
//! conflicts found and rebuilds incremental.
//!
//! An environment is written natively ([`layout`]); one with packages is a
//! clone ([`clone`]) of a template built once per set of inputs
//! ([`template`]) by uv or pip ([`backend`]). Requirements are read with
//! PEP 508/440 parsers ([`reqs`]), installed distributions natively from
//! their metadata ([`installed`]), and interpreters asked once for their
//! facts ([`python`]). The commands are in [`create`], [`sync`] (sync,
//! install, uninstall), [`inspect`] (check, freeze, info, ls), [`remove`]
//! (rm, gc), [`cache_cmds`] and [`doctor`]; what they share in [`commands`]
//! and, for what decides an install, [`inputs`].

mod backend;
mod cache_cmds;
mod clone;
mod commands;
mod create;
mod doctor;
mod envs;
mod inputs;
mod inspect;
mod installed;
mod layout;
mod python;
mod remove;
mod reqs;
mod sync;
mod template;

use backend::Choice;
use clap::{Args, CommandFactory, Parser, Subcommand};
use clone::LinkMode;
use ptest_shared::Result;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Python virtual environments in milliseconds, with conflicts found before
and after install, and rebuilds that install only what changed.

An environment is written natively (no `python -m venv`). One with packages
is cloned from a template: the first environment for a set of inputs
(interpreter, requirements and the files they include, installer, index
options) builds it once, bytecode compiled; every later one is a
copy-on-write or hard-linked clone of it, at any path.

  ptest venv create -r requirements.txt | ptest proc run -- pytest -q
  ptest venv create --name lint ruff==0.6.9
  ptest venv sync lint -r requirements.txt --exact
  ptest venv check -r requirements.txt -r constraints/ci.txt";

#[derive(Parser, Debug)]
#[command(name = "ptest-venv", version, about = "Python virtual environments in milliseconds, cached, cloned and checked", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

/// Where packages come from (added to the options inside requirement files).
#[derive(Args, Debug, Clone, Default)]
pub struct IndexArgs {
    /// Base URL of the package index (PEP 503)
    #[arg(long, value_name = "URL")]
    pub index_url: Option<String>,
    /// A further index to search (repeatable)
    #[arg(long, value_name = "URL")]
    pub extra_index_url: Vec<String>,
    /// A directory of wheels or an HTML page of links to search (repeatable)
    #[arg(long, short = 'f', value_name = "DIR|URL")]
    pub find_links: Vec<String>,
    /// Use no index: only --find-links
    #[arg(long)]
    pub no_index: bool,
}

/// What to install: requirement files and requirements.
#[derive(Args, Debug, Clone, Default)]
pub struct ReqArgs {
    /// A requirements file (repeatable); `-r`/`-c` includes inside are followed
    #[arg(long = "requirement", short = 'r', value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// A constraints file (repeatable): versions to hold to, not installed by themselves
    #[arg(long = "constraint", short = 'c', value_name = "FILE")]
    pub constraints: Vec<PathBuf>,
    /// Requirements (PEP 508: `pytest>=8`, `requests[socks]`, `pkg @ URL`)
    #[arg(value_name = "PKG")]
    pub packages: Vec<String>,
}

/// How an environment is made (`ptest venv create`).
#[derive(Args, Debug)]
pub struct CreateArgs {
    /// Interpreter: a name on PATH (python3.12), a version (3.12) or a path [default: [venv] python]
    #[arg(long, value_name = "SPEC")]
    pub python: Option<String>,
    #[command(flatten)]
    pub reqs: ReqArgs,
    /// Installer [default: [venv] backend]
    #[arg(long, value_enum)]
    pub backend: Option<Choice>,
    #[command(flatten)]
    pub index: IndexArgs,
    /// Where to make it (must not exist, or be empty) [default: the state directory's venvs/ID]
    #[arg(long, value_name = "PATH")]
    pub dir: Option<PathBuf>,
    /// A name to refer to it by (ls, sync, rm…)
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// How files come from the template [default: [venv] link-mode]
    #[arg(long, value_enum)]
    pub link_mode: Option<LinkMode>,
    /// Install straight into the environment: no template is used or made
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub lifetime: LifetimeArgs,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Make an environment; with packages, a clone of a cached template
    #[command(
        long_about = "Make an environment. Passes the records on stdin through, then \
writes a `venv` record: id, path, interpreter and its version, backend, packages, template \
key, `env` (VIRTUAL_ENV) and `path_prepend` (its bin/). With packages, the environment is a \
clone of the template for these inputs, built first when missing (in a temporary directory, \
renamed into place whole, bytecode compiled, files read-only). Nothing half-made is left \
behind by a failure, nor by Ctrl-C or SIGTERM (exit 128+N). Owned by nobody by default (it \
lasts until `rm`); --owner and --ttl give it a lifetime."
    )]
    Create(CreateArgs),
    /// Bring an environment to its requirements, installing only the difference
    #[command(
        long_about = "Bring ENV (id, name or path) to the requirements: install what is \
missing or at a version the requirement excludes, leave the rest untouched; with --exact also \
remove every distribution the requirements do not need. Unchanged inputs (requirements and \
the files they include, interpreter, installer, index options) on an unchanged environment are \
a no-op, found by a hash. A changed interpreter (another binary, an upgrade in place) rebuilds \
the environment. Writes the `venv` record with `installed` and `removed`."
    )]
    Sync {
        /// The environment: id, name or path
        env: String,
        #[command(flatten)]
        reqs: ReqArgs,
        /// Also remove distributions the requirements do not need
        #[arg(long)]
        exact: bool,
        /// Interpreter to rebuild with when it differs [default: the environment's]
        #[arg(long, value_name = "SPEC")]
        python: Option<String>,
        #[arg(long, value_enum)]
        backend: Option<Choice>,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Install packages into an environment (only those not yet satisfied)
    Install {
        /// The environment: id, name or path
        env: String,
        #[command(flatten)]
        reqs: ReqArgs,
        #[arg(long, value_enum)]
        backend: Option<Choice>,
        #[command(flatten)]
        index: IndexArgs,
    },
    /// Remove distributions from an environment
    Uninstall {
        /// The environment: id, name or path
        env: String,
        /// Distribution names
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        #[arg(long, value_enum)]
        backend: Option<Choice>,
    },
    /// Find conflicts: among requirement lines, or among what is installed
    #[command(
        long_about = "Find conflicts. With -r: two requirement lines (after following \
includes and constraints) for the same project whose version specifiers cannot both hold, \
naming both file:line, for the interpreter's markers. With ENV: every installed distribution's \
Requires-Dist (markers evaluated for the environment's interpreter) satisfied by what is \
installed. Writes `conflict` records (or a report on a terminal); exit 1 when any."
    )]
    Check {
        /// An environment to check: id, name or path
        env: Option<String>,
        /// Requirement files to check before installing (repeatable)
        #[arg(long = "requirement", short = 'r', value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Constraints files to check with them (repeatable)
        #[arg(long = "constraint", short = 'c', value_name = "FILE")]
        constraints: Vec<PathBuf>,
        /// Interpreter whose markers apply to -r [default: [venv] python]
        #[arg(long, value_name = "SPEC")]
        python: Option<String>,
    },
    /// Print what is installed, as `name==version` lines (`package` records with --json)
    #[command(
        long_about = "Print what is installed in ENV as requirement lines, `name==version`, one \
per line, whether stdout is a terminal, a pipe or a file, so that `ptest venv freeze ENV > \
requirements.txt` gives a requirements file. With --json, one `package` record per \
distribution instead (name, version, whether it was requested, its installer)."
    )]
    Freeze {
        /// The environment: id, name or path
        env: String,
    },
    /// Show an environment: interpreter, backend, template, packages
    Info {
        /// The environment: id, name or path
        env: String,
    },
    /// List the environments ptest made
    Ls,
    /// Remove environments (by id, name or path, or the `venv` records on stdin)
    #[command(
        long_about = "Remove environments given by id, name or path or, given none, the \
`venv` records on stdin (so `ptest down` can call it as `rm`). Removal is a rename into a trash \
directory, then deletion in the background: it returns in milliseconds whatever the size. Only \
environments ptest made are removed, at the path its registry holds: a record on stdin counts \
for its id alone, and a directory that is not in the registry is refused (exit 65) and left as \
it was. Writes a `venv.removed` event per environment."
    )]
    Rm {
        /// Environments: id, name or path
        #[arg(value_name = "ENV")]
        envs: Vec<String>,
    },
    /// Remove environments whose owner has exited or whose --ttl has passed, and empty the trash
    Gc,
    /// Check the interpreter `create` uses (venv.python), its pip, and uv (venv.uv)
    #[command(
        long_about = "Check what ptest venv would use on this machine: the interpreter `create` \
takes without --python ([venv] python, found as `create` finds it: a name on PATH, a version, \
a path; a pyenv shim resolved), its pip, and uv ([venv] uv, else on PATH). One `check` record \
each (name, ok, detail, and a hint when not ok), or a table. Exit 0 whenever it could look: \
findings are not errors. `ptest doctor` gathers this with every other tool's."
    )]
    Doctor,
    /// The template cache: list or prune
    #[command(subcommand)]
    Cache(CacheCmd),
    /// Deletes directories in the background (internal)
    #[command(name = "__purge", hide = true)]
    Purge { paths: Vec<PathBuf> },
}

#[derive(Subcommand, Debug)]
enum CacheCmd {
    /// List templates: key, interpreter, requirements, size, last use
    Ls,
    /// Remove templates not used lately (environments cloned from them stay whole)
    Prune {
        /// Remove those not used for this long
        #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = ptest_shared::units::parse_duration)]
        older_than: std::time::Duration,
        /// Remove every template
        #[arg(long)]
        all: bool,
    },
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let c = &cli.common;
    match cli.cmd {
        Cmd::Create(args) => create::create(c, args),
        Cmd::Sync {
            env,
            reqs,
            exact,
            python,
            backend,
            index,
        } => sync::sync(c, &env, &reqs, exact, python, backend, &index),
        Cmd::Install {
            env,
            reqs,
            backend,
            index,
        } => sync::install(c, &env, &reqs, backend, &index),
        Cmd::Uninstall {
            env,
            names,
            backend,
        } => sync::uninstall(c, &env, &names, backend),
        Cmd::Check {
            env,
            files,
            constraints,
            python,
        } => inspect::check(c, env.as_deref(), &files, &constraints, python),
        Cmd::Freeze { env } => inspect::freeze(c, &env),
        Cmd::Info { env } => inspect::info(c, &env),
        Cmd::Ls => inspect::ls(c),
        Cmd::Rm { envs } => remove::rm(c, &envs),
        Cmd::Gc => remove::gc(c),
        Cmd::Doctor => doctor::run(c),
        Cmd::Cache(CacheCmd::Ls) => cache_cmds::ls(c),
        Cmd::Cache(CacheCmd::Prune { older_than, all }) => cache_cmds::prune(c, older_than, all),
        Cmd::Purge { paths } => {
            envs::purge(&paths);
            Ok(0)
        }
    }
}
