//! Readiness checks for `ptest proc start`: the command returns only when the
//! service it started is ready, judged by every check the user gave.
//!
//! - [`Check::Port`]: a TCP connect to `127.0.0.1:PORT` (or `[::1]:PORT`)
//!   succeeds.
//! - [`Check::Log`]: a complete line of the service's stdout or stderr log
//!   matches a regular expression. The logs are read incrementally by a
//!   [`LogTail`].
//! - [`Check::Http`]: a `GET` of an `http://` URL answers 2xx or 3xx, through
//!   a small HTTP/1.1 client of our own (no TLS).
//! - [`Check::Cmd`]: `sh -c CMD` exits 0 within a per-attempt time limit.
//!
//! [`wait_ready_with`] polls the checks until all have passed, the service dies or
//! the time is up. A check that passed once stays passed. [`tail_lines`] and
//! [`follow`] serve the log tail of error messages and `proc logs --follow`.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use ptest_shared::Error;
pub use ptest_shared::http::HttpUrl;
use ptest_shared::http::{CONNECT_LIMIT, check_http, connect_any, io_words};
use ptest_shared::units::format_duration;
use regex::Regex;

/// The first pause between two rounds of checks; it doubles up to [`MAX_NAP`].
const FIRST_NAP: Duration = Duration::from_millis(5);
const MAX_NAP: Duration = Duration::from_millis(100);
/// How long one HTTP request may take, connect included.
const HTTP_LIMIT: Duration = Duration::from_secs(2);
/// The default time limit of one attempt of a command check.
pub const CMD_ATTEMPT_LIMIT: Duration = Duration::from_secs(5);
/// The least time an attempt gets, even in the last round before the deadline.
const MIN_ATTEMPT: Duration = Duration::from_millis(20);
/// A log line longer than this is matched as it is, without waiting for its end.
const MAX_LINE: usize = 1024 * 1024;
/// The most bytes of one log file read in one poll.
const READ_CHUNK: u64 = 8 * 1024 * 1024;
/// How often [`follow`] looks for appended data.
const FOLLOW_POLL: Duration = Duration::from_millis(100);
/// How far back from its end [`tail_lines`] reads a file at most.
const MAX_TAIL_BYTES: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

/// One readiness condition of a service.
#[derive(Debug, Clone)]
pub enum Check {
    /// A TCP connect to 127.0.0.1:PORT succeeds (or to [::1]:PORT).
    Port(u16),
    /// A complete line of the service's stdout or stderr log matches.
    Log(Regex),
    /// A GET of the URL answers with a 2xx or 3xx status.
    Http(HttpUrl),
    /// `sh -c CMD` exits 0.
    Cmd(String),
}

impl Check {
    /// What the check waits for, in words: "port 20113 accepting connections".
    pub fn describe(&self) -> String {
        match self {
            Check::Port(port) => format!("port {port} accepting connections"),
            Check::Log(re) => format!("log line matching /{}/", re.as_str()),
            Check::Http(url) => format!("GET {url} answering 2xx or 3xx"),
            Check::Cmd(cmd) => format!("command `{cmd}` exiting 0"),
        }
    }
}

/// Compiles the pattern of a log check; the error is one line that names the
/// pattern and what is wrong with it.
pub fn parse_log_regex(s: &str) -> Result<Regex, String> {
    Regex::new(s).map_err(|e| {
        let why = match &e {
            // The syntax error is a drawing over several lines; its last line
            // ("error: unclosed group") says what is wrong.
            regex::Error::Syntax(text) => text
                .lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .map(str::to_owned)
                .unwrap_or_else(|| text.lines().last().unwrap_or("").trim().to_owned()),
            other => other.to_string(),
        };
        format!("invalid log pattern {s:?}: {why}")
    })
}

// ---------------------------------------------------------------------------
// Waiting
// ---------------------------------------------------------------------------

/// Why [`wait_ready_with`] gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The time was up. `pending` describes each check that had not passed,
    /// with the outcome of its last attempt when there is one to tell:
    /// "port 20113 accepting connections (last attempt: connection refused)".
    Timeout { pending: Vec<String> },
    /// The service exited first; the message is the one `alive()` gave.
    Died(String),
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotReady::Timeout { pending } => write!(f, "still waiting for {}", pending.join("; ")),
            NotReady::Died(msg) => write!(f, "{msg}"),
        }
    }
}

impl NotReady {
    /// The error `proc start` reports: 124 when the time was up, 1 when the
    /// service died. `what` names the service ("service web (PID 4242)"),
    /// `waited` is the readiness timeout.
    pub fn to_error(&self, what: &str, waited: Duration) -> Error {
        match self {
            NotReady::Timeout { pending } => Error::timeout(format!(
                "{what} was not ready after {}: still waiting for {}",
                format_duration(waited),
                pending.join("; ")
            )),
            NotReady::Died(msg) => {
                Error::failed(format!("{what} exited before it was ready: {msg}"))
            }
        }
    }
}

/// How the checks run, beyond the checks themselves.
#[derive(Debug, Clone)]
pub struct WaitOptions {
    /// Variables set for command checks, over ptest's own environment (e.g.
    /// the service's environment from the record stream).
    pub cmd_env: Vec<(OsString, OsString)>,
    /// The working directory of command checks; ptest's own when `None`.
    pub cmd_dir: Option<PathBuf>,
    /// The time limit of one attempt of a command check; its process group
    /// is killed when over.
    pub cmd_attempt_limit: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            cmd_env: Vec::new(),
            cmd_dir: None,
            cmd_attempt_limit: CMD_ATTEMPT_LIMIT,
        }
    }
}

/// Polls every check until all pass, with backoff from 5 ms up to 100 ms
/// between rounds, and returns the time it took. `logs` are the service's
/// stdout and stderr log files, read by the log checks. `alive()` is called
/// at the start of each round: `Err(msg)` means the service exited, which
/// ends the wait at once with [`NotReady::Died`]. A check that passed once
/// stays passed. No attempt outlives the deadline by more than a few
/// milliseconds, so the wait ends close to `timeout`.
#[cfg(test)]
fn wait_ready(
    checks: &[Check],
    logs: &[PathBuf],
    timeout: Duration,
    alive: &mut dyn FnMut() -> Result<(), String>,
) -> Result<Duration, NotReady> {
    wait_ready_with(checks, logs, timeout, alive, &WaitOptions::default())
}

/// Polls `checks` until all pass, the service dies or `timeout` passes, with [`WaitOptions`] for the command checks.
pub fn wait_ready_with(
    checks: &[Check],
    logs: &[PathBuf],
    timeout: Duration,
    alive: &mut dyn FnMut() -> Result<(), String>,
    opts: &WaitOptions,
) -> Result<Duration, NotReady> {
    let start = Instant::now();
    // A timeout too large to add is as good as none.
    let deadline = start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 3600));
    let mut passed = vec![false; checks.len()];
    let mut last_failure: Vec<Option<String>> = vec![None; checks.len()];
    let mut tail = LogTail::new(logs.to_vec());
    let needs_logs = checks.iter().any(|c| matches!(c, Check::Log(_)));
    let mut nap = FIRST_NAP;
    loop {
        alive().map_err(NotReady::Died)?;
        let lines = if needs_logs {
            tail.poll_lines()
        } else {
            Vec::new()
        };
        for (i, check) in checks.iter().enumerate() {
            if passed[i] {
                continue;
            }
            let budget = deadline
                .saturating_duration_since(Instant::now())
                .max(MIN_ATTEMPT);
            let outcome = match check {
                Check::Port(port) => check_port(*port, CONNECT_LIMIT.min(budget)),
                Check::Log(re) => {
                    if lines.iter().any(|l| re.is_match(l)) {
                        Ok(())
                    } else {
                        // Nothing to add to the description: no line matched.
                        continue;
                    }
                }
                Check::Http(url) => check_http(url, HTTP_LIMIT.min(budget)),
                Check::Cmd(cmd) => check_cmd(cmd, opts, opts.cmd_attempt_limit.min(budget)),
            };
            match outcome {
                Ok(()) => passed[i] = true,
                Err(why) => last_failure[i] = Some(why),
            }
        }
        if passed.iter().all(|p| *p) {
            return Ok(start.elapsed());
        }
        let now = Instant::now();
        if now >= deadline {
            let pending = checks
                .iter()
                .zip(&passed)
                .zip(&last_failure)
                .filter(|((_, passed), _)| !**passed)
                .map(|((check, _), failure)| match failure {
                    Some(why) => format!("{} (last attempt: {why})", check.describe()),
                    None => check.describe(),
                })
                .collect();
            return Err(NotReady::Timeout { pending });
        }
        thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(MAX_NAP);
    }
}

fn check_port(port: u16, limit: Duration) -> Result<(), String> {
    let addrs = [
        SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
        SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
    ];
    connect_any(&addrs, limit).map(drop)
}

/// One attempt of `sh -c CMD`: Ok when it exits 0 within `limit`. Its output
/// never reaches our stdout (the record stream): stdout is discarded, and the
/// last line of its stderr explains a failure.
fn check_cmd(cmd: &str, opts: &WaitOptions, limit: Duration) -> Result<(), String> {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    for (name, value) in &opts.cmd_env {
        command.env(name, value);
    }
    if let Some(dir) = &opts.cmd_dir {
        command.current_dir(dir);
    }
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot run /bin/sh: {}", io_words(&e)))?;
    let group = nix::unistd::Pid::from_raw(child.id() as i32);
    let stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    // Read on the side so that a chatty command cannot fill the pipe and
    // stall; a daemon it left behind holding the pipe only keeps this thread.
    thread::spawn(move || {
        let last = stderr.map(last_line).unwrap_or_default();
        let _ = tx.send(last);
    });
    let start = Instant::now();
    let mut nap = Duration::from_millis(1);
    let outcome: Result<ExitStatus, String> = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(format!("cannot wait for the command: {}", io_words(&e))),
        }
        let elapsed = start.elapsed();
        if elapsed >= limit {
            break Err(format!(
                "still running after {}, killed",
                format_duration(limit)
            ));
        }
        thread::sleep(nap.min(limit - elapsed));
        nap = (nap * 2).min(Duration::from_millis(25));
    };
    // The whole process group, on success too: a probe leaves nothing behind.
    let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
    let status = match outcome {
        Ok(status) => status,
        Err(why) => {
            let _ = child.wait();
            return Err(why);
        }
    };
    if status.success() {
        return Ok(());
    }
    let what = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => status.to_string(),
    };
    match rx.recv_timeout(Duration::from_millis(100)) {
        Ok(last) if !last.is_empty() => Err(format!("{what}: {last}")),
        _ => Err(what),
    }
}

/// The last non-blank line of a stream, trimmed and cut to 200 characters.
fn last_line(mut r: impl Read) -> String {
    const KEEP: usize = 4096;
    let mut kept: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * KEEP {
                    kept.drain(..kept.len() - KEEP);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&kept);
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(|l| l.chars().take(200).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Log files
// ---------------------------------------------------------------------------

/// A read position in a file that may not exist yet, be truncated, or be
/// replaced by a new file of the same name.
#[derive(Debug)]
struct Cursor {
    path: PathBuf,
    offset: u64,
    /// Device and inode of the file read last.
    identity: Option<(u64, u64)>,
}

impl Cursor {
    fn new(path: PathBuf) -> Self {
        Cursor {
            path,
            offset: 0,
            identity: None,
        }
    }

    /// What was appended since the last call, at most `max` bytes, and
    /// whether the file was truncated or replaced, which starts the reading
    /// over from its beginning. A missing file reads as empty.
    fn read_new(&mut self, max: u64) -> io::Result<(Vec<u8>, bool)> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), false)),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let identity = (meta.dev(), meta.ino());
        let replaced = self.identity.is_some_and(|old| old != identity);
        let restarted = replaced || meta.len() < self.offset;
        if restarted {
            self.offset = 0;
        }
        self.identity = Some(identity);
        if meta.len() == self.offset {
            return Ok((Vec::new(), restarted));
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        file.take(max).read_to_end(&mut buf)?;
        self.offset += buf.len() as u64;
        Ok((buf, restarted))
    }
}

/// Reads the complete lines appended to log files since the last poll,
/// keeping an offset into each file: nothing is read twice. A file that does
/// not exist yet is read once it appears; a partial last line waits for its
/// newline (up to 1 MiB); a truncated or replaced file is read again from its
/// start.
#[derive(Debug)]
pub struct LogTail {
    files: Vec<TailedFile>,
}

#[derive(Debug)]
struct TailedFile {
    cursor: Cursor,
    /// The start of a line whose newline has not been written yet.
    partial: Vec<u8>,
}

impl LogTail {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        LogTail {
            files: paths
                .into_iter()
                .map(|p| TailedFile {
                    cursor: Cursor::new(p),
                    partial: Vec::new(),
                })
                .collect(),
        }
    }

    /// The lines completed since the last call, file by file, without their
    /// line ends ("\n" or "\r\n"). Invalid UTF-8 is replaced by U+FFFD. A
    /// file that cannot be read yields nothing this time.
    pub fn poll_lines(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        for file in &mut self.files {
            let Ok((data, restarted)) = file.cursor.read_new(READ_CHUNK) else {
                continue;
            };
            if restarted {
                file.partial.clear();
            }
            file.partial.extend_from_slice(&data);
            let mut start = 0;
            while let Some(nl) = file.partial[start..].iter().position(|&b| b == b'\n') {
                lines.push(line_text(&file.partial[start..start + nl]));
                start += nl + 1;
            }
            file.partial.drain(..start);
            if file.partial.len() > MAX_LINE {
                lines.push(line_text(&file.partial));
                file.partial.clear();
            }
        }
        lines
    }
}

/// A line's bytes as text, without a trailing "\r".
fn line_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The last `n` lines of a file, for error messages; a last line without
/// its newline counts. Empty when the file is missing or unreadable. Reads
/// at most 1 MiB from the end of the file.
pub fn tail_lines(path: &Path, n: usize) -> Vec<String> {
    const CHUNK: u64 = 64 * 1024;
    if n == 0 {
        return Vec::new();
    }
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return Vec::new();
    };
    let floor = len.saturating_sub(MAX_TAIL_BYTES);
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    // n + 1 newlines make sure the first of the n lines is whole.
    while start > floor && buf.iter().filter(|&&b| b == b'\n').count() <= n {
        let from = start.saturating_sub(CHUNK).max(floor);
        let mut chunk = vec![0u8; (start - from) as usize];
        if file.seek(SeekFrom::Start(from)).is_err() || file.read_exact(&mut chunk).is_err() {
            break;
        }
        chunk.extend_from_slice(&buf);
        buf = chunk;
        start = from;
    }
    let mut text: &[u8] = &buf;
    if start > 0 {
        // Began mid-file: the first line may be cut.
        match text.iter().position(|&b| b == b'\n') {
            Some(nl) => text = &text[nl + 1..],
            None => return Vec::new(),
        }
    }
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    let all: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    all[all.len().saturating_sub(n)..]
        .iter()
        .map(|l| line_text(l))
        .collect()
}

/// Copies the file to `out`, then keeps copying what is appended to it (as
/// `tail -f`, looking every 100 ms) until `stop()` says so. A file that does
/// not exist yet is waited for; a truncated or replaced file is copied again
/// from its start. `stop()` is asked only when all data so far has been
/// copied, and whatever is appended before it returns true is still copied:
/// "the service is gone" is a sufficient condition.
pub fn follow(path: &Path, out: &mut dyn Write, stop: &dyn Fn() -> bool) -> io::Result<()> {
    let mut cursor = Cursor::new(path.to_path_buf());
    let mut stopping = false;
    loop {
        let (data, _restarted) = cursor.read_new(READ_CHUNK)?;
        if !data.is_empty() {
            out.write_all(&data)?;
            out.flush()?;
            continue;
        }
        if stopping {
            return Ok(());
        }
        if stop() {
            // One more read: data appended while stop() decided.
            stopping = true;
            continue;
        }
        thread::sleep(FOLLOW_POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptest_shared::http::find_head_end;
    use std::fs::OpenOptions;
    use std::net::TcpListener;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    fn always_alive() -> impl FnMut() -> Result<(), String> {
        || Ok(())
    }

    /// A port nothing listens on (just freed by the kernel).
    fn free_port() -> u16 {
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    /// A port that refuses connections for as long as the returned socket
    /// lives: bound, never listening, so no concurrent test can take it.
    fn refusing_port() -> (std::os::fd::OwnedFd, u16) {
        use nix::sys::socket::{
            AddressFamily, SockFlag, SockType, SockaddrIn, bind, getsockname, socket,
        };
        let fd = socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap();
        bind(fd.as_raw_fd(), &SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
        let port = getsockname::<SockaddrIn>(fd.as_raw_fd()).unwrap().port();
        (fd, port)
    }

    /// A tiny HTTP server on 127.0.0.1 answering every request with
    /// `response`; returns its port and the requests it received.
    fn serve(response: &'static str) -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut req = Vec::new();
                let mut chunk = [0u8; 1024];
                while find_head_end(&req).is_none() {
                    match stream.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&chunk[..n]),
                    }
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&req).into_owned());
                let _ = stream.write_all(response.as_bytes());
            }
        });
        (port, seen)
    }

    fn url(port: u16, path: &str) -> HttpUrl {
        format!("http://127.0.0.1:{port}{path}").parse().unwrap()
    }

    fn append(path: &Path, text: &str) {
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn port_check_passes_only_after_a_listener_binds() {
        let port = free_port();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let server = thread::spawn(move || {
            thread::sleep(Duration::from_millis(200));
            let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
            let _ = done_rx.recv_timeout(Duration::from_secs(5));
            drop(listener);
        });
        let took = wait_ready(
            &[Check::Port(port)],
            &[],
            Duration::from_secs(3),
            &mut always_alive(),
        )
        .unwrap();
        done_tx.send(()).unwrap();
        server.join().unwrap();
        assert!(
            took >= Duration::from_millis(190),
            "ready too early: {took:?}"
        );
        assert!(took < Duration::from_secs(2), "noticed too late: {took:?}");
    }

    #[test]
    fn http_check_passes_on_200_and_sends_a_proper_request() {
        let (port, seen) =
            serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        wait_ready(
            &[Check::Http(url(port, "/health?deep=1#frag"))],
            &[],
            Duration::from_secs(2),
            &mut always_alive(),
        )
        .unwrap();
        let requests = seen.lock().unwrap();
        let req = &requests[0];
        assert!(req.starts_with("GET /health?deep=1 HTTP/1.1\r\n"), "{req}");
        assert!(
            req.contains(&format!("\r\nHost: 127.0.0.1:{port}\r\n")),
            "{req}"
        );
        assert!(req.contains("\r\nConnection: close\r\n"), "{req}");
    }

    #[test]
    fn http_check_times_out_on_500() {
        let (port, seen) = serve("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
        let err = wait_ready(
            &[Check::Http(url(port, "/"))],
            &[],
            Duration::from_millis(300),
            &mut always_alive(),
        )
        .unwrap_err();
        let NotReady::Timeout { pending } = err else {
            panic!("expected a timeout, got {err:?}")
        };
        assert_eq!(pending.len(), 1);
        assert!(pending[0].contains("answering 2xx or 3xx"), "{pending:?}");
        assert!(pending[0].contains("status 500"), "{pending:?}");
        // It kept asking: more than one attempt in 300 ms.
        assert!(seen.lock().unwrap().len() > 1);
    }

    #[test]
    fn http_status_classes() {
        let limit = Duration::from_secs(2);
        let (redirect, _) = serve("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n");
        assert_eq!(check_http(&url(redirect, "/"), limit), Ok(()));
        let (interim, _) =
            serve("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
        assert_eq!(check_http(&url(interim, "/"), limit), Ok(()));
        let (missing, _) = serve("HTTP/1.0 404 Not Found\r\n\r\n");
        assert_eq!(
            check_http(&url(missing, "/"), limit),
            Err("status 404".into())
        );
        let (garbage, _) = serve("SSH-2.0-OpenSSH_9.6\r\n");
        let err = check_http(&url(garbage, "/"), limit).unwrap_err();
        assert!(err.contains("not an HTTP response"), "{err}");
        let (_held, refusing) = refusing_port();
        let err = check_http(&url(refusing, "/"), limit).unwrap_err();
        assert!(err.to_lowercase().contains("refused"), "{err}");
    }

    #[test]
    fn http_attempt_is_bounded_when_the_server_never_answers() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            let mut held = Vec::new();
            for s in listener.incoming() {
                held.push(s);
            }
        });
        let start = Instant::now();
        let err = check_http(&url(port, "/"), Duration::from_millis(200)).unwrap_err();
        assert!(err.contains("no response within"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn log_tail_reads_incrementally_and_waits_for_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stdout.log");
        let err = dir.path().join("stderr.log");
        let mut tail = LogTail::new(vec![out.clone(), err.clone()]);
        assert!(tail.poll_lines().is_empty(), "no files yet");

        append(&out, "starting\r\npart");
        assert_eq!(tail.poll_lines(), ["starting"]);
        assert!(tail.poll_lines().is_empty(), "nothing is read twice");
        append(&out, "ial ready");
        assert!(tail.poll_lines().is_empty(), "a partial line waits");
        append(&out, "\nnext\n");
        append(&err, "warning\n");
        assert_eq!(tail.poll_lines(), ["partial ready", "next", "warning"]);

        // Truncated and rewritten: read again from the start.
        std::fs::write(&out, "new\n").unwrap();
        assert_eq!(tail.poll_lines(), ["new"]);
        // Replaced by another file of the same name, longer than the offset.
        let other = dir.path().join("rotated");
        std::fs::write(&other, "fresh one\nfresh two\n").unwrap();
        std::fs::rename(&other, &out).unwrap();
        assert_eq!(tail.poll_lines(), ["fresh one", "fresh two"]);
    }

    #[test]
    fn log_check_sees_a_line_appended_later() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stdout.log");
        let err = dir.path().join("stderr.log");
        append(&out, "booting\nlistening on");
        let writer = {
            let err = err.clone();
            let out = out.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(100));
                append(&err, "db connected\n");
                thread::sleep(Duration::from_millis(100));
                append(&out, " port 8080\n");
            })
        };
        let checks = [
            Check::Log(parse_log_regex(r"listening on port \d+").unwrap()),
            Check::Log(parse_log_regex("^db connected$").unwrap()),
        ];
        let took = wait_ready(
            &checks,
            &[out, err],
            Duration::from_secs(3),
            &mut always_alive(),
        )
        .unwrap();
        writer.join().unwrap();
        assert!(
            took >= Duration::from_millis(190),
            "matched a partial line: {took:?}"
        );
    }

    #[test]
    fn log_check_ignores_a_partial_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stdout.log");
        append(&out, "ready");
        let err = wait_ready(
            &[Check::Log(parse_log_regex("ready").unwrap())],
            std::slice::from_ref(&out),
            Duration::from_millis(150),
            &mut always_alive(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            NotReady::Timeout {
                pending: vec!["log line matching /ready/".into()]
            }
        );
    }

    #[test]
    fn cmd_check_passes_when_a_marker_file_appears() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ready");
        let maker = {
            let marker = marker.clone();
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(150));
                std::fs::write(marker, "").unwrap();
            })
        };
        let took = wait_ready(
            &[Check::Cmd(format!("test -e '{}'", marker.display()))],
            &[],
            Duration::from_secs(3),
            &mut always_alive(),
        )
        .unwrap();
        maker.join().unwrap();
        assert!(took >= Duration::from_millis(140), "{took:?}");
    }

    #[test]
    fn cmd_check_reports_exit_status_and_stderr_and_uses_options() {
        let opts = WaitOptions::default();
        assert_eq!(
            check_cmd(
                "echo noise; echo first >&2; echo boom >&2; exit 3",
                &opts,
                Duration::from_secs(2)
            ),
            Err("exit status 3: boom".into())
        );
        assert_eq!(
            check_cmd("kill -9 $$", &opts, Duration::from_secs(2)),
            Err("killed by signal 9".into())
        );
        let dir = tempfile::tempdir().unwrap();
        let opts = WaitOptions {
            cmd_env: vec![("PTEST_READY_X".into(), "42".into())],
            cmd_dir: Some(dir.path().to_path_buf()),
            ..WaitOptions::default()
        };
        let cmd = format!(
            "test \"$PTEST_READY_X\" = 42 && test \"$(pwd -P)\" = '{}'",
            dir.path().canonicalize().unwrap().display()
        );
        assert_eq!(check_cmd(&cmd, &opts, Duration::from_secs(2)), Ok(()));
    }

    /// Whether a process is gone (or a zombie waiting for its reaper).
    fn gone(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn cmd_attempt_over_its_limit_is_killed_with_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let opts = WaitOptions {
            cmd_attempt_limit: Duration::from_millis(100),
            ..WaitOptions::default()
        };
        let cmd = format!("sleep 30 & echo $! > '{}'; wait", pidfile.display());
        let start = Instant::now();
        let err = wait_ready_with(
            &[Check::Cmd(cmd)],
            &[],
            Duration::from_millis(250),
            &mut always_alive(),
            &opts,
        )
        .unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        let NotReady::Timeout { pending } = err else {
            panic!("expected a timeout, got {err:?}")
        };
        assert!(pending[0].contains("killed"), "{pending:?}");
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let pid = pid.trim();
        let deadline = Instant::now() + Duration::from_secs(2);
        while !gone(pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        assert!(gone(pid), "the probe's child {pid} survived");
    }

    #[test]
    fn timeout_reports_only_the_pending_checks() {
        let (_held, port) = refusing_port();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("out.log");
        append(&log, "hello\n");
        let checks = [
            Check::Port(port),
            Check::Cmd("true".into()),
            Check::Log(parse_log_regex("never").unwrap()),
            Check::Log(parse_log_regex("hel+o").unwrap()),
        ];
        let start = Instant::now();
        let err = wait_ready(
            &checks,
            &[log],
            Duration::from_millis(200),
            &mut always_alive(),
        )
        .unwrap_err();
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(1),
            "{took:?}"
        );
        let NotReady::Timeout { pending } = &err else {
            panic!("expected a timeout, got {err:?}")
        };
        assert_eq!(pending.len(), 2, "{pending:?}");
        assert!(
            pending[0].starts_with(&format!(
                "port {port} accepting connections (last attempt: 127.0.0.1:{port}: "
            )),
            "{pending:?}"
        );
        assert_eq!(pending[1], "log line matching /never/");
        let e = err.to_error("service web", Duration::from_millis(200));
        assert_eq!(e.exit.code(), 124);
        assert!(
            e.message
                .starts_with("service web was not ready after 200ms: still waiting for port"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_dead_service_ends_the_wait_at_once() {
        let calls = AtomicUsize::new(0);
        let mut alive = || {
            if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                Ok(())
            } else {
                Err("exited with status 3".to_owned())
            }
        };
        let (_held, port) = refusing_port();
        let start = Instant::now();
        let err = wait_ready(
            &[Check::Port(port)],
            &[],
            Duration::from_secs(10),
            &mut alive,
        )
        .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(err, NotReady::Died("exited with status 3".into()));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "alive() is asked once per round"
        );
        let e = err.to_error("service web", Duration::from_secs(10));
        assert_eq!(e.exit.code(), 1);
        assert_eq!(
            e.message,
            "service web exited before it was ready: exited with status 3"
        );
    }

    #[test]
    fn no_checks_are_ready_at_once_but_a_dead_service_is_not() {
        assert!(wait_ready(&[], &[], Duration::ZERO, &mut always_alive()).is_ok());
        let err = wait_ready(&[], &[], Duration::ZERO, &mut || Err("gone".into())).unwrap_err();
        assert_eq!(err, NotReady::Died("gone".into()));
    }

    #[test]
    fn url_parsing() {
        let u: HttpUrl = "http://127.0.0.1:8080/health".parse().unwrap();
        assert_eq!(
            u,
            HttpUrl {
                host: "127.0.0.1".into(),
                port: 8080,
                path: "/health".into()
            }
        );
        let u: HttpUrl = "http://localhost".parse().unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("localhost", 80, "/")
        );
        assert_eq!(u.to_string(), "http://localhost/");
        let u: HttpUrl = "HTTP://Api.Example:81?q=1#top".parse().unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("api.example", 81, "/?q=1")
        );
        assert_eq!(u.host_header(), "api.example:81");
        let u: HttpUrl = "http://[::1]:9000/a/b".parse().unwrap();
        assert_eq!(
            (u.host.as_str(), u.port, u.path.as_str()),
            ("::1", 9000, "/a/b")
        );
        assert_eq!(u.to_string(), "http://[::1]:9000/a/b");

        let cases = [
            ("https://127.0.0.1/", "https is not supported"),
            ("ftp://host/", "unsupported scheme \"ftp\""),
            ("127.0.0.1:8080/health", "expected http://HOST[:PORT]/PATH"),
            ("http:///health", "no host"),
            ("http://:8080/", "no host"),
            (
                "http://host:99999/",
                "port \"99999\" is not a number from 1 to 65535",
            ),
            ("http://host:0/", "port \"0\""),
            ("http://host:+80/", "port \"+80\""),
            ("http://host:/", "no port number after ':'"),
            ("http://user:pw@host/", "user names and passwords"),
            ("http://::1/", "must be in brackets"),
            ("http://[::1/", "without ']'"),
            ("http://[nope]/", "not an IPv6 address"),
            ("http://[::1]x/", "unexpected \"x\" after ']'"),
            ("http://ho st/", "not a host name"),
            ("http://host/a b", "percent-encode"),
        ];
        for (input, why) in cases {
            let err = input.parse::<HttpUrl>().unwrap_err();
            assert!(err.contains(&format!("{input:?}")), "{input}: {err}");
            assert!(err.contains(why), "{input}: {err}");
        }
    }

    #[test]
    fn log_regex_errors_are_one_line() {
        assert!(
            parse_log_regex(r"ready on :\d+$")
                .unwrap()
                .is_match("ready on :80")
        );
        let err = parse_log_regex("(ready").unwrap_err();
        assert_eq!(err, "invalid log pattern \"(ready\": unclosed group");
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            Check::Port(20113).describe(),
            "port 20113 accepting connections"
        );
        assert_eq!(
            Check::Log(parse_log_regex("ready").unwrap()).describe(),
            "log line matching /ready/"
        );
        assert_eq!(
            Check::Http(url(8080, "/health")).describe(),
            "GET http://127.0.0.1:8080/health answering 2xx or 3xx"
        );
        assert_eq!(
            Check::Cmd("pg_isready".into()).describe(),
            "command `pg_isready` exiting 0"
        );
    }

    #[test]
    fn tail_lines_returns_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        assert!(tail_lines(&p, 3).is_empty(), "missing file");
        std::fs::write(&p, "").unwrap();
        assert!(tail_lines(&p, 3).is_empty());
        std::fs::write(&p, "a\nb\nc\nd\n").unwrap();
        assert_eq!(tail_lines(&p, 2), ["c", "d"]);
        assert_eq!(tail_lines(&p, 10), ["a", "b", "c", "d"]);
        assert!(tail_lines(&p, 0).is_empty());
        std::fs::write(&p, "a\r\nb\nunfinished").unwrap();
        assert_eq!(tail_lines(&p, 2), ["b", "unfinished"]);
        // Longer than one read from the end.
        let big: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&p, big).unwrap();
        assert_eq!(
            tail_lines(&p, 3),
            ["line 49997", "line 49998", "line 49999"]
        );
        assert_eq!(
            tail_lines(&p, 20_000).first().map(String::as_str),
            Some("line 30000")
        );
    }

    /// A `Write` whose bytes the test can read while another thread writes.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
        fn wait_for(&self, want: &str) {
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.text() != want && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            assert_eq!(self.text(), want);
        }
    }

    #[test]
    fn follow_copies_appended_data_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let out = Shared::default();
        let stop = Arc::new(AtomicBool::new(false));
        let follower = {
            let (path, mut out, stop) = (path.clone(), out.clone(), Arc::clone(&stop));
            thread::spawn(move || follow(&path, &mut out, &|| stop.load(Ordering::SeqCst)))
        };
        // The file does not exist yet: it is waited for.
        thread::sleep(Duration::from_millis(50));
        append(&path, "one\n");
        out.wait_for("one\n");
        append(&path, "two\n");
        out.wait_for("one\ntwo\n");
        // Truncated: copied again from its start.
        std::fs::write(&path, "3\n").unwrap();
        out.wait_for("one\ntwo\n3\n");
        // Data written just before the stop is still copied.
        append(&path, "last\n");
        stop.store(true, Ordering::SeqCst);
        let start = Instant::now();
        follower.join().unwrap().unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(out.text(), "one\ntwo\n3\nlast\n");
    }
}
