//! A snapshot's manifest: every entry of the tree, its type and metadata,
//! and for regular files the BLAKE3 hash of the object holding their
//! contents (`snap/manifests/<id>.json`).
//!
//! Paths are bytes (a Unix name need not be UTF-8): written as a JSON string
//! when they are UTF-8, else as `{"hex": "…"}`. A manifest is checked when
//! read ([`Manifest::check`]), whether from the store or from an archive
//! being imported: relative paths of plain components only, each below a
//! directory entry of the manifest (so no path passes through a symlink),
//! no path twice, hashes of 64 hex digits, hard-link groups of files only.
//!
//! Owners (uid, gid, numeric): the root always has both when the snapshot
//! recorded owners; an entry has `uid` or `gid` only where it differs from
//! the root's (most trees have one owner, so most entries carry neither).
//! An entry's owner is its own value, else the root's ([`Manifest::owner`]).
//! A manifest without owners on its root (written before they were kept)
//! has none anywhere: its tree is owned by whoever restores it. Neither
//! may be `4294967295` (`-1`, which `chown` reads as "leave as it is").

use ptest_shared::{Error, Result};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The manifest format this build writes and reads.
pub const FORMAT: u32 = 1;

/// Bytes that are usually text: a name, a symlink's target.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Bytes(pub Vec<u8>);

impl Bytes {
    pub fn as_path(&self) -> &Path {
        Path::new(OsStr::from_bytes(&self.0))
    }
    /// For messages: lossy text.
    pub fn show(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match std::str::from_utf8(&self.0) {
            Ok(text) => s.serialize_str(text),
            Err(_) => {
                let mut m = BTreeMap::new();
                m.insert("hex", hex(&self.0));
                m.serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // A visitor rather than an untagged enum: no buffering of each
        // value before it is read (a manifest holds thousands of paths).
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, or {\"hex\": \"…\"}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v.as_bytes().to_vec()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Bytes, E> {
                Ok(Bytes(v.into_bytes()))
            }
            fn visit_map<A: de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Bytes, A::Error> {
                let mut hex: Option<String> = None;
                while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if k != "hex" || hex.is_some() {
                        return Err(de::Error::custom(format!(
                            "unexpected key {k:?} in {{\"hex\": …}}"
                        )));
                    }
                    hex = Some(map.next_value()?);
                }
                let h = hex.ok_or_else(|| de::Error::missing_field("hex"))?;
                unhex(&h).map(Bytes).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Lower-case hex of `b`.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The bytes of a hex string.
pub fn unhex(s: &str) -> std::result::Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err(format!("{s:?} is not hex (odd length)"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(s.get(i..i + 2).unwrap_or("x"), 16)
                .map_err(|_| format!("{s:?} is not hex"))
        })
        .collect()
}

/// Extended attributes: name → value (hex).
pub type Xattrs = BTreeMap<String, String>;

/// One entry of the tree. Read through [`RawEntry`] (one pass, no
/// buffering of each entry, as an internally tagged enum would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "lowercase",
    deny_unknown_fields,
    try_from = "RawEntry"
)]
pub enum Entry {
    File {
        path: Bytes,
        hash: String,
        size: u64,
        mode: u32,
        mtime_ns: i64,
        /// Files of one hard-link group share this number (and one inode
        /// when restored).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        link: Option<u32>,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        xattrs: Xattrs,
        /// Owner, where it differs from the root's (see the module doc).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        uid: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gid: Option<u32>,
    },
    Symlink {
        path: Bytes,
        /// The link's target, as bytes: data, never followed.
        target: Bytes,
        mtime_ns: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        uid: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gid: Option<u32>,
    },
    Dir {
        path: Bytes,
        mode: u32,
        mtime_ns: i64,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        xattrs: Xattrs,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        uid: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        gid: Option<u32>,
    },
}

/// Every field any entry has, as read; [`Entry`]'s `TryFrom` says which
/// belong to which type.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    #[serde(rename = "type")]
    kind: RawKind,
    path: Bytes,
    hash: Option<String>,
    size: Option<u64>,
    mode: Option<u32>,
    mtime_ns: i64,
    link: Option<u32>,
    #[serde(default)]
    xattrs: Option<Xattrs>,
    target: Option<Bytes>,
    uid: Option<u32>,
    gid: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawKind {
    File,
    Symlink,
    Dir,
}

impl TryFrom<RawEntry> for Entry {
    type Error = String;
    fn try_from(r: RawEntry) -> std::result::Result<Entry, String> {
        let kind = match r.kind {
            RawKind::File => "file",
            RawKind::Symlink => "symlink",
            RawKind::Dir => "dir",
        };
        let missing = |field: &str| format!("missing field `{field}` (a {kind} entry)");
        let stray = |field: &str| format!("unknown field `{field}` (a {kind} entry has none)");
        match r.kind {
            RawKind::File => {
                if r.target.is_some() {
                    return Err(stray("target"));
                }
                Ok(Entry::File {
                    path: r.path,
                    hash: r.hash.ok_or_else(|| missing("hash"))?,
                    size: r.size.ok_or_else(|| missing("size"))?,
                    mode: r.mode.ok_or_else(|| missing("mode"))?,
                    mtime_ns: r.mtime_ns,
                    link: r.link,
                    xattrs: r.xattrs.unwrap_or_default(),
                    uid: r.uid,
                    gid: r.gid,
                })
            }
            RawKind::Symlink => {
                for (name, there) in [
                    ("hash", r.hash.is_some()),
                    ("size", r.size.is_some()),
                    ("mode", r.mode.is_some()),
                    ("link", r.link.is_some()),
                    ("xattrs", r.xattrs.is_some()),
                ] {
                    if there {
                        return Err(stray(name));
                    }
                }
                Ok(Entry::Symlink {
                    path: r.path,
                    target: r.target.ok_or_else(|| missing("target"))?,
                    mtime_ns: r.mtime_ns,
                    uid: r.uid,
                    gid: r.gid,
                })
            }
            RawKind::Dir => {
                for (name, there) in [
                    ("hash", r.hash.is_some()),
                    ("size", r.size.is_some()),
                    ("link", r.link.is_some()),
                    ("target", r.target.is_some()),
                ] {
                    if there {
                        return Err(stray(name));
                    }
                }
                Ok(Entry::Dir {
                    path: r.path,
                    mode: r.mode.ok_or_else(|| missing("mode"))?,
                    mtime_ns: r.mtime_ns,
                    xattrs: r.xattrs.unwrap_or_default(),
                    uid: r.uid,
                    gid: r.gid,
                })
            }
        }
    }
}

impl Entry {
    pub fn path(&self) -> &Bytes {
        match self {
            Entry::File { path, .. } | Entry::Symlink { path, .. } | Entry::Dir { path, .. } => {
                path
            }
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Entry::File { .. } => "file",
            Entry::Symlink { .. } => "symlink",
            Entry::Dir { .. } => "dir",
        }
    }
    /// The owner the entry itself records: (uid, gid), each `None` where
    /// it is the root's (see [`Manifest::owner`]).
    pub fn ids(&self) -> (Option<u32>, Option<u32>) {
        match self {
            Entry::File { uid, gid, .. }
            | Entry::Symlink { uid, gid, .. }
            | Entry::Dir { uid, gid, .. } => (*uid, *gid),
        }
    }
    /// Sets the owner the entry records: `None` for the root's.
    pub fn set_ids(&mut self, u: Option<u32>, g: Option<u32>) {
        match self {
            Entry::File { uid, gid, .. }
            | Entry::Symlink { uid, gid, .. }
            | Entry::Dir { uid, gid, .. } => (*uid, *gid) = (u, g),
        }
    }
}

/// The (uid, gid) `chown` reads as "leave as it is": never an owner.
pub const NO_ID: u32 = u32::MAX;

/// The root directory's own metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Root {
    pub mode: u32,
    pub mtime_ns: i64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub xattrs: Xattrs,
    /// The root's owner, and most entries' (see the module doc); absent in
    /// manifests written before owners were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}

impl Root {
    /// The root's (uid, gid), when the snapshot recorded owners.
    pub fn owner(&self) -> Option<(u32, u32)> {
        self.uid.zip(self.gid)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: u32,
    pub id: String,
    pub source: String,
    pub created_at: String,
    #[serde(default)]
    pub excludes: Vec<String>,
    pub root: Root,
    /// Set when the tree is a ptest venv's (see `venv`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub venv: Option<crate::venv::Origin>,
    /// Set when the snapshot is a container's (see `container`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<crate::container::Origin>,
    /// Sorted by path bytes, so a parent comes before its children.
    pub entries: Vec<Entry>,
}

impl Manifest {
    /// Regular files' total size.
    pub fn bytes(&self) -> u64 {
        self.files().map(|(_, _, size)| size).sum()
    }

    /// (path, hash, size) of every regular file.
    pub fn files(&self) -> impl Iterator<Item = (&Bytes, &str, u64)> {
        self.entries.iter().filter_map(|e| match e {
            Entry::File {
                path, hash, size, ..
            } => Some((path, hash.as_str(), *size)),
            _ => None,
        })
    }

    /// The owner (uid, gid) of entry `e`: its own where it records one,
    /// else the root's; `None` when the manifest records no owners.
    pub fn owner(&self, e: &Entry) -> Option<(u32, u32)> {
        let (ru, rg) = self.root.owner()?;
        let (u, g) = e.ids();
        Some((u.unwrap_or(ru), g.unwrap_or(rg)))
    }

    /// Records `owner` on `e` as the module doc says: only what differs
    /// from the root's owner (the root's must be set first).
    pub fn compact_ids(root: &Root, e: &mut Entry, owner: (u32, u32)) {
        let (ru, rg) = (root.uid, root.gid);
        e.set_ids(
            Some(owner.0).filter(|u| Some(*u) != ru),
            Some(owner.1).filter(|g| Some(*g) != rg),
        );
    }

    pub fn file_count(&self) -> u64 {
        self.files().count() as u64
    }

    /// Every object the manifest references, with its size.
    pub fn objects(&self) -> BTreeMap<&str, u64> {
        self.files().map(|(_, h, s)| (h, s)).collect()
    }

    /// Parses and checks a manifest; `what` names it in errors (65).
    pub fn parse(bytes: &[u8], what: &str) -> Result<Manifest> {
        // serde quotes an unknown field's name as it is: it may hold a newline.
        let one_line =
            |e: &dyn std::fmt::Display| ptest_shared::error::one_line(&e.to_string()).into_owned();
        let m: Manifest = serde_json::from_slice(bytes).map_err(|e| {
            Error::data(format!("{what}: not a snapshot manifest: {}", one_line(&e)))
        })?;
        m.check()
            .map_err(|e| Error::data(format!("{what}: {}", one_line(&e))))?;
        Ok(m)
    }

    /// What a manifest must be for its tree to be written safely (see the
    /// module's documentation). The message names the entry.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.format != FORMAT {
            return Err(format!(
                "manifest format {} (this ptest reads {FORMAT})",
                self.format
            ));
        }
        ptest_shared::registry::validate_id(&self.id).map_err(|e| e.message)?;
        if !self.id.starts_with("snapshot-") {
            return Err(format!("{:?} is not a snapshot id", self.id));
        }
        if self.container.is_some() {
            // A container's snapshot has volumes, not a source directory.
            if !self.source.is_empty() {
                return Err("a container's snapshot has no source directory".into());
            }
        } else if !self.source.starts_with('/') || self.source.contains('\0') {
            return Err(format!("source {:?} is not an absolute path", self.source));
        }
        match (self.root.uid, self.root.gid) {
            (Some(NO_ID), _) | (_, Some(NO_ID)) => {
                return Err(format!("the root's owner: {NO_ID} is not an id"));
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err("the root has a uid without a gid, or a gid without a uid".into());
            }
            _ => {}
        }
        let mut dirs: HashSet<&[u8]> = HashSet::new();
        let mut seen: HashSet<&[u8]> = HashSet::new();
        let mut groups: HashMap<u32, &str> = HashMap::new();
        for e in &self.entries {
            let p = &e.path().0;
            check_path(p).map_err(|why| format!("entry {:?}: {why}", e.path().show()))?;
            if !seen.insert(p) {
                return Err(format!("entry {:?}: named twice", e.path().show()));
            }
            match e.ids() {
                (None, None) => {}
                _ if self.root.owner().is_none() => {
                    return Err(format!(
                        "entry {:?}: an owner, but the root has none (a manifest records owners on its root or nowhere)",
                        e.path().show()
                    ));
                }
                (Some(NO_ID), _) | (_, Some(NO_ID)) => {
                    return Err(format!(
                        "entry {:?}: owner {NO_ID} is not an id",
                        e.path().show()
                    ));
                }
                _ => {}
            }
            if let Some(i) = p.iter().rposition(|b| *b == b'/')
                && !dirs.contains(&p[..i])
            {
                return Err(format!(
                    "entry {:?}: its parent {:?} is not a directory of the snapshot (a path through a symlink or outside the tree)",
                    e.path().show(),
                    String::from_utf8_lossy(&p[..i])
                ));
            }
            match e {
                Entry::Dir { .. } => {
                    dirs.insert(p);
                }
                Entry::File { hash, link, .. } => {
                    check_hash(hash)
                        .map_err(|why| format!("entry {:?}: {why}", e.path().show()))?;
                    if let Some(g) = link
                        && *groups.entry(*g).or_insert(hash) != hash.as_str()
                    {
                        return Err(format!(
                            "entry {:?}: hard link group {g} holds different contents",
                            e.path().show()
                        ));
                    }
                }
                Entry::Symlink { target, .. } => {
                    if target.0.is_empty() || target.0.contains(&0) {
                        return Err(format!(
                            "entry {:?}: a symlink target is not empty and holds no NUL",
                            e.path().show()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// A relative path of plain components: no `/` at either end, no empty,
/// `.` or `..` component, no NUL.
pub fn check_path(p: &[u8]) -> std::result::Result<(), &'static str> {
    if p.is_empty() {
        return Err("an empty path");
    }
    if p[0] == b'/' {
        return Err("an absolute path");
    }
    if p.contains(&0) {
        return Err("a path holding NUL");
    }
    for c in p.split(|b| *b == b'/') {
        match c {
            b"" => return Err("an empty path component"),
            b"." | b".." => return Err("a `.` or `..` component"),
            _ => {}
        }
    }
    Ok(())
}

/// A BLAKE3 hash as the store names objects: 64 lower-case hex digits.
pub fn check_hash(h: &str) -> std::result::Result<(), String> {
    if h.len() == 64
        && h.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(format!("{h:?} is not a BLAKE3 hash (64 hex digits)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_field_of_several_lines_is_named_on_one() {
        let e = Manifest::parse(br#"{"format":1,"a\nb":1}"#, "m.json").unwrap_err();
        assert_eq!(e.exit.code(), 65);
        assert!(e.message.contains("unknown field `a\\nb`"), "{}", e.message);
        assert!(!e.message.contains('\n'));
    }

    fn manifest(entries: Vec<Entry>) -> Manifest {
        Manifest {
            format: FORMAT,
            id: "snapshot-abc".into(),
            source: "/src".into(),
            created_at: "2026-11-30T00:00:00Z".into(),
            excludes: vec![],
            root: Root {
                mode: 0o755,
                mtime_ns: 0,
                xattrs: Xattrs::new(),
                uid: None,
                gid: None,
            },
            venv: None,
            container: None,
            entries,
        }
    }

    fn dir(p: &str) -> Entry {
        Entry::Dir {
            path: Bytes(p.into()),
            mode: 0o755,
            mtime_ns: 0,
            xattrs: Xattrs::new(),
            uid: None,
            gid: None,
        }
    }

    fn link(p: &str) -> Entry {
        Entry::Symlink {
            path: Bytes(p.into()),
            target: Bytes(b"/etc".to_vec()),
            mtime_ns: 0,
            uid: None,
            gid: None,
        }
    }

    #[test]
    fn entries_hold_exactly_their_type_s_fields() {
        let parse = |e: &str| serde_json::from_str::<Entry>(e).map_err(|e| e.to_string());
        let h = "ab".repeat(32);
        assert!(
            parse(&format!(
                r#"{{"type":"file","path":"a","hash":"{h}","size":1,"mode":420,"mtime_ns":0}}"#
            ))
            .is_ok()
        );
        for (e, why) in [
            (
                r#"{"type":"file","path":"a","size":1,"mode":420,"mtime_ns":0}"#.to_owned(),
                "hash",
            ),
            (
                format!(
                    r#"{{"type":"symlink","path":"a","target":"b","hash":"{h}","mtime_ns":0}}"#
                ),
                "hash",
            ),
            (
                r#"{"type":"dir","path":"a","mode":493,"mtime_ns":0,"target":"x"}"#.to_owned(),
                "target",
            ),
            (
                r#"{"type":"dir","path":"a","mode":493,"mtime_ns":0,"extra":1}"#.to_owned(),
                "extra",
            ),
            (
                r#"{"type":"fifo","path":"a","mtime_ns":0}"#.to_owned(),
                "fifo",
            ),
            (
                r#"{"type":"dir","path":{"hex":"61","more":1},"mode":493,"mtime_ns":0}"#.to_owned(),
                "more",
            ),
            (
                r#"{"type":"dir","path":{"hex":"6"},"mode":493,"mtime_ns":0}"#.to_owned(),
                "hex",
            ),
            (
                r#"{"type":"dir","path":7,"mode":493,"mtime_ns":0}"#.to_owned(),
                "string",
            ),
        ] {
            let err = parse(&e).expect_err(&e);
            assert!(err.contains(why), "{e}: {err}");
        }
        assert_eq!(
            parse(r#"{"type":"symlink","path":{"hex":"ff00"},"target":"t","mtime_ns":5}"#).unwrap(),
            Entry::Symlink {
                path: Bytes(vec![0xff, 0]),
                target: Bytes(b"t".to_vec()),
                mtime_ns: 5,
                uid: None,
                gid: None,
            }
        );
    }

    #[test]
    fn non_utf8_names_round_trip() {
        let m = manifest(vec![Entry::Dir {
            path: Bytes(b"a\xffb\nc".to_vec()),
            mode: 0o700,
            mtime_ns: -5,
            xattrs: Xattrs::new(),
            uid: None,
            gid: None,
        }]);
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains(r#"{"hex":"61ff620a63"}"#), "{text}");
        assert_eq!(Manifest::parse(text.as_bytes(), "m").unwrap(), m);
    }

    #[test]
    fn paths_that_escape_are_refused() {
        for (entries, want) in [
            (vec![dir("/abs")], "absolute"),
            (vec![dir("a/../b")], "`..`"),
            (vec![dir("a//b")], "empty path component"),
            (
                vec![link("l"), dir("l/x")],
                "not a directory of the snapshot",
            ),
            (vec![dir("x/y")], "not a directory of the snapshot"),
            (vec![dir("a"), dir("a")], "named twice"),
        ] {
            let e = manifest(entries).check().unwrap_err();
            assert!(e.contains(want), "{e}");
        }
        manifest(vec![dir("a"), dir("a/b"), link("a/b/c")])
            .check()
            .unwrap();
    }

    #[test]
    fn unknown_entry_types_are_refused() {
        let text = r#"{"format":1,"id":"snapshot-a","source":"/s","created_at":"x","root":{"mode":493,"mtime_ns":0},"entries":[{"type":"chardev","path":"null"}]}"#;
        let e = Manifest::parse(text.as_bytes(), "m").unwrap_err();
        assert_eq!(e.exit.code(), 65);
    }

    /// A manifest written before owners were kept parses, and has none.
    #[test]
    fn a_manifest_without_owners_still_parses() {
        let text = r#"{"format":1,"id":"snapshot-a","source":"/s","created_at":"x","root":{"mode":493,"mtime_ns":0},"entries":[{"type":"dir","path":"d","mode":493,"mtime_ns":0},{"type":"symlink","path":"d/l","target":"x","mtime_ns":0},{"type":"file","path":"f","hash":"0000000000000000000000000000000000000000000000000000000000000000","size":0,"mode":420,"mtime_ns":0}]}"#;
        let m = Manifest::parse(text.as_bytes(), "m").unwrap();
        assert_eq!(m.root.owner(), None);
        assert!(m.entries.iter().all(|e| m.owner(e).is_none()));
    }

    /// Owners: the root's always, an entry's only where it differs; each
    /// entry's owner is its own else the root's; written back the same.
    #[test]
    fn owners_are_kept_compactly_and_checked() {
        let mut m = manifest(vec![dir("a"), dir("a/b"), link("a/b/c")]);
        m.root.uid = Some(999);
        m.root.gid = Some(999);
        let root = m.root.clone();
        Manifest::compact_ids(&root, &mut m.entries[0], (999, 999));
        Manifest::compact_ids(&root, &mut m.entries[1], (1234, 4321));
        Manifest::compact_ids(&root, &mut m.entries[2], (999, 65534));
        assert_eq!(m.entries[0].ids(), (None, None));
        assert_eq!(m.entries[1].ids(), (Some(1234), Some(4321)));
        assert_eq!(m.entries[2].ids(), (None, Some(65534)));
        assert_eq!(m.owner(&m.entries[0]), Some((999, 999)));
        assert_eq!(m.owner(&m.entries[2]), Some((999, 65534)));
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains(r#""uid":999,"gid":999"#), "{text}");
        assert_eq!(text.matches("\"uid\"").count(), 2, "{text}");
        assert_eq!(Manifest::parse(text.as_bytes(), "m").unwrap(), m);

        let mut bad = m.clone();
        bad.root.gid = None;
        assert!(bad.check().unwrap_err().contains("uid without a gid"));
        let mut bad = m.clone();
        bad.entries[2].set_ids(Some(NO_ID), None);
        assert!(bad.check().unwrap_err().contains("not an id"));
        let mut bad = m.clone();
        bad.root.uid = None;
        bad.root.gid = None;
        assert!(bad.check().unwrap_err().contains("the root has none"));
        let text = r#"{"format":1,"id":"snapshot-a","source":"/s","created_at":"x","root":{"mode":493,"mtime_ns":0,"uid":-1,"gid":0},"entries":[]}"#;
        assert_eq!(
            Manifest::parse(text.as_bytes(), "m")
                .unwrap_err()
                .exit
                .code(),
            65
        );
    }
}
