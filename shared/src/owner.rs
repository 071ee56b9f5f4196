//! Ownership and lifetime of resources (docs/protocol.md, "Ownership and lifetime").
//!
//! An [`Owner`] is a process identified by PID *and* start time (clock ticks
//! since boot, field 22 of `/proc/PID/stat`) and the boot it ran in, so that a
//! recycled PID never keeps a dead owner's resources alive. `--owner` and
//! `--ttl` are parsed once here ([`LifetimeArgs`]) for every tool, and
//! [`judge`] decides whether a resource is still wanted.

use crate::error::{Error, Result};
use crate::record::{Record, format_time};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub pid: u32,
    /// Start time of the process in clock ticks since boot.
    pub start_time: u64,
    /// `/proc/sys/kernel/random/boot_id` of the boot the owner ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
}

/// What `/proc/PID/stat` says about a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    pub state: char,
    pub ppid: u32,
    pub pgrp: i32,
    pub session: i32,
    /// Clock ticks in user and system mode.
    pub utime: u64,
    pub stime: u64,
    /// Ticks of the children this process waited for.
    pub cutime: u64,
    pub cstime: u64,
    pub start_time: u64,
    /// Resident pages.
    pub rss_pages: u64,
}

/// Parses the contents of `/proc/PID/stat`. The command name may contain
/// spaces and parentheses, so fields are counted from the last `)`.
pub fn parse_stat(stat: &str) -> Option<ProcStat> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // f[0] is field 3 (state); field N is f[N - 3].
    let field = |n: usize| f.get(n - 3);
    // Signed in the kernel's format, never negative in practice.
    let ticks = |n: usize| Some(field(n)?.parse::<i64>().ok()?.max(0) as u64);
    Some(ProcStat {
        state: field(3)?.chars().next()?,
        ppid: field(4)?.parse().ok()?,
        pgrp: field(5)?.parse().ok()?,
        session: field(6)?.parse().ok()?,
        utime: field(14)?.parse().ok()?,
        stime: field(15)?.parse().ok()?,
        cutime: ticks(16)?,
        cstime: ticks(17)?,
        start_time: field(22)?.parse().ok()?,
        rss_pages: ticks(24)?,
    })
}

pub fn proc_stat(pid: u32) -> Option<ProcStat> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&s)
}

pub fn boot_id() -> Option<String> {
    static BOOT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    BOOT.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .ok()
            .map(|s| s.trim().to_owned())
    })
    .clone()
}

impl Owner {
    /// The identity of a running process, or `None` when there is none.
    pub fn of(pid: u32) -> Option<Owner> {
        let st = proc_stat(pid)?;
        if st.state == 'Z' || st.state == 'X' {
            return None;
        }
        Some(Owner {
            pid,
            start_time: st.start_time,
            boot_id: boot_id(),
        })
    }

    pub fn current() -> Owner {
        Owner::of(std::process::id()).expect("this process exists")
    }

    /// True while the very process that owned the resource runs: same PID,
    /// same start time, same boot, not a zombie.
    pub fn is_alive(&self) -> bool {
        if let (Some(mine), Some(now)) = (&self.boot_id, boot_id())
            && *mine != now
        {
            return false;
        }
        match proc_stat(self.pid) {
            Some(st) => st.start_time == self.start_time && st.state != 'Z' && st.state != 'X',
            None => false,
        }
    }
}

/// A pidfd of process `pid` (pidfd_open(2), which nix does not wrap):
/// readable once the process has exited, and never confused with a later
/// process of the same PID.
pub fn pidfd_open(pid: i32) -> std::io::Result<std::os::fd::OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: pidfd_open takes a PID and flags, no pointers.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pidfd_open returned a new descriptor, which nothing else owns.
    Ok(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as i32) })
}

/// Whether the process of `pidfd` has exited, waiting at most `timeout`
/// (`None`: as long as it takes).
pub fn pidfd_exited(pidfd: std::os::fd::BorrowedFd, timeout: Option<Duration>) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let t = match timeout {
        None => PollTimeout::NONE,
        Some(d) => crate::interrupt::poll_timeout(d),
    };
    let mut fds = [PollFd::new(pidfd, PollFlags::POLLIN)];
    poll(&mut fds, t).is_ok_and(|n| n > 0)
}

/// The `--owner` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerSpec {
    /// The caller's session: the terminal, CI job or `make` run.
    Session,
    /// The process that ran the tool.
    Caller,
    /// Nobody: the resource lives until removed (or its `--ttl`).
    None,
    Pid(u32),
}

impl FromStr for OwnerSpec {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "session" => Ok(OwnerSpec::Session),
            "caller" => Ok(OwnerSpec::Caller),
            "none" => Ok(OwnerSpec::None),
            _ => match s.parse::<u32>() {
                Ok(p) if p > 0 => Ok(OwnerSpec::Pid(p)),
                _ => Err(format!(
                    "{s:?} is not an owner: use session, caller, none or a process ID"
                )),
            },
        }
    }
}

impl std::fmt::Display for OwnerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OwnerSpec::Session => f.write_str("session"),
            OwnerSpec::Caller => f.write_str("caller"),
            OwnerSpec::None => f.write_str("none"),
            OwnerSpec::Pid(p) => write!(f, "{p}"),
        }
    }
}

impl OwnerSpec {
    /// The owning process this spec names, seen from the current process.
    pub fn resolve(self) -> Result<Option<Owner>> {
        let me = std::process::id();
        let caller = || {
            let ppid = nix::unistd::getppid().as_raw() as u32;
            Owner::of(ppid)
        };
        match self {
            OwnerSpec::None => Ok(None),
            OwnerSpec::Caller => Ok(caller()),
            OwnerSpec::Session => {
                // The session leader (a login shell, the CI job's shell, the
                // terminal's shell under make). When it is not visible (it
                // lives in a parent PID namespace, which getsid reports as 0:
                // containers, some CI runners) or is gone, the oldest living
                // ancestor in our session stands in; the caller when we lead
                // the session ourselves.
                let sid = nix::unistd::getsid(None)
                    .map(|p| p.as_raw() as u32)
                    .unwrap_or(0);
                let leader = (sid != 0 && sid != me).then(|| Owner::of(sid)).flatten();
                let ancestor = || {
                    (sid != me)
                        .then(|| oldest_ancestor_in_session(sid))
                        .flatten()
                };
                Ok(leader.or_else(ancestor).or_else(|| {
                    if sid != 0 && sid != me {
                        // The session ended, and nothing of it is left above
                        // us: we were re-parented to an init or a subreaper,
                        // which would keep the resource for good. It is ours
                        // instead, and goes when we exit.
                        Owner::of(me)
                    } else {
                        caller()
                    }
                }))
            }
            OwnerSpec::Pid(p) => Owner::of(p).map(Some).ok_or_else(|| {
                Error::usage(format!("--owner {p}: no process with ID {p} is running"))
            }),
        }
    }
}

/// The oldest ancestor of this process that is still in session `sid`,
/// below PID 1 (an init is nobody's session).
fn oldest_ancestor_in_session(sid: u32) -> Option<Owner> {
    let mut found = None;
    let mut pid = nix::unistd::getppid().as_raw() as u32;
    while pid > 1 {
        let Some(st) = proc_stat(pid) else { break };
        if st.session as u32 != sid || st.state == 'Z' {
            break;
        }
        found = Some(pid);
        pid = st.ppid;
    }
    found.and_then(Owner::of)
}

/// `--owner` and `--ttl`, flattened into every tool that makes resources.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct LifetimeArgs {
    /// Who keeps the resource alive: `session` (the terminal, CI job or make
    /// run that called ptest), `caller` (the calling process), `none`, or a
    /// process ID. When the owner exits, `ptest gc` removes the resource.
    #[arg(long, value_name = "WHO", help_heading = "Lifetime")]
    pub owner: Option<OwnerSpec>,
    /// Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h).
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_positive_duration, help_heading = "Lifetime")]
    pub ttl: Option<Duration>,
}

/// Who owns a resource and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifetime {
    pub owner: Option<Owner>,
    pub expires_at: Option<Timestamp>,
}

impl LifetimeArgs {
    /// Judges the flags against the tool's default owner.
    pub fn resolve(&self, default: OwnerSpec) -> Result<Lifetime> {
        let owner = self.owner.unwrap_or(default).resolve()?;
        let expires_at = match self.ttl {
            None => None,
            Some(ttl) => {
                let sd = jiff::SignedDuration::try_from(ttl)
                    .map_err(|_| Error::usage("--ttl is too long"))?;
                Some(
                    Timestamp::now()
                        .checked_add(sd)
                        .map_err(|_| Error::usage("--ttl is too long"))?,
                )
            }
        };
        Ok(Lifetime { owner, expires_at })
    }
}

impl Lifetime {
    /// Writes `owner` (omitted when none) and `expires_at` into a record.
    pub fn apply(&self, rec: &mut Record) {
        if let Some(o) = &self.owner {
            rec.set_owner(Some(o));
        }
        if let Some(t) = self.expires_at {
            rec.set("expires_at", format_time(t));
        }
    }
}

/// Whether a resource is still wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Live,
    /// Its owner process is gone (or its PID now belongs to another process).
    OwnerDead,
    /// Its `expires_at` has passed.
    Expired,
}

impl Liveness {
    pub fn as_str(self) -> &'static str {
        match self {
            Liveness::Live => "live",
            Liveness::OwnerDead => "owner-dead",
            Liveness::Expired => "expired",
        }
    }
}

/// Judges a resource record: expired first, then its owner.
pub fn judge(rec: &Record, now: Timestamp) -> Result<Liveness> {
    if let Some(t) = rec.expires_at()?
        && t <= now
    {
        return Ok(Liveness::Expired);
    }
    match rec.owner()? {
        Some(o) if !o.is_alive() => Ok(Liveness::OwnerDead),
        _ => Ok(Liveness::Live),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_odd_command_name() {
        let s = "4242 (a) b (c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10 18446744073709551615";
        let st = parse_stat(s).unwrap();
        assert_eq!(st.state, 'S');
        assert_eq!(st.ppid, 1);
        assert_eq!(st.session, 4242);
        assert_eq!(st.start_time, 98765);
        let t = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 \
                 250 50 7 3 20 0 1 0 123456 10000000 2560 18446744073709551615";
        assert_eq!(
            parse_stat(t),
            Some(ProcStat {
                state: 'S',
                ppid: 1,
                pgrp: 4242,
                session: 4242,
                utime: 250,
                stime: 50,
                cutime: 7,
                cstime: 3,
                start_time: 123456,
                rss_pages: 2560,
            })
        );
        assert_eq!(parse_stat("4242 (x) S 1"), None);
    }

    #[test]
    fn current_process_is_alive_and_a_changed_start_time_is_not() {
        let me = Owner::current();
        assert!(me.is_alive());
        let reused = Owner {
            start_time: me.start_time + 1,
            ..me.clone()
        };
        assert!(
            !reused.is_alive(),
            "same PID, other start time: a reused PID"
        );
        let other_boot = Owner {
            boot_id: Some("00000000-0000-0000-0000-000000000000".into()),
            ..me
        };
        assert!(!other_boot.is_alive());
    }

    #[test]
    fn owner_spec_parses() {
        assert_eq!("session".parse(), Ok(OwnerSpec::Session));
        assert_eq!("none".parse(), Ok(OwnerSpec::None));
        assert_eq!("42".parse(), Ok(OwnerSpec::Pid(42)));
        assert!("0".parse::<OwnerSpec>().is_err());
        assert!(
            "sesion"
                .parse::<OwnerSpec>()
                .unwrap_err()
                .contains("session, caller")
        );
    }

    #[test]
    fn judge_expiry_and_owner() {
        let now = Timestamp::now();
        let mut r = Record::resource("port", "ptest-port");
        assert_eq!(judge(&r, now).unwrap(), Liveness::Live);
        r.set_owner(Some(&Owner::current()));
        assert_eq!(judge(&r, now).unwrap(), Liveness::Live);
        r.set(
            "owner",
            serde_json::json!({"pid": std::process::id(), "start_time": 1}),
        );
        assert_eq!(judge(&r, now).unwrap(), Liveness::OwnerDead);
        r.set("expires_at", "2000-01-01T00:00:00Z");
        assert_eq!(judge(&r, now).unwrap(), Liveness::Expired);
        r.set("expires_at", "not a time");
        assert!(judge(&r, now).is_err());
    }

    #[test]
    fn lifetime_resolves_ttl_and_none() {
        let args = LifetimeArgs {
            owner: Some(OwnerSpec::None),
            ttl: Some(Duration::from_secs(60)),
        };
        let l = args.resolve(OwnerSpec::Session).unwrap();
        assert!(l.owner.is_none());
        let left = l.expires_at.unwrap().duration_since(Timestamp::now());
        assert!(left.as_secs() > 50 && left.as_secs() <= 60);
        let s = LifetimeArgs::default().resolve(OwnerSpec::Session).unwrap();
        assert!(s.owner.unwrap().is_alive());
    }
}
