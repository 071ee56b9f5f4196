//! Running tools and plugins: lookup, `exec`, `--list`, did-you-mean.

use ptest_shared::output::{RecordWriter, table};
use ptest_shared::tools::{self, BUILTIN};
use ptest_shared::{Error, Record, Result};
use std::ffi::OsString;
use std::os::unix::process::CommandExt;

/// Replaces this process with `ptest-<sub> ARGS`, exporting `PTEST`.
pub fn exec_tool(sub: &str, args: Vec<OsString>) -> Result<i32> {
    let binary = format!("ptest-{sub}");
    if !tools::valid_tool_name(&binary) {
        return Err(unknown(sub));
    }
    let Some(path) = tools::find(&binary) else {
        if BUILTIN.iter().any(|(n, _)| *n == sub) {
            let beside = tools::own_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default();
            return Err(Error::unavailable(format!(
                "`ptest {sub}` needs {binary}, which is not installed (looked in {beside} and on PATH)"
            ))
            .hint(format!("install {binary} beside ptest or on PATH")));
        }
        return Err(unknown(sub));
    };
    exec_path(&path, &binary, args)
}

/// Replaces this process with the tool at `path`; returns only on failure.
pub fn exec_path(path: &std::path::Path, binary: &str, args: Vec<OsString>) -> Result<i32> {
    let me = std::env::current_exe()
        .map_err(|e| Error::internal(format!("cannot find own executable: {e}")))?;
    let err = std::process::Command::new(path)
        .arg0(binary)
        .args(args)
        .env("PTEST", me)
        .exec();
    Err(Error::unavailable(format!(
        "cannot run {}: {err}",
        path.display()
    )))
}

/// "no such command", with the closest known name.
fn unknown(sub: &str) -> Error {
    let mut names: Vec<String> = crate::builtin_commands()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    names.extend(BUILTIN.iter().map(|(n, _)| n.to_string()));
    names.extend(tools::discover().into_iter().map(|(n, _)| n));
    let best = names
        .iter()
        .map(|n| (strsim::jaro_winkler(sub, n), n))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let e = Error::usage(format!(
        "no such command: `ptest {sub}` (no ptest-{sub} beside ptest or on PATH)"
    ));
    match best {
        Some((_, n)) => e.hint(format!(
            "did you mean `ptest {n}`? `ptest --list` shows every command"
        )),
        None => e.hint("`ptest --list` shows every command and plugin"),
    }
}

/// `ptest --list`: built-in commands, then tools and plugins found.
pub fn list(json: bool, verbose: bool) -> Result<i32> {
    let mut rows: Vec<(String, &str, String, String)> = crate::builtin_commands()
        .into_iter()
        .map(|(n, d)| (n, "command", d, String::new()))
        .collect();
    for (name, path) in tools::discover() {
        let (kind, desc) = match BUILTIN.iter().find(|(n, _)| *n == name) {
            Some((_, d)) => ("tool", d.to_string()),
            None => ("plugin", tools::describe(&path).unwrap_or_default()),
        };
        if rows.iter().any(|r| r.0 == name) {
            continue; // a built-in command shadows a plugin of the same name
        }
        rows.push((name, kind, desc, path.display().to_string()));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if json {
        let mut out = RecordWriter::stdout();
        for (name, kind, desc, path) in rows {
            let mut r = Record::new("command");
            r.set("name", name)
                .set("type", kind)
                .set("description", desc);
            if !path.is_empty() {
                r.set("path", path);
            }
            out.write(&r)?;
        }
        return Ok(0);
    }
    let header: &[&str] = if verbose {
        &["COMMAND", "TYPE", "DESCRIPTION", "PATH"]
    } else {
        &["COMMAND", "TYPE", "DESCRIPTION"]
    };
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(n, k, d, p)| {
            let mut row = vec![n, k.to_owned(), d];
            if verbose {
                row.push(p);
            }
            row
        })
        .collect();
    print!("{}", table(header, &rows));
    Ok(0)
}
