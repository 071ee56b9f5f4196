//! Property-based fuzzing of the requirements parser, in-process
//! (docs/fuzzing.md): trees of requirement files that include each other,
//! right and wrong, read as `-r a.txt` is; requirements given as
//! arguments; and the conflict check on what was read. Every case is
//! bounded by a watchdog.
//!
//! Properties: never a panic or a hang; what is read is a requirement of
//! a file of the tree at one of its lines; a refusal is 65 (66 for a
//! missing include, 74 for one that cannot be read, such as a directory),
//! one line naming `file:line` (or the command-line argument).

#[path = "../../tests/support/requirements.rs"]
mod generate;
#[path = "../../../../shared/tests/support/fuzz.rs"]
mod property;

use super::reader::Reader;
use super::{COMMAND_LINE, Requirements, conflicts, read_inputs_with};
use proptest::prelude::*;
use ptest_shared::testkit::fuzz::{CASE_LIMIT, one_line, within};
use ptest_shared::{Error, Result};
use std::path::{Path, PathBuf};

/// `${NAME}` as the tests set them (and one holding a newline).
fn var(name: &str) -> Option<String> {
    if name == "NL" {
        return Some("a\nb".to_owned());
    }
    generate::VARS
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| (*v).to_owned())
}

/// Reads `a.txt` of `tree` (written under a new temporary directory) as
/// `-r a.txt` does, then checks it for conflicts, in a watchdog.
fn read_tree(tree: Vec<(&'static str, Vec<u8>)>) -> (Result<Requirements>, usize) {
    within(CASE_LIMIT, "reading requirement files", move || {
        let dir = tempfile::Builder::new()
            .prefix("ptest-test-")
            .tempdir()
            .unwrap();
        for (name, bytes) in &tree {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let got = read_inputs_with(&var, &[PathBuf::from("./a.txt")], &[], &[], dir.path());
        let found = got.as_ref().map_or(0, |r| conflicts(r, None).len());
        (got, found)
    })
}

/// A refusal as the suite wants it: a documented code, one line.
fn check_refusal(e: &Error, names: &str) -> std::result::Result<(), TestCaseError> {
    prop_assert!(
        matches!(e.exit.code(), 65 | 66 | 74),
        "exit {}: {}",
        e.exit.code(),
        e
    );
    prop_assert!(
        one_line(&e.to_string()),
        "not one line: {:?}",
        e.to_string()
    );
    prop_assert!(
        e.message.contains(names),
        "the message does not name {names}: {}",
        e.message
    );
    Ok(())
}

#[test]
fn requirement_files_are_read_or_refused_naming_file_and_line() {
    property::check("requirement_files", 3000, generate::tree, |tree| {
        let lines: Vec<(PathBuf, usize)> = tree
            .iter()
            .map(|(n, b)| (PathBuf::from(n), b.split(|c| *c == b'\n').count()))
            .collect();
        let (got, _) = read_tree(tree);
        match got {
            Ok(r) => {
                prop_assert_eq!(
                    r.files.first().map(|f| f.0.as_path()),
                    Some(Path::new("a.txt"))
                );
                for l in &r.lines {
                    // Named as the tree's file it came from, at one of its lines.
                    let n = lines
                        .iter()
                        .find(|(p, _)| tidy_eq(&l.file, p))
                        .map(|(_, n)| *n);
                    prop_assert!(
                        n.is_some(),
                        "{} is not a file of the tree",
                        l.file.display()
                    );
                    prop_assert!((1..=n.unwrap()).contains(&l.line), "{}", l.location());
                    prop_assert!(!l.text.trim().is_empty());
                    let _ = l.install_text();
                }
            }
            Err(e) => check_refusal(&e, ".txt:")?,
        }
        Ok(())
    });
}

/// Whether `shown` (as the reader names an included file: `sub/../b.txt`)
/// is the tree's file `p`.
fn tidy_eq(shown: &Path, p: &Path) -> bool {
    let mut parts: Vec<&std::ffi::OsStr> = Vec::new();
    for c in shown.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(n) => parts.push(n),
            _ => {}
        }
    }
    parts.iter().collect::<PathBuf>() == p
}

#[test]
fn requirement_arguments_are_read_or_refused_naming_the_argument() {
    let args = || {
        proptest::collection::vec(
            prop_oneof![
                4 => generate::requirement(),
                1 => generate::option(),
                1 => proptest::collection::vec(generate::odd(), 0..6).prop_map(|o| o.concat()),
            ],
            1..4,
        )
    };
    property::check("requirement_arguments", 3000, args, |args| {
        let a = args.clone();
        let got = within(CASE_LIMIT, "reading requirement arguments", move || {
            let got = read_inputs_with(&var, &[], &[], &a, Path::new("/nonexistent"));
            let found = got.as_ref().map_or(0, |r| conflicts(r, None).len());
            (got, found)
        });
        match got.0 {
            Ok(r) => prop_assert_eq!(r.lines.len(), args.len()),
            Err(e) => {
                prop_assert_eq!(e.exit.code(), 65, "{}", e);
                check_refusal(&e, "command-line argument ")?;
            }
        }
        Ok(())
    });
}

#[test]
fn plain_requirements_are_read_as_written() {
    let plain = || {
        (
            "[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?",
            proptest::option::of(("(==|>=|<=|!=|~=|<|>)", "[0-9]{1,3}(\\.[0-9]{1,3}){1,2}")),
            proptest::option::of(proptest::sample::select(vec![
                "python_version >= \"3.8\"",
                "sys_platform == 'linux'",
                "extra == \"dev\"",
            ])),
        )
    };
    property::check("plain_requirements", 3000, plain, |(name, spec, marker)| {
        let mut text = name.clone();
        if let Some((op, v)) = &spec {
            text.push_str(&format!("{op}{v}"));
        }
        if let Some(m) = marker {
            text.push_str(&format!(" ; {m}"));
        }
        let t = format!("{text}  # a comment\n");
        let got = within(CASE_LIMIT, "parsing", move || {
            let mut reader = Reader::new(Path::new("/nonexistent"));
            reader.var = &var;
            reader
                .parse(&t, Path::new("req.txt"), false)
                .map(|()| reader.out)
        });
        let r = got.map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(r.lines.len(), 1);
        prop_assert_eq!(&r.lines[0].text, &text);
        prop_assert_eq!(r.lines[0].project(), super::normalize(&name));
        prop_assert_eq!(r.lines[0].location(), "req.txt:1");
        prop_assert_ne!(r.lines[0].file.as_path(), Path::new(COMMAND_LINE));
        Ok(())
    });
}
