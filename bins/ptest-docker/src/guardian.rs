//! The guardian: a small detached process per owner that removes the
//! owner's containers and networks as soon as the owner dies — even by
//! SIGKILL — with no sidecar container and no Docker socket mounted into
//! anything.
//!
//! `create` calls [`ensure`] before it makes anything. The guardian
//! (`ptest-docker __guard OWNER`, in a session of its own) holds the lock
//! `docker-guardian-<pid>-<start>`, taken by `ensure` and handed over as an
//! inherited descriptor, while it lives, so there is one per
//! owner; it waits on a pidfd of the owner, and when the owner exits it
//! removes every object labelled with that owner (and the registry records
//! of them), then exits. Every 30 s it also checks whether the owner still
//! has objects at all, and exits when none are left (the next `create`
//! starts another).
//!
//! Limits: a guardian is a descendant of whatever ran `create`; a
//! supervisor that kills a whole process tree when it ends (`ptest proc
//! run`, systemd units with KillMode=control-group) kills it too. What it
//! would have removed is then left to `ptest docker gc` (or `ptest gc`).

use crate::engine::Engine;
use crate::labels;
use crate::{listing, pool, remove};
use ptest_shared::owner::{Lifetime, Owner, proc_stat};
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

fn lock_name(o: &Owner) -> String {
    format!("docker-guardian-{}-{}", o.pid, o.start_time)
}

/// Makes sure a guardian watches the owner of `lifetime` (none needed when
/// nobody owns it: `--ttl` alone is `gc`'s job).
///
/// The lock is taken here and handed to the guardian as an inherited
/// descriptor, so it is watched from the moment it is spawned: there is no
/// window in which two guardians start, and nothing to wait for.
pub fn ensure(lifetime: &Lifetime) -> Result<()> {
    let Some(owner) = &lifetime.owner else {
        return Ok(());
    };
    let path = StateDir::open()?.lock_path(&lock_name(owner))?;
    let Some(file) = try_lock_path(&path)? else {
        return Ok(()); // a guardian holds it
    };
    spawn_holding(file, &["__guard", &labels::owner_value(owner)])
        .map_err(|e| Error::internal(format!("cannot start the guardian: {e}")))
}

/// Takes the lock at `path` without waiting: the locked file, or `None`
/// while another process holds it. A lock taken on a file `gc` removed
/// meanwhile is taken again on the one at the path now, so that there is
/// never a second holder.
pub(crate) fn try_lock_path(path: &std::path::Path) -> Result<Option<std::fs::File>> {
    loop {
        let file = ptest_shared::state::open_lock_file(path)?;
        if !try_flock(&file) {
            return Ok(None);
        }
        use std::os::unix::fs::MetadataExt;
        if let (Ok(held), Ok(now)) = (file.metadata(), std::fs::metadata(path))
            && (held.dev(), held.ino()) == (now.dev(), now.ino())
        {
            return Ok(Some(file));
        }
    }
}

/// Starts `ptest-docker ARGS… --lock-fd N`, detached in a session of its
/// own, handing it `file` (whose lock we hold) as descriptor N: the lock
/// is the child's from the moment it exists. The guardian and a pool's
/// keeper are started so.
pub(crate) fn spawn_holding(file: std::fs::File, args: &[&str]) -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(args)
        .arg("--lock-fd")
        .arg(INHERITED_LOCK_FD.to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let fd = file.as_raw_fd();
    // SAFETY: setsid, dup2, fcntl and close_range are async-signal-safe
    // system calls; nothing else runs before exec. The descriptor they
    // leave (dup2's copy, or ours without close-on-exec) stays open across
    // exec.
    unsafe {
        cmd.pre_exec(move || {
            nix::unistd::setsid().map_err(std::io::Error::from)?;
            let r = if fd == INHERITED_LOCK_FD {
                nix::libc::fcntl(fd, nix::libc::F_SETFD, 0)
            } else {
                nix::libc::dup2(fd, INHERITED_LOCK_FD)
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Nothing else the caller left open without close-on-exec (a
            // pipe someone reads to its end, say) may live on in the
            // guardian. Marked close-on-exec rather than closed, so the
            // pipe that reports a failed exec to `spawn` still works;
            // kernels before 5.11 lack the flag, and get one call per
            // descriptor.
            let first = INHERITED_LOCK_FD + 1;
            let all = nix::libc::syscall(
                nix::libc::SYS_close_range,
                first,
                u32::MAX,
                nix::libc::CLOSE_RANGE_CLOEXEC,
            );
            if all != 0 {
                for fd in first..4096 {
                    nix::libc::fcntl(fd, nix::libc::F_SETFD, nix::libc::FD_CLOEXEC);
                }
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn()?;
    // Closing our descriptor (not unlocking it) leaves the lock with the
    // guardian, which shares the open file.
    drop(file);
    // Reap it in the background if it ends while we run (it normally
    // outlives us and is reparented).
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}

/// The descriptor number the guardian's lock is handed over on.
const INHERITED_LOCK_FD: i32 = 3;

/// `flock(LOCK_EX | LOCK_NB)`: whether the lock is (now) ours.
pub(crate) fn try_flock(file: &std::fs::File) -> bool {
    // SAFETY: a valid descriptor for the call's duration.
    unsafe { nix::libc::flock(file.as_raw_fd(), nix::libc::LOCK_EX | nix::libc::LOCK_NB) == 0 }
}

/// `ptest-docker __guard OWNER --lock-fd N`, as [`ensure`] starts it.
pub fn run(owner: &str, lock_fd: i32) -> Result<i32> {
    let owner = labels::parse_owner(owner)
        .ok_or_else(|| Error::usage(format!("{owner:?} is not pid:start_time:boot_id")))?;
    // SAFETY: `ensure` opened it for us, and nothing else owns it. Held
    // until we exit.
    let lock = unsafe { std::fs::File::from_raw_fd(lock_fd) };
    if !try_flock(&lock) {
        return Ok(0); // not the holder after all: another guardian is
    }
    let pidfd = open_pidfd(&owner);
    loop {
        let dead = match &pidfd {
            // The owner died before we could watch it.
            None => true,
            Some(fd) => {
                ptest_shared::owner::pidfd_exited(fd.as_fd(), Some(poll_interval()))
                    || !owner.is_alive()
            }
        };
        if dead {
            let engine = Engine::connect()?;
            remove_owned(&engine, &owner)?;
            return Ok(0);
        }
        // Still alive: keep watching while it owns anything.
        let Ok(engine) = Engine::connect() else {
            continue;
        };
        if !owns_anything(&engine, &owner) {
            return Ok(0);
        }
    }
}

/// How often a guardian whose owner lives checks that it still owns
/// something: `PTEST_GUARDIAN_POLL` (a duration), else 30 s.
fn poll_interval() -> Duration {
    std::env::var("PTEST_GUARDIAN_POLL")
        .ok()
        .and_then(|v| ptest_shared::units::parse_duration(&v).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(Duration::from_secs(30))
}

/// A pidfd of the owner, when it is still the process the owner names.
fn open_pidfd(o: &Owner) -> Option<OwnedFd> {
    let fd = ptest_shared::owner::pidfd_open(o.pid as i32).ok()?;
    // Opened after checking would race with PID reuse: check after opening.
    let st = proc_stat(o.pid)?;
    (st.start_time == o.start_time && st.state != 'Z').then_some(fd)
}

/// Whether the owner still has a container, volume, network or pool: a
/// volume outlives the container that used it (removed earlier, by `rm`),
/// and must still go with its owner. What a pool made is owned through
/// the registry alone (its labels cannot change when a test takes it).
fn owns_anything(engine: &Engine, o: &Owner) -> bool {
    if let Ok(Some(state)) = StateDir::open_existing()
        && let Ok(reg) = ptest_shared::registry::Registry::open(&state)
        && pool::drain::owned_by(&reg, o).is_ok_and(|v| !v.is_empty())
    {
        return true;
    }
    let f = labels::owner_filter(o);
    let c = listing::labelled_containers(engine, &f).map(|v| !v.is_empty());
    let v = listing::labelled_volumes(engine, &f).map(|v| !v.is_empty());
    let n = listing::labelled_networks(engine, &f).map(|v| !v.is_empty());
    // When the engine cannot say, keep watching.
    c.unwrap_or(true) || v.unwrap_or(true) || n.unwrap_or(true)
}

/// Removes every container, then every volume and network, labelled with
/// `o`, and then what the registry says `o` owns: the pools it made and
/// the containers it took from pools.
pub fn remove_owned(engine: &Engine, o: &Owner) -> Result<usize> {
    // The state directory may be gone (a test's, a CI job's): the objects
    // still go, and it is not made anew.
    let reg = match StateDir::open_existing()? {
        Some(state) => Some(ptest_shared::registry::Registry::open(&state)?),
        None => None,
    };
    let done = remove::remove_labelled(
        engine,
        reg.as_ref(),
        &labels::owner_filter(o),
        |_| Some("owner-dead"),
        &mut |_, _, _| {},
    )?;
    let more = match &reg {
        Some(reg) => pool::drain::remove_registered(engine, reg, o)?,
        None => 0,
    };
    Ok(done.len() + more)
}
