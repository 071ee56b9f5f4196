//! `reset`: the tree at a snapshot's source put back as the snapshot has
//! it, touching only what differs ([`crate::compare::plan`]). Each file is
//! replaced whole (written beside it, renamed over it), so a reader never
//! sees half a file; the reset as a whole is not atomic (a full `restore`
//! is).

use crate::compare::owner_differs;
use crate::compare::{Change, Plan};
use crate::files::{is_root, mtime_ns, read_xattrs, set_mtime, set_owner, set_xattrs};
use crate::manifest::{Entry, Manifest};
use crate::restore::{at, finish_dir, remove_tree, write_file_at};
use crate::store::Store;
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// What a reset did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Paths added since the snapshot, removed.
    pub removed: u64,
    /// Paths removed since the snapshot, put back.
    pub restored: u64,
    /// Paths whose contents or type changed, rewritten.
    pub rewritten: u64,
    /// Paths whose mode, mtime, owner or xattrs only changed, fixed.
    pub metadata: u64,
    /// Directories whose mode, mtime, owner or xattrs were put back (most only
    /// because an entry in them was made or removed): not counted as
    /// touched.
    pub dirs: u64,
    /// Bytes written from the store.
    pub bytes_written: u64,
}

impl Counts {
    pub fn touched(&self) -> u64 {
        self.removed + self.restored + self.rewritten + self.metadata
    }
}

/// A temporary name beside `p`, for writing it whole before the rename.
fn beside(p: &Path) -> PathBuf {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    p.with_file_name(format!(
        ".{name}.ptest-snap-{}",
        ptest_shared::record::random_hex(4)
    ))
}

/// Applies `plan` to the tree at `root`. Owners are put back as root
/// (before modes: `chown` clears setuid bits), and compared only then.
pub fn apply(store: &Store, m: &Manifest, root: &Path, plan: &Plan) -> Result<Counts> {
    let mut c = Counts::default();
    let compared = |o: Option<(u32, u32)>| o.filter(|_| is_root());
    // Where each hard-link group's first rewritten name is.
    let mut groups: HashMap<u32, PathBuf> = HashMap::new();
    for change in &plan.changes {
        ptest_shared::interrupt::check()?;
        match change {
            Change::Added { path, .. } => {
                let p = at(root, &path.0);
                remove_any(&p)?;
                c.removed += 1;
            }
            Change::Removed(i) => {
                put(store, m, &m.entries[*i], root, &mut groups, &mut c)?;
                c.restored += 1;
            }
            Change::Changed { entry, .. } => {
                put(store, m, &m.entries[*entry], root, &mut groups, &mut c)?;
                c.rewritten += 1;
            }
            // Directories are put back last, below.
            Change::Metadata(i) if matches!(m.entries[*i], Entry::Dir { .. }) => {}
            Change::Metadata(i) => {
                fix_metadata(&m.entries[*i], m.owner(&m.entries[*i]), root)?;
                c.metadata += 1;
            }
        }
    }
    // Entries made or removed changed their directories' mtimes: every
    // directory whose metadata differs now is put back, deepest first.
    for e in m.entries.iter().rev() {
        if let Entry::Dir { path, .. } = e {
            let p = at(root, &path.0);
            let meta =
                fs::symlink_metadata(&p).io_context(|| format!("cannot read {}", p.display()))?;
            let owner = m.owner(e);
            if dir_differs(e, &meta, &p)? || owner_differs(compared(owner), &meta) {
                fix_metadata(e, owner, root)?;
                c.dirs += 1;
            }
        }
    }
    let meta =
        fs::symlink_metadata(root).io_context(|| format!("cannot read {}", root.display()))?;
    if meta.mode() & 0o7777 != m.root.mode
        || mtime_ns(&meta) != m.root.mtime_ns
        || owner_differs(compared(m.root.owner()), &meta)
        || read_xattrs(root)? != m.root.xattrs
    {
        drop_extra_xattrs(root, &m.root.xattrs)?;
        set_owner(root, m.root.owner())?;
        finish_dir(root, m.root.mode, m.root.mtime_ns, &m.root.xattrs)?;
        c.dirs += 1;
    }
    Ok(c)
}

fn dir_differs(e: &Entry, meta: &fs::Metadata, p: &Path) -> Result<bool> {
    Ok(match e {
        Entry::Dir {
            mode,
            mtime_ns: t,
            xattrs,
            ..
        } => meta.mode() & 0o7777 != *mode || mtime_ns(meta) != *t || read_xattrs(p)? != *xattrs,
        _ => false,
    })
}

/// Removes a file, symlink or whole directory; gone already is fine.
fn remove_any(p: &Path) -> Result<()> {
    match fs::symlink_metadata(p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::from_io(format!("cannot read {}", p.display()), &e)),
        Ok(m) if m.is_dir() => remove_tree(p),
        Ok(_) => fs::remove_file(p).io_context(|| format!("cannot remove {}", p.display())),
    }
}

/// Puts entry `e` at its path below `root`, replacing what is there.
fn put(
    store: &Store,
    m: &Manifest,
    e: &Entry,
    root: &Path,
    groups: &mut HashMap<u32, PathBuf>,
    c: &mut Counts,
) -> Result<()> {
    let p = at(root, &e.path().0);
    let live = fs::symlink_metadata(&p).ok();
    let owner = m.owner(e);
    match e {
        Entry::Dir {
            mode,
            mtime_ns,
            xattrs,
            ..
        } => {
            if live.as_ref().is_some_and(|m| !m.is_dir()) || live.is_none() {
                remove_any(&p)?;
                fs::create_dir(&p).io_context(|| format!("cannot create {}", p.display()))?;
            }
            set_owner(&p, owner)?;
            finish_dir(&p, *mode, *mtime_ns, xattrs)
        }
        Entry::Symlink {
            target, mtime_ns, ..
        } => {
            let tmp = beside(&p);
            std::os::unix::fs::symlink(target.as_path(), &tmp)
                .io_context(|| format!("cannot create {}", tmp.display()))?;
            if let Err(e) = set_owner(&tmp, owner).and_then(|()| set_mtime(&tmp, *mtime_ns)) {
                let _ = fs::remove_file(&tmp);
                return Err(e);
            }
            replace(&tmp, &p, live.as_ref())
        }
        Entry::File { link, size, .. } => {
            let tmp = beside(&p);
            match link.and_then(|g| groups.get(&g)) {
                Some(first) => fs::hard_link(first, &tmp)
                    .io_context(|| format!("cannot link {}", tmp.display()))?,
                None => {
                    if let Err(err) = write_file_at(store, e, owner, &tmp) {
                        let _ = fs::remove_file(&tmp);
                        return Err(err);
                    }
                    c.bytes_written += size;
                }
            }
            replace(&tmp, &p, live.as_ref())?;
            if let Some(g) = link {
                groups.entry(*g).or_insert(p);
            }
            Ok(())
        }
    }
}

/// Renames `tmp` over `p`; a directory in the way is removed first.
fn replace(tmp: &Path, p: &Path, live: Option<&fs::Metadata>) -> Result<()> {
    if live.is_some_and(|m| m.is_dir()) {
        remove_tree(p)?;
    }
    fs::rename(tmp, p).map_err(|e| {
        let _ = fs::remove_file(tmp);
        Error::from_io(format!("cannot replace {}", p.display()), &e)
    })
}

/// Puts back an entry's owner, mode, mtime and xattrs, its contents being
/// right.
fn fix_metadata(e: &Entry, owner: Option<(u32, u32)>, root: &Path) -> Result<()> {
    let p = at(root, &e.path().0);
    set_owner(&p, owner)?;
    match e {
        Entry::Dir {
            mode,
            mtime_ns,
            xattrs,
            ..
        } => {
            drop_extra_xattrs(&p, xattrs)?;
            finish_dir(&p, *mode, *mtime_ns, xattrs)
        }
        Entry::Symlink { mtime_ns, .. } => set_mtime(&p, *mtime_ns),
        Entry::File {
            mode,
            mtime_ns,
            xattrs,
            ..
        } => {
            drop_extra_xattrs(&p, xattrs)?;
            set_xattrs(&p, xattrs)?;
            fs::set_permissions(&p, fs::Permissions::from_mode(*mode))
                .io_context(|| format!("cannot chmod {}", p.display()))?;
            set_mtime(&p, *mtime_ns)
        }
    }
}

fn drop_extra_xattrs(p: &Path, keep: &crate::manifest::Xattrs) -> Result<()> {
    for name in read_xattrs(p)?.keys().filter(|n| !keep.contains_key(*n)) {
        xattr::remove(p, name)
            .io_context(|| format!("cannot remove xattr {name} of {}", p.display()))?;
    }
    Ok(())
}
