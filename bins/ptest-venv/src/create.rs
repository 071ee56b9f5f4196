//! `ptest venv create`, and the making of an environment that it and a
//! rebuild by `sync` share: natively when it holds no packages, else as a
//! clone of the template of its inputs.

use crate::backend::{Backend, Index};
use crate::clone::{self, LinkMode};
use crate::commands::{Ctx, absolute, packages, venv_record};
use crate::envs::{self, EnvState};
use crate::inputs::{index_of, inputs_key, installer_lines, read_requirements};
use crate::{CreateArgs, installed, layout, reqs, template};
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::OwnerSpec;
use ptest_shared::staging::{self, Staging};
use ptest_shared::{Error, Result, hooks, interrupt, stream};
use std::path::Path;

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

/// Makes the environment at `dir`: natively when empty, else by cloning the
/// template (building it first when missing), or straight install with
/// `no_cache`. Returns how a clone linked its files.
#[allow(clippy::too_many_arguments)]
pub fn build_env(
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
            layout::make_scripts_relocatable(dir, &[])?;
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
        layout::make_scripts_relocatable(tmp, &[])?;
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
