//! Property-based fuzzing of requirement files at the binary level
//! (docs/fuzzing.md): trees of files that include each other, right and
//! wrong, checked by the built `ptest-venv check -r a.txt --json` (which
//! reads them and looks for conflicts, installing nothing). The in-process
//! properties, with many more cases, are in `src/reqs/fuzz.rs`.
//!
//! Properties: the process ends within its limit (else it is killed and
//! the case fails); its exit is 0, 1 (conflicts found), 65, 66 or 74, never
//! 70 nor a panic; stdout is records, ending with the `error` record of a
//! failure; a failure says what was wrong in one line on stderr.

#[path = "../../../shared/tests/support/fuzz.rs"]
mod fuzz;
#[path = "support/requirements.rs"]
mod generate;

use proptest::prelude::*;
use ptest_shared::testkit::Scenario;
use ptest_shared::testkit::fuzz::{RUN_LIMIT, one_line};
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn requirement_files_are_checked_or_refused_in_one_line() {
    let s = Scenario::new();
    let n = AtomicUsize::new(0);
    // The interpreter's facts are learnt once, here, not in the cases.
    s.cmd("ptest-venv").args(["doctor", "--json"]).run();
    fuzz::check("requirements_binary", 500, generate::tree, |tree| {
        let dir = s
            .work
            .join(format!("case{}", n.fetch_add(1, Ordering::Relaxed)));
        for (name, bytes) in &tree {
            let p = dir.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let run = s
            .cmd("ptest-venv")
            .args(["check", "--json", "-r", "a.txt"])
            .current_dir(&dir)
            .run_killed_after(RUN_LIMIT)
            .map_err(TestCaseError::fail)?;
        std::fs::remove_dir_all(&dir).unwrap();
        let code = run.code();
        prop_assert!(
            matches!(code, Some(0 | 1 | 65 | 66 | 74)),
            "exit {:?}\nstderr: {}",
            run.status,
            run.stderr
        );
        let records = run.records();
        match code {
            Some(0) => prop_assert!(run.stderr.is_empty(), "{}", run.stderr),
            Some(1) => prop_assert!(records.iter().any(|r| r["kind"] == "conflict")),
            _ => {
                run.error_record("ptest-venv");
                prop_assert!(
                    run.stderr.starts_with("ptest-venv: error: ") && one_line(&run.stderr),
                    "stderr: {:?}",
                    run.stderr
                );
            }
        }
        Ok(())
    });
}
