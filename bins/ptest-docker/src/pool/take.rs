//! Taking ready containers from a pool: the claim is one registry
//! transaction that rewrites each container's entry (and those of the
//! volumes and networks made for it) to the taker, so two takers never
//! get the same one; a claimed container that died while it waited is
//! removed and another claimed.

use super::{Choice, differences, find, is_live, is_pool, spec, spec_hash};
use crate::container::{Taken, container_record};
use crate::create_plan::Plan;
use crate::engine::{self, Engine};
use crate::objects::{Kind, TOOL, engine_id_of};
use crate::remove::remove_object;
use ptest_shared::owner::Lifetime;
use ptest_shared::record::{Record, Timestamp};
use ptest_shared::registry::{Registry, Txn};
use ptest_shared::{Error, Result};
use serde_json::Value;

/// Takes up to `plan.names.len()` ready containers from the live pools
/// whose spec is this plan's (only the pool `Choice::Only` names), named
/// as the plan names them and owned as `lifetime` says. Fewer (or none)
/// when the pools hold fewer: the rest are made cold. A spec that names a
/// lease or an existing volume is never taken, with a note when a pool
/// would otherwise have served it.
pub fn take(
    engine: &Engine,
    reg: &Registry,
    plan: &Plan,
    image_id: &str,
    lifetime: &Lifetime,
    choice: &Choice,
) -> Result<Taken> {
    let mut taken = Taken::default();
    // No pool at all (the common case) costs a directory listing: no
    // lock, no record read.
    if *choice == Choice::Off || !any_pool(reg) {
        if let Choice::Only(name) = choice {
            return Err(no_pool(name));
        }
        return Ok(taken);
    }
    let spec = spec(plan, image_id);
    let hash = spec_hash(&spec);
    let now = Timestamp::now();
    let unpoolable = match plan
        .ports
        .iter()
        .find_map(|(p, _)| p.lease.as_ref().map(|l| (p, l)))
    {
        Some((p, lease)) => Some(format!(
            "--port {}={lease} takes its host port from a lease",
            p.container
        )),
        None => existing_volume(engine, plan)?,
    };
    if let Some(why) = unpoolable {
        // Said only where a pool would have served this spec otherwise.
        let all = reg.list()?;
        let pool = match choice {
            Choice::Only(name) => find(&all, name, now),
            _ => all.iter().find(|r| {
                is_pool(r)
                    && is_live(r, now)
                    && r.get("spec_hash").and_then(Value::as_str) == Some(&hash)
            }),
        };
        if let Some(p) = pool {
            eprintln!(
                "ptest-docker: note: not taken from pool {}: {why}; made cold",
                p.get("name").and_then(Value::as_str).unwrap_or_default()
            );
        }
        return Ok(taken);
    }
    let wanted = plan.names.len();
    let mut dead = 0;
    let mut matched = std::collections::BTreeSet::new();
    while taken.containers.len() < wanted {
        let first = taken.containers.len();
        // Read without the lock (every entry), claimed with it (each
        // candidate read again, and taken only while still the pool's): the
        // lock is held for a few small reads and writes, so that many takers
        // at once hardly wait for each other.
        let all = reg.list()?;
        let pools: Vec<String> = matching_pools(&all, &spec, &hash, choice, now)?
            .into_iter()
            .map(str::to_owned)
            .collect();
        matched.extend(pools.iter().cloned());
        let candidates: Vec<&str> = all
            .iter()
            .filter(|r| r.kind() == "container" && r.tool() == Some(TOOL))
            .filter(|r| {
                r.get("pool")
                    .and_then(Value::as_str)
                    .is_some_and(|p| pools.iter().any(|x| x == p))
            })
            .filter_map(Record::id)
            .collect();
        if candidates.is_empty() {
            break;
        }
        let claimed = reg.transaction(|t| {
            let mut claimed = Vec::new();
            for id in &candidates {
                if first + claimed.len() == wanted {
                    break;
                }
                // Taken by another meanwhile, or drained: no longer the pool's.
                let Some(r) = t.get(id)? else { continue };
                let still = r
                    .get("pool")
                    .and_then(Value::as_str)
                    .is_some_and(|p| pools.iter().any(|x| x == p));
                if !still {
                    continue;
                }
                let name = &plan.names[first + claimed.len()];
                claimed.push(claim(t, &r, plan, name, lifetime)?);
            }
            Ok(claimed)
        })?;
        if claimed.is_empty() {
            continue; // all taken by others meanwhile: look again
        }
        for c in claimed {
            let cid = engine_id_of(&c.containers[0]).unwrap_or_default();
            if running(engine, &cid) {
                taken.containers.extend(c.containers);
                taken.volumes.extend(c.volumes);
                taken.networks.extend(c.networks);
            } else {
                // Ours now: removed, and another one taken instead.
                dead += 1;
                remove_claimed(engine, reg, &c);
            }
        }
    }
    // A pool whose keeper was killed still hands out what it holds; a
    // create that matches it starts a keeper again, which refills it (and
    // removes what the killed one left).
    if !matched.is_empty() {
        let state = ptest_shared::state::StateDir::open()?;
        for p in &matched {
            if let Err(e) = super::start_keeper(&state, p) {
                eprintln!("ptest-docker: warning: pool {p}: {}", e.message);
            }
        }
    }
    if dead > 0 {
        // Names were given in the order claimed: set them right again.
        for (i, rec) in taken.containers.iter_mut().enumerate() {
            if rec.get("name").and_then(Value::as_str) != Some(plan.names[i].as_str()) {
                *rec = renamed(rec, plan, &plan.names[i]);
                reg.put(rec)?;
            }
        }
    }
    Ok(taken)
}

/// The ids of the live pools this create may take from; for
/// `Choice::Only`, the pool named, whose spec must be this one (else a
/// usage error naming what differs).
fn matching_pools<'a>(
    all: &'a [Record],
    spec: &Value,
    hash: &str,
    choice: &Choice,
    now: Timestamp,
) -> Result<Vec<&'a str>> {
    if let Choice::Only(name) = choice {
        let Some(p) = find(all, name, now) else {
            return Err(no_pool(name));
        };
        if p.get("spec_hash").and_then(Value::as_str) != Some(hash) {
            let theirs = p.get("spec").cloned().unwrap_or(Value::Null);
            return Err(Error::usage(format!(
                "pool {name} holds containers of another spec: {} differ",
                differences(&theirs, spec).join(", ")
            ))
            .hint("give create the pool's flags exactly, or leave out --pool"));
        }
        return Ok(p.id().into_iter().collect());
    }
    Ok(all
        .iter()
        .filter(|r| {
            is_pool(r)
                && is_live(r, now)
                && r.get("spec_hash").and_then(Value::as_str) == Some(hash)
        })
        .filter_map(Record::id)
        .collect())
}

fn no_pool(name: &str) -> Error {
    Error::no_input(format!("no live pool {name:?}"))
        .hint("`ptest docker pool ls` lists the pools; without --pool, a create takes from any pool of its spec")
}

/// Whether the registry holds a pool record at all.
fn any_pool(reg: &Registry) -> bool {
    std::fs::read_dir(reg.dir()).is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().as_encoded_bytes().starts_with(b"pool-"))
    })
}

/// Rewrites one ready container's entry, and those of the objects made
/// for it, to the taker: the record a cold create would write, with
/// `from_pool`.
fn claim(t: &Txn, r: &Record, plan: &Plan, name: &str, lifetime: &Lifetime) -> Result<Taken> {
    let mut rec = renamed(r, plan, name);
    reown(&mut rec, lifetime);
    t.put(&rec)?;
    let mut taken = Taken {
        containers: vec![rec],
        ..Default::default()
    };
    let objects = r.get("pool_objects").and_then(Value::as_array);
    for id in objects.into_iter().flatten().filter_map(Value::as_str) {
        let Some(mut o) = t.get(id)? else { continue };
        reown(&mut o, lifetime);
        t.put(&o)?;
        match o.kind() {
            "network" => taken.networks.push(o),
            _ => taken.volumes.push(o),
        }
    }
    Ok(taken)
}

/// The pooled container `r` as a cold create for `plan` would have
/// recorded it under `name`: its `PTEST_<NAME>_…` variables are the
/// taker's.
fn renamed(r: &Record, plan: &Plan, name: &str) -> Record {
    let s = |k: &str| {
        r.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let published: Vec<(u16, String, u16)> = r
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                u16::try_from(p.get("container_port")?.as_u64()?).ok()?,
                p.get("proto")?.as_str()?.to_owned(),
                u16::try_from(p.get("host_port")?.as_u64()?).ok()?,
            ))
        })
        .collect();
    let ip = r.get("ip").and_then(Value::as_str).map(str::to_owned);
    let mut rec = container_record(
        plan,
        r.id().unwrap_or_default(),
        name,
        &s("container_id"),
        s("engine_name"),
        ip,
        &published,
    );
    // Its own network (an isolated one is the pool's member's own).
    for k in [
        "network",
        "created_at",
        "owner",
        "expires_at",
        "pool",
        "pool_objects",
        "from_pool",
    ] {
        if let Some(v) = r.get(k) {
            rec.set(k, v.clone());
        }
    }
    rec
}

/// Hands a pooled object over: the pool's lifetime replaced by the
/// taker's, `pool` by `from_pool`.
fn reown(rec: &mut Record, lifetime: &Lifetime) {
    rec.remove("owner");
    rec.remove("expires_at");
    if let Some(p) = rec.remove("pool") {
        rec.set("from_pool", p);
    }
    rec.remove("pool_objects");
    lifetime.apply(rec);
}

/// Whether the engine says the container runs (not paused, restarting
/// or unhealthy): only such a one is handed out.
fn running(engine: &Engine, cid: &str) -> bool {
    let Ok(info) = engine.block_on(engine.docker.inspect_container(
        cid,
        None::<bollard::query_parameters::InspectContainerOptions>,
    )) else {
        return false;
    };
    let Some(s) = info.state else { return false };
    let unhealthy = s
        .health
        .and_then(|h| h.status)
        .is_some_and(|h| h == bollard::models::HealthStatusEnum::UNHEALTHY);
    s.running == Some(true) && s.paused != Some(true) && s.restarting != Some(true) && !unhealthy
}

/// Removes a claimed container that died while it waited, with what was
/// made for it, from the engine and the registry.
fn remove_claimed(engine: &Engine, reg: &Registry, c: &Taken) {
    let all = c.containers.iter().chain(&c.volumes).chain(&c.networks);
    for r in all {
        if let Some(eid) = engine_id_of(r) {
            let _ = remove_object(engine, Kind::of(r), &eid);
        }
        let _ = reg.remove(r.id().unwrap_or_default());
    }
}

/// Why the plan cannot be pooled for a named volume of it that exists
/// already (a pool's members get fresh ones), if one does.
pub fn existing_volume(engine: &Engine, plan: &Plan) -> Result<Option<String>> {
    for b in &plan.binds {
        let src = b.split(':').next().unwrap_or_default();
        if src.starts_with('/') {
            continue;
        }
        match engine.block_on(engine.docker.inspect_volume(src)) {
            Ok(_) => return Ok(Some(format!("volume {src} exists"))),
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect volume {src}"), &e)),
        }
    }
    Ok(None)
}
