//! Lower layers: a snapshot's read-only tree under `snap/lower/<id>`,
//! built once from the store (under a lock, renamed into place whole),
//! kept while a mount uses it, removed with its snapshot or by `gc`.

use super::*;

pub(crate) fn lower_base(store: &Store) -> Result<PathBuf> {
    store.state.subdir("snap/lower")
}

pub(crate) fn lower_lock(store: &Store, snapshot: &str, wait: Duration) -> Result<Lock> {
    store.state.lock(&format!("snap-lower-{snapshot}"), wait)
}

/// Removes a directory on drop, unless disarmed.
pub(crate) struct RemoveOnDrop(pub(crate) Option<PathBuf>);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = crate::restore::remove_tree(&p);
        }
    }
}

/// Releases a lock of one user only (an overlay's), removing its file.
pub(crate) struct RemoveLockFile(pub(crate) Option<Lock>);

impl Drop for RemoveLockFile {
    fn drop(&mut self) {
        if let Some(l) = self.0.take() {
            let _ = fs::remove_file(l.path());
        }
    }
}

/// Makes the snapshot's lower layer, unless it is there (`create --overlay`).
pub fn lower(store: &Store, m: &Manifest) -> Result<()> {
    ensure_lower(store, &m.id, || Ok(m)).map(drop)
}

/// The lower layer of `m`, built once from the store when it is not there;
/// returned with its lock held, so that nobody removes it meanwhile.
pub(crate) fn ensure_lower<'m>(
    store: &Store,
    id: &str,
    manifest: impl FnOnce() -> Result<&'m Manifest>,
) -> Result<(PathBuf, Lock)> {
    let lock = lower_lock(store, id, LOWER_WAIT)?;
    let base = lower_base(store)?;
    let dir = base.join(id);
    match fs::symlink_metadata(&dir) {
        Ok(md) if md.is_dir() => return Ok((dir, lock)),
        Ok(_) => {
            return Err(Error::cant_create(format!(
                "{} is not a directory: ptest will not use it",
                dir.display()
            ))
            .hint("remove it; `ptest snap gc` makes no such thing"));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(Error::from_io(format!("cannot read {}", dir.display()), &e)),
    }
    let m = manifest()?;
    let staging = base.join(format!(
        ".{}.building-{}",
        m.id,
        ptest_shared::record::random_hex(4)
    ));
    fs::create_dir(&staging).io_context(|| format!("cannot create {}", staging.display()))?;
    let mut guard = RemoveOnDrop(Some(staging.clone()));
    let store_lock = store.lock(false)?;
    let parallel = std::thread::available_parallelism().map_or(4, |n| n.get());
    crate::restore::write_tree(
        store,
        m,
        &staging,
        parallel,
        &crate::files::Methods::default(),
    )?;
    drop(store_lock);
    ptest_shared::interrupt::check()?;
    fs::rename(&staging, &dir).io_context(|| format!("cannot move into {}", dir.display()))?;
    guard.0 = None;
    Ok((dir, lock))
}

/// Removes the lower layer of snapshot `id` (being forgotten), unless a
/// registered overlay or a mount still uses it: then it is kept, and `gc`
/// removes it once nothing does. Never fails the caller: what it cannot
/// remove now, `gc` finds.
pub fn forget_lower(store: &Store, id: &str) {
    let Ok(base) = lower_base(store) else { return };
    let dir = base.join(id);
    if fs::symlink_metadata(&dir).is_err() {
        return;
    }
    let Ok(_lock) = lower_lock(store, id, Duration::ZERO) else {
        return; // a restore is using it this moment: gc's turn
    };
    match lower_in_use(store, id, &dir) {
        Ok(None) => {
            if let Err(e) = crate::restore::remove_tree(&dir) {
                eprintln!("ptest-snap: warning: {} (gc removes it)", e.message);
            }
        }
        Ok(Some(user)) => eprintln!(
            "ptest-snap: note: the lower layer of {id} is kept while {user} uses it; `ptest snap gc` removes it after"
        ),
        Err(e) => eprintln!("ptest-snap: warning: {} (gc removes it)", e.message),
    }
}

/// Who uses the lower layer `dir` of snapshot `id`: a registered overlay,
/// or a mount (one a killed ptest made and nobody registered).
pub(crate) fn lower_in_use(store: &Store, id: &str, dir: &Path) -> Result<Option<String>> {
    for r in overlays(store)? {
        if r.get("snapshot").and_then(|v| v.as_str()) == Some(id) {
            return Ok(Some(r.id().unwrap_or_default().to_owned()));
        }
    }
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned());
    for mnt in mounts()? {
        if mnt.option("lowerdir").is_some_and(|l| {
            l.split(':')
                .any(|x| Path::new(&unescape_opt(x)) == dir.as_path())
        }) {
            return Ok(Some(format!("the mount at {}", mnt.point.display())));
        }
    }
    Ok(None)
}

/// Removes lower layers whose snapshot is gone and that nothing uses, and
/// lower layers whose build was killed. Returns how many went.
pub fn gc_lowers(store: &Store) -> Result<usize> {
    let reg = Registry::open(&store.state)?;
    let base = lower_base(store)?;
    let mut n = 0;
    for e in fs::read_dir(&base).io_context(|| format!("cannot list {}", base.display()))? {
        let Ok(e) = e else { continue };
        let name = e.file_name().to_string_lossy().into_owned();
        let (id, building) = match name
            .strip_prefix('.')
            .and_then(|s| s.split_once(".building-"))
        {
            Some((id, _)) => (id.to_owned(), true),
            None => (name.clone(), false),
        };
        if ptest_shared::registry::validate_id(&id).is_err() {
            continue;
        }
        if !building
            && reg
                .get(&id)?
                .is_some_and(|r| crate::create::is_snapshot(&r))
        {
            continue;
        }
        let Ok(_lock) = lower_lock(store, &id, Duration::ZERO) else {
            continue; // being built or used this moment
        };
        if !building && lower_in_use(store, &id, &e.path())?.is_some() {
            continue;
        }
        crate::restore::remove_tree(&e.path())?;
        n += 1;
    }
    Ok(n)
}

// ---- ls, doctor ------------------------------------------------------------------
