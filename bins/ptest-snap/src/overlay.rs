//! `--mode overlay`: an overlay mount whose lower layer is the snapshot's
//! read-only tree, kept with it, and whose upper layer is fresh.

use crate::manifest::Manifest;
use crate::store::Store;
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::{Error, Record, Result};

/// Makes the snapshot's lower layer, unless it is there.
pub fn lower(_store: &Store, m: &Manifest) -> Result<()> {
    Err(Error::unavailable(format!(
        "{}: overlay mode is being built",
        m.id
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
    _lifetime: &ptest_shared::owner::LifetimeArgs,
) -> Result<i32> {
    Err(Error::unavailable(format!(
        "{}: overlay restore is being built",
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
) -> Result<i32> {
    Err(Error::unavailable(format!(
        "{}: overlay reset is being built",
        m.id
    )))
}
