//! Errors and exit codes: the one place that maps a failure to the sysexits
//! code of docs/protocol.md ("Exit codes") and to the message a user reads.
//!
//! Every fallible function in the suite returns [`Result`]. An [`Error`] carries
//! its [`Exit`] code, a message that says what was wrong and with what input,
//! and optionally a hint saying what to do. [`crate::cli::main`] prints it
//! (plain text, or an `error` record with `--json`) and exits with the code.

use std::fmt;

/// The exit codes of the suite (sysexits, plus `timeout`'s 124 and 128+N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Ok,
    /// 1: a supervised command (a child, a hook, a tool's `rm`) failed.
    Failed,
    /// 64: the command line was wrong.
    Usage,
    /// 65: input data was malformed (JSON, TOML, a requirement line).
    Data,
    /// 66: an input file does not exist.
    NoInput,
    /// 67: a user or group named on the command line does not exist.
    NoUser,
    /// 69: a needed service is unavailable (Docker engine, Python, a tool).
    Unavailable,
    /// 70: a bug in ptest.
    Internal,
    /// 73: cannot create an output (disk full, permissions).
    CantCreate,
    /// 74: an I/O error.
    Io,
    /// 75: a temporary failure; retrying may succeed (lock timeout, exhaustion).
    TempFail,
    /// 124: a time limit was reached.
    Timeout,
    /// 125: a threshold of `ptest mon` was crossed and what crossed it was
    /// ended (`--kill`).
    Threshold,
    /// 126: the command exists but cannot be executed (as a shell says).
    CannotExecute,
    /// 127: the command was not found (as a shell says).
    NotFound,
    /// 128+N: killed by signal N.
    Signal(i32),
    /// Any other code: a failure passed on from elsewhere (an upstream
    /// stage, a supervised command).
    Other(i32),
}

impl Exit {
    /// The numeric process exit code.
    pub fn code(self) -> i32 {
        match self {
            Exit::Ok => 0,
            Exit::Failed => 1,
            Exit::Usage => 64,
            Exit::Data => 65,
            Exit::NoInput => 66,
            Exit::NoUser => 67,
            Exit::Unavailable => 69,
            Exit::Internal => 70,
            Exit::CantCreate => 73,
            Exit::Io => 74,
            Exit::TempFail => 75,
            Exit::Timeout => 124,
            Exit::Threshold => 125,
            Exit::CannotExecute => 126,
            Exit::NotFound => 127,
            Exit::Signal(n) => 128 + n,
            Exit::Other(n) => n,
        }
    }

    /// The exit for a numeric code (the inverse of [`Exit::code`]).
    pub fn from_code(code: i32) -> Exit {
        match code {
            0 => Exit::Ok,
            1 => Exit::Failed,
            64 => Exit::Usage,
            65 => Exit::Data,
            66 => Exit::NoInput,
            67 => Exit::NoUser,
            69 => Exit::Unavailable,
            70 => Exit::Internal,
            73 => Exit::CantCreate,
            74 => Exit::Io,
            75 => Exit::TempFail,
            124 => Exit::Timeout,
            125 => Exit::Threshold,
            126 => Exit::CannotExecute,
            127 => Exit::NotFound,
            129..=192 => Exit::Signal(code - 128),
            n => Exit::Other(n),
        }
    }

    /// The stable name used in `error` records (`"code": "usage"`).
    pub fn name(self) -> &'static str {
        match self {
            Exit::Ok => "ok",
            Exit::Failed => "failed",
            Exit::Usage => "usage",
            Exit::Data => "data",
            Exit::NoInput => "no_input",
            Exit::NoUser => "no_user",
            Exit::Unavailable => "unavailable",
            Exit::Internal => "internal",
            Exit::CantCreate => "cant_create",
            Exit::Io => "io",
            Exit::TempFail => "temp_fail",
            Exit::Timeout => "timeout",
            Exit::Threshold => "threshold",
            Exit::CannotExecute => "cannot_execute",
            Exit::NotFound => "not_found",
            Exit::Signal(_) => "signal",
            Exit::Other(_) => "failed",
        }
    }

    /// The table printed in every tool's `--help` and man page.
    pub const TABLE: &'static str = "\
Exit status:
  0    success
  1    a supervised command, hook or tool failed
  64   usage error (bad flag or argument)
  65   bad input data (malformed JSON record, bad config file)
  66   an input file does not exist
  67   no such user or group
  69   a needed service is unavailable (Docker engine, Python, a tool)
  70   internal error (a bug: please report it)
  73   cannot create a file or directory
  74   I/O error
  75   temporary failure, worth a retry (lock busy, range exhausted)
  124  a time limit was reached
  125  a threshold was crossed and ptest mon --kill ended the tree
  126  the command cannot be executed
  127  the command was not found
  128+N  killed by signal N";
}

/// A failure with its exit code, message and optional hint.
#[derive(Debug)]
pub struct Error {
    pub exit: Exit,
    pub message: String,
    pub hint: Option<String>,
    /// Set when stdout was closed by the reader: the program ends quietly with 0.
    pub broken_pipe: bool,
    /// Set when the `error` record saying this is on stdout already (an
    /// upstream failure passed on): no second one is written.
    pub passed_on: bool,
    /// Set when people were told already (a command's own exit code, a
    /// status the output shows): no line on stderr, only the record.
    pub quiet: bool,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Error {
            exit,
            message: message.into(),
            hint: None,
            broken_pipe: false,
            passed_on: false,
            quiet: false,
        }
    }

    /// A failure whose exit code is someone else's (a supervised command's,
    /// a service's status), already visible to people: exit `code`, an
    /// `error` record saying `message`, and no line on stderr.
    pub fn exit_code(code: i32, message: impl Into<String>) -> Self {
        Error {
            quiet: true,
            ..Self::new(Exit::from_code(code), message)
        }
    }
    pub fn usage(m: impl Into<String>) -> Self {
        Self::new(Exit::Usage, m)
    }
    pub fn data(m: impl Into<String>) -> Self {
        Self::new(Exit::Data, m)
    }
    pub fn no_input(m: impl Into<String>) -> Self {
        Self::new(Exit::NoInput, m)
    }
    pub fn unavailable(m: impl Into<String>) -> Self {
        Self::new(Exit::Unavailable, m)
    }
    pub fn internal(m: impl Into<String>) -> Self {
        Self::new(Exit::Internal, m)
    }
    pub fn cant_create(m: impl Into<String>) -> Self {
        Self::new(Exit::CantCreate, m)
    }
    pub fn io(m: impl Into<String>) -> Self {
        Self::new(Exit::Io, m)
    }
    pub fn temp_fail(m: impl Into<String>) -> Self {
        Self::new(Exit::TempFail, m)
    }
    pub fn failed(m: impl Into<String>) -> Self {
        Self::new(Exit::Failed, m)
    }
    pub fn timeout(m: impl Into<String>) -> Self {
        Self::new(Exit::Timeout, m)
    }

    /// Stopped by signal `n`: exit 128+N, naming it.
    pub fn interrupted(n: i32) -> Self {
        let name = nix::sys::signal::Signal::try_from(n)
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|_| format!("signal {n}"));
        Self::new(Exit::Signal(n), format!("interrupted by {name}"))
    }

    /// The reader of our stdout went away: not an error for a Unix filter.
    /// A supervised command's own exit code `c` (not 0), passed on.
    pub fn command_exited(c: i32) -> Self {
        Error::exit_code(c, format!("the command exited with {c}"))
    }

    /// A supervised command killed by signal `sig`: exit 128+`sig`.
    pub fn command_killed(sig: i32) -> Self {
        let name = Error::interrupted(sig).message;
        Error::exit_code(
            128 + sig,
            format!(
                "the command was killed by {}",
                name.trim_start_matches("interrupted by ")
            ),
        )
    }

    pub fn broken_pipe() -> Self {
        Error {
            broken_pipe: true,
            ..Self::new(Exit::Ok, "broken pipe")
        }
    }

    /// Adds what the user can do about it.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An I/O error while doing `what` (e.g. "cannot write /x/y"), classified:
    /// missing file → 66, permission/space → 73 when creating, else 74.
    pub fn from_io(what: impl fmt::Display, e: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        if e.kind() == K::BrokenPipe {
            return Self::broken_pipe();
        }
        let exit = match e.kind() {
            K::NotFound => Exit::NoInput,
            K::PermissionDenied | K::StorageFull | K::ReadOnlyFilesystem | K::AlreadyExists => {
                Exit::CantCreate
            }
            _ => Exit::Io,
        };
        Self::new(exit, format!("{what}: {e}"))
    }

    /// The `error` record that ends stdout when `tool` fails (see
    /// docs/protocol.md, "Errors").
    pub fn to_record(&self, tool: &str) -> crate::Record {
        let mut r = crate::Record::new("error");
        r.set("code", self.exit.name())
            .set("exit", self.exit.code())
            .set("message", self.message.clone());
        if let Some(h) = &self.hint {
            r.set("hint", h.clone());
        }
        r.set("tool", tool);
        r
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Text quoted from input, made fit for a message of one line: control
/// characters (a newline in a record's message, a path, a requirement
/// given as an argument) escaped as Rust writes them (`\n`, `\u{1b}`),
/// tabs and everything else as they are.
pub fn one_line(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(|c: char| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Attaches a description to I/O results: `fs::read(p).io_context(|| format!("cannot read {p}"))`.
pub trait IoContext<T> {
    fn io_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn io_context<D: fmt::Display>(self, what: impl FnOnce() -> D) -> Result<T> {
        self.map_err(|e| Error::from_io(what(), &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_sysexits() {
        assert_eq!(Exit::Usage.code(), 64);
        assert_eq!(Exit::Data.code(), 65);
        assert_eq!(Exit::TempFail.code(), 75);
        assert_eq!(Exit::Signal(9).code(), 137);
        let e = Error::interrupted(2);
        assert_eq!(e.exit.code(), 130);
        assert!(e.message.contains("SIGINT"), "{}", e.message);
    }

    #[test]
    fn io_errors_are_classified() {
        let nf = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(Error::from_io("cannot read x", &nf).exit, Exit::NoInput);
        let bp = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(Error::from_io("write", &bp).broken_pipe);
    }

    #[test]
    fn error_record_names_code_hint_and_tool() {
        let r = Error::data("line 3: bad")
            .hint("fix it")
            .to_record("ptest-port");
        assert_eq!(
            r.to_line(),
            r#"{"v":1,"kind":"error","code":"data","exit":65,"message":"line 3: bad","hint":"fix it","tool":"ptest-port"}"#
        );
        // What we write, we read back as a valid error record.
        crate::Record::parse(&r.to_line(), "t", 1).unwrap();
    }

    #[test]
    fn quoted_text_is_made_one_line() {
        assert_eq!(one_line("a\tb é"), "a\tb é");
        assert_eq!(one_line("a\nb\r\u{1b}\u{85}"), "a\\nb\\r\\u{1b}\\u{85}");
    }

    #[test]
    fn codes_round_trip() {
        for c in [
            0, 1, 2, 64, 65, 66, 67, 69, 70, 73, 74, 75, 124, 126, 127, 130, 137, 255,
        ] {
            assert_eq!(Exit::from_code(c).code(), c);
        }
        assert_eq!(Exit::from_code(137), Exit::Signal(9));
        assert_eq!(Exit::from_code(2), Exit::Other(2));
    }
}
