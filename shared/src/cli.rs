//! The entry point every binary shares: parse arguments (usage errors → 64,
//! `--help`/`--version` → 0), run, print an error as text on stderr and as
//! an `error` record at the end of stdout, treat a closed stdout as success,
//! exit with the error's code.

use crate::error::{Error, Result};
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
        value_parser = crate::config::check_override,
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

/// How a tool's subcommands use stdout, for [`main`]: named by their
/// words (`"exec"`, `"network create"`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout<'a> {
    /// Subcommands whose stdout is a command's output, not records (`proc
    /// run`, `docker exec`): a failure writes an `error` record there only
    /// with `--json`.
    pub raw: &'a [&'a str],
    /// Subcommands that pass the stream on stdin through: when one fails
    /// before reading it (a bad flag), the stream is still passed on ahead
    /// of the error, so that teardown downstream sees what was made
    /// upstream.
    pub passes_stream: &'a [&'a str],
}

/// Parses `P` from the command line, runs `run`, and exits with its code.
///
/// A failure is one line on stderr for people and, when stdout carries
/// records (it is not a terminal, or `--json` was given), an `error` record
/// as the last line of stdout, so that it travels down a pipeline (see
/// docs/protocol.md, "Errors").
pub fn main<P: clap::Parser>(stdout: Stdout, run: impl FnOnce(P) -> Result<i32>) -> ! {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let words = subcommand(&args);
    let is = |list: &[&str]| {
        list.iter()
            .any(|c| words == *c || words.starts_with(&format!("{c} ")))
    };
    let records = records_on_stdout(&args, is(stdout.raw));
    let passes = records && is(stdout.passes_stream);
    let tool = P::command().get_name().to_owned();
    let failed = |e: Error| -> i32 {
        if !e.quiet {
            report(&e);
        }
        if !records || e.passed_on {
            return e.exit.code();
        }
        // The stream goes on ahead of the error, unless it was read already.
        if passes
            && !crate::stream::was_read()
            && let Ok(s) = crate::stream::stdin(Some(&mut crate::output::RecordWriter::stdout()))
            && let Some(f) = s.failure
        {
            // It carried a failure of its own, passed on now: the first
            // failure is the pipeline's.
            if let crate::stream::Failure::Upstream { .. } = f {
                return f.into_error().exit.code();
            }
        }
        write_error_record(&e, &tool);
        e.exit.code()
    };
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
            failed(Error { quiet: true, ..err })
        }
        Ok(parsed) => match run(parsed) {
            Ok(0) => 0,
            // A tool that ends with a bare code still says so downstream.
            Ok(code) => failed(Error::exit_code(code, format!("exited with {code}"))),
            Err(e) if e.broken_pipe => 0,
            Err(e) => failed(e),
        },
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code)
}

/// Whether a failure ends stdout with an `error` record: `--json` (or
/// `--format json`) always; otherwise when stdout is not a terminal, no
/// `--format human` was asked for, and the subcommand's stdout is records.
fn records_on_stdout(args: &[String], raw: bool) -> bool {
    if args_want_json(args) {
        return true;
    }
    let human = args.iter().enumerate().any(|(i, a)| {
        a == "--format=human"
            || (a == "--format" && args.get(i + 1).map(String::as_str) == Some("human"))
    });
    !human && !raw && !std::io::stdout().is_terminal()
}

/// The words of the command line that are not options (or the values of
/// global options), up to `--`, joined by spaces: `network create`.
fn subcommand(args: &[String]) -> String {
    let mut words = Vec::new();
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--config" | "--format" => {
                it.next();
            }
            "--" => break,
            a if a.starts_with('-') => {}
            a => words.push(a),
        }
    }
    words.join(" ")
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
