//! Walking a directory tree (never following a symlink) and taking its
//! snapshot: every entry into a manifest, every regular file's contents
//! into the store, once per distinct content. A file the cache knows by
//! (dev, inode, size, mtime, ctime) is not read at all.

use crate::files::{ctime_ns, mtime_ns, read_xattrs};
use crate::index::Index;
use crate::manifest::{Bytes, Entry, FORMAT, Manifest, Root, Xattrs, hex};
use crate::store::{Cache, CacheEntry, Ingested, Store};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{self, Metadata, OpenOptions};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// `--exclude` patterns: `*` and `?` within a name, `**` across `/`. A
/// pattern without `/` is matched against each name, one with `/`
/// against the whole path below the root.
#[derive(Debug, Clone, Default)]
pub struct Excludes(pub Vec<String>);

impl Excludes {
    pub fn matches(&self, rel: &[u8]) -> bool {
        let name = rel.rsplit(|b| *b == b'/').next().unwrap_or(rel);
        self.0.iter().any(|p| {
            let p = p.as_bytes();
            if p.contains(&b'/') {
                glob(p, rel)
            } else {
                glob(p, name)
            }
        })
    }
}

/// Shell-style matching of `text` by `pat` (`*` stops at `/`, `**` does not).
pub fn glob(pat: &[u8], text: &[u8]) -> bool {
    match pat.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) if rest.first() == Some(&b'*') => {
            let rest = &rest[1..];
            (0..=text.len()).any(|i| glob(rest, &text[i..]))
        }
        Some((b'*', rest)) => {
            let stop = text.iter().position(|b| *b == b'/').unwrap_or(text.len());
            (0..=stop).any(|i| glob(rest, &text[i..]))
        }
        Some((b'?', rest)) => !text.is_empty() && text[0] != b'/' && glob(rest, &text[1..]),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// One entry met by [`walk`].
pub struct Found<'a> {
    /// The path below the root, as bytes.
    pub rel: &'a [u8],
    pub path: &'a Path,
    pub meta: &'a Metadata,
}

/// Walks the tree below `root` depth first, each directory's entries in
/// byte order, calling `f` for each (parents before their children).
/// Excluded paths, and `skip` (the state directory, when it lies inside),
/// are left out with all they hold; symlinks are entries, never followed.
pub fn walk(
    root: &Path,
    excludes: &Excludes,
    skip: Option<&Path>,
    f: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let mut stack: Vec<(PathBuf, Vec<u8>)> = vec![(root.to_owned(), Vec::new())];
    while let Some((dir, rel)) = stack.pop() {
        ptest_shared::interrupt::check()?;
        let mut names: Vec<_> = fs::read_dir(&dir)
            .io_context(|| format!("cannot list {}", dir.display()))?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()
            .io_context(|| format!("cannot list {}", dir.display()))?;
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let mut subdirs = Vec::new();
        for name in names {
            let mut r = rel.clone();
            if !r.is_empty() {
                r.push(b'/');
            }
            r.extend_from_slice(name.as_bytes());
            let path = dir.join(&name);
            if excludes.matches(&r) || skip.is_some_and(|s| s == path) {
                continue;
            }
            let meta = fs::symlink_metadata(&path)
                .io_context(|| format!("cannot read {}", path.display()))?;
            f(Found {
                rel: &r,
                path: &path,
                meta: &meta,
            })?;
            if meta.is_dir() {
                subdirs.push((path, r));
            }
        }
        // Popped in order: the first subdirectory is walked first.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}

/// One entry of [`walk_parallel`]'s result: its path below the root, its
/// `lstat`, and what the visitor made of it.
pub struct Node<T> {
    pub rel: Vec<u8>,
    pub meta: Metadata,
    pub value: T,
}

/// A directory's entries as a worker listed them, and the ids of its
/// subdirectories to walk, in byte order.
struct Listing<T> {
    nodes: Vec<Node<T>>,
    children: Vec<usize>,
}

/// The directories still to list, shared by the workers.
struct Queue {
    /// (id, path, path below the root).
    todo: Vec<(usize, PathBuf, Vec<u8>)>,
    /// Listed or being listed: the walk is over when none are left.
    pending: usize,
    failed: Option<Error>,
}

/// The walk of [`walk`], by `parallel` threads taking directories from one
/// queue, with `visit` called on each entry by the thread that found it.
/// `visit` returns its value for the entry and whether to descend into it
/// (when a directory). The result is in [`walk`]'s order whatever the
/// threads did: each directory's entries in byte order, directories depth
/// first, parents before their children. Each entry costs one `lstat`
/// (std's `DirEntry::metadata`); excluded entries not even that.
pub fn walk_parallel<T, F>(
    root: &Path,
    excludes: &Excludes,
    skip: Option<&Path>,
    parallel: usize,
    visit: F,
) -> Result<Vec<Node<T>>>
where
    T: Send,
    F: Fn(&Found) -> Result<(T, bool)> + Sync,
{
    let queue = Mutex::new(Queue {
        todo: vec![(0, root.to_owned(), Vec::new())],
        pending: 1,
        failed: None,
    });
    let wake = Condvar::new();
    let ids = AtomicUsize::new(1);
    let lock = || queue.lock().unwrap_or_else(|p| p.into_inner());
    let work = || -> Vec<(usize, Listing<T>)> {
        let mut done = Vec::new();
        loop {
            let (id, dir, rel) = {
                let mut q = lock();
                loop {
                    if q.failed.is_some() || q.pending == 0 {
                        return done;
                    }
                    if let Some(job) = q.todo.pop() {
                        break job;
                    }
                    q = wake.wait(q).unwrap_or_else(|p| p.into_inner());
                }
            };
            match list(&dir, &rel, excludes, skip, &visit, &ids) {
                Ok((listing, subdirs)) => {
                    done.push((id, listing));
                    let mut q = lock();
                    q.pending += subdirs.len();
                    q.pending -= 1;
                    let more = !subdirs.is_empty();
                    q.todo.extend(subdirs);
                    if more || q.pending == 0 {
                        wake.notify_all();
                    }
                }
                Err(e) => {
                    lock().failed.get_or_insert(e);
                    wake.notify_all();
                    return done;
                }
            }
        }
    };
    let threads = parallel.clamp(1, 64);
    let mut listings: Vec<(usize, Listing<T>)> = if threads == 1 {
        work()
    } else {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    };
    if let Some(e) = queue.into_inner().unwrap_or_else(|p| p.into_inner()).failed {
        return Err(e);
    }
    // Directories depth first, each one's entries together: the order of
    // the sequential walk.
    let mut by_id: Vec<Option<Listing<T>>> =
        (0..ids.load(Ordering::Relaxed)).map(|_| None).collect();
    for (id, l) in listings.drain(..) {
        by_id[id] = Some(l);
    }
    let mut out = Vec::new();
    let mut stack = vec![0];
    while let Some(id) = stack.pop() {
        let l = by_id[id]
            .take()
            .ok_or_else(|| Error::internal("a directory of the walk was not listed"))?;
        out.extend(l.nodes);
        stack.extend(l.children.into_iter().rev());
    }
    Ok(out)
}

/// Lists one directory for [`walk_parallel`]: its entries, visited, and
/// the subdirectories to walk next.
#[allow(clippy::type_complexity)]
fn list<T, F>(
    dir: &Path,
    rel: &[u8],
    excludes: &Excludes,
    skip: Option<&Path>,
    visit: &F,
    ids: &AtomicUsize,
) -> Result<(Listing<T>, Vec<(usize, PathBuf, Vec<u8>)>)>
where
    F: Fn(&Found) -> Result<(T, bool)>,
{
    ptest_shared::interrupt::check()?;
    let mut entries: Vec<(std::ffi::OsString, fs::DirEntry)> = fs::read_dir(dir)
        .io_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| e.map(|e| (e.file_name(), e)))
        .collect::<std::io::Result<_>>()
        .io_context(|| format!("cannot list {}", dir.display()))?;
    entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut listing = Listing {
        nodes: Vec::with_capacity(entries.len()),
        children: Vec::new(),
    };
    let mut subdirs = Vec::new();
    let mut path = dir.to_path_buf();
    for (name, entry) in entries {
        let mut r = Vec::with_capacity(rel.len() + 1 + name.len());
        r.extend_from_slice(rel);
        if !r.is_empty() {
            r.push(b'/');
        }
        r.extend_from_slice(name.as_bytes());
        path.push(&name);
        if excludes.matches(&r) || skip.is_some_and(|s| s == path) {
            path.pop();
            continue;
        }
        // No symlink followed: fstatat(AT_SYMLINK_NOFOLLOW) on the
        // directory's descriptor with glibc, lstat of the whole path with
        // musl (what std does there).
        let meta = entry
            .metadata()
            .io_context(|| format!("cannot read {}", path.display()))?;
        let (value, descend) = visit(&Found {
            rel: &r,
            path: &path,
            meta: &meta,
        })?;
        if descend && meta.is_dir() {
            let id = ids.fetch_add(1, Ordering::Relaxed);
            listing.children.push(id);
            subdirs.push((id, path.clone(), r.clone()));
        }
        listing.nodes.push(Node {
            rel: r,
            meta,
            value,
        });
        path.pop();
    }
    Ok((listing, subdirs))
}

/// What taking a snapshot counted.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub bytes: u64,
    pub bytes_new: u64,
    pub bytes_hashed: u64,
    pub objects_new: u64,
    /// Sockets, FIFOs and devices: not data, left out.
    pub skipped: u64,
}

/// A file whose ctime is this close to the start of the scan may change
/// again without its ctime changing (timestamps are coarse): it is hashed
/// but not cached.
const RACY_NS: i64 = crate::index::RACY_NS;

/// A regular file whose contents must be read: its entry's index.
struct Job {
    entry: usize,
    path: PathBuf,
    meta: Metadata,
    key: String,
}

/// What the walk found: entries (files' hashes still empty where they
/// must be read, or where they are another name of a hard-link group).
struct Walked {
    entries: Vec<Entry>,
    jobs: Vec<Job>,
    /// Later names of a hard-link group → the entry of its first name.
    same_as: Vec<(usize, usize)>,
    stats: Stats,
    index: Index,
}

/// Takes the snapshot `id` of `source` (absolute, a directory): its
/// manifest, with every file's contents in the store, read by `parallel`
/// threads.
pub fn snapshot(
    store: &Store,
    source: &Path,
    excludes: &Excludes,
    id: &str,
    parallel: usize,
) -> Result<(Manifest, Stats, Index)> {
    let root_meta =
        fs::metadata(source).io_context(|| format!("cannot read {}", source.display()))?;
    let started = ptest_shared::record::Timestamp::now().as_nanosecond() as i64;
    let mut cache = Cache::load(store);
    let root = Root {
        mode: root_meta.mode() & 0o7777,
        mtime_ns: mtime_ns(&root_meta),
        xattrs: read_xattrs(source)?,
        uid: Some(root_meta.uid()),
        gid: Some(root_meta.gid()),
    };
    let mut w = walk_tree(store, &cache, source, excludes, parallel, &root)?;
    let done = hash_all(store, &w.jobs, parallel)?;
    for (job, (got, after)) in w.jobs.iter().zip(done) {
        let hash = hex(&got.hash);
        w.stats.bytes_hashed += got.hashed;
        if got.new {
            w.stats.bytes_new += got.hashed;
            w.stats.objects_new += 1;
        }
        if ctime_ns(&after) < started - RACY_NS {
            let entry = CacheEntry {
                size: after.size(),
                mtime_ns: mtime_ns(&after),
                ctime_ns: ctime_ns(&after),
                hash: hash.clone(),
            };
            cache.put(job.key.clone(), entry);
        }
        set_hash(&mut w.entries[job.entry], hash);
    }
    for &(later, first) in &w.same_as {
        let hash = match &w.entries[first] {
            Entry::File { hash, .. } => hash.clone(),
            _ => return Err(Error::internal("a hard-link group of a non-file")),
        };
        set_hash(&mut w.entries[later], hash);
    }
    drop_lone_links(&mut w.entries);
    if let Err(e) = cache.save(store) {
        eprintln!(
            "ptest-snap: warning: {} (the cache is only a hint)",
            e.message
        );
    }
    let manifest = Manifest {
        format: FORMAT,
        id: id.to_owned(),
        source: source.to_string_lossy().into_owned(),
        created_at: ptest_shared::record::now_rfc3339(),
        excludes: excludes.0.clone(),
        root,
        venv: None,
        container: None,
        entries: w.entries,
    };
    Ok((manifest, w.stats, w.index))
}

fn set_hash(e: &mut Entry, h: String) {
    if let Entry::File { hash, .. } = e {
        *hash = h;
    }
}

/// A group whose other names were excluded is a plain file.
fn drop_lone_links(entries: &mut [Entry]) {
    let mut members: HashMap<u32, u32> = HashMap::new();
    for e in entries.iter() {
        if let Entry::File { link: Some(g), .. } = e {
            *members.entry(*g).or_default() += 1;
        }
    }
    for e in entries.iter_mut() {
        if let Entry::File { link, .. } = e
            && link.is_some_and(|g| members[&g] < 2)
        {
            *link = None;
        }
    }
}

/// What the walk's threads learn of an entry beyond its `lstat`.
enum Seen {
    Dir(Xattrs),
    Symlink(Vec<u8>),
    /// A regular file, and its hash when the cache knows it as it is and
    /// the store holds the object.
    File(Xattrs, Option<String>),
    Other,
}

/// Walks the tree into entries, `parallel` threads reading metadata; a
/// file the cache knows gets its hash now, the others become jobs. Each
/// entry's owner is recorded where it differs from `root`'s.
fn walk_tree(
    store: &Store,
    cache: &Cache,
    source: &Path,
    excludes: &Excludes,
    parallel: usize,
    root: &Root,
) -> Result<Walked> {
    let mut w = Walked {
        entries: Vec::new(),
        jobs: Vec::new(),
        same_as: Vec::new(),
        stats: Stats::default(),
        index: Index::fresh(),
    };
    let bar = ptest_shared::output::progress(0, format!("snapshot of {}", source.display()));
    let state_root =
        fs::canonicalize(store.state.path()).unwrap_or_else(|_| store.state.path().to_owned());
    let nodes = walk_parallel(source, excludes, Some(&state_root), parallel, |f| {
        bar.inc(1);
        let ft = f.meta.file_type();
        let seen = if ft.is_dir() {
            Seen::Dir(read_xattrs(f.path)?)
        } else if ft.is_symlink() {
            let target =
                fs::read_link(f.path).io_context(|| format!("cannot read {}", f.path.display()))?;
            Seen::Symlink(target.into_os_string().into_vec())
        } else if ft.is_file() {
            let want = CacheEntry {
                size: f.meta.size(),
                mtime_ns: mtime_ns(f.meta),
                ctime_ns: ctime_ns(f.meta),
                hash: String::new(),
            };
            let known = cache
                .get(&Cache::key(f.meta.dev(), f.meta.ino()), &want)
                .filter(|h| store.has(h))
                .map(str::to_owned);
            Seen::File(read_xattrs(f.path)?, known)
        } else {
            Seen::Other
        };
        Ok((seen, true))
    })?;
    bar.finish_and_clear();
    // Hard-link groups: (dev, inode) → (group, entry of the first name).
    let mut links: HashMap<(u64, u64), (u32, usize)> = HashMap::new();
    for Node { rel, meta, value } in nodes {
        w.index.note(&rel, &meta);
        let path_b = Bytes(rel);
        let before = w.entries.len();
        match value {
            Seen::Dir(xattrs) => {
                w.stats.dirs += 1;
                w.entries.push(Entry::Dir {
                    path: path_b,
                    mode: meta.mode() & 0o7777,
                    mtime_ns: mtime_ns(&meta),
                    xattrs,
                    uid: None,
                    gid: None,
                });
            }
            Seen::Symlink(target) => {
                w.stats.symlinks += 1;
                w.entries.push(Entry::Symlink {
                    path: path_b,
                    target: Bytes(target),
                    mtime_ns: mtime_ns(&meta),
                    uid: None,
                    gid: None,
                });
            }
            Seen::File(xattrs, known) => {
                w.stats.files += 1;
                w.stats.bytes += meta.size();
                let index = w.entries.len();
                let id_key = (meta.dev(), meta.ino());
                let mut hash = String::new();
                let link = match links.get(&id_key) {
                    Some(&(g, first)) => {
                        w.same_as.push((index, first));
                        Some(g)
                    }
                    None => {
                        match known {
                            Some(h) => hash = h,
                            None => w.jobs.push(Job {
                                entry: index,
                                path: source.join(OsStr::from_bytes(&path_b.0)),
                                meta: meta.clone(),
                                key: Cache::key(meta.dev(), meta.ino()),
                            }),
                        }
                        (meta.nlink() > 1).then(|| {
                            let g = links.len() as u32 + 1;
                            links.insert(id_key, (g, index));
                            g
                        })
                    }
                };
                w.entries.push(Entry::File {
                    path: path_b,
                    hash,
                    size: meta.size(),
                    mode: meta.mode() & 0o7777,
                    mtime_ns: mtime_ns(&meta),
                    link,
                    xattrs,
                    uid: None,
                    gid: None,
                });
            }
            Seen::Other => {
                w.stats.skipped += 1;
                eprintln!(
                    "ptest-snap: note: {} is not a file, directory or symlink: left out",
                    source.join(OsStr::from_bytes(&path_b.0)).display()
                );
            }
        }
        if let Some(e) = w.entries.get_mut(before) {
            Manifest::compact_ids(root, e, (meta.uid(), meta.gid()));
        }
    }
    Ok(w)
}

/// Reads every job's file into the store, `parallel` at a time; each
/// result with the file's metadata after it was read.
fn hash_all(store: &Store, jobs: &[Job], parallel: usize) -> Result<Vec<(Ingested, Metadata)>> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<(Ingested, Metadata)>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let bytes: u64 = jobs.iter().map(|j| j.meta.size()).sum();
    let bar = ptest_shared::output::progress(bytes, "hashing");
    std::thread::scope(|s| {
        for _ in 0..parallel.clamp(1, jobs.len().max(1)) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() || failed.lock().is_ok_and(|f| f.is_some()) {
                        return;
                    }
                    match ptest_shared::interrupt::check().and_then(|()| read_one(store, &jobs[i]))
                    {
                        Ok(r) => {
                            bar.inc(jobs[i].meta.size());
                            *results[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
                        }
                        Err(e) => {
                            failed
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    bar.finish_and_clear();
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    results
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|p| p.into_inner())
                .ok_or_else(|| Error::internal("a file was not hashed"))
        })
        .collect()
}

/// Reads one file into the store; 75 when it changed while being read.
fn read_one(store: &Store, job: &Job) -> Result<(Ingested, Metadata)> {
    let (path, meta) = (&job.path, &job.meta);
    let mut f = OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
        .io_context(|| format!("cannot open {}", path.display()))?;
    let got = store.ingest(&mut f, path)?;
    let after = f
        .metadata()
        .io_context(|| format!("cannot read {}", path.display()))?;
    if after.size() != meta.size()
        || mtime_ns(&after) != mtime_ns(meta)
        || got.hashed != meta.size()
    {
        return Err(Error::temp_fail(format!(
            "{} changed while it was being read",
            path.display()
        ))
        .hint("take the snapshot when nothing writes to the tree"));
    }
    Ok((got, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parallel walk gives the sequential walk's order, whatever the
    /// number of threads, leaves out what is excluded and does not descend
    /// where told not to.
    #[test]
    fn the_parallel_walk_keeps_the_sequential_order() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        for a in 0..6 {
            for b in 0..4 {
                let d = root.join(format!("a{a}/b{b}/c"));
                fs::create_dir_all(&d).unwrap();
                for f in 0..5 {
                    fs::write(d.join(format!("f{f}")), "x").unwrap();
                    fs::write(root.join(format!("a{a}/b{b}/g{f}.pyc")), "x").unwrap();
                }
                std::os::unix::fs::symlink("c", root.join(format!("a{a}/b{b}/link"))).unwrap();
            }
        }
        let ex = Excludes(vec!["*.pyc".into()]);
        let mut want = Vec::new();
        walk(root, &ex, None, &mut |f| {
            want.push(f.rel.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(want.len(), 6 + 6 * 4 * (1 + 1 + 1 + 5));
        for n in [1, 2, 8] {
            let got = walk_parallel(root, &ex, None, n, |f| Ok((f.meta.is_dir(), true))).unwrap();
            let rels: Vec<Vec<u8>> = got.iter().map(|x| x.rel.clone()).collect();
            assert_eq!(rels, want, "{n} threads");
        }
        let pruned =
            walk_parallel(root, &ex, None, 4, |f| Ok(((), !f.rel.ends_with(b"b1")))).unwrap();
        assert!(pruned.iter().any(|x| x.rel.ends_with(b"/b1")));
        assert!(
            !pruned
                .iter()
                .any(|x| x.rel.windows(4).any(|w| w == b"/b1/"))
        );
    }

    #[test]
    fn globs() {
        let ex = Excludes(vec![
            "*.pyc".into(),
            "build/**".into(),
            "__pycache__".into(),
        ]);
        assert!(ex.matches(b"a/b/x.pyc"));
        assert!(ex.matches(b"build/a/b"));
        assert!(!ex.matches(b"src/build/a"));
        assert!(ex.matches(b"pkg/__pycache__"));
        assert!(!ex.matches(b"x.py"));
        assert!(glob(b"a?c", b"abc"));
        assert!(!glob(b"a*c", b"ab/c"));
        assert!(glob(b"a**c", b"ab/c"));
    }
}
