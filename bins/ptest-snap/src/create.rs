//! The commands that make snapshots (`create`, `import`) and `export`, and
//! what every command uses to find one.

use crate::manifest::Manifest;
use crate::scan::{Excludes, Stats};
use crate::store::Store;
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Lifetime, LifetimeArgs, OwnerSpec};
use ptest_shared::registry::Registry;
use ptest_shared::{Error, Record, Result, hooks, stream};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

pub const TOOL: &str = "ptest-snap";

/// True for the registry's `snapshot` records of this tool.
pub fn is_snapshot(r: &Record) -> bool {
    r.kind() == "snapshot" && r.tool() == Some(TOOL)
}

/// The registered snapshot `id` and its manifest: 64 for what is not a
/// snapshot id, 66 for one that is not registered.
pub fn find(store: &Store, id: &str) -> Result<(Record, Manifest)> {
    let rec = registered(store, id)?;
    let m = store.read_manifest(id)?;
    Ok((rec, m))
}

/// A registered snapshot whose manifest is read from the store only when
/// first asked for: an overlay mount of a lower layer already built needs
/// none, so that its cost does not follow the size of the tree.
pub struct Snap<'a> {
    pub rec: Record,
    pub id: String,
    store: &'a Store,
    m: std::cell::OnceCell<Manifest>,
}

impl<'a> Snap<'a> {
    /// Snapshot `id` as the registry holds it (64, 66 as [`registered`]).
    pub fn find(store: &'a Store, id: &str) -> Result<Snap<'a>> {
        let rec = registered(store, id)?;
        Ok(Snap {
            rec,
            id: id.to_owned(),
            store,
            m: std::cell::OnceCell::new(),
        })
    }

    pub fn manifest(&self) -> Result<&Manifest> {
        if let Some(m) = self.m.get() {
            return Ok(m);
        }
        let m = self.store.read_manifest(&self.id)?;
        Ok(self.m.get_or_init(|| m))
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.rec.get(key).and_then(|v| v.as_str())
    }

    /// Where a directory or venv snapshot was taken (its record's `source`).
    pub fn source(&self) -> Result<&str> {
        match self.text("source") {
            Some(s) => Ok(s),
            None => Ok(self.manifest()?.source.as_str()),
        }
    }

    pub fn is_container(&self) -> bool {
        self.rec.get("container").is_some()
    }

    pub fn is_venv(&self) -> bool {
        self.rec.get("venv").is_some()
    }

    /// The record's count `key` (`files`, `bytes`).
    pub fn count(&self, key: &str) -> u64 {
        self.rec.get(key).and_then(|v| v.as_u64()).unwrap_or(0)
    }
}

/// The registry's record of snapshot `id`.
pub fn registered(store: &Store, id: &str) -> Result<Record> {
    if ptest_shared::kinds::id_kind(id) != Some("snapshot")
        || id.len() <= "snapshot-".len()
        || ptest_shared::registry::validate_id(id).is_err()
    {
        return Err(Error::usage(format!(
            "{id:?} is not a snapshot id (snapshot-k3x9m2qa)"
        )));
    }
    match Registry::open(&store.state)?.get(id)? {
        Some(r) if is_snapshot(&r) => Ok(r),
        _ => Err(Error::no_input(format!("no snapshot {id}"))
            .hint("`ptest snap ls` lists the snapshots")),
    }
}

/// An absolute path for `p` (relative to the working directory).
pub fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|e| Error::usage(format!("{}: {e}", p.display())))
}

fn check_name(name: &Option<String>) -> Result<()> {
    match name {
        Some(n) if n.is_empty() || n.contains('\0') || n.contains('\n') => Err(Error::usage(
            format!("--name {n:?}: a name is one line of text"),
        )),
        _ => Ok(()),
    }
}

/// The `snapshot` record of manifest `m`.
pub fn record(m: &Manifest, name: &Option<String>, stats: &Stats, lifetime: &Lifetime) -> Record {
    let mut r = Record::resource_with_id("snapshot", TOOL, &m.id);
    lifetime.apply(&mut r);
    match &m.container {
        Some(c) => r.set("container", c.id.as_str()),
        None => r.set("source", m.source.as_str()),
    };
    if let Some(n) = name {
        r.set("name", n.as_str());
    }
    r.set("files", stats.files)
        .set("dirs", stats.dirs)
        .set("symlinks", stats.symlinks)
        .set("bytes", stats.bytes)
        .set("bytes_new", stats.bytes_new)
        .set("bytes_hashed", stats.bytes_hashed)
        .set("objects_new", stats.objects_new);
    if !m.excludes.is_empty() {
        r.set("excludes", m.excludes.clone());
    }
    if let Some(v) = &m.venv {
        r.set("venv", v.id.as_str());
    }
    r
}

/// Writes the manifest and registers the record (the store lock held
/// shared by the caller); a pre-hook's veto leaves neither.
pub fn register(store: &Store, config: &Config, m: &Manifest, rec: &Record) -> Result<()> {
    hooks::pre(config, "snapshot.created", rec)?;
    store.sync()?;
    store.write_manifest(m)?;
    if let Err(e) = Registry::open(&store.state)?.put(rec) {
        let _ = store.remove_manifest(&m.id);
        return Err(e);
    }
    Ok(())
}

pub fn say(common: &CommonArgs, out: &mut RecordWriter, rec: &Record) -> Result<()> {
    if common.json() {
        return out.write(rec);
    }
    let n = |k: &str| rec.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    out.write_line(&format!(
        "{}  {} files, {} ({} new)  {}",
        rec.id().unwrap_or_default(),
        n("files"),
        ptest_shared::units::format_size(n("bytes")),
        ptest_shared::units::format_size(n("bytes_new")),
        rec.get("source").and_then(|v| v.as_str()).unwrap_or("")
    ))
}

/// What `create` snapshots.
pub enum Source {
    Path(PathBuf),
    Venv(String),
    Container(String),
    /// Every venv and container of the stream on stdin.
    Stream,
}

/// How `create` takes its snapshots, whatever the source.
pub struct How {
    pub name: Option<String>,
    pub exclude: Vec<String>,
    /// Make the overlay lower layer now.
    pub overlay: bool,
}

pub fn create(
    common: &CommonArgs,
    source: Source,
    how: How,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    check_name(&how.name)?;
    if let Some(g) = how
        .exclude
        .iter()
        .find(|g| g.is_empty() || g.contains('\0'))
    {
        return Err(Error::usage(format!("--exclude {g:?} is not a pattern")));
    }
    let config = common.load_config()?;
    let lifetime = lifetime.resolve(OwnerSpec::None)?;
    let mut out = RecordWriter::stdout();
    let upstream = stream::pass_through(&mut out)?;
    ptest_shared::interrupt::catch()?;
    let store = Store::open()?;
    let take = |source: &Source| -> Result<Record> {
        match source {
            Source::Path(p) => {
                let dir = source_dir(p)?;
                snapshot_tree(common, &config, &store, &dir, &how, &lifetime, |_| {})
            }
            Source::Venv(id) => crate::venv::snapshot(common, &config, &store, id, &how, &lifetime),
            Source::Container(id) => {
                crate::container::snapshot(common, &config, &store, id, &how, &lifetime)
            }
            Source::Stream => unreachable!("expanded below"),
        }
    };
    let sources = match source {
        Source::Stream => {
            let found: Vec<Source> = upstream
                .iter()
                .filter_map(|r| match (r.kind(), r.id()) {
                    ("venv", Some(id)) => Some(Source::Venv(id.to_owned())),
                    ("container", Some(id)) => Some(Source::Container(id.to_owned())),
                    _ => None,
                })
                .collect();
            if found.is_empty() {
                return Err(Error::no_input(
                    "--all: the stream on stdin names no venv or container",
                )
                .hint(
                    "… | ptest snap create --all, after ptest venv create or ptest docker create",
                ));
            }
            found
        }
        one => vec![one],
    };
    for s in &sources {
        let rec = take(s)?;
        say(common, &mut out, &rec)?;
        hooks::post(&config, "snapshot.created", &rec);
    }
    Ok(0)
}

/// The canonical, UTF-8 path of directory `path`, refused when it lies in
/// the state directory.
pub fn source_dir(path: &Path) -> Result<PathBuf> {
    let source = match std::fs::canonicalize(path) {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::no_input(format!(
                "{}: no such directory",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot read {}", path.display()),
                &e,
            ));
        }
    };
    if !source.is_dir() {
        return Err(Error::usage(format!(
            "{} is not a directory",
            path.display()
        )));
    }
    let Some(text) = source.to_str().filter(|t| !t.contains('\n')) else {
        return Err(Error::usage(format!(
            "{}: ptest snapshots directories whose path is UTF-8 text",
            source.display()
        )));
    };
    let source = PathBuf::from(text);
    let state = ptest_shared::state::StateDir::open()?;
    if let Ok(state) = std::fs::canonicalize(state.path())
        && source.starts_with(&state)
    {
        return Err(Error::usage(format!(
            "{} lies in ptest's state directory: not a tree to snapshot",
            source.display()
        )));
    }
    Ok(source)
}

/// 64 when `target` (absolute, given by `--to`) lies in ptest's state
/// directory: a restore writes there only in place (a venv ptest keeps there).
pub fn outside_state(target: &Path) -> Result<()> {
    let state = ptest_shared::state::StateDir::open()?;
    let state = std::fs::canonicalize(state.path()).unwrap_or_else(|_| state.path().to_owned());
    // The deepest ancestor that exists, resolved: the target may not exist yet.
    let mut probe = target.to_path_buf();
    let mut rest = Vec::new();
    let real = loop {
        match std::fs::canonicalize(&probe) {
            Ok(p) => break p,
            Err(_) => match (probe.parent(), probe.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    probe = parent.to_path_buf();
                }
                _ => break probe,
            },
        }
    };
    let real = rest.iter().rev().fold(real, |p, n| p.join(n));
    if real.starts_with(&state) {
        return Err(Error::usage(format!(
            "{} lies in ptest's state directory: not a place to restore to",
            target.display()
        )));
    }
    Ok(())
}

/// Snapshots directory `source` (from [`source_dir`]) and registers it;
/// `origin` adds what the snapshot came from (a venv's, say) to its
/// manifest before it is written.
pub fn snapshot_tree(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    source: &Path,
    how: &How,
    lifetime: &Lifetime,
    origin: impl FnOnce(&mut Manifest),
) -> Result<Record> {
    let lock = store.lock(false)?;
    let id = ptest_shared::record::new_id("snapshot");
    let (mut m, stats, index) = crate::scan::snapshot(
        store,
        source,
        &Excludes(how.exclude.clone()),
        &id,
        crate::commands::parallel(common)?,
    )?;
    origin(&mut m);
    ptest_shared::interrupt::check()?;
    let rec = record(&m, &how.name, &stats, lifetime);
    register(store, config, &m, &rec)?;
    drop(lock);
    if let Err(e) = index.save(store, &m.id) {
        eprintln!(
            "ptest-snap: warning: {} (the index is only a hint)",
            e.message
        );
    }
    if crate::files::xattrs_unsupported() {
        eprintln!("ptest-snap: note: this filesystem has no extended attributes: none were kept");
    }
    if how.overlay {
        crate::overlay::lower(store, &m)?;
    }
    Ok(rec)
}

pub fn export(id: &str) -> Result<i32> {
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        return Err(Error::usage(
            "export writes an archive: redirect stdout to a file (> FILE)",
        ));
    }
    let store = Store::open()?;
    let (_, m) = find(&store, id)?;
    let _lock = store.lock(false)?;
    crate::archive::export(&store, &m, stdout.lock())?;
    Ok(0)
}

pub fn import(common: &CommonArgs, name: Option<String>, lifetime: &LifetimeArgs) -> Result<i32> {
    check_name(&name)?;
    let config = common.load_config()?;
    let lifetime = lifetime.resolve(OwnerSpec::None)?;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::usage("import reads an archive on stdin (< FILE)"));
    }
    ptest_shared::interrupt::catch()?;
    let store = Store::open()?;
    let lock = store.lock(false)?;
    let imported = crate::archive::import(&store, stdin.lock())?;
    let mut m = imported.manifest.clone();
    let from = std::mem::replace(&mut m.id, ptest_shared::record::new_id("snapshot"));
    let objects_new = imported.commit(&store)?;
    let count = |t: &str| m.entries.iter().filter(|e| e.type_name() == t).count() as u64;
    let stats = Stats {
        files: m.file_count(),
        dirs: count("dir"),
        symlinks: count("symlink"),
        bytes: m.bytes(),
        bytes_new: imported.bytes_new,
        objects_new,
        ..Stats::default()
    };
    let mut rec = record(&m, &name, &stats, &lifetime);
    rec.set("imported_from", from);
    register(&store, &config, &m, &rec)?;
    drop(lock);
    let mut out = RecordWriter::stdout();
    say(common, &mut out, &rec)?;
    hooks::post(&config, "snapshot.created", &rec);
    Ok(0)
}
