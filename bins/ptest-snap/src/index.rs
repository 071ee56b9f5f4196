//! A snapshot's index of its source as last seen unchanged: path →
//! (device, inode, ctime) in `snap/index/<id>.json`.
//!
//! Any change to an inode — contents, mode, owner, xattrs, links, a rename
//! — moves its ctime, which no call sets back (short of the clock itself
//! going back). So a path whose device, inode and
//! ctime are what the index says is as the snapshot has it, and `reset` and
//! `diff` need nothing but its `lstat` (not its xattrs, not its contents).
//! An entry is noted only when its ctime is older than the start of the
//! walk by more than the timestamps' granularity (a later change could
//! otherwise keep the same ctime). Written when the snapshot is taken and
//! refreshed by each comparison; a hint only: a missing or unreadable
//! index just means a full comparison.

use crate::files::ctime_ns;
use crate::manifest::Bytes;
use crate::store::Store;
use ptest_shared::Result;
use ptest_shared::state::{Durability, write_atomic_with};
use std::collections::HashMap;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// How much older than the walk a ctime must be to be noted.
pub const RACY_NS: i64 = 50_000_000;

#[derive(Debug, Default)]
pub struct Index {
    map: HashMap<Vec<u8>, (u64, u64, i64)>,
    changed: bool,
    /// ctimes from this on are too recent to note.
    racy_from: i64,
}

fn path(store: &Store, id: &str) -> PathBuf {
    store.index_dir().join(format!("{id}.json"))
}

impl Index {
    /// The index of snapshot `id`, for a walk starting now.
    pub fn load(store: &Store, id: &str) -> Index {
        let rows: Vec<(Bytes, u64, u64, i64)> = std::fs::read(path(store, id))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        Index {
            map: rows
                .into_iter()
                .map(|(p, d, i, c)| (p.0, (d, i, c)))
                .collect(),
            changed: false,
            racy_from: now_ns() - RACY_NS,
        }
    }

    /// An empty index, for a walk starting now.
    pub fn fresh() -> Index {
        Index {
            racy_from: now_ns() - RACY_NS,
            ..Index::default()
        }
    }

    /// True when `rel` is the very inode noted, unchanged since.
    pub fn unchanged(&self, rel: &[u8], meta: &Metadata) -> bool {
        self.map.get(rel) == Some(&key(meta))
    }

    /// Notes `rel` as the snapshot has it (unless its ctime is too recent).
    pub fn note(&mut self, rel: &[u8], meta: &Metadata) {
        if ctime_ns(meta) >= self.racy_from {
            return;
        }
        let k = key(meta);
        if self.map.insert(rel.to_vec(), k) != Some(k) {
            self.changed = true;
        }
    }

    pub fn save(&self, store: &Store, id: &str) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        let mut rows: Vec<(Bytes, u64, u64, i64)> = self
            .map
            .iter()
            .map(|(p, (d, i, c))| (Bytes(p.clone()), *d, *i, *c))
            .collect();
        rows.sort();
        let bytes = serde_json::to_vec(&rows).expect("an index serialises");
        write_atomic_with(&path(store, id), &bytes, Durability::Volatile)
    }

    pub fn remove(store: &Store, id: &str) {
        let _ = std::fs::remove_file(path(store, id));
    }
}

fn key(meta: &Metadata) -> (u64, u64, i64) {
    (meta.dev(), meta.ino(), ctime_ns(meta))
}

fn now_ns() -> i64 {
    ptest_shared::record::Timestamp::now().as_nanosecond() as i64
}
