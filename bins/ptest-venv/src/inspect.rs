//! The commands that look and change nothing: `check` (conflicts among
//! requirement lines, or among what is installed), `freeze`, `info` and
//! `ls`.

use crate::commands::{Ctx, open_env, packages, venv_record};
use crate::envs::{self, is_venv};
use crate::{installed, reqs};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::judge;
use ptest_shared::record::Timestamp;
use ptest_shared::{Error, Record, Result};
use std::path::PathBuf;

pub fn check(
    common: &CommonArgs,
    env: Option<&str>,
    files: &[PathBuf],
    constraints: &[PathBuf],
    python: Option<String>,
) -> Result<i32> {
    if env.is_none() && files.is_empty() && constraints.is_empty() {
        return Err(Error::usage("check needs an environment or -r FILE"));
    }
    let ctx = Ctx::open(common)?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    if !files.is_empty() || !constraints.is_empty() {
        let interp = match env {
            Some(e) if python.is_none() => open_env(&ctx, e)?.1.interpreter,
            _ => ctx.python(python.as_deref()).1?,
        };
        let cwd = std::env::current_dir()
            .map_err(|e| Error::from_io("cannot read the working directory", &e))?;
        let req = reqs::read_inputs(files, constraints, &[], &cwd)?;
        let menv = installed::marker_env(&interp.markers)?;
        for c in reqs::conflicts(&req, Some(&menv)) {
            lines.push(c.reason.clone());
            records.push(c.to_record());
        }
    }
    if let Some(e) = env {
        let (found, st) = open_env(&ctx, e)?;
        let menv = installed::marker_env(&st.interpreter.markers)?;
        let dists = installed::scan(&found.path.join(&st.interpreter.purelib))?;
        for p in installed::check(&dists, &menv) {
            lines.push(p.message());
            records.push(p.to_record());
        }
    }
    let mut out = RecordWriter::stdout();
    if ctx.json {
        for r in &records {
            out.write_line(&r.to_string())?;
        }
    } else if lines.is_empty() {
        out.write_line("no conflicts")?;
    } else {
        for l in &lines {
            out.write_line(l)?;
        }
        out.write_line(&format!(
            "{} conflict{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        ))?;
    }
    if records.is_empty() {
        return Ok(0);
    }
    Err(Error::exit_code(
        1,
        format!(
            "{} conflict{} found",
            records.len(),
            if records.len() == 1 { "" } else { "s" }
        ),
    ))
}

/// `freeze`: requirement lines (`name==version`), what freezing is for,
/// wherever stdout goes (`> requirements.txt`); `package` records only
/// with `--json`.
pub fn freeze(common: &CommonArgs, arg: &str) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let (found, st) = open_env(&ctx, arg)?;
    let dists = installed::scan(&found.path.join(&st.interpreter.purelib))?;
    let mut out = RecordWriter::stdout();
    let records = common.output.json || common.output.format == ptest_shared::output::Format::Json;
    for d in &dists {
        if records {
            let mut r = Record::new("package");
            r.set("name", d.name.clone())
                .set("version", d.version.to_string())
                .set("requested", d.requested)
                .set(
                    "installer",
                    d.installer
                        .clone()
                        .map_or(serde_json::Value::Null, Into::into),
                );
            out.write(&r)?;
        } else {
            out.write_line(&format!("{}=={}", d.name, d.version))?;
        }
    }
    Ok(0)
}

pub fn info(common: &CommonArgs, arg: &str) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let (found, st) = open_env(&ctx, arg)?;
    let mut rec = match &found.record {
        Some(r) => r.clone(),
        None => venv_record(&st, &found.path, None),
    };
    let pk = packages(&found.path.join(&st.interpreter.purelib));
    rec.set("packages", pk.clone())
        .set("interpreter_current", st.interpreter.is_current())
        .set(
            "synced_inputs",
            st.inputs
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
    let mut out = RecordWriter::stdout();
    if ctx.json {
        out.write(&rec)?;
        return Ok(0);
    }
    let s = |k: &str| {
        rec.get(k)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default()
    };
    for k in [
        "id",
        "name",
        "path",
        "python",
        "python_version",
        "backend",
        "template",
        "link_mode",
        "created_at",
    ] {
        let v = s(k);
        if !v.is_empty() && v != "null" {
            out.write_line(&format!("{k:15} {v}"))?;
        }
    }
    if !st.interpreter.is_current() {
        out.write_line("interpreter     CHANGED since creation: `ptest venv sync` rebuilds")?;
    }
    out.write_line(&format!("{:15} {}", "packages", pk.len()))?;
    for p in pk {
        out.write_line(&format!("  {p}"))?;
    }
    Ok(0)
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let now = Timestamp::now();
    // Whether each environment is still on disk, for both views.
    let list: Vec<Record> = ctx
        .registry
        .list()?
        .into_iter()
        .filter(is_venv)
        .map(|mut r| {
            let exists = envs::record_path(&r).is_ok_and(|p| p.join("pyvenv.cfg").is_file());
            r.set("exists", exists);
            r
        })
        .collect();
    listing(
        ctx.json,
        &list,
        "no environments",
        &["ID", "NAME", "PYTHON", "PACKAGES", "STATE", "PATH"],
        |r| {
            let packages = r
                .get("packages")
                .and_then(|p| p.as_array())
                .map_or(0, Vec::len);
            let state = if r.get("exists") != Some(&serde_json::Value::Bool(true)) {
                "missing".to_owned()
            } else {
                judge(r, now)?.as_str().to_owned()
            };
            Ok(vec![
                cell(r, "id"),
                cell(r, "name"),
                cell(r, "python_version"),
                packages.to_string(),
                state,
                cell(r, "path"),
            ])
        },
    )
}
