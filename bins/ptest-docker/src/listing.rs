//! Listing what ptest made: the engine's labelled containers, volumes and
//! networks, and `ls`, which shows the registry's objects with the state the
//! engine gives them.

use crate::engine::{self, Engine};
use crate::inspect::exit_of;
use crate::labels;
use crate::objects::{engine_id_of, is_ours, open_registry};
use bollard::models::ContainerSummary;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{cell, listing};
use ptest_shared::{Record, Result};
use std::collections::HashMap;

/// Every ptest-docker container the engine knows, with its labels.
pub fn labelled_containers(engine: &Engine, filter: &str) -> Result<Vec<ContainerSummary>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_containers(Some(opts)))
        .map_err(|e| engine::error("cannot list containers", &e))
}

/// Every ptest-docker volume the engine knows.
pub fn labelled_volumes(engine: &Engine, filter: &str) -> Result<Vec<bollard::models::Volume>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListVolumesOptionsBuilder::default()
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_volumes(Some(opts)))
        .map(|r| r.volumes.unwrap_or_default())
        .map_err(|e| engine::error("cannot list volumes", &e))
}

/// Every ptest-docker network the engine knows.
pub fn labelled_networks(engine: &Engine, filter: &str) -> Result<Vec<bollard::models::Network>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListNetworksOptionsBuilder::default()
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_networks(Some(opts)))
        .map_err(|e| engine::error("cannot list networks", &e))
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    // A pool's ready members are nobody's yet: `pool ls` counts them.
    let recs: Vec<Record> = reg
        .list()?
        .into_iter()
        .filter(|r| is_ours(r) && r.get("pool").is_none())
        .collect();
    let states: HashMap<String, String> = labelled_containers(&engine, &labels::tool_filter())?
        .into_iter()
        .map(|c| {
            (
                c.id.unwrap_or_default(),
                c.state.map(|s| s.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let nets: std::collections::HashSet<String> =
        labelled_networks(&engine, &labels::tool_filter())?
            .into_iter()
            .filter_map(|n| n.id)
            .collect();
    let state_of = |r: &Record| -> String {
        let id = engine_id_of(r).unwrap_or_default();
        match r.kind() {
            "volume" => "present".to_owned(),
            "network" if nets.contains(&id) => "present".to_owned(),
            "network" => "gone".to_owned(),
            _ => states.get(&id).cloned().unwrap_or_else(|| "gone".into()),
        }
    };
    // The engine's state of each, for both views; with --json, how an
    // exited container ended.
    let json = common.json();
    let recs: Vec<Record> = recs
        .into_iter()
        .map(|mut r| {
            let state = state_of(&r);
            if json
                && r.kind() == "container"
                && state == "exited"
                && let Some((code, oom)) = exit_of(&engine, &engine_id_of(&r).unwrap_or_default())
            {
                r.set("exit_code", code).set("oom_killed", oom);
            }
            r.set("state", state);
            r
        })
        .collect();
    listing(
        json,
        &recs,
        "no containers or networks",
        &["ID", "KIND", "NAME", "STATE", "IMAGE/SUBNET", "PORTS"],
        |r| {
            let ports = r
                .get("ports")
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .map(|p| format!("{}->{}", p["host_port"], p["container_port"]))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            Ok(vec![
                cell(r, "id"),
                r.kind().to_owned(),
                cell(r, "name"),
                cell(r, "state"),
                cell(
                    r,
                    match r.kind() {
                        "network" => "subnet",
                        "volume" => "volume_name",
                        _ => "image",
                    },
                ),
                ports,
            ])
        },
    )
}
