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

/// Every event name a tool writes or hooks (`"port.released"` in the
/// sources: a resource kind, a dot, an action), but configuration keys.
fn events_in_the_code() -> std::collections::BTreeSet<String> {
    let kinds: Vec<&str> = ptest_shared::kinds::RESOURCE_KINDS
        .iter()
        .map(|(k, _)| *k)
        .chain(["image"])
        .collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![];
    let mut dirs = vec![root.join("shared/src")];
    for e in std::fs::read_dir(root.join("bins")).unwrap() {
        dirs.push(e.unwrap().path().join("src"));
    }
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut found = std::collections::BTreeSet::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let Some((kind, action)) = lit.split_once('.') else {
                continue;
            };
            let is_word = !action.is_empty() && action.bytes().all(|b| b.is_ascii_lowercase());
            let is_key = ptest_shared::config::SETTINGS.iter().any(|s| s.key == lit);
            if kinds.contains(&kind) && is_word && !is_key {
                found.insert(lit.to_owned());
            }
        }
    }
    found
}

#[test]
fn events_in_the_code_and_in_the_docs_agree() {
    let page = |event: &str| match event.split_once('.').unwrap().0 {
        "container" | "network" | "volume" | "image" | "pool" => "docker.md",
        kind => match kind {
            "venv" => "venv.md",
            "port" => "port.md",
            "mon" => "mon.md",
            "snapshot" | "overlay" => "snap.md",
            _ => "proc.md",
        },
    };
    // What hooks can name is listed in config.md and on its tool's page.
    let config = doc("config.md");
    for e in ptest_shared::config::EVENTS {
        assert!(
            config.contains(&format!("`{e}`")),
            "docs/config.md lacks the event `{e}`"
        );
        assert!(
            doc(page(e)).contains(&format!("`{e}`")),
            "docs/{} lacks the event `{e}`",
            page(e)
        );
    }
    // Every event a tool writes is on its page.
    let code = events_in_the_code();
    for e in &code {
        assert!(
            doc(page(e)).contains(&format!("`{e}`")),
            "the code writes `{e}`, which docs/{} does not name",
            page(e)
        );
    }
    // And no page names an event the code never writes.
    for name in [
        "docker.md",
        "venv.md",
        "port.md",
        "proc.md",
        "mon.md",
        "snap.md",
        "config.md",
        "protocol.md",
    ] {
        let text = doc(name);
        for tok in text.split('`').skip(1).step_by(2) {
            let tok = tok.trim_start_matches("pre-").trim_start_matches("post-");
            let Some((kind, action)) = tok.split_once('.') else {
                continue;
            };
            let event_like = [
                "removed",
                "released",
                "created",
                "ready",
                "exited",
                "leased",
                "stopped",
                "synced",
                "installed",
                "uninstalled",
                "copied",
                "restored",
            ]
            .contains(&action);
            if [
                "venv",
                "port",
                "proc",
                "container",
                "network",
                "volume",
                "pool",
                "mon",
                "snapshot",
                "overlay",
            ]
            .contains(&kind)
                && event_like
            {
                assert!(
                    code.contains(tok),
                    "docs/{name} names `{tok}`, which no tool writes"
                );
            }
        }
    }
}

#[test]
fn architecture_names_only_files_that_exist() {
    let text = doc("architecture.md");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut named = 0;
    for tok in text.split('`').skip(1).step_by(2) {
        let looks_like_path =
            (tok.starts_with("shared/") || tok.starts_with("bins/") || tok.starts_with("tests/"))
                && !tok.contains(' ')
                && !tok.contains('<');
        if looks_like_path {
            named += 1;
            assert!(
                root.join(tok).exists(),
                "docs/architecture.md names {tok}, which does not exist"
            );
        }
        if let Some(module) = tok
            .strip_prefix("shared::")
            .and_then(|m| m.split("::").next())
        {
            assert!(
                root.join(format!("shared/src/{module}.rs")).exists(),
                "docs/architecture.md names {tok}: no shared/src/{module}.rs"
            );
        }
    }
    assert!(named > 20, "the map names the files it maps ({named})");
}
