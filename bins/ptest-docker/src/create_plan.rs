//! What `create` decides before it makes anything: the arguments checked
//! into a [`Plan`] ([`check_args`]: ports, volumes, tmpfs, limits, names,
//! readiness), the host ports of the stream's `port` leases
//! ([`resolve_leases`]), and the engine API versions the options need
//! ([`api_needs`]).

use crate::ready::{self, Wanted};
use crate::{CreateArgs, Security};
use ptest_shared::{Error, Record, Result};
use std::collections::HashMap;

/// A `--port` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub container: u16,
    pub proto: String,
    /// The `port` lease on stdin whose host port to publish on.
    pub lease: Option<String>,
}

/// Parses `CPORT[/proto][=LEASE]`.
pub fn parse_port(s: &str) -> std::result::Result<PortSpec, String> {
    let (spec, lease) = match s.split_once('=') {
        Some((a, b)) if !b.is_empty() => (a, Some(b.to_owned())),
        Some(_) => return Err(format!("--port {s:?}: a lease name follows '='")),
        None => (s, None),
    };
    let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let container: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("--port {s:?}: {port:?} is not a port number (1-65535)"))?;
    let proto = proto.to_ascii_lowercase();
    if proto != "tcp" && proto != "udp" {
        return Err(format!("--port {s:?}: the protocol is tcp or udp"));
    }
    Ok(PortSpec {
        container,
        proto,
        lease,
    })
}

/// Parses `SRC:DST[:ro|rw]`.
pub fn parse_volume(s: &str) -> std::result::Result<String, String> {
    let parts: Vec<&str> = s.split(':').collect();
    let ok = match parts.as_slice() {
        [src, dst] => !src.is_empty() && dst.starts_with('/'),
        [src, dst, mode] => !src.is_empty() && dst.starts_with('/') && matches!(*mode, "ro" | "rw"),
        _ => false,
    };
    if !ok {
        return Err(format!(
            "--volume {s:?}: write SRC:DST or SRC:DST:ro with an absolute DST (SRC a host path or a volume name)"
        ));
    }
    // A relative host path means one relative to here, as users expect.
    let src = parts[0];
    if src.starts_with('.') {
        let abs = std::env::current_dir()
            .map(|d| d.join(src))
            .map_err(|e| format!("--volume {s:?}: {e}"))?;
        return Ok(format!("{}:{}", abs.display(), parts[1..].join(":")));
    }
    // Anything else but an absolute host path is a volume's name, which
    // goes into the engine's URLs.
    if !src.starts_with('/') {
        ptest_shared::kinds::check_engine_name(src)
            .map_err(|e| format!("--volume {s:?}: {e} (a host path starts with '/' or '.')"))?;
    }
    Ok(s.to_owned())
}

/// `PTEST_<NAME>_…`: upper case, anything but letters and digits as `_`.
pub fn env_prefix(name: &str) -> String {
    format!("PTEST_{}", ptest_shared::record::env_word(name))
}

/// The default name: the image's last path part, without tag or digest.
fn image_name(image: &str) -> String {
    let base = image.rsplit('/').next().unwrap_or(image);
    let base = base.split('@').next().unwrap_or(base);
    base.split(':').next().unwrap_or(base).to_owned()
}

/// The API versions the asked-for options need (the engine's own
/// changelog): an older engine gets exit 69 naming both versions rather
/// than fields it would ignore.
pub fn api_needs(a: &CreateArgs) -> Vec<((u32, u32), &'static str)> {
    let mut v = vec![(
        (1, 25),
        "running containers with an init (ptest always does)",
    )];
    if a.cpus.is_some() {
        v.push(((1, 25), "--cpus"));
    }
    if a.pids.is_some() || a.security == Security::Strict {
        v.push(((1, 23), "--pids"));
    }
    if !a.tmpfs.is_empty() || a.security == Security::Strict {
        v.push(((1, 22), "--tmpfs"));
    }
    v
}

/// Everything decided before any container is made.
#[derive(Clone)]
pub struct Plan {
    pub image: String,
    /// The name asked for (or the image's); with `--count` above 1 the
    /// containers' names add `-0`, `-1`, ….
    pub name: String,
    /// One per container.
    pub names: Vec<String>,
    pub env: Vec<String>,
    /// Each `--port`, with the host port of its lease once
    /// [`resolve_leases`] has read the stream.
    pub ports: Vec<(PortSpec, Option<u16>)>,
    pub binds: Vec<String>,
    pub tmpfs: HashMap<String, String>,
    pub memory: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub pids: Option<i64>,
    /// `--network` as given; for `isolated`, the name of the network made
    /// for it once made.
    pub network_mode: String,
    pub ready: Wanted,
    pub security: Security,
    pub cmd: Vec<String>,
}

/// Checks every argument of `create` into a plan: a usage error costs
/// nothing and makes nothing. The host ports of leases are still to be
/// read from the stream ([`resolve_leases`]).
pub fn check_args(a: &CreateArgs) -> Result<Plan> {
    ptest_shared::kinds::check_image_ref(&a.image)
        .map_err(|e| Error::usage(format!("--image: {e}")))?;
    if a.count == 0 || a.count > 256 {
        return Err(Error::usage(format!(
            "--count {}: between 1 and 256",
            a.count
        )));
    }
    let ports = check_ports(a)?;
    let binds: Vec<String> = a
        .volume
        .iter()
        .map(|v| parse_volume(v).map_err(Error::usage))
        .collect::<Result<_>>()?;
    for e in &a.env {
        if !e.contains('=') || e.starts_with('=') {
            return Err(Error::usage(format!("--env {e:?}: write K=V")));
        }
    }
    let mut tmpfs = HashMap::new();
    for t in &a.tmpfs {
        if !t.starts_with('/') {
            return Err(Error::usage(format!(
                "--tmpfs {t:?}: an absolute path inside the container"
            )));
        }
        tmpfs.insert(t.clone(), String::new());
    }
    let (memory, nano_cpus) = check_limits(a)?;
    let ready = ready::plan(&a.ready.parse()?, &ports)?;
    let (name, names) = check_names(a)?;
    Ok(Plan {
        image: a.image.clone(),
        name,
        names,
        env: a.env.clone(),
        ports: ports.into_iter().map(|p| (p, None)).collect(),
        binds,
        tmpfs,
        memory,
        nano_cpus,
        pids: a.pids,
        network_mode: a.network.clone(),
        ready,
        security: a.security,
        cmd: a.cmd.clone(),
    })
}

/// The `--port`s, parsed, and whether the network and `--count` let them
/// be published.
fn check_ports(a: &CreateArgs) -> Result<Vec<PortSpec>> {
    let ports: Vec<PortSpec> = a
        .port
        .iter()
        .map(|p| parse_port(p).map_err(Error::usage))
        .collect::<Result<_>>()?;
    if !ports.is_empty() && matches!(a.network.as_str(), "isolated" | "none" | "host") {
        return Err(Error::usage(format!(
            "--port cannot publish from --network {}: {}",
            a.network,
            match a.network.as_str() {
                "host" => "the container uses the host's own ports already",
                _ => "the container has no route to the host to publish on",
            }
        ))
        .hint("use --network bridge (the default) to publish ports; from another container, reach it at its ip"));
    }
    if a.count > 1 && ports.iter().any(|p| p.lease.is_some()) {
        return Err(Error::usage(
            "--port CPORT=LEASE publishes on one host port: it cannot serve --count above 1",
        ));
    }
    Ok(ports)
}

/// `--memory` in bytes and `--cpus` in billionths of a CPU; `--pids`
/// checked.
fn check_limits(a: &CreateArgs) -> Result<(Option<i64>, Option<i64>)> {
    let memory = a
        .memory
        .as_deref()
        .map(|m| {
            ptest_shared::units::parse_size(m)
                .map(|v| v as i64)
                .map_err(|e| Error::usage(format!("--memory: {e}")))
        })
        .transpose()?;
    let nano_cpus = match a.cpus {
        Some(c) if !(c > 0.0 && c <= 1024.0) => {
            return Err(Error::usage(format!(
                "--cpus {c}: a positive number of CPUs"
            )));
        }
        Some(c) => Some((c * 1e9) as i64),
        None => None,
    };
    if a.pids.is_some_and(|p| p < 1) {
        return Err(Error::usage("--pids: at least 1"));
    }
    Ok((memory, nano_cpus))
}

/// The name (`--name`, else the image's) and each container's.
fn check_names(a: &CreateArgs) -> Result<(String, Vec<String>)> {
    let name = a.name.clone().unwrap_or_else(|| image_name(&a.image));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Error::usage(format!(
            "--name {name:?}: letters, digits, '-', '_' and '.'"
        )));
    }
    let names: Vec<String> = if a.count == 1 {
        vec![name.clone()]
    } else {
        (0..a.count).map(|i| format!("{name}-{i}")).collect()
    };
    Ok((name, names))
}

/// Gives each `--port CPORT=LEASE` the host port of the `port` record named
/// LEASE in the stream `input`; a lease not there is a usage error.
pub fn resolve_leases(input: &[Record], ports: &mut [(PortSpec, Option<u16>)]) -> Result<()> {
    let leased = |lease: &str| -> Result<u16> {
        ptest_shared::kinds::lease_named(input, lease)?
            .map(|l| *l.port.get())
            .ok_or_else(|| {
                Error::usage(format!(
                    "--port …={lease}: no `port` record named {lease:?} on stdin"
                ))
                .hint(format!(
                    "lease it first: ptest port lease --name {lease} | ptest docker create …"
                ))
            })
    };
    for (p, host) in ports.iter_mut() {
        *host = p.lease.as_deref().map(leased).transpose()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_name_the_api_they_need() {
        let mut a = CreateArgs {
            image: "x".into(),
            ..Default::default()
        };
        assert_eq!(api_needs(&a).len(), 1);
        a.cpus = Some(1.0);
        a.security = Security::Strict;
        let needs = api_needs(&a);
        assert!(needs.contains(&((1, 25), "--cpus")));
        assert!(needs.contains(&((1, 23), "--pids")));
        assert!(
            needs.iter().all(|(v, _)| *v <= (1, 41)),
            "all within this machine's engine"
        );
    }

    #[test]
    fn port_specs() {
        assert_eq!(
            parse_port("5432=db").unwrap(),
            PortSpec {
                container: 5432,
                proto: "tcp".into(),
                lease: Some("db".into())
            }
        );
        assert_eq!(parse_port("53/udp").unwrap().proto, "udp");
        assert!(parse_port("0").is_err());
        assert!(parse_port("80/sctp").is_err());
        assert!(parse_port("http").unwrap_err().contains("http"));
        assert!(parse_port("80=").is_err());
    }

    #[test]
    fn volumes_names_and_env() {
        assert_eq!(
            parse_volume("data:/var/lib:ro").unwrap(),
            "data:/var/lib:ro"
        );
        assert!(parse_volume("/x:rel").is_err());
        assert!(parse_volume("/x:/y:rx").is_err());
        assert!(parse_volume("./d:/d").unwrap().ends_with("/./d:/d"));
        assert_eq!(image_name("registry:5000/team/pg:16"), "pg");
        assert_eq!(image_name("busybox@sha256:abc"), "busybox");
        assert_eq!(env_prefix("my-db.1"), "PTEST_MY_DB_1");
    }
}
