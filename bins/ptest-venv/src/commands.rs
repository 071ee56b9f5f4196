//! The commands of `ptest-venv`, one function each.

use crate::backend::{Backend, Choice, Index};
use crate::clone::{self, LinkMode};
use crate::envs::{self, EnvState, Found, TOOL, is_venv};
use crate::python::{self, Interpreter};
use crate::template::{self, KeyBuilder};
use crate::{CreateArgs, IndexArgs, ReqArgs, installed, layout, reqs};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::{RecordWriter, cell, listing, table as render_table};
use ptest_shared::owner::{Liveness, OwnerSpec, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::staging::{self, Staging};
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Record, Result, hooks, interrupt, stream};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything a command needs: configuration and state.
struct Ctx {
    config: Config,
    state: StateDir,
    registry: Registry,
    json: bool,
}

impl Ctx {
    fn open(common: &CommonArgs) -> Result<Ctx> {
        let config = common.load_config()?;
        let state = StateDir::open()?;
        let registry = Registry::open(&state)?;
        Ok(Ctx {
            config,
            state,
            registry,
            json: common.json(),
        })
    }

    fn backend(&self, flag: Option<Choice>) -> Result<Backend> {
        let choice = match flag {
            Some(c) => c,
            None => {
                let v = self.config.string("venv.backend");
                Choice::parse(v).ok_or_else(|| {
                    Error::data(format!(
                        "venv.backend {v:?} (from {}): use auto, uv or pip",
                        self.source("venv.backend")
                    ))
                })?
            }
        };
        Backend::choose(choice, self.config.string("venv.uv"))
    }

    fn link_mode(&self, flag: Option<LinkMode>) -> Result<LinkMode> {
        if let Some(m) = flag {
            return Ok(m);
        }
        let v = self.config.string("venv.link-mode");
        LinkMode::parse(v).ok_or_else(|| {
            Error::data(format!(
                "venv.link-mode {v:?} (from {}): use clone, hardlink or copy",
                self.source("venv.link-mode")
            ))
        })
    }

    fn source(&self, key: &str) -> String {
        self.config
            .source(key)
            .map(|s| s.to_string())
            .unwrap_or_default()
    }

    fn python(&self, flag: Option<&str>) -> (String, Result<Interpreter>) {
        let spec = flag
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.string("venv.python").to_owned());
        let found = python::find(&spec, &self.state);
        (spec, found)
    }

    fn default_dir(&self, id: &str) -> Result<PathBuf> {
        let base = self.config.string("venv.dir");
        if base.is_empty() {
            Ok(self.state.subdir("venvs")?.join(id))
        } else {
            let b = absolute(Path::new(&base))?;
            std::fs::create_dir_all(&b).map_err(|e| {
                Error::from_io(format!("venv.dir {}: cannot create it", b.display()), &e)
            })?;
            Ok(b.join(id))
        }
    }
}

/// The requirements of a command line, checked for conflicts among
/// themselves first (for the interpreter that will install them).
fn read_requirements(r: &ReqArgs, interp: &Interpreter) -> Result<reqs::Requirements> {
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

fn index_of(args: &IndexArgs, req: &reqs::Requirements) -> Index {
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
fn installer_lines(req: &reqs::Requirements, only: Option<&[usize]>) -> (Vec<String>, Vec<String>) {
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
fn inputs_key(
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

fn packages(site: &Path) -> Vec<String> {
    installed::scan_names(site)
        .map(|v| {
            v.into_iter()
                .map(|(n, ver)| format!("{n}=={ver}"))
                .collect()
        })
        .unwrap_or_default()
}

fn venv_record(st: &EnvState, dir: &Path, link: Option<&str>) -> Record {
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

pub fn create(common: &CommonArgs, a: CreateArgs) -> Result<i32> {
    if let Some(n) = &a.name
        && (n.is_empty() || n.contains('/') || n.starts_with("venv-"))
    {
        return Err(Error::usage(format!(
            "--name {n:?}: use a name without '/' that does not start with venv-"
        )));
    }
    // The stream first: when it carries a failure, nothing is looked at,
    // made or run.
    let mut out = RecordWriter::stdout();
    stream::pass_through(&mut out)?;
    let ctx = Ctx::open(common)?;
    let id = ptest_shared::record::new_id("venv");
    let dir = match &a.dir {
        Some(d) => absolute(d)?,
        None => ctx.default_dir(&id)?,
    };
    // A directory that holds anything is refused before any work, and
    // never touched.
    staging::check_target(&dir)?;
    let lifetime = a.lifetime.resolve(OwnerSpec::None)?;
    let link_mode = ctx.link_mode(a.link_mode)?;
    let (spec, interp) = ctx.python(a.python.as_deref());
    let interp = interp?;
    let req = read_requirements(&a.reqs, &interp)?;
    let backend = ctx.backend(a.backend)?;
    let index = index_of(&a.index, &req);

    let name = a.name.clone().unwrap_or_else(|| id.clone());
    let mut st = EnvState {
        id: id.clone(),
        name,
        python_spec: spec,
        interpreter: interp.clone(),
        backend: backend.name().into(),
        template: None,
        inputs: None,
        site_stamp: None,
    };
    // Ctrl-C, SIGTERM or SIGHUP from here on leaves no half-made
    // environment: what was made is discarded and the exit is 128+N.
    interrupt::catch()?;
    // Built beside its directory and renamed into place: a failure, or a
    // SIGKILL (which `gc` cleans up after), leaves nothing where it goes.
    let mut staged = Staging::beside(&ctx.state, &dir, &id)?;
    let fail = |e: Error| Err(interrupt::requested().map_or(e, Error::interrupted));
    let made = build_env(
        &ctx,
        &mut st,
        staged.path(),
        &req,
        &backend,
        &index,
        link_mode,
        a.no_cache,
    );
    let how = match made
        .and_then(|h| interrupt::check().map(|_| h))
        .and_then(|h| staged.rename_into_place().map(|_| h))
    {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    let mut rec = venv_record(&st, &dir, how.as_deref());
    lifetime.apply(&mut rec);
    if let Err(e) = hooks::pre(&ctx.config, "venv.created", &rec).and_then(|_| interrupt::check()) {
        return fail(e);
    }
    if let Err(e) = ctx.registry.put(&rec) {
        return fail(e);
    }
    staged.finish();
    if ctx.json {
        out.write(&rec)?;
    } else {
        let n = rec
            .get("packages")
            .and_then(|p| p.as_array())
            .map_or(0, Vec::len);
        out.write_line(&format!(
            "{id}  {}  python {}  {n} package{}{}",
            dir.display(),
            interp.version,
            if n == 1 { "" } else { "s" },
            how.map(|h| format!("  ({h} clone)")).unwrap_or_default()
        ))?;
    }
    hooks::post(&ctx.config, "venv.created", &rec);
    Ok(0)
}

fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    Ok(std::env::current_dir()
        .map_err(|e| Error::from_io("cannot read the working directory", &e))?
        .join(p))
}

/// Makes the environment at `dir`: natively when empty, else by cloning the
/// template (building it first when missing), or straight install with
/// `no_cache`. Returns how a clone linked its files.
#[allow(clippy::too_many_arguments)]
fn build_env(
    ctx: &Ctx,
    st: &mut EnvState,
    dir: &Path,
    req: &reqs::Requirements,
    backend: &Backend,
    index: &Index,
    link_mode: LinkMode,
    no_cache: bool,
) -> Result<Option<String>> {
    let wants_packages = req.lines.iter().any(|l| !l.constraint);
    let interp = st.interpreter.clone();
    let key = inputs_key(&interp, req, backend, index, "");
    if !wants_packages || no_cache {
        layout::create(dir, &interp)?;
        if wants_packages {
            let (w, c) = installer_lines(req, None);
            backend.install(dir, &interp, &w, &c, index)?;
            // Built where it is staged, run where it is renamed to.
            layout::make_scripts_relocatable(dir)?;
        }
        st.template = None;
        st.inputs = Some(key);
        st.site_stamp = Some(envs::stamp(&dir.join(&interp.purelib)));
        st.save(dir)?;
        return Ok(None);
    }
    let cache = template::Cache::open(&ctx.state)?;
    let (held, _built) = cache.get_or_build(&key, |tmp| {
        layout::create(tmp, &interp)?;
        let (w, c) = installer_lines(req, None);
        backend.install(tmp, &interp, &w, &c, index)?;
        layout::make_scripts_relocatable(tmp)?;
        let env = installed::marker_env(&interp.markers)?;
        let dists = installed::scan(&tmp.join(&interp.purelib))?;
        for p in installed::check(&dists, &env) {
            eprintln!("ptest-venv: warning: {}", p.message());
        }
        Ok(template::Meta {
            key: key.clone(),
            created_at: ptest_shared::record::now_rfc3339(),
            python: interp.executable.display().to_string(),
            python_version: interp.version.clone(),
            backend: backend.name().into(),
            requirements: w,
            packages: packages(&tmp.join(&interp.purelib)),
        })
    })?;
    if dir.exists() {
        // The (empty) staging directory: the clone makes it anew.
        std::fs::remove_dir(dir)
            .map_err(|e| Error::from_io(format!("cannot replace {}", dir.display()), &e))?;
    }
    let cloned = clone::clone_tree(&held.path, dir, link_mode, &[template::META])?;
    st.template = Some(key.clone());
    st.inputs = Some(key);
    st.site_stamp = Some(envs::stamp(&dir.join(&interp.purelib)));
    st.save(dir)?;
    Ok(Some(cloned.how.to_owned()))
}

/// The environment and what ptest knows of it (learned from pyvenv.cfg for
/// one ptest did not make).
fn open_env(ctx: &Ctx, arg: &str) -> Result<(Found, EnvState)> {
    let found = envs::find(&ctx.registry, arg)?;
    if let Some(st) = EnvState::load(&found.path)? {
        return Ok((found, st));
    }
    let cfg = layout::read_cfg(&found.path)?;
    let get = |k: &str| cfg.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    let exe = get("executable")
        .or_else(|| {
            let home = get("home")?;
            let v = get("version").or_else(|| get("version_info"))?;
            let short: Vec<&str> = v.split('.').take(2).collect();
            Some(format!("{home}/python{}", short.join(".")))
        })
        .ok_or_else(|| {
            Error::data(format!(
                "{}/pyvenv.cfg names no interpreter (no executable, home or version)",
                found.path.display()
            ))
        })?;
    let interp = python::find(&exe, &ctx.state)?;
    let st = EnvState {
        id: found
            .record
            .as_ref()
            .and_then(|r| r.id().map(str::to_owned))
            .unwrap_or_default(),
        name: found.path.display().to_string(),
        python_spec: exe,
        interpreter: interp,
        backend: String::new(),
        template: None,
        inputs: None,
        site_stamp: None,
    };
    Ok((found, st))
}

/// The indices of requirement lines not satisfied by what is installed.
fn unsatisfied(
    req: &reqs::Requirements,
    dists: &[installed::Dist],
    env: &pep508_rs::MarkerEnvironment,
) -> Vec<usize> {
    let by_name: BTreeMap<&str, &installed::Dist> =
        dists.iter().map(|d| (d.normalized.as_str(), d)).collect();
    let mut missing = Vec::new();
    for (i, l) in req.lines.iter().enumerate() {
        if l.constraint || !l.requirement.evaluate_markers(env, &[]) {
            continue;
        }
        let name = reqs::normalize(l.requirement.name.as_ref());
        let ok = match by_name.get(name.as_str()) {
            None => false,
            Some(d) => {
                let version_ok = match &l.requirement.version_or_url {
                    None => true,
                    Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => s.contains(&d.version),
                    // A URL names an artifact: installed once, it is taken as it.
                    Some(pep508_rs::VersionOrUrl::Url(_)) => true,
                };
                // Requested extras need their own requirements present too.
                let extras_ok = l.requirement.extras.iter().all(|extra| {
                    d.requires.iter().all(|r| {
                        if !r.evaluate_markers(env, std::slice::from_ref(extra))
                            || r.evaluate_markers(env, &[])
                        {
                            return true;
                        }
                        let n = reqs::normalize(r.name.as_ref());
                        by_name
                            .get(n.as_str())
                            .is_some_and(|dep| match &r.version_or_url {
                                Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => {
                                    s.contains(&dep.version)
                                }
                                _ => true,
                            })
                    })
                });
                version_ok && extras_ok
            }
        };
        if !ok {
            missing.push(i);
        }
    }
    missing
}

/// `name==version` of each distribution, by normalised name.
fn versions(dists: &[installed::Dist]) -> BTreeMap<String, String> {
    dists
        .iter()
        .map(|d| (d.normalized.clone(), d.version.to_string()))
        .collect()
}

pub fn sync(
    common: &CommonArgs,
    arg: &str,
    r: &ReqArgs,
    exact: bool,
    python: Option<String>,
    backend: Option<Choice>,
    index_args: &IndexArgs,
) -> Result<i32> {
    if r.files.is_empty() && r.packages.is_empty() {
        return Err(Error::usage("sync needs requirements: -r FILE or PKG"));
    }
    apply(
        common,
        arg,
        r,
        python,
        backend,
        index_args,
        Mode::Sync { exact },
    )
}

pub fn install(
    common: &CommonArgs,
    arg: &str,
    r: &ReqArgs,
    backend: Option<Choice>,
    index_args: &IndexArgs,
) -> Result<i32> {
    if r.files.is_empty() && r.packages.is_empty() {
        return Err(Error::usage("install needs packages: PKG… or -r FILE"));
    }
    apply(common, arg, r, None, backend, index_args, Mode::Install)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Sync { exact: bool },
    Install,
}

fn apply(
    common: &CommonArgs,
    arg: &str,
    r: &ReqArgs,
    python: Option<String>,
    backend: Option<Choice>,
    index_args: &IndexArgs,
    mode: Mode,
) -> Result<i32> {
    // The stream first: when it carries a failure, nothing is changed.
    let mut out = RecordWriter::stdout();
    stream::pass_through(&mut out)?;
    let ctx = Ctx::open(common)?;
    let (found, mut st) = open_env(&ctx, arg)?;
    let dir = found.path.clone();
    let (spec, interp) = ctx.python(Some(python.as_deref().unwrap_or(&st.python_spec)));
    let interp = interp?;
    let req = read_requirements(r, &interp)?;
    let backend = ctx.backend(backend)?;
    let index = index_of(index_args, &req);
    let exact = matches!(mode, Mode::Sync { exact: true });
    let key = inputs_key(
        &interp,
        &req,
        &backend,
        &index,
        if exact { "exact" } else { "" },
    );

    let site = dir.join(&interp.purelib);
    let mut installed_now: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    let mut rebuilt = false;
    let changed;
    if interp.identity() != st.interpreter.identity() || !st.interpreter.is_current() {
        // Another interpreter: the environment is made anew, in place.
        if !dir.join("pyvenv.cfg").is_file() {
            return Err(Error::no_input(format!(
                "{} is not a virtual environment",
                dir.display()
            )));
        }
        let staged = dir.with_file_name(format!(
            ".{}.ptest-rebuild",
            dir.file_name().unwrap_or_default().to_string_lossy()
        ));
        let _ = std::fs::remove_dir_all(&staged);
        let mut fresh = EnvState {
            python_spec: spec.clone(),
            interpreter: interp.clone(),
            backend: backend.name().into(),
            ..st.clone()
        };
        let link = ctx.link_mode(None)?;
        if let Err(e) = build_env(
            &ctx, &mut fresh, &staged, &req, &backend, &index, link, false,
        ) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
        let old = envs::to_trash(&ctx.state, &dir)?;
        std::fs::rename(&staged, &dir).map_err(|e| {
            Error::from_io(
                format!("cannot move the rebuilt environment into {}", dir.display()),
                &e,
            )
        })?;
        envs::purge_in_background(&old.into_iter().collect::<Vec<_>>());
        st = fresh;
        if exact {
            st.inputs = Some(key.clone());
        }
        rebuilt = true;
        changed = true;
        installed_now = packages(&site);
    } else if mode != Mode::Install
        && st.inputs.as_deref() == Some(key.as_str())
        && st.site_stamp == Some(envs::stamp(&site))
    {
        changed = false;
    } else {
        let menv = installed::marker_env(&interp.markers)?;
        let before = installed::scan(&site)?;
        let todo = unsatisfied(&req, &before, &menv);
        if !todo.is_empty() {
            let (w, c) = installer_lines(&req, Some(&todo));
            backend.install(&dir, &interp, &w, &c, &index)?;
        }
        let mut after = installed::scan(&site)?;
        if exact {
            let roots: Vec<(String, Vec<String>)> = req
                .lines
                .iter()
                .filter(|l| !l.constraint && l.requirement.evaluate_markers(&menv, &[]))
                .map(|l| {
                    (
                        reqs::normalize(l.requirement.name.as_ref()),
                        l.requirement.extras.iter().map(|e| e.to_string()).collect(),
                    )
                })
                .collect();
            let keep = installed::closure(&after, &roots, &menv);
            let extra: Vec<String> = after
                .iter()
                .filter(|d| !keep.contains(&d.normalized))
                .map(|d| d.name.clone())
                .collect();
            if !extra.is_empty() {
                backend.uninstall(&dir, &interp, &extra)?;
                after = installed::scan(&site)?;
            }
        }
        let (b, a) = (versions(&before), versions(&after));
        installed_now = a
            .iter()
            .filter(|(n, v)| b.get(*n) != Some(*v))
            .map(|(n, v)| format!("{n}=={v}"))
            .collect();
        removed = b
            .iter()
            .filter(|(n, v)| a.get(*n) != Some(*v))
            .map(|(n, v)| format!("{n}=={v}"))
            .collect();
        changed = !installed_now.is_empty() || !removed.is_empty();
        st.backend = backend.name().into();
        st.inputs = (mode != Mode::Install).then(|| key.clone());
    }
    if changed || st.site_stamp != Some(envs::stamp(&site)) {
        st.site_stamp = Some(envs::stamp(&site));
        st.save(&dir)?;
    }
    let mut rec = match &found.record {
        Some(r) => {
            let mut fresh = venv_record(&st, &dir, None);
            for k in ["id", "created_at", "owner", "expires_at", "link_mode"] {
                match r.get(k) {
                    Some(v) => {
                        fresh.set(k, v.clone());
                    }
                    None => {
                        fresh.remove(k);
                    }
                }
            }
            fresh
        }
        None => {
            let mut v = venv_record(&st, &dir, None);
            v.remove("id");
            v
        }
    };
    if found.record.is_some() && changed {
        ctx.registry.put(&rec)?;
    }
    rec.set("changed", changed)
        .set("rebuilt", rebuilt)
        .set("installed", installed_now.clone())
        .set("removed", removed.clone());
    let event = if mode == Mode::Install {
        "venv.installed"
    } else {
        "venv.synced"
    };
    if ctx.json {
        out.write(&rec)?;
    } else if !changed {
        out.write_line(&format!("{}: up to date", dir.display()))?;
    } else {
        let mut parts = Vec::new();
        if rebuilt {
            parts.push(format!("rebuilt for python {}", interp.version));
        }
        if !installed_now.is_empty() {
            parts.push(format!("installed {}", installed_now.join(" ")));
        }
        if !removed.is_empty() {
            parts.push(format!("removed {}", removed.join(" ")));
        }
        out.write_line(&format!("{}: {}", dir.display(), parts.join("; ")))?;
    }
    if changed {
        hooks::post(&ctx.config, event, &rec);
    }
    Ok(0)
}

pub fn uninstall(
    common: &CommonArgs,
    arg: &str,
    names: &[String],
    backend: Option<Choice>,
) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    for n in names {
        if n.parse::<pep508_rs::PackageName>().is_err() {
            return Err(Error::usage(format!("{n:?} is not a distribution name")));
        }
    }
    let (found, st) = open_env(&ctx, arg)?;
    let site = found.path.join(&st.interpreter.purelib);
    let before = versions(&installed::scan(&site)?);
    let present: Vec<String> = names
        .iter()
        .filter(|n| before.contains_key(&reqs::normalize(n)))
        .cloned()
        .collect();
    let absent: Vec<&String> = names.iter().filter(|n| !present.contains(n)).collect();
    if !absent.is_empty() {
        eprintln!(
            "ptest-venv: note: not installed: {}",
            absent
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let backend = ctx.backend(backend)?;
    backend.uninstall(&found.path, &st.interpreter, &present)?;
    let after = versions(&installed::scan(&site)?);
    let removed: Vec<String> = before
        .iter()
        .filter(|(n, _)| !after.contains_key(*n))
        .map(|(n, v)| format!("{n}=={v}"))
        .collect();
    let mut out = RecordWriter::stdout();
    let mut ev = Record::new("event");
    ev.set("event", "venv.uninstalled")
        .set("path", found.path.display().to_string())
        .set("removed", removed.clone());
    if ctx.json {
        out.write(&ev)?;
    } else {
        out.write_line(&format!(
            "{}: removed {}",
            found.path.display(),
            removed.join(" ")
        ))?;
    }
    Ok(0)
}

pub fn check(
    common: &CommonArgs,
    env: Option<&str>,
    files: &[PathBuf],
    constraints: &[PathBuf],
    python: Option<String>,
) -> Result<i32> {
    if env.is_none() && files.is_empty() && constraints.is_empty() {
        return Err(Error::usage("check needs an environment or -r FILE"));
    }
    let ctx = Ctx::open(common)?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    if !files.is_empty() || !constraints.is_empty() {
        let interp = match env {
            Some(e) if python.is_none() => open_env(&ctx, e)?.1.interpreter,
            _ => ctx.python(python.as_deref()).1?,
        };
        let cwd = std::env::current_dir()
            .map_err(|e| Error::from_io("cannot read the working directory", &e))?;
        let req = reqs::read_inputs(files, constraints, &[], &cwd)?;
        let menv = installed::marker_env(&interp.markers)?;
        for c in reqs::conflicts(&req, Some(&menv)) {
            lines.push(c.reason.clone());
            records.push(c.to_record());
        }
    }
    if let Some(e) = env {
        let (found, st) = open_env(&ctx, e)?;
        let menv = installed::marker_env(&st.interpreter.markers)?;
        let dists = installed::scan(&found.path.join(&st.interpreter.purelib))?;
        for p in installed::check(&dists, &menv) {
            lines.push(p.message());
            records.push(p.to_record());
        }
    }
    let mut out = RecordWriter::stdout();
    if ctx.json {
        for r in &records {
            out.write_line(&r.to_string())?;
        }
    } else if lines.is_empty() {
        out.write_line("no conflicts")?;
    } else {
        for l in &lines {
            out.write_line(l)?;
        }
        out.write_line(&format!(
            "{} conflict{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" }
        ))?;
    }
    if records.is_empty() {
        return Ok(0);
    }
    Err(Error::exit_code(
        1,
        format!(
            "{} conflict{} found",
            records.len(),
            if records.len() == 1 { "" } else { "s" }
        ),
    ))
}

/// `freeze`: requirement lines (`name==version`), what freezing is for,
/// wherever stdout goes (`> requirements.txt`); `package` records only
/// with `--json`.
pub fn freeze(common: &CommonArgs, arg: &str) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let (found, st) = open_env(&ctx, arg)?;
    let dists = installed::scan(&found.path.join(&st.interpreter.purelib))?;
    let mut out = RecordWriter::stdout();
    let records = common.output.json || common.output.format == ptest_shared::output::Format::Json;
    for d in &dists {
        if records {
            let mut r = Record::new("package");
            r.set("name", d.name.clone())
                .set("version", d.version.to_string())
                .set("requested", d.requested)
                .set(
                    "installer",
                    d.installer
                        .clone()
                        .map_or(serde_json::Value::Null, Into::into),
                );
            out.write(&r)?;
        } else {
            out.write_line(&format!("{}=={}", d.name, d.version))?;
        }
    }
    Ok(0)
}

pub fn info(common: &CommonArgs, arg: &str) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let (found, st) = open_env(&ctx, arg)?;
    let mut rec = match &found.record {
        Some(r) => r.clone(),
        None => venv_record(&st, &found.path, None),
    };
    let pk = packages(&found.path.join(&st.interpreter.purelib));
    rec.set("packages", pk.clone())
        .set("interpreter_current", st.interpreter.is_current())
        .set(
            "synced_inputs",
            st.inputs
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
    let mut out = RecordWriter::stdout();
    if ctx.json {
        out.write(&rec)?;
        return Ok(0);
    }
    let s = |k: &str| {
        rec.get(k)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| v.to_string())
            })
            .unwrap_or_default()
    };
    for k in [
        "id",
        "name",
        "path",
        "python",
        "python_version",
        "backend",
        "template",
        "link_mode",
        "created_at",
    ] {
        let v = s(k);
        if !v.is_empty() && v != "null" {
            out.write_line(&format!("{k:15} {v}"))?;
        }
    }
    if !st.interpreter.is_current() {
        out.write_line("interpreter     CHANGED since creation: `ptest venv sync` rebuilds")?;
    }
    out.write_line(&format!("{:15} {}", "packages", pk.len()))?;
    for p in pk {
        out.write_line(&format!("  {p}"))?;
    }
    Ok(0)
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let now = Timestamp::now();
    // Whether each environment is still on disk, for both views.
    let list: Vec<Record> = ctx
        .registry
        .list()?
        .into_iter()
        .filter(is_venv)
        .map(|mut r| {
            let exists = envs::record_path(&r).is_ok_and(|p| p.join("pyvenv.cfg").is_file());
            r.set("exists", exists);
            r
        })
        .collect();
    listing(
        ctx.json,
        &list,
        "no environments",
        &["ID", "NAME", "PYTHON", "PACKAGES", "STATE", "PATH"],
        |r| {
            let packages = r
                .get("packages")
                .and_then(|p| p.as_array())
                .map_or(0, Vec::len);
            let state = if r.get("exists") != Some(&serde_json::Value::Bool(true)) {
                "missing".to_owned()
            } else {
                judge(r, now)?.as_str().to_owned()
            };
            Ok(vec![
                cell(r, "id"),
                cell(r, "name"),
                cell(r, "python_version"),
                packages.to_string(),
                state,
                cell(r, "path"),
            ])
        },
    )
}

/// `rm`: environments given by id, name or directory, or the `venv`
/// records on stdin. Only environments in the registry are removed, at the
/// path the registry holds: a stream's record counts for its id alone, and
/// a directory ptest did not make is never touched.
pub fn rm(common: &CommonArgs, args: &[String]) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let mut targets: Vec<Record> = Vec::new();
    let mut refused = None;
    let mut bad_stream = None;
    if args.is_empty() {
        let (records, bad) = stream::stdin(None)?.into_teardown();
        bad_stream = bad;
        let venvs: Vec<Record> = records.into_iter().filter(is_venv).collect();
        targets.extend(
            ptest_shared::teardown::registered(&ctx.registry, &venvs)?
                .into_iter()
                .filter(is_venv),
        );
    } else {
        for a in args {
            match envs::find(&ctx.registry, a) {
                Ok(Found {
                    record: Some(r), ..
                }) => targets.push(r),
                Ok(Found { path, record: None }) => {
                    let e = Error::data(format!(
                        "{}: not an environment ptest made (it is not in the registry): nothing removed",
                        path.display()
                    ))
                    .hint("ptest removes only what it made; remove it yourself if you mean to");
                    eprintln!("ptest-venv: error: {}", e.message);
                    refused = Some(e);
                }
                Err(e) if a.starts_with("venv-") && !a.contains('/') => {
                    eprintln!("ptest-venv: note: {}", e.message);
                }
                Err(e) => return Err(e),
            }
        }
    }
    let mut out = RecordWriter::stdout();
    let mut trash = Vec::new();
    for rec in &targets {
        let path = envs::record_path(rec)?;
        if path.exists() && !path.join("pyvenv.cfg").is_file() {
            return Err(Error::data(format!(
                "{} holds no pyvenv.cfg: not removing a directory that is not an environment",
                path.display()
            )));
        }
        hooks::pre(&ctx.config, "venv.removed", rec)?;
        if let Some(t) = envs::to_trash(&ctx.state, &path)? {
            trash.push(t);
        }
        let id = rec.id().unwrap_or_default().to_owned();
        ctx.registry.remove(&id)?;
        let mut ev = Record::new("event");
        ev.set("event", "venv.removed")
            .set("id", id.clone())
            .set("path", path.display().to_string());
        if ctx.json {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {id} ({})", path.display()))?;
        }
        hooks::post(&ctx.config, "venv.removed", rec);
    }
    envs::purge_in_background(&trash);
    match refused.or(bad_stream) {
        Some(e) => Err(e),
        None => Ok(0),
    }
}

pub fn gc(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    // Builds whose builder died (killed mid-create): nothing half-made stays.
    staging::sweep(&ctx.state)?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    let mut trash = envs::trash_leftovers(&ctx.state)?;
    for r in ctx.registry.list()?.into_iter().filter(is_venv) {
        let reason = match judge(&r, now)? {
            Liveness::Live => continue,
            l => l.as_str(),
        };
        let path = envs::record_path(&r)?;
        if path.exists() && !path.join("pyvenv.cfg").is_file() {
            eprintln!(
                "ptest-venv: warning: {} holds no pyvenv.cfg; leaving it",
                path.display()
            );
        } else if let Some(t) = envs::to_trash(&ctx.state, &path)? {
            trash.push(t);
        }
        let id = r.id().unwrap_or_default().to_owned();
        ctx.registry.remove(&id)?;
        let mut ev = Record::new("event");
        ev.set("event", "venv.removed")
            .set("id", id.clone())
            .set("reason", reason);
        if ctx.json {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {id} ({reason})"))?;
        }
        hooks::post(&ctx.config, "venv.removed", &r);
    }
    envs::purge_in_background(&trash);
    template::Cache::open(&ctx.state)?.sweep()?;
    Ok(0)
}

pub fn cache_ls(common: &CommonArgs) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let cache = template::Cache::open(&ctx.state)?;
    let list = cache.list()?;
    let mut out = RecordWriter::stdout();
    if ctx.json {
        for e in &list {
            out.write_line(&e.to_record().to_string())?;
        }
        return Ok(0);
    }
    if list.is_empty() {
        out.write_line("no templates")?;
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|e| {
            let rec = e.to_record();
            vec![
                e.meta.key.clone(),
                e.meta.python_version.clone(),
                e.meta.backend.clone(),
                e.meta.packages.len().to_string(),
                format!("{:.1} MB", e.size as f64 / 1e6),
                rec["last_used"].as_str().unwrap_or("").to_owned(),
                e.meta.requirements.join(" "),
            ]
        })
        .collect();
    out.write_line(
        render_table(
            &[
                "KEY",
                "PYTHON",
                "BACKEND",
                "PACKAGES",
                "SIZE",
                "LAST USED",
                "REQUIREMENTS",
            ],
            &rows,
        )
        .trim_end(),
    )?;
    Ok(0)
}

pub fn cache_prune(common: &CommonArgs, older_than: std::time::Duration, all: bool) -> Result<i32> {
    let ctx = Ctx::open(common)?;
    let cache = template::Cache::open(&ctx.state)?;
    let now = std::time::SystemTime::now();
    let mut out = RecordWriter::stdout();
    let (mut n, mut bytes) = (0, 0u64);
    for e in cache.list()? {
        let age = now.duration_since(e.last_used).unwrap_or_default();
        if !all && age < older_than {
            continue;
        }
        if !cache.remove(&e.meta.key)? {
            eprintln!("ptest-venv: note: template {} is in use; kept", e.meta.key);
            continue;
        }
        n += 1;
        bytes += e.size;
        let mut ev = Record::new("event");
        ev.set("event", "venv-template.removed")
            .set("key", e.meta.key.clone())
            .set("size_bytes", e.size);
        if ctx.json {
            out.write(&ev)?;
        }
    }
    if !ctx.json {
        out.write_line(&format!(
            "removed {n} template{} ({:.1} MB)",
            if n == 1 { "" } else { "s" },
            bytes as f64 / 1e6
        ))?;
    }
    Ok(0)
}
