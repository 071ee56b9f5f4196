//! Test support for ptest-docker's integration tests: a tiny busybox image,
//! built here from Debian's busybox-static and imported with the tool
//! itself (no registry, no network).
//!
//! Use it from a test file with `mod common;` and call
//! [`busybox_image`], which returns the tag to run. The image is imported
//! once per test binary (whatever the number of tests calling it), always
//! through `ptest-docker image import`, so that every test run exercises
//! the import path, under a tag of the binary's own; it is removed when the
//! binary exits ([`remove_at_exit`]), so a test run leaves no image behind.
//!
//! The root filesystem has `/bin/busybox` with a symlink per applet (`sh`,
//! `cat`, `sleep`, `httpd`, `nc`…), `/tmp` (mode 1777), `/root`, and an
//! `/etc/passwd` and `/etc/group` naming root (0) and nobody (65534).

#![allow(dead_code)] // each test binary uses its own part of this module

use ptest_shared::testkit::Scenario;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository of the busybox images; each test binary tags its own
/// with its process id.
pub const BUSYBOX_REPO: &str = "ptest-test/busybox";

/// Where Debian's busybox-static installs the binary.
pub const BUSYBOX: &str = "/bin/busybox";

/// A scenario for ptest-docker: [`Scenario::new`] plus the engine's
/// address, when the environment names one (the scenario's environment is
/// otherwise cleared).
pub fn scenario() -> Scenario {
    let mut s = Scenario::new();
    for k in ["DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"] {
        if let Ok(v) = std::env::var(k) {
            s.env(k, v);
        }
    }
    s
}

/// Runs the docker CLI (for checking what the tool made); returns stdout,
/// trimmed, or panics showing stderr when it fails.
#[track_caller]
pub fn docker(args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .output()
        .expect("the docker CLI runs");
    assert!(
        out.status.success(),
        "docker {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Runs the docker CLI; its trimmed stdout when it succeeds.
pub fn docker_output(args: &[&str]) -> Option<String> {
    let out = Command::new("docker").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Runs the docker CLI, ignoring how it ends (for cleanup).
pub fn docker_quiet(args: &[&str]) {
    let _ = Command::new("docker").args(args).output();
}

/// The applets of `/bin/busybox`.
fn applets() -> Vec<String> {
    let out = Command::new(BUSYBOX)
        .arg("--list")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {BUSYBOX} ({e}): install Debian's busybox-static"));
    assert!(out.status.success(), "{BUSYBOX} --list failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .filter(|a| !a.is_empty() && *a != "busybox" && !a.contains('/'))
        .map(str::to_owned)
        .collect()
}

/// Writes the busybox root filesystem as a plain tarball at `path`.
pub fn write_busybox_rootfs(path: &Path) {
    let file = std::fs::File::create(path).unwrap();
    let mut b = tar::Builder::new(file);
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_700_000_000);
        h
    };
    for (dir, mode) in [
        ("bin", 0o755),
        ("etc", 0o755),
        ("root", 0o700),
        ("tmp", 0o1777),
        ("dev", 0o755),
        ("proc", 0o555),
        ("sys", 0o555),
    ] {
        let mut h = header(tar::EntryType::Directory, mode, 0);
        b.append_data(&mut h, dir, std::io::empty()).unwrap();
    }
    let bin = std::fs::read(BUSYBOX)
        .unwrap_or_else(|e| panic!("cannot read {BUSYBOX} ({e}): install Debian's busybox-static"));
    let mut h = header(tar::EntryType::Regular, 0o755, bin.len() as u64);
    b.append_data(&mut h, "bin/busybox", &bin[..]).unwrap();
    for applet in applets() {
        let mut h = header(tar::EntryType::Symlink, 0o777, 0);
        b.append_link(&mut h, format!("bin/{applet}"), "busybox")
            .unwrap();
    }
    let passwd =
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
    let group = "root:x:0:\nnogroup:x:65534:\n";
    for (name, text) in [("etc/passwd", passwd), ("etc/group", group)] {
        let mut h = header(tar::EntryType::Regular, 0o644, text.len() as u64);
        b.append_data(&mut h, name, text.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().sync_all().unwrap();
}

/// Images to remove when this test binary exits.
static AT_EXIT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Removes `tag` when the test binary exits (its tests have removed their
/// containers by then): a test run leaves no image behind.
pub fn remove_at_exit(tag: &str) {
    extern "C" fn remove_images() {
        let tags = AT_EXIT.lock().map(|v| v.clone()).unwrap_or_default();
        for t in tags {
            docker_quiet(&["image", "rm", "-f", &t]);
        }
    }
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // SAFETY: atexit(3) with a function that takes and returns nothing;
        // it runs once, at the process's normal exit.
        unsafe { nix::libc::atexit(remove_images) };
    });
    AT_EXIT.lock().unwrap().push(tag.to_owned());
}

/// Imports `tarball` as `tag` with `ptest-docker image import`, panicking
/// with the tool's output when it fails; returns the `image` record.
pub fn import(s: &Scenario, tarball: &Path, tag: &str) -> serde_json::Value {
    let run = s
        .cmd("ptest-docker")
        .args(["image", "import", "--json", "--tag", tag])
        .arg(tarball)
        .run()
        .success();
    let mut records = run.records();
    assert_eq!(records.len(), 1, "one image record: {}", run.stdout);
    records.remove(0)
}

/// The busybox image's tag, imported (once per test binary) with
/// `ptest-docker image import`, and removed when the binary exits.
pub fn busybox_image() -> String {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            let s = scenario();
            let tarball: PathBuf = s.dir.path().join("rootfs.tar");
            write_busybox_rootfs(&tarball);
            let tag = format!("{BUSYBOX_REPO}:{}", std::process::id());
            remove_at_exit(&tag);
            import(&s, &tarball, &tag);
            tag
        })
        .clone()
}

/// Removes what a test made (the records ptest-docker wrote), however the
/// test ends: a failing assertion leaves nothing behind either.
pub struct Cleanup<'a>(pub &'a Scenario, pub Vec<Value>);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let input: String = self.1.iter().map(|r| format!("{r}\n")).collect();
        let _ = self.0.cmd("ptest-docker").arg("rm").stdin(input).run();
    }
}
