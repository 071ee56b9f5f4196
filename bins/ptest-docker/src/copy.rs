//! Copies in and out of containers (being written).

use ptest_shared::cli::CommonArgs;
use ptest_shared::{Error, Result};

pub fn command(_common: &CommonArgs, _src: &str, _dst: &str) -> Result<i32> {
    Err(Error::internal("cp is being written"))
}
