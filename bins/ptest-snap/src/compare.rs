//! What differs between a snapshot and a live tree (what `reset` undoes
//! and `diff` shows), or between two snapshots.
//!
//! Metadata first: type, size, mode, mtime and `user.*` xattrs from one
//! `lstat` per path. Contents are read only where the metadata is
//! ambiguous (same size, another mtime), and not even then when the cache
//! knows the file as it is. So the cost is one walk of metadata plus the
//! size of what changed.

use crate::files::{ctime_ns, mtime_ns, read_xattrs};
use crate::index::Index;
use crate::manifest::{Bytes, Entry, Manifest, hex};
use crate::scan::{Excludes, Found, walk};
use crate::store::{Cache, CacheEntry, Store};
use ptest_shared::Result;
use ptest_shared::error::IoContext;
use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// One difference, from the snapshot's point of view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// In the tree, not in the snapshot (`dir` when a directory, removed
    /// with all it holds).
    Added { path: Bytes, dir: bool },
    /// In the snapshot, not in the tree (entry index).
    Removed(usize),
    /// Another type or other contents (entry index; `live_dir` when a
    /// directory stands where the snapshot has something else).
    Changed { entry: usize, live_dir: bool },
    /// Same contents, other mode, mtime or xattrs (entry index).
    Metadata(usize),
}

impl Change {
    pub fn path<'a>(&'a self, m: &'a Manifest) -> &'a Bytes {
        match self {
            Change::Added { path, .. } => path,
            Change::Removed(i) | Change::Changed { entry: i, .. } | Change::Metadata(i) => {
                m.entries[*i].path()
            }
        }
    }
    /// The snapshot's entry this change is about, when it has one.
    pub fn entry<'a>(&self, m: &'a Manifest) -> Option<&'a Entry> {
        match self {
            Change::Added { .. } => None,
            Change::Removed(i) | Change::Changed { entry: i, .. } | Change::Metadata(i) => {
                m.entries.get(*i)
            }
        }
    }
    pub fn word(&self) -> &'static str {
        match self {
            Change::Added { .. } => "added",
            Change::Removed(_) => "removed",
            Change::Changed { .. } => "changed",
            Change::Metadata(_) => "metadata",
        }
    }
}

/// The differences of `root` from `m`, in an order that can be applied:
/// additions first, then the snapshot's entries in its order (parents
/// before children). `bytes_hashed` counts what had to be read.
#[derive(Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    pub bytes_hashed: u64,
    /// Paths compared beyond their `lstat` (the index did not vouch for
    /// them).
    pub compared: u64,
}

/// Compares the live tree at `root` with `m`. Paths `m` excluded are
/// neither compared nor touched.
pub fn plan(store: &Store, m: &Manifest, root: &Path) -> Result<Plan> {
    let index: HashMap<&[u8], usize> = m
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path().0.as_slice(), i))
        .collect();
    let excludes = Excludes(m.excludes.clone());
    // Read only when some file's metadata is ambiguous.
    let mut cache: Option<Cache> = None;
    // Only the snapshot's own source is indexed.
    let mut last_seen = (root == Path::new(&m.source)).then(|| Index::load(store, &m.id));
    let mut plan = Plan::default();
    let mut seen = vec![false; m.entries.len()];
    // Live directories already planned away with all they hold.
    let mut gone: HashSet<Vec<u8>> = HashSet::new();
    // Hard-link groups: the live inodes of their members.
    let mut inodes: HashMap<u32, HashSet<(u64, u64)>> = HashMap::new();
    let mut changed_groups: HashSet<u32> = HashSet::new();
    let state_root =
        fs::canonicalize(store.state.path()).unwrap_or_else(|_| store.state.path().to_owned());
    walk(root, &excludes, Some(&state_root), &mut |f: Found| {
        if ancestors(f.rel).any(|a| gone.contains(a)) {
            return Ok(());
        }
        let live_dir = f.meta.is_dir();
        let Some(&i) = index.get(f.rel) else {
            if live_dir {
                gone.insert(f.rel.to_vec());
            }
            plan.changes.push(Change::Added {
                path: Bytes(f.rel.to_vec()),
                dir: live_dir,
            });
            return Ok(());
        };
        seen[i] = true;
        let e = &m.entries[i];
        let known = last_seen
            .as_ref()
            .is_some_and(|x| x.unchanged(f.rel, f.meta));
        let verdict = if known {
            Verdict::Same
        } else {
            plan.compared += 1;
            judge(e, &f, &mut cache, store, &mut plan.bytes_hashed)?
        };
        match verdict {
            Verdict::Same => {
                if let Some(x) = last_seen.as_mut() {
                    x.note(f.rel, f.meta);
                }
            }
            Verdict::Metadata => plan.changes.push(Change::Metadata(i)),
            Verdict::Changed => {
                if live_dir {
                    gone.insert(f.rel.to_vec());
                }
                if let Entry::File { link: Some(g), .. } = e {
                    changed_groups.insert(*g);
                }
                plan.changes.push(Change::Changed { entry: i, live_dir });
            }
        }
        if let Entry::File { link: Some(g), .. } = e {
            inodes
                .entry(*g)
                .or_default()
                .insert((f.meta.dev(), f.meta.ino()));
        }
        Ok(())
    })?;
    // A group whose names no longer share one inode is rewritten whole, as
    // is a group one of whose names changed.
    // So is a group one of whose names is gone: put back alone, it would
    // be an inode of its own.
    changed_groups.extend(inodes.iter().filter(|(_, s)| s.len() > 1).map(|(g, _)| *g));
    for (i, e) in m.entries.iter().enumerate() {
        if let Entry::File { link: Some(g), .. } = e
            && !seen[i]
        {
            changed_groups.insert(*g);
        }
    }
    let in_changed_group = |i: usize| matches!(&m.entries[i], Entry::File { link: Some(g), .. } if changed_groups.contains(g));
    plan.changes
        .retain(|c| !matches!(c, Change::Metadata(i) if in_changed_group(*i)));
    let already: HashSet<usize> = plan
        .changes
        .iter()
        .filter_map(|c| match c {
            Change::Changed { entry, .. } => Some(*entry),
            _ => None,
        })
        .collect();
    let mut rest = Vec::new();
    for (i, &was_seen) in seen.iter().enumerate() {
        if !was_seen {
            rest.push(Change::Removed(i));
        } else if in_changed_group(i) && !already.contains(&i) {
            rest.push(Change::Changed {
                entry: i,
                live_dir: false,
            });
        }
    }
    // Additions first; then the snapshot's entries in its order.
    let (mut adds, mut others): (Vec<Change>, Vec<Change>) = plan
        .changes
        .into_iter()
        .partition(|c| matches!(c, Change::Added { .. }));
    others.extend(rest);
    others.sort_by_key(|c| match c {
        Change::Removed(i) | Change::Changed { entry: i, .. } | Change::Metadata(i) => *i,
        Change::Added { .. } => 0,
    });
    adds.extend(others);
    plan.changes = adds;
    if let Some(Err(e)) = last_seen.map(|x| x.save(store, &m.id)) {
        eprintln!(
            "ptest-snap: warning: {} (the index is only a hint)",
            e.message
        );
    }
    Ok(plan)
}

/// `a/b/c` → `a`, `a/b`.
fn ancestors(rel: &[u8]) -> impl Iterator<Item = &[u8]> {
    rel.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'/')
        .map(move |(i, _)| &rel[..i])
}

enum Verdict {
    Same,
    Metadata,
    Changed,
}

fn judge(
    e: &Entry,
    f: &Found,
    cache: &mut Option<Cache>,
    store: &Store,
    hashed: &mut u64,
) -> Result<Verdict> {
    let meta = f.meta;
    let ft = meta.file_type();
    let mode = meta.mode() & 0o7777;
    let mtime = mtime_ns(meta);
    Ok(match e {
        Entry::Dir {
            mode: m,
            mtime_ns,
            xattrs,
            ..
        } if ft.is_dir() => {
            if *m != mode || *mtime_ns != mtime || read_xattrs(f.path)? != *xattrs {
                Verdict::Metadata
            } else {
                Verdict::Same
            }
        }
        Entry::Symlink {
            target, mtime_ns, ..
        } if ft.is_symlink() => {
            let live =
                fs::read_link(f.path).io_context(|| format!("cannot read {}", f.path.display()))?;
            if live.as_os_str().as_bytes() != target.0.as_slice() {
                Verdict::Changed
            } else if *mtime_ns != mtime {
                Verdict::Metadata
            } else {
                Verdict::Same
            }
        }
        Entry::File {
            hash,
            size,
            mode: m,
            mtime_ns,
            xattrs,
            ..
        } if ft.is_file() => {
            if *size != meta.size() {
                return Ok(Verdict::Changed);
            }
            if *mtime_ns != mtime && live_hash(f, cache, store, hashed)? != *hash {
                return Ok(Verdict::Changed);
            }
            if *m != mode || *mtime_ns != mtime || read_xattrs(f.path)? != *xattrs {
                Verdict::Metadata
            } else {
                Verdict::Same
            }
        }
        _ => Verdict::Changed,
    })
}

/// The hash of a live file: from the cache when it knows the file as it
/// is, else read (not stored).
fn live_hash(
    f: &Found,
    cache: &mut Option<Cache>,
    store: &Store,
    hashed: &mut u64,
) -> Result<String> {
    let cache = cache.get_or_insert_with(|| Cache::load(store));
    let key = Cache::key(f.meta.dev(), f.meta.ino());
    let want = CacheEntry {
        size: f.meta.size(),
        mtime_ns: mtime_ns(f.meta),
        ctime_ns: ctime_ns(f.meta),
        hash: String::new(),
    };
    if let Some(h) = cache.get(&key, &want) {
        return Ok(h.to_owned());
    }
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(f.path)
        .io_context(|| format!("cannot open {}", f.path.display()))?;
    let mut hasher = blake3::Hasher::new();
    *hashed += std::io::copy(&mut file, &mut hasher)
        .io_context(|| format!("cannot read {}", f.path.display()))?;
    Ok(hex(hasher.finalize().as_bytes()))
}

/// The differences between two snapshots: `Added` paths of `b` not in
/// `a`, `Removed(i)` entries of `a` not in `b`, `Changed`/`Metadata`
/// indices into `a`.
pub fn between(a: &Manifest, b: &Manifest) -> Vec<Change> {
    let bi: HashMap<&[u8], &Entry> = b
        .entries
        .iter()
        .map(|e| (e.path().0.as_slice(), e))
        .collect();
    let ai: HashSet<&[u8]> = a.entries.iter().map(|e| e.path().0.as_slice()).collect();
    let mut out = Vec::new();
    for (i, e) in a.entries.iter().enumerate() {
        match bi.get(e.path().0.as_slice()) {
            None => out.push(Change::Removed(i)),
            Some(other) => {
                let same_content = match (e, other) {
                    (Entry::File { hash: x, .. }, Entry::File { hash: y, .. }) => x == y,
                    (Entry::Symlink { target: x, .. }, Entry::Symlink { target: y, .. }) => x == y,
                    (Entry::Dir { .. }, Entry::Dir { .. }) => true,
                    _ => false,
                };
                if !same_content {
                    out.push(Change::Changed {
                        entry: i,
                        live_dir: matches!(other, Entry::Dir { .. }),
                    });
                } else if strip_path(e) != strip_path(other) {
                    out.push(Change::Metadata(i));
                }
            }
        }
    }
    for e in &b.entries {
        if !ai.contains(e.path().0.as_slice()) {
            out.push(Change::Added {
                path: e.path().clone(),
                dir: matches!(e, Entry::Dir { .. }),
            });
        }
    }
    out
}

/// An entry without its path and hard-link group number (which differ
/// between snapshots of one tree without meaning anything).
fn strip_path(e: &Entry) -> Entry {
    let mut e = e.clone();
    match &mut e {
        Entry::File { path, link, .. } => {
            *path = Bytes::default();
            *link = None;
        }
        Entry::Symlink { path, .. } | Entry::Dir { path, .. } => *path = Bytes::default(),
    }
    e
}
