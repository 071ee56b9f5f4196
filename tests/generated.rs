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

#[test]
fn the_dispatchers_help_lists_every_built_in_tool() {
    let long = ptest::command().render_long_help().to_string();
    let short = ptest::command().render_help().to_string();
    for (tool, _) in ptest_shared::tools::BUILTIN {
        assert!(
            long.contains(&format!("\n  {tool} ")),
            "ptest --help lacks {tool}"
        );
        assert!(short.contains(tool), "ptest -h lacks {tool}");
    }
}

/// What bash completes for `words`, with the committed script and `path`
/// first on PATH.
fn bash_complete(words: &[&str], path: &Path) -> Vec<String> {
    let script = root().join("completions/ptest.bash");
    let line = words.join(" ");
    let program = format!(
        "source {}; COMP_WORDS=({line}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; _ptest_with_plugins ptest; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.len() - 1
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &program])
        .env(
            "PATH",
            format!("{}:{}", path.display(), std::env::var("PATH").unwrap()),
        )
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_dispatchers_completions_cover_tools_and_plugins_found_when_completing() {
    let s = ptest_shared::testkit::Scenario::new();
    s.plugin("hello", "#!/bin/sh\nexit 0\n");
    // The built ptest, for `ptest --list`.
    let bin = ptest_shared::testkit::target_dir();
    let path = format!("{}:{}", s.bin.display(), bin.display());
    let path = Path::new(&path);
    assert!(bash_complete(&["ptest", "po"], path).contains(&"port".to_owned()));
    assert!(bash_complete(&["ptest", "port", "le"], path).contains(&"lease".to_owned()));
    assert!(
        bash_complete(&["ptest", "docker", "network", "cr"], path).contains(&"create".to_owned())
    );
    assert!(bash_complete(&["ptest", "he"], path).contains(&"hello".to_owned()));
    // `ptest completions bash` prints the committed script.
    let out = std::process::Command::new(bin.join("ptest"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(
        out.stdout,
        std::fs::read(root().join("completions/ptest.bash")).unwrap()
    );
}
