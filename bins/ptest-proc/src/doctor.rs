//! `ptest proc doctor`: what this machine offers for limits and isolation:
//! the cgroup hierarchy and each controller ptest uses (whether we may make
//! a cgroup there), and network and user namespaces. The probes make child
//! cgroups and namespaces and remove them again: nothing is left changed.

use ptest_shared::Result;
use ptest_shared::checks::{Check, report};
use ptest_shared::probe::{self, CgroupInfo, CgroupVersion, ControllerInfo};
use serde_json::Value;

/// Runs the checks and reports them.
pub fn run(json: bool) -> Result<i32> {
    report(json, &checks())
}

/// `cgroups`, `cgroup.memory`, `cgroup.cpu`, `cgroup.pids`, `cgroup.cpuset`,
/// `cgroup.io`, `netns`, `userns`.
pub fn checks() -> Vec<Check> {
    let mut all = cgroup_checks(&probe::cgroups());
    all.push(netns_check());
    all.push(userns_check());
    all
}

fn cgroup_checks(info: &CgroupInfo) -> Vec<Check> {
    let mut checks = Vec::with_capacity(1 + info.controllers.len());
    let mut overall = match info.version {
        CgroupVersion::None => Check::fail(
            "cgroups",
            "no cgroup hierarchy is mounted",
            "mount the cgroup filesystem (in a container, give it the host's cgroups); without \
             it ptest proc applies rlimits only",
        ),
        v => {
            let mut detail = match v {
                CgroupVersion::V1 => "v1: one hierarchy per controller".to_owned(),
                CgroupVersion::V2 => "v2: unified hierarchy".to_owned(),
                _ => "hybrid: controllers split between v1 and v2".to_owned(),
            };
            if let (CgroupVersion::V1, Some(u)) = (v, &info.unified) {
                detail.push_str(&format!(
                    " (the cgroup2 mount at {} carries none of the controllers ptest uses)",
                    u.display()
                ));
            }
            Check::ok("cgroups", detail)
        }
    };
    overall = overall.with("version", info.version.as_str()).with(
        "writable",
        info.controllers
            .iter()
            .filter(|c| c.writable)
            .map(|c| Value::from(c.name.as_str()))
            .collect::<Vec<_>>(),
    );
    checks.push(overall);
    for (c, v2_name) in info.controllers.iter().zip(probe::CONTROLLERS) {
        checks.push(controller_check(c, v2_name, info));
    }
    checks
}

fn controller_check(c: &ControllerInfo, v2_name: &str, info: &CgroupInfo) -> Check {
    let name = format!("cgroup.{v2_name}");
    let detail = match c.version {
        CgroupVersion::None => c.detail.clone(),
        v => format!("{v} {}: {}", c.name, c.detail),
    };
    let check = if c.writable {
        Check::ok(&name, detail)
    } else {
        let hint = match c.version {
            CgroupVersion::V1 => format!(
                "cgroup v1 needs root, or a cgroup made for you: `sudo cgcreate -a $USER -t $USER \
                 -g {}:ptest` and run ptest inside it",
                c.name
            ),
            CgroupVersion::V2 => "cgroup v2: run ptest in a cgroup delegated to you, e.g. \
                 `systemd-run --user --scope -p Delegate=yes ptest …`"
                .to_owned(),
            _ if info.unified.is_some() => format!(
                "cgroup v2: delegate controllers to user sessions: a drop-in \
                 /etc/systemd/system/user@.service.d/delegate.conf with `[Service]` and \
                 `Delegate=cpu cpuset io memory pids`, then `systemctl daemon-reload` and log in \
                 again; ptest proc limits needing {v2_name} are unavailable until then"
            ),
            _ => format!(
                "this system offers no {v2_name} controller; ptest proc limits needing it are \
                 unavailable"
            ),
        };
        Check::fail(&name, detail, hint)
    };
    check
        .with("controller", c.name.as_str())
        .with("hierarchy", c.version.as_str())
        .with(
            "path",
            c.path
                .as_ref()
                .map_or(Value::Null, |p| p.display().to_string().into()),
        )
        .with("writable", c.writable)
}

fn netns_check() -> Check {
    use nix::sched::CloneFlags;
    match probe::can_unshare(CloneFlags::CLONE_NEWNET) {
        Ok(()) => Check::ok("netns", "a new network namespace can be made"),
        // Without privileges, a network namespace inside a new user
        // namespace is how ptest proc isolates the network.
        Err(direct) => {
            match probe::can_unshare(CloneFlags::CLONE_NEWNET | CloneFlags::CLONE_NEWUSER) {
                Ok(()) => Check::ok(
                    "netns",
                    "a new network namespace can be made inside a new user namespace",
                ),
                Err(e) => Check::fail(
                    "netns",
                    format!("{direct}; {e}"),
                    "run as root (in a container: with CAP_SYS_ADMIN), or allow unprivileged user \
                 namespaces (sysctl user.max_user_namespaces > 0, and on Debian/Ubuntu \
                 kernel.unprivileged_userns_clone=1 or the AppArmor userns restriction lifted)",
                ),
            }
        }
    }
}

fn userns_check() -> Check {
    match probe::can_unshare(nix::sched::CloneFlags::CLONE_NEWUSER) {
        Ok(()) => Check::ok("userns", "a new user namespace can be made"),
        Err(e) => Check::fail(
            "userns",
            e,
            "allow user namespaces: sysctl user.max_user_namespaces > 0 (and on Debian/Ubuntu \
             kernel.unprivileged_userns_clone=1, or lift the AppArmor userns restriction); in a \
             container, the runtime's seccomp profile may forbid them",
        ),
    }
}
