//! The commands that remove environments: `rm` (those named, or the
//! `venv` records on stdin) and `gc` (those whose owner has exited or whose
//! `--ttl` has passed, and what failed builds and the trash left behind).

use crate::commands::Ctx;
use crate::envs::{self, Found, is_venv};
use crate::template;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Liveness, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::staging;
use ptest_shared::{Error, Record, Result, hooks, stream};

/// `rm`: environments given by id, name or directory, or the `venv`
/// records on stdin. Only environments in the registry are removed, at the
/// path the registry holds: a stream's record counts for its id alone, and
/// a directory ptest did not make is never touched.
pub fn rm(common: &CommonArgs, args: &[String]) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let mut targets: Vec<Record> = Vec::new();
    let mut refused = None;
    let mut bad_stream = None;
    if args.is_empty() {
        let (records, bad) = stream::stdin(None)?.into_teardown();
        bad_stream = bad;
        let venvs: Vec<Record> = records.into_iter().filter(is_venv).collect();
        targets.extend(
            ptest_shared::teardown::registered(&ctx.registry, &venvs)?
                .into_iter()
                .filter(is_venv),
        );
    } else {
        for a in args {
            match envs::find(&ctx.registry, a) {
                Ok(Found {
                    record: Some(r), ..
                }) => targets.push(r),
                Ok(Found { path, record: None }) => {
                    let e = Error::data(format!(
                        "{}: not an environment ptest made (it is not in the registry): nothing removed",
                        path.display()
                    ))
                    .hint("ptest removes only what it made; remove it yourself if you mean to");
                    eprintln!("ptest-venv: error: {}", e.message);
                    refused = Some(e);
                }
                Err(e) if a.starts_with("venv-") && !a.contains('/') => {
                    eprintln!("ptest-venv: note: {}", e.message);
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut out = RecordWriter::stdout();
    let mut trash = Vec::new();
    for rec in &targets {
        let path = envs::record_path(rec)?;
        if path.exists() && !path.join("pyvenv.cfg").is_file() {
            return Err(Error::data(format!(
                "{} holds no pyvenv.cfg: not removing a directory that is not an environment",
                path.display()
            )));
        }
        hooks::pre(&ctx.config, "venv.removed", rec)?;
        if let Some(t) = envs::to_trash(&ctx.state, &path)? {
            trash.push(t);
        }
        let id = rec.id().unwrap_or_default().to_owned();
        ctx.registry.remove(&id)?;
        let mut ev = Record::new("event");
        ev.set("event", "venv.removed")
            .set("id", id.clone())
            .set("path", path.display().to_string());
        if ctx.json {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {id} ({})", path.display()))?;
        }
        hooks::post(&ctx.config, "venv.removed", rec);
    }
    envs::purge_in_background(&trash);
    match refused.or(bad_stream) {
        Some(e) => Err(e),
        None => Ok(0),
    }
}

pub fn gc(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    // Builds whose builder died (killed mid-create): nothing half-made stays.
    staging::sweep(&ctx.state)?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    let mut trash = envs::trash_leftovers(&ctx.state)?;
    for r in ctx.registry.list()?.into_iter().filter(is_venv) {
        let reason = match judge(&r, now)? {
            Liveness::Live => continue,
            l => l.as_str(),
        };
        let path = envs::record_path(&r)?;
        if path.exists() && !path.join("pyvenv.cfg").is_file() {
            eprintln!(
                "ptest-venv: warning: {} holds no pyvenv.cfg; leaving it",
                path.display()
            );
        } else if let Some(t) = envs::to_trash(&ctx.state, &path)? {
            trash.push(t);
        }
        let id = r.id().unwrap_or_default().to_owned();
        ctx.registry.remove(&id)?;
        let mut ev = Record::new("event");
        ev.set("event", "venv.removed")
            .set("id", id.clone())
            .set("reason", reason);
        if ctx.json {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {id} ({reason})"))?;
        }
        hooks::post(&ctx.config, "venv.removed", &r);
    }
    envs::purge_in_background(&trash);
    template::Cache::open(&ctx.state)?.sweep()?;
    Ok(0)
}
