//! Cgroups for supervised commands: the mechanism `ptest-proc` uses to give
//! one command a cgroup of its own, with kernel-enforced limits (memory, CPU,
//! number of processes), to find and kill its whole process tree (children
//! that called `setsid` or double-forked included), and to report what it
//! used.
//!
//! This module owns creating, joining, signalling, measuring and removing
//! such cgroups, on cgroup v1 and v2. It reuses the parsers of
//! [`crate::probe`] to find the hierarchies and our place in them.
//!
//! # Where a command's cgroup goes
//!
//! - **cgroup v1**: one directory per hierarchy used, below *our own*
//!   cgroup of that hierarchy (from `/proc/self/cgroup`), under a `ptest`
//!   parent: `/sys/fs/cgroup/memory/<our path>/ptest/<name>`. Staying below
//!   our own cgroup keeps the command inside whatever limits the caller
//!   already lives under (a CI job's, a container's). The hierarchies are:
//!   `pids` (always, when mounted: it tracks the processes), `freezer` (when
//!   mounted, so that [`Cgroup::kill_all`] can stop a fork loop before
//!   killing it), `memory`, `cpuacct` and `blkio` (always when mounted:
//!   usage for [`Cgroup::stats`]; memory is required only when a memory
//!   limit is asked), and
//!   `cpu` (only for a CPU limit). A hierarchy needed by a limit, or the one
//!   that tracks the processes, must be created or [`Cgroup::create`] fails;
//!   the others are skipped with a note ([`Cgroup::notes`]) when they cannot
//!   be made. v1 offers no safe delegation, so this needs root.
//! - **cgroup v2, as root**: `<mount>/ptest/<name>` (normally
//!   `/sys/fs/cgroup/ptest/<name>`), with the controllers enabled in the
//!   `cgroup.subtree_control` of the mount's root and of `ptest`, like the
//!   transient units of `systemd-run`. Putting it at the top rather than
//!   below our own cgroup is what makes it work from inside any service or
//!   session: our own cgroup holds processes (at least this one), and the
//!   no-internal-process rule forbids enabling controllers for the children
//!   of such a cgroup.
//! - **cgroup v2, not root**: inside our own cgroup, which must be
//!   delegated to us (writable; e.g. `systemd-run --user -p Delegate=yes
//!   --scope`). Because of the no-internal-process rule, when controllers
//!   must be enabled there this process first moves itself into a leaf
//!   child, `<our cgroup>/ptest-supervisor`, which it only does when it is
//!   the only process of its cgroup (it never moves the caller's other
//!   processes); otherwise creation fails and says why. The command's
//!   cgroup is `<our cgroup>/ptest/<name>`. A later [`Cgroup::create`] from
//!   the same process sees it already lives in `ptest-supervisor` and uses
//!   its parent again.
//! - Where both are mounted (systemd's "hybrid" layout), the version whose
//!   hierarchies carry the controllers the limits need wins; with no limits
//!   v1 is used when it carries any of our controllers. A split (memory on
//!   v1, pids only on v2) is refused.
//!
//! The `ptest` parent directories are shared between concurrent commands
//! and stay when a command's cgroup is removed (removing them would race
//! with another creator); they hold no processes and set no limits.
//!
//! Everything that can fail reports an [`Unavailable`] with the precise
//! reason and a hint; nothing here panics. The deciding logic ([`Plan`]) is
//! separate from the file writes ([`Plan::realize`]), and the file formats
//! have pure parsers, so that both versions are tested whatever the machine
//! running the tests uses.

use crate::probe::{CgroupLayout, CgroupVersion, parse_controllers};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::ffi::CString;
use std::fs;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The directory, below the base cgroup, that holds the commands' cgroups.
pub const PARENT: &str = "ptest";

/// The leaf cgroup a non-root supervisor moves itself into on cgroup v2 so
/// that controllers can be enabled in its own (delegated) cgroup.
pub const SUPERVISOR_LEAF: &str = "ptest-supervisor";

/// The CFS period used for CPU limits, in microseconds.
pub const CFS_PERIOD_US: u64 = 100_000;

/// The smallest CFS quota the kernel accepts, in microseconds.
const MIN_CFS_QUOTA_US: u64 = 1_000;

/// How long [`Cgroup::remove`] waits for the kernel to let go of a cgroup
/// whose last process has just exited (`rmdir` answers `EBUSY` meanwhile).
const REMOVE_WAIT: Duration = Duration::from_secs(2);

/// How long [`Cgroup::kill_all`] waits for a freezer to report `FROZEN`.
const FREEZE_WAIT: Duration = Duration::from_secs(1);

/// The controllers (v2 names; the same on v1) a command's cgroup gets for
/// accounting even when no limit asks for them.
const ACCOUNTING_V2: [&str; 4] = ["memory", "pids", "cpu", "io"];

const HINT_V1_USER: &str = "cgroup v1 cannot be delegated safely to ordinary users: run ptest \
     as root (e.g. with sudo), or on a cgroup v2 system under `systemd-run --user -p \
     Delegate=yes --scope …`";
const HINT_V2_USER: &str = "run ptest under `systemd-run --user -p Delegate=yes --scope …` so \
     that it gets a delegated cgroup of its own, or run it as root";
const HINT_READ_ONLY: &str = "the cgroup filesystem is mounted read-only (a container without \
     cgroup access?): give it a writable cgroup mount (e.g. `docker run --cgroupns=private` on \
     a cgroup v2 host, or `--privileged`), or run without cgroup limits";
const HINT_NO_CGROUPS: &str = "mount a cgroup filesystem (`mount -t cgroup2 none \
     /sys/fs/cgroup`), or run without cgroup limits";

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/// The limits the kernel enforces on a command's cgroup. `None`: no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    /// Memory in bytes (v1 `memory.limit_in_bytes`, v2 `memory.max`); swap
    /// is counted in (v1 `memory.memsw.limit_in_bytes` set equal) or denied
    /// (v2 `memory.swap.max` = 0) so that it cannot dodge the limit.
    pub memory: Option<u64>,
    /// CPUs' worth of time per period: `0.5` is half of one CPU, `2` two.
    pub cpus: Option<f64>,
    /// Processes and threads at once (`pids.max`).
    pub pids: Option<u64>,
}

impl Limits {
    pub fn is_empty(&self) -> bool {
        self.memory.is_none() && self.cpus.is_none() && self.pids.is_none()
    }

    /// The controllers these limits need (`memory`, `cpu`, `pids`).
    pub fn controllers(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.memory.is_some() {
            v.push("memory");
        }
        if self.cpus.is_some() {
            v.push("cpu");
        }
        if self.pids.is_some() {
            v.push("pids");
        }
        v
    }

    /// Rejects limits the kernel would refuse or that make no sense.
    pub fn validate(&self) -> Result<(), String> {
        if self.memory == Some(0) {
            return Err("the memory limit must be more than 0 bytes".into());
        }
        if self.pids == Some(0) {
            return Err("the process limit must be at least 1".into());
        }
        if let Some(c) = self.cpus {
            if !c.is_finite() || c <= 0.0 {
                return Err(format!("the CPU limit must be a positive number, not {c}"));
            }
            if c * CFS_PERIOD_US as f64 > u64::MAX as f64 / 2.0 {
                return Err(format!("the CPU limit {c} is too large"));
            }
        }
        Ok(())
    }
}

/// Why no cgroup could be made, and what would make it possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unavailable {
    pub reason: String,
    pub hint: String,
}

impl Unavailable {
    fn new(reason: impl Into<String>, hint: impl Into<String>) -> Self {
        Unavailable {
            reason: reason.into(),
            hint: hint.into(),
        }
    }

    /// The suite's error for it: exit 69 (a needed facility is unavailable).
    pub fn to_error(&self) -> crate::Error {
        crate::Error::unavailable(self.reason.clone()).hint(self.hint.clone())
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (hint: {})", self.reason, self.hint)
    }
}

impl std::error::Error for Unavailable {}

impl From<Unavailable> for crate::Error {
    fn from(u: Unavailable) -> Self {
        u.to_error()
    }
}

/// What a command's cgroup used. `None`: the kernel does not report it here
/// (controller not used or not mounted, file missing on an older kernel).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Highest memory use in bytes (v1 `memory.max_usage_in_bytes`, v2
    /// `memory.peak`, kernel ≥ 5.19).
    pub memory_peak: Option<u64>,
    /// Memory use now, in bytes (v1 `memory.usage_in_bytes`, v2
    /// `memory.current`).
    pub memory_current: Option<u64>,
    /// Processes killed by the OOM killer for this cgroup (v1
    /// `memory.oom_control` `oom_kill`, kernel ≥ 4.13; v2 `memory.events`).
    pub oom_kills: Option<u64>,
    /// Times memory use hit the limit (v1 `memory.failcnt` plus
    /// `memory.memsw.failcnt`, v2 `memory.events` `max`). Some recent
    /// kernels no longer count v1 failures and always show 0.
    pub memory_limit_hits: Option<u64>,
    /// CPU time used by all its processes (v1 `cpuacct.usage`, v2
    /// `cpu.stat` `usage_usec`).
    pub cpu_usage: Option<Duration>,
    /// Time its processes were held back by the CPU limit (v1 `cpu.stat`
    /// `throttled_time`, v2 `cpu.stat` `throttled_usec`).
    pub cpu_throttled: Option<Duration>,
    /// Processes and threads now (`pids.current`).
    pub pids_current: Option<u64>,
    /// Most processes and threads at once (`pids.peak`, newer kernels).
    pub pids_peak: Option<u64>,
    /// Forks refused by the process limit (`pids.events` `max`).
    pub pids_limit_hits: Option<u64>,
    /// CPU time in user and in system mode (v1 `cpuacct.stat`, v2
    /// `cpu.stat` `user_usec`, `system_usec`).
    pub cpu_split: Option<(Duration, Duration)>,
    /// Bytes read from and written to block devices (v1
    /// `blkio.throttle.io_service_bytes_recursive`, v2 `io.stat`). Writes
    /// still in the page cache are not counted yet.
    pub io_bytes: Option<(u64, u64)>,
    /// Pressure stall information, v2 only: `some avg10` of
    /// `cpu.pressure`, `memory.pressure`, `io.pressure`, in percent.
    pub pressure: Option<[Option<f64>; 3]>,
}

/// One command's cgroup: a directory per v1 hierarchy used, or the one v2
/// directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Cgroup {
    version: CgroupVersion,
    dirs: Vec<PathBuf>,
    notes: Vec<String>,
}

mod control;
mod formats;
mod meter;
mod plan;
mod realize;

pub use control::{clock_ticks, measuring_dirs, sweep_unregistered};
pub use formats::*;
pub use meter::{Meter, Usage};
pub use plan::{Facts, Placement, Plan, V1Part, V2Plan};
use realize::*;

#[cfg(test)]
mod tests {
    use super::plan::*;
    use super::*;

    fn facts(mountinfo: &str, proc_cgroup: &str, controllers: &str, euid: u32) -> Facts {
        Facts {
            layout: CgroupLayout::parse(mountinfo, proc_cgroup),
            unified_controllers: parse_controllers(controllers),
            euid,
            pid: 4242,
        }
    }

    /// This machine's kind: per-controller v1 mounts (cpu and cpuacct
    /// apart) beside a controller-less cgroup2 mount.
    const V1_MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const V1_CGROUP: &str = "\
8:pids:/
6:freezer:/
4:memory:/job/7
2:cpuacct:/
1:cpu:/
0::/
";
    const V2_MOUNTINFO: &str = "35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 \
                                rw,nsdelegate,memory_recursiveprot\n";
    const V2_SCOPE: &str =
        "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope";

    fn v1_dirs(plan: &Plan) -> Vec<(String, PathBuf, bool)> {
        match &plan.placement {
            Placement::V1(parts) => parts
                .iter()
                .map(|p| (p.controllers.join(","), p.dir.clone(), p.required))
                .collect(),
            Placement::V2(_) => panic!("expected a v1 plan, got {plan:?}"),
        }
    }

    fn v2(plan: &Plan) -> &V2Plan {
        match &plan.placement {
            Placement::V2(p) => p,
            Placement::V1(_) => panic!("expected a v2 plan, got {plan:?}"),
        }
    }

    // -- file formats -------------------------------------------------------

    #[test]
    fn cpu_max_for_fractional_and_whole_cpus() {
        assert_eq!(format_cpu_max(0.5), "50000 100000");
        assert_eq!(format_cpu_max(2.0), "200000 100000");
        assert_eq!(format_cpu_max(1.25), "125000 100000");
        assert_eq!(format_cpu_max(0.001), "1000 100000", "the kernel minimum");
        assert_eq!(cfs_quota_us(0.5, CFS_PERIOD_US), 50_000);
        assert_eq!(
            parse_cpu_max("50000 100000\n"),
            Some((Some(50_000), 100_000))
        );
        assert_eq!(parse_cpu_max("max 100000\n"), Some((None, 100_000)));
        assert_eq!(parse_cpu_max("max\n"), Some((None, 100_000)));
        assert_eq!(parse_cpu_max("lots 1\n"), None);
    }

    #[test]
    fn v2_memory_events() {
        let t = "low 0\nhigh 0\nmax 1532\noom 3\noom_kill 2\noom_group_kill 0\n";
        assert_eq!(parse_keyed(t, "oom_kill"), Some(2));
        assert_eq!(parse_keyed(t, "oom"), Some(3), "oom is not oom_kill");
        assert_eq!(parse_keyed(t, "max"), Some(1532));
        assert_eq!(parse_keyed(t, "oom_group"), None);
    }

    #[test]
    fn v2_cpu_stat() {
        let t = "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 20\n\
                 nr_throttled 9\nthrottled_usec 451000\nnr_bursts 0\nburst_usec 0\n";
        assert_eq!(
            parse_cpu_stat_usage(t),
            Some(Duration::from_micros(1_234_567))
        );
        assert_eq!(parse_keyed(t, "throttled_usec"), Some(451_000));
        assert_eq!(parse_cpu_stat_usage("user_usec 5\n"), None);
    }

    #[test]
    fn cpu_split_io_and_pressure_formats() {
        assert_eq!(
            parse_cpuacct_stat("user 250\nsystem 50\n", 100),
            Some((Duration::from_millis(2500), Duration::from_millis(500)))
        );
        assert_eq!(parse_cpuacct_stat("user 1\n", 100), None);
        assert_eq!(
            parse_cpu_stat_split("usage_usec 30\nuser_usec 20\nsystem_usec 10\n"),
            Some((Duration::from_micros(20), Duration::from_micros(10)))
        );
        let blkio = "8:0 Read 4096\n8:0 Write 1024\n8:0 Sync 5120\n8:0 Total 5120\n\
                     8:16 Read 1\n8:16 Write 2\nTotal 5123\n";
        assert_eq!(parse_blkio_bytes(blkio), (4097, 1026));
        assert_eq!(parse_blkio_bytes("Total 0\n"), (0, 0));
        let io = "253:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n\
                  8:0 rbytes=5 wbytes=6 rios=1 wios=1\n";
        assert_eq!(parse_io_stat(io), (15, 26));
        let psi = "some avg10=12.34 avg60=1.00 avg300=0.00 total=99\n\
                   full avg10=3.00 avg60=0.00 avg300=0.00 total=9\n";
        assert_eq!(parse_psi_some_avg10(psi), Some(12.34));
        assert_eq!(parse_psi_some_avg10("full avg10=3.00\n"), None);
        assert_eq!(parse_psi_some_avg10("some avg10=nan\n"), None);
    }

    #[test]
    fn a_processs_measuring_cgroup_v1_and_v2() {
        let v1 = "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n\
                  31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n\
                  32 25 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n\
                  33 25 0:29 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        let member = "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n3:pids:/docker/abc\n0::/\n";
        assert_eq!(
            measuring_dirs(&CgroupLayout::parse(v1, member)),
            vec![
                PathBuf::from("/sys/fs/cgroup/memory/docker/abc"),
                PathBuf::from("/sys/fs/cgroup/cpu,cpuacct/docker/abc"),
                PathBuf::from("/sys/fs/cgroup/pids/docker/abc"),
            ]
        );
        let v2 = "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        assert_eq!(
            measuring_dirs(&CgroupLayout::parse(
                v2,
                "0::/system.slice/docker-abc.scope\n"
            )),
            vec![PathBuf::from(
                "/sys/fs/cgroup/system.slice/docker-abc.scope"
            )]
        );
    }

    #[test]
    fn v1_oom_control_old_and_new_kernels() {
        let new = "oom_kill_disable 0\nunder_oom 1\noom_kill 4\n";
        assert_eq!(
            parse_oom_control(new),
            OomControl {
                oom_kill_disable: false,
                under_oom: true,
                oom_kill: Some(4)
            }
        );
        let old = "oom_kill_disable 1\nunder_oom 0\n";
        assert_eq!(
            parse_oom_control(old),
            OomControl {
                oom_kill_disable: true,
                under_oom: false,
                oom_kill: None
            }
        );
    }

    #[test]
    fn v1_counters_and_lists() {
        assert_eq!(
            parse_cpuacct_usage("2500000000\n"),
            Some(Duration::from_millis(2500))
        );
        assert_eq!(parse_cpuacct_usage(""), None);
        assert_eq!(parse_procs("12\n345\n\n7\n"), vec![12, 345, 7]);
        assert_eq!(parse_procs(""), Vec::<u32>::new());
        assert_eq!(parse_max("max\n"), Some(None));
        assert_eq!(parse_max("67108864\n"), Some(Some(67_108_864)));
        assert_eq!(parse_max("-1"), None);
        assert_eq!(parse_keyed("max 3\n", "max"), Some(3), "pids.events");
    }

    // -- planning -----------------------------------------------------------

    #[test]
    fn v1_plan_below_our_own_cgroups() {
        let f = facts(V1_MOUNTINFO, V1_CGROUP, "", 0);
        let plan = Plan::new(&f, "ptest-proc-a1", &Limits::default()).unwrap();
        assert_eq!(plan.version(), CgroupVersion::V1);
        let s = |p: &str| PathBuf::from(p);
        assert_eq!(
            v1_dirs(&plan),
            vec![
                (
                    "pids".into(),
                    s("/sys/fs/cgroup/pids/ptest/ptest-proc-a1"),
                    true
                ),
                (
                    "freezer".into(),
                    s("/sys/fs/cgroup/freezer/ptest/ptest-proc-a1"),
                    false
                ),
                (
                    "memory".into(),
                    s("/sys/fs/cgroup/memory/job/7/ptest/ptest-proc-a1"),
                    false
                ),
                (
                    "cpuacct".into(),
                    s("/sys/fs/cgroup/cpuacct/ptest/ptest-proc-a1"),
                    false
                ),
            ],
            "no cpu hierarchy without a CPU limit"
        );
        let limits = Limits {
            memory: Some(1 << 26),
            cpus: Some(0.5),
            pids: None,
        };
        let plan = Plan::new(&f, "x", &limits).unwrap();
        let d = v1_dirs(&plan);
        let req: Vec<(&str, bool)> = d.iter().map(|(c, _, r)| (c.as_str(), *r)).collect();
        assert_eq!(
            req,
            [
                ("pids", true),
                ("freezer", false),
                ("memory", true),
                ("cpu", true),
                ("cpuacct", false)
            ]
        );
    }

    #[test]
    fn v1_comounted_cpu_cpuacct_is_one_dir() {
        let f = facts(
            "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n\
             31 25 0:28 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n",
            "3:cpu,cpuacct:/ci\n2:pids:/ci\n",
            "",
            0,
        );
        let limits = Limits {
            cpus: Some(2.0),
            ..Limits::default()
        };
        let d = v1_dirs(&Plan::new(&f, "n", &limits).unwrap());
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].0, "cpu,cpuacct");
        assert_eq!(d[1].1, Path::new("/sys/fs/cgroup/cpu,cpuacct/ci/ptest/n"));
        assert!(d[1].2, "required by the cpu limit");
    }

    #[test]
    fn v1_without_pids_tracks_with_the_next_hierarchy() {
        let f = facts(
            "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
            "4:memory:/\n",
            "",
            0,
        );
        let d = v1_dirs(&Plan::new(&f, "n", &Limits::default()).unwrap());
        assert_eq!(
            d,
            vec![(
                "memory".into(),
                PathBuf::from("/sys/fs/cgroup/memory/ptest/n"),
                true
            )]
        );
        let e = Plan::new(
            &f,
            "n",
            &Limits {
                pids: Some(10),
                ..Limits::default()
            },
        )
        .unwrap_err();
        assert!(
            e.reason
                .contains("no hierarchy carries the pids controller"),
            "{e}"
        );
    }

    #[test]
    fn v2_plan_root_uses_the_mount_root() {
        let f = facts(
            V2_MOUNTINFO,
            "0::/user.slice/user-0.slice/session-1.scope\n",
            "memory pids",
            0,
        );
        let plan = Plan::new(&f, "ptest-proc-b2", &Limits::default()).unwrap();
        let p = v2(&plan);
        assert_eq!(p.base, Path::new("/sys/fs/cgroup"));
        assert_eq!(p.dir, Path::new("/sys/fs/cgroup/ptest/ptest-proc-b2"));
        assert!(p.required.is_empty());
        assert_eq!(p.optional, ["memory", "pids", "cpu", "io"]);
    }

    #[test]
    fn v2_plan_user_uses_its_delegated_cgroup() {
        let f = facts(
            V2_MOUNTINFO,
            "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n",
            "cpu memory pids",
            1000,
        );
        let limits = Limits {
            memory: Some(512 << 20),
            cpus: None,
            pids: Some(64),
        };
        let plan = Plan::new(&f, "n", &limits).unwrap();
        let p = v2(&plan);
        assert_eq!(p.base, Path::new(V2_SCOPE));
        assert_eq!(p.dir, Path::new(V2_SCOPE).join("ptest/n"));
        assert_eq!(p.required, ["memory", "pids"]);
        assert_eq!(p.optional, ["cpu", "io"]);
        // After moving itself into the leaf, the same process plans the same base.
        let f = facts(
            V2_MOUNTINFO,
            "0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope/ptest-supervisor\n",
            "",
            1000,
        );
        assert_eq!(
            v2(&Plan::new(&f, "n", &limits).unwrap()).base,
            Path::new(V2_SCOPE)
        );
    }

    #[test]
    fn hybrid_chooses_the_version_carrying_the_limits() {
        // memory on v1; pids only on the unified hierarchy.
        let mi = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n\
                  41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n";
        let f = facts(mi, "4:memory:/\n0::/\n", "pids", 0);
        let pids = Limits {
            pids: Some(5),
            ..Limits::default()
        };
        let plan = Plan::new(&f, "n", &pids).unwrap();
        assert_eq!(v2(&plan).base, Path::new("/sys/fs/cgroup/unified"));
        let mem = Limits {
            memory: Some(1 << 20),
            ..Limits::default()
        };
        assert_eq!(
            Plan::new(&f, "n", &mem).unwrap().version(),
            CgroupVersion::V1
        );
        let both = Limits {
            memory: Some(1 << 20),
            pids: Some(5),
            cpus: None,
        };
        let e = Plan::new(&f, "n", &both).unwrap_err();
        assert!(
            e.reason.contains("memory on cgroup v1") && e.reason.contains("pids on cgroup v2"),
            "{e}"
        );
    }

    #[test]
    fn plans_refuse_what_cannot_work() {
        let e = Plan::new(&facts("", "", "", 0), "n", &Limits::default()).unwrap_err();
        assert!(e.reason.contains("no cgroup filesystem"), "{e}");
        let f = facts(V1_MOUNTINFO, V1_CGROUP, "", 0);
        for bad in ["", "a/b", "..", ".hidden", "x y"] {
            let e = Plan::new(&f, bad, &Limits::default()).unwrap_err();
            assert!(e.reason.contains("invalid cgroup name"), "{bad:?}: {e}");
        }
        let e = Plan::new(
            &f,
            "n",
            &Limits {
                cpus: Some(-1.0),
                ..Limits::default()
            },
        )
        .unwrap_err();
        assert!(e.reason.contains("CPU limit"), "{e}");
        // v2, not root, our cgroup not visible in the mount.
        let f = facts(
            "35 24 0:30 /other / rw - cgroup2 cgroup2 rw\n",
            "0::/user.slice\n",
            "",
            1000,
        );
        let e = Plan::new(&f, "n", &Limits::default()).unwrap_err();
        assert!(e.reason.contains("not visible"), "{e}");
        assert!(e.hint.contains("Delegate=yes"), "{}", e.hint);
    }

    // -- realizing v2 plans on a directory tree shaped like a cgroupfs -----

    /// A v2 cgroup directory with the files the kernel would show.
    fn fake_cgroup(dir: &Path, controllers: &str, subtree: &str, procs: &str, root: bool) {
        fs::create_dir_all(dir).unwrap();
        fs::write(dir.join("cgroup.controllers"), controllers).unwrap();
        fs::write(dir.join("cgroup.subtree_control"), subtree).unwrap();
        fs::write(dir.join("cgroup.procs"), procs).unwrap();
        if !root {
            fs::write(dir.join("cgroup.type"), "domain\n").unwrap();
        }
    }

    fn v2_plan_in(base: &Path, limits: Limits, self_pid: u32, euid: u32) -> Plan {
        Plan {
            limits,
            placement: Placement::V2(v2_plan(base.to_owned(), "cmd", &limits, self_pid, euid)),
            notes: Vec::new(),
        }
    }

    fn read(p: &Path) -> String {
        fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    #[test]
    fn v2_root_writes_controllers_and_limits() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fake_cgroup(
            root,
            "cpuset cpu io memory hugetlb pids\n",
            "",
            "1\n77\n",
            true,
        );
        let limits = Limits {
            memory: Some(64 << 20),
            cpus: Some(0.5),
            pids: Some(10),
        };
        let cg = v2_plan_in(root, limits, 77, 0).realize().unwrap();
        assert_eq!(cg.version(), CgroupVersion::V2);
        assert_eq!(cg.paths(), vec![root.join("ptest/cmd")]);
        // The root cgroup may hold processes: nobody was moved.
        assert!(!root.join(SUPERVISOR_LEAF).exists());
        assert_eq!(
            read(&root.join("cgroup.subtree_control")),
            "+memory +cpu +pids +io"
        );
        assert_eq!(
            read(&root.join("ptest/cgroup.subtree_control")),
            "+memory +cpu +pids +io"
        );
        let d = root.join("ptest/cmd");
        assert_eq!(read(&d.join("memory.max")), "67108864");
        assert_eq!(read(&d.join("cpu.max")), "50000 100000");
        assert_eq!(read(&d.join("pids.max")), "10");
        assert!(
            !d.join("memory.swap.max").exists(),
            "only written when the kernel has it"
        );
        assert_eq!(cg.procs_files(), vec![d.join("cgroup.procs")]);
        // The same name again is refused, and nothing is overwritten.
        let e = v2_plan_in(root, Limits::default(), 77, 0)
            .realize()
            .unwrap_err();
        assert!(
            e.reason.contains("cannot create") && e.reason.contains("ptest/cmd"),
            "{e}"
        );
        assert_eq!(read(&d.join("pids.max")), "10");
    }

    #[test]
    fn v2_enables_only_what_is_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fake_cgroup(root, "cpu memory pids\n", "cpu memory pids\n", "", true);
        fake_cgroup(
            &root.join("ptest"),
            "cpu memory pids\n",
            "memory\n",
            "",
            false,
        );
        let cg = v2_plan_in(root, Limits::default(), 77, 0)
            .realize()
            .unwrap();
        assert_eq!(
            read(&root.join("cgroup.subtree_control")),
            "cpu memory pids\n",
            "untouched"
        );
        assert_eq!(
            read(&root.join("ptest/cgroup.subtree_control")),
            "+pids +cpu"
        );
        let d = root.join("ptest/cmd");
        assert!(
            d.is_dir() && !d.join("memory.max").exists(),
            "no limits, no limit files"
        );
        // I/O accounting is optional: a kernel without it is a note.
        assert_eq!(cg.notes().len(), 1, "{:?}", cg.notes());
        assert!(
            cg.notes()[0].starts_with("io is not available"),
            "{:?}",
            cg.notes()
        );
    }

    #[test]
    fn v2_delegated_moves_itself_into_a_leaf() {
        let tmp = tempfile::tempdir().unwrap();
        let scope = tmp.path().join("run-r1.scope");
        fake_cgroup(&scope, "memory pids\n", "", "4242\n", false);
        let limits = Limits {
            pids: Some(32),
            ..Limits::default()
        };
        let cg = v2_plan_in(&scope, limits, 4242, 1000).realize().unwrap();
        assert_eq!(read(&scope.join("ptest-supervisor/cgroup.procs")), "4242");
        assert_eq!(read(&scope.join("cgroup.subtree_control")), "+pids +memory");
        assert_eq!(read(&scope.join("ptest/cmd/pids.max")), "32");
        assert!(
            cg.notes()
                .iter()
                .any(|n| n.contains("cpu is not available")),
            "{:?}",
            cg.notes()
        );
        assert!(
            cg.notes().iter().any(|n| n.contains("moved into")),
            "{:?}",
            cg.notes()
        );
    }

    #[test]
    fn v2_delegated_with_other_processes_is_explained() {
        let tmp = tempfile::tempdir().unwrap();
        let scope = tmp.path().join("session-3.scope");
        fake_cgroup(&scope, "memory pids\n", "", "900\n4242\n901\n", false);
        let limits = Limits {
            memory: Some(1 << 30),
            ..Limits::default()
        };
        let e = v2_plan_in(&scope, limits, 4242, 1000)
            .realize()
            .unwrap_err();
        assert!(
            e.reason.contains("holds other processes (900, 901)")
                && e.reason.contains("no-internal-process")
                && e.reason.contains("memory"),
            "{e}"
        );
        assert!(
            e.hint
                .contains("systemd-run --user -p Delegate=yes --scope"),
            "{}",
            e.hint
        );
        assert!(!scope.join(SUPERVISOR_LEAF).exists(), "nobody was moved");
        assert!(!scope.join("ptest/cmd").exists());
        // Without limits the cgroup is still made, for tracking and killing.
        let cg = v2_plan_in(&scope, Limits::default(), 4242, 1000)
            .realize()
            .unwrap();
        assert_eq!(cg.paths(), vec![scope.join("ptest/cmd")]);
        assert_eq!(read(&scope.join("cgroup.subtree_control")), "");
        assert!(
            cg.notes().iter().any(|n| n.contains("no accounting")),
            "{:?}",
            cg.notes()
        );
    }

    #[test]
    fn v2_missing_controller_or_base_is_named() {
        let tmp = tempfile::tempdir().unwrap();
        let scope = tmp.path().join("app.scope");
        fake_cgroup(&scope, "memory pids\n", "", "4242\n", false);
        let limits = Limits {
            cpus: Some(1.0),
            ..Limits::default()
        };
        let e = v2_plan_in(&scope, limits, 4242, 1000)
            .realize()
            .unwrap_err();
        assert!(
            e.reason.contains("the cpu controller is not available")
                && e.reason.contains("memory pids"),
            "{e}"
        );
        assert!(e.hint.contains("Delegate="), "{}", e.hint);
        let e = v2_plan_in(&tmp.path().join("gone"), Limits::default(), 1, 1000)
            .realize()
            .unwrap_err();
        assert!(e.reason.contains("gone does not exist"), "{e}");
    }

    #[test]
    fn v2_stats_from_files() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("cmd");
        fake_cgroup(&d, "", "", "", false);
        fs::write(d.join("memory.peak"), "70000000\n").unwrap();
        fs::write(d.join("memory.current"), "4096\n").unwrap();
        fs::write(
            d.join("memory.events"),
            "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n",
        )
        .unwrap();
        fs::write(
            d.join("cpu.stat"),
            "usage_usec 1500000\nuser_usec 1000000\nsystem_usec 500000\nthrottled_usec 250000\n",
        )
        .unwrap();
        fs::write(
            d.join("io.stat"),
            "8:0 rbytes=4096 wbytes=512 rios=1 wios=1 dbytes=0 dios=0\n8:16 rbytes=4096 wbytes=0\n",
        )
        .unwrap();
        fs::write(
            d.join("cpu.pressure"),
            "some avg10=1.50 avg60=0.20 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
        )
        .unwrap();
        fs::write(d.join("pids.current"), "3\n").unwrap();
        fs::write(d.join("pids.events"), "max 7\n").unwrap();
        let cg = Cgroup::from_paths(vec![d.clone()]);
        assert_eq!(cg.version(), CgroupVersion::V2);
        assert_eq!(
            cg.stats(),
            Stats {
                memory_peak: Some(70_000_000),
                memory_current: Some(4096),
                oom_kills: Some(1),
                memory_limit_hits: Some(12),
                cpu_usage: Some(Duration::from_millis(1500)),
                cpu_throttled: Some(Duration::from_millis(250)),
                pids_current: Some(3),
                pids_peak: None,
                pids_limit_hits: Some(7),
                cpu_split: Some((Duration::from_millis(1000), Duration::from_millis(500))),
                io_bytes: Some((8192, 512)),
                pressure: Some([Some(1.5), None, None]),
            }
        );
        fs::write(d.join("cgroup.procs"), "10\n11\n").unwrap();
        fs::create_dir(d.join("sub")).unwrap();
        fs::write(d.join("sub/cgroup.procs"), "12\n10\n").unwrap();
        assert_eq!(cg.pids(), vec![10, 11, 12], "descendants count, once each");
        assert_eq!(
            cg.procs_files(),
            vec![d.join("cgroup.procs")],
            "joining goes to the cgroup itself"
        );
        let gone = Cgroup::from_paths(vec![tmp.path().join("nope")]);
        assert_eq!(gone.version(), CgroupVersion::None);
        assert!(gone.is_empty());
        assert_eq!(gone.stats(), Stats::default());
        gone.remove().unwrap();
    }
}
