//! Writing a snapshot's tree, whole and atomically: built in a staging
//! directory beside the target (`ptest_shared::staging`), then swapped in
//! with `renameat2(RENAME_EXCHANGE)` when the target exists (the old tree,
//! now in the staging directory's place, is removed after) or renamed into
//! place when it does not. A crash at any moment leaves the old tree or the
//! new one at the target; what is left beside it is the staging directory,
//! which `gc` removes.
//!
//! Files are copied out of the store with reflinks where the filesystem
//! has them, else `copy_file_range`, by a pool of threads; never hard-linked
//! into the store (a test could then write into it).
//!
//! Owners are the snapshot's when restoring as root (before each mode, as
//! `chown` clears setuid bits); otherwise every entry is ours, and a note
//! says so when the snapshot had others ([`crate::files::owners_skipped`]).

use crate::files::{
    Method, Methods, clone_or_copy, set_mtime, set_mtime_fd, set_owner, set_owner_fd, set_xattrs,
    set_xattrs_fd,
};
use crate::manifest::{Entry, Manifest};
use crate::store::Store;
use ptest_shared::error::IoContext;
use ptest_shared::staging::Staging;
use ptest_shared::{Error, Result};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub files: u64,
    pub bytes: u64,
    /// `reflink`, `copy_file_range`, `read/write` or a mix joined by `+`.
    pub method: String,
    /// The target existed and was swapped.
    pub replaced: bool,
}

/// Whether `target` exists as a directory (`Ok(true)`), is absent
/// (`Ok(false)`), or is something a restore must not replace (73).
pub fn target_state(target: &Path) -> Result<bool> {
    ptest_shared::staging::existing_dir(target)
}

/// Restores `m` at `target` (absolute), atomically.
pub fn restore(store: &Store, m: &Manifest, target: &Path, parallel: usize) -> Result<Restored> {
    let exists = target_state(target)?;
    let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(Error::cant_create(format!(
            "{}: not a directory that can be replaced",
            target.display()
        )));
    };
    // The staging note names a target that never exists, so that `gc`
    // after a crash removes the staging directory (the partial new tree
    // before the swap, the old tree after it) and nothing else.
    let decoy = parent.join(format!(
        ".{}.ptest-snap-{}",
        name.to_string_lossy(),
        ptest_shared::record::random_hex(4)
    ));
    let staging = Staging::beside(&store.state, &decoy, &m.id)?;
    let methods = Methods::default();
    write_tree(store, m, staging.path(), parallel, &methods)?;
    ptest_shared::interrupt::check()?;
    let how = if exists {
        crate::files::Rename::Exchange
    } else {
        crate::files::Rename::NoReplace
    };
    crate::files::rename2(staging.path(), target, how).map_err(|e| match e {
        nix::errno::Errno::EEXIST => Error::cant_create(format!(
            "{} appeared while the snapshot was being restored: nothing was changed",
            target.display()
        )),
        e => Error::io(format!("cannot swap {} into place: {e}", target.display()))
            .hint("`ptest snap doctor` tells whether this filesystem has renameat2"),
    })?;
    // The new tree is in place: the restore stands whatever follows.
    if exists && let Err(e) = remove_tree(staging.path()) {
        // The old tree, where the staging directory was.
        eprintln!(
            "ptest-snap: warning: {} (the old tree is left at {})",
            e.message,
            staging.path().display()
        );
    }
    staging.finish();
    Ok(Restored {
        files: m.file_count(),
        bytes: m.bytes(),
        method: methods.describe(),
        replaced: exists,
    })
}

/// Removes a tree we own, making read-only directories writable first.
pub fn remove_tree(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) => {
            // A directory of mode 0555 holds its entries for anyone but root.
            let _ = crate::scan::walk(path, &Default::default(), None, &mut |f| {
                if f.meta.is_dir() {
                    let _ = fs::set_permissions(f.path, fs::Permissions::from_mode(0o700));
                }
                Ok(())
            });
            let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o700));
            fs::remove_dir_all(path).io_context(|| format!("cannot remove {}", path.display()))
        }
    }
}

pub fn at(dst: &Path, rel: &[u8]) -> PathBuf {
    dst.join(std::ffi::OsStr::from_bytes(rel))
}

/// Writes the whole tree of `m` into the empty directory `dst`, which we
/// made: directories first, then symlinks and files (in parallel), hard
/// links, and last the directories' owners, modes and times, deepest first.
pub fn write_tree(
    store: &Store,
    m: &Manifest,
    dst: &Path,
    parallel: usize,
    methods: &Methods,
) -> Result<()> {
    for e in &m.entries {
        if let Entry::Dir { path, .. } = e {
            let p = at(dst, &path.0);
            fs::create_dir(&p).io_context(|| format!("cannot create {}", p.display()))?;
        }
    }
    for e in &m.entries {
        if let Entry::Symlink {
            path,
            target,
            mtime_ns,
            ..
        } = e
        {
            let p = at(dst, &path.0);
            std::os::unix::fs::symlink(target.as_path(), &p)
                .io_context(|| format!("cannot create {}", p.display()))?;
            set_owner(&p, m.owner(e))?;
            set_mtime(&p, *mtime_ns)?;
        }
    }
    // The first file of each hard-link group is written; the rest link to it.
    let mut first: HashMap<u32, &[u8]> = HashMap::new();
    let mut jobs = Vec::new();
    let mut linked = Vec::new();
    for e in &m.entries {
        if let Entry::File { path, link, .. } = e {
            match link.map(|g| first.get(&g).copied().ok_or(g)) {
                Some(Ok(to)) => linked.push((to, &path.0)),
                Some(Err(g)) => {
                    first.insert(g, &path.0);
                    jobs.push(e);
                }
                None => jobs.push(e),
            }
        }
    }
    copy_files(store, m, &jobs, dst, parallel, methods)?;
    for (to, from) in linked {
        let (to, from) = (at(dst, to), at(dst, from));
        fs::hard_link(&to, &from).io_context(|| format!("cannot link {}", from.display()))?;
    }
    for e in m.entries.iter().rev() {
        if let Entry::Dir {
            path,
            mode,
            mtime_ns,
            xattrs,
            ..
        } = e
        {
            let p = at(dst, &path.0);
            set_owner(&p, m.owner(e))?;
            finish_dir(&p, *mode, *mtime_ns, xattrs)?;
        }
    }
    set_owner(dst, m.root.owner())?;
    finish_dir(dst, m.root.mode, m.root.mtime_ns, &m.root.xattrs)
}

pub fn finish_dir(
    p: &Path,
    mode: u32,
    mtime_ns: i64,
    xattrs: &crate::manifest::Xattrs,
) -> Result<()> {
    set_xattrs(p, xattrs)?;
    fs::set_permissions(p, fs::Permissions::from_mode(mode))
        .io_context(|| format!("cannot chmod {}", p.display()))?;
    set_mtime(p, mtime_ns)
}

/// Copies each file entry of `jobs` out of the store, `parallel` at a time.
fn copy_files(
    store: &Store,
    m: &Manifest,
    jobs: &[&Entry],
    dst: &Path,
    parallel: usize,
    methods: &Methods,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<Error>> = Mutex::new(None);
    let bar = ptest_shared::output::progress(jobs.len() as u64, "restoring");
    let workers = parallel.clamp(1, jobs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() || failed.lock().is_ok_and(|f| f.is_some()) {
                        return;
                    }
                    let r = ptest_shared::interrupt::check()
                        .and_then(|()| write_file(store, jobs[i], m.owner(jobs[i]), dst))
                        .map(|m| methods.add(m));
                    if let Err(e) = r {
                        let mut f = failed.lock().unwrap_or_else(|p| p.into_inner());
                        f.get_or_insert(e);
                        return;
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    match failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Writes one file entry at its path below `dst` (which must not exist).
pub fn write_file(
    store: &Store,
    e: &Entry,
    owner: Option<(u32, u32)>,
    dst: &Path,
) -> Result<Method> {
    write_file_at(store, e, owner, &at(dst, &e.path().0))
}

/// Writes one file entry at `p`, which must not exist, owned by `owner`
/// (its owner in the manifest: [`Manifest::owner`]) as
/// [`crate::files::set_owner`] says.
pub fn write_file_at(
    store: &Store,
    e: &Entry,
    owner: Option<(u32, u32)>,
    p: &Path,
) -> Result<Method> {
    let Entry::File {
        path,
        hash,
        size,
        mode,
        mtime_ns,
        xattrs,
        ..
    } = e
    else {
        return Err(Error::internal("write_file of a non-file"));
    };
    let object = store.object_path(hash);
    let src = File::open(&object).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::data(format!(
                "the store has lost object {hash} (of {}): run `ptest snap verify`",
                path.show()
            ))
        } else {
            Error::from_io(format!("cannot open {}", object.display()), &e)
        }
    })?;
    let have = src
        .metadata()
        .io_context(|| format!("cannot read {}", object.display()))?
        .len();
    if have != *size {
        return Err(Error::data(format!(
            "object {hash} (of {}) holds {have} bytes, not {size}: the store is corrupt; run `ptest snap verify`",
            path.show()
        )));
    }
    let out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(p)
        .io_context(|| format!("cannot create {}", p.display()))?;
    let method = clone_or_copy(&src, &out, *size, p)?;
    set_xattrs_fd(&out, xattrs, p)?;
    set_owner_fd(&out, owner, p)?;
    out.set_permissions(fs::Permissions::from_mode(*mode))
        .io_context(|| format!("cannot chmod {}", p.display()))?;
    set_mtime_fd(&out, *mtime_ns, p)?;
    Ok(method)
}
