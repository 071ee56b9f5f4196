//! Reading record streams: JSON Lines on stdin, one record at a time, passed
//! through to stdout unchanged and in order before a tool writes its own.
//!
//! Stdin is read only when it is not a terminal; a closed or missing stdin is
//! an empty stream. A malformed line stops the stream with exit 65 naming its
//! line number; lines already passed through stay written, and no partial
//! line ever reaches stdout.

use crate::error::{Error, Result};
use crate::output::RecordWriter;
use crate::record::Record;
use std::io::{BufRead, IsTerminal, Write};

/// Reads records from `input` (named `source` in errors), calling `each` on
/// every one as soon as its line is complete. Blank lines are skipped.
pub fn read_records<R: BufRead>(
    mut input: R,
    source: &str,
    mut each: impl FnMut(Record) -> Result<()>,
) -> Result<()> {
    let mut buf = Vec::new();
    let mut lineno = 0;
    loop {
        buf.clear();
        let n = match input.read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // A closed descriptor 0 (EBADF) is an empty stream.
            Err(e) if e.raw_os_error() == Some(nix::libc::EBADF) => 0,
            Err(e) => return Err(Error::from_io(format!("cannot read {source}"), &e)),
        };
        if n == 0 {
            return Ok(());
        }
        lineno += 1;
        let mut line = &buf[..];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        let line = std::str::from_utf8(line)
            .map_err(|e| Error::data(format!("{source}:{lineno}: not UTF-8: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        each(Record::parse(line, source, lineno)?)?;
    }
}

/// True when stdin carries a stream (it is not a terminal).
pub fn stdin_is_stream() -> bool {
    !std::io::stdin().is_terminal()
}

/// Reads every record on stdin (unless stdin is a terminal), writing each to
/// `out` unchanged as it arrives; returns them for the tool to use.
pub fn pass_through<W: Write>(out: &mut RecordWriter<W>) -> Result<Vec<Record>> {
    let mut records = Vec::new();
    if stdin_is_stream() {
        read_records(std::io::stdin().lock(), "stdin", |r| {
            out.write(&r)?;
            records.push(r);
            Ok(())
        })?;
    }
    Ok(records)
}

/// Reads every record on stdin (unless it is a terminal) without writing them.
pub fn read_stdin() -> Result<Vec<Record>> {
    let mut records = Vec::new();
    if stdin_is_stream() {
        read_records(std::io::stdin().lock(), "stdin", |r| {
            records.push(r);
            Ok(())
        })?;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lines_and_skips_blanks() {
        let input =
            b"{\"v\":1,\"kind\":\"a\"}\n\n{\"v\":1,\"kind\":\"b\"}\r\n{\"v\":1,\"kind\":\"c\"}";
        let mut kinds = vec![];
        read_records(&input[..], "stdin", |r| {
            kinds.push(r.kind().to_owned());
            Ok(())
        })
        .unwrap();
        assert_eq!(kinds, ["a", "b", "c"]);
    }

    #[test]
    fn error_names_the_line_and_earlier_records_were_seen() {
        let input = b"{\"v\":1,\"kind\":\"a\"}\n\n{oops}\n";
        let mut seen = 0;
        let e = read_records(&input[..], "stdin", |_| {
            seen += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(seen, 1);
        assert!(e.message.starts_with("stdin:3:"), "{}", e.message);
    }
}
