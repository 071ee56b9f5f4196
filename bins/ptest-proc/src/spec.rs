//! What a command is launched with: the [`Spec`] the supervisor hands to
//! `ptest-proc __init`, and the parsers of the options that build it
//! (sizes, rlimits, env files, users).

use ptest_shared::{Error, Exit, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything `__init` needs to start the command, sent as JSON on a pipe.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Spec {
    /// The program as resolved on the command's PATH, and its arguments.
    pub program: PathBuf,
    pub argv: Vec<String>,
    /// The command's whole environment.
    pub env: Vec<(String, String)>,
    pub cwd: Option<PathBuf>,
    /// `(resource, soft, hard)`; `u64::MAX` is unlimited.
    pub rlimits: Vec<(Rlimit, u64, u64)>,
    pub user: Option<UserIds>,
    pub no_new_privs: bool,
    /// A fresh network namespace with only loopback, brought up.
    pub net_none: bool,
    /// Init is PID 1 of a new PID and mount namespace: mount /proc, fork the command.
    pub pid_ns: bool,
    /// Bind this directory on /tmp (needs the mount namespace).
    pub private_tmp: Option<PathBuf>,
    /// `cgroup.procs` files to join before anything runs.
    pub cgroup_procs: Vec<PathBuf>,
    /// Names of the listening sockets passed as fds 3, 4, … (socket activation).
    pub listen_names: Vec<String>,
    /// The fds (in init) holding those sockets, in order.
    pub listen_fds: Vec<i32>,
    /// Send the command's stdout/stderr to these files (appending).
    pub stdout: Option<PathBuf>,
    pub stderr: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserIds {
    pub uid: u32,
    pub gid: u32,
}

/// The resources `--rlimit NAME=VALUE` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rlimit {
    As,
    Core,
    Cpu,
    Data,
    Fsize,
    Memlock,
    Msgqueue,
    Nice,
    Nofile,
    Nproc,
    Rss,
    Rtprio,
    Sigpending,
    Stack,
}

impl Rlimit {
    pub const ALL: &[(&str, Rlimit)] = &[
        ("AS", Rlimit::As),
        ("CORE", Rlimit::Core),
        ("CPU", Rlimit::Cpu),
        ("DATA", Rlimit::Data),
        ("FSIZE", Rlimit::Fsize),
        ("MEMLOCK", Rlimit::Memlock),
        ("MSGQUEUE", Rlimit::Msgqueue),
        ("NICE", Rlimit::Nice),
        ("NOFILE", Rlimit::Nofile),
        ("NPROC", Rlimit::Nproc),
        ("RSS", Rlimit::Rss),
        ("RTPRIO", Rlimit::Rtprio),
        ("SIGPENDING", Rlimit::Sigpending),
        ("STACK", Rlimit::Stack),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    pub fn resource(self) -> nix::sys::resource::Resource {
        use nix::sys::resource::Resource as R;
        match self {
            Rlimit::As => R::RLIMIT_AS,
            Rlimit::Core => R::RLIMIT_CORE,
            Rlimit::Cpu => R::RLIMIT_CPU,
            Rlimit::Data => R::RLIMIT_DATA,
            Rlimit::Fsize => R::RLIMIT_FSIZE,
            Rlimit::Memlock => R::RLIMIT_MEMLOCK,
            Rlimit::Msgqueue => R::RLIMIT_MSGQUEUE,
            Rlimit::Nice => R::RLIMIT_NICE,
            Rlimit::Nofile => R::RLIMIT_NOFILE,
            Rlimit::Nproc => R::RLIMIT_NPROC,
            Rlimit::Rss => R::RLIMIT_RSS,
            Rlimit::Rtprio => R::RLIMIT_RTPRIO,
            Rlimit::Sigpending => R::RLIMIT_SIGPENDING,
            Rlimit::Stack => R::RLIMIT_STACK,
        }
    }

    /// Limits measured in bytes take size suffixes.
    fn is_size(self) -> bool {
        matches!(
            self,
            Rlimit::As
                | Rlimit::Core
                | Rlimit::Data
                | Rlimit::Fsize
                | Rlimit::Memlock
                | Rlimit::Msgqueue
                | Rlimit::Rss
                | Rlimit::Stack
        )
    }
}

pub use ptest_shared::units::parse_size;

/// `NAME=VALUE` or `NAME=SOFT:HARD`; values are numbers (sizes for the byte
/// limits) or `unlimited`.
pub fn parse_rlimit(s: &str) -> std::result::Result<(Rlimit, u64, u64), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: write NAME=VALUE, e.g. NOFILE=1024 or AS=2G"))?;
    let up = name.trim().to_ascii_uppercase();
    let up = up.strip_prefix("RLIMIT_").unwrap_or(&up);
    let r = Rlimit::ALL
        .iter()
        .find(|(n, _)| *n == up)
        .map(|(_, r)| *r)
        .ok_or_else(|| {
            let names: Vec<&str> = Rlimit::ALL.iter().map(|(n, _)| *n).collect();
            format!("{name:?} is not an rlimit; use one of {}", names.join(", "))
        })?;
    let one = |v: &str| -> std::result::Result<u64, String> {
        let v = v.trim();
        if v.eq_ignore_ascii_case("unlimited") || v.eq_ignore_ascii_case("infinity") {
            return Ok(u64::MAX);
        }
        if v == "0" {
            Ok(0)
        } else if r.is_size() {
            parse_size(v).map_err(|e| format!("{}: {e}", r.name()))
        } else {
            v.parse()
                .map_err(|_| format!("{}: {v:?} is not a number or `unlimited`", r.name()))
        }
    };
    let (soft, hard) = match value.split_once(':') {
        Some((a, b)) => (one(a)?, one(b)?),
        None => {
            let v = one(value)?;
            (v, v)
        }
    };
    if soft > hard {
        return Err(format!("{s:?}: the soft limit is above the hard limit"));
    }
    Ok((r, soft, hard))
}

/// A CPU count: `0.5`, `2`.
pub fn parse_cpus(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if (0.01..=4096.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number of CPUs (e.g. 0.5, 2)")),
    }
}

/// Reads `KEY=VALUE` lines: blank lines and `#` comments skipped, an
/// optional `export ` prefix, values optionally in single or double quotes.
pub fn read_env_file(path: &Path) -> Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::from_io(format!("--env-file {}", path.display()), &e))?;
    parse_env_file(&text, &path.display().to_string())
}

pub fn parse_env_file(text: &str, name: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let l = l.strip_prefix("export ").unwrap_or(l);
        let Some((k, v)) = l.split_once('=') else {
            return Err(Error::data(format!(
                "{name}:{}: expected KEY=VALUE, found {line:?}",
                i + 1
            )));
        };
        let k = k.trim();
        if !valid_env_name(k) {
            return Err(Error::data(format!(
                "{name}:{}: {k:?} is not a variable name",
                i + 1
            )));
        }
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            &v[1..v.len() - 1]
        } else {
            v
        };
        out.push((k.to_owned(), v.to_owned()));
    }
    Ok(out)
}

pub use ptest_shared::environ::{parse_env_pair, valid_env_name};

/// `--user NAME|UID[:GID]`: unknown users are exit 67.
pub fn resolve_user(s: &str) -> Result<UserIds> {
    use nix::unistd::{Gid, Group, Uid, User};
    let (u, g) = match s.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (s, None),
    };
    let nouser =
        |what: String| Error::new(Exit::NoUser, what).hint("check the name with `getent passwd`");
    let user = match u.parse::<u32>() {
        Ok(uid) => User::from_uid(Uid::from_raw(uid)).ok().flatten(),
        Err(_) => Some(
            User::from_name(u)
                .ok()
                .flatten()
                .ok_or_else(|| nouser(format!("--user {s}: no user named {u:?}")))?,
        ),
    };
    let uid = u
        .parse::<u32>()
        .unwrap_or_else(|_| user.as_ref().map(|x| x.uid.as_raw()).unwrap_or(0));
    let gid = match g {
        Some(g) => match g.parse::<u32>() {
            Ok(gid) => gid,
            Err(_) => Group::from_name(g)
                .ok()
                .flatten()
                .map(|gr| gr.gid.as_raw())
                .ok_or_else(|| nouser(format!("--user {s}: no group named {g:?}")))?,
        },
        None => match &user {
            Some(x) => x.gid.as_raw(),
            // A bare numeric UID with no passwd entry: its own number as group.
            None => Gid::from_raw(uid).as_raw(),
        },
    };
    Ok(UserIds { uid, gid })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn rlimits() {
        assert_eq!(
            parse_rlimit("NOFILE=1024"),
            Ok((Rlimit::Nofile, 1024, 1024))
        );
        assert_eq!(
            parse_rlimit("nofile=256:4096"),
            Ok((Rlimit::Nofile, 256, 4096))
        );
        assert_eq!(parse_rlimit("AS=2G"), Ok((Rlimit::As, 2 << 30, 2 << 30)));
        assert_eq!(
            parse_rlimit("RLIMIT_CORE=unlimited"),
            Ok((Rlimit::Core, u64::MAX, u64::MAX))
        );
        assert_eq!(parse_rlimit("CORE=0"), Ok((Rlimit::Core, 0, 0)));
        assert!(parse_rlimit("FILES=3").unwrap_err().contains("NOFILE"));
        assert!(parse_rlimit("NOFILE").is_err());
        assert!(parse_rlimit("NOFILE=9:3").unwrap_err().contains("soft"));
        assert!(
            parse_rlimit("NPROC=1G").is_err(),
            "counts take no size suffix"
        );
    }

    #[test]
    fn env_files() {
        let e = parse_env_file("# c\n\nexport A=1\nB = \"two words\"\nC='x'\nD=\n", "f").unwrap();
        assert_eq!(
            e,
            [
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x".into()),
                ("D".into(), "".into())
            ]
        );
        let err = parse_env_file("A=1\noops\n", "f.env").unwrap_err();
        assert!(err.message.contains("f.env:2"));
    }

    #[test]
    fn cpus() {
        assert_eq!(parse_cpus("0.5"), Ok(0.5));
        assert!(parse_cpus("0").is_err());
        assert!(parse_cpus("many").is_err());
    }

    #[test]
    fn users() {
        assert_eq!(resolve_user("root").unwrap(), UserIds { uid: 0, gid: 0 });
        assert_eq!(resolve_user("0:0").unwrap(), UserIds { uid: 0, gid: 0 });
        assert_eq!(
            resolve_user("no-such-user-xyz").unwrap_err().exit,
            Exit::NoUser
        );
        assert_eq!(
            resolve_user("65534:65534").unwrap(),
            UserIds {
                uid: 65534,
                gid: 65534
            }
        );
    }
}
