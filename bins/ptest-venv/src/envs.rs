//! Environments as ptest keeps them: a `ptest-venv.json` inside each (what
//! made it, and the hash of the inputs it was last synced to), a `venv`
//! record in the registry, and removal through a trash directory.

use ptest_shared::error::IoContext;
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Record, Result};
use std::path::{Path, PathBuf};

pub use ptest_shared::venv::{EnvState, TOOL};

/// The mtime of a directory in nanoseconds (0 when missing).
pub fn stamp(dir: &Path) -> i128 {
    std::fs::metadata(dir)
        .map(|m| crate::python::mtime_ns(&m))
        .unwrap_or(0)
}

/// An environment named on the command line.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Its registry record, when ptest made it.
    pub record: Option<Record>,
}

pub fn is_venv(r: &Record) -> bool {
    r.kind() == "venv" && r.tool() == Some(TOOL)
}

/// Finds ENV: a registry id, a name given at creation, or a directory
/// holding a pyvenv.cfg.
pub fn find(reg: &Registry, arg: &str) -> Result<Found> {
    if arg.starts_with("venv-")
        && ptest_shared::registry::validate_id(arg).is_ok()
        && let Some(r) = reg.get(arg)?.filter(is_venv)
    {
        return Ok(Found {
            path: record_path(&r)?,
            record: Some(r),
        });
    }
    if !arg.contains('/') {
        let named: Vec<Record> = reg
            .list()?
            .into_iter()
            .filter(is_venv)
            .filter(|r| r.get("name").and_then(|n| n.as_str()) == Some(arg))
            .collect();
        if let Some(r) = named.into_iter().next_back() {
            return Ok(Found {
                path: record_path(&r)?,
                record: Some(r),
            });
        }
    }
    let p = PathBuf::from(arg);
    if p.join("pyvenv.cfg").is_file() {
        let path = std::fs::canonicalize(&p).unwrap_or(p);
        let record = reg
            .list()?
            .into_iter()
            .filter(is_venv)
            .find(|r| record_path(r).is_ok_and(|rp| rp == path));
        return Ok(Found { path, record });
    }
    Err(Error::no_input(format!(
        "no environment {arg:?}: not an id, a name, nor a directory with a pyvenv.cfg"
    ))
    .hint("`ptest venv ls` lists the environments ptest made"))
}

/// The directory of a `venv` record (absolute, validated by its type).
pub fn record_path(r: &Record) -> Result<PathBuf> {
    Ok(r.typed::<ptest_shared::kinds::Venv>()?.path.into_inner())
}

/// Moves `dir` out of the way at once (into the state directory's trash
/// when on the same filesystem, else beside itself), and returns where it
/// went, for deletion later.
pub fn to_trash(state: &StateDir, dir: &Path) -> Result<Option<PathBuf>> {
    if !dir.exists() {
        return Ok(None);
    }
    let trash = state.subdir("trash")?;
    let tag = ptest_shared::record::random_hex(6);
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "venv".into());
    let first = trash.join(format!("{name}-{tag}"));
    match std::fs::rename(dir, &first) {
        Ok(()) => return Ok(Some(first)),
        Err(e) if e.raw_os_error() != Some(nix::libc::EXDEV) => {
            return Err(Error::from_io(
                format!("cannot remove {}", dir.display()),
                &e,
            ));
        }
        Err(_) => {}
    }
    let beside = dir.with_file_name(format!(".{name}.ptest-trash-{tag}"));
    std::fs::rename(dir, &beside).io_context(|| format!("cannot remove {}", dir.display()))?;
    Ok(Some(beside))
}

/// Deletes `paths` in a detached background process (`ptest-venv
/// __purge`), so that the caller returns now.
pub fn purge_in_background(paths: &[PathBuf]) {
    if paths.is_empty() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        purge(paths);
        return;
    };
    use std::os::unix::process::CommandExt;
    let spawned = std::process::Command::new(exe)
        .arg("__purge")
        .args(paths)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    if spawned.is_err() {
        purge(paths);
    }
}

/// Deletes directory trees (read-only files included: their directories
/// are writable).
pub fn purge(paths: &[PathBuf]) {
    for p in paths {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// Trash left by purges that did not finish (killed, rebooted).
pub fn trash_leftovers(state: &StateDir) -> Result<Vec<PathBuf>> {
    let trash = state.subdir("trash")?;
    Ok(std::fs::read_dir(&trash)
        .io_context(|| format!("cannot list {}", trash.display()))?
        .flatten()
        .map(|e| e.path())
        .collect())
}
