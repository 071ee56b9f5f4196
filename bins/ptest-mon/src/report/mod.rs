//! `ptest mon report`: sample files (the records `run` and `watch` write)
//! summarised per resource, drawn as an SVG timeline ([`crate::svg`]) and
//! compared with a baseline run.
//!
//! This file runs the command and writes the SVG; [`read`] turns sample
//! files into a dataset, [`stats`] works out each resource's figures,
//! [`mod@compare`] pairs them with a baseline's, and [`render`] shows them as
//! tables or records.

mod compare;
#[cfg(test)]
mod fuzz;
mod read;
mod render;
mod stats;

pub(crate) use render::{human_bytes, human_seconds, trim_float};

use compare::{compare, keys, match_resources};
use ptest_shared::output::{RecordWriter, table};
use ptest_shared::{Error, Result};
use read::{CPU, Dataset, IO_READ, IO_WRITE, MEMORY, PROCS, display_name, is_stdin, load};
use render::{comparison_record, comparison_rows, report_record, report_text, trim_lines};
use stats::{Figures, rates};
use std::io::Write;
use std::path::Path;

use crate::ReportArgs;

/// Runs `ptest mon report`: tables (or `report` records with `json`), the
/// SVG, and the comparison with the baseline. Exit 1 (as an error) when a
/// metric grew by more than `--fail-over`.
pub fn run(json: bool, args: &ReportArgs) -> Result<i32> {
    let stdin_uses = args
        .files
        .iter()
        .chain(args.baseline.as_ref())
        .filter(|p| is_stdin(p))
        .count();
    if stdin_uses > 1 {
        return Err(Error::usage(
            "stdin (`-`) can be read only once: name it as one file at most",
        ));
    }
    let current = load(&args.files)?;
    let baseline = match &args.baseline {
        Some(b) => Some(load(std::slice::from_ref(b))?),
        None => None,
    };
    let figures: Vec<Figures> = current.resources.iter().map(Figures::of).collect();
    if let Some(out) = &args.svg {
        let doc = timeline(&current);
        write_atomic(out, doc.as_bytes())?;
    }
    let mut w = RecordWriter::stdout();
    for (r, f) in current.resources.iter().zip(&figures) {
        if json {
            w.write(&report_record(r, f))?;
        } else {
            w.write_line(&report_text(r, f))?;
        }
    }
    if let (Some(out), false) = (&args.svg, json) {
        w.write_line(&format!("timeline: {}", out.display()))?;
    }
    let Some(baseline) = baseline else {
        return Ok(0);
    };
    let bfigures: Vec<Figures> = baseline.resources.iter().map(Figures::of).collect();
    let pairs = match_resources(&keys(&current), &keys(&baseline));
    let mut rows = Vec::new();
    let mut over = Vec::new();
    for &(c, b) in &pairs {
        let cur = c.map(|i| (&current.resources[i], &figures[i]));
        let base = b.map(|i| (&baseline.resources[i], &bfigures[i]));
        let compared = match (cur, base) {
            (Some((_, cf)), Some((_, bf))) => compare(cf, bf, args.grow),
            _ => Vec::new(),
        };
        if let (Some(limit), Some((cr, _))) = (args.fail_over, cur) {
            for m in &compared {
                if let Some(ratio) = m.ratio()
                    && ratio > limit
                {
                    over.push(format!(
                        "{} grew {ratio:.2}× (over {limit:.2}×) for {}",
                        m.metric,
                        cr.label()
                    ));
                }
            }
        }
        if json {
            w.write(&comparison_record(
                cur.map(|x| x.0),
                base.map(|x| x.0),
                &compared,
            ))?;
        } else {
            comparison_rows(cur.map(|x| x.0), base.map(|x| x.0), &compared, &mut rows);
        }
    }
    if !json {
        let source = args
            .baseline
            .as_deref()
            .map(display_name)
            .unwrap_or_default();
        w.write_line(&format!(
            "against {source} (marked: grew by more than {:.2}×)",
            args.grow
        ))?;
        let header = ["RESOURCE", "METRIC", "BASELINE", "CURRENT", "RATIO", ""];
        w.write_line(&trim_lines(&table(&header, &rows)))?;
    }
    if !over.is_empty() {
        return Err(Error::failed(over.join("; ")));
    }
    Ok(0)
}

/// The SVG of a dataset: every resource's series, and the limits of its
/// threshold records.
fn timeline(ds: &Dataset) -> String {
    let series: Vec<crate::svg::Series> = ds
        .resources
        .iter()
        .map(|r| crate::svg::Series {
            resource: r.id.clone(),
            name: r.label().to_owned(),
            memory: r.column(MEMORY),
            cpu: r.column(CPU),
            procs: r.column(PROCS),
            io_read: rates(&r.column(IO_READ)),
            io_write: rates(&r.column(IO_WRITE)),
        })
        .collect();
    let limits: Vec<crate::svg::Limit> = ds
        .resources
        .iter()
        .flat_map(|r| {
            r.thresholds.iter().map(|c| crate::svg::Limit {
                resource: r.id.clone(),
                threshold: c.threshold,
                limit: c.limit,
            })
        })
        .collect();
    crate::svg::timeline(&series, &limits)
}

/// Writes `bytes` to `out` through a temporary file beside it renamed into
/// place: a failure leaves neither a half file nor the temporary one. Any
/// failure is 73, naming `out`.
fn write_atomic(out: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::cant_create(format!("cannot write {}: {e}", out.display()))
    };
    let Some(name) = out.file_name() else {
        return Err(fail(&"not a file name"));
    };
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        ptest_shared::record::random_hex(6)
    ));
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, out));
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(&e)
    })
}
