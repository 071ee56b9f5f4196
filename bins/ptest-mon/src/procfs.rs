//! What `/proc` says of processes, their trees and the host: the source
//! for trees without a cgroup, for ptest mon itself, and for the host.
//!
//! Only the files a sample needs are read: `/proc/PID/stat` (times, RSS),
//! `/proc/PID/io`, and the `children` files of each task, so that the cost
//! follows the size of the tree, not the number of processes on the host.

use std::collections::HashMap;
use std::time::Duration;

/// The fields of `/proc/PID/stat` (one parser, the owner module's).
pub use ptest_shared::owner::ProcStat as Stat;

pub fn stat(pid: u32) -> Option<Stat> {
    ptest_shared::owner::proc_stat(pid)
}

/// Bytes a process caused to be read from and written to storage
/// (`read_bytes`, `write_bytes` of `/proc/PID/io`).
pub fn parse_io(text: &str) -> Option<(u64, u64)> {
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.trim().parse::<u64>().ok())
    };
    Some((get("read_bytes:")?, get("write_bytes:")?))
}

pub fn io(pid: u32) -> Option<(u64, u64)> {
    parse_io(&std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?)
}

/// The bytes of one memory page.
pub fn page_size() -> u64 {
    static PAGE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *PAGE.get_or_init(|| {
        nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
            .ok()
            .flatten()
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(4096)
    })
}

/// Ticks to time.
pub fn ticks(n: u64) -> Duration {
    let hz = ptest_shared::cgroup::clock_ticks();
    Duration::from_nanos(n.saturating_mul(1_000_000_000) / hz)
}

/// `root` and every descendant it has now, found through the `children`
/// files of each task (a process a thread started is that thread's
/// child). `root` itself comes first.
pub fn tree(root: u32) -> Vec<u32> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let p = out[i];
        i += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let Ok(c) = std::fs::read_to_string(t.path().join("children")) else {
                continue;
            };
            for k in c.split_whitespace().filter_map(|x| x.parse::<u32>().ok()) {
                if !out.contains(&k) {
                    out.push(k);
                }
            }
        }
    }
    out
}

/// A tree followed through `/proc` from sample to sample: the processes
/// seen, and what those gone contributed, so that its totals only grow.
#[derive(Debug, Default)]
pub struct Tree {
    /// The last I/O of each process seen, by (pid, start time).
    io_seen: HashMap<(u32, u64), (u64, u64)>,
    /// I/O of processes gone.
    io_gone: (u64, u64),
    /// The largest CPU totals seen (ticks, user and system).
    cpu_high: (u64, u64),
}

/// One reading of a tree.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TreeReading {
    pub procs: u64,
    /// Sum of the processes' resident memory.
    pub rss: u64,
    /// CPU time of the tree, the processes gone included as far as
    /// `/proc` still tells (their parents' waited-for times) plus `extra`.
    pub cpu_user: Duration,
    pub cpu_system: Duration,
    pub io_read: u64,
    pub io_write: u64,
}

impl Tree {
    /// Reads the tree's processes `pids`; `extra` is CPU time of processes
    /// reaped by the caller (its own `RUSAGE_CHILDREN`), in ticks.
    pub fn read(&mut self, pids: &[u32], extra: (Duration, Duration)) -> TreeReading {
        let page = page_size();
        let mut r = TreeReading::default();
        let (mut user, mut system) = (0u64, 0u64);
        let mut alive = HashMap::with_capacity(pids.len());
        for &pid in pids {
            let Some(s) = stat(pid) else { continue };
            r.procs += 1;
            r.rss += s.rss_pages * page;
            user += s.utime + s.cutime;
            system += s.stime + s.cstime;
            let io = io(pid)
                .or_else(|| self.io_seen.get(&(pid, s.start_time)).copied())
                .unwrap_or_default();
            alive.insert((pid, s.start_time), io);
        }
        for (key, io) in &self.io_seen {
            if !alive.contains_key(key) {
                self.io_gone.0 += io.0;
                self.io_gone.1 += io.1;
            }
        }
        self.io_seen = alive;
        let (live_r, live_w) = self
            .io_seen
            .values()
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        r.io_read = self.io_gone.0 + live_r;
        r.io_write = self.io_gone.1 + live_w;
        // A child's time moves into its parent's when the parent waits for
        // it; read between the two, it could count twice or not at all for
        // a moment: the totals never go back.
        let hz = ptest_shared::cgroup::clock_ticks() as u128;
        let to_ticks = |d: Duration| (d.as_nanos() * hz / 1_000_000_000) as u64;
        self.cpu_high.0 = self.cpu_high.0.max(user + to_ticks(extra.0));
        self.cpu_high.1 = self.cpu_high.1.max(system + to_ticks(extra.1));
        r.cpu_user = ticks(self.cpu_high.0);
        r.cpu_system = ticks(self.cpu_high.1);
        r
    }
}

/// The host: memory in use (total less available), CPU time busy and in
/// all, load.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HostReading {
    pub memory_total: u64,
    pub memory_used: u64,
    /// Ticks: busy (all but idle and iowait) and in all, over every CPU.
    pub cpu_busy: u64,
    pub cpu_all: u64,
    pub cpus: u64,
    pub load1: f64,
    pub procs: u64,
}

/// `MemTotal` and `MemAvailable` of `/proc/meminfo`, in bytes.
pub fn parse_meminfo(text: &str) -> Option<(u64, u64)> {
    let kib = |k: &str| {
        text.lines().find_map(|l| {
            let v = l.strip_prefix(k)?.trim().trim_end_matches("kB").trim();
            v.parse::<u64>().ok().map(|n| n * 1024)
        })
    };
    Some((kib("MemTotal:")?, kib("MemAvailable:")?))
}

/// The `cpu` line of `/proc/stat`: (busy, all) ticks; and the number of
/// `cpuN` lines.
pub fn parse_proc_stat(text: &str) -> Option<(u64, u64, u64)> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest counted in user)
    let all: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    let cpus = text
        .lines()
        .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
        .count() as u64;
    Some((all.saturating_sub(idle), all, cpus.max(1)))
}

/// `/proc/loadavg`: the one-minute load and the number of processes.
pub fn parse_loadavg(text: &str) -> Option<(f64, u64)> {
    let mut w = text.split_whitespace();
    let load = w.next()?.parse().ok()?;
    let procs = w.nth(2)?.split_once('/')?.1.parse().ok()?;
    Some((load, procs))
}

pub fn host() -> Option<HostReading> {
    let (total, avail) = parse_meminfo(&std::fs::read_to_string("/proc/meminfo").ok()?)?;
    let (busy, all, cpus) = parse_proc_stat(&std::fs::read_to_string("/proc/stat").ok()?)?;
    let (load1, procs) = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| parse_loadavg(&t))
        .unwrap_or_default();
    Some(HostReading {
        memory_total: total,
        memory_used: total.saturating_sub(avail),
        cpu_busy: busy,
        cpu_all: all,
        cpus,
        load1,
        procs,
    })
}

/// The host's pressure stall information (`/proc/pressure/*`, `some
/// avg10`), where the kernel has it.
pub fn host_pressure() -> Option<[Option<f64>; 3]> {
    let read = |r: &str| {
        std::fs::read_to_string(format!("/proc/pressure/{r}"))
            .ok()
            .and_then(|t| ptest_shared::cgroup::parse_psi_some_avg10(&t))
    };
    let p = ["cpu", "memory", "io"].map(read);
    p.iter().any(Option::is_some).then_some(p)
}

/// This process's own peak resident memory (`VmHWM`), in bytes.
pub fn own_peak_rss() -> Option<u64> {
    let t = std::fs::read_to_string("/proc/self/status").ok()?;
    t.lines().find_map(|l| {
        let v = l
            .strip_prefix("VmHWM:")?
            .trim()
            .trim_end_matches("kB")
            .trim();
        v.parse::<u64>().ok().map(|n| n * 1024)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_meminfo_stat_loadavg() {
        let io = "rchar: 10\nwchar: 20\nsyscr: 1\nsyscw: 1\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n";
        assert_eq!(parse_io(io), Some((4096, 8192)));
        assert_eq!(parse_io("rchar: 1\n"), None);
        let mem = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   20000000 kB\n";
        assert_eq!(
            parse_meminfo(mem),
            Some((24_000_000 * 1024, 20_000_000 * 1024))
        );
        let st = "cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\ncpu1 50 3 25 400 10 1 1 2 0 0\nintr 1\n";
        assert_eq!(parse_proc_stat(st), Some((161, 981, 2)));
        assert_eq!(
            parse_loadavg("0.52 0.40 0.30 2/345 6789\n"),
            Some((0.52, 345))
        );
    }

    #[test]
    fn a_tree_holds_this_process_and_its_child() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let me = std::process::id();
        let t = tree(me);
        assert_eq!(t[0], me);
        assert!(t.contains(&child.id()), "{t:?}");
        let mut tr = Tree::default();
        let r = tr.read(&t, (Duration::ZERO, Duration::ZERO));
        assert!(r.procs >= 2 && r.rss > 0, "{r:?}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
