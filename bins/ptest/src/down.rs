//! `ptest down`: tears down the resources a record stream names, through
//! [`ptest_shared::teardown`], which only the registry decides.

use ptest_shared::teardown::{Report, registered_newest_first, remove_all};
use ptest_shared::{Error, Result, stream};

/// `ptest down`: tears down the stream on stdin. An `error` record in it
/// does not stop the teardown; a line that is not a record (or a last line
/// cut short) is reported with 65 after the rest is torn down.
pub fn down(json: bool) -> Result<i32> {
    if !stream::stdin_is_stream() {
        return Err(Error::usage(
            "ptest down tears down the record stream on its stdin, and stdin is a terminal",
        )
        .hint("ptest down < env.jsonl (a stream saved with tee), or … | ptest down; ptest ls --stale | ptest down for what gc would remove"));
    }
    let (records, bad) = stream::stdin(None)?.into_teardown();
    let resources = registered_newest_first(&records)?;
    let code = remove_all(if json { Report::Json } else { Report::Human }, resources)?;
    match bad {
        Some(e) => Err(e),
        None => Ok(code),
    }
}
