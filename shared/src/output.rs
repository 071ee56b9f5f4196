//! Output modes: human views on a terminal, JSON records when piped or with
//! `--json`; colour and progress bars only on a terminal and never with
//! `NO_COLOR`.

use crate::error::{Error, Result};
use crate::record::Record;
use std::io::{IsTerminal, Write};

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Human view on a terminal, JSON records otherwise.
    #[default]
    Auto,
    /// Always the human view.
    Human,
    /// Always JSON records, one per line.
    Json,
}

/// `--format` and `--json`, flattened into every tool.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// Output format: auto (a readable view on a terminal, JSON records when
    /// piped), human, or json
    #[arg(long, value_enum, default_value_t = Format::Auto, global = true, value_name = "FORMAT", help_heading = "Output")]
    pub format: Format,
    /// Write JSON records, and a failure as an `error` record at the end; same as --format json
    #[arg(long, global = true, help_heading = "Output")]
    pub json: bool,
}

impl OutputArgs {
    /// True when records, not a human view, go to stdout.
    pub fn json(&self) -> bool {
        self.json
            || match self.format {
                Format::Json => true,
                Format::Human => false,
                Format::Auto => !std::io::stdout().is_terminal(),
            }
    }
}

/// Whether the raw command line asks for JSON (used before clap has parsed,
/// to print a usage error as an `error` record).
/// Words after `--` are a command's own and never count.
pub fn args_want_json(args: &[String]) -> bool {
    let args = match args.iter().position(|a| a == "--") {
        Some(end) => &args[..end],
        None => args,
    };
    args.iter().enumerate().any(|(i, a)| {
        a == "--json"
            || a == "--format=json"
            || (a == "--format" && args.get(i + 1).map(String::as_str) == Some("json"))
    })
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Colour on stdout: a terminal, and `NO_COLOR` unset.
pub fn color_stdout() -> bool {
    !no_color() && std::io::stdout().is_terminal()
}

/// Colour on stderr: a terminal, and `NO_COLOR` unset.
pub fn color_stderr() -> bool {
    !no_color() && std::io::stderr().is_terminal()
}

/// Wraps `text` in an SGR colour code when `on`.
pub fn paint(on: bool, sgr: &str, text: &str) -> String {
    if on {
        format!("\x1b[{sgr}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// A progress bar on stderr, hidden unless stderr is a terminal and
/// `NO_COLOR` is unset. `len` 0 gives a spinner.
pub fn progress(len: u64, message: impl Into<String>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let pb = if len == 0 {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::new(len).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("static template")
                .progress_chars("=> "),
        )
    };
    let visible = !no_color() && std::io::stderr().is_terminal();
    pb.set_draw_target(if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    pb.with_message(message.into())
}

/// Writes records to stdout, one per line, flushed per line. A closed pipe
/// becomes [`Error::broken_pipe`], which ends the program quietly with 0.
#[derive(Debug)]
pub struct RecordWriter<W: Write = std::io::Stdout> {
    out: W,
}

impl RecordWriter {
    pub fn stdout() -> Self {
        RecordWriter {
            out: std::io::stdout(),
        }
    }
}

impl<W: Write> RecordWriter<W> {
    pub fn new(out: W) -> Self {
        RecordWriter { out }
    }

    pub fn write(&mut self, rec: &Record) -> Result<()> {
        self.write_line(&rec.to_line())
    }

    /// Writes one complete line (a newline is added) and flushes it.
    pub fn write_line(&mut self, line: &str) -> Result<()> {
        let mut buf = Vec::with_capacity(line.len() + 1);
        buf.extend_from_slice(line.as_bytes());
        buf.push(b'\n');
        self.out
            .write_all(&buf)
            .and_then(|_| self.out.flush())
            .map_err(|e| Error::from_io("cannot write to stdout", &e))
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A tool's `ls`: the records themselves as JSON Lines, or for people a
/// table (`header`, then one row per record) or `empty` when there is none.
pub fn listing(
    json: bool,
    records: &[Record],
    empty: &str,
    header: &[&str],
    mut row: impl FnMut(&Record) -> Result<Vec<String>>,
) -> Result<i32> {
    let mut out = RecordWriter::stdout();
    if json {
        for r in records {
            out.write(r)?;
        }
        return Ok(0);
    }
    if records.is_empty() {
        out.write_line(empty)?;
        return Ok(0);
    }
    let rows = records.iter().map(&mut row).collect::<Result<Vec<_>>>()?;
    out.write_line(table(header, &rows).trim_end())?;
    Ok(0)
}

/// A record's field as a table cell: its text, or its JSON (a number as
/// written), or `-` when it is missing or null.
pub fn cell(r: &Record, key: &str) -> String {
    match r.get(key) {
        None | Some(serde_json::Value::Null) => "-".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Renders rows as left-aligned columns under a header.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let n = cells.len();
        for (i, c) in cells.into_iter().enumerate() {
            out.push_str(c);
            if i + 1 < n {
                let pad = widths[i] - c.chars().count() + 2;
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_flag_detection() {
        let a = |v: &[&str]| args_want_json(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(a(&["x", "--json"]));
        assert!(a(&["x", "--format", "json"]));
        assert!(a(&["x", "--format=json"]));
        assert!(!a(&["x", "--format", "human"]));
        assert!(!a(&["x", "run", "--", "tool", "--json"]));
    }

    #[test]
    fn explicit_formats_win_over_terminal_detection() {
        let o = OutputArgs {
            format: Format::Human,
            json: false,
        };
        assert!(!o.json());
        let o = OutputArgs {
            format: Format::Json,
            json: false,
        };
        assert!(o.json());
        let o = OutputArgs {
            format: Format::Human,
            json: true,
        };
        assert!(o.json());
    }

    #[test]
    fn writer_writes_whole_lines() {
        let mut w = RecordWriter::new(Vec::new());
        w.write(&Record::new("event")).unwrap();
        assert_eq!(w.into_inner(), b"{\"v\":1,\"kind\":\"event\"}\n");
    }

    #[test]
    fn table_aligns() {
        let t = table(&["ID", "KIND"], &[vec!["port-1".into(), "port".into()]]);
        assert_eq!(t, "ID      KIND\nport-1  port\n");
    }
}
