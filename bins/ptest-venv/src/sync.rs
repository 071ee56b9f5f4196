//! The commands that change what an environment holds: `sync` (to its
//! requirements, and with `--exact` to nothing more), `install` (what is
//! not yet satisfied) and `uninstall`. `sync` and `install` share
//! [`apply`]: an environment whose interpreter changed is rebuilt, one
//! whose inputs did not change is left alone by `sync`, any other gets only
//! the difference.

use crate::backend::{Backend, Choice, Index};
use crate::commands::{Ctx, open_env, packages, venv_record};
use crate::create::build_env;
use crate::envs::{self, EnvState, Found};
use crate::inputs::{index_of, inputs_key, installer_lines, read_requirements};
use crate::python::Interpreter;
use crate::{IndexArgs, ReqArgs, installed, reqs};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Record, Result, hooks, stream};
use std::collections::BTreeMap;
use std::path::Path;

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

/// What `sync` or `install` brings an environment to, resolved from its
/// command line.
struct Target {
    /// The interpreter as asked for: `--python`, else the environment's own.
    spec: String,
    interp: Interpreter,
    req: reqs::Requirements,
    backend: Backend,
    index: Index,
    /// The hash of all of the above ([`inputs_key`]), `--exact` included.
    key: String,
}

/// What an apply did to the environment.
#[derive(Default)]
struct Outcome {
    changed: bool,
    rebuilt: bool,
    /// `name==version` of each distribution installed, or now at another
    /// version.
    installed: Vec<String>,
    /// `name==version` of each distribution removed, or now at another
    /// version.
    removed: Vec<String>,
}

/// `sync` and `install`: brings the environment `arg` to the requirements,
/// rebuilding it for another interpreter, leaving it alone when its inputs
/// and site-packages are as last synced (never for `install`), else
/// installing (and with `--exact` removing) only the difference; then
/// writes its `venv` record, updated in the registry when anything changed.
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
    let t = Target {
        spec,
        interp,
        req,
        backend,
        index,
        key,
    };

    let site = dir.join(&t.interp.purelib);
    let outcome =
        if t.interp.identity() != st.interpreter.identity() || !st.interpreter.is_current() {
            rebuild(&ctx, &dir, &mut st, &t, exact)?
        } else if mode != Mode::Install
            && st.inputs.as_deref() == Some(t.key.as_str())
            && st.site_stamp == Some(envs::stamp(&site))
        {
            Outcome::default()
        } else {
            install_difference(&dir, &mut st, &t, mode)?
        };
    if outcome.changed || st.site_stamp != Some(envs::stamp(&site)) {
        st.site_stamp = Some(envs::stamp(&site));
        st.save(&dir)?;
    }
    let rec = updated_record(&found, &st, &dir);
    if found.record.is_some() && outcome.changed {
        ctx.registry.put(&rec)?;
    }
    report(&ctx, &mut out, rec, &outcome, &dir, &t.interp, mode)?;
    Ok(0)
}

/// Another interpreter: the environment is made anew, in place (built
/// beside it, then swapped in; the old one goes to the trash).
fn rebuild(ctx: &Ctx, dir: &Path, st: &mut EnvState, t: &Target, exact: bool) -> Result<Outcome> {
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
        python_spec: t.spec.clone(),
        interpreter: t.interp.clone(),
        backend: t.backend.name().into(),
        ..st.clone()
    };
    let link = ctx.link_mode(None)?;
    if let Err(e) = build_env(
        ctx, &mut fresh, &staged, &t.req, &t.backend, &t.index, link, false,
    ) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(e);
    }
    let old = envs::to_trash(&ctx.state, dir)?;
    std::fs::rename(&staged, dir).map_err(|e| {
        Error::from_io(
            format!("cannot move the rebuilt environment into {}", dir.display()),
            &e,
        )
    })?;
    envs::purge_in_background(&old.into_iter().collect::<Vec<_>>());
    *st = fresh;
    if exact {
        st.inputs = Some(t.key.clone());
    }
    Ok(Outcome {
        changed: true,
        rebuilt: true,
        installed: packages(&dir.join(&t.interp.purelib)),
        removed: Vec::new(),
    })
}

/// The same interpreter: installs the requirements not satisfied by what
/// is installed and, with `sync --exact`, removes what they do not need.
fn install_difference(dir: &Path, st: &mut EnvState, t: &Target, mode: Mode) -> Result<Outcome> {
    let site = dir.join(&t.interp.purelib);
    let menv = installed::marker_env(&t.interp.markers)?;
    let before = installed::scan(&site)?;
    let todo = unsatisfied(&t.req, &before, &menv);
    if !todo.is_empty() {
        let (w, c) = installer_lines(&t.req, Some(&todo));
        t.backend.install(dir, &t.interp, &w, &c, &t.index)?;
    }
    let mut after = installed::scan(&site)?;
    if matches!(mode, Mode::Sync { exact: true }) {
        after = remove_unneeded(dir, t, &menv, after)?;
    }
    let (installed_now, removed) = difference(&before, &after);
    st.backend = t.backend.name().into();
    st.inputs = (mode != Mode::Install).then(|| t.key.clone());
    Ok(Outcome {
        changed: !installed_now.is_empty() || !removed.is_empty(),
        rebuilt: false,
        installed: installed_now,
        removed,
    })
}

/// `sync --exact`: uninstalls every distribution that `installed` (what is
/// there now) holds and the requirements do not need, and returns what is
/// left.
fn remove_unneeded(
    dir: &Path,
    t: &Target,
    menv: &pep508_rs::MarkerEnvironment,
    installed: Vec<installed::Dist>,
) -> Result<Vec<installed::Dist>> {
    let roots: Vec<(String, Vec<String>)> = t
        .req
        .lines
        .iter()
        .filter(|l| !l.constraint && l.requirement.evaluate_markers(menv, &[]))
        .map(|l| {
            (
                reqs::normalize(l.requirement.name.as_ref()),
                l.requirement.extras.iter().map(|e| e.to_string()).collect(),
            )
        })
        .collect();
    let keep = installed::closure(&installed, &roots, menv);
    let extra: Vec<String> = installed
        .iter()
        .filter(|d| !keep.contains(&d.normalized))
        .map(|d| d.name.clone())
        .collect();
    if extra.is_empty() {
        return Ok(installed);
    }
    t.backend.uninstall(dir, &t.interp, &extra)?;
    installed::scan(&dir.join(&t.interp.purelib))
}

/// `name==version` of what `after` holds that `before` did not (installed),
/// and of what `before` held that `after` does not (removed): a changed
/// version is in both.
fn difference(before: &[installed::Dist], after: &[installed::Dist]) -> (Vec<String>, Vec<String>) {
    let (b, a) = (versions(before), versions(after));
    let installed_now = a
        .iter()
        .filter(|(n, v)| b.get(*n) != Some(*v))
        .map(|(n, v)| format!("{n}=={v}"))
        .collect();
    let removed = b
        .iter()
        .filter(|(n, v)| a.get(*n) != Some(*v))
        .map(|(n, v)| format!("{n}=={v}"))
        .collect();
    (installed_now, removed)
}

/// The `venv` record of the environment as it is now, with what the
/// registry's record says of it (id, creation, owner, expiry, link mode)
/// kept; without an id for an environment ptest did not make.
fn updated_record(found: &Found, st: &EnvState, dir: &Path) -> Record {
    match &found.record {
        Some(r) => {
            let mut fresh = venv_record(st, dir, None);
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
            let mut v = venv_record(st, dir, None);
            v.remove("id");
            v
        }
    }
}

/// Writes the record with what changed (or a line for a terminal), then
/// runs the `post-venv.synced` or `post-venv.installed` hook when anything
/// did.
fn report(
    ctx: &Ctx,
    out: &mut RecordWriter,
    mut rec: Record,
    outcome: &Outcome,
    dir: &Path,
    interp: &Interpreter,
    mode: Mode,
) -> Result<()> {
    let Outcome {
        changed,
        rebuilt,
        installed: installed_now,
        removed,
    } = outcome;
    rec.set("changed", *changed)
        .set("rebuilt", *rebuilt)
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
        if *rebuilt {
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
    if *changed {
        hooks::post(&ctx.config, event, &rec);
    }
    Ok(())
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
