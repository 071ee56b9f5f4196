//! Test helpers (feature `testkit`): a [`Scenario`] gives each test its own
//! temp directory, state directory, config home and working directory, a
//! cleared environment, a bin directory on `PATH` for fake plugins, and runs
//! the real built binaries.

use crate::registry::Registry;
use crate::state::StateDir;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

#[derive(Debug)]
pub struct Scenario {
    pub dir: tempfile::TempDir,
    /// `PTEST_HOME` of every command run here.
    pub state: PathBuf,
    /// The working directory of every command.
    pub work: PathBuf,
    /// `XDG_CONFIG_HOME`: the user config file is `config/ptest/config.toml`.
    pub config_home: PathBuf,
    /// First on `PATH`: put fake plugins here.
    pub bin: PathBuf,
    env: Vec<(String, String)>,
}

/// The directory holding the workspace's built binaries (`target/debug`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let mut dir = exe.parent().expect("exe dir").to_owned();
    if dir.ends_with("deps") {
        dir.pop();
    }
    dir
}

/// The path of a built binary of the workspace, e.g. `bin_path("ptest")`.
pub fn bin_path(name: &str) -> PathBuf {
    let p = target_dir().join(name);
    assert!(
        p.exists(),
        "{} is not built; run the tests with `cargo test --workspace` (it builds every binary)",
        p.display()
    );
    p
}

impl Default for Scenario {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Scenario {
    /// Removes the scenario's directory, retrying for a moment while a
    /// process a test started in the background (a guardian, a supervisor
    /// on its way out) still writes in it: a test leaves no directory
    /// behind.
    fn drop(&mut self) {
        for _ in 0..50 {
            match std::fs::remove_dir_all(self.dir.path()) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                _ => return,
            }
        }
    }
}

impl Scenario {
    pub fn new() -> Scenario {
        let dir = tempfile::Builder::new()
            .prefix("ptest-test-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path().to_owned();
        let [state, work, config_home, bin, home] =
            ["state", "work", "config", "bin", "home"].map(|d| root.join(d));
        for d in [&work, &config_home, &bin, &home] {
            std::fs::create_dir_all(d).unwrap();
        }
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let env = vec![
            ("PATH".into(), path),
            ("HOME".into(), home.display().to_string()),
            ("PTEST_HOME".into(), state.display().to_string()),
            ("XDG_CONFIG_HOME".into(), config_home.display().to_string()),
            ("LANG".into(), "C.UTF-8".into()),
        ];
        Scenario {
            dir,
            state,
            work,
            config_home,
            bin,
            env,
        }
    }

    /// Sets an environment variable for every later command.
    pub fn env(&mut self, k: &str, v: impl Into<String>) -> &mut Self {
        self.env.retain(|(x, _)| x != k);
        self.env.push((k.into(), v.into()));
        self
    }

    /// Writes a file relative to the scenario's root; returns its path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, contents).unwrap();
        p
    }

    /// Installs an executable script `ptest-<name>` in the scenario's bin dir.
    pub fn plugin(&self, name: &str, script: &str) -> PathBuf {
        let p = self.bin.join(format!("ptest-{name}"));
        std::fs::write(&p, script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    /// The scenario's registry, opened in-process.
    pub fn registry(&self) -> Registry {
        Registry::open(&StateDir::at(self.state.clone()).unwrap()).unwrap()
    }

    /// A command running the built binary `bin` inside this scenario.
    pub fn cmd(&self, bin: &str) -> Cmd {
        let program = if bin.contains('/') {
            PathBuf::from(bin)
        } else {
            bin_path(bin)
        };
        self.command(program)
    }

    /// A command running the built binary `bin` with the scenario's state
    /// directory mounted read-only, in a mount namespace of its own (root
    /// ignores file modes; a read-only bind mount it cannot write through).
    pub fn cmd_read_only_state(&self, bin: &str) -> Cmd {
        let state = self.state.display().to_string();
        let script = format!(
            "mount --bind {state} {state} && mount -o remount,bind,ro {state} && exec {} \"$@\"",
            bin_path(bin).display()
        );
        self.command("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &script, "sh"])
    }

    /// A command running any program inside this scenario.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Cmd {
        let mut c = Command::new(program);
        c.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.work);
        Cmd {
            inner: c,
            stdin: None,
        }
    }
}

#[derive(Debug)]
pub struct Cmd {
    pub inner: Command,
    stdin: Option<Vec<u8>>,
}

impl Cmd {
    pub fn arg(mut self, a: impl AsRef<std::ffi::OsStr>) -> Self {
        self.inner.arg(a);
        self
    }
    pub fn args<I, S>(mut self, a: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.inner.args(a);
        self
    }
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Self {
        self.inner.env(k, v);
        self
    }
    pub fn env_remove(mut self, k: &str) -> Self {
        self.inner.env_remove(k);
        self
    }
    pub fn current_dir(mut self, d: impl AsRef<Path>) -> Self {
        self.inner.current_dir(d);
        self
    }
    /// Feeds `input` on stdin (otherwise stdin is /dev/null).
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    pub fn run(mut self) -> Run {
        let desc = format!("{:?}", self.inner);
        self.inner
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // A program the test has just written may be held open for writing
        // for a moment by a child another test thread forked meanwhile (the
        // descriptor closes at that child's exec): ETXTBSY, retried briefly.
        let mut tries = 0;
        let mut child = loop {
            match self.inner.spawn() {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 100 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                r => break r.unwrap_or_else(|e| panic!("cannot run {desc}: {e}")),
            }
        };
        if let Some(input) = self.stdin.take() {
            let mut si = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = si.write_all(&input);
            });
        }
        let out = child.wait_with_output().unwrap();
        Run {
            desc,
            status: out.status,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Run {
    pub desc: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
    pub fn signal(&self) -> Option<i32> {
        self.status.signal()
    }
    /// Asserts the exit code, showing everything on failure.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(
            self.status.code(),
            Some(code),
            "{}\nexpected exit {code}, got {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.desc,
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }
    #[track_caller]
    pub fn success(self) -> Self {
        self.expect_code(0)
    }
    /// Asserts that stdout ends with exactly one `error` record, whose
    /// `exit` is the process's exit code and whose `tool` is `tool`;
    /// returns it.
    #[track_caller]
    pub fn error_record(&self, tool: &str) -> serde_json::Value {
        let recs = self.records();
        let errors = recs.iter().filter(|r| r["kind"] == "error").count();
        let last = recs.last().cloned().unwrap_or_default();
        assert!(
            errors == 1 && last["kind"] == "error",
            "{}
stdout must end with one error record
--- stdout
{}
--- stderr
{}",
            self.desc,
            self.stdout,
            self.stderr
        );
        assert_eq!(
            last["exit"].as_i64().map(|c| c as i32),
            self.code(),
            "{last}"
        );
        assert_eq!(last["tool"], tool, "{last}");
        last
    }

    /// Stdout's records but a final `error` record (which must be the only one).
    #[track_caller]
    pub fn records_before_error(&self) -> Vec<serde_json::Value> {
        let mut recs = self.records();
        if recs.last().is_some_and(|r| r["kind"] == "error") {
            recs.pop();
        }
        assert!(
            recs.iter().all(|r| r["kind"] != "error"),
            "an error record before the end: {}",
            self.stdout
        );
        recs
    }

    /// Stdout parsed as JSON Lines.
    #[track_caller]
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("stdout line {l:?} is not JSON: {e}"))
            })
            .collect()
    }
}
