//! Networks (being written).

use crate::engine::Engine;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use ptest_shared::{Error, Result};

pub fn create_command(
    _common: &CommonArgs,
    _name: Option<String>,
    _internal: bool,
    _isolated: bool,
    _subnet: &str,
    _lifetime: &LifetimeArgs,
) -> Result<i32> {
    Err(Error::internal("network create is being written"))
}

pub fn remove(_engine: &Engine, _id: &str) -> Result<bool> {
    Err(Error::internal("network rm is being written"))
}
