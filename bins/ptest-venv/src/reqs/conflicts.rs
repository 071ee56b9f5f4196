//! The conflicts that can be seen before anything is installed: two lines
//! (requirements or constraints) for one project whose version specifiers
//! allow no common version, or that name two different URLs.

use super::{Line, Requirements};
use pep508_rs::pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{MarkerEnvironment, Requirement, VersionOrUrl};
use version_ranges::Ranges;

/// Two lines for the same project that cannot both be satisfied.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The normalised project name.
    pub project: String,
    /// The line read first.
    pub a: Line,
    /// The line read later.
    pub b: Line,
    /// One line for a human, naming both lines and where they are.
    pub reason: String,
}

impl Conflict {
    /// The `conflict` record of the protocol (docs/protocol.md).
    pub fn to_record(&self) -> serde_json::Value {
        let side = |l: &Line| {
            serde_json::json!({
                "file": l.file.display().to_string(),
                "line": l.line,
                "requirement": l.text,
                "constraint": l.constraint,
            })
        };
        serde_json::json!({
            "v": 1,
            "kind": "conflict",
            "project": self.project,
            "phase": "requirements",
            "reason": self.reason,
            "a": side(&self.a),
            "b": side(&self.b),
        })
    }
}

/// Pre-install conflicts: pairs of lines (requirements and constraints) for
/// the same project whose version specifiers allow no common version, or
/// that name two different URLs.
///
/// With `env`, a line whose markers do not apply to it is left out. Lines
/// whose markers can never hold together (`python_version < "3.10"` and
/// `python_version >= "3.10"`) are never compared, with or without `env`.
/// A URL against version specifiers is not a conflict: the version behind a
/// URL is only known after download, which is the installer's business.
pub fn conflicts(reqs: &Requirements, env: Option<&MarkerEnvironment>) -> Vec<Conflict> {
    let active: Vec<&Line> = reqs
        .lines
        .iter()
        .filter(|l| env.is_none_or(|env| l.requirement.evaluate_markers(env, &[])))
        .collect();
    let mut found = Vec::new();
    for (i, a) in active.iter().enumerate() {
        for b in &active[i + 1..] {
            if a.requirement.name != b.requirement.name
                || a.requirement.marker.is_disjoint(&b.requirement.marker)
            {
                continue;
            }
            let Some(verb) = clash(&a.requirement, &b.requirement) else {
                continue;
            };
            let project = a.project().to_string();
            let reason = format!(
                "{project}: \"{}\" ({}) and \"{}\" ({}) {verb}",
                a.text,
                origin(a),
                b.text,
                origin(b)
            );
            found.push(Conflict {
                project,
                a: (*a).clone(),
                b: (*b).clone(),
                reason,
            });
        }
    }
    found
}

/// Why two requirements of one project cannot both hold (the end of a
/// sentence), or `None` when they can, or when that cannot be known yet.
fn clash(a: &Requirement, b: &Requirement) -> Option<&'static str> {
    match (&a.version_or_url, &b.version_or_url) {
        (Some(VersionOrUrl::Url(x)), Some(VersionOrUrl::Url(y))) => {
            (x.as_str() != y.as_str()).then_some("name two different URLs")
        }
        (Some(VersionOrUrl::VersionSpecifier(x)), Some(VersionOrUrl::VersionSpecifier(y))) => {
            allowed(x)
                .is_disjoint(&allowed(y))
                .then_some("cannot both hold")
        }
        _ => None,
    }
}

/// The versions a set of specifiers allows, with PEP 440 semantics, as
/// `pep440_rs` computes them; except that local version labels (`+cpu`)
/// are compared on their public part only. `==1.0` does allow `1.0+cpu`,
/// which a range of versions cannot express exactly, and a false conflict
/// would stop an install that works: widening can only miss a conflict,
/// which the installer then reports.
fn allowed(specifiers: &VersionSpecifiers) -> Ranges<Version> {
    specifiers
        .iter()
        .fold(Ranges::full(), |acc, s| acc.intersection(&public_range(s)))
}

/// See [`allowed`].
fn public_range(specifier: &VersionSpecifier) -> Ranges<Version> {
    let version = specifier.version();
    if !version.is_local() {
        return Ranges::from(specifier.clone());
    }
    match specifier.operator() {
        Operator::Equal | Operator::ExactEqual => {
            Ranges::singleton(version.clone().without_local())
        }
        // `!=1.0+cpu` excludes one build; any other version satisfies it.
        _ => Ranges::full(),
    }
}

/// `(reqs/a.txt:3)` or `(constraint, reqs/c.txt:1)`, without parentheses.
fn origin(l: &Line) -> String {
    if l.constraint {
        format!("constraint, {}", l.location())
    } else {
        l.location()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reqs::read;
    use crate::reqs::testing::tree;
    use pep508_rs::MarkerEnvironmentBuilder;
    use std::path::PathBuf;

    fn python311() -> MarkerEnvironment {
        MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.11.7",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "6.1.0",
            platform_system: "Linux",
            platform_version: "#1 SMP",
            python_full_version: "3.11.7",
            python_version: "3.11",
            sys_platform: "linux",
        })
        .unwrap()
    }

    /// The conflicts between the lines of `text`, read as `r.txt`.
    fn clashes(text: &str, env: Option<&MarkerEnvironment>) -> Vec<Conflict> {
        let dir = tree(&[("r.txt", text)]);
        let r = read(&[PathBuf::from("r.txt")], &[], dir.path()).unwrap();
        conflicts(&r, env)
    }

    #[test]
    fn conflicting_versions() {
        let found = clashes("pytest==7.4.0\nother\npytest>=8\n", None);
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.project, "pytest");
        assert_eq!(
            c.reason,
            "pytest: \"pytest==7.4.0\" (r.txt:1) and \"pytest>=8\" (r.txt:3) cannot both hold"
        );
        let rec = c.to_record();
        assert_eq!(rec["v"], 1);
        assert_eq!(rec["kind"], "conflict");
        assert_eq!(rec["phase"], "requirements");
        assert_eq!(rec["project"], "pytest");
        assert_eq!(rec["a"]["file"], "r.txt");
        assert_eq!(rec["a"]["line"], 1);
        assert_eq!(rec["b"]["requirement"], "pytest>=8");
        assert_eq!(rec["reason"], c.reason.as_str());

        assert!(clashes("pytest>=7\npytest<9\n", None).is_empty());
        assert_eq!(clashes("A_b==1\na-b==2\n", None).len(), 1);
        assert_eq!(clashes("x~=1.4\nx==2.0\n", None).len(), 1);
        assert!(clashes("x==1.*\nx>=1.5,<2\n", None).is_empty());
        assert!(clashes("x>=1\nx\n", None).is_empty());
        // `==2.1.0` allows the local build `2.1.0+cpu`.
        assert!(clashes("torch==2.1.0+cpu\ntorch==2.1.0\n", None).is_empty());
        assert!(clashes("torch!=2.1.0+cpu\ntorch==2.1.0\n", None).is_empty());
    }

    #[test]
    fn constraints_conflict_too() {
        let dir = tree(&[("r.txt", "a==1.0\n-c c.txt\n"), ("c.txt", "a!=1.0\n")]);
        let r = read(&[PathBuf::from("r.txt")], &[], dir.path()).unwrap();
        let found = conflicts(&r, None);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason,
            "a: \"a==1.0\" (r.txt:1) and \"a!=1.0\" (constraint, c.txt:1) cannot both hold"
        );
        assert_eq!(found[0].to_record()["b"]["constraint"], true);
    }

    #[test]
    fn markers_decide_which_lines_are_compared() {
        let env = python311();
        let text = "x==1; python_version < \"3\"\nx==2\n";
        assert!(clashes(text, Some(&env)).is_empty());
        assert_eq!(clashes(text, None).len(), 1);
        assert_eq!(
            clashes("x==1; python_version >= \"3\"\nx==2\n", Some(&env)).len(),
            1
        );
        // Never both in effect, whatever the environment.
        let split = "x==1; python_version < \"3.10\"\nx==2; python_version >= \"3.10\"\n";
        assert!(clashes(split, None).is_empty());
    }

    #[test]
    fn urls_conflict_only_with_other_urls() {
        let found = clashes("p @ https://h/p-1.whl\np @ https://h/p-2.whl\n", None);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].reason.ends_with("name two different URLs"),
            "{}",
            found[0].reason
        );
        assert!(clashes("p @ https://h/p-1.whl\np @ https://h/p-1.whl\n", None).is_empty());
        assert!(clashes("p @ https://h/p-1.whl\np==2\n", None).is_empty());
    }
}
