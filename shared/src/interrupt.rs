//! Signals, one mechanism for every tool, in one of two ways:
//!
//! - [`catch`], for commands that make things: the first SIGINT, SIGTERM or
//!   SIGHUP does not end the process; it is noted ([`requested`]), so that
//!   the command can stop at its next step, remove what it made, and exit
//!   128+N ([`Error::interrupted`]). A second one ends the process at once,
//!   for a user who will not wait.
//! - [`queue_all`], for watchers: SIGINT too comes on the pipe.
//! - [`pass_on`], for supervisors of a command (`ptest proc run`, a
//!   service's supervisor): each SIGTERM and SIGHUP becomes a byte on a
//!   pipe ([`Signals`]) that a `poll` wakes on, to be passed on to the
//!   command's tree (or, for SIGHUP, to reload); SIGINT and SIGQUIT are left
//!   to the command, which gets them from the terminal in the same process
//!   group.
//!
//! Handlers (not a blocked mask, nor SIG_IGN) take the signals: handlers
//! fall back to the default at exec, so the processes a command starts can
//! still be interrupted, and with `SA_RESTART` the other threads' system
//! calls go on undisturbed.

use crate::error::{Error, Result};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Instant;

/// The signal that asked us to stop ([`catch`]).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// The write end of [`Signals`]' pipe, once [`pass_on`] made it.
static PIPE_W: AtomicI32 = AtomicI32::new(-1);

extern "C" fn note(n: nix::libc::c_int) {
    // Async-signal-safe: an atomic exchange, and _exit for the second one.
    if SIGNAL.swap(n, Ordering::SeqCst) != 0 {
        // SAFETY: _exit is async-signal-safe.
        unsafe { nix::libc::_exit(128 + n) };
    }
}

extern "C" fn queue(n: nix::libc::c_int) {
    let fd = PIPE_W.load(Ordering::Relaxed);
    if fd >= 0 {
        let b = n as u8;
        // SAFETY: write(2) is async-signal-safe; one byte that lives across
        // the call, to our own non-blocking pipe (a full pipe drops it: the
        // ones before it still wake the reader).
        unsafe { nix::libc::write(fd, (&b as *const u8).cast(), 1) };
    }
}

extern "C" fn leave(_: nix::libc::c_int) {}

fn install(s: Signal, handler: extern "C" fn(nix::libc::c_int)) -> Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(handler),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: every handler here only touches atomics, writes one byte to a
    // pipe or calls _exit: all async-signal-safe.
    unsafe { sigaction(s, &action) }
        .map(drop)
        .map_err(|e| Error::internal(format!("cannot catch {s}: {e}")))
}

/// Starts catching SIGINT, SIGTERM and SIGHUP for the rest of the process.
pub fn catch() -> Result<()> {
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        install(s, note)?;
    }
    Ok(())
}

/// The signal that asked us to stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        n => Some(n),
    }
}

/// `Err` (exit 128+N) once a signal asked us to stop.
pub fn check() -> Result<()> {
    match requested() {
        None => Ok(()),
        Some(n) => Err(Error::interrupted(n)),
    }
}

/// The signals a supervisor got, in order, to pass on: see [`pass_on`].
#[derive(Debug)]
pub struct Signals {
    read: OwnedFd,
}

/// Starts queueing SIGTERM and SIGHUP on a pipe for the rest of the
/// process, and leaves SIGINT and SIGQUIT to the command being supervised.
pub fn pass_on() -> Result<Signals> {
    let s = pipe()?;
    install(Signal::SIGINT, leave)?;
    install(Signal::SIGQUIT, leave)?;
    Ok(s)
}

/// Starts queueing SIGINT, SIGTERM and SIGHUP on a pipe for the rest of
/// the process: for a command that supervises nothing and stops (or, on
/// SIGHUP, reloads) at its next step, such as `ptest mon watch`.
pub fn queue_all() -> Result<Signals> {
    let s = pipe()?;
    install(Signal::SIGINT, queue)?;
    Ok(s)
}

/// The pipe of [`Signals`], with SIGTERM and SIGHUP queued on it.
fn pipe() -> Result<Signals> {
    use nix::fcntl::OFlag;
    let (read, write) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)
        .map_err(|e| Error::internal(format!("cannot make a pipe for signals: {e}")))?;
    // The write end lives as long as the process: the handler may use it
    // at any moment.
    let old = PIPE_W.swap(write.as_raw_fd(), Ordering::SeqCst);
    std::mem::forget(write);
    if old >= 0 {
        // SAFETY: `old` is the write end an earlier call leaked above, and
        // nothing else owns it; from now on the handler uses the new one.
        drop(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(old) });
    }
    install(Signal::SIGTERM, queue)?;
    install(Signal::SIGHUP, queue)?;
    Ok(Signals { read })
}

impl Signals {
    /// What a `poll` waits on: readable when a signal came.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.read.as_fd()
    }

    /// The next signal that came, if one is waiting.
    pub fn next(&self) -> Option<i32> {
        let mut b = [0u8; 1];
        match nix::unistd::read(self.read.as_fd(), &mut b) {
            Ok(1) => Some(i32::from(b[0])),
            _ => None,
        }
    }

    /// Waits until `until` for a signal: the first to come, or `None`.
    pub fn wait_until(&self, until: Instant) -> Option<i32> {
        use nix::poll::{PollFd, PollFlags, poll};
        loop {
            if let Some(n) = self.next() {
                return Some(n);
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let mut fds = [PollFd::new(self.fd(), PollFlags::POLLIN)];
            let timeout = poll_timeout(left);
            let _ = poll(&mut fds, timeout); // EINTR or ready: look again
        }
    }
}

/// A `poll` timeout of at least `d`: whole milliseconds, rounded up (a
/// timeout rounded down to 0 would make a waiting loop spin through its
/// last millisecond).
pub fn poll_timeout(d: std::time::Duration) -> nix::poll::PollTimeout {
    let ms = d.as_micros().div_ceil(1000);
    i32::try_from(ms)
        .ok()
        .and_then(|ms| nix::poll::PollTimeout::try_from(ms).ok())
        .unwrap_or(nix::poll::PollTimeout::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn poll_timeouts_round_up_never_to_zero() {
        let ms = |d| i32::from(poll_timeout(d));
        assert_eq!(ms(Duration::from_micros(1)), 1);
        assert_eq!(ms(Duration::from_micros(999)), 1);
        assert_eq!(ms(Duration::from_millis(2)), 2);
        assert_eq!(ms(Duration::from_micros(2001)), 3);
        assert_eq!(ms(Duration::ZERO), 0);
        assert_eq!(
            poll_timeout(Duration::from_secs(u64::MAX / 4)),
            nix::poll::PollTimeout::MAX
        );
    }

    #[test]
    fn a_supervisor_gets_each_signal_in_order_and_is_not_stopped() {
        let signals = pass_on().unwrap();
        assert_eq!(signals.next(), None);
        let me = nix::unistd::getpid();
        let soon = Instant::now() + Duration::from_secs(5);
        // One at a time: two pending at once may reach two threads in
        // either order.
        nix::sys::signal::kill(me, Signal::SIGHUP).unwrap();
        assert_eq!(signals.wait_until(soon), Some(nix::libc::SIGHUP));
        nix::sys::signal::kill(me, Signal::SIGTERM).unwrap();
        assert_eq!(signals.wait_until(soon), Some(nix::libc::SIGTERM));
        // Nothing asked a command that makes things to stop.
        assert_eq!(requested(), None);
        let start = Instant::now();
        assert_eq!(
            signals.wait_until(Instant::now() + Duration::from_millis(50)),
            None
        );
        assert!(start.elapsed() >= Duration::from_millis(50));
    }
}
