//! `ptest venv cache ls` and `ptest venv cache prune`: the template cache
//! ([`crate::template`]) listed, and pruned of templates not used lately.

use crate::commands::Ctx;
use crate::template;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, table as render_table};
use ptest_shared::{Record, Result};

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let cache = template::Cache::open(&ctx.state)?;
    let list = cache.list()?;
    let mut out = RecordWriter::stdout();
    if ctx.json {
        for e in &list {
            out.write_line(&e.to_record().to_string())?;
        }
        return Ok(0);
    }
    if list.is_empty() {
        out.write_line("no templates")?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            let rec = e.to_record();
            vec![
                e.meta.key.clone(),
                e.meta.python_version.clone(),
                e.meta.backend.clone(),
                e.meta.packages.len().to_string(),
                format!("{:.1} MB", e.size as f64 / 1e6),
                rec["last_used"].as_str().unwrap_or("").to_owned(),
                e.meta.requirements.join(" "),
            ]
        })
        .collect();
    out.write_line(
        render_table(
            &[
                "KEY",
                "PYTHON",
                "BACKEND",
                "PACKAGES",
                "SIZE",
                "LAST USED",
                "REQUIREMENTS",
            ],
            &rows,
        )
        .trim_end(),
    )?;
    Ok(0)
}

pub fn prune(common: &CommonArgs, older_than: std::time::Duration, all: bool) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let cache = template::Cache::open(&ctx.state)?;
    let now = std::time::SystemTime::now();
    let mut out = RecordWriter::stdout();
    let (mut n, mut bytes) = (0, 0u64);
    for e in cache.list()? {
        let age = now.duration_since(e.last_used).unwrap_or_default();
        if !all && age < older_than {
            continue;
        }
        if !cache.remove(&e.meta.key)? {
            eprintln!("ptest-venv: note: template {} is in use; kept", e.meta.key);
            continue;
        }
        n += 1;
        bytes += e.size;
        let mut ev = Record::new("event");
        ev.set("event", "venv-template.removed")
            .set("key", e.meta.key.clone())
            .set("size_bytes", e.size);
        if ctx.json {
            out.write(&ev)?;
        }
    }
    if !ctx.json {
        out.write_line(&format!(
            "removed {n} template{} ({:.1} MB)",
            if n == 1 { "" } else { "s" },
            bytes as f64 / 1e6
        ))?;
    }
    Ok(0)
}
