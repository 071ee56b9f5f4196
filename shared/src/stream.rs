//! Reading record streams: JSON Lines on stdin, one record at a time, passed
//! through to stdout unchanged and in order before a tool writes its own.
//!
//! Stdin is read only when it is not a terminal; a closed or missing stdin is
//! an empty stream. Every line is validated as it is read
//! ([`crate::kinds`]). A stream can carry a failure, and [`Stream::failure`]
//! says which:
//!
//! - an `error` record: a stage upstream failed. It is passed on (as the last
//!   line this tool writes) and the tool exits with its code, making and
//!   running nothing;
//! - a line that is not a valid record (exit 65 naming the line and field);
//! - a last line without its newline: the stage before was cut off mid-write
//!   (exit 65).
//!
//! Records are passed through up to the first failure and no further, so
//! that the `error` record stays the last line and stdout never receives
//! half a record. The stream is still read to its end: teardown (`ptest
//! down`, `proc run --rm`) removes every resource it names, failure or not.

use crate::error::{Error, Exit, Result};
use crate::kinds::ErrorRecord;
use crate::output::RecordWriter;
use crate::record::Record;
use std::io::{BufRead, IsTerminal, Read, Write};

/// What went wrong in a stream.
#[derive(Debug)]
pub enum Failure {
    /// A stage upstream failed and said so with this `error` record.
    Upstream { record: Record, error: ErrorRecord },
    /// A line that is not a valid record, or a last line cut short.
    Bad(Error),
}

/// A stream read to its end.
#[derive(Debug, Default)]
pub struct Stream {
    /// Every whole, valid record but `error` records, in order, including
    /// any after a failure (for teardown).
    pub records: Vec<Record>,
    /// The first failure the stream carries.
    pub failure: Option<Failure>,
}

impl Stream {
    /// The records, or the failure as this tool's error: an upstream
    /// failure exits with the upstream's code (its record passed on
    /// already), a bad or cut line with 65.
    pub fn into_result(self) -> Result<Vec<Record>> {
        match self.failure {
            None => Ok(self.records),
            Some(f) => Err(f.into_error()),
        }
    }

    /// For teardown (`ptest down`, a tool's `rm`), which an upstream failure
    /// does not stop: the records, and the error of a bad or cut line, to
    /// report (65) once the rest is torn down.
    pub fn into_teardown(self) -> (Vec<Record>, Option<Error>) {
        match self.failure {
            Some(Failure::Bad(e)) => (self.records, Some(e)),
            _ => (self.records, None),
        }
    }

    /// True when the stream carries a failure.
    pub fn failed(&self) -> bool {
        self.failure.is_some()
    }
}

impl Failure {
    /// The error this tool exits with.
    pub fn into_error(self) -> Error {
        match self {
            Failure::Bad(e) => e,
            Failure::Upstream { error, .. } => upstream_error(&error),
        }
    }
}

/// The error of a tool that stops because a stage before it failed: the
/// upstream's exit code and message, its record already passed on.
pub fn upstream_error(rec: &ErrorRecord) -> Error {
    let code = rec.exit_code();
    let who = rec.tool.as_ref().map_or("a stage", |t| t.get().as_str());
    let mut e = Error::new(
        Exit::from_code(code),
        format!(
            "{who} failed before this stage (exit {code}): {}; nothing was done here",
            crate::error::one_line(rec.message.get())
        ),
    );
    e.passed_on = true;
    e
}

/// The longest line a stream may hold: a record is a few kilobytes, and a
/// line without end must not take all memory.
pub const MAX_LINE: u64 = 16 << 20;

/// Reads records from `input` (named `source` in errors) to its end. With
/// `out`, each record is written there as soon as its line is complete, up
/// to the first failure; an upstream `error` record is passed on too.
/// `Err` only when reading or writing itself fails.
pub fn read<R: BufRead, W: Write>(
    mut input: R,
    source: &str,
    mut out: Option<&mut RecordWriter<W>>,
) -> Result<Stream> {
    let mut stream = Stream::default();
    let mut buf = Vec::new();
    let mut lineno = 0;
    loop {
        buf.clear();
        let n = match input.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // A closed descriptor 0 (EBADF) is an empty stream.
            Err(e) if e.raw_os_error() == Some(nix::libc::EBADF) => 0,
            Err(e) => return Err(Error::from_io(format!("cannot read {source}"), &e)),
        };
        if n == 0 {
            return Ok(stream);
        }
        lineno += 1;
        if n as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            // The rest of the line is skipped; the stream goes on after it.
            let mut rest = Vec::new();
            loop {
                rest.clear();
                match input.by_ref().take(MAX_LINE).read_until(b'\n', &mut rest) {
                    Ok(n) if n > 0 && rest.last() != Some(&b'\n') => {}
                    _ => break,
                }
            }
            if stream.failure.is_none() {
                stream.failure = Some(Failure::Bad(Error::data(format!(
                    "{source}:{lineno}: a line longer than {} MiB is not a record",
                    MAX_LINE >> 20
                ))));
            }
            continue;
        }
        let whole = buf.last() == Some(&b'\n');
        let mut line = &buf[..];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = if whole {
            std::str::from_utf8(line)
                .map_err(|e| Error::data(format!("{source}:{lineno}: not UTF-8: {e}")))
                .and_then(|l| Record::parse(l, source, lineno))
        } else {
            Err(Error::data(format!(
                "{source}:{lineno}: the stream ends inside a record (its last line has no newline): the stage before was cut off"
            ))
            .hint("nothing was done; run the pipeline again (a file written by hand must end with a newline)"))
        };
        let rec = match parsed {
            Ok(r) => r,
            Err(e) => {
                if stream.failure.is_none() {
                    stream.failure = Some(Failure::Bad(e));
                }
                continue;
            }
        };
        if rec.kind() == "error" {
            if stream.failure.is_none() {
                let error: ErrorRecord = rec.typed()?;
                if let Some(o) = out.as_deref_mut() {
                    o.write(&rec)?;
                }
                stream.failure = Some(Failure::Upstream { record: rec, error });
            }
            continue;
        }
        if stream.failure.is_none()
            && let Some(o) = out.as_deref_mut()
        {
            o.write(&rec)?;
        }
        stream.records.push(rec);
    }
}

/// Set once stdin has been read as a stream.
static READ: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True once this process has read stdin as a stream.
pub fn was_read() -> bool {
    READ.load(std::sync::atomic::Ordering::Relaxed)
}

/// True when stdin carries a stream (it is not a terminal).
pub fn stdin_is_stream() -> bool {
    !std::io::stdin().is_terminal()
}

/// Reads the stream on stdin (none when stdin is a terminal) to its end,
/// passing it through to `out` when given (see [`read`]).
pub fn stdin(out: Option<&mut RecordWriter>) -> Result<Stream> {
    if !stdin_is_stream() {
        return Ok(Stream::default());
    }
    READ.store(true, std::sync::atomic::Ordering::Relaxed);
    read(std::io::stdin().lock(), "stdin", out)
}

/// Reads every record on stdin, writing each to `out` unchanged as it
/// arrives; returns them for the tool to use, or the failure the stream
/// carries (an upstream error passed on, or a bad line) for the tool to
/// stop on before it makes or runs anything.
pub fn pass_through<W: Write>(out: &mut RecordWriter<W>) -> Result<Vec<Record>> {
    if !stdin_is_stream() {
        return Ok(Vec::new());
    }
    READ.store(true, std::sync::atomic::Ordering::Relaxed);
    read(std::io::stdin().lock(), "stdin", Some(out))?.into_result()
}

/// Reads every record on stdin without writing them; the failure the
/// stream carries is the error.
pub fn read_stdin() -> Result<Vec<Record>> {
    stdin(None)?.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (Stream, String) {
        let mut w = RecordWriter::new(Vec::new());
        let s = read(input, "stdin", Some(&mut w)).unwrap();
        (s, String::from_utf8(w.into_inner()).unwrap())
    }

    #[test]
    fn reads_lines_skips_blanks_and_passes_through() {
        let input = b"{\"v\":1,\"kind\":\"a\"}\n\n{\"v\":1,\"kind\":\"b\"}\r\n  \n";
        let (s, out) = run(input);
        assert!(s.failure.is_none());
        let kinds: Vec<_> = s.records.iter().map(|r| r.kind().to_owned()).collect();
        assert_eq!(kinds, ["a", "b"]);
        assert_eq!(out, "{\"v\":1,\"kind\":\"a\"}\n{\"v\":1,\"kind\":\"b\"}\n");
    }

    #[test]
    fn a_bad_line_is_named_and_stops_the_pass_through_but_not_the_reading() {
        let input = b"{\"v\":1,\"kind\":\"a\"}\n\n{oops}\n{\"v\":1,\"kind\":\"c\"}\n";
        let (s, out) = run(input);
        assert_eq!(out, "{\"v\":1,\"kind\":\"a\"}\n");
        assert_eq!(s.records.len(), 2, "records after the bad line are read");
        let e = s.into_result().unwrap_err();
        assert_eq!(e.exit, Exit::Data);
        assert!(!e.passed_on);
        assert!(e.message.starts_with("stdin:3:"), "{}", e.message);
    }

    #[test]
    fn a_cut_last_line_is_65_and_never_reaches_stdout() {
        let input = b"{\"v\":1,\"kind\":\"a\"}\n{\"v\":1,\"kind\":\"b\"}";
        let (s, out) = run(input);
        assert_eq!(out, "{\"v\":1,\"kind\":\"a\"}\n");
        assert_eq!(s.records.len(), 1);
        let e = s.into_result().unwrap_err();
        assert_eq!(e.exit.code(), 65);
        assert!(e.message.contains("stdin:2") && e.message.contains("no newline"));
    }

    #[test]
    fn an_upstream_error_is_passed_on_last_and_gives_its_code() {
        let err = r#"{"v":1,"kind":"error","code":"no_input","exit":66,"message":"no image","tool":"ptest-docker"}"#;
        let input =
            format!("{{\"v\":1,\"kind\":\"a\"}}\n{err}\n{{\"v\":1,\"kind\":\"b\"}}\n{err}\n");
        let (s, out) = run(input.as_bytes());
        assert_eq!(out, format!("{{\"v\":1,\"kind\":\"a\"}}\n{err}\n"));
        assert_eq!(s.records.len(), 2, "error records are not records");
        let e = s.into_result().unwrap_err();
        assert_eq!(e.exit.code(), 66);
        assert!(e.passed_on);
        assert!(
            e.message.contains("ptest-docker") && e.message.contains("no image"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_line_without_end_is_refused_without_taking_all_memory() {
        let mut input = b"{\"v\":1,\"kind\":\"a\"}\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', (MAX_LINE as usize) * 2 + 5));
        input.extend(b"\n{\"v\":1,\"kind\":\"b\"}\n");
        let (s, out) = run(&input);
        assert_eq!(out, "{\"v\":1,\"kind\":\"a\"}\n");
        assert_eq!(s.records.len(), 2, "the stream goes on after the long line");
        let e = s.into_result().unwrap_err();
        assert!(
            e.message.starts_with("stdin:2: a line longer than 16 MiB"),
            "{}",
            e.message
        );
    }

    #[test]
    fn an_upstream_message_of_several_lines_is_told_in_one() {
        let (s, _) = run(b"{\"v\":1,\"kind\":\"error\",\"message\":\"a\\nb\",\"exit\":66}\n");
        let e = s.into_result().unwrap_err();
        assert!(e.message.contains("a\\nb"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn an_error_record_without_exit_is_a_failure_of_1() {
        let (s, _) = run(b"{\"v\":1,\"kind\":\"error\",\"message\":\"m\"}\n");
        assert_eq!(s.into_result().unwrap_err().exit.code(), 1);
    }
}
