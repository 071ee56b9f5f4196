//! What the commands share: their context (configuration, state directory,
//! registry and the `[venv]` settings read from them), an environment found
//! by id, name or path, and the `venv` record that describes one.

use crate::backend::{Backend, Choice};
use crate::clone::LinkMode;
use crate::envs::{self, EnvState, Found};
use crate::layout;
use crate::python::{self, Interpreter};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result};
use std::path::{Path, PathBuf};

/// Everything a command needs: configuration and state.
pub struct Ctx {
    pub config: Config,
    pub state: StateDir,
    pub registry: Registry,
    pub json: bool,
}

impl Ctx {
    pub fn open(common: &CommonArgs) -> Result<Ctx> {
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

    pub fn backend(&self, flag: Option<Choice>) -> Result<Backend> {
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

    pub fn link_mode(&self, flag: Option<LinkMode>) -> Result<LinkMode> {
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

    pub fn python(&self, flag: Option<&str>) -> (String, Result<Interpreter>) {
        let spec = flag
            .map(str::to_owned)
            .unwrap_or_else(|| self.config.string("venv.python").to_owned());
        let found = python::find(&spec, &self.state);
        (spec, found)
    }

    pub fn default_dir(&self, id: &str) -> Result<PathBuf> {
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

pub fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    Ok(std::env::current_dir()
        .map_err(|e| Error::from_io("cannot read the working directory", &e))?
        .join(p))
}

pub use ptest_shared::venv::{packages, record as venv_record};

/// The environment and what ptest knows of it (learned from pyvenv.cfg for
/// one ptest did not make).
pub fn open_env(ctx: &Ctx, arg: &str) -> Result<(Found, EnvState)> {
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
