//! `create`: containers made through the API, in parallel, published on
//! 127.0.0.1 only, labelled for their owner, and returned ready.
//!
//! The steps, in order: the arguments checked into a plan
//! ([`crate::create_plan`]), the stream's leases read, the engine checked
//! ([`check_engine`]), the guardian started, named volumes and an isolated
//! network made, the containers made and waited for ([`make_all`]), the
//! registry written and the records reported ([`report`]). The [`Made`]
//! guard removes everything made should any step fail or be interrupted.

use crate::create_plan::{self, Plan, env_prefix};
use crate::engine::{self, Engine};
use crate::objects::{self, Kind};
use crate::ready::{self, Reach};
use crate::remove::remove_object;
use crate::{CreateArgs, Security, guardian, labels, network, pool};
use bollard::models::{ContainerCreateBody, HostConfig, NetworkSettings, PortBinding};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Lifetime, LifetimeArgs, OwnerSpec};
use ptest_shared::record::{Record, new_id};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result, hooks, interrupt, stream};
use std::collections::HashMap;

pub fn create(
    common: &CommonArgs,
    a: &CreateArgs,
    lifetime_args: &LifetimeArgs,
    choice: &pool::Choice,
) -> Result<i32> {
    let config = common.load_config()?;
    // Arguments first: a usage error costs nothing and makes nothing.
    let mut plan = create_plan::check_args(a)?;
    let lifetime = lifetime_args.resolve(OwnerSpec::Session)?;
    // From here on, Ctrl-C (or SIGTERM, SIGHUP) stops at the next step and
    // removes what was made, as a failed readiness check does.
    interrupt::catch()?;

    // The stream: passed through first; `port` leases named by --port.
    let mut out = RecordWriter::stdout();
    let input = stream::pass_through(&mut out)?;
    create_plan::resolve_leases(&input, &mut plan.ports)?;

    let engine = Engine::connect()?;
    let image_id = check_engine(&engine, a)?;
    let (state, reg) = objects::open_registry()?;
    // Watched before anything exists, so a SIGKILL from here on leaks nothing.
    guardian::ensure(&lifetime)?;

    // Everything made (or taken) from here on is removed again should any
    // later step fail, the registry included: nothing is left running that
    // no record names.
    let mut made = Made::new(&engine, &reg);
    // Ready containers from a pool of this very spec first; what the pools
    // could not give is made cold, at once.
    let taken = pool::take(&engine, &reg, &plan, &image_id, &lifetime, choice)?;
    made.adopt(taken);
    interrupt::check()?;
    let taken = made.containers.len();
    if taken < plan.names.len() {
        plan.names.drain(..taken);
        let stamp = Stamp::owned(&lifetime);
        made.make_volumes(&plan.binds, &stamp)?;
        made.make_network(&mut plan, &state, &config, &stamp)?;
        let parallel = config.integer("docker.parallel").clamp(1, 64) as usize;
        made.make_containers(&plan, &stamp, parallel, &Extra::none())?;
    }
    let kept = made.keep(&config)?;
    report(common, &config, &mut out, &kept)?;
    Ok(0)
}

/// What another tool adds to one container's creation (`ptest-snap`'s
/// restore and reset): the ptest id to give it, and a step between its
/// creation and its start (filling its volumes).
pub struct Extra<'a> {
    /// The ptest id (a reset keeps its container's); a new one when `None`.
    pub id: Option<String>,
    /// Runs once the container exists, before it starts: (engine, container id).
    pub before_start: &'a (dyn Fn(&Engine, &str) -> Result<()> + Sync),
}

impl Extra<'_> {
    pub(crate) fn none() -> Extra<'static> {
        Extra {
            id: None,
            before_start: &|_, _| Ok(()),
        }
    }
}

/// How the objects of one `create` are labelled and owned: by their owner
/// (labels and registry both name it), or, for the objects a pool keeps
/// ready, by the pool: labels naming the pool and the state directory,
/// the pool's lifetime in the registry alone (a take rewrites it there).
pub struct Stamp<'a> {
    pub lifetime: &'a Lifetime,
    pub run: String,
    pub pool: Option<PoolTag>,
}

/// The pool a [`Stamp`] makes objects for.
pub struct PoolTag {
    pub id: String,
    /// The state directory whose registry owns them.
    pub home: String,
}

impl<'a> Stamp<'a> {
    /// Objects owned as `lifetime` says, in a new run.
    pub fn owned(lifetime: &'a Lifetime) -> Stamp<'a> {
        Stamp {
            lifetime,
            run: new_id("run"),
            pool: None,
        }
    }

    fn labels(&self, id: &str, name: &str) -> HashMap<String, String> {
        match &self.pool {
            None => labels::for_object(id, name, self.lifetime, &self.run),
            Some(p) => labels::for_pooled(id, name, &p.id, &p.home, &self.run),
        }
    }

    /// A new object's record: its lifetime and, made for a pool, the pool.
    fn apply(&self, rec: &mut Record) {
        self.lifetime.apply(rec);
        if let Some(p) = &self.pool {
            rec.set("pool", p.id.clone());
        }
    }
}

/// One container made exactly as `create` makes it (guardian, labels,
/// volumes, readiness, registry, hooks, the `Made` guard), for another
/// tool: `pinned` gives each `--port` its host port (`None`: the engine
/// picks), named volumes are mounted `nocopy` (the image's files are not
/// copied into a fresh one: `extra.before_start` fills it). Writes the
/// records as `create` does; returns them (volumes, then the container).
pub fn create_prepared(
    common: &CommonArgs,
    a: &CreateArgs,
    pinned: &[Option<u16>],
    lifetime: &Lifetime,
    extra: &Extra,
    out: &mut RecordWriter,
) -> Result<Vec<Record>> {
    let config = common.load_config()?;
    let mut plan = create_plan::check_args(a)?;
    if plan.names.len() != 1 {
        return Err(Error::internal("create_prepared makes one container"));
    }
    for (p, host) in plan.ports.iter_mut().zip(pinned) {
        p.1 = *host;
    }
    for b in plan.binds.iter_mut().filter(|b| !b.starts_with('/')) {
        let sep = if b.matches(':').count() == 1 {
            ':'
        } else {
            ','
        };
        b.push(sep);
        b.push_str("nocopy");
    }
    interrupt::catch()?;
    let engine = Engine::connect()?;
    check_engine(&engine, a)?;
    let (state, reg) = objects::open_registry()?;
    guardian::ensure(lifetime)?;
    let stamp = Stamp::owned(lifetime);
    let mut made = Made::new(&engine, &reg);
    made.make_volumes(&plan.binds, &stamp)?;
    made.make_network(&mut plan, &state, &config, &stamp)?;
    made.make_containers(&plan, &stamp, 1, extra)?;
    let kept = made.keep(&config)?;
    report(common, &config, out, &kept)?;
    Ok(kept
        .networks
        .into_iter()
        .chain(kept.volumes)
        .chain(kept.containers)
        .collect())
}

/// Whether the engine can make the plan: an API recent enough for the
/// options asked for, and the image present (ptest never pulls). Returns
/// the image's id.
pub(crate) fn check_engine(engine: &Engine, a: &CreateArgs) -> Result<String> {
    for (min, feature) in create_plan::api_needs(a) {
        engine.require_api(min, feature)?;
    }
    match engine.block_on(engine.docker.inspect_image(&a.image)) {
        Ok(i) => Ok(i.id.unwrap_or_default()),
        Err(e) if engine::is_gone(&e) => {
            Err(Error::no_input(format!("no image {:?} on this engine", a.image)).hint(
                "ptest never pulls: import a root filesystem with `ptest docker image import TARBALL --tag T`, or `docker pull` it yourself",
            ))
        }
        Err(e) => Err(engine::error(
            &format!("cannot inspect image {}", a.image),
            &e,
        )),
    }
}

/// Writes what one `create` made: with `--json`, the network's and the
/// volumes' records, then each container's record (else a line per
/// container), each followed by its `container.ready` post-hook.
fn report(common: &CommonArgs, config: &Config, out: &mut RecordWriter, kept: &Kept) -> Result<()> {
    if common.json() {
        for r in kept.networks.iter().chain(&kept.volumes) {
            out.write(r)?;
        }
    }
    for rec in &kept.containers {
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
        hooks::post(config, "container.ready", rec);
    }
    Ok(())
}

/// What one `create` has made so far: unless `kept`, it is removed again
/// (from the engine and the registry) when this goes out of scope, so
/// that a failure at any step, a registry write included, leaves nothing.
pub(crate) struct Made<'a> {
    engine: &'a Engine,
    reg: &'a Registry,
    volumes: Vec<Record>,
    networks: Vec<Record>,
    containers: Vec<Record>,
    /// How many of `containers` (the first ones) a take registered already.
    registered: usize,
    kept: bool,
}

/// What a successful `create` made, handed over by [`Made::keep`].
struct Kept {
    networks: Vec<Record>,
    volumes: Vec<Record>,
    containers: Vec<Record>,
}

/// What a take gave: containers with the volumes and networks made for
/// each, registered to the taker already.
#[derive(Default)]
pub(crate) struct Taken {
    pub containers: Vec<Record>,
    pub volumes: Vec<Record>,
    pub networks: Vec<Record>,
}

impl<'a> Made<'a> {
    pub(crate) fn new(engine: &'a Engine, reg: &'a Registry) -> Self {
        Made {
            engine,
            reg,
            volumes: Vec::new(),
            networks: Vec::new(),
            containers: Vec::new(),
            registered: 0,
            kept: false,
        }
    }

    /// What a pool gave is undone, like what was made, should a later
    /// step fail.
    fn adopt(&mut self, t: Taken) {
        self.registered += t.containers.len();
        self.containers.extend(t.containers);
        self.volumes.extend(t.volumes);
        self.networks.extend(t.networks);
    }

    /// Named volumes that do not exist yet are made here, labelled, so that
    /// they go with their owner; existing ones are used as they are.
    pub(crate) fn make_volumes(&mut self, binds: &[String], stamp: &Stamp) -> Result<()> {
        let engine = self.engine;
        for b in binds {
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
                labels: Some(stamp.labels(&id, src)),
                ..Default::default()
            };
            engine
                .block_on(engine.docker.create_volume(opts))
                .map_err(|e| engine::error(&format!("cannot create volume {src}"), &e))?;
            let mut rec = Record::resource_with_id("volume", objects::TOOL, &id);
            rec.set("volume_name", src).set("name", src);
            stamp.apply(&mut rec);
            self.volumes.push(rec.clone());
            self.reg.put(&rec)?;
        }
        Ok(())
    }

    /// The network: for `--network isolated`, one of the plan's own, made
    /// here (and the plan's network mode becomes its name); any other is
    /// used as named.
    pub(crate) fn make_network(
        &mut self,
        plan: &mut Plan,
        state: &StateDir,
        config: &Config,
        stamp: &Stamp,
    ) -> Result<()> {
        if plan.network_mode != "isolated" {
            return Ok(());
        }
        let id = new_id("network");
        let req = network::Request {
            name: format!("ptest-{}", id.trim_start_matches("network-")),
            internal: true,
            isolated: true,
            subnet: None,
            labels: stamp.labels(&id, &plan.name),
        };
        let n = network::create(self.engine, state, config, &req)?;
        let mut rec = Record::resource_with_id("network", objects::TOOL, &id);
        rec.set("network_id", n.engine_id.clone())
            .set("name", n.name.clone())
            .set("subnet", n.subnet.clone())
            .set("gateway", n.gateway.clone())
            .set("internal", true)
            .set("isolated", true)
            .set("firewall", n.firewall);
        stamp.apply(&mut rec);
        self.networks.push(rec.clone());
        self.reg.put(&rec)?;
        plan.network_mode = n.name;
        Ok(())
    }

    /// Makes every container of the plan, `parallel` at a time, each one
    /// made joining what is to be undone; the first failure, or an
    /// interrupt, is the error.
    pub(crate) fn make_containers(
        &mut self,
        plan: &Plan,
        stamp: &Stamp,
        parallel: usize,
        extra: &Extra,
    ) -> Result<()> {
        let results = make_all(self.engine, plan, stamp, parallel, extra);
        let mut first_err = None;
        for r in results {
            match r {
                Ok(rec) => self.containers.push(rec),
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
        match first_err {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The end of the guard: each container's `container.ready` pre-hook
    /// (a veto undoes everything), the containers' registry records, and
    /// then what was made is kept and handed over.
    fn keep(mut self, config: &Config) -> Result<Kept> {
        self.check_volumes()?;
        for rec in &self.containers {
            hooks::pre(config, "container.ready", rec)?;
        }
        // Taken ones are registered as they are already (the take wrote
        // them under the registry lock): only what was made is written.
        for rec in &self.containers[self.registered..] {
            self.reg.put(rec)?;
        }
        self.kept = true;
        Ok(Kept {
            networks: std::mem::take(&mut self.networks),
            volumes: std::mem::take(&mut self.volumes),
            containers: std::mem::take(&mut self.containers),
        })
    }
}

impl Made<'_> {
    /// Whether each named volume made is still the one made: its owner's
    /// guardian may have removed it (the owner died as it was made) before
    /// a container used it, and the engine then made one of that name
    /// anew, unlabelled, which nothing would ever remove. A container
    /// that uses a volume pins it, so once they exist this holds for good.
    /// A volume found replaced fails the create, whose guard removes the
    /// containers and the volume by its name.
    fn check_volumes(&self) -> Result<()> {
        for v in &self.volumes {
            let Some(name) = objects::engine_id_of(v) else {
                continue;
            };
            let ours = match self
                .engine
                .block_on(self.engine.docker.inspect_volume(&name))
            {
                Ok(vol) => vol.labels.get(labels::ID).map(String::as_str) == v.id(),
                Err(e) if engine::is_gone(&e) => false,
                Err(e) => return Err(engine::error(&format!("cannot inspect volume {name}"), &e)),
            };
            if !ours {
                return Err(Error::temp_fail(format!(
                    "volume {name} was removed while its container was made (did its owner die?)"
                )));
            }
        }
        Ok(())
    }

    /// The end of the guard for a pool's container: registered, with the
    /// ids of the volumes and networks made for it (a take hands them
    /// over with it), only while the pool still exists — in the same
    /// registry transaction, so that a pool removed meanwhile never gains
    /// one. `false` (and everything undone) when the pool is gone.
    pub(crate) fn keep_pooled(mut self, pool_id: &str) -> Result<bool> {
        self.check_volumes()?;
        let objects: Vec<serde_json::Value> = self
            .volumes
            .iter()
            .chain(&self.networks)
            .filter_map(|r| r.id().map(Into::into))
            .collect();
        let kept = self.reg.transaction(|t| {
            if t.get(pool_id)?.is_none() {
                return Ok(false);
            }
            for rec in &mut self.containers {
                rec.set("pool_objects", serde_json::Value::Array(objects.clone()));
                t.put(rec)?;
            }
            Ok(true)
        })?;
        self.kept = kept;
        Ok(kept)
    }
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
            .chain(self.networks.iter().map(|r| (Kind::Network, r)));
        for (kind, r) in objects {
            if let Some(id) = objects::engine_id_of(r) {
                let _ = remove_object(self.engine, kind, &id);
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
    stamp: &Stamp,
    parallel: usize,
    extra: &Extra,
) -> Vec<Result<Record>> {
    if plan.names.len() == 1 || parallel == 1 {
        // One at a time on the client we have: no second connection.
        return (0..plan.names.len())
            .map(|i| make_one(engine, plan, i, stamp, extra))
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
                        let r = make_one(&engine_here, plan, i, stamp, extra);
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

/// Makes container `i` of the plan: creates and starts it, waits until it
/// is ready, and returns its record. When a step fails, or an interrupt
/// comes, the container is removed again before the error is returned.
fn make_one(
    engine: &Engine,
    plan: &Plan,
    i: usize,
    stamp: &Stamp,
    extra: &Extra,
) -> Result<Record> {
    // Interrupted before this one began: nothing to make, or to undo.
    interrupt::check()?;
    let id = extra.id.clone().unwrap_or_else(|| new_id("container"));
    let name = &plan.names[i];
    let body = container_body(plan, stamp.labels(&id, name));
    let mut engine_name = format!("ptest-{name}-{}", id.trim_start_matches("container-"));
    if extra.id.is_some() {
        // The id's former container may still hold its name.
        engine_name.push('-');
        engine_name.push_str(&ptest_shared::record::random_hex(4));
    }
    let opts = bollard::query_parameters::CreateContainerOptionsBuilder::default()
        .name(&engine_name)
        .build();
    let created = engine
        .block_on(engine.docker.create_container(Some(opts), body))
        .map_err(|e| engine::error(&format!("cannot create container {name}"), &e))?;
    let cid = created.id;
    let fail = |e: Error| {
        let _ = remove_object(engine, Kind::Container, &cid);
        e
    };
    interrupt::check().map_err(fail)?;
    (extra.before_start)(engine, &cid).map_err(fail)?;
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
    let net = info.network_settings.unwrap_or_default();
    let ip = net.networks.as_ref().and_then(|n| {
        n.values()
            .find_map(|e| e.ip_address.clone().filter(|s| !s.is_empty()))
    });
    let published = published_ports(&net);
    let reach = Reach {
        ip: ip.clone().filter(|_| plan.network_mode != "none"),
        published: published.iter().map(|(c, _, h)| (*c, *h)).collect(),
    };
    ready::wait(engine, &cid, name, &plan.ready, &reach).map_err(fail)?;
    let mut rec = container_record(plan, &id, name, &cid, engine_name, ip, &published);
    stamp.apply(&mut rec);
    Ok(rec)
}

/// What the engine is asked to make for one container of the plan: its
/// ports published on 127.0.0.1, mounts, limits, network, and with
/// `--security strict` no capabilities, no new privileges, a read-only
/// root with writable tmpfs mounts, and an unprivileged user.
fn container_body(plan: &Plan, labels: HashMap<String, String>) -> ContainerCreateBody {
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
    ContainerCreateBody {
        image: Some(plan.image.clone()),
        cmd: (!plan.cmd.is_empty()).then(|| plan.cmd.clone()),
        env: (!plan.env.is_empty()).then(|| plan.env.clone()),
        labels: Some(labels),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        user: strict.then(|| "65534:65534".into()),
        host_config: Some(host),
        ..Default::default()
    }
}

/// The ports the engine published on 127.0.0.1, as (container port,
/// protocol, host port), sorted.
fn published_ports(net: &NetworkSettings) -> Vec<(u16, String, u16)> {
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
    published
}

/// The `container` record of a ready container (its lifetime still to be
/// applied): ids and names, image, address, published ports, limits, and
/// the `PTEST_<NAME>_…` variables that reach it.
pub(crate) fn container_record(
    plan: &Plan,
    id: &str,
    name: &str,
    cid: &str,
    engine_name: String,
    ip: Option<String>,
    published: &[(u16, String, u16)],
) -> Record {
    let strict = plan.security == Security::Strict;
    let prefix = env_prefix(name);
    let mut env = serde_json::Map::new();
    env.insert(format!("{prefix}_HOST"), "127.0.0.1".into());
    for (c, proto, h) in published {
        let suffix = if proto == "udp" { "_UDP" } else { "" };
        env.insert(format!("{prefix}_PORT_{c}{suffix}"), h.to_string().into());
    }
    if let Some(ip) = &ip {
        env.insert(format!("{prefix}_IP"), ip.clone().into());
    }
    let mut rec = Record::resource_with_id("container", objects::TOOL, id);
    rec.set("container_id", cid.to_owned())
        .set("name", name.to_owned())
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
    if let Some(ready) = plan.ready.to_record() {
        rec.set("ready", ready);
    }
    rec
}
