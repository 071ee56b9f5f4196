//! The init: the first process of a command's environment, between the
//! supervisor and the command.
//!
//! It joins the command's cgroup, makes the namespaces' view right (a /proc
//! of its own, a private /tmp, a loopback-only network), forks the command
//! — which applies rlimits, user, no-new-privileges, environment and
//! inherited listening sockets, and execs — and stays as the tree's keeper:
//!
//! - In a PID namespace (`--pid-namespace`) it is PID 1: it reaps everyone,
//!   forwards the supervisor's SIGTERM/SIGHUP/SIGUSR1/SIGUSR2 to the whole
//!   namespace, and when it exits the kernel kills whatever is left.
//! - Otherwise it is a child subreaper: orphans of the tree — children that
//!   call `setsid` or double-fork — re-parent to it, so it knows and kills
//!   every descendant: when the command ends, when the supervisor asks
//!   ([`kill_all_signal`]), and when the supervisor dies (it is the init's
//!   parent-death signal).
//!
//! Normally the supervisor forks it and it runs in place ([`forked`]); when
//! the supervisor has threads (forking then is unsafe) or for a PID
//! namespace, it is exec'd as `ptest-proc __init` with the [`Spec`] on a
//! pipe ([`main`]).
//!
//! Messages to the supervisor go on the status pipe as JSON lines:
//! `{"error": "...", "exit": 127}` when setting up or exec fails, and
//! `{"pid": N}` once the command is forked (outside a PID namespace), and
//! `{"wait_status": N}` when the command ends.

use crate::launch::send_signal as send;
use crate::spec::Spec;
use nix::libc;
use nix::sys::signal::{SigHandler, Signal};
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{AsFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

/// Fds of `__init` at or above this are its own (spec, status); below are
/// the command's (0-2 and 3.. for listening sockets).
const PRIVATE_FD_BASE: RawFd = 100;

/// The signal the supervisor sends the init to SIGKILL the whole tree; also
/// the init's parent-death signal. A real-time signal: nothing else uses it.
/// (nix's `Signal` has no real-time signals: the calls that take this one
/// are raw libc.)
pub fn kill_all_signal() -> libc::c_int {
    libc::SIGRTMIN() + 1
}

/// Ends this process at once, without exit handlers: a forked copy must
/// not flush or run what belongs to its parent.
fn exit_now(code: i32) -> ! {
    // SAFETY: _exit(2) is async-signal-safe and takes no pointers.
    unsafe { libc::_exit(code) }
}

/// Asks for `sig` (a real-time signal nix cannot name) when our parent dies.
fn set_parent_death_signal(sig: libc::c_int) {
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and no pointers.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, sig) };
}

/// Takes ownership of a descriptor handed to this process by number.
fn own(fd: RawFd) -> OwnedFd {
    // SAFETY: the launcher passed `fd` to us for our own use: it is open,
    // and nothing else in this process owns or closes it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

fn getppid() -> libc::pid_t {
    nix::unistd::getppid().as_raw()
}

/// The init forked in place by a single-threaded supervisor (`supervisor` is
/// its PID, to notice if it died before the parent-death signal was set).
pub fn forked(spec: &Spec, status_fd: RawFd, supervisor: libc::pid_t) -> ! {
    // The supervisor's handlers write to its signal pipe: not ours.
    for s in [
        Signal::SIGTERM,
        Signal::SIGHUP,
        Signal::SIGINT,
        Signal::SIGQUIT,
    ] {
        // SAFETY: the default disposition installs no handler of ours.
        let _ = unsafe { nix::sys::signal::signal(s, SigHandler::SigDfl) };
    }
    // Blocked first, so that the parent-death signal waits for us.
    install_keeper_handlers();
    SUPERVISOR.store(supervisor, std::sync::atomic::Ordering::Relaxed);
    set_parent_death_signal(kill_all_signal());
    let mut status = std::fs::File::from(move_high(own(status_fd)));
    if getppid() != supervisor {
        exit_now(1)
    }
    keep(spec, &mut status)
}

/// `ptest-proc __init SPEC_FD STATUS_FD LIFELINE_FD`: the exec'd init.
pub fn main(spec_fd: RawFd, status_fd: RawFd, lifeline_fd: RawFd) -> ! {
    // Our own pipes go high, out of the way of fds 3.. of socket activation.
    let spec_fd = move_high(own(spec_fd));
    let mut status = std::fs::File::from(move_high(own(status_fd)));
    let lifeline = move_high(own(lifeline_fd));
    let spec: Spec = {
        let f = std::fs::File::from(spec_fd);
        match serde_json::from_reader(std::io::BufReader::new(f)) {
            Ok(s) => s,
            Err(e) => fail(
                &mut status,
                70,
                &format!("internal error: bad launch spec: {e}"),
            ),
        }
    };
    // The parent-death signal was set before exec; if the supervisor died
    // before that, only the lifeline (whose write end it holds) tells.
    {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let mut pfd = [PollFd::new(lifeline.as_fd(), PollFlags::POLLIN)];
        let gone = poll(&mut pfd, PollTimeout::ZERO).is_ok_and(|n| n > 0)
            && pfd[0]
                .revents()
                .is_some_and(|r| r.intersects(PollFlags::POLLHUP | PollFlags::POLLIN));
        if gone {
            exit_now(1)
        }
    }
    drop(lifeline);
    install_keeper_handlers();
    SUPERVISOR.store(getppid(), std::sync::atomic::Ordering::Relaxed);
    if !spec.pid_ns {
        set_parent_death_signal(kill_all_signal());
    }
    keep(&spec, &mut status)
}

/// Sets up the environment, forks the command, and keeps the tree until it ends.
fn keep(spec: &Spec, status: &mut std::fs::File) -> ! {
    for p in &spec.cgroup_procs {
        if let Err(e) = std::fs::write(p, "0") {
            fail(
                status,
                69,
                &format!("cannot join cgroup {}: {e}", p.display()),
            );
        }
    }
    // (In a PID namespace the launcher entered it, before /tmp was covered.)
    if !spec.pid_ns
        && let Some(dir) = &spec.cwd
        && let Err(e) = std::env::set_current_dir(dir)
    {
        fail(status, 66, &format!("--cwd {}: {e}", dir.display()));
    }
    // In a PID namespace the launcher made the network namespace already.
    if spec.net_none && !spec.pid_ns {
        if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET) {
            fail(
                status,
                69,
                &format!(
                    "--net none: cannot make a network namespace: {e} (needs root; or add --pid-namespace, which makes it inside a user namespace)"
                ),
            );
        }
        if let Err(e) = loopback_up() {
            fail(
                status,
                69,
                &format!("--net none: cannot bring up loopback: {e}"),
            );
        }
    }
    if !spec.pid_ns {
        // Orphans of the tree come to us.
        let _ = nix::sys::prctl::set_child_subreaper(true);
    }
    // The common case needs nothing between fork and exec but what
    // posix_spawn does (it resets the signal mask), and posix_spawn shares
    // memory until exec: no second copy of page tables, no copy-on-write.
    let plain = spec.rlimits.is_empty()
        && spec.user.is_none()
        && !spec.no_new_privs
        && spec.listen_fds.is_empty()
        && spec.stdout.is_none()
        && spec.stderr.is_none();
    if plain {
        match spawn_plain(spec) {
            Ok(pid) => {
                if !spec.pid_ns {
                    let _ = writeln!(status, "{}", serde_json::json!({ "pid": pid }));
                }
                reap(spec, pid, status)
            }
            Err(errno) => {
                let code = if errno == libc::ENOENT { 127 } else { 126 };
                let e = std::io::Error::from_raw_os_error(errno);
                fail(
                    status,
                    code,
                    &format!("cannot run {}: {e}", spec.program.display()),
                )
            }
        }
    }
    // SAFETY: this process is single-threaded (a fresh exec, or forked from
    // a supervisor checked to have one thread).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            restore_signals();
            if !spec.pid_ns {
                let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
            }
            exec_command(spec, status)
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => {
            // Outside a PID namespace our view of the PID is the supervisor's.
            if !spec.pid_ns {
                let _ = writeln!(status, "{}", serde_json::json!({ "pid": child.as_raw() }));
            }
            reap(spec, child.as_raw(), status)
        }
        Err(e) => fail(status, 71, &format!("cannot fork the command: {e}")),
    }
}

/// The descriptor again at `PRIVATE_FD_BASE` or above, close-on-exec (the
/// old number is closed); as it was when that cannot be done.
fn move_high(fd: OwnedFd) -> OwnedFd {
    use nix::fcntl::{FcntlArg, fcntl};
    match fcntl(fd.as_fd(), FcntlArg::F_DUPFD_CLOEXEC(PRIVATE_FD_BASE)) {
        Ok(n) => own(n),
        Err(_) => fd,
    }
}

fn fail(status: &mut std::fs::File, code: i32, msg: &str) -> ! {
    let _ = writeln!(
        status,
        "{}",
        serde_json::json!({"error": msg, "exit": code})
    );
    let _ = writeln!(std::io::stderr(), "ptest-proc: error: {msg}");
    exit_now(code)
}

/// `ip link set lo up`, with one ioctl (which nix does not wrap).
pub(crate) fn loopback_up() -> Result<(), String> {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socket};
    use std::os::fd::AsRawFd;
    let sock = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .map_err(|e| e.to_string())?;
    // SAFETY: ifreq is a plain C struct for which all zeroes is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (i, b) in b"lo".iter().enumerate() {
        req.ifr_name[i] = *b as libc::c_char;
    }
    // SAFETY: SIOCGIFFLAGS fills the ifreq we pass, which lives across the
    // call; the socket is open.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS as _, &mut req) } < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    // SAFETY: SIOCGIFFLAGS set the flags member of the union.
    unsafe { req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short };
    // SAFETY: SIOCSIFFLAGS reads the ifreq we pass; the socket is open.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS as _, &req) } < 0 {
        return Err(std::io::Error::last_os_error().to_string());
    }
    Ok(())
}

static FORWARD: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGUSR1, libc::SIGUSR2];

/// The signals the keeper waits for (blocked, taken with sigwaitinfo: no
/// handler, no race between a signal and the wait for children).
fn keeper_set() -> libc::sigset_t {
    signal_set(
        FORWARD
            .iter()
            .copied()
            .chain([libc::SIGCHLD, kill_all_signal()]),
    )
}

/// A signal set of raw numbers (real-time ones included, which nix's
/// `SigSet` cannot hold).
fn signal_set(signals: impl IntoIterator<Item = libc::c_int>) -> libc::sigset_t {
    // SAFETY: sigset_t is a plain C bitmask; sigemptyset initialises it.
    let mut set: libc::sigset_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid sigset_t we own, for both calls.
    unsafe { libc::sigemptyset(&mut set) };
    for s in signals {
        // SAFETY: as above; an invalid number is refused, not undefined.
        unsafe { libc::sigaddset(&mut set, s) };
    }
    set
}

/// Sets the signal mask (`how`: SIG_BLOCK, SIG_SETMASK…) to or with `set`.
fn mask(how: libc::c_int, set: &libc::sigset_t) {
    // SAFETY: `set` is a valid sigset_t; the old mask is not asked for.
    unsafe { libc::sigprocmask(how, set, std::ptr::null_mut()) };
}

/// Blocks the keeper's signals, and the terminal's SIGINT/SIGQUIT/SIGTSTP
/// too: those are the command's business (it is in the terminal's
/// foreground group) and must not end the init. Blocked rather than
/// ignored, as an ignored disposition would pass on to the command.
fn install_keeper_handlers() {
    let set = signal_set(
        FORWARD
            .iter()
            .copied()
            .chain([libc::SIGCHLD, kill_all_signal()])
            .chain([libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP]),
    );
    mask(libc::SIG_BLOCK, &set);
}

/// The command's signals as a fresh process's: default dispositions, an
/// empty mask. Runs between fork and exec: raw, async-signal-safe calls.
fn restore_signals() {
    for s in FORWARD.iter().chain(&[
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTSTP,
        libc::SIGPIPE,
        kill_all_signal(),
    ]) {
        // SAFETY: SIG_DFL installs no handler; signal(2) is async-signal-safe.
        unsafe { libc::signal(*s, libc::SIG_DFL) };
    }
    mask(libc::SIG_SETMASK, &signal_set([]));
}

/// Sends `sig` to every descendant (in a PID namespace: everyone else in it).
fn signal_descendants(pid_ns: bool, sig: libc::c_int) {
    if pid_ns {
        send(-1, sig);
        return;
    }
    for p in crate::launch::descendants(std::process::id() as i32) {
        send(p, sig);
    }
}

/// SIGKILLs every descendant until none is left (they may be forking).
fn kill_everyone(pid_ns: bool, command: libc::pid_t, ended: &mut Option<libc::c_int>) {
    if pid_ns {
        exit_now(0) // the kernel ends the namespace
    }
    for _ in 0..200 {
        let left = crate::launch::descendants(std::process::id() as i32);
        if left.is_empty() {
            return;
        }
        for p in left {
            crate::launch::kill(p);
        }
        reap_nohang(command, ended);
    }
}

/// Reaps every child that has ended, keeping the command's wait status.
/// (Raw waitpid: the command's wait status is passed on as the kernel gave
/// it, and nix's `WaitStatus` cannot hold a death by a real-time signal.)
fn reap_nohang(command: libc::pid_t, ended: &mut Option<libc::c_int>) {
    loop {
        let mut ws: libc::c_int = 0;
        // SAFETY: `ws` is a valid int for the kernel to fill.
        let pid = unsafe { libc::waitpid(-1, &mut ws, libc::WNOHANG) };
        if pid <= 0 {
            return;
        }
        if pid == command {
            *ended = Some(ws);
        }
    }
}

/// Reaps everything until the command ends, acting on signals; then makes
/// sure nothing of the tree is left, reports the command's status, exits.
/// When the supervisor is gone (the parent-death signal), it kills the tree
/// and exits at once: nobody waits for the status.
fn reap(spec: &Spec, command: libc::pid_t, status: &mut std::fs::File) -> ! {
    let set = keeper_set();
    let mut ended = None;
    loop {
        reap_nohang(command, &mut ended);
        if let Some(ws) = ended {
            kill_everyone(spec.pid_ns, command, &mut ended);
            let _ = writeln!(status, "{}", serde_json::json!({ "wait_status": ws }));
            exit_now(0)
        }
        // SAFETY: siginfo_t is a plain C struct for which zeroes are valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `set` and `info` are valid for the call (nix's sigwait
        // has no siginfo and no real-time signals).
        let sig = unsafe { libc::sigwaitinfo(&set, &mut info) };
        if sig == kill_all_signal() {
            kill_everyone(spec.pid_ns, command, &mut ended);
            if getppid() == 1 || info.si_code == libc::SI_KERNEL || !supervisor_alive() {
                exit_now(1)
            }
        } else if FORWARD.contains(&sig) {
            signal_descendants(spec.pid_ns, sig);
        }
    }
}

/// Whether the process that started us still is our parent.
fn supervisor_alive() -> bool {
    SUPERVISOR.load(std::sync::atomic::Ordering::Relaxed) == getppid()
}

/// The supervisor's PID, to tell its death (re-parenting) from its request.
static SUPERVISOR: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// posix_spawn of the command with an empty signal mask and default
/// dispositions (the init's blocked and ignored signals are not the
/// command's). Returns the PID or the errno. Raw libc: nix's spawn
/// attributes take `SigSet`, which cannot hold the real-time signal.
fn spawn_plain(spec: &Spec) -> Result<libc::pid_t, i32> {
    let cstr = |s: &[u8]| CString::new(s).unwrap_or_else(|_| CString::new("?").unwrap());
    let program = cstr(spec.program.as_os_str().as_bytes());
    let argv: Vec<CString> = spec.argv.iter().map(|a| cstr(a.as_bytes())).collect();
    let envp: Vec<CString> = spec
        .env
        .iter()
        .map(|(k, v)| cstr(format!("{k}={v}").as_bytes()))
        .collect();
    let mut argv_p: Vec<*mut libc::c_char> = argv.iter().map(|a| a.as_ptr() as *mut _).collect();
    argv_p.push(std::ptr::null_mut());
    let mut envp_p: Vec<*mut libc::c_char> = envp.iter().map(|a| a.as_ptr() as *mut _).collect();
    envp_p.push(std::ptr::null_mut());
    let none = signal_set([]);
    let defaults = signal_set([
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTSTP,
        libc::SIGPIPE,
        kill_all_signal(),
    ]);
    // SAFETY: every pointer passed lives across the calls: the attributes
    // (initialised first, destroyed last), the signal sets, the program and
    // the NULL-terminated argv and envp arrays of CStrings owned above.
    unsafe {
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawnattr_init(&mut attr);
        libc::posix_spawnattr_setsigmask(&mut attr, &none);
        libc::posix_spawnattr_setsigdefault(&mut attr, &defaults);
        libc::posix_spawnattr_setflags(
            &mut attr,
            (libc::POSIX_SPAWN_SETSIGMASK | libc::POSIX_SPAWN_SETSIGDEF) as libc::c_short,
        );
        let mut pid: libc::pid_t = 0;
        let r = libc::posix_spawn(
            &mut pid,
            program.as_ptr(),
            std::ptr::null(),
            &attr,
            argv_p.as_ptr(),
            envp_p.as_ptr(),
        );
        libc::posix_spawnattr_destroy(&mut attr);
        if r == 0 { Ok(pid) } else { Err(r) }
    }
}

/// Applies the per-command settings and execs; exits 126/127 on failure.
fn exec_command(spec: &Spec, status: &mut std::fs::File) -> ! {
    use nix::sys::resource::setrlimit;
    for (r, soft, hard) in &spec.rlimits {
        if let Err(e) = setrlimit(r.resource(), *soft, *hard) {
            fail(
                status,
                64,
                &format!("--rlimit {}: cannot set {soft}:{hard}: {e}", r.name()),
            );
        }
    }
    for (path, fd) in [(&spec.stdout, 1), (&spec.stderr, 2)] {
        if let Some(p) = path {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
            {
                Ok(f) => {
                    let _ = if fd == 1 {
                        nix::unistd::dup2_stdout(&f)
                    } else {
                        nix::unistd::dup2_stderr(&f)
                    };
                }
                Err(e) => fail(status, 73, &format!("cannot open log {}: {e}", p.display())),
            }
        }
    }
    // Listening sockets to 3, 4, … (first out of the way, then into place).
    let high: Vec<OwnedFd> = spec
        .listen_fds
        .iter()
        .map(|fd| move_high(own(*fd)))
        .collect();
    for (i, fd) in high.iter().enumerate() {
        let target = 3 + i as RawFd;
        // SAFETY: between fork and exec: dup2 and fcntl are async-signal-
        // safe; `fd` is open, and `target` is a number we hand the command
        // (whatever it held goes, as the command expects).
        unsafe {
            libc::dup2(std::os::fd::AsRawFd::as_raw_fd(fd), target);
            libc::fcntl(target, libc::F_SETFD, 0);
        }
    }
    let mut env = spec.env.clone();
    if !spec.listen_fds.is_empty() {
        env.retain(|(k, _)| !k.starts_with("LISTEN_"));
        env.push(("LISTEN_FDS".into(), spec.listen_fds.len().to_string()));
        env.push(("LISTEN_PID".into(), std::process::id().to_string()));
        env.push(("LISTEN_FDNAMES".into(), spec.listen_names.join(":")));
    }
    if let Some(u) = spec.user {
        use nix::unistd::{Gid, Uid, setgid, setgroups, setuid};
        let r = setgroups(&[Gid::from_raw(u.gid)])
            .and_then(|_| setgid(Gid::from_raw(u.gid)))
            .and_then(|_| setuid(Uid::from_raw(u.uid)));
        if let Err(e) = r {
            fail(
                status,
                69,
                &format!("--user {}:{}: cannot switch: {e}", u.uid, u.gid),
            );
        }
        // A change of credentials clears the parent-death signal: set it again.
        if !spec.pid_ns {
            let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
        }
    }
    if spec.no_new_privs
        && let Err(e) = nix::sys::prctl::set_no_new_privs()
    {
        fail(status, 69, &format!("--no-new-privileges: {e}"));
    }
    let cstr = |s: &[u8]| CString::new(s).unwrap_or_else(|_| CString::new("?").unwrap());
    let program = cstr(spec.program.as_os_str().as_bytes());
    let argv: Vec<CString> = spec.argv.iter().map(|a| cstr(a.as_bytes())).collect();
    let envp: Vec<CString> = env
        .iter()
        .map(|(k, v)| cstr(format!("{k}={v}").as_bytes()))
        .collect();
    let err = nix::unistd::execve(&program, &argv, &envp).unwrap_err();
    let code = if err == nix::errno::Errno::ENOENT {
        127
    } else {
        126
    };
    fail(
        status,
        code,
        &format!("cannot run {}: {}", spec.program.display(), err.desc()),
    )
}
