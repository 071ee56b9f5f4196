//! The entry point every binary shares: parse arguments (usage errors → 64,
//! `--help`/`--version` → 0), run, print an error as text or as an `error`
//! record, treat a closed stdout as success, exit with the error's code.

use crate::error::{Error, Exit, Result};
use crate::output::{OutputArgs, args_want_json};
use std::io::Write;

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
pub fn main<P: clap::Parser>(run: impl FnOnce(P) -> Result<i32>) -> ! {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let json = args_want_json(&args);
    let code = match P::try_parse_from(std::env::args_os()) {
        Err(e) => {
            let code = if e.exit_code() == 0 {
                0
            } else {
                Exit::Usage.code()
            };
            if code != 0 && json {
                let msg = e.render().to_string();
                let first = msg
                    .lines()
                    .next()
                    .unwrap_or("usage error")
                    .trim_start_matches("error: ");
                report(
                    &Error::usage(first.to_owned()).hint(format!("see {} --help", prog_name())),
                    true,
                );
            } else {
                let _ = e.print();
            }
            code
        }
        Ok(parsed) => match run(parsed) {
            Ok(code) => code,
            Err(e) if e.broken_pipe => 0,
            Err(e) => {
                report(&e, json);
                e.exit.code()
            }
        },
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code)
}

/// Prints an error on stderr: one line of text, or an `error` record.
pub fn report(e: &Error, json: bool) {
    let mut err = std::io::stderr().lock();
    let _ = if json {
        writeln!(err, "{}", e.to_record())
    } else {
        let red = crate::output::color_stderr();
        writeln!(
            err,
            "{}: {} {e}",
            prog_name(),
            crate::output::paint(red, "1;31", "error:")
        )
    };
}

/// Standard `after_long_help` text: the exit status table.
pub fn exit_status_help() -> &'static str {
    Exit::TABLE
}
