//! The guardian (being written).

use ptest_shared::{Error, Result};

pub fn run(_owner: &str) -> Result<i32> {
    Err(Error::internal("the guardian is being written"))
}
