//! The Docker engine client (feature `docker`).
//!
//! [`connect`] finds the engine the way the docker CLI does: `DOCKER_HOST`
//! when set (`unix:///path` or `tcp://host:port`; nothing else is tried
//! then), otherwise the first of these sockets that answers:
//! `/var/run/docker.sock`, `$XDG_RUNTIME_DIR/docker.sock` (rootless
//! Docker), `$XDG_RUNTIME_DIR/podman/podman.sock` and
//! `/run/podman/podman.sock` (Podman's Docker-compatible API). The client
//! negotiates the API version with the engine, so an older engine (Debian's
//! 20.10, API 1.41) is spoken to in its own version.
//!
//! `tcp://` with `DOCKER_TLS_VERIFY` set (or `https://`) speaks TLS with the
//! client certificate, key and CA in `DOCKER_CERT_PATH` (else `~/.docker`):
//! `cert.pem`, `key.pem`, `ca.pem`, as the docker CLI does. `ssh://` hosts
//! are refused with a message saying how to forward the socket instead.
//!
//! The tools are synchronous; they run the async client in a
//! current-thread runtime made on demand by [`runtime`].

use crate::error::{Error, Result};
use bollard::Docker;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long an engine may take to answer the first request.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The request timeout of the clients [`connect`] returns (bollard's own
/// default): long enough for slow operations such as image imports.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

const HINT_SET_HOST: &str = "start the Docker engine (e.g. `systemctl start docker`) or Podman's \
    socket (`systemctl --user start podman.socket`), or point ptest at an engine with \
    DOCKER_HOST=unix:///path/to/docker.sock or DOCKER_HOST=tcp://host:2375";

/// A place an engine may listen on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A Unix socket.
    Unix(PathBuf),
    /// Plain HTTP over TCP, `host:port`.
    Tcp(String),
    /// HTTPS over TCP, `host:port`, with the client files in `certs`.
    Tls { addr: String, certs: PathBuf },
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::Tcp(a) => write!(f, "tcp://{a}"),
            Endpoint::Tls { addr, .. } => write!(f, "tcp://{addr} (TLS)"),
        }
    }
}

/// Parses a `DOCKER_HOST` value. `tls` is whether `DOCKER_TLS_VERIFY` is set.
pub fn parse_docker_host(value: &str, tls: bool) -> Result<Endpoint> {
    let unsupported = |what: &str| {
        Error::unavailable(format!(
            "DOCKER_HOST={value}: {what} connections to the engine are not supported yet"
        ))
        .hint(
            "use a unix:// socket or a plain tcp:// address (e.g. forward the engine's socket \
             with `ssh -L /tmp/docker.sock:/var/run/docker.sock host` and set \
             DOCKER_HOST=unix:///tmp/docker.sock)",
        )
    };
    if let Some(path) = value.strip_prefix("unix://") {
        if path.is_empty() || !path.starts_with('/') {
            return Err(Error::usage(format!(
                "DOCKER_HOST={value}: a unix:// address needs an absolute socket path"
            ))
            .hint("e.g. DOCKER_HOST=unix:///var/run/docker.sock"));
        }
        return Ok(Endpoint::Unix(PathBuf::from(path)));
    }
    let https = value.starts_with("https://");
    if let Some(rest) = value
        .strip_prefix("tcp://")
        .or_else(|| value.strip_prefix("http://"))
        .or_else(|| value.strip_prefix("https://"))
    {
        let addr = rest.trim_end_matches('/');
        if addr.is_empty() {
            return Err(Error::usage(format!(
                "DOCKER_HOST={value}: a tcp:// address needs a host"
            ))
            .hint("e.g. DOCKER_HOST=tcp://127.0.0.1:2375"));
        }
        let addr = if addr
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            addr.to_owned()
        } else {
            format!("{addr}:{}", if tls || https { 2376 } else { 2375 })
        };
        if tls || https {
            return Ok(Endpoint::Tls {
                addr,
                certs: cert_path(),
            });
        }
        return Ok(Endpoint::Tcp(addr));
    }
    if value.starts_with("ssh://") {
        return Err(unsupported("ssh://"));
    }
    Err(Error::usage(format!(
        "DOCKER_HOST={value}: unknown address; expected unix:///path or tcp://host:port"
    ))
    .hint("e.g. DOCKER_HOST=unix:///var/run/docker.sock"))
}

/// Where the TLS client files are: `DOCKER_CERT_PATH`, else `~/.docker`.
fn cert_path() -> PathBuf {
    std::env::var_os("DOCKER_CERT_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker")))
        .unwrap_or_else(|| PathBuf::from(".docker"))
}

/// The endpoints [`connect`] tries, in order, from the environment.
pub fn endpoints() -> Result<Vec<Endpoint>> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if let Some(host) = var("DOCKER_HOST") {
        return Ok(vec![parse_docker_host(
            &host,
            var("DOCKER_TLS_VERIFY").is_some(),
        )?]);
    }
    let mut v = vec![Endpoint::Unix("/var/run/docker.sock".into())];
    if let Some(rt) = var("XDG_RUNTIME_DIR") {
        let rt = PathBuf::from(rt);
        v.push(Endpoint::Unix(rt.join("docker.sock")));
        v.push(Endpoint::Unix(rt.join("podman/podman.sock")));
    }
    v.push(Endpoint::Unix("/run/podman/podman.sock".into()));
    Ok(v)
}

/// A current-thread tokio runtime for one tool invocation.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the async runtime: {e}")))
}

/// Connects to the first endpoint of [`endpoints`] whose engine answers
/// within [`CONNECT_TIMEOUT`], with the API version negotiated. None
/// answering is [`Error::unavailable`] (exit 69) naming each endpoint tried
/// and why it failed.
pub async fn connect() -> Result<Docker> {
    connect_endpoint().await.map(|(d, _)| d)
}

/// [`connect`], also saying which endpoint answered.
pub async fn connect_endpoint() -> Result<(Docker, Endpoint)> {
    let candidates = endpoints()?;
    let from_env = std::env::var_os("DOCKER_HOST").is_some_and(|v| !v.is_empty());
    let mut failures = Vec::new();
    for ep in &candidates {
        match try_endpoint(ep).await {
            Ok(d) => return Ok((d, ep.clone())),
            Err(why) => failures.push(format!("{ep} ({why})")),
        }
    }
    Err(if from_env {
        Error::unavailable(format!(
            "cannot reach the Docker engine at DOCKER_HOST={}",
            failures.join(", ")
        ))
        .hint(
            "check DOCKER_HOST and that the engine listens there, or unset DOCKER_HOST to use \
             /var/run/docker.sock or a Podman socket",
        )
    } else {
        Error::unavailable(format!(
            "cannot reach a Docker engine; tried {}",
            failures.join(", ")
        ))
        .hint(HINT_SET_HOST)
    })
}

async fn try_endpoint(ep: &Endpoint) -> std::result::Result<Docker, String> {
    let secs = REQUEST_TIMEOUT.as_secs();
    // Plain endpoints negotiate from `/_ping`'s `Api-Version` header, as the
    // docker CLI does: the engine answers `/version` by asking containerd
    // and running runc (6 ms here, against 0.4 ms), and every command pays
    // it. TLS endpoints, and engines without the header, ask `/version`.
    let pinged = match ep {
        Endpoint::Unix(path) => {
            check_socket(path)?;
            ping_api_version(PingTo::Unix(path))?
        }
        Endpoint::Tcp(addr) => ping_api_version(PingTo::Tcp(addr))?,
        Endpoint::Tls { .. } => None,
    };
    let ours = bollard::API_DEFAULT_VERSION;
    let version = match pinged {
        Some((major, minor)) if (major, minor) < (ours.major_version, ours.minor_version) => {
            &bollard::ClientVersion {
                major_version: major,
                minor_version: minor,
            }
        }
        _ => ours,
    };
    let client = match ep {
        Endpoint::Unix(path) => Docker::connect_with_unix(&path.to_string_lossy(), secs, version),
        Endpoint::Tcp(addr) => Docker::connect_with_http(&format!("tcp://{addr}"), secs, version),
        Endpoint::Tls { addr, certs } => {
            let files = ["key.pem", "cert.pem", "ca.pem"].map(|f| certs.join(f));
            if let Some(missing) = files.iter().find(|f| !f.is_file()) {
                return Err(format!(
                    "TLS needs {} (set DOCKER_CERT_PATH to the directory holding key.pem, cert.pem and ca.pem)",
                    missing.display()
                ));
            }
            Docker::connect_with_ssl(addr, &files[0], &files[1], &files[2], secs, version)
        }
    }
    .map_err(|e| describe(&e))?;
    if pinged.is_some() {
        return Ok(client);
    }
    match tokio::time::timeout(CONNECT_TIMEOUT, client.negotiate_version()).await {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err(format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())),
    }
}

enum PingTo<'a> {
    Unix(&'a Path),
    Tcp(&'a str),
}

/// `GET /_ping` within [`CONNECT_TIMEOUT`]: the engine's API version from
/// its `Api-Version` header, `None` when it sends none (then `/version`
/// decides), or why it is no engine.
fn ping_api_version(to: PingTo) -> std::result::Result<Option<(usize, usize)>, String> {
    use std::io::{Read, Write};
    fn exchange<S: Read + Write>(mut s: S) -> std::io::Result<Vec<u8>> {
        s.write_all(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")?;
        let mut buf = Vec::new();
        s.take(64 * 1024).read_to_end(&mut buf)?;
        Ok(buf)
    }
    let words = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
            format!("no answer within {}s", CONNECT_TIMEOUT.as_secs())
        }
        _ => crate::http::io_words(&e),
    };
    let t = Some(CONNECT_TIMEOUT);
    let answer = match to {
        PingTo::Unix(path) => {
            let s = std::os::unix::net::UnixStream::connect(path).map_err(words)?;
            s.set_read_timeout(t)
                .and(s.set_write_timeout(t))
                .map_err(words)?;
            exchange(s)
        }
        PingTo::Tcp(addr) => {
            use std::net::ToSocketAddrs;
            let addrs: Vec<_> = addr
                .to_socket_addrs()
                .map_err(|e| format!("cannot resolve {addr}: {}", crate::http::io_words(&e)))?
                .collect();
            let s = crate::http::connect_any(&addrs, CONNECT_TIMEOUT)?;
            s.set_read_timeout(t)
                .and(s.set_write_timeout(t))
                .map_err(words)?;
            exchange(s)
        }
    }
    .map_err(words)?;
    parse_ping(&answer)
}

/// The API version in a `/_ping` answer (see [`ping_api_version`]).
fn parse_ping(answer: &[u8]) -> std::result::Result<Option<(usize, usize)>, String> {
    let end = crate::http::find_head_end(answer).ok_or_else(|| {
        if answer.is_empty() {
            "closed the connection without answering".to_owned()
        } else {
            "answered with something that is not HTTP".to_owned()
        }
    })?;
    let head = String::from_utf8_lossy(&answer[..end]);
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default();
    let code = crate::http::parse_status_line(status.trim_end())
        .map_err(|_| format!("answered with something that is not HTTP: {status:?}"))?;
    if code != 200 {
        return Err(format!("answered /_ping with {}", status.trim()));
    }
    Ok(lines.find_map(|l| {
        let (k, v) = l.split_once(':')?;
        if !k.trim().eq_ignore_ascii_case("api-version") {
            return None;
        }
        let (a, b) = parse_api_version(v.trim())?;
        Some((a as usize, b as usize))
    }))
}

/// Says why a socket cannot be used before trying it: missing, not a
/// socket, or not ours to open.
fn check_socket(path: &Path) -> std::result::Result<(), String> {
    use nix::unistd::{AccessFlags, access};
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "no such socket".to_owned(),
        _ => e.to_string(),
    })?;
    if !meta.file_type().is_socket() {
        return Err("not a socket".into());
    }
    access(path, AccessFlags::R_OK | AccessFlags::W_OK).map_err(|e| match e {
        nix::errno::Errno::EACCES => {
            "permission denied; is your user in the socket's group (usually `docker`)?".to_owned()
        }
        other => other.to_string(),
    })
}

/// The innermost cause of an error, which says what actually went wrong
/// (`Connection refused`) where the outer ones only say where (`Error in
/// the hyper legacy client`).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let inner = cur.to_string();
    if inner.is_empty() {
        e.to_string()
    } else {
        inner
    }
}

/// What the engine says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineFacts {
    /// Where it answered, e.g. `unix:///var/run/docker.sock`.
    pub endpoint: String,
    /// `Docker Engine - Community`, `Podman Engine`, … when it says.
    pub platform: Option<String>,
    /// The engine's version, e.g. `20.10.24+dfsg1`.
    pub version: String,
    /// The newest API version the engine speaks, e.g. `1.41`.
    pub api_version: String,
    /// The API version this client negotiated (never newer than the engine's).
    pub client_api_version: String,
    pub os: Option<String>,
    pub arch: Option<String>,
}

/// Connects (see [`connect`]) and asks the engine for its version, in a
/// runtime of its own; the whole exchange is bounded by [`CONNECT_TIMEOUT`]
/// per endpoint plus as much again for the version request.
pub fn engine_facts() -> Result<EngineFacts> {
    runtime()?.block_on(async {
        let (docker, endpoint) = connect_endpoint().await?;
        let endpoint = endpoint.to_string();
        let v = tokio::time::timeout(CONNECT_TIMEOUT, docker.version())
            .await
            .map_err(|_| {
                Error::unavailable(format!(
                    "the Docker engine at {endpoint} did not report its version within {}s",
                    CONNECT_TIMEOUT.as_secs()
                ))
                .hint("the engine may be overloaded or hung; try `docker version`")
            })?
            .map_err(|e| {
                Error::unavailable(format!(
                    "the Docker engine at {endpoint} did not report its version: {}",
                    describe(&e)
                ))
            })?;
        let cv = docker.client_version();
        Ok(EngineFacts {
            endpoint,
            platform: v.platform.map(|p| p.name).filter(|n| !n.is_empty()),
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
            client_api_version: format!("{}.{}", cv.major_version, cv.minor_version),
            os: v.os,
            arch: v.arch,
        })
    })
}

/// Parses an API version (`1.41`) into `(major, minor)`.
pub fn parse_api_version(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_host_forms() {
        assert_eq!(
            parse_docker_host("unix:///var/run/docker.sock", false).unwrap(),
            Endpoint::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            parse_docker_host("tcp://10.0.0.2:2376", false).unwrap(),
            Endpoint::Tcp("10.0.0.2:2376".into())
        );
        assert_eq!(
            parse_docker_host("tcp://docker.local", false).unwrap(),
            Endpoint::Tcp("docker.local:2375".into())
        );
        assert_eq!(
            parse_docker_host("tcp://127.0.0.1:2375", false)
                .unwrap()
                .to_string(),
            "tcp://127.0.0.1:2375"
        );
    }

    #[test]
    fn tls_hosts_take_their_certificates_from_docker_cert_path() {
        match parse_docker_host("tcp://h", true).unwrap() {
            Endpoint::Tls { addr, certs } => {
                assert_eq!(addr, "h:2376");
                assert!(
                    certs.ends_with(".docker") || std::env::var_os("DOCKER_CERT_PATH").is_some()
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_docker_host("https://h:3000", false).unwrap(),
            Endpoint::Tls { addr, .. } if addr == "h:3000"
        ));
    }

    #[test]
    fn tls_without_certificates_names_the_missing_file() {
        let t = tempfile::tempdir().unwrap();
        let ep = Endpoint::Tls {
            addr: "127.0.0.1:1".into(),
            certs: t.path().to_path_buf(),
        };
        let why = runtime()
            .unwrap()
            .block_on(try_endpoint(&ep))
            .err()
            .unwrap();
        assert!(
            why.contains("key.pem") && why.contains("DOCKER_CERT_PATH"),
            "{why}"
        );
    }

    #[test]
    fn unsupported_hosts_say_why() {
        let e = parse_docker_host("ssh://me@h", false).unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Unavailable);
        assert!(e.message.contains("ssh"), "{}", e.message);
        let e = parse_docker_host("unix://relative.sock", false).unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Usage);
        let e = parse_docker_host("fd://", false).unwrap_err();
        assert!(e.message.contains("unknown address"), "{}", e.message);
    }

    #[test]
    fn api_versions() {
        assert_eq!(parse_api_version("1.41"), Some((1, 41)));
        assert_eq!(parse_api_version("1.x"), None);
        assert!(parse_api_version("1.41") < parse_api_version("1.49"));
    }

    #[test]
    fn ping_answers() {
        let ok = b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
        assert_eq!(parse_ping(ok), Ok(Some((1, 41))));
        let lower = b"HTTP/1.0 200 OK\r\napi-version:1.43\r\n\r\nOK";
        assert_eq!(parse_ping(lower), Ok(Some((1, 43))));
        // An old engine without the header: /version decides.
        assert_eq!(parse_ping(b"HTTP/1.1 200 OK\r\n\r\nOK"), Ok(None));
        let e = parse_ping(b"HTTP/1.1 503 Service Unavailable\r\n\r\n").unwrap_err();
        assert!(e.contains("503"), "{e}");
        assert!(parse_ping(b"").unwrap_err().contains("closed"));
        assert!(
            parse_ping(b"SSH-2.0-OpenSSH\r\n\r\n")
                .unwrap_err()
                .contains("not HTTP")
        );
    }

    #[test]
    fn socket_checks_name_the_problem() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(
            check_socket(&t.path().join("none.sock")).unwrap_err(),
            "no such socket"
        );
        let f = t.path().join("file");
        std::fs::write(&f, "").unwrap();
        assert_eq!(check_socket(&f).unwrap_err(), "not a socket");
        let s = t.path().join("s.sock");
        let _l = std::os::unix::net::UnixListener::bind(&s).unwrap();
        assert_eq!(check_socket(&s), Ok(()));
    }

    #[test]
    fn a_socket_that_does_not_speak_http_is_reported_not_hung() {
        // A real listener that accepts and closes: the engine check must fail
        // quickly with a reason, not wait for bollard's 2-minute timeout.
        let t = tempfile::tempdir().unwrap();
        let s = t.path().join("mute.sock");
        let l = std::os::unix::net::UnixListener::bind(&s).unwrap();
        std::thread::spawn(move || {
            for c in l.incoming() {
                drop(c);
            }
        });
        let started = std::time::Instant::now();
        let r = runtime()
            .unwrap()
            .block_on(try_endpoint(&Endpoint::Unix(s.clone())));
        let why = r.expect_err("a mute socket is no engine");
        assert!(!why.is_empty());
        assert!(started.elapsed() < CONNECT_TIMEOUT + Duration::from_secs(1));
    }

    #[test]
    fn a_dead_socket_names_the_cause() {
        let t = tempfile::tempdir().unwrap();
        let s = t.path().join("dead.sock");
        drop(std::os::unix::net::UnixListener::bind(&s).unwrap());
        let why = runtime()
            .unwrap()
            .block_on(try_endpoint(&Endpoint::Unix(s)))
            .expect_err("nobody listens");
        assert!(why.to_lowercase().contains("refused"), "{why}");
    }

    /// The real engine behind a plain TCP hop on 127.0.0.1 (bytes copied
    /// both ways to its socket), as `DOCKER_HOST=tcp://` would reach it.
    fn engine_over_tcp() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                let u = std::os::unix::net::UnixStream::connect("/var/run/docker.sock").unwrap();
                let (mut c2, mut u2) = (c.try_clone().unwrap(), u.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut u2);
                    let _ = u2.shutdown(std::net::Shutdown::Write);
                });
                let (mut c, mut u) = (c, u);
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut u, &mut c);
                    let _ = c.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        addr
    }

    #[test]
    fn a_tcp_engine_is_negotiated_from_its_ping_and_then_spoken_to() {
        let addr = engine_over_tcp();
        let rt = runtime().unwrap();
        let docker = rt
            .block_on(try_endpoint(&Endpoint::Tcp(addr)))
            .unwrap_or_else(|e| panic!("the engine over tcp: {e}"));
        let v = rt
            .block_on(docker.version())
            .expect("a request after the ping");
        let engine = parse_api_version(v.api_version.as_deref().unwrap()).unwrap();
        let cv = docker.client_version();
        let client = (cv.major_version as u32, cv.minor_version as u32);
        assert!(client <= engine, "client {client:?}, engine {engine:?}");
        let ours = bollard::API_DEFAULT_VERSION;
        assert_eq!(
            client,
            engine.min((ours.major_version as u32, ours.minor_version as u32))
        );
    }

    #[test]
    fn the_engine_here_answers_with_a_negotiated_version() {
        let facts = engine_facts().unwrap_or_else(|e| panic!("no Docker engine: {e}"));
        let engine = parse_api_version(&facts.api_version).expect("engine API version");
        let client = parse_api_version(&facts.client_api_version).unwrap();
        assert!(client <= engine, "{facts:?}");
        assert!(!facts.version.is_empty());
        assert!(facts.endpoint.starts_with("unix://") || facts.endpoint.starts_with("tcp://"));
    }
}
