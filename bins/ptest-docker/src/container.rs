//! `create`: containers made through the API, in parallel, published on
//! 127.0.0.1 only, labelled for their owner, and returned ready.

use crate::commands::{self, Kind};
use crate::engine::{self, Engine};
use crate::ready::{self, Reach, Wanted};
use crate::{CreateArgs, Security, guardian, labels, network};
use bollard::models::{ContainerCreateBody, HostConfig, PortBinding};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Lifetime, LifetimeArgs, OwnerSpec};
use ptest_shared::record::{Record, new_id};
use ptest_shared::{Error, Result, hooks, interrupt, stream};
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
struct Plan {
    image: String,
    names: Vec<String>,
    env: Vec<String>,
    ports: Vec<(PortSpec, Option<u16>)>,
    binds: Vec<String>,
    tmpfs: HashMap<String, String>,
    memory: Option<i64>,
    nano_cpus: Option<i64>,
    pids: Option<i64>,
    network_mode: String,
    ready: Wanted,
    security: Security,
    cmd: Vec<String>,
}

pub fn create(common: &CommonArgs, a: &CreateArgs, lifetime_args: &LifetimeArgs) -> Result<i32> {
    let config = common.load_config()?;
    // Arguments first: a usage error costs nothing and makes nothing.
    ptest_shared::kinds::check_image_ref(&a.image)
        .map_err(|e| Error::usage(format!("--image: {e}")))?;
    if a.count == 0 || a.count > 256 {
        return Err(Error::usage(format!(
            "--count {}: between 1 and 256",
            a.count
        )));
    }
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
    let ready = ready::plan(&a.ready.parse()?, &ports)?;
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
    let lifetime = lifetime_args.resolve(OwnerSpec::Session)?;
    // From here on, Ctrl-C (or SIGTERM, SIGHUP) stops at the next step and
    // removes what was made, as a failed readiness check does.
    interrupt::catch()?;

    // The stream: passed through first; `port` leases named by --port.
    let mut out = RecordWriter::stdout();
    let input = stream::pass_through(&mut out)?;
    let leased = |lease: &str| -> Result<u16> {
        ptest_shared::kinds::lease_named(&input, lease)?
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
    let ports: Vec<(PortSpec, Option<u16>)> = ports
        .into_iter()
        .map(|p| {
            let host = p.lease.as_deref().map(leased).transpose()?;
            Ok((p, host))
        })
        .collect::<Result<_>>()?;

    let engine = Engine::connect()?;
    for (min, feature) in api_needs(a) {
        engine.require_api(min, feature)?;
    }
    match engine.block_on(engine.docker.inspect_image(&a.image)) {
        Ok(_) => {}
        Err(e) if engine::is_gone(&e) => {
            return Err(Error::no_input(format!("no image {:?} on this engine", a.image)).hint(
                "ptest never pulls: import a root filesystem with `ptest docker image import TARBALL --tag T`, or `docker pull` it yourself",
            ));
        }
        Err(e) => {
            return Err(engine::error(
                &format!("cannot inspect image {}", a.image),
                &e,
            ));
        }
    }
    let (state, reg) = commands::open_registry()?;
    // Watched before anything exists, so a SIGKILL from here on leaks nothing.
    guardian::ensure(&lifetime)?;
    let run = new_id("run");

    // Everything made from here on is removed again should any later step
    // fail, the registry included: nothing is left running that no record
    // names.
    let mut made = Made {
        engine: &engine,
        reg: &reg,
        volumes: Vec::new(),
        network: None,
        containers: Vec::new(),
        kept: false,
    };

    // Named volumes that do not exist yet are made here, labelled, so that
    // they go with their owner; existing ones are used as they are.
    for b in &binds {
        let src = b.split(':').next().unwrap_or_default();
        if src.starts_with('/') {
            continue;
        }
        match engine.block_on(engine.docker.inspect_volume(src)) {
            Ok(_) => continue,
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect volume {src}"), &e)),
        }
        let id = new_id("volume");
        let opts = bollard::models::VolumeCreateOptions {
            name: Some(src.to_owned()),
            labels: Some(labels::for_object(&id, src, &lifetime, &run)),
            ..Default::default()
        };
        engine
            .block_on(engine.docker.create_volume(opts))
            .map_err(|e| engine::error(&format!("cannot create volume {src}"), &e))?;
        let mut rec = Record::resource_with_id("volume", commands::TOOL, &id);
        rec.set("volume_name", src).set("name", src);
        lifetime.apply(&mut rec);
        made.volumes.push(rec.clone());
        reg.put(&rec)?;
    }

    // The network: an isolated one of its own, or what was named.
    let network_mode = match a.network.as_str() {
        "none" | "bridge" | "host" => a.network.clone(),
        "isolated" => {
            let id = new_id("network");
            let req = network::Request {
                name: format!("ptest-{}", id.trim_start_matches("network-")),
                internal: true,
                isolated: true,
                subnet: None,
                labels: labels::for_object(&id, &name, &lifetime, &run),
            };
            let n = network::create(&engine, &state, &config, &req)?;
            let mut rec = Record::resource_with_id("network", commands::TOOL, &id);
            rec.set("network_id", n.engine_id.clone())
                .set("name", n.name.clone())
                .set("subnet", n.subnet.clone())
                .set("gateway", n.gateway.clone())
                .set("internal", true)
                .set("isolated", true)
                .set("firewall", n.firewall);
            lifetime.apply(&mut rec);
            made.network = Some(rec.clone());
            reg.put(&rec)?;
            n.name
        }
        other => other.to_owned(),
    };
    let plan = Plan {
        image: a.image.clone(),
        names,
        env: a.env.clone(),
        ports,
        binds,
        tmpfs,
        memory,
        nano_cpus,
        pids: a.pids,
        network_mode,
        ready,
        security: a.security,
        cmd: a.cmd.clone(),
    };
    let parallel = config.integer("docker.parallel").clamp(1, 64) as usize;
    let results = make_all(&engine, &plan, &lifetime, &run, parallel);
    let mut first_err = None;
    for r in results {
        match r {
            Ok(rec) => made.containers.push(rec),
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    if let Some(n) = interrupt::requested() {
        first_err = Some(Error::interrupted(n));
    }
    if let Some(e) = first_err {
        return Err(e);
    }
    for rec in &made.containers {
        hooks::pre(&config, "container.ready", rec)?;
    }
    for rec in &made.containers {
        reg.put(rec)?;
    }
    made.kept = true;
    let (made_network, made_volumes, records) = (
        made.network.take(),
        std::mem::take(&mut made.volumes),
        std::mem::take(&mut made.containers),
    );
    if common.json() {
        for r in made_network.iter().chain(&made_volumes) {
            out.write(r)?;
        }
    }
    for rec in &records {
        if common.json() {
            out.write(rec)?;
        } else {
            let ports = rec
                .get("ports")
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .map(|p| format!("127.0.0.1:{}->{}", p["host_port"], p["container_port"]))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            use ptest_shared::output::cell;
            out.write_line(&format!(
                "{}  {}  {}  {}  {ports}",
                cell(rec, "id"),
                cell(rec, "name"),
                cell(rec, "image"),
                cell(rec, "ip"),
            ))?;
        }
        hooks::post(&config, "container.ready", rec);
    }
    Ok(0)
}

/// What one `create` has made so far: unless `kept`, it is removed again
/// (from the engine and the registry) when this goes out of scope, so
/// that a failure at any step, a registry write included, leaves nothing.
struct Made<'a> {
    engine: &'a Engine,
    reg: &'a ptest_shared::registry::Registry,
    volumes: Vec<Record>,
    network: Option<Record>,
    containers: Vec<Record>,
    kept: bool,
}

impl Drop for Made<'_> {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        let objects = self
            .containers
            .iter()
            .map(|r| (Kind::Container, r))
            .chain(self.volumes.iter().map(|r| (Kind::Volume, r)))
            .chain(self.network.iter().map(|r| (Kind::Network, r)));
        for (kind, r) in objects {
            if let Some(id) = commands::engine_id_of(r) {
                let _ = commands::remove_object(self.engine, kind, &id);
            }
            let _ = self.reg.remove(r.id().unwrap_or_default());
        }
    }
}

/// Makes every container of the plan, `parallel` at a time; each result
/// is its record or why it failed (having removed what it made).
fn make_all(
    engine: &Engine,
    plan: &Plan,
    lifetime: &Lifetime,
    run: &str,
    parallel: usize,
) -> Vec<Result<Record>> {
    if plan.names.len() == 1 || parallel == 1 {
        // One at a time on the client we have: no second connection.
        return (0..plan.names.len())
            .map(|i| make_one(engine, plan, i, lifetime, run))
            .collect();
    }
    let slots: Vec<Option<Result<Record>>> = (0..plan.names.len()).map(|_| None).collect();
    let results = std::sync::Mutex::new(slots);
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (next, results) = (&next, &results);
        let workers: Vec<_> = (0..parallel.min(plan.names.len()))
            .map(|_| {
                scope.spawn(move || {
                    // Each worker drives its own client: the engine handles
                    // requests in parallel, a current-thread runtime does not.
                    let engine_here = match Engine::connect() {
                        Ok(e) => e,
                        Err(e) => loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            if i >= plan.names.len() {
                                return;
                            }
                            results.lock().unwrap()[i] =
                                Some(Err(Error::new(e.exit, e.message.clone())));
                        },
                    };
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= plan.names.len() {
                            return;
                        }
                        let r = make_one(&engine_here, plan, i, lifetime, run);
                        results.lock().unwrap()[i] = Some(r);
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::internal("a container was not attempted"))))
        .collect()
}

fn make_one(
    engine: &Engine,
    plan: &Plan,
    i: usize,
    lifetime: &Lifetime,
    run: &str,
) -> Result<Record> {
    // Interrupted before this one began: nothing to make, or to undo.
    interrupt::check()?;
    let id = new_id("container");
    let name = &plan.names[i];
    let labels = labels::for_object(&id, name, lifetime, run);
    let mut exposed = HashMap::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for (p, host) in &plan.ports {
        let key = format!("{}/{}", p.container, p.proto);
        exposed.insert(key.clone(), HashMap::new());
        bindings.insert(
            key,
            Some(vec![PortBinding {
                host_ip: Some("127.0.0.1".into()),
                host_port: Some(host.map(|h| h.to_string()).unwrap_or_default()),
            }]),
        );
    }
    let strict = plan.security == Security::Strict;
    let mut tmpfs = plan.tmpfs.clone();
    if strict {
        // The only writable places of a read-only root: writable by the
        // unprivileged user the container runs as, /tmp always among them.
        tmpfs.entry("/tmp".into()).or_default();
        for opts in tmpfs.values_mut().filter(|o| o.is_empty()) {
            *opts = "rw,nosuid,nodev,size=64m,mode=1777".into();
        }
    }
    let host = HostConfig {
        port_bindings: Some(bindings),
        binds: (!plan.binds.is_empty()).then(|| plan.binds.clone()),
        tmpfs: (!tmpfs.is_empty()).then_some(tmpfs),
        memory: plan.memory,
        // No swap beyond the limit: a memory limit means what it says.
        memory_swap: plan.memory,
        nano_cpus: plan.nano_cpus,
        pids_limit: plan.pids.or(strict.then_some(256)),
        network_mode: Some(plan.network_mode.clone()),
        cap_drop: strict.then(|| vec!["ALL".into()]),
        security_opt: strict.then(|| vec!["no-new-privileges".into()]),
        readonly_rootfs: strict.then_some(true),
        init: Some(true),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(plan.image.clone()),
        cmd: (!plan.cmd.is_empty()).then(|| plan.cmd.clone()),
        env: (!plan.env.is_empty()).then(|| plan.env.clone()),
        labels: Some(labels),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        user: strict.then(|| "65534:65534".into()),
        host_config: Some(host),
        ..Default::default()
    };
    let engine_name = format!("ptest-{name}-{}", id.trim_start_matches("container-"));
    let opts = bollard::query_parameters::CreateContainerOptionsBuilder::default()
        .name(&engine_name)
        .build();
    let created = engine
        .block_on(engine.docker.create_container(Some(opts), body))
        .map_err(|e| engine::error(&format!("cannot create container {name}"), &e))?;
    let cid = created.id;
    let fail = |e: Error| {
        let _ = commands::remove_object(engine, Kind::Container, &cid);
        e
    };
    interrupt::check().map_err(fail)?;
    engine
        .block_on(engine.docker.start_container(
            &cid,
            None::<bollard::query_parameters::StartContainerOptions>,
        ))
        .map_err(|e| fail(engine::error(&format!("cannot start container {name}"), &e)))?;
    interrupt::check().map_err(fail)?;
    let info = engine
        .block_on(engine.docker.inspect_container(
            &cid,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ))
        .map_err(|e| fail(engine::error("cannot inspect the new container", &e)))?;
    let net = info.network_settings.clone().unwrap_or_default();
    let ip = net.networks.as_ref().and_then(|n| {
        n.values()
            .find_map(|e| e.ip_address.clone().filter(|s| !s.is_empty()))
    });
    let mut published = Vec::new();
    for (key, b) in net.ports.clone().unwrap_or_default() {
        let cport: u16 = key
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let proto = key.split('/').nth(1).unwrap_or("tcp").to_owned();
        if let Some(h) = b
            .and_then(|v| {
                v.into_iter()
                    .find(|b| b.host_ip.as_deref() == Some("127.0.0.1"))
            })
            .and_then(|b| b.host_port)
            .and_then(|p| p.parse::<u16>().ok())
        {
            published.push((cport, proto, h));
        }
    }
    published.sort();
    let reach = Reach {
        ip: ip.clone().filter(|_| plan.network_mode != "none"),
        published: published.iter().map(|(c, _, h)| (*c, *h)).collect(),
    };
    ready::wait(engine, &cid, name, &plan.ready, &reach).map_err(fail)?;
    let prefix = env_prefix(name);
    let mut env = serde_json::Map::new();
    env.insert(format!("{prefix}_HOST"), "127.0.0.1".into());
    for (c, proto, h) in &published {
        let suffix = if proto == "udp" { "_UDP" } else { "" };
        env.insert(format!("{prefix}_PORT_{c}{suffix}"), h.to_string().into());
    }
    if let Some(ip) = &ip {
        env.insert(format!("{prefix}_IP"), ip.clone().into());
    }
    let mut rec = Record::resource_with_id("container", commands::TOOL, &id);
    rec.set("container_id", cid.clone())
        .set("name", name.clone())
        .set("engine_name", engine_name)
        .set("image", plan.image.clone())
        .set("ip", ip.map_or(serde_json::Value::Null, Into::into))
        .set("network", plan.network_mode.clone())
        .set(
            "ports",
            serde_json::Value::Array(
                published
                    .iter()
                    .map(|(c, p, h)| serde_json::json!({"container_port": c, "proto": p, "host_ip": "127.0.0.1", "host_port": h}))
                    .collect(),
            ),
        )
        .set(
            "limits",
            serde_json::json!({
                "memory_bytes": plan.memory,
                "cpus": plan.nano_cpus.map(|n| n as f64 / 1e9),
                "pids": plan.pids.or((plan.security == Security::Strict).then_some(256)),
            }),
        )
        .set("security", if strict { "strict" } else { "default" })
        .set("env", serde_json::Value::Object(env));
    lifetime.apply(&mut rec);
    Ok(rec)
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
