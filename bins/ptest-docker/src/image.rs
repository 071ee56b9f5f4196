//! Images (being written).

use ptest_shared::cli::CommonArgs;
use ptest_shared::{Error, Result};
use std::path::Path;

pub fn import_command(_common: &CommonArgs, _tarball: &Path, _tag: &str) -> Result<i32> {
    Err(Error::internal("image import is being written"))
}

pub fn commit_command(_common: &CommonArgs, _container: &str, _tag: Option<&str>) -> Result<i32> {
    Err(Error::internal("commit is being written"))
}
