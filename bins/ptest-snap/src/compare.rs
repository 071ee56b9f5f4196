//! What differs between a snapshot and a live tree (what `reset` undoes
//! and `diff` shows), or between two snapshots.
//!
//! Metadata first: type, size, mode, mtime, owner and `user.*` xattrs
//! from one `lstat` per path. Owners are compared when running as root
//! only: anyone else could not put them back, and writes only files of
//! its own. Contents are read only where the metadata is
//! ambiguous (same size, another mtime), and not even then when the cache
//! knows the file as it is. So the cost is one walk of metadata plus the
//! size of what changed.

use crate::files::{ctime_ns, mtime_ns, read_xattrs};
use crate::index::Index;
use crate::manifest::{Bytes, Entry, Manifest, hex};
use crate::scan::{Excludes, Found, Node, walk_parallel};
use crate::store::{Cache, CacheEntry, Store};
use ptest_shared::Result;
use ptest_shared::error::IoContext;
use std::collections::{HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

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
    /// Same contents, other mode, mtime, owner or xattrs (entry index).
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

/// Compares the live tree at `root` with `m`, `parallel` threads walking
/// its metadata (and reading what the metadata leaves ambiguous). Paths `m`
/// excluded are neither compared nor touched.
pub fn plan(store: &Store, m: &Manifest, root: &Path, parallel: usize) -> Result<Plan> {
    let index: HashMap<&[u8], usize> = m
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path().0.as_slice(), i))
        .collect();
    let excludes = Excludes(m.excludes.clone());
    // Read only when some file's metadata is ambiguous.
    let cache: OnceLock<Cache> = OnceLock::new();
    let hashed = AtomicU64::new(0);
    // Only the snapshot's own source is indexed.
    let mut last_seen = (root == Path::new(&m.source)).then(|| Index::load(store, &m.id));
    let state_root =
        fs::canonicalize(store.state.path()).unwrap_or_else(|_| store.state.path().to_owned());
    let owners = crate::files::is_root();
    // The threads find and judge; what follows needs the walk's order. A
    // directory added, or standing where the snapshot has something else,
    // goes with all it holds: the walk does not descend into it.
    let nodes = walk_parallel(root, &excludes, Some(&state_root), parallel, |f| {
        let Some(&i) = index.get(f.rel) else {
            return Ok((Seen::Added, false));
        };
        if last_seen
            .as_ref()
            .is_some_and(|x| x.unchanged(f.rel, f.meta))
        {
            return Ok((Seen::Known(i), true));
        }
        let owner = m.owner(&m.entries[i]).filter(|_| owners);
        let v = judge(&m.entries[i], owner, f, &cache, store, &hashed)?;
        let descend = !matches!(v, Verdict::Changed);
        Ok((Seen::Judged(i, v), descend))
    })?;
    let mut plan = Plan::default();
    let mut seen = vec![false; m.entries.len()];
    // Hard-link groups: the live inodes of their members.
    let mut inodes: HashMap<u32, HashSet<(u64, u64)>> = HashMap::new();
    let mut changed_groups: HashSet<u32> = HashSet::new();
    for Node { rel, meta, value } in nodes {
        let (i, verdict) = match value {
            Seen::Added => {
                plan.changes.push(Change::Added {
                    path: Bytes(rel),
                    dir: meta.is_dir(),
                });
                continue;
            }
            Seen::Known(i) => (i, Verdict::Same),
            Seen::Judged(i, v) => {
                plan.compared += 1;
                (i, v)
            }
        };
        seen[i] = true;
        let e = &m.entries[i];
        match verdict {
            Verdict::Same => {
                if let Some(x) = last_seen.as_mut() {
                    x.note(&rel, &meta);
                }
            }
            Verdict::Metadata => plan.changes.push(Change::Metadata(i)),
            Verdict::Changed => {
                if let Entry::File { link: Some(g), .. } = e {
                    changed_groups.insert(*g);
                }
                plan.changes.push(Change::Changed {
                    entry: i,
                    live_dir: meta.is_dir(),
                });
            }
        }
        if let Entry::File { link: Some(g), .. } = e {
            inodes
                .entry(*g)
                .or_default()
                .insert((meta.dev(), meta.ino()));
        }
    }
    plan.bytes_hashed = hashed.into_inner();
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

/// What the walk's threads made of a live path.
enum Seen {
    /// Not in the snapshot.
    Added,
    /// The snapshot's entry `i`, vouched for by the index.
    Known(usize),
    /// The snapshot's entry `i`, compared.
    Judged(usize, Verdict),
}

enum Verdict {
    Same,
    Metadata,
    Changed,
}

/// Whether the live entry of `meta` is not owned by `owner` (`None`: not
/// compared).
pub fn owner_differs(owner: Option<(u32, u32)>, meta: &fs::Metadata) -> bool {
    owner.is_some_and(|o| o != (meta.uid(), meta.gid()))
}

/// What entry `e` (owned by `owner`, when owners are compared) makes of
/// the live path `f`.
fn judge(
    e: &Entry,
    owner: Option<(u32, u32)>,
    f: &Found,
    cache: &OnceLock<Cache>,
    store: &Store,
    hashed: &AtomicU64,
) -> Result<Verdict> {
    let meta = f.meta;
    let ft = meta.file_type();
    let mode = meta.mode() & 0o7777;
    let mtime = mtime_ns(meta);
    let other_owner = owner_differs(owner, meta);
    Ok(match e {
        Entry::Dir {
            mode: m,
            mtime_ns,
            xattrs,
            ..
        } if ft.is_dir() => {
            if *m != mode || *mtime_ns != mtime || other_owner || read_xattrs(f.path)? != *xattrs {
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
            } else if *mtime_ns != mtime || other_owner {
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
            if *m != mode || *mtime_ns != mtime || other_owner || read_xattrs(f.path)? != *xattrs {
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
    cache: &OnceLock<Cache>,
    store: &Store,
    hashed: &AtomicU64,
) -> Result<String> {
    let cache = cache.get_or_init(|| Cache::load(store));
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
    let n = std::io::copy(&mut file, &mut hasher)
        .io_context(|| format!("cannot read {}", f.path.display()))?;
    hashed.fetch_add(n, Ordering::Relaxed);
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
    // Owners are compared when both snapshots recorded them.
    let owners = a.root.owner().is_some() && b.root.owner().is_some();
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
                } else if strip_path(e, a, owners) != strip_path(other, b, owners) {
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
/// between snapshots of one tree without meaning anything), with its
/// owner in full (of manifest `m`) when `owners`, else none.
fn strip_path(e: &Entry, m: &Manifest, owners: bool) -> Entry {
    let full = m.owner(e).filter(|_| owners);
    let mut e = e.clone();
    e.set_ids(full.map(|o| o.0), full.map(|o| o.1));
    match &mut e {
        Entry::File { path, link, .. } => {
            *path = Bytes::default();
            *link = None;
        }
        Entry::Symlink { path, .. } | Entry::Dir { path, .. } => *path = Bytes::default(),
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::snapshot;
    use ptest_shared::state::StateDir;
    use std::collections::BTreeSet;
    use std::os::unix::fs::PermissionsExt;

    fn words(m: &Manifest, p: &Plan) -> BTreeSet<(String, String)> {
        p.changes
            .iter()
            .map(|c| {
                let path = String::from_utf8(c.path(m).0.clone()).unwrap();
                let word = match c {
                    Change::Changed { live_dir: true, .. } => "changed-to-dir",
                    other => other.word(),
                };
                (word.to_owned(), path)
            })
            .collect()
    }

    /// 40 directories (two levels) of 25 files each; changes of every kind
    /// in many of them. Whatever the number of threads, the plan is the
    /// same list, and exactly what was done.
    #[test]
    fn a_large_tree_changed_in_many_directories_gives_the_same_exact_plan_at_any_parallelism() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::at(&StateDir::at(t.path().join("state")).unwrap()).unwrap();
        let root = t.path().join("tree");
        let mut dirs = Vec::new();
        for a in 0..8 {
            for b in 0..5 {
                let d = format!("d{a}/e{b}");
                fs::create_dir_all(root.join(&d)).unwrap();
                for f in 0..25 {
                    fs::write(root.join(format!("{d}/f{f:02}.txt")), format!("{d} {f}")).unwrap();
                }
                dirs.push(d);
            }
        }
        // Old enough for the index to note (it leaves out the last 50 ms).
        std::thread::sleep(std::time::Duration::from_millis(120));
        let (m, _, index) =
            snapshot(&store, &root, &Excludes::default(), "snapshot-aaaaaaaa", 4).unwrap();
        index.save(&store, &m.id).unwrap();
        let mut want: BTreeSet<(String, String)> = BTreeSet::new();
        let mut w = |word: &str, p: String| want.insert((word.to_owned(), p));
        for (n, d) in dirs.iter().enumerate() {
            match n % 5 {
                0 => {
                    fs::write(root.join(format!("{d}/f03.txt")), "other, longer contents").unwrap();
                    w("changed", format!("{d}/f03.txt"));
                }
                1 => {
                    let p = root.join(format!("{d}/f07.txt"));
                    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
                    w("metadata", format!("{d}/f07.txt"));
                }
                2 => {
                    fs::remove_file(root.join(format!("{d}/f11.txt"))).unwrap();
                    w("removed", format!("{d}/f11.txt"));
                    w("metadata", d.clone());
                }
                3 => {
                    fs::create_dir_all(root.join(format!("{d}/new/deeper"))).unwrap();
                    fs::write(root.join(format!("{d}/new/deeper/x")), "x").unwrap();
                    fs::write(root.join(format!("{d}/zz-new.txt")), "new").unwrap();
                    w("added", format!("{d}/new"));
                    w("added", format!("{d}/zz-new.txt"));
                    w("metadata", d.clone());
                }
                _ => {
                    let p = root.join(format!("{d}/f20.txt"));
                    fs::remove_file(&p).unwrap();
                    fs::create_dir(&p).unwrap();
                    fs::write(p.join("inside"), "y").unwrap();
                    w("changed-to-dir", format!("{d}/f20.txt"));
                    w("metadata", d.clone());
                }
            }
        }
        // With the index the snapshot wrote (it vouches for what did not
        // change), then without one (every path compared).
        let mut plans: Vec<Plan> = [1, 8, 3]
            .into_iter()
            .map(|n| plan(&store, &m, &root, n).unwrap())
            .collect();
        for n in [8, 1] {
            crate::index::Index::remove(&store, &m.id);
            plans.push(plan(&store, &m, &root, n).unwrap());
        }
        for p in &plans[1..] {
            assert_eq!(p.changes, plans[0].changes);
        }
        assert_eq!(words(&m, &plans[0]), want);
        // Additions first, in the walk's order; then the snapshot's order.
        let added: Vec<&Bytes> = plans[0]
            .changes
            .iter()
            .take_while(|c| matches!(c, Change::Added { .. }))
            .map(|c| c.path(&m))
            .collect();
        assert_eq!(added.len(), 16);
        assert!(added.windows(2).all(|x| x[0].0 < x[1].0));
        let rest: Vec<usize> = plans[0].changes[16..]
            .iter()
            .map(|c| match c {
                Change::Removed(i) | Change::Changed { entry: i, .. } | Change::Metadata(i) => *i,
                Change::Added { .. } => panic!("an addition after the snapshot's entries"),
            })
            .collect();
        assert!(rest.windows(2).all(|x| x[0] < x[1]));
        // The index vouched for the paths that did not change.
        let entries = m.entries.len() as u64;
        assert!(plans[0].compared < entries / 10, "{}", plans[0].compared);
        assert!(plans[3].compared > entries / 2, "{}", plans[3].compared);
    }
}
