//! What other tools of the suite use of ptest-docker as a library
//! (`ptest-snap`'s container snapshots): one `create` ([`create_prepared`],
//! the same steps, guard and records as `ptest docker create`), commit,
//! the engine's archive API as streams, and the guardian's entry point for
//! a program that links this library (the guardian re-executes the running
//! program: that program must hand `__guard` to [`guard`]).

use crate::engine;
use crate::objects::{self, Kind};
use ptest_shared::{Error, Record, Result};
use std::io::{self, Read, Write};

pub use crate::container::{Extra, create_prepared};
pub use crate::engine::Engine;
pub use crate::image::{ImageInfo, commit_labelled};
pub use crate::objects::Kind as ObjectKind;
pub use crate::remove::remove_object;
pub use crate::{CreateArgs, Security};

/// The registry's record of the ptest container `word` (a ptest id or
/// name, or the engine's id or name of a container ptest made): 65 when
/// the engine has such a container but ptest did not make it, 66 when
/// there is none.
pub fn registered_container(engine: &Engine, word: &str) -> Result<Record> {
    let (_, reg) = objects::open_registry()?;
    let r = objects::resolve(engine, &reg, word, Some(Kind::Container))?;
    match r.record {
        Some(rec) if rec.kind() == "container" => Ok(rec),
        _ => Err(Error::data(format!(
            "container {word} ({}) was not made by ptest: nothing done",
            &r.engine_id[..r.engine_id.len().min(12)]
        ))
        .hint("ptest snapshots only containers of `ptest docker create`")),
    }
}

/// The engine id of a `container` or `volume` record of ptest-docker.
pub fn engine_id(r: &Record) -> Option<String> {
    objects::is_ours(r)
        .then(|| objects::engine_id_of(r))
        .flatten()
}

/// `GET /containers/{id}/archive?path=PATH`, read by `consume` as it
/// arrives (on a thread of its own: the archive is never held whole).
pub fn download<T: Send>(
    engine: &Engine,
    container_id: &str,
    path: &str,
    consume: impl FnOnce(&mut dyn Read) -> Result<T> + Send,
) -> Result<T> {
    crate::copy::download(engine, container_id, path, consume)
        .map_err(|e| engine::error(&format!("cannot read {path} of the container"), &e))?
}

/// `PUT /containers/{id}/archive?path=PATH` of the tar stream `produce`
/// writes (on a thread of its own, streamed as it is written).
pub fn upload(
    engine: &Engine,
    container_id: &str,
    path: &str,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()> + Send + 'static,
) -> Result<()> {
    let (produced, sent) = crate::copy::upload(engine, container_id, path, false, produce)?;
    match (produced, sent) {
        (Err(e), _) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::from_io(
            format!("cannot write the archive for {path}"),
            &e,
        )),
        (_, Err(e)) => Err(engine::error(
            &format!("cannot write {path} of the container"),
            &e,
        )),
        (Ok(()), Ok(())) => Ok(()),
        (Err(e), Ok(())) => Err(Error::from_io(
            format!("cannot write the archive for {path}"),
            &e,
        )),
    }
}

/// The guardian, for a program that links this library and is
/// re-executed as `PROGRAM __guard OWNER --lock-fd N` (see `guardian`).
pub fn guard(owner: &str, lock_fd: i32) -> Result<i32> {
    crate::guardian::run(owner, lock_fd)
}
