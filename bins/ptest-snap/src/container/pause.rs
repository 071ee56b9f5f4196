//! The pause that gives a snapshot one instant of the container, with a
//! note so that `gc` unpauses a container whose snapshot was SIGKILLed.

use super::*;

/// A container this command paused: unpaused when this goes. A note
/// (`snap/paused/<engine id>`, naming this process) is written before the
/// pause and removed after the unpause, so that `gc` unpauses a container
/// whose snapshot was SIGKILLed while it was paused.
pub(crate) struct Paused<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) cid: String,
    pub(crate) note: PathBuf,
}

impl<'a> Paused<'a> {
    pub(crate) fn pause(
        engine: &'a Engine,
        store: &Store,
        cid: &str,
        ptest_id: &str,
    ) -> Result<Paused<'a>> {
        let dir = store.paused_dir()?;
        let note = dir.join(cid);
        let me = serde_json::to_vec(&ptest_shared::owner::Owner::current())
            .map_err(|e| Error::internal(e.to_string()))?;
        ptest_shared::state::write_atomic(&note, &me)?;
        if let Err(e) = engine.block_on(engine.docker.pause_container(cid)) {
            let _ = std::fs::remove_file(&note);
            return Err(ptest_docker::engine::error(
                &format!("cannot pause {ptest_id}"),
                &e,
            ));
        }
        Ok(Paused {
            engine,
            cid: cid.to_owned(),
            note,
        })
    }
}

impl Drop for Paused<'_> {
    fn drop(&mut self) {
        let unpaused = self
            .engine
            .block_on(self.engine.docker.unpause_container(&self.cid));
        // Kept when the unpause failed, for gc to try again.
        if unpaused.is_ok() || unpaused.as_ref().is_err_and(ptest_docker::engine::is_gone) {
            let _ = std::fs::remove_file(&self.note);
        }
    }
}

/// For `gc`: unpauses the containers a snapshot paused and never unpaused
/// (it was SIGKILLed), as their notes say; returns how many.
pub fn gc_paused(store: &Store) -> u64 {
    let Ok(dir) = store.paused_dir() else {
        return 0;
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut engine = None;
    let mut n = 0;
    for e in entries.flatten() {
        let cid = e.file_name().to_string_lossy().into_owned();
        let live = std::fs::read(e.path())
            .ok()
            .and_then(|b| serde_json::from_slice::<ptest_shared::owner::Owner>(&b).ok())
            .is_some_and(|o| o.is_alive());
        if live || ptest_shared::kinds::check_engine_name(&cid).is_err() {
            continue;
        }
        if engine.is_none() {
            match connect() {
                Ok(e) => engine = Some(e),
                Err(_) => return n,
            }
        }
        let Some(engine) = engine.as_ref() else {
            return n;
        };
        let paused = inspect(engine, &cid)
            .ok()
            .and_then(|i| i.state)
            .and_then(|s| s.paused)
            == Some(true);
        let done = !paused
            || engine
                .block_on(engine.docker.unpause_container(&cid))
                .is_ok();
        if done {
            let _ = std::fs::remove_file(e.path());
            n += u64::from(paused);
        }
    }
    n
}
