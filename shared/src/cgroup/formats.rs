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

/// User and system CPU time of a v2 `cpu.stat` (`user_usec`, `system_usec`).
pub fn parse_cpu_stat_split(text: &str) -> Option<(Duration, Duration)> {
    Some((
        Duration::from_micros(parse_keyed(text, "user_usec")?),
        Duration::from_micros(parse_keyed(text, "system_usec")?),
    ))
}

/// User and system CPU time of a v1 `cpuacct.stat`, counted in ticks of
/// `hz` per second (`USER_HZ`, almost always 100).
pub fn parse_cpuacct_stat(text: &str, hz: u64) -> Option<(Duration, Duration)> {
    let ticks = |n: u64| Duration::from_nanos(n.saturating_mul(1_000_000_000) / hz.max(1));
    Some((
        ticks(parse_keyed(text, "user")?),
        ticks(parse_keyed(text, "system")?),
    ))
}

/// Bytes read and written of a v1 `blkio.throttle.io_service_bytes` (or
/// its `_recursive` twin): `MAJ:MIN Read N` lines, summed over devices.
pub fn parse_blkio_bytes(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for line in text.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        if let [dev, op, n] = w[..]
            && dev.contains(':')
            && let Ok(n) = n.parse::<u64>()
        {
            match op {
                "Read" => read = read.saturating_add(n),
                "Write" => write = write.saturating_add(n),
                _ => {}
            }
        }
    }
    (read, write)
}

/// Bytes read and written of a v2 `io.stat`: `MAJ:MIN rbytes=N wbytes=N …`
/// lines, summed over devices.
pub fn parse_io_stat(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for field in text.split_whitespace() {
        if let Some((k, v)) = field.split_once('=')
            && let Ok(n) = v.parse::<u64>()
        {
            match k {
                "rbytes" => read = read.saturating_add(n),
                "wbytes" => write = write.saturating_add(n),
                _ => {}
            }
        }
    }
    (read, write)
}

/// The `some avg10` of a pressure stall file (`cpu.pressure`,
/// `/proc/pressure/memory`): the percentage of the last 10 s in which at
/// least one task waited.
pub fn parse_psi_some_avg10(text: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.starts_with("some "))?;
    let v = line
        .split_whitespace()
        .find_map(|f| f.strip_prefix("avg10="))?;
    v.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0)
}
