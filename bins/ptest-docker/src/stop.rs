//! `stop`: containers ptest made stopped (SIGTERM, then SIGKILL after the
//! grace period), one event each.

use crate::engine::{self, Engine};
use crate::objects::{Kind, open_registry, resolve_ours};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Record, Result};

pub fn stop(common: &CommonArgs, words: &[String], grace: std::time::Duration) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let mut out = RecordWriter::stdout();
    for w in words {
        let Some(c) = resolve_ours(&engine, &reg, w, Some(Kind::Container))? else {
            continue;
        };
        let opts = bollard::query_parameters::StopContainerOptionsBuilder::default()
            .t(grace.as_secs().try_into().unwrap_or(i32::MAX))
            .build();
        match engine.block_on(engine.docker.stop_container(&c.engine_id, Some(opts))) {
            Ok(()) => {}
            Err(e) if engine::status(&e) == Some(304) => {}
            Err(e) => return Err(engine::error(&format!("cannot stop {w}"), &e)),
        }
        let mut ev = Record::new("event");
        ev.set("event", "container.stopped")
            .set("id", c.ptest_id())
            .set("container_id", c.engine_id.clone());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("stopped {}", c.name))?;
        }
    }
    Ok(0)
}
