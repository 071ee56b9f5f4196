//! export and import: a round trip into another state directory, and a
//! corpus of hostile archives, each refused with 65 naming its entry and
//! nothing added to the store.

mod support;

use ptest_shared::testkit::Scenario;
use std::io::Write;
use support::*;

fn export(s: &Scenario, id: &str) -> Vec<u8> {
    let out = s
        .cmd("ptest-snap")
        .args(["export", id])
        .inner
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn an_export_imports_into_another_home_and_restores_the_same_tree() {
    let s = Scenario::new();
    let src = s.work.join("src");
    every_kind_of_tree(&src);
    let rec = create(&s, &src, &[]);
    let archive = export(&s, &id(&rec));
    let other = Scenario::new();
    let got = other
        .cmd("ptest-snap")
        .args(["import", "--json"])
        .stdin(archive.clone())
        .run()
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(got["imported_from"], rec["id"]);
    assert_eq!(got["files"], rec["files"]);
    assert_ne!(got["id"], rec["id"]);
    snap(&other, &["verify", &id(&got)]).success();
    let out = other.work.join("restored");
    snap(
        &other,
        &["restore", &id(&got), "--to", out.to_str().unwrap()],
    )
    .success();
    assert_eq!(describe(&src), describe(&out));
    // Imported again, nothing new is stored.
    let again = other
        .cmd("ptest-snap")
        .args(["import", "--json"])
        .stdin(archive)
        .run()
        .success()
        .records()
        .pop()
        .unwrap();
    assert_eq!(again["objects_new"], 0, "{again}");
}

const GOOD: &[u8] = b"good contents\n";

fn manifest(entries: &str) -> Vec<u8> {
    format!(
        r#"{{"format":1,"id":"snapshot-hostile1","source":"/tmp/hostile","created_at":"2026-11-30T00:00:00Z","root":{{"mode":493,"mtime_ns":0}},"entries":[{entries}]}}"#
    )
    .into_bytes()
}

fn file_entry(path: &str, data: &[u8]) -> String {
    format!(
        r#"{{"type":"file","path":"{path}","hash":"{}","size":{},"mode":420,"mtime_ns":0}}"#,
        blake3::hash(data).to_hex(),
        data.len()
    )
}

/// One tar entry with a raw name (no checks of the tar crate's own).
fn entry(
    t: &mut tar::Builder<Vec<u8>>,
    name: &[u8],
    kind: tar::EntryType,
    data: &[u8],
    link: &[u8],
) {
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
    h.set_entry_type(kind);
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_cksum();
    t.append(&h, data).unwrap();
}

fn archive(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Vec<u8> {
    let mut t = tar::Builder::new(Vec::new());
    build(&mut t);
    let raw = t.into_inner().unwrap();
    let mut z = zstd::Encoder::new(Vec::new(), 1).unwrap();
    z.write_all(&raw).unwrap();
    z.finish().unwrap()
}

fn with_manifest(m: &[u8]) -> impl FnOnce(&mut tar::Builder<Vec<u8>>) + '_ {
    move |t| entry(t, b"manifest.json", tar::EntryType::Regular, m, b"")
}

#[test]
fn hostile_archives_are_refused_naming_the_entry_and_add_nothing() {
    let s = Scenario::new();
    let good_hash = blake3::hash(GOOD).to_hex().to_string();
    let obj = format!("objects/{good_hash}");
    let good = manifest(&file_entry("f", GOOD));
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "absolute path",
            archive(|t| {
                with_manifest(&good)(t);
                entry(t, b"/etc/evil", tar::EntryType::Regular, b"x", b"");
            }),
            "/etc/evil".into(),
        ),
        (
            "parent directory",
            archive(|t| {
                with_manifest(&good)(t);
                entry(t, b"objects/../../x", tar::EntryType::Regular, b"x", b"");
            }),
            "objects/../../x".into(),
        ),
        (
            "manifest path with ..",
            archive(with_manifest(&manifest(&file_entry("../escape", GOOD)))),
            "../escape".into(),
        ),
        (
            "manifest absolute path",
            archive(with_manifest(&manifest(&file_entry("/etc/passwd", GOOD)))),
            "/etc/passwd".into(),
        ),
        (
            "path through a symlink",
            archive(with_manifest(&manifest(&format!(
                r#"{{"type":"symlink","path":"l","target":"/etc","mtime_ns":0}},{}"#,
                file_entry("l/cron.d", GOOD)
            )))),
            "l/cron.d".into(),
        ),
        (
            "symlink entry",
            archive(|t| {
                with_manifest(&good)(t);
                entry(
                    t,
                    obj.as_bytes(),
                    tar::EntryType::Symlink,
                    b"",
                    b"/etc/passwd",
                );
            }),
            obj.clone(),
        ),
        (
            "hard link outside",
            archive(|t| {
                with_manifest(&good)(t);
                entry(t, obj.as_bytes(), tar::EntryType::Link, b"", b"/etc/shadow");
            }),
            obj.clone(),
        ),
        (
            "device node",
            archive(|t| {
                with_manifest(&good)(t);
                entry(t, obj.as_bytes(), tar::EntryType::Char, b"", b"");
            }),
            obj.clone(),
        ),
        (
            "fifo",
            archive(|t| {
                with_manifest(&good)(t);
                entry(t, obj.as_bytes(), tar::EntryType::Fifo, b"", b"");
            }),
            obj.clone(),
        ),
        (
            "device in the manifest",
            archive(with_manifest(&manifest(
                r#"{"type":"chardev","path":"null"}"#,
            ))),
            "manifest.json".into(),
        ),
        (
            "size bomb",
            archive(|t| {
                with_manifest(&good)(t);
                entry(
                    t,
                    obj.as_bytes(),
                    tar::EntryType::Regular,
                    &vec![0u8; 8 << 20],
                    b"",
                );
            }),
            obj.clone(),
        ),
        (
            "bad hash",
            archive(|t| {
                with_manifest(&good)(t);
                entry(
                    t,
                    obj.as_bytes(),
                    tar::EntryType::Regular,
                    b"evil contents\n",
                    b"",
                );
            }),
            obj.clone(),
        ),
        (
            "object not in the manifest",
            archive(|t| {
                with_manifest(&good)(t);
                let other = blake3::hash(b"other").to_hex().to_string();
                entry(
                    t,
                    format!("objects/{other}").as_bytes(),
                    tar::EntryType::Regular,
                    b"other",
                    b"",
                );
            }),
            "objects/".into(),
        ),
        (
            "missing object",
            archive(with_manifest(&good)),
            good_hash.clone(),
        ),
        (
            "not an archive",
            b"plain text, not zstd".to_vec(),
            "zstd".into(),
        ),
    ];
    for (what, bytes, names) in cases {
        let r = s.cmd("ptest-snap").arg("import").stdin(bytes).run();
        assert_eq!(r.code(), Some(65), "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains(&names),
            "{what}: the message names {names:?}: {}",
            r.stderr
        );
        r.error_record("ptest-snap");
        assert_eq!(objects(&s), 0, "{what}: an object was added");
        assert!(
            snap(&s, &["ls", "--json"]).success().records().is_empty(),
            "{what}"
        );
        assert_eq!(
            std::fs::read_dir(s.state.join("snap/manifests"))
                .unwrap()
                .count(),
            0,
            "{what}"
        );
        assert_eq!(
            std::fs::read_dir(s.state.join("snap/tmp")).unwrap().count(),
            0,
            "{what}: temp files left"
        );
    }
    // And the well-formed one of the same corpus is taken.
    let ok = archive(|t| {
        with_manifest(&good)(t);
        entry(t, obj.as_bytes(), tar::EntryType::Regular, GOOD, b"");
    });
    s.cmd("ptest-snap").arg("import").stdin(ok).run().success();
    assert_eq!(objects(&s), 1);
}
