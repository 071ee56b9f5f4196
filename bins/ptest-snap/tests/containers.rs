//! Container snapshots against the real Docker engine: a busybox image
//! imported locally (no registry), real volumes, real exec.

#[path = "../../ptest-docker/tests/common/mod.rs"]
mod common;

use common::{Cleanup, busybox_image, docker, docker_output, docker_quiet, scenario};
use ptest_shared::testkit::Scenario;
use serde_json::Value;

/// Removes a snapshot (and so its committed image) however a test ends.
struct SnapCleanup<'a>(&'a Scenario, String);

impl Drop for SnapCleanup<'_> {
    fn drop(&mut self) {
        let _ = self.0.cmd("ptest-snap").args(["rm", &self.1]).run();
    }
}

fn exec(s: &Scenario, id: &str, script: &str) -> String {
    let run = s
        .cmd("ptest-docker")
        .args(["exec", id, "--", "sh", "-c", script])
        .run()
        .success();
    run.stdout.trim().to_owned()
}

fn of_kind(records: &[Value], kind: &str) -> Vec<Value> {
    records
        .iter()
        .filter(|r| r["kind"] == kind)
        .cloned()
        .collect()
}

fn host_port(c: &Value) -> u64 {
    c["ports"][0]["host_port"]
        .as_u64()
        .expect("a published port")
}

#[test]
fn volume_data_survive_snapshot_change_reset_and_restore() {
    let image = busybox_image();
    let s = scenario();
    let volume = format!("ptest-snap-test-{}", std::process::id());
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "db"])
        .args(["--port", "8080", "--memory", "64M"])
        .args(["--volume", &format!("{volume}:/data")])
        .args(["--", "sleep", "600"])
        .stdin("")
        .run()
        .success()
        .records();
    let mut cleanup = Cleanup(&s, created.clone());
    let original = of_kind(&created, "container").remove(0);
    let id = original["id"].as_str().unwrap().to_owned();
    let old_cid = original["container_id"].as_str().unwrap().to_owned();
    exec(
        &s,
        &id,
        "echo one > /data/f && mkdir /data/d && echo two > /data/d/g && \
         chown 65534:65534 /data/d/g && ln -s f /data/link && ln /data/f /data/hard",
    );

    let snap = s
        .cmd("ptest-snap")
        .args(["create", "--json", "--container", &id])
        .stdin("")
        .run()
        .success()
        .records();
    let snap = of_kind(&snap, "snapshot").remove(0);
    let snap_id = snap["id"].as_str().unwrap().to_owned();
    let _snap_cleanup = SnapCleanup(&s, snap_id.clone());
    assert_eq!(snap["container"], id.as_str(), "{snap}");
    assert!(snap.get("source").is_none(), "{snap}");
    assert_eq!(snap["files"], 3, "f, hard and d/g: {snap}");
    assert_eq!(snap["symlinks"], 1, "{snap}");
    let label = format!("label=ptest.snapshot={snap_id}");
    let committed = docker(&["image", "ls", "-q", "--filter", &label]);
    assert!(
        !committed.is_empty(),
        "a committed image labelled {snap_id}"
    );
    // The container was paused for the snapshot, and runs again.
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Status}}", &old_cid]),
        "running"
    );

    // A test changes the volume.
    exec(
        &s,
        &id,
        "rm /data/f /data/link && echo changed > /data/d/g && echo new > /data/h",
    );
    let reset = s
        .cmd("ptest-snap")
        .args(["reset", "--json", &snap_id])
        .run()
        .success()
        .records();
    cleanup.1.extend(reset.iter().cloned());
    let now = of_kind(&reset, "container").remove(0);
    assert_eq!(now["id"], id.as_str(), "reset keeps the ptest id: {now}");
    let new_cid = now["container_id"].as_str().unwrap().to_owned();
    assert_ne!(new_cid, old_cid, "the engine's container is new");
    assert_eq!(
        host_port(&now),
        host_port(&original),
        "the host port is kept"
    );
    assert_eq!(now["ports"][0]["host_ip"], "127.0.0.1");
    let ev = of_kind(&reset, "event")
        .into_iter()
        .find(|e| e["event"] == "snapshot.reset")
        .expect("a snapshot.reset event");
    assert_eq!(ev["container_id"], new_cid.as_str());
    assert!(
        docker_output(&["inspect", &old_cid]).is_none(),
        "old one gone"
    );
    // The registry says the new one: ptest docker exec by the ptest id finds it.
    assert_eq!(exec(&s, &id, "cat /data/f"), "one");
    assert_eq!(exec(&s, &id, "cat /data/d/g"), "two");
    assert_eq!(exec(&s, &id, "stat -c %u:%g /data/d/g"), "65534:65534");
    assert_eq!(exec(&s, &id, "readlink /data/link"), "f");
    assert_eq!(exec(&s, &id, "stat -c %h /data/f"), "2", "hard link kept");
    assert_eq!(
        exec(&s, &id, "test -e /data/h && echo yes || echo no"),
        "no"
    );
    let registered = s.registry().get(&id).unwrap().expect("still registered");
    assert_eq!(registered.get("container_id").unwrap(), new_cid.as_str());

    // Restore: a new container with the same settings and the data.
    let restored = s
        .cmd("ptest-snap")
        .args(["restore", "--json", &snap_id])
        .run()
        .success()
        .records();
    cleanup.1.extend(restored.iter().cloned());
    let copy = of_kind(&restored, "container").remove(0);
    assert_ne!(copy["id"], id.as_str());
    assert_eq!(copy["tool"], "ptest-docker");
    assert_eq!(copy["name"], "db");
    assert_eq!(copy["ports"][0]["container_port"], 8080);
    assert_eq!(copy["ports"][0]["host_ip"], "127.0.0.1");
    assert_eq!(copy["limits"]["memory_bytes"], 64 << 20);
    let copy_id = copy["id"].as_str().unwrap();
    let copy_cid = copy["container_id"].as_str().unwrap();
    assert!(s.registry().get(copy_id).unwrap().is_some(), "registered");
    assert_eq!(
        docker(&["inspect", "-f", "{{.HostConfig.Memory}}", copy_cid]),
        (64u64 << 20).to_string()
    );
    assert_eq!(exec(&s, copy_id, "cat /data/f /data/d/g"), "one\ntwo");
    // Its volume is its own: a change there is not seen by the other.
    exec(&s, copy_id, "echo mine > /data/f");
    assert_eq!(exec(&s, &id, "cat /data/f"), "one");

    // --mode overlay and --to make no sense for a container: usage errors.
    s.cmd("ptest-snap")
        .args(["restore", "--mode", "overlay", &snap_id])
        .run()
        .expect_code(64);
    s.cmd("ptest-snap")
        .args(["reset", "--mode", "overlay", &snap_id])
        .run()
        .expect_code(64);

    // rm removes the committed image (once no container runs from it:
    // `ptest down` removes the containers restored after the snapshot first).
    let containers: String = cleanup
        .1
        .iter()
        .filter(|r| r["kind"] == "container")
        .map(|r| format!("{r}\n"))
        .collect();
    s.cmd("ptest-docker")
        .arg("rm")
        .stdin(containers)
        .run()
        .success();
    s.cmd("ptest-snap").args(["rm", &snap_id]).run().success();
    assert_eq!(docker(&["image", "ls", "-q", "--filter", &label]), "");
}

#[test]
fn a_container_ptest_did_not_make_is_refused_and_nothing_is_made() {
    let image = busybox_image();
    let s = scenario();
    let cid = docker(&["create", &image, "sleep", "600"]);
    struct Rm(String);
    impl Drop for Rm {
        fn drop(&mut self) {
            docker_quiet(&["rm", "-f", &self.0]);
        }
    }
    let _rm = Rm(cid.clone());
    let run = s
        .cmd("ptest-snap")
        .args(["create", "--json", "--container", &cid])
        .stdin("")
        .run()
        .expect_code(65);
    assert!(
        run.error_record("ptest-snap")["message"]
            .as_str()
            .unwrap()
            .contains(&cid[..12]),
        "{}",
        run.stdout
    );
    s.cmd("ptest-snap")
        .args(["create", "--container", "container-zzzzzzzz"])
        .stdin("")
        .run()
        .expect_code(66);
    let ls = s
        .cmd("ptest-snap")
        .args(["ls", "--json"])
        .run()
        .success()
        .records();
    assert!(ls.is_empty(), "no snapshot: {ls:?}");
    let commits = docker(&[
        "image",
        "ls",
        "-q",
        "--filter",
        &format!("label=ptest.source={cid}"),
    ]);
    assert_eq!(commits, "", "nothing committed");
}
