//! Realizing a [`Plan`](super::Plan): the directories and control-file
//! writes of cgroup v1 and v2, undone when a step fails.

use super::*;

/// Writes `value` to a control file in one `write(2)`. The file is opened
/// with `O_CREAT` so that plain directories can stand in for a cgroupfs in
/// tests; on a cgroupfs a missing file cannot be created and the error says
/// that it is missing.
pub(super) fn write_file(path: &Path, value: &str) -> io::Result<()> {
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

pub(super) fn read_file(path: &Path) -> Option<String> {
    fs::read_to_string(path).ok()
}

pub(super) fn read_u64(path: &Path) -> Option<u64> {
    read_file(path)?.trim().parse().ok()
}

/// Makes a directory; `Ok(false)` when it existed already.
pub(super) fn make_dir(path: &Path) -> io::Result<bool> {
    match fs::create_dir(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

pub(super) fn uid_words(euid: u32) -> String {
    if euid == 0 {
        "root".into()
    } else {
        format!("uid {euid}")
    }
}

/// The hint for an I/O failure while creating a cgroup.
pub(super) fn hint_for(e: &io::Error, euid: u32, version: CgroupVersion) -> String {
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
pub(super) fn undo(dirs: &[PathBuf]) {
    for d in dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

pub(super) fn realize_v1(
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

pub(super) fn write_v1_limits(
    part: &V1Part,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> io::Result<()> {
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
pub(super) fn enable_controllers(dir: &Path, wanted: &[String]) -> Vec<(String, io::Error)> {
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

pub(super) fn realize_v2(
    p: &V2Plan,
    limits: &Limits,
    notes: &mut Vec<String>,
) -> Result<Cgroup, Unavailable> {
    let who = uid_words(p.euid);
    let fail = |reason: String, e: &io::Error| v2_failure(p, reason, e);
    check_v2_base(p)?;
    let mut wanted = v2_controllers(p, notes)?;
    free_v2_base(p, &mut wanted, notes)?;
    enable_v2(p, &mut wanted, notes)?;
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

/// A step of realizing a v2 plan that failed, with the hint for the error.
fn v2_failure(p: &V2Plan, reason: String, e: &io::Error) -> Unavailable {
    Unavailable::new(
        format!("cgroup v2: {reason}"),
        hint_for(e, p.euid, CgroupVersion::V2),
    )
}

/// The base exists and we may write it.
fn check_v2_base(p: &V2Plan) -> Result<(), Unavailable> {
    use nix::unistd::{AccessFlags, access};
    let base = &p.base;
    let who = uid_words(p.euid);
    let fail = |reason: String, e: &io::Error| v2_failure(p, reason, e);

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
    Ok(())
}

/// The controllers to enable: every required one (which base must offer
/// its children) and the optional ones it offers.
fn v2_controllers(p: &V2Plan, notes: &mut Vec<String>) -> Result<Vec<String>, Unavailable> {
    let base = &p.base;
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
    Ok(wanted)
}

/// The no-internal-process rule: a cgroup other than the root (which has
/// no cgroup.type) may not enable controllers while it holds processes. We
/// move ourselves out of base when we are its only process; with others
/// there, an optional controller is given up and a required one fails.
fn free_v2_base(
    p: &V2Plan,
    wanted: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<(), Unavailable> {
    let base = &p.base;
    let fail = |reason: String, e: &io::Error| v2_failure(p, reason, e);

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
    Ok(())
}

/// Enables the controllers in base, then in base/ptest (made if missing).
fn enable_v2(
    p: &V2Plan,
    wanted: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<(), Unavailable> {
    let base = &p.base;
    let who = uid_words(p.euid);
    let fail = |reason: String, e: &io::Error| v2_failure(p, reason, e);

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
        for (c, e) in enable_controllers(dir, wanted) {
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
    Ok(())
}

pub(super) fn write_v2_limits(d: &Path, limits: &Limits) -> io::Result<()> {
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

pub(super) fn list_pids(pids: &[u32]) -> String {
    let mut s: Vec<String> = pids.iter().take(8).map(u32::to_string).collect();
    if pids.len() > 8 {
        s.push(format!("and {} more", pids.len() - 8));
    }
    s.join(", ")
}
