//! A command's environment as a stream describes it, and finding its
//! program: what every tool that runs a command inside an environment
//! (`proc run`, `proc start`, `mon run`) does the same way.

use crate::{Error, Exit, Record, Result};
use std::path::{Path, PathBuf};

/// The environment a stream gives: each record's `env`, then `path_prepend`,
/// in stream order, over `base`.
pub fn stream_env(
    base: Vec<(String, String)>,
    records: &[Record],
) -> Result<Vec<(String, String)>> {
    let mut env = base;
    for r in records {
        for (k, v) in r.env()? {
            set(&mut env, &k, v);
        }
        let dirs = r.path_prepend()?;
        if !dirs.is_empty() {
            let old = env
                .iter()
                .find(|(k, _)| k == "PATH")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let new = if old.is_empty() {
                dirs.join(":")
            } else {
                format!("{}:{old}", dirs.join(":"))
            };
            set(&mut env, "PATH", new);
        }
    }
    Ok(env)
}

/// Sets `k` to `v`, replacing an earlier value.
pub fn set(env: &mut Vec<(String, String)>, k: &str, v: String) {
    match env.iter_mut().find(|(x, _)| x == k) {
        Some(e) => e.1 = v,
        None => env.push((k.to_owned(), v)),
    }
}

/// A portable variable name: letters, digits and `_`, not starting with a digit.
pub fn valid_env_name(k: &str) -> bool {
    !k.is_empty()
        && !k.starts_with(|c: char| c.is_ascii_digit())
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `--env K=V`.
pub fn parse_env_pair(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if valid_env_name(k) && !v.contains('\0') => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!(
            "{s:?}: write NAME=VALUE with a variable name of letters, digits and _"
        )),
    }
}

/// Finds the program as a shell would: 127 when missing, 126 when not executable.
pub fn resolve_program(name: &str, env: &[(String, String)], cwd: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.as_str())
        .unwrap_or("/usr/bin:/bin");
    if name.contains('/') {
        let p = cwd.join(name);
        return match std::fs::metadata(&p) {
            Err(_) => Err(Error::new(Exit::NotFound, format!("{name}: no such file"))),
            Ok(m) if m.is_dir() || m.permissions().mode() & 0o111 == 0 => Err(Error::new(
                Exit::CannotExecute,
                format!("{name}: not an executable file"),
            )),
            Ok(_) => Ok(p),
        };
    }
    which::which_in(name, Some(path), cwd).map_err(|_| {
        let exists_unexecutable = std::env::split_paths(path).any(|d| d.join(name).is_file());
        if exists_unexecutable {
            Error::new(
                Exit::CannotExecute,
                format!("{name}: found on PATH but not executable"),
            )
        } else {
            Error::new(Exit::NotFound, format!("{name}: command not found"))
                .hint(format!("PATH is {path}"))
        }
    })
}

/// The working directory a `--cwd` names (which must exist), else ours.
pub fn working_dir(cwd: Option<&Path>) -> Result<PathBuf> {
    match cwd {
        Some(d) => {
            if !d.is_dir() {
                return Err(Error::no_input(format!(
                    "--cwd {}: no such directory",
                    d.display()
                )));
            }
            std::fs::canonicalize(d)
                .map_err(|e| Error::from_io(format!("--cwd {}", d.display()), &e))
        }
        None => std::env::current_dir()
            .map_err(|e| Error::from_io("cannot read the working directory", &e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_pairs() {
        assert!(parse_env_pair("1A=x").is_err());
        assert!(parse_env_pair("A").is_err());
        assert!(parse_env_pair("A=b\0").is_err());
        assert_eq!(parse_env_pair("A=b=c"), Ok(("A".into(), "b=c".into())));
    }

    #[test]
    fn stream_env_applies_records_in_order() {
        let recs: Vec<Record> = [
            r#"{"v":1,"kind":"x","env":{"A":"1"},"path_prepend":["/v/bin"]}"#,
            r#"{"v":1,"kind":"x","env":{"A":"2","B":"3"},"path_prepend":["/w/bin"]}"#,
        ]
        .iter()
        .map(|l| Record::parse(l, "t", 1).unwrap())
        .collect();
        let env = stream_env(vec![("PATH".into(), "/usr/bin".into())], &recs).unwrap();
        let get = |k: &str| env.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
        assert_eq!(get("A"), Some("2"));
        assert_eq!(get("B"), Some("3"));
        assert_eq!(get("PATH"), Some("/w/bin:/v/bin:/usr/bin"));
    }

    #[test]
    fn programs_are_found_as_a_shell_finds_them() {
        let env = vec![("PATH".to_owned(), "/usr/bin:/bin".to_owned())];
        let cwd = Path::new("/");
        assert!(resolve_program("sh", &env, cwd).is_ok());
        let e = resolve_program("no-such-program-here", &env, cwd).unwrap_err();
        assert_eq!(e.exit.code(), 127);
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        let e = resolve_program(plain.to_str().unwrap(), &env, cwd).unwrap_err();
        assert_eq!(e.exit.code(), 126);
        let e = resolve_program(dir.path().to_str().unwrap(), &env, cwd).unwrap_err();
        assert_eq!(e.exit.code(), 126, "a directory is not a program");
    }
}
