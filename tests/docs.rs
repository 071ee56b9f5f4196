//! The docs stay true to the code: every configuration key is documented in
//! docs/config.md, every command of every binary on its page, every exit
//! code in docs/protocol.md.

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
fn every_command_of_every_binary_is_documented() {
    for (bin, cmd, page) in ptest_suite::binaries() {
        let text = doc(page);
        // `ptest-port lease` is spelled as users type it: `ptest port lease`.
        let prefix = bin.replacen("ptest-", "ptest ", 1);
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = sub.get_name();
            assert!(
                text.contains(&format!("{prefix} {name}")),
                "docs/{page} does not document `{prefix} {name}`"
            );
        }
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
