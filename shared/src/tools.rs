//! Finding suite tools and plugins: an executable `ptest-<name>` beside the
//! running binary first, then on `PATH`.

use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// What a tool said: its exit status, stdout and stderr.
pub struct Answer {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Answer {
    /// The last non-blank line of its stderr: what it said went wrong.
    pub fn last_words(&self) -> &str {
        self.stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message")
            .trim()
    }
}

/// Runs a tool (`ptest-<name> ARGS`) the way the dispatcher calls one: with
/// `PTEST` naming us, `input` on its stdin (else none), its stdout and
/// stderr captured. With a `limit`, a tool still running when it passes is
/// killed with its process group and this is an error saying so; without
/// one it may take as long as its work does (a terminal's Ctrl-C reaches it
/// with us).
pub fn call(
    path: &Path,
    args: &[&str],
    input: Option<String>,
    limit: Option<Duration>,
) -> std::result::Result<Answer, String> {
    let mut cmd = Command::new(path);
    cmd.args(args)
        .env("PTEST", std::env::current_exe().unwrap_or_default())
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if limit.is_some() {
        // A group of its own, so that what it started goes with it.
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // A tool that does not read all of its stdin must not block us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
    }
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
        });
        rx
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let status = match limit {
        None => child
            .wait()
            .map_err(|e| format!("cannot wait for {name}: {e}"))?,
        Some(limit) => {
            let start = Instant::now();
            let mut nap = Duration::from_millis(1);
            loop {
                match child.try_wait() {
                    Ok(Some(status)) => break status,
                    Ok(None) if start.elapsed() < limit => {}
                    Ok(None) => {
                        let _ = nix::sys::signal::killpg(
                            nix::unistd::Pid::from_raw(child.id() as i32),
                            nix::sys::signal::Signal::SIGKILL,
                        );
                        let _ = child.wait();
                        return Err(format!(
                            "{name} {} was still running after {}, killed",
                            args.first().unwrap_or(&""),
                            crate::units::format_duration(limit)
                        ));
                    }
                    Err(e) => return Err(format!("cannot wait for {name}: {e}")),
                }
                std::thread::sleep(nap);
                nap = (nap * 2).min(Duration::from_millis(25));
            }
        }
    };
    // Something it left running may hold its pipes open: what it said by
    // the time it exited (and a moment after) is what counts.
    let grace = Duration::from_secs(2);
    let take = |rx: mpsc::Receiver<String>| match limit {
        Some(_) => rx.recv_timeout(grace).unwrap_or_default(),
        None => rx.recv().unwrap_or_default(),
    };
    Ok(Answer {
        status,
        stdout: take(stdout),
        stderr: take(stderr),
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

    #[test]
    fn a_call_hands_over_its_input_and_collects_the_answer() {
        let a = call(Path::new("/bin/cat"), &[], Some("one\ntwo\n".into()), None).unwrap();
        assert!(a.status.success());
        assert_eq!(a.stdout, "one\ntwo\n");
        let a = call(
            Path::new("/bin/sh"),
            &["-c", "echo first >&2; echo 'last words' >&2; exit 3"],
            None,
            Some(Duration::from_secs(30)),
        )
        .unwrap();
        assert_eq!(a.status.code(), Some(3));
        assert_eq!(a.last_words(), "last words");
        let e = call(Path::new("/nonexistent/ptest-x"), &["gc"], None, None).err();
        assert!(e.unwrap().contains("/nonexistent/ptest-x"));
    }

    #[test]
    fn a_call_past_its_limit_is_killed_with_what_it_started() {
        let dir = std::env::temp_dir().join(format!("ptest-call-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pids = dir.join("pids");
        let script = format!("sleep 300 & echo $! > {}; wait", pids.display());
        let e = call(
            Path::new("/bin/sh"),
            &["-c", &script],
            None,
            Some(Duration::from_millis(300)),
        )
        .err()
        .expect("a call past its limit is an error");
        assert!(
            e.contains("still running after") && e.contains("killed"),
            "{e}"
        );
        let pid: i32 = std::fs::read_to_string(&pids)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        // The grandchild went with the group (its parent reaps it, or init).
        let deadline = Instant::now() + Duration::from_secs(5);
        while Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .is_ok_and(|s| s.contains(") Z "))
        {
            assert!(Instant::now() < deadline, "sleep {pid} outlived the call");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
