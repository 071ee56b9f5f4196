//! Starting the init ([`crate::init`]) and waiting for it: the supervisor's
//! side of a launch.
//!
//! Normally the init is forked in place: one fork, no exec, as cheap as
//! `timeout`'s. With a PID namespace it is cloned straight into fresh PID
//! and mount namespaces (`clone(CLONE_NEWPID | CLONE_NEWNS)`) and exec'd as
//! `ptest-proc __init`, so that it is PID 1 and everything the command starts
//! dies with it; likewise, exec'd, when the supervisor has more than one
//! thread (forking then is unsafe). The init gets its parent-death signal
//! before it runs any code of its own, and a lifeline pipe covers the moment
//! before that.

use crate::spec::Spec;
use nix::libc;
use ptest_shared::interrupt::Signals;
use ptest_shared::{Error, Result};
use std::ffi::CString;
use std::io::{BufRead, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::time::{Duration, Instant};

/// A running init (and under it, the command).
pub struct Launched {
    /// Host PID of the init.
    pub pid: i32,
    pub pid_ns: bool,
    status: std::io::BufReader<std::fs::File>,
    pidfd: OwnedFd,
    _lifeline: Option<OwnedFd>,
    pub started: Instant,
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Exited(i32),
    Signaled(i32),
}

impl Ended {
    pub fn from_wait_status(ws: i32) -> Ended {
        if libc::WIFSIGNALED(ws) {
            Ended::Signaled(libc::WTERMSIG(ws))
        } else {
            Ended::Exited(libc::WEXITSTATUS(ws))
        }
    }
    /// Writes `exit_code` and `signal` (one of them null) into a record.
    pub fn record(self, rec: &mut ptest_shared::Record) {
        match self {
            Ended::Exited(c) => rec
                .set("exit_code", c)
                .set("signal", serde_json::Value::Null),
            Ended::Signaled(s) => rec
                .set("exit_code", serde_json::Value::Null)
                .set("signal", s),
        };
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| Error::internal(format!("pipe: {e}")))
}

fn cstr(s: &[u8]) -> CString {
    CString::new(s).expect("no NUL in arguments")
}

/// True when this process has one thread, so that a forked child may run
/// ordinary code (allocate) before it execs.
fn single_threaded() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:").map(|n| n.trim() == "1"))
        })
        .unwrap_or(false)
}

fn pidfd(pid: i32) -> Result<OwnedFd> {
    ptest_shared::owner::pidfd_open(pid).map_err(|e| Error::internal(format!("pidfd_open: {e}")))
}

/// The command's init, forked straight from us (no namespaces, and no
/// other thread whose locks a child could inherit held).
fn launch_forked(spec: &Spec) -> Result<Launched> {
    let (status_r, status_w) = pipe()?;
    let me = std::process::id() as libc::pid_t;
    // SAFETY: we have one thread, so the child may run ordinary code.
    let pid = match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Child) => {
            drop(status_r);
            crate::init::forked(spec, status_w.as_raw_fd(), me)
        }
        Ok(nix::unistd::ForkResult::Parent { child }) => child.as_raw(),
        Err(e) => return Err(Error::temp_fail(format!("cannot fork: {e}"))),
    };
    drop(status_w);
    Ok(Launched {
        pid,
        pid_ns: false,
        status: std::io::BufReader::new(std::fs::File::from(status_r)),
        pidfd: pidfd(pid)?,
        _lifeline: None,
        started: Instant::now(),
    })
}

/// What exec of our own binary as `__init` needs, built before the fork:
/// the child may not allocate.
struct InitExec {
    exe_c: CString,
    /// Our own binary, opened now: a private /tmp mounted in the new
    /// namespace may hide its path (ptest installed or built under /tmp).
    exe_fd: std::fs::File,
    argv: Vec<CString>,
    envp: Vec<CString>,
}

fn init_exec(spec_r: &OwnedFd, status_w: &OwnedFd, life_r: &OwnedFd) -> Result<InitExec> {
    let exe = std::env::current_exe()
        .map_err(|e| Error::internal(format!("cannot find own executable: {e}")))?;
    let argv: Vec<CString> = [
        "ptest-proc".to_owned(),
        "__init".into(),
        spec_r.as_raw_fd().to_string(),
        status_w.as_raw_fd().to_string(),
        life_r.as_raw_fd().to_string(),
    ]
    .iter()
    .map(|a| cstr(a.as_bytes()))
    .collect();
    let envp: Vec<CString> = std::env::vars_os()
        .map(|(k, v)| {
            let mut kv = k.as_bytes().to_vec();
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).unwrap_or_else(|_| cstr(b"_=x"))
        })
        .collect();
    let exe_fd = std::fs::File::open(&exe).map_err(|e| {
        Error::internal(format!("cannot open own executable {}: {e}", exe.display()))
    })?;
    Ok(InitExec {
        exe_c: cstr(exe.as_os_str().as_bytes()),
        exe_fd,
        argv,
        envp,
    })
}

/// Starts the init with `spec` (and `inherit`, the listening sockets).
pub fn launch(spec: &Spec, inherit: &[RawFd]) -> Result<Launched> {
    if !spec.pid_ns && single_threaded() {
        return launch_forked(spec);
    }
    let (spec_r, spec_w) = pipe()?;
    let (status_r, status_w) = pipe()?;
    let (life_r, life_w) = pipe()?;
    let InitExec {
        exe_c,
        exe_fd,
        argv,
        envp,
    } = init_exec(&spec_r, &status_w, &life_r)?;
    let exe_raw = exe_fd.as_raw_fd();
    let status_raw = status_w.as_raw_fd();
    let keep: Vec<RawFd> = [spec_r.as_raw_fd(), status_w.as_raw_fd(), life_r.as_raw_fd()]
        .into_iter()
        .chain(inherit.iter().copied())
        .collect();
    // Everything the child touches is built here: after fork it may only
    // make async-signal-safe calls (no allocation).
    let mut argv_p: Vec<*const libc::c_char> = argv.iter().map(|a| a.as_ptr()).collect();
    argv_p.push(std::ptr::null());
    let mut env_p: Vec<*const libc::c_char> = envp.iter().map(|a| a.as_ptr()).collect();
    env_p.push(std::ptr::null());
    let child_setup = || -> ! {
        // SAFETY: between fork (or clone) and exec only async-signal-safe
        // calls, on descriptors we hold and on strings and pointer arrays
        // built before the fork, which outlive the calls.
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            for fd in &keep {
                libc::fcntl(*fd, libc::F_SETFD, 0);
            }
            libc::fexecve(exe_raw, argv_p.as_ptr(), env_p.as_ptr());
            libc::execve(exe_c.as_ptr(), argv_p.as_ptr(), env_p.as_ptr());
            let msg = b"{\"exit\":70,\"error\":\"cannot execute ptest-proc's own binary for the init\"}\n";
            libc::write(status_raw, msg.as_ptr().cast(), msg.len());
            libc::_exit(70)
        }
    };
    let pid = if spec.pid_ns {
        use nix::sched::CloneFlags as F;
        let mut stack = vec![0u8; 256 * 1024];
        // Without root, a user namespace of our own makes the others possible.
        let euid = nix::unistd::geteuid();
        let unprivileged = !euid.is_root();
        let mut flags = F::CLONE_NEWPID | F::CLONE_NEWNS;
        if unprivileged {
            flags |= F::CLONE_NEWUSER;
        }
        if spec.net_none {
            flags |= F::CLONE_NEWNET;
        }
        let ns = NamespaceSetup {
            unprivileged,
            uid_map: cstr(format!("{euid} {euid} 1").as_bytes()),
            gid_map: cstr(format!("{0} {0} 1", nix::unistd::getegid()).as_bytes()),
            cwd: spec.cwd.as_ref().map(|d| cstr(d.as_os_str().as_bytes())),
            private_tmp: spec
                .private_tmp
                .as_ref()
                .map(|t| cstr(t.as_os_str().as_bytes())),
            net_none: spec.net_none,
            status: status_w.as_raw_fd(),
        };
        let cb: nix::sched::CloneCb = Box::new(|| {
            ns.apply();
            child_setup()
        });
        // SAFETY: the callback only makes async-signal-safe calls, then execs.
        unsafe { nix::sched::clone(cb, &mut stack, flags, Some(libc::SIGCHLD)) }
            .map_err(|e| Error::unavailable(format!("cannot make a PID namespace: {e}")))?
            .as_raw()
    } else {
        // SAFETY: single fork, then only async-signal-safe calls until exec.
        match unsafe { nix::unistd::fork() } {
            Ok(nix::unistd::ForkResult::Child) => child_setup(),
            Ok(nix::unistd::ForkResult::Parent { child }) => child.as_raw(),
            Err(e) => return Err(Error::temp_fail(format!("cannot fork: {e}"))),
        }
    };
    drop((spec_r, status_w, life_r));
    let pidfd = pidfd(pid)?;
    let json = serde_json::to_vec(spec).expect("spec serialises");
    let mut w = std::fs::File::from(spec_w);
    // If __init died already, its status says why; the write error does not.
    let _ = w.write_all(&json);
    drop(w);
    Ok(Launched {
        pid,
        pid_ns: spec.pid_ns,
        status: std::io::BufReader::new(std::fs::File::from(status_r)),
        pidfd,
        _lifeline: Some(life_w),
        started: Instant::now(),
    })
}

/// What the clone callback sets up in the new namespaces before exec: after
/// exec a process that is not root inside its user namespace loses its
/// capabilities there, so mounts must come first. Syscalls only, on strings
/// built beforehand (async-signal-safe).
struct NamespaceSetup {
    unprivileged: bool,
    uid_map: CString,
    gid_map: CString,
    cwd: Option<CString>,
    private_tmp: Option<CString>,
    net_none: bool,
    status: RawFd,
}

impl NamespaceSetup {
    fn apply(&self) {
        // SAFETY: in the clone child before exec: only async-signal-safe
        // syscalls, on C strings built before the clone (which outlive them).
        unsafe {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if self.unprivileged {
                // Our own IDs, mapped to themselves.
                self.write(
                    c"/proc/self/setgroups",
                    c"deny",
                    "cannot deny setgroups in the user namespace",
                );
                self.write(
                    c"/proc/self/uid_map",
                    &self.uid_map,
                    "cannot write uid_map of the user namespace",
                );
                self.write(
                    c"/proc/self/gid_map",
                    &self.gid_map,
                    "cannot write gid_map of the user namespace",
                );
            }
            // Into the working directory before /tmp is covered: it stays
            // ours even if its path is hidden afterwards.
            if let Some(d) = &self.cwd
                && libc::chdir(d.as_ptr()) != 0
            {
                self.fail("--cwd: cannot enter the working directory");
            }
            let none = std::ptr::null::<libc::c_char>();
            if libc::mount(
                none,
                c"/".as_ptr(),
                none,
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ) != 0
            {
                self.fail("cannot make mounts private in the new mount namespace");
            }
            let flags = libc::MS_NOSUID | libc::MS_NODEV | libc::MS_NOEXEC;
            if libc::mount(
                c"proc".as_ptr(),
                c"/proc".as_ptr(),
                c"proc".as_ptr(),
                flags,
                std::ptr::null(),
            ) != 0
            {
                self.fail("cannot mount /proc for the new PID namespace");
            }
            if let Some(tmp) = &self.private_tmp
                && libc::mount(
                    tmp.as_ptr(),
                    c"/tmp".as_ptr(),
                    none,
                    libc::MS_BIND,
                    std::ptr::null(),
                ) != 0
            {
                self.fail("--private-tmp: cannot bind the private directory on /tmp");
            }
            if self.net_none && crate::init::loopback_up().is_err() {
                self.fail("--net none: cannot bring up loopback");
            }
        }
    }

    /// Writes `data` to `path` with raw syscalls (in the clone child).
    ///
    /// # Safety
    /// Only between clone and exec, where nothing but async-signal-safe
    /// calls may run.
    unsafe fn write(&self, path: &std::ffi::CStr, data: &std::ffi::CStr, what: &str) {
        // SAFETY: `path` and `data` are valid C strings for the calls.
        unsafe {
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            let n = data.to_bytes().len();
            if fd < 0 || libc::write(fd, data.as_ptr().cast(), n) != n as isize {
                self.fail(what);
            }
            libc::close(fd);
        }
    }

    /// Reports on the status pipe (a fixed message: no formatting here) and exits 69.
    fn fail(&self, what: &str) -> ! {
        // SAFETY: write(2) of byte slices that outlive the calls, then
        // _exit(2): both async-signal-safe.
        unsafe {
            for part in [
                &b"{\"exit\":69,\"error\":\""[..],
                what.as_bytes(),
                b" (needs root or unprivileged user namespaces)\"}\n",
            ] {
                libc::write(self.status, part.as_ptr().cast(), part.len());
            }
            libc::_exit(69)
        }
    }
}

/// Sends a raw signal number to `pid` (real-time ones included, which
/// nix's `Signal` cannot name).
pub fn send_signal(pid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: kill(2) takes no pointers; a gone PID is an error, not UB.
    unsafe { libc::kill(pid, sig) };
}

/// SIGKILLs `pid`.
pub fn kill(pid: libc::pid_t) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

/// Reaps every child that has ended, and returns.
pub fn reap_ended() {
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            // None left, or none ended yet.
            Ok(WaitStatus::StillAlive) | Err(nix::errno::Errno::ECHILD) => return,
            // Reaped (a status nix cannot decode, a real-time signal's, too).
            _ => {}
        }
    }
}

/// Why a wait returned.
pub enum Wake {
    Exited,
    Deadline,
    /// The supervisor got this signal.
    Signal(i32),
}

impl Launched {
    /// Waits for `__init` to exit, the deadline, or one of `signals`.
    pub fn wait(&self, deadline: Option<Instant>, signals: Option<&Signals>) -> Wake {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        loop {
            let timeout = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Wake::Deadline;
                    }
                    ptest_shared::interrupt::poll_timeout(left)
                }
                None => PollTimeout::NONE,
            };
            let mut fds = vec![PollFd::new(self.pidfd.as_fd(), PollFlags::POLLIN)];
            if let Some(s) = signals {
                fds.push(PollFd::new(s.fd(), PollFlags::POLLIN));
            }
            if poll(&mut fds, timeout).is_err() {
                continue; // EINTR: a signal; the pipe says which
            }
            let ready = |i: usize| {
                fds.get(i)
                    .and_then(PollFd::revents)
                    .is_some_and(|r| r.contains(PollFlags::POLLIN))
            };
            let (exited, signalled) = (ready(0), ready(1));
            if signalled && let Some(n) = signals.and_then(Signals::next) {
                return Wake::Signal(n);
            }
            if exited {
                return Wake::Exited;
            }
        }
    }

    /// Reaps the init and returns how the command ended (and its PID, when
    /// the init reported it), or the setup error the init reported (with the
    /// exit code to use).
    pub fn reap(&mut self) -> std::result::Result<(Ended, Option<i32>), (String, i32)> {
        let mut ws = 0;
        // SAFETY: `ws` is a valid int for the kernel to fill. (Raw: the
        // status is read as the kernel gives it, real-time signals too.)
        unsafe { libc::waitpid(self.pid, &mut ws, 0) };
        let init_end = Ended::from_wait_status(ws);
        let mut error = None;
        let mut reported = None;
        let mut pid = None;
        let mut line = String::new();
        while self.status.read_line(&mut line).unwrap_or(0) > 0 {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if let Some(e) = v["error"].as_str() {
                    error = Some((e.to_owned(), v["exit"].as_i64().unwrap_or(70) as i32));
                }
                if let Some(p) = v["pid"].as_i64() {
                    pid = Some(p as i32);
                }
                if let Some(w) = v["wait_status"].as_i64() {
                    reported = Some(Ended::from_wait_status(w as i32));
                }
            }
            line.clear();
        }
        if let Some(e) = error {
            return Err(e);
        }
        // Without a report, the init itself was killed (in a PID namespace,
        // by us: the namespace went with it).
        Ok((reported.unwrap_or(init_end), pid))
    }

    /// The command's host PID (the init's child; it may take the init a
    /// moment to fork it). `None` if it is gone already.
    pub fn command_pid(&self) -> Option<i32> {
        let until = Instant::now() + Duration::from_millis(500);
        loop {
            // An init that exited (a zombie until reaped) will fork nothing.
            if ptest_shared::owner::pidfd_exited(self.pidfd.as_fd(), Some(Duration::ZERO)) {
                return None;
            }
            let children =
                std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.pid)).ok()?;
            if let Some(p) = children
                .split_whitespace()
                .next()
                .and_then(|p| p.parse().ok())
            {
                return Some(p);
            }
            if Instant::now() > until {
                return None;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// Every descendant of `root` (by /proc children lists), deepest last.
pub fn descendants(root: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{p}/task")) else {
            continue;
        };
        for t in tasks.flatten() {
            let Ok(c) = std::fs::read_to_string(t.path().join("children")) else {
                continue;
            };
            for k in c.split_whitespace().filter_map(|x| x.parse::<i32>().ok()) {
                out.push(k);
                stack.push(k);
            }
        }
    }
    out
}
