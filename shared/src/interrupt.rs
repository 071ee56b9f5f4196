//! Ctrl-C and termination for commands that make things.
//!
//! After [`catch`], the first SIGINT, SIGTERM or SIGHUP does not end the
//! process: it is noted, so that the command can stop at its next step,
//! remove what it made, and exit 128+N ([`Error::interrupted`]). A second
//! one ends the process at once, for a user who will not wait.
//!
//! A handler (not a blocked mask) takes the signals: handlers fall back to
//! the default at exec, so the processes a command starts can still be
//! interrupted, and with `SA_RESTART` the other threads' system calls go
//! on undisturbed.

use crate::error::{Error, Result};
use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use std::sync::atomic::{AtomicI32, Ordering};

static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn note(n: nix::libc::c_int) {
    // Async-signal-safe: an atomic exchange, and _exit for the second one.
    if SIGNAL.swap(n, Ordering::SeqCst) != 0 {
        // SAFETY: _exit is async-signal-safe.
        unsafe { nix::libc::_exit(128 + n) };
    }
}

/// Starts catching SIGINT, SIGTERM and SIGHUP for the rest of the process.
pub fn catch() -> Result<()> {
    let action = SigAction::new(
        SigHandler::Handler(note),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
        // SAFETY: the handler only touches an atomic and calls _exit.
        unsafe { sigaction(s, &action) }
            .map_err(|e| Error::internal(format!("cannot catch {s}: {e}")))?;
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
