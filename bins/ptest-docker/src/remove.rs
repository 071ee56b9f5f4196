//! Removal: [`remove_object`] for one engine object, `rm` for what a user
//! names or the stream holds, and `gc` with [`remove_labelled`] and
//! [`sweep`] for what dead or expired owners left (the guardian uses
//! [`remove_labelled`] too).

use crate::engine::{self, Engine};
use crate::labels;
use crate::listing::{labelled_containers, labelled_networks, labelled_volumes};
use crate::objects::{Kind, engine_id_of, is_ours, open_registry, resolve_ours};
use crate::pool::is_pool;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::{Record, Result, hooks, stream};
use std::collections::HashMap;

/// Removes one engine object (containers forced, with anonymous volumes;
/// networks with their firewall rules). `false` when it was gone already.
pub fn remove_object(engine: &Engine, kind: Kind, engine_id: &str) -> Result<bool> {
    match kind {
        Kind::Container => engine.block_on(remove_container_async(engine, engine_id)),
        Kind::Network => crate::network::remove(engine, engine_id),
        Kind::Volume => {
            // The stress suite's self-test (docs/stress.md): a leak put back
            // on purpose, which its leak detector must name. A constant
            // false unless built with the feature `fault-injection`.
            if ptest_shared::fault::active("skip-volume-removal") {
                return Ok(true);
            }
            let opts = bollard::query_parameters::RemoveVolumeOptionsBuilder::default()
                .force(true)
                .build();
            match engine.block_on(engine.docker.remove_volume(engine_id, Some(opts))) {
                Ok(()) => Ok(true),
                Err(e) if engine::is_gone(&e) => Ok(false),
                Err(e) => Err(engine::error(
                    &format!("cannot remove volume {engine_id}"),
                    &e,
                )),
            }
        }
    }
}

/// Removes a container, forced, with its anonymous volumes; `false` when
/// it was gone already.
pub(crate) async fn remove_container_async(engine: &Engine, engine_id: &str) -> Result<bool> {
    let opts = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    match engine.docker.remove_container(engine_id, Some(opts)).await {
        Ok(()) => Ok(true),
        Err(e) if engine::is_gone(&e) => Ok(false),
        // Already being removed by someone else (the guardian, another
        // gc): gone once that is done, so that its volumes can go next.
        Err(e) if engine::status(&e) == Some(409) => {
            let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while std::time::Instant::now() < until {
                let info = engine
                    .docker
                    .inspect_container(
                        engine_id,
                        None::<bollard::query_parameters::InspectContainerOptions>,
                    )
                    .await;
                if info.as_ref().is_err_and(engine::is_gone) {
                    return Ok(true);
                }
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
            Err(engine::error(
                &format!("container {engine_id} is still being removed"),
                &e,
            ))
        }
        Err(e) => Err(engine::error(
            &format!("cannot remove container {engine_id}"),
            &e,
        )),
    }
}

/// `rm`: objects given by ptest id, ptest name or engine id, or the
/// `container`, `network` and `volume` records on stdin. Only what the
/// registry holds is removed, as the registry describes it: a stream's
/// record counts for its id alone.
pub fn rm(common: &CommonArgs, words: &[String]) -> Result<i32> {
    let config = common.load_config()?;
    let (state, reg) = open_registry()?;
    let mut targets: Vec<Record> = Vec::new();
    let mut pools: Vec<Record> = Vec::new();
    let mut refused = None;
    let mut bad_stream = None;
    let mut engine = None;
    if words.is_empty() {
        let stream = stream::stdin(None)?;
        let (records, bad) = stream.into_teardown();
        bad_stream = bad;
        let resources: Vec<Record> = records
            .into_iter()
            .filter(|r| is_ours(r) || is_pool(r))
            .collect();
        let (p, t): (Vec<Record>, Vec<Record>) =
            ptest_shared::teardown::registered(&reg, &resources)?
                .into_iter()
                .filter(|r| is_ours(r) || is_pool(r))
                .partition(is_pool);
        pools = p;
        targets = t;
    } else {
        let engine = engine.insert(Engine::connect()?);
        for w in words {
            if w.starts_with("pool-") {
                match reg.get(w)? {
                    Some(r) if is_pool(&r) => pools.push(r),
                    _ => eprintln!("ptest-docker: note: no pool {w:?}: nothing to remove"),
                }
                continue;
            }
            match resolve_ours(engine, &reg, w, None) {
                Ok(Some(r)) => targets.extend(r.record),
                Ok(None) => {}
                Err(e) if e.exit == ptest_shared::Exit::Data => {
                    eprintln!("ptest-docker: error: {}", e.message);
                    refused = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
    }
    // Containers before the networks and volumes they use.
    targets.sort_by_key(|r| Kind::of(r).order());
    let mut out = RecordWriter::stdout();
    let mut failed = None;
    if engine.is_none() && !(targets.is_empty() && pools.is_empty()) {
        engine = Some(Engine::connect()?);
    }
    // Pools first: their ready containers go with them; taken ones are
    // their takers' (and in `targets` when the stream holds them).
    for p in &pools {
        let engine = engine.as_ref().expect("connected when there is work");
        crate::pool::remove_reported(engine, &reg, &state, &config, p, common.json(), &mut out)?;
    }
    for rec in &targets {
        let engine = engine.as_ref().expect("connected when there is work");
        let kind = Kind::of(rec);
        let Some(eid) = engine_id_of(rec) else {
            continue;
        };
        let event = format!("{}.removed", kind.as_str());
        hooks::pre(&config, &event, rec)?;
        if let Err(e) = remove_object(engine, kind, &eid) {
            eprintln!("ptest-docker: error: {}", e.message);
            failed = Some(e);
            continue;
        }
        let id = rec.id().unwrap_or_default();
        reg.remove(id)?;
        let mut ev = Record::new("event");
        ev.set("event", event.clone())
            .set("id", id)
            .set(kind.id_field(), eid.clone());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {} {id}", kind.as_str()))?;
        }
        hooks::post(&config, &event, rec);
    }
    match failed.or(refused).or(bad_stream) {
        Some(e) => Err(e),
        None => Ok(0),
    }
}

/// Removes what dead or expired owners left: registry records first, then
/// any labelled object the engine still holds (a second line of defence
/// behind the guardian).
pub fn gc(common: &CommonArgs) -> Result<i32> {
    let engine = Engine::connect()?;
    let (state, reg) = open_registry()?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    let mut report = |kind: &str, id: &str, reason: &str| {
        let mut ev = Record::new("event");
        ev.set("event", format!("{kind}.removed"))
            .set("id", id.to_owned())
            .set("reason", reason);
        if common.json() {
            let _ = out.write(&ev);
        } else {
            let _ = out.write_line(&format!("removed {kind} {id} ({reason})"));
        }
    };
    // Pools whose owner died or whose --ttl passed: drained, then gone.
    for p in reg.list()?.into_iter().filter(is_pool) {
        if let Ok(l) = ptest_shared::owner::judge(&p, now)
            && l != ptest_shared::owner::Liveness::Live
        {
            let id = p.id().unwrap_or_default();
            crate::pool::drain::remove_pool(&engine, &reg, &state, id)?;
            report("pool", id, l.as_str());
        }
    }
    sweep(&engine, &reg, now, |kind, id, reason| {
        report(kind.as_str(), id, reason)
    })?;
    crate::pool::drain::sweep(&engine, &reg, &state, &mut |kind, id, reason| {
        report(kind.as_str(), id, reason)
    })?;
    // Firewall rules of isolated networks removed behind ptest's back.
    crate::firewall::sweep_firewall(&engine)?;
    Ok(0)
}

/// Removes the labelled objects `filter` selects and `condemn` gives a
/// reason to remove: containers (in parallel: each takes a while), then
/// volumes, then networks. Each one's registry record goes first — an
/// object whose removal fails still carries its labels for the next sweep;
/// a record without its object would only lie. A volume still in use is
/// left for the next sweep. Calls `report(kind, ptest id, reason)` per
/// object removed and returns their engine ids; the first failure to
/// remove a container or network is returned after every object was tried.
pub fn remove_labelled(
    engine: &Engine,
    reg: Option<&Registry>,
    filter: &str,
    condemn: impl Fn(&HashMap<String, String>) -> Option<&'static str>,
    report: &mut impl FnMut(Kind, &str, &str),
) -> Result<std::collections::HashSet<String>> {
    let mut done = std::collections::HashSet::new();
    let mut failed = None;
    let ptest_id = |l: &HashMap<String, String>, id: &str| {
        l.get(labels::ID).cloned().unwrap_or_else(|| id.to_owned())
    };
    let containers: Vec<(String, String, &'static str)> = labelled_containers(engine, filter)?
        .into_iter()
        .filter_map(|c| {
            let l = c.labels.unwrap_or_default();
            let reason = condemn(&l)?;
            let id = c.id.unwrap_or_default();
            Some((ptest_id(&l, &id), id, reason))
        })
        .collect();
    let forget = |pid: &str| {
        if let Some(reg) = reg {
            let _ = reg.remove(pid);
        }
    };
    for (pid, _, _) in &containers {
        forget(pid);
    }
    let results =
        engine.block_on(futures_util::future::join_all(containers.iter().map(
            |(_, id, _)| async move { remove_container_async(engine, id).await },
        )));
    for ((pid, id, reason), r) in containers.iter().zip(results) {
        match r {
            Ok(_) => {
                done.insert(id.clone());
                report(Kind::Container, pid, reason);
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    for vol in labelled_volumes(engine, filter)? {
        let Some(reason) = condemn(&vol.labels) else {
            continue;
        };
        if remove_object(engine, Kind::Volume, &vol.name).is_err() {
            continue;
        }
        let pid = ptest_id(&vol.labels, &vol.name);
        forget(&pid);
        done.insert(vol.name.clone());
        report(Kind::Volume, &pid, reason);
    }
    for net in labelled_networks(engine, filter)? {
        let l = net.labels.unwrap_or_default();
        let Some(reason) = condemn(&l) else {
            continue;
        };
        let id = net.id.unwrap_or_default();
        let pid = ptest_id(&l, &id);
        forget(&pid);
        match remove_object(engine, Kind::Network, &id) {
            Ok(_) => {
                done.insert(id);
                report(Kind::Network, &pid, reason);
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// Removes every labelled object that [`labels::stale`] judges dead or
/// expired, then registry records whose object is gone or whose owner
/// died. Calls `report` per object removed.
pub fn sweep(
    engine: &Engine,
    reg: &Registry,
    now: Timestamp,
    mut report: impl FnMut(Kind, &str, &str),
) -> Result<usize> {
    let by_engine: HashMap<String, Record> = reg
        .list()?
        .into_iter()
        .filter(is_ours)
        .filter_map(|r| engine_id_of(&r).map(|id| (id, r)))
        .collect();
    let done = remove_labelled(
        engine,
        Some(reg),
        &labels::tool_filter(),
        |l| labels::stale(l, now),
        &mut report,
    )?;
    let mut n = done.len();
    // Records whose object is gone from the engine, or whose owner died.
    for (eid, r) in by_engine {
        if done.contains(&eid) {
            continue;
        }
        if let Ok(ptest_shared::owner::Liveness::Live) = ptest_shared::owner::judge(&r, now) {
            let kind = Kind::of(&r);
            let exists = match kind {
                Kind::Container => engine
                    .block_on(engine.docker.inspect_container(
                        &eid,
                        None::<bollard::query_parameters::InspectContainerOptions>,
                    ))
                    .is_ok(),
                Kind::Network => engine
                    .block_on(engine.docker.inspect_network(
                        &eid,
                        None::<bollard::query_parameters::InspectNetworkOptions>,
                    ))
                    .is_ok(),
                Kind::Volume => engine.block_on(engine.docker.inspect_volume(&eid)).is_ok(),
            };
            if exists {
                continue;
            }
            let _ = reg.remove(r.id().unwrap_or_default());
            report(kind, r.id().unwrap_or_default(), "gone");
            n += 1;
        } else {
            let kind = Kind::of(&r);
            remove_object(engine, kind, &eid)?;
            let _ = reg.remove(r.id().unwrap_or_default());
            report(kind, r.id().unwrap_or_default(), "owner-dead");
            n += 1;
        }
    }
    Ok(n)
}
