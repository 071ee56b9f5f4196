//! `export` and `import`: a snapshot as one zstd-compressed tar stream,
//! `manifest.json` first, then each object it references once, as
//! `objects/<hash>`.
//!
//! Import trusts nothing in the stream. The manifest is checked like any
//! ([`Manifest::check`]: relative paths of plain components, none through a
//! symlink); every other entry must be a regular file named `objects/<hash>`
//! of an object the manifest references, no larger than the manifest
//! declares — read through a cap at that size, so a bomb is stopped at the
//! size it claimed — and hashing to its name. Objects are written into a
//! private directory of the store's `tmp/` and only when every one is
//! verified are they moved in and the manifest written; a refusal leaves the
//! store's visible state as it was. Nothing here unpacks an archive into
//! the filesystem: objects are written by hash, by this code.

use crate::manifest::{Manifest, check_hash, hex};
use crate::store::Store;
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

#[cfg(test)]
mod fuzz;

/// The largest manifest an import reads (some hundred thousand entries).
const MAX_MANIFEST: u64 = 64 << 20;

/// What the tar stream may hold beyond the manifest and the objects it
/// declares: headers, padding, the end.
const SLACK: u64 = 64 << 10;

/// The decompressed stream, read through a cap that grows only as the
/// manifest declares objects: so nothing in the archive — an entry, a long
/// name, a PAX header the tar reader keeps in memory — can make an import
/// read more than the snapshot claims to hold.
struct Capped<R> {
    inner: R,
    used: u64,
    limit: Rc<Cell<u64>>,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.limit.get().saturating_sub(self.used);
        if left == 0 && !buf.is_empty() {
            self.hit.set(true);
            return Err(std::io::Error::other(
                "the archive holds more than its manifest declares",
            ));
        }
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.used += got as u64;
        Ok(got)
    }
}

/// Writes snapshot `m`, with its objects, to `out`.
pub fn export(store: &Store, m: &Manifest, out: impl Write) -> Result<()> {
    let io = |e: std::io::Error| Error::from_io("cannot write the archive", &e);
    let enc = zstd::Encoder::new(out, 3).map_err(io)?;
    let mut tar = tar::Builder::new(enc);
    let manifest = serde_json::to_vec(m).expect("a manifest serialises");
    let mut h = header(manifest.len() as u64);
    tar.append_data(&mut h, "manifest.json", manifest.as_slice())
        .map_err(io)?;
    let objects = m.objects();
    let bar = ptest_shared::output::progress(objects.len() as u64, format!("exporting {}", m.id));
    for (hash, size) in objects {
        ptest_shared::interrupt::check()?;
        bar.inc(1);
        let path = store.object_path(hash);
        let f = File::open(&path).map_err(|e| {
            Error::from_io(format!("cannot open object {hash} of {}", m.id), &e)
                .hint("run `ptest snap verify` on it")
        })?;
        let mut h = header(size);
        tar.append_data(&mut h, format!("objects/{hash}"), f.take(size))
            .map_err(io)?;
    }
    bar.finish_and_clear();
    let enc = tar.into_inner().map_err(io)?;
    enc.finish().map_err(io)?.flush().map_err(io)
}

fn header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mtime(0);
    h
}

/// A directory of the store's `tmp/` that goes unless kept.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// What an import read: the manifest (under its original id) and the
/// objects it holds, verified, waiting in the store's `tmp/`.
pub struct Imported {
    pub manifest: Manifest,
    objects: Vec<(String, PathBuf)>,
    _dir: TempDir,
    pub bytes_new: u64,
}

impl Imported {
    /// Moves the verified objects into the store (to be called with the
    /// store lock held shared, until the snapshot is registered).
    pub fn commit(&self, store: &Store) -> Result<u64> {
        let mut placed = 0;
        for (hash, path) in &self.objects {
            if store.place(path, hash)? {
                placed += 1;
            }
        }
        Ok(placed)
    }
}

fn refuse(entry: &str, why: impl std::fmt::Display) -> Error {
    Error::data(format!(
        "archive entry {entry:?}: {why}: nothing was imported"
    ))
}

/// Reads and checks a whole archive from `input`.
pub fn import(store: &Store, input: impl Read) -> Result<Imported> {
    let dec =
        zstd::Decoder::new(input).map_err(|e| Error::from_io("cannot read the archive", &e))?;
    let limit = Rc::new(Cell::new(MAX_MANIFEST + SLACK));
    let hit = Rc::new(Cell::new(false));
    let mut archive = tar::Archive::new(Capped {
        inner: dec,
        used: 0,
        limit: limit.clone(),
        hit: hit.clone(),
    });
    let dir = store
        .tmp_dir()
        .join(format!("import-{}", ptest_shared::record::random_hex(8)));
    fs::create_dir(&dir).io_context(|| format!("cannot create {}", dir.display()))?;
    let dir = TempDir(dir);
    let bad = |e: std::io::Error| {
        // The tar reader quotes an entry's name as it is: it may hold a newline.
        let e = ptest_shared::error::one_line(&e.to_string()).into_owned();
        if hit.get() {
            Error::data(format!("{e} (a decompression bomb?): nothing was imported"))
        } else {
            Error::data(format!(
                "the archive is not a zstd-compressed tar stream: {e}"
            ))
        }
    };
    let mut manifest: Option<Manifest> = None;
    let mut want: HashMap<String, u64> = HashMap::new();
    let mut got: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut bytes_new = 0;
    let bar = ptest_shared::output::progress(0, "importing");
    for entry in archive.entries().map_err(bad)? {
        ptest_shared::interrupt::check()?;
        let mut entry = entry.map_err(bad)?;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        check_entry(&entry, &name)?;
        let declared = entry.header().size().map_err(|e| refuse(&name, e))?;
        if manifest.is_none() {
            if name != "manifest.json" {
                return Err(refuse(&name, "the first entry must be manifest.json"));
            }
            let (m, len) = read_manifest(&mut entry, declared, &bad)?;
            // From here on, what the objects declare, each in whole blocks
            // behind a header; sizes that add up past what a u64 counts are
            // a lie (they overflowed: a panic in a debug build, a cap that
            // wrapped around in a release one).
            let objects = m
                .objects()
                .values()
                .try_fold(0u64, |sum, s| {
                    s.div_ceil(512)
                        .checked_mul(512)
                        .and_then(|b| b.checked_add(512))
                        .and_then(|b| sum.checked_add(b))
                })
                .and_then(|o| o.checked_add(len + 2 * SLACK))
                .ok_or_else(|| {
                    refuse(
                        "manifest.json",
                        "its files' sizes add up to more than 16 EiB",
                    )
                })?;
            limit.set(objects);
            want = m
                .objects()
                .into_iter()
                .map(|(h, s)| (h.to_owned(), s))
                .collect();
            bar.set_length(want.len() as u64);
            bar.set_message(format!("importing {}", m.id));
            manifest = Some(m);
            continue;
        }
        let hash = name
            .strip_prefix("objects/")
            .filter(|h| check_hash(h).is_ok())
            .ok_or_else(|| {
                refuse(
                    &name,
                    "not an object of the snapshot (objects/<BLAKE3 hash>)",
                )
            })?;
        let Some(&size) = want.get(hash) else {
            return Err(refuse(&name, "an object the manifest does not reference"));
        };
        if got.contains_key(hash) {
            return Err(refuse(&name, "given twice"));
        }
        if declared != size {
            return Err(refuse(
                &name,
                format!("{declared} bytes, but the manifest declares {size}"),
            ));
        }
        let path = dir.0.join(hash);
        let n = receive(&mut entry, &path, hash, size, &name)?;
        bytes_new += n;
        got.insert(hash.to_owned(), path);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let Some(manifest) = manifest else {
        return Err(Error::data(
            "the archive holds no manifest.json: nothing was imported",
        ));
    };
    // An object the archive leaves out must be in the store already, and
    // of the size the manifest declares (its hash was checked when it was
    // stored; the size the manifest gives it was not).
    for (h, &size) in &want {
        if got.contains_key(h) {
            continue;
        }
        match fs::symlink_metadata(store.object_path(h)) {
            Ok(m) if m.is_file() && m.len() == size => {}
            Ok(m) if m.is_file() => {
                return Err(Error::data(format!(
                    "the manifest declares {size} bytes for object {h}, which the store holds with {}: nothing was imported",
                    m.len()
                ))
                .hint("the manifest was changed after the export (or forged)"));
            }
            _ => {
                return Err(Error::data(format!(
                    "the archive lacks object {h}, which the manifest references: nothing was imported"
                )));
            }
        }
    }
    Ok(Imported {
        manifest,
        objects: got.into_iter().collect(),
        _dir: dir,
        bytes_new,
    })
}

/// Reads and checks the manifest entry (at most [`MAX_MANIFEST`] bytes);
/// also its length.
fn read_manifest(
    entry: &mut impl Read,
    declared: u64,
    bad: &dyn Fn(std::io::Error) -> Error,
) -> Result<(Manifest, u64)> {
    if declared > MAX_MANIFEST {
        return Err(refuse(
            "manifest.json",
            format!("{declared} bytes is too large a manifest"),
        ));
    }
    let mut bytes = Vec::new();
    entry
        .take(MAX_MANIFEST)
        .read_to_end(&mut bytes)
        .map_err(bad)?;
    let mut m = Manifest::parse(&bytes, "archive entry \"manifest.json\"")?;
    crate::container::convert_old_owners(&mut m)?;
    Ok((m, bytes.len() as u64))
}

/// Refuses every entry but a regular file at a plain relative path.
fn check_entry<R: Read>(entry: &tar::Entry<R>, name: &str) -> Result<()> {
    let raw = entry.path_bytes();
    if let Err(why) = crate::manifest::check_path(&raw) {
        return Err(refuse(name, why));
    }
    use tar::EntryType as T;
    let kind = entry.header().entry_type();
    let why = match kind {
        T::Regular | T::Continuous => return Ok(()),
        T::Link => format!(
            "a hard link (to {:?})",
            entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .unwrap_or_default()
        ),
        T::Symlink => "a symlink".to_owned(),
        T::Char | T::Block => "a device file".to_owned(),
        T::Fifo => "a FIFO".to_owned(),
        T::Directory => "a directory".to_owned(),
        other => format!("an entry of type {other:?}"),
    };
    Err(refuse(
        name,
        format!("{why}: an archive of ptest holds regular files only"),
    ))
}

/// Writes one object's data to `path`, reading at most `size` bytes and
/// one more (to see a lie), and checks its hash.
fn receive(entry: &mut impl Read, path: &Path, hash: &str, size: u64, name: &str) -> Result<u64> {
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .io_context(|| format!("cannot create {}", path.display()))?;
    let mut hasher = blake3::Hasher::new();
    let mut capped = entry.take(size + 1);
    let mut buf = vec![0u8; 256 << 10];
    let mut n = 0u64;
    loop {
        let k = match capped.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let e = ptest_shared::error::one_line(&e.to_string()).into_owned();
                return Err(refuse(name, format!("cannot be read: {e}")));
            }
        };
        n += k as u64;
        if n > size {
            return Err(refuse(
                name,
                format!("larger than the {size} bytes declared"),
            ));
        }
        hasher.update(&buf[..k]);
        out.write_all(&buf[..k])
            .io_context(|| format!("cannot write {}", path.display()))?;
    }
    if n != size {
        return Err(refuse(name, format!("{n} bytes, not the {size} declared")));
    }
    let got = hex(hasher.finalize().as_bytes());
    if got != hash {
        return Err(refuse(
            name,
            format!("its contents hash to {got}: corrupt or forged"),
        ));
    }
    Ok(n)
}
