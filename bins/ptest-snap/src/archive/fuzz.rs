//! Property-based fuzzing of the snapshot importer, in-process
//! (docs/fuzzing.md): [`super::import`] given valid archives, archives
//! mutated at each layer (zstd, tar, the manifest's JSON, the entries) and
//! bytes of any sort, into a store of its own. Every case is bounded by a
//! watchdog. The binary-level properties are in `tests/fuzz_import.rs`.
//!
//! Properties: never a panic or a hang; a refusal is 65 in one line and
//! leaves the store as it was (no object, nothing in its `tmp/`); what is
//! accepted is a manifest that passes its checks, with every object it
//! references verified against its hash, and placed in the store on
//! commit.

#[path = "../../tests/support/archives.rs"]
mod archives;
#[path = "../../../../shared/tests/support/fuzz.rs"]
mod property;

use crate::store::Store;
use proptest::prelude::*;
use ptest_shared::state::StateDir;
use ptest_shared::testkit::fuzz::{CASE_LIMIT, one_line, within};

/// What an import of some bytes came to.
#[derive(Debug)]
struct Outcome {
    /// The error, or the number of objects the manifest references.
    result: Result<usize, ptest_shared::Error>,
    /// A problem with what was accepted, if any.
    wrong: Option<String>,
    /// Files left in the store's `tmp/`, and objects added, once done.
    tmp_left: usize,
    objects: usize,
}

fn count_files(dir: &std::path::Path) -> usize {
    walk(dir).len()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Imports `bytes` into a new store, holding `present` already.
fn import(bytes: Vec<u8>, present: archives::Objects) -> Outcome {
    within(CASE_LIMIT, "archive::import", move || {
        let dir = tempfile::Builder::new()
            .prefix("ptest-test-")
            .tempdir()
            .unwrap();
        let state = StateDir::at(dir.path().join("state")).unwrap();
        let store = Store::at(&state).unwrap();
        for (h, data) in &present {
            let (mut f, tmp) = store.temp_file().unwrap();
            std::io::Write::write_all(&mut f, data).unwrap();
            store.place(&tmp, h).unwrap();
        }
        let before = count_files(&dir.path().join("state/snap/objects"));
        let mut wrong = None;
        let result = match super::import(&store, bytes.as_slice()) {
            Err(e) => Err(e),
            Ok(imported) => {
                if let Err(e) = imported.manifest.check() {
                    wrong = Some(format!("accepted a manifest that fails its checks: {e}"));
                }
                for (h, p) in &imported.objects {
                    let data = std::fs::read(p).unwrap();
                    if blake3::hash(&data).to_hex().as_str() != h {
                        wrong = Some(format!("object {h} does not hash to its name"));
                    }
                }
                imported.commit(&store).unwrap();
                let want = imported.manifest.objects();
                for (h, size) in &want {
                    // Every object the snapshot needs, of the size it says.
                    match std::fs::metadata(store.object_path(h)) {
                        Ok(m) if m.len() == *size => {}
                        Ok(m) => {
                            wrong = Some(format!(
                                "object {h}: {} bytes in the store, the manifest says {size}",
                                m.len()
                            ))
                        }
                        Err(_) => wrong = Some(format!("object {h} missing once committed")),
                    }
                }
                Ok(want.len())
            }
        };
        Outcome {
            result,
            wrong,
            tmp_left: count_files(&store.tmp_dir()),
            objects: count_files(&dir.path().join("state/snap/objects")) - before,
        }
    })
}

#[test]
fn archives_are_imported_whole_or_refused_leaving_nothing() {
    let cases = || (archives::archive(), prop::bool::weighted(0.3));
    property::check(
        "snap_import",
        2000,
        cases,
        |((archive, objects), present)| {
            let present = if present { objects } else { Vec::new() };
            let o = import(archive.0, present);
            prop_assert!(o.wrong.is_none(), "{}", o.wrong.unwrap());
            prop_assert_eq!(o.tmp_left, 0, "files left in the store's tmp/");
            match o.result {
                Ok(n) => prop_assert!(o.objects <= n),
                Err(e) => {
                    prop_assert_eq!(e.exit.code(), 65, "{}", e);
                    prop_assert!(
                        one_line(&e.to_string()),
                        "not one line: {:?}",
                        e.to_string()
                    );
                    prop_assert_eq!(o.objects, 0, "objects placed by a refused import");
                }
            }
            Ok(())
        },
    );
}

#[test]
fn valid_archives_are_imported() {
    let valid = || {
        archives::snapshot()
            .prop_map(|s| (archives::Archive(archives::zstd(&archives::tar_of(&s))), s))
    };
    property::check("snap_import_valid", 500, valid, |(archive, s)| {
        let o = import(archive.0, Vec::new());
        match o.result {
            Ok(n) => prop_assert_eq!(n, s.objects.len()),
            Err(e) => return Err(TestCaseError::fail(format!("refused: {e}"))),
        }
        prop_assert!(o.wrong.is_none(), "{}", o.wrong.unwrap());
        prop_assert_eq!(o.objects, s.objects.len());
        Ok(())
    });
}

/// The archive of a manifest whose entries are `entries` (JSON), holding
/// `objects`.
fn archive_of(entries: &str, objects: &[&[u8]]) -> Vec<u8> {
    let m = format!(
        r#"{{"format":1,"id":"snapshot-reg1","source":"/tmp/reg","created_at":"2026-11-30T00:00:00Z","root":{{"mode":493,"mtime_ns":0}},"entries":[{entries}]}}"#
    );
    let mut t = tar::Builder::new(Vec::new());
    archives::raw_entry(
        &mut t,
        b"manifest.json",
        tar::EntryType::Regular,
        m.as_bytes(),
        m.len() as u64,
    );
    for o in objects {
        let name = format!("objects/{}", blake3::hash(o).to_hex());
        archives::raw_entry(
            &mut t,
            name.as_bytes(),
            tar::EntryType::Regular,
            o,
            o.len() as u64,
        );
    }
    archives::zstd(&t.into_inner().unwrap())
}

#[test]
fn sizes_adding_up_past_what_a_u64_counts_are_refused() {
    // Found by the property above: the cap on what the archive may hold
    // overflowed (a panic in a debug build).
    let h = |b: u8| format!("{b:02x}").repeat(32);
    let entries = format!(
        r#"{{"type":"file","path":"a","hash":"{}","size":18446744073709551615,"mode":420,"mtime_ns":0}},{{"type":"file","path":"b","hash":"{}","size":18446744073709551615,"mode":420,"mtime_ns":0}}"#,
        h(0xaa),
        h(0xbb)
    );
    let o = import(archive_of(&entries, &[]), Vec::new());
    let e = o.result.unwrap_err();
    assert_eq!(e.exit.code(), 65);
    assert!(e.message.contains("16 EiB"), "{}", e.message);
}

#[test]
fn an_object_the_store_holds_at_another_size_is_refused() {
    // Found by the property above: a manifest could declare any size for
    // an object it left out of the archive when the store held it.
    let data = b"contents";
    let h = blake3::hash(data).to_hex().to_string();
    let entries =
        format!(r#"{{"type":"file","path":"a","hash":"{h}","size":9,"mode":420,"mtime_ns":0}}"#);
    let o = import(archive_of(&entries, &[]), vec![(h.clone(), data.to_vec())]);
    let e = o.result.unwrap_err();
    assert_eq!(e.exit.code(), 65);
    assert!(e.message.contains("declares 9 bytes"), "{}", e.message);
    // At its size, it is taken from the store.
    let entries = entries.replace("\"size\":9", "\"size\":8");
    let o = import(archive_of(&entries, &[]), vec![(h, data.to_vec())]);
    assert_eq!(o.result.unwrap(), 1);
}
