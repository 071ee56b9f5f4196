//! What the engine says of an object: `inspect`, and a container's
//! [`state`] and how it ended ([`exit_of`]).

use crate::engine::{self, Engine};
use crate::objects::{Kind, open_registry, resolve};
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Result};

/// How a container ended, from the engine's state: its exit code and
/// whether the kernel killed it for memory (which the exit code alone
/// cannot tell: a process of it may be OOM-killed while it exits 0).
pub fn exit_of(engine: &Engine, id: &str) -> Option<(i64, bool)> {
    let st = state(engine, id)?;
    Some((st.exit_code.unwrap_or(0), st.oom_killed.unwrap_or(false)))
}

/// The engine's state of a container (`None` when it cannot say).
pub fn state(engine: &Engine, id: &str) -> Option<bollard::models::ContainerState> {
    engine
        .block_on(engine.docker.inspect_container(
            id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ))
        .ok()?
        .state
}

pub fn inspect(word: &str) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let o = resolve(&engine, &reg, word, None)?;
    let value = match o.kind {
        Kind::Container => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_container(
                    &o.engine_id,
                    None::<bollard::query_parameters::InspectContainerOptions>,
                ))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
        Kind::Network => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_network(
                    &o.engine_id,
                    None::<bollard::query_parameters::InspectNetworkOptions>,
                ))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
        Kind::Volume => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_volume(&o.engine_id))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
    }
    .map_err(|e| Error::internal(format!("cannot encode the engine's answer: {e}")))?;
    let mut out = RecordWriter::stdout();
    out.write_line(&serde_json::to_string_pretty(&value).unwrap_or_default())?;
    Ok(0)
}
