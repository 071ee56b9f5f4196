//! The Docker engine, for containers: where a container's cgroup is (from
//! its main process), and its one-shot stats where that cgroup cannot be
//! seen from here (a remote engine, another namespace).

use crate::source::Reading;
use futures_util::StreamExt;
use ptest_shared::{Error, Result};
use std::rc::Rc;
use std::time::Duration;

pub struct Engine {
    docker: bollard::Docker,
    rt: tokio::runtime::Runtime,
}

impl Engine {
    pub fn connect() -> Result<Rc<Engine>> {
        let rt = ptest_shared::docker::runtime()?;
        let docker = rt.block_on(ptest_shared::docker::connect())?;
        Ok(Rc::new(Engine { docker, rt }))
    }

    /// The host pid of a running container's main process.
    pub fn pid_of(&self, container_id: &str) -> Result<Option<u32>> {
        let c = self
            .rt
            .block_on(self.docker.inspect_container(
                container_id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            ))
            .map_err(|e| Error::unavailable(format!("cannot inspect {container_id}: {e}")))?;
        let st = c.state.unwrap_or_default();
        Ok(st
            .pid
            .filter(|p| *p > 0 && st.running == Some(true))
            .and_then(|p| u32::try_from(p).ok()))
    }
}

/// A container measured by the engine, one request per sample.
pub struct Stats {
    pub engine: Rc<Engine>,
    pub container_id: String,
}

impl Stats {
    pub fn read(&mut self) -> Option<Reading> {
        let opts = bollard::query_parameters::StatsOptionsBuilder::default()
            .stream(false)
            .one_shot(true)
            .build();
        let s = self.engine.rt.block_on(async {
            let mut st = self.engine.docker.stats(&self.container_id, Some(opts));
            st.next().await
        })?;
        let s = s.ok()?;
        // A container that stopped answers with empty figures.
        let pids = s.pids_stats.and_then(|p| p.current)?;
        if pids == 0 {
            return None;
        }
        let mem = s.memory_stats.unwrap_or_default();
        let cpu = s.cpu_stats.and_then(|c| c.cpu_usage).unwrap_or_default();
        let (mut io_read, mut io_write) = (0u64, 0u64);
        for e in s
            .blkio_stats
            .and_then(|b| b.io_service_bytes_recursive)
            .unwrap_or_default()
        {
            match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
                Some("read") => io_read += e.value.unwrap_or(0),
                Some("write") => io_write += e.value.unwrap_or(0),
                _ => {}
            }
        }
        let user = Duration::from_nanos(cpu.usage_in_usermode.unwrap_or(0));
        let total = Duration::from_nanos(cpu.total_usage.unwrap_or(0));
        Some(Reading {
            memory: mem.usage.unwrap_or(0),
            memory_peak: mem.max_usage,
            cpu_user: user.min(total),
            cpu_system: total.saturating_sub(user),
            procs: pids,
            io_read,
            io_write,
            pressure: None,
            host: None,
        })
    }
}
