//! Installers: uv when it is found (or configured), else the base
//! interpreter's own pip, pointed at the environment with `--python`.
//!
//! ptest decides *what* to install (requirements, deltas, extras to
//! remove); the backend resolves, downloads and unpacks. Its output goes
//! to stderr — stdout carries records — behind a spinner on a terminal.
//! A failed install is exit 69 after the backend's own message (a missing
//! package is the index's answer, which no one explains better).

use crate::python::{self, Interpreter};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `--backend`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Choice {
    /// uv when found, else pip.
    Auto,
    Uv,
    Pip,
}

impl Choice {
    pub fn parse(s: &str) -> Option<Choice> {
        match s {
            "auto" => Some(Choice::Auto),
            "uv" => Some(Choice::Uv),
            "pip" => Some(Choice::Pip),
            _ => None,
        }
    }
}

/// Where packages come from: the union of command-line options and the
/// options inside requirement files.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Index {
    pub index_url: Option<String>,
    pub extra_index_urls: Vec<String>,
    pub find_links: Vec<String>,
    pub no_index: bool,
}

impl Index {
    fn args(&self) -> Vec<String> {
        let mut a = Vec::new();
        if let Some(u) = &self.index_url {
            a.extend(["--index-url".into(), u.clone()]);
        }
        for u in &self.extra_index_urls {
            a.extend(["--extra-index-url".into(), u.clone()]);
        }
        for f in &self.find_links {
            a.extend(["--find-links".into(), f.clone()]);
        }
        if self.no_index {
            a.push("--no-index".into());
        }
        a
    }

    /// What the key of a template must cover: the options, and for local
    /// `--find-links` directories the wheels in them (names and mtimes), so
    /// that a new wheel in a wheelhouse builds a new template.
    pub fn fingerprint(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        for f in &self.find_links {
            let p = Path::new(f.strip_prefix("file://").unwrap_or(f));
            if let Ok(entries) = std::fs::read_dir(p) {
                let mut names: Vec<String> = entries
                    .flatten()
                    .map(|e| {
                        let m = e.metadata().map(|m| m.mtime()).unwrap_or(0);
                        format!("{}@{m}", e.file_name().to_string_lossy())
                    })
                    .collect();
                names.sort();
                s.push('\n');
                s.push_str(&names.join(","));
            }
        }
        s
    }
}

/// The installer chosen for an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Uv(PathBuf),
    Pip,
}

impl Backend {
    /// Picks the installer: `configured` is `[venv] uv` (a path to uv, or
    /// empty to search PATH).
    pub fn choose(choice: Choice, configured: &str) -> Result<Backend> {
        let uv = || -> Option<PathBuf> {
            let found = if configured.is_empty() {
                which::which("uv").ok()?
            } else {
                PathBuf::from(configured)
            };
            Some(python::resolve_shim(&found).unwrap_or(found))
        };
        match choice {
            Choice::Pip => Ok(Backend::Pip),
            Choice::Auto => Ok(uv().map(Backend::Uv).unwrap_or(Backend::Pip)),
            Choice::Uv => uv().map(Backend::Uv).ok_or_else(|| {
                Error::unavailable("--backend uv: uv is not on PATH").hint(
                    "install it (pip install uv), set [venv] uv to its path, or use --backend pip",
                )
            }),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Uv(_) => "uv",
            Backend::Pip => "pip",
        }
    }

    /// What a template key must cover of the installer: its binary.
    pub fn identity(&self) -> String {
        match self {
            Backend::Uv(p) => {
                let m = std::fs::metadata(p).ok();
                format!(
                    "uv {} {} {}",
                    p.display(),
                    m.as_ref().map(|m| m.len()).unwrap_or(0),
                    m.map(|m| m.mtime()).unwrap_or(0)
                )
            }
            Backend::Pip => "pip".into(),
        }
    }

    /// Installs `requirements` (lines of a requirements file: a
    /// requirement and its `--hash` options) into `env`, with
    /// `constraints`, compiling bytecode.
    pub fn install(
        &self,
        env: &Path,
        interp: &Interpreter,
        requirements: &[String],
        constraints: &[String],
        index: &Index,
    ) -> Result<()> {
        if requirements.is_empty() {
            return Ok(());
        }
        let scratch = tempfile::Builder::new()
            .prefix(".ptest-install-")
            .tempdir_in(env)
            .io_context(|| format!("cannot create a scratch directory in {}", env.display()))?;
        let reqs = scratch.path().join("requirements.txt");
        std::fs::write(&reqs, requirements.join("\n") + "\n")
            .io_context(|| format!("cannot write {}", reqs.display()))?;
        let mut args: Vec<String> = Vec::new();
        if requirements.iter().any(|r| r.contains("--hash")) {
            args.push("--require-hashes".into());
        }
        args.extend(["-r".into(), reqs.display().to_string()]);
        if !constraints.is_empty() {
            let c = scratch.path().join("constraints.txt");
            std::fs::write(&c, constraints.join("\n") + "\n")
                .io_context(|| format!("cannot write {}", c.display()))?;
            args.extend(["-c".into(), c.display().to_string()]);
        }
        args.extend(index.args());
        let what = format!(
            "installing {} requirement{} with {}",
            requirements.len(),
            if requirements.len() == 1 { "" } else { "s" },
            self.name()
        );
        let mut cmd = self.command(env, interp, "install");
        if let Backend::Uv(_) = self {
            cmd.arg("--compile-bytecode");
        } else {
            cmd.args(["--no-warn-script-location", "--no-input"]);
        }
        cmd.args(&args);
        run(cmd, &what)
    }

    /// Removes distributions (by name) from `env`.
    pub fn uninstall(&self, env: &Path, interp: &Interpreter, names: &[String]) -> Result<()> {
        if names.is_empty() {
            return Ok(());
        }
        let mut cmd = self.command(env, interp, "uninstall");
        if let Backend::Pip = self {
            cmd.arg("--yes");
        }
        cmd.args(names);
        run(
            cmd,
            &format!("removing {} with {}", names.join(", "), self.name()),
        )
    }

    fn command(&self, env: &Path, interp: &Interpreter, verb: &str) -> Command {
        let python = env.join("bin/python");
        match self {
            Backend::Uv(uv) => {
                let mut c = Command::new(uv);
                c.args(["pip", verb, "--python"]).arg(&python);
                c
            }
            Backend::Pip => {
                // The base interpreter's pip, acting on the environment:
                // environments need no pip of their own.
                let mut c = Command::new(&interp.executable);
                c.args(["-m", "pip", "--python"])
                    .arg(&python)
                    .args([verb, "--disable-pip-version-check"]);
                c
            }
        }
    }
}

/// Runs an installer: output to stderr as it comes, or behind a spinner on
/// a terminal (and printed when it fails).
fn run(mut cmd: Command, what: &str) -> Result<()> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let bar = ptest_shared::output::progress(0, what.to_owned());
    cmd.stdin(Stdio::null());
    // The installer dies with us: a SIGKILL of ptest-venv leaves no
    // installer writing into a directory that `gc` is removing.
    use std::os::unix::process::CommandExt;
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs in the child between fork and exec and only
    // calls prctl(2) and getppid(2), which are async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
            // Gone already, before the signal was asked for.
            if nix::unistd::getppid() != parent {
                return Err(std::io::Error::other("ptest-venv exited"));
            }
            Ok(())
        });
    }
    let status = if !bar.is_hidden() {
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| spawn_error(&program, &e))?;
        let mut out = String::new();
        let mut err = String::new();
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            if let Some(mut o) = stdout {
                let _ = o.read_to_string(&mut s);
            }
            s
        });
        if let Some(mut e) = child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        out.push_str(&reader.join().unwrap_or_default());
        let status = child
            .wait()
            .io_context(|| format!("cannot wait for {program}"))?;
        bar.finish_and_clear();
        if !status.success() {
            eprint!("{out}{err}");
        }
        status
    } else {
        // stdout is for records: the installer's stdout goes to stderr too.
        cmd.stdout(std::io::stderr());
        cmd.status().map_err(|e| spawn_error(&program, &e))?
    };
    if status.success() {
        Ok(())
    } else {
        Err(Error::unavailable(format!(
            "{what} failed ({}); its message is above",
            match status.code() {
                Some(c) => format!("exit {c}"),
                None => status.to_string(),
            }
        ))
        .hint("check the requirement names and versions, and the index options (--index-url, --find-links, --no-index)"))
    }
}

fn spawn_error(program: &str, e: &std::io::Error) -> Error {
    Error::unavailable(format!("cannot run {program}: {e}"))
}
