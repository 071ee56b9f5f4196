//! Building a directory beside where it goes, then renaming it into place:
//! a command that fails, or is killed, never leaves half a thing where the
//! user looks, and never touches what was there before.
//!
//! A [`Staging`] directory sits beside its target
//! (`.<name>.ptest-staging-<hex>`) and is noted in the state directory
//! (`staging/<hex>.json`: the staging path, the target, the resource id),
//! with the builder holding the advisory lock `locks/staging-<hex>.lock`
//! until it is done. [`sweep`] (run by every tool's `gc`) takes the lock of
//! each note: when it can, the builder is gone, so it removes the staging
//! directory and, when the build got as far as renaming it into place but
//! not as far as registering it, the target too.

use crate::error::{Error, IoContext, Result};
use crate::registry::Registry;
use crate::state::{Lock, StateDir, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a builder in flight wrote down, for `gc` should it die.
#[derive(Debug, Serialize, Deserialize)]
struct Note {
    staging: PathBuf,
    target: PathBuf,
    /// The resource id the target will be registered under.
    id: String,
    /// The target was an empty directory before (it is put back empty).
    target_existed: bool,
}

/// The marker in every staging directory's name.
const MARK: &str = ".ptest-staging-";

/// A directory being built beside its target; removed on drop unless
/// [`Staging::finish`] was reached.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
    target: PathBuf,
    note: PathBuf,
    lock: Option<Lock>,
    renamed: bool,
    target_existed: bool,
}

/// Whether `target` is a directory (`Ok(true)`) or absent (`Ok(false)`);
/// 73 when it is a symlink or anything else, which nothing may replace.
pub fn existing_dir(target: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::from_io(
            format!("cannot read {}", target.display()),
            &e,
        )),
        Ok(m) if m.file_type().is_symlink() => Err(Error::cant_create(format!(
            "{} is a symlink: not replacing it",
            target.display()
        ))),
        Ok(m) if !m.is_dir() => Err(Error::cant_create(format!(
            "{} exists and is not a directory: not replacing it",
            target.display()
        ))),
        Ok(_) => Ok(true),
    }
}

/// Fails with 73 unless `target` is absent or an empty directory (not a
/// symlink): what a build may put its result in without losing anything.
pub fn check_target(target: &Path) -> Result<bool> {
    match existing_dir(target)? {
        false => Ok(false),
        true => {
            let empty = std::fs::read_dir(target)
                .io_context(|| format!("cannot list {}", target.display()))?
                .next()
                .is_none();
            if empty {
                Ok(true)
            } else {
                Err(Error::cant_create(format!(
                    "{} exists and is not empty: nothing was changed",
                    target.display()
                ))
                .hint("choose another directory, or empty it first"))
            }
        }
    }
}

impl Staging {
    /// A fresh staging directory beside `target` (which must be absent or
    /// an empty directory: anything else is 73, touching nothing), for the
    /// resource `id`.
    pub fn beside(state: &StateDir, target: &Path, id: &str) -> Result<Staging> {
        let target_existed = check_target(target)?;
        let (Some(parent), Some(name)) = (target.parent(), target.file_name()) else {
            return Err(Error::cant_create(format!(
                "{}: not a directory that can be made",
                target.display()
            )));
        };
        crate::state::ensure_private_dir(parent)?;
        let hex = crate::record::random_hex(8);
        let path = parent.join(format!(".{}{MARK}{hex}", name.to_string_lossy()));
        let lock = state.lock(&format!("staging-{hex}"), Duration::ZERO)?;
        let note = state.subdir("staging")?.join(format!("{hex}.json"));
        let body = Note {
            staging: path.clone(),
            target: target.to_owned(),
            id: id.to_owned(),
            target_existed,
        };
        let made = write_atomic(
            &note,
            &serde_json::to_vec(&body).expect("a note serialises"),
        )
        .and_then(|()| {
            std::fs::create_dir(&path).io_context(|| format!("cannot create {}", path.display()))
        });
        if let Err(e) = made {
            let _ = std::fs::remove_file(&note);
            let _ = std::fs::remove_file(lock.path());
            return Err(e);
        }
        Ok(Staging {
            path,
            target: target.to_owned(),
            note,
            lock: Some(lock),
            renamed: false,
            target_existed,
        })
    }

    /// Where to build.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the built directory into place. The target must still be
    /// absent or empty: a directory that filled up meanwhile is 73 and is
    /// left as it is.
    pub fn rename_into_place(&mut self) -> Result<()> {
        std::fs::rename(&self.path, &self.target).map_err(|e| {
            let mut err = Error::from_io(format!("cannot move into {}", self.target.display()), &e);
            if matches!(
                e.raw_os_error(),
                Some(nix::libc::ENOTEMPTY | nix::libc::EEXIST)
            ) {
                err = Error::cant_create(format!(
                    "{} is not empty any more: nothing was changed",
                    self.target.display()
                ));
            }
            err
        })?;
        self.renamed = true;
        Ok(())
    }

    /// The build is complete and registered: forgets the note.
    pub fn finish(mut self) {
        self.renamed = true;
        self.target_existed = true; // nothing to undo
        let _ = std::fs::remove_file(&self.note);
        self.release();
    }

    fn release(&mut self) {
        if let Some(lock) = self.lock.take() {
            let _ = std::fs::remove_file(lock.path());
        }
    }
}

impl Drop for Staging {
    /// A build that did not finish: its staging directory goes, and a
    /// target it had renamed into place goes too (put back empty when it
    /// was an empty directory before).
    fn drop(&mut self) {
        if self.lock.is_none() {
            return;
        }
        if self.renamed {
            if std::fs::symlink_metadata(&self.target).is_ok() {
                undo_target(&self.target, self.target_existed);
            }
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
        let _ = std::fs::remove_file(&self.note);
        self.release();
    }
}

fn undo_target(target: &Path, existed: bool) {
    let _ = remove_any(target);
    if existed {
        let _ = std::fs::create_dir(target);
    }
}

/// Removes a directory tree, or a file or symlink.
fn remove_any(p: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(e) => Err(e),
    }
}

/// Removes what builders that died left: their staging directories, and a
/// target they renamed into place but never registered. Returns how many
/// builds were cleaned up.
pub fn sweep(state: &StateDir) -> Result<usize> {
    let dir = state.subdir("staging")?;
    let reg = Registry::open(state)?;
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).io_context(|| format!("cannot list {}", dir.display()))? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(hex) = name.strip_suffix(".json") else {
            continue;
        };
        // Held: the builder is still at work.
        let Ok(lock) = state.lock(&format!("staging-{hex}"), Duration::ZERO) else {
            continue;
        };
        let note: Option<Note> = std::fs::read(entry.path())
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        if let Some(note) = note {
            let ours = note
                .staging
                .file_name()
                .is_some_and(|f| f.to_string_lossy().contains(MARK));
            if ours {
                let _ = remove_any(&note.staging);
            }
            let registered = crate::registry::validate_id(&note.id).is_ok()
                && reg.get(&note.id).ok().flatten().is_some();
            if !registered && std::fs::symlink_metadata(&note.target).is_ok() {
                undo_target(&note.target, note.target_existed);
            }
        }
        let _ = std::fs::remove_file(entry.path());
        let _ = std::fs::remove_file(lock.path());
        n += 1;
    }
    // Notes whose writer was killed while writing them.
    n += crate::state::sweep_temp_files(&dir, Duration::from_secs(60))?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> (tempfile::TempDir, StateDir) {
        let t = tempfile::tempdir().unwrap();
        let s = StateDir::at(t.path().join("state")).unwrap();
        (t, s)
    }

    #[test]
    fn a_full_target_is_refused_untouched() {
        let (t, s) = state();
        let target = t.path().join("project");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("keep"), "x").unwrap();
        let e = Staging::beside(&s, &target, "venv-a").unwrap_err();
        assert_eq!(e.exit.code(), 73);
        assert!(e.message.contains("not empty"), "{}", e.message);
        assert_eq!(std::fs::read(target.join("keep")).unwrap(), b"x");
        assert_eq!(
            std::fs::read_dir(t.path()).unwrap().count(),
            2,
            "nothing made beside it"
        );
    }

    #[test]
    fn a_dropped_build_leaves_nothing_and_a_finished_one_stays() {
        let (t, s) = state();
        let target = t.path().join("env");
        let st = Staging::beside(&s, &target, "venv-a").unwrap();
        std::fs::write(st.path().join("f"), "x").unwrap();
        drop(st);
        assert_eq!(
            std::fs::read_dir(t.path()).unwrap().count(),
            1,
            "only the state dir"
        );
        let mut st = Staging::beside(&s, &target, "venv-a").unwrap();
        std::fs::write(st.path().join("f"), "x").unwrap();
        st.rename_into_place().unwrap();
        st.finish();
        assert!(target.join("f").is_file());
        assert_eq!(
            std::fs::read_dir(s.path().join("staging")).unwrap().count(),
            0
        );
        assert_eq!(sweep(&s).unwrap(), 0);
    }

    #[test]
    fn an_empty_target_is_put_back_empty_when_the_build_fails_after_the_rename() {
        let (t, s) = state();
        let target = t.path().join("empty");
        std::fs::create_dir(&target).unwrap();
        let mut st = Staging::beside(&s, &target, "venv-a").unwrap();
        std::fs::write(st.path().join("f"), "x").unwrap();
        st.rename_into_place().unwrap();
        drop(st);
        assert!(target.is_dir());
        assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
    }

    #[test]
    fn sweep_cleans_up_after_a_dead_builder_only() {
        let (t, s) = state();
        let target = t.path().join("env");
        let st = Staging::beside(&s, &target, "venv-a").unwrap();
        // A live builder holds its lock: left alone.
        assert_eq!(sweep(&s).unwrap(), 0);
        assert!(st.path().is_dir());
        // Killed: the lock is gone with it, the note and directory stay.
        let path = st.path().to_owned();
        let mut st = st;
        st.lock = None;
        std::mem::forget(st);
        assert_eq!(sweep(&s).unwrap(), 1);
        assert!(!path.exists());
        assert_eq!(
            std::fs::read_dir(s.path().join("staging")).unwrap().count(),
            0
        );
    }
}
