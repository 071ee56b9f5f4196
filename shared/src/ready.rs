//! Readiness, once for every tool that starts a service (`ptest proc
//! start`, `ptest docker create`): the `--ready-*` flags ([`ReadyArgs`]),
//! what they ask for ([`Readiness`]), and the one loop that waits until it
//! holds ([`wait`]).
//!
//! The flags mean the same thing in every tool:
//!
//! - `--ready-port PORT|NAME`: the service accepts TCP connections on the
//!   port it listens on, or on the port lease NAME of the stream.
//! - `--ready-log REGEX`: a complete line of its output matches.
//! - `--ready-http URL|[PORT|NAME:]PATH`: a `GET` answers 2xx or 3xx; PATH
//!   alone goes to the port of `--ready-port`, else the tool's one port.
//! - `--ready-cmd CMD`: `sh -c CMD` exits 0, run where the service runs (on
//!   the host for proc, inside the container for docker).
//! - `--ready-timeout DURATION` (60 s): then exit 124 with the log's tail.
//!
//! Given together, all must hold. Each tool turns a [`Readiness`] into
//! [`Check`]s where its service can be reached, and answers for the parts
//! only it can do through [`Service`]: whether the service still runs, the
//! lines of its log, and running the command check.

use crate::error::{Error, Result};
use crate::http::{CONNECT_LIMIT, HttpUrl, check_http, connect_any};
use crate::units::{format_duration, parse_positive_duration};
use regex::Regex;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

/// The first pause between two rounds of checks; it doubles up to [`MAX_NAP`].
const FIRST_NAP: Duration = Duration::from_millis(1);
const MAX_NAP: Duration = Duration::from_millis(50);
/// How long one HTTP request may take, connect included.
const HTTP_LIMIT: Duration = Duration::from_secs(2);
/// How long one attempt of a command check may take.
pub const CMD_ATTEMPT_LIMIT: Duration = Duration::from_secs(5);
/// The least time an attempt gets, even in the last round before the deadline.
const MIN_ATTEMPT: Duration = Duration::from_millis(20);

/// The `--ready-*` flags, flattened into each tool's command line.
#[derive(clap::Args, Debug, Clone)]
pub struct ReadyArgs {
    /// Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream
    #[arg(long, value_name = "PORT|NAME", help_heading = "Readiness")]
    pub ready_port: Option<String>,
    /// Ready when a complete line of the service's output matches REGEX
    #[arg(long, value_name = "REGEX", help_heading = "Readiness")]
    pub ready_log: Option<String>,
    /// Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service's port
    #[arg(long, value_name = "URL|[PORT:]PATH", help_heading = "Readiness")]
    pub ready_http: Option<String>,
    /// Ready when `sh -c CMD`, run where the service runs, exits 0
    #[arg(long, value_name = "CMD", help_heading = "Readiness")]
    pub ready_cmd: Option<String>,
    /// Give up (exit 124, with the log's tail) when not ready after this long
    #[arg(long, value_name = "DURATION", value_parser = parse_positive_duration, default_value = "60s", help_heading = "Readiness")]
    pub ready_timeout: Duration,
}

/// The default readiness timeout, `--ready-timeout`'s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for ReadyArgs {
    /// No checks, the default timeout: what no flag given means.
    fn default() -> Self {
        ReadyArgs {
            ready_port: None,
            ready_log: None,
            ready_http: None,
            ready_cmd: None,
            ready_timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// A port as the flags name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// The port the service listens on.
    Number(u16),
    /// The port lease of this name in the stream.
    Lease(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Lease(name) => write!(f, "{name}"),
        }
    }
}

impl PortRef {
    fn parse(s: &str, flag: &str) -> Result<PortRef> {
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return match s.parse::<u16>() {
                Ok(n) if n > 0 => Ok(PortRef::Number(n)),
                _ => Err(Error::usage(format!(
                    "{flag} {s:?}: a port is a number from 1 to 65535"
                ))),
            };
        }
        crate::kinds::check_lease_name(s)
            .map_err(|why| Error::usage(format!("{flag} {s:?}: {why}")))?;
        Ok(PortRef::Lease(s.to_owned()))
    }
}

/// What `--ready-http` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpWant {
    /// A whole URL, asked as it is.
    Url(HttpUrl),
    /// A path on one of the service's ports (`None`: the port of
    /// `--ready-port`, else the tool's one port).
    Path { port: Option<PortRef>, path: String },
}

/// What the flags ask for, checked: every mistake is a usage error naming
/// its flag, found before anything is started.
#[derive(Debug, Clone)]
pub struct Readiness {
    pub port: Option<PortRef>,
    pub log: Option<Regex>,
    pub http: Option<HttpWant>,
    pub cmd: Option<String>,
    pub timeout: Duration,
}

impl ReadyArgs {
    /// Checks the flags.
    pub fn parse(&self) -> Result<Readiness> {
        let port = self
            .ready_port
            .as_deref()
            .map(|p| PortRef::parse(p, "--ready-port"))
            .transpose()?;
        let log = self
            .ready_log
            .as_deref()
            .map(|r| parse_log_regex(r).map_err(|e| Error::usage(format!("--ready-log: {e}"))))
            .transpose()?;
        let http = self.ready_http.as_deref().map(parse_http).transpose()?;
        if let Some(c) = &self.ready_cmd
            && c.trim().is_empty()
        {
            return Err(Error::usage("--ready-cmd: the command is empty"));
        }
        Ok(Readiness {
            port,
            log,
            http,
            cmd: self.ready_cmd.clone(),
            timeout: self.ready_timeout,
        })
    }
}

fn parse_http(s: &str) -> Result<HttpWant> {
    let lower = s.to_ascii_lowercase();
    if lower.contains("://") {
        return s
            .parse()
            .map(HttpWant::Url)
            .map_err(|e: String| Error::usage(format!("--ready-http: {e}")));
    }
    let (port, path) = match s.split_once(':') {
        Some((p, path)) if !p.contains('/') => {
            (Some(PortRef::parse(p, "--ready-http")?), path.to_owned())
        }
        _ => (None, s.to_owned()),
    };
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    // The same rules as a URL's path: checked by making one.
    let probe = format!("http://127.0.0.1{path}");
    probe
        .parse::<HttpUrl>()
        .map_err(|e| Error::usage(format!("--ready-http {s:?}: {e}")))?;
    Ok(HttpWant::Path { port, path })
}

impl Readiness {
    /// The port `--ready-http PATH` goes to: its own, else `--ready-port`'s.
    pub fn http_port(&self) -> Option<&PortRef> {
        match &self.http {
            Some(HttpWant::Path { port: Some(p), .. }) => Some(p),
            _ => self.port.as_ref(),
        }
    }
}

/// Compiles the pattern of a log check; the error is one line that names the
/// pattern and what is wrong with it.
pub fn parse_log_regex(s: &str) -> std::result::Result<Regex, String> {
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

/// One readiness condition, where the service can be reached from here.
#[derive(Debug, Clone)]
pub enum Check {
    /// A TCP connect to one of `addrs` succeeds; `port` is the port as the
    /// user named it (a container's own port, say).
    Port { port: u16, addrs: Vec<SocketAddr> },
    /// A complete line of the service's output matches.
    Log(Regex),
    /// A GET of the URL answers with a 2xx or 3xx status.
    Http(HttpUrl),
    /// `sh -c CMD`, where the service runs, exits 0.
    Cmd(String),
}

impl Check {
    /// A port on this host's loopback (IPv4, then IPv6).
    pub fn local_port(port: u16) -> Check {
        Check::Port {
            port,
            addrs: vec![
                SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
                SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
            ],
        }
    }

    /// What the check waits for, in words: "port 20113 accepting connections".
    pub fn describe(&self) -> String {
        match self {
            Check::Port { port, .. } => format!("port {port} accepting connections"),
            Check::Log(re) => format!("log line matching /{}/", re.as_str()),
            Check::Http(url) => format!("GET {url} answering 2xx or 3xx"),
            Check::Cmd(cmd) => format!("command `{cmd}` exiting 0"),
        }
    }
}

/// What only the tool that started the service can do.
pub trait Service {
    /// `Err(why)` once the service has ended ("exited with status 3").
    fn alive(&mut self) -> std::result::Result<(), String>;
    /// The complete lines of its output written since the last call.
    fn log_lines(&mut self) -> Vec<String>;
    /// One attempt of a command check, where the service runs, ended (with
    /// what it started) when over `limit`.
    fn run_check(&mut self, cmd: &str, limit: Duration) -> std::result::Result<(), String>;
}

/// Why [`wait`] gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The time was up. `pending` describes each check that had not passed,
    /// with the outcome of its last attempt when there is one to tell:
    /// "port 20113 accepting connections (last attempt: connection refused)".
    Timeout { pending: Vec<String> },
    /// The service ended first; the message is the one `alive()` gave.
    Died(String),
    /// A signal asked us to stop waiting (see [`crate::interrupt`]).
    Interrupted(i32),
}

impl std::fmt::Display for NotReady {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotReady::Timeout { pending } => write!(f, "still waiting for {}", pending.join("; ")),
            NotReady::Died(msg) => write!(f, "{msg}"),
            NotReady::Interrupted(n) => write!(f, "interrupted by signal {n}"),
        }
    }
}

impl NotReady {
    /// The error to report: 124 when the time was up, 1 when the service
    /// ended, 128+N when interrupted. `what` names the service ("service
    /// web", "container db"), `waited` is the readiness timeout.
    pub fn to_error(&self, what: &str, waited: Duration) -> Error {
        match self {
            NotReady::Timeout { pending } => Error::timeout(format!(
                "{what} was not ready after {}: still waiting for {}",
                format_duration(waited),
                pending.join("; ")
            ))
            .hint("raise --ready-timeout, or check the readiness condition against the log above"),
            NotReady::Died(msg) => {
                Error::failed(format!("{what} exited before it was ready: {msg}"))
            }
            NotReady::Interrupted(n) => Error::interrupted(*n),
        }
    }
}

/// Polls every check until all pass, with backoff from 1 ms up to 50 ms
/// between rounds, and returns the time it took. Each round first asks
/// whether the service still runs (one that ended ends the wait at once)
/// and whether a signal asked us to stop. A check that passed once stays
/// passed. No attempt outlives the deadline by more than a few
/// milliseconds, so the wait ends close to `timeout`.
pub fn wait(
    service: &mut dyn Service,
    checks: &[Check],
    timeout: Duration,
) -> std::result::Result<Duration, NotReady> {
    let start = Instant::now();
    // A timeout too large to add is as good as none.
    let deadline = start
        .checked_add(timeout)
        .unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 3600));
    let mut passed = vec![false; checks.len()];
    let mut last_failure: Vec<Option<String>> = vec![None; checks.len()];
    let needs_logs = checks.iter().any(|c| matches!(c, Check::Log(_)));
    let mut nap = FIRST_NAP;
    loop {
        if let Some(n) = crate::interrupt::requested() {
            return Err(NotReady::Interrupted(n));
        }
        service.alive().map_err(NotReady::Died)?;
        let lines = if needs_logs {
            service.log_lines()
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
                Check::Port { addrs, .. } => {
                    connect_any(addrs, CONNECT_LIMIT.min(budget)).map(drop)
                }
                Check::Log(re) => {
                    if lines.iter().any(|l| re.is_match(l)) {
                        Ok(())
                    } else {
                        // Nothing to add to the description: no line matched.
                        continue;
                    }
                }
                Check::Http(url) => check_http(url, HTTP_LIMIT.min(budget)),
                Check::Cmd(cmd) => service.run_check(cmd, CMD_ATTEMPT_LIMIT.min(budget)),
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
        std::thread::sleep(nap.min(deadline - now));
        nap = (nap * 2).min(MAX_NAP);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A service that runs until `dies_after` rounds, logs `lines` once, and
    /// whose command check passes when the command is "true".
    struct Fake {
        rounds: usize,
        dies_after: usize,
        lines: Vec<String>,
    }

    impl Service for Fake {
        fn alive(&mut self) -> std::result::Result<(), String> {
            self.rounds += 1;
            if self.rounds > self.dies_after {
                return Err("exited with status 3".into());
            }
            Ok(())
        }
        fn log_lines(&mut self) -> Vec<String> {
            std::mem::take(&mut self.lines)
        }
        fn run_check(&mut self, cmd: &str, _: Duration) -> std::result::Result<(), String> {
            if cmd == "true" {
                Ok(())
            } else {
                Err("exit status 1".into())
            }
        }
    }

    fn fake(lines: &[&str]) -> Fake {
        Fake {
            rounds: 0,
            dies_after: usize::MAX,
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    fn args(port: Option<&str>, http: Option<&str>) -> ReadyArgs {
        ReadyArgs {
            ready_port: port.map(str::to_owned),
            ready_http: http.map(str::to_owned),
            ..ReadyArgs::default()
        }
    }

    #[test]
    fn the_flags_mean_one_thing_and_bad_ones_are_usage_errors() {
        let r = args(Some("5432"), Some("health")).parse().unwrap();
        assert_eq!(r.port, Some(PortRef::Number(5432)));
        assert_eq!(
            r.http,
            Some(HttpWant::Path {
                port: None,
                path: "/health".into()
            })
        );
        assert_eq!(r.http_port(), Some(&PortRef::Number(5432)));
        let r = args(Some("db"), Some("web:/v1/ping?x=1")).parse().unwrap();
        assert_eq!(r.port, Some(PortRef::Lease("db".into())));
        assert_eq!(r.http_port(), Some(&PortRef::Lease("web".into())));
        let r = args(None, Some("http://127.0.0.1:8080/health"))
            .parse()
            .unwrap();
        assert!(matches!(r.http, Some(HttpWant::Url(ref u)) if u.port == 8080));
        assert_eq!(r.http_port(), None);
        for (port, http, names) in [
            (Some("0"), None, "--ready-port \"0\""),
            (Some("70000"), None, "--ready-port \"70000\""),
            (Some("a b"), None, "--ready-port \"a b\""),
            (None, Some("https://x/"), "--ready-http"),
            (None, Some("8080:/a b"), "--ready-http \"8080:/a b\""),
        ] {
            let e = args(port, http).parse().unwrap_err();
            assert_eq!(e.exit.code(), 64, "{port:?} {http:?}");
            assert!(e.message.contains(names), "{}", e.message);
        }
        let mut bad = args(None, None);
        bad.ready_log = Some("(ready".into());
        let e = bad.parse().unwrap_err();
        assert_eq!(
            e.message,
            "--ready-log: invalid log pattern \"(ready\": unclosed group"
        );
    }

    #[test]
    fn every_check_must_pass_and_a_passed_one_stays_passed() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let checks = [
            Check::local_port(port),
            Check::Log(parse_log_regex("^up on \\d+$").unwrap()),
            Check::Cmd("true".into()),
        ];
        // The log line comes once, in the first round: it still counts.
        let mut s = fake(&["booting", "up on 80"]);
        wait(&mut s, &checks, Duration::from_secs(5)).unwrap();
        assert_eq!(s.rounds, 1);
    }

    #[test]
    fn a_timeout_names_what_was_still_pending_with_its_last_failure() {
        let checks = [
            Check::Cmd("true".into()),
            Check::Cmd("false".into()),
            Check::Log(parse_log_regex("never").unwrap()),
        ];
        let start = Instant::now();
        let err = wait(&mut fake(&[]), &checks, Duration::from_millis(100)).unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(100));
        assert_eq!(
            err,
            NotReady::Timeout {
                pending: vec![
                    "command `false` exiting 0 (last attempt: exit status 1)".into(),
                    "log line matching /never/".into()
                ]
            }
        );
        let e = err.to_error("container db", Duration::from_millis(100));
        assert_eq!(e.exit.code(), 124);
        assert!(
            e.message
                .starts_with("container db was not ready after 100ms: still waiting for command"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_service_that_ends_ends_the_wait_at_once() {
        let mut s = fake(&[]);
        s.dies_after = 2;
        let err = wait(
            &mut s,
            &[Check::Cmd("false".into())],
            Duration::from_secs(30),
        )
        .unwrap_err();
        assert_eq!(err, NotReady::Died("exited with status 3".into()));
        assert_eq!(s.rounds, 3, "alive() is asked once per round");
        let e = err.to_error("service web", Duration::from_secs(30));
        assert_eq!(e.exit.code(), 1);
        assert_eq!(
            e.message,
            "service web exited before it was ready: exited with status 3"
        );
        // No checks: ready at once, unless it has ended already.
        assert!(wait(&mut fake(&[]), &[], Duration::ZERO).is_ok());
        let mut dead = fake(&[]);
        dead.dies_after = 0;
        assert!(matches!(
            wait(&mut dead, &[], Duration::ZERO),
            Err(NotReady::Died(_))
        ));
    }

    #[test]
    fn no_flag_is_the_default() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            ready: ReadyArgs,
        }
        let parsed = <Cli as clap::Parser>::parse_from(["t"]).ready;
        assert_eq!(parsed.ready_timeout, ReadyArgs::default().ready_timeout);
        let r = parsed.parse().unwrap();
        assert!(r.port.is_none() && r.log.is_none() && r.http.is_none() && r.cmd.is_none());
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            Check::local_port(20113).describe(),
            "port 20113 accepting connections"
        );
        assert_eq!(
            Check::Log(parse_log_regex("ready").unwrap()).describe(),
            "log line matching /ready/"
        );
        assert_eq!(
            Check::Http("http://127.0.0.1:8080/health".parse().unwrap()).describe(),
            "GET http://127.0.0.1:8080/health answering 2xx or 3xx"
        );
        assert_eq!(
            Check::Cmd("pg_isready".into()).describe(),
            "command `pg_isready` exiting 0"
        );
    }
}
