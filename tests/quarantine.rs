//! One corrupt registry file never stops the rest: it is moved aside with a
//! warning, every `ls` and `gc` goes on, `ptest doctor` reports it, and a
//! lease whose entry was quarantined is still held while its owner lives
//! and freed by `gc` once it is gone.

use ptest_shared::testkit::Scenario;

fn lease(s: &Scenario, owner: &str) -> serde_json::Value {
    s.cmd("ptest-port")
        .args(["lease", "--range", "14500-14501", "--owner", owner])
        .run()
        .success()
        .records()
        .remove(0)
}

#[test]
fn a_corrupt_entry_is_quarantined_and_everything_else_goes_on() {
    let s = Scenario::new();
    let live = lease(&s, "none");
    let reg = s.state.join("registry");
    std::fs::write(reg.join("venv-garbage.json"), "{not a record").unwrap();
    std::fs::write(
        reg.join("port-badport.json"),
        r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-badport","port":99999}"#,
    )
    .unwrap();
    for cmd in [
        &["ptest", "ls"][..],
        &["ptest-port", "ls"],
        &["ptest-venv", "ls"],
        &["ptest-proc", "ls"],
        &["ptest", "gc"],
    ] {
        let r = s.cmd(cmd[0]).args(&cmd[1..]).run().success();
        let _ = r;
    }
    let listed = s.cmd("ptest").arg("ls").run().success().records();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], live["id"]);
    let q: Vec<String> = std::fs::read_dir(s.state.join("quarantine"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(q.len(), 2, "{q:?}");
    let doctor = s
        .cmd("ptest")
        .args(["doctor", "--json"])
        .run()
        .success()
        .records();
    let check = doctor.iter().find(|c| c["name"] == "quarantine").unwrap();
    assert_eq!(check["ok"], false);
    assert!(
        check["detail"]
            .as_str()
            .unwrap()
            .contains("venv-garbage.json")
    );
    assert_eq!(check["files"].as_array().unwrap().len(), 2);
}

#[test]
fn a_quarantined_lease_is_held_while_its_owner_lives_and_freed_after() {
    let s = Scenario::new();
    // An owner that lives for the test: a sleep we kill later.
    let mut owner = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .unwrap();
    let held = lease(&s, &owner.id().to_string());
    let id = held["id"].as_str().unwrap();
    // The registry entry is replaced by garbage (the index keeps its copy).
    let entry = s.state.join("registry").join(format!("{id}.json"));
    std::fs::remove_file(&entry).unwrap();
    std::fs::write(&entry, "garbage").unwrap();
    // Its port is not handed out again while the owner lives.
    let other = lease(&s, "none");
    assert_ne!(other["port"], held["port"]);
    let r = s
        .cmd("ptest-port")
        .args(["lease", "--range", "14500-14501"])
        .run()
        .expect_code(75);
    assert!(r.stderr.contains("exhausted"), "{}", r.stderr);
    s.cmd("ptest").arg("gc").run().success();
    let r = s
        .cmd("ptest-port")
        .args(["lease", "--range", "14500-14501"])
        .run()
        .expect_code(75);
    drop(r);
    // Gone: gc frees it.
    owner.kill().unwrap();
    owner.wait().unwrap();
    s.cmd("ptest").arg("gc").run().success();
    let again = lease(&s, "none");
    assert_eq!(again["port"], held["port"]);
}
