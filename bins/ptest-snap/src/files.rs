//! What snapshots need from the filesystem beyond `std`: nanosecond
//! times, extended attributes, owners, reflinks (FICLONE) and
//! `copy_file_range`.

use crate::manifest::{Xattrs, hex, unhex};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

pub fn mtime_ns(m: &Metadata) -> i64 {
    m.mtime() * 1_000_000_000 + m.mtime_nsec()
}

pub fn ctime_ns(m: &Metadata) -> i64 {
    m.ctime() * 1_000_000_000 + m.ctime_nsec()
}

fn timespec(ns: i64) -> nix::sys::time::TimeSpec {
    nix::sys::time::TimeSpec::new(ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000))
}

/// Sets the mtime of `path` itself (a symlink is not followed); the atime
/// is left as it is.
pub fn set_mtime(path: &Path, ns: i64) -> Result<()> {
    nix::sys::stat::utimensat(
        nix::fcntl::AT_FDCWD,
        path,
        &nix::sys::time::TimeSpec::UTIME_OMIT,
        &timespec(ns),
        nix::sys::stat::UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| Error::io(format!("cannot set the mtime of {}: {e}", path.display())))
}

/// Sets the mtime of an open file.
pub fn set_mtime_fd(f: &File, ns: i64, what: &Path) -> Result<()> {
    nix::sys::stat::futimens(f, &nix::sys::time::TimeSpec::UTIME_OMIT, &timespec(ns))
        .map_err(|e| Error::io(format!("cannot set the mtime of {}: {e}", what.display())))
}

/// Set once reading extended attributes failed for want of support, so
/// that the note is given once.
static XATTRS_UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Whether some file's extended attributes could not be read because the
/// filesystem does not support them.
pub fn xattrs_unsupported() -> bool {
    XATTRS_UNSUPPORTED.load(Ordering::Relaxed)
}

/// The `user.*` extended attributes of `path` itself (not following a
/// symlink). Other namespaces (`security.*`, `trusted.*`, ACLs) belong to
/// the system and are not kept. A filesystem without xattrs gives none.
pub fn read_xattrs(path: &Path) -> Result<Xattrs> {
    let mut out = Xattrs::new();
    let names = match xattr::list(path) {
        Ok(n) => n,
        Err(e) if unsupported(&e) => {
            XATTRS_UNSUPPORTED.store(true, Ordering::Relaxed);
            return Ok(out);
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot list the xattrs of {}", path.display()),
                &e,
            ));
        }
    };
    for name in names {
        let Some(text) = name.to_str().filter(|n| n.starts_with("user.")) else {
            continue;
        };
        if let Some(v) = xattr::get(path, &name)
            .io_context(|| format!("cannot read xattr {text} of {}", path.display()))?
        {
            out.insert(text.to_owned(), hex(&v));
        }
    }
    Ok(out)
}

fn unsupported(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(nix::libc::ENOTSUP | nix::libc::ENOSYS)
    )
}

/// Sets extended attributes on an open file. On a filesystem without
/// them they are skipped (and [`xattrs_unsupported`] says so).
pub fn set_xattrs_fd(f: &File, xattrs: &Xattrs, what: &Path) -> Result<()> {
    use xattr::FileExt;
    for (name, value) in xattrs {
        let v = unhex(value).map_err(|e| Error::data(format!("xattr {name}: {e}")))?;
        skip_unsupported(f.set_xattr(name, &v))
            .io_context(|| format!("cannot set xattr {name} on {}", what.display()))?;
    }
    Ok(())
}

/// Sets extended attributes on `path` itself (as [`set_xattrs_fd`]).
pub fn set_xattrs(path: &Path, xattrs: &Xattrs) -> Result<()> {
    for (name, value) in xattrs {
        let v = unhex(value).map_err(|e| Error::data(format!("xattr {name}: {e}")))?;
        skip_unsupported(xattr::set(path, name, &v))
            .io_context(|| format!("cannot set xattr {name} on {}", path.display()))?;
    }
    Ok(())
}

fn skip_unsupported(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if unsupported(&e) => {
            XATTRS_UNSUPPORTED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r,
    }
}

/// Set once some entry's owner was not restored (not running as root, or
/// the filesystem refused), so that the note is given once.
static OWNERS_SKIPPED: AtomicBool = AtomicBool::new(false);

/// Whether some entry's owner could not be restored.
pub fn owners_skipped() -> bool {
    OWNERS_SKIPPED.load(Ordering::Relaxed)
}

/// The note, once, when some owner was not restored at `target`.
pub fn note_owners(target: &Path) {
    if owners_skipped() {
        eprintln!(
            "ptest-snap: note: the owners of the snapshot's files were not restored at {} (they are yours; run as root to restore them)",
            target.display()
        );
    }
}

/// Whether this process may give files to anyone (euid 0).
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The owner to set on a new entry whose snapshot owner is `owner`:
/// as root, that owner; otherwise none (what we write is ours), noting it
/// unless the owner is ourselves.
fn owner_to_set(owner: Option<(u32, u32)>) -> Option<(u32, u32)> {
    let (uid, gid) = owner?;
    if is_root() {
        return Some((uid, gid));
    }
    if (uid, gid)
        != (
            nix::unistd::geteuid().as_raw(),
            nix::unistd::getegid().as_raw(),
        )
    {
        OWNERS_SKIPPED.store(true, Ordering::Relaxed);
    }
    None
}

/// A refusal that leaves the owner as it is, with the note: ids a user
/// namespace does not map (EINVAL), a filesystem that does not allow it
/// (EPERM: NFS with root squashed, a FUSE mount).
fn owner_result(r: std::io::Result<()>, what: &Path) -> Result<()> {
    match r {
        Err(e) if matches!(e.raw_os_error(), Some(nix::libc::EPERM | nix::libc::EINVAL)) => {
            OWNERS_SKIPPED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.io_context(|| format!("cannot set the owner of {}", what.display())),
    }
}

/// Gives `path` itself (a symlink is not followed) the snapshot's
/// `owner`, as [`owner_to_set`] says. To be called before the mode is
/// set: `chown` clears the setuid and setgid bits.
pub fn set_owner(path: &Path, owner: Option<(u32, u32)>) -> Result<()> {
    match owner_to_set(owner) {
        Some((u, g)) => owner_result(std::os::unix::fs::lchown(path, Some(u), Some(g)), path),
        None => Ok(()),
    }
}

/// [`set_owner`] of an open file.
pub fn set_owner_fd(f: &File, owner: Option<(u32, u32)>, what: &Path) -> Result<()> {
    match owner_to_set(owner) {
        Some((u, g)) => owner_result(std::os::unix::fs::fchown(f, Some(u), Some(g)), what),
        None => Ok(()),
    }
}

/// How a file's contents were copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Reflink = 1,
    CopyFileRange = 2,
    ReadWrite = 4,
}

/// The methods used so far by a restore: a set of [`Method`] bits.
#[derive(Debug, Default)]
pub struct Methods(AtomicU8);

impl Methods {
    pub fn add(&self, m: Method) {
        self.0.fetch_or(m as u8, Ordering::Relaxed);
    }
    /// `reflink`, `copy_file_range`, `read/write`, or those used joined by `+`
    /// (`none` when no file was copied).
    pub fn describe(&self) -> String {
        let bits = self.0.load(Ordering::Relaxed);
        let names: Vec<&str> = [
            (Method::Reflink, "reflink"),
            (Method::CopyFileRange, "copy_file_range"),
            (Method::ReadWrite, "read/write"),
        ]
        .into_iter()
        .filter(|(m, _)| bits & (*m as u8) != 0)
        .map(|(_, n)| n)
        .collect();
        if names.is_empty() {
            "none".into()
        } else {
            names.join("+")
        }
    }
}

/// Tries a reflink of all of `src` into `dst` (the one implementation
/// ptest-venv's clones use too).
pub use ptest_shared::reflink::reflink;

/// Copies `len` bytes of `src` into the empty `dst`: a reflink where the
/// filesystem has them, else `copy_file_range`, else read and write.
pub fn clone_or_copy(src: &File, dst: &File, len: u64, what: &Path) -> Result<Method> {
    if len > 0 && reflink(src, dst).is_ok() {
        return Ok(Method::Reflink);
    }
    let mut done = 0u64;
    let mut method = Method::CopyFileRange;
    while done < len {
        let chunk = (len - done).min(1 << 30) as usize;
        match nix::fcntl::copy_file_range(src, None, dst, None, chunk) {
            Ok(0) => {
                return Err(Error::data(format!(
                    "{}: the store's object is shorter than its manifest says",
                    what.display()
                )));
            }
            Ok(n) => done += n as u64,
            Err(nix::errno::Errno::EINTR) => {}
            Err(
                nix::errno::Errno::EXDEV
                | nix::errno::Errno::ENOSYS
                | nix::errno::Errno::EINVAL
                | nix::errno::Errno::EOPNOTSUPP,
            ) if done == 0 => {
                method = Method::ReadWrite;
                let mut r = src;
                let mut w = dst;
                let n = std::io::copy(&mut r, &mut w)
                    .io_context(|| format!("cannot write {}", what.display()))?;
                if n != len {
                    return Err(Error::data(format!(
                        "{}: the store's object holds {n} bytes, not {len}",
                        what.display()
                    )));
                }
                break;
            }
            Err(e) => return Err(Error::io(format!("cannot write {}: {e}", what.display()))),
        }
    }
    Ok(method)
}

/// How [`rename2`] renames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rename {
    /// Swap the two paths, atomically (`RENAME_EXCHANGE`).
    Exchange,
    /// Rename, failing with `EEXIST` rather than replacing (`RENAME_NOREPLACE`).
    NoReplace,
}

/// `renameat2(2)`, which nix wraps only for glibc: called directly, so that
/// the static musl build has it too.
pub fn rename2(from: &Path, to: &Path, how: Rename) -> nix::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    const RENAME_NOREPLACE: nix::libc::c_uint = 1;
    const RENAME_EXCHANGE: nix::libc::c_uint = 2;
    let flags = match how {
        Rename::Exchange => RENAME_EXCHANGE,
        Rename::NoReplace => RENAME_NOREPLACE,
    };
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|_| nix::errno::Errno::EINVAL)
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: renameat2 reads two NUL-terminated paths that live across the
    // call; AT_FDCWD needs no descriptor; no memory is written.
    let r = unsafe {
        nix::libc::syscall(
            nix::libc::SYS_renameat2,
            nix::libc::AT_FDCWD,
            from.as_ptr(),
            nix::libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    nix::errno::Errno::result(r).map(drop)
}

/// What `doctor` finds in directory `dir` (in the state directory's
/// filesystem): reflinks, `copy_file_range`, `renameat2` exchange, xattrs.
pub fn probe(dir: &Path) -> Vec<ptest_shared::checks::Check> {
    use crate::commands::check;
    use std::io::Write;
    let (a, b) = (dir.join("a"), dir.join("b"));
    let made = File::create(&a).and_then(|mut f| f.write_all(b"ptest snap doctor\n"));
    let open = || -> std::io::Result<(File, File)> { Ok((File::open(&a)?, File::create(&b)?)) };
    let fs_note = "the state directory's filesystem";
    let reflinks = made
        .and_then(|()| open())
        .map_err(|e| e.to_string())
        .and_then(|(src, dst)| {
            reflink(&src, &dst)
                .map(|()| format!("{fs_note} clones files (FICLONE): restores share extents"))
                .map_err(|e| format!("{fs_note} cannot clone files ({e}): restores copy"))
        });
    let cfr = open().map_err(|e| e.to_string()).and_then(|(src, dst)| {
        nix::fcntl::copy_file_range(&src, None, &dst, None, 64)
            .map(|_| "copy_file_range works: copies stay in the kernel".to_owned())
            .map_err(|e| format!("copy_file_range fails ({e}): restores read and write"))
    });
    let exchange = std::fs::create_dir_all(dir.join("d"))
        .map_err(|e| e.to_string())
        .and_then(|()| {
            rename2(&dir.join("d"), &a, Rename::Exchange)
                .map(|()| {
                    "renameat2(RENAME_EXCHANGE) works: restores over a tree are atomic".to_owned()
                })
                .map_err(|e| format!("renameat2(RENAME_EXCHANGE) fails here ({e})"))
        });
    let xattrs = xattr::set(&b, "user.ptest", b"1")
        .map(|()| "user.* extended attributes are kept".to_owned())
        .map_err(|e| format!("no user.* extended attributes here ({e}): none are kept"));
    vec![
        check(
            "snap.reflink",
            reflinks,
            "a filesystem with reflinks (btrfs, XFS, bcachefs) under PTEST_HOME makes restores nearly free",
        ),
        check("snap.copy_file_range", cfr, "Linux 5.3 or newer"),
        check(
            "snap.renameat2",
            exchange,
            "restore over an existing directory needs renameat2 (Linux 3.15, most local filesystems)",
        ),
        check(
            "snap.xattrs",
            xattrs,
            "mount with user_xattr to keep extended attributes",
        ),
    ]
}
