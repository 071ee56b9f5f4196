//! Snapshots of ptest venvs: restored in place, or as a new venv elsewhere.

use crate::create::How;
use crate::manifest::Manifest;
use crate::store::Store;
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::owner::Lifetime;
use ptest_shared::{Error, Record, Result};
use serde::{Deserialize, Serialize};

/// What the snapshot came from, kept in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    pub id: String,
}

pub fn snapshot(
    _common: &CommonArgs,
    _config: &Config,
    _store: &Store,
    id: &str,
    _how: &How,
    _lifetime: &Lifetime,
) -> Result<Record> {
    Err(Error::unavailable(format!(
        "{id}: venv snapshots are being built"
    )))
}

#[allow(clippy::too_many_arguments)]
pub fn restore_elsewhere(
    _common: &CommonArgs,
    _config: &Config,
    _store: &Store,
    _rec: &Record,
    m: &Manifest,
    _to: Option<std::path::PathBuf>,
    _mode: crate::Mode,
    _lifetime: &ptest_shared::owner::LifetimeArgs,
) -> Result<i32> {
    Err(Error::unavailable(format!(
        "{}: venv restore elsewhere is being built",
        m.id
    )))
}
