//! Generators of snapshot archives for the fuzz tests of `ptest snap
//! import` (docs/fuzzing.md): valid archives of small trees (directories,
//! files, symlinks, hard-link groups, owners, xattrs, odd names), and the
//! same mutated at each layer: the zstd stream, the tar stream, the
//! manifest's JSON, the entries; and bytes of any sort.
//!
//! Shared by the in-process properties (`bins/ptest-snap/src/archive/fuzz.rs`)
//! and the binary-level ones (`bins/ptest-snap/tests/fuzz_import.rs`),
//! through `#[path]`.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};
use std::io::Write;

/// A snapshot as an archive holds it: the manifest's JSON and the objects.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub manifest: Value,
    /// (hash, contents), each once.
    pub objects: Vec<(String, Vec<u8>)>,
}

fn hash(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

/// A small tree: its manifest and objects, valid.
pub fn snapshot() -> impl Strategy<Value = Snapshot> {
    let dirs = proptest::sample::subsequence(vec!["a", "a/b", "c", "é dir", "a/b/d"], 0..=5);
    let names = proptest::sample::select(vec![
        "f",
        "g.txt",
        "h h",
        "ü",
        "\u{202e}x",
        ".hidden",
        "x\ny",
        "a\\b",
        "long-name-of-some-length",
    ]);
    let file = (
        any::<Index>(),
        names.clone(),
        prop_oneof![
            3 => proptest::collection::vec(any::<u8>(), 0..64),
            1 => Just(b"same contents\n".to_vec()),
            1 => Just(Vec::new()),
        ],
        proptest::sample::select(vec![0o644u32, 0o755, 0o4755, 0o600, 0o7777]),
        proptest::option::weighted(0.2, 0u32..3),
        proptest::option::weighted(0.2, (0u32..70000, 0u32..70000)),
        any::<i64>(),
        proptest::option::weighted(0.1, proptest::collection::vec(any::<u8>(), 0..8)),
    );
    let symlink = (
        any::<Index>(),
        names,
        prop_oneof![
            Just("target".to_owned()),
            Just("../../etc/passwd".to_owned()),
            Just("/abs".to_owned()),
            "[^\u{0}]{1,10}",
        ],
    );
    (
        dirs,
        proptest::collection::vec(file, 0..6),
        proptest::collection::vec(symlink, 0..3),
        proptest::option::weighted(0.6, (0u32..70000, 0u32..70000)),
        any::<i64>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(dirs, files, symlinks, root_owner, mtime, venv)| {
            // Each directory below one of the tree's (the list is in that order).
            let mut kept: Vec<&str> = Vec::new();
            for d in dirs {
                if d.rsplit_once('/').is_none_or(|(p, _)| kept.contains(&p)) {
                    kept.push(d);
                }
            }
            let dirs = kept;
            let mut entries: Vec<(Vec<u8>, Value)> = Vec::new();
            let parent = |at: &Index| {
                let all: Vec<&str> = std::iter::once("").chain(dirs.iter().copied()).collect();
                all[at.index(all.len())].to_owned()
            };
            let join = |p: &str, n: &str| if p.is_empty() { n.to_owned() } else { format!("{p}/{n}") };
            for d in &dirs {
                entries.push((
                    d.as_bytes().to_vec(),
                    json!({"type": "dir", "path": d, "mode": 0o755, "mtime_ns": mtime}),
                ));
            }
            let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
            let mut groups: std::collections::HashMap<u32, String> = Default::default();
            for (at, name, data, mode, link, owner, mt, xattr) in files {
                let path = join(&parent(&at), name);
                if entries.iter().any(|(p, _)| p == path.as_bytes()) {
                    continue;
                }
                let mut h = hash(&data);
                if let Some(g) = link {
                    // A hard-link group holds one contents.
                    h = groups.entry(g).or_insert(h).clone();
                }
                let data = objects
                    .iter()
                    .find(|(o, _)| *o == h)
                    .map(|(_, d)| d.clone())
                    .unwrap_or(data);
                if !objects.iter().any(|(o, _)| *o == h) {
                    objects.push((h.clone(), data.clone()));
                }
                let mut e = json!({"type": "file", "path": path, "hash": h, "size": data.len(), "mode": mode, "mtime_ns": mt});
                if let Some(g) = link {
                    e["link"] = json!(g);
                }
                if let (Some((u, g)), Some(_)) = (owner, root_owner) {
                    e["uid"] = json!(u);
                    e["gid"] = json!(g);
                }
                if let Some(x) = xattr {
                    e["xattrs"] = json!({"user.fuzz": x.iter().map(|b| format!("{b:02x}")).collect::<String>()});
                }
                entries.push((path.into_bytes(), e));
            }
            for (at, name, target) in symlinks {
                let path = join(&parent(&at), &format!("{name}.lnk"));
                if entries.iter().any(|(p, _)| p == path.as_bytes()) {
                    continue;
                }
                entries.push((
                    path.clone().into_bytes(),
                    json!({"type": "symlink", "path": path, "target": target, "mtime_ns": mtime}),
                ));
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut root = json!({"mode": 0o755, "mtime_ns": mtime});
            if let Some((u, g)) = root_owner {
                root["uid"] = json!(u);
                root["gid"] = json!(g);
            }
            let mut manifest = json!({
                "format": 1,
                "id": "snapshot-fuzz1",
                "source": "/tmp/fuzz",
                "created_at": "2026-11-30T00:00:00Z",
                "root": root,
                "entries": entries.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
            });
            if venv {
                manifest["venv"] = json!({"id": "venv-fuzz1", "path": "/tmp/fuzz", "python": "/usr/bin/python3", "python_version": "3.11.7"});
            }
            Snapshot { manifest, objects }
        })
}

/// One tar entry with a raw name (no checks of the tar crate's own).
pub fn raw_entry(
    t: &mut tar::Builder<Vec<u8>>,
    name: &[u8],
    kind: tar::EntryType,
    data: &[u8],
    declared: u64,
) {
    let mut h = tar::Header::new_old();
    let n = name.len().min(100);
    h.as_old_mut().name[..n].copy_from_slice(&name[..n]);
    h.set_entry_type(kind);
    h.set_mode(0o644);
    h.set_size(declared);
    h.set_cksum();
    // A header that declares more than it holds reads the next entries as
    // its data: as a forger would write it.
    let _ = t.append(&h, data);
}

/// The tar stream of `s`: `manifest.json` first, then its objects.
pub fn tar_of(s: &Snapshot) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    let m = serde_json::to_vec(&s.manifest).unwrap();
    raw_entry(
        &mut t,
        b"manifest.json",
        tar::EntryType::Regular,
        &m,
        m.len() as u64,
    );
    for (h, data) in &s.objects {
        raw_entry(
            &mut t,
            format!("objects/{h}").as_bytes(),
            tar::EntryType::Regular,
            data,
            data.len() as u64,
        );
    }
    t.into_inner().unwrap()
}

pub fn zstd(raw: &[u8]) -> Vec<u8> {
    let mut z = zstd::Encoder::new(Vec::new(), 1).unwrap();
    z.write_all(raw).unwrap();
    z.finish().unwrap()
}

/// Byte-level mutations: flips, cuts, insertions, repeats.
pub fn mutate_bytes(mut b: Vec<u8>, ops: Vec<(u8, Index, Index, Vec<u8>)>) -> Vec<u8> {
    for (op, at, len, bytes) in ops {
        let i = at.index(b.len() + 1);
        match op % 5 {
            0 if i < b.len() => b[i] ^= 1 << (len.index(8) as u8),
            1 => b.truncate(i),
            2 => {
                b.splice(i..i, bytes);
            }
            3 if i < b.len() => {
                let j = (i + len.index(64)).min(b.len());
                b.drain(i..j);
            }
            _ if i < b.len() => {
                let j = (i + len.index(1024)).min(b.len());
                let dup = b[i..j].to_vec();
                b.splice(j..j, dup);
            }
            _ => {}
        }
    }
    b
}

pub fn byte_ops() -> impl Strategy<Value = Vec<(u8, Index, Index, Vec<u8>)>> {
    proptest::collection::vec(
        (
            any::<u8>(),
            any::<Index>(),
            any::<Index>(),
            proptest::collection::vec(any::<u8>(), 0..16),
        ),
        1..4,
    )
}

/// Keys, values and paths a forger would try.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(null)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(4294967295u64)),
        Just(json!(1e300)),
        Just(json!("../../etc/passwd")),
        Just(json!("/abs/path")),
        Just(json!("a//b")),
        Just(json!("")),
        Just(json!("a/./b")),
        Just(json!("x\u{0}y")),
        Just(json!({"hex": "2e2e2f78"})),
        Just(json!({"hex": "zz"})),
        Just(json!({"hex": "+f"})),
        Just(json!({"hex": "abc"})),
        Just(json!("fifo")),
        Just(json!([1, 2])),
        Just(json!({"a\nb": 1})),
        "[^\u{0}]{0,8}".prop_map(|s| json!(s)),
        any::<i64>().prop_map(|n| json!(n)),
    ]
}

/// A change to the manifest's JSON: a field of the manifest, its root or an
/// entry replaced, removed or added.
fn mutate_manifest(m: &mut Value, what: u8, at: &Index, key: &str, v: Value) {
    let target: &mut Value = match what % 3 {
        0 => m,
        1 => &mut m["root"],
        _ => {
            let Some(entries) = m["entries"].as_array_mut().filter(|e| !e.is_empty()) else {
                return;
            };
            let n = entries.len();
            &mut entries[at.index(n)]
        }
    };
    let Some(obj) = target.as_object_mut() else {
        return;
    };
    let keys: Vec<String> = obj.keys().cloned().collect();
    match (what / 3) % 3 {
        0 if !keys.is_empty() => {
            let k = keys[at.index(keys.len())].clone();
            obj.insert(k, v);
        }
        1 if !keys.is_empty() => {
            let k = keys[at.index(keys.len())].clone();
            obj.remove(&k);
        }
        _ => {
            obj.insert(key.to_owned(), v);
        }
    }
}

/// An archive's bytes, shown as hex when a case fails (`xxd -r -p` makes
/// the file again).
#[derive(Clone)]
pub struct Archive(pub Vec<u8>);

impl std::fmt::Debug for Archive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes: ", self.0.len())?;
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// Objects of a snapshot: (hash, contents).
pub type Objects = Vec<(String, Vec<u8>)>;

/// An archive's bytes: valid, mutated at one layer or another, or anything;
/// and the objects of the snapshot it was made from (none for bytes of
/// any sort), which a test may put in the store first.
pub fn archive() -> impl Strategy<Value = (Archive, Objects)> {
    let valid = snapshot().prop_map(|s| (zstd(&tar_of(&s)), s.objects));
    let compressed = (snapshot(), byte_ops())
        .prop_map(|(s, ops)| (mutate_bytes(zstd(&tar_of(&s)), ops), s.objects));
    let tarred = (snapshot(), byte_ops())
        .prop_map(|(s, ops)| (zstd(&mutate_bytes(tar_of(&s), ops)), s.objects));
    let manifest = (
        snapshot(),
        proptest::collection::vec(
            (
                any::<u8>(),
                any::<Index>(),
                prop_oneof![
                    Just("extra".to_owned()),
                    Just("a\nb".to_owned()),
                    "[a-z_]{1,8}"
                ],
                odd_value(),
            ),
            1..3,
        ),
    )
        .prop_map(|(mut s, muts)| {
            for (what, at, key, v) in muts {
                mutate_manifest(&mut s.manifest, what, &at, &key, v);
            }
            (zstd(&tar_of(&s)), s.objects)
        });
    let text = (snapshot(), byte_ops()).prop_map(|(s, ops)| {
        // The manifest's text itself mutated, the objects as they were.
        let m = mutate_bytes(serde_json::to_vec(&s.manifest).unwrap(), ops);
        let mut t = tar::Builder::new(Vec::new());
        raw_entry(
            &mut t,
            b"manifest.json",
            tar::EntryType::Regular,
            &m,
            m.len() as u64,
        );
        for (h, d) in &s.objects {
            raw_entry(
                &mut t,
                format!("objects/{h}").as_bytes(),
                tar::EntryType::Regular,
                d,
                d.len() as u64,
            );
        }
        (zstd(&t.into_inner().unwrap()), s.objects)
    });
    let entries = (
        snapshot(),
        any::<u8>(),
        any::<Index>(),
        proptest::collection::vec(any::<u8>(), 0..32),
    )
        .prop_map(|(s, op, at, junk)| {
            let m = serde_json::to_vec(&s.manifest).unwrap();
            let mut t = tar::Builder::new(Vec::new());
            let objs = &s.objects;
            let pick = |at: &Index| objs.get(at.index(objs.len().max(1))).cloned();
            let op = op % 10;
            if op != 0 {
                raw_entry(
                    &mut t,
                    b"manifest.json",
                    tar::EntryType::Regular,
                    &m,
                    m.len() as u64,
                );
            }
            for (i, (h, d)) in objs.iter().enumerate() {
                let name = format!("objects/{h}");
                match op {
                    1 if i == at.index(objs.len()) => {} // an object left out
                    2 if i == at.index(objs.len()) => {
                        // given twice
                        raw_entry(
                            &mut t,
                            name.as_bytes(),
                            tar::EntryType::Regular,
                            d,
                            d.len() as u64,
                        );
                        raw_entry(
                            &mut t,
                            name.as_bytes(),
                            tar::EntryType::Regular,
                            d,
                            d.len() as u64,
                        );
                    }
                    3 if i == at.index(objs.len()) => {
                        // other contents
                        raw_entry(
                            &mut t,
                            name.as_bytes(),
                            tar::EntryType::Regular,
                            &junk,
                            junk.len() as u64,
                        );
                    }
                    4 if i == at.index(objs.len()) => {
                        // declared larger or smaller than it is
                        let declared = (d.len() as u64)
                            .wrapping_add(u64::from(junk.first().copied().unwrap_or(1)))
                            % (1 << 33);
                        raw_entry(
                            &mut t,
                            name.as_bytes(),
                            tar::EntryType::Regular,
                            d,
                            declared,
                        );
                    }
                    _ => raw_entry(
                        &mut t,
                        name.as_bytes(),
                        tar::EntryType::Regular,
                        d,
                        d.len() as u64,
                    ),
                }
            }
            let kinds = [
                tar::EntryType::Symlink,
                tar::EntryType::Link,
                tar::EntryType::Directory,
                tar::EntryType::Fifo,
                tar::EntryType::Char,
                tar::EntryType::XHeader,
                tar::EntryType::GNULongName,
            ];
            match op {
                0 => raw_entry(
                    &mut t,
                    b"manifest.json",
                    tar::EntryType::Regular,
                    &m,
                    m.len() as u64,
                ),
                5 => raw_entry(
                    &mut t,
                    b"manifest.json",
                    tar::EntryType::Regular,
                    &m,
                    m.len() as u64,
                ),
                6 => {
                    let name: &[u8] = [
                        &b"../objects/x"[..],
                        b"/etc/passwd",
                        b"objects/../../x",
                        b"objects/",
                        b"objects/zz",
                        b"other.txt",
                    ][at.index(6)];
                    raw_entry(
                        &mut t,
                        name,
                        tar::EntryType::Regular,
                        &junk,
                        junk.len() as u64,
                    );
                }
                7 => {
                    if let Some((h, d)) = pick(&at) {
                        raw_entry(
                            &mut t,
                            format!("objects/{h}").as_bytes(),
                            kinds[at.index(kinds.len())],
                            &d,
                            d.len() as u64,
                        );
                    }
                }
                8 => raw_entry(
                    &mut t,
                    format!("objects/{}", hash(&junk)).as_bytes(),
                    tar::EntryType::Regular,
                    &junk,
                    junk.len() as u64,
                ),
                _ => {}
            }
            (zstd(&t.into_inner().unwrap()), s.objects.clone())
        });
    // A manifest alone, whose objects the store may hold already, one of
    // them declared at another size.
    let lying = (
        snapshot(),
        any::<Index>(),
        prop_oneof![Just(1u64), Just(u64::MAX), Just(1 << 40), Just(0)],
    )
        .prop_map(|(mut s, at, by)| {
            if let Some(entries) = s.manifest["entries"].as_array_mut() {
                let files: Vec<usize> = (0..entries.len())
                    .filter(|i| entries[*i]["type"] == "file")
                    .collect();
                if !files.is_empty() {
                    let e = &mut entries[files[at.index(files.len())]];
                    let size = e["size"].as_u64().unwrap();
                    e["size"] = json!(if by == 0 { 0 } else { size.wrapping_add(by) });
                }
            }
            let m = serde_json::to_vec(&s.manifest).unwrap();
            let mut t = tar::Builder::new(Vec::new());
            raw_entry(
                &mut t,
                b"manifest.json",
                tar::EntryType::Regular,
                &m,
                m.len() as u64,
            );
            (zstd(&t.into_inner().unwrap()), s.objects)
        });
    let anything = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        proptest::collection::vec(any::<u8>(), 0..2048).prop_map(|b| zstd(&b)),
        Just(Vec::new()),
        Just(zstd(b"")),
        Just(zstd(&[0u8; 1024])),
    ]
    .prop_map(|b| (b, Vec::new()));
    prop_oneof![
        2 => valid,
        2 => compressed,
        3 => tarred,
        4 => manifest,
        2 => text,
        4 => entries,
        2 => lying,
        2 => anything,
    ]
    .prop_map(|(b, o)| (Archive(b), o))
}
