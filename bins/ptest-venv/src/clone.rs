//! Cloning a directory tree: reflinks where the filesystem has them (a
//! copy-on-write copy: independent files at the cost of links), else hard
//! links, or full copies on request.
//!
//! Directories are always made anew, so a clone can gain and lose files
//! (installs, uninstalls, new `__pycache__` entries) without touching its
//! source. With hard links a clone's files *are* the source's files: the
//! template makes them read-only so that an in-place edit fails instead of
//! corrupting every environment that shares them.

use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

/// How files get into a clone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkMode {
    /// Reflink (copy-on-write) where the filesystem can, else hard links.
    Clone,
    /// Hard links: fastest; files are shared (and read-only).
    Hardlink,
    /// Full copies: independent, writable, slowest.
    Copy,
}

impl LinkMode {
    pub fn parse(s: &str) -> Option<LinkMode> {
        match s {
            "clone" => Some(LinkMode::Clone),
            "hardlink" => Some(LinkMode::Hardlink),
            "copy" => Some(LinkMode::Copy),
            _ => None,
        }
    }
}

/// What a clone did: how files were linked in the end (`reflink`,
/// `hardlink` or `copy`) and how many files there were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cloned {
    pub how: &'static str,
    pub files: usize,
}

/// Clones `src` into the new directory `dst` (which must not exist), leaving
/// out top-level entries named in `skip`.
pub fn clone_tree(src: &Path, dst: &Path, mode: LinkMode, skip: &[&str]) -> Result<Cloned> {
    let mut how = match mode {
        LinkMode::Clone => How::TryReflink,
        LinkMode::Hardlink => How::Hardlink,
        LinkMode::Copy => How::Copy,
    };
    let mut files = 0;
    fs::create_dir(dst).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::cant_create(format!("{} exists already", dst.display()))
                .hint("choose another --dir, or remove it first")
        } else {
            Error::from_io(format!("cannot create {}", dst.display()), &e)
        }
    })?;
    walk(src, dst, skip, &mut how, &mut files)?;
    Ok(Cloned {
        how: match how {
            How::TryReflink | How::Reflink => "reflink",
            How::Hardlink => "hardlink",
            How::Copy => "copy",
        },
        files,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum How {
    /// Not yet known whether this filesystem can reflink.
    TryReflink,
    Reflink,
    Hardlink,
    Copy,
}

fn walk(src: &Path, dst: &Path, skip: &[&str], how: &mut How, files: &mut usize) -> Result<()> {
    let entries = fs::read_dir(src).io_context(|| format!("cannot list {}", src.display()))?;
    for entry in entries {
        let entry = entry.io_context(|| format!("cannot list {}", src.display()))?;
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let from = entry.path();
        let to = dst.join(&name);
        let ft = entry
            .file_type()
            .io_context(|| format!("cannot stat {}", from.display()))?;
        if ft.is_dir() {
            fs::create_dir(&to).io_context(|| format!("cannot create {}", to.display()))?;
            walk(&from, &to, &[], how, files)?;
        } else if ft.is_symlink() {
            let target =
                fs::read_link(&from).io_context(|| format!("cannot read {}", from.display()))?;
            symlink(&target, &to).io_context(|| format!("cannot create {}", to.display()))?;
        } else if ft.is_file() {
            link_file(&from, &to, how)?;
            *files += 1;
        }
    }
    Ok(())
}

fn link_file(from: &Path, to: &Path, how: &mut How) -> Result<()> {
    loop {
        match *how {
            How::Hardlink => match fs::hard_link(from, to) {
                Ok(()) => return Ok(()),
                // Another filesystem: fall back to copies for the rest.
                Err(e) if e.raw_os_error() == Some(nix::libc::EXDEV) => *how = How::Copy,
                Err(e) => {
                    return Err(Error::from_io(format!("cannot link {}", to.display()), &e));
                }
            },
            How::TryReflink | How::Reflink => match reflink(from, to) {
                Ok(()) => {
                    *how = How::Reflink;
                    return Ok(());
                }
                // The first refusal (EOPNOTSUPP, EXDEV, EINVAL…) means
                // this filesystem cannot: hard links from now on.
                Err(_) if *how == How::TryReflink => {
                    let _ = fs::remove_file(to);
                    *how = How::Hardlink;
                }
                Err(e) => {
                    return Err(Error::from_io(format!("cannot clone {}", to.display()), &e));
                }
            },
            How::Copy => return copy(from, to),
        }
    }
}

/// A copy-on-write copy, writable, with the source's mtime (so that
/// bytecode stays valid for its source).
fn reflink(from: &Path, to: &Path) -> std::io::Result<()> {
    let src = fs::File::open(from)?;
    let meta = src.metadata()?;
    let dst = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(to)?;
    ptest_shared::reflink::reflink(&src, &dst)?;
    finish(&dst, &meta)
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    let run = || -> std::io::Result<()> {
        let mut src = fs::File::open(from)?;
        let meta = src.metadata()?;
        let mut dst = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)?;
        std::io::copy(&mut src, &mut dst)?;
        finish(&dst, &meta)
    };
    run().map_err(|e| Error::from_io(format!("cannot copy {}", to.display()), &e))
}

/// Gives an independent copy the source's mode (plus the owner's write bit)
/// and mtime.
fn finish(dst: &fs::File, meta: &fs::Metadata) -> std::io::Result<()> {
    dst.set_permissions(fs::Permissions::from_mode(
        (meta.permissions().mode() | 0o200) & 0o7777,
    ))?;
    dst.set_modified(meta.modified()?)
}

/// Makes every regular file under `dir` read-only (directories stay
/// writable, so the tree can still be removed).
pub fn make_read_only(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).io_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.io_context(|| format!("cannot list {}", dir.display()))?;
        let ft = entry
            .file_type()
            .io_context(|| format!("cannot stat {}", entry.path().display()))?;
        let path = entry.path();
        if ft.is_dir() {
            make_read_only(&path)?;
        } else if ft.is_file() {
            let meta = entry
                .metadata()
                .io_context(|| format!("cannot stat {}", path.display()))?;
            let mode = meta.permissions().mode() & !0o222;
            fs::set_permissions(&path, fs::Permissions::from_mode(mode))
                .io_context(|| format!("cannot chmod {}", path.display()))?;
        }
    }
    Ok(())
}

/// Total size in bytes of the regular files under `dir` (hard links
/// counted once per walk).
pub fn tree_size(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let Ok(m) = fs::symlink_metadata(e.path()) else {
                continue;
            };
            if m.is_dir() {
                stack.push(e.path());
            } else if m.is_file() && seen.insert((m.dev(), m.ino())) {
                total += m.len();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn tree() -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        let s = t.path().join("src");
        fs::create_dir_all(s.join("a/b")).unwrap();
        fs::write(s.join("a/b/f.py"), "x = 1\n").unwrap();
        fs::write(s.join("top"), "top").unwrap();
        fs::write(s.join("skipme"), "no").unwrap();
        symlink("a/b/f.py", s.join("link")).unwrap();
        t
    }

    #[test]
    fn hardlink_clone_shares_files_but_not_directories() {
        let t = tree();
        let (s, d) = (t.path().join("src"), t.path().join("dst"));
        make_read_only(&s).unwrap();
        let c = clone_tree(&s, &d, LinkMode::Hardlink, &["skipme"]).unwrap();
        assert_eq!(
            c,
            Cloned {
                how: "hardlink",
                files: 2
            }
        );
        let (a, b) = (
            fs::metadata(s.join("a/b/f.py")).unwrap(),
            fs::metadata(d.join("a/b/f.py")).unwrap(),
        );
        assert_eq!(a.ino(), b.ino());
        assert!(b.permissions().readonly());
        assert!(!d.join("skipme").exists());
        assert_eq!(
            fs::read_link(d.join("link")).unwrap(),
            Path::new("a/b/f.py")
        );
        // New files in the clone do not appear in the source.
        fs::write(d.join("a/b/new"), "n").unwrap();
        assert!(!s.join("a/b/new").exists());
        // Removing a shared file from the clone leaves the source's.
        fs::remove_file(d.join("top")).unwrap();
        assert_eq!(fs::read_to_string(s.join("top")).unwrap(), "top");
    }

    #[test]
    fn copies_are_independent_writable_and_keep_mtimes() {
        let t = tree();
        let (s, d) = (t.path().join("src"), t.path().join("dst"));
        make_read_only(&s).unwrap();
        let c = clone_tree(&s, &d, LinkMode::Copy, &[]).unwrap();
        assert_eq!(c.how, "copy");
        let (a, b) = (
            fs::metadata(s.join("a/b/f.py")).unwrap(),
            fs::metadata(d.join("a/b/f.py")).unwrap(),
        );
        assert_ne!(a.ino(), b.ino());
        assert_eq!(a.modified().unwrap(), b.modified().unwrap());
        fs::write(d.join("a/b/f.py"), "x = 2\n").unwrap();
        assert_eq!(fs::read_to_string(s.join("a/b/f.py")).unwrap(), "x = 1\n");
    }

    #[test]
    fn clone_mode_falls_back_when_the_filesystem_cannot_reflink() {
        let t = tree();
        let (s, d) = (t.path().join("src"), t.path().join("dst"));
        let c = clone_tree(&s, &d, LinkMode::Clone, &[]).unwrap();
        // Either this filesystem reflinks, or the clone used hard links.
        assert!(c.how == "reflink" || c.how == "hardlink", "{c:?}");
        assert_eq!(fs::read_to_string(d.join("a/b/f.py")).unwrap(), "x = 1\n");
        assert_eq!(c.files, 3);
    }

    #[test]
    fn an_existing_destination_is_refused() {
        let t = tree();
        let s = t.path().join("src");
        let e = clone_tree(&s, &s, LinkMode::Copy, &[]).unwrap_err();
        assert_eq!(e.exit.code(), 73);
    }
}
