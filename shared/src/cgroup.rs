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
//!   killing it), `memory` and `cpuacct` (always when mounted: usage for
//!   [`Cgroup::stats`]; required only when a memory limit is asked), and
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
const ACCOUNTING_V2: [&str; 3] = ["memory", "pids", "cpu"];

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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
}

/// One command's cgroup: a directory per v1 hierarchy used, or the one v2
/// directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Cgroup {
    version: CgroupVersion,
    dirs: Vec<PathBuf>,
    notes: Vec<String>,
}

// ---------------------------------------------------------------------------
// Planning: where a cgroup goes (pure)
// ---------------------------------------------------------------------------

/// The facts planning decides from: the machine's cgroup layout and who we
/// are. [`Facts::read`] reads them from `/proc/self`; tests build them from
/// literal file contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub layout: CgroupLayout,
    /// `cgroup.controllers` of our own v2 cgroup (empty without one).
    pub unified_controllers: Vec<String>,
    pub euid: u32,
    pub pid: u32,
}

impl Facts {
    pub fn read() -> Result<Facts, Unavailable> {
        let layout = CgroupLayout::read().map_err(|e| {
            Unavailable::new(
                format!("cannot read /proc/self/mountinfo or /proc/self/cgroup: {e}"),
                "ptest needs /proc mounted to find the cgroup hierarchies",
            )
        })?;
        let unified_controllers = layout
            .unified
            .as_ref()
            .and_then(|u| u.dir.as_ref())
            .and_then(|d| fs::read_to_string(d.join("cgroup.controllers")).ok())
            .map(|t| parse_controllers(&t))
            .unwrap_or_default();
        Ok(Facts {
            layout,
            unified_controllers,
            euid: nix::unistd::geteuid().as_raw(),
            pid: std::process::id(),
        })
    }
}

/// What [`Plan::realize`] will create: the decision, before any write.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub limits: Limits,
    pub placement: Placement,
    /// What was left out and why (an optional hierarchy not visible, …).
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// One directory per hierarchy, in the order they are joined.
    V1(Vec<V1Part>),
    V2(V2Plan),
}

/// A command's directory in one cgroup v1 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Part {
    /// The hierarchy's controllers (`["pids"]`, `["cpu", "cpuacct"]`).
    pub controllers: Vec<String>,
    /// Our own cgroup in this hierarchy; [`PARENT`] is made below it.
    pub base: PathBuf,
    /// `base/ptest/<name>`.
    pub dir: PathBuf,
    /// Creation fails when this one cannot be made (a limit needs it, or it
    /// is the hierarchy that tracks the processes); else it is skipped.
    pub required: bool,
}

/// A command's directory in the cgroup v2 hierarchy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Plan {
    /// The cgroup below which [`PARENT`] is made, with controllers enabled
    /// in its `cgroup.subtree_control`.
    pub base: PathBuf,
    /// `base/ptest/<name>`.
    pub dir: PathBuf,
    /// Controllers the limits need: creation fails without them.
    pub required: Vec<String>,
    /// Controllers enabled for accounting when `base` offers them.
    pub optional: Vec<String>,
    /// This process: the one moved into [`SUPERVISOR_LEAF`] when `base`
    /// holds it and controllers must be enabled there.
    pub self_pid: u32,
    pub euid: u32,
}

impl Plan {
    /// Decides where the cgroup `name` goes, from `facts` alone (no file is
    /// read or written).
    pub fn new(facts: &Facts, name: &str, limits: &Limits) -> Result<Plan, Unavailable> {
        validate_name(name)?;
        limits
            .validate()
            .map_err(|e| Unavailable::new(e, "give a positive limit"))?;
        let mut notes = Vec::new();
        let placement = match choose_version(facts, limits)? {
            CgroupVersion::V1 => Placement::V1(plan_v1(facts, name, limits, &mut notes)?),
            _ => Placement::V2(plan_v2(facts, name, limits)?),
        };
        Ok(Plan {
            limits: *limits,
            placement,
            notes,
        })
    }

    /// A v2 plan for `base/ptest/<name>`, by this process, whatever the
    /// machine's layout (e.g. a test using a controller-less cgroup2 mount).
    pub fn v2_at(base: &Path, name: &str, limits: &Limits) -> Result<Plan, Unavailable> {
        validate_name(name)?;
        limits
            .validate()
            .map_err(|e| Unavailable::new(e, "give a positive limit"))?;
        Ok(Plan {
            limits: *limits,
            placement: Placement::V2(v2_plan(
                base.to_owned(),
                name,
                limits,
                std::process::id(),
                nix::unistd::geteuid().as_raw(),
            )),
            notes: Vec::new(),
        })
    }

    pub fn version(&self) -> CgroupVersion {
        match self.placement {
            Placement::V1(_) => CgroupVersion::V1,
            Placement::V2(_) => CgroupVersion::V2,
        }
    }

    /// The directories the command's cgroup will have.
    pub fn dirs(&self) -> Vec<PathBuf> {
        match &self.placement {
            Placement::V1(parts) => parts.iter().map(|p| p.dir.clone()).collect(),
            Placement::V2(p) => vec![p.dir.clone()],
        }
    }

    /// Creates the directories, enables controllers and writes the limits.
    /// On failure, whatever was made for the command is removed again.
    pub fn realize(&self) -> Result<Cgroup, Unavailable> {
        let mut notes = self.notes.clone();
        match &self.placement {
            Placement::V1(parts) => realize_v1(parts, &self.limits, &mut notes),
            Placement::V2(p) => realize_v2(p, &self.limits, &mut notes),
        }
    }
}

/// A cgroup name is one path component of safe characters.
fn validate_name(name: &str) -> Result<(), Unavailable> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Unavailable::new(
            format!("invalid cgroup name {name:?}"),
            "use letters, digits, '-', '_' and '.', not starting with '.'",
        ))
    }
}

/// The v1 controllers a command's cgroup can use, in joining order.
const V1_CANDIDATES: [&str; 5] = ["pids", "freezer", "memory", "cpu", "cpuacct"];

/// v1 or v2: see the module documentation.
fn choose_version(facts: &Facts, limits: &Limits) -> Result<CgroupVersion, Unavailable> {
    let layout = &facts.layout;
    let on_v1 = |c: &str| layout.v1_hierarchy(c).is_some();
    let unified_dir = layout.unified.as_ref().and_then(|u| u.dir.as_ref());
    let on_v2 = |c: &str| unified_dir.is_some() && facts.unified_controllers.iter().any(|x| x == c);
    let needed = limits.controllers();
    let v1_any = V1_CANDIDATES.iter().any(|c| on_v1(c));
    if v1_any {
        // A controller on no hierarchy at all is reported by the v1 plan.
        if needed.iter().all(|c| on_v1(c) || !on_v2(c)) {
            return Ok(CgroupVersion::V1);
        }
        if needed.iter().all(|c| on_v2(c)) {
            return Ok(CgroupVersion::V2);
        }
        let wheres: Vec<String> = needed
            .iter()
            .map(|c| {
                let at = match (on_v1(c), on_v2(c)) {
                    (true, _) => "cgroup v1",
                    (false, true) => "cgroup v2",
                    (false, false) => "no hierarchy",
                };
                format!("{c} on {at}")
            })
            .collect();
        return Err(Unavailable::new(
            format!(
                "the controllers these limits need are not all on one cgroup version: {}",
                wheres.join(", ")
            ),
            "boot with systemd.unified_cgroup_hierarchy=1 (pure cgroup v2), or drop the limit \
             whose controller is missing",
        ));
    }
    if layout.unified.is_some() {
        return Ok(CgroupVersion::V2);
    }
    Err(Unavailable::new(
        "no cgroup filesystem is mounted (neither cgroup nor cgroup2 in /proc/self/mountinfo)",
        HINT_NO_CGROUPS,
    ))
}

fn plan_v1(
    facts: &Facts,
    name: &str,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Vec<V1Part>, Unavailable> {
    let layout = &facts.layout;
    let mut parts: Vec<V1Part> = Vec::new();
    for c in V1_CANDIDATES {
        let required = match c {
            "pids" => limits.pids.is_some(),
            "memory" => limits.memory.is_some(),
            "cpu" => limits.cpus.is_some(),
            _ => false,
        };
        // cpu is only for a limit; cpuacct (often co-mounted) does accounting.
        if c == "cpu" && !required {
            continue;
        }
        let Some(h) = layout.v1_hierarchy(c) else {
            if required {
                return Err(Unavailable::new(
                    format!("cgroup v1: no hierarchy carries the {c} controller"),
                    format!(
                        "mount it (`mount -t cgroup -o {c} cgroup /sys/fs/cgroup/{c}`), or drop \
                         the limit that needs it"
                    ),
                ));
            }
            continue;
        };
        if let Some(p) = parts.iter_mut().find(|p| p.controllers == h.controllers) {
            p.required |= required;
            continue;
        }
        let Some(base) = &h.dir else {
            let reason = format!(
                "cgroup v1: our {c} cgroup is not visible under {}",
                h.mount_point.display()
            );
            if required {
                return Err(Unavailable::new(
                    reason,
                    "run ptest where its own cgroup is visible in the cgroup mount (the host's \
                     cgroup namespace, or a container with its own cgroup mount)",
                ));
            }
            notes.push(format!("{reason}; {c} is not used"));
            continue;
        };
        parts.push(V1Part {
            controllers: h.controllers.clone(),
            base: base.clone(),
            dir: base.join(PARENT).join(name),
            required,
        });
    }
    if parts.is_empty() {
        return Err(Unavailable::new(
            "cgroup v1: none of the pids, freezer, memory or cpuacct hierarchies is mounted \
             where our cgroup is visible",
            HINT_NO_CGROUPS,
        ));
    }
    // The first one (pids when mounted) tracks the processes: it must exist.
    parts[0].required = true;
    Ok(parts)
}

fn plan_v2(facts: &Facts, name: &str, limits: &Limits) -> Result<V2Plan, Unavailable> {
    let Some(u) = &facts.layout.unified else {
        return Err(Unavailable::new(
            "no cgroup v2 filesystem is mounted",
            HINT_NO_CGROUPS,
        ));
    };
    let base = if facts.euid == 0 {
        u.mount_point.clone()
    } else {
        let Some(ours) = &u.dir else {
            return Err(Unavailable::new(
                format!(
                    "cgroup v2 at {}: our own cgroup is not visible in this mount",
                    u.mount_point.display()
                ),
                HINT_V2_USER,
            ));
        };
        // An earlier create from this process moved it into the leaf.
        match ours.parent() {
            Some(parent)
                if ours.file_name().is_some_and(|n| n == SUPERVISOR_LEAF)
                    && *ours != u.mount_point =>
            {
                parent.to_owned()
            }
            _ => ours.clone(),
        }
    };
    Ok(v2_plan(base, name, limits, facts.pid, facts.euid))
}

fn v2_plan(base: PathBuf, name: &str, limits: &Limits, self_pid: u32, euid: u32) -> V2Plan {
    let required: Vec<String> = limits
        .controllers()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let optional = ACCOUNTING_V2
        .iter()
        .filter(|c| !required.iter().any(|r| r == *c))
        .map(|c| (*c).to_owned())
        .collect();
    V2Plan {
        dir: base.join(PARENT).join(name),
        base,
        required,
        optional,
        self_pid,
        euid,
    }
}

// ---------------------------------------------------------------------------
// Realizing a plan (file writes)
// ---------------------------------------------------------------------------

/// Writes `value` to a control file in one `write(2)`. The file is opened
/// with `O_CREAT` so that plain directories can stand in for a cgroupfs in
/// tests; on a cgroupfs a missing file cannot be created and the error says
/// that it is missing.
fn write_file(path: &Path, value: &str) -> io::Result<()> {
    let res = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .and_then(|mut f| f.write_all(value.as_bytes()));
    res.map_err(|e| {
        let missing = !path.exists();
        io::Error::new(
            if missing {
                io::ErrorKind::NotFound
            } else {
                e.kind()
            },
            if missing {
                format!("{} does not exist", path.display())
            } else {
                format!("cannot write {value:?} to {}: {e}", path.display())
            },
        )
    })
}

fn read_file(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

fn read_u64(path: &Path) -> Option<u64> {
    read_file(path)?.trim().parse().ok()
}

/// Makes a directory; `Ok(false)` when it existed already.
fn make_dir(path: &Path) -> io::Result<bool> {
    match fs::create_dir(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

fn uid_words(euid: u32) -> String {
    if euid == 0 {
        "root".into()
    } else {
        format!("uid {euid}")
    }
}

/// The hint for an I/O failure while creating a cgroup.
fn hint_for(e: &io::Error, euid: u32, version: CgroupVersion) -> String {
    match e.kind() {
        io::ErrorKind::ReadOnlyFilesystem => HINT_READ_ONLY.into(),
        io::ErrorKind::PermissionDenied if euid != 0 => match version {
            CgroupVersion::V1 => HINT_V1_USER.into(),
            _ => HINT_V2_USER.into(),
        },
        io::ErrorKind::AlreadyExists => {
            "a cgroup of that name exists already: pick another name, or let `ptest gc` remove \
             leftovers"
                .into()
        }
        _ => "check that the cgroup filesystem is mounted read-write and that the limits are \
              valid for this kernel"
            .into(),
    }
}

/// Removes `dirs` (newest first), ignoring errors: cleanup after a failure.
fn undo(dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

fn realize_v1(
    parts: &[V1Part],
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Cgroup, Unavailable> {
    let euid = nix::unistd::geteuid().as_raw();
    let mut made: Vec<&V1Part> = Vec::new();
    for part in parts {
        let res = make_dir(&part.base.join(PARENT)).and_then(|_| {
            fs::create_dir(&part.dir).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot create {}: {e}", part.dir.display()),
                )
            })
        });
        if let Err(e) = res {
            let reason = format!(
                "cgroup v1: cannot create the {} cgroup in {} as {}: {e}",
                part.controllers.join(","),
                part.base.display(),
                uid_words(euid)
            );
            if part.required {
                undo(&made.iter().map(|p| p.dir.clone()).collect::<Vec<_>>());
                return Err(Unavailable::new(
                    reason,
                    hint_for(&e, euid, CgroupVersion::V1),
                ));
            }
            notes.push(format!("{reason}; it is not used"));
            continue;
        }
        made.push(part);
    }
    let dirs: Vec<PathBuf> = made.iter().map(|p| p.dir.clone()).collect();
    for part in &made {
        if let Err(e) = write_v1_limits(part, limits, notes) {
            undo(&dirs);
            return Err(Unavailable::new(
                format!("cgroup v1: cannot set the limits: {e}"),
                hint_for(&e, euid, CgroupVersion::V1),
            ));
        }
    }
    Ok(Cgroup {
        version: CgroupVersion::V1,
        dirs,
        notes: notes.clone(),
    })
}

fn write_v1_limits(part: &V1Part, limits: &Limits, notes: &mut Vec<String>) -> io::Result<()> {
    let has = |c: &str| part.controllers.iter().any(|x| x == c);
    let d = &part.dir;
    if let (true, Some(bytes)) = (has("memory"), limits.memory) {
        write_file(&d.join("memory.limit_in_bytes"), &bytes.to_string())?;
        // memory+swap may not be below memory: written second.
        let memsw = d.join("memory.memsw.limit_in_bytes");
        if memsw.exists() {
            write_file(&memsw, &bytes.to_string())?;
        } else {
            let swappiness = d.join("memory.swappiness");
            if swappiness.exists() && write_file(&swappiness, "0").is_ok() {
                notes.push(
                    "swap is not accounted (no memory.memsw.*): memory.swappiness set to 0 so \
                     that swap does not dodge the memory limit"
                        .into(),
                );
            }
        }
    }
    if let (true, Some(cpus)) = (has("cpu"), limits.cpus) {
        write_file(&d.join("cpu.cfs_period_us"), &CFS_PERIOD_US.to_string())?;
        write_file(
            &d.join("cpu.cfs_quota_us"),
            &cfs_quota_us(cpus, CFS_PERIOD_US).to_string(),
        )?;
    }
    if let (true, Some(n)) = (has("pids"), limits.pids) {
        write_file(&d.join("pids.max"), &n.to_string())?;
    }
    Ok(())
}

/// Enables `wanted` in `dir/cgroup.subtree_control` where not enabled yet:
/// one write for all, then one per controller to find which one fails.
/// Returns the controllers that could not be enabled, with the error.
fn enable_controllers(dir: &Path, wanted: &[String]) -> Vec<(String, io::Error)> {
    let file = dir.join("cgroup.subtree_control");
    let enabled = read_file(&file)
        .map(|t| parse_controllers(&t))
        .unwrap_or_default();
    let missing: Vec<&String> = wanted.iter().filter(|c| !enabled.contains(c)).collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let all = missing
        .iter()
        .map(|c| format!("+{c}"))
        .collect::<Vec<_>>()
        .join(" ");
    if write_file(&file, &all).is_ok() {
        return Vec::new();
    }
    missing
        .into_iter()
        .filter_map(|c| {
            write_file(&file, &format!("+{c}"))
                .err()
                .map(|e| (c.clone(), e))
        })
        .collect()
}

fn realize_v2(p: &V2Plan, limits: &Limits, notes: &mut Vec<String>) -> Result<Cgroup, Unavailable> {
    use nix::unistd::{AccessFlags, access};
    let base = &p.base;
    let who = uid_words(p.euid);
    let fail = |reason: String, e: &io::Error| {
        Unavailable::new(
            format!("cgroup v2: {reason}"),
            hint_for(e, p.euid, CgroupVersion::V2),
        )
    };
    if !base.is_dir() {
        return Err(Unavailable::new(
            format!("cgroup v2: {} does not exist", base.display()),
            HINT_V2_USER,
        ));
    }
    if let Err(e) = access(base.as_path(), AccessFlags::W_OK) {
        let e = io::Error::from(e);
        return Err(fail(
            format!("{} is not writable by {who}: {e}", base.display()),
            &e,
        ));
    }

    // What base offers its children.
    let available = read_file(&base.join("cgroup.controllers"))
        .map(|t| parse_controllers(&t))
        .unwrap_or_default();
    for r in &p.required {
        if !available.contains(r) {
            return Err(Unavailable::new(
                format!(
                    "cgroup v2: the {r} controller is not available in {} (its \
                     cgroup.controllers lists: {})",
                    base.display(),
                    if available.is_empty() {
                        "none".to_owned()
                    } else {
                        available.join(" ")
                    }
                ),
                if p.euid == 0 {
                    format!(
                        "enable {r} in the cgroup.subtree_control of the parents of {}, or \
                         drop the limit that needs it",
                        base.display()
                    )
                } else {
                    format!(
                        "systemd delegates only some controllers to users: add \
                         `Delegate=cpu memory pids` in a drop-in for user@.service, run as \
                         root, or drop the limit that needs {r}"
                    )
                },
            ));
        }
    }
    let mut wanted: Vec<String> = p.required.clone();
    for o in &p.optional {
        if available.contains(o) {
            wanted.push(o.clone());
        } else {
            notes.push(format!(
                "{o} is not available in {}: no {o} accounting",
                base.display()
            ));
        }
    }

    // The no-internal-process rule: a cgroup other than the root (which
    // has no cgroup.type) may not enable controllers while it holds
    // processes.
    let enabled = read_file(&base.join("cgroup.subtree_control"))
        .map(|t| parse_controllers(&t))
        .unwrap_or_default();
    let to_enable: Vec<String> = wanted
        .iter()
        .filter(|c| !enabled.contains(c))
        .cloned()
        .collect();
    if !to_enable.is_empty() && base.join("cgroup.type").exists() {
        let procs = read_file(&base.join("cgroup.procs"))
            .map(|t| parse_procs(&t))
            .unwrap_or_default();
        let others: Vec<u32> = procs.iter().copied().filter(|&x| x != p.self_pid).collect();
        if !others.is_empty() {
            let reason = format!(
                "{} holds other processes ({}) besides this one (pid {}), so no controller can \
                 be enabled for its children (the no-internal-process rule)",
                base.display(),
                list_pids(&others),
                p.self_pid
            );
            if let Some(r) = p.required.iter().find(|r| to_enable.contains(r)) {
                return Err(Unavailable::new(
                    format!("cgroup v2: {reason}; the {r} limit needs it"),
                    HINT_V2_USER,
                ));
            }
            notes.push(format!(
                "{reason}; no accounting for {}",
                to_enable.join(" ")
            ));
            wanted.retain(|c| enabled.contains(c));
        } else if procs.contains(&p.self_pid) {
            let leaf = base.join(SUPERVISOR_LEAF);
            let moved = make_dir(&leaf)
                .and_then(|_| write_file(&leaf.join("cgroup.procs"), &p.self_pid.to_string()));
            if let Err(e) = moved {
                return Err(fail(
                    format!(
                        "cannot move this process out of {} into {} (needed to enable \
                         controllers there): {e}",
                        base.display(),
                        leaf.display()
                    ),
                    &e,
                ));
            }
            notes.push(format!(
                "this process moved into {} so that {} holds no process",
                leaf.display(),
                base.display()
            ));
        }
    }

    // Enable in base, then in base/ptest.
    let parent = base.join(PARENT);
    for dir in [base.as_path(), parent.as_path()] {
        if dir == parent.as_path() {
            if let Err(e) = make_dir(&parent) {
                return Err(fail(
                    format!("cannot create {} as {who}: {e}", parent.display()),
                    &e,
                ));
            }
        }
        for (c, e) in enable_controllers(dir, &wanted) {
            if p.required.contains(&c) {
                return Err(fail(
                    format!(
                        "cannot enable {c} in {}: {e}",
                        dir.join("cgroup.subtree_control").display()
                    ),
                    &e,
                ));
            }
            notes.push(format!("cannot enable {c} in {}: {e}", dir.display()));
            wanted.retain(|w| *w != c);
        }
    }

    if let Err(e) = fs::create_dir(&p.dir) {
        return Err(fail(
            format!("cannot create {} as {who}: {e}", p.dir.display()),
            &e,
        ));
    }
    if let Err(e) = write_v2_limits(&p.dir, limits) {
        undo(std::slice::from_ref(&p.dir));
        return Err(fail(format!("cannot set the limits: {e}"), &e));
    }
    Ok(Cgroup {
        version: CgroupVersion::V2,
        dirs: vec![p.dir.clone()],
        notes: notes.clone(),
    })
}

fn write_v2_limits(d: &Path, limits: &Limits) -> io::Result<()> {
    if let Some(bytes) = limits.memory {
        write_file(&d.join("memory.max"), &bytes.to_string())?;
        let swap = d.join("memory.swap.max");
        if swap.exists() {
            write_file(&swap, "0")?;
        }
    }
    if let Some(cpus) = limits.cpus {
        write_file(&d.join("cpu.max"), &format_cpu_max(cpus))?;
    }
    if let Some(n) = limits.pids {
        write_file(&d.join("pids.max"), &n.to_string())?;
    }
    Ok(())
}

fn list_pids(pids: &[u32]) -> String {
    let mut s: Vec<String> = pids.iter().take(8).map(u32::to_string).collect();
    if pids.len() > 8 {
        s.push(format!("and {} more", pids.len() - 8));
    }
    s.join(", ")
}

// ---------------------------------------------------------------------------
// Using a cgroup
// ---------------------------------------------------------------------------

impl Cgroup {
    /// Creates a fresh cgroup named `name` (e.g. `ptest-proc-k3x9m2qa`) for
    /// one command, with `limits` applied. See the module documentation for
    /// where it goes.
    pub fn create(name: &str, limits: &Limits) -> Result<Cgroup, Unavailable> {
        let facts = Facts::read()?;
        Plan::new(&facts, name, limits)?.realize()
    }

    /// Reopens a cgroup from its [`Cgroup::paths`] (e.g. from a record, for
    /// `gc`). The version is read from the directories: a v2 cgroup has
    /// `cgroup.controllers`; when none of them exists any more the version
    /// is [`CgroupVersion::None`] and the cgroup is empty.
    pub fn from_paths(paths: Vec<PathBuf>) -> Cgroup {
        let version = if paths.iter().any(|p| p.join("cgroup.controllers").exists()) {
            CgroupVersion::V2
        } else if paths.iter().any(|p| p.is_dir()) {
            CgroupVersion::V1
        } else {
            CgroupVersion::None
        };
        Cgroup {
            version,
            dirs: paths,
            notes: Vec::new(),
        }
    }

    pub fn version(&self) -> CgroupVersion {
        self.version
    }

    /// The directories, for records and for `gc` to find leftovers later.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.dirs.clone()
    }

    /// What creation left out and why (e.g. "freezer is not used: …").
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The `cgroup.procs` files a child writes `0` into before `exec` to
    /// join the cgroup: one per hierarchy.
    pub fn procs_files(&self) -> Vec<PathBuf> {
        self.dirs.iter().map(|d| d.join("cgroup.procs")).collect()
    }

    /// A `pre_exec` hook (see `std::os::unix::process::CommandExt`) that
    /// moves the child into this cgroup: for each [`Cgroup::procs_files`],
    /// `open` + `write("0")` + `close`, which are async-signal-safe; the
    /// paths are prepared here, before the fork. An error aborts the spawn.
    pub fn pre_exec_join(&self) -> impl FnMut() -> io::Result<()> + Send + Sync + 'static {
        let files: Vec<Option<CString>> = self
            .procs_files()
            .iter()
            .map(|p| CString::new(p.as_os_str().as_bytes()).ok())
            .collect();
        move || {
            use nix::fcntl::{OFlag, open};
            use nix::sys::stat::Mode;
            for f in &files {
                let Some(f) = f else {
                    return Err(io::Error::from(io::ErrorKind::InvalidInput));
                };
                let fd = open(
                    f.as_c_str(),
                    OFlag::O_WRONLY | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
                nix::unistd::write(&fd, b"0")
                    .map_err(|e| io::Error::from_raw_os_error(e as i32))?;
            }
            Ok(())
        }
    }

    /// Moves process `pid` (all its threads) into the cgroup.
    pub fn add_pid(&self, pid: u32) -> io::Result<()> {
        for f in self.procs_files() {
            write_file(&f, &pid.to_string())?;
        }
        Ok(())
    }

    /// Every process in the cgroup and in cgroups below it (a command may
    /// make its own), sorted.
    pub fn pids(&self) -> Vec<u32> {
        let mut all = Vec::new();
        for d in &self.dirs {
            collect_pids(d, &mut all);
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    pub fn is_empty(&self) -> bool {
        self.pids().is_empty()
    }

    /// Sends `sig` to every process in it (never to this process).
    pub fn signal_all(&self, sig: Signal) {
        let me = std::process::id();
        for pid in self.pids() {
            if pid != me {
                if let Ok(raw) = i32::try_from(pid) {
                    let _ = kill(Pid::from_raw(raw), sig);
                }
            }
        }
    }

    /// SIGKILLs every process, including ones forking meanwhile, until the
    /// cgroup is empty or `timeout` passes. v2: `cgroup.kill` when the
    /// kernel has it (≥ 5.14), else freeze with `cgroup.freeze`, kill,
    /// thaw; v1: freeze through the freezer hierarchy when used, kill, thaw;
    /// then (and without a freezer) kill what is listed until none is left.
    /// `Err` lists the survivors (e.g. stuck in uninterruptible sleep).
    pub fn kill_all(&self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let first = self.pids();
        if first.is_empty() {
            return Ok(());
        }
        let me = std::process::id();
        if first.contains(&me) {
            return Err(format!(
                "this process ({me}) is in the cgroup {} it was asked to kill",
                self.describe()
            ));
        }
        match (self.version, self.dir_with("cgroup.controllers")) {
            (CgroupVersion::V2, Some(d)) => {
                let killed = d.join("cgroup.kill").exists()
                    && write_file(&d.join("cgroup.kill"), "1").is_ok();
                if !killed && d.join("cgroup.freeze").exists() {
                    let frozen = write_file(&d.join("cgroup.freeze"), "1").is_ok();
                    if frozen {
                        wait_until(deadline.min(Instant::now() + FREEZE_WAIT), || {
                            read_file(&d.join("cgroup.events"))
                                .and_then(|t| parse_keyed(&t, "frozen"))
                                == Some(1)
                        });
                    }
                    self.signal_all(Signal::SIGKILL);
                    let _ = write_file(&d.join("cgroup.freeze"), "0");
                }
            }
            _ => {
                if let Some(d) = self.dir_with("freezer.state") {
                    let state = d.join("freezer.state");
                    if write_file(&state, "FROZEN").is_ok() {
                        wait_until(deadline.min(Instant::now() + FREEZE_WAIT), || {
                            read_file(&state).is_some_and(|s| s.trim() == "FROZEN")
                        });
                    }
                    self.signal_all(Signal::SIGKILL);
                    let _ = write_file(&state, "THAWED");
                }
            }
        }
        loop {
            let pids = self.pids();
            if pids.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let who: Vec<String> = pids.iter().take(8).map(|&p| describe_pid(p)).collect();
                return Err(format!(
                    "{} process(es) still in {} after SIGKILL for {:.1} s: {}",
                    pids.len(),
                    self.describe(),
                    timeout.as_secs_f64(),
                    who.join(", ")
                ));
            }
            self.signal_all(Signal::SIGKILL);
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// What the cgroup used (see [`Stats`]); readable until it is removed.
    pub fn stats(&self) -> Stats {
        match (self.version, self.dir_with("cgroup.controllers")) {
            (CgroupVersion::V2, Some(d)) => {
                let events = read_file(&d.join("memory.events"));
                let cpu = read_file(&d.join("cpu.stat"));
                let pids_events = read_file(&d.join("pids.events"));
                Stats {
                    memory_peak: read_u64(&d.join("memory.peak")),
                    memory_current: read_u64(&d.join("memory.current")),
                    oom_kills: events.as_deref().and_then(|t| parse_keyed(t, "oom_kill")),
                    memory_limit_hits: events.as_deref().and_then(|t| parse_keyed(t, "max")),
                    cpu_usage: cpu.as_deref().and_then(parse_cpu_stat_usage),
                    cpu_throttled: cpu
                        .as_deref()
                        .and_then(|t| parse_keyed(t, "throttled_usec"))
                        .map(Duration::from_micros),
                    pids_current: read_u64(&d.join("pids.current")),
                    pids_peak: read_u64(&d.join("pids.peak")),
                    pids_limit_hits: pids_events.as_deref().and_then(|t| parse_keyed(t, "max")),
                }
            }
            (CgroupVersion::V2 | CgroupVersion::None, _) => Stats::default(),
            _ => {
                let file = |name: &str| self.dir_with(name).map(|d| d.join(name));
                let num = |name: &str| file(name).and_then(|p| read_u64(&p));
                let text = |name: &str| file(name).and_then(|p| read_file(&p));
                Stats {
                    memory_peak: num("memory.max_usage_in_bytes"),
                    memory_current: num("memory.usage_in_bytes"),
                    oom_kills: text("memory.oom_control")
                        .and_then(|t| parse_oom_control(&t).oom_kill),
                    // With memory+swap limited too, the memsw counter is
                    // the one that fails first.
                    memory_limit_hits: num("memory.failcnt")
                        .map(|n| n + num("memory.memsw.failcnt").unwrap_or(0)),
                    cpu_usage: text("cpuacct.usage").and_then(|t| parse_cpuacct_usage(&t)),
                    cpu_throttled: self
                        .dir_with("cpu.cfs_quota_us")
                        .and_then(|d| read_file(&d.join("cpu.stat")))
                        .and_then(|t| parse_keyed(&t, "throttled_time"))
                        .map(Duration::from_nanos),
                    pids_current: num("pids.current"),
                    pids_peak: num("pids.peak"),
                    pids_limit_hits: text("pids.events").and_then(|t| parse_keyed(&t, "max")),
                }
            }
        }
    }

    /// Removes every directory (cgroups made below them by the command
    /// first), waiting briefly while the kernel still answers `EBUSY` right
    /// after the last process exited. Idempotent: a missing directory is
    /// fine. Fails at once when processes remain (call
    /// [`Cgroup::kill_all`] first).
    pub fn remove(&self) -> io::Result<()> {
        let deadline = Instant::now() + REMOVE_WAIT;
        let mut first_err = None;
        for d in &self.dirs {
            if let Err(e) = remove_tree(d, deadline) {
                first_err.get_or_insert(e);
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    /// The first directory holding `file` (v1: the hierarchy with that
    /// controller).
    fn dir_with(&self, file: &str) -> Option<&PathBuf> {
        self.dirs.iter().find(|d| d.join(file).exists())
    }

    fn describe(&self) -> String {
        self.dirs
            .first()
            .map_or_else(|| "an empty cgroup".into(), |d| d.display().to_string())
    }
}

fn collect_pids(dir: &Path, out: &mut Vec<u32>) {
    if let Some(t) = read_file(&dir.join("cgroup.procs")) {
        out.extend(parse_procs(&t));
    }
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                collect_pids(&e.path(), out);
            }
        }
    }
}

fn remove_tree(dir: &Path, deadline: Instant) -> io::Result<()> {
    match fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(io::Error::new(
                e.kind(),
                format!("cannot read cgroup {}: {e}", dir.display()),
            ));
        }
        Ok(rd) => {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    remove_tree(&e.path(), deadline)?;
                }
            }
        }
    }
    loop {
        match fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(nix::errno::Errno::EBUSY as i32) => {
                let mut left = Vec::new();
                collect_pids(dir, &mut left);
                if !left.is_empty() || Instant::now() >= deadline {
                    return Err(io::Error::new(
                        e.kind(),
                        if left.is_empty() {
                            format!("cannot remove cgroup {}: {e}", dir.display())
                        } else {
                            format!(
                                "cannot remove cgroup {}: it still holds processes ({})",
                                dir.display(),
                                list_pids(&left)
                            )
                        },
                    ));
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot remove cgroup {}: {e}", dir.display()),
                ));
            }
        }
    }
}

/// Polls `done` every few milliseconds until it holds or `until` passes.
fn wait_until(until: Instant, mut done: impl FnMut() -> bool) -> bool {
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `1234 (sleep, state D)` from `/proc/<pid>/stat`, or just the pid.
fn describe_pid(pid: u32) -> String {
    let Some(stat) = read_file(Path::new(&format!("/proc/{pid}/stat"))) else {
        return pid.to_string();
    };
    match (stat.find('('), stat.rfind(')')) {
        (Some(a), Some(b)) if a < b => {
            let comm = &stat[a + 1..b];
            let state = stat[b + 1..].split_whitespace().next().unwrap_or("?");
            format!("{pid} ({comm}, state {state})")
        }
        _ => pid.to_string(),
    }
}

// ---------------------------------------------------------------------------
// File formats (pure)
// ---------------------------------------------------------------------------

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

#[cfg(test)]
mod tests {
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
        assert_eq!(p.optional, ["memory", "pids", "cpu"]);
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
        assert_eq!(p.optional, ["cpu"]);
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
            "+memory +cpu +pids"
        );
        assert_eq!(
            read(&root.join("ptest/cgroup.subtree_control")),
            "+memory +cpu +pids"
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
        assert!(cg.notes().is_empty(), "{:?}", cg.notes());
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
            "usage_usec 1500000\nthrottled_usec 250000\n",
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
