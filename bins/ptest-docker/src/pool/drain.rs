//! Removing what pools made: a pool drained ([`remove_pool`]: its ready
//! containers and what was made for them; taken ones stay with their
//! takers), what an owner holds through the registry alone
//! ([`remove_registered`], for the guardian), and orphans ([`sweep`]):
//! objects a killed keeper left unregistered, entries of a pool that is
//! gone, and objects of a state directory that no longer exists.

use super::{is_pool, keeper_lock};
use crate::engine::Engine;
use crate::guardian;
use crate::labels;
use crate::objects::{Kind, engine_id_of, is_ours};
use crate::remove::{remove_container_async, remove_labelled, remove_object};
use ptest_shared::owner::Owner;
use ptest_shared::record::Record;
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Result, interrupt};
use serde_json::Value;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long removing a pool waits for its keeper to end (it ends within
/// a second of its pool's record going; a container it is making is
/// removed under it).
const KEEPER_EXIT: Duration = Duration::from_secs(30);

/// Removes pool `id`: its record (so that no member is registered after
/// this), its ready members with what was made for them, then — once its
/// keeper has ended — anything the keeper had in flight. Returns how many
/// ready containers went.
pub fn remove_pool(engine: &Engine, reg: &Registry, state: &StateDir, id: &str) -> Result<usize> {
    reg.remove(id)?;
    let drained = drain_ready(engine, reg, id)?;
    let lock = state.lock_path(&keeper_lock(id))?;
    let until = Instant::now() + KEEPER_EXIT;
    loop {
        if let Some(held) = guardian::try_lock_path(&lock)? {
            // No keeper: nothing in flight. What it left goes.
            sweep_pool(engine, reg, state, id)?;
            drop(held);
            let _ = std::fs::remove_file(&lock);
            break;
        }
        if Instant::now() >= until || interrupt::requested().is_some() {
            eprintln!(
                "ptest-docker: note: the keeper of pool {id} has not ended; `ptest docker gc` removes what it leaves"
            );
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(drained)
}

/// Removes pool `id`'s registered members that were not taken, and the
/// objects made for them (registry entries first, in one transaction, so
/// that none is taken meanwhile); returns how many containers went.
pub fn drain_ready(engine: &Engine, reg: &Registry, id: &str) -> Result<usize> {
    let members = reg.transaction(|t| {
        let mine: Vec<Record> = t
            .list()?
            .into_iter()
            .filter(|r| is_ours(r) && r.get("pool").and_then(Value::as_str) == Some(id))
            .collect();
        for r in &mine {
            t.remove(r.id().unwrap_or_default())?;
        }
        Ok(mine)
    })?;
    let n = members.iter().filter(|r| r.kind() == "container").count();
    remove_objects(engine, &members);
    // Unregistered members (made, not yet ready) go with them.
    remove_labelled_unregistered(engine, reg, Some(id), None)?;
    Ok(n)
}

/// Removes the engine objects of records, containers first (in
/// parallel), then volumes and networks.
fn remove_objects(engine: &Engine, records: &[Record]) {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by_key(|r| Kind::of(r).order());
    let containers: Vec<String> = sorted
        .iter()
        .filter(|r| Kind::of(r) == Kind::Container)
        .filter_map(|r| engine_id_of(r))
        .collect();
    remove_containers(engine, &containers);
    for r in sorted.iter().filter(|r| Kind::of(r) != Kind::Container) {
        if let Some(eid) = engine_id_of(r) {
            let _ = remove_object(engine, Kind::of(r), &eid);
        }
    }
}

/// Removes containers in parallel (the engine takes a while over each),
/// as `gc` does.
fn remove_containers(engine: &Engine, ids: &[String]) {
    engine.block_on(futures_util::future::join_all(
        ids.iter().map(|id| remove_container_async(engine, id)),
    ));
}

/// The ptest-docker records `o` owns: pools, containers taken from them,
/// and anything else of ours.
pub fn owned_by(reg: &Registry, o: &Owner) -> Result<Vec<Record>> {
    Ok(reg
        .list()?
        .into_iter()
        .filter(|r| is_ours(r) || is_pool(r))
        .filter(|r| {
            r.owner()
                .ok()
                .flatten()
                .is_some_and(|x| x.pid == o.pid && x.start_time == o.start_time)
        })
        .collect())
}

/// Removes what the registry says `o` owns: its pools (drained) and its
/// objects (a pool's members taken by `o`, whose labels name no owner).
/// Returns how many objects went.
pub fn remove_registered(engine: &Engine, reg: &Registry, o: &Owner) -> Result<usize> {
    let owned = owned_by(reg, o)?;
    let (pools, objects): (Vec<Record>, Vec<Record>) = owned.into_iter().partition(is_pool);
    let mut n = 0;
    // Ready members first: the owner's death must take them within
    // seconds, whatever a keeper is doing.
    for p in &pools {
        let id = p.id().unwrap_or_default();
        reg.remove(id)?;
        n += drain_ready(engine, reg, id)?;
    }
    for r in &objects {
        let _ = reg.remove(r.id().unwrap_or_default());
    }
    remove_objects(engine, &objects);
    n += objects.len();
    if let Some(state) = StateDir::open_existing()? {
        for p in &pools {
            n += remove_pool(engine, reg, &state, p.id().unwrap_or_default())?;
        }
    }
    Ok(n)
}

/// Removes what pool `id`'s keeper left unregistered (called with no
/// keeper running: nothing is in flight).
pub fn sweep_pool(engine: &Engine, reg: &Registry, state: &StateDir, id: &str) -> Result<usize> {
    let home = state.path().display().to_string();
    remove_labelled_unregistered(engine, reg, Some(id), Some(&home))
}

/// `gc`'s part for pools: the entries of members whose pool is gone, and
/// objects labelled for a pool that no registry holds — a killed
/// keeper's (when no keeper of that pool runs) or a state directory's
/// that no longer exists. Calls `report` per object removed.
pub fn sweep(
    engine: &Engine,
    reg: &Registry,
    state: &StateDir,
    report: &mut impl FnMut(Kind, &str, &str),
) -> Result<usize> {
    let home = state.path().display().to_string();
    let all = reg.list()?;
    let pools: std::collections::HashSet<&str> = all
        .iter()
        .filter(|r| is_pool(r))
        .filter_map(Record::id)
        .collect();
    let stray: Vec<Record> = all
        .iter()
        .filter(|r| is_ours(r))
        .filter(|r| {
            r.get("pool")
                .and_then(Value::as_str)
                .is_some_and(|p| !pools.contains(p))
        })
        .cloned()
        .collect();
    for r in &stray {
        let _ = reg.remove(r.id().unwrap_or_default());
        report(Kind::of(r), r.id().unwrap_or_default(), "pool-gone");
    }
    remove_objects(engine, &stray);
    let mut n = stray.len();
    let orphan = |l: &HashMap<String, String>| -> bool {
        let Some(pool) = l.get(labels::POOL) else {
            return false;
        };
        match l.get(labels::HOME) {
            Some(h) if *h == home => {}
            // Another state directory's: its registry judges, while it exists.
            Some(h) => return !std::path::Path::new(h).join("registry").is_dir(),
            None => return false,
        }
        if l.get(labels::ID)
            .is_some_and(|id| reg.get(id).ok().flatten().is_some())
        {
            return false; // registered: the registry decides
        }
        // Unregistered: in flight while its keeper lives, else an orphan.
        super::keeper_alive(state, pool).is_ok_and(|alive| !alive)
    };
    n += remove_matching(engine, &labels::pool_filter(None), orphan, report)?;
    Ok(n)
}

/// Removes the objects labelled for pool `pool` (or any pool) that no
/// registry entry names; with `home`, only that state directory's.
fn remove_labelled_unregistered(
    engine: &Engine,
    reg: &Registry,
    pool: Option<&str>,
    home: Option<&str>,
) -> Result<usize> {
    let unregistered = |l: &HashMap<String, String>| {
        home.is_none_or(|h| l.get(labels::HOME).map(String::as_str) == Some(h))
            && l.get(labels::ID)
                .is_none_or(|id| reg.get(id).ok().flatten().is_none())
    };
    remove_matching(
        engine,
        &labels::pool_filter(pool),
        unregistered,
        &mut |_, _, _| {},
    )
}

/// Removes the labelled objects `filter` selects and `condemn` approves
/// (containers, then volumes, then networks: `gc`'s own removal, with no
/// registry entry to forget); returns how many went. One that cannot be
/// removed is left for the next sweep.
fn remove_matching(
    engine: &Engine,
    filter: &str,
    condemn: impl Fn(&HashMap<String, String>) -> bool,
    report: &mut impl FnMut(Kind, &str, &str),
) -> Result<usize> {
    let mut n = 0;
    let mut counted = |kind: Kind, id: &str, reason: &str| {
        n += 1;
        report(kind, id, reason);
    };
    let _ = remove_labelled(
        engine,
        None,
        filter,
        |l| condemn(l).then_some("orphaned"),
        &mut counted,
    );
    Ok(n)
}
