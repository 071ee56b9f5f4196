//! `ptest-proc __init`: the first process of a command's environment.
//!
//! The supervisor starts it (as PID 1 of fresh PID and mount namespaces
//! when it can, else as a plain child) with the [`Spec`] on a pipe. It joins
//! the command's cgroup, makes the namespaces' view right (a /proc of its
//! own, a private /tmp, a loopback-only network), then applies rlimits,
//! user, no-new-privileges, working directory, environment and inherited
//! listening sockets, and execs the command.
//!
//! In a PID namespace it forks the command as PID 2 and stays as its init:
//! it reaps every process, forwards SIGTERM/SIGHUP/SIGUSR1/SIGUSR2 to the
//! whole namespace, and when the command exits it reports the wait status on
//! the status pipe and exits, upon which the kernel kills whatever is left.
//! It dies with the supervisor (parent-death signal), and so does everything
//! in the namespace.
//!
//! Messages to the supervisor go on the status pipe as JSON lines:
//! `{"error": "...", "exit": 127}` when setting up or exec fails, and
//! `{"wait_status": N}` when the command ends (PID namespace only).

use crate::spec::Spec;
use nix::libc;
use std::ffi::CString;
use std::io::Write;
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::ffi::OsStrExt;

/// Fds of `__init` at or above this are its own (spec, status); below are
/// the command's (0-2 and 3.. for listening sockets).
const PRIVATE_FD_BASE: RawFd = 100;

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
    for p in &spec.cgroup_procs {
        if let Err(e) = std::fs::write(p, "0") {
            fail(
                &mut status,
                69,
                &format!("cannot join cgroup {}: {e}", p.display()),
            );
        }
    }
    // Into the working directory before anything is mounted over /tmp: the
    // directory stays ours even if its path is hidden afterwards.
    if let Some(dir) = &spec.cwd
        && let Err(e) = std::env::set_current_dir(dir)
    {
        fail(&mut status, 66, &format!("--cwd {}: {e}", dir.display()));
    }
    if spec.pid_ns {
        if let Err(e) = mount_namespace_setup(&spec) {
            fail(&mut status, 69, &e);
        }
    }
    if spec.net_none {
        if let Err(e) = nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET) {
            fail(
                &mut status,
                69,
                &format!(
                    "--net none: cannot make a network namespace: {e} (needs root or unprivileged user namespaces)"
                ),
            );
        }
        if let Err(e) = loopback_up() {
            fail(
                &mut status,
                69,
                &format!("--net none: cannot bring up loopback: {e}"),
            );
        }
    }
    if !spec.pid_ns {
        exec_command(&spec, &mut status);
    }
    forward_signals();
    // SAFETY: this process is single-threaded (a fresh exec).
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            restore_signals();
            exec_command(&spec, &mut status)
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => reap(child.as_raw(), &mut status),
        Err(e) => fail(&mut status, 71, &format!("cannot fork the command: {e}")),
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

/// Private mounts, our own /proc (so that PIDs in /proc are the namespace's
/// PIDs, as `ps` and psutil expect), and the private /tmp.
fn mount_namespace_setup(spec: &Spec) -> Result<(), String> {
    use nix::mount::{MsFlags, mount};
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(|e| format!("cannot make mounts private in the new mount namespace: {e}"))?;
    mount(
        Some("proc"),
        "/proc",
        Some("proc"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
        None::<&str>,
    )
    .map_err(|e| format!("cannot mount /proc for the new PID namespace: {e}"))?;
    if let Some(tmp) = &spec.private_tmp {
        mount(
            Some(tmp.as_path()),
            "/tmp",
            None::<&str>,
            MsFlags::MS_BIND,
            None::<&str>,
        )
        .map_err(|e| format!("--private-tmp: cannot bind {} on /tmp: {e}", tmp.display()))?;
    }
    Ok(())
}

/// `ip link set lo up`, with one ioctl.
fn loopback_up() -> Result<(), String> {
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
            if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) < 0 {
                return Err(std::io::Error::last_os_error().to_string());
            }
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS, &req) < 0 {
                return Err(std::io::Error::last_os_error().to_string());
            }
            Ok(())
        })();
        libc::close(fd);
        r
    }
}

static FORWARD: [libc::c_int; 4] = [libc::SIGTERM, libc::SIGHUP, libc::SIGUSR1, libc::SIGUSR2];

extern "C" fn forward(sig: libc::c_int) {
    // As PID 1 of the namespace, kill(-1) reaches every other process in it.
    unsafe { libc::kill(-1, sig) };
}

/// As the namespace's init: pass the supervisor's signals to everyone;
/// ignore the terminal's (the command, in the foreground group, gets them).
fn forward_signals() {
    unsafe {
        for s in FORWARD {
            libc::signal(s, forward as *const () as libc::sighandler_t);
        }
        for s in [libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP] {
            libc::signal(s, libc::SIG_IGN);
        }
    }
}

fn restore_signals() {
    unsafe {
        for s in FORWARD
            .iter()
            .chain(&[libc::SIGINT, libc::SIGQUIT, libc::SIGTSTP, libc::SIGPIPE])
        {
            libc::signal(*s, libc::SIG_DFL);
        }
    }
}

/// Reaps everything until the command ends, then reports and exits.
fn reap(command: libc::pid_t, status: &mut std::fs::File) -> ! {
    loop {
        let mut ws: libc::c_int = 0;
        let pid = unsafe { libc::waitpid(-1, &mut ws, 0) };
        if pid == command {
            let _ = writeln!(status, "{}", serde_json::json!({ "wait_status": ws }));
            unsafe { libc::_exit(0) }
        }
        if pid < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            unsafe { libc::_exit(70) }
        }
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
