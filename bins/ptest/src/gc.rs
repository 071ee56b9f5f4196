//! `ptest gc`: what nobody owns any more goes — the registry's resources
//! whose owner died or lease expired, what each tool's own `gc` finds, and
//! the state directory's leftovers.

use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Liveness, judge};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::teardown::{Report, remove_all};
use ptest_shared::{Error, Result, tools};

/// `ptest gc`: runs every tool's own `gc` (found like plugins, so tools
/// still to come take part: docker's sweep of labelled objects and pools,
/// proc's dead supervisors…), then removes the registered resources still
/// there whose owner died or lease expired (a plugin's without a `gc`),
/// then tidies the state directory (builds left by killed builders, lock
/// files nobody holds, writers' temp files). The tools go first: each
/// knows its own objects best — a volume the registry's teardown could
/// not remove while a container ptest never registered still used it
/// goes with that container in `ptest docker gc`. Exit 1 after doing all
/// it can when some part failed.
pub fn gc(json: bool, dry_run: bool) -> Result<i32> {
    let state = StateDir::open()?;
    let reg = Registry::open(&state)?;
    let stale = stale_now(&reg)?;
    if dry_run {
        let mut out = RecordWriter::stdout();
        for (rec, reason) in &stale {
            if json {
                out.write(rec)?;
            } else {
                out.write_line(&format!(
                    "would remove {} ({}): {}",
                    rec.id().unwrap_or_default(),
                    rec.kind(),
                    reason.unwrap_or_default()
                ))?;
            }
        }
        return Ok(0);
    }
    let mut failures = Vec::new();
    for (name, path) in tools::discover() {
        if let Err(why) = tool_gc(&name, &path, json) {
            failures.push(why);
        }
    }
    let report = if json { Report::Json } else { Report::Human };
    if let Err(e) = remove_all(report, stale_now(&reg)?) {
        failures.push(e.message);
    }
    ptest_shared::staging::sweep(&state)?;
    state.sweep_locks()?;
    reg.sweep_temp(std::time::Duration::from_secs(60))?;
    if failures.is_empty() {
        return Ok(0);
    }
    Err(
        Error::failed(format!("gc did not finish: {}", failures.join("; ")))
            .hint("fix the cause and run `ptest gc` again: it is idempotent"),
    )
}

/// The registered resources whose owner died or whose lease expired,
/// newest first (as teardown of a stream), each with why.
fn stale_now(reg: &Registry) -> Result<Vec<(ptest_shared::Record, Option<&'static str>)>> {
    let now = ptest_shared::record::Timestamp::now();
    let mut stale = Vec::new();
    for rec in reg.list()? {
        match judge(&rec, now)? {
            Liveness::Live => {}
            l => stale.push((rec, Some(l.as_str()))),
        }
    }
    stale.reverse();
    Ok(stale)
}

/// How long one tool's `gc` may take before it is killed (with its process
/// group) and reported: a hung plugin must not hang every later `ptest gc`.
const TOOL_GC_LIMIT: std::time::Duration = std::time::Duration::from_secs(600);

/// Runs `ptest-<name> gc`, passing its records on (but an `error` record:
/// the failure is ours to report). A tool without `gc` (exit 64) takes no
/// part; one whose service is missing (69: no Docker engine) is noted.
fn tool_gc(name: &str, path: &std::path::Path, json: bool) -> std::result::Result<(), String> {
    let format = if json { "--json" } else { "--format=human" };
    let out = tools::call(path, &["gc", format], None, Some(TOOL_GC_LIMIT))?;
    let mut w = RecordWriter::stdout();
    for line in out.stdout.lines() {
        let is_error =
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v["kind"] == "error");
        if !is_error && !line.trim().is_empty() {
            let _ = w.write_line(line);
        }
    }
    let stderr = &out.stderr;
    let last = out.last_words();
    match out.status.code() {
        Some(0) => {
            eprint!("{stderr}");
            Ok(())
        }
        Some(64) => Ok(()),
        Some(69) => {
            eprintln!(
                "{}: note: ptest-{name} gc skipped: {last}",
                ptest_shared::cli::prog_name()
            );
            Ok(())
        }
        _ => {
            eprint!("{stderr}");
            Err(format!("ptest-{name} gc failed ({}): {last}", out.status))
        }
    }
}
