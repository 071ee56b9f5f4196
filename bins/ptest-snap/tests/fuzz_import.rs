//! Property-based fuzzing of `ptest snap import` at the binary level
//! (docs/fuzzing.md): the built binary given, on stdin, an archive that
//! `ptest snap export` wrote of a real tree, mutated in its zstd stream or
//! its tar stream; and the generated archives of `support/archives.rs`
//! (valid, mutated at every layer, any bytes). The in-process properties,
//! with many more cases, are in `src/archive/fuzz.rs`.
//!
//! Properties: the process ends within its limit; its exit is 0 or 65,
//! never 70 nor a panic; a refusal is the `error` record on stdout and one
//! line on stderr, and adds nothing to the store (no object, nothing left
//! in its `tmp/`); an accepted archive is a snapshot that `ptest snap
//! verify` finds whole.

#[path = "support/archives.rs"]
mod archives;
#[path = "../../../shared/tests/support/fuzz.rs"]
mod fuzz;
mod support;

use proptest::prelude::*;
use ptest_shared::testkit::Scenario;
use ptest_shared::testkit::fuzz::{RUN_LIMIT, one_line};
use std::io::Read;

fn files_below(dir: &std::path::Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_below(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn archives_are_imported_whole_or_refused_in_one_line() {
    let s = Scenario::new();
    let src = s.work.join("src");
    support::every_kind_of_tree(&src);
    let rec = support::create(&s, &src, &[]);
    let out = s
        .cmd("ptest-snap")
        .args(["export", &support::id(&rec)])
        .inner
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported = out.stdout;
    let mut tar = Vec::new();
    zstd::Decoder::new(exported.as_slice())
        .unwrap()
        .read_to_end(&mut tar)
        .unwrap();
    let snap = s.state.join("snap");

    let cases = move || {
        let (e, t) = (exported.clone(), tar.clone());
        prop_oneof![
            2 => archives::byte_ops().prop_map(move |ops| archives::mutate_bytes(e.clone(), ops)),
            3 => archives::byte_ops().prop_map(move |ops| archives::zstd(&archives::mutate_bytes(t.clone(), ops))),
            4 => archives::archive().prop_map(|(a, _)| a.0),
        ]
        .prop_map(archives::Archive)
    };
    fuzz::check("snap_import_binary", 400, cases, |archive| {
        let objects = files_below(&snap.join("objects"));
        let run = s
            .cmd("ptest-snap")
            .args(["import", "--json"])
            .stdin(archive.0)
            .run_killed_after(RUN_LIMIT)
            .map_err(TestCaseError::fail)?;
        prop_assert_eq!(
            files_below(&snap.join("tmp")),
            0,
            "left in the store's tmp/"
        );
        match run.code() {
            Some(0) => {
                let rec = run.records().pop().unwrap_or_default();
                prop_assert_eq!(&rec["kind"], "snapshot");
                let id = rec["id"].as_str().unwrap_or_default().to_owned();
                let verify = s
                    .cmd("ptest-snap")
                    .args(["verify", &id])
                    .run_killed_after(RUN_LIMIT)
                    .map_err(TestCaseError::fail)?;
                prop_assert_eq!(verify.code(), Some(0), "verify {}: {}", id, verify.stderr);
            }
            Some(65) => {
                run.error_record("ptest-snap");
                prop_assert!(
                    run.stderr.starts_with("ptest-snap: error: ") && one_line(&run.stderr),
                    "stderr: {:?}",
                    run.stderr
                );
                prop_assert_eq!(
                    files_below(&snap.join("objects")),
                    objects,
                    "objects added by a refused import"
                );
            }
            _ => prop_assert!(false, "exit {:?}\nstderr: {}", run.status, run.stderr),
        }
        Ok(())
    });
}
