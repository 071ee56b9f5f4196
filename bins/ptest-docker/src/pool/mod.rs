//! Pools: containers of one spec made, started and ready before a test
//! asks for them, handed over in milliseconds, never reused.
//!
//! A `pool` record in the registry names the spec (its hash, and the
//! create flags that make it), the size, and the owner. A keeper
//! ([`keeper`], `ptest-docker __keep POOL`, started by `pool create`)
//! keeps that many ready. `create` takes from a live pool whose spec hash
//! is its own ([`take`]): the ready container's registry entry is
//! rewritten to the taker under the registry lock, and the keeper makes
//! another. A taken container never goes back. Removal of what pools made
//! — draining, the pool owner's death, orphans of a killed keeper — is
//! [`drain`]'s.
//!
//! Labels cannot change once an object exists, so a pool's objects carry
//! `ptest.pool` and `ptest.home` (the state directory) labels, no owner:
//! the registry of that state directory says who owns each, and the
//! guardian and `gc` consult it.

pub mod drain;
pub mod keeper;
pub mod take;

use crate::container::check_engine;
use crate::create_plan::{self, Plan};
use crate::engine::Engine;
use crate::objects::{self, TOOL};
use crate::{CreateArgs, Security, guardian};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::{Lifetime, LifetimeArgs, Liveness, OwnerSpec, judge};
use ptest_shared::record::{Record, Timestamp, new_id};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result, hooks, interrupt, stream};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub use take::take;

/// Whether `create` may take from a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// From any live pool whose spec is exactly this create's.
    Auto,
    /// From this pool only (by name or id); its spec must match.
    Only(String),
    /// Never: always a cold create.
    Off,
}

/// The biggest pool: each member is a running container.
pub const MAX_SIZE: u32 = 64;

/// True for a pool record of ptest-docker's.
pub fn is_pool(r: &Record) -> bool {
    r.kind() == "pool" && r.tool() == Some(TOOL)
}

/// The lock a pool's keeper holds while it lives.
pub fn keeper_lock(pool_id: &str) -> String {
    format!("docker-pool-{pool_id}")
}

/// What must match for a pool's container to serve a create: everything
/// the container is made from (the image by id, so a tag moved to another
/// image does not match) but its name, and how long readiness may take.
pub fn spec(plan: &Plan, image_id: &str) -> Value {
    let mut ports: Vec<String> = plan
        .ports
        .iter()
        .map(|(p, _)| format!("{}/{}", p.container, p.proto))
        .collect();
    ports.sort();
    let mut tmpfs: Vec<&String> = plan.tmpfs.keys().collect();
    tmpfs.sort();
    // The same flags in another order are the same container: env as the
    // engine applies it (the last of a name wins), mounts as a set.
    let mut env: Vec<&String> = Vec::new();
    for e in plan.env.iter().rev() {
        let name = e.split('=').next().unwrap_or_default();
        if !env.iter().any(|x| x.split('=').next() == Some(name)) {
            env.push(e);
        }
    }
    env.sort();
    let mut volumes: Vec<&String> = plan.binds.iter().collect();
    volumes.sort();
    let mut ready = plan.ready.to_record().unwrap_or(Value::Null);
    if let Some(m) = ready.as_object_mut() {
        m.remove("timeout_ms");
    }
    json!({
        "image_id": image_id,
        "cmd": plan.cmd,
        "env": env,
        "ports": ports,
        "volumes": volumes,
        "tmpfs": tmpfs,
        "memory": plan.memory,
        "nano_cpus": plan.nano_cpus,
        "pids": plan.pids,
        "network": plan.network_mode,
        "security": if plan.security == Security::Strict { "strict" } else { "default" },
        "ready": ready,
    })
}

/// The spec's hash: 16 hex digits of the SHA-256 of its JSON.
pub fn spec_hash(spec: &Value) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(spec.to_string().as_bytes());
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The fields in which two specs differ, for a message.
pub fn differences(a: &Value, b: &Value) -> Vec<String> {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec!["spec".into()];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.replace("image_id", "image").replace("nano_cpus", "cpus"))
        .collect()
}

/// The create flags that make the spec's containers, as the keeper parses
/// them again.
pub fn to_args(a: &CreateArgs, binds: &[String]) -> Vec<String> {
    let mut v = vec!["--image".to_owned(), a.image.clone()];
    let mut flag = |f: &str, x: &str| {
        v.push(f.to_owned());
        v.push(x.to_owned());
    };
    if let Some(n) = &a.name {
        flag("--name", n);
    }
    a.env.iter().for_each(|e| flag("--env", e));
    a.port.iter().for_each(|p| flag("--port", p));
    // Relative host paths as they were resolved where the pool was made.
    binds.iter().for_each(|b| flag("--volume", b));
    a.tmpfs.iter().for_each(|t| flag("--tmpfs", t));
    if let Some(m) = &a.memory {
        flag("--memory", m);
    }
    if let Some(c) = a.cpus {
        flag("--cpus", &c.to_string());
    }
    if let Some(p) = a.pids {
        flag("--pids", &p.to_string());
    }
    flag("--network", &a.network);
    let r = &a.ready;
    for (f, x) in [
        ("--ready-port", &r.ready_port),
        ("--ready-log", &r.ready_log),
        ("--ready-http", &r.ready_http),
        ("--ready-cmd", &r.ready_cmd),
    ] {
        if let Some(x) = x {
            flag(f, x);
        }
    }
    flag(
        "--ready-timeout",
        &format!("{}ms", r.ready_timeout.as_millis()),
    );
    if a.security == Security::Strict {
        flag("--security", "strict");
    }
    v.push("--".into());
    v.extend(a.cmd.iter().cloned());
    v
}

/// Parses what [`to_args`] wrote.
pub fn from_args(args: &[String]) -> Result<CreateArgs> {
    #[derive(clap::Parser)]
    struct Spec {
        #[command(flatten)]
        a: CreateArgs,
    }
    use clap::Parser;
    Spec::try_parse_from(std::iter::once("pool".to_owned()).chain(args.iter().cloned()))
        .map(|s| s.a)
        .map_err(|e| Error::data(format!("a pool's create flags do not parse: {e}")))
}

/// Whether a pool record is still wanted (its owner alive, its --ttl not
/// passed).
pub fn is_live(r: &Record, now: Timestamp) -> bool {
    matches!(judge(r, now), Ok(Liveness::Live))
}

/// The live pool named `word` (its name or id) in `records`.
pub fn find<'a>(records: &'a [Record], word: &str, now: Timestamp) -> Option<&'a Record> {
    records.iter().rev().find(|r| {
        is_pool(r)
            && is_live(r, now)
            && (r.id() == Some(word) || r.get("name").and_then(Value::as_str) == Some(word))
    })
}

/// The containers of pool `id` ready to be taken, oldest first.
pub fn ready_of<'a>(records: &'a [Record], id: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|r| {
            r.kind() == "container"
                && r.tool() == Some(TOOL)
                && r.get("pool").and_then(Value::as_str) == Some(id)
        })
        .collect()
}

/// `pool create`'s arguments.
pub struct CreatePool<'a> {
    pub name: &'a str,
    pub size: u32,
    pub args: &'a CreateArgs,
    pub lifetime: &'a LifetimeArgs,
    pub wait: bool,
}

/// `pool create`: the pool's record, its keeper started, and (unless
/// `--no-wait`) a wait until every member is ready. A pool of that name
/// and spec that lives already is reported as it is; one of another spec
/// is refused (73).
pub fn create(common: &CommonArgs, p: &CreatePool) -> Result<i32> {
    let config = common.load_config()?;
    check_name(p.name)?;
    if p.size == 0 || p.size > MAX_SIZE {
        return Err(Error::usage(format!(
            "--size {}: between 1 and {MAX_SIZE}",
            p.size
        )));
    }
    if p.args.count != 1 {
        return Err(Error::usage(
            "--count: a pool's size is --size (each take is a create of its own)",
        ));
    }
    let plan = create_plan::check_args(p.args)?;
    if let Some((c, lease)) = plan
        .ports
        .iter()
        .find_map(|(s, _)| s.lease.as_ref().map(|l| (s.container, l)))
    {
        return Err(Error::usage(format!(
            "--port {c}={lease}: a pool's containers are made before any lease exists; they publish on ports the engine picks"
        ))
        .hint(format!("give --port {c} to the pool; a create with --port {c}={lease} is never taken from a pool")));
    }
    let lifetime = p.lifetime.resolve(OwnerSpec::Session)?;
    interrupt::catch()?;
    let mut out = RecordWriter::stdout();
    stream::pass_through(&mut out)?;
    let engine = Engine::connect()?;
    let image_id = check_engine(&engine, p.args)?;
    if let Some(why) = take::existing_volume(&engine, &plan)? {
        return Err(Error::usage(format!("{why}: a pool's containers get fresh volumes of their own, so it cannot be pooled"))
            .hint("name a volume that does not exist yet (each member gets its own, NAME-<suffix>), or use a cold create"));
    }
    let spec = spec(&plan, &image_id);
    let hash = spec_hash(&spec);
    let (state, reg) = objects::open_registry()?;
    guardian::ensure(&lifetime)?;

    let mut rec = Record::resource_with_id("pool", TOOL, &new_id("pool"));
    rec.set("name", p.name)
        .set("size", p.size)
        .set("image", p.args.image.clone())
        .set("spec_hash", hash.clone())
        .set("spec", spec.clone())
        .set("args", to_args(p.args, &plan.binds))
        .set(
            "parallel",
            config.integer("docker.parallel").clamp(1, 64) as u64,
        );
    lifetime.apply(&mut rec);
    hooks::pre(&config, "pool.created", &rec)?;
    let now = Timestamp::now();
    let existing = reg.transaction(|t| {
        let all = t.list()?;
        if let Some(old) = find(&all, p.name, now) {
            let old_spec = old.get("spec").cloned().unwrap_or(Value::Null);
            if old.get("spec_hash").and_then(Value::as_str) == Some(hash.as_str())
                && old.get("size").and_then(Value::as_u64) == Some(u64::from(p.size))
            {
                return Ok(Some(old.clone()));
            }
            let mut diff = differences(&old_spec, &spec);
            if old.get("size").and_then(Value::as_u64) != Some(u64::from(p.size)) {
                diff.push("size".into());
            }
            return Err(Error::cant_create(format!(
                "a pool named {} exists ({}) with another spec: {} differ",
                p.name,
                old.id().unwrap_or_default(),
                diff.join(", ")
            ))
            .hint(format!(
                "`ptest docker pool rm {}` first, or choose another --pool name",
                p.name
            )));
        }
        t.put(&rec)?;
        Ok(None)
    })?;
    if let Some(old) = existing {
        // Its keeper killed meanwhile: another one takes over.
        start_keeper(&state, old.id().unwrap_or_default())?;
        eprintln!(
            "ptest-docker: note: pool {} ({}) exists already with this spec: nothing made",
            p.name,
            old.id().unwrap_or_default()
        );
        return report(common, &config, &mut out, &reg, old, false);
    }
    // From here on a failure, or an interrupt, removes the pool again.
    let id = rec.id().unwrap_or_default().to_owned();
    let undo = Undo {
        engine: &engine,
        reg: &reg,
        state: &state,
        id: &id,
        done: false,
    };
    start_keeper(&state, &id)?;
    if p.wait {
        wait_full(&reg, &state, &id, p.size)?;
    }
    let rec = reg.get(&id)?.unwrap_or(rec);
    undo.disarm();
    report(common, &config, &mut out, &reg, rec, true)
}

/// A pool's name: as a container's.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(Error::usage(format!(
            "--pool {name:?}: letters, digits, '-', '_' and '.' (at most 64)"
        )));
    }
    Ok(())
}

/// Whether pool `id`'s keeper runs: it holds its lock while it lives (a
/// lock file that does not exist is not made by asking).
pub fn keeper_alive(state: &StateDir, id: &str) -> Result<bool> {
    let path = state.lock_path(&keeper_lock(id))?;
    if !path.exists() {
        return Ok(false);
    }
    Ok(guardian::try_lock_path(&path)?.is_none())
}

/// Starts the keeper of pool `id` unless one holds its lock already;
/// `true` when this call started it.
pub fn start_keeper(state: &StateDir, id: &str) -> Result<bool> {
    let path = state.lock_path(&keeper_lock(id))?;
    let Some(file) = guardian::try_lock_path(&path)? else {
        return Ok(false);
    };
    guardian::spawn_holding(file, &["__keep", id])
        .map_err(|e| Error::internal(format!("cannot start the pool's keeper: {e}")))?;
    Ok(true)
}

/// Waits until pool `id` holds `size` ready containers; the keeper's
/// failure to make one (a readiness timeout, a missing image) is the
/// error, as is the keeper's death.
fn wait_full(reg: &Registry, state: &StateDir, id: &str, size: u32) -> Result<()> {
    let lock = state.lock_path(&keeper_lock(id))?;
    let started = Instant::now();
    loop {
        interrupt::check()?;
        let all = reg.list()?;
        let Some(pool) = all.iter().find(|r| r.id() == Some(id)) else {
            return Err(Error::temp_fail(format!(
                "pool {id} was removed while it filled"
            )));
        };
        if let Some(e) = pool.get("last_error") {
            let code = e.get("exit").and_then(Value::as_i64).unwrap_or(70) as i32;
            let msg = e.get("message").and_then(Value::as_str).unwrap_or("?");
            return Err(Error::new(
                ptest_shared::Exit::from_code(code),
                format!("the pool's keeper could not make a container: {msg}"),
            ));
        }
        if ready_of(&all, id).len() >= size as usize {
            return Ok(());
        }
        // The keeper holds its lock while it lives (it took it over from
        // us before we looked): a free lock means it died.
        if started.elapsed() > Duration::from_millis(500)
            && let Some(f) = guardian::try_lock_path(&lock)?
        {
            drop(f);
            return Err(Error::internal(format!("the keeper of pool {id} died")));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Writes a pool's record (with its ready count), and its post-hook.
fn report(
    common: &CommonArgs,
    config: &ptest_shared::config::Config,
    out: &mut RecordWriter,
    reg: &Registry,
    mut rec: Record,
    new: bool,
) -> Result<i32> {
    let all = reg.list()?;
    let ready = ready_of(&all, rec.id().unwrap_or_default()).len();
    rec.remove("last_error");
    if common.json() {
        out.write(&rec)?;
    } else {
        out.write_line(&format!(
            "{}  {}  {}  ready {ready}/{}",
            cell(&rec, "id"),
            cell(&rec, "name"),
            cell(&rec, "image"),
            cell(&rec, "size"),
        ))?;
    }
    if new {
        hooks::post(config, "pool.created", &rec);
    }
    Ok(0)
}

/// Removes a pool being made should `create` fail or be interrupted.
struct Undo<'a> {
    engine: &'a Engine,
    reg: &'a Registry,
    state: &'a StateDir,
    id: &'a str,
    done: bool,
}

impl Undo<'_> {
    fn disarm(mut self) {
        self.done = true;
    }
}

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = drain::remove_pool(self.engine, self.reg, self.state, self.id);
        }
    }
}

/// `pool ls`: every pool with its ready count and whether its keeper runs.
pub fn ls(common: &CommonArgs) -> Result<i32> {
    let (state, reg) = objects::open_registry()?;
    let all = reg.list()?;
    let mut pools: Vec<Record> = all.iter().filter(|r| is_pool(r)).cloned().collect();
    for p in &mut pools {
        let id = p.id().unwrap_or_default().to_owned();
        let keeper = if keeper_alive(&state, &id)? {
            "running"
        } else {
            "stopped"
        };
        p.set("ready", ready_of(&all, &id).len() as u64)
            .set("keeper", keeper);
        p.remove("args");
    }
    listing(
        common.json(),
        &pools,
        "no pools",
        &["ID", "NAME", "IMAGE", "READY", "KEEPER", "SPEC"],
        |r| {
            Ok(vec![
                cell(r, "id"),
                cell(r, "name"),
                cell(r, "image"),
                format!("{}/{}", cell(r, "ready"), cell(r, "size")),
                cell(r, "keeper"),
                cell(r, "spec_hash"),
            ])
        },
    )
}

/// `pool rm`: pools by name or id, or the `pool` records on stdin; each
/// one's ready containers are removed (taken ones stay with their takers).
pub fn rm(common: &CommonArgs, words: &[String]) -> Result<i32> {
    let config = common.load_config()?;
    let (state, reg) = objects::open_registry()?;
    let targets = if words.is_empty() {
        let (records, bad) = stream::stdin(None)?.into_teardown();
        let pools: Vec<Record> = records.into_iter().filter(is_pool).collect();
        let t = ptest_shared::teardown::registered(&reg, &pools)?;
        if let Some(e) = bad {
            return Err(e);
        }
        t
    } else {
        let all = reg.list()?;
        let mut t = Vec::new();
        for w in words {
            let hit = all.iter().rev().find(|r| {
                is_pool(r)
                    && (r.id() == Some(w.as_str())
                        || r.get("name").and_then(Value::as_str) == Some(w.as_str()))
            });
            match hit {
                Some(r) => t.push(r.clone()),
                None => eprintln!("ptest-docker: note: no pool {w:?}: nothing to remove"),
            }
        }
        t
    };
    let engine = Engine::connect()?;
    let mut out = RecordWriter::stdout();
    for rec in &targets {
        remove_reported(&engine, &reg, &state, &config, rec, common.json(), &mut out)?;
    }
    Ok(0)
}

/// Removes one registered pool (drained; its keeper gone) with its hooks
/// and `pool.removed` event.
pub fn remove_reported(
    engine: &Engine,
    reg: &Registry,
    state: &StateDir,
    config: &ptest_shared::config::Config,
    rec: &Record,
    json: bool,
    out: &mut RecordWriter,
) -> Result<()> {
    let id = rec.id().unwrap_or_default();
    hooks::pre(config, "pool.removed", rec)?;
    let drained = drain::remove_pool(engine, reg, state, id)?;
    let mut ev = Record::new("event");
    ev.set("event", "pool.removed")
        .set("id", id)
        .set("drained", drained as u64);
    if json {
        out.write(&ev)?;
    } else {
        out.write_line(&format!("removed pool {id} ({drained} ready removed)"))?;
    }
    hooks::post(config, "pool.removed", rec);
    Ok(())
}

/// The lifetime a pool's record gives its members.
pub fn lifetime_of(pool: &Record) -> Result<Lifetime> {
    Ok(Lifetime {
        owner: pool.owner()?,
        expires_at: pool.expires_at()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> CreateArgs {
        #[derive(clap::Parser)]
        struct P {
            #[command(flatten)]
            a: CreateArgs,
        }
        use clap::Parser;
        let argv = ["x", "--image", "test/busybox:1"].iter().chain(extra);
        P::try_parse_from(argv).unwrap().a
    }

    #[test]
    fn the_flags_a_keeper_reads_make_the_same_spec() {
        let a = args(&[
            "-e",
            "A=1 2",
            "-p",
            "80",
            "-p",
            "53/udp",
            "-v",
            "data:/d:ro",
            "--tmpfs",
            "/run",
            "--memory",
            "64M",
            "--cpus",
            "0.5",
            "--pids",
            "50",
            "--network",
            "my-net",
            "--ready-log",
            "^up$",
            "--ready-timeout",
            "1500ms",
            "--security",
            "strict",
            "--name",
            "db",
            "--",
            "sh",
            "-c",
            "echo 'a b'",
        ]);
        let plan = create_plan::check_args(&a).unwrap();
        let again = from_args(&to_args(&a, &plan.binds)).unwrap();
        let plan2 = create_plan::check_args(&again).unwrap();
        assert_eq!(spec(&plan, "sha256:1"), spec(&plan2, "sha256:1"));
        assert_eq!(plan2.ready.timeout, std::time::Duration::from_millis(1500));
        assert_eq!(plan2.name, "db");
    }

    #[test]
    fn one_differing_value_is_another_spec_and_is_named() {
        let base = create_plan::check_args(&args(&["-e", "MODE=one", "-p", "80"])).unwrap();
        let env = create_plan::check_args(&args(&["-e", "MODE=two", "-p", "80"])).unwrap();
        let (a, b) = (spec(&base, "sha256:1"), spec(&env, "sha256:1"));
        assert_ne!(spec_hash(&a), spec_hash(&b));
        assert_eq!(differences(&a, &b), ["env"]);
        // The image by id: the same tag on another image is another spec.
        assert_ne!(spec_hash(&a), spec_hash(&spec(&base, "sha256:2")));
        // Name and readiness timeout are not the spec.
        let named = create_plan::check_args(&args(&[
            "-e",
            "MODE=one",
            "-p",
            "80",
            "--name",
            "other",
            "--ready-timeout",
            "5s",
        ]))
        .unwrap();
        assert_eq!(spec_hash(&a), spec_hash(&spec(&named, "sha256:1")));
        assert_eq!(spec_hash(&a).len(), 16);
        // The same flags in another order are the same spec; a name given
        // twice is what the engine makes of it, the last value.
        let h = |f: &[&str]| spec_hash(&spec(&create_plan::check_args(&args(f)).unwrap(), "i"));
        assert_eq!(
            h(&["-e", "A=1", "-e", "B=2", "-v", "x:/x", "-v", "/h:/y"]),
            h(&["-e", "B=2", "-e", "A=1", "-v", "/h:/y", "-v", "x:/x"])
        );
        assert_eq!(h(&["-e", "A=0", "-e", "A=1"]), h(&["-e", "A=1"]));
        assert_ne!(h(&["-e", "A=1", "-e", "A=0"]), h(&["-e", "A=1"]));
    }
}
