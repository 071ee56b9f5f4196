//! `--mode overlay`: an overlay mount whose lower layer is the snapshot's
//! read-only tree, kept with it, and whose upper layer is fresh.
//!
//! ```text
//! snap/lower/<snapshot-id>/              the snapshot's tree, written once from the store
//! snap/lower/.<snapshot-id>.building-…   a lower layer being written (gc removes it after a crash)
//! snap/overlays/<overlay-id>/upper       what the mount's users wrote
//! snap/overlays/<overlay-id>/work        overlayfs's own scratch directory
//! locks/snap-lower-<snapshot-id>.lock    held while a lower is built, checked or removed
//! locks/snap-<overlay-id>.lock           held while a mount is made or remade
//! ```
//!
//! A mount is an `overlay` record in the registry, registered *before* the
//! mount is made and forgotten only *after* it is unmounted, so every
//! mount ptest made has a record, whenever ptest was killed. `rm` (and so
//! `ptest down`) unmounts what the registry's record names, and only when
//! the mount at that path is ours (its upper layer is this record's
//! directory); `gc` does the same for dead owners, expired ttls and records
//! whose mount is gone, then removes directories no record owns and lower
//! layers no snapshot or mount uses.
//!
//! Nothing in the restore path walks or copies the tree once the lower
//! layer exists: a mount costs the same for any size.

use crate::commands;
use crate::create::Snap;
use crate::create::TOOL;
use crate::manifest::Manifest;
use crate::store::Store;
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::error::IoContext;
use ptest_shared::output::{RecordWriter, cell};
use ptest_shared::owner::{LifetimeArgs, Liveness, OwnerSpec, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::state::Lock;
use ptest_shared::{Error, Record, Result, hooks};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod kernel;
mod lower;

pub(crate) use kernel::*;
pub(crate) use lower::*;

/// The record kind of an overlay mount.
pub const KIND: &str = "overlay";

/// How long a user of a lower layer waits for another to finish building it.
const LOWER_WAIT: Duration = Duration::from_secs(600);

/// True for the registry's `overlay` records of this tool.
pub fn is_overlay(r: &Record) -> bool {
    r.kind() == KIND && r.tool() == Some(TOOL)
}

fn overlays_base(store: &Store) -> Result<PathBuf> {
    store.state.subdir("snap/overlays")
}

/// The registry's overlay records.
pub fn overlays(store: &Store) -> Result<Vec<Record>> {
    Ok(Registry::open(&store.state)?
        .list()?
        .into_iter()
        .filter(is_overlay)
        .collect())
}

// ---- mounts as the kernel lists them ----------------------------------

/// The overlay id whose upper layer `mnt` has, when it is one of ours.
fn ours(store: &Store, mnt: &Mount) -> Result<Option<String>> {
    if mnt.fstype != "overlay" {
        return Ok(None);
    }
    let Some(upper) = mnt.option("upperdir") else {
        return Ok(None);
    };
    let upper = PathBuf::from(unescape_opt(upper));
    let base = overlays_base(store)?;
    let base = fs::canonicalize(&base).unwrap_or(base);
    if upper.file_name().is_some_and(|n| n == "upper")
        && let Some(dir) = upper.parent()
        && dir.parent() == Some(base.as_path())
        && let Some(id) = dir.file_name().and_then(|n| n.to_str())
        && ptest_shared::kinds::id_kind(id) == Some(KIND)
    {
        return Ok(Some(id.to_owned()));
    }
    Ok(None)
}

/// [`probe`] in a fresh directory of the store's `tmp/`.
fn available(store: &Store) -> std::result::Result<(), Unavailable> {
    let dir = store.tmp_dir().join(format!(
        "overlay-probe-{}",
        ptest_shared::record::random_hex(6)
    ));
    fs::create_dir(&dir)
        .map_err(|e| Unavailable(format!("cannot create {}: {e}", dir.display())))?;
    let r = probe(&dir);
    let _ = fs::remove_dir_all(&dir);
    r.map(drop).map_err(Unavailable)
}

/// What a mount in the making has made, undone on drop unless finished:
/// the mount, the registry entry, the layers' directory, the mount point.
struct Made<'a> {
    reg: &'a Registry,
    id: String,
    dir: PathBuf,
    registered: bool,
    mounted: Option<PathBuf>,
    made_target: Option<PathBuf>,
    lock: Option<Lock>,
}

impl Made<'_> {
    fn finish(mut self) {
        self.registered = false;
        self.mounted = None;
        self.made_target = None;
        self.dir = PathBuf::new();
        if let Some(l) = self.lock.take() {
            let _ = fs::remove_file(l.path());
        }
    }
}

impl Drop for Made<'_> {
    fn drop(&mut self) {
        if let Some(p) = self.mounted.take() {
            let _ = nix::mount::umount2(
                &p,
                nix::mount::MntFlags::MNT_DETACH | nix::mount::MntFlags::UMOUNT_NOFOLLOW,
            );
        }
        if self.registered {
            let _ = self.reg.remove(&self.id);
        }
        if !self.dir.as_os_str().is_empty() {
            let _ = crate::restore::remove_tree(&self.dir);
        }
        if let Some(t) = self.made_target.take() {
            let _ = fs::remove_dir(t);
        }
        if let Some(l) = self.lock.take() {
            let _ = fs::remove_file(l.path());
        }
    }
}

/// Fresh, empty `upper` and `work` in `dir`; the upper's root takes the
/// snapshot root's mode, mtime and xattrs (the mount's root is the upper's).
/// Fresh upper and work directories in `dir`; the upper's root takes the
/// lower's (the snapshot root's owner, mode, mtime and xattrs, which the
/// mount shows at its root).
fn fresh_layers(dir: &Path, lower: &Path) -> Result<(PathBuf, PathBuf)> {
    use std::os::unix::fs::MetadataExt;
    let (upper, work) = (dir.join("upper"), dir.join("work"));
    for d in [&upper, &work] {
        fs::create_dir(d).io_context(|| format!("cannot create {}", d.display()))?;
    }
    let root =
        fs::symlink_metadata(lower).io_context(|| format!("cannot read {}", lower.display()))?;
    if nix::unistd::geteuid().is_root() {
        std::os::unix::fs::lchown(&upper, Some(root.uid()), Some(root.gid()))
            .io_context(|| format!("cannot chown {}", upper.display()))?;
    }
    let xattrs = crate::files::read_xattrs(lower)?;
    crate::restore::finish_dir(
        &upper,
        root.mode() & 0o7777,
        crate::files::mtime_ns(&root),
        &xattrs,
    )?;
    Ok((upper, work))
}

/// What [`mount_new`] made.
struct Mounted {
    record: Record,
    path: PathBuf,
}

/// Builds (or finds) the lower layer, registers an overlay record and
/// mounts it at `target` (absolute; absent, or a directory).
fn mount_new(
    store: &Store,
    snap: &Snap,
    target: &Path,
    lifetime: &ptest_shared::owner::Lifetime,
) -> Result<Mounted> {
    let reg = Registry::open(&store.state)?;
    let id = ptest_shared::record::new_id(KIND);
    let (lower, _lower_lock) = ensure_lower(store, &snap.id, || snap.manifest())?;
    let build = store.state.lock(&format!("snap-{id}"), Duration::ZERO)?;
    let dir = overlays_base(store)?.join(&id);
    fs::create_dir(&dir).io_context(|| format!("cannot create {}", dir.display()))?;
    let mut made = Made {
        reg: &reg,
        id: id.clone(),
        dir: dir.clone(),
        registered: false,
        mounted: None,
        made_target: None,
        lock: Some(build),
    };
    let (upper, work) = fresh_layers(&dir, &lower)?;
    if !crate::restore::target_state(target)? {
        fs::create_dir(target).io_context(|| format!("cannot create {}", target.display()))?;
        made.made_target = Some(target.to_owned());
    }
    // The kernel lists mounts by their real path.
    let path =
        fs::canonicalize(target).io_context(|| format!("cannot read {}", target.display()))?;
    let opts =
        options(&lower, &upper, &work).map_err(|Unavailable(why)| Error::cant_create(why))?;
    let mut rec = Record::resource_with_id(KIND, TOOL, &id);
    lifetime.apply(&mut rec);
    rec.set("snapshot", snap.id.as_str())
        .set("path", path.to_string_lossy().as_ref())
        .set("lower", lower.to_string_lossy().as_ref())
        .set("upper", upper.to_string_lossy().as_ref())
        .set("work", work.to_string_lossy().as_ref())
        .set("made_dir", made.made_target.is_some());
    if let Some(ns) = mnt_ns() {
        rec.set("mnt_ns", ns);
    }
    // Registered before it is mounted: a SIGKILL from here on leaves a
    // record gc finds, never a mount nobody knows of.
    reg.put(&rec)?;
    made.registered = true;
    ptest_shared::interrupt::check()?;
    mount(&path, &opts).map_err(|e| {
        Error::cant_create(format!(
            "cannot mount an overlay at {}: {}",
            path.display(),
            why(e, &dir)
        ))
    })?;
    made.mounted = Some(path.clone());
    made.finish();
    Ok(Mounted { record: rec, path })
}

/// The registered overlay of ours mounted on top at `path`, if any.
fn overlay_at(store: &Store, path: &Path) -> Result<Option<(String, Option<Record>)>> {
    let Some(mnt) = top_mount_at(path)? else {
        return Ok(None);
    };
    let Some(id) = ours(store, &mnt)? else {
        return Ok(None);
    };
    let rec = Registry::open(&store.state)?.get(&id)?.filter(is_overlay);
    Ok(Some((id, rec)))
}

fn say_fallback(mode: &str, why: &str) {
    eprintln!(
        "ptest-snap: note: --mode overlay is not available here: {why}; {mode} by copying instead"
    );
}

pub fn restore(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    snap: &Snap,
    to: Option<PathBuf>,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    let rec = &snap.rec;
    let life = lifetime.resolve(OwnerSpec::Session)?;
    let target = match &to {
        Some(t) => crate::create::absolute(t)?,
        None => PathBuf::from(snap.source()?),
    };
    if to.is_some() {
        crate::create::outside_state(&target)?;
    }
    let exists = crate::restore::target_state(&target)?;
    if exists {
        let real = fs::canonicalize(&target).unwrap_or_else(|_| target.clone());
        if let Some((oid, _)) = overlay_at(store, &real)? {
            return Err(Error::cant_create(format!(
                "{} is already a ptest overlay ({oid}): nothing was mounted",
                target.display()
            ))
            .hint(format!(
                "`ptest snap reset --mode overlay {}` gives it a fresh upper layer; `ptest snap rm {oid}` unmounts it",
                snap.id
            )));
        }
    }
    if to.is_some() && exists && fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some()) {
        return Err(Error::cant_create(format!(
            "{} exists and is not empty: an overlay would hide what it holds; nothing was mounted",
            target.display()
        ))
        .hint("choose an empty or absent directory for --to"));
    }
    if let Err(Unavailable(why)) = available(store) {
        say_fallback("restoring", &why);
        return commands::restore(common, &snap.id, to, crate::Mode::Copy, lifetime);
    }
    hooks::pre(config, "snapshot.restored", rec)?;
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let made = mount_new(store, snap, &target, &life)?;
    let mut ev = Record::new("event");
    ev.set("event", "snapshot.restored")
        .set("id", snap.id.as_str())
        .set("path", made.path.to_string_lossy().as_ref())
        .set("files", snap.count("files"))
        .set("bytes", snap.count("bytes"))
        .set("method", "overlay")
        .set("overlay", made.record.id().unwrap_or_default())
        .set("replaced", false)
        .set("hidden", to.is_none() && exists)
        .set("seconds", started.elapsed().as_secs_f64());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&made.record)?;
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "mounted {} at {} ({} over snapshot {}; `ptest snap rm {}` unmounts it)",
            made.record.id().unwrap_or_default(),
            made.path.display(),
            "overlay",
            snap.id,
            made.record.id().unwrap_or_default(),
        ))?;
    }
    hooks::post(config, "snapshot.restored", rec);
    Ok(0)
}

pub fn reset(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    snap: &Snap,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    let rec = &snap.rec;
    let source = PathBuf::from(snap.source()?);
    let real = fs::canonicalize(&source).unwrap_or_else(|_| source.clone());
    let found = overlay_at(store, &real)?;
    match &found {
        Some((oid, Some(o)))
            if o.get("snapshot").and_then(|v| v.as_str()) == Some(snap.id.as_str()) =>
        {
            let o = o.clone();
            let oid = oid.clone();
            hooks::pre(config, "snapshot.reset", rec)?;
            ptest_shared::interrupt::catch()?;
            let started = Instant::now();
            remount(store, snap, &o, &real)?;
            let mut ev = Record::new("event");
            ev.set("event", "snapshot.reset")
                .set("id", snap.id.as_str())
                .set("path", real.to_string_lossy().as_ref())
                .set("method", "overlay")
                .set("overlay", oid.as_str())
                .set("remounted", true)
                .set("seconds", started.elapsed().as_secs_f64());
            let mut out = RecordWriter::stdout();
            if common.json() {
                out.write(&ev)?;
            } else {
                out.write_line(&format!(
                    "reset {} to {}: {oid} remounted with a fresh upper layer",
                    real.display(),
                    snap.id
                ))?;
            }
            hooks::post(config, "snapshot.reset", rec);
            return Ok(0);
        }
        Some((oid, _)) => {
            return Err(Error::cant_create(format!(
                "{} is a ptest overlay ({oid}) of another snapshot, or one nobody registered: nothing was changed",
                source.display()
            ))
            .hint(format!("`ptest snap rm {oid}` (or `ptest snap gc`) unmounts it")));
        }
        None => {}
    }
    // Not mounted: what `restore --mode overlay` does at the source.
    if let Err(Unavailable(why)) = available(store) {
        say_fallback("resetting", &why);
        return commands::reset(common, &snap.id, crate::Mode::Copy, lifetime);
    }
    let exists = crate::restore::target_state(&source)?;
    hooks::pre(config, "snapshot.reset", rec)?;
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let life = lifetime.resolve(OwnerSpec::Session)?;
    let made = mount_new(store, snap, &source, &life)?;
    let mut ev = Record::new("event");
    ev.set("event", "snapshot.reset")
        .set("id", snap.id.as_str())
        .set("path", made.path.to_string_lossy().as_ref())
        .set("method", "overlay")
        .set("overlay", made.record.id().unwrap_or_default())
        .set("remounted", false)
        .set("hidden", exists)
        .set("seconds", started.elapsed().as_secs_f64());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&made.record)?;
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "reset {} to {}: mounted {} over it",
            made.path.display(),
            snap.id,
            made.record.id().unwrap_or_default()
        ))?;
    }
    hooks::post(config, "snapshot.reset", rec);
    Ok(0)
}

/// Unmounts overlay `o` at `path`, gives it fresh upper and work
/// directories and mounts it again: the old ones are renamed aside first
/// and removed after, so the tree is away only for the two system calls.
fn remount(store: &Store, snap: &Snap, o: &Record, path: &Path) -> Result<()> {
    let id = o.id().unwrap_or_default().to_owned();
    let build = store.state.lock(&format!("snap-{id}"), Duration::ZERO)?;
    let _unlink = RemoveLockFile(Some(build));
    let (lower, _lower_lock) = ensure_lower(store, &snap.id, || snap.manifest())?;
    let dir = overlays_base(store)?.join(&id);
    unmount(path)?;
    let old = dir.join(format!("old-{}", ptest_shared::record::random_hex(4)));
    let fresh = (|| {
        fs::create_dir(&old).io_context(|| format!("cannot create {}", old.display()))?;
        for d in ["upper", "work"] {
            let p = dir.join(d);
            if fs::symlink_metadata(&p).is_ok() {
                fs::rename(&p, old.join(d))
                    .io_context(|| format!("cannot move {}", p.display()))?;
            }
        }
        let (upper, work) = fresh_layers(&dir, &lower)?;
        let opts =
            options(&lower, &upper, &work).map_err(|Unavailable(why)| Error::cant_create(why))?;
        mount(path, &opts).map_err(|e| {
            Error::cant_create(format!(
                "cannot mount the overlay at {} again: {}",
                path.display(),
                why(e, &dir)
            ))
        })
    })();
    if let Err(e) = fresh {
        // Unmounted and not mounted again: the overlay is gone.
        let reg = Registry::open(&store.state)?;
        let _ = crate::restore::remove_tree(&dir);
        if o.get("made_dir").and_then(|v| v.as_bool()) == Some(true) {
            let _ = fs::remove_dir(path);
        }
        let _ = reg.remove(&id);
        return Err(Error::new(
            e.exit,
            format!("{} ({id} is unmounted and forgotten)", e.message),
        )
        .hint(format!(
            "`ptest snap restore --mode overlay {}` mounts it anew",
            snap.id
        )));
    }
    if let Err(e) = crate::restore::remove_tree(&old) {
        eprintln!(
            "ptest-snap: warning: {} (gc removes it with the overlay)",
            e.message
        );
    }
    Ok(())
}

/// The registry's record of overlay `id`: 64 for what is not an overlay
/// id, 66 for one that is not registered.
pub fn registered(store: &Store, id: &str) -> Result<Record> {
    if ptest_shared::kinds::id_kind(id) != Some(KIND)
        || ptest_shared::registry::validate_id(id).is_err()
    {
        return Err(Error::usage(format!(
            "{id:?} is not an overlay id (overlay-k3x9m2qa)"
        )));
    }
    match Registry::open(&store.state)?.get(id)? {
        Some(r) if is_overlay(&r) => Ok(r),
        _ => Err(Error::no_input(format!("no overlay {id}"))
            .hint("`ptest snap ls` lists the overlay mounts")),
    }
}

/// Whether the record's mount is there: `Some(true)` mounted (ours, on top
/// at its path), `Some(false)` gone, `None` when it lives in another mount
/// namespace this process cannot see into.
fn mounted(store: &Store, o: &Record) -> Result<Option<bool>> {
    let id = o.id().unwrap_or_default();
    let here = mnt_ns();
    if let Some(ns) = o.get("mnt_ns").and_then(|v| v.as_u64())
        && here.is_some_and(|h| h != ns)
    {
        return Ok(if ns_alive(ns) { None } else { Some(false) });
    }
    let path = PathBuf::from(o.get("path").and_then(|v| v.as_str()).unwrap_or("/"));
    Ok(Some(mounts()?.iter().rev().any(|m| {
        m.point == path && ours(store, m).ok().flatten().as_deref() == Some(id)
    })))
}

/// Unmounts overlay `o` (as the registry holds it) and removes its layers,
/// the mount point it made, and its registry entry.
pub fn remove(store: &Store, reg: &Registry, o: &Record) -> Result<()> {
    let id = o.id().unwrap_or_default();
    let typed: ptest_shared::kinds::Overlay = o.typed()?;
    let path = typed.path.get().clone();
    match mounted(store, o)? {
        None => {
            return Err(Error::failed(format!(
                "{id} is mounted in another mount namespace ({}), which this process cannot reach",
                o.get("mnt_ns").map(|v| v.to_string()).unwrap_or_default()
            ))
            .hint("run `ptest snap rm` from inside that namespace"));
        }
        Some(true) => {
            // Ours on top at its path: whatever covers it would go first.
            let top = top_mount_at(&path)?;
            if top
                .as_ref()
                .and_then(|t| ours(store, t).ok().flatten())
                .as_deref()
                != Some(id)
            {
                return Err(Error::failed(format!(
                    "{id} at {} is covered by another mount: not unmounting that",
                    path.display()
                )));
            }
            unmount(&path)?;
        }
        Some(false) => {}
    }
    // The directory comes from the id, never from the record's fields.
    let dir = overlays_base(store)?.join(id);
    crate::restore::remove_tree(&dir)?;
    if typed.made_dir == Some(true) {
        let _ = fs::remove_dir(&path);
    }
    reg.remove(id)?;
    Ok(())
}

/// Removes the overlay records among `recs` (the registry's copies),
/// writing an `overlay.removed` event for each; the first failure is
/// returned after trying every one.
pub fn rm_records(
    common: &CommonArgs,
    store: &Store,
    recs: &[Record],
    out: &mut RecordWriter,
    reason: Option<&str>,
) -> Result<()> {
    let reg = Registry::open(&store.state)?;
    let mut first = None;
    for o in recs {
        let id = o.id().unwrap_or_default();
        match remove(store, &reg, o) {
            Ok(()) => {
                if common.json() {
                    let mut ev = Record::new("event");
                    ev.set("event", "overlay.removed").set("id", id);
                    if let Some(r) = reason {
                        ev.set("reason", r);
                    }
                    out.write(&ev)?;
                } else {
                    out.write_line(&format!(
                        "removed {id} (unmounted){}",
                        reason.map(|r| format!(": {r}")).unwrap_or_default()
                    ))?;
                }
            }
            Err(e) => {
                eprintln!("ptest-snap: could not remove {id}: {}", e.message);
                first.get_or_insert(e);
            }
        }
    }
    first.map_or(Ok(()), Err)
}

// ---- gc -----------------------------------------------------------------------

/// Removes overlays whose owner died, whose ttl passed, or whose mount is
/// gone (unmounted by hand, or a restore killed before it mounted), then
/// the directories of overlays nobody registered (a restore killed before
/// it registered). Returns how many such directories went.
pub fn gc_mounts(common: &CommonArgs, store: &Store, out: &mut RecordWriter) -> Result<usize> {
    let now = Timestamp::now();
    let mut first = None;
    for o in overlays(store)? {
        let id = o.id().unwrap_or_default().to_owned();
        let reason = match judge(&o, now)? {
            Liveness::Live => {
                // A restore or reset at work on it holds its lock.
                let Ok(_busy) = store.state.lock(&format!("snap-{id}"), Duration::ZERO) else {
                    continue;
                };
                if mounted(store, &o)? != Some(false) {
                    continue;
                }
                "not-mounted"
            }
            l => l.as_str(),
        };
        if let Err(e) = rm_records(common, store, std::slice::from_ref(&o), out, Some(reason)) {
            first.get_or_insert(e);
        }
    }
    let reg = Registry::open(&store.state)?;
    let base = overlays_base(store)?;
    let mut cleaned = 0;
    for e in fs::read_dir(&base).io_context(|| format!("cannot list {}", base.display()))? {
        let Ok(e) = e else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        if ptest_shared::kinds::id_kind(&name) != Some(KIND)
            || ptest_shared::registry::validate_id(&name).is_err()
            || reg.get(&name)?.is_some()
        {
            continue;
        }
        let Ok(lock) = store.state.lock(&format!("snap-{name}"), Duration::ZERO) else {
            continue; // being made
        };
        // Mounted and never registered cannot happen by ptest's order;
        // unmount whatever uses this upper layer anyway, it is ours.
        for mnt in mounts()?.iter().rev() {
            if ours(store, mnt)?.as_deref() == Some(name.as_str()) {
                let _ = nix::mount::umount2(
                    &mnt.point,
                    nix::mount::MntFlags::MNT_DETACH | nix::mount::MntFlags::UMOUNT_NOFOLLOW,
                );
            }
        }
        crate::restore::remove_tree(&e.path())?;
        let _ = fs::remove_file(lock.path());
        cleaned += 1;
    }
    first.map_or(Ok(cleaned), Err)
}

/// `ls`'s second table: the overlay mounts, with their state.
pub fn ls(store: &Store, json: bool) -> Result<()> {
    let list = overlays(store)?;
    if list.is_empty() {
        return Ok(());
    }
    let mut out = RecordWriter::stdout();
    if json {
        for r in &list {
            out.write(r)?;
        }
        return Ok(());
    }
    let now = Timestamp::now();
    let mut rows = Vec::new();
    for r in &list {
        let state = match judge(r, now)? {
            Liveness::Live => match mounted(store, r)? {
                Some(true) => "mounted",
                Some(false) => "not-mounted",
                None => "other-namespace",
            },
            l => l.as_str(),
        };
        rows.push(vec![
            cell(r, "id"),
            cell(r, "snapshot"),
            cell(r, "path"),
            state.to_owned(),
            cell(r, "created_at"),
        ]);
    }
    out.write_line("")?;
    out.write_line(
        ptest_shared::output::table(&["OVERLAY", "SNAPSHOT", "PATH", "STATE", "CREATED"], &rows)
            .trim_end(),
    )
}

/// `doctor`'s `snap.overlay`: an overlay of empty directories mounted and
/// unmounted in `dir`, a directory of doctor's own.
pub fn check(dir: &Path) -> ptest_shared::checks::Check {
    let probe_dir = dir.join("overlay");
    let r = fs::create_dir(&probe_dir)
        .map_err(|e| format!("cannot create {}: {e}", probe_dir.display()))
        .and_then(|()| probe(&probe_dir));
    commands::check(
        "snap.overlay",
        r,
        "restore and reset --mode overlay fall back to copying: run as root, or inside a user and mount namespace of your own (unshare -Urm, Linux 5.11+), with the state directory on a filesystem an upper layer can use",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_and_their_escapes_are_read() {
        let line = r"99 28 0:52 / /tmp/with\040space rw,relatime shared:1 - overlay ptest-snap rw,lowerdir=/s/snap/lower/snapshot-a1,upperdir=/s/snap/overlays/overlay-b2/upper,workdir=/s/snap/overlays/overlay-b2/work";
        let m = parse_mountinfo(line).unwrap();
        assert_eq!(m.point, Path::new("/tmp/with space"));
        assert_eq!(m.fstype, "overlay");
        assert_eq!(
            m.option("upperdir"),
            Some("/s/snap/overlays/overlay-b2/upper")
        );
        assert_eq!(m.option("lowerdir"), Some("/s/snap/lower/snapshot-a1"));
        assert_eq!(m.option("upper"), None);
        assert_eq!(unescape(r"a\134b\011c\"), "a\\b\tc\\");
        assert_eq!(unescape_opt(r"a\:b\\c"), "a:b\\c");
        assert!(parse_mountinfo("garbage").is_none());
    }

    #[test]
    fn options_refuse_what_the_syntax_cannot_carry() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            options(&p("/l"), &p("/u"), &p("/w")).ok().unwrap(),
            "lowerdir=/l,upperdir=/u,workdir=/w"
        );
        for bad in ["/a,b", "/a:b", "/a\\b"] {
            assert!(options(&p(bad), &p("/u"), &p("/w")).is_err(), "{bad}");
        }
    }
}
