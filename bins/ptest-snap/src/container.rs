//! Snapshots of ptest containers: the filesystem through the engine's commit, every volume's data through its archive API.

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
        "{id}: container snapshots are being built"
    )))
}

#[allow(clippy::too_many_arguments)]
pub fn restore(
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
        "{}: container restore is being built",
        m.id
    )))
}

#[allow(clippy::too_many_arguments)]
pub fn reset(
    _common: &CommonArgs,
    _config: &Config,
    _store: &Store,
    _rec: &Record,
    m: &Manifest,
    _mode: crate::Mode,
) -> Result<i32> {
    Err(Error::unavailable(format!(
        "{}: container reset is being built",
        m.id
    )))
}
