//! `cp`: files into and out of containers, as tar streams through the
//! engine's archive API, with `docker cp`'s semantics.
//!
//! Into a container (`cp HOST CONTAINER:DST`): the host path (a file, or a
//! directory recursively; modes kept, symlinks as symlinks, owned by root in
//! the container as `docker cp` does) is tarred on a thread
//! ([`write_tar`]) and streamed to `PUT /containers/{id}/archive?path=DIR`.
//! When DST is an existing directory the source lands in it under its own
//! name; otherwise DST is the new name, in DST's directory, which must
//! exist. `SRC/.` copies a directory's contents rather than the directory.
//!
//! Out of a container (`cp CONTAINER:SRC HOST`): `GET …/archive?path=SRC`
//! is unpacked as it arrives ([`unpack`]), into HOST when it is an existing
//! directory, else as HOST. Unpacking trusts nothing in the archive: an
//! entry outside the archive's root, with `..`, or reached through a
//! symlink is refused (exit 65), and hard links may only point inside.
//!
//! The engine has no "stat" call in bollard; [`container_stat`] reads only
//! the first header of the path's archive and hangs up. Request and
//! response bodies are streamed through a thread ([`produced_body`],
//! [`BodyReader`]); `image import` streams its tarball the same way.

use crate::archive::{Landing, unpack, write_tar};
use crate::engine::{self, Engine};
use crate::objects::{self, Kind};
use futures_util::{Stream, StreamExt, TryStreamExt};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Record, Result};
use std::ffi::{OsStr, OsString};
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

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
pub(crate) struct BodyReader<B> {
    pub(crate) rx: tokio::sync::mpsc::Receiver<B>,
    pub(crate) chunk: Option<B>,
    pub(crate) pos: usize,
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
    let (produced, sent) = upload(engine, container_id, &upload_dir, true, move |w| {
        write_tar(w, &src, root.as_deref())
    })?;
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

/// `PUT /containers/{id}/archive?path=PATH` of the tar stream `produce`
/// writes on a thread of its own, streamed as it is written: what the
/// producer made of it, and what the engine said (`no_overwrite`: a
/// directory is never replaced by a file or the other way round).
pub(crate) fn upload<T: Send + 'static>(
    engine: &Engine,
    container_id: &str,
    path: &str,
    no_overwrite: bool,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<T> + Send + 'static,
) -> Result<(
    io::Result<T>,
    std::result::Result<(), bollard::errors::Error>,
)> {
    let (body, producer) = produced_body(move |w| produce(w));
    let mut opts = bollard::query_parameters::UploadToContainerOptionsBuilder::default().path(path);
    if no_overwrite {
        opts = opts.no_overwrite_dir_non_dir("true");
    }
    let sent = engine.block_on(engine.docker.upload_to_container(
        container_id,
        Some(opts.build()),
        bollard::body_try_stream(body.map_ok(Into::into)),
    ));
    let produced = producer
        .join()
        .map_err(|_| Error::internal("the thread writing the archive panicked"))?;
    Ok((produced, sent))
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
    match download(engine, container_id, &src_path, |r| unpack(r, &landing)) {
        Err(e) if engine::is_gone(&e) => Err(Error::no_input(format!(
            "no {src} in the container: {}",
            engine::message(&e)
        ))),
        Err(e) => Err(engine::error(&format!("cannot copy {src} out"), &e)),
        Ok(unpacked) => unpacked,
    }
}

/// `GET /containers/{id}/archive?path=PATH`, read by `consume` on a thread
/// of its own as it arrives (the archive is never held whole). The
/// engine's failure, else what `consume` made of it; a consumer that stops
/// early with an error stops the download too.
pub(crate) fn download<T: Send>(
    engine: &Engine,
    container_id: &str,
    path: &str,
    consume: impl FnOnce(&mut dyn Read) -> Result<T> + Send,
) -> std::result::Result<Result<T>, bollard::errors::Error> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut r = BodyReader {
                rx,
                chunk: None,
                pos: 0,
            };
            let out = consume(&mut r);
            // What a consumer that succeeded left unread (a tar's
            // padding) is drained, so the request ends.
            if out.is_ok() {
                let _ = io::copy(&mut r, &mut io::sink());
            }
            out
        });
        let fetched = engine.block_on(async move {
            let opts = bollard::query_parameters::DownloadFromContainerOptionsBuilder::default()
                .path(path)
                .build();
            let mut s = engine
                .docker
                .download_from_container(container_id, Some(opts));
            while let Some(chunk) = s.next().await {
                // A closed channel means the consumer stopped: it says why.
                if tx.send(chunk?).await.is_err() {
                    break;
                }
            }
            Ok::<_, bollard::errors::Error>(())
        });
        let consumed = reader
            .join()
            .unwrap_or_else(|_| Err(Error::internal("the thread reading the archive panicked")));
        fetched.map(|()| consumed)
    })
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
    let (_, reg) = objects::open_registry()?;
    let c = objects::resolve(&engine, &reg, container, Some(Kind::Container))?;
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
