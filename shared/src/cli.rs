//! The entry point every binary shares: parse arguments (usage errors → 64,
//! `--help`/`--version` → 0), run, print an error as text on stderr and as
//! an `error` record at the end of stdout, treat a closed stdout as success,
//! exit with the error's code.

use crate::error::{Error, Exit, Result};
use crate::output::{OutputArgs, args_want_json};
use std::io::{IsTerminal, Write};

/// Options every tool takes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CommonArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Override a configuration key for this run (repeatable), e.g.
    /// --config hooks.timeout=5s
    #[arg(
        long = "config",
        value_name = "KEY=VALUE",
        global = true,
        help_heading = "Configuration"
    )]
    pub config: Vec<String>,
}

impl CommonArgs {
    pub fn json(&self) -> bool {
        self.output.json()
    }
    pub fn load_config(&self) -> Result<crate::config::Config> {
        crate::config::Config::load(&self.config)
    }
}

/// The name this program was called by (`ptest-port`), for messages.
pub fn prog_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "ptest".into())
}

/// Parses `P` from the command line, runs `run`, and exits with its code.
///
/// A failure is one line on stderr for people and, when stdout carries
/// records (it is not a terminal, or `--json` was given), an `error` record
/// as the last line of stdout, so that it travels down a pipeline (see
/// docs/protocol.md, "Errors"). `raw_stdout` names the subcommands whose
/// stdout is not records but a command's output (`proc run`, `docker
/// exec`): they write the record only with `--json`.
pub fn main<P: clap::Parser>(raw_stdout: &[&str], run: impl FnOnce(P) -> Result<i32>) -> ! {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let records = records_on_stdout(&args, raw_stdout);
    let tool = P::command().get_name().to_owned();
    let code = match P::try_parse_from(std::env::args_os()) {
        Err(e) if e.exit_code() == 0 => {
            let _ = e.print();
            0
        }
        Err(e) => {
            let msg = e.render().to_string();
            let first = msg
                .lines()
                .next()
                .unwrap_or("usage error")
                .trim_start_matches("error: ");
            let err = Error::usage(first.to_owned()).hint(format!("see {tool} --help"));
            let _ = e.print();
            if records {
                write_error_record(&err, &tool);
            }
            Exit::Usage.code()
        }
        Ok(parsed) => match run(parsed) {
            Ok(0) => 0,
            // A tool that ends with a bare code still says so downstream.
            Ok(code) => {
                if records {
                    write_error_record(
                        &Error::exit_code(code, format!("exited with {code}")),
                        &tool,
                    );
                }
                code
            }
            Err(e) if e.broken_pipe => 0,
            Err(e) => {
                if !e.quiet {
                    report(&e);
                }
                if records && !e.passed_on {
                    write_error_record(&e, &tool);
                }
                e.exit.code()
            }
        },
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code)
}

/// Whether a failure ends stdout with an `error` record: `--json` (or
/// `--format json`) always; otherwise when stdout is not a terminal, no
/// `--format human` was asked for, and the subcommand's stdout is records.
fn records_on_stdout(args: &[String], raw_stdout: &[&str]) -> bool {
    if args_want_json(args) {
        return true;
    }
    let human = args.iter().enumerate().any(|(i, a)| {
        a == "--format=human"
            || (a == "--format" && args.get(i + 1).map(String::as_str) == Some("human"))
    });
    let raw = subcommand(args).is_some_and(|s| raw_stdout.contains(&s));
    !human && !raw && !std::io::stdout().is_terminal()
}

/// The first word of the command line that is not an option (or the value
/// of a global option): the subcommand.
fn subcommand(args: &[String]) -> Option<&str> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" | "--format" => {
                it.next();
            }
            "--" => return None,
            a if a.starts_with('-') => {}
            a => return Some(a),
        }
    }
    None
}

fn write_error_record(e: &Error, tool: &str) {
    let mut out = crate::output::RecordWriter::stdout();
    let _ = out.write(&e.to_record(tool));
}

/// Prints an error on stderr, as one line of text for people.
pub fn report(e: &Error) {
    let mut err = std::io::stderr().lock();
    let red = crate::output::color_stderr();
    let _ = writeln!(
        err,
        "{}: {} {e}",
        prog_name(),
        crate::output::paint(red, "1;31", "error:")
    );
}

/// Standard `after_long_help` text: the exit status table.
pub fn exit_status_help() -> &'static str {
    Exit::TABLE
}
