//! The state directory cannot be redirected: a `PTEST_HOME` that is a
//! symlink of someone else's, or that leads to someone else's directory, is
//! refused (73) and whatever it points at is left exactly as it was.

use ptest_shared::testkit::Scenario;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

const OTHER: u32 = 65534;

/// What a directory holds and how it is set: nothing may change it.
fn fingerprint(d: &Path) -> (u32, u32, Vec<String>) {
    let m = std::fs::metadata(d).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    (m.uid(), m.mode() & 0o7777, names)
}

fn lease(s: &Scenario, home: &Path) -> ptest_shared::testkit::Run {
    s.cmd("ptest-port")
        .args(["lease", "--range", "14300-14309"])
        .env("PTEST_HOME", home)
        .run()
}

#[test]
fn a_symlinked_home_leading_to_another_users_directory_is_refused() {
    if !nix::unistd::geteuid().is_root() {
        panic!("this test makes files of another user: run the suite as root, as CI does");
    }
    let s = Scenario::new();
    let theirs = s.dir.path().join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("data"), "theirs").unwrap();
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o755)).unwrap();
    nix::unistd::chown(&theirs, Some(OTHER.into()), Some(OTHER.into())).unwrap();
    let theirs_before = fingerprint(&theirs);

    // Our own symlink to their directory.
    let link = s.dir.path().join("home-link");
    std::os::unix::fs::symlink(&theirs, &link).unwrap();
    let r = lease(&s, &link).expect_code(73);
    assert!(r.stderr.contains("belongs to uid 65534"), "{}", r.stderr);
    assert_eq!(
        fingerprint(&theirs),
        theirs_before,
        "the target was touched"
    );

    // Their symlink to a directory of ours.
    let ours = s.dir.path().join("ours");
    std::fs::create_dir(&ours).unwrap();
    std::fs::set_permissions(&ours, std::fs::Permissions::from_mode(0o755)).unwrap();
    let their_link = s.dir.path().join("their-link");
    std::os::unix::fs::symlink(&ours, &their_link).unwrap();
    nix::unistd::fchownat(
        nix::fcntl::AT_FDCWD,
        &their_link,
        Some(OTHER.into()),
        Some(OTHER.into()),
        nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
    )
    .unwrap();
    let before = fingerprint(&ours);
    let r = lease(&s, &their_link).expect_code(73);
    assert!(
        r.stderr.contains("symlink owned by uid 65534"),
        "{}",
        r.stderr
    );
    assert_eq!(fingerprint(&ours), before, "chmodded or written through");

    // A home to be made below their symlink.
    let r = lease(&s, &their_link.join("state")).expect_code(73);
    assert!(r.stderr.contains("their-link"), "{}", r.stderr);
    assert_eq!(fingerprint(&ours), before);

    // A directory of theirs, directly.
    let r = lease(&s, &theirs).expect_code(73);
    assert_eq!(r.error_record("ptest-port")["code"], "cant_create");
    assert_eq!(fingerprint(&theirs), theirs_before);
}

#[test]
fn a_symlink_inside_the_state_directory_is_not_written_through() {
    let s = Scenario::new();
    let home = s.dir.path().join("home-state");
    lease(&s, &home).success();
    let elsewhere = s.dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_dir_all(home.join("registry")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, home.join("registry")).unwrap();
    let r = lease(&s, &home).expect_code(73);
    assert!(r.stderr.contains("symlink"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}
