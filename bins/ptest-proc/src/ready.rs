//! Readiness of a `proc start` service, on this host: the checks and their
//! loop are [`ptest_shared::ready`]'s; here is what only proc can answer —
//! whether the service still runs (its record and supervisor), the lines of
//! its log files, and the command check, run with the service's
//! environment and working directory in a process group of its own.

use crate::logs::LogTail;
use ptest_shared::http::io_words;
use ptest_shared::ready::Service;
use ptest_shared::units::format_duration;
use std::ffi::OsString;
use std::io::{self, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A service started on this host.
pub struct HostService<'a> {
    logs: LogTail,
    /// Variables set for command checks, over ptest's own environment (the
    /// service's environment from the record stream).
    env: Vec<(OsString, OsString)>,
    /// The working directory of command checks; ptest's own when `None`.
    dir: Option<PathBuf>,
    alive: &'a mut dyn FnMut() -> Result<(), String>,
}

impl<'a> HostService<'a> {
    /// `logs` are the service's stdout and stderr log files; `alive()`
    /// says `Err(why)` once it has ended.
    pub fn new(
        logs: Vec<PathBuf>,
        env: Vec<(OsString, OsString)>,
        dir: Option<PathBuf>,
        alive: &'a mut dyn FnMut() -> Result<(), String>,
    ) -> Self {
        HostService {
            logs: LogTail::new(logs),
            env,
            dir,
            alive,
        }
    }
}

impl Service for HostService<'_> {
    fn alive(&mut self) -> Result<(), String> {
        (self.alive)()
    }
    fn log_lines(&mut self) -> Vec<String> {
        self.logs.poll_lines()
    }
    fn run_check(&mut self, cmd: &str, limit: Duration) -> Result<(), String> {
        run_on_host(cmd, &self.env, self.dir.as_ref(), limit)
    }
}

/// One attempt of `sh -c CMD`: Ok when it exits 0 within `limit`. Its output
/// never reaches our stdout (the record stream): stdout is discarded, and the
/// last line of its stderr explains a failure.
fn run_on_host(
    cmd: &str,
    env: &[(OsString, OsString)],
    dir: Option<&PathBuf>,
    limit: Duration,
) -> Result<(), String> {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    for (name, value) in env {
        command.env(name, value);
    }
    if let Some(dir) = dir {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::tests::append;
    use ptest_shared::http::{HttpUrl, check_http, find_head_end};
    use ptest_shared::ready::{self, Check, NotReady, parse_log_regex};
    use std::io::Write;
    use std::net::TcpListener;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    fn always_alive() -> impl FnMut() -> Result<(), String> {
        || Ok(())
    }

    /// Waits as `proc start` does, for a service whose logs are `logs`.
    fn wait_ready(
        checks: &[Check],
        logs: &[PathBuf],
        timeout: Duration,
        alive: &mut dyn FnMut() -> Result<(), String>,
    ) -> Result<Duration, NotReady> {
        let mut service = HostService::new(logs.to_vec(), Vec::new(), None, alive);
        ready::wait(&mut service, checks, timeout)
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
            &[Check::local_port(port)],
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
        let limit = Duration::from_secs(2);
        assert_eq!(
            run_on_host(
                "echo noise; echo first >&2; echo boom >&2; exit 3",
                &[],
                None,
                limit
            ),
            Err("exit status 3: boom".into())
        );
        assert_eq!(
            run_on_host("kill -9 $$", &[], None, limit),
            Err("killed by signal 9".into())
        );
        let dir = tempfile::tempdir().unwrap();
        let mut alive = always_alive();
        let mut service = HostService::new(
            Vec::new(),
            vec![("PTEST_READY_X".into(), "42".into())],
            Some(dir.path().to_path_buf()),
            &mut alive,
        );
        let cmd = format!(
            "test \"$PTEST_READY_X\" = 42 && test \"$(pwd -P)\" = '{}'",
            dir.path().canonicalize().unwrap().display()
        );
        assert_eq!(service.run_check(&cmd, limit), Ok(()));
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
        let cmd = format!("sleep 30 & echo $! > '{}'; wait", pidfile.display());
        let start = Instant::now();
        let err = wait_ready(
            &[Check::Cmd(cmd)],
            &[],
            Duration::from_millis(250),
            &mut always_alive(),
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
            Check::local_port(port),
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
            &[Check::local_port(port)],
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
}
