//! The committed man pages and shell completions are generated from each
//! binary's clap definition; this test regenerates them and fails when the
//! committed files are stale. `PTEST_BLESS=1 cargo test --test generated`
//! rewrites them.

use ptest_suite::{binaries, completions, man_page};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for (name, cmd, _) in binaries() {
        files.push((Path::new("man").join(format!("{name}.1")), man_page(&cmd)));
        for (file, bytes) in completions(name, &cmd) {
            files.push((Path::new("completions").join(file), bytes));
        }
    }
    files
}

#[test]
fn man_pages_and_completions_are_current() {
    let bless = std::env::var_os("PTEST_BLESS").is_some();
    let mut stale = Vec::new();
    for (rel, want) in expected() {
        let path = root().join(&rel);
        if std::fs::read(&path).ok().as_deref() != Some(&want[..]) {
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &want).unwrap();
            } else {
                stale.push(rel.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nregenerate them with: PTEST_BLESS=1 cargo test --test generated"
    );
}

#[test]
fn every_binary_documents_its_exit_codes() {
    for (name, cmd, _) in binaries() {
        let page = String::from_utf8(man_page(&cmd)).unwrap();
        assert!(
            page.contains("EXIT STATUS") && page.contains("75"),
            "{name}.1 lacks the exit status table"
        );
    }
}
