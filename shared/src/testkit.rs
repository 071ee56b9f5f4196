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
use std::time::Duration;

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

    pub fn run(self) -> Run {
        self.run_within(None)
            .unwrap_or_else(|desc| panic!("{desc}: cannot happen without a limit"))
    }

    /// [`Cmd::run`], but the program is killed (SIGKILL) once `limit` has
    /// passed: `Err` describing the command when it had to be. For
    /// properties that must never hang.
    pub fn run_killed_after(self, limit: Duration) -> std::result::Result<Run, String> {
        self.run_within(Some(limit))
    }

    fn run_within(mut self, limit: Option<Duration>) -> std::result::Result<Run, String> {
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
        let Some(limit) = limit else {
            let out = child.wait_with_output().unwrap();
            return Ok(Run {
                desc,
                status: out.status,
                stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        };
        let drain = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                buf
            })
        };
        let stdout = drain(Box::new(child.stdout.take().unwrap()));
        let stderr = drain(Box::new(child.stderr.take().unwrap()));
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{desc}: still running after {limit:?}, killed"));
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        Ok(Run {
            desc,
            status,
            stdout: String::from_utf8_lossy(&stdout.join().unwrap()).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.join().unwrap()).into_owned(),
        })
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

/// What the property-based fuzz tests share (see docs/fuzzing.md): how many
/// cases a property runs, the seed it runs them from, and a bound on the
/// time one case may take. Kept free of proptest itself, so that only the
/// crates whose tests use it depend on it (each builds its `Config` from
/// [`fuzz::cases`] and [`fuzz::seed`]).
pub mod fuzz {
    use std::time::Duration;

    /// How many cases a property whose default is `default` runs:
    /// `PTEST_FUZZ_CASES` multiplies every property's default (`20` for a
    /// stress run twenty times as long; `0.1` for a quick look). At least 1.
    pub fn cases(default: u32) -> u32 {
        let scale = match std::env::var("PTEST_FUZZ_CASES") {
            Ok(v) if !v.trim().is_empty() => v.trim().parse::<f64>().unwrap_or_else(|_| {
                panic!("PTEST_FUZZ_CASES={v:?}: expected a multiplier such as 10 or 0.5")
            }),
            _ => 1.0,
        };
        assert!(
            scale.is_finite() && scale > 0.0,
            "PTEST_FUZZ_CASES must be more than 0"
        );
        ((f64::from(default) * scale).round() as u32).max(1)
    }

    /// The seed a property runs from: `PTEST_FUZZ_SEED` when set (to
    /// replay a failure), else a fresh random one. Printed on stderr, which
    /// the test harness shows when the property fails, with the command
    /// that replays it.
    pub fn seed(property: &str) -> u64 {
        let seed = match std::env::var("PTEST_FUZZ_SEED") {
            Ok(v) if !v.trim().is_empty() => v
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("PTEST_FUZZ_SEED={v:?}: expected a number")),
            _ => {
                let mut b = [0u8; 8];
                crate::record::random_bytes(&mut b);
                u64::from_le_bytes(b)
            }
        };
        eprintln!(
            "fuzz: {property}: seed {seed}; replay with PTEST_FUZZ_SEED={seed} (and the same PTEST_FUZZ_CASES)"
        );
        seed
    }

    /// The time one in-process case may take, however loaded the machine.
    pub const CASE_LIMIT: Duration = Duration::from_secs(10);

    /// The time one run of a binary may take before it is killed.
    pub const RUN_LIMIT: Duration = Duration::from_secs(10);

    /// Runs `f` on a thread of its own and returns what it returns; panics
    /// when it takes longer than `limit` (a hang: the thread is left
    /// behind, the property fails) and passes its panic on when it panics.
    pub fn within<T: Send + 'static>(
        limit: Duration,
        what: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        match rx.recv_timeout(limit) {
            Ok(v) => {
                let _ = worker.join();
                v
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
                Err(panic) => std::panic::resume_unwind(panic),
                Ok(()) => unreachable!("the worker sent nothing and did not panic"),
            },
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                panic!("{what}: still running after {limit:?}: a hang")
            }
        }
    }

    /// True when `text` is one line of text for people: not empty, no
    /// line break, and none of what a Rust panic prints.
    pub fn one_line(text: &str) -> bool {
        let t = text.strip_suffix('\n').unwrap_or(text);
        !t.trim().is_empty()
            && !t.contains('\n')
            && !t.contains("panicked at")
            && !t.contains("RUST_BACKTRACE")
    }
}
