//! Readiness of a started container: a log line, a port that accepts, an
//! HTTP answer, or a command that succeeds inside — checked at once, then
//! every 1 ms growing to every 50 ms, until the timeout, and given up at once when the container exits.
//!
//! Ports are probed on the container's own address when the host can route
//! to it (bridge networks), not on the published host port: Docker's
//! userland proxy accepts connections on a published port before anything
//! listens inside.

use crate::commands;
use crate::engine::Engine;
use futures_util::StreamExt;
use ptest_shared::interrupt;
use regex::Regex;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// What "ready" means for a container.
#[derive(Debug, Clone)]
pub enum Check {
    /// Started is ready.
    Started,
    Log(Regex),
    Port(u16),
    Http {
        port: u16,
        path: String,
    },
    Cmd(String),
}

/// Where a container port can be reached from here.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// The container's address on its network, when the host routes to it.
    pub ip: Option<String>,
    /// Published ports: (container port, host port on 127.0.0.1).
    pub published: Vec<(u16, u16)>,
}

impl Reach {
    fn addr(&self, port: u16) -> Option<SocketAddr> {
        if let Some(ip) = &self.ip
            && let Ok(a) = format!("{ip}:{port}").parse()
        {
            return Some(a);
        }
        self.published
            .iter()
            .find(|(c, _)| *c == port)
            .and_then(|(_, h)| format!("127.0.0.1:{h}").parse().ok())
    }
}

/// Why a container did not become ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// It stopped first (with its exit code, and whether it was OOM-killed).
    Exited {
        code: i64,
        oom_killed: bool,
    },
    Timeout(String),
    /// The check cannot be made (e.g. no address to probe).
    Impossible(String),
    /// A signal asked us to stop waiting (see `ptest_shared::interrupt`).
    Interrupted(i32),
}

/// Waits until `check` passes for container `id`.
pub fn wait(
    engine: &Engine,
    id: &str,
    check: &Check,
    reach: &Reach,
    timeout: Duration,
) -> Result<Duration, NotReady> {
    let start = Instant::now();
    if let Check::Log(re) = check {
        return wait_log(engine, id, re, timeout).map(|_| start.elapsed());
    }
    if let Check::Started = check {
        return Ok(start.elapsed());
    }
    // Quick at first (most services are up within milliseconds), then
    // every 50 ms; the engine is asked whether it still runs only after a
    // probe fails.
    let mut pause = Duration::from_millis(1);
    loop {
        let probed = probe(engine, id, check, reach);
        if let Ok(true) = probed {
            return Ok(start.elapsed());
        }
        // A stop comes first: it also explains an address gone missing.
        if let Some(gone) = exited(engine, id) {
            return Err(gone);
        }
        probed?;
        if start.elapsed() >= timeout {
            return Err(NotReady::Timeout(describe(check)));
        }
        if let Some(n) = interrupt::requested() {
            return Err(NotReady::Interrupted(n));
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// One attempt at `check`.
fn probe(engine: &Engine, id: &str, check: &Check, reach: &Reach) -> Result<bool, NotReady> {
    Ok(match check {
        Check::Started => true,
        Check::Port(p) => {
            let a = reach.addr(*p).ok_or_else(|| {
                    NotReady::Impossible(format!(
                        "--ready-port {p}: the container has no address the host can reach and the port is not published"
                    ))
                })?;
            TcpStream::connect_timeout(&a, Duration::from_millis(200)).is_ok()
        }
        Check::Http { port, path } => {
            let a = reach.addr(*port).ok_or_else(|| {
                    NotReady::Impossible(format!(
                        "--ready-http: port {port} cannot be reached from the host (not published, no routable address)"
                    ))
                })?;
            let url = ptest_shared::http::HttpUrl {
                host: a.ip().to_string(),
                port: a.port(),
                path: path.clone(),
            };
            ptest_shared::http::check_http(&url, Duration::from_secs(1)).is_ok()
        }
        Check::Cmd(c) => {
            commands::run_exec(engine, id, &["sh".into(), "-c".into(), c.clone()], false)
                .map(|(code, _)| code == 0)
                .unwrap_or(false)
        }
        Check::Log(_) => unreachable!("handled by wait"),
    })
}

fn describe(check: &Check) -> String {
    match check {
        Check::Started => "start".into(),
        Check::Log(r) => format!("a log line matching {:?}", r.as_str()),
        Check::Port(p) => format!("port {p} to accept connections"),
        Check::Http { port, path } => format!("GET {path} on port {port} to answer 2xx or 3xx"),
        Check::Cmd(c) => format!("`{c}` to succeed inside"),
    }
}

/// `Some` when the container is no longer running.
fn exited(engine: &Engine, id: &str) -> Option<NotReady> {
    let st = commands::state(engine, id)?;
    if st.running == Some(true) {
        return None;
    }
    Some(NotReady::Exited {
        code: st.exit_code.unwrap_or(-1),
        oom_killed: st.oom_killed.unwrap_or(false),
    })
}

/// Follows the container's log from its start until a line matches.
fn wait_log(engine: &Engine, id: &str, re: &Regex, timeout: Duration) -> Result<(), NotReady> {
    let found = engine.block_on(async {
        let opts = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(true)
            .build();
        let mut s = engine.docker.logs(id, Some(opts));
        let mut pending = String::new();
        let scan = async {
            while let Some(chunk) = s.next().await {
                let Ok(chunk) = chunk else { return false };
                let mut text = String::new();
                commands::write_log(&chunk, false, &mut text);
                pending.push_str(&text);
                while let Some(nl) = pending.find('\n') {
                    let line: String = pending.drain(..=nl).collect();
                    if re.is_match(line.trim_end_matches(['\n', '\r'])) {
                        return true;
                    }
                }
                if re.is_match(&pending) {
                    return true;
                }
            }
            false
        };
        // Interruptible: a signal is looked for every 50 ms.
        let interrupted = async {
            loop {
                if let Some(n) = interrupt::requested() {
                    return n;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::select! {
            r = tokio::time::timeout(timeout, scan) => r.map_err(|_| None),
            n = interrupted => Err(Some(n)),
        }
    });
    match found {
        Err(Some(n)) => Err(NotReady::Interrupted(n)),
        Ok(true) => Ok(()),
        // The log ended: the container stopped.
        Ok(false) => Err(exited(engine, id).unwrap_or(NotReady::Exited {
            code: -1,
            oom_killed: false,
        })),
        Err(None) => Err(NotReady::Timeout(format!(
            "a log line matching {:?}",
            re.as_str()
        ))),
    }
}

/// Builds the check from the command line (at most one is given).
pub fn from_args(a: &crate::CreateArgs, first_port: Option<u16>) -> ptest_shared::Result<Check> {
    use ptest_shared::Error;
    if let Some(r) = &a.ready_log {
        return Regex::new(r).map(Check::Log).map_err(|e| {
            Error::usage(format!(
                "--ready-log {r:?}: {}",
                e.to_string().lines().last().unwrap_or("")
            ))
        });
    }
    if let Some(p) = a.ready_port {
        return Ok(Check::Port(p));
    }
    if let Some(h) = &a.ready_http {
        let (port, path) = match h.split_once(':') {
            Some((p, path)) if p.parse::<u16>().is_ok() => (p.parse::<u16>().ok(), path.to_owned()),
            _ => (None, h.clone()),
        };
        let port = port.or(first_port).ok_or_else(|| {
            Error::usage(format!(
                "--ready-http {h:?}: name the port (CPORT:PATH) or publish one with --port"
            ))
        })?;
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        return Ok(Check::Http { port, path });
    }
    if let Some(c) = &a.ready_cmd {
        return Ok(Check::Cmd(c.clone()));
    }
    Ok(Check::Started)
}

/// The exit code and message for a container that did not become ready.
pub fn failure(
    engine: &Engine,
    id: &str,
    name: &str,
    why: &NotReady,
    timeout: Duration,
) -> ptest_shared::Error {
    // Interrupted, the user knows why: no log tail.
    let tail = match why {
        NotReady::Interrupted(_) => String::new(),
        _ => commands::log_tail(engine, id, 20),
    };
    if !tail.trim().is_empty() {
        eprintln!("ptest-docker: the last lines of {name}'s log:");
        for l in tail.lines() {
            eprintln!("  | {l}");
        }
    }
    match why {
        NotReady::Exited { code, oom_killed } => ptest_shared::Error::failed(format!(
            "container {name} exited with {code}{} before it was ready",
            if *oom_killed {
                " (killed for memory: oom_killed)"
            } else {
                ""
            }
        )),
        NotReady::Timeout(what) => ptest_shared::Error::timeout(format!(
            "container {name} was not ready within {}: still waiting for {what}",
            ptest_shared::units::format_duration(timeout)
        ))
        .hint("raise --ready-timeout, or check the readiness condition against the log above"),
        NotReady::Impossible(m) => ptest_shared::Error::usage(m.clone()),
        NotReady::Interrupted(n) => ptest_shared::Error::interrupted(*n),
    }
}
