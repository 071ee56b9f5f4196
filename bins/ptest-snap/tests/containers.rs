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
         chown 65534:65534 /data/d/g && ln -s f /data/link && ln /data/f /data/hard && \
         echo fs > /fs.txt",
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
    // Its filesystem changed (/fs.txt): committed.
    assert_eq!(snap["image_method"], "commit", "{snap}");
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

/// What the engine holds (containers, volumes, networks) labelled for the
/// owner of process `pid`.
fn owned_by(pid: u32) -> Vec<String> {
    let prefix = format!("{pid}:");
    let mut found = Vec::new();
    for (what, args, name) in [
        ("container", &["ps", "-a"][..], "{{.Names}}"),
        ("volume", &["volume", "ls"][..], "{{.Name}}"),
        ("network", &["network", "ls"][..], "{{.Name}}"),
    ] {
        let format = format!("{name}\t{{{{.Label \"ptest.owner\"}}}}");
        let mut a = args.to_vec();
        a.extend(["--format", &format]);
        for line in docker(&a).lines() {
            if let Some((name, owner)) = line.split_once('\t')
                && owner.starts_with(&prefix)
            {
                found.push(format!("{what} {name}"));
            }
        }
    }
    found
}

/// The registry's records of `kind`.
fn registered(s: &Scenario, kind: &str) -> usize {
    s.registry()
        .list()
        .unwrap()
        .into_iter()
        .filter(|r| r.kind() == kind)
        .count()
}

/// A process the restored objects are owned by, so that only the command's
/// own undo can remove them (not the guardian); killed when the test ends.
struct Owner(std::process::Child);

impl Drop for Owner {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn readiness_is_waited_for_again_and_a_restore_that_never_gets_ready_leaves_nothing() {
    use std::time::{Duration, Instant};
    let image = busybox_image();
    let s = scenario();
    let owner = Owner(
        std::process::Command::new("sleep")
            .arg("300")
            .spawn()
            .unwrap(),
    );
    let pid = owner.0.id();
    let volume = format!("ptest-snap-ready-{}", std::process::id());
    // Ready once /data/up exists; the command makes it unless /data/never
    // is there.
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "slow"])
        .args([
            "--volume",
            &format!("{volume}:/data"),
            "--tmpfs",
            "/scratch",
        ])
        .args(["--ready-cmd", "test -f /data/up", "--ready-timeout", "5s"])
        .args([
            "--",
            "sh",
            "-c",
            "test -f /data/never || touch /data/up; exec sleep 600",
        ])
        .stdin("")
        .run()
        .success()
        .records();
    let _cleanup = Cleanup(&s, created.clone());
    let original = of_kind(&created, "container").remove(0);
    assert_eq!(
        original["ready"],
        serde_json::json!({"cmd": "test -f /data/up", "timeout_ms": 5000}),
        "the record keeps the checks: {original}"
    );
    let id = original["id"].as_str().unwrap().to_owned();
    exec(&s, &id, "rm /data/up && touch /data/never");
    // create --all from the stream create wrote: its container is taken.
    let stream: String = created.iter().map(|r| format!("{r}\n")).collect();
    let snap = s
        .cmd("ptest-snap")
        .args(["create", "--json", "--all"])
        .stdin(stream)
        .run()
        .success()
        .records();
    let snap = of_kind(&snap, "snapshot").remove(0);
    let snap_id = snap["id"].as_str().unwrap().to_owned();
    let _snap_cleanup = SnapCleanup(&s, snap_id.clone());
    assert_eq!(snap["container"], id.as_str(), "{snap}");

    let before = (registered(&s, "container"), registered(&s, "volume"));
    // The restored container never gets ready: 124 naming the check, and
    // what the restore made is gone.
    let started = Instant::now();
    let run = s
        .cmd("ptest-snap")
        .args(["restore", "--json", "--owner", &pid.to_string(), &snap_id])
        .run()
        .expect_code(124);
    assert!(started.elapsed() >= Duration::from_secs(5), "it waited");
    let err = run.error_record("ptest-snap");
    let msg = err["message"].as_str().unwrap();
    assert!(
        msg.contains("not ready after 5s") && msg.contains("command `test -f /data/up`"),
        "{msg}"
    );
    assert!(run.stderr.contains("log"), "the log's tail: {}", run.stderr);
    assert_eq!(owned_by(pid), Vec::<String>::new(), "nothing left");
    let after = (registered(&s, "container"), registered(&s, "volume"));
    assert_eq!(before, after, "nothing registered");

    // Interrupted while it waits: nothing left either.
    for (sig, code) in [
        (nix::sys::signal::Signal::SIGINT, 130),
        (nix::sys::signal::Signal::SIGTERM, 143),
    ] {
        let mut c =
            s.cmd("ptest-snap")
                .args(["restore", "--json", "--owner", &pid.to_string(), &snap_id]);
        let child = c
            .inner
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !owned_by(pid).iter().any(|o| o.starts_with("container ")) {
            assert!(Instant::now() < deadline, "the container never came");
            std::thread::sleep(Duration::from_millis(50));
        }
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{err}");
        assert_eq!(owned_by(pid), Vec::<String>::new(), "{sig}: nothing left");
        assert_eq!(
            (registered(&s, "container"), registered(&s, "volume")),
            before,
            "{sig}: nothing registered"
        );
    }

    // Reset of a container that does not run: 66, nothing changed.
    let cid = original["container_id"].as_str().unwrap();
    docker(&["stop", "-t", "1", cid]);
    s.cmd("ptest-snap")
        .args(["reset", &snap_id])
        .run()
        .expect_code(66);
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Status}}", cid]),
        "exited"
    );
    let still = s.registry().get(&id).unwrap().expect("still registered");
    assert_eq!(still.get("container_id").unwrap(), cid);
    assert_eq!(owned_by(pid), Vec::<String>::new());
}

#[test]
fn read_only_volumes_and_host_directories_are_captured_and_restored() {
    let image = busybox_image();
    let s = scenario();
    let host = s.work.join("hostdir");
    std::fs::create_dir(&host).unwrap();
    std::fs::write(host.join("h.txt"), "from the host\n").unwrap();
    let volume = format!("ptest-snap-ro-{}", std::process::id());
    // A volume filled first, then mounted read-only.
    let filler = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "fill"])
        .args(["--volume", &format!("{volume}:/v")])
        .args(["--", "sh", "-c", "echo ro > /v/r.txt; exec sleep 600"])
        .stdin("")
        .run()
        .success()
        .records();
    let mut cleanup = Cleanup(&s, filler.clone());
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "ro"])
        .args(["--volume", &format!("{volume}:/ro:ro")])
        .args(["--volume", &format!("{}:/bind", host.display())])
        .args(["--ready-cmd", "test -f /ro/r.txt"])
        .args(["--", "sleep", "600"])
        .stdin("")
        .run()
        .success()
        .records();
    cleanup.1.extend(created.iter().cloned());
    let id = of_kind(&created, "container")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let snap = s
        .cmd("ptest-snap")
        .args(["create", "--json", "--container", &id])
        .stdin("")
        .run()
        .success()
        .records();
    let snap_id = of_kind(&snap, "snapshot")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let _snap_cleanup = SnapCleanup(&s, snap_id.clone());
    if nix::unistd::geteuid().is_root() {
        // The host directory through the archive API, the volume through
        // its own directory on the host.
        assert_eq!(
            of_kind(&snap, "snapshot")[0]["volume_method"],
            "archive+host"
        );
    }
    let restored = s
        .cmd("ptest-snap")
        .args(["restore", "--json", &snap_id])
        .run()
        .success()
        .records();
    cleanup.1.extend(restored.iter().cloned());
    let copy = of_kind(&restored, "container").remove(0);
    let copy_id = copy["id"].as_str().unwrap();
    let copy_cid = copy["container_id"].as_str().unwrap();
    assert_eq!(
        exec(&s, copy_id, "cat /ro/r.txt /bind/h.txt"),
        "ro\nfrom the host"
    );
    // Still read-only; the host directory is not the restored one's: it
    // gets a fresh volume of its own, and the host's stays as it was.
    assert_eq!(
        exec(&s, copy_id, "touch /ro/x 2>/dev/null && echo rw || echo ro"),
        "ro"
    );
    exec(&s, copy_id, "echo changed > /bind/h.txt");
    assert_eq!(
        std::fs::read_to_string(host.join("h.txt")).unwrap(),
        "from the host\n"
    );
    let mounts = docker(&[
        "inspect",
        "-f",
        "{{range .Mounts}}{{.Destination}}={{.Type}}:{{.RW}} {{end}}",
        copy_cid,
    ]);
    assert!(mounts.contains("/bind=volume:true"), "{mounts}");
    assert!(mounts.contains("/ro=volume:false"), "{mounts}");
    drop(cleanup);
    docker_quiet(&["volume", "rm", &volume]);
}

/// A named volume of the local engine is read and written through its
/// host directory (`host` in the record and the event): a second snapshot
/// of the unchanged volume hashes nothing. With `snap.volumes = archive`
/// the same container goes through the engine's archive API, and both
/// restore the same data, owners and links.
#[test]
fn volumes_go_through_their_host_directory_and_the_archive_api_when_asked() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: host directories of volumes are used as root only");
        return;
    }
    let image = busybox_image();
    let s = scenario();
    let volume = format!("ptest-snap-host-{}", std::process::id());
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "hv"])
        .args(["--volume", &format!("{volume}:/data")])
        .args(["--", "sleep", "600"])
        .stdin("")
        .run()
        .success()
        .records();
    let mut cleanup = Cleanup(&s, created.clone());
    let id = of_kind(&created, "container")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    exec(
        &s,
        &id,
        "head -c 300000 /dev/urandom > /data/big && mkdir /data/d && echo x > /data/d/f && \
         chown -R 65534:65534 /data/d && chmod 750 /data/big && ln -s big /data/l && \
         ln /data/big /data/hard",
    );
    let want = exec(
        &s,
        &id,
        "cd /data && md5sum big d/f && ls -ln d d/f big hard && readlink l",
    );
    let tagged = |snap: &Value| {
        docker(&[
            "image",
            "ls",
            "-q",
            &format!("ptest-snap/{}", snap["id"].as_str().unwrap()),
        ])
    };
    let snapshot = |config: &[&str]| {
        let recs = s
            .cmd("ptest-snap")
            .args(config)
            .args(["create", "--json", "--container", &id])
            .stdin("")
            .run()
            .success()
            .records();
        of_kind(&recs, "snapshot").remove(0)
    };
    // Files changed within 50 ms of a scan are hashed again next time
    // (their ctime may not show a change): the first scan comes later.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let first = snapshot(&[]);
    let _c1 = SnapCleanup(&s, first["id"].as_str().unwrap().to_owned());
    assert_eq!(first["volume_method"], "host", "{first}");
    assert_eq!(first["files"], 3, "{first}");
    // Nothing changed outside the volume: the image is tagged, not committed.
    assert_eq!(first["image_method"], "tag", "{first}");
    assert_ne!(tagged(&first), "", "{first}");
    let second = snapshot(&[]);
    let _c2 = SnapCleanup(&s, second["id"].as_str().unwrap().to_owned());
    assert_eq!(second["volume_method"], "host", "{second}");
    assert_eq!(second["bytes_hashed"], 0, "unchanged: {second}");
    assert_eq!(second["bytes"], first["bytes"], "{second}");
    let archived = snapshot(&["--config", "snap.volumes=archive"]);
    let _c3 = SnapCleanup(&s, archived["id"].as_str().unwrap().to_owned());
    assert_eq!(archived["volume_method"], "archive", "{archived}");
    assert_eq!(archived["bytes_hashed"], 300_002, "read whole: {archived}");

    for (snap, config, method) in [
        (&second, &[][..], "host"),
        (
            &archived,
            &["--config", "snap.volumes=archive"][..],
            "archive",
        ),
        // Read one way, written the other.
        (&archived, &[][..], "host"),
        (
            &second,
            &["--config", "snap.volumes=archive"][..],
            "archive",
        ),
    ] {
        let restored = s
            .cmd("ptest-snap")
            .args(config)
            .args(["restore", "--json", snap["id"].as_str().unwrap()])
            .run()
            .success()
            .records();
        cleanup.1.extend(restored.iter().cloned());
        let ev = of_kind(&restored, "event").pop().unwrap();
        assert_eq!(ev["method"], method, "{ev}");
        let copy = of_kind(&restored, "container").remove(0);
        let got = exec(
            &s,
            copy["id"].as_str().unwrap(),
            "cd /data && md5sum big d/f && ls -ln d d/f big hard && readlink l",
        );
        assert_eq!(got, want, "{snap}, {method}");
        // The container's own command, from the tagged image.
        let cmd = docker(&[
            "inspect",
            "-f",
            "{{json .Config.Cmd}}",
            copy["container_id"].as_str().unwrap(),
        ]);
        assert_eq!(cmd, r#"["sleep","600"]"#);
    }
    // Once the filesystem changes, it is committed.
    exec(&s, &id, "echo fs > /fs.txt");
    let changed = snapshot(&[]);
    let _c4 = SnapCleanup(&s, changed["id"].as_str().unwrap().to_owned());
    assert_eq!(changed["image_method"], "commit", "{changed}");
    let restored = s
        .cmd("ptest-snap")
        .args(["restore", "--json", changed["id"].as_str().unwrap()])
        .run()
        .success()
        .records();
    cleanup.1.extend(restored.iter().cloned());
    let copy = of_kind(&restored, "container").remove(0);
    assert_eq!(exec(&s, copy["id"].as_str().unwrap(), "cat /fs.txt"), "fs");
    // rm takes the snapshot's tag away, never the image it names.
    drop(cleanup);
    s.cmd("ptest-snap")
        .args(["rm", first["id"].as_str().unwrap()])
        .run()
        .success();
    assert_eq!(tagged(&first), "");
    assert_ne!(docker(&["image", "ls", "-q", &image]), "", "{image} stays");
    docker_quiet(&["volume", "rm", &volume]);
}

/// What a test compares of a volume: each path's mode (setuid, setgid and
/// sticky bits included), owner and name, the volume's root first.
const OWNERS: &str =
    "cd /data && stat -c '%a %u:%g %n' . su sg d d/f d/hard l && readlink l && cat d/f";

/// Makes a container with a volume at /data whose root and entries have
/// owners of their own (none of them root) and setuid, setgid and sticky
/// bits; returns its records and ptest id.
fn owned_volume_container(s: &Scenario, image: &str, volume: &str) -> (Vec<Value>, String) {
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", image, "--name", "own"])
        .args(["--volume", &format!("{volume}:/data")])
        .args(["--", "sleep", "600"])
        .stdin("")
        .run()
        .success()
        .records();
    let id = of_kind(&created, "container")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // chown clears setuid bits: the modes come after the owners.
    exec(
        s,
        &id,
        "cd /data && echo su > su && echo sg > sg && mkdir d && echo f > d/f && \
         ln d/f d/hard && ln -s su l && \
         chown 1234:5678 . && chown 1234:5678 su && chown 0:5678 sg && \
         chown 65534:65533 d && chown 42:43 d/f && chown -h 7:8 l && \
         chmod 2770 . && chmod 4755 su && chmod 2711 sg && chmod 1777 d && chmod 640 d/f",
    );
    (created, id)
}

/// Owners (the volume's root's too, not root's) and setuid, setgid and
/// sticky bits survive snapshot and restore through the host directory and
/// through the archive API, read one way and written either way; the
/// manifest keeps them in its entries, not in the container's origin.
#[test]
fn volume_owners_and_setuid_bits_survive_both_ways() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: owners and host directories of volumes need root");
        return;
    }
    let image = busybox_image();
    let s = scenario();
    let volume = format!("ptest-snap-own-{}", std::process::id());
    let (created, id) = owned_volume_container(&s, &image, &volume);
    let mut cleanup = Cleanup(&s, created);
    let want = exec(&s, &id, OWNERS);
    assert!(
        want.starts_with("2770 1234:5678 .\n4755 1234:5678 su\n"),
        "{want}"
    );
    let snapshot = |config: &[&str]| {
        let recs = s
            .cmd("ptest-snap")
            .args(config)
            .args(["create", "--json", "--container", &id])
            .stdin("")
            .run()
            .success()
            .records();
        of_kind(&recs, "snapshot").remove(0)
    };
    let host = snapshot(&[]);
    let _c1 = SnapCleanup(&s, host["id"].as_str().unwrap().to_owned());
    assert_eq!(host["volume_method"], "host", "{host}");
    let archived = snapshot(&["--config", "snap.volumes=archive"]);
    let _c2 = SnapCleanup(&s, archived["id"].as_str().unwrap().to_owned());
    assert_eq!(archived["volume_method"], "archive", "{archived}");
    for snap in [&host, &archived] {
        let m = manifest(&s, snap["id"].as_str().unwrap());
        let v = &m["container"]["volumes"][0];
        assert!(v.get("owner").is_none() && v.get("owners").is_none(), "{m}");
        assert!(m["root"]["uid"].is_u64(), "{m}");
    }
    let archive = ["--config", "snap.volumes=archive"];
    for (snap, config, method) in [
        (&host, &[][..], "host"),
        (&host, &archive[..], "archive"),
        (&archived, &[][..], "host"),
        (&archived, &archive[..], "archive"),
    ] {
        let got = restored(
            &s,
            &mut cleanup,
            snap["id"].as_str().unwrap(),
            config,
            method,
        );
        assert_eq!(
            got, want,
            "{} read by {}, written by {method}",
            snap["id"], snap["volume_method"]
        );
    }
    drop(cleanup);
    docker_quiet(&["volume", "rm", &volume]);
}

/// A manifest written before the entries kept container volumes' owners
/// (the owner of each volume and the paths owned by others in the
/// container's origin, none on the root or the entries) still restores
/// with its owners, both ways.
#[test]
fn a_manifest_with_owners_in_the_container_origin_still_restores_them() {
    if !nix::unistd::geteuid().is_root() {
        eprintln!("skipped: owners and host directories of volumes need root");
        return;
    }
    let image = busybox_image();
    let s = scenario();
    let volume = format!("ptest-snap-old-{}", std::process::id());
    let (created, id) = owned_volume_container(&s, &image, &volume);
    let mut cleanup = Cleanup(&s, created);
    let want = exec(&s, &id, OWNERS);
    let recs = s
        .cmd("ptest-snap")
        .args(["create", "--json", "--container", &id])
        .stdin("")
        .run()
        .success()
        .records();
    let snap_id = of_kind(&recs, "snapshot")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let _c = SnapCleanup(&s, snap_id.clone());
    // Rewrite the manifest as the old format had it.
    let mut m = manifest(&s, &snap_id);
    let root = (m["root"]["uid"].clone(), m["root"]["gid"].clone());
    let mut owner = None;
    let mut owners = Vec::new();
    for e in m["entries"].as_array_mut().unwrap() {
        let o = e.as_object_mut().unwrap();
        let uid = o.remove("uid").unwrap_or_else(|| root.0.clone());
        let gid = o.remove("gid").unwrap_or_else(|| root.1.clone());
        let path = o["path"].as_str().unwrap().to_owned();
        if path == "v0" {
            owner = Some(serde_json::json!([uid, gid]));
        } else if Some(&serde_json::json!([uid, gid])) != owner.as_ref() {
            let rel = path.strip_prefix("v0/").unwrap().to_owned();
            owners.push(serde_json::json!([rel, uid, gid]));
        }
    }
    assert!(!owners.is_empty(), "{m}");
    let r = m["root"].as_object_mut().unwrap();
    r.remove("uid");
    r.remove("gid");
    let v = &mut m["container"]["volumes"][0];
    v["owner"] = owner.expect("the volume's root");
    v["owners"] = Value::Array(owners);
    std::fs::write(manifest_path(&s, &snap_id), serde_json::to_vec(&m).unwrap()).unwrap();
    for (config, method) in [
        (&[][..], "host"),
        (&["--config", "snap.volumes=archive"][..], "archive"),
    ] {
        let got = restored(&s, &mut cleanup, &snap_id, config, method);
        assert_eq!(got, want, "{method}");
    }
    // Read, it is the new form: inspect --entries shows the entries' owners.
    let entries = s
        .cmd("ptest-snap")
        .args(["inspect", "--json", "--entries", &snap_id])
        .run()
        .success()
        .records();
    assert!(
        entries
            .iter()
            .any(|e| e["kind"] == "snapshot-entry" && e.get("uid").is_some()),
        "{entries:?}"
    );
    drop(cleanup);
    docker_quiet(&["volume", "rm", &volume]);
}

fn manifest_path(s: &Scenario, id: &str) -> std::path::PathBuf {
    s.state.join("snap/manifests").join(format!("{id}.json"))
}

fn manifest(s: &Scenario, id: &str) -> Value {
    serde_json::from_slice(&std::fs::read(manifest_path(s, id)).unwrap()).unwrap()
}

/// Restores snapshot `id` as a new container (`config` before the
/// command), checks the volumes were written by `method`, and returns
/// [`OWNERS`] of the copy.
fn restored(
    s: &Scenario,
    cleanup: &mut Cleanup<'_>,
    id: &str,
    config: &[&str],
    method: &str,
) -> String {
    let restored = s
        .cmd("ptest-snap")
        .args(config)
        .args(["restore", "--json", id])
        .run()
        .success()
        .records();
    cleanup.1.extend(restored.iter().cloned());
    let ev = of_kind(&restored, "event").pop().unwrap();
    assert_eq!(ev["method"], method, "{ev}");
    let copy = of_kind(&restored, "container").remove(0);
    exec(s, copy["id"].as_str().unwrap(), OWNERS)
}

/// A container that fills a read-only volume, left by a restore killed
/// while it existed, is removed by `gc` (which holds the store lock that
/// every fill holds shared); other labelled containers are not.
#[test]
fn gc_removes_a_fill_container_a_killed_restore_left() {
    let image = busybox_image();
    let s = scenario();
    let tag = std::process::id();
    let fill = format!("ptest-snap-fill-test{tag}");
    let other = format!("ptest-snap-other-test{tag}");
    // A fill container of another state directory's store (another user's,
    // another test's) is that gc's to judge, never this one's.
    let theirs = format!("ptest-snap-fill-theirs{tag}");
    let home = format!("ptest.home={}", s.state.display());
    for (name, home) in [
        (&fill, home.as_str()),
        (&other, home.as_str()),
        (&theirs, "ptest.home=/nonexistent/another-state-dir"),
    ] {
        docker(&[
            "create",
            "--name",
            name,
            "--label",
            "ptest.snapshot=snapshot-gone1",
            "--label",
            home,
            "--network",
            "none",
            &image,
            "true",
        ]);
    }
    // A state directory with a store: a restore was made here.
    let tree = s.work.join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    s.cmd("ptest-snap").arg("create").arg(&tree).run().success();
    let gc = s.cmd("ptest-snap").arg("gc").run();
    let fill_left = docker_output(&["inspect", "--format", "{{.Id}}", &fill]);
    let other_left = docker_output(&["inspect", "--format", "{{.Id}}", &other]);
    let theirs_left = docker_output(&["inspect", "--format", "{{.Id}}", &theirs]);
    docker_quiet(&["rm", "-f", &fill, &other, &theirs]);
    let (out, err) = (gc.stdout.clone(), gc.stderr.clone());
    gc.success();
    assert!(
        fill_left.is_none(),
        "the fill container is gone: {out} {err}"
    );
    assert!(
        other_left.is_some(),
        "a container not named for a fill stays"
    );
    assert!(
        theirs_left.is_some(),
        "another state directory's fill container stays"
    );
}

/// A snapshot SIGKILLed while it holds its container paused leaves the
/// container paused; `ptest snap gc` unpauses it (the snapshot's note
/// names a process that is gone), and only then forgets the note.
#[test]
fn gc_unpauses_a_container_whose_snapshot_was_killed_while_it_was_paused() {
    let image = busybox_image();
    let s = scenario();
    let volume = format!("ptest-snap-pause-{}", std::process::id());
    let created = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--image", &image, "--name", "paused"])
        .args(["--volume", &format!("{volume}:/data")])
        .args(["--", "sleep", "600"])
        .stdin("")
        .run()
        .success()
        .records();
    let _cleanup = Cleanup(&s, created.clone());
    let c = of_kind(&created, "container").remove(0);
    let (id, cid) = (
        c["id"].as_str().unwrap().to_owned(),
        c["container_id"].as_str().unwrap().to_owned(),
    );
    // Enough files that reading them through the archive API takes a while.
    exec(
        &s,
        &id,
        "i=0; while [ $i -lt 4000 ]; do echo $i > /data/f$i; i=$((i+1)); done",
    );
    let paused = || docker_output(&["inspect", "--format", "{{.State.Paused}}", &cid]);
    let mut killed = false;
    for _ in 0..5 {
        let mut child = s
            .cmd("ptest-snap")
            .args([
                "create",
                "--container",
                &id,
                "--config",
                "snap.volumes=archive",
            ])
            .inner
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while paused().as_deref() != Some("true")
            && child.try_wait().unwrap().is_none()
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() && paused().as_deref() == Some("true") {
            child.kill().unwrap();
            child.wait().unwrap();
            killed = true;
            break;
        }
        let _ = child.wait();
    }
    assert!(
        killed,
        "no snapshot was caught while its container was paused"
    );
    assert_eq!(paused().as_deref(), Some("true"), "left paused by the kill");
    s.cmd("ptest-snap").arg("gc").run().success();
    assert_eq!(paused().as_deref(), Some("false"), "gc unpaused it");
    assert_eq!(
        std::fs::read_dir(s.state.join("snap/paused"))
            .unwrap()
            .count(),
        0,
        "the note is gone"
    );
    // Running again, and its own.
    assert_eq!(exec(&s, &id, "cat /data/f7"), "7");
}
