//! Where a resource's figures come from: its cgroup's counters (the
//! kernel's, exact and cheap), its process tree through `/proc`, the
//! Docker engine's one-shot stats, or the host's own files.

use crate::procfs::{self, Tree};
use ptest_shared::cgroup::{Cgroup, Meter};
use std::time::Duration;

/// One reading of a resource, whatever its source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub memory: u64,
    /// The highest memory use so far, where the kernel keeps it.
    pub memory_peak: Option<u64>,
    pub cpu_user: Duration,
    pub cpu_system: Duration,
    pub procs: u64,
    /// Bytes read and written since the source began counting.
    pub io_read: u64,
    pub io_write: u64,
    pub pressure: Option<[Option<f64>; 3]>,
    /// Host only: its memory in all, and its CPUs.
    pub host: Option<(u64, u64, f64)>,
}

impl Reading {
    pub fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_system
    }
}

/// What a resource is read through.
pub enum Source {
    /// A cgroup, read through its [`Meter`]; `root` is the process whose
    /// end ends the resource, if any.
    Cgroup {
        cgroup: Cgroup,
        meter: Box<Meter>,
        root: Option<u32>,
    },
    /// A tree followed through `/proc` from `root`. With `own_children`,
    /// the tree is this process's children (ptest mon is their subreaper):
    /// `root` is ptest mon itself and not counted.
    Tree {
        root: u32,
        own_children: bool,
        tree: Tree,
    },
    /// A container the engine measures (its cgroup is not visible here).
    Engine(crate::engine::Stats),
    /// The host: busy ticks and all ticks at the previous reading.
    Host,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Source {
    /// A cgroup's counters, their files found once.
    pub fn cgroup(cgroup: Cgroup, root: Option<u32>) -> Source {
        Source::Cgroup {
            meter: Box::new(cgroup.meter()),
            cgroup,
            root,
        }
    }

    /// `root`'s tree through `/proc` (see [`Source::Tree`]).
    pub fn tree(root: u32, own_children: bool) -> Source {
        Source::Tree {
            root,
            own_children,
            tree: Tree::default(),
        }
    }

    /// OOM kills so far, where the kernel counts them (a cgroup's).
    pub fn oom_kills(&self) -> Option<u64> {
        match self {
            Source::Cgroup { cgroup, .. } => cgroup.stats().oom_kills,
            _ => None,
        }
    }

    /// How a sample says it was measured.
    pub fn name(&self) -> &'static str {
        match self {
            Source::Cgroup { .. } => "cgroup",
            Source::Tree { .. } => "proc",
            Source::Engine(_) => "engine",
            Source::Host => "host",
        }
    }

    /// Reads the resource now; `None` once it is gone.
    pub fn read(&mut self) -> Option<Reading> {
        match self {
            Source::Cgroup { meter, root, .. } => {
                let u = meter.read();
                if root.is_some_and(|r| !alive(r)) && u.procs.unwrap_or(0) == 0 {
                    return None;
                }
                let (cpu_user, cpu_system) = u.cpu?;
                let (io_read, io_write) = u.io.unwrap_or_default();
                Some(Reading {
                    memory: u.memory.unwrap_or(0),
                    memory_peak: u.memory_peak,
                    cpu_user,
                    cpu_system,
                    procs: u.procs.unwrap_or(0),
                    io_read,
                    io_write,
                    pressure: u.pressure,
                    host: None,
                })
            }
            Source::Tree {
                root,
                own_children,
                tree,
            } => {
                let mut pids = procfs::tree(*root);
                let extra = if *own_children {
                    pids.remove(0);
                    own_children_cpu()
                } else {
                    (Duration::ZERO, Duration::ZERO)
                };
                if pids.is_empty() || (!*own_children && !alive(*root)) {
                    return None;
                }
                let r = tree.read(&pids, extra);
                Some(Reading {
                    memory: r.rss,
                    memory_peak: None,
                    cpu_user: r.cpu_user,
                    cpu_system: r.cpu_system,
                    procs: r.procs,
                    io_read: r.io_read,
                    io_write: r.io_write,
                    pressure: None,
                    host: None,
                })
            }
            Source::Engine(s) => s.read(),
            Source::Host => {
                let h = procfs::host()?;
                Some(Reading {
                    memory: h.memory_used,
                    memory_peak: None,
                    // Busy time of all CPUs, as "user": the host has no
                    // meaningful split here.
                    cpu_user: procfs::ticks(h.cpu_busy),
                    cpu_system: Duration::ZERO,
                    procs: h.procs,
                    io_read: 0,
                    io_write: 0,
                    pressure: procfs::host_pressure(),
                    host: Some((h.memory_total, h.cpus, h.load1)),
                })
            }
        }
    }
}

/// True while `pid` exists and is not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => s
            .rfind(')')
            .and_then(|i| s[i + 1..].split_whitespace().next())
            .is_some_and(|st| st != "Z" && st != "X"),
        Err(_) => false,
    }
}

/// CPU time of this process's reaped children (and theirs).
pub fn own_children_cpu() -> (Duration, Duration) {
    rusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .map(|u| (u.user, u.system))
        .unwrap_or_default()
}

/// What `getrusage` tells.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    pub user: Duration,
    pub system: Duration,
    /// The largest resident set of one process, in bytes.
    pub max_rss: u64,
    /// Bytes read and written through block devices (blocks of 512).
    pub io_read: u64,
    pub io_write: u64,
}

pub fn rusage(who: nix::sys::resource::UsageWho) -> Option<Usage> {
    use nix::sys::time::TimeValLike;
    let ru = nix::sys::resource::getrusage(who).ok()?;
    let d = |tv: nix::sys::time::TimeVal| {
        Duration::from_micros(u64::try_from(tv.num_microseconds()).unwrap_or(0))
    };
    Some(Usage {
        user: d(ru.user_time()),
        system: d(ru.system_time()),
        max_rss: u64::try_from(ru.max_rss()).unwrap_or(0) * 1024,
        io_read: u64::try_from(ru.block_reads()).unwrap_or(0) * 512,
        io_write: u64::try_from(ru.block_writes()).unwrap_or(0) * 512,
    })
}
