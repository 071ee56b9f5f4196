//! A small plain-HTTP/1.1 client for readiness checks (no TLS): parsing
//! `http://` URLs, connecting with a time limit, and judging a `GET` by its
//! final status (interim 1xx answers skipped). ptest-proc's `--ready-http`
//! and ptest-docker's `--ready-http` both use it.

use crate::units::format_duration;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How long one TCP connect may take.
pub const CONNECT_LIMIT: Duration = Duration::from_millis(500);
/// The most a status line and its interim (1xx) responses may take.
const MAX_HTTP_HEAD: usize = 16 * 1024;

// ---------------------------------------------------------------------------
// HTTP URLs

/// A parsed `http://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// A host name or IP address, lower case; an IPv6 address has no brackets.
    pub host: String,
    pub port: u16,
    /// The path with its query string; at least "/". The fragment is dropped.
    pub path: String,
}

impl HttpUrl {
    /// The host as written in a URL or `Host` header (IPv6 in brackets).
    fn host_for_url(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// The value of the `Host` request header.
    pub fn host_header(&self) -> String {
        if self.port == 80 {
            self.host_for_url()
        } else {
            format!("{}:{}", self.host_for_url(), self.port)
        }
    }
}

impl fmt::Display for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.host_header(), self.path)
    }
}

impl FromStr for HttpUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("invalid URL {s:?}: {why}");
        let Some((scheme, rest)) = s.split_once("://") else {
            return Err(bad(
                "expected http://HOST[:PORT]/PATH, e.g. http://127.0.0.1:8080/health",
            ));
        };
        if scheme.eq_ignore_ascii_case("https") {
            return Err(bad(
                "https is not supported: readiness checks speak plain HTTP \
                 (use an http:// URL, or a command check such as `curl -fsk URL`)",
            ));
        }
        if !scheme.eq_ignore_ascii_case("http") {
            return Err(bad(&format!(
                "unsupported scheme {scheme:?}: only http:// URLs are supported"
            )));
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        if authority.contains('@') {
            return Err(bad("user names and passwords in URLs are not supported"));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let Some((host, after)) = bracketed.split_once(']') else {
                return Err(bad("'[' without ']' around the IPv6 address"));
            };
            if host.parse::<Ipv6Addr>().is_err() {
                return Err(bad(&format!("{host:?} is not an IPv6 address")));
            }
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| bad(&format!("unexpected {after:?} after ']'")))?,
                ),
            };
            (host.to_owned(), port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            };
            if port.is_some_and(|p| p.contains(':')) {
                return Err(bad(
                    "an IPv6 address must be in brackets, e.g. http://[::1]:8080/",
                ));
            }
            if host.is_empty() {
                return Err(bad("no host"));
            }
            if !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            {
                return Err(bad(&format!("{host:?} is not a host name or IP address")));
            }
            (host.to_ascii_lowercase(), port)
        };
        let port = match port {
            None => 80,
            Some("") => {
                return Err(bad(
                    "no port number after ':' (is the variable meant to hold it empty?)",
                ));
            }
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad(&format!("port {p:?} is not a number from 1 to 65535"))),
            },
        };
        let tail = tail.split('#').next().unwrap_or("");
        if tail.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(
                "the path holds spaces or control characters (percent-encode them, e.g. %20)",
            ));
        }
        let path = if tail.starts_with('/') {
            tail.to_owned()
        } else {
            format!("/{tail}")
        };
        Ok(HttpUrl { host, port, path })
    }
}

/// An I/O error in words, without the "(os error N)" suffix.
pub fn io_words(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Connects to the first address that accepts; the error is the first
/// address's (the others are fallbacks).
pub fn connect_any(addrs: &[SocketAddr], limit: Duration) -> Result<TcpStream, String> {
    let mut first_error = None;
    for addr in addrs {
        match TcpStream::connect_timeout(addr, limit) {
            Ok(stream) => return Ok(stream),
            Err(e) => {
                first_error.get_or_insert_with(|| format!("{addr}: {}", io_words(&e)));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "no address to connect to".to_owned()))
}

/// One GET of `url`, taking at most about `limit`: Ok for a 2xx or 3xx status.
pub fn check_http(url: &HttpUrl, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let addrs: Vec<SocketAddr> = (url.host.as_str(), url.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {}", url.host, io_words(&e)))?
        .collect();
    let mut stream = connect_any(&addrs, CONNECT_LIMIT.min(limit))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: ptest\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        url.path,
        url.host_header()
    );
    stream
        .set_write_timeout(Some(left(deadline)))
        .and_then(|()| stream.write_all(request.as_bytes()))
        .map_err(|e| format!("sending the request: {}", io_words(&e)))?;
    match read_status(&mut stream, deadline, limit)? {
        200..=399 => Ok(()),
        status => Err(format!("status {status}")),
    }
}

/// The time left until `deadline`, at least 1 ms (a zero socket timeout is
/// refused).
fn left(deadline: Instant) -> Duration {
    deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1))
}

/// Reads the final status code of an HTTP/1.x response, skipping interim
/// (1xx) responses.
fn read_status(stream: &mut TcpStream, deadline: Instant, limit: Duration) -> Result<u16, String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(line_end) = buf.iter().position(|&b| b == b'\n') {
            let line = String::from_utf8_lossy(&buf[..line_end]);
            let status = parse_status_line(line.trim_end())?;
            if !(100..200).contains(&status) {
                return Ok(status);
            }
            // An interim response: drop its head once it is complete.
            if let Some(head_end) = find_head_end(&buf) {
                buf.drain(..head_end);
                continue;
            }
        }
        if buf.len() > MAX_HTTP_HEAD {
            return Err(format!(
                "no complete status line in the first {MAX_HTTP_HEAD} bytes of the response"
            ));
        }
        stream
            .set_read_timeout(Some(left(deadline)))
            .map_err(|e| format!("reading the response: {}", io_words(&e)))?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Err(if buf.is_empty() {
                    "the connection closed without a response".to_owned()
                } else {
                    "the connection closed in the middle of the response head".to_owned()
                });
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(format!("no response within {}", format_duration(limit)));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("reading the response: {}", io_words(&e))),
        }
    }
}

/// The index just past the blank line that ends a response head.
pub fn find_head_end(buf: &[u8]) -> Option<usize> {
    let crlf = buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// "HTTP/1.1 200 OK" → 200.
pub fn parse_status_line(line: &str) -> Result<u16, String> {
    let mut words = line.split_whitespace();
    let version = words.next().unwrap_or("");
    let code = words.next().unwrap_or("");
    if !version.starts_with("HTTP/") || code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit())
    {
        let shown: String = line.chars().take(80).collect();
        return Err(format!("not an HTTP response: {shown:?}"));
    }
    code.parse()
        .map_err(|_| format!("not an HTTP status code: {code:?}"))
}
