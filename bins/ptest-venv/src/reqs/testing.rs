//! What the tests of the requirement parser share: parsing a text as
//! `req.txt` with `${VAR}`s from a fixed map, and a temporary tree of files.

use super::Requirements;
use super::reader::Reader;
use ptest_shared::{Error, Result};
use std::fs;
use std::path::Path;

/// Parses `text` as `req.txt` in `/proj`, with `${VAR}`s looked up in
/// `vars` instead of the process environment.
pub(super) fn parse_with(text: &str, vars: &[(&str, &str)]) -> Result<Requirements> {
    let lookup = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_string())
    };
    let mut reader = Reader::new(Path::new("/proj"));
    reader.var = &lookup;
    reader.parse(text, Path::new("req.txt"), false)?;
    Ok(reader.out)
}

pub(super) fn parse(text: &str) -> Result<Requirements> {
    parse_with(text, &[])
}

pub(super) fn err(text: &str) -> Error {
    parse(text).expect_err("should fail")
}

/// Writes `files` (path, contents) under a new temporary directory.
pub(super) fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

pub(super) fn texts(r: &Requirements) -> Vec<&str> {
    r.lines.iter().map(|l| l.text.as_str()).collect()
}

pub(super) const H1: &str =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub(super) const H2: &str =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";
