//! Snapshots of ptest venvs: restored in place (the directory path, once
//! the venv is known to be still registered there), or as a new venv
//! elsewhere, relocated by the one implementation ptest-venv uses
//! (`ptest_shared::venv`) and registered as ptest-venv's own.
//!
//! Only the registry decides what is snapshotted and where an in-place
//! restore writes: an id that is not a registered ptest-venv venv is
//! refused, and a snapshot whose venv is gone is restored only elsewhere,
//! as a new venv.

use crate::Mode;
use crate::create::{How, absolute};
use crate::manifest::Manifest;
use crate::store::Store;
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Lifetime, LifetimeArgs, OwnerSpec};
use ptest_shared::registry::Registry;
use ptest_shared::staging::{self, Staging};
use ptest_shared::venv::TOOL as VENV_TOOL;
use ptest_shared::{Error, Record, Result, hooks, interrupt};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The venv a snapshot was taken of, kept in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The venv's id (`venv-…`).
    pub id: String,
    /// Its directory as the registry holds it (the snapshot's `source` is
    /// the same directory, symlinks resolved).
    pub path: String,
    /// Its interpreter and version, for people (the venv's own notes,
    /// `ptest-venv.json`, travel in the tree).
    pub python: String,
    pub python_version: String,
}

impl Origin {
    /// An origin read from a manifest (perhaps an imported one) is trusted
    /// for nothing it does not pass here.
    fn check(&self) -> Result<()> {
        let bad = |what: String| {
            Err(Error::data(format!(
                "the snapshot's venv origin is damaged: {what}"
            )))
        };
        if !is_venv_id(&self.id) {
            return bad(format!("{:?} is not a venv id", self.id));
        }
        if !Path::new(&self.path).is_absolute() || self.path.contains('\0') {
            return bad(format!("{:?} is not an absolute path", self.path));
        }
        Ok(())
    }
}

fn is_venv_id(id: &str) -> bool {
    ptest_shared::kinds::id_kind(id) == Some("venv")
        && ptest_shared::registry::validate_id(id).is_ok()
}

/// The registry's record of venv `id`: 64 for what is not a venv id, 66
/// for one that is not a registered ptest-venv venv.
fn registered(reg: &Registry, id: &str) -> Result<Record> {
    if !is_venv_id(id) {
        return Err(Error::usage(format!(
            "--venv {id:?} is not a venv id (venv-k3x9m2qa)"
        )));
    }
    match reg.get(id)? {
        Some(r) if r.kind() == "venv" && r.tool() == Some(VENV_TOOL) => Ok(r),
        _ => Err(
            Error::no_input(format!("{id} is not a registered ptest venv"))
                .hint("`ptest venv ls` lists the venvs ptest made; snapshot a directory with `ptest snap create PATH`"),
        ),
    }
}

fn record_path(r: &Record) -> Result<PathBuf> {
    Ok(r.typed::<ptest_shared::kinds::Venv>()?.path.into_inner())
}

/// Whether `registered` (a path as the registry holds it) is the directory
/// `source` (canonical), directly or once its parent's symlinks resolve.
fn same_place(registered: &Path, source: &Path) -> bool {
    registered == source
        || match (registered.parent(), registered.file_name()) {
            (Some(p), Some(n)) => std::fs::canonicalize(p).is_ok_and(|p| p.join(n) == source),
            _ => false,
        }
}

pub fn snapshot(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    id: &str,
    how: &How,
    lifetime: &Lifetime,
) -> Result<Record> {
    let reg = Registry::open(&store.state)?;
    let rec = registered(&reg, id)?;
    let path = record_path(&rec)?;
    let dir = match std::fs::canonicalize(&path) {
        Ok(d) if d.join("pyvenv.cfg").is_file() => d,
        _ => {
            return Err(Error::no_input(format!(
                "venv {id}: {} is gone, or holds no pyvenv.cfg",
                path.display()
            ))
            .hint(format!("`ptest venv rm {id}` forgets it")));
        }
    };
    let Some(source) = dir.to_str().filter(|t| !t.contains('\n')) else {
        return Err(Error::usage(format!(
            "{}: ptest snapshots directories whose path is UTF-8 text",
            dir.display()
        )));
    };
    let text = |k: &str| {
        rec.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let origin = Origin {
        id: id.to_owned(),
        path: path.display().to_string(),
        python: text("python"),
        python_version: text("python_version"),
    };
    let how = How {
        name: how.name.clone().or_else(|| Some(text("name"))),
        exclude: how.exclude.clone(),
        overlay: how.overlay,
    };
    crate::create::snapshot_tree(
        common,
        config,
        store,
        Path::new(source),
        &how,
        lifetime,
        |m| m.venv = Some(origin),
    )
}

/// Before a venv snapshot is restored or reset in place: its venv must
/// still be registered at the snapshot's source. A venv removed since is
/// not brought back as a directory nobody owns: 66, with the way to a new
/// registered venv in the hint.
pub fn check_in_place(store: &Store, m: &Manifest) -> Result<()> {
    let Some(o) = &m.venv else {
        return Ok(());
    };
    o.check()?;
    let reg = Registry::open(&store.state)?;
    let here = reg
        .get(&o.id)?
        .filter(|r| r.kind() == "venv" && r.tool() == Some(VENV_TOOL))
        .and_then(|r| record_path(&r).ok())
        .is_some_and(|p| same_place(&p, Path::new(&m.source)));
    if here {
        return Ok(());
    }
    Err(Error::no_input(format!(
        "{}: venv {} is no longer registered at {}: not restoring a venv ptest would not know",
        m.id, o.id, m.source
    ))
    .hint(format!(
        "`ptest snap restore {} --to DIR` makes a new, registered venv of it",
        m.id
    )))
}

#[allow(clippy::too_many_arguments)]
pub fn restore_elsewhere(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    rec: &Record,
    m: &Manifest,
    to: Option<PathBuf>,
    mode: Mode,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    let (Some(origin), Some(to)) = (&m.venv, to) else {
        return Err(Error::internal("restore_elsewhere without a venv or --to"));
    };
    origin.check()?;
    if mode == Mode::Overlay {
        return Err(Error::usage(format!(
            "{}: a venv restored elsewhere is a new venv of its own files: --mode overlay is not for venvs",
            m.id
        ))
        .hint("leave out --mode (copy); reflinks make it cheap where the filesystem has them"));
    }
    let target = absolute(&to)?;
    if target.to_str().is_none_or(|t| t.contains('\n')) {
        return Err(Error::usage(format!(
            "{}: a venv's path must be UTF-8 text",
            target.display()
        )));
    }
    let lifetime = lifetime.resolve(OwnerSpec::None)?;
    // Anything at the target is refused before any work, and never touched.
    staging::check_target(&target)?;
    hooks::pre(config, "snapshot.restored", rec)?;
    interrupt::catch()?;
    let started = Instant::now();
    let id = ptest_shared::record::new_id("venv");
    // The tree is restored into a staging directory noted for `gc`, made a
    // venv of its own there, renamed into place and registered: a failure,
    // or a SIGKILL, leaves nothing at the target and nothing registered.
    let mut staged = Staging::beside(&store.state, &target, &id)?;
    let fail = |e: Error| Err(interrupt::requested().map_or(e, Error::interrupted));
    let lock = store.lock(false)?;
    let done = crate::restore::restore(store, m, staged.path(), crate::commands::parallel(common)?);
    drop(lock);
    let done = match done {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let from = [Path::new(&origin.path), Path::new(&m.source)];
    let relocated =
        match ptest_shared::venv::relocate(staged.path(), &from, &id, &id).and_then(|r| {
            interrupt::check()?;
            staged.rename_into_place()?;
            Ok(r)
        }) {
            Ok(r) => r,
            Err(e) => return fail(e),
        };
    let mut venv = ptest_shared::venv::record(&relocated.state, &target, None);
    lifetime.apply(&mut venv);
    venv.set("restored_from", m.id.as_str());
    let registered = hooks::pre(config, "venv.created", &venv)
        .and_then(|()| interrupt::check())
        .and_then(|()| Registry::open(&store.state)?.put(&venv));
    if let Err(e) = registered {
        return fail(e);
    }
    staged.finish();
    let mut ev = Record::new("event");
    ev.set("event", "snapshot.restored")
        .set("id", m.id.as_str())
        .set("path", target.display().to_string())
        .set("venv", id.as_str())
        .set("files", done.files)
        .set("bytes", done.bytes)
        .set("method", done.method.as_str())
        .set("replaced", false)
        .set("scripts_relocated", relocated.scripts)
        .set("seconds", started.elapsed().as_secs_f64());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&venv)?;
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "restored {} as venv {id} at {} ({} files, {}; {} console scripts relocated)",
            m.id,
            target.display(),
            done.files,
            done.method,
            relocated.scripts
        ))?;
    }
    hooks::post(config, "venv.created", &venv);
    hooks::post(config, "snapshot.restored", rec);
    Ok(0)
}
