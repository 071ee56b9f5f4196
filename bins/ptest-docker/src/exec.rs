//! `exec`: commands run in a container through the engine's exec API, and
//! [`run_exec`] and [`run_exec_within`], which readiness checks use too.

use crate::engine::{self, Engine};
use crate::logs::write_log;
use crate::objects::{Kind, open_registry, resolve};
use futures_util::StreamExt;
use ptest_shared::{Error, Result};

pub fn exec(word: &str, cmd: &[String]) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let c = resolve(&engine, &reg, word, Some(Kind::Container))?;
    let (code, _) = run_exec(&engine, &c.engine_id, cmd, true)?;
    match code {
        0 => Ok(0),
        c => Err(Error::exit_code(
            c,
            format!("the command exited with {c} in container {word}"),
        )),
    }
}

/// Runs `cmd` in a container; with `stream_out` its output goes to our
/// stdout and stderr as it comes, else it is returned. Returns the exit
/// code (126/127 as a shell says when the command cannot run).
pub fn run_exec(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    stream_out: bool,
) -> Result<(i32, String)> {
    engine.block_on(exec_in(engine, id, cmd, stream_out))
}

/// Runs `cmd` in the container quietly: its exit code, or `None` when it
/// was still running after `limit` (the engine cannot end an exec; it is
/// left to finish on its own).
pub fn run_exec_within(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    limit: std::time::Duration,
) -> Result<Option<i32>> {
    engine.block_on(async {
        match tokio::time::timeout(limit, exec_in(engine, id, cmd, false)).await {
            Ok(r) => r.map(|(code, _)| Some(code)),
            Err(_) => Ok(None),
        }
    })
}

async fn exec_in(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    stream_out: bool,
) -> Result<(i32, String)> {
    use bollard::exec::{CreateExecOptions, StartExecResults};
    let exec = engine
        .docker
        .create_exec(
            id,
            CreateExecOptions {
                cmd: Some(cmd.to_vec()),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| engine::error(&format!("cannot exec in {id}"), &e))?;
    let mut collected = String::new();
    match engine
        .docker
        .start_exec(&exec.id, None)
        .await
        .map_err(|e| engine::error(&format!("cannot exec in {id}"), &e))?
    {
        StartExecResults::Attached { mut output, .. } => {
            while let Some(chunk) = output.next().await {
                let chunk = chunk.map_err(|e| engine::error("exec output", &e))?;
                write_log(&chunk, stream_out, &mut collected);
            }
        }
        StartExecResults::Detached => {}
    }
    let info = engine
        .docker
        .inspect_exec(&exec.id)
        .await
        .map_err(|e| engine::error("cannot inspect exec", &e))?;
    Ok((info.exit_code.unwrap_or(0) as i32, collected))
}
