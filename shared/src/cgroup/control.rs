//! Using a cgroup once made: joining, signalling and killing its whole
//! tree, measuring it, and removing it.

use super::*;

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

    /// The cgroup process `pid` lives in (a container's, a service's), as
    /// seen from here: on v1 its directories in the hierarchies that
    /// measure (memory, cpuacct, pids, blkio), else its v2 directory.
    /// `None` when the process is gone or its cgroup is not visible.
    pub fn of_pid(pid: u32) -> Option<Cgroup> {
        let mountinfo = fs::read_to_string("/proc/self/mountinfo").ok()?;
        let member = fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
        let dirs = measuring_dirs(&CgroupLayout::parse(&mountinfo, &member));
        (!dirs.is_empty()).then(|| Cgroup::from_paths(dirs))
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
                    cpu_split: cpu.as_deref().and_then(parse_cpu_stat_split),
                    io_bytes: read_file(&d.join("io.stat")).map(|t| parse_io_stat(&t)),
                    pressure: Some(["cpu", "memory", "io"].map(|r| {
                        read_file(&d.join(format!("{r}.pressure")))
                            .and_then(|t| parse_psi_some_avg10(&t))
                    })),
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
                    cpu_split: text("cpuacct.stat")
                        .and_then(|t| parse_cpuacct_stat(&t, clock_ticks())),
                    io_bytes: text("blkio.throttle.io_service_bytes_recursive")
                        .or_else(|| text("blkio.throttle.io_service_bytes"))
                        .map(|t| parse_blkio_bytes(&t)),
                    pressure: None,
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
    pub(super) fn dir_with(&self, file: &str) -> Option<&PathBuf> {
        self.dirs.iter().find(|d| d.join(file).exists())
    }

    fn describe(&self) -> String {
        self.dirs
            .first()
            .map_or_else(|| "an empty cgroup".into(), |d| d.display().to_string())
    }
}

/// The directories of a layout's cgroup that hold usage counters: v1's
/// memory, cpuacct, pids and blkio hierarchies, else the v2 directory.
pub fn measuring_dirs(layout: &CgroupLayout) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for c in ["memory", "cpuacct", "pids", "blkio"] {
        if let Some(d) = layout.v1_hierarchy(c).and_then(|h| h.dir.clone())
            && !dirs.contains(&d)
        {
            dirs.push(d);
        }
    }
    if dirs.is_empty()
        && let Some(d) = layout.unified.as_ref().and_then(|u| u.dir.clone())
    {
        dirs.push(d);
    }
    dirs
}

/// `USER_HZ`, the unit of v1 `cpuacct.stat` and of `/proc/PID/stat` times.
pub fn clock_ticks() -> u64 {
    static HZ: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *HZ.get_or_init(|| {
        nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .and_then(|n| u64::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(100)
    })
}

pub(super) fn collect_pids(dir: &Path, out: &mut Vec<u32>) {
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

pub(super) fn remove_tree(dir: &Path, deadline: Instant) -> io::Result<()> {
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
pub(super) fn wait_until(until: Instant, mut done: impl FnMut() -> bool) -> bool {
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
pub(super) fn describe_pid(pid: u32) -> String {
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

/// Cgroups named `ptest-<tool>-<id>` beside where a new one for `tool` would
/// go, that are at least `min_age` old and whose id `registered` does not
/// know: left by a `run` killed between making its cgroup and registering
/// it. Their processes (none, normally: they die with their supervisor) are
/// killed and the cgroups removed; returns their names. A cgroup holding a
/// process of another state directory is left alone: cgroups are the
/// machine's, a registry is one state directory's. Where no cgroup can be
/// made there is nothing to sweep.
pub fn sweep_unregistered(
    tool: &str,
    min_age: Duration,
    registered: impl Fn(&str) -> bool,
) -> Vec<String> {
    let Ok(facts) = Facts::read() else {
        return Vec::new();
    };
    // Every hierarchy a command's cgroup may have a directory in.
    let all = Limits {
        memory: Some(1 << 30),
        cpus: Some(1.0),
        pids: Some(1024),
    };
    let probe = format!("ptest-{tool}-probe");
    let Ok(plan) = Plan::new(&facts, &probe, &all) else {
        return Vec::new();
    };
    let parents: Vec<PathBuf> = plan
        .dirs()
        .iter()
        .filter_map(|d| d.parent().map(Path::to_path_buf))
        .collect();
    let prefix = format!("ptest-{tool}-");
    let mut names: Vec<String> = Vec::new();
    for p in &parents {
        let Ok(rd) = fs::read_dir(p) else { continue };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().unwrap_or_default() >= min_age);
            if name.starts_with(&prefix)
                && old
                && e.file_type().is_ok_and(|t| t.is_dir())
                && !registered(&name["ptest-".len()..])
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    // Cgroups are the machine's, registries a state directory's: one that
    // holds a process of another state directory (another user's run, a
    // test's own PTEST_HOME) is not ours to judge, whatever our registry
    // says. An empty one harms nobody when it goes.
    let home = crate::state::resolve().ok().map(|(p, _)| p);
    names.retain(|name| {
        let cg = Cgroup::from_paths(parents.iter().map(|p| p.join(name)).collect());
        let ours = cg
            .pids()
            .into_iter()
            .all(|pid| home.is_some() && crate::state::resolve_for(pid) == home);
        ours && cg.kill_all(Duration::from_secs(2)).is_ok() && cg.remove().is_ok()
    });
    names
}
