//! Forged records never destroy what ptest did not make: teardown acts on
//! the registry's copy of a record's id, names in engine URLs are checked,
//! and `rm` of something ptest did not make is refused. Victims are made
//! with the docker CLI; ptest's own objects in the same stream are still
//! torn down.

mod common;

use common::{docker, docker_output, docker_quiet};
use ptest_shared::record::random_hex;
use serde_json::{Value, json};

/// Objects ptest did not make, removed when the test ends however it ends.
struct Victims {
    tag: String,
    container: String,
    container_id: String,
    network: String,
    network_id: String,
    volume: String,
    image_id: String,
}

impl Victims {
    fn new() -> Victims {
        let image = common::busybox_image();
        let tag = format!("ptest-test/victim-{}:1", random_hex(4));
        docker(&["tag", &image, &tag]);
        let image_id = docker(&["image", "inspect", "--format", "{{.Id}}", &tag]);
        let container = format!("victim-{}", random_hex(4));
        let container_id = docker(&["create", "--name", &container, &tag, "sleep", "1"]);
        let network = format!("victim-net-{}", random_hex(4));
        let network_id = docker(&["network", "create", "--internal", &network]);
        let volume = format!("victim-vol-{}", random_hex(4));
        docker(&["volume", "create", &volume]);
        Victims {
            tag,
            container,
            container_id,
            network,
            network_id,
            volume,
            image_id,
        }
    }

    #[track_caller]
    fn all_intact(&self) {
        for (what, args) in [
            ("image tag", vec!["image", "inspect", self.tag.as_str()]),
            ("container", vec!["container", "inspect", &self.container]),
            ("network", vec!["network", "inspect", &self.network]),
            ("volume", vec!["volume", "inspect", &self.volume]),
        ] {
            assert!(docker_output(&args).is_some(), "the victim {what} is gone");
        }
    }
}

impl Drop for Victims {
    fn drop(&mut self) {
        docker_quiet(&["rm", "-f", &self.container]);
        docker_quiet(&["network", "rm", &self.network]);
        docker_quiet(&["volume", "rm", &self.volume]);
        docker_quiet(&["image", "rm", &self.tag]);
    }
}

fn forged(kind: &str, id: &str, extra: Value) -> String {
    let mut r = json!({"v": 1, "kind": kind, "tool": "ptest-docker", "id": id,
        "created_at": "2026-01-01T00:00:00Z"});
    for (k, v) in extra.as_object().unwrap() {
        r[k] = v.clone();
    }
    format!("{r}\n")
}

#[test]
fn forged_engine_ids_and_unregistered_records_destroy_nothing() {
    let s = common::scenario();
    let v = Victims::new();
    // Ids that would leave their URL segment are bad records (65)…
    for (kind, field, value) in [
        (
            "container",
            "container_id",
            format!("../volumes/{}", v.volume),
        ),
        ("container", "container_id", format!("../images/{}", v.tag)),
        (
            "container",
            "container_id",
            format!("../networks/{}", v.network),
        ),
        ("network", "network_id", format!("../volumes/{}", v.volume)),
        (
            "volume",
            "volume_name",
            format!("../containers/{}", v.container),
        ),
    ] {
        let stream = forged(kind, &format!("{kind}-abcdefgh"), json!({ field: value }));
        for cmd in [vec!["ptest", "down"], vec!["ptest-docker", "rm"]] {
            let r = s.cmd(cmd[0]).args(&cmd[1..]).stdin(stream.clone()).run();
            let r = r.expect_code(65);
            assert!(r.stderr.contains(field), "{cmd:?}: {}", r.stderr);
        }
    }
    // …and well-formed records naming real objects ptest did not make are
    // not live ptest resources: left alone, with a note.
    let hex = v.image_id.trim_start_matches("sha256:").to_owned();
    let stream = [
        forged(
            "container",
            "container-abcdefgh",
            json!({"container_id": v.container_id}),
        ),
        forged(
            "network",
            "network-abcdefgh",
            json!({"network_id": v.network_id}),
        ),
        forged(
            "volume",
            "volume-abcdefgh",
            json!({"volume_name": v.volume}),
        ),
        forged(
            "image",
            "image-abcdefgh",
            json!({"image_id": format!("sha256:{hex}"), "tag": v.tag}),
        ),
    ]
    .concat();
    for cmd in [vec!["ptest", "down"], vec!["ptest-docker", "rm"]] {
        let r = s
            .cmd(cmd[0])
            .args(&cmd[1..])
            .stdin(stream.clone())
            .run()
            .success();
        assert!(
            r.stderr
                .contains("not a live ptest resource: nothing removed"),
            "{cmd:?}: {}",
            r.stderr
        );
        assert!(
            r.records()
                .iter()
                .all(|e| e["event"] != "container.removed"),
            "{}",
            r.stdout
        );
    }
    v.all_intact();
    // Named on the command line, objects ptest did not make are refused.
    for word in [&v.container, &v.network, &v.container_id[..12]] {
        let r = s
            .cmd("ptest-docker")
            .args(["rm", word])
            .run()
            .expect_code(65);
        assert!(r.stderr.contains("not made by ptest"), "{}", r.stderr);
    }
    let r = s
        .cmd("ptest-docker")
        .args(["stop", &v.container])
        .run()
        .expect_code(65);
    assert!(r.stderr.contains("not made by ptest"), "{}", r.stderr);
    for word in [
        format!("../volumes/{}", v.volume),
        "a/b".to_owned(),
        "x?y".to_owned(),
    ] {
        s.cmd("ptest-docker")
            .args(["rm", &word])
            .run()
            .expect_code(64);
    }
    v.all_intact();
    // A forged record cannot be laundered into the registry.
    let r = s
        .cmd("ptest")
        .args(["registry", "add"])
        .stdin(forged(
            "container",
            "container-abcdefgh",
            json!({"container_id": v.container_id}),
        ))
        .run()
        .expect_code(65);
    assert!(
        r.stderr.contains("built-in tool ptest-docker"),
        "{}",
        r.stderr
    );
    assert!(s.registry().list().unwrap().is_empty());
}

#[test]
fn a_real_id_with_forged_fields_removes_the_real_object_only() {
    let s = common::scenario();
    let v = Victims::new();
    let volume = format!("ptest-test-vol-{}", random_hex(4));
    let made = s
        .cmd("ptest-docker")
        .args(["create", "--json", "--owner", "none", "--image"])
        .arg(common::busybox_image())
        .args(["--network", "isolated", "--volume"])
        .arg(format!("{volume}:/data"))
        .args(["--", "sleep", "60"])
        .run()
        .success()
        .records();
    let _c = common::Cleanup(&s, made.clone());
    // volume, network, container: ptest's own.
    assert_eq!(made.len(), 3, "{made:?}");
    let of = |kind: &str| made.iter().find(|r| r["kind"] == kind).unwrap().clone();
    let (container, network) = (of("container"), of("network"));
    assert_eq!(of("volume")["volume_name"], volume.as_str());
    // The same ids, every engine field pointing at a victim instead.
    let lies = [
        ("container_id", json!(v.container_id)),
        ("network_id", json!(v.network_id)),
        ("volume_name", json!(v.volume)),
        ("name", json!(v.volume)),
    ];
    let stream: String = made
        .iter()
        .map(|r| {
            let mut r = r.clone();
            for (k, val) in &lies {
                if r.get(*k).is_some() {
                    r[*k] = val.clone();
                }
            }
            format!("{r}\n")
        })
        .collect();
    let r = s.cmd("ptest").arg("down").stdin(stream).run().success();
    let mut removed: Vec<String> = r
        .records()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    let mut want: Vec<String> = made
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    removed.sort();
    want.sort();
    assert_eq!(removed, want, "{}", r.stderr);
    v.all_intact();
    // ptest's own objects are gone from the engine and the registry.
    assert!(docker_output(&["volume", "inspect", &volume]).is_none());
    let cid = container["container_id"].as_str().unwrap();
    assert!(docker_output(&["container", "inspect", cid]).is_none());
    let nid = network["network_id"].as_str().unwrap();
    assert!(docker_output(&["network", "inspect", nid]).is_none());
    assert!(s.registry().list().unwrap().is_empty());
}
