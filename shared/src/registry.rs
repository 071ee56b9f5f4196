//! The registry of live resources: `registry/<id>.json` in the state
//! directory, one record per file, each written atomically.
//!
//! Readers never lock: a file is always whole (see [`crate::state::write_atomic`]).
//! Writers that read-modify-write (allocate a port no live lease holds, take
//! over an owner) do it inside [`Registry::transaction`], which holds the
//! exclusive `locks/registry.lock` for its duration.

use crate::error::{Error, IoContext, Result};
use crate::owner::Owner;
use crate::record::Record;
use crate::state::{Durability, Lock, StateDir, write_atomic_linked};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for the registry lock before giving up with 75.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Registry {
    dir: PathBuf,
    state: StateDir,
}

/// The registry while its lock is held.
#[derive(Debug)]
pub struct Txn<'a> {
    reg: &'a Registry,
    _lock: Lock,
}

/// Checks that an ID can name a file: `[A-Za-z0-9._-]`, not starting with a dot.
pub fn validate_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(Error::data(format!(
            "{id:?} is not a resource ID (letters, digits, '.', '_' and '-', as in port-k3x9m2qa)"
        )))
    }
}

impl Registry {
    pub fn open(state: &StateDir) -> Result<Registry> {
        Ok(Registry {
            dir: state.subdir("registry")?,
            state: state.clone(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, id: &str) -> Result<PathBuf> {
        validate_id(id)?;
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// Runs `f` with the registry lock held.
    pub fn transaction<T>(&self, f: impl FnOnce(&Txn) -> Result<T>) -> Result<T> {
        let txn = Txn {
            reg: self,
            _lock: self.state.lock("registry", LOCK_TIMEOUT)?,
        };
        f(&txn)
    }

    /// Adds or replaces a resource record.
    pub fn put(&self, rec: &Record) -> Result<()> {
        self.transaction(|t| t.put(rec))
    }

    /// Removes a resource; `false` when it was not there.
    pub fn remove(&self, id: &str) -> Result<bool> {
        self.transaction(|t| t.remove(id))
    }

    /// The resource `id`, if registered. A corrupt entry is quarantined
    /// (see [`Registry::list`]) and counts as absent.
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        let path = self.file(id)?;
        self.read(&path)
    }

    /// Reads one entry: `None` when it is gone, or was corrupt and has been
    /// moved to quarantine.
    fn read(&self, path: &Path) -> Result<Option<Record>> {
        let bytes = match fs::read(path) {
            Ok(b) => b,
            // Removed between listing and reading: no longer live.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::from_io(
                    format!("cannot read {}", path.display()),
                    &e,
                ));
            }
        };
        let parsed = String::from_utf8(bytes)
            .map_err(|e| Error::data(format!("{}: not UTF-8: {e}", path.display())))
            .and_then(|s| parse_file(path, &s));
        match parsed {
            Ok(r) => Ok(Some(r)),
            // A newer ptest's entry is not corrupt: left where it is.
            Err(e) if newer_version(path) => {
                eprintln!(
                    "{}: warning: {} (skipped)",
                    crate::cli::prog_name(),
                    e.message
                );
                Ok(None)
            }
            Err(e) => {
                self.quarantine(path, &e);
                Ok(None)
            }
        }
    }

    /// Every resource, oldest first. A file that is not a valid record is
    /// moved to `quarantine/` with a warning, and the rest is listed: one
    /// corrupt entry never stops `ls` or `gc` from seeing everything else.
    pub fn list(&self) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        let entries =
            fs::read_dir(&self.dir).io_context(|| format!("cannot list {}", self.dir.display()))?;
        for entry in entries {
            let entry = entry.io_context(|| format!("cannot list {}", self.dir.display()))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || !name.ends_with(".json") {
                continue;
            }
            if let Some(r) = self.read(&entry.path())? {
                out.push(r);
            }
        }
        out.sort_by(|a, b| (a.created_at(), a.id()).cmp(&(b.created_at(), b.id())));
        Ok(out)
    }

    /// Moves a corrupt entry aside (`quarantine/<name>.<time>`), saying so on
    /// stderr; `ptest doctor` lists what is there.
    fn quarantine(&self, path: &Path, why: &Error) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let moved = self.state.subdir("quarantine").and_then(|q| {
            let to = q.join(format!(
                "{name}.{}",
                jiff::Timestamp::now().as_millisecond()
            ));
            fs::rename(path, &to)
                .io_context(|| format!("cannot move {} to {}", path.display(), to.display()))
                .map(|()| to)
        });
        match moved {
            Ok(to) => eprintln!(
                "{}: warning: {} (moved to {}; `ptest doctor` lists quarantined entries)",
                crate::cli::prog_name(),
                why.message,
                to.display()
            ),
            Err(e) => eprintln!(
                "{}: warning: {}; and {}",
                crate::cli::prog_name(),
                why.message,
                e.message
            ),
        }
    }

    /// The entries moved to quarantine, oldest first.
    pub fn quarantined(&self) -> Result<Vec<PathBuf>> {
        let q = self.state.path().join("quarantine");
        let mut v: Vec<PathBuf> = match fs::read_dir(&q) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::from_io(format!("cannot list {}", q.display()), &e)),
        };
        v.sort();
        Ok(v)
    }

    /// Gives a resource a new owner (a consuming tool takes it over for the
    /// lifetime of its command). Returns the updated record, `None` if absent.
    pub fn take_over(&self, id: &str, owner: &Owner) -> Result<Option<Record>> {
        self.transaction(|t| {
            let Some(mut rec) = t.get(id)? else {
                return Ok(None);
            };
            rec.set_owner(Some(owner));
            t.put(&rec)?;
            Ok(Some(rec))
        })
    }

    /// Deletes temp files left by writers killed mid-write (older than `age`).
    pub fn sweep_temp(&self, age: Duration) -> Result<usize> {
        crate::state::sweep_temp_files(&self.dir, age)
    }
}

/// True when the entry at `path` is a record of a protocol version newer
/// than this build's.
fn newer_version(path: &Path) -> bool {
    fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| v.get("v").and_then(serde_json::Value::as_u64))
        .is_some_and(|v| v > crate::record::PROTOCOL_VERSION)
}

fn parse_file(path: &Path, s: &str) -> Result<Record> {
    let line = s.trim_end_matches('\n');
    Record::parse(line, &path.display().to_string(), 1).map_err(|e| {
        Error::data(format!("corrupt registry entry: {}", e.message)).hint(format!(
            "inspect {} and remove it if the resource is gone",
            path.display()
        ))
    })
}

impl Txn<'_> {
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        self.reg.get(id)
    }
    pub fn list(&self) -> Result<Vec<Record>> {
        self.reg.list()
    }
    pub fn put(&self, rec: &Record) -> Result<()> {
        self.put_with(rec, Durability::Durable, None)
    }
    /// [`Txn::put`] with a choice of durability (port leases are volatile),
    /// optionally hard-linking the new entry at `also` too (an index entry
    /// of the tool's own, in place before the entry itself appears).
    pub fn put_with(
        &self,
        rec: &Record,
        durability: Durability,
        also: Option<&Path>,
    ) -> Result<()> {
        let id = rec.id().ok_or_else(|| {
            Error::internal(format!("registering a {} record without id", rec.kind()))
        })?;
        let path = self.reg.file(id)?;
        let mut line = rec.to_line();
        line.push('\n');
        write_atomic_linked(&path, line.as_bytes(), durability, also)
    }
    pub fn remove(&self, id: &str) -> Result<bool> {
        let path = self.reg.file(id)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(Error::from_io(
                format!("cannot remove {}", path.display()),
                &e,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> (tempfile::TempDir, Registry) {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().join("state")).unwrap();
        let r = Registry::open(&s).unwrap();
        (t, r)
    }

    #[test]
    fn put_get_list_remove() {
        let (_t, r) = reg();
        let a = Record::resource("tmpdir", "ptest-tmpdir");
        let b = Record::resource("scratch", "ptest-scratch");
        r.put(&a).unwrap();
        r.put(&b).unwrap();
        assert_eq!(
            r.get(a.id().unwrap()).unwrap().unwrap().to_line(),
            a.to_line()
        );
        assert_eq!(r.list().unwrap().len(), 2);
        assert!(r.remove(a.id().unwrap()).unwrap());
        assert!(!r.remove(a.id().unwrap()).unwrap());
        assert_eq!(r.list().unwrap(), vec![b]);
    }

    #[test]
    fn a_corrupt_entry_is_quarantined_and_the_rest_listed() {
        let (_t, r) = reg();
        let good = Record::resource("tmpdir", "ptest-tmpdir");
        r.put(&good).unwrap();
        fs::write(r.dir().join("port-bad.json"), "{not json").unwrap();
        fs::write(r.dir().join("port-worse.json"), b"\xff\xfe").unwrap();
        assert_eq!(r.list().unwrap(), vec![good]);
        let q = r.quarantined().unwrap();
        assert_eq!(q.len(), 2, "{q:?}");
        assert!(
            q[0].file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("port-bad.json.")
        );
        assert!(!r.dir().join("port-bad.json").exists());
        assert_eq!(r.get("port-bad").unwrap(), None);
        // A newer ptest's entry is skipped, not moved.
        fs::write(r.dir().join("x-new.json"), r#"{"v":2,"kind":"x"}"#).unwrap();
        assert_eq!(r.list().unwrap().len(), 1);
        assert!(r.dir().join("x-new.json").exists());
    }

    #[test]
    fn ids_that_escape_the_directory_are_refused() {
        let (_t, r) = reg();
        assert!(r.get("../etc/passwd").is_err());
        assert!(r.remove(".hidden").is_err());
        assert!(validate_id("port-k3x9m2qa").is_ok());
    }

    #[test]
    fn take_over_changes_owner() {
        let (_t, r) = reg();
        let mut a = Record::resource("tmpdir", "ptest-tmpdir");
        a.set("owner", serde_json::json!({"pid": 1, "start_time": 0}));
        r.put(&a).unwrap();
        let me = Owner::current();
        let got = r.take_over(a.id().unwrap(), &me).unwrap().unwrap();
        assert_eq!(got.owner().unwrap(), Some(me.clone()));
        assert_eq!(
            r.get(a.id().unwrap()).unwrap().unwrap().owner().unwrap(),
            Some(me.clone())
        );
        assert!(r.take_over("tmpdir-none", &me).unwrap().is_none());
    }
}
