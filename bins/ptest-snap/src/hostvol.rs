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
//! The mountpoint comes from the engine; nothing inside it is followed
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

/// The host directory of volume `name` (mounted at `dest`), when its data
/// may be read and written there: `Err` says why not.
pub fn dir(
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
