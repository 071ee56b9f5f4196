//! Interpreters: finding one from `--python SPEC`, and its facts, learned
//! once by running it and cached by the real executable's path, size and
//! mtime.
//!
//! Running an interpreter is the slow part of making an environment (about
//! 20 ms for a bare CPython, 110 ms through a pyenv shim), so it happens
//! once per interpreter binary, ever. pyenv shims are resolved natively
//! (`PYENV_VERSION`, `.python-version`, the global version file), as pyenv
//! itself would, so that a shim costs a few file reads.

use ptest_shared::error::IoContext;
use ptest_shared::state::{Durability, StateDir, write_atomic_with};
use ptest_shared::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use ptest_shared::venv::{Interpreter, Markers, mtime_ns};

/// Asked of an interpreter once: everything as one JSON object.
const FACTS: &str = r#"
import json, os, platform, sys, sysconfig
def impl_version():
    v = sys.implementation.version
    s = '%d.%d.%d' % (v.major, v.minor, v.micro)
    if v.releaselevel != 'final':
        s += v.releaselevel[0] + str(v.serial)
    return s
scheme = 'venv' if 'venv' in sysconfig.get_scheme_names() else 'posix_prefix'
purelib = sysconfig.get_path('purelib', scheme, vars={'base': '/@B', 'platbase': '/@B'})
print(json.dumps({
    'executable': os.path.realpath(sys.executable),
    'version': '%d.%d.%d' % sys.version_info[:3],
    'short_version': '%d.%d' % sys.version_info[:2],
    'base_prefix': sys.base_prefix,
    'purelib': os.path.relpath(purelib, '/@B'),
    'lib64': sys.maxsize > 2**32 and os.name == 'posix' and sys.platform != 'darwin',
    'markers': {
        'implementation_name': sys.implementation.name,
        'implementation_version': impl_version(),
        'os_name': os.name,
        'platform_machine': platform.machine(),
        'platform_python_implementation': platform.python_implementation(),
        'platform_release': platform.release(),
        'platform_system': platform.system(),
        'platform_version': platform.version(),
        'python_full_version': platform.python_version(),
        'python_version': '.'.join(platform.python_version_tuple()[:2]),
        'sys_platform': sys.platform,
    },
}))
"#;

/// The facts of the interpreter `spec` names (`python3`, `3.12`,
/// `python3.11`, a path), from the cache when its binary is unchanged.
pub fn find(spec: &str, state: &StateDir) -> Result<Interpreter> {
    let (candidate, searched) = locate(spec);
    let Some(candidate) = candidate else {
        return Err(Error::unavailable(format!(
            "no Python interpreter for --python {spec:?}; searched {}",
            searched.join(", ")
        ))
        .hint("install it, put it on PATH, or pass --python /path/to/python3"));
    };
    let real = std::fs::canonicalize(&candidate).map_err(|e| {
        Error::unavailable(format!(
            "--python {spec:?}: {} is unusable: {e}",
            candidate.display()
        ))
    })?;
    let meta = std::fs::metadata(&real).io_context(|| format!("cannot read {}", real.display()))?;
    let cache_file = state.subdir("cache/venv")?.join("interpreters.json");
    let mut cache: BTreeMap<String, Interpreter> = std::fs::read(&cache_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let key = real.to_string_lossy().into_owned();
    if let Some(hit) = cache.get(&key)
        && hit.size == meta.len()
        && hit.mtime_ns == mtime_ns(&meta)
    {
        return Ok(hit.clone());
    }
    let facts = ask(&real, spec)?;
    let interp = Interpreter {
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        ..facts
    };
    cache.insert(key, interp.clone());
    // A lost race with another writer only costs the next caller one run.
    let bytes = serde_json::to_vec_pretty(&cache).unwrap_or_default();
    let _ = write_atomic_with(&cache_file, &bytes, Durability::Volatile);
    Ok(interp)
}

/// Runs the interpreter once for its facts.
fn ask(exe: &Path, spec: &str) -> Result<Interpreter> {
    let out = Command::new(exe)
        .args(["-I", "-S", "-c", FACTS])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::unavailable(format!(
                "--python {spec:?}: cannot run {}: {e}",
                exe.display()
            ))
        })?;
    if !out.status.success() {
        return Err(Error::unavailable(format!(
            "--python {spec:?}: {} failed ({}): {}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .hint("is it a Python 3 interpreter?"));
    }
    #[derive(Deserialize)]
    struct Facts {
        executable: PathBuf,
        version: String,
        short_version: String,
        base_prefix: PathBuf,
        purelib: PathBuf,
        lib64: bool,
        markers: Markers,
    }
    let f: Facts = serde_json::from_slice(&out.stdout).map_err(|e| {
        Error::unavailable(format!(
            "--python {spec:?}: {} did not answer as a Python 3 interpreter: {e}",
            exe.display()
        ))
    })?;
    Ok(Interpreter {
        executable: f.executable,
        version: f.version,
        short_version: f.short_version,
        base_prefix: f.base_prefix,
        purelib: f.purelib,
        lib64: f.lib64,
        markers: f.markers,
        size: 0,
        mtime_ns: 0,
    })
}

/// The executable `spec` names, and what was searched (for the error).
pub fn locate(spec: &str) -> (Option<PathBuf>, Vec<String>) {
    let mut searched = Vec::new();
    if spec.contains('/') {
        let p = PathBuf::from(spec);
        searched.push(p.display().to_string());
        let found = is_executable(&p).then_some(p);
        return (found.map(|p| resolve_shim(&p).unwrap_or(p)), searched);
    }
    // `3.12` means `python3.12`; `3` means `python3`.
    let name = if spec.starts_with(|c: char| c.is_ascii_digit()) {
        format!("python{spec}")
    } else {
        spec.to_owned()
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let p = dir.join(&name);
        if is_executable(&p) {
            if let Some(real) = resolve_shim(&p) {
                return (Some(real), searched);
            }
            if !is_shim(&p) {
                return (Some(p), searched);
            }
        }
        searched.push(p.display().to_string());
    }
    // Interpreters that managers keep off PATH: pyenv's and uv's.
    for root in managed_roots() {
        let Ok(entries) = std::fs::read_dir(&root) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        dirs.sort();
        dirs.reverse(); // newest version first, roughly
        for d in dirs {
            let p = d.join("bin").join(&name);
            if is_executable(&p) {
                return (Some(p), searched);
            }
        }
        searched.push(format!("{}/*/bin/{name}", root.display()));
    }
    (None, searched)
}

fn managed_roots() -> Vec<PathBuf> {
    let mut roots = vec![pyenv_root().join("versions")];
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    if let Some(d) = data {
        roots.push(d.join("uv/python"));
    }
    roots
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn pyenv_root() -> PathBuf {
    std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .unwrap_or_else(|| PathBuf::from("/nonexistent"))
}

fn is_shim(p: &Path) -> bool {
    shim_root(p).is_some()
}

/// The pyenv root a shim belongs to: shims are small scripts in
/// `$PYENV_ROOT/shims` that export `PYENV_ROOT` themselves, which also
/// works when the caller's environment does not say where pyenv lives.
fn shim_root(p: &Path) -> Option<PathBuf> {
    let dir = p.parent()?;
    if dir.file_name()? != "shims" {
        return None;
    }
    let mut head = [0u8; 1024];
    let n = std::fs::File::open(p)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .ok()?;
    let text = std::str::from_utf8(&head[..n]).ok()?;
    if !text.starts_with("#!") {
        return None;
    }
    let declared = text.lines().find_map(|l| {
        let v = l.trim().strip_prefix("export PYENV_ROOT=")?;
        Some(PathBuf::from(v.trim_matches(['"', '\''])))
    });
    match declared {
        Some(root) if root.join("shims") == dir => Some(root),
        Some(_) => None,
        None => (dir == pyenv_root().join("shims")).then(pyenv_root),
    }
}

/// What a pyenv shim would run, decided as pyenv decides: `PYENV_VERSION`,
/// else the nearest `.python-version` up from the working directory, else
/// `$PYENV_ROOT/version`; `None` when `p` is no shim or the answer is
/// `system` or unclear (the caller then runs the shim itself).
pub fn resolve_shim(p: &Path) -> Option<PathBuf> {
    let root = shim_root(p)?;
    let program = p.file_name()?;
    let versions = std::env::var("PYENV_VERSION").ok().or_else(|| {
        let mut dir = std::env::current_dir().ok();
        while let Some(d) = dir {
            if let Ok(s) = std::fs::read_to_string(d.join(".python-version")) {
                return Some(s);
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        std::fs::read_to_string(root.join("version")).ok()
    })?;
    for v in versions
        .split([':', '\n', ' '])
        .map(str::trim)
        .filter(|v| !v.is_empty() && !v.starts_with('#'))
    {
        if v == "system" {
            return None;
        }
        let exe = root.join("versions").join(v).join("bin").join(program);
        if is_executable(&exe) {
            return Some(exe);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_are_learned_once_and_cached_by_binary() {
        let home = tempfile::tempdir().unwrap();
        let state = StateDir::at(home.path().to_path_buf()).unwrap();
        let a = find("python3", &state).unwrap();
        assert!(a.version.starts_with("3."), "{a:?}");
        assert!(a.executable.is_absolute());
        assert!(a.purelib.ends_with("site-packages"), "{a:?}");
        assert_eq!(a.markers.python_full_version, a.version);
        let cache = home.path().join("cache/venv/interpreters.json");
        let before = std::fs::metadata(&cache).unwrap().modified().unwrap();
        let b = find("python3", &state).unwrap();
        assert_eq!(a, b);
        let after = std::fs::metadata(&cache).unwrap().modified().unwrap();
        assert_eq!(before, after, "a cache hit rewrites nothing");
    }

    #[test]
    fn a_missing_interpreter_is_69_listing_what_was_searched() {
        let home = tempfile::tempdir().unwrap();
        let state = StateDir::at(home.path().to_path_buf()).unwrap();
        let e = find("python9.99", &state).unwrap_err();
        assert_eq!(e.exit.code(), 69);
        assert!(e.message.contains("python9.99"), "{}", e.message);
        assert!(e.message.contains("searched"), "{}", e.message);
        let e = find("/no/such/python", &state).unwrap_err();
        assert_eq!(e.exit.code(), 69);
        assert!(e.message.contains("/no/such/python"), "{}", e.message);
    }
}
