//! Finding suite tools and plugins: an executable `ptest-<name>` beside the
//! running binary first, then on `PATH`.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// The built-in tools and what each does.
pub const BUILTIN: &[(&str, &str)] = &[
    ("docker", "Containers, networks and volumes that never leak"),
    (
        "mon",
        "Resource sampling, thresholds and summaries of a process tree",
    ),
    (
        "port",
        "Conflict-free port leases across concurrent processes",
    ),
    (
        "proc",
        "Run and supervise commands with limits and no orphans",
    ),
    (
        "snap",
        "Content-addressed snapshots of directories, venvs and containers",
    ),
    ("venv", "Python virtual environments in milliseconds"),
];

/// True for `ptest` and the suite's own tools (`ptest-port`, …), built or
/// still to come: names no plugin may claim.
pub fn is_builtin(tool: &str) -> bool {
    tool == "ptest"
        || tool
            .strip_prefix("ptest-")
            .is_some_and(|n| BUILTIN.iter().any(|(b, _)| *b == n))
}

/// `ptest-<name>` names a tool: lower-case letters, digits and dashes.
pub fn valid_tool_name(name: &str) -> bool {
    name.strip_prefix("ptest-").is_some_and(|n| {
        !n.is_empty()
            && !n.starts_with('-')
            && n.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
    })
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The directory of the running executable.
pub fn own_dir() -> Option<PathBuf> {
    std::env::current_exe().ok()?.parent().map(Path::to_owned)
}

/// Finds the executable `binary` (e.g. `ptest-port`): beside us, then on PATH.
pub fn find(binary: &str) -> Option<PathBuf> {
    if let Some(d) = own_dir() {
        let p = d.join(binary);
        if is_executable(&p) {
            return Some(p);
        }
    }
    which::which(binary).ok()
}

/// Every `ptest-<name>` executable, beside us and on PATH: `(name, path)`,
/// sorted by name, the first found winning.
pub fn discover() -> Vec<(String, PathBuf)> {
    let mut dirs: Vec<PathBuf> = own_dir().into_iter().collect();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    let mut found: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            // Build artefacts beside a development binary (ptest-port.d) are not tools.
            if !valid_tool_name(&file) {
                continue;
            }
            let name = file["ptest-".len()..].to_owned();
            if !found.contains_key(&name) && is_executable(&e.path()) {
                found.insert(name, e.path());
            }
        }
    }
    found.into_iter().collect()
}

/// A plugin's one-line description: a line `ptest-description: TEXT` in the
/// first 8 KiB of its file (a comment near the top of a script).
pub fn describe(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut buf = vec![0; 8192];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .ok()?;
    let text = String::from_utf8_lossy(&buf[..n]);
    text.lines().find_map(|l| {
        l.split_once("ptest-description:")
            .map(|(_, d)| d.trim().to_owned())
            .filter(|d| !d.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names() {
        assert!(valid_tool_name("ptest-port"));
        assert!(valid_tool_name("ptest-my-plugin2"));
        assert!(!valid_tool_name("ptest-"));
        assert!(!valid_tool_name("ptest-../../bin/rm"));
        assert!(!valid_tool_name("ptest-port.d"));
        assert!(!valid_tool_name("port"));
        assert!(is_builtin("ptest-venv") && is_builtin("ptest-mon") && is_builtin("ptest"));
        assert!(!is_builtin("ptest-tmpdir") && !is_builtin("venv"));
    }
}
