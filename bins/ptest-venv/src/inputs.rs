//! What decides an install: the requirements of a command line (checked
//! for conflicts among themselves first), the index options, the lines
//! handed to the installer, and the key that hashes all of it (a template's
//! name, and what `sync` compares to know that nothing changed).

use crate::backend::{Backend, Index};
use crate::python::Interpreter;
use crate::template::KeyBuilder;
use crate::{IndexArgs, ReqArgs, installed, reqs};
use ptest_shared::{Error, Result};
use std::path::{Path, PathBuf};

/// The requirements of a command line, checked for conflicts among
/// themselves first (for the interpreter that will install them).
pub fn read_requirements(r: &ReqArgs, interp: &Interpreter) -> Result<reqs::Requirements> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::from_io("cannot read the working directory", &e))?;
    let req = reqs::read_inputs(&r.files, &r.constraints, &r.packages, &cwd)?;
    let env = installed::marker_env(&interp.markers)?;
    let conflicts = reqs::conflicts(&req, Some(&env));
    if let Some(first) = conflicts.first() {
        let mut msg = first.reason.clone();
        if conflicts.len() > 1 {
            msg.push_str(&format!(" (and {} more conflicts)", conflicts.len() - 1));
        }
        return Err(Error::data(msg)
            .hint("`ptest venv check -r FILE` lists every conflict; relax one of the pins"));
    }
    Ok(req)
}

pub fn index_of(args: &IndexArgs, req: &reqs::Requirements) -> Index {
    let mut find_links: Vec<String> = args.find_links.iter().map(|f| absolute_link(f)).collect();
    find_links.extend(req.find_links.iter().cloned());
    Index {
        index_url: args.index_url.clone().or_else(|| req.index_url.clone()),
        extra_index_urls: args
            .extra_index_url
            .iter()
            .chain(&req.extra_index_urls)
            .cloned()
            .collect(),
        find_links,
        no_index: args.no_index || req.no_index,
    }
}

/// A `--find-links` directory made absolute (the installer runs elsewhere).
fn absolute_link(f: &str) -> String {
    if f.contains("://") || Path::new(f).is_absolute() {
        return f.to_owned();
    }
    std::env::current_dir()
        .map(|d| d.join(f).display().to_string())
        .unwrap_or_else(|_| f.to_owned())
}

/// The requirement lines handed to the installer, and the constraints.
pub fn installer_lines(
    req: &reqs::Requirements,
    only: Option<&[usize]>,
) -> (Vec<String>, Vec<String>) {
    let mut wanted = Vec::new();
    let mut constraints = Vec::new();
    for (i, l) in req.lines.iter().enumerate() {
        let mut text = if l.editable {
            format!("-e {}", l.install_text())
        } else {
            l.install_text()
        };
        for h in &l.hashes {
            text.push_str(&format!(" --hash={h}"));
        }
        if l.constraint {
            constraints.push(text);
        } else if only.is_none_or(|o| o.contains(&i)) {
            wanted.push(text);
        }
    }
    (wanted, constraints)
}

/// Hashes everything that decides what an install produces.
pub fn inputs_key(
    interp: &Interpreter,
    req: &reqs::Requirements,
    backend: &Backend,
    index: &Index,
    extra: &str,
) -> String {
    let mut k = KeyBuilder::new();
    k.part("python", interp.identity().as_bytes());
    let mut lines: Vec<String> = req
        .lines
        .iter()
        .map(|l| {
            format!(
                "{}{} {}",
                if l.constraint { "-c " } else { "" },
                l.requirement,
                l.hashes.join(",")
            )
        })
        .collect();
    lines.sort();
    k.part("requirements", lines.join("\n").as_bytes());
    // The files by their content, however their paths were spelled
    // (`req.txt`, `./req.txt`, an absolute path: one template).
    let mut contents: Vec<&[u8]> = req.files.iter().map(|(_, b)| &b[..]).collect();
    contents.sort();
    for c in contents {
        k.part("file", c);
    }
    // A local source (`name @ file://…`, `-e ./dir`) by what it holds now:
    // a changed source is a new template, never a stale one.
    for l in &req.lines {
        if let Some(path) = local_source(l) {
            k.part(
                &path.display().to_string(),
                source_fingerprint(&path).as_bytes(),
            );
        }
    }
    k.part("backend", backend.identity().as_bytes());
    k.part("index", index.fingerprint().as_bytes());
    k.part("extra", extra.as_bytes());
    k.finish()
}

/// The local file or directory a requirement installs from, if any.
fn local_source(l: &reqs::Line) -> Option<PathBuf> {
    match &l.requirement.version_or_url {
        Some(pep508_rs::VersionOrUrl::Url(u)) if u.scheme() == "file" => u.to_file_path().ok(),
        _ => None,
    }
}

/// What a local source holds: a file's bytes; a directory's files by path,
/// size and modification time (build outputs and caches left out, so that
/// building the source does not change it).
fn source_fingerprint(path: &Path) -> String {
    use std::hash::{Hash, Hasher};
    const SKIP: &[&str] = &[
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".venv",
        "build",
    ];
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let Ok(meta) = std::fs::metadata(path) else {
        return "missing".into();
    };
    if meta.is_file() {
        std::fs::read(path).unwrap_or_default().hash(&mut h);
        return format!("{:016x}", h.finish());
    }
    let mut stack = vec![path.to_path_buf()];
    let mut entries = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if SKIP.contains(&name.as_str())
                || name.ends_with(".egg-info")
                || name.ends_with(".pyc")
            {
                continue;
            }
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                let rel = e
                    .path()
                    .strip_prefix(path)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                entries.push((rel, m.len(), crate::python::mtime_ns(&m)));
            }
        }
    }
    entries.sort();
    entries.hash(&mut h);
    format!("{:016x}", h.finish())
}
