//! A create that fails leaves everything it did not make as it was, and
//! one that is killed leaves nothing `gc` cannot find: environments are
//! built beside their directory and renamed into place.

use ptest_shared::testkit::Scenario;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

fn listing(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_directory_that_holds_anything_is_refused_and_left_as_it_was() {
    let s = Scenario::new();
    let project = s.work.clone();
    std::fs::write(project.join("setup.py"), "print('mine')\n").unwrap();
    std::fs::create_dir(project.join("src")).unwrap();
    std::fs::write(project.join("src/app.py"), "x = 1\n").unwrap();
    let before = listing(&project);
    for dir in [".", project.to_str().unwrap(), "src"] {
        let r = s
            .cmd("ptest-venv")
            .args(["create", "--no-index", "--dir", dir])
            .run()
            .expect_code(73);
        assert!(r.stderr.contains("not empty"), "{}", r.stderr);
        assert_eq!(
            listing(&project),
            before,
            "--dir {dir} changed the directory"
        );
        assert_eq!(
            std::fs::read_to_string(project.join("src/app.py")).unwrap(),
            "x = 1\n"
        );
    }
    // A file, or a symlink, is not replaced either.
    std::os::unix::fs::symlink(project.join("src"), project.join("link")).unwrap();
    for dir in ["setup.py", "link"] {
        s.cmd("ptest-venv")
            .args(["create", "--no-index", "--dir", dir])
            .run()
            .expect_code(73);
    }
    assert!(project.join("link").is_symlink());
    // An empty directory is used, and nothing is left beside it.
    std::fs::create_dir(project.join("env")).unwrap();
    s.cmd("ptest-venv")
        .args(["create", "--no-index", "--dir", "env"])
        .run()
        .success();
    assert!(project.join("env/pyvenv.cfg").is_file());
    assert!(
        !listing(&project)
            .iter()
            .any(|n| n.contains("ptest-staging")),
        "{:?}",
        listing(&project)
    );
}

#[test]
fn a_killed_create_leaves_only_what_gc_removes_and_no_installer_behind() {
    let s = Scenario::new();
    // An installer that hangs: it records its pid, then sleeps as itself.
    let pidfile = s.dir.path().join("installer.pid");
    let uv = s.bin.join("uv");
    std::fs::write(
        &uv,
        format!(
            "#!/bin/sh\ncase \"$1\" in --version) echo 'uv 0.5.0'; exit 0;; esac\necho $$ > {}\nexec sleep 60\n",
            pidfile.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&uv, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut c = s
        .cmd("ptest-venv")
        .args([
            "create",
            "--no-cache",
            "--backend",
            "uv",
            "--no-index",
            "slowpkg",
        ])
        .inner;
    c.stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    let start = Instant::now();
    let installer: i32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|p| p.trim().parse().ok())
        {
            break pid;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the installer never ran"
        );
        assert!(child.try_wait().unwrap().is_none(), "create ended early");
        std::thread::sleep(Duration::from_millis(10));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    // The installer dies with its parent.
    let gone = || {
        std::fs::read_to_string(format!("/proc/{installer}/stat"))
            .map(|st| st.rsplit(')').next().unwrap().trim_start().starts_with('Z'))
            .unwrap_or(true)
    };
    let start = Instant::now();
    while !gone() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the installer outlived ptest-venv"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Half a build is left beside where it was going, noted for gc.
    let venvs = s.state.join("venvs");
    let left = listing(&venvs);
    assert!(
        left.len() == 1 && left[0].contains(".ptest-staging-"),
        "{left:?}"
    );
    assert!(s.registry().list().unwrap().is_empty());
    s.cmd("ptest-venv").arg("gc").run().success();
    assert_eq!(listing(&venvs), Vec::<String>::new());
    assert_eq!(listing(&s.state.join("staging")), Vec::<String>::new());
}
