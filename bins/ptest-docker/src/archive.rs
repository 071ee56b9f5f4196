//! Tar archives on the host side of `cp`: [`unpack`] writes an archive
//! from the engine to a [`Landing`] and trusts nothing in it (an entry
//! outside the archive's root, with `..`, or reached through a symlink is
//! refused, exit 65; hard links may only point inside); [`write_tar`] packs
//! a host file or directory for an upload, modes kept, symlinks as
//! symlinks, owned by root.

use ptest_shared::{Error, Result};
use std::ffi::{OsStr, OsString};
use std::fs::Metadata;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

/// Where the root of an archive lands when unpacked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    /// Inside this existing directory, under the root's own name; a root
    /// named `.` or `/` (a directory's contents) merges into it.
    Into(PathBuf),
    /// As this path, in its existing parent directory; `dir_only` when
    /// only a directory may land there (the path was written with a
    /// trailing `/`).
    As { path: PathBuf, dir_only: bool },
}

fn refuse(what: &str) -> Error {
    Error::data(format!("refusing to unpack the archive: {what}"))
        .hint("the archive tries to write outside its destination")
}

/// The archive path of `p`, relative to `root`, as normal components only.
fn below_root(p: &Path, root: &Path) -> Result<PathBuf> {
    let rest = p.strip_prefix(root).map_err(|_| {
        refuse(&format!(
            "entry {} is outside the archive's root {}",
            p.display(),
            root.display()
        ))
    })?;
    let mut out = PathBuf::new();
    for c in rest.components() {
        match c {
            Component::Normal(n) => out.push(n),
            Component::CurDir => {}
            _ => {
                return Err(refuse(&format!(
                    "entry {} has `..` or is absolute",
                    p.display()
                )));
            }
        }
    }
    Ok(out)
}

/// `a/b`, without the trailing `/` that joining an empty path adds.
fn join_rel(a: &Path, b: &Path) -> PathBuf {
    if b.as_os_str().is_empty() {
        a.to_path_buf()
    } else {
        a.join(b)
    }
}

/// Makes sure every directory on the way from `base` to `base/rel`
/// (`rel` itself excluded) is a real directory, creating missing ones when
/// `create`; a symlink on the way is refused.
fn walk_parents(base: &Path, rel: &Path, create: bool) -> Result<()> {
    let mut cur = base.to_path_buf();
    let comps: Vec<Component> = rel.components().collect();
    for c in comps.iter().take(comps.len().saturating_sub(1)) {
        cur.push(c);
        match std::fs::symlink_metadata(&cur) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(refuse(&format!(
                    "{} would be written through the symlink {}",
                    base.join(rel).display(),
                    cur.display()
                )));
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Error::cant_create(format!(
                    "cannot create {}: {} is not a directory",
                    base.join(rel).display(),
                    cur.display()
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => {
                std::fs::create_dir(&cur)
                    .map_err(|e| Error::from_io(format!("cannot create {}", cur.display()), &e))?;
            }
            Err(e) => {
                return Err(Error::from_io(format!("cannot read {}", cur.display()), &e));
            }
        }
    }
    Ok(())
}

/// Why the archive cannot be read.
fn bad_tar(e: io::Error) -> Error {
    Error::data(format!("the archive is not a readable tar: {e}"))
}

/// Unpacks a tar stream whose entries all sit under its first entry (the
/// root, as the engine's archives are) to `landing`. Regular file modes
/// are kept (without set-id bits), symlinks stay symlinks, owners are not
/// (files belong to whoever runs this); device files and sockets are
/// skipped. Returns the bytes of the regular files written.
pub fn unpack(reader: impl Read, landing: &Landing) -> Result<u64> {
    let mut archive = tar::Archive::new(reader);
    archive.set_overwrite(true);
    let (base, root_name) = landing_base(landing)?;
    let mut root: Option<Root> = None;
    let mut dirs: Vec<(PathBuf, u32)> = Vec::new();
    let mut bytes = 0u64;
    for entry in archive.entries().map_err(bad_tar)? {
        let mut entry = entry.map_err(bad_tar)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let path = entry.path().map_err(bad_tar)?.into_owned();
        let root = match &mut root {
            Some(r) => r,
            None => root.insert(first_root(&path, kind, landing, root_name.as_deref())?),
        };
        let rel = root.place(&path)?;
        if rel.as_os_str().is_empty() {
            continue; // the destination directory itself: leave it be
        }
        let target = base.join(&rel);
        walk_parents(&base, &rel, true)?;
        let existing = std::fs::symlink_metadata(&target).ok();
        if kind.is_dir() {
            make_dir(&target, existing.as_ref())?;
            // Modes are set at the end: a read-only directory must still
            // take its entries.
            dirs.push((target, entry.header().mode().unwrap_or(0o755) & 0o1777));
            continue;
        }
        bytes += unpack_entry(&mut entry, &path, &target, existing.as_ref(), &base, root)?;
    }
    if root.is_none() {
        return Err(Error::data("the archive is empty"));
    }
    for (dir, mode) in dirs.iter().rev() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(*mode))
            .map_err(|e| Error::from_io(format!("cannot set the mode of {}", dir.display()), &e))?;
    }
    Ok(bytes)
}

/// The directory an archive unpacks into and, when its root lands as a
/// new name ([`Landing::As`]), that name.
fn landing_base(landing: &Landing) -> Result<(PathBuf, Option<OsString>)> {
    match landing {
        Landing::Into(dir) => Ok((dir.clone(), None)),
        Landing::As { path, .. } => {
            let name = path.file_name().ok_or_else(|| {
                Error::usage(format!("{} names no file or directory", path.display()))
            })?;
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            Ok((parent.to_path_buf(), Some(name.to_owned())))
        }
    }
}

/// An archive's root entry and where it lands.
struct Root {
    /// The root's path in the archive.
    archive: PathBuf,
    /// Its place below the base directory (empty: the base itself).
    rel: PathBuf,
}

impl Root {
    /// Where an entry of the archive lands, below the base directory.
    fn place(&self, p: &Path) -> Result<PathBuf> {
        Ok(join_rel(&self.rel, &below_root(p, &self.archive)?))
    }
}

/// The root, from the archive's first entry: a relative name without
/// `..`, or `.` or `/` (a directory's contents, or the whole filesystem).
/// Under `root_name` when given, else under its own name; checked against
/// what `landing` lets land there.
fn first_root(
    path: &Path,
    kind: tar::EntryType,
    landing: &Landing,
    root_name: Option<&OsStr>,
) -> Result<Root> {
    let name = path.components().try_fold(PathBuf::new(), |mut acc, c| {
        match c {
            Component::Normal(n) => acc.push(n),
            Component::CurDir => {}
            Component::RootDir if path.as_os_str().as_bytes() == b"/" => {}
            _ => return Err(()),
        }
        Ok(acc)
    });
    let Ok(name) = name else {
        return Err(refuse(&format!(
            "its root {} has `..` or is absolute",
            path.display()
        )));
    };
    if let Landing::As { path: to, dir_only } = landing {
        if *dir_only && !kind.is_dir() {
            return Err(Error::cant_create(format!(
                "cannot copy a file to {}: no such directory",
                to.display()
            )));
        }
        if kind.is_dir() && to.exists() && !to.is_dir() {
            return Err(Error::cant_create(format!(
                "cannot copy a directory onto the file {}",
                to.display()
            )));
        }
    }
    let rel = match root_name {
        Some(n) => PathBuf::from(n),
        None => match name.file_name() {
            Some(n) => PathBuf::from(n),
            None => PathBuf::new(), // `.` or `/`: into base itself
        },
    };
    Ok(Root {
        archive: path.to_path_buf(),
        rel,
    })
}

/// Makes the directory an archive's directory entry names at `target`,
/// unless one is there already; a symlink or a file there is refused.
fn make_dir(target: &Path, existing: Option<&Metadata>) -> Result<()> {
    match existing {
        Some(m) if m.file_type().is_symlink() => Err(refuse(&format!(
            "directory {} would replace a symlink",
            target.display()
        ))),
        Some(m) if m.is_dir() => Ok(()),
        Some(_) => Err(Error::cant_create(format!(
            "cannot replace the file {} with a directory",
            target.display()
        ))),
        None => std::fs::create_dir(target)
            .map_err(|e| Error::from_io(format!("cannot create {}", target.display()), &e)),
    }
}

/// Writes an entry other than a directory to `target`: a hard link (to an
/// entry of the same archive only), a regular file or a symlink; any other
/// kind is skipped with a note. Returns the bytes of a regular file.
fn unpack_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    path: &Path,
    target: &Path,
    existing: Option<&Metadata>,
    base: &Path,
    root: &Root,
) -> Result<u64> {
    let kind = entry.header().entry_type();
    if existing.is_some_and(|m| m.is_dir()) {
        return Err(Error::cant_create(format!(
            "cannot replace the directory {} with a file",
            target.display()
        )));
    }
    if kind.is_hard_link() {
        let link = entry
            .link_name()
            .map_err(bad_tar)?
            .ok_or_else(|| refuse(&format!("hard link {} names no target", path.display())))?
            .into_owned();
        let link_rel = root.place(&link)?;
        walk_parents(base, &link_rel, false)?;
        if existing.is_some() {
            std::fs::remove_file(target)
                .map_err(|e| Error::from_io(format!("cannot replace {}", target.display()), &e))?;
        }
        std::fs::hard_link(base.join(&link_rel), target)
            .map_err(|e| Error::from_io(format!("cannot link {}", target.display()), &e))?;
        return Ok(0);
    }
    if !(kind.is_file() || kind.is_symlink() || kind.is_contiguous()) {
        eprintln!(
            "ptest-docker: note: skipped {} (a device, fifo or other special file)",
            path.display()
        );
        return Ok(0);
    }
    let bytes = if kind.is_file() || kind.is_contiguous() {
        entry.header().size().unwrap_or(0)
    } else {
        0
    };
    entry
        .unpack(target)
        .map_err(|e| Error::from_io(format!("cannot write {}", target.display()), &e))?;
    Ok(bytes)
}

/// Appends `src` (a file, symlink or directory, recursively) to a tar as
/// `name`: modes and times kept, owned by root. Returns the bytes of the
/// regular files.
fn append_tree<W: Write>(b: &mut tar::Builder<W>, src: &Path, name: &Path) -> io::Result<u64> {
    let meta = std::fs::symlink_metadata(src)?;
    let ft = meta.file_type();
    let mut h = tar::Header::new_gnu();
    h.set_metadata_in_mode(&meta, tar::HeaderMode::Complete);
    h.set_mode(meta.permissions().mode() & 0o7777);
    h.set_uid(0);
    h.set_gid(0);
    if ft.is_symlink() {
        h.set_size(0);
        b.append_link(&mut h, name, std::fs::read_link(src)?)?;
        Ok(0)
    } else if ft.is_dir() {
        h.set_size(0);
        b.append_data(&mut h, name, io::empty())?;
        let mut bytes = 0;
        for c in sorted_names(src)? {
            bytes += append_tree(b, &src.join(&c), &name.join(&c))?;
        }
        Ok(bytes)
    } else if ft.is_file() {
        let f = std::fs::File::open(src)?;
        b.append_data(&mut h, name, f)?;
        Ok(meta.len())
    } else {
        eprintln!(
            "ptest-docker: note: skipped {} (a socket, fifo or device)",
            src.display()
        );
        Ok(0)
    }
}

/// A directory's entry names, sorted (so archives are reproducible).
fn sorted_names(dir: &Path) -> io::Result<Vec<std::ffi::OsString>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()?;
    names.sort();
    Ok(names)
}

/// Writes the tar of `src` for an upload: as `root` (a single name), or,
/// with `None`, the directory's entries directly.
pub fn write_tar(w: impl Write, src: &Path, root: Option<&OsStr>) -> io::Result<u64> {
    let mut b = tar::Builder::new(w);
    b.follow_symlinks(false);
    let bytes = match root {
        Some(name) => append_tree(&mut b, src, Path::new(name))?,
        None => {
            let mut bytes = 0;
            for c in sorted_names(src)? {
                bytes += append_tree(&mut b, &src.join(&c), Path::new(&c))?;
            }
            bytes
        }
    };
    b.into_inner()?.flush()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tar whose entry names are written raw (the `tar` crate refuses to
    /// write `..` or absolute names itself).
    fn crafted(entries: &[(&str, tar::EntryType, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data) in entries {
            let mut h = tar::Header::new_old();
            let bytes = name.as_bytes();
            h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            h.set_entry_type(*kind);
            h.set_mode(0o644);
            if kind.is_symlink() || kind.is_hard_link() {
                h.set_link_name(data).unwrap();
                h.set_size(0);
                h.set_cksum();
                b.append(&h, io::empty()).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, data.as_bytes()).unwrap();
            }
        }
        b.into_inner().unwrap()
    }

    fn into(dir: &Path) -> Landing {
        Landing::Into(dir.to_path_buf())
    }

    #[test]
    fn traversal_is_refused() {
        use tar::EntryType as T;
        let cases: Vec<Vec<(&str, T, &str)>> = vec![
            vec![("d/", T::Directory, ""), ("d/../../evil", T::Regular, "x")],
            vec![("d/", T::Directory, ""), ("/tmp/evil", T::Regular, "x")],
            vec![("d/", T::Directory, ""), ("e/evil", T::Regular, "x")],
            vec![("../evil", T::Regular, "x")],
            vec![("/abs/evil", T::Regular, "x")],
            // A symlink, then a file written through it.
            vec![
                ("d/", T::Directory, ""),
                ("d/l", T::Symlink, "../.."),
                ("d/l/evil", T::Regular, "x"),
            ],
            // A hard link to a file outside the root.
            vec![("d/", T::Directory, ""), ("d/h", T::Link, "../outside")],
        ];
        for entries in cases {
            let tmp = tempfile::tempdir().unwrap();
            let dest = tmp.path().join("dest");
            std::fs::create_dir(&dest).unwrap();
            std::fs::write(tmp.path().join("outside"), "secret").unwrap();
            let e = unpack(&crafted(&entries)[..], &into(&dest)).unwrap_err();
            assert_eq!(e.exit.code(), 65, "{entries:?}: {e}");
            assert!(!tmp.path().join("evil").exists(), "{entries:?}");
        }
    }

    #[test]
    fn archives_land_into_a_directory_or_as_a_name() {
        use tar::EntryType as T;
        let tar = crafted(&[
            ("d/", T::Directory, ""),
            ("d/sub/", T::Directory, ""),
            ("d/sub/f", T::Regular, "hello"),
            ("d/l", T::Symlink, "sub/f"),
            ("d/h", T::Link, "d/sub/f"),
        ]);
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(unpack(&tar[..], &into(tmp.path())).unwrap(), 5);
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("d/sub/f")).unwrap(),
            "hello"
        );
        assert_eq!(
            std::fs::read_link(tmp.path().join("d/l")).unwrap(),
            Path::new("sub/f")
        );
        assert_eq!(
            std::fs::read_to_string(tmp.path().join("d/h")).unwrap(),
            "hello"
        );
        let renamed = tmp.path().join("renamed");
        let landing = Landing::As {
            path: renamed.clone(),
            dir_only: false,
        };
        unpack(&tar[..], &landing).unwrap();
        assert!(renamed.join("sub/f").is_file());
        // A `.` root (a directory's contents) merges into the destination.
        let dot = crafted(&[("./", T::Directory, ""), ("./x", T::Regular, "1")]);
        let merged = tmp.path().join("merged");
        std::fs::create_dir(&merged).unwrap();
        unpack(&dot[..], &into(&merged)).unwrap();
        assert!(merged.join("x").is_file());
        // A file onto a new name, and a file where only a directory may go.
        let file = crafted(&[("f", T::Regular, "abc")]);
        let new = tmp.path().join("new.txt");
        let landing = Landing::As {
            path: new.clone(),
            dir_only: false,
        };
        assert_eq!(unpack(&file[..], &landing).unwrap(), 3);
        assert_eq!(std::fs::read_to_string(&new).unwrap(), "abc");
        let landing = Landing::As {
            path: tmp.path().join("nodir"),
            dir_only: true,
        };
        assert_eq!(unpack(&file[..], &landing).unwrap_err().exit.code(), 73);
        assert_eq!(
            unpack(&b""[..], &into(tmp.path())).unwrap_err().exit.code(),
            65
        );
    }

    #[test]
    fn host_trees_are_tarred_with_modes_and_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(src.join("a")).unwrap();
        std::fs::write(src.join("a/run.sh"), "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(src.join("a/run.sh"), std::fs::Permissions::from_mode(0o750))
            .unwrap();
        std::os::unix::fs::symlink("a/run.sh", src.join("link")).unwrap();
        let mut tar = Vec::new();
        assert_eq!(
            write_tar(&mut tar, &src, Some(OsStr::new("new"))).unwrap(),
            10
        );
        let out = tmp.path().join("out");
        std::fs::create_dir(&out).unwrap();
        unpack(&tar[..], &into(&out)).unwrap();
        let m = std::fs::metadata(out.join("new/a/run.sh")).unwrap();
        assert_eq!(m.permissions().mode() & 0o777, 0o750);
        assert_eq!(
            std::fs::read_link(out.join("new/link")).unwrap(),
            Path::new("a/run.sh")
        );
        let mut tar = Vec::new();
        write_tar(&mut tar, &src, None).unwrap();
        let names: Vec<String> = tar::Archive::new(&tar[..])
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a", "a/run.sh", "link"]);
    }
}
