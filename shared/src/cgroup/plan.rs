//! Planning where a command's cgroup goes and what it sets, from the
//! machine's layout and who we are ([`Facts`]); pure, so that v1 and v2 are
//! both tested whatever the machine running the tests uses.

use super::*;

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
pub(super) fn validate_name(name: &str) -> Result<(), Unavailable> {
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
pub(super) const V1_CANDIDATES: [&str; 6] =
    ["pids", "freezer", "memory", "cpu", "cpuacct", "blkio"];

/// v1 or v2: see the module documentation.
pub(super) fn choose_version(facts: &Facts, limits: &Limits) -> Result<CgroupVersion, Unavailable> {
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

pub(super) fn plan_v1(
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

pub(super) fn plan_v2(facts: &Facts, name: &str, limits: &Limits) -> Result<V2Plan, Unavailable> {
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

pub(super) fn v2_plan(
    base: PathBuf,
    name: &str,
    limits: &Limits,
    self_pid: u32,
    euid: u32,
) -> V2Plan {
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
