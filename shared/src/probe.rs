//! Facts about this machine that decide what the suite can do.
//!
//! - cgroups: which hierarchy version the kernel uses, where our own cgroup
//!   is for each resource controller, and whether we may create a child
//!   cgroup there ([`cgroups`]). The parsers of `/proc/self/mountinfo`,
//!   `/proc/self/cgroup` and `cgroup.controllers` take `&str` so that the v1,
//!   v2 and hybrid layouts are all tested, whatever the machine running the
//!   tests uses.
//! - namespaces: whether a fresh network or user namespace can be made
//!   ([`can_unshare`]).
//!
//! Every function here reports what it found; none of them fails the caller:
//! a missing facility is a finding, described in words a user can act on.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// ---------------------------------------------------------------------------
// cgroups: parsing
// ---------------------------------------------------------------------------

/// The resource controllers the suite uses, by their cgroup v2 names
/// (`io` is called `blkio` on cgroup v1).
pub const CONTROLLERS: [&str; 5] = ["memory", "cpu", "pids", "cpuset", "io"];

/// The name a controller has on a cgroup v1 hierarchy.
pub fn v1_name(controller: &str) -> &str {
    match controller {
        "io" => "blkio",
        other => other,
    }
}

/// One line of `/proc/<pid>/mountinfo` (see proc(5)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The directory of the mounted filesystem that forms the mount's root
    /// (for a cgroup mount, the cgroup shown at `mount_point`).
    pub root: String,
    pub mount_point: PathBuf,
    pub fstype: String,
    /// Per-superblock options: for a v1 cgroup mount, its controllers
    /// (`memory`, `cpu,cpuacct`, `name=systemd`) among flags like `rw`.
    pub super_options: Vec<String>,
}

/// Undoes the octal escapes (`\040` for a space) of mountinfo fields.
fn unescape_mount_field(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = b[i + 1..i + 4]
                .iter()
                .fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `/proc/self/mountinfo`. Lines that do not have the documented
/// shape (`id parent maj:min root mount-point options [optional…] - fstype
/// source super-options`) are skipped.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            if left.len() < 6 {
                return None;
            }
            let mut right = right.split(' ');
            let fstype = right.next()?.to_owned();
            let _source = right.next()?;
            let super_options = right
                .next()
                .unwrap_or_default()
                .split(',')
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect();
            Some(Mount {
                root: unescape_mount_field(left[3]),
                mount_point: PathBuf::from(unescape_mount_field(left[4])),
                fstype,
                super_options,
            })
        })
        .collect()
}

/// One line of `/proc/<pid>/cgroup`: `hierarchy-id:controllers:path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// 0 for the cgroup v2 (unified) hierarchy.
    pub hierarchy: u32,
    /// Empty for v2; v1 controllers (`cpu`, `cpuacct`) or `name=systemd`.
    pub controllers: Vec<String>,
    /// The cgroup, relative to the hierarchy's root (or cgroup namespace).
    pub path: String,
}

impl Membership {
    pub fn is_v2(&self) -> bool {
        self.hierarchy == 0 && self.controllers.is_empty()
    }
}

/// Parses `/proc/self/cgroup` (`0::/user.slice/…` on v2, `4:memory:/x` and
/// `9:name=systemd:/` on v1). Malformed lines are skipped.
pub fn parse_proc_cgroup(text: &str) -> Vec<Membership> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let hierarchy = parts.next()?.trim().parse().ok()?;
            let controllers = parts
                .next()?
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect();
            let path = parts.next()?.to_owned();
            Some(Membership {
                hierarchy,
                controllers,
                path,
            })
        })
        .collect()
}

/// Parses a v2 `cgroup.controllers` or `cgroup.subtree_control` file: names
/// separated by spaces (an empty file: no controllers).
pub fn parse_controllers(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

/// Where cgroup `path` (as `/proc/self/cgroup` shows it) appears under a
/// mount whose root is `mount_root`; `None` when it is outside the mount.
pub fn cgroup_dir(mount_point: &Path, mount_root: &str, path: &str) -> Option<PathBuf> {
    if path.split('/').any(|c| c == "..") {
        return None;
    }
    let rest = if mount_root == "/" {
        path
    } else if path == mount_root {
        ""
    } else {
        path.strip_prefix(mount_root)
            .filter(|r| r.starts_with('/'))?
    };
    let rest = rest.trim_matches('/');
    Some(if rest.is_empty() {
        mount_point.to_owned()
    } else {
        mount_point.join(rest)
    })
}

/// A cgroup v1 hierarchy we are a member of, and where our cgroup is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Hierarchy {
    pub id: u32,
    /// Its controllers (`["cpu", "cpuacct"]`), or `["name=systemd"]`.
    pub controllers: Vec<String>,
    pub mount_point: PathBuf,
    /// Our cgroup's directory; `None` when it is not visible in the mount.
    pub dir: Option<PathBuf>,
}

/// The cgroup v2 (unified) hierarchy and our cgroup in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnifiedHierarchy {
    pub mount_point: PathBuf,
    /// Our cgroup's directory; `None` when it is not visible in the mount.
    pub dir: Option<PathBuf>,
}

/// The cgroup hierarchies mounted here and our place in each, from
/// `/proc/self/mountinfo` and `/proc/self/cgroup`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CgroupLayout {
    pub v1: Vec<V1Hierarchy>,
    pub unified: Option<UnifiedHierarchy>,
}

impl CgroupLayout {
    /// Builds the layout from the texts of `/proc/self/mountinfo` and
    /// `/proc/self/cgroup`.
    pub fn parse(mountinfo: &str, proc_cgroup: &str) -> CgroupLayout {
        let mounts = parse_mountinfo(mountinfo);
        let members = parse_proc_cgroup(proc_cgroup);
        // A hierarchy may be mounted more than once (bind mounts, containers):
        // prefer a mount in which our cgroup is visible.
        let pick = |candidates: Vec<&Mount>, path: &str| -> Option<(PathBuf, Option<PathBuf>)> {
            let visible = candidates.iter().find_map(|m| {
                cgroup_dir(&m.mount_point, &m.root, path).map(|d| (m.mount_point.clone(), Some(d)))
            });
            visible.or_else(|| candidates.first().map(|m| (m.mount_point.clone(), None)))
        };
        let mut layout = CgroupLayout::default();
        for m in &members {
            if m.is_v2() {
                let candidates = mounts.iter().filter(|x| x.fstype == "cgroup2").collect();
                if let Some((mount_point, dir)) = pick(candidates, &m.path) {
                    layout.unified = Some(UnifiedHierarchy { mount_point, dir });
                }
            } else if !m.controllers.is_empty() {
                let candidates = mounts
                    .iter()
                    .filter(|x| {
                        x.fstype == "cgroup"
                            && m.controllers.iter().all(|c| x.super_options.contains(c))
                    })
                    .collect();
                if let Some((mount_point, dir)) = pick(candidates, &m.path) {
                    layout.v1.push(V1Hierarchy {
                        id: m.hierarchy,
                        controllers: m.controllers.clone(),
                        mount_point,
                        dir,
                    });
                }
            }
        }
        // A cgroup2 mount with no `0::` line (older kernels): still unified.
        if layout.unified.is_none() {
            if let Some(m) = mounts.iter().find(|x| x.fstype == "cgroup2") {
                layout.unified = Some(UnifiedHierarchy {
                    mount_point: m.mount_point.clone(),
                    dir: None,
                });
            }
        }
        layout
    }

    /// Reads this process's layout from `/proc/self`.
    pub fn read() -> io::Result<CgroupLayout> {
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo")?;
        let cgroup = std::fs::read_to_string("/proc/self/cgroup")?;
        Ok(CgroupLayout::parse(&mountinfo, &cgroup))
    }

    /// The v1 hierarchy carrying `controller` (v1 name, e.g. `blkio`).
    pub fn v1_hierarchy(&self, controller: &str) -> Option<&V1Hierarchy> {
        self.v1
            .iter()
            .find(|h| h.controllers.iter().any(|c| c == controller))
    }

    /// Where each controller of [`CONTROLLERS`] lives, and the version this
    /// gives the machine. `v2_available` and `v2_enabled` are the contents
    /// of `cgroup.controllers` and `cgroup.subtree_control` of our v2 cgroup
    /// (empty when there is none). Nothing is probed: `writable` is false.
    ///
    /// The version is that of the hierarchies holding the controllers we
    /// use: all on v1 → [`CgroupVersion::V1`] (even beside a controller-less
    /// cgroup2 mount, systemd's "hybrid" layout used only to track
    /// processes); all on v2 → `V2`; split → `Hybrid`.
    pub fn locate(
        &self,
        v2_available: &[String],
        v2_enabled: &[String],
    ) -> (CgroupVersion, Vec<ControllerInfo>) {
        let mut infos = Vec::new();
        for name in CONTROLLERS {
            let v1 = v1_name(name);
            let info = if let Some(h) = self.v1_hierarchy(v1) {
                ControllerInfo {
                    name: v1.to_owned(),
                    version: CgroupVersion::V1,
                    path: h.dir.clone(),
                    enabled_for_children: true,
                    writable: false,
                    detail: match &h.dir {
                        Some(_) => "not probed".into(),
                        None => format!(
                            "our {v1} cgroup is not visible under {}",
                            h.mount_point.display()
                        ),
                    },
                }
            } else if let Some(u) = self
                .unified
                .as_ref()
                .filter(|_| v2_available.iter().any(|c| c == name))
            {
                ControllerInfo {
                    name: name.to_owned(),
                    version: CgroupVersion::V2,
                    path: u.dir.clone(),
                    enabled_for_children: v2_enabled.iter().any(|c| c == name),
                    writable: false,
                    detail: "not probed".into(),
                }
            } else {
                ControllerInfo {
                    name: name.to_owned(),
                    version: CgroupVersion::None,
                    path: self.unified.as_ref().and_then(|u| u.dir.clone()),
                    enabled_for_children: false,
                    writable: false,
                    detail: match self.unified.as_ref().and_then(|u| u.dir.as_ref()) {
                        Some(d) => format!(
                            "not delegated to our cgroup: {name} is not in {}",
                            d.join("cgroup.controllers").display()
                        ),
                        None => format!("no cgroup hierarchy here offers {name}"),
                    },
                }
            };
            infos.push(info);
        }
        let on = |v| infos.iter().any(|i| i.version == v);
        let version = match (on(CgroupVersion::V1), on(CgroupVersion::V2)) {
            (true, true) => CgroupVersion::Hybrid,
            (true, false) => CgroupVersion::V1,
            (false, true) => CgroupVersion::V2,
            (false, false) if self.unified.is_some() => CgroupVersion::V2,
            (false, false) if !self.v1.is_empty() => CgroupVersion::V1,
            (false, false) => CgroupVersion::None,
        };
        (version, infos)
    }
}

// ---------------------------------------------------------------------------
// cgroups: what we may do here
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CgroupVersion {
    /// Per-controller hierarchies (`cgroup` mounts).
    V1,
    /// The unified hierarchy (`cgroup2`).
    V2,
    /// The controllers we use are split between v1 and v2.
    Hybrid,
    /// No cgroup hierarchy is mounted (or, for a controller: not offered).
    None,
}

impl CgroupVersion {
    /// `v1`, `v2`, `hybrid` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            CgroupVersion::V1 => "v1",
            CgroupVersion::V2 => "v2",
            CgroupVersion::Hybrid => "hybrid",
            CgroupVersion::None => "none",
        }
    }
}

impl std::fmt::Display for CgroupVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One resource controller and whether we may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerInfo {
    /// The kernel's name on its hierarchy (`blkio` on v1, `io` on v2).
    pub name: String,
    /// The hierarchy carrying it: `V1` or `V2`; `None` when not offered to us.
    pub version: CgroupVersion,
    /// The directory under which a child cgroup would be created: our own
    /// cgroup in that hierarchy.
    pub path: Option<PathBuf>,
    /// v2: listed in our cgroup's `cgroup.subtree_control`, so a child gets
    /// it at once. When false (the usual case for a cgroup holding
    /// processes) the user of the controller must first move itself into a
    /// leaf cgroup and enable it. Always true on v1.
    pub enabled_for_children: bool,
    /// A child cgroup could be created (and was removed again) in `path`.
    pub writable: bool,
    /// What was found, in words: why it is not writable, or where it is.
    pub detail: String,
}

/// The cgroup facts of this machine for this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgroupInfo {
    pub version: CgroupVersion,
    /// Our cgroup in the v2 hierarchy, when one is mounted.
    pub unified: Option<PathBuf>,
    /// One entry per name of [`CONTROLLERS`], in that order.
    pub controllers: Vec<ControllerInfo>,
}

impl CgroupInfo {
    /// The controller by its v2 or v1 name (`io` and `blkio` are the same).
    pub fn controller(&self, name: &str) -> Option<&ControllerInfo> {
        self.controllers
            .iter()
            .find(|c| c.name == name || c.name == v1_name(name) || v1_name(&c.name) == name)
    }
}

/// Detects the cgroup version and, for each controller the suite uses,
/// whether we may create a child cgroup where we would put one. The test
/// creates and removes `ptest-probe-<pid>-<random>` in each candidate
/// directory; nothing is left behind.
pub fn cgroups() -> CgroupInfo {
    let layout = match CgroupLayout::read() {
        Ok(l) => l,
        Err(e) => {
            return CgroupInfo {
                version: CgroupVersion::None,
                unified: None,
                controllers: CONTROLLERS
                    .iter()
                    .map(|n| ControllerInfo {
                        name: (*n).to_owned(),
                        version: CgroupVersion::None,
                        path: None,
                        enabled_for_children: false,
                        writable: false,
                        detail: format!(
                            "cannot read /proc/self/mountinfo or /proc/self/cgroup: {e}"
                        ),
                    })
                    .collect(),
            };
        }
    };
    let unified = layout.unified.as_ref().and_then(|u| u.dir.clone());
    let read_list = |file: &str| {
        unified
            .as_ref()
            .and_then(|d| std::fs::read_to_string(d.join(file)).ok())
            .map(|t| parse_controllers(&t))
            .unwrap_or_default()
    };
    let (version, mut controllers) = layout.locate(
        &read_list("cgroup.controllers"),
        &read_list("cgroup.subtree_control"),
    );
    for c in &mut controllers {
        if let (Some(dir), CgroupVersion::V1 | CgroupVersion::V2) = (c.path.clone(), c.version) {
            match probe_child(&dir, c.version) {
                Ok(()) => {
                    c.writable = true;
                    c.detail = if c.enabled_for_children {
                        format!("child cgroups can be made in {}", dir.display())
                    } else {
                        format!(
                            "child cgroups can be made in {}; {} must be enabled in its \
                             cgroup.subtree_control from a leaf cgroup first",
                            dir.display(),
                            c.name
                        )
                    };
                }
                Err(e) => {
                    c.detail = format!("cannot create a cgroup in {}: {e}", dir.display());
                }
            }
        }
    }
    CgroupInfo {
        version,
        unified,
        controllers,
    }
}

/// Creates and removes a uniquely named child cgroup of `dir`. On v2 it
/// also needs write access to the files that move processes and enable
/// controllers.
fn probe_child(dir: &Path, version: CgroupVersion) -> io::Result<()> {
    use nix::unistd::{AccessFlags, access};
    if version == CgroupVersion::V2 {
        for f in ["cgroup.procs", "cgroup.subtree_control"] {
            let p = dir.join(f);
            access(&p, AccessFlags::W_OK).map_err(|e| {
                io::Error::new(
                    io::Error::from(e).kind(),
                    format!("{} is not writable for us: {e}", p.display()),
                )
            })?;
        }
    }
    let hex = crate::record::random_hex(4);
    let child = dir.join(format!("ptest-probe-{}-{hex}", std::process::id()));
    std::fs::create_dir(&child)?;
    std::fs::remove_dir(&child)
}

// ---------------------------------------------------------------------------
// namespaces
// ---------------------------------------------------------------------------

/// Whether a child process can `unshare(2)` the namespaces in `flags`
/// (e.g. `CLONE_NEWNET`, `CLONE_NEWUSER`): runs `true` with the unshare done
/// in the forked child before `exec`. `Err` says which call failed and the
/// errno (`EPERM: Operation not permitted`).
pub fn can_unshare(flags: nix::sched::CloneFlags) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let program = ["/bin/true", "/usr/bin/true"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| which::which("true").ok())
        .ok_or_else(|| "cannot find the `true` program to test with".to_owned())?;
    let mut cmd = Command::new(&program);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: the closure runs in the forked child before exec and only
    // makes the unshare(2) system call, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            nix::sched::unshare(flags).map_err(|e| io::Error::from_raw_os_error(e as i32))
        });
    }
    let what = format!("unshare({})", flag_names(flags));
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "{} ran after {what} but exited with {s}",
            program.display()
        )),
        Err(e) => match e.raw_os_error() {
            Some(n) => Err(format!("{what} failed: {}", nix::errno::Errno::from_raw(n))),
            None => Err(format!("{what} failed: {e}")),
        },
    }
}

/// `CLONE_NEWNET|CLONE_NEWUSER`, for messages.
fn flag_names(flags: nix::sched::CloneFlags) -> String {
    let names: Vec<&str> = flags.iter_names().map(|(n, _)| n).collect();
    if names.is_empty() {
        format!("{:#x}", flags.bits())
    } else {
        names.join("|")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Debian machine with per-controller v1 mounts beside systemd's
    /// controller-less cgroup2 mount, in a memory cgroup of its own.
    const V1_MOUNTINFO: &str = "\
22 1 0:20 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";
    const V1_CGROUP: &str = "\
9:name=systemd:/
8:pids:/
7:blkio:/
5:devices:/
4:memory:/process_api/2cbc
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
";

    /// A desktop on pure v2: a systemd user session with delegation.
    const V2_MOUNTINFO: &str = "\
24 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw
35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
";
    const V2_CGROUP: &str =
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-term.scope\n";

    fn strings(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn mountinfo_fields_and_escapes() {
        let m = parse_mountinfo(
            "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n\
             garbage line\n",
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].root, "/mnt1");
        assert_eq!(m[0].mount_point, Path::new("/mnt/my disk"));
        assert_eq!(m[0].fstype, "ext3");
        assert_eq!(m[0].super_options, strings(&["rw", "errors=continue"]));
    }

    #[test]
    fn proc_cgroup_lines() {
        let v = parse_proc_cgroup("12:cpu,cpuacct:/a/b\n1:name=systemd:/\n0::/x:y\nbad\n");
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].hierarchy, 12);
        assert_eq!(v[0].controllers, strings(&["cpu", "cpuacct"]));
        assert_eq!(v[0].path, "/a/b");
        assert_eq!(v[1].controllers, strings(&["name=systemd"]));
        assert!(v[2].is_v2());
        assert_eq!(v[2].path, "/x:y", "a colon in the path is kept");
    }

    #[test]
    fn controller_lists() {
        assert_eq!(
            parse_controllers("cpuset cpu io memory pids\n"),
            strings(&["cpuset", "cpu", "io", "memory", "pids"])
        );
        assert!(parse_controllers("\n").is_empty());
    }

    #[test]
    fn cgroup_dirs_follow_the_mount_root() {
        let mp = Path::new("/sys/fs/cgroup/memory");
        assert_eq!(cgroup_dir(mp, "/", "/"), Some(mp.to_owned()));
        assert_eq!(cgroup_dir(mp, "/", "/a/b"), Some(mp.join("a/b")));
        // A container without a cgroup namespace sees its own cgroup as the
        // mount's root.
        assert_eq!(
            cgroup_dir(mp, "/docker/abc", "/docker/abc"),
            Some(mp.to_owned())
        );
        assert_eq!(
            cgroup_dir(mp, "/docker/abc", "/docker/abc/x"),
            Some(mp.join("x"))
        );
        assert_eq!(cgroup_dir(mp, "/docker/abc", "/docker/abcd"), None);
        assert_eq!(cgroup_dir(mp, "/", "/../.."), None);
    }

    #[test]
    fn v1_layout() {
        let l = CgroupLayout::parse(V1_MOUNTINFO, V1_CGROUP);
        let mem = l.v1_hierarchy("memory").unwrap();
        assert_eq!(mem.id, 4);
        assert_eq!(
            mem.dir.as_deref(),
            Some(Path::new("/sys/fs/cgroup/memory/process_api/2cbc"))
        );
        assert_eq!(
            l.v1_hierarchy("name=systemd").unwrap().mount_point,
            Path::new("/sys/fs/cgroup/systemd")
        );
        assert_eq!(
            l.unified.as_ref().unwrap().dir.as_deref(),
            Some(Path::new("/sys/fs/cgroup/unified"))
        );
        // systemd's cgroup2 mount offers hugetlb only: still v1 for us.
        let (version, infos) = l.locate(&strings(&["hugetlb"]), &[]);
        assert_eq!(version, CgroupVersion::V1);
        let names: Vec<&str> = infos.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["memory", "cpu", "pids", "cpuset", "blkio"]);
        assert!(infos.iter().all(|c| c.version == CgroupVersion::V1));
        assert_eq!(
            infos[1].path.as_deref(),
            Some(Path::new("/sys/fs/cgroup/cpu"))
        );
    }

    #[test]
    fn comounted_v1_controllers_share_a_hierarchy() {
        let l = CgroupLayout::parse(
            "30 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
            "3:cpu,cpuacct:/user.slice\n",
        );
        let h = l.v1_hierarchy("cpuacct").unwrap();
        assert_eq!(
            h.dir.as_deref(),
            Some(Path::new("/sys/fs/cgroup/cpu,cpuacct/user.slice"))
        );
        assert!(l.unified.is_none());
        let (version, infos) = l.locate(&[], &[]);
        assert_eq!(version, CgroupVersion::V1);
        assert_eq!(
            infos[0].version,
            CgroupVersion::None,
            "memory is not mounted"
        );
        assert!(
            infos[0].detail.contains("no cgroup hierarchy"),
            "{}",
            infos[0].detail
        );
    }

    #[test]
    fn v2_layout() {
        let l = CgroupLayout::parse(V2_MOUNTINFO, V2_CGROUP);
        assert!(l.v1.is_empty());
        let dir = Path::new(
            "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/app-term.scope",
        );
        assert_eq!(l.unified.as_ref().unwrap().dir.as_deref(), Some(dir));
        // A delegated scope: memory and pids available, none enabled yet.
        let (version, infos) = l.locate(&strings(&["memory", "pids"]), &[]);
        assert_eq!(version, CgroupVersion::V2);
        let mem = &infos[0];
        assert_eq!(
            (mem.name.as_str(), mem.version, mem.path.as_deref()),
            ("memory", CgroupVersion::V2, Some(dir))
        );
        assert!(!mem.enabled_for_children);
        let cpu = &infos[1];
        assert_eq!(cpu.version, CgroupVersion::None);
        assert!(cpu.detail.contains("cgroup.controllers"), "{}", cpu.detail);
        assert_eq!(infos[4].name, "io", "v2 names io as io");
        // The root cgroup (e.g. a container with a cgroup namespace)
        // enables controllers for its children.
        let root = CgroupLayout::parse(V2_MOUNTINFO, "0::/\n");
        let all = strings(&["cpuset", "cpu", "io", "memory", "pids"]);
        let (version, infos) = root.locate(&all, &all);
        assert_eq!(version, CgroupVersion::V2);
        assert!(
            infos.iter().all(|c| c.enabled_for_children
                && c.path.as_deref() == Some(Path::new("/sys/fs/cgroup")))
        );
    }

    #[test]
    fn hybrid_layout() {
        // memory on v1, pids given to the unified hierarchy.
        let l = CgroupLayout::parse(
            "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n\
             41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n",
            "4:memory:/a\n0::/b\n",
        );
        let (version, infos) = l.locate(&strings(&["pids"]), &strings(&["pids"]));
        assert_eq!(version, CgroupVersion::Hybrid);
        assert_eq!(infos[0].version, CgroupVersion::V1);
        assert_eq!(infos[2].version, CgroupVersion::V2);
        assert_eq!(
            infos[2].path.as_deref(),
            Some(Path::new("/sys/fs/cgroup/unified/b"))
        );
    }

    #[test]
    fn no_cgroups_at_all() {
        let l = CgroupLayout::parse("22 1 0:20 / / rw - ext4 /dev/sda rw\n", "");
        assert_eq!(l.locate(&[], &[]).0, CgroupVersion::None);
    }

    #[test]
    fn live_cgroups_are_consistent_and_leave_nothing_behind() {
        let info = cgroups();
        let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
        let has_cgroup_mount = parse_mountinfo(&mountinfo)
            .iter()
            .any(|m| m.fstype == "cgroup" || m.fstype == "cgroup2");
        assert_eq!(info.version != CgroupVersion::None, has_cgroup_mount);
        assert_eq!(info.controllers.len(), CONTROLLERS.len());
        for c in &info.controllers {
            if c.writable {
                let dir = c.path.as_ref().expect("a writable controller has a path");
                assert!(dir.is_dir(), "{}", dir.display());
                let leftovers: Vec<_> = std::fs::read_dir(dir)
                    .unwrap()
                    .filter_map(|e| e.ok())
                    .filter(|e| {
                        e.file_name()
                            .to_string_lossy()
                            .starts_with(&format!("ptest-probe-{}-", std::process::id()))
                    })
                    .collect();
                assert!(leftovers.is_empty(), "probe dirs left in {}", dir.display());
            } else {
                assert!(!c.detail.is_empty());
            }
        }
        assert!(info.controller("io").is_some() && info.controller("blkio").is_some());
    }

    #[test]
    fn unshare_reports_the_errno() {
        use nix::sched::CloneFlags;
        assert_eq!(can_unshare(CloneFlags::empty()), Ok(()));
        // CLONE_VFORK is not a flag unshare(2) accepts: EINVAL.
        let e = can_unshare(CloneFlags::CLONE_VFORK).unwrap_err();
        assert!(e.contains("CLONE_VFORK") && e.contains("EINVAL"), "{e}");
    }
}
