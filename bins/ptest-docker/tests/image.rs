//! `ptest-docker image import`, `commit` and `cp` against the real engine,
//! with the busybox image of `common`. The docker CLI only starts the
//! containers the tests copy to and from, and checks what the tool made;
//! every container and image a test makes is removed by a guard, whatever
//! the test's end (the shared busybox image stays).

mod common;

use common::{docker, docker_quiet, scenario};
use ptest_shared::testkit::Scenario;
use serde_json::Value;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

/// Removes a container when dropped.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        docker_quiet(&["rm", "-f", &self.0]);
    }
}

/// Removes an image (by tag) when dropped.
struct Image(String);

impl Drop for Image {
    fn drop(&mut self) {
        docker_quiet(&["rmi", "-f", &self.0]);
    }
}

/// A busybox container sleeping for five minutes, with extra `docker run`
/// options; its full engine id.
fn sleeper(extra: &[&str]) -> Container {
    let image = common::busybox_image();
    let mut args = vec!["run", "-d", "--label", "ptest.test=1"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&image, "sleep", "300"]);
    Container(docker(&args))
}

/// A tag of this test process (so concurrent runs do not collide).
fn test_tag(what: &str) -> String {
    format!("ptest-test/{what}-{}:1", std::process::id())
}

fn ptest_docker(s: &Scenario, args: &[&str]) -> ptest_shared::testkit::Run {
    s.cmd("ptest-docker").args(args).run()
}

fn one_record(run: &ptest_shared::testkit::Run) -> Value {
    let mut r = run.records();
    assert_eq!(r.len(), 1, "one record: {}", run.stdout);
    r.remove(0)
}

#[test]
fn import_makes_a_labelled_image_from_a_plain_or_gzipped_tarball() {
    let s = scenario();
    let tarball = s.dir.path().join("rootfs.tar");
    common::write_busybox_rootfs(&tarball);
    let tag = test_tag("import");
    let _image = Image(tag.clone());

    let rec = common::import(&s, &tarball, &tag);
    assert_eq!(rec["v"], 1);
    assert_eq!(rec["kind"], "image");
    assert_eq!(rec["tag"], tag.as_str());
    let id = rec["image_id"].as_str().unwrap();
    assert!(id.starts_with("sha256:"), "{rec}");
    let busybox = std::fs::metadata(common::BUSYBOX).unwrap().len();
    assert!(rec["size_bytes"].as_u64().unwrap() >= busybox, "{rec}");
    assert!(
        rec.get("tool").is_none() && rec.get("id").is_none(),
        "images are no resources: {rec}"
    );

    let seen = docker(&[
        "image",
        "inspect",
        "--format",
        "{{.Id}}|{{index .Config.Labels \"ptest.tool\"}}",
        &tag,
    ]);
    assert_eq!(seen, format!("{id}|ptest-docker"));
    assert_eq!(docker(&["run", "--rm", &tag, "echo", "hi"]), "hi");

    // gzip input is the engine's to open; the human view names the tag.
    let gz = s.dir.path().join("rootfs.tar.gz");
    let out = std::process::Command::new("gzip")
        .arg("-c")
        .arg(&tarball)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&gz, out.stdout).unwrap();
    let gz_tag = test_tag("import-gz");
    let _gz_image = Image(gz_tag.clone());
    let run = s
        .cmd("ptest-docker")
        .args(["image", "import", "--format", "human", "--tag", &gz_tag])
        .arg(&gz)
        .run()
        .success();
    assert!(
        run.stdout.starts_with(&format!("imported {gz_tag} (")),
        "{}",
        run.stdout
    );
    assert_eq!(
        docker(&["run", "--rm", &gz_tag, "cat", "/etc/group"])
            .lines()
            .count(),
        2
    );
}

#[test]
fn import_refuses_missing_files_garbage_and_bad_tags() {
    let s = scenario();
    let tag = test_tag("import-bad");
    let _image = Image(tag.clone());
    let import = |file: &Path, tag: &str| {
        s.cmd("ptest-docker")
            .args(["image", "import", "--tag", tag])
            .arg(file)
            .run()
    };

    let missing = s.dir.path().join("no-such-rootfs.tar");
    let run = import(&missing, &tag).expect_code(66);
    assert!(run.stderr.contains("no-such-rootfs.tar"), "{}", run.stderr);

    let text = s.write("garbage.tar", &"this is not a tarball\n".repeat(100));
    let run = import(&text, &tag).expect_code(65);
    assert!(run.stderr.contains("garbage.tar"), "{}", run.stderr);
    let empty = s.write("empty.tar", "");
    import(&empty, &tag).expect_code(65);
    import(s.dir.path(), &tag).expect_code(65);

    // Gzip's magic number, then garbage: only the engine can tell, and
    // its refusal is bad input too.
    let mut fake = vec![0x1f, 0x8b, 0x08, 0x00];
    fake.extend((0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
    let fake_gz = s.dir.path().join("fake.tar.gz");
    std::fs::write(&fake_gz, fake).unwrap();
    let run = import(&fake_gz, &tag).expect_code(65);
    assert!(run.stderr.contains("fake.tar.gz"), "{}", run.stderr);

    let tarball = s.dir.path().join("rootfs.tar");
    common::write_busybox_rootfs(&tarball);
    let run = import(&tarball, "Not/A:Valid:Tag").expect_code(64);
    assert!(run.stderr.contains("Not/A:Valid:Tag"), "{}", run.stderr);
    assert!(
        common::docker_output(&["image", "inspect", &tag]).is_none(),
        "nothing was imported"
    );
}

/// Writes a small tree: a nested file, an executable, a private file, a
/// symlink and an empty directory. Returns the bytes of its files.
fn make_tree(root: &Path) -> u64 {
    std::fs::create_dir_all(root.join("nested/deep")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    let files = [
        ("nested/deep/file.txt", "nested hello\n", 0o644),
        ("run.sh", "#!/bin/sh\necho run\n", 0o755),
        ("secret.txt", "s3cret", 0o600),
    ];
    let mut bytes = 0;
    for (name, text, mode) in files {
        let p = root.join(name);
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        bytes += text.len() as u64;
    }
    std::fs::set_permissions(root.join("nested"), std::fs::Permissions::from_mode(0o750)).unwrap();
    symlink("run.sh", root.join("link")).unwrap();
    bytes
}

/// Every entry below `root`: its relative path, type and mode, and its
/// contents or link target.
fn describe(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        for n in names {
            let p = dir.join(&n);
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mode = m.permissions().mode() & 0o7777;
            if m.file_type().is_symlink() {
                out.push(format!(
                    "{rel} link -> {}",
                    std::fs::read_link(&p).unwrap().display()
                ));
            } else if m.is_dir() {
                out.push(format!("{rel} dir {mode:o}"));
                walk(root, &p, out);
            } else {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push(format!("{rel} file {mode:o} {text:?}"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

fn cp(s: &Scenario, src: &str, dst: &str) -> Value {
    one_record(&ptest_docker(s, &["cp", "--json", src, dst]).success())
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn cp_round_trips_a_tree_with_contents_modes_and_symlinks() {
    let s = scenario();
    let c = sleeper(&[]);
    let src = s.dir.path().join("src");
    let bytes = make_tree(&src);

    // A new name in the container: /data is the tree.
    let ev = cp(&s, path(&src), &format!("{}:/data", c.0));
    assert_eq!(ev["kind"], "event");
    assert_eq!(ev["event"], "container.copied");
    assert_eq!(ev["container_id"], c.0.as_str());
    assert_eq!(ev["from"], path(&src));
    assert_eq!(ev["to"], format!("{}:/data", c.0).as_str());
    assert_eq!(ev["bytes"], bytes);
    let exec = |cmd: &str| docker(&["exec", &c.0, "sh", "-c", cmd]);
    assert_eq!(exec("cat /data/nested/deep/file.txt"), "nested hello");
    assert_eq!(exec("/data/run.sh"), "run");
    assert_eq!(
        exec("stat -c '%a %u:%g' /data/run.sh /data/secret.txt /data/nested"),
        "755 0:0\n600 0:0\n750 0:0"
    );
    assert_eq!(exec("readlink /data/link"), "run.sh");
    assert_eq!(exec("test -d /data/empty && echo dir"), "dir");

    // An existing directory takes the tree under its own name; `SRC/.`
    // copies the contents.
    cp(&s, path(&src), &format!("{}:/tmp", c.0));
    assert_eq!(exec("cat /tmp/src/secret.txt"), "s3cret");
    cp(
        &s,
        &format!("{}/.", path(&src)),
        &format!("{}:/tmp/contents", c.0),
    );
    assert_eq!(exec("cat /tmp/contents/run.sh | tail -n 1"), "echo run");

    // Back out: to a new name, into an existing directory, and contents.
    let back = s.dir.path().join("back");
    let ev = cp(&s, &format!("{}:/data", c.0), path(&back));
    assert_eq!(ev["bytes"], bytes);
    assert_eq!(ev["container_id"], c.0.as_str());
    assert_eq!(describe(&back), describe(&src));
    let existing = s.dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    cp(&s, &format!("{}:/data", c.0), path(&existing));
    assert_eq!(describe(&existing.join("data")), describe(&src));
    let merged = s.dir.path().join("merged");
    std::fs::create_dir(&merged).unwrap();
    cp(&s, &format!("{}:/data/.", c.0), path(&merged));
    assert_eq!(describe(&merged), describe(&src));
}

#[test]
fn cp_copies_a_single_file_to_a_new_name_and_over_a_file() {
    let s = scenario();
    let name = format!("ptest-img-cp-{}", std::process::id());
    let c = sleeper(&["--name", &name]);
    let src = s.dir.path().join("src");
    make_tree(&src);
    let exec = |cmd: &str| docker(&["exec", &c.0, "sh", "-c", cmd]);

    // By name, to a new file name.
    let ev = cp(
        &s,
        path(&src.join("run.sh")),
        &format!("{name}:/tmp/renamed.sh"),
    );
    assert_eq!(ev["container_id"], c.0.as_str());
    assert_eq!(ev["bytes"], 19);
    assert_eq!(exec("/tmp/renamed.sh"), "run");
    assert_eq!(exec("stat -c %a /tmp/renamed.sh"), "755");
    // Into an existing directory, and over an existing file.
    cp(&s, path(&src.join("secret.txt")), &format!("{name}:/tmp"));
    assert_eq!(exec("stat -c %a /tmp/secret.txt"), "600");
    cp(
        &s,
        path(&src.join("secret.txt")),
        &format!("{name}:/tmp/renamed.sh"),
    );
    assert_eq!(exec("cat /tmp/renamed.sh"), "s3cret");

    // Out to a new name, into a directory, over a file.
    let out = s.dir.path().join("out.sh");
    exec("printf '#!/bin/sh\\necho out\\n' > /tmp/out.sh && chmod 751 /tmp/out.sh");
    cp(&s, &format!("{name}:/tmp/out.sh"), path(&out));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "#!/bin/sh\necho out\n"
    );
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o751);
    cp(&s, &format!("{name}:/tmp/out.sh"), path(s.dir.path()));
    assert!(s.dir.path().join("out.sh").is_file());
    cp(&s, &format!("{name}:/tmp/secret.txt"), path(&out));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "s3cret");

    // A directory cannot replace a file, nor a file land in a missing
    // directory.
    ptest_docker(&s, &["cp", path(&src), &format!("{name}:/tmp/renamed.sh")]).expect_code(73);
    ptest_docker(&s, &["cp", &format!("{name}:/etc"), path(&out)]).expect_code(73);
    let nowhere: PathBuf = s.dir.path().join("no/such/dir/f");
    ptest_docker(&s, &["cp", &format!("{name}:/tmp/out.sh"), path(&nowhere)]).expect_code(73);
    ptest_docker(
        &s,
        &[
            "cp",
            path(&src.join("run.sh")),
            &format!("{name}:/no/such/dir/f"),
        ],
    )
    .expect_code(73);
}

#[test]
fn cp_refuses_bad_arguments_and_missing_sources() {
    let s = scenario();
    let c = sleeper(&[]);
    let host = s.write("f.txt", "x");

    let both = ptest_docker(&s, &["cp", &format!("{}:/a", c.0), &format!("{}:/b", c.0)]);
    let both = both.expect_code(64);
    assert!(
        both.stderr.contains("ptest docker cp"),
        "an example: {}",
        both.stderr
    );
    ptest_docker(&s, &["cp", path(&host), "/tmp/elsewhere"]).expect_code(64);

    let missing = s.dir.path().join("missing.txt");
    let run = ptest_docker(&s, &["cp", path(&missing), &format!("{}:/tmp", c.0)]).expect_code(66);
    assert!(run.stderr.contains("missing.txt"), "{}", run.stderr);
    let run = ptest_docker(
        &s,
        &["cp", &format!("{}:/no/such/file", c.0), path(s.dir.path())],
    )
    .expect_code(66);
    assert!(run.stderr.contains("/no/such/file"), "{}", run.stderr);
    ptest_docker(&s, &["cp", path(&host), "ptest-no-such-container-xyz:/tmp"]).expect_code(66);
}

#[test]
fn commit_makes_an_image_of_the_container_without_its_lifetime() {
    let s = scenario();
    let c = sleeper(&[
        "--label",
        "ptest.owner=1:1:dead",
        "--label",
        "ptest.expires_at=2001-01-01T00:00:00Z",
    ]);
    docker(&[
        "exec",
        &c.0,
        "sh",
        "-c",
        "mkdir -p /that && echo committed-data > /that/file",
    ]);

    let tag = test_tag("committed");
    let _image = Image(tag.clone());
    let rec = one_record(&ptest_docker(&s, &["commit", "--json", &c.0, "--tag", &tag]).success());
    assert_eq!(rec["kind"], "image");
    assert_eq!(rec["tag"], tag.as_str());
    assert_eq!(rec["source_container"], c.0.as_str());
    assert!(
        rec["image_id"].as_str().unwrap().starts_with("sha256:"),
        "{rec}"
    );
    assert!(rec["size_bytes"].as_u64().unwrap() > 0, "{rec}");
    assert!(
        rec.get("tool").is_none() && rec.get("id").is_none(),
        "{rec}"
    );
    assert_eq!(
        docker(&["run", "--rm", &tag, "cat", "/that/file"]),
        "committed-data"
    );

    let labels: Value = serde_json::from_str(&docker(&[
        "image",
        "inspect",
        "--format",
        "{{json .Config.Labels}}",
        &tag,
    ]))
    .unwrap();
    assert_eq!(labels["ptest.tool"], "ptest-docker");
    assert_eq!(labels["ptest.source"], c.0.as_str());
    assert_eq!(labels["ptest.test"], "1", "other labels stay");
    assert_eq!(
        labels["ptest.owner"], "none",
        "a dead owner is not inherited"
    );
    assert_eq!(labels["ptest.expires_at"], "", "nor an expiry");

    // Without --tag: ptest/<name>:<short id>.
    let rec = one_record(&ptest_docker(&s, &["commit", "--json", &c.0]).success());
    let default_tag = rec["tag"].as_str().unwrap().to_owned();
    let _default_image = Image(default_tag.clone());
    assert!(default_tag.starts_with("ptest/"), "{default_tag}");
    assert!(
        default_tag.ends_with(&format!(":{}", &c.0[..12])),
        "{default_tag}"
    );
    docker(&["image", "inspect", &default_tag]);

    ptest_docker(&s, &["commit", &c.0, "--tag", "Bad Tag"]).expect_code(64);
    ptest_docker(&s, &["commit", "ptest-no-such-container-xyz"]).expect_code(66);
}
