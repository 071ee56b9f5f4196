//! `logs`: a container's output; [`log_tail`] for failure messages; and
//! [`write_log`], which puts a chunk of container output (logs or exec)
//! where it belongs.

use crate::engine::{self, Engine};
use crate::objects::{Kind, open_registry, resolve};
use futures_util::StreamExt;
use ptest_shared::Result;
use std::io::Write;

pub fn logs(word: &str, follow: bool, tail: Option<u64>) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let c = resolve(&engine, &reg, word, Some(Kind::Container))?;
    let mut sink = String::new();
    engine.block_on(async {
        let opts = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .tail(&tail.map(|t| t.to_string()).unwrap_or_else(|| "all".into()))
            .build();
        let mut s = engine.docker.logs(&c.engine_id, Some(opts));
        while let Some(chunk) = s.next().await {
            match chunk {
                Ok(c) => write_log(&c, true, &mut sink),
                Err(e) => return Err(engine::error("cannot read logs", &e)),
            }
        }
        Ok(())
    })?;
    Ok(0)
}

/// The last `n` lines of a container's logs (for failure messages).
pub fn log_tail(engine: &Engine, id: &str, n: u64) -> String {
    let mut out = String::new();
    engine.block_on(async {
        let opts = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let mut s = engine.docker.logs(id, Some(opts));
        while let Some(Ok(c)) = s.next().await {
            write_log(&c, false, &mut out);
        }
    });
    out
}

/// Writes one chunk of container output where it belongs.
pub fn write_log(chunk: &bollard::container::LogOutput, stream_out: bool, collected: &mut String) {
    use bollard::container::LogOutput;
    let (bytes, err) = match chunk {
        LogOutput::StdErr { message } => (message, true),
        LogOutput::StdOut { message } | LogOutput::Console { message } => (message, false),
        LogOutput::StdIn { .. } => return,
    };
    if stream_out {
        if err {
            let _ = std::io::stderr().write_all(bytes);
        } else {
            let mut o = std::io::stdout();
            let _ = o.write_all(bytes);
            let _ = o.flush();
        }
    } else {
        collected.push_str(&String::from_utf8_lossy(bytes));
    }
}
