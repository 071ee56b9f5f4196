//! Containers (being written).

use crate::CreateArgs;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use ptest_shared::{Error, Result};

pub fn create(_common: &CommonArgs, _args: &CreateArgs, _lifetime: &LifetimeArgs) -> Result<i32> {
    Err(Error::internal("create is being written"))
}
