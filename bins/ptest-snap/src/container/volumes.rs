//! A container's volumes into the store (through the engine's archive API,
//! or their host directories: `hostvol`) and back into new volumes.

use super::*;
use std::os::unix::ffi::OsStringExt;

/// What the volumes of a snapshot gave: their entries, counts, origins,
/// and how they were read (`host`, `archive`: each once).
pub(crate) type Volumes = (Vec<Entry>, Stats, Vec<Volume>, Vec<&'static str>);

/// Reads every mount of `mounts` (of container `cid`, paused) into the
/// store: through its host directory where [`crate::hostvol`] allows it,
/// else through the engine's archive API.
pub(crate) fn capture_volumes(
    engine: &Engine,
    store: &Store,
    cid: &str,
    mounts: &[bollard::models::MountPoint],
    pid: Option<i64>,
    parallel: usize,
    mut local: crate::hostvol::Local,
) -> Result<Volumes> {
    use bollard::models::MountPointTypeEnum as T;
    let mut entries = Vec::new();
    let mut stats = Stats::default();
    let mut volumes = Vec::new();
    let mut methods = Vec::new();
    for (i, mnt) in mounts.iter().enumerate() {
        ptest_shared::interrupt::check()?;
        let dest = mnt.destination.clone().unwrap_or_default();
        let prefix = format!("v{i}");
        let host = if mnt.typ == Some(T::VOLUME) {
            let proof = crate::hostvol::Proof::Seen { pid, dest: &dest };
            crate::hostvol::dir(engine, &mut local, mnt.name.as_deref(), proof).ok()
        } else {
            None
        };
        let (got, method) = match host {
            Some(dir) => (
                crate::hostvol::capture(store, &dir, &prefix, parallel)?,
                crate::hostvol::HOST,
            ),
            None => (
                api::download(engine, cid, &dest, |r| ingest(store, r, &prefix, &dest))?,
                crate::hostvol::ARCHIVE,
            ),
        };
        if !methods.contains(&method) {
            methods.push(method);
        }
        entries.extend(got.entries);
        stats.files += got.stats.files;
        stats.dirs += got.stats.dirs;
        stats.symlinks += got.stats.symlinks;
        stats.bytes += got.stats.bytes;
        stats.bytes_new += got.stats.bytes_new;
        stats.bytes_hashed += got.stats.bytes_hashed;
        stats.objects_new += got.stats.objects_new;
        stats.skipped += got.stats.skipped;
        volumes.push(Volume {
            destination: dest,
            prefix,
            kind: if mnt.typ == Some(T::BIND) {
                "bind"
            } else {
                "volume"
            }
            .into(),
            read_only: mnt.rw == Some(false),
            owner: None,
            owners: Vec::new(),
        });
    }
    Ok((entries, stats, volumes, methods))
}

/// One volume's tree, as read from the engine's archive or its host
/// directory: every entry (the volume's root, `prefix`, first) with its
/// full owner, compacted once all volumes are read ([`compact_owners`]).
pub struct Ingested {
    pub entries: Vec<Entry>,
    pub stats: Stats,
}

pub(crate) fn refuse(dest: &str, entry: &[u8], why: impl std::fmt::Display) -> Error {
    Error::data(format!(
        "the archive of {dest}: entry {:?}: {why}: nothing was kept",
        String::from_utf8_lossy(entry)
    ))
}

/// Reads the engine's archive of the volume at `dest` (its entries below
/// its root, the directory's own name) into the store and manifest
/// entries below `prefix`. Trusts nothing in it: paths of plain relative
/// components below the root only (a path through a symlink is refused
/// when the manifest is checked), hard links only to files read before.
pub(crate) fn ingest(
    store: &Store,
    r: &mut dyn Read,
    prefix: &str,
    dest: &str,
) -> Result<Ingested> {
    let bad = |e: std::io::Error| Error::data(format!("the archive of {dest} cannot be read: {e}"));
    let mut archive = tar::Archive::new(r);
    let mut root: Option<Vec<u8>> = None;
    let mut out = Ingested {
        entries: Vec::new(),
        stats: Stats::default(),
    };
    let mut files: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut groups = 0u32;
    let mut seen_new: HashSet<String> = HashSet::new();
    for entry in archive.entries().map_err(bad)? {
        ptest_shared::interrupt::check()?;
        let mut entry = entry.map_err(bad)?;
        let h = entry.header();
        let kind = h.entry_type();
        if kind.is_pax_global_extensions() {
            continue;
        }
        let mut raw = entry.path_bytes().into_owned();
        while raw.len() > 1 && raw.ends_with(b"/") {
            raw.pop();
        }
        let mode = h.mode().map_err(bad)? & 0o7777;
        let mtime_ns = i64::try_from(h.mtime().map_err(bad)?)
            .unwrap_or(0)
            .saturating_mul(1_000_000_000);
        let owner = (
            u32::try_from(h.uid().map_err(bad)?).unwrap_or(0),
            u32::try_from(h.gid().map_err(bad)?).unwrap_or(0),
        );
        let rel: Vec<u8> = match &root {
            None => {
                if !kind.is_dir() || check_path(&raw).is_err() || raw.contains(&b'/') {
                    return Err(refuse(dest, &raw, "the archive's root is not a directory"));
                }
                root = Some(raw.clone());
                Vec::new()
            }
            Some(r) => match raw.strip_prefix(r.as_slice()) {
                Some([b'/', rest @ ..]) => rest.to_vec(),
                _ => return Err(refuse(dest, &raw, "outside the archive's root")),
            },
        };
        if !rel.is_empty() {
            check_path(&rel).map_err(|why| refuse(dest, &raw, why))?;
        }
        let mut path = prefix.as_bytes().to_vec();
        if !rel.is_empty() {
            path.push(b'/');
            path.extend_from_slice(&rel);
        }
        use tar::EntryType as T;
        match kind {
            T::Directory => {
                out.stats.dirs += 1;
                out.entries.push(Entry::Dir {
                    path: Bytes(path),
                    mode,
                    mtime_ns,
                    xattrs: Xattrs::new(),
                    uid: Some(owner.0),
                    gid: Some(owner.1),
                });
            }
            T::Regular | T::Continuous => {
                let what = PathBuf::from(format!("{dest}/{}", String::from_utf8_lossy(&rel)));
                let got = store.ingest(&mut entry, &what)?;
                let hash = crate::manifest::hex(&got.hash);
                out.stats.files += 1;
                out.stats.bytes += got.hashed;
                out.stats.bytes_hashed += got.hashed;
                if got.new && seen_new.insert(hash.clone()) {
                    out.stats.objects_new += 1;
                    out.stats.bytes_new += got.hashed;
                }
                files.insert(rel.clone(), out.entries.len());
                out.entries.push(Entry::File {
                    path: Bytes(path),
                    hash,
                    size: got.hashed,
                    mode,
                    mtime_ns,
                    link: None,
                    xattrs: Xattrs::new(),
                    uid: Some(owner.0),
                    gid: Some(owner.1),
                });
            }
            T::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                out.stats.symlinks += 1;
                out.entries.push(Entry::Symlink {
                    path: Bytes(path),
                    target: Bytes(target),
                    mtime_ns,
                    uid: Some(owner.0),
                    gid: Some(owner.1),
                });
            }
            T::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| t.into_owned())
                    .unwrap_or_default();
                let root = root.as_deref().unwrap_or_default();
                let to = match target.strip_prefix(root) {
                    Some([b'/', rest @ ..]) => rest.to_vec(),
                    _ => return Err(refuse(dest, &raw, "a hard link outside the archive")),
                };
                let Some(&i) = files.get(&to) else {
                    return Err(refuse(dest, &raw, "a hard link to no file read before it"));
                };
                let Entry::File {
                    hash,
                    size,
                    mode,
                    mtime_ns,
                    link,
                    uid,
                    gid,
                    ..
                } = &mut out.entries[i]
                else {
                    return Err(Error::internal("a hard link's target is not a file"));
                };
                let g = *link.get_or_insert_with(|| {
                    groups += 1;
                    groups
                });
                // One inode: the target's owner.
                let e = Entry::File {
                    path: Bytes(path),
                    hash: hash.clone(),
                    size: *size,
                    mode: *mode,
                    mtime_ns: *mtime_ns,
                    link: Some(g),
                    xattrs: Xattrs::new(),
                    uid: *uid,
                    gid: *gid,
                };
                out.stats.files += 1;
                out.stats.bytes += *size;
                files.insert(rel.clone(), out.entries.len());
                out.entries.push(e);
            }
            _ => out.stats.skipped += 1,
        }
    }
    if root.is_none() {
        return Err(Error::data(format!("the archive of {dest} is empty")));
    }
    Ok(out)
}

/// Volume `v` of snapshot `m` as a tree of its own: its root the
/// volume's root entry (`v0`: mode, mtime, xattrs, owner), its entries
/// those below it with paths relative to it and owners as `m` has them
/// ([`Manifest::owner`]), kept compactly against the new root. `source`
/// names where it goes.
pub fn volume_manifest(m: &Manifest, v: &Volume, source: String) -> Manifest {
    let pre = v.prefix.as_bytes();
    let mut root = Root {
        mode: 0o755,
        mtime_ns: 0,
        xattrs: Xattrs::new(),
        uid: m.root.uid,
        gid: m.root.gid,
    };
    // The volume's root comes before its entries (a manifest's directory
    // before what is in it: [`Manifest::check`]).
    let mut entries = Vec::new();
    for e in &m.entries {
        let p = &e.path().0;
        if p.as_slice() == pre {
            if let Entry::Dir {
                mode,
                mtime_ns,
                xattrs,
                ..
            } = e
            {
                (root.mode, root.mtime_ns, root.xattrs) = (*mode, *mtime_ns, xattrs.clone());
                (root.uid, root.gid) = m.owner(e).unzip();
            }
            continue;
        }
        let Some([b'/', rest @ ..]) = p.strip_prefix(pre) else {
            continue;
        };
        let mut sub = e.clone();
        match &mut sub {
            Entry::File { path, .. } | Entry::Symlink { path, .. } | Entry::Dir { path, .. } => {
                *path = Bytes(rest.to_vec())
            }
        }
        sub.set_ids(None, None);
        if let Some(owner) = m.owner(e) {
            Manifest::compact_ids(&root, &mut sub, owner);
        }
        entries.push(sub);
    }
    Manifest {
        format: FORMAT,
        id: m.id.clone(),
        source,
        created_at: m.created_at.clone(),
        excludes: Vec::new(),
        root,
        venv: None,
        container: None,
        entries,
    }
}

/// One volume's tree (as [`volume_manifest`] gives it) as a tar stream for
/// `PUT …/archive?path=PARENT` of its mount point `PARENT/BASE`: its root
/// as `BASE`, then every entry below it, modes (setuid, setgid and sticky
/// bits included) and owners as the snapshot found them, file contents
/// read from the store as they are written.
pub(crate) fn volume_tar(
    w: &mut dyn Write,
    store: &Store,
    v: &Manifest,
    base: &str,
) -> std::io::Result<()> {
    let mut b = tar::Builder::new(w);
    let mut first_of_group: HashMap<u32, Vec<u8>> = HashMap::new();
    let mtime = |ns: i64| u64::try_from(ns.div_euclid(1_000_000_000)).unwrap_or(0);
    let header = |owner: Option<(u32, u32)>| {
        let (uid, gid) = owner.unwrap_or((0, 0));
        let mut h = tar::Header::new_gnu();
        h.set_uid(uid.into());
        h.set_gid(gid.into());
        h
    };
    let mut h = header(v.root.owner());
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(v.root.mode);
    h.set_mtime(mtime(v.root.mtime_ns));
    h.set_size(0);
    b.append_data(&mut h, base, std::io::empty())?;
    let under = |rel: &[u8]| {
        let mut p = base.as_bytes().to_vec();
        p.push(b'/');
        p.extend_from_slice(rel);
        PathBuf::from(std::ffi::OsString::from_vec(p))
    };
    for e in &v.entries {
        let rel = e.path().0.as_slice();
        let name = under(rel);
        let name = name.as_path();
        let mut h = header(v.owner(e));
        match e {
            Entry::Dir { mode, mtime_ns, .. } => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(*mode);
                h.set_mtime(mtime(*mtime_ns));
                h.set_size(0);
                b.append_data(&mut h, name, std::io::empty())?;
            }
            Entry::Symlink {
                target, mtime_ns, ..
            } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_mtime(mtime(*mtime_ns));
                h.set_size(0);
                b.append_link(&mut h, name, target.as_path())?;
            }
            Entry::File {
                hash,
                size,
                mode,
                mtime_ns,
                link,
                ..
            } => {
                h.set_mode(*mode);
                h.set_mtime(mtime(*mtime_ns));
                if let Some(first) = link.and_then(|g| first_of_group.get(&g)) {
                    h.set_entry_type(tar::EntryType::Link);
                    h.set_size(0);
                    b.append_link(&mut h, name, under(first))?;
                    continue;
                }
                if let Some(g) = link {
                    first_of_group.insert(*g, rel.to_vec());
                }
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(*size);
                let f = std::fs::File::open(store.object_path(hash))?;
                b.append_data(&mut h, name, f.take(*size))?;
            }
        }
    }
    b.finish()
}

/// How the volumes of a restore were written: `host`, `archive` (each
/// once), and how the host's files were copied.
#[derive(Debug, Default)]
pub(crate) struct Filled {
    pub(crate) methods: Vec<&'static str>,
    pub(crate) copy: Option<String>,
}

impl Filled {
    pub(crate) fn add(&mut self, method: &'static str) {
        if !self.methods.contains(&method) {
            self.methods.push(method);
        }
    }

    /// Sets the event's `method` (and `copy`, for host directories).
    pub(crate) fn describe(&self, ev: &mut Record) {
        if self.methods.is_empty() {
            return;
        }
        ev.set("method", self.methods.join("+"));
        if let Some(c) = &self.copy {
            ev.set("copy", c.as_str());
        }
    }
}

/// Fills the volumes of new container `cid` (created, not started) from
/// the snapshot: through each new volume's host directory where
/// [`crate::hostvol`] allows it, else through the engine's archive API.
pub(crate) fn fill_volumes(
    engine: &Engine,
    cid: &str,
    store: &Store,
    m: &Manifest,
    parallel: usize,
    mut local: crate::hostvol::Local,
) -> Result<Filled> {
    let o = origin(m)?;
    let mut filled = Filled::default();
    let (mounts, readonly_rootfs) = if o.volumes.is_empty() {
        (Vec::new(), false)
    } else {
        let info = inspect(engine, cid)?;
        let ro = info.host_config.and_then(|h| h.readonly_rootfs) == Some(true);
        (info.mounts.unwrap_or_default(), ro)
    };
    for v in &o.volumes {
        ptest_shared::interrupt::check()?;
        let name = mounts
            .iter()
            .find(|mnt| mnt.destination.as_deref() == Some(v.destination.as_str()))
            .and_then(|mnt| mnt.name.clone());
        let proof = crate::hostvol::Proof::Marker {
            cid,
            dest: &v.destination,
        };
        if let Ok(dir) = crate::hostvol::dir(engine, &mut local, name.as_deref(), proof) {
            let copy = crate::hostvol::fill(store, m, v, &dir, parallel)?;
            filled.add(crate::hostvol::HOST);
            filled.copy = Some(match filled.copy.take() {
                Some(c) if c != copy && c != "none" => format!("{c}+{copy}"),
                _ => copy,
            });
            continue;
        }
        filled.add(crate::hostvol::ARCHIVE);
        let tree = volume_manifest(m, v, String::new());
        let labels = super::object_labels(store, &m.id);
        let store = store.clone();
        // The engine sets nothing of the directory it extracts into (it
        // skips an archive's `.`): the archive goes to the mount point's
        // parent, the volume's root named as the mount point, so that its
        // owner and mode are set too. That parent is in the container's
        // filesystem, which must then be writable.
        if !v.read_only && !readonly_rootfs {
            let (parent, base) = split_mount_point(&v.destination);
            let base = base.to_owned();
            let produce = move |w: &mut dyn Write| volume_tar(w, &store, &tree, &base);
            api::upload(engine, cid, parent, produce)?;
            continue;
        }
        let produce = move |w: &mut dyn Write| volume_tar(w, &store, &tree, "fill");
        // The engine writes into no read-only mount, nor beside one on a
        // read-only filesystem: such a volume is filled through a container
        // of its own that mounts it writable at `/fill` (created, never
        // started), removed again at once.
        let volume = name.ok_or_else(|| {
            Error::internal(format!(
                "no volume at {} of the new container",
                v.destination
            ))
        })?;
        let body = bollard::models::ContainerCreateBody {
            image: Some(o.image.clone()),
            cmd: Some(vec!["true".into()]),
            labels: Some(labels),
            host_config: Some(bollard::models::HostConfig {
                binds: Some(vec![format!("{volume}:/fill:nocopy")]),
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let opts = bollard::query_parameters::CreateContainerOptionsBuilder::default()
            .name(&format!(
                "{FILL_PREFIX}{}",
                ptest_shared::record::random_hex(8)
            ))
            .build();
        let helper = engine
            .block_on(engine.docker.create_container(Some(opts), body))
            .map_err(|e| {
                ptest_docker::engine::error(&format!("cannot fill volume {}", v.destination), &e)
            })?
            .id;
        let filled = api::upload(engine, &helper, "/", produce);
        let removed = api::remove_object(engine, ObjectKind::Container, &helper);
        filled?;
        removed?;
    }
    Ok(filled)
}

/// A mount point (checked: absolute, normal, not `/`) as its parent
/// directory and its own name.
pub(crate) fn split_mount_point(dest: &str) -> (&str, &str) {
    match dest.rsplit_once('/') {
        Some(("", base)) => ("/", base),
        Some((parent, base)) => (parent, base),
        None => ("/", dest),
    }
}
