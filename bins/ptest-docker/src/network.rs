//! Networks: bridge networks with a small subnet from ptest's own pool,
//! optionally internal or isolated, labelled like every object ptest makes.
//!
//! # Subnets
//!
//! Docker's default address pools run out after a few dozen networks (each
//! takes a /16 or a /20). ptest carves its own subnets instead: blocks of
//! `/docker.subnet-prefix` (default /26) from `docker.subnet-pool` (default
//! `10.213.0.0/16`, 1024 networks). Under the state directory's
//! `docker-subnets` lock, [`create`] lists every network the engine has
//! (ptest's or not) and the host's IPv4 routes, and takes the first block
//! that overlaps none of them; the gateway is the block's first host
//! address. Nothing else records an allocation: the engine is the truth, and
//! removing a network frees its subnet. An exhausted pool is exit 75, naming
//! the pool and how to widen it.
//!
//! # Internal and isolated
//!
//! `internal` is Docker's `--internal`: no route out of the network (the
//! engine drops forwarded traffic leaving the subnet). That still lets a
//! container reach every service of the *host itself* that listens on
//! 0.0.0.0 (or `::`), through the bridge's gateway address: such packets
//! are delivered locally (the INPUT chain), never forwarded.
//!
//! `isolated` is internal plus that hole closed: the containers of the
//! network reach each other and nothing else, neither the outside, nor
//! other networks, nor the host. ptest names the bridge itself (the network
//! option `com.docker.network.bridge.name`, `ptest-br<random>`) and, right
//! after creating the network, inserts first in the INPUT chain
//!
//! ```text
//! iptables  -I INPUT -i <bridge> -m conntrack ! --ctstate ESTABLISHED,RELATED \
//!           -m comment --comment ptest:<network id, 12> -j DROP
//! ip6tables (the same)
//! ```
//!
//! (ip6tables when the host has IPv6: containers have link-local addresses,
//! and so does the bridge). [`remove`] removes the network, then every rule
//! carrying its comment; [`sweep_firewall`] (called by `gc`) removes rules
//! whose network is gone. When the rules cannot be installed (no iptables,
//! not root, a remote or rootless engine whose bridge this host cannot
//! see), the network is still made, internal, a loud warning on stderr says
//! that the host's services stay reachable and why, and the record carries
//! `"firewall": false`.

use crate::commands::{self, TOOL};
use crate::engine::{self, Engine};
use crate::labels;
use bollard::models::{Ipam, IpamConfig, Network, NetworkCreateRequest, NetworkDisconnectRequest};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{LifetimeArgs, OwnerSpec};
use ptest_shared::record::{Record, new_id, random_bytes};
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result, hooks, stream};
use std::collections::HashMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;
use std::time::Duration;

/// The label saying a network was made isolated (so [`remove`] looks for
/// firewall rules only where there may be some).
pub const ISOLATED_LABEL: &str = "ptest.isolated";

/// The network option naming the bridge interface.
const BRIDGE_OPTION: &str = "com.docker.network.bridge.name";

/// How long to wait for another ptest process allocating a subnet.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// The smallest subnet worth making: network, gateway, one container,
/// broadcast.
const MAX_PREFIX: u8 = 30;

/// What to make (see [`create`]).
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The engine's name of the network; must be free.
    pub name: String,
    /// No route out of the network.
    pub internal: bool,
    /// Internal, and the host unreachable too (implies `internal`).
    pub isolated: bool,
    /// A CIDR (`10.1.2.0/28`), or `None` for the next free block of the pool.
    pub subnet: Option<String>,
    /// The labels of the network (from [`labels::for_object`]).
    pub labels: HashMap<String, String>,
}

/// What was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The engine's id of the network.
    pub engine_id: String,
    pub name: String,
    /// `10.213.0.64/26`.
    pub subnet: String,
    /// The bridge's address: the subnet's first host address.
    pub gateway: String,
    /// The bridge interface (`ptest-br…`).
    pub bridge: String,
    /// Whether the host is firewalled off (only ever true when isolated).
    pub firewall: bool,
}

/// `ptest-docker network create`: passes the stream through, makes one
/// network and writes its `network` record.
pub fn create_command(
    common: &CommonArgs,
    name: Option<String>,
    internal: bool,
    isolated: bool,
    subnet: &str,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    // Arguments first: a usage error costs nothing and makes nothing.
    if let Some(n) = &name {
        validate_name(n)?;
    }
    let subnet = match subnet {
        "auto" | "" => None,
        s => {
            parse_subnet_arg(s)?;
            Some(s.to_owned())
        }
    };
    let config = common.load_config()?;
    if subnet.is_none() {
        pool_from_config(&config)?;
    }
    let lifetime = lifetime.resolve(OwnerSpec::Session)?;

    let mut out = RecordWriter::stdout();
    stream::pass_through(&mut out)?;
    let engine = Engine::connect()?;
    let (state, reg) = commands::open_registry()?;
    // Watched before anything exists, so a SIGKILL from here on leaks nothing.
    crate::guardian::ensure(&lifetime)?;

    let mut rec = Record::resource("network", TOOL);
    let id = rec.id().unwrap_or_default().to_owned();
    let name = name.unwrap_or_else(|| format!("ptest-{id}"));
    let run = new_id("run");
    let req = Request {
        name: name.clone(),
        internal,
        isolated,
        subnet,
        labels: labels::for_object(&id, &name, &lifetime, &run),
    };
    let made = create(&engine, &state, &config, &req)?;

    rec.set("network_id", made.engine_id.clone())
        .set("name", made.name.clone())
        .set("subnet", made.subnet.clone())
        .set("gateway", made.gateway.clone())
        .set("bridge", made.bridge.clone())
        .set("internal", internal || isolated)
        .set("isolated", isolated)
        .set("firewall", made.firewall);
    lifetime.apply(&mut rec);
    let undo = |e: Error| -> Error {
        if let Err(e2) = remove(&engine, &made.engine_id) {
            eprintln!(
                "ptest-docker: warning: cannot remove network {}: {}",
                made.name, e2.message
            );
        }
        let _ = reg.remove(&id);
        e
    };
    reg.put(&rec).map_err(undo)?;
    // A pre-hook sees the network as it will be handed out; a veto ends it.
    hooks::pre(&config, "network.created", &rec).map_err(undo)?;

    if common.json() {
        out.write(&rec)?;
    } else {
        let how = match (isolated, made.firewall, internal) {
            (true, true, _) => "isolated",
            (true, false, _) => "internal (NOT isolated: see the warning above)",
            (false, _, true) => "internal",
            (false, _, false) => "bridge",
        };
        out.write_line(&format!(
            "created network {}  {}  gateway {}  {how}  {id}",
            made.name, made.subnet, made.gateway
        ))?;
    }
    hooks::post(&config, "network.created", &rec);
    Ok(0)
}

/// Makes a network: checks the name is free, takes a subnet (the pool's
/// next free block, or `req.subnet`), creates it, and firewalls the host
/// off when `req.isolated`. The library form of `network create`, used for
/// a container's own `--network isolated`; it writes no record.
pub fn create(
    engine: &Engine,
    state: &StateDir,
    config: &Config,
    req: &Request,
) -> Result<Created> {
    validate_name(&req.name)?;
    let want = match req.subnet.as_deref() {
        Some(s) => Want::Explicit(parse_subnet_arg(s)?),
        None => Want::Pool(pool_from_config(config)?),
    };
    let internal = req.internal || req.isolated;
    let mut labels = req.labels.clone();
    if req.isolated {
        labels.insert(ISOLATED_LABEL.into(), "true".into());
    }

    let mut bridge = bridge_name();
    let mut attempt = 0;
    let (engine_id, subnet) = loop {
        attempt += 1;
        // Held from listing what is in use until the engine has the new
        // network, so two ptest processes never pick the same block.
        let _lock = state.lock("docker-subnets", LOCK_TIMEOUT)?;
        let networks = list_networks(engine)?;
        if let Some(n) = networks
            .iter()
            .find(|n| n.name.as_deref() == Some(req.name.as_str()))
        {
            return Err(name_taken(&req.name, n.id.as_deref().unwrap_or("")));
        }
        let mut used = engine_subnets(&networks);
        used.extend(host_routes());
        let subnet = match &want {
            Want::Explicit(s) => {
                let s = *s;
                if let Some(u) = used.iter().find(|u| u.cidr.overlaps(s)) {
                    return Err(Error::data(format!(
                        "subnet {s} overlaps {} ({})",
                        u.cidr, u.by
                    ))
                    .hint("choose another --subnet, or leave it out to take one from docker.subnet-pool"));
                }
                s
            }
            Want::Pool(p) => p.allocate(&used)?,
        };
        let gateway = subnet.first_host();
        let body = NetworkCreateRequest {
            name: req.name.clone(),
            driver: Some("bridge".into()),
            internal: Some(internal),
            ipam: Some(Ipam {
                driver: Some("default".into()),
                config: Some(vec![IpamConfig {
                    subnet: Some(subnet.to_string()),
                    gateway: Some(gateway.to_string()),
                    ..Default::default()
                }]),
                options: None,
            }),
            options: Some(HashMap::from([(BRIDGE_OPTION.into(), bridge.clone())])),
            labels: Some(labels.clone()),
            ..Default::default()
        };
        let resp = match engine.block_on(engine.docker.create_network(body)) {
            Ok(r) => r,
            // Someone allocating under another state directory (another
            // user, another PTEST_HOME) took the block meanwhile: the engine
            // is the arbiter, so look again. Likewise for a bridge name.
            Err(e) if attempt < 5 && retryable(&want, &e) => {
                bridge = bridge_name();
                continue;
            }
            Err(e) => return Err(create_error(&req.name, subnet, &e)),
        };
        // Engines before API 1.44 accept a second network of the same name
        // (with only a warning) when someone outside ptest raced us to it.
        if resp.warning.contains("already exists") {
            let _ = engine.block_on(engine.docker.remove_network(&resp.id));
            return Err(name_taken(&req.name, ""));
        }
        break (resp.id, subnet);
    };

    let firewall = if req.isolated {
        match install_firewall(&bridge, &engine_id) {
            Ok(()) => true,
            Err(why) => {
                warn_not_isolated(&req.name, subnet.first_host(), &why);
                false
            }
        }
    } else {
        false
    };
    Ok(Created {
        engine_id,
        name: req.name.clone(),
        subnet: subnet.to_string(),
        gateway: subnet.first_host().to_string(),
        bridge,
        firewall,
    })
}

/// Removes a network (by engine id or name): disconnects the containers
/// still attached (forced: teardown removes containers first anyway),
/// removes the network, then its firewall rules. `false` when it was gone
/// already.
pub fn remove(engine: &Engine, id: &str) -> Result<bool> {
    let net = match engine.block_on(
        engine
            .docker
            .inspect_network(id, None::<bollard::query_parameters::InspectNetworkOptions>),
    ) {
        Ok(n) => n,
        Err(e) if engine::is_gone(&e) => {
            // Gone, but its rules may not be (a crash between the two).
            if is_engine_id(id) {
                remove_firewall(id);
            }
            return Ok(false);
        }
        Err(e) => return Err(engine::error(&format!("cannot inspect network {id}"), &e)),
    };
    let full_id = net.id.clone().unwrap_or_else(|| id.to_owned());
    for container in net.containers.as_ref().into_iter().flat_map(|c| c.keys()) {
        let req = NetworkDisconnectRequest {
            container: Some(container.clone()),
            force: Some(true),
        };
        match engine.block_on(engine.docker.disconnect_network(&full_id, req)) {
            Ok(()) => {}
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => {
                return Err(engine::error(
                    &format!("cannot disconnect container {container} from network {full_id}"),
                    &e,
                ));
            }
        }
    }
    let removed = match engine.block_on(engine.docker.remove_network(&full_id)) {
        Ok(()) => true,
        Err(e) if engine::is_gone(&e) => false,
        Err(e) => {
            return Err(engine::error(
                &format!("cannot remove network {full_id}"),
                &e,
            ));
        }
    };
    // After the network: while it exists, its rules keep the host closed.
    let isolated = net
        .labels
        .as_ref()
        .is_some_and(|l| l.contains_key(ISOLATED_LABEL));
    if isolated {
        remove_firewall(&full_id);
    }
    Ok(removed)
}

/// Removes the `ptest:` firewall rules whose network the engine no longer
/// has (left by a crash, or by a network removed outside ptest). Returns how
/// many rules went.
pub fn sweep_firewall(engine: &Engine) -> Result<usize> {
    // Rules first, networks second: a rule listed belongs to a network that
    // existed before the listing, so a network made meanwhile never loses
    // its rule.
    let mut rules = Vec::new();
    for bin in FIREWALLS {
        if let Ok(text) = iptables(bin, &["-S", "INPUT"]) {
            rules.extend(parse_rules(&text).into_iter().map(|r| (bin, r)));
        }
    }
    if rules.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = list_networks(engine)?
        .into_iter()
        .filter_map(|n| n.id)
        .collect();
    let mut n = 0;
    for (bin, rule) in rules {
        if ids.iter().any(|id| id.starts_with(&rule.id12)) {
            continue;
        }
        match delete_rule(bin, &rule) {
            Ok(()) => n += 1,
            Err(e) => eprintln!(
                "ptest-docker: warning: cannot remove the {bin} rule of gone network {}: {e}",
                rule.id12
            ),
        }
    }
    Ok(n)
}

// ---------------------------------------------------------------------------
// Names and subnets

/// A network name the engine and a shell take without surprise.
fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "network name {name:?}: use letters, digits, '_', '.' or '-', starting with a letter or digit"
        )))
    }
}

fn name_taken(name: &str, id: &str) -> Error {
    let id = if id.is_empty() {
        String::new()
    } else {
        format!(" ({})", &id[..id.len().min(12)])
    };
    Error::data(format!("a network named {name:?} exists already{id}"))
        .hint("choose another --name, or remove that one: ptest docker network rm NAME")
}

/// Whether creating again may succeed: the pool's block was taken by
/// someone outside our lock, or the random bridge name clashed.
fn retryable(want: &Want, e: &bollard::errors::Error) -> bool {
    let msg = engine::message(e);
    (matches!(want, Want::Pool(_)) && msg.contains("overlaps")) || msg.contains("same bridge name")
}

/// An engine's refusal of a new network, in words.
fn create_error(name: &str, subnet: Cidr, e: &bollard::errors::Error) -> Error {
    let msg = engine::message(e);
    if msg.contains("overlaps") {
        return Error::data(format!(
            "cannot create network {name}: subnet {subnet} overlaps a network the engine has ({msg})"
        ))
        .hint("choose another --subnet, or retry to take the next free block of the pool");
    }
    if msg.contains("already exists") || engine::status(e) == Some(409) {
        return name_taken(name, "");
    }
    engine::error(&format!("cannot create network {name}"), e)
}

/// A `--subnet` value: an IPv4 CIDR naming its network address.
fn parse_subnet_arg(s: &str) -> Result<Cidr> {
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
enum Want {
    Explicit(Cidr),
    Pool(Pool),
}

/// Something holding addresses that a new network must not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Used {
    cidr: Cidr,
    /// Who: `network bridge`, `host route on eth0`.
    by: String,
}

/// The pool subnets are carved from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pool {
    range: Cidr,
    /// The prefix length of each network.
    prefix: u8,
    /// Where the values came from, for messages.
    source: String,
}

fn pool_from_config(config: &Config) -> Result<Pool> {
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

/// Every network the engine has, ours or not.
fn list_networks(engine: &Engine) -> Result<Vec<Network>> {
    engine
        .block_on(
            engine
                .docker
                .list_networks(None::<bollard::query_parameters::ListNetworksOptions>),
        )
        .map_err(|e| engine::error("cannot list networks", &e))
}

/// The IPv4 subnets of the engine's networks.
fn engine_subnets(networks: &[Network]) -> Vec<Used> {
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
fn host_routes() -> Vec<Used> {
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

/// `ptest-br` and 7 random characters: 15, the most an interface name holds.
fn bridge_name() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 7];
    random_bytes(&mut bytes);
    let mut s = String::from("ptest-br");
    s.extend(bytes.iter().map(|b| ALPHABET[usize::from(b & 31)] as char));
    s
}

fn is_engine_id(id: &str) -> bool {
    id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

// ---------------------------------------------------------------------------
// The firewall

const FIREWALLS: [&str; 2] = ["iptables", "ip6tables"];

/// `ptest:<first 12 characters of the engine id>`.
fn comment_of(engine_id: &str) -> String {
    format!("ptest:{}", &engine_id[..engine_id.len().min(12)])
}

/// Runs an iptables binary (waiting for the xtables lock); its stdout, or
/// why it failed.
fn iptables(bin: &str, args: &[&str]) -> std::result::Result<String, String> {
    let out = Command::new(bin)
        .arg("-w")
        .arg("5")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{bin} is not installed")
            } else {
                format!("cannot run {bin}: {e}")
            }
        })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    // iptables-nft warns about legacy tables on every call: not the reason.
    let err: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("# Warning") && !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    Err(format!(
        "`{bin} {}` failed ({}): {}",
        args.join(" "),
        out.status,
        if err.is_empty() {
            "no message".to_owned()
        } else {
            err.join("; ")
        }
    ))
}

/// Drops every connection the bridge's containers open to the host itself
/// (answers to connections the host opened pass).
fn install_firewall(bridge: &str, engine_id: &str) -> std::result::Result<(), String> {
    if !Path::new("/sys/class/net").join(bridge).exists() {
        return Err(format!(
            "its bridge {bridge} is not visible from here: the engine runs on another host, \
in a VM or rootless, so this host's firewall cannot guard it"
        ));
    }
    let comment = comment_of(engine_id);
    let rule = [
        "-I",
        "INPUT",
        "-i",
        bridge,
        // Answers to connections the host opened (readiness probes, tests
        // talking to a container's address) still come back.
        "-m",
        "conntrack",
        "!",
        "--ctstate",
        "ESTABLISHED,RELATED",
        "-m",
        "comment",
        "--comment",
        &comment,
        "-j",
        "DROP",
    ];
    iptables("iptables", &rule)?;
    // With IPv6 on, the bridge and the containers have link-local addresses:
    // a service listening on `::` is reachable through them.
    if Path::new("/proc/sys/net/ipv6").exists() {
        iptables("ip6tables", &rule).map_err(|e| format!("IPv4 is closed, but not IPv6: {e}"))?;
    }
    Ok(())
}

fn warn_not_isolated(name: &str, gateway: Ipv4Addr, why: &str) {
    let bar = "!".repeat(72);
    eprintln!(
        "ptest-docker: {bar}\n\
ptest-docker: WARNING: network {name} is internal but NOT isolated from this host.\n\
ptest-docker: Its containers can still reach every host service listening on 0.0.0.0\n\
ptest-docker: (or ::) through {gateway}: the firewall rule could not be set.\n\
ptest-docker: Why: {why}\n\
ptest-docker: Fix: run as root (or with CAP_NET_ADMIN) on the engine's host, with iptables.\n\
ptest-docker: {bar}"
    );
}

/// A `ptest:` rule of the INPUT chain, as `iptables -S` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The first 12 characters of its network's engine id.
    id12: String,
    /// The rule's specification after `-A INPUT`.
    spec: Vec<String>,
}

/// The `ptest:` rules of an `iptables -S INPUT` listing.
fn parse_rules(text: &str) -> Vec<Rule> {
    text.lines()
        .filter_map(|line| {
            let words = split_words(line);
            let spec = match words.as_slice() {
                [a, chain, rest @ ..] if a == "-A" && chain == "INPUT" => rest.to_vec(),
                _ => return None,
            };
            let at = spec.iter().position(|w| w == "--comment")?;
            let id12 = spec.get(at + 1)?.strip_prefix("ptest:")?;
            (id12.len() == 12 && is_engine_id(id12)).then(|| Rule {
                id12: id12.to_owned(),
                spec: spec.clone(),
            })
        })
        .collect()
}

/// Splits an `iptables -S` line into words: double quotes group, and a
/// backslash escapes the next character.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.extend(chars.next());
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn delete_rule(bin: &str, rule: &Rule) -> std::result::Result<(), String> {
    let mut args = vec!["-D", "INPUT"];
    args.extend(rule.spec.iter().map(String::as_str));
    iptables(bin, &args).map(drop)
}

/// Removes every rule of this network; a failure is a warning only (the
/// network is gone, and `gc` sweeps what is left).
fn remove_firewall(engine_id: &str) {
    let comment = comment_of(engine_id);
    for bin in FIREWALLS {
        let Ok(text) = iptables(bin, &["-S", "INPUT"]) else {
            continue;
        };
        for rule in parse_rules(&text) {
            if comment_of(&rule.id12) != comment {
                continue;
            }
            if let Err(e) = delete_rule(bin, &rule) {
                eprintln!(
                    "ptest-docker: warning: cannot remove the {bin} rule {comment}: {e} (`ptest docker gc` retries)"
                );
            }
        }
    }
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

    #[test]
    fn ptest_rules_are_found_in_a_listing() {
        let text = "-P INPUT ACCEPT\n\
-A INPUT -i ptest-brabcdefg -m comment --comment \"ptest:0123456789ab\" -j DROP\n\
-A INPUT -i eth0 -m comment --comment \"keep me\" -j ACCEPT\n\
-A INPUT -i ptest-brx -m comment --comment ptest:notanid -j DROP\n\
-A FORWARD -i x -m comment --comment ptest:0123456789ab -j DROP\n";
        let rules = parse_rules(text);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id12, "0123456789ab");
        assert_eq!(
            rules[0].spec,
            [
                "-i",
                "ptest-brabcdefg",
                "-m",
                "comment",
                "--comment",
                "ptest:0123456789ab",
                "-j",
                "DROP"
            ]
        );
        assert_eq!(split_words(r#"a "b c" d\"e"#), ["a", "b c", "d\"e"]);
    }

    #[test]
    fn names_and_bridges() {
        assert!(validate_name("ptest-network-k3x9m2qa").is_ok());
        for bad in ["", "-x", "a b", "a/b", "ä"] {
            assert_eq!(validate_name(bad).unwrap_err().exit.code(), 64, "{bad:?}");
        }
        let b = bridge_name();
        assert_eq!(b.len(), 15);
        assert!(b.starts_with("ptest-br"));
        assert_eq!(comment_of("0123456789abcdef"), "ptest:0123456789ab");
    }
}
