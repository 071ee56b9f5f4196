//! Running a property (docs/fuzzing.md): its case count scaled by
//! `PTEST_FUZZ_CASES`, its seed from `PTEST_FUZZ_SEED` or fresh (and
//! printed), no persistence files (a test leaves nothing in the checkout),
//! and on failure the shrunk input with the command that replays it.
//!
//! Shared by every fuzz test through `#[path]`, so that proptest stays a
//! dev-dependency of the crates whose tests use it.

#![allow(dead_code)]

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use ptest_shared::testkit::fuzz;

/// Runs `test` on `default_cases` (scaled) values of the strategy
/// `make` returns; panics with the minimal failing value and how to replay
/// it. Runs on a thread with a large stack: the nested strategies of
/// JSON, TOML and archives recurse deeply in a debug build.
pub fn check<S>(
    name: &str,
    default_cases: u32,
    make: impl FnOnce() -> S + Send,
    test: impl Fn(S::Value) -> Result<(), TestCaseError> + Send,
) where
    S: Strategy,
    S::Value: std::fmt::Debug,
{
    let seed = fuzz::seed(name);
    let cases = fuzz::cases(default_cases);
    let config = Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        // Shrinking stops after a minute: a property that hangs costs
        // seconds per step.
        max_shrink_time: 60_000,
        // A strategy's filters may reject many values of a sort; never
        // give up on the property for that.
        max_global_rejects: cases.saturating_mul(50).max(1024),
        ..Config::default()
    };
    let failure = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name(name.to_owned())
            .stack_size(256 << 20)
            .spawn_scoped(scope, move || {
                let strategy = make();
                let mut runner = TestRunner::new(config);
                match runner.run(&strategy, test) {
                    Ok(()) => None,
                    Err(TestError::Fail(why, value)) => {
                        Some(format!("{why}\nminimal failing input: {value:#?}"))
                    }
                    Err(TestError::Abort(why)) => Some(format!("gave up: {why}")),
                }
            })
            .expect("a thread for the property")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    if let Some(f) = failure {
        panic!(
            "property {name} failed: {f}\n\
             replay: PTEST_FUZZ_SEED={seed} PTEST_FUZZ_CASES={} cargo test … {name}",
            std::env::var("PTEST_FUZZ_CASES").unwrap_or_else(|_| "1".into())
        );
    }
}
