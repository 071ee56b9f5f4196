//! The content-addressed store under the state directory:
//!
//! ```text
//! snap/objects/ab/cdef…   one file per distinct content, named by its BLAKE3 hash (read-only)
//! snap/manifests/<id>.json  one per snapshot (see `manifest`)
//! snap/tmp/                objects being written, imports being checked
//! snap/cache.json          (dev, inode, size, mtime, ctime) → hash: what a second snapshot need not read
//! snap/index/<id>.json     a snapshot's source as last seen unchanged (see `index`)
//! snap/paused/<engine id>  a container a snapshot paused, naming the process (gc unpauses it when that died)
//! locks/snap-store.lock    shared by writers (create, import), exclusive for gc
//! ```
//!
//! An object is written to `tmp/` and renamed to its name only once whole,
//! so a crash never leaves half an object under a final name; the objects
//! of a snapshot are made durable (`syncfs`) before its manifest is
//! written, so a power loss never leaves a manifest referencing lost data.
//! Whoever writes objects or manifests holds the store lock shared until its
//! snapshot is registered; `gc` takes it exclusively, so it never removes
//! an object a snapshot in flight is about to reference.

use crate::manifest::{Manifest, check_hash};
use ptest_shared::error::IoContext;
use ptest_shared::state::{Durability, Lock, StateDir, write_atomic, write_atomic_with};
use ptest_shared::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for `gc` to let go of the store.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct Store {
    pub state: StateDir,
    root: PathBuf,
}

/// What writing one file's contents into the store did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ingested {
    pub hash: [u8; 32],
    /// The object was not in the store before.
    pub new: bool,
    /// Bytes read and hashed.
    pub hashed: u64,
}

impl Store {
    pub fn open() -> Result<Store> {
        Store::at(&StateDir::open()?)
    }

    pub fn at(state: &StateDir) -> Result<Store> {
        let root = state.subdir("snap")?;
        for d in ["objects", "manifests", "tmp", "index"] {
            ptest_shared::state::ensure_private_dir(&root.join(d))?;
        }
        Ok(Store {
            state: state.clone(),
            root,
        })
    }

    /// Where each snapshot's index of its source is (see `index`).
    pub fn index_dir(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Notes of containers a snapshot has paused (see `container`).
    pub fn paused_dir(&self) -> Result<PathBuf> {
        let d = self.root.join("paused");
        ptest_shared::state::ensure_private_dir(&d)?;
        Ok(d)
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// The store lock: shared for writers, exclusive for gc.
    pub fn lock(&self, exclusive: bool) -> Result<Lock> {
        if exclusive {
            self.state.lock("snap-store", LOCK_TIMEOUT)
        } else {
            self.state.lock_shared("snap-store", LOCK_TIMEOUT)
        }
    }

    pub fn object_path(&self, hash: &str) -> PathBuf {
        self.root.join("objects").join(&hash[..2]).join(&hash[2..])
    }

    pub fn has(&self, hash: &str) -> bool {
        fs::symlink_metadata(self.object_path(hash)).is_ok_and(|m| m.is_file())
    }

    /// A fresh temp file in `tmp/` (mode 0600), and its path.
    pub fn temp_file(&self) -> Result<(File, PathBuf)> {
        let path = self
            .tmp_dir()
            .join(format!("obj-{}", ptest_shared::record::random_hex(10)));
        let f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .io_context(|| format!("cannot create {}", path.display()))?;
        Ok((f, path))
    }

    /// Reads `src` to its end through BLAKE3 into a temp file, then renames
    /// it into place as its object, unless the store has it already.
    pub fn ingest(&self, src: &mut impl Read, what: &Path) -> Result<Ingested> {
        let (mut tmp, tmp_path) = self.temp_file()?;
        let result = (|| {
            let mut hasher = blake3::Hasher::new();
            let mut buf = vec![0u8; 256 << 10];
            let mut hashed = 0u64;
            loop {
                let n = match src.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        return Err(Error::from_io(
                            format!("cannot read {}", what.display()),
                            &e,
                        ));
                    }
                };
                hasher.update(&buf[..n]);
                tmp.write_all(&buf[..n])
                    .io_context(|| format!("cannot write {}", tmp_path.display()))?;
                hashed += n as u64;
            }
            let hash = *hasher.finalize().as_bytes();
            let new = self.place(&tmp_path, &crate::manifest::hex(&hash))?;
            Ok(Ingested { hash, new, hashed })
        })();
        if result.is_err() || result.as_ref().is_ok_and(|i| !i.new) {
            let _ = fs::remove_file(&tmp_path);
        }
        result
    }

    /// Renames a whole temp file to object `hash` (read-only), unless the
    /// store has it already; `true` when it was placed.
    pub fn place(&self, tmp: &Path, hash: &str) -> Result<bool> {
        check_hash(hash).map_err(Error::internal)?;
        let dest = self.object_path(hash);
        if self.has(hash) {
            return Ok(false);
        }
        let dir = dest.parent().expect("objects have a parent");
        ptest_shared::state::ensure_private_dir(dir)?;
        fs::set_permissions(tmp, fs::Permissions::from_mode(0o444))
            .io_context(|| format!("cannot chmod {}", tmp.display()))?;
        fs::rename(tmp, &dest).io_context(|| format!("cannot move into {}", dest.display()))?;
        Ok(true)
    }

    /// Every object in the store: (hash, path).
    pub fn objects(&self) -> Result<Vec<(String, PathBuf)>> {
        let dir = self.root.join("objects");
        let mut out = Vec::new();
        for a in fs::read_dir(&dir).io_context(|| format!("cannot list {}", dir.display()))? {
            let a = a.io_context(|| format!("cannot list {}", dir.display()))?;
            let prefix = a.file_name().to_string_lossy().into_owned();
            if prefix.len() != 2 || !a.path().is_dir() {
                continue;
            }
            for b in fs::read_dir(a.path()).io_context(|| format!("cannot list {}", prefix))? {
                let b = b.io_context(|| format!("cannot list {prefix}"))?;
                let hash = format!("{prefix}{}", b.file_name().to_string_lossy());
                out.push((hash, b.path()));
            }
        }
        Ok(out)
    }

    fn manifest_path(&self, id: &str) -> Result<PathBuf> {
        ptest_shared::registry::validate_id(id)?;
        Ok(self.root.join("manifests").join(format!("{id}.json")))
    }

    /// Makes every object written so far durable (one `syncfs` of the
    /// store's filesystem), before a manifest that references them is.
    pub fn sync(&self) -> Result<()> {
        let dir =
            File::open(&self.root).io_context(|| format!("cannot open {}", self.root.display()))?;
        nix::unistd::syncfs(&dir)
            .map_err(|e| Error::io(format!("cannot sync {}: {e}", self.root.display())))
    }

    /// Writes a manifest (durably, as the registry entry that follows).
    pub fn write_manifest(&self, m: &Manifest) -> Result<()> {
        let bytes = serde_json::to_vec(m).expect("a manifest serialises");
        write_atomic(&self.manifest_path(&m.id)?, &bytes)
    }

    /// The manifest of snapshot `id`: 66 when there is none, 65 when it
    /// is not a valid manifest.
    pub fn read_manifest(&self, id: &str) -> Result<Manifest> {
        let path = self.manifest_path(id)?;
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::no_input(format!(
                    "snapshot {id} has no manifest in the store ({})",
                    path.display()
                )));
            }
            Err(e) => {
                return Err(Error::from_io(
                    format!("cannot read {}", path.display()),
                    &e,
                ));
            }
        };
        let mut m = Manifest::parse(&bytes, &path.display().to_string())?;
        crate::container::convert_old_owners(&mut m)?;
        if m.id != id {
            return Err(Error::data(format!(
                "{}: the manifest is of {}, not {id}",
                path.display(),
                m.id
            )));
        }
        Ok(m)
    }

    pub fn remove_manifest(&self, id: &str) -> Result<bool> {
        let path = self.manifest_path(id)?;
        crate::index::Index::remove(self, id);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::from_io(
                format!("cannot remove {}", path.display()),
                &e,
            )),
        }
    }

    /// The ids of every manifest in the store.
    pub fn manifest_ids(&self) -> Result<Vec<String>> {
        let dir = self.root.join("manifests");
        let mut ids = Vec::new();
        for e in fs::read_dir(&dir).io_context(|| format!("cannot list {}", dir.display()))? {
            let e = e.io_context(|| format!("cannot list {}", dir.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(id) = name.strip_suffix(".json")
                && !name.starts_with('.')
            {
                ids.push(id.to_owned());
            }
        }
        ids.sort();
        Ok(ids)
    }

    /// Rehashes object `hash`: `Ok(None)` when it holds what its name
    /// says and `size` bytes, else what is wrong with it.
    pub fn verify_object(&self, hash: &str, size: u64) -> Result<Option<String>> {
        let path = self.object_path(hash);
        let mut f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Some("missing".into()));
            }
            Err(e) => {
                return Err(Error::from_io(
                    format!("cannot open {}", path.display()),
                    &e,
                ));
            }
        };
        let mut hasher = blake3::Hasher::new();
        let n = std::io::copy(&mut f, &mut hasher)
            .io_context(|| format!("cannot read {}", path.display()))?;
        let got = hasher.finalize().to_hex();
        Ok(if got.as_str() != hash {
            Some(format!("holds contents hashing to {got}"))
        } else if n != size {
            Some(format!("holds {n} bytes, not {size}"))
        } else {
            None
        })
    }
}

/// What the cache knows of one file: its identity and metadata when it
/// was hashed, and the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheEntry {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub hash: String,
}

/// `cache.json`: "dev:inode" → [`CacheEntry`]. A hint only: a hit counts
/// when every field matches and the store still holds the object.
#[derive(Debug, Default)]
pub struct Cache {
    entries: HashMap<String, CacheEntry>,
    changed: bool,
}

impl Cache {
    fn path(store: &Store) -> PathBuf {
        store.root.join("cache.json")
    }

    /// The cache, or an empty one when it is missing or unreadable.
    pub fn load(store: &Store) -> Cache {
        let entries = fs::read(Cache::path(store))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Cache {
            entries,
            changed: false,
        }
    }

    pub fn key(dev: u64, ino: u64) -> String {
        format!("{dev}:{ino}")
    }

    pub fn get(&self, key: &str, want: &CacheEntry) -> Option<&str> {
        self.entries.get(key).and_then(|e| {
            (e.size == want.size && e.mtime_ns == want.mtime_ns && e.ctime_ns == want.ctime_ns)
                .then_some(e.hash.as_str())
        })
    }

    pub fn put(&mut self, key: String, entry: CacheEntry) {
        if self.entries.get(&key) != Some(&entry) {
            self.entries.insert(key, entry);
            self.changed = true;
        }
    }

    /// Forgets entries whose object is gone.
    pub fn prune(&mut self, store: &Store) {
        let before = self.entries.len();
        self.entries.retain(|_, e| store.has(&e.hash));
        self.changed |= self.entries.len() != before;
    }

    pub fn save(&self, store: &Store) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        let bytes = serde_json::to_vec(&self.entries).expect("the cache serialises");
        write_atomic_with(&Cache::path(store), &bytes, Durability::Volatile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_object_is_stored_once_read_only_and_checked_by_its_hash() {
        let t = tempfile::tempdir().unwrap();
        let store = Store::at(&StateDir::at(t.path().join("state")).unwrap()).unwrap();
        let what = Path::new("data");
        let a = store.ingest(&mut &b"same bytes"[..], what).unwrap();
        let b = store.ingest(&mut &b"same bytes"[..], what).unwrap();
        assert!(a.new && !b.new);
        assert_eq!(a.hash, b.hash);
        assert_eq!(a.hash, *blake3::hash(b"same bytes").as_bytes());
        let hash = crate::manifest::hex(&a.hash);
        let path = store.object_path(&hash);
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o444
        );
        assert_eq!(
            fs::read_dir(store.tmp_dir()).unwrap().count(),
            0,
            "no temp left"
        );
        assert_eq!(store.verify_object(&hash, 10).unwrap(), None);
        assert!(store.verify_object(&hash, 11).unwrap().is_some());
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        fs::write(&path, "same bytez").unwrap();
        assert!(
            store
                .verify_object(&hash, 10)
                .unwrap()
                .unwrap()
                .contains("hashing to")
        );
        assert_eq!(store.objects().unwrap().len(), 1);
    }

    #[test]
    fn a_cache_hit_needs_every_field_to_match() {
        let mut c = Cache::default();
        let e = CacheEntry {
            size: 1,
            mtime_ns: 2,
            ctime_ns: 3,
            hash: "h".into(),
        };
        c.put(Cache::key(1, 2), e.clone());
        assert_eq!(c.get("1:2", &e), Some("h"));
        assert_eq!(
            c.get(
                "1:2",
                &CacheEntry {
                    ctime_ns: 4,
                    ..e.clone()
                }
            ),
            None
        );
        assert_eq!(c.get("1:3", &e), None);
    }
}
