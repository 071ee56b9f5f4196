//! `cp`: files into and out of containers, as tar streams through the
//! engine's archive API, with `docker cp`'s semantics.
//!
//! Into a container (`cp HOST CONTAINER:DST`): the host path (a file, or a
//! directory recursively; modes kept, symlinks as symlinks, owned by root in
//! the container as `docker cp` does) is tarred on a thread and streamed to
//! `PUT /containers/{id}/archive?path=DIR`. When DST is an existing
//! directory the source lands in it under its own name; otherwise DST is the
//! new name, in DST's directory, which must exist. `SRC/.` copies a
//! directory's contents rather than the directory.
//!
//! Out of a container (`cp CONTAINER:SRC HOST`): `GET …/archive?path=SRC`
//! is unpacked as it arrives ([`unpack`]), into HOST when it is an existing
//! directory, else as HOST. Unpacking trusts nothing in the archive: an
//! entry outside the archive's root, with `..`, or reached through a
//! symlink is refused (exit 65), and hard links may only point inside.
//!
//! The engine has no "stat" call in bollard; [`container_stat`] reads only
//! the first header of the path's archive and hangs up.

use crate::commands::{self, Kind};
use crate::engine::{self, Engine};
use futures_util::{Stream, StreamExt, TryStreamExt};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Record, Result};
use std::ffi::{OsStr, OsString};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

/// The size of the chunks streamed to and from the engine.
pub(crate) const CHUNK: usize = 64 * 1024;

/// The write end of a request body filled on another thread: what is
/// written reaches the stream of [`produced_body`] in chunks.
pub(crate) struct BodyWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl BodyWriter {
    fn send(&mut self) -> io::Result<()> {
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the engine stopped reading"))
    }
}

impl Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

/// Runs `produce` on its own thread, writing a request body; returns the
/// body as a stream of chunks (for `bollard::body_try_stream`) and the
/// thread. When `produce` fails the stream ends with the error, so that
/// the request is aborted rather than sent truncated.
pub(crate) fn produced_body<T: Send + 'static>(
    produce: impl FnOnce(&mut BodyWriter) -> io::Result<T> + Send + 'static,
) -> (
    impl Stream<Item = io::Result<Vec<u8>>> + Send + 'static,
    std::thread::JoinHandle<io::Result<T>>,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let thread = std::thread::spawn(move || {
        let mut w = BodyWriter {
            tx,
            buf: Vec::with_capacity(CHUNK),
        };
        let r = produce(&mut w).and_then(|t| w.flush().map(|()| t));
        if let Err(e) = &r {
            let _ =
                w.tx.blocking_send(Err(io::Error::new(e.kind(), e.to_string())));
        }
        r
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    (stream, thread)
}

/// The read end of a response body consumed on another thread.
struct BodyReader<B> {
    rx: tokio::sync::mpsc::Receiver<B>,
    chunk: Option<B>,
    pos: usize,
}

impl<B: AsRef<[u8]>> Read for BodyReader<B> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(c) = &self.chunk {
                let rest = &c.as_ref()[self.pos..];
                if !rest.is_empty() {
                    let n = rest.len().min(out.len());
                    out[..n].copy_from_slice(&rest[..n]);
                    self.pos += n;
                    return Ok(n);
                }
            }
            match self.rx.blocking_recv() {
                Some(c) => {
                    self.chunk = Some(c);
                    self.pos = 0;
                }
                None => return Ok(0),
            }
        }
    }
}

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

/// Unpacks a tar stream whose entries all sit under its first entry (the
/// root, as the engine's archives are) to `landing`. Regular file modes
/// are kept (without set-id bits), symlinks stay symlinks, owners are not
/// (files belong to whoever runs this); device files and sockets are
/// skipped. Returns the bytes of the regular files written.
pub fn unpack(reader: impl Read, landing: &Landing) -> Result<u64> {
    let bad_tar = |e: io::Error| Error::data(format!("the archive is not a readable tar: {e}"));
    let mut archive = tar::Archive::new(reader);
    archive.set_overwrite(true);
    let (base, root_name): (PathBuf, Option<OsString>) = match landing {
        Landing::Into(dir) => (dir.clone(), None),
        Landing::As { path, .. } => {
            let name = path.file_name().ok_or_else(|| {
                Error::usage(format!("{} names no file or directory", path.display()))
            })?;
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), Some(name.to_owned()))
        }
    };
    let mut root: Option<(PathBuf, PathBuf)> = None; // (archive root, its place below base)
    let mut dirs: Vec<(PathBuf, u32)> = Vec::new();
    let mut bytes = 0u64;
    for entry in archive.entries().map_err(bad_tar)? {
        let mut entry = entry.map_err(bad_tar)?;
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let path = entry.path().map_err(bad_tar)?.into_owned();
        let (archive_root, root_rel) = match &root {
            Some(r) => r.clone(),
            None => {
                // The root: a relative name without `..`, or `.` or `/`
                // (a directory's contents, or the whole filesystem).
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
                let rel = match &root_name {
                    Some(n) => PathBuf::from(n),
                    None => match name.file_name() {
                        Some(n) => PathBuf::from(n),
                        None => PathBuf::new(), // `.` or `/`: into base itself
                    },
                };
                root = Some((path.clone(), rel.clone()));
                (path.clone(), rel)
            }
        };
        let rel = join_rel(&root_rel, &below_root(&path, &archive_root)?);
        if rel.as_os_str().is_empty() {
            continue; // the destination directory itself: leave it be
        }
        let target = base.join(&rel);
        walk_parents(&base, &rel, true)?;
        let existing = std::fs::symlink_metadata(&target).ok();
        if kind.is_dir() {
            match existing {
                Some(m) if m.file_type().is_symlink() => {
                    return Err(refuse(&format!(
                        "directory {} would replace a symlink",
                        target.display()
                    )));
                }
                Some(m) if m.is_dir() => {}
                Some(_) => {
                    return Err(Error::cant_create(format!(
                        "cannot replace the file {} with a directory",
                        target.display()
                    )));
                }
                None => std::fs::create_dir(&target).map_err(|e| {
                    Error::from_io(format!("cannot create {}", target.display()), &e)
                })?,
            }
            // Modes are set at the end: a read-only directory must still
            // take its entries.
            dirs.push((target, entry.header().mode().unwrap_or(0o755) & 0o1777));
            continue;
        }
        if existing.as_ref().is_some_and(|m| m.is_dir()) {
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
            let link_rel = join_rel(&root_rel, &below_root(&link, &archive_root)?);
            walk_parents(&base, &link_rel, false)?;
            if existing.is_some() {
                std::fs::remove_file(&target).map_err(|e| {
                    Error::from_io(format!("cannot replace {}", target.display()), &e)
                })?;
            }
            std::fs::hard_link(base.join(&link_rel), &target)
                .map_err(|e| Error::from_io(format!("cannot link {}", target.display()), &e))?;
            continue;
        }
        if !(kind.is_file() || kind.is_symlink() || kind.is_contiguous()) {
            eprintln!(
                "ptest-docker: note: skipped {} (a device, fifo or other special file)",
                path.display()
            );
            continue;
        }
        if kind.is_file() || kind.is_contiguous() {
            bytes += entry.header().size().unwrap_or(0);
        }
        entry
            .unpack(&target)
            .map_err(|e| Error::from_io(format!("cannot write {}", target.display()), &e))?;
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
fn write_tar(w: impl Write, src: &Path, root: Option<&OsStr>) -> io::Result<u64> {
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

/// A container path made absolute and lexically clean (`/a/b`, `/`).
fn clean_container_path(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directory and the name of a clean container path (`/` has no name).
fn split_container_path(p: &str) -> (String, Option<String>) {
    match p.rsplit_once('/') {
        Some((dir, name)) if !name.is_empty() => (
            if dir.is_empty() {
                "/".into()
            } else {
                dir.into()
            },
            Some(name.into()),
        ),
        _ => ("/".into(), None),
    }
}

/// What is at a path in a container, symlinks followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerPath {
    Missing,
    Dir(String),
    NonDir(String),
}

/// Looks at a path in a container: the first header of its archive says
/// what it is; the rest of the archive is never read.
pub fn container_stat(engine: &Engine, container_id: &str, path: &str) -> Result<ContainerPath> {
    let mut path = clean_container_path(path);
    for _ in 0..16 {
        let header = engine.block_on(async {
            let opts = bollard::query_parameters::DownloadFromContainerOptionsBuilder::default()
                .path(&path)
                .build();
            let mut s = engine
                .docker
                .download_from_container(container_id, Some(opts));
            let mut buf = Vec::new();
            // Enough for a long name's PAX or GNU header before the real one.
            while buf.len() < 16 * 1024 {
                match s.next().await {
                    Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                    Some(Err(e)) => return Err(e),
                    None => break,
                }
            }
            Ok(buf)
        });
        let buf = match header {
            Ok(b) => b,
            Err(e) if engine::is_gone(&e) => return Ok(ContainerPath::Missing),
            Err(e) => {
                return Err(engine::error(
                    &format!("cannot look at {path} in the container"),
                    &e,
                ));
            }
        };
        let mut archive = tar::Archive::new(&buf[..]);
        let first = archive
            .entries()
            .ok()
            .and_then(|mut es| es.next())
            .and_then(|e| e.ok())
            .map(|e| {
                let target = e
                    .link_name()
                    .ok()
                    .flatten()
                    .map(|t| t.to_string_lossy().into_owned());
                (e.header().entry_type(), target)
            });
        match first {
            None => {
                return Err(Error::unavailable(format!(
                    "the engine's archive of {path} cannot be read"
                )));
            }
            Some((k, Some(target))) if k.is_symlink() => {
                path = if target.starts_with('/') {
                    clean_container_path(&target)
                } else {
                    clean_container_path(&format!("{}/{target}", split_container_path(&path).0))
                };
            }
            Some((k, _)) if k.is_dir() => return Ok(ContainerPath::Dir(path)),
            Some(_) => return Ok(ContainerPath::NonDir(path)),
        }
    }
    Err(Error::data(format!(
        "too many levels of symlinks at {path} in the container"
    )))
}

/// Whether a path asks for a directory's contents (`dir/.` or `.`).
fn wants_contents(p: &[u8]) -> bool {
    p == b"." || p.ends_with(b"/.")
}

/// Copies a host file or directory into a container as `docker cp` does;
/// returns the bytes of the regular files sent.
pub fn copy_in(engine: &Engine, container_id: &str, host: &Path, dst: &str) -> Result<u64> {
    let meta = match std::fs::symlink_metadata(host) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(Error::no_input(format!(
                "no {}: no such file or directory",
                host.display()
            )));
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot read {}", host.display()),
                &e,
            ));
        }
    };
    let host_bytes = host.as_os_str().as_bytes();
    // A trailing `/` or `/.` asks for the directory a symlink points to.
    let src_is_dir = if host_bytes.ends_with(b"/") || wants_contents(host_bytes) {
        std::fs::metadata(host).is_ok_and(|m| m.is_dir())
    } else {
        meta.is_dir()
    };
    let contents = src_is_dir && wants_contents(host_bytes);
    let src_name = host
        .file_name()
        .map(OsStr::to_owned)
        .or_else(|| {
            std::fs::canonicalize(host)
                .ok()
                .and_then(|p| p.file_name().map(OsStr::to_owned))
        })
        .unwrap_or_else(|| OsString::from("root"));
    let dst_dir_only = dst.ends_with('/') || wants_contents(dst.as_bytes());
    let (upload_dir, root): (String, Option<OsString>) =
        match container_stat(engine, container_id, dst)? {
            ContainerPath::Dir(d) => (d, (!contents).then_some(src_name)),
            ContainerPath::NonDir(f) => {
                if src_is_dir {
                    return Err(Error::cant_create(format!(
                        "cannot copy the directory {} onto the file {f} in the container",
                        host.display()
                    )));
                }
                let (dir, name) = split_container_path(&f);
                (dir, name.map(OsString::from))
            }
            ContainerPath::Missing => {
                let clean = clean_container_path(dst);
                if dst_dir_only && !src_is_dir {
                    return Err(Error::cant_create(format!(
                        "cannot copy the file {} to {dst} in the container: no such directory",
                        host.display()
                    )));
                }
                let (dir, name) = split_container_path(&clean);
                match container_stat(engine, container_id, &dir)? {
                    ContainerPath::Dir(d) => (d, name.map(OsString::from)),
                    _ => {
                        return Err(Error::cant_create(format!(
                            "cannot create {clean} in the container: no directory {dir}"
                        )));
                    }
                }
            }
        };
    let src = host.to_path_buf();
    let (body, producer) = produced_body(move |w| write_tar(w, &src, root.as_deref()));
    let opts = bollard::query_parameters::UploadToContainerOptionsBuilder::default()
        .path(&upload_dir)
        .no_overwrite_dir_non_dir("true")
        .build();
    let sent = engine.block_on(engine.docker.upload_to_container(
        container_id,
        Some(opts),
        bollard::body_try_stream(body.map_ok(Into::into)),
    ));
    let produced = producer
        .join()
        .map_err(|_| Error::internal("the thread writing the archive panicked"))?;
    match (produced, sent) {
        (Err(e), _) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::from_io(
            format!("cannot archive {}", host.display()),
            &e,
        )),
        (_, Err(e)) => Err(engine::error(
            &format!("cannot copy {} into {upload_dir}", host.display()),
            &e,
        )),
        (Ok(bytes), Ok(())) => Ok(bytes),
        (Err(e), Ok(())) => Err(Error::from_io(
            format!("cannot archive {}", host.display()),
            &e,
        )),
    }
}

/// Copies a file or directory out of a container as `docker cp` does;
/// returns the bytes of the regular files written.
pub fn copy_out(engine: &Engine, container_id: &str, src: &str, host: &Path) -> Result<u64> {
    // The engine is given the path as written (made absolute): `dir/.`
    // gives an archive rooted at `.`, which [`unpack`] merges.
    let src_path = if src.starts_with('/') {
        src.to_owned()
    } else {
        format!("/{src}")
    };
    let landing = match std::fs::metadata(host) {
        Ok(m) if m.is_dir() => Landing::Into(host.to_path_buf()),
        Ok(_) => Landing::As {
            path: host.to_path_buf(),
            dir_only: false,
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let parent = host
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(Error::cant_create(format!(
                    "cannot create {}: no directory {}",
                    host.display(),
                    parent.display()
                )));
            }
            Landing::As {
                path: host.to_path_buf(),
                dir_only: host.as_os_str().as_bytes().ends_with(b"/"),
            }
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot read {}", host.display()),
                &e,
            ));
        }
    };
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let unpacker = std::thread::spawn(move || {
        unpack(
            BodyReader {
                rx,
                chunk: None,
                pos: 0,
            },
            &landing,
        )
    });
    let fetched = engine.block_on(async move {
        let opts = bollard::query_parameters::DownloadFromContainerOptionsBuilder::default()
            .path(&src_path)
            .build();
        let mut s = engine
            .docker
            .download_from_container(container_id, Some(opts));
        while let Some(chunk) = s.next().await {
            // A closed channel means the unpacker stopped: it says why.
            if tx.send(chunk?).await.is_err() {
                break;
            }
        }
        Ok::<_, bollard::errors::Error>(())
    });
    let unpacked = unpacker
        .join()
        .map_err(|_| Error::internal("the thread unpacking the archive panicked"))?;
    match fetched {
        Err(e) if engine::is_gone(&e) => Err(Error::no_input(format!(
            "no {src} in the container: {}",
            engine::message(&e)
        ))),
        Err(e) => Err(engine::error(&format!("cannot copy {src} out"), &e)),
        Ok(()) => unpacked,
    }
}

/// `CONTAINER:PATH` split, or `None` for a host path (absolute, starting
/// with `.`, or with no `:` before its first `/`), as `docker cp` reads it.
pub fn split_arg(arg: &str) -> Option<(&str, &str)> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return None;
    }
    let (c, p) = arg.split_once(':')?;
    if c.is_empty() || c.contains('/') {
        return None;
    }
    Some((c, p))
}

/// `ptest-docker cp SRC DST`.
pub fn command(common: &CommonArgs, src: &str, dst: &str) -> Result<i32> {
    let example = "e.g. `ptest docker cp ./data db:/srv/data` or `ptest docker cp db:/var/log/app.log ./app.log`";
    let (word, into) = match (split_arg(src), split_arg(dst)) {
        (Some(_), Some(_)) => {
            return Err(Error::usage(format!(
                "both {src} and {dst} name a container: one side must be a host path"
            ))
            .hint(example));
        }
        (None, None) => {
            return Err(Error::usage(format!(
                "neither {src} nor {dst} is CONTAINER:PATH: one side must name a container"
            ))
            .hint(example));
        }
        (None, Some((c, p))) => ((c, p), true),
        (Some((c, p)), None) => ((c, p), false),
    };
    let (container, cpath) = word;
    if cpath.is_empty() {
        return Err(
            Error::usage(format!("{container}: names no path in the container")).hint(example),
        );
    }
    if into && std::fs::symlink_metadata(src).is_err() {
        return Err(Error::no_input(format!(
            "no {src}: no such file or directory"
        )));
    }
    let engine = Engine::connect()?;
    let (_, reg) = commands::open_registry()?;
    let c = commands::resolve(&engine, &reg, container, Some(Kind::Container))?;
    let bytes = if into {
        copy_in(&engine, &c.engine_id, Path::new(src), cpath)?
    } else {
        copy_out(&engine, &c.engine_id, cpath, Path::new(dst))?
    };
    let mut ev = Record::new("event");
    ev.set("event", "container.copied")
        .set("id", c.ptest_id())
        .set("container_id", c.engine_id.clone())
        .set("from", src)
        .set("to", dst)
        .set("bytes", bytes);
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "copied {} from {src} to {dst}",
            crate::image::human_bytes(bytes)
        ))?;
    }
    Ok(0)
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

    #[test]
    fn arguments_and_container_paths() {
        assert_eq!(split_arg("db:/srv"), Some(("db", "/srv")));
        assert_eq!(
            split_arg("container-ab12:rel/p"),
            Some(("container-ab12", "rel/p"))
        );
        assert_eq!(split_arg("/abs:x"), None);
        assert_eq!(split_arg("./a:b"), None);
        assert_eq!(split_arg("dir/a:b"), None);
        assert_eq!(split_arg("plain"), None);
        assert_eq!(clean_container_path("tmp//x/./y/../z/"), "/tmp/x/z");
        assert_eq!(clean_container_path("/"), "/");
        assert_eq!(
            split_container_path("/tmp/x"),
            ("/tmp".into(), Some("x".into()))
        );
        assert_eq!(split_container_path("/x"), ("/".into(), Some("x".into())));
        assert_eq!(split_container_path("/"), ("/".into(), None));
    }
}
