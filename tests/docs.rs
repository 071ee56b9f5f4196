//! The docs stay true to the code: every configuration key is documented in
//! docs/config.md, every built-in command of `ptest` in docs/ptest.md, every
//! exit code in docs/protocol.md.

use std::path::PathBuf;

fn doc(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_config_key_is_documented() {
    let text = doc("config.md");
    for s in ptest_shared::config::SETTINGS {
        assert!(
            text.contains(&format!("`{}`", s.key)),
            "docs/config.md does not document `{}`",
            s.key
        );
    }
}

#[test]
fn every_builtin_command_is_documented() {
    let text = doc("ptest.md");
    for sub in ptest::command().get_subcommands() {
        let name = sub.get_name();
        assert!(
            text.contains(&format!("ptest {name}")),
            "docs/ptest.md does not document `ptest {name}`"
        );
    }
}

#[test]
fn every_exit_code_is_in_the_protocol() {
    let text = doc("protocol.md");
    for line in ptest_shared::Exit::TABLE.lines().skip(1) {
        let code = line.split_whitespace().next().unwrap();
        assert!(
            text.contains(&format!("| {code} |")),
            "docs/protocol.md lacks exit code {code}"
        );
    }
}
