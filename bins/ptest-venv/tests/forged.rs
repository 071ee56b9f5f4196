//! Forged `venv` records never delete a directory ptest did not make:
//! teardown acts on the registry's copy of the record's id, and `rm` of a
//! directory that is not in the registry is refused.

use ptest_shared::testkit::Scenario;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// A directory that looks like a virtual environment but is the user's.
fn victim(s: &Scenario, name: &str) -> PathBuf {
    let d = s.dir.path().join(name);
    std::fs::create_dir_all(d.join("bin")).unwrap();
    std::fs::write(d.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    std::fs::write(d.join("precious.txt"), "keep me\n").unwrap();
    d
}

fn forged(id: &str, path: &Path) -> String {
    let r = json!({"v": 1, "kind": "venv", "tool": "ptest-venv", "id": id,
        "created_at": "2026-01-01T00:00:00Z", "path": path,
        "env": {"VIRTUAL_ENV": path}, "path_prepend": [path.join("bin")]});
    format!("{r}\n")
}

fn create(s: &Scenario) -> Value {
    let wh = s.dir.path().join("wheels");
    std::fs::create_dir_all(&wh).unwrap();
    let r = s
        .cmd("ptest-venv")
        .args(["create", "--json", "--no-index", "--find-links"])
        .arg(&wh)
        .run()
        .success();
    r.records().pop().unwrap()
}

#[test]
fn a_forged_path_or_an_unregistered_id_deletes_nothing() {
    let s = Scenario::new();
    let v = victim(&s, "project-venv");
    for cmd in [vec!["ptest", "down"], vec!["ptest-venv", "rm"]] {
        let r = s
            .cmd(cmd[0])
            .args(&cmd[1..])
            .stdin(forged("venv-abcdefgh", &v))
            .run()
            .success();
        assert!(
            r.stderr
                .contains("not a live ptest resource: nothing removed"),
            "{cmd:?}: {}",
            r.stderr
        );
        assert!(
            v.join("precious.txt").is_file(),
            "{cmd:?} deleted the victim"
        );
    }
    // Named on the command line: refused, whatever it looks like.
    let r = s.cmd("ptest-venv").arg("rm").arg(&v).run().expect_code(65);
    assert!(
        r.stderr.contains("not an environment ptest made"),
        "{}",
        r.stderr
    );
    assert!(v.join("precious.txt").is_file());
}

#[test]
fn a_real_id_with_a_forged_path_removes_the_real_environment_only() {
    let s = Scenario::new();
    let v = victim(&s, "project-venv");
    let real = create(&s);
    let real_path = PathBuf::from(real["path"].as_str().unwrap());
    assert!(real_path.join("pyvenv.cfg").is_file());
    let id = real["id"].as_str().unwrap();
    let r = s
        .cmd("ptest")
        .arg("down")
        .stdin(forged(id, &v))
        .run()
        .success();
    let events = r.records();
    assert_eq!(events.len(), 1, "{}", r.stdout);
    assert_eq!(events[0]["id"], id);
    assert!(v.join("precious.txt").is_file(), "the victim was deleted");
    assert!(!real_path.exists(), "the real environment was left behind");
    assert!(s.registry().list().unwrap().is_empty(), "left registered");
    // The same through the tool's own rm.
    let real = create(&s);
    let real_path = PathBuf::from(real["path"].as_str().unwrap());
    s.cmd("ptest-venv")
        .arg("rm")
        .stdin(forged(real["id"].as_str().unwrap(), &v))
        .run()
        .success();
    assert!(v.join("precious.txt").is_file());
    assert!(!real_path.exists());
    assert!(s.registry().list().unwrap().is_empty());
}
