//! The cgroup files' formats, v1 and v2, as pure parsers and formatters.

use super::{CFS_PERIOD_US, MIN_CFS_QUOTA_US};
use std::time::Duration;

/// The value of `key` in a flat keyed file of `key value` lines: v2
/// `memory.events`, `cpu.stat`, `pids.events`, `cgroup.events`; v1
/// `memory.oom_control`, `cpu.stat`, `pids.events`.
pub fn parse_keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let mut w = line.split_whitespace();
        (w.next()? == key).then_some(())?;
        w.next()?.parse().ok()
    })
}

/// A `cgroup.procs` file: one pid per line.
pub fn parse_procs(text: &str) -> Vec<u32> {
    text.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// A limit file holding a number or `max` (v2 `memory.max`, `pids.max`):
/// `Some(None)` for `max`, `None` when malformed.
pub fn parse_max(text: &str) -> Option<Option<u64>> {
    match text.trim() {
        "max" => Some(None),
        n => n.parse().ok().map(Some),
    }
}

/// The CFS quota for `cpus` CPUs per `period_us` (at least the kernel's
/// minimum of 1 ms).
pub fn cfs_quota_us(cpus: f64, period_us: u64) -> u64 {
    let q = (cpus * period_us as f64).round();
    (q as u64).max(MIN_CFS_QUOTA_US)
}

/// The v2 `cpu.max` line for `cpus` CPUs: `0.5` → `50000 100000`.
pub fn format_cpu_max(cpus: f64) -> String {
    format!("{} {CFS_PERIOD_US}", cfs_quota_us(cpus, CFS_PERIOD_US))
}

/// A v2 `cpu.max` file: (quota, or `None` for `max`; period), both in µs.
pub fn parse_cpu_max(text: &str) -> Option<(Option<u64>, u64)> {
    let mut w = text.split_whitespace();
    let quota = parse_max(w.next()?)?;
    let period = match w.next() {
        Some(p) => p.parse().ok()?,
        None => CFS_PERIOD_US,
    };
    Some((quota, period))
}

/// The CPU time of a v2 `cpu.stat` (`usage_usec`).
pub fn parse_cpu_stat_usage(text: &str) -> Option<Duration> {
    parse_keyed(text, "usage_usec").map(Duration::from_micros)
}

/// The CPU time of a v1 `cpuacct.usage` (nanoseconds).
pub fn parse_cpuacct_usage(text: &str) -> Option<Duration> {
    text.trim().parse().ok().map(Duration::from_nanos)
}

/// A v1 `memory.oom_control` file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OomControl {
    pub oom_kill_disable: bool,
    /// The cgroup is at its limit and its OOM handling is pending.
    pub under_oom: bool,
    /// Processes killed by the OOM killer (kernel ≥ 4.13; `None` before).
    pub oom_kill: Option<u64>,
}

pub fn parse_oom_control(text: &str) -> OomControl {
    OomControl {
        oom_kill_disable: parse_keyed(text, "oom_kill_disable") == Some(1),
        under_oom: parse_keyed(text, "under_oom") == Some(1),
        oom_kill: parse_keyed(text, "oom_kill"),
    }
}
