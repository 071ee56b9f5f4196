//! Faults injected on purpose, for the stress suite's self-test
//! (`tests/stress/`, see docs/stress.md): it rebuilds a tool with a known
//! leak and checks that its leak detector fails, naming the leak.
//!
//! [`active`] is a constant `false` unless the crate is built with the
//! feature `fault-injection` (never in a normal build: the self-test builds
//! into a target directory of its own), and then reads `PTEST_FAULT`, a
//! comma-separated list of fault names.
//!
//! | name | where | effect |
//! |---|---|---|
//! | `skip-volume-removal` | `ptest-docker`'s removal of an object | a volume is reported removed but left on the engine |

/// Whether the fault `name` is switched on: only in a build with the
/// feature `fault-injection`, when `PTEST_FAULT` names it.
#[cfg(feature = "fault-injection")]
pub fn active(name: &str) -> bool {
    std::env::var("PTEST_FAULT").is_ok_and(|v| v.split(',').any(|f| f.trim() == name))
}

/// Whether the fault `name` is switched on: never, in this build (without
/// the feature `fault-injection`).
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub const fn active(_name: &str) -> bool {
    false
}
