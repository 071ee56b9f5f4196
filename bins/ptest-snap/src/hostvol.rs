//! A container's volumes through their directories on the host: when the
//! engine runs on this machine (its name is this host's, not rootless, no
//! user-namespace remapping), we are root, and a volume of the `local`
//! driver without options (no NFS, tmpfs or bind device behind it) has a
//! mountpoint that is an absolute, real directory (no symlink on the
//! way), its tree is read with the directory machinery (the parallel scan
//! and its cache: an unchanged volume is read as metadata only, nothing
//! hashed) and written with restore's (`write_tree`: reflinks or
//! `copy_file_range`, in parallel, owners set). Anything else goes through
//! the engine's archive API (see `container`).
//!
//! Before a host directory is used it is shown to be the container's own
//! (see [`Proof`]): the same inode as the running container sees at the
//! mount point when reading, a file read back through the engine when
//! filling a new volume. The mountpoint comes from the engine; nothing inside it is followed
//! (the scan never follows a symlink, the writer creates every entry
//! itself with `O_NOFOLLOW`/`mkdir`, into a volume the engine has just
//! made, which must be empty).

use crate::container::{Ingested, Volume, volume_manifest};
use crate::files::Methods;
use crate::manifest::{Bytes, Entry, Manifest};
use crate::scan::Excludes;
use crate::store::Store;
use ptest_docker::api::Engine;
use ptest_shared::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// `host` or `archive`: how a volume's data was read or written.
pub const HOST: &str = "host";
pub const ARCHIVE: &str = "archive";

/// Whether volumes' host directories may be used with this engine, asked
/// once per command (one `GET /info`) and only when a volume needs it;
/// never with `snap.volumes = archive`.
pub struct Local(Option<bool>);

impl Local {
    pub fn new(config: &ptest_shared::config::Config) -> Local {
        Local((config.string("snap.volumes") == ARCHIVE).then_some(false))
    }

    pub fn check(&mut self, engine: &Engine) -> bool {
        *self.0.get_or_insert_with(|| engine_is_local(engine))
    }
}

fn engine_is_local(engine: &Engine) -> bool {
    if !nix::unistd::geteuid().is_root() {
        return false;
    }
    let Ok(info) = engine.block_on(engine.docker.info()) else {
        return false;
    };
    let host = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok());
    let remapped = info
        .security_options
        .unwrap_or_default()
        .iter()
        .any(|o| o.contains("rootless") || o.contains("userns"));
    info.name.is_some() && info.name == host && !remapped
}

/// How a host directory is shown to be the very directory the container
/// has at its mount point, not one that merely has its name (the engine's
/// host name can match ours from another mount namespace).
pub enum Proof<'a> {
    /// The running container `pid` sees it at `dest`: the same device and
    /// inode through `/proc/PID/root`. For reading a volume: nothing written.
    Seen { pid: Option<i64>, dest: &'a str },
    /// A file written into it here is read back at `dest` through the
    /// engine's archive API of container `cid` (created, not started: a new,
    /// empty volume), then removed.
    Marker { cid: &'a str, dest: &'a str },
}

/// The host directory of volume `name`, when its data may be read and
/// written there (and `proof` holds): `Err` says why not.
pub fn dir(
    engine: &Engine,
    local: &mut Local,
    name: Option<&str>,
    proof: Proof,
) -> std::result::Result<PathBuf, String> {
    let dir = unproven_dir(engine, local, name)?;
    prove(engine, &dir, proof)?;
    Ok(dir)
}

fn prove(engine: &Engine, dir: &Path, proof: Proof) -> std::result::Result<(), String> {
    match proof {
        Proof::Seen { pid, dest } => seen_by(dir, pid, dest),
        Proof::Marker { cid, dest } => {
            let name = format!(".ptest-snap-probe-{}", ptest_shared::record::random_hex(8));
            let token = ptest_shared::record::random_hex(16);
            let path = dir.join(&name);
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| std::io::Write::write_all(&mut f, token.as_bytes()))
                .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
            let seen = ptest_docker::api::download(engine, cid, &format!("{dest}/{name}"), |r| {
                let mut got = Vec::new();
                for entry in tar::Archive::new(r)
                    .entries()
                    .map_err(|e| Error::io(e.to_string()))?
                {
                    let mut entry = entry.map_err(|e| Error::io(e.to_string()))?;
                    if entry.header().entry_type().is_file() {
                        std::io::Read::read_to_end(&mut entry, &mut got)
                            .map_err(|e| Error::io(e.to_string()))?;
                    }
                }
                Ok(got)
            });
            let _ = fs::remove_file(&path);
            match seen {
                Ok(got) if got == token.as_bytes() => Ok(()),
                Ok(_) => Err(format!(
                    "{} is not the directory the container has at {dest}",
                    dir.display()
                )),
                Err(e) => Err(format!(
                    "{} is not the directory the container has at {dest}: {}",
                    dir.display(),
                    e.message
                )),
            }
        }
    }
}

/// Whether process `pid` sees `dir` at `dest` (in its own root).
fn seen_by(dir: &Path, pid: Option<i64>, dest: &str) -> std::result::Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let pid = pid
        .filter(|p| *p > 0)
        .ok_or("the container is not running: its volume cannot be compared")?;
    let theirs = fs::metadata(format!("/proc/{pid}/root{dest}"))
        .map_err(|e| format!("cannot see {dest} of the container from here: {e}"))?;
    let ours = fs::symlink_metadata(dir).map_err(|e| e.to_string())?;
    if (theirs.dev(), theirs.ino()) != (ours.dev(), ours.ino()) {
        return Err(format!(
            "{} is not the directory the container has at {dest}",
            dir.display()
        ));
    }
    Ok(())
}

fn unproven_dir(
    engine: &Engine,
    local: &mut Local,
    name: Option<&str>,
) -> std::result::Result<PathBuf, String> {
    let name = name.ok_or("not a named volume")?;
    if !local.check(engine) {
        return Err("snap.volumes is archive, the engine is not local, or we are not root".into());
    }
    let v = engine
        .block_on(engine.docker.inspect_volume(name))
        .map_err(|e| format!("cannot inspect volume {name}: {e}"))?;
    if v.driver != "local" {
        return Err(format!("volume driver {}", v.driver));
    }
    if !v.options.is_empty() {
        return Err("a local volume with mount options".into());
    }
    real_dir(&v.mountpoint)
}

/// `p` as a directory we may use: absolute, a directory itself (not a
/// symlink to one), reached through no symlink.
fn real_dir(p: &str) -> std::result::Result<PathBuf, String> {
    let path = Path::new(p);
    if !path.is_absolute() {
        return Err(format!("mountpoint {p:?} is not absolute"));
    }
    let meta = fs::symlink_metadata(path).map_err(|e| format!("mountpoint {p}: {e}"))?;
    if !meta.file_type().is_dir() {
        return Err(format!("mountpoint {p} is not a directory"));
    }
    match fs::canonicalize(path) {
        Ok(c) if c == path => Ok(c),
        Ok(_) => Err(format!("mountpoint {p} passes through a symlink")),
        Err(e) => Err(format!("mountpoint {p}: {e}")),
    }
}

/// Reads the tree at `dir` into the store and manifest entries below
/// `prefix` (the directory entry `prefix` itself first), each with its
/// full owner as the scan found it (the container's manifest keeps them
/// compactly once every volume is read).
pub fn capture(store: &Store, dir: &Path, prefix: &str, parallel: usize) -> Result<Ingested> {
    let (m, mut stats, _) =
        crate::scan::snapshot(store, dir, &Excludes::default(), "volume", parallel)?;
    let (uid, gid) = m
        .root
        .owner()
        .ok_or_else(|| Error::internal("the scan recorded no owner"))?;
    let mut entries = Vec::with_capacity(m.entries.len() + 1);
    entries.push(Entry::Dir {
        path: Bytes(prefix.as_bytes().to_vec()),
        mode: m.root.mode,
        mtime_ns: m.root.mtime_ns,
        xattrs: m.root.xattrs.clone(),
        uid: Some(uid),
        gid: Some(gid),
    });
    stats.dirs += 1;
    for mut e in m.entries.iter().cloned() {
        let (u, g) = m.owner(&e).unwrap_or((uid, gid));
        e.set_ids(Some(u), Some(g));
        let mut path = prefix.as_bytes().to_vec();
        path.push(b'/');
        path.extend_from_slice(&e.path().0);
        match &mut e {
            Entry::File { path: p, .. }
            | Entry::Symlink { path: p, .. }
            | Entry::Dir { path: p, .. } => *p = Bytes(path),
        }
        entries.push(e);
    }
    Ok(Ingested { entries, stats })
}

/// Writes volume `v` of snapshot `m` into `dir`, the host directory of a
/// new, empty volume, owners as the entries have them; returns how files
/// were copied.
pub fn fill(
    store: &Store,
    m: &Manifest,
    v: &Volume,
    dir: &Path,
    parallel: usize,
) -> Result<String> {
    if fs::read_dir(dir)
        .map_err(|e| Error::from_io(format!("cannot read {}", dir.display()), &e))?
        .next()
        .is_some()
    {
        return Err(Error::cant_create(format!(
            "the new volume for {} is not empty ({}): nothing written",
            v.destination,
            dir.display()
        )));
    }
    let sub = volume_manifest(m, v, dir.to_string_lossy().into_owned());
    let methods = Methods::default();
    crate::restore::write_tree(store, &sub, dir, parallel, &methods)?;
    Ok(methods.describe())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_used_only_where_the_process_sees_that_very_directory() {
        let t = tempfile::tempdir().unwrap();
        let d = fs::canonicalize(t.path()).unwrap();
        fs::create_dir(d.join("vol")).unwrap();
        fs::create_dir(d.join("other")).unwrap();
        let me = Some(i64::from(std::process::id()));
        let dest = d.join("vol").display().to_string();
        assert_eq!(seen_by(&d.join("vol"), me, &dest), Ok(()));
        let e = seen_by(&d.join("other"), me, &dest).unwrap_err();
        assert!(e.contains("not the directory"), "{e}");
        let e = seen_by(&d.join("vol"), None, &dest).unwrap_err();
        assert!(e.contains("not running"), "{e}");
        let e = seen_by(&d.join("vol"), me, "/no/such/dir").unwrap_err();
        assert!(e.contains("cannot see"), "{e}");
    }

    #[test]
    fn only_real_absolute_directories_are_used() {
        let t = tempfile::tempdir().unwrap();
        let d = fs::canonicalize(t.path()).unwrap();
        fs::create_dir(d.join("v")).unwrap();
        std::os::unix::fs::symlink(d.join("v"), d.join("l")).unwrap();
        fs::write(d.join("f"), b"").unwrap();
        assert_eq!(
            real_dir(d.join("v").to_str().unwrap()).unwrap(),
            d.join("v")
        );
        for (bad, why) in [
            ("relative/dir".to_owned(), "absolute"),
            (d.join("l").display().to_string(), "not a directory"),
            (d.join("l/.").display().to_string(), "symlink"),
            (d.join("f").display().to_string(), "not a directory"),
            (d.join("none").display().to_string(), "No such"),
        ] {
            let e = real_dir(&bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
