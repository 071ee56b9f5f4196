//! Test support for ptest-docker's integration tests: a tiny busybox image,
//! built here from Debian's busybox-static and imported with the tool
//! itself (no registry, no network).
//!
//! Use it from a test file with `mod common;` and call
//! [`busybox_image`], which returns the tag to run. The image is imported
//! once per test binary (whatever the number of tests calling it), always
//! through `ptest-docker image import`, so that every test run exercises
//! the import path; importing again under the same tag is harmless, and
//! the image the tag named before is removed when nothing uses it any
//! more, so repeated runs leave no dangling images behind.
//!
//! The root filesystem has `/bin/busybox` with a symlink per applet (`sh`,
//! `cat`, `sleep`, `httpd`, `nc`…), `/tmp` (mode 1777), `/root`, and an
//! `/etc/passwd` and `/etc/group` naming root (0) and nobody (65534).

#![allow(dead_code)] // each test binary uses its own part of this module

use ptest_shared::testkit::Scenario;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The tag of the shared busybox image. Tests never remove it.
pub const BUSYBOX_TAG: &str = "ptest-test/busybox:1";

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

/// The image id a tag names now, if any.
fn image_id(tag: &str) -> Option<String> {
    docker_output(&["image", "inspect", "--format", "{{.Id}}", tag])
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
/// `ptest-docker image import`.
pub fn busybox_image() -> String {
    static IMAGE: OnceLock<String> = OnceLock::new();
    IMAGE
        .get_or_init(|| {
            let s = scenario();
            let tarball: PathBuf = s.dir.path().join("rootfs.tar");
            write_busybox_rootfs(&tarball);
            let before = image_id(BUSYBOX_TAG);
            let record = import(&s, &tarball, BUSYBOX_TAG);
            let now = record["image_id"].as_str().unwrap_or_default().to_owned();
            // The image the tag named before is dangling now; it goes
            // unless a container (of a concurrent test run) still uses it.
            if let Some(old) = before
                && old != now
            {
                docker_quiet(&["image", "rm", &old]);
            }
            BUSYBOX_TAG.to_owned()
        })
        .clone()
}
