//! Networks: bridge networks with a small subnet from ptest's own pool,
//! optionally internal (no route out) or isolated (internal, and the host
//! itself unreachable too), labelled like every object ptest makes.
//!
//! [`create`] takes the subnet under a lock (how the pool is carved is
//! described in `subnet.rs`), creates the network and, when isolated,
//! closes the host to it (the firewall rules, and why internal alone is not
//! enough, are described in `firewall.rs`); [`remove`] removes a network,
//! then its rules; [`sweep_firewall`] (called by `gc`) removes rules whose
//! network is gone. `network create` is [`create_command`], which also
//! writes the `network` record.

use crate::engine::{self, Engine};
use crate::firewall::{install_firewall, is_engine_id, remove_firewall, warn_not_isolated};
use crate::labels;
use crate::objects::{self, TOOL};
use crate::subnet::{Want, engine_subnets, host_routes, parse_subnet_arg, pool_from_config};
use bollard::models::{Ipam, IpamConfig, Network, NetworkCreateRequest, NetworkDisconnectRequest};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{LifetimeArgs, OwnerSpec};
use ptest_shared::record::{Record, new_id, random_bytes};
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result, hooks, stream};
use std::collections::HashMap;
use std::time::Duration;

pub use crate::firewall::sweep_firewall;
pub use crate::subnet::Cidr;

/// The label saying a network was made isolated (so [`remove`] looks for
/// firewall rules only where there may be some).
pub const ISOLATED_LABEL: &str = "ptest.isolated";

/// The network option naming the bridge interface.
const BRIDGE_OPTION: &str = "com.docker.network.bridge.name";

/// How long to wait for another ptest process allocating a subnet.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

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
    let (state, reg) = objects::open_registry()?;
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
    let want = Want::of(req.subnet.as_deref(), config)?;
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
        let subnet = want.choose(&used)?;
        let body = create_request(req, subnet, &bridge, &labels);
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

/// What the engine is asked for: a bridge network on `subnet`, its gateway
/// the subnet's first host address, its bridge interface named `bridge`.
fn create_request(
    req: &Request,
    subnet: Cidr,
    bridge: &str,
    labels: &HashMap<String, String>,
) -> NetworkCreateRequest {
    NetworkCreateRequest {
        name: req.name.clone(),
        driver: Some("bridge".into()),
        internal: Some(req.internal || req.isolated),
        ipam: Some(Ipam {
            driver: Some("default".into()),
            config: Some(vec![IpamConfig {
                subnet: Some(subnet.to_string()),
                gateway: Some(subnet.first_host().to_string()),
                ..Default::default()
            }]),
            options: None,
        }),
        options: Some(HashMap::from([(BRIDGE_OPTION.into(), bridge.to_owned())])),
        labels: Some(labels.clone()),
        ..Default::default()
    }
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

/// Every network the engine has, ours or not.
pub(crate) fn list_networks(engine: &Engine) -> Result<Vec<Network>> {
    engine
        .block_on(
            engine
                .docker
                .list_networks(None::<bollard::query_parameters::ListNetworksOptions>),
        )
        .map_err(|e| engine::error("cannot list networks", &e))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firewall::comment_of;

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
