//! `ptest venv doctor`: the interpreter `ptest venv create` uses
//! (`venv.python`, found as `create` finds it), its pip, and uv (`venv.uv`,
//! else on PATH). Nothing is made: not even the state directory.

use crate::python;
use ptest_shared::Result;
use ptest_shared::checks::{Check, report};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs the checks and reports them.
pub fn run(common: &CommonArgs) -> Result<i32> {
    let config = common.load_config()?;
    report(common.json(), &checks(&config))
}

/// `python3`, `pip`, `uv`.
pub fn checks(config: &Config) -> Vec<Check> {
    let spec = config.string("venv.python");
    let mut all = python_checks(spec, python_facts(spec));
    all.push(uv_check(uv_facts(config.string("venv.uv"))));
    all
}

fn python_checks(spec: &str, found: std::result::Result<PythonInfo, String>) -> Vec<Check> {
    let py = match found {
        Ok(py) => py,
        Err(e) => {
            let hint = if spec == "python3" {
                "install Python 3 (e.g. `apt install python3`, or pyenv) and put python3 on PATH"
                    .to_owned()
            } else {
                format!(
                    "install {spec}, or set venv.python to an interpreter this machine has \
                     (`ptest config venv.python` shows where {spec:?} comes from)"
                )
            };
            return vec![
                Check::fail("python3", e, hint.clone()),
                Check::fail("pip", "no python3 to run pip with", hint),
            ];
        }
    };
    let via = if py.executable != py.path {
        format!(" (via {})", py.path.display())
    } else {
        String::new()
    };
    let python = Check::ok(
        "python3",
        format!("{} at {}{via}", py.version, py.executable.display()),
    )
    .with("version", py.version.as_str())
    .with("path", py.executable.display().to_string());
    let pip = match &py.pip {
        Some(v) => {
            Check::ok("pip", format!("{v} for python3 {}", py.version)).with("version", v.as_str())
        }
        None => Check::fail(
            "pip",
            format!(
                "python3 {} at {} has no pip",
                py.version,
                py.executable.display()
            ),
            "`python3 -m ensurepip --upgrade` or `apt install python3-pip`; with uv installed, \
             ptest venv does not need pip",
        ),
    };
    vec![python, pip]
}

fn uv_check(found: std::result::Result<ToolInfo, String>) -> Check {
    match found {
        Ok(uv) => Check::ok("uv", format!("{} at {}", uv.version, uv.path.display()))
            .with("version", uv.version.as_str())
            .with("path", uv.path.display().to_string()),
        Err(e) => Check::fail(
            "uv",
            e,
            "optional, for fast installs: `pip install uv` (or see \
             https://docs.astral.sh/uv/getting-started/installation/); without it ptest venv \
             installs with pip",
        ),
    }
}

/// The interpreter `venv.python` names.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PythonInfo {
    /// As found (may be a shim, e.g. pyenv's).
    path: PathBuf,
    /// The interpreter itself (`sys.executable`).
    executable: PathBuf,
    /// `3.11.7`.
    version: String,
    /// The version of the pip installed for it, when there is one.
    pip: Option<String>,
}

/// One run of the interpreter answers everything (startup through a shim
/// costs ~0.1 s): version, executable, and pip's version from its installed
/// metadata (without importing pip, which is slow).
const PYTHON_FACTS: &str = "\
import sys
print('%d.%d.%d' % sys.version_info[:3])
print(sys.executable)
try:
    import importlib.util, importlib.metadata
    print(importlib.metadata.version('pip') if importlib.util.find_spec('pip') else '')
except Exception:
    print('')
";

/// Finds the interpreter `spec` names, as `create` would, and asks it for
/// its version and pip.
fn python_facts(spec: &str) -> Result<PythonInfo, String> {
    let (found, searched) = python::locate(spec);
    let path = found.ok_or_else(|| {
        format!(
            "no Python interpreter for venv.python {spec:?}; searched {}",
            searched.join(", ")
        )
    })?;
    let out = run_capture(&path, &["-c", PYTHON_FACTS])?;
    let mut lines = out.lines().map(str::trim);
    let version = lines.next().unwrap_or_default().to_owned();
    let executable = lines.next().unwrap_or_default();
    let pip = lines.next().filter(|l| !l.is_empty()).map(str::to_owned);
    if version.is_empty() {
        return Err(format!("{} printed no version", path.display()));
    }
    Ok(PythonInfo {
        executable: if executable.is_empty() {
            path.clone()
        } else {
            PathBuf::from(executable)
        },
        path,
        version,
        pip,
    })
}

/// uv and the version it reports.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ToolInfo {
    path: PathBuf,
    version: String,
}

/// The uv `venv.uv` names, else the one on PATH (a pyenv shim resolved to
/// what it runs, as `create` does), and `uv --version` (`uv 0.4.18 (…)`).
fn uv_facts(configured: &str) -> Result<ToolInfo, String> {
    let found = if configured.is_empty() {
        which::which("uv").map_err(|_| "uv not found on PATH".to_owned())?
    } else {
        PathBuf::from(configured)
    };
    let path = python::resolve_shim(&found).unwrap_or(found);
    let out = run_capture(&path, &["--version"])?;
    let version = parse_version_word(&out)
        .ok_or_else(|| format!("{} --version printed no version: {out:?}", path.display()))?;
    Ok(ToolInfo { path, version })
}

/// The first whitespace-separated word starting with a digit (`uv 0.4.18
/// (abc 2024-10-01)` → `0.4.18`, `Python 3.11.7` → `3.11.7`).
fn parse_version_word(text: &str) -> Option<String> {
    text.split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .map(|w| w.trim_end_matches([',', ';']).to_owned())
}

/// Runs `program args…` and returns its stdout; `Err` names the program
/// and shows the start of its stderr when it fails.
fn run_capture(program: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        return Err(format!(
            "{} exited with {}{}",
            program.display(),
            out.status,
            if first.is_empty() {
                String::new()
            } else {
                format!(": {first}")
            }
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_words() {
        assert_eq!(
            parse_version_word("uv 0.4.18 (7b55e9790 2024-10-01)").as_deref(),
            Some("0.4.18")
        );
        assert_eq!(
            parse_version_word("Python 3.11.7\n").as_deref(),
            Some("3.11.7")
        );
        assert_eq!(parse_version_word("no digits here"), None);
    }

    #[test]
    fn python3_matches_its_own_version_flag() {
        let path = which::which("python3").expect("python3 is on PATH here");
        let out = Command::new(&path).arg("--version").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let info = python_facts("python3").unwrap();
        assert_eq!(Some(info.version), parse_version_word(&text));
        assert!(info.executable.is_absolute());
    }

    #[test]
    fn missing_interpreters_and_tools_are_named() {
        let e = python_facts("/nonexistent/python9").unwrap_err();
        assert!(e.contains("/nonexistent/python9"), "{e}");
        let e = uv_facts("/nonexistent/uv").unwrap_err();
        assert!(e.contains("/nonexistent/uv"), "{e}");
    }
}
