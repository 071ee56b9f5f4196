//! Readiness of a started container. The `--ready-*` flags and the loop
//! that waits are [`ptest_shared::ready`]'s; here is what only the engine
//! can answer: where a container port is reached from the host, whether the
//! container still runs, its log lines, and the command check, run inside.
//!
//! Ports are probed on the container's own address when the host can route
//! to it (bridge networks), not on the published host port: Docker's
//! userland proxy accepts connections on a published port before anything
//! listens inside.

use crate::create_plan::PortSpec;
use crate::engine::Engine;
use crate::{exec, inspect, logs};
use futures_util::StreamExt;
use ptest_shared::ready::{self, Check, HttpWant, NotReady, PortRef, Readiness, Service};
use ptest_shared::{Error, Result};
use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::Duration;

/// The flags' checks in container terms, decided before anything is made:
/// a port is a container port (a lease name, the port published on it).
#[derive(Debug, Clone)]
pub struct Wanted {
    port: Option<u16>,
    log: Option<regex::Regex>,
    http: Option<Http>,
    cmd: Option<String>,
    pub timeout: Duration,
}

#[derive(Debug, Clone)]
enum Http {
    Url(ptest_shared::http::HttpUrl),
    Path { port: u16, path: String },
}

/// Resolves the flags against the `--port`s given; a port that cannot be
/// named is a usage error now, not a timeout later.
pub fn plan(r: &Readiness, ports: &[PortSpec]) -> Result<Wanted> {
    let container_port = |p: &PortRef, flag: &str| -> Result<u16> {
        match p {
            PortRef::Number(n) => Ok(*n),
            PortRef::Lease(name) => ports
                .iter()
                .find(|s| s.lease.as_deref() == Some(name.as_str()))
                .map(|s| s.container)
                .ok_or_else(|| {
                    Error::usage(format!(
                        "{flag} {name}: no --port CPORT={name} publishes a container port on that lease"
                    ))
                }),
        }
    };
    let http = match &r.http {
        None => None,
        Some(HttpWant::Url(u)) => Some(Http::Url(u.clone())),
        Some(HttpWant::Path { path, .. }) => {
            let port = match r.http_port() {
                Some(p) => container_port(p, "--ready-http")?,
                None => ports.first().map(|p| p.container).ok_or_else(|| {
                    Error::usage(
                        "--ready-http PATH: name the port (CPORT:PATH), give --ready-port, or publish one with --port",
                    )
                })?,
            };
            Some(Http::Path {
                port,
                path: path.clone(),
            })
        }
    };
    Ok(Wanted {
        port: r
            .port
            .as_ref()
            .map(|p| container_port(p, "--ready-port"))
            .transpose()?,
        log: r.log.clone(),
        http,
        cmd: r.cmd.clone(),
        timeout: r.timeout,
    })
}

impl Wanted {
    /// The checks as the container record keeps them (`ready`), in the
    /// flags' own words with every port a container port, so that
    /// `ptest snap restore` and `reset` wait for them again through the
    /// same flags ([`ptest_shared::ready::ReadyArgs::from_record`]).
    /// `None` without checks (ready once started).
    pub fn to_record(&self) -> Option<serde_json::Value> {
        let mut m = serde_json::Map::new();
        if let Some(p) = self.port {
            m.insert("port".into(), p.into());
        }
        if let Some(re) = &self.log {
            m.insert("log".into(), re.as_str().into());
        }
        match &self.http {
            Some(Http::Url(u)) => {
                m.insert("http".into(), u.to_string().into());
            }
            Some(Http::Path { port, path }) => {
                m.insert("http".into(), format!("{port}:{path}").into());
            }
            None => {}
        }
        if let Some(c) = &self.cmd {
            m.insert("cmd".into(), c.as_str().into());
        }
        if m.is_empty() {
            return None;
        }
        let ms = u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX);
        m.insert("timeout_ms".into(), ms.into());
        Some(serde_json::Value::Object(m))
    }
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

    /// The checks for a container reached this way; a port the host cannot
    /// reach is a usage error.
    fn checks(&self, w: &Wanted) -> Result<Vec<Check>> {
        let unreachable = |flag: &str, port: u16| {
            Error::usage(format!(
                "{flag}: container port {port} cannot be reached from the host (the container has no routable address and the port is not published)"
            ))
            .hint("publish it with --port, or use --ready-cmd to check from inside")
        };
        let mut checks = Vec::new();
        if let Some(p) = w.port {
            let a = self.addr(p).ok_or_else(|| unreachable("--ready-port", p))?;
            checks.push(Check::Port {
                port: p,
                addrs: vec![a],
            });
        }
        if let Some(re) = &w.log {
            checks.push(Check::Log(re.clone()));
        }
        match &w.http {
            Some(Http::Url(u)) => checks.push(Check::Http(u.clone())),
            Some(Http::Path { port, path }) => {
                let a = self
                    .addr(*port)
                    .ok_or_else(|| unreachable("--ready-http", *port))?;
                checks.push(Check::Http(ptest_shared::http::HttpUrl {
                    host: a.ip().to_string(),
                    port: a.port(),
                    path: path.clone(),
                }));
            }
            None => {}
        }
        if let Some(c) = &w.cmd {
            checks.push(Check::Cmd(c.clone()));
        }
        Ok(checks)
    }
}

/// A started container, as the readiness loop sees it.
struct Container<'a> {
    engine: &'a Engine,
    id: &'a str,
    /// Lines of its log, followed on a thread of its own (when a log check
    /// asks for them).
    lines: Option<mpsc::Receiver<String>>,
}

impl Service for Container<'_> {
    fn alive(&mut self) -> std::result::Result<(), String> {
        match inspect::state(self.engine, self.id) {
            Some(st) if st.running == Some(true) => Ok(()),
            Some(st) => Err(format!(
                "it exited with status {}{}",
                st.exit_code.unwrap_or(-1),
                if st.oom_killed.unwrap_or(false) {
                    " (killed for memory: oom_killed)"
                } else {
                    ""
                }
            )),
            None => Err("it is gone (removed by someone else)".into()),
        }
    }

    fn log_lines(&mut self) -> Vec<String> {
        self.lines
            .as_ref()
            .map(|rx| rx.try_iter().collect())
            .unwrap_or_default()
    }

    fn run_check(&mut self, cmd: &str, limit: Duration) -> std::result::Result<(), String> {
        let argv = ["sh".to_owned(), "-c".to_owned(), cmd.to_owned()];
        match exec::run_exec_within(self.engine, self.id, &argv, limit) {
            Ok(Some(0)) => Ok(()),
            Ok(Some(code)) => Err(format!("exit status {code}")),
            Ok(None) => Err(format!(
                "still running after {}",
                ptest_shared::units::format_duration(limit)
            )),
            Err(e) => Err(e.message),
        }
    }
}

/// Follows the container's log from its start on a thread of its own, with
/// a connection of its own (the engine's runtime runs one call at a time):
/// each complete line, without its line end, goes to the receiver. The
/// thread ends with the log (the container stopped) or the receiver.
fn follow_lines(id: &str) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let id = id.to_owned();
    std::thread::spawn(move || {
        let Ok(engine) = Engine::connect() else {
            return;
        };
        engine.block_on(async {
            let opts = bollard::query_parameters::LogsOptionsBuilder::default()
                .stdout(true)
                .stderr(true)
                .follow(true)
                .build();
            let mut s = engine.docker.logs(&id, Some(opts));
            let mut pending = String::new();
            while let Some(Ok(chunk)) = s.next().await {
                let mut text = String::new();
                logs::write_log(&chunk, false, &mut text);
                pending.push_str(&text);
                while let Some(nl) = pending.find('\n') {
                    let line: String = pending.drain(..=nl).collect();
                    if tx
                        .send(line.trim_end_matches(['\n', '\r']).to_owned())
                        .is_err()
                    {
                        return;
                    }
                }
            }
            // The log ended: a last line without its newline counts.
            if !pending.is_empty() {
                let _ = tx.send(pending);
            }
        });
    });
    rx
}

/// Waits until every check holds for container `id`; on failure, the error
/// to report (the log's tail already on stderr).
pub fn wait(engine: &Engine, id: &str, name: &str, w: &Wanted, reach: &Reach) -> Result<Duration> {
    let mut container = Container {
        engine,
        id,
        lines: None,
    };
    let report = |why: NotReady| {
        // Interrupted, the user knows why: no log tail.
        if !matches!(why, NotReady::Interrupted(_)) {
            let tail = logs::log_tail(engine, id, 20);
            if !tail.trim().is_empty() {
                eprintln!("ptest-docker: the last lines of {name}'s log:");
                for l in tail.lines() {
                    eprintln!("  | {l}");
                }
            }
        }
        why.to_error(&format!("container {name}"), w.timeout)
    };
    let checks = match reach.checks(w) {
        Ok(c) => c,
        // A container that stopped at once has no address either: its end
        // is the news.
        Err(e) => {
            return Err(match container.alive() {
                Err(why) => report(NotReady::Died(why)),
                Ok(()) => e,
            });
        }
    };
    container.lines = w.log.is_some().then(|| follow_lines(id));
    ready::wait(&mut container, &checks, w.timeout).map_err(report)
}
