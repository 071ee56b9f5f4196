//! Sockets and the kernel's view of ports: port ranges, the ephemeral range,
//! bind checks, and who has a port bound (from `/proc/net`).

use nix::sys::socket::{
    AddressFamily, SockFlag, SockType, SockaddrIn, SockaddrIn6, bind, setsockopt, socket, sockopt,
};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// An inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub low: u16,
    pub high: u16,
}

impl Range {
    pub fn count(self) -> u32 {
        u32::from(self.high) - u32::from(self.low) + 1
    }
    pub fn contains(self, p: u16) -> bool {
        (self.low..=self.high).contains(&p)
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.low, self.high)
    }
}

impl std::str::FromStr for Range {
    type Err = String;
    /// `LOW-HIGH` (or one port), 1 ≤ LOW ≤ HIGH ≤ 65535.
    fn from_str(s: &str) -> Result<Range, String> {
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let parse = |x: &str| {
            x.trim()
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{s:?} is not a port range: {x:?} is not a port between 1 and 65535 (write LOW-HIGH, e.g. 20000-29999)"))
        };
        let (low, high) = (parse(a)?, parse(b)?);
        if low > high {
            return Err(format!("{s:?} is not a port range: {low} is above {high}"));
        }
        Ok(Range { low, high })
    }
}

/// The kernel's ephemeral range (`/proc/sys/net/ipv4/ip_local_port_range`),
/// from which it picks ports for `bind(0)` and outgoing connections.
pub fn ephemeral_range() -> Option<Range> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    parse_local_port_range(&text)
}

pub fn parse_local_port_range(text: &str) -> Option<Range> {
    let mut it = text.split_whitespace().map(|x| x.parse::<u16>().ok());
    let (low, high) = (it.next()??, it.next()??);
    (low <= high).then_some(Range { low, high })
}

/// Which protocols a lease is checked (and meant) for.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Proto {
    #[default]
    Tcp,
    Udp,
    Both,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Both => "both",
        }
    }
    fn types(self) -> &'static [SockType] {
        match self {
            Proto::Tcp => &[SockType::Stream],
            Proto::Udp => &[SockType::Datagram],
            Proto::Both => &[SockType::Stream, SockType::Datagram],
        }
    }
}

/// True when `port` can be bound right now for `proto` on every IPv4 address
/// (0.0.0.0, which fails if any address holds it) and, where the host has
/// IPv6, on `::`. No `SO_REUSEADDR`: a port in TIME_WAIT counts as busy.
pub fn bindable(port: u16, proto: Proto) -> bool {
    proto
        .types()
        .iter()
        .all(|ty| bind_v4(port, *ty) && bind_v6(port, *ty))
}

fn bind_v4(port: u16, ty: SockType) -> bool {
    let Ok(fd) = socket(AddressFamily::Inet, ty, SockFlag::SOCK_CLOEXEC, None) else {
        return false;
    };
    let addr = SockaddrIn::from(SocketAddrV4::new(Ipv4Addr::UNSPECIFIED, port));
    bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &addr).is_ok()
}

fn bind_v6(port: u16, ty: SockType) -> bool {
    let Ok(fd) = socket(AddressFamily::Inet6, ty, SockFlag::SOCK_CLOEXEC, None) else {
        return true; // no IPv6 on this host: nothing to collide with
    };
    let _ = setsockopt(&fd, sockopt::Ipv6V6Only, &true);
    let addr = SockaddrIn6::from(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0));
    match bind(std::os::fd::AsRawFd::as_raw_fd(&fd), &addr) {
        Ok(()) => true,
        Err(nix::errno::Errno::EADDRNOTAVAIL | nix::errno::Errno::EAFNOSUPPORT) => true,
        Err(_) => false,
    }
}

/// A socket bound to a port, as `/proc/net/{tcp,udp}{,6}` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub proto: &'static str,
    pub addr: String,
    pub state: &'static str,
    pub inode: u64,
    pub pid: Option<u32>,
    pub command: Option<String>,
}

/// Parses one `/proc/net/tcp`-style table: `(local address, port, state, inode)`.
pub fn parse_proc_net(text: &str, v6: bool) -> Vec<(String, u16, u8, u64)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let (addr, port) = f.get(1)?.split_once(':')?;
            let port = u16::from_str_radix(port, 16).ok()?;
            let state = u8::from_str_radix(f.get(3)?, 16).ok()?;
            let inode = f.get(9)?.parse().ok()?;
            Some((decode_addr(addr, v6)?, port, state, inode))
        })
        .collect()
}

/// `/proc/net` addresses are hex of the in-memory (host byte order) words.
fn decode_addr(hex: &str, v6: bool) -> Option<String> {
    let words: Vec<u32> = (0..hex.len() / 8)
        .map(|i| u32::from_str_radix(&hex[i * 8..i * 8 + 8], 16).map(u32::from_be))
        .collect::<Result<_, _>>()
        .ok()?;
    if v6 {
        let mut b = [0u8; 16];
        for (i, w) in words.iter().enumerate().take(4) {
            b[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
        }
        Some(format!("[{}]", Ipv6Addr::from(b)))
    } else {
        Some(Ipv4Addr::from(words.first()?.to_be_bytes()).to_string())
    }
}

fn tcp_state(s: u8) -> &'static str {
    match s {
        0x01 => "established",
        0x06 => "time-wait",
        0x0A => "listen",
        0x07 => "close",
        _ => "other",
    }
}

/// Every socket bound to `port`, with the owning process when we can see it.
pub fn bound_by(port: u16) -> Vec<Bound> {
    let mut out = Vec::new();
    for (file, proto, v6) in [
        ("tcp", "tcp", false),
        ("tcp6", "tcp", true),
        ("udp", "udp", false),
        ("udp6", "udp", true),
    ] {
        let Ok(text) = std::fs::read_to_string(format!("/proc/net/{file}")) else {
            continue;
        };
        for (addr, p, state, inode) in parse_proc_net(&text, v6) {
            if p != port {
                continue;
            }
            out.push(Bound {
                proto,
                addr: format!("{addr}:{p}"),
                state: if proto == "tcp" {
                    tcp_state(state)
                } else {
                    "bound"
                },
                inode,
                pid: None,
                command: None,
            });
        }
    }
    if !out.is_empty() {
        owners_of_sockets(&mut out);
    }
    out
}

/// Finds the processes holding the sockets' inodes (those we may inspect).
fn owners_of_sockets(socks: &mut [Bound]) {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for p in procs.flatten() {
        let Ok(pid) = p.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let t = target.to_string_lossy();
            let Some(inode) = t
                .strip_prefix("socket:[")
                .and_then(|x| x.strip_suffix(']'))
                .and_then(|x| x.parse::<u64>().ok())
            else {
                continue;
            };
            for s in socks
                .iter_mut()
                .filter(|s| s.inode == inode && s.inode != 0 && s.pid.is_none())
            {
                s.pid = Some(pid);
                s.command = std::fs::read_to_string(p.path().join("comm"))
                    .ok()
                    .map(|c| c.trim().to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            "20000-29999".parse(),
            Ok(Range {
                low: 20000,
                high: 29999
            })
        );
        assert_eq!(
            "8080".parse(),
            Ok(Range {
                low: 8080,
                high: 8080
            })
        );
        assert!("0-10".parse::<Range>().is_err());
        assert!("10-5".parse::<Range>().unwrap_err().contains("above"));
        assert!("1-70000".parse::<Range>().is_err());
        assert!("a-b".parse::<Range>().is_err());
        assert_eq!(Range { low: 1, high: 3 }.count(), 3);
    }

    #[test]
    fn local_port_range() {
        assert_eq!(
            parse_local_port_range("32768\t60999\n"),
            Some(Range {
                low: 32768,
                high: 60999
            })
        );
        assert_eq!(parse_local_port_range("garbage"), None);
    }

    #[test]
    fn proc_net_lines() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:4E21 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0\n";
        assert_eq!(
            parse_proc_net(tcp, false),
            vec![("127.0.0.1".to_owned(), 20001, 0x0A, 12345)]
        );
        let tcp6 = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 999 1 0000000000000000 100 0 0 10 0\n";
        assert_eq!(
            parse_proc_net(tcp6, true),
            vec![("[::1]".to_owned(), 8080, 0x0A, 999)]
        );
    }

    #[test]
    fn a_listening_port_is_not_bindable_and_its_owner_is_found() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        assert!(!bindable(port, Proto::Tcp));
        let b = bound_by(port);
        assert!(
            b.iter()
                .any(|s| s.pid == Some(std::process::id()) && s.state == "listen"),
            "{b:?}"
        );
        drop(l);
        let u = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = u.local_addr().unwrap().port();
        assert!(!bindable(port, Proto::Udp));
        assert!(!bindable(port, Proto::Both));
    }
}
