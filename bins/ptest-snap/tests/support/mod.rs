//! What the snapshot tests share: building trees, describing them whole
//! for comparison, running `ptest-snap`.

#![allow(dead_code)]

use ptest_shared::testkit::{Run, Scenario};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

pub fn snap(s: &Scenario, args: &[&str]) -> Run {
    s.cmd("ptest-snap").args(args).run()
}

/// `create PATH --json`'s record.
pub fn create(s: &Scenario, path: &Path, extra: &[&str]) -> Value {
    let r = s
        .cmd("ptest-snap")
        .arg("create")
        .arg(path)
        .arg("--json")
        .args(extra)
        .run()
        .success();
    r.records().pop().unwrap()
}

pub fn id(rec: &Value) -> String {
    rec["id"].as_str().unwrap().to_owned()
}

/// Every entry below `root` (and the root) described by what a snapshot
/// keeps: type, mode, mtime, contents or target, user xattrs, and which
/// earlier path a file shares its inode with.
pub fn describe(root: &Path) -> BTreeMap<Vec<u8>, String> {
    let mut out = BTreeMap::new();
    let mut inodes: HashMap<u64, Vec<u8>> = HashMap::new();
    let mut stack = vec![(root.to_owned(), Vec::new())];
    while let Some((p, rel)) = stack.pop() {
        let m = std::fs::symlink_metadata(&p).unwrap();
        let xattrs: Vec<String> = xattr::list(&p)
            .map(|l| {
                l.filter(|n| n.to_string_lossy().starts_with("user."))
                    .map(|n| format!("{}={:?}", n.to_string_lossy(), xattr::get(&p, &n).unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        let what = if m.file_type().is_symlink() {
            format!("link {:?}", std::fs::read_link(&p).unwrap())
        } else if m.is_dir() {
            let mut names: Vec<_> = std::fs::read_dir(&p)
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            names.sort();
            for n in names.into_iter().rev() {
                let mut r = rel.clone();
                if !r.is_empty() {
                    r.push(b'/');
                }
                r.extend_from_slice(n.as_bytes());
                stack.push((p.join(&n), r));
            }
            format!(
                "dir {:o} {}",
                m.mode() & 0o7777,
                m.mtime_nsec() + m.mtime() * 1_000_000_000
            )
        } else {
            let shared = inodes.entry(m.ino()).or_insert_with(|| rel.clone()).clone();
            format!(
                "file {:o} {} {:?} inode-of {:?}",
                m.mode() & 0o7777,
                m.mtime_nsec() + m.mtime() * 1_000_000_000,
                blake3::hash(&std::fs::read(&p).unwrap()).to_hex(),
                String::from_utf8_lossy(&shared)
            )
        };
        out.insert(rel, format!("{what} {xattrs:?}"));
    }
    out
}

/// A tree with every kind of entry a snapshot keeps.
pub fn every_kind_of_tree(root: &Path) {
    let w = |rel: &str, data: &[u8]| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, data).unwrap();
        p
    };
    w("plain.txt", b"hello\n");
    let exe = w("bin/run", b"#!/bin/sh\necho hi\n");
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    w("empty", b"");
    let ro = w("deep/a/b/c/read-only", b"ro");
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    w("with space and\nnewline", b"odd");
    let odd = root.join(OsStr::from_bytes(b"bytes-\xff\xfe"));
    std::fs::write(odd, b"not utf-8 name").unwrap();
    std::os::unix::fs::symlink("plain.txt", root.join("link-inside")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", root.join("link-outside")).unwrap();
    std::os::unix::fs::symlink("no/such/thing", root.join("link-dangling")).unwrap();
    std::fs::hard_link(root.join("plain.txt"), root.join("deep/hard-link")).unwrap();
    std::fs::create_dir_all(root.join("empty-dir")).unwrap();
    let x = w("xattr-file", b"has an attribute");
    xattr::set(&x, "user.ptest.test", b"value\x00bytes").unwrap();
    std::fs::set_permissions(root.join("deep/a"), std::fs::Permissions::from_mode(0o750)).unwrap();
    xattr::set(root.join("deep"), "user.ptest.dir", b"on a directory").unwrap();
    let setuid = w(
        "bin/setuid",
        b"#!/bin/sh
",
    );
    std::fs::set_permissions(&setuid, std::fs::Permissions::from_mode(0o4755)).unwrap();
    // Past the cache's racy window.
    std::thread::sleep(std::time::Duration::from_millis(120));
}

/// A tree of `n` files in a few directories.
pub fn many_files(root: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let p = root.join(format!("d{}/f{i}.txt", i % 10));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("file {i}\n").repeat(1 + i % 7)).unwrap();
            p
        })
        .collect()
}

/// How many objects the store holds.
pub fn objects(s: &Scenario) -> usize {
    let dir = s.state.join("snap/objects");
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| std::fs::read_dir(e.unwrap().path()).unwrap().count())
                .sum()
        })
        .unwrap_or(0)
}

/// The names beside `target` in its parent, but `target` itself.
pub fn beside(target: &Path) -> Vec<String> {
    let name = target.file_name().unwrap();
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != name)
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}
