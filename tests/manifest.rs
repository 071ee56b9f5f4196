//! No crate is declared that no code uses: every dependency of every member
//! is named in that member's sources, and every workspace dependency by some
//! member.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn manifest(dir: &Path) -> toml::Table {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

/// Every `.rs` file below `dirs` of `member`, concatenated, with the
/// modules they take from elsewhere by `#[path = "…"]`.
fn sources(member: &Path, dirs: &[&str]) -> String {
    let mut text = String::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| member.join(d)).collect();
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let file = std::fs::read_to_string(&p).unwrap();
                for line in file.lines() {
                    if let Some(rest) = line.trim().strip_prefix("#[path = \"") {
                        let at = p.parent().unwrap().join(rest.split('"').next().unwrap());
                        text.push_str(&std::fs::read_to_string(&at).unwrap());
                    }
                }
                text.push_str(&file);
            }
        }
    }
    text
}

fn members() -> Vec<PathBuf> {
    let mut v = vec![root(), root().join("shared")];
    for e in std::fs::read_dir(root().join("bins")).unwrap() {
        v.push(e.unwrap().path());
    }
    v
}

#[test]
fn every_declared_crate_is_used() {
    let mut unused = Vec::new();
    let mut declared_by_members = std::collections::BTreeSet::new();
    for m in members() {
        let man = manifest(&m);
        // The root package's code is its tests and their support library.
        let (src, tests): (&[&str], &[&str]) = if m == root() {
            (&["tests/support"], &["tests"])
        } else {
            (&["src"], &["src", "tests", "benches"])
        };
        for (table, dirs) in [("dependencies", src), ("dev-dependencies", tests)] {
            let Some(deps) = man.get(table).and_then(|t| t.as_table()) else {
                continue;
            };
            let code = sources(&m, dirs);
            for (name, spec) in deps {
                declared_by_members.insert(name.clone());
                let optional_feature_only = spec.get("optional").is_some();
                let ident = name.replace('-', "_");
                let used = code.contains(&format!("{ident}::"))
                    || code.contains(&format!("use {ident}"))
                    || code.contains(&format!("{ident} as "));
                if !(used || optional_feature_only && code.contains(&ident)) {
                    unused.push(format!("{}: [{table}] {name}", m.display()));
                }
            }
        }
    }
    let ws = manifest(&root());
    let workspace = ws["workspace"]["dependencies"].as_table().unwrap();
    for name in workspace.keys() {
        if !declared_by_members.contains(name) {
            unused.push(format!("Cargo.toml: [workspace.dependencies] {name}"));
        }
    }
    assert!(unused.is_empty(), "declared but unused: {unused:#?}");
}
