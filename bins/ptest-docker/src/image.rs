//! Images: `image import` makes one from a root filesystem tarball, and
//! `commit` makes one from a container's filesystem.
//!
//! Images are artifacts, not resources: nothing owns them and nothing
//! removes them, so their records (`kind: image`) carry no `tool`, `id` or
//! owner. Both commands label what they make `ptest.tool=ptest-docker` so
//! that `docker image ls --filter label=ptest.tool=ptest-docker` finds them.
//!
//! Import streams the tarball to the engine (`POST /images/create?fromSrc=-`)
//! from a reader thread, never holding it in memory; the engine itself
//! decompresses gzip, bzip2 and xz input. A quick look at the first block
//! refuses what is no tarball at all before anything is sent.
//!
//! Commit (`POST /commit`) pauses the container, as `docker commit` does. A
//! committed image inherits the labels of its container, and the engine
//! merges labels rather than replacing them, so the ptest lifetime labels of
//! the source (owner, expiry, id, name, run) are overwritten with neutral
//! values: a container later made from the image must not be swept when
//! the source's owner dies.

use crate::engine::{self, Engine};
use crate::labels;
use crate::objects::{self, Kind};
use futures_util::{StreamExt, TryStreamExt};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Record, Result};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// The label naming the container an image was committed from.
pub const SOURCE_LABEL: &str = "ptest.source";

/// What the engine says of an image once it is made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// `sha256:…`
    pub id: String,
    /// `REPOSITORY:TAG`, normalised (`latest` when no tag was given).
    pub tag: String,
    pub size_bytes: u64,
}

/// A `REPOSITORY[:TAG]` split in two, checked against the engine's
/// reference grammar (so that a bad tag is a usage error, not an engine
/// error after the upload).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub repo: String,
    pub tag: String,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.repo, self.tag)
    }
}

/// Parses `REPOSITORY[:TAG]` (exit 64 when the engine would refuse it).
pub fn parse_reference(s: &str) -> Result<Reference> {
    let bad = |why: &str| {
        Error::usage(format!("invalid image tag {s:?}: {why}"))
            .hint("write REPOSITORY[:TAG] in lower case, e.g. test/busybox:1 or localhost:5000/app")
    };
    if s.contains('@') {
        return Err(bad("a digest cannot name a new image"));
    }
    let (repo, tag) = match s.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (s, "latest"),
    };
    if repo.is_empty() {
        return Err(bad("the repository is empty"));
    }
    if repo.len() > 255 {
        return Err(bad("the repository is longer than 255 characters"));
    }
    if let Err(e) = ptest_shared::kinds::check_image_ref(&format!("{repo}:{tag}")) {
        return Err(bad(e
            .split_once(" (")
            .map_or("", |(_, why)| why.trim_end_matches(')'))));
    }
    Ok(Reference {
        repo: repo.to_owned(),
        tag: tag.to_owned(),
    })
}

/// Exit 65 unless `head` (the first bytes of a file) starts a tar archive
/// or a compressed stream the engine can open.
fn check_tarball(path: &Path, head: &[u8]) -> Result<()> {
    const MAGICS: [&[u8]; 4] = [
        &[0x1f, 0x8b],                         // gzip
        b"BZh",                                // bzip2
        &[0xfd, b'7', b'z', b'X', b'Z', 0x00], // xz
        &[0x28, 0xb5, 0x2f, 0xfd],             // zstd
    ];
    if head.is_empty() {
        return Err(Error::data(format!(
            "{} is empty: not a tarball",
            path.display()
        )));
    }
    if MAGICS.iter().any(|m| head.starts_with(m)) {
        return Ok(());
    }
    if head.len() >= 512 && tar_header_ok(&head[..512]) {
        return Ok(());
    }
    Err(Error::data(format!(
        "{} is not a tarball (neither a tar archive nor gzip, bzip2, xz or zstd compressed)",
        path.display()
    ))
    .hint("make one with `tar -C ROOTFS -cf rootfs.tar .`"))
}

/// Whether a 512-byte block is a tar header (its checksum matches) or the
/// zero block of an empty archive.
fn tar_header_ok(block: &[u8]) -> bool {
    if block.iter().all(|&b| b == 0) {
        return true;
    }
    let stored = std::str::from_utf8(&block[148..156])
        .ok()
        .map(|s| s.trim_matches(|c: char| c == '\0' || c == ' '))
        .and_then(|s| u32::from_str_radix(s, 8).ok());
    let Some(stored) = stored else { return false };
    // The sum is over the block with the checksum field read as spaces;
    // old tars summed signed bytes.
    let field = 148..156;
    let unsigned: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| if field.contains(&i) { 32 } else { u32::from(b) })
        .sum();
    let signed: i64 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if field.contains(&i) {
                32
            } else {
                i64::from(b as i8)
            }
        })
        .sum();
    stored == unsigned || i64::from(stored) == signed
}

/// Imports a root filesystem tarball (plain or compressed) as image `tag`,
/// calling `sent(n)` as each `n` bytes go to the engine.
pub fn import_with_progress(
    engine: &Engine,
    tarball: &Path,
    tag: &str,
    sent: impl Fn(u64) + Send + 'static,
) -> Result<ImageInfo> {
    let reference = parse_reference(tag)?;
    let mut file = std::fs::File::open(tarball)
        .map_err(|e| Error::from_io(format!("cannot open {}", tarball.display()), &e))?;
    let mut head = Vec::with_capacity(512);
    (&mut file)
        .take(512)
        .read_to_end(&mut head)
        .map_err(|e| Error::from_io(format!("cannot read {}", tarball.display()), &e))?;
    check_tarball(tarball, &head)?;

    let (body, producer) = crate::copy::produced_body(move |w| {
        use std::io::Write;
        w.write_all(&head)?;
        sent(head.len() as u64);
        let mut buf = vec![0; crate::copy::CHUNK];
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            w.write_all(&buf[..n])?;
            sent(n as u64);
        }
    });
    let opts = bollard::query_parameters::CreateImageOptionsBuilder::default()
        .from_src("-")
        .repo(&reference.repo)
        .tag(&reference.tag)
        .changes(vec![format!(
            "LABEL {}={}",
            labels::TOOL,
            labels::TOOL_NAME
        )])
        .build();
    let answer = engine.block_on(async {
        let mut s = engine.docker.create_image(
            Some(opts),
            Some(bollard::body_try_stream(body.map_ok(Into::into))),
            None,
        );
        let mut id = None;
        while let Some(info) = s.next().await {
            if let Some(st) = info?.status.filter(|s| s.starts_with("sha256:")) {
                id = Some(st);
            }
        }
        Ok::<_, bollard::errors::Error>(id)
    });
    let produced = producer
        .join()
        .map_err(|_| Error::internal("the thread reading the tarball panicked"))?;
    // A read error is the cause of whatever the engine said; a broken pipe
    // only means the engine stopped reading, and its answer says why.
    if let Err(e) = &produced
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Error::from_io(
            format!("cannot read {}", tarball.display()),
            e,
        ));
    }
    let answered_id = answer.map_err(|e| import_error(tarball, &e))?;
    let mut info = inspect(engine, &reference.to_string())?;
    if info.id.is_empty()
        && let Some(id) = answered_id
    {
        info.id = id;
    }
    Ok(info)
}

/// The exit code of a failed import: what the engine refuses to unpack is
/// bad input (65), a bad reference a usage error (64), anything else the
/// engine's trouble.
fn import_error(tarball: &Path, e: &bollard::errors::Error) -> Error {
    let msg = engine::message(e);
    let what = format!("the engine cannot import {}", tarball.display());
    let unreadable = msg.contains("tar")
        || msg.contains("archive")
        || msg.contains("gzip")
        || msg.contains("unexpected EOF");
    match (e, engine::status(e)) {
        (_, Some(400)) if msg.contains("invalid reference") => {
            Error::usage(format!("{what}: {msg}"))
        }
        (_, Some(400)) => Error::data(format!("{what}: {msg}")),
        (bollard::errors::Error::DockerStreamError { .. }, _) | (_, Some(500)) if unreadable => {
            Error::data(format!("{what}: {msg}"))
                .hint("the tarball must be a root filesystem archive, plain or gzip-compressed")
        }
        _ => engine::error(&what, e),
    }
}

/// Looks an image up by id or tag.
pub fn inspect(engine: &Engine, image: &str) -> Result<ImageInfo> {
    let i = engine
        .block_on(engine.docker.inspect_image(image))
        .map_err(|e| engine::error(&format!("cannot inspect image {image}"), &e))?;
    Ok(ImageInfo {
        id: i.id.unwrap_or_default(),
        tag: image.to_owned(),
        size_bytes: i.size.unwrap_or(0).max(0) as u64,
    })
}

/// The `image` record: `image_id`, `tag`, `size_bytes`.
fn image_record(info: &ImageInfo) -> Record {
    let mut r = Record::new("image");
    r.set("image_id", info.id.clone())
        .set("tag", info.tag.clone())
        .set("size_bytes", info.size_bytes);
    r
}

/// `sha256:0123456789ab` (the first 12 hex digits, as `docker images`).
fn short_id(id: &str) -> &str {
    let hex = id.strip_prefix("sha256:").unwrap_or(id);
    &hex[..hex.len().min(12)]
}

/// A size for people: `812 B`, `1.9 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// `ptest-docker image import TARBALL --tag TAG`.
pub fn import_command(common: &CommonArgs, tarball: &Path, tag: &str) -> Result<i32> {
    let reference = parse_reference(tag)?;
    let len = match std::fs::metadata(tarball) {
        Ok(m) if m.is_dir() => {
            return Err(Error::data(format!(
                "{} is a directory, not a tarball",
                tarball.display()
            ))
            .hint(format!(
                "make one with `tar -C {} -cf rootfs.tar .`",
                tarball.display()
            )));
        }
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::no_input(format!(
                "no tarball {}: no such file",
                tarball.display()
            )));
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot read {}", tarball.display()),
                &e,
            ));
        }
    };
    let engine = Engine::connect()?;
    let bar = ptest_shared::output::progress(len, format!("importing {reference}"));
    let ticker = bar.clone();
    let info = import_with_progress(&engine, tarball, tag, move |n| ticker.inc(n));
    bar.finish_and_clear();
    let info = info?;
    let mut out = RecordWriter::stdout();
    if common.json() {
        out.write(&image_record(&info))?;
    } else {
        out.write_line(&format!(
            "imported {} ({}, {})",
            info.tag,
            short_id(&info.id),
            human_bytes(info.size_bytes)
        ))?;
    }
    Ok(0)
}

/// The labels of an image committed from a container carrying `inherited`
/// labels: ours, and the source's ptest lifetime labels neutralised (the
/// engine merges the container's labels into the image's; it cannot drop
/// one, so they are overwritten).
pub fn commit_labels(
    container_id: &str,
    inherited: &HashMap<String, String>,
) -> HashMap<String, String> {
    let mut l = HashMap::new();
    for key in [
        labels::OWNER,
        labels::EXPIRES,
        labels::ID,
        labels::NAME,
        labels::RUN,
    ] {
        if inherited.contains_key(key) {
            let neutral = if key == labels::OWNER { "none" } else { "" };
            l.insert(key.to_owned(), neutral.to_owned());
        }
    }
    l.insert(labels::TOOL.into(), labels::TOOL_NAME.into());
    l.insert(labels::VERSION.into(), env!("CARGO_PKG_VERSION").into());
    l.insert(SOURCE_LABEL.into(), container_id.to_owned());
    l
}

/// The default tag of a commit: `ptest/<name>:<first 12 of the id>`, the
/// name made a valid repository component.
pub fn default_commit_tag(name: &str, container_id: &str) -> String {
    let mut comp = String::new();
    let mut pending_sep = false;
    for c in name.trim_start_matches('/').chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            if pending_sep && !comp.is_empty() {
                comp.push('-');
            }
            pending_sep = false;
            comp.push(c);
        } else {
            pending_sep = true;
        }
    }
    if comp.is_empty() {
        comp.push_str("container");
    }
    let short = &container_id[..container_id.len().min(12)];
    format!("ptest/{comp}:{short}")
}

/// Commits a container's filesystem (paused meanwhile) as image `tag`.
pub fn commit(engine: &Engine, container_id: &str, tag: &str) -> Result<ImageInfo> {
    commit_labelled(engine, container_id, tag, HashMap::new(), true)
}

/// [`commit`], with `extra` labels on the image; `pause` as the engine's
/// commit option (false for a container its caller paused already).
pub fn commit_labelled(
    engine: &Engine,
    container_id: &str,
    tag: &str,
    extra: HashMap<String, String>,
    pause: bool,
) -> Result<ImageInfo> {
    let reference = parse_reference(tag)?;
    let c = engine
        .block_on(engine.docker.inspect_container(
            container_id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ))
        .map_err(|e| engine::error(&format!("cannot inspect {container_id}"), &e))?;
    let full_id = c.id.clone().unwrap_or_else(|| container_id.to_owned());
    let inherited = c.config.and_then(|c| c.labels).unwrap_or_default();
    let opts = bollard::query_parameters::CommitContainerOptionsBuilder::default()
        .container(&full_id)
        .repo(&reference.repo)
        .tag(&reference.tag)
        .comment("committed by ptest-docker")
        .pause(pause)
        .build();
    // Only the labels are given: the engine fills the rest of the image's
    // configuration (command, env, workdir…) from the container's.
    let config = bollard::models::ContainerConfig {
        labels: Some({
            let mut l = commit_labels(&full_id, &inherited);
            l.extend(extra);
            l
        }),
        ..Default::default()
    };
    let answer = engine
        .block_on(engine.docker.commit_container(opts, config))
        .map_err(|e| engine::error(&format!("cannot commit {container_id}"), &e))?;
    let mut info = inspect(engine, &reference.to_string())?;
    if info.id.is_empty() {
        info.id = answer.id;
    }
    Ok(info)
}

/// `ptest-docker commit CONTAINER [--tag TAG]`.
pub fn commit_command(common: &CommonArgs, container: &str, tag: Option<&str>) -> Result<i32> {
    if let Some(t) = tag {
        parse_reference(t)?;
    }
    let engine = Engine::connect()?;
    let (_, reg) = objects::open_registry()?;
    let c = objects::resolve(&engine, &reg, container, Some(Kind::Container))?;
    let tag = tag
        .map(str::to_owned)
        .unwrap_or_else(|| default_commit_tag(&c.name, &c.engine_id));
    let info = commit(&engine, &c.engine_id, &tag)?;
    let mut out = RecordWriter::stdout();
    if common.json() {
        let mut r = image_record(&info);
        r.set("source_container", c.engine_id.clone());
        out.write(&r)?;
    } else {
        out.write_line(&format!(
            "committed {} to {} ({}, {})",
            c.name,
            info.tag,
            short_id(&info.id),
            human_bytes(info.size_bytes)
        ))?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_follow_the_engine_grammar() {
        let r = parse_reference("ptest-test/busybox:1").unwrap();
        assert_eq!(
            (r.repo.as_str(), r.tag.as_str()),
            ("ptest-test/busybox", "1")
        );
        assert_eq!(parse_reference("app").unwrap().to_string(), "app:latest");
        let r = parse_reference("localhost:5000/a/b").unwrap();
        assert_eq!(
            (r.repo.as_str(), r.tag.as_str()),
            ("localhost:5000/a/b", "latest")
        );
        let r = parse_reference("Registry.example.com:443/x__y.z:v1.2-rc_3").unwrap();
        assert_eq!(r.repo, "Registry.example.com:443/x__y.z");
        for bad in [
            "",
            ":1",
            "Upper/case",
            "busybox:",
            "a//b",
            "a/-b",
            "a..b",
            "x:.bad",
            "x@sha256:00",
            "x:a/b",
            "spa ce",
        ] {
            let e = parse_reference(bad).unwrap_err();
            assert_eq!(e.exit.code(), 64, "{bad:?} should be refused");
        }
    }

    #[test]
    fn tarballs_are_recognised_by_their_first_block() {
        let p = Path::new("x.tar");
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        b.append_data(&mut h, "a", &b"hi"[..]).unwrap();
        let tar = b.into_inner().unwrap();
        assert!(check_tarball(p, &tar[..512]).is_ok());
        let empty = tar::Builder::new(Vec::new()).into_inner().unwrap();
        assert!(check_tarball(p, &empty[..512]).is_ok());
        assert!(check_tarball(p, &[0x1f, 0x8b, 8, 0]).is_ok());
        for bad in [&b""[..], b"hello\n", &[7u8; 600][..]] {
            assert_eq!(check_tarball(p, bad).unwrap_err().exit.code(), 65);
        }
        let mut corrupt = tar[..512].to_vec();
        corrupt[0] ^= 1;
        assert!(check_tarball(p, &corrupt).is_err());
    }

    #[test]
    fn commits_neutralise_the_lifetime_labels_of_their_source() {
        let mut inherited = HashMap::new();
        inherited.insert(labels::OWNER.to_owned(), "1:2:boot".to_owned());
        inherited.insert(
            labels::EXPIRES.to_owned(),
            "2001-01-01T00:00:00Z".to_owned(),
        );
        inherited.insert("app".to_owned(), "kept".to_owned());
        let l = commit_labels("abc", &inherited);
        assert_eq!(l[labels::OWNER], "none");
        assert_eq!(l[labels::EXPIRES], "");
        assert_eq!(l[labels::TOOL], labels::TOOL_NAME);
        assert_eq!(l[SOURCE_LABEL], "abc");
        assert!(
            !l.contains_key("app"),
            "other labels are left to the engine's merge"
        );
        assert!(!l.contains_key(labels::ID));
        let mut merged = inherited.clone();
        merged.extend(l);
        assert_eq!(
            labels::stale(&merged, ptest_shared::record::Timestamp::now()),
            None
        );
    }

    #[test]
    fn default_commit_tags_are_valid_references() {
        let id = "0123456789abcdef0123";
        assert_eq!(default_commit_tag("db", id), "ptest/db:0123456789ab");
        assert_eq!(
            default_commit_tag("/My_DB..x", id),
            "ptest/my-db-x:0123456789ab"
        );
        assert_eq!(default_commit_tag("__", id), "ptest/container:0123456789ab");
        for n in ["hopeful_turing", "A-b.C", "x--y"] {
            parse_reference(&default_commit_tag(n, id)).unwrap();
        }
    }

    #[test]
    fn sizes_for_people() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(1023), "1023 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(1982256), "1.9 MiB");
    }
}
