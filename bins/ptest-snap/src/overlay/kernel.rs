//! What the kernel says and does: `/proc/self/mountinfo` parsed, mount
//! namespaces, overlayfs options, mount and unmount, and the probe that
//! decides whether mounting is permitted here.

use super::*;

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone)]
pub(crate) struct Mount {
    pub(crate) point: PathBuf,
    pub(crate) fstype: String,
    pub(crate) options: String,
}

impl Mount {
    /// The value of super option `key` (still escaped as the kernel shows it).
    pub(crate) fn option(&self, key: &str) -> Option<&str> {
        self.options
            .split(',')
            .find_map(|o| o.strip_prefix(key)?.strip_prefix('='))
    }
}

/// `\ooo` escapes of mountinfo undone.
pub(crate) fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push(((b[i + 1] - b'0') << 6) | ((b[i + 2] - b'0') << 3) | (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An option value: mountinfo's escapes, then overlayfs's own `\` escapes.
pub(crate) fn unescape_opt(s: &str) -> String {
    let s = unescape(s);
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Every mount of this mount namespace, in mount order (a later one at a
/// path covers an earlier one).
pub(crate) fn mounts() -> Result<Vec<Mount>> {
    let text = fs::read_to_string("/proc/self/mountinfo")
        .io_context(|| "cannot read /proc/self/mountinfo".to_owned())?;
    Ok(text.lines().filter_map(parse_mountinfo).collect())
}

pub(crate) fn parse_mountinfo(line: &str) -> Option<Mount> {
    let (left, right) = line.split_once(" - ")?;
    let point = left.split(' ').nth(4)?;
    let mut r = right.split(' ');
    let fstype = r.next()?.to_owned();
    let _source = r.next()?;
    let options = r.next().unwrap_or("").to_owned();
    Some(Mount {
        point: PathBuf::from(unescape(point)),
        fstype,
        options,
    })
}

/// The mount on top at `path`, if one is mounted there.
pub(crate) fn top_mount_at(path: &Path) -> Result<Option<Mount>> {
    Ok(mounts()?.into_iter().rev().find(|m| m.point == path))
}

/// The inode of this process's mount namespace.
pub(crate) fn mnt_ns() -> Option<u64> {
    fs::metadata("/proc/self/ns/mnt").ok().map(|m| m.ino())
}

/// Whether any process we can see lives in mount namespace `ino`.
pub(crate) fn ns_alive(ino: u64) -> bool {
    let want = format!("mnt:[{ino}]");
    let Ok(dir) = fs::read_dir("/proc") else {
        return false;
    };
    dir.flatten().any(|e| {
        e.file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
            && fs::read_link(e.path().join("ns/mnt")).is_ok_and(|l| l.as_os_str() == want.as_str())
    })
}

// ---- making a mount -----------------------------------------------------

/// Why overlay mode cannot be used here, for the fallback note.
pub struct Unavailable(pub String);

/// The mount options of an overlay; paths overlayfs's option syntax
/// cannot carry are refused.
pub(crate) fn options(
    lower: &Path,
    upper: &Path,
    work: &Path,
) -> std::result::Result<String, Unavailable> {
    let mut parts = Vec::new();
    for (k, p) in [("lowerdir", lower), ("upperdir", upper), ("workdir", work)] {
        let Some(s) = p.to_str().filter(|s| !s.contains([',', ':', '\\', '\n'])) else {
            return Err(Unavailable(format!(
                "{} holds a character overlay mount options cannot carry (',', ':', '\\')",
                p.display()
            )));
        };
        parts.push(format!("{k}={s}"));
    }
    Ok(parts.join(","))
}

/// Mounts an overlay at `target`.
pub(crate) fn mount(target: &Path, opts: &str) -> nix::Result<()> {
    nix::mount::mount(
        Some("ptest-snap"),
        target,
        Some("overlay"),
        nix::mount::MsFlags::empty(),
        Some(opts),
    )
}

/// What a failed mount means, for people.
pub(crate) fn why(e: nix::errno::Errno, at: &Path) -> String {
    use nix::errno::Errno;
    let euid = nix::unistd::geteuid().as_raw();
    match e {
        Errno::EPERM | Errno::EACCES => format!(
            "mounting is not permitted here (euid {euid}; not root in the initial namespaces, nor in a user namespace that owns this mount namespace)"
        ),
        Errno::ENODEV => "this kernel has no overlay filesystem (modprobe overlay)".into(),
        e => format!(
            "the kernel refused an overlay with its upper layer in {}: {e} (an upper layer needs a filesystem with xattrs and d_type: not overlayfs, NFS or FAT)",
            at.display()
        ),
    }
}

/// Tries an overlay of empty directories in `dir` (made and emptied
/// here): `Ok` with how it went, `Err` with why overlay mode falls back.
pub fn probe(dir: &Path) -> std::result::Result<String, String> {
    let [l, u, w, m] = ["l", "u", "w", "m"].map(|d| dir.join(d));
    for d in [&l, &u, &w, &m] {
        fs::create_dir(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
    }
    let opts = options(&l, &u, &w).map_err(|Unavailable(why)| why)?;
    match mount(&m, &opts) {
        Ok(()) => {
            let _ = nix::mount::umount2(&m, nix::mount::MntFlags::MNT_DETACH);
            let euid = nix::unistd::geteuid().as_raw();
            let userns = fs::read_to_string("/proc/self/uid_map").is_ok_and(|m| {
                m.split_whitespace().collect::<Vec<_>>() != ["0", "0", "4294967295"]
            });
            Ok(format!(
                "overlay mounts work here (euid {euid}{})",
                if userns { ", in a user namespace" } else { "" }
            ))
        }
        Err(e) => Err(why(e, dir)),
    }
}

/// Unmounts what is mounted on top at `path` (never following a symlink
/// there); a busy mount is 75, left mounted.
pub(crate) fn unmount(path: &Path) -> Result<()> {
    use nix::errno::Errno;
    match nix::mount::umount2(path, nix::mount::MntFlags::UMOUNT_NOFOLLOW) {
        Ok(()) | Err(Errno::EINVAL) | Err(Errno::ENOENT) => Ok(()),
        Err(Errno::EBUSY) => Err(Error::temp_fail(format!(
            "the overlay at {} is busy: a process has its working directory or open files in it; nothing was changed",
            path.display()
        ))
        .hint(format!(
            "`fuser -vm {}` names them; end them (or cd out) and try again",
            path.display()
        ))),
        Err(e) => Err(Error::io(format!("cannot unmount {}: {e}", path.display()))),
    }
}

// ---- removing -------------------------------------------------------------
