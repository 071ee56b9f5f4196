//! The objects ptest-docker makes (containers, networks, volumes): their
//! [`Kind`], the engine id their registry records name ([`engine_id_of`]),
//! and [`resolve`], which finds an object from what a user types.

use crate::engine::{self, Engine};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Record, Result};

pub const TOOL: &str = "ptest-docker";

/// What kind of engine object a ptest record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Container,
    Network,
    Volume,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Container => "container",
            Kind::Network => "network",
            Kind::Volume => "volume",
        }
    }

    /// The kind of a ptest record (`container`, `network`, `volume`).
    pub fn of(r: &Record) -> Kind {
        match r.kind() {
            "network" => Kind::Network,
            "volume" => Kind::Volume,
            _ => Kind::Container,
        }
    }

    /// The record field holding the engine's id (a volume's is its name).
    pub fn id_field(self) -> &'static str {
        match self {
            Kind::Container => "container_id",
            Kind::Network => "network_id",
            Kind::Volume => "volume_name",
        }
    }

    /// Teardown order: containers, then the volumes and networks they used.
    pub fn order(self) -> u8 {
        match self {
            Kind::Container => 0,
            Kind::Volume => 1,
            Kind::Network => 2,
        }
    }
}

/// An object found from a user's word: its engine id and, when ptest made
/// it, its registry record.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub kind: Kind,
    /// The engine's id.
    pub engine_id: String,
    /// The ptest name (`--name`), or the engine's.
    pub name: String,
    pub record: Option<Record>,
}

impl Resolved {
    /// The ptest id when ptest made it, else the engine's id.
    pub fn ptest_id(&self) -> &str {
        self.record
            .as_ref()
            .and_then(|r| r.id())
            .unwrap_or(&self.engine_id)
    }
}

pub fn is_ours(r: &Record) -> bool {
    r.tool() == Some(TOOL) && matches!(r.kind(), "container" | "network" | "volume")
}

/// The engine id a ptest record names (`container_id`, `network_id`,
/// `volume_name`), read through the record's type: an id that could leave
/// its URL segment never gets here.
pub fn engine_id_of(r: &Record) -> Option<String> {
    use ptest_shared::kinds;
    match Kind::of(r) {
        Kind::Container => r
            .typed::<kinds::Container>()
            .ok()
            .map(|c| c.container_id.into_inner()),
        Kind::Network => r
            .typed::<kinds::Network>()
            .ok()
            .map(|n| n.network_id.into_inner()),
        Kind::Volume => r
            .typed::<kinds::Volume>()
            .ok()
            .map(|v| v.volume_name.into_inner()),
    }
}

/// Finds a container or network: a ptest id (`container-…`, `network-…`),
/// a ptest name, or anything the engine takes (its id, prefix or name).
pub fn resolve(
    engine: &Engine,
    reg: &Registry,
    word: &str,
    want: Option<Kind>,
) -> Result<Resolved> {
    // The word goes into the engine's URLs: only what could name an object.
    ptest_shared::kinds::check_engine_name(word).map_err(|e| {
        Error::usage(format!(
            "{e}: not a ptest id or name, nor an engine id or name"
        ))
    })?;
    let records: Vec<Record> = reg.list()?.into_iter().filter(is_ours).collect();
    let kind_ok = |r: &Record| want.is_none_or(|k| r.kind() == k.as_str());
    let hit = records
        .iter()
        .filter(|r| kind_ok(r))
        .find(|r| r.id() == Some(word))
        .or_else(|| {
            // By name, never a pool's ready member: it is nobody's yet,
            // though often named as the taker's own container is.
            records
                .iter()
                .filter(|r| kind_ok(r) && r.get("pool").is_none())
                .rev()
                .find(|r| r.get("name").and_then(|v| v.as_str()) == Some(word))
        });
    if let Some(r) = hit {
        let kind = Kind::of(r);
        return Ok(Resolved {
            kind,
            engine_id: engine_id_of(r).ok_or_else(|| {
                Error::data(format!(
                    "record {} names no engine object",
                    r.id().unwrap_or("")
                ))
            })?,
            name: r
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or(word)
                .to_owned(),
            record: Some(r.clone()),
        });
    }
    // Not ours by record: ask the engine.
    if want != Some(Kind::Network) {
        match engine.block_on(engine.docker.inspect_container(
            word,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )) {
            Ok(c) => {
                let id = c.id.unwrap_or_default();
                let record = records
                    .iter()
                    .find(|r| engine_id_of(r).as_deref() == Some(id.as_str()))
                    .cloned();
                return Ok(Resolved {
                    kind: Kind::Container,
                    name: c
                        .name
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .to_owned(),
                    engine_id: id,
                    record,
                });
            }
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect {word}"), &e)),
        }
    }
    if want != Some(Kind::Container) {
        match engine.block_on(engine.docker.inspect_network(
            word,
            None::<bollard::query_parameters::InspectNetworkOptions>,
        )) {
            Ok(n) => {
                let id = n.id.unwrap_or_default();
                let record = records
                    .iter()
                    .find(|r| engine_id_of(r).as_deref() == Some(id.as_str()))
                    .cloned();
                return Ok(Resolved {
                    kind: Kind::Network,
                    name: n.name.unwrap_or_default(),
                    engine_id: id,
                    record,
                });
            }
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect {word}"), &e)),
        }
    }
    Err(Error::no_input(format!(
        "no {} {word:?}: not a ptest id or name, nor known to the engine",
        want.map(Kind::as_str).unwrap_or("container or network")
    ))
    .hint("`ptest docker ls` lists what ptest made"))
}

pub fn open_registry() -> Result<(StateDir, Registry)> {
    let state = StateDir::open()?;
    let reg = Registry::open(&state)?;
    Ok((state, reg))
}

/// Resolves a word to an object ptest made (it has a registry record):
/// `Ok(None)` when nothing has that name (a note: removing what is gone is
/// not an error), an error naming it when the object is not ptest's.
pub fn resolve_ours(
    engine: &Engine,
    reg: &Registry,
    word: &str,
    want: Option<Kind>,
) -> Result<Option<Resolved>> {
    match resolve(engine, reg, word, want) {
        Ok(r) if r.record.is_some() => Ok(Some(r)),
        Ok(r) => Err(Error::data(format!(
            "{} {word} ({}) was not made by ptest: nothing done",
            r.kind.as_str(),
            &r.engine_id[..r.engine_id.len().min(12)]
        ))
        .hint("ptest acts only on what it made; use the docker CLI for anything else")),
        Err(e) if e.exit.code() == 66 => {
            eprintln!("ptest-docker: note: {}", e.message);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
