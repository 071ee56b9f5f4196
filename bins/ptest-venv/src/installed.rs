//! Installed distributions: what a virtual environment holds, read from its
//! `site-packages` directory without running Python or pip.
//!
//! # Why natively
//!
//! Asking the interpreter (`pip list`, `pip check`, `importlib.metadata`) costs
//! a Python start-up plus imports: hundreds of milliseconds. The files are
//! simple, so reading them here takes a few milliseconds for ~50
//! distributions, which keeps the no-op path of `sync` and the post-install
//! check (pip check's job, [`check`]) fast.
//!
//! # The format
//!
//! Every installed distribution has a metadata directory in `site-packages`
//! ([recording installed packages]):
//!
//! - `{name}-{version}.dist-info/` (wheels, modern installs). Its `METADATA`
//!   file is RFC 822 style: `Key: value` header lines, header names
//!   case-insensitive, a line starting with a space or tab continues the
//!   previous header, and the headers end at the first empty line; the rest is
//!   the description, which is never read. `Name:` and `Version:` identify the
//!   distribution (they, not the directory name, are the truth), and each
//!   `Requires-Dist:` header is one PEP 508 requirement. `INSTALLER` names the
//!   tool that installed it and an empty `REQUESTED` file marks a distribution
//!   the user asked for (rather than a dependency). `RECORD` is not read.
//! - `{name}-{version}[-pyX.Y].egg-info` (old setuptools installs, `develop`
//!   installs), a directory with a `PKG-INFO` file in the same format as
//!   `METADATA`, or a single file holding the `PKG-INFO` text itself. When
//!   `PKG-INFO` has no `Requires-Dist:` headers, the dependencies are in
//!   `requires.txt`: one requirement a line, grouped in sections. Lines under
//!   `[extra]` apply only with that extra, lines under `[:marker]` only where
//!   the marker holds, lines under `[extra:marker]` both; this module turns
//!   them into PEP 508 requirements with the equivalent marker
//!   (`req ; extra == "extra"`), as `importlib.metadata` does.
//!
//! Headers are parsed like Python's `email` parser does: a line that is
//! neither a header nor a continuation ends the headers (the parser would make
//! it the start of the body). A missing `Name:`/`Version:`, a version that is
//! not PEP 440 or a requirement that is not PEP 508 is an error naming the file
//! and line (exit 65): a damaged installation is reported, never skipped.
//!
//! Versions and requirements are parsed and compared by `pep440_rs` and
//! `pep508_rs`, the same rules pip and uv apply.
//!
//! [recording installed packages]: https://packaging.python.org/en/latest/specifications/recording-installed-packages/

use crate::reqs::normalize;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{
    ExtraName, MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, Requirement, VersionOrUrl,
};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};

/// One installed distribution, from its `*.dist-info` (or `*.egg-info`)
/// directory.
#[derive(Debug, Clone)]
pub struct Dist {
    /// The name as written in the `Name:` header.
    pub name: String,
    /// The PEP 503 normalised name: lowercase, runs of `-`, `_`, `.` → `-`.
    pub normalized: String,
    /// The `Version:` header.
    pub version: Version,
    /// The `Requires-Dist:` headers (or `requires.txt` of an egg-info), markers
    /// not evaluated.
    pub requires: Vec<Requirement>,
    /// The `.dist-info` directory (or the `.egg-info` directory or file).
    pub dist_info: PathBuf,
    /// The content of the `INSTALLER` file, trimmed; `None` when the file is
    /// absent or empty (always `None` for egg-info).
    pub installer: Option<String>,
    /// Whether a `REQUESTED` file exists (always `false` for egg-info).
    pub requested: bool,
}

/// All distributions in a site-packages directory, sorted by normalised name
/// (then version, then path, should a name be installed twice).
///
/// Reads `METADATA` headers (`PKG-INFO` and `requires.txt` for egg-info),
/// `INSTALLER` and the existence of `REQUESTED`; never `RECORD` or the
/// description body.
pub fn scan(site_packages: &Path) -> Result<Vec<Dist>> {
    let mut dists = Vec::new();
    for entry in read_dir(site_packages)? {
        let (path, file_name) = entry;
        if file_name.ends_with(".dist-info") {
            if is_dir(&path) {
                dists.push(read_dist_info(&path)?);
            }
        } else if file_name.ends_with(".egg-info") {
            dists.push(read_egg_info(&path)?);
        }
    }
    dists.sort_by(|a, b| {
        (&a.normalized, &a.version, &a.dist_info).cmp(&(&b.normalized, &b.version, &b.dist_info))
    });
    Ok(dists)
}

/// The `pep508_rs` marker environment of an interpreter, from the markers it
/// reported.
pub fn marker_env(m: &crate::python::Markers) -> Result<MarkerEnvironment> {
    // The builder parses these three as PEP 440 versions; check them one by
    // one first so that the error names the field.
    for (field, value) in [
        ("implementation_version", &m.implementation_version),
        ("python_full_version", &m.python_full_version),
        ("python_version", &m.python_version),
    ] {
        if let Err(e) = Version::from_str(value) {
            return Err(Error::data(format!(
                "the interpreter reported {field} `{value}`, which is not a PEP 440 version: {e}"
            ))
            .hint("environment markers cannot be evaluated for this interpreter; try another --python"));
        }
    }
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: &m.implementation_name,
        implementation_version: &m.implementation_version,
        os_name: &m.os_name,
        platform_machine: &m.platform_machine,
        platform_python_implementation: &m.platform_python_implementation,
        platform_release: &m.platform_release,
        platform_system: &m.platform_system,
        platform_version: &m.platform_version,
        python_full_version: &m.python_full_version,
        python_version: &m.python_version,
        sys_platform: &m.sys_platform,
    })
    .map_err(|e| Error::internal(format!("cannot build the marker environment: {e}")))
}

/// A problem found after install (pip check's job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// `dist` `version` requires `requirement`, whose project is not installed.
    Missing {
        dist: String,
        version: String,
        requirement: String,
    },
    /// `dist` `version` requires `requirement`, but the installed version of
    /// its project, `installed`, does not satisfy it.
    Mismatch {
        dist: String,
        version: String,
        requirement: String,
        installed: String,
    },
}

impl Problem {
    /// What a user reads, in pip check's style:
    /// `pytest-cov 4.1.0 requires coverage>=5.2.1, but coverage 5.0 is installed`.
    pub fn message(&self) -> String {
        match self {
            Problem::Missing {
                dist,
                version,
                requirement,
            } => format!("{dist} {version} requires {requirement}, which is not installed"),
            Problem::Mismatch {
                dist,
                version,
                requirement,
                installed,
            } => format!(
                "{dist} {version} requires {requirement}, but {} {installed} is installed",
                project_of(requirement)
            ),
        }
    }

    /// The `conflict` record of `--json` output.
    pub fn to_record(&self) -> serde_json::Value {
        let (dist, version, requirement, installed) = match self {
            Problem::Missing {
                dist,
                version,
                requirement,
            } => (dist, version, requirement, None),
            Problem::Mismatch {
                dist,
                version,
                requirement,
                installed,
            } => (dist, version, requirement, Some(installed)),
        };
        serde_json::json!({
            "v": 1,
            "kind": "conflict",
            "phase": "installed",
            "project": project_of(requirement),
            "dist": format!("{dist} {version}"),
            "requirement": requirement,
            "installed": installed,
            "reason": self.message(),
        })
    }

    /// The sort key: requiring distribution, then requirement.
    fn sort_key(&self) -> (String, &str, &str) {
        match self {
            Problem::Missing {
                dist,
                version,
                requirement,
            }
            | Problem::Mismatch {
                dist,
                version,
                requirement,
                ..
            } => (normalize(dist), version, requirement),
        }
    }
}

/// Checks that every installed distribution's requirements are satisfied by
/// the installed versions, as `pip check` does: markers are evaluated for
/// `env` with no extra active (so `; extra == "test"` requirements are
/// ignored), a requirement on a project that is not installed is
/// [`Problem::Missing`], one the installed version does not satisfy
/// ([`pep440_rs::VersionSpecifiers::contains`], pre-releases included) is
/// [`Problem::Mismatch`]. A URL requirement is satisfied by any installed
/// version. Should a name appear twice in `dists`, the first one is the
/// installed one.
///
/// The result is sorted by requiring distribution and requirement.
pub fn check(dists: &[Dist], env: &MarkerEnvironment) -> Vec<Problem> {
    let index = index(dists);
    let mut problems = Vec::new();
    for dist in dists {
        for req in &dist.requires {
            if !req.marker.evaluate(env, &[]) {
                continue;
            }
            match index.get(req.name.as_ref()) {
                None => problems.push(Problem::Missing {
                    dist: dist.name.clone(),
                    version: dist.version.to_string(),
                    requirement: requirement_text(req),
                }),
                Some(installed) => {
                    if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &req.version_or_url
                        && !specifiers.contains(&installed.version)
                    {
                        problems.push(Problem::Mismatch {
                            dist: dist.name.clone(),
                            version: dist.version.to_string(),
                            requirement: requirement_text(req),
                            installed: installed.version.to_string(),
                        });
                    }
                }
            }
        }
    }
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems.dedup();
    problems
}

/// The normalised names of the installed distributions reachable from `roots`
/// (a name, normalised or not, and the extras requested for it) through
/// `Requires-Dist`, markers evaluated for `env` with extras honoured: a root
/// `pkg[extra]` pulls in pkg's requirements marked `extra == "extra"`, and a
/// requirement `dep[x]` does the same for dep, transitively. Roots and
/// requirements whose project is not installed are not in the result (there
/// is nothing to walk through); cycles are fine. Invalid extra names in
/// `roots` are ignored. `sync --exact` removes what is installed and not here.
pub fn closure(
    dists: &[Dist],
    roots: &[(String, Vec<String>)],
    env: &MarkerEnvironment,
) -> BTreeSet<String> {
    let index = index(dists);
    // Every reached distribution and the extras already walked for it: a
    // distribution is walked again only when a new extra is asked for, so the
    // walk ends (the extras of each name only grow, and they are finite).
    let mut reached: BTreeMap<&str, BTreeSet<ExtraName>> = BTreeMap::new();
    let mut queue: VecDeque<(String, Vec<ExtraName>)> = roots
        .iter()
        .map(|(name, extras)| {
            let extras = extras
                .iter()
                .filter_map(|e| ExtraName::from_str(e).ok())
                .collect();
            (normalize(name), extras)
        })
        .collect();
    while let Some((name, extras)) = queue.pop_front() {
        let Some(dist) = index.get(name.as_str()) else {
            continue;
        };
        let is_new = !reached.contains_key(dist.normalized.as_str());
        let walked = reached.entry(dist.normalized.as_str()).or_default();
        let before = walked.len();
        walked.extend(extras);
        if !is_new && walked.len() == before {
            continue;
        }
        let active: Vec<ExtraName> = walked.iter().cloned().collect();
        for req in &dist.requires {
            if req.marker.evaluate(env, &active) {
                queue.push_back((req.name.as_ref().to_string(), req.extras.clone()));
            }
        }
    }
    reached.into_keys().map(str::to_string).collect()
}

/// Installed distributions by normalised name; the first of duplicates wins.
fn index(dists: &[Dist]) -> HashMap<&str, &Dist> {
    let mut index = HashMap::with_capacity(dists.len());
    for d in dists {
        index.entry(d.normalized.as_str()).or_insert(d);
    }
    index
}

/// A requirement without its marker, as the messages show it: `name[extras]specifiers`
/// or `name[extras] @ url`.
fn requirement_text(req: &Requirement) -> String {
    let mut shown = req.clone();
    shown.marker = MarkerTree::TRUE;
    shown.to_string()
}

/// The (normalised) project name at the start of a requirement text.
fn project_of(requirement: &str) -> String {
    let requirement = requirement.trim_start();
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    normalize(&requirement[..end])
}

use ptest_shared::venv::list_dir as read_dir;

/// Whether `path` is a directory (following symbolic links).
fn is_dir(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// The hint of a damaged installation.
fn reinstall_hint(dir: &Path) -> String {
    format!(
        "the installation looks damaged: reinstall the package, or remove {} and install it again",
        dir.display()
    )
}

/// Reads a `.dist-info` directory.
fn read_dist_info(dir: &Path) -> Result<Dist> {
    let metadata = dir.join("METADATA");
    let headers = match fs::File::open(&metadata) {
        Ok(file) => read_headers(&metadata, BufReader::new(file))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::data(format!(
                "{}: missing (every .dist-info directory has one)",
                metadata.display()
            ))
            .hint(reinstall_hint(dir)));
        }
        Err(e) => {
            return Err(Error::from_io(
                format!("cannot read {}", metadata.display()),
                &e,
            ));
        }
    };
    let (name, version) = name_and_version(&metadata, dir, &headers)?;
    let requires = headers_requires(&metadata, dir, &headers)?;
    let installer = match fs::read_to_string(dir.join("INSTALLER")) {
        Ok(text) => Some(text.trim().to_string()).filter(|s| !s.is_empty()),
        Err(_) => None,
    };
    let requested = dir.join("REQUESTED").exists();
    Ok(Dist {
        normalized: normalize(&name),
        name,
        version,
        requires,
        dist_info: dir.to_path_buf(),
        installer,
        requested,
    })
}

/// Reads an `.egg-info` directory (`PKG-INFO`, `requires.txt`) or file (the
/// `PKG-INFO` text itself).
fn read_egg_info(path: &Path) -> Result<Dist> {
    let is_dir = is_dir(path);
    let pkg_info = if is_dir {
        path.join("PKG-INFO")
    } else {
        path.to_path_buf()
    };
    let file = fs::File::open(&pkg_info).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::data(format!(
                "{}: missing (every .egg-info directory has one)",
                pkg_info.display()
            ))
            .hint(reinstall_hint(path))
        } else {
            Error::from_io(format!("cannot read {}", pkg_info.display()), &e)
        }
    })?;
    let headers = read_headers(&pkg_info, BufReader::new(file))?;
    let (name, version) = name_and_version(&pkg_info, path, &headers)?;
    let mut requires = headers_requires(&pkg_info, path, &headers)?;
    if requires.is_empty() && is_dir {
        let requires_txt = path.join("requires.txt");
        match fs::read_to_string(&requires_txt) {
            Ok(text) => requires = parse_requires_txt(&requires_txt, path, &text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Error::from_io(
                    format!("cannot read {}", requires_txt.display()),
                    &e,
                ));
            }
        }
    }
    Ok(Dist {
        normalized: normalize(&name),
        name,
        version,
        requires,
        dist_info: path.to_path_buf(),
        installer: None,
        requested: false,
    })
}

/// The headers this module uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Version,
    RequiresDist,
}

/// One header: which, its value (continuation lines joined with a space) and
/// the 1-based line it starts on.
#[derive(Debug)]
struct Header {
    field: Field,
    value: String,
    line: usize,
}

/// Reads the `Name`, `Version` and `Requires-Dist` headers of a `METADATA` or
/// `PKG-INFO` file, stopping at the end of the headers. `path` is for messages.
fn read_headers(path: &Path, mut reader: impl BufRead) -> Result<Vec<Header>> {
    let mut headers: Vec<Header> = Vec::new();
    // Whether the last header seen is one we keep (its continuation lines
    // then extend `headers.last()`).
    let mut continuing = false;
    let mut buf = Vec::with_capacity(256);
    let mut line_no = 0;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .io_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            break; // The end of the headers: the body (description) follows.
        }
        if line.starts_with([' ', '\t']) {
            if continuing && let Some(last) = headers.last_mut() {
                let more = line.trim();
                if !more.is_empty() {
                    if !last.value.is_empty() {
                        last.value.push(' ');
                    }
                    last.value.push_str(more);
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            break; // Not a header: Python's parser starts the body here.
        };
        if key.is_empty() || !key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            break;
        }
        let field = if key.eq_ignore_ascii_case("Name") {
            Some(Field::Name)
        } else if key.eq_ignore_ascii_case("Version") {
            Some(Field::Version)
        } else if key.eq_ignore_ascii_case("Requires-Dist") {
            Some(Field::RequiresDist)
        } else {
            None
        };
        continuing = field.is_some();
        if let Some(field) = field {
            headers.push(Header {
                field,
                value: value.trim().to_string(),
                line: line_no,
            });
        }
    }
    Ok(headers)
}

/// The first `Name:` and `Version:` headers, checked.
fn name_and_version(file: &Path, dir: &Path, headers: &[Header]) -> Result<(String, Version)> {
    let first = |field| headers.iter().find(|h| h.field == field);
    let name = match first(Field::Name) {
        Some(h) if !h.value.is_empty() => h.value.clone(),
        Some(h) => {
            return Err(
                Error::data(format!("{}:{}: empty `Name:`", file.display(), h.line))
                    .hint(reinstall_hint(dir)),
            );
        }
        None => {
            return Err(
                Error::data(format!("{}: no `Name:` header", file.display()))
                    .hint(reinstall_hint(dir)),
            );
        }
    };
    let Some(h) = first(Field::Version) else {
        return Err(
            Error::data(format!("{}: no `Version:` header", file.display()))
                .hint(reinstall_hint(dir)),
        );
    };
    let version = Version::from_str(&h.value).map_err(|e| {
        Error::data(format!(
            "{}:{}: `Version: {}` is not a PEP 440 version: {e}",
            file.display(),
            h.line,
            h.value
        ))
        .hint(reinstall_hint(dir))
    })?;
    Ok((name, version))
}

/// The `Requires-Dist:` headers, parsed.
fn headers_requires(file: &Path, dir: &Path, headers: &[Header]) -> Result<Vec<Requirement>> {
    headers
        .iter()
        .filter(|h| h.field == Field::RequiresDist)
        .map(|h| {
            Requirement::from_str(&h.value).map_err(|e| {
                Error::data(format!(
                    "{}:{}: `Requires-Dist: {}` is not a PEP 508 requirement: {}",
                    file.display(),
                    h.line,
                    h.value,
                    e.message
                ))
                .hint(reinstall_hint(dir))
            })
        })
        .collect()
}

/// Parses an egg-info `requires.txt`: requirements a line, in sections
/// `[extra]`, `[:marker]` or `[extra:marker]` that add `extra == "extra"`
/// and/or the marker to the requirements under them. Blank lines and `#`
/// comments are skipped.
fn parse_requires_txt(file: &Path, dir: &Path, text: &str) -> Result<Vec<Requirement>> {
    let bad = |line: usize, what: String| {
        Error::data(format!("{}:{line}: {what}", file.display())).hint(reinstall_hint(dir))
    };
    let mut requires = Vec::new();
    // The marker of the current section, extra included.
    let mut section = MarkerTree::TRUE;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(inner) = line.strip_prefix('[') {
            let Some(inner) = inner.strip_suffix(']') else {
                return Err(bad(line_no, format!("unclosed section header `{line}`")));
            };
            let (extra, marker) = inner.split_once(':').unwrap_or((inner, ""));
            let (extra, marker) = (extra.trim(), marker.trim());
            section = if marker.is_empty() {
                MarkerTree::TRUE
            } else {
                MarkerTree::from_str(marker).map_err(|e| {
                    bad(
                        line_no,
                        format!(
                            "section `{line}`: `{marker}` is not a PEP 508 marker: {}",
                            e.message
                        ),
                    )
                })?
            };
            if !extra.is_empty() {
                let extra = ExtraName::from_str(extra)
                    .map_err(|e| bad(line_no, format!("section `{line}`: {e}")))?;
                let mut only_extra = MarkerTree::from_str(&format!("extra == \"{extra}\""))
                    .map_err(|e| bad(line_no, format!("section `{line}`: {}", e.message)))?;
                only_extra.and(section);
                section = only_extra;
            }
            continue;
        }
        let mut req = Requirement::from_str(line).map_err(|e| {
            bad(
                line_no,
                format!("`{line}` is not a PEP 508 requirement: {}", e.message),
            )
        })?;
        req.marker.and(section.clone());
        requires.push(req);
    }
    Ok(requires)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python::Markers;

    /// Markers of a CPython 3.11 on Linux x86-64.
    fn py311() -> MarkerEnvironment {
        marker_env(&Markers {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.9".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_release: "6.1.0".into(),
            platform_system: "Linux".into(),
            platform_version: "#1 SMP".into(),
            python_full_version: "3.11.9".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
        })
        .unwrap()
    }

    /// Writes `{dir_name}/METADATA` (and optional extra files) under `sp`.
    fn dist_info(sp: &Path, dir_name: &str, metadata: &str) -> PathBuf {
        let dir = sp.join(dir_name);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("METADATA"), metadata).unwrap();
        dir
    }

    /// A minimal METADATA with requirements.
    fn simple(sp: &Path, name: &str, version: &str, requires: &[&str]) {
        let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in requires {
            text.push_str(&format!("Requires-Dist: {r}\n"));
        }
        let dir_name = format!("{}-{version}.dist-info", name.replace(['-', '.'], "_"));
        dist_info(sp, &dir_name, &text);
    }

    fn names(dists: &[Dist]) -> Vec<&str> {
        dists.iter().map(|d| d.normalized.as_str()).collect()
    }

    fn reqs(d: &Dist) -> Vec<String> {
        d.requires.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn scan_reads_headers_and_stops_at_the_body() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        let dir = dist_info(
            sp,
            "pytest_cov-4.1.0.dist-info",
            "Metadata-Version: 2.1\r\n\
             name: pytest-cov\r\n\
             VERSION: 4.1.0\r\n\
             Summary: Pytest plugin\r\n\
             \x20 continued summary\r\n\
             requires-dist: pytest>=4.6\r\n\
             Requires-Dist: coverage[toml]\r\n\
             \t>=5.2.1\r\n\
             Requires-Dist: virtualenv ; extra == \"testing\"\r\n\
             \r\n\
             Description\r\n\
             Requires-Dist: not-a-header-anymore\r\n\
             Requires-Dist: !!! broken\r\n",
        );
        fs::write(dir.join("INSTALLER"), "uv\n").unwrap();
        fs::write(dir.join("REQUESTED"), "").unwrap();
        simple(sp, "Zope.Interface", "6.0", &[]);
        simple(sp, "attrs", "23.1.0", &[]);
        // Not ours.
        fs::create_dir(sp.join("pytest_cov")).unwrap();
        fs::write(sp.join("distutils-precedence.pth"), "x").unwrap();

        let dists = scan(sp).unwrap();
        assert_eq!(names(&dists), ["attrs", "pytest-cov", "zope-interface"]);
        let cov = &dists[1];
        assert_eq!(cov.name, "pytest-cov");
        assert_eq!(cov.version, Version::from_str("4.1.0").unwrap());
        assert_eq!(
            reqs(cov),
            [
                "pytest>=4.6",
                "coverage[toml]>=5.2.1",
                "virtualenv ; extra == 'testing'"
            ]
        );
        assert_eq!(cov.installer.as_deref(), Some("uv"));
        assert!(cov.requested);
        assert_eq!(cov.dist_info, dir);
        let zope = &dists[2];
        assert_eq!(zope.name, "Zope.Interface");
        assert_eq!(zope.installer, None);
        assert!(!zope.requested);
        assert!(zope.requires.is_empty());
    }

    #[test]
    fn metadata_not_dir_name_is_the_truth() {
        let tmp = tempfile::tempdir().unwrap();
        dist_info(
            tmp.path(),
            "Foo_Bar-1.0.dist-info",
            "Name: foo._bar\nVersion: 1.0.0.post1\n",
        );
        let dists = scan(tmp.path()).unwrap();
        assert_eq!(dists[0].name, "foo._bar");
        assert_eq!(dists[0].normalized, "foo-bar");
        assert_eq!(dists[0].version.to_string(), "1.0.0.post1");
    }

    #[test]
    fn egg_info_with_requires_txt_sections() {
        let tmp = tempfile::tempdir().unwrap();
        let egg = tmp.path().join("Old_Pkg-1.2-py3.11.egg-info");
        fs::create_dir(&egg).unwrap();
        fs::write(
            egg.join("PKG-INFO"),
            "Metadata-Version: 1.2\nName: Old-Pkg\nVersion: 1.2\n\nbody\n",
        )
        .unwrap();
        fs::write(
            egg.join("requires.txt"),
            "six>=1.0\n\n\
             [:python_version < \"3\"]\nenum34\n\n\
             [test]\npytest\n\n\
             [socks:sys_platform == \"win32\"]\nPySocks!=1.5.7\n",
        )
        .unwrap();
        // A single-file egg-info (distutils).
        fs::write(
            tmp.path().join("tiny-0.1-py3.11.egg-info"),
            "Metadata-Version: 1.0\nName: tiny\nVersion: 0.1\n",
        )
        .unwrap();

        let dists = scan(tmp.path()).unwrap();
        assert_eq!(names(&dists), ["old-pkg", "tiny"]);
        let old = &dists[0];
        assert_eq!(old.dist_info, egg);
        assert_eq!(old.installer, None);
        let env = py311();
        let r = &old.requires;
        assert_eq!(r.len(), 4);
        assert_eq!(r[0].to_string(), "six>=1.0");
        // [:marker]: marker only.
        assert_eq!(r[1].name.as_ref(), "enum34");
        assert!(!r[1].marker.evaluate(&env, &[]));
        // [extra]: only with the extra.
        let test = ExtraName::from_str("test").unwrap();
        assert_eq!(r[2].name.as_ref(), "pytest");
        assert!(!r[2].marker.evaluate(&env, &[]));
        assert!(r[2].marker.evaluate(&env, std::slice::from_ref(&test)));
        // [extra:marker]: both, so never on Linux even with the extra.
        let socks = ExtraName::from_str("socks").unwrap();
        assert_eq!(r[3].name.as_ref(), "pysocks");
        assert!(!r[3].marker.evaluate(&env, std::slice::from_ref(&socks)));
        assert_eq!(
            r[3].to_string(),
            "pysocks!=1.5.7 ; sys_platform == 'win32' and extra == 'socks'"
        );
        assert!(dists[1].requires.is_empty());
        // Only the dependencies of old-pkg's base install are checked.
        assert_eq!(
            check(&dists, &env),
            [Problem::Missing {
                dist: "Old-Pkg".into(),
                version: "1.2".into(),
                requirement: "six>=1.0".into(),
            }]
        );
    }

    #[test]
    fn check_passes_when_satisfied() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        simple(sp, "pytest", "8.2.0", &["pluggy<2,>=1.5", "iniconfig"]);
        simple(sp, "pluggy", "1.5.0", &[]);
        simple(sp, "iniconfig", "2.0.0", &[]);
        simple(sp, "pkg", "1.0", &["dep>=2.0.0b1"]);
        simple(sp, "dep", "2.0.0rc1", &[]);
        let dists = scan(sp).unwrap();
        assert_eq!(check(&dists, &py311()), []);
    }

    #[test]
    fn check_reports_missing_and_mismatch() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        simple(
            sp,
            "pytest-cov",
            "4.1.0",
            &["coverage[toml]>=5.2.1", "pytest>=4.6"],
        );
        simple(sp, "coverage", "5.0", &[]);
        simple(sp, "pytest", "8.2.0", &["pluggy<2,>=1.5"]);
        let dists = scan(sp).unwrap();
        let problems = check(&dists, &py311());
        assert_eq!(
            problems,
            [
                Problem::Missing {
                    dist: "pytest".into(),
                    version: "8.2.0".into(),
                    requirement: "pluggy>=1.5,<2".into(),
                },
                Problem::Mismatch {
                    dist: "pytest-cov".into(),
                    version: "4.1.0".into(),
                    requirement: "coverage[toml]>=5.2.1".into(),
                    installed: "5.0".into(),
                },
            ]
        );
        assert_eq!(
            problems[0].message(),
            "pytest 8.2.0 requires pluggy>=1.5,<2, which is not installed"
        );
        assert_eq!(
            problems[1].message(),
            "pytest-cov 4.1.0 requires coverage[toml]>=5.2.1, but coverage 5.0 is installed"
        );
        assert_eq!(
            problems[1].to_record(),
            serde_json::json!({
                "v": 1,
                "kind": "conflict",
                "phase": "installed",
                "project": "coverage",
                "dist": "pytest-cov 4.1.0",
                "requirement": "coverage[toml]>=5.2.1",
                "installed": "5.0",
                "reason": problems[1].message(),
            })
        );
        let missing = problems[0].to_record();
        assert_eq!(missing["project"], "pluggy");
        assert_eq!(missing["installed"], serde_json::Value::Null);
    }

    #[test]
    fn check_ignores_markers_that_do_not_apply_and_extras() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        simple(
            sp,
            "pkg",
            "1.0",
            &[
                "futures ; python_version < \"3\"",
                "pytest ; extra == \"test\"",
                "tomli>=1.1 ; python_version < \"3.11\"",
                "exceptiongroup ; python_version >= \"3.11\"",
                "winreg-helper ; sys_platform == \"win32\"",
            ],
        );
        let dists = scan(sp).unwrap();
        let problems = check(&dists, &py311());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].message(),
            "pkg 1.0 requires exceptiongroup, which is not installed"
        );
    }

    #[test]
    fn closure_follows_extras_transitively() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        simple(sp, "a", "1", &["c", "b[x] ; extra == \"test\""]);
        simple(
            sp,
            "b",
            "1",
            &["d", "e ; extra == \"x\"", "f ; extra == \"y\""],
        );
        simple(sp, "c", "1", &["old ; python_version < \"3\""]);
        simple(sp, "d", "1", &[]);
        simple(sp, "e", "1", &[]);
        simple(sp, "f", "1", &[]);
        simple(sp, "old", "1", &[]);
        simple(sp, "stray", "1", &["a"]);
        let dists = scan(sp).unwrap();
        let env = py311();
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();

        let plain = closure(&dists, &[("a".into(), vec![])], &env);
        assert_eq!(plain, set(&["a", "c"]));
        let with_test = closure(&dists, &[("A".into(), vec!["Test".into()])], &env);
        assert_eq!(with_test, set(&["a", "b", "c", "d", "e"]));
        // An extra asked for later still walks the already reached dist again.
        let both = closure(
            &dists,
            &[
                ("b".into(), vec![]),
                ("a".into(), vec!["test".into()]),
                ("b".into(), vec!["y".into()]),
            ],
            &env,
        );
        assert_eq!(both, set(&["a", "b", "c", "d", "e", "f"]));
        // Not installed: nothing to walk.
        assert_eq!(closure(&dists, &[("nope".into(), vec![])], &env), set(&[]));
    }

    #[test]
    fn closure_survives_cycles() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        simple(sp, "a", "1", &["b"]);
        simple(sp, "b", "1", &["c[x]"]);
        simple(sp, "c", "1", &["a[y]", "d ; extra == \"x\""]);
        simple(sp, "d", "1", &["c"]);
        let dists = scan(sp).unwrap();
        let got = closure(&dists, &[("c".into(), vec![])], &py311());
        let want: BTreeSet<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want);
        // And check does not loop either.
        assert_eq!(check(&dists, &py311()), []);
    }

    #[test]
    fn broken_metadata_is_a_data_error_naming_the_file() {
        let cases = [
            ("Version: 1.0\n", "no `Name:` header"),
            ("Name: x\n", "no `Version:` header"),
            (
                "Name: x\nVersion: one point oh\n",
                ":2: `Version: one point oh`",
            ),
            (
                "Name: x\nVersion: 1.0\nRequires-Dist: foo >=> 1\n",
                ":3: `Requires-Dist: foo >=> 1` is not a PEP 508 requirement",
            ),
        ];
        for (metadata, expected) in cases {
            let tmp = tempfile::tempdir().unwrap();
            let dir = dist_info(tmp.path(), "x-1.0.dist-info", metadata);
            let err = scan(tmp.path()).unwrap_err();
            assert_eq!(err.exit.code(), 65, "{metadata:?}: {err}");
            let file = dir.join("METADATA").display().to_string();
            assert!(err.message.starts_with(&file), "{err}");
            assert!(err.message.contains(expected), "{err}");
            assert!(err.hint.as_deref().unwrap().contains("reinstall"));
        }
        // A dist-info without METADATA is damaged too.
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("x-1.0.dist-info")).unwrap();
        let err = scan(tmp.path()).unwrap_err();
        assert_eq!(err.exit.code(), 65);
        assert!(err.message.contains("METADATA"), "{err}");
        // And a bad requires.txt line.
        let tmp = tempfile::tempdir().unwrap();
        let egg = tmp.path().join("y.egg-info");
        fs::create_dir(&egg).unwrap();
        fs::write(egg.join("PKG-INFO"), "Name: y\nVersion: 1\n").unwrap();
        fs::write(egg.join("requires.txt"), "ok\n[t]\n%%%\n").unwrap();
        let err = scan(tmp.path()).unwrap_err();
        assert_eq!(err.exit.code(), 65);
        assert!(err.message.contains("requires.txt:3:"), "{err}");
    }

    #[test]
    fn missing_site_packages_is_an_io_error() {
        let tmp = tempfile::tempdir().unwrap();
        let err = scan(&tmp.path().join("nope")).unwrap_err();
        assert_eq!(err.exit.code(), 66);
    }

    #[test]
    fn marker_env_names_a_bad_field() {
        let mut m = Markers {
            implementation_name: "cpython".into(),
            implementation_version: "3.11.9".into(),
            os_name: "posix".into(),
            platform_machine: "x86_64".into(),
            platform_python_implementation: "CPython".into(),
            platform_release: "".into(),
            platform_system: "Linux".into(),
            platform_version: "".into(),
            python_full_version: "3.11.9".into(),
            python_version: "3.11".into(),
            sys_platform: "linux".into(),
        };
        let env = marker_env(&m).unwrap();
        assert_eq!(env.python_version().to_string(), "3.11");
        m.python_full_version = "three".into();
        let err = marker_env(&m).unwrap_err();
        assert_eq!(err.exit.code(), 65);
        assert!(err.message.contains("python_full_version"), "{err}");
    }

    #[test]
    fn normalize_follows_pep_503() {
        assert_eq!(normalize("Zope.Interface"), "zope-interface");
        assert_eq!(normalize("a__b-._c"), "a-b-c");
        assert_eq!(normalize("typing_extensions"), "typing-extensions");
        assert_eq!(project_of("Foo_Bar[x]>=1"), "foo-bar");
    }
}
