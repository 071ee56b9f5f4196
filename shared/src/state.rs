//! The per-user state directory and its advisory locks.
//!
//! `$PTEST_HOME`, else `$XDG_STATE_HOME/ptest`, else `~/.local/state/ptest`,
//! created with mode 0700. Layout:
//!
//! ```text
//! registry/<id>.json   one live resource per file (see `registry`)
//! locks/<name>.lock    advisory flock(2) files
//! cache/ snapshots/ logs/ …   owned by the tools that use them
//! ```

use crate::error::{Error, IoContext, Result};
use nix::fcntl::{Flock, FlockArg};
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

/// Where the state directory is, and which rule chose it. A relative
/// setting is taken from the working directory and made absolute, so that
/// every path ptest records is absolute.
pub fn resolve() -> Result<(PathBuf, &'static str)> {
    resolve_in(&|k| std::env::var_os(k), &|| std::env::current_dir())
}

/// The state directory another process uses, from its environment and
/// working directory (`/proc/PID/environ` and `cwd`): `None` when they
/// cannot be read (it exited, or is not ours to look at).
pub fn resolve_for(pid: u32) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let environ = fs::read(format!("/proc/{pid}/environ")).ok()?;
    let vars: Vec<(&[u8], &[u8])> = environ
        .split(|b| *b == 0)
        .filter_map(|kv| {
            let i = kv.iter().position(|b| *b == b'=')?;
            Some((&kv[..i], &kv[i + 1..]))
        })
        .collect();
    let get = |k: &str| {
        vars.iter()
            .rev()
            .find(|(n, _)| *n == k.as_bytes())
            .map(|(_, v)| std::ffi::OsStr::from_bytes(v).to_os_string())
    };
    let cwd = || fs::read_link(format!("/proc/{pid}/cwd"));
    resolve_in(&get, &cwd).ok().map(|(p, _)| p)
}

/// [`resolve`] with the environment and working directory given.
fn resolve_in(
    var: &dyn Fn(&str) -> Option<std::ffi::OsString>,
    cwd: &dyn Fn() -> std::io::Result<PathBuf>,
) -> Result<(PathBuf, &'static str)> {
    let nonempty = |k: &str| var(k).filter(|v| !v.is_empty());
    let absolute = |p: PathBuf| -> Result<PathBuf> {
        if p.is_absolute() {
            return Ok(p);
        }
        cwd()
            .map(|d| d.join(p))
            .io_context(|| "cannot read the working directory")
    };
    if let Some(p) = nonempty("PTEST_HOME") {
        return Ok((absolute(PathBuf::from(p))?, "PTEST_HOME"));
    }
    if let Some(p) = nonempty("XDG_STATE_HOME") {
        return Ok((absolute(PathBuf::from(p).join("ptest"))?, "XDG_STATE_HOME"));
    }
    if let Some(h) = nonempty("HOME") {
        return Ok((
            absolute(PathBuf::from(h).join(".local/state/ptest"))?,
            "HOME",
        ));
    }
    Err(Error::cant_create(
        "cannot find a state directory: none of PTEST_HOME, XDG_STATE_HOME, HOME is set",
    )
    .hint("set PTEST_HOME to a directory ptest may use"))
}

/// Creates `dir` (and parents) with mode 0700 when missing. One mkdir(2)
/// when it exists already: this runs on every tool's hot path.
pub fn ensure_private_dir(dir: &Path) -> Result<()> {
    let mut b = fs::DirBuilder::new();
    b.mode(0o700);
    match b.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(_) => b
            .recursive(true)
            .create(dir)
            .io_context(|| format!("cannot create directory {}", dir.display())),
    }
}

impl StateDir {
    /// Resolves and creates the state directory (0700, owned by this user).
    pub fn open() -> Result<StateDir> {
        let (root, _) = resolve()?;
        StateDir::at(root)
    }

    /// The state directory when it exists, never creating it: for
    /// processes that outlive their caller (guardians, supervisors), whose
    /// state directory may be gone by the time they look.
    pub fn open_existing() -> Result<Option<StateDir>> {
        let (root, _) = resolve()?;
        if fs::symlink_metadata(&root).is_err() {
            return Ok(None);
        }
        StateDir::at(root).map(Some)
    }

    /// Opens (creating when missing) the state directory at `root`.
    ///
    /// The state directory cannot be redirected: a `root` that is a symlink
    /// owned by someone other than this user or root, that leads to a
    /// directory of someone else's, or whose existing ancestors hold such a
    /// symlink, is refused with 73 before anything is written or chmodded.
    pub fn at(root: PathBuf) -> Result<StateDir> {
        let uid = nix::unistd::geteuid().as_raw();
        let refuse = |what: String| {
            Err(
                Error::cant_create(format!("state directory {}: {what}", root.display()))
                    .hint("set PTEST_HOME to a directory of your own"),
            )
        };
        let link_ok = |m: &fs::Metadata| m.uid() == uid || m.uid() == 0;
        match fs::symlink_metadata(&root) {
            Ok(m) if m.file_type().is_symlink() && !link_ok(&m) => {
                return refuse(format!(
                    "is a symlink owned by uid {}, not by you (uid {uid}) or root",
                    m.uid()
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // About to be made: no ancestor may be someone else's symlink.
                let mut p = root.clone();
                while p.pop() && !p.as_os_str().is_empty() {
                    if let Ok(m) = fs::symlink_metadata(&p)
                        && m.file_type().is_symlink()
                        && !link_ok(&m)
                    {
                        return refuse(format!(
                            "{} is a symlink owned by uid {}, not by you (uid {uid}) or root",
                            p.display(),
                            m.uid()
                        ));
                    }
                }
            }
            Err(e) => {
                return Err(Error::from_io(
                    format!("cannot read state directory {}", root.display()),
                    &e,
                ));
            }
        }
        ensure_private_dir(&root)?;
        let meta = fs::metadata(&root)
            .io_context(|| format!("cannot read state directory {}", root.display()))?;
        if !meta.is_dir() {
            return refuse("not a directory".into());
        }
        if meta.uid() != uid {
            return refuse(format!(
                "belongs to uid {}, not to you (uid {uid})",
                meta.uid()
            ));
        }
        if meta.mode() & 0o077 != 0 {
            fs::set_permissions(&root, fs::Permissions::from_mode(0o700))
                .io_context(|| format!("cannot make {} private (0700)", root.display()))?;
        }
        Ok(StateDir { root })
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A subdirectory (`registry`, `port/leases`), created 0700 on first
    /// use. Each part must be a real directory of this user's: a symlink
    /// inside the state directory is never written through (exit 73).
    pub fn subdir(&self, name: &str) -> Result<PathBuf> {
        let uid = nix::unistd::geteuid().as_raw();
        let mut d = self.root.clone();
        for part in Path::new(name).components() {
            d.push(part);
            // One level at a time, never the root again: a state directory
            // removed under a process still running (a guardian, a
            // supervisor) is not made anew by it.
            match fs::DirBuilder::new().mode(0o700).create(&d) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => {
                    return Err(Error::from_io(
                        format!("cannot create directory {}", d.display()),
                        &e,
                    ));
                }
            }
            let m =
                fs::symlink_metadata(&d).io_context(|| format!("cannot read {}", d.display()))?;
            if !m.is_dir() || m.uid() != uid {
                return Err(Error::cant_create(format!(
                    "{} in the state directory is {}: ptest will not write through it",
                    d.display(),
                    if m.file_type().is_symlink() {
                        "a symlink".to_owned()
                    } else if !m.is_dir() {
                        "not a directory".to_owned()
                    } else {
                        format!("owned by uid {}, not by you", m.uid())
                    }
                ))
                .hint("remove it; ptest makes its own directories"));
            }
        }
        Ok(d)
    }

    /// Takes the exclusive advisory lock `locks/<name>.lock`, waiting at most
    /// `timeout`; a lock still held then is exit 75 naming the file and holder.
    pub fn lock(&self, name: &str, timeout: Duration) -> Result<Lock> {
        Lock::acquire(&self.lock_path(name)?, timeout)
    }

    /// The file of lock `name`: `locks/<name>.lock`.
    pub fn lock_path(&self, name: &str) -> Result<PathBuf> {
        Ok(self.subdir("locks")?.join(format!("{name}.lock")))
    }

    /// Removes every lock file nobody holds (of templates, guardians and
    /// builds that are gone); returns how many. Safe while others lock:
    /// see [`Lock::acquire_as`].
    pub fn sweep_locks(&self) -> Result<usize> {
        let dir = self.subdir("locks")?;
        let mut n = 0;
        for e in fs::read_dir(&dir).io_context(|| format!("cannot list {}", dir.display()))? {
            let Ok(e) = e else { continue };
            let path = e.path();
            if path.extension().is_none_or(|x| x != "lock") {
                continue;
            }
            let Ok(file) = open_lock_file(&path) else {
                continue;
            };
            if let Ok(held) = Flock::lock(file, FlockArg::LockExclusiveNonblock)
                && fs::remove_file(&path).is_ok()
            {
                drop(held);
                n += 1;
            }
        }
        Ok(n)
    }

    /// Takes `locks/<name>.lock` shared: many readers at once, none while
    /// someone holds it exclusively.
    pub fn lock_shared(&self, name: &str, timeout: Duration) -> Result<Lock> {
        Lock::acquire_as(&self.lock_path(name)?, timeout, false)
    }
}

/// Opens (creating) a lock file, never through a symlink.
pub fn open_lock_file(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
        .io_context(|| format!("cannot open lock file {}", path.display()))
}

/// A held exclusive `flock(2)`; released on drop (and by the kernel when the
/// process dies, however it dies).
#[derive(Debug)]
pub struct Lock {
    _flock: Flock<File>,
    path: PathBuf,
}

impl Lock {
    pub fn acquire(path: &Path, timeout: Duration) -> Result<Lock> {
        Self::acquire_as(path, timeout, true)
    }

    /// Takes the lock exclusively, or shared when `exclusive` is false.
    ///
    /// Lock files may be removed by `gc` while nobody holds them; a lock
    /// taken on a file that was removed meanwhile is taken again on the
    /// file now at `path`, so two holders never meet on two inodes.
    pub fn acquire_as(path: &Path, timeout: Duration, exclusive: bool) -> Result<Lock> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let flock = Self::lock_once(path, deadline, exclusive)?;
            let same = match (flock.metadata(), fs::metadata(path)) {
                (Ok(held), Ok(now)) => held.dev() == now.dev() && held.ino() == now.ino(),
                _ => false,
            };
            if same {
                return Ok(Lock {
                    _flock: flock,
                    path: path.to_owned(),
                });
            }
        }
    }

    fn lock_once(
        path: &Path,
        deadline: std::time::Instant,
        exclusive: bool,
    ) -> Result<Flock<File>> {
        let (nonblock, block) = if exclusive {
            (FlockArg::LockExclusiveNonblock, FlockArg::LockExclusive)
        } else {
            (FlockArg::LockSharedNonblock, FlockArg::LockShared)
        };
        let open = || open_lock_file(path);
        match Flock::lock(open()?, nonblock) {
            Ok(f) => Ok(f),
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
                // Busy: wait in the kernel's queue on another thread, so the
                // wait is fair and wakes as soon as the holder lets go.
                let (tx, rx) = std::sync::mpsc::channel();
                let file = open()?;
                std::thread::spawn(move || {
                    let r = Flock::lock(file, block).map_err(|(_, e)| e);
                    // If nobody waits any more, dropping the lock releases it.
                    let _ = tx.send(r);
                });
                let timeout = deadline.saturating_duration_since(std::time::Instant::now());
                match rx.recv_timeout(timeout) {
                    Ok(Ok(f)) => Ok(f),
                    Ok(Err(e)) => Err(Error::io(format!("cannot lock {}: {e}", path.display()))),
                    Err(_) => Err(Error::temp_fail(format!(
                        "lock {} still busy after {:?}{}",
                        path.display(),
                        timeout,
                        lock_holder(path)
                            .map(|p| format!(" (held by process {p})"))
                            .unwrap_or_default()
                    ))
                    .hint("retry; another ptest is holding it")),
                }
            }
            Err((_, e)) => Err(Error::io(format!("cannot lock {}: {e}", path.display()))),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// How hard [`write_atomic`] works to keep a file across failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync the file and its directory: the write survives power loss.
    Durable,
    /// Atomic rename only: survives the writer being killed at any moment
    /// (the page cache outlives it) but not power loss. About 8x cheaper
    /// here; for state that a reboot makes moot anyway, such as port leases.
    Volatile,
}

/// The process holding a flock on `path`, from `/proc/locks` (read only on
/// the slow path, when a lock stays busy).
fn lock_holder(path: &Path) -> Option<u32> {
    let meta = fs::metadata(path).ok()?;
    let locks = fs::read_to_string("/proc/locks").ok()?;
    parse_lock_holder(&locks, meta.dev(), meta.ino())
}

/// Finds the FLOCK holder of device `dev`, inode `ino` in `/proc/locks`
/// (`1: FLOCK  ADVISORY  WRITE 1422 fe:00:753934 0 EOF`).
pub fn parse_lock_holder(locks: &str, dev: u64, ino: u64) -> Option<u32> {
    let (major, minor) = (nix::sys::stat::major(dev), nix::sys::stat::minor(dev));
    locks.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let i = f.iter().position(|x| *x == "FLOCK")?;
        let pid: u32 = f.get(i + 3)?.parse().ok()?;
        let mut id = f.get(i + 4)?.split(':');
        let (ma, mi, inode) = (id.next()?, id.next()?, id.next()?);
        (u64::from_str_radix(ma, 16).ok()? == major
            && u64::from_str_radix(mi, 16).ok()? == minor
            && inode.parse::<u64>().ok()? == ino)
            .then_some(pid)
    })
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory,
/// (fsync,) rename over `path`, (fsync of the directory). Readers see the
/// old file or the new one, never a torn one, even if we are killed midway.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, bytes, Durability::Durable)
}

pub fn write_atomic_with(path: &Path, bytes: &[u8], durability: Durability) -> Result<()> {
    write_atomic_linked(path, bytes, durability, None)
}

/// Deletes the temp files (`.tmp-…`) in `dir` that writers killed
/// mid-write left there (older than `age`, so that none being written
/// goes); returns how many.
pub fn sweep_temp_files(dir: &Path, age: std::time::Duration) -> Result<usize> {
    let mut n = 0;
    let now = std::time::SystemTime::now();
    for entry in fs::read_dir(dir).io_context(|| format!("cannot list {}", dir.display()))? {
        let Ok(entry) = entry else { continue };
        if !entry.file_name().to_string_lossy().starts_with(".tmp-") {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(|m| now.duration_since(m).unwrap_or_default() >= age)
            .unwrap_or(false);
        if old && fs::remove_file(entry.path()).is_ok() {
            n += 1;
        }
    }
    Ok(n)
}

/// [`write_atomic_with`], and before the rename also hard-links the new file
/// at `also` (which must not exist): a second name for the same contents at
/// the cost of a directory entry, and in place before `path` appears.
pub fn write_atomic_linked(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
    also: Option<&Path>,
) -> Result<()> {
    let durable = durability == Durability::Durable;
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let hex = crate::record::random_hex(6);
    let tmp = dir.join(format!(".tmp-{name}-{hex}"));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode_0600()
            .open(&tmp)
            .io_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)
            .and_then(|_| if durable { f.sync_all() } else { Ok(()) })
            .io_context(|| format!("cannot write {}", tmp.display()))?;
        if let Some(also) = also {
            fs::hard_link(&tmp, also).io_context(|| format!("cannot link {}", also.display()))?;
        }
        fs::rename(&tmp, path).io_context(|| format!("cannot rename into {}", path.display()))?;
        if !durable {
            return Ok(());
        }
        File::open(dir)
            .and_then(|d| d.sync_all())
            .io_context(|| format!("cannot sync directory {}", dir.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

trait Mode0600 {
    fn mode_0600(&mut self) -> &mut Self;
}
impl Mode0600 for OpenOptions {
    fn mode_0600(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.mode(0o600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_dir_is_private() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("a/b/state");
        let s = StateDir::at(root.clone()).unwrap();
        assert_eq!(fs::metadata(s.path()).unwrap().mode() & 0o777, 0o700);
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        StateDir::at(root.clone()).unwrap();
        assert_eq!(fs::metadata(&root).unwrap().mode() & 0o777, 0o700);
    }

    #[test]
    fn a_symlink_inside_is_never_written_through() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().join("state")).unwrap();
        let elsewhere = t.path().join("elsewhere");
        fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, s.path().join("registry")).unwrap();
        let e = s.subdir("registry").unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::CantCreate);
        assert!(e.message.contains("symlink"), "{}", e.message);
        fs::create_dir(s.path().join("locks")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("x"), s.path().join("locks/l.lock")).unwrap();
        assert!(s.lock("l", Duration::from_millis(10)).is_err());
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        // Our own symlink to our own directory is fine as the root itself.
        let link = t.path().join("link");
        std::os::unix::fs::symlink(s.path(), &link).unwrap();
        StateDir::at(link).unwrap();
    }

    #[test]
    fn a_removed_state_directory_is_not_made_anew_by_an_old_handle() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().join("state")).unwrap();
        fs::remove_dir_all(s.path()).unwrap();
        assert!(s.subdir("registry").is_err());
        assert!(s.lock("registry", Duration::from_millis(10)).is_err());
        assert!(!s.path().exists());
    }

    #[test]
    fn busy_lock_times_out_with_75() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().to_owned()).unwrap();
        let held = s.lock("x", Duration::from_secs(1)).unwrap();
        let e = s.lock("x", Duration::from_millis(50)).unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::TempFail);
        assert!(e.message.contains("x.lock"), "{}", e.message);
        drop(held);
        s.lock("x", Duration::from_millis(500)).unwrap();
    }

    #[test]
    fn unheld_lock_files_are_swept_and_a_swept_lock_is_taken_anew() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().to_owned()).unwrap();
        let held = s.lock("held", Duration::from_secs(1)).unwrap();
        drop(s.lock("gone", Duration::from_secs(1)).unwrap());
        assert_eq!(s.sweep_locks().unwrap(), 1);
        assert!(t.path().join("locks/held.lock").exists());
        assert!(!t.path().join("locks/gone.lock").exists());
        // A waiter whose file is swept from under it locks the new one.
        let waiter = std::thread::spawn({
            let s = s.clone();
            move || s.lock("held", Duration::from_secs(5)).unwrap()
        });
        std::thread::sleep(Duration::from_millis(50));
        std::fs::remove_file(t.path().join("locks/held.lock")).unwrap();
        drop(held);
        let got = waiter.join().unwrap();
        assert!(got.path().exists(), "the lock is on the file at its path");
        // And excludes a newcomer.
        assert!(s.lock("held", Duration::from_millis(20)).is_err());
    }

    #[test]
    fn lock_holder_is_read_from_proc_locks() {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().to_owned()).unwrap();
        let _held = s.lock("h", Duration::from_secs(1)).unwrap();
        assert_eq!(
            lock_holder(&t.path().join("locks/h.lock")),
            Some(std::process::id())
        );
        let text = "1: FLOCK  ADVISORY  WRITE 1422 fe:00:753934 0 EOF\n2: POSIX  ADVISORY  WRITE 9 fe:00:5 0 EOF\n";
        assert_eq!(
            parse_lock_holder(text, nix::sys::stat::makedev(0xfe, 0), 753934),
            Some(1422)
        );
        assert_eq!(
            parse_lock_holder(text, nix::sys::stat::makedev(0xfe, 0), 5),
            None
        );
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("f.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
    }
}
