//! The commands over existing snapshots: restore, reset, diff, ls, rm,
//! inspect, verify, gc, doctor.

use crate::Mode;
use crate::compare::Change;
use crate::create::{Snap, absolute, find, is_snapshot, registered};
use crate::manifest::{Entry, Manifest};
use crate::store::{Cache, Store};
use ptest_shared::checks::Check;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::owner::{LifetimeArgs, Liveness, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::{Error, Record, Result, hooks, stream};
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

fn event(name: &str, id: &str) -> Record {
    let mut ev = Record::new("event");
    ev.set("event", name).set("id", id);
    ev
}

/// Threads for copying and hashing: `snap.parallel`, else one per CPU.
pub fn parallel(common: &CommonArgs) -> Result<usize> {
    let n = common.load_config()?.integer("snap.parallel");
    Ok(if n > 0 {
        n as usize
    } else {
        std::thread::available_parallelism().map_or(4, |n| n.get())
    })
}

pub fn restore(
    common: &CommonArgs,
    id: &str,
    to: Option<PathBuf>,
    mode: Mode,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    let config = common.load_config()?;
    let store = Store::open()?;
    // Routed by the registry's record: an overlay mount reads no manifest
    // once its lower layer is built.
    let snap = Snap::find(&store, id)?;
    if snap.is_container() {
        let m = snap.manifest()?;
        return crate::container::restore(
            common, &config, &store, &snap.rec, m, to, mode, lifetime,
        );
    }
    if snap.is_venv() && to.is_some() {
        let m = snap.manifest()?;
        return crate::venv::restore_elsewhere(
            common, &config, &store, &snap.rec, m, to, mode, lifetime,
        );
    }
    if snap.is_venv() && to.is_none() {
        crate::venv::check_in_place(&store, snap.manifest()?)?;
    }
    if mode == Mode::Overlay {
        return crate::overlay::restore(common, &config, &store, &snap, to, lifetime);
    }
    let (rec, m) = (&snap.rec, snap.manifest()?);
    let target = match &to {
        Some(t) => absolute(t)?,
        None => PathBuf::from(&m.source),
    };
    if to.is_some() {
        crate::create::outside_state(&target)?;
    }
    let exists = crate::restore::target_state(&target)?;
    // The source is put back whole; anywhere else, what a directory holds
    // is never thrown away for a copy.
    let is_source = std::fs::canonicalize(&target)
        .is_ok_and(|t| std::fs::canonicalize(&m.source).is_ok_and(|s| s == t));
    if to.is_some()
        && exists
        && !is_source
        && std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_some())
    {
        return Err(Error::cant_create(format!(
            "{} exists and is not empty: a restore there would replace what it holds; nothing was changed",
            target.display()
        ))
        .hint(format!(
            "choose an empty or absent --to, remove it first, or `ptest snap restore {id}` to put back {}",
            m.source
        )));
    }
    let mut ev = event("snapshot.restored", id);
    ev.set("path", target.to_string_lossy().as_ref());
    hooks::pre(&config, "snapshot.restored", rec)?;
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let lock = store.lock(false)?;
    let done = crate::restore::restore(&store, m, &target, parallel(common)?)?;
    drop(lock);
    if crate::files::xattrs_unsupported() {
        eprintln!(
            "ptest-snap: note: {} has no extended attributes: those of the snapshot were not restored",
            target.display()
        );
    }
    crate::files::note_owners(&target);
    ev.set("files", done.files)
        .set("bytes", done.bytes)
        .set("method", done.method.as_str())
        .set("replaced", done.replaced)
        .set("seconds", started.elapsed().as_secs_f64());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "restored {id} at {} ({} files, {})",
            target.display(),
            done.files,
            done.method
        ))?;
    }
    hooks::post(&config, "snapshot.restored", rec);
    Ok(0)
}

pub fn reset(common: &CommonArgs, id: &str, mode: Mode, lifetime: &LifetimeArgs) -> Result<i32> {
    let config = common.load_config()?;
    let store = Store::open()?;
    let snap = Snap::find(&store, id)?;
    if snap.is_container() {
        let m = snap.manifest()?;
        return crate::container::reset(common, &config, &store, &snap.rec, m, mode);
    }
    if snap.is_venv() {
        crate::venv::check_in_place(&store, snap.manifest()?)?;
    }
    if mode == Mode::Overlay {
        return crate::overlay::reset(common, &config, &store, &snap, lifetime);
    }
    let (rec, m) = (&snap.rec, snap.manifest()?);
    let root = PathBuf::from(&m.source);
    if !crate::restore::target_state(&root)? {
        return Err(
            Error::no_input(format!("{} is gone: nothing to reset", root.display()))
                .hint(format!("`ptest snap restore {id}` puts it back whole")),
        );
    }
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let lock = store.lock(false)?;
    let plan = crate::compare::plan(&store, m, &root, parallel(common)?)?;
    let c = crate::reset::apply(&store, m, &root, &plan)?;
    drop(lock);
    crate::files::note_owners(&root);
    let mut ev = event("snapshot.reset", id);
    ev.set("path", m.source.as_str())
        .set("touched", c.touched())
        .set("removed", c.removed)
        .set("restored", c.restored)
        .set("rewritten", c.rewritten)
        .set("metadata", c.metadata)
        .set("dirs", c.dirs)
        .set("bytes_written", c.bytes_written)
        .set("bytes_hashed", plan.bytes_hashed)
        .set("compared", plan.compared)
        .set("seconds", started.elapsed().as_secs_f64());
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "reset {} to {id}: {} paths touched ({} removed, {} restored, {} rewritten, {} metadata)",
            m.source,
            c.touched(),
            c.removed,
            c.restored,
            c.rewritten,
            c.metadata
        ))?;
    }
    hooks::post(&config, "snapshot.reset", rec);
    Ok(0)
}

pub fn diff(common: &CommonArgs, a: &str, b: &str) -> Result<i32> {
    let store = Store::open()?;
    let (_, ma) = find(&store, a)?;
    let (changes, hashed) =
        if ptest_shared::kinds::id_kind(b) == Some("snapshot") && !b.contains('/') {
            let (_, mb) = find(&store, b)?;
            (crate::compare::between(&ma, &mb), 0)
        } else {
            let dir = absolute(std::path::Path::new(b))?;
            if !crate::restore::target_state(&dir)? {
                return Err(Error::no_input(format!("{b}: no such directory")));
            }
            let plan = crate::compare::plan(&store, &ma, &dir, parallel(common)?)?;
            (plan.changes, plan.bytes_hashed)
        };
    let mut out = RecordWriter::stdout();
    for c in &changes {
        let path = c.path(&ma).show();
        if common.json() {
            let mut r = Record::new("snapshot-change");
            r.set("change", c.word()).set("path", path);
            if let Some(e) = c.entry(&ma) {
                r.set("type", e.type_name());
            }
            out.write(&r)?;
        } else {
            let mark = match c {
                Change::Added { .. } => "+",
                Change::Removed(_) => "-",
                Change::Changed { .. } => "M",
                Change::Metadata(_) => "m",
            };
            out.write_line(&format!("{mark} {path}"))?;
        }
    }
    if !common.json() && changes.is_empty() {
        out.write_line("no differences")?;
    }
    let _ = hashed;
    Ok(0)
}

fn snapshots(store: &Store) -> Result<Vec<Record>> {
    Ok(Registry::open(&store.state)?
        .list()?
        .into_iter()
        .filter(is_snapshot)
        .collect())
}

pub fn ls(json: bool) -> Result<i32> {
    let store = Store::open()?;
    let list = snapshots(&store)?;
    let now = Timestamp::now();
    let code = listing(
        json,
        &list,
        "no snapshots",
        &["ID", "NAME", "SOURCE", "FILES", "BYTES", "STATE", "CREATED"],
        |r| {
            Ok(vec![
                cell(r, "id"),
                cell(r, "name"),
                cell(r, "source"),
                cell(r, "files"),
                ptest_shared::units::format_size(
                    r.get("bytes").and_then(|b| b.as_u64()).unwrap_or(0),
                ),
                judge(r, now)?.as_str().into(),
                cell(r, "created_at"),
            ])
        },
    )?;
    crate::overlay::ls(&store, json)?;
    Ok(code)
}

/// Forgets snapshot `rec` (registry first, then its manifest: a crash in
/// between leaves a manifest `gc` removes).
fn forget(store: &Store, reg: &Registry, rec: &Record) -> Result<()> {
    let id = rec.id().unwrap_or_default();
    reg.remove(id)?;
    crate::container::forget(store, id);
    store.remove_manifest(id)?;
    crate::overlay::forget_lower(store, id);
    Ok(())
}

pub fn rm(common: &CommonArgs, ids: Vec<String>) -> Result<i32> {
    let config = common.load_config()?;
    let store = Store::open()?;
    let reg = Registry::open(&store.state)?;
    let (doomed, bad_stream) = if ids.is_empty() {
        let (records, bad) = stream::stdin(None)?.into_teardown();
        let mine: Vec<Record> = ptest_shared::teardown::registered(
            &reg,
            records
                .iter()
                .filter(|r| r.kind() == "snapshot" || r.kind() == crate::overlay::KIND),
        )?
        .into_iter()
        .filter(|r| is_snapshot(r) || crate::overlay::is_overlay(r))
        .collect();
        (mine, bad)
    } else {
        // Every id is checked before anything is removed.
        let recs = ids
            .iter()
            .map(|id| match ptest_shared::kinds::id_kind(id) {
                Some(crate::overlay::KIND) => crate::overlay::registered(&store, id),
                Some("snapshot") => registered(&store, id),
                _ => Err(Error::usage(format!(
                    "{id:?} is neither a snapshot id (snapshot-k3x9m2qa) nor an overlay id (overlay-k3x9m2qa)"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        (recs, None)
    };
    let mut out = RecordWriter::stdout();
    // Overlay mounts first: they stand on their snapshots' lower layers.
    let (mounts, doomed): (Vec<Record>, Vec<Record>) =
        doomed.into_iter().partition(crate::overlay::is_overlay);
    let unmounted = crate::overlay::rm_records(common, &store, &mounts, &mut out, None);
    for r in &doomed {
        forget(&store, &reg, r)?;
        let id = r.id().unwrap_or_default();
        if common.json() {
            out.write(&event("snapshot.removed", id))?;
        } else {
            out.write_line(&format!("removed {id}"))?;
        }
        hooks::post(&config, "snapshot.removed", r);
    }
    unmounted?;
    bad_stream.map_or(Ok(0), Err)
}

pub fn inspect(json: bool, id: &str, entries: bool) -> Result<i32> {
    let store = Store::open()?;
    let (rec, m) = find(&store, id)?;
    let mut out = RecordWriter::stdout();
    if json {
        out.write(&rec)?;
    } else {
        for (k, v) in rec.fields().iter().filter(|(k, _)| *k != "v") {
            out.write_line(&format!(
                "{k}: {}",
                v.as_str().map_or(v.to_string(), str::to_owned)
            ))?;
        }
        out.write_line(&format!("objects: {}", m.objects().len()))?;
    }
    if !entries {
        return Ok(0);
    }
    for e in &m.entries {
        if json {
            let mut r = Record::new("snapshot-entry");
            let v = serde_json::to_value(e).expect("an entry serialises");
            if let serde_json::Value::Object(map) = v {
                for (k, v) in map {
                    r.set(&k, v);
                }
            }
            out.write(&r)?;
        } else {
            out.write_line(&describe(e))?;
        }
    }
    Ok(0)
}

fn describe(e: &Entry) -> String {
    match e {
        Entry::File {
            path,
            size,
            mode,
            link,
            ..
        } => format!(
            "file     {mode:04o} {size:>12} {}{}",
            path.show(),
            link.map(|g| format!("  (link group {g})"))
                .unwrap_or_default()
        ),
        Entry::Symlink { path, target, .. } => {
            format!(
                "symlink       {:>12} {} -> {}",
                "",
                path.show(),
                target.show()
            )
        }
        Entry::Dir { path, mode, .. } => format!("dir      {mode:04o} {:>12} {}/", "", path.show()),
    }
}

pub fn verify(json: bool, id: &str, all: bool) -> Result<i32> {
    let store = Store::open()?;
    let (_, m) = find(&store, id)?;
    let objects = m.objects();
    let bar = ptest_shared::output::progress(objects.len() as u64, format!("verifying {id}"));
    let mut bad = Vec::new();
    for (hash, size) in &objects {
        ptest_shared::interrupt::check()?;
        if let Some(why) = store.verify_object(hash, *size)? {
            let path = m
                .files()
                .find(|(_, h, _)| h == hash)
                .map(|(p, _, _)| p.show())
                .unwrap_or_default();
            bad.push(format!("object {hash} (of {path:?}) {why}"));
            if !all {
                break;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut r = Record::new("snapshot-verify");
    r.set("id", id)
        .set("objects", objects.len())
        .set("corrupt", bad.clone());
    let mut out = RecordWriter::stdout();
    if json {
        out.write(&r)?;
    } else if bad.is_empty() {
        out.write_line(&format!("{id}: {} objects verified", objects.len()))?;
    }
    match bad.first() {
        None => Ok(0),
        Some(first) => {
            for b in bad.iter().skip(1) {
                eprintln!("ptest-snap: also corrupt: {b}");
            }
            Err(Error::data(format!("{id}: {first}"))
                .hint("restore cannot use a corrupt object; import or take the snapshot again"))
        }
    }
}

pub fn gc(common: &CommonArgs) -> Result<i32> {
    let config = common.load_config()?;
    let state = ptest_shared::state::StateDir::open()?;
    if !state.path().join("snap").is_dir() {
        // No snapshot was ever taken here: nothing to collect, nothing made.
        return Ok(0);
    }
    let store = Store::at(&state)?;
    let reg = Registry::open(&store.state)?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    let overlays_cleaned = crate::overlay::gc_mounts(common, &store, &mut out)?;
    for r in snapshots(&store)? {
        let state = judge(&r, now)?;
        if state == Liveness::Live {
            continue;
        }
        forget(&store, &reg, &r)?;
        let mut ev = event("snapshot.removed", r.id().unwrap_or_default());
        ev.set("reason", state.as_str());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!(
                "removed {} ({})",
                r.id().unwrap_or_default(),
                state.as_str()
            ))?;
        }
        hooks::post(&config, "snapshot.removed", &r);
    }
    let staging = ptest_shared::staging::sweep(&store.state)? + overlays_cleaned;
    let lowers = crate::overlay::gc_lowers(&store)?;
    // No writer is at work while this is held: every manifest without a
    // registry entry, every temp file and every unreferenced object is
    // left over by one that died.
    let _lock = store.lock(true)?;
    let live: HashSet<String> = snapshots(&store)?
        .iter()
        .filter_map(|r| r.id().map(str::to_owned))
        .collect();
    crate::container::gc_engine(&live, &store.state.path().display().to_string());
    crate::container::gc_paused(&store);
    let mut referenced: HashSet<String> = HashSet::new();
    let mut orphans = 0;
    for id in store.manifest_ids()? {
        if !live.contains(&id) {
            store.remove_manifest(&id)?;
            orphans += 1;
            continue;
        }
        let m: Manifest = store.read_manifest(&id)?;
        referenced.extend(m.objects().keys().map(|h| (*h).to_owned()));
    }
    if let Ok(entries) = std::fs::read_dir(store.index_dir()) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name
                .strip_suffix(".json")
                .is_none_or(|id| !live.contains(id))
            {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    let (mut removed, mut freed) = (0u64, 0u64);
    for (hash, path) in store.objects()? {
        if !referenced.contains(&hash) {
            freed += std::fs::symlink_metadata(&path).map_or(0, |m| m.len());
            let _ = std::fs::remove_file(&path);
            removed += 1;
        }
    }
    if let Ok(entries) = std::fs::read_dir(store.tmp_dir()) {
        for e in entries.flatten() {
            let _ = crate::restore::remove_tree(&e.path())
                .or_else(|_| std::fs::remove_file(e.path()).map_err(|e| Error::from_io("tmp", &e)));
        }
    }
    let mut cache = Cache::load(&store);
    cache.prune(&store);
    cache.save(&store)?;
    if removed + orphans + (staging + lowers) as u64 == 0 {
        // Nothing to say: `ptest gc` passes on what each tool's gc writes.
        return Ok(0);
    }
    let mut r = Record::new("snapshot-gc");
    r.set("objects_removed", removed)
        .set("bytes_freed", freed)
        .set("manifests_removed", orphans)
        .set("staging_removed", staging)
        .set("lowers_removed", lowers);
    if common.json() {
        out.write(&r)?;
    } else {
        out.write_line(&format!(
            "{removed} objects removed ({}), {orphans} stray manifests, {staging} interrupted restores cleaned, {lowers} overlay lower layers removed",
            ptest_shared::units::format_size(freed)
        ))?;
    }
    Ok(0)
}

/// `doctor` looks, and changes nothing: it probes in a directory of its
/// own, made and removed in the store's `tmp/` when there is one, else in
/// the nearest directory that exists on the way to the state directory
/// (the same filesystem, as far as can be told without making anything).
pub fn doctor(json: bool) -> Result<i32> {
    let (root, _) = ptest_shared::state::resolve()?;
    let snap_tmp = root.join("snap/tmp");
    let base = if snap_tmp.is_dir() {
        snap_tmp
    } else {
        root.ancestors()
            .find(|p| p.is_dir())
            .unwrap_or(std::path::Path::new("/"))
            .to_owned()
    };
    let dir = base.join(format!(
        ".ptest-snap-doctor-{}",
        ptest_shared::record::random_hex(6)
    ));
    let checks = match std::fs::create_dir(&dir) {
        Ok(()) => {
            let mut c = crate::files::probe(&dir);
            c.push(crate::overlay::check(&dir));
            let _ = std::fs::remove_dir_all(&dir);
            c
        }
        Err(e) => vec![Check::fail(
            "snap.store",
            format!("cannot probe the filesystem at {}: {e}", base.display()),
            "check the permissions of the state directory (PTEST_HOME)",
        )],
    };
    ptest_shared::checks::report(json, &checks)
}

/// For `doctor`: a check named `name` from a probe's outcome.
pub fn check(name: &str, r: std::result::Result<String, String>, hint: &str) -> Check {
    match r {
        Ok(detail) => Check::ok(name, detail),
        Err(detail) => Check::fail(name, detail, hint),
    }
}
