//! Subnets for the networks ptest makes: IPv4 blocks ([`Cidr`]) carved
//! from ptest's own pool rather than Docker's default address pools.
//!
//! Docker's default address pools run out after a few dozen networks (each
//! takes a /16 or a /20). ptest carves its own subnets instead: blocks of
//! `/docker.subnet-prefix` (default /26) from `docker.subnet-pool` (default
//! `10.213.0.0/16`, 1024 networks). Under the state directory's
//! `docker-subnets` lock, [`crate::network::create`] lists every network the
//! engine has (ptest's or not) and the host's IPv4 routes, and takes the
//! first block that overlaps none of them ([`Want::choose`]); the gateway is
//! the block's first host address. Nothing else records an allocation: the
//! engine is the truth, and removing a network frees its subnet. An
//! exhausted pool is exit 75, naming the pool and how to widen it.

use bollard::models::Network;
use ptest_shared::config::Config;
use ptest_shared::{Error, Result};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// The smallest subnet worth making: network, gateway, one container,
/// broadcast.
const MAX_PREFIX: u8 = 30;

/// A `--subnet` value: an IPv4 CIDR naming its network address.
pub(crate) fn parse_subnet_arg(s: &str) -> Result<Cidr> {
    let c: Cidr = s
        .parse()
        .map_err(|e: String| Error::usage(format!("--subnet {s:?}: {e}")))?;
    if c.addr != c.network() {
        return Err(Error::usage(format!(
            "--subnet {s}: host bits are set; the network is {}",
            c.normalized()
        )));
    }
    if c.prefix > MAX_PREFIX {
        return Err(Error::usage(format!(
            "--subnet {s}: a /{} leaves no address for a container; use /{MAX_PREFIX} or shorter",
            c.prefix
        )));
    }
    Ok(c)
}

/// An IPv4 network, `10.213.0.0/26`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: u32,
    pub prefix: u8,
}

impl Cidr {
    fn mask(self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix))
            .unwrap_or(0)
    }
    pub fn network(self) -> u32 {
        self.addr & self.mask()
    }
    pub fn last(self) -> u32 {
        self.network() | !self.mask()
    }
    /// How many addresses it holds.
    pub fn size(self) -> u64 {
        1u64 << (32 - u32::from(self.prefix))
    }
    pub fn normalized(self) -> Cidr {
        Cidr {
            addr: self.network(),
            prefix: self.prefix,
        }
    }
    pub fn overlaps(self, o: Cidr) -> bool {
        self.network() <= o.last() && o.network() <= self.last()
    }
    pub fn contains(self, o: Cidr) -> bool {
        self.network() <= o.network() && o.last() <= self.last()
    }
    /// The gateway's address: network + 1.
    pub fn first_host(self) -> Ipv4Addr {
        Ipv4Addr::from(self.network().wrapping_add(1))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.addr), self.prefix)
    }
}

impl FromStr for Cidr {
    type Err = String;
    /// `A.B.C.D/N` (host bits kept; see [`Cidr::normalized`]).
    fn from_str(s: &str) -> std::result::Result<Cidr, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| "not a CIDR: write it as A.B.C.D/N, e.g. 10.213.0.0/26".to_owned())?;
        let addr: Ipv4Addr = a.parse().map_err(|_| {
            if a.contains(':') {
                "IPv6 subnets are not supported; give an IPv4 CIDR".to_owned()
            } else {
                format!("{a:?} is not an IPv4 address")
            }
        })?;
        let prefix: u8 = p
            .parse()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| format!("{p:?} is not a prefix length (0-32)"))?;
        Ok(Cidr {
            addr: u32::from(addr),
            prefix,
        })
    }
}

/// Where a new network's subnet comes from.
pub(crate) enum Want {
    Explicit(Cidr),
    Pool(Pool),
}

impl Want {
    /// `--subnet` when given (a CIDR), else the pool of the configuration.
    pub(crate) fn of(subnet: Option<&str>, config: &Config) -> Result<Want> {
        Ok(match subnet {
            Some(s) => Want::Explicit(parse_subnet_arg(s)?),
            None => Want::Pool(pool_from_config(config)?),
        })
    }

    /// The subnet for a new network, given what is `used`: the explicit
    /// one unless it overlaps something (exit 65), else the pool's first
    /// free block (exit 75 when there is none).
    pub(crate) fn choose(&self, used: &[Used]) -> Result<Cidr> {
        match self {
            Want::Explicit(s) => {
                let s = *s;
                if let Some(u) = used.iter().find(|u| u.cidr.overlaps(s)) {
                    return Err(Error::data(format!(
                        "subnet {s} overlaps {} ({})",
                        u.cidr, u.by
                    ))
                    .hint("choose another --subnet, or leave it out to take one from docker.subnet-pool"));
                }
                Ok(s)
            }
            Want::Pool(p) => p.allocate(used),
        }
    }
}

/// Something holding addresses that a new network must not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Used {
    cidr: Cidr,
    /// Who: `network bridge`, `host route on eth0`.
    by: String,
}

/// The pool subnets are carved from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pool {
    range: Cidr,
    /// The prefix length of each network.
    prefix: u8,
    /// Where the values came from, for messages.
    source: String,
}

pub(crate) fn pool_from_config(config: &Config) -> Result<Pool> {
    let src = |k: &str| {
        config
            .source(k)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "default".into())
    };
    let text = config.string("docker.subnet-pool");
    let range: Cidr = text.parse().map_err(|e: String| {
        Error::data(format!(
            "docker.subnet-pool {text:?} (from {}): {e}",
            src("docker.subnet-pool")
        ))
    })?;
    if range.addr != range.network() {
        return Err(Error::data(format!(
            "docker.subnet-pool {text} (from {}): host bits are set; the network is {}",
            src("docker.subnet-pool"),
            range.normalized()
        )));
    }
    let prefix = config.integer("docker.subnet-prefix");
    if prefix < i64::from(range.prefix) || prefix > i64::from(MAX_PREFIX) {
        return Err(Error::data(format!(
            "docker.subnet-prefix {prefix} (from {}): must lie between the pool's /{} and /{MAX_PREFIX}",
            src("docker.subnet-prefix"),
            range.prefix
        )));
    }
    Ok(Pool {
        range,
        prefix: prefix as u8,
        source: src("docker.subnet-pool"),
    })
}

impl Pool {
    /// How many networks the pool holds.
    fn blocks(&self) -> u64 {
        1u64 << (self.prefix - self.range.prefix)
    }

    /// The first block overlapping nothing in `used`, or exit 75.
    fn allocate(&self, used: &[Used]) -> Result<Cidr> {
        let step = 1u64 << (32 - u32::from(self.prefix));
        let end = u64::from(self.range.last());
        let mut at = u64::from(self.range.network());
        while at <= end {
            let block = Cidr {
                addr: at as u32,
                prefix: self.prefix,
            };
            // Skip past the furthest-reaching overlap in one step.
            match used
                .iter()
                .filter(|u| u.cidr.overlaps(block))
                .map(|u| u64::from(u.cidr.last()))
                .max()
            {
                None => return Ok(block),
                Some(last) => at = (last + 1).div_ceil(step) * step,
            }
        }
        Err(self.exhausted(used))
    }

    fn exhausted(&self, used: &[Used]) -> Error {
        let in_use = self.blocks_in_use(used);
        let route = used
            .iter()
            .find(|u| u.by.starts_with("host route") && u.cidr.overlaps(self.range));
        let mut msg = format!(
            "subnet pool {} (docker.subnet-pool, from {}) is exhausted: {in_use} of its {} /{} subnets are in use",
            self.range,
            self.source,
            self.blocks(),
            self.prefix
        );
        if let Some(r) = route {
            msg.push_str(&format!(" (including {} by a {})", r.cidr, r.by));
        }
        let wider = Cidr {
            addr: self.range.addr,
            prefix: self.range.prefix.saturating_sub(2),
        }
        .normalized();
        Error::temp_fail(msg).hint(format!(
            "remove networks no longer needed (`ptest docker gc`, `ptest docker network rm`), or widen the pool: \
--config docker.subnet-pool={wider} (or `subnet-pool = \"{wider}\"` under [docker] in ptest.toml), \
or give each network fewer addresses with a longer docker.subnet-prefix"
        ))
    }

    /// How many of the pool's blocks overlap something in `used`.
    fn blocks_in_use(&self, used: &[Used]) -> u64 {
        let shift = 32 - u32::from(self.prefix);
        let base = u64::from(self.range.network());
        let mut spans: Vec<(u64, u64)> = used
            .iter()
            .filter(|u| u.cidr.overlaps(self.range))
            .map(|u| {
                let lo = u64::from(u.cidr.network()).max(base);
                let hi = u64::from(u.cidr.last()).min(u64::from(self.range.last()));
                ((lo - base) >> shift, (hi - base) >> shift)
            })
            .collect();
        spans.sort_unstable();
        let mut n = 0;
        let mut next = 0; // the first block index not counted yet
        for (lo, hi) in spans {
            let lo = lo.max(next);
            if hi >= lo {
                n += hi - lo + 1;
                next = hi + 1;
            }
        }
        n
    }
}

/// The IPv4 subnets of the engine's networks.
pub(crate) fn engine_subnets(networks: &[Network]) -> Vec<Used> {
    networks
        .iter()
        .flat_map(|n| {
            let name = n.name.clone().unwrap_or_default();
            n.ipam
                .iter()
                .flat_map(|i| i.config.iter().flatten())
                .filter_map(|c| c.subnet.as_deref()?.parse::<Cidr>().ok())
                .map(move |c| Used {
                    cidr: c.normalized(),
                    by: format!("network {name}"),
                })
        })
        .collect()
}

/// The host's IPv4 routes but the default one: a network on a subnet the
/// host already routes elsewhere (a LAN, a VPN) would cut it off.
pub(crate) fn host_routes() -> Vec<Used> {
    std::fs::read_to_string("/proc/net/route")
        .map(|t| parse_routes(&t))
        .unwrap_or_default()
}

/// Parses `/proc/net/route`: addresses are hex of the in-memory (network
/// order) bytes read as a native integer.
fn parse_routes(text: &str) -> Vec<Used> {
    let hex = |s: &str| {
        u32::from_str_radix(s, 16)
            .ok()
            .map(|v| u32::from_be_bytes(v.to_ne_bytes()))
    };
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (iface, dest, mask) = (f.first()?, hex(f.get(1)?)?, hex(f.get(7)?)?);
            if mask == 0 {
                return None;
            }
            Some(Used {
                cidr: Cidr {
                    addr: dest & mask,
                    prefix: mask.leading_ones() as u8,
                },
                by: format!("host route on {iface}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(s: &str) -> Used {
        Used {
            cidr: s.parse::<Cidr>().unwrap().normalized(),
            by: "network x".into(),
        }
    }

    fn pool(range: &str, prefix: u8) -> Pool {
        Pool {
            range: range.parse().unwrap(),
            prefix,
            source: "default".into(),
        }
    }

    #[test]
    fn cidrs_parse_and_compare() {
        let c: Cidr = "10.213.0.64/26".parse().unwrap();
        assert_eq!(c.to_string(), "10.213.0.64/26");
        assert_eq!(c.first_host(), Ipv4Addr::new(10, 213, 0, 65));
        assert_eq!(Ipv4Addr::from(c.last()), Ipv4Addr::new(10, 213, 0, 127));
        assert_eq!(c.size(), 64);
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(c) && all.overlaps(c));
        assert!(!c.overlaps("10.213.0.128/26".parse().unwrap()));
        assert!(c.overlaps("10.213.0.0/16".parse().unwrap()));
        for bad in [
            "10.0.0.0",
            "10.0.0/8",
            "10.0.0.0/33",
            "::1/64",
            "x/8",
            "10.0.0.0/-1",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
        assert!(parse_subnet_arg("10.0.0.5/24").is_err());
        assert!(parse_subnet_arg("10.0.0.0/31").is_err());
        assert!(parse_subnet_arg("10.0.0.0/30").is_ok());
    }

    #[test]
    fn the_pool_hands_out_the_first_free_block() {
        let p = pool("10.213.0.0/16", 26);
        assert_eq!(p.blocks(), 1024);
        assert_eq!(p.allocate(&[]).unwrap().to_string(), "10.213.0.0/26");
        let u = [used("10.213.0.0/26"), used("10.213.0.128/26")];
        assert_eq!(p.allocate(&u).unwrap().to_string(), "10.213.0.64/26");
        // A wide foreign network skips every block it covers at once.
        let u = [used("10.213.0.0/20"), used("172.17.0.0/16")];
        assert_eq!(p.allocate(&u).unwrap().to_string(), "10.213.16.0/26");
        assert_eq!(p.blocks_in_use(&u), 64);
        // A small foreign network inside a block takes the whole block.
        let u = [used("10.213.0.8/29")];
        assert_eq!(p.allocate(&u).unwrap().to_string(), "10.213.0.64/26");
        assert_eq!(p.blocks_in_use(&u), 1);
    }

    #[test]
    fn an_exhausted_pool_is_a_temporary_failure_naming_it() {
        let p = pool("10.214.8.0/27", 28);
        let u = [used("10.214.8.0/28"), used("10.214.8.16/28")];
        let e = p.allocate(&u).unwrap_err();
        assert_eq!(e.exit.code(), 75);
        assert!(e.message.contains("10.214.8.0/27"), "{}", e.message);
        assert!(e.message.contains("2 of its 2"), "{}", e.message);
        // Covered whole by something wider, up to the end of the address space.
        let p = pool("255.255.255.0/24", 26);
        let e = p.allocate(&[used("255.0.0.0/8")]).unwrap_err();
        assert!(e.message.contains("4 of its 4"), "{}", e.message);
    }

    #[test]
    fn routes_are_read_from_proc() {
        let text = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n";
        let r = parse_routes(text);
        if cfg!(target_endian = "little") {
            assert_eq!(r.len(), 1);
            assert_eq!(r[0].cidr.to_string(), "172.17.0.0/16");
            assert_eq!(r[0].by, "host route on docker0");
        }
    }
}
