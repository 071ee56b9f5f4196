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

use crate::spec::Spec;
use nix::libc;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;

/// Fds of `__init` at or above this are its own (spec, status); below are
/// the command's (0-2 and 3.. for listening sockets).
const PRIVATE_FD_BASE: RawFd = 100;

/// The signal the supervisor sends the init to SIGKILL the whole tree; also
/// the init's parent-death signal. A real-time signal: nothing else uses it.
pub fn kill_all_signal() -> libc::c_int {
    libc::SIGRTMIN() + 1
}

/// The init forked in place by a single-threaded supervisor (`supervisor` is
/// its PID, to notice if it died before the parent-death signal was set).
pub fn forked(spec: &Spec, status_fd: RawFd, supervisor: libc::pid_t) -> ! {
    unsafe {
        // The supervisor's handlers write to its signal pipe: not ours.
        for s in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGQUIT] {
            libc::signal(s, libc::SIG_DFL);
        }
    }
    // Blocked first, so that the parent-death signal waits for us.
    install_keeper_handlers();
    SUPERVISOR.store(supervisor, std::sync::atomic::Ordering::Relaxed);
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, kill_all_signal()) };
    let status_fd = move_high(status_fd);
    let mut status = unsafe { std::fs::File::from_raw_fd(status_fd) };
    if unsafe { libc::getppid() } != supervisor {
        unsafe { libc::_exit(1) }
    }
    keep(spec, &mut status)
}

/// `ptest-proc __init SPEC_FD STATUS_FD LIFELINE_FD`: the exec'd init.
pub fn main(spec_fd: RawFd, status_fd: RawFd, lifeline_fd: RawFd) -> ! {
    // Our own pipes go high, out of the way of fds 3.. of socket activation.
    let spec_fd = move_high(spec_fd);
    let status_fd = move_high(status_fd);
    let lifeline_fd = move_high(lifeline_fd);
    let mut status = unsafe { std::fs::File::from_raw_fd(status_fd) };
    let spec: Spec = {
        let f = unsafe { std::fs::File::from_raw_fd(spec_fd) };
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
    let mut pfd = libc::pollfd {
        fd: lifeline_fd,
        events: libc::POLLIN,
        revents: 0,
    };
    if unsafe { libc::poll(&mut pfd, 1, 0) } > 0
        && pfd.revents & (libc::POLLHUP | libc::POLLIN) != 0
    {
        unsafe { libc::_exit(1) }
    }
    unsafe { libc::close(lifeline_fd) };
    install_keeper_handlers();
    SUPERVISOR.store(
        unsafe { libc::getppid() },
        std::sync::atomic::Ordering::Relaxed,
    );
    if !spec.pid_ns {
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, kill_all_signal()) };
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
        unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1) };
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
                unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
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

fn move_high(fd: RawFd) -> RawFd {
    let n = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, PRIVATE_FD_BASE) };
    if n >= 0 {
        unsafe { libc::close(fd) };
        n
    } else {
        fd
    }
}

fn fail(status: &mut std::fs::File, code: i32, msg: &str) -> ! {
    let _ = writeln!(
        status,
        "{}",
        serde_json::json!({"error": msg, "exit": code})
    );
    let _ = writeln!(std::io::stderr(), "ptest-proc: error: {msg}");
    unsafe { libc::_exit(code) }
}

/// `ip link set lo up`, with one ioctl.
pub(crate) fn loopback_up() -> Result<(), String> {
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(std::io::Error::last_os_error().to_string());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo".iter().enumerate() {
            req.ifr_name[i] = *b as libc::c_char;
        }
        let r = (|| {
            if libc::ioctl(fd, libc::SIOCGIFFLAGS as _, &mut req) < 0 {
                return Err(std::io::Error::last_os_error().to_string());
            }
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS as _, &req) < 0 {
                return Err(std::io::Error::last_os_error().to_string());
            }
            Ok(())
        })();
        libc::close(fd);
        r
    }
}

static FORWARD: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGUSR1, libc::SIGUSR2];

/// The signals the keeper waits for (blocked, taken with sigwaitinfo: no
/// handler, no race between a signal and the wait for children).
fn keeper_set() -> libc::sigset_t {
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in FORWARD.iter().chain(&[libc::SIGCHLD, kill_all_signal()]) {
            libc::sigaddset(&mut set, *s);
        }
        set
    }
}

/// Blocks the keeper's signals, and the terminal's SIGINT/SIGQUIT/SIGTSTP
/// too: those are the command's business (it is in the terminal's
/// foreground group) and must not end the init. Blocked rather than
/// ignored, as an ignored disposition would pass on to the command.
fn install_keeper_handlers() {
    unsafe {
        let mut set = keeper_set();
        for s in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP] {
            libc::sigaddset(&mut set, s);
        }
        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

fn restore_signals() {
    unsafe {
        for s in FORWARD.iter().chain(&[
            libc::SIGINT,
            libc::SIGQUIT,
            libc::SIGTSTP,
            libc::SIGPIPE,
            kill_all_signal(),
        ]) {
            libc::signal(*s, libc::SIG_DFL);
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    }
}

/// Sends `sig` to every descendant (in a PID namespace: everyone else in it).
fn signal_descendants(pid_ns: bool, sig: libc::c_int) {
    if pid_ns {
        unsafe { libc::kill(-1, sig) };
        return;
    }
    for p in crate::launch::descendants(std::process::id() as i32) {
        unsafe { libc::kill(p, sig) };
    }
}

/// SIGKILLs every descendant until none is left (they may be forking).
fn kill_everyone(pid_ns: bool, command: libc::pid_t, ended: &mut Option<libc::c_int>) {
    if pid_ns {
        unsafe { libc::_exit(0) } // the kernel ends the namespace
    }
    for _ in 0..200 {
        let left = crate::launch::descendants(std::process::id() as i32);
        if left.is_empty() {
            return;
        }
        for p in left {
            unsafe { libc::kill(p, libc::SIGKILL) };
        }
        reap_nohang(command, ended);
    }
}

/// Reaps every child that has ended, keeping the command's wait status.
fn reap_nohang(command: libc::pid_t, ended: &mut Option<libc::c_int>) {
    loop {
        let mut ws: libc::c_int = 0;
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
            unsafe { libc::_exit(0) }
        }
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let sig = unsafe { libc::sigwaitinfo(&set, &mut info) };
        if sig == kill_all_signal() {
            kill_everyone(spec.pid_ns, command, &mut ended);
            if unsafe { libc::getppid() } == 1
                || info.si_code == libc::SI_KERNEL
                || !supervisor_alive()
            {
                unsafe { libc::_exit(1) }
            }
        } else if FORWARD.contains(&sig) {
            signal_descendants(spec.pid_ns, sig);
        }
    }
}

/// Whether the process that started us still is our parent.
fn supervisor_alive() -> bool {
    SUPERVISOR.load(std::sync::atomic::Ordering::Relaxed) == unsafe { libc::getppid() }
}

/// The supervisor's PID, to tell its death (re-parenting) from its request.
static SUPERVISOR: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// posix_spawn of the command with an empty signal mask and default
/// dispositions (the init's blocked and ignored signals are not the
/// command's). Returns the PID or the errno.
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
    unsafe {
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawnattr_init(&mut attr);
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::posix_spawnattr_setsigmask(&mut attr, &none);
        let mut defaults: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut defaults);
        for s in [
            libc::SIGINT,
            libc::SIGQUIT,
            libc::SIGTSTP,
            libc::SIGPIPE,
            kill_all_signal(),
        ] {
            libc::sigaddset(&mut defaults, s);
        }
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
                Ok(f) => unsafe {
                    libc::dup2(std::os::fd::AsRawFd::as_raw_fd(&f), fd);
                },
                Err(e) => fail(status, 73, &format!("cannot open log {}: {e}", p.display())),
            }
        }
    }
    // Listening sockets to 3, 4, … (first out of the way, then into place).
    let high: Vec<RawFd> = spec.listen_fds.iter().map(|fd| move_high(*fd)).collect();
    for (i, fd) in high.iter().enumerate() {
        let target = 3 + i as RawFd;
        unsafe {
            libc::dup2(*fd, target);
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
            unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
        }
    }
    if spec.no_new_privs && unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        fail(
            status,
            69,
            &format!("--no-new-privileges: {}", std::io::Error::last_os_error()),
        );
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
