//! A ptest virtual environment as every tool that makes one sees it:
//! `ptest-venv` (create, clone, sync) and `ptest-snap` (a venv snapshot
//! restored as a new environment elsewhere). One implementation of each
//! thing they share:
//!
//! - what ptest notes inside an environment ([`EnvState`], beside
//!   `pyvenv.cfg`) and what it knows of its interpreter ([`Interpreter`]);
//! - relocation: console scripts rewritten into a launcher that runs the
//!   `python` beside them ([`make_scripts_relocatable`]), and an
//!   environment moved to a new path under a new id ([`relocate`]);
//! - the packages it holds ([`packages`]) and its `venv` record
//!   ([`record`]).
//!
//! Everything ptest writes in an environment is relocatable: `pyvenv.cfg`
//! names only the base interpreter, the activation scripts find the
//! environment from their own location, and console scripts find their
//! interpreter beside them. So a clone, or a restored snapshot, works at
//! any path once pip's absolute shebangs are rewritten.

use crate::error::IoContext;
use crate::state::write_atomic;
use crate::{Error, Record, Result};
use serde::{Deserialize, Serialize};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The tool that owns `venv` records.
pub const TOOL: &str = "ptest-venv";
/// ptest's notes inside an environment, beside pyvenv.cfg.
pub const STATE_FILE: &str = "ptest-venv.json";

/// The PEP 508 environment markers of an interpreter, as Python reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markers {
    pub implementation_name: String,
    pub implementation_version: String,
    pub os_name: String,
    pub platform_machine: String,
    pub platform_python_implementation: String,
    pub platform_release: String,
    pub platform_system: String,
    pub platform_version: String,
    pub python_full_version: String,
    pub python_version: String,
    pub sys_platform: String,
}

/// What an environment needs to know about its base interpreter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interpreter {
    /// The interpreter binary itself, symlinks resolved: what `bin/python`
    /// of an environment links to.
    pub executable: PathBuf,
    /// `3.11.7`.
    pub version: String,
    /// `3.11`.
    pub short_version: String,
    /// `sys.base_prefix`.
    pub base_prefix: PathBuf,
    /// site-packages inside an environment, relative to it
    /// (`lib/python3.11/site-packages`).
    pub purelib: PathBuf,
    /// Whether environments get `lib64 -> lib` (64-bit Linux, as venv does).
    pub lib64: bool,
    pub markers: Markers,
    /// Size and mtime of the executable when the facts were learned: a
    /// changed binary (an upgrade in place) is a different interpreter.
    pub size: u64,
    pub mtime_ns: i128,
}

impl Interpreter {
    /// A short stable identity for cache keys and change detection.
    pub fn identity(&self) -> String {
        format!(
            "{} {} {} {}",
            self.executable.display(),
            self.version,
            self.size,
            self.mtime_ns
        )
    }

    /// Whether the binary on disk is still the one these facts describe.
    pub fn is_current(&self) -> bool {
        match std::fs::metadata(&self.executable) {
            Ok(m) => m.len() == self.size && mtime_ns(&m) == self.mtime_ns,
            Err(_) => false,
        }
    }
}

/// A file's mtime in nanoseconds.
pub fn mtime_ns(m: &std::fs::Metadata) -> i128 {
    i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec())
}

/// What ptest knows of an environment it made (`ptest-venv.json` inside it).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnvState {
    pub id: String,
    pub name: String,
    /// `--python` as given, so that a rebuild asks for the same thing.
    pub python_spec: String,
    pub interpreter: Interpreter,
    pub backend: String,
    pub template: Option<String>,
    /// The hash of the inputs last synced to (requirements, interpreter,
    /// installer, index options).
    #[serde(default)]
    pub inputs: Option<String>,
    /// site-packages' mtime after that sync: any install or uninstall since
    /// changes it.
    #[serde(default)]
    pub site_stamp: Option<i128>,
}

impl EnvState {
    pub fn load(dir: &Path) -> Result<Option<EnvState>> {
        let f = dir.join(STATE_FILE);
        match std::fs::read(&f) {
            Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
                Error::data(format!("{} is damaged: {e}", f.display()))
                    .hint("remove the file; ptest then treats the environment as foreign and re-learns it")
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::from_io(format!("cannot read {}", f.display()), &e)),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        write_atomic(&dir.join(STATE_FILE), &bytes)
    }
}

/// The `venv` record of the environment at `dir` that `st` describes;
/// `link` says how a clone linked its files.
pub fn record(st: &EnvState, dir: &Path, link: Option<&str>) -> Record {
    let mut r = Record::resource_with_id("venv", TOOL, &st.id);
    r.set("name", st.name.clone())
        .set("path", dir.display().to_string())
        .set("python", st.interpreter.executable.display().to_string())
        .set("python_version", st.interpreter.version.clone())
        .set("backend", st.backend.clone())
        .set("packages", packages(&dir.join(&st.interpreter.purelib)))
        .set(
            "template",
            st.template
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
    if let Some(l) = link {
        r.set("link_mode", l);
    }
    r.set(
        "env",
        serde_json::json!({ "VIRTUAL_ENV": dir.display().to_string() }),
    )
    .set(
        "path_prepend",
        serde_json::json!([dir.join("bin").display().to_string()]),
    );
    r
}

/// `name==version` of every distribution in `site`, from the metadata
/// directories' names ([`scan_names`]); none when it cannot be read.
pub fn packages(site: &Path) -> Vec<String> {
    scan_names(site)
        .map(|v| {
            v.into_iter()
                .map(|(n, ver)| format!("{n}=={ver}"))
                .collect()
        })
        .unwrap_or_default()
}

/// PEP 503 normalised project name: lowercase, runs of `-`, `_` and `.`
/// become one `-`. The same as `pep508_rs::PackageName` stores, but total:
/// it also takes names that are not valid (for messages about them), and
/// ignores surrounding whitespace (metadata headers carry some).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// The entries of a directory as (path, file name), in no particular
/// order; names that are not UTF-8 are left out (metadata directory names
/// are ASCII).
pub fn list_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let what = || format!("cannot read the directory {}", dir.display());
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).io_context(what)? {
        let entry = entry.io_context(what)?;
        if let Ok(file_name) = entry.file_name().into_string() {
            entries.push((entry.path(), file_name));
        }
    }
    Ok(entries)
}

/// The installed distributions of a site-packages directory, read from the
/// listing alone: `(normalised name, version)` parsed from the metadata
/// directory names, sorted.
///
/// `name-version.dist-info` is split at the last `-` (old installs may have a
/// `-` in the name; versions never do). `name-version[-pyX.Y].egg-info` is
/// split at the first `-` (setuptools writes `-` in names as `_`). The version
/// is PEP 440 normalised when it parses, kept as written otherwise, and empty
/// when the name carries none (`pkg.egg-info` of a develop install).
pub fn scan_names(site_packages: &Path) -> Result<Vec<(String, String)>> {
    let mut names = Vec::new();
    for (_, file_name) in list_dir(site_packages)? {
        let (name, version) = if let Some(stem) = file_name.strip_suffix(".dist-info") {
            match stem.rsplit_once('-') {
                Some((name, version)) => (name, version),
                None => (stem, ""),
            }
        } else if let Some(stem) = file_name.strip_suffix(".egg-info") {
            match stem.split_once('-') {
                // Drop the `-pyX.Y` tag, if any.
                Some((name, rest)) => (name, rest.split('-').next().unwrap_or("")),
                None => (stem, ""),
            }
        } else {
            continue;
        };
        let version = match pep440_rs::Version::from_str(version) {
            Ok(v) if !version.is_empty() => v.to_string(),
            _ => version.to_string(),
        };
        names.push((normalize(name), version));
    }
    names.sort();
    Ok(names)
}

/// What `pyvenv.cfg` of an environment says, key by key.
pub fn read_cfg(dir: &Path) -> Result<Vec<(String, String)>> {
    let f = dir.join("pyvenv.cfg");
    let text = std::fs::read_to_string(&f).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::no_input(format!(
                "{} is not a virtual environment (no pyvenv.cfg)",
                dir.display()
            ))
        } else {
            Error::from_io(format!("cannot read {}", f.display()), &e)
        }
    })?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect())
}

/// The launcher a relocatable console script starts with: `sh` finds the
/// interpreter beside the script, then Python runs the rest of the file
/// (the `'''exec'` line is a string literal to Python).
const TRAMPOLINE: &str = "#!/bin/sh\n'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python' \"$0\" \"$@\"\n' '''\n";

/// Rewrites the console scripts in `dir/bin` whose shebang names an
/// interpreter of this environment by absolute path — at `dir`, or at any
/// of `moved_from`, where the environment was when they were written (pip
/// writes such shebangs) — into the relocatable launcher. Returns how many
/// were rewritten.
pub fn make_scripts_relocatable(dir: &Path, moved_from: &[&Path]) -> Result<usize> {
    let bin = dir.join("bin");
    let prefixes: Vec<String> = std::iter::once(dir)
        .chain(moved_from.iter().copied())
        .map(|d| format!("#!{}/", d.join("bin").display()))
        .collect();
    let mut n = 0;
    for entry in std::fs::read_dir(&bin).io_context(|| format!("cannot list {}", bin.display()))? {
        let entry = entry.io_context(|| format!("cannot list {}", bin.display()))?;
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Some(rest) = prefixes
            .iter()
            .find_map(|p| bytes.strip_prefix(p.as_bytes()))
        else {
            continue;
        };
        let eol = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let interp = &rest[..eol];
        if !interp.starts_with(b"python") || interp.contains(&b' ') || interp.contains(&b'/') {
            continue;
        }
        let mut out = TRAMPOLINE.as_bytes().to_vec();
        out.extend_from_slice(rest.get(eol + 1..).unwrap_or_default());
        let tmp = path.with_extension("ptest-tmp");
        std::fs::write(&tmp, &out).io_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::set_permissions(&tmp, meta.permissions())
            .io_context(|| format!("cannot chmod {}", tmp.display()))?;
        std::fs::rename(&tmp, &path).io_context(|| format!("cannot replace {}", path.display()))?;
        n += 1;
    }
    Ok(n)
}

/// What [`relocate`] did.
#[derive(Debug, Clone)]
pub struct Relocated {
    /// The environment's notes, under its new id and name.
    pub state: EnvState,
    /// Console scripts rewritten into the launcher.
    pub scripts: usize,
}

/// Makes the environment now at `dir`, a copy of the one ptest made at
/// `from` (that path as it was spelled, and as it resolved), a new
/// environment of its own, `id` named `name`: console scripts whose
/// shebang names `from` run the interpreter beside them, `pyvenv.cfg`
/// lines that name `from` (`command = … -m venv FROM`, written by some
/// tools) name `dir`, and ptest's notes carry the new id and name. 65 when
/// `dir` holds no `pyvenv.cfg` or no notes of ptest's.
pub fn relocate(dir: &Path, from: &[&Path], id: &str, name: &str) -> Result<Relocated> {
    let cfg = dir.join("pyvenv.cfg");
    let text = std::fs::read_to_string(&cfg).map_err(|e| {
        Error::data(format!(
            "{}: no pyvenv.cfg ({e}): not a virtual environment",
            dir.display()
        ))
    })?;
    let new = dir.display().to_string();
    let mut fixed = text.clone();
    for old in from.iter().map(|p| p.display().to_string()) {
        fixed = fixed
            .split_inclusive('\n')
            .map(|l| {
                if l.contains('=') {
                    l.replace(&old, &new)
                } else {
                    l.to_owned()
                }
            })
            .collect();
    }
    if fixed != text {
        write_atomic(&cfg, fixed.as_bytes())?;
    }
    let scripts = make_scripts_relocatable(dir, from)?;
    let Some(mut state) = EnvState::load(dir)? else {
        return Err(Error::data(format!(
            "{}: no {STATE_FILE}: not an environment ptest made",
            dir.display()
        )));
    };
    state.id = id.to_owned();
    state.name = name.to_owned();
    state.save(dir)?;
    Ok(Relocated { state, scripts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    fn notes(id: &str) -> EnvState {
        EnvState {
            id: id.into(),
            name: "orig".into(),
            python_spec: "python3".into(),
            interpreter: Interpreter {
                executable: "/usr/bin/python3.11".into(),
                version: "3.11.2".into(),
                short_version: "3.11".into(),
                base_prefix: "/usr".into(),
                purelib: "lib/python3.11/site-packages".into(),
                lib64: true,
                markers: Markers {
                    implementation_name: "cpython".into(),
                    implementation_version: "3.11.2".into(),
                    os_name: "posix".into(),
                    platform_machine: "x86_64".into(),
                    platform_python_implementation: "CPython".into(),
                    platform_release: "6".into(),
                    platform_system: "Linux".into(),
                    platform_version: "#1".into(),
                    python_full_version: "3.11.2".into(),
                    python_version: "3.11".into(),
                    sys_platform: "linux".into(),
                },
                size: 1,
                mtime_ns: 2,
            },
            backend: "uv".into(),
            template: Some("k".into()),
            inputs: None,
            site_stamp: Some(3),
        }
    }

    #[test]
    fn relocation_rewrites_scripts_cfg_and_notes_naming_the_old_place() {
        let t = tempfile::tempdir().unwrap();
        let (old, new) = (t.path().join("old"), t.path().join("new"));
        let bin = new.join("bin");
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(new.join("lib/python3.11/site-packages/alpha-1.0.dist-info")).unwrap();
        fs::write(
            new.join("pyvenv.cfg"),
            format!(
                "home = /usr/bin\nversion = 3.11.2\ncommand = /usr/bin/python3 -m venv {}\n",
                old.display()
            ),
        )
        .unwrap();
        notes("venv-old1").save(&new).unwrap();
        let pip_style = format!("#!{}/bin/python3.11\nprint('hi')\n", old.display());
        fs::write(bin.join("hello"), &pip_style).unwrap();
        fs::set_permissions(bin.join("hello"), fs::Permissions::from_mode(0o755)).unwrap();
        let elsewhere = "#!/opt/other/bin/python3\nprint('x')\n";
        fs::write(bin.join("other"), elsewhere).unwrap();
        fs::write(bin.join("tool"), "#!/bin/sh\necho tool\n").unwrap();

        let r = relocate(&new, &[&old], "venv-new1", "venv-new1").unwrap();
        assert_eq!(r.scripts, 1);
        let hello = fs::read_to_string(bin.join("hello")).unwrap();
        assert!(hello.starts_with(TRAMPOLINE), "{hello}");
        assert!(hello.ends_with("print('hi')\n"));
        assert_eq!(
            fs::metadata(bin.join("hello"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o755
        );
        assert_eq!(fs::read_to_string(bin.join("other")).unwrap(), elsewhere);
        let cfg = fs::read_to_string(new.join("pyvenv.cfg")).unwrap();
        assert!(
            cfg.contains(&format!("-m venv {}\n", new.display())),
            "{cfg}"
        );
        assert!(cfg.starts_with("home = /usr/bin\n"));
        let st = EnvState::load(&new).unwrap().unwrap();
        assert_eq!(
            (st.id.as_str(), st.name.as_str()),
            ("venv-new1", "venv-new1")
        );
        assert_eq!(st.site_stamp, Some(3));
        let rec = record(&st, &new, None);
        assert_eq!(rec.id(), Some("venv-new1"));
        assert_eq!(
            rec.get("packages").unwrap(),
            &serde_json::json!(["alpha==1.0"])
        );
        assert_eq!(
            rec.get("env").unwrap()["VIRTUAL_ENV"],
            new.display().to_string()
        );
    }

    #[test]
    fn relocation_refuses_a_tree_without_ptest_notes() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir_all(t.path().join("bin")).unwrap();
        let e = relocate(t.path(), &[Path::new("/old")], "venv-x1", "x").unwrap_err();
        assert_eq!(e.exit.code(), 65, "{}", e.message);
        fs::write(t.path().join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let e = relocate(t.path(), &[Path::new("/old")], "venv-x1", "x").unwrap_err();
        assert_eq!(e.exit.code(), 65, "{}", e.message);
    }

    #[test]
    fn scan_names_reads_directory_names_only() {
        let tmp = tempfile::tempdir().unwrap();
        let sp = tmp.path();
        // No METADATA at all: scan_names must not look inside.
        for d in [
            "zope.interface-6.0.dist-info",
            "typing_extensions-4.8.0.dist-info",
            "old-style-name-1.0rc1.dist-info",
            "Legacy_Pkg-2.0-py3.11.egg-info",
            "devpkg.egg-info",
            "pkg",
        ] {
            std::fs::create_dir(sp.join(d)).unwrap();
        }
        assert_eq!(
            scan_names(sp).unwrap(),
            [
                ("devpkg".to_string(), String::new()),
                ("legacy-pkg".to_string(), "2.0".to_string()),
                ("old-style-name".to_string(), "1.0rc1".to_string()),
                ("typing-extensions".to_string(), "4.8.0".to_string()),
                ("zope-interface".to_string(), "6.0".to_string()),
            ]
        );
    }
}
