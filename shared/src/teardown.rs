//! Removing resources through the tool that manages each (`ptest-<tool>
//! rm`, the records on stdin): `ptest down`, `ptest gc` (in the dispatcher)
//! and `ptest proc run --rm` all go through [`remove_all`].
//!
//! Only the registry decides what is removed: a stream's record counts for
//! its `id` alone, and the tool is handed the registry's copy
//! ([`registered_newest_first`]). A record whose id is not registered, or is
//! registered under another kind or tool, is left alone with a note, so a
//! stream from a file, a cache or someone else's script cannot destroy what
//! ptest did not make.
//!
//! A tool's `rm` exits 0 when every record given was removed (or was already
//! gone). When it fails, the resources it confirmed with an `event` record
//! naming them (`{"kind": "event", "event": "<kind>.removed", "id": …}`) on
//! stdout count as removed; the rest are reported as not removed.

use crate::output::RecordWriter;
use crate::registry::Registry;
use crate::state::StateDir;
use crate::{Error, Record, Result, tools};
use std::collections::HashSet;

/// The outcome for one resource.
struct Outcome {
    rec: Record,
    reason: Option<&'static str>,
    error: Option<String>,
    /// The event the tool confirmed the removal with (`port.released`).
    event: Option<String>,
}

/// Removes `batch` (all managed by `tool`) through `ptest-<tool> rm`.
fn remove_batch(tool: &str, batch: Vec<(Record, Option<&'static str>)>) -> Vec<Outcome> {
    let fail_all = |batch: Vec<(Record, Option<&'static str>)>, msg: String| {
        batch
            .into_iter()
            .map(|(rec, reason)| Outcome {
                rec,
                reason,
                error: Some(msg.clone()),
                event: None,
            })
            .collect()
    };
    if !tools::valid_tool_name(tool) {
        return fail_all(batch, format!("tool {tool:?} is not a ptest tool name"));
    }
    let Some(path) = tools::find(tool) else {
        return fail_all(
            batch,
            format!("{tool} is not installed (not beside ptest nor on PATH)"),
        );
    };
    let mut input = String::new();
    for (r, _) in &batch {
        input.push_str(&r.to_line());
        input.push('\n');
    }
    let out = match tools::call(&path, &["rm"], Some(input), None) {
        Ok(o) => o,
        Err(e) => return fail_all(batch, format!("{tool} rm: {e}")),
    };
    // What the tool confirmed, by id, with the event it names it by.
    let confirmed: std::collections::HashMap<String, String> = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["kind"] == "event")
        .filter_map(|v| {
            Some((
                v["id"].as_str()?.to_owned(),
                v["event"].as_str()?.to_owned(),
            ))
        })
        .collect();
    if out.status.success() {
        return batch
            .into_iter()
            .map(|(rec, reason)| Outcome {
                event: rec.id().and_then(|id| confirmed.get(id).cloned()),
                rec,
                reason,
                error: None,
            })
            .collect();
    }
    let tail = out.last_words();
    let status = match out.status.code() {
        Some(c) => format!("exit {c}"),
        None => format!("{}", out.status),
    };
    batch
        .into_iter()
        .map(|(rec, reason)| {
            let event = rec.id().and_then(|id| confirmed.get(id).cloned());
            Outcome {
                error: event
                    .is_none()
                    .then(|| format!("{tool} rm failed ({status}): {tail}")),
                event,
                rec,
                reason,
            }
        })
        .collect()
}

/// How [`remove_all`] reports each removal on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// `event` records.
    Json,
    /// `removed ID (kind)` lines.
    Human,
    /// Nothing on stdout (a command's stdout is not ours): failures on stderr only.
    Quiet,
}

/// Removes resources in the given order, batching consecutive ones of one
/// tool, then forgets the removed ones in the registry and reports; exit 1
/// (after trying every one) when some could not be removed.
pub fn remove_all(report: Report, resources: Vec<(Record, Option<&'static str>)>) -> Result<i32> {
    let mut outcomes = Vec::new();
    let mut batch: Vec<(Record, Option<&'static str>)> = Vec::new();
    for item in resources {
        if batch.last().is_some_and(|(r, _)| r.tool() != item.0.tool()) {
            let tool = batch[0].0.tool().unwrap_or_default().to_owned();
            outcomes.extend(remove_batch(&tool, std::mem::take(&mut batch)));
        }
        batch.push(item);
    }
    if !batch.is_empty() {
        let tool = batch[0].0.tool().unwrap_or_default().to_owned();
        outcomes.extend(remove_batch(&tool, batch));
    }
    // What a plugin removed, the registry forgets for it (its rm need not),
    // in one transaction; the built-in tools forget their own as they remove.
    let removed: Vec<&str> = outcomes
        .iter()
        .filter(|o| o.error.is_none())
        .filter(|o| !tools::is_builtin(o.rec.tool().unwrap_or_default()))
        .filter_map(|o| o.rec.id())
        .collect();
    if !removed.is_empty() {
        let reg = Registry::open(&StateDir::open()?)?;
        reg.transaction(|t| removed.iter().try_for_each(|id| t.remove(id).map(drop)))?;
    }
    let mut out = RecordWriter::stdout();
    let mut failed = 0;
    for o in &outcomes {
        let id = o.rec.id().unwrap_or_default();
        let tool = o.rec.tool().unwrap_or_default();
        match &o.error {
            None => {
                match report {
                    Report::Quiet => {}
                    Report::Json => {
                        let mut ev = Record::new("event");
                        // The tool's own name for it (`port.released`).
                        let name = o
                            .event
                            .clone()
                            .unwrap_or_else(|| format!("{}.removed", o.rec.kind()));
                        ev.set("event", name).set("id", id).set("tool", tool);
                        if let Some(r) = o.reason {
                            ev.set("reason", r);
                        }
                        out.write(&ev)?;
                    }
                    Report::Human => {
                        out.write_line(&format!(
                            "removed {id} ({}){}",
                            o.rec.kind(),
                            o.reason.map(|r| format!(": {r}")).unwrap_or_default()
                        ))?;
                    }
                }
            }
            Some(e) => {
                failed += 1;
                eprintln!(
                    "{}: could not remove {id} ({}): {e}",
                    crate::cli::prog_name(),
                    o.rec.kind()
                );
            }
        }
    }
    if failed > 0 {
        return Err(Error::failed(format!(
            "{failed} of {} resources were not removed",
            outcomes.len()
        ))
        .hint("fix the cause above and run the command again: removal is idempotent"));
    }
    Ok(0)
}

/// The registry's copies of the resources among `records`, in their
/// order, each once: what teardown may remove. A record that is not a live
/// ptest resource (no such id in the registry, or one of another kind or
/// tool) is left alone with a note on stderr.
pub fn registered<'a>(
    reg: &Registry,
    records: impl IntoIterator<Item = &'a Record>,
) -> Result<Vec<Record>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for r in records.into_iter().filter(|r| r.is_resource()) {
        let id = r.id().unwrap_or_default();
        // A resource named twice in the stream is removed once.
        if !seen.insert(id.to_owned()) {
            continue;
        }
        let found = match crate::registry::validate_id(id) {
            Ok(()) => reg.get(id)?,
            Err(_) => None,
        };
        match found {
            Some(mine) if mine.kind() == r.kind() && mine.tool() == r.tool() => out.push(mine),
            _ => eprintln!(
                "{}: note: {id:?} ({}): not a live ptest resource: nothing removed",
                crate::cli::prog_name(),
                r.kind()
            ),
        }
    }
    Ok(out)
}

/// [`registered`], newest first: what `down` and `--rm` remove.
pub fn registered_newest_first(records: &[Record]) -> Result<Vec<(Record, Option<&'static str>)>> {
    let reg = Registry::open(&StateDir::open()?)?;
    Ok(registered(&reg, records.iter().rev())?
        .into_iter()
        .map(|r| (r, None))
        .collect())
}
