//! The template cache: a built environment per set of inputs, cloned into
//! every environment that asks for the same thing.
//!
//! The key hashes everything that decides what gets installed: the
//! interpreter (binary, version), the normalised requirements with the
//! exact contents of every file read, the installer, the index options
//! (and what local wheelhouses hold), and ptest's version.
//!
//! A template is built once: under an exclusive lock on its key, in a
//! temporary directory beside its final place, then bytecode-compiled,
//! made read-only and renamed into place — so it exists whole or not at
//! all, and 16 callers asking at once build it once. Clones take the lock
//! shared, so `cache prune` never pulls a template from under a clone.

use crate::clone;
use ptest_shared::error::IoContext;
use ptest_shared::record::Timestamp;
use ptest_shared::state::{Lock, StateDir};
use ptest_shared::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The file inside a template that says it is complete and what it holds.
pub const META: &str = ".ptest-template.json";

/// How long a caller waits for someone else's build of the same template.
const BUILD_WAIT: Duration = Duration::from_secs(3600);

/// What a template holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub key: String,
    pub created_at: String,
    pub python: String,
    pub python_version: String,
    pub backend: String,
    pub requirements: Vec<String>,
    pub packages: Vec<String>,
}

/// Hashes the inputs of a template into its key.
#[derive(Default)]
pub struct KeyBuilder(Sha256);

impl KeyBuilder {
    pub fn new() -> KeyBuilder {
        let mut k = KeyBuilder(Sha256::new());
        k.part("ptest-venv template", env!("CARGO_PKG_VERSION").as_bytes());
        k
    }

    /// Adds one named input (length-prefixed, so parts cannot run together).
    pub fn part(&mut self, name: &str, bytes: &[u8]) -> &mut Self {
        for b in [name.as_bytes(), bytes] {
            self.0.update((b.len() as u64).to_le_bytes());
            self.0.update(b);
        }
        self
    }

    pub fn finish(self) -> String {
        let d = self.0.finalize();
        d.iter().take(16).map(|b| format!("{b:02x}")).collect()
    }
}

pub struct Cache {
    state: StateDir,
    dir: PathBuf,
}

impl Cache {
    pub fn open(state: &StateDir) -> Result<Cache> {
        Ok(Cache {
            state: state.clone(),
            dir: state.subdir("cache/venv/templates")?,
        })
    }

    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }

    fn lock_name(key: &str) -> String {
        format!("venv-template-{key}")
    }

    /// The template `key`, built by `build` (into the directory it is
    /// given) when missing. Returns it held under a shared lock, so that it
    /// stays while it is cloned, and whether this call built it.
    pub fn get_or_build(
        &self,
        key: &str,
        build: impl FnOnce(&Path) -> Result<Meta>,
    ) -> Result<(Held, bool)> {
        let name = Self::lock_name(key);
        let path = self.path(key);
        // The common case: built already.
        let shared = self.state.lock_shared(&name, BUILD_WAIT)?;
        if path.join(META).exists() {
            touch(&path);
            return Ok((
                Held {
                    path,
                    _lock: shared,
                },
                false,
            ));
        }
        drop(shared);
        let exclusive = self.state.lock(&name, BUILD_WAIT)?;
        if !path.join(META).exists() {
            self.build_locked(key, build)?;
        }
        drop(exclusive);
        let shared = self.state.lock_shared(&name, BUILD_WAIT)?;
        if !path.join(META).exists() {
            return Err(Error::temp_fail(format!(
                "template {key} was removed while this environment waited for it"
            ))
            .hint("retry"));
        }
        touch(&path);
        Ok((
            Held {
                path,
                _lock: shared,
            },
            true,
        ))
    }

    fn build_locked(&self, key: &str, build: impl FnOnce(&Path) -> Result<Meta>) -> Result<()> {
        // Leftovers of builds that were killed.
        for e in fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if e.file_name()
                .to_string_lossy()
                .starts_with(&format!(".tmp-{key}-"))
            {
                let _ = fs::remove_dir_all(e.path());
            }
        }
        let tmp = self.dir.join(format!(
            ".tmp-{key}-{}",
            ptest_shared::record::random_hex(4)
        ));
        let result = (|| {
            let meta = build(&tmp)?;
            clone::make_read_only(&tmp)?;
            let bytes = serde_json::to_vec_pretty(&meta).unwrap_or_default();
            fs::write(tmp.join(META), bytes)
                .io_context(|| format!("cannot write {}", tmp.join(META).display()))?;
            fs::rename(&tmp, self.path(key)).io_context(|| {
                format!("cannot move the template into {}", self.path(key).display())
            })
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&tmp);
        }
        result
    }

    /// Every complete template with what it holds, its size and when it
    /// was last used.
    pub fn list(&self) -> Result<Vec<Entry>> {
        let mut out = Vec::new();
        for e in
            fs::read_dir(&self.dir).io_context(|| format!("cannot list {}", self.dir.display()))?
        {
            let e = e.io_context(|| format!("cannot list {}", self.dir.display()))?;
            let path = e.path();
            let Ok(bytes) = fs::read(path.join(META)) else {
                continue;
            };
            let Ok(meta) = serde_json::from_slice::<Meta>(&bytes) else {
                continue;
            };
            let last_used = fs::metadata(&path)
                .and_then(|m| m.modified())
                .unwrap_or(SystemTime::UNIX_EPOCH);
            out.push(Entry {
                size: clone::tree_size(&path),
                path,
                meta,
                last_used,
            });
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.last_used));
        Ok(out)
    }

    /// Removes the temporary directories of builds that were killed (their
    /// key's lock is free); returns how many.
    pub fn sweep(&self) -> Result<usize> {
        let mut n = 0;
        for e in
            fs::read_dir(&self.dir).io_context(|| format!("cannot list {}", self.dir.display()))?
        {
            let e = e.io_context(|| format!("cannot list {}", self.dir.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(key) = name
                .strip_prefix(".tmp-")
                .and_then(|rest| rest.rsplit_once('-'))
                .map(|(k, _)| k.to_owned())
            else {
                continue;
            };
            if let Ok(_lock) = self.state.lock(&Self::lock_name(&key), Duration::ZERO)
                && fs::remove_dir_all(e.path()).is_ok()
            {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Removes a template unless a clone or build holds it; `false` when busy.
    pub fn remove(&self, key: &str) -> Result<bool> {
        let Ok(_lock) = self.state.lock(&Self::lock_name(key), Duration::ZERO) else {
            return Ok(false);
        };
        let path = self.path(key);
        match fs::remove_dir_all(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
            Err(e) => Err(Error::from_io(
                format!("cannot remove {}", path.display()),
                &e,
            )),
        }
    }
}

/// A template held for cloning.
pub struct Held {
    pub path: PathBuf,
    _lock: Lock,
}

pub struct Entry {
    pub path: PathBuf,
    pub meta: Meta,
    pub size: u64,
    pub last_used: SystemTime,
}

impl Entry {
    pub fn to_record(&self) -> serde_json::Value {
        let used = Timestamp::try_from(self.last_used)
            .map(|t| t.to_string())
            .unwrap_or_default();
        serde_json::json!({
            "v": 1,
            "kind": "venv-template",
            "key": self.meta.key,
            "path": self.path,
            "python": self.meta.python,
            "python_version": self.meta.python_version,
            "backend": self.meta.backend,
            "requirements": self.meta.requirements,
            "packages": self.meta.packages,
            "size_bytes": self.size,
            "created_at": self.meta.created_at,
            "last_used": used,
        })
    }
}

/// Marks a template used now (its directory's mtime).
fn touch(path: &Path) {
    if let Ok(d) = fs::File::open(path) {
        let _ = d.set_modified(SystemTime::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn meta(key: &str) -> Meta {
        Meta {
            key: key.into(),
            created_at: String::new(),
            python: String::new(),
            python_version: String::new(),
            backend: "uv".into(),
            requirements: vec![],
            packages: vec![],
        }
    }

    #[test]
    fn keys_separate_their_parts() {
        let mut a = KeyBuilder::new();
        a.part("x", b"ab").part("y", b"c");
        let mut b = KeyBuilder::new();
        b.part("x", b"a").part("y", b"bc");
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn concurrent_callers_build_once_and_a_failed_build_leaves_nothing() {
        let home = tempfile::tempdir().unwrap();
        let state = StateDir::at(home.path().to_path_buf()).unwrap();
        let builds = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (state, builds) = (state.clone(), builds.clone());
                std::thread::spawn(move || {
                    let cache = Cache::open(&state).unwrap();
                    let (held, _) = cache
                        .get_or_build("k1", |dir| {
                            builds.fetch_add(1, Ordering::SeqCst);
                            fs::create_dir(dir).unwrap();
                            std::thread::sleep(Duration::from_millis(100));
                            fs::write(dir.join("f"), "x").unwrap();
                            Ok(meta("k1"))
                        })
                        .unwrap();
                    assert_eq!(fs::read_to_string(held.path.join("f")).unwrap(), "x");
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        let cache = Cache::open(&state).unwrap();
        let e = cache
            .get_or_build("k2", |dir| {
                fs::create_dir(dir).unwrap();
                fs::write(dir.join("half"), "x").unwrap();
                Err(Error::unavailable("no such package"))
            })
            .err()
            .unwrap();
        assert_eq!(e.exit.code(), 69);
        let names: Vec<_> = fs::read_dir(home.path().join("cache/venv/templates"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["k1".to_owned()]);
        assert_eq!(cache.list().unwrap().len(), 1);
        assert!(
            fs::metadata(cache.path("k1").join("f"))
                .unwrap()
                .permissions()
                .readonly()
        );
        // A killed build's directory is swept, unless its build still runs.
        fs::create_dir_all(cache.dir.join(".tmp-k3-0a0b0c0d/bin")).unwrap();
        fs::create_dir_all(cache.dir.join(".tmp-k4-0a0b0c0d")).unwrap();
        let busy = state.lock("venv-template-k4", Duration::ZERO).unwrap();
        assert_eq!(cache.sweep().unwrap(), 1);
        assert!(cache.dir.join(".tmp-k4-0a0b0c0d").exists());
        drop(busy);
        assert!(cache.remove("k1").unwrap());
        assert!(cache.list().unwrap().is_empty());
    }
}
