//! Snapshots of ptest containers: the filesystem through the engine's
//! commit, every volume's data through its archive API.
//!
//! `create --container ID` takes a container `ptest docker create` made
//! (the registry decides: anything else is refused). A running container
//! is paused for the moment of the snapshot, so that its filesystem and
//! its volumes are taken at one instant; its filesystem is committed as an
//! image labelled `ptest.snapshot=<snapshot id>` (removed with the
//! snapshot), and each volume's tree (`GET /containers/{id}/archive`) is
//! streamed into the store, one pass hashing and writing each file, under
//! the directory entry `v0`, `v1`… of the manifest. The entries keep
//! owners as a directory snapshot's do (uid, gid: a database's files are
//! its user's), from the archive's headers or the host directory's scan;
//! the manifest's [`Origin`] keeps the image, the container's settings,
//! and each volume's destination.
//!
//! `restore` makes a new container through ptest-docker's own create
//! (`ptest_docker::api::create_prepared`: guardian, labels, registry,
//! records, readiness and the guard that removes what a failure leaves),
//! with fresh volumes filled (`PUT …/archive`) before it starts. `reset`
//! does the same in place of the running container: the new one keeps the
//! container's ptest id and host ports, the old one is stopped just before
//! the new one starts and removed once it runs.

use crate::Mode;
use crate::create::How;
use crate::manifest::{Bytes, Entry, FORMAT, Manifest, Root, Xattrs, check_path};
use crate::scan::Stats;
use crate::store::Store;
use ptest_docker::api::{self, Engine, Extra, ObjectKind};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::RecordWriter;
use ptest_shared::owner::{Lifetime, LifetimeArgs, OwnerSpec};
use ptest_shared::registry::Registry;
use ptest_shared::{Error, Record, Result, hooks};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// The label naming the snapshot a committed image belongs to.
pub const IMAGE_LABEL: &str = "ptest.snapshot";

/// The engine name of a container that fills a read-only volume begins so.
const FILL_PREFIX: &str = "ptest-snap-fill-";

/// What the snapshot came from, kept in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The ptest id of the container (what `reset` acts on).
    pub id: String,
    /// The committed image (`sha256:…`).
    pub image: String,
    /// Its tag.
    pub tag: String,
    /// The container's ptest name.
    pub name: String,
    pub network: String,
    /// The network is one `ptest docker create --network isolated` made
    /// (registered when the snapshot was taken).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub isolated: bool,
    /// `default` or `strict`.
    pub security: String,
    pub ports: Vec<Port>,
    pub memory_bytes: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub pids: Option<i64>,
    pub tmpfs: Vec<String>,
    pub volumes: Vec<Volume>,
    /// The readiness checks it was made with (the registry's record), waited
    /// for again by restore and reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<Ready>,
    /// The filesystem had no change but the mount points the engine made:
    /// `image` is the container's own image, given the tag `tag` for the
    /// snapshot (which keeps it), not a committed one; `cmd` and `env` are
    /// then what the container had beyond its image (a commit keeps them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tagged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
}

/// `ptest docker create`'s `--ready-*` checks, every port a container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    pub timeout_ms: u64,
}

impl Ready {
    /// The registry's `ready` of a container record (validated when read).
    fn of(r: &ptest_shared::kinds::ContainerReady) -> Ready {
        Ready {
            port: r.port.as_ref().map(|p| *p.get()),
            log: r.log.as_ref().map(|l| l.get().clone()),
            http: r.http.as_ref().map(|h| h.get().clone()),
            cmd: r.cmd.as_ref().map(|c| c.get().clone()),
            timeout_ms: r
                .timeout_ms
                .as_ref()
                .map(|t| *t.get())
                .unwrap_or(ptest_shared::ready::DEFAULT_TIMEOUT.as_millis() as u64),
        }
    }

    /// The same checks as `create`'s flags (parsed, and so checked again,
    /// by create's own plan).
    fn args(&self) -> ptest_shared::ready::ReadyArgs {
        ptest_shared::ready::ReadyArgs {
            ready_port: self.port.map(|p| p.to_string()),
            ready_log: self.log.clone(),
            ready_http: self.http.clone(),
            ready_cmd: self.cmd.clone(),
            ready_timeout: std::time::Duration::from_millis(self.timeout_ms.max(1)),
        }
    }
}

/// A published port: the container's side (the host's is chosen anew).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub container_port: u16,
    pub proto: String,
}

/// A volume (or host directory) mounted in the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Where it is mounted.
    pub destination: String,
    /// The directory entry of the manifest its tree is below (`v0`).
    pub prefix: String,
    /// `volume` or `bind`.
    pub kind: String,
    pub read_only: bool,
    /// Manifests written before the entries kept the volumes' owners had
    /// them here: the owner (uid, gid) of the volume's root and of most of
    /// its entries, and (`owners`) the entries owned by someone else, by
    /// path below `prefix`. Read, turned into the entries' owners when the
    /// manifest is read ([`convert_old_owners`]), never written.
    #[serde(default, skip_serializing)]
    pub owner: Option<(u32, u32)>,
    #[serde(default, skip_serializing)]
    pub owners: Vec<(Bytes, u32, u32)>,
}

/// The engine, with an error that says what needs it.
fn connect() -> Result<Engine> {
    Engine::connect()
}

/// The `sha256:` image an engine error of which means it is gone.
fn remove_image(engine: &Engine, image: &str) -> Result<()> {
    let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(true)
        .build();
    match engine.block_on(engine.docker.remove_image(image, Some(opts), None)) {
        Ok(_) => Ok(()),
        Err(e) if ptest_docker::engine::is_gone(&e) => Ok(()),
        Err(e) => Err(ptest_docker::engine::error(
            &format!("cannot remove image {image}"),
            &e,
        )),
    }
}

/// Removes the snapshot's tag `tag` of an image it did not make: the
/// image itself goes only when no other tag names it and no container
/// uses it.
fn untag(engine: &Engine, tag: &str) -> Result<()> {
    let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(false)
        .noprune(true)
        .build();
    match engine.block_on(engine.docker.remove_image(tag, Some(opts), None)) {
        Ok(_) => Ok(()),
        Err(e) if ptest_docker::engine::is_gone(&e) => Ok(()),
        Err(e) => Err(ptest_docker::engine::error(
            &format!("cannot remove tag {tag}"),
            &e,
        )),
    }
}

/// An image this command committed (or a tag it gave): removed again
/// unless kept.
struct MadeImage<'a> {
    engine: &'a Engine,
    /// The committed image's id, or the tag given.
    id: Option<String>,
    tagged: bool,
}

impl Drop for MadeImage<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = if self.tagged {
                untag(self.engine, &id)
            } else {
                remove_image(self.engine, &id)
            };
        }
    }
}

/// The image of a snapshot: committed, or the container's own, tagged.
struct Image {
    id: String,
    tagged: bool,
    cmd: Option<Vec<String>>,
    env: Vec<String>,
}

/// Commits container `cid` as `tag`, unless [`tag_unchanged`] finds its
/// filesystem unchanged.
fn take_image(
    engine: &Engine,
    cid: &str,
    info: &bollard::models::ContainerInspectResponse,
    tag: &str,
    labels: HashMap<String, String>,
    pause: bool,
) -> Result<Image> {
    if let Some(i) = tag_unchanged(engine, cid, info, tag)? {
        return Ok(i);
    }
    let i = api::commit_labelled(engine, cid, tag, labels, pause)?;
    Ok(Image {
        id: i.id,
        tagged: false,
        cmd: None,
        env: Vec::new(),
    })
}

/// The container's own image, given the tag `tag`, when the engine's
/// `GET /containers/{id}/changes` lists nothing but the mount points it
/// made (each mount's destination and the directories on its way, the
/// init binary's `/sbin/docker-init`), the container has the image's
/// entrypoint, working directory and user, and the image has a tag of its
/// own (an image known only by its id is committed: removing the
/// snapshot's tag could remove it). `None`: commit.
fn tag_unchanged(
    engine: &Engine,
    cid: &str,
    info: &bollard::models::ContainerInspectResponse,
    tag: &str,
) -> Result<Option<Image>> {
    use bollard::models::ChangeType;
    let Some(image) = info.image.clone() else {
        return Ok(None);
    };
    let Ok(changes) = engine.block_on(engine.docker.container_changes(cid)) else {
        return Ok(None);
    };
    let host = info.host_config.clone().unwrap_or_default();
    let mut dests: Vec<String> = info
        .mounts
        .iter()
        .flatten()
        .filter_map(|m| m.destination.clone())
        .collect();
    dests.extend(host.tmpfs.unwrap_or_default().into_keys());
    if host.init == Some(true) {
        dests.push("/sbin/docker-init".into());
    }
    let mut made = HashSet::new();
    for d in &dests {
        let mut p = Path::new(d);
        while p != Path::new("/") && !p.as_os_str().is_empty() {
            made.insert(p.to_string_lossy().into_owned());
            p = p.parent().unwrap_or(Path::new("/"));
        }
    }
    if !changes
        .unwrap_or_default()
        .iter()
        .all(|c| c.kind != ChangeType::_2 && made.contains(&c.path))
    {
        return Ok(None);
    }
    let Ok(ii) = engine.block_on(engine.docker.inspect_image(&image)) else {
        return Ok(None);
    };
    let ic = ii.config.unwrap_or_default();
    let cc = info.config.clone().unwrap_or_default();
    let own_tag = ii
        .repo_tags
        .unwrap_or_default()
        .iter()
        .any(|t| !t.starts_with("ptest-snap/") && !t.starts_with("<none>"));
    if !own_tag
        || cc.entrypoint != ic.entrypoint
        || cc.working_dir.unwrap_or_default() != ic.working_dir.unwrap_or_default()
        || cc.user.unwrap_or_default() != ic.user.unwrap_or_default()
    {
        return Ok(None);
    }
    let (repo, t) = tag.rsplit_once(':').unwrap_or((tag, "latest"));
    let opts = bollard::query_parameters::TagImageOptionsBuilder::default()
        .repo(repo)
        .tag(t)
        .build();
    engine
        .block_on(engine.docker.tag_image(&image, Some(opts)))
        .map_err(|e| ptest_docker::engine::error(&format!("cannot tag {image} as {tag}"), &e))?;
    let image_env = ic.env.unwrap_or_default();
    Ok(Some(Image {
        id: ii.id.unwrap_or(image),
        tagged: true,
        cmd: cc.cmd.filter(|c| Some(c) != ic.cmd.as_ref()),
        env: cc
            .env
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !image_env.contains(e))
            .collect(),
    }))
}

/// A container this command paused: unpaused when this goes. A note
/// (`snap/paused/<engine id>`, naming this process) is written before the
/// pause and removed after the unpause, so that `gc` unpauses a container
/// whose snapshot was SIGKILLed while it was paused.
struct Paused<'a> {
    engine: &'a Engine,
    cid: String,
    note: PathBuf,
}

impl<'a> Paused<'a> {
    fn pause(engine: &'a Engine, store: &Store, cid: &str, ptest_id: &str) -> Result<Paused<'a>> {
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

fn inspect(engine: &Engine, cid: &str) -> Result<bollard::models::ContainerInspectResponse> {
    engine
        .block_on(engine.docker.inspect_container(
            cid,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ))
        .map_err(|e| ptest_docker::engine::error(&format!("cannot inspect container {cid}"), &e))
}

pub fn snapshot(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    id: &str,
    how: &How,
    lifetime: &Lifetime,
) -> Result<Record> {
    let parallel = crate::commands::parallel(common)?;
    if !how.exclude.is_empty() {
        return Err(Error::usage(
            "--exclude: a container is snapshotted whole (its filesystem and every volume)",
        ));
    }
    if how.overlay {
        return Err(Error::usage(
            "--overlay: a container snapshot restores as a new container, not as an overlay mount",
        ));
    }
    let engine = connect()?;
    let rec = api::registered_container(&engine, id)?;
    let ptest_id = rec.id().unwrap_or_default().to_owned();
    // The registry's record, typed: only the registry says how the
    // container was made (its readiness checks among it).
    let typed: ptest_shared::kinds::Container = rec.typed()?;
    let cid = api::engine_id(&rec)
        .ok_or_else(|| Error::data(format!("record {ptest_id} names no container")))?;
    let info = inspect(&engine, &cid)?;
    let state = info.state.clone().unwrap_or_default();
    let snap_id = ptest_shared::record::new_id("snapshot");
    let lock = store.lock(false)?;
    // One instant for the filesystem and every volume.
    let paused = if state.running == Some(true) && state.paused != Some(true) {
        Some(Paused::pause(&engine, store, &cid, &ptest_id)?)
    } else {
        None
    };
    ptest_shared::interrupt::check()?;
    let tag = format!("ptest-snap/{snap_id}:latest");
    let labels = HashMap::from([(IMAGE_LABEL.to_owned(), snap_id.clone())]);
    let mut mounts: Vec<_> = info
        .mounts
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|m| {
            use bollard::models::MountPointTypeEnum as T;
            matches!(m.typ, Some(T::VOLUME) | Some(T::BIND))
        })
        .collect();
    mounts.sort_by(|a, b| a.destination.cmp(&b.destination));
    // The filesystem is committed (on a client of its own) while the
    // volumes are read: both wait on the engine or the disk.
    let unpaused = paused.is_none();
    let (image, captured) = std::thread::scope(|s| {
        let commit = s.spawn(|| take_image(&connect()?, &cid, &info, &tag, labels, unpaused));
        let local = crate::hostvol::Local::new(config);
        let pid = info.state.as_ref().and_then(|s| s.pid);
        let captured = capture_volumes(&engine, store, &cid, &mounts, pid, parallel, local);
        let image = commit
            .join()
            .unwrap_or_else(|_| Err(Error::internal("the thread committing the image panicked")));
        (image, captured)
    });
    let image = image?;
    let mut made = MadeImage {
        engine: &engine,
        id: Some(if image.tagged {
            tag.clone()
        } else {
            image.id.clone()
        }),
        tagged: image.tagged,
    };
    let (mut entries, stats, volumes, methods) = captured?;
    drop(paused);
    if stats.skipped > 0 {
        eprintln!(
            "ptest-snap: note: {} sockets, FIFOs or devices in the volumes were left out",
            stats.skipped
        );
    }
    entries.sort_by(|a: &Entry, b: &Entry| a.path().0.cmp(&b.path().0));
    let host = info.host_config.clone().unwrap_or_default();
    let limits = rec.get("limits").cloned().unwrap_or_default();
    let network = rec
        .get("network")
        .and_then(|v| v.as_str())
        .unwrap_or("bridge")
        .to_owned();
    let isolated = ptest_network(&Registry::open(&store.state)?, &network)?.is_some();
    let origin = Origin {
        id: ptest_id.clone(),
        image: image.id.clone(),
        tag,
        name: rec
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("container")
            .to_owned(),
        network,
        isolated,
        security: rec
            .get("security")
            .and_then(|v| v.as_str())
            .unwrap_or("default")
            .to_owned(),
        ports: rec
            .get("ports")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|p| {
                        Some(Port {
                            container_port: u16::try_from(p.get("container_port")?.as_u64()?)
                                .ok()?,
                            proto: p.get("proto")?.as_str()?.to_owned(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        memory_bytes: limits.get("memory_bytes").and_then(|v| v.as_i64()),
        nano_cpus: host.nano_cpus.filter(|n| *n > 0),
        pids: limits.get("pids").and_then(|v| v.as_i64()),
        tmpfs: {
            let mut t: Vec<String> = host.tmpfs.unwrap_or_default().into_keys().collect();
            t.sort();
            t
        },
        volumes,
        ready: typed.ready.as_ref().map(Ready::of),
        tagged: image.tagged,
        cmd: image.cmd.clone(),
        env: image.env.clone(),
    };
    let mut root = Root {
        mode: 0o755,
        mtime_ns: 0,
        xattrs: Xattrs::new(),
        uid: None,
        gid: None,
    };
    compact_owners(&mut root, &mut entries);
    let m = Manifest {
        format: FORMAT,
        id: snap_id,
        source: String::new(),
        created_at: ptest_shared::record::now_rfc3339(),
        excludes: Vec::new(),
        root,
        venv: None,
        container: Some(origin),
        entries,
    };
    m.check()
        .map_err(|e| Error::data(format!("the volumes of {ptest_id}: {e}: nothing was kept")))?;
    check_origin(m.container.as_ref().expect("set above"))
        .map_err(|e| Error::data(format!("{ptest_id}: {}: nothing was kept", e.message)))?;
    ptest_shared::interrupt::check()?;
    let mut record = crate::create::record(&m, &how.name, &stats, lifetime);
    if !methods.is_empty() {
        record.set("volume_method", methods.join("+"));
    }
    record.set("image_method", if image.tagged { "tag" } else { "commit" });
    crate::create::register(store, config, &m, &record)?;
    made.id = None;
    drop(lock);
    Ok(record)
}

/// Gives the (synthetic) root of a container's manifest the owner most of
/// `entries` have (`0:0` when there are none), and keeps on each entry, all
/// of which have their full owner, only what differs from it (see
/// [`Manifest::compact_ids`]).
fn compact_owners(root: &mut Root, entries: &mut [Entry]) {
    let mut counts: std::collections::BTreeMap<(u32, u32), usize> = Default::default();
    for e in entries.iter() {
        if let (Some(u), Some(g)) = e.ids() {
            *counts.entry((u, g)).or_default() += 1;
        }
    }
    // The most common; of equally common ones, the lowest ids.
    let (uid, gid) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(o, _)| *o)
        .unwrap_or((0, 0));
    (root.uid, root.gid) = (Some(uid), Some(gid));
    for e in entries.iter_mut() {
        if let (Some(u), Some(g)) = e.ids() {
            Manifest::compact_ids(root, e, (u, g));
        }
    }
}

/// Turns the owners a manifest written before the entries kept volumes'
/// owners has in its container origin (each [`Volume`]'s `owner` and
/// `owners`) into the entries' uid/gid, as a manifest written now has
/// them; every other manifest is left as it is. Called wherever a
/// manifest is read (the store, an import), after it was checked.
pub fn convert_old_owners(m: &mut Manifest) -> Result<()> {
    let Some(o) = m.container.as_mut() else {
        return Ok(());
    };
    if o.volumes
        .iter()
        .all(|v| v.owner.is_none() && v.owners.is_empty())
    {
        return Ok(());
    }
    let bad = |why: &str| Error::data(format!("snapshot {}: its manifest: {why}", m.id));
    if o.volumes.iter().any(|v| v.owner.is_none())
        || m.root.owner().is_some()
        || m.entries.iter().any(|e| e.ids() != (None, None))
    {
        return Err(bad(
            "volume owners both in the container's volumes and in the entries (or in some volumes only)",
        ));
    }
    for v in &mut o.volumes {
        let owner = v.owner.take().expect("checked above");
        let owners: HashMap<Vec<u8>, (u32, u32)> = std::mem::take(&mut v.owners)
            .into_iter()
            .map(|(p, u, g)| (p.0, (u, g)))
            .collect();
        let pre = v.prefix.as_bytes();
        for e in &mut m.entries {
            let p = &e.path().0;
            let rel: &[u8] = if p.as_slice() == pre {
                b""
            } else {
                match p.strip_prefix(pre) {
                    Some([b'/', rest @ ..]) => rest,
                    _ => continue,
                }
            };
            let (u, g) = owners.get(rel).copied().unwrap_or(owner);
            e.set_ids(Some(u), Some(g));
        }
    }
    compact_owners(&mut m.root, &mut m.entries);
    m.check().map_err(|e| bad(&e))
}

/// What the volumes of a snapshot gave: their entries, counts, origins,
/// and how they were read (`host`, `archive`: each once).
type Volumes = (Vec<Entry>, Stats, Vec<Volume>, Vec<&'static str>);

/// Reads every mount of `mounts` (of container `cid`, paused) into the
/// store: through its host directory where [`crate::hostvol`] allows it,
/// else through the engine's archive API.
fn capture_volumes(
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

fn refuse(dest: &str, entry: &[u8], why: impl std::fmt::Display) -> Error {
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
fn ingest(store: &Store, r: &mut dyn Read, prefix: &str, dest: &str) -> Result<Ingested> {
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
fn volume_tar(w: &mut dyn Write, store: &Store, v: &Manifest, base: &str) -> std::io::Result<()> {
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

use std::os::unix::ffi::OsStringExt;

/// How the volumes of a restore were written: `host`, `archive` (each
/// once), and how the host's files were copied.
#[derive(Debug, Default)]
struct Filled {
    methods: Vec<&'static str>,
    copy: Option<String>,
}

impl Filled {
    fn add(&mut self, method: &'static str) {
        if !self.methods.contains(&method) {
            self.methods.push(method);
        }
    }

    /// Sets the event's `method` (and `copy`, for host directories).
    fn describe(&self, ev: &mut Record) {
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
fn fill_volumes(
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
            labels: Some(HashMap::from([(IMAGE_LABEL.to_owned(), m.id.clone())])),
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
fn split_mount_point(dest: &str) -> (&str, &str) {
    match dest.rsplit_once('/') {
        Some(("", base)) => ("/", base),
        Some((parent, base)) => (parent, base),
        None => ("/", dest),
    }
}

fn origin(m: &Manifest) -> Result<&Origin> {
    let o = m
        .container
        .as_ref()
        .ok_or_else(|| Error::internal("not a container snapshot"))?;
    check_origin(o).map_err(|e| {
        Error::data(format!(
            "snapshot {}: its manifest's container: {}: nothing done",
            m.id, e.message
        ))
        .hint("the manifest was changed after the snapshot was taken: `ptest snap verify`, or take the snapshot again")
    })?;
    Ok(o)
}

/// A path inside the container to mount on or fill: absolute, normal
/// (no `.`, `..` or empty component), not `/` itself, and nothing that a
/// mount's `SRC:DST:MODE` or the engine's URLs would read otherwise.
fn check_container_path(what: &str, p: &str) -> Result<()> {
    let bad = |why: &str| Error::data(format!("{what} {p:?}: {why}"));
    let Some(rest) = p.strip_prefix('/') else {
        return Err(bad("not an absolute path"));
    };
    if rest.is_empty() {
        return Err(bad("the container's root is not a mount point"));
    }
    if p.len() > 4096 {
        return Err(bad("longer than a path can be"));
    }
    if rest
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(bad("not a normal path (an empty, '.' or '..' component)"));
    }
    if p.bytes()
        .any(|b| b.is_ascii_control() || b == b':' || b == b',')
    {
        return Err(bad("holds a ':', ',' or a control character"));
    }
    Ok(())
}

/// Everything a restore or reset takes from the manifest's origin,
/// checked as if a user had typed it (the state dir is the user's, but a
/// manifest is data): the ids, the image, the network, the mounts.
fn check_origin(o: &Origin) -> Result<()> {
    use ptest_shared::kinds;
    let id_ok = o.id.strip_prefix("container-").is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !id_ok {
        return Err(Error::data(format!("{:?} is not a container id", o.id)));
    }
    kinds::ImageId::parse(o.image.clone()).map_err(Error::data)?;
    let tag_ok = o
        .tag
        .strip_prefix("ptest-snap/snapshot-")
        .and_then(|r| r.strip_suffix(":latest"))
        .is_some_and(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !tag_ok {
        return Err(Error::data(format!("{:?} is not a snapshot's tag", o.tag)));
    }
    for e in &o.env {
        if !e.contains('=') || e.starts_with('=') || e.contains('\0') {
            return Err(Error::data(format!("env {e:?}: not K=V")));
        }
    }
    if o.cmd.iter().flatten().any(|a| a.contains('\0')) {
        return Err(Error::data("cmd: an argument holds a NUL"));
    }
    kinds::check_engine_name(&o.network).map_err(|e| Error::data(format!("network: {e}")))?;
    if !matches!(o.security.as_str(), "default" | "strict") {
        return Err(Error::data(format!("security {:?}", o.security)));
    }
    for p in &o.ports {
        if p.container_port == 0 || !matches!(p.proto.as_str(), "tcp" | "udp") {
            return Err(Error::data(format!(
                "port {}/{}",
                p.container_port, p.proto
            )));
        }
    }
    for t in &o.tmpfs {
        check_container_path("tmpfs", t)?;
    }
    let mut seen = HashSet::new();
    for (i, v) in o.volumes.iter().enumerate() {
        check_container_path("volume", &v.destination)?;
        if v.prefix != format!("v{i}") {
            return Err(Error::data(format!(
                "volume {}: its entries are under {:?}, not v{i}",
                v.destination, v.prefix
            )));
        }
        if !seen.insert(v.destination.as_str()) {
            return Err(Error::data(format!(
                "volume {} is mounted twice",
                v.destination
            )));
        }
    }
    Ok(())
}

/// The registry's record of the network ptest made under `name`
/// (`--network isolated`), if any.
fn ptest_network(reg: &Registry, name: &str) -> Result<Option<Record>> {
    Ok(reg.list()?.into_iter().find(|r| {
        r.kind() == "network"
            && r.tool() == Some("ptest-docker")
            && r.get("name").and_then(|n| n.as_str()) == Some(name)
    }))
}

/// The network the new container joins: the original's when it is still
/// there, a new isolated one of its own when the original was an isolated
/// network ptest made and has removed since (with its owner); a network
/// ptest did not make that is gone is 66, naming it.
fn network_for(engine: &Engine, reg: &Registry, o: &Origin, snap: &str) -> Result<String> {
    if matches!(o.network.as_str(), "bridge" | "host" | "none" | "default") {
        return Ok(o.network.clone());
    }
    if o.isolated {
        if ptest_network(reg, &o.network)?.is_some() {
            return Ok(o.network.clone());
        }
        eprintln!(
            "ptest-snap: note: the isolated network {} of {}'s container is gone: the new container gets an isolated network of its own",
            o.network, snap
        );
        return Ok("isolated".into());
    }
    match engine.block_on(engine.docker.inspect_network(
        &o.network,
        None::<bollard::query_parameters::InspectNetworkOptions>,
    )) {
        Ok(_) => Ok(o.network.clone()),
        Err(e) if ptest_docker::engine::is_gone(&e) => Err(Error::no_input(format!(
            "network {} of {snap}'s container is gone: nothing made",
            o.network
        ))
        .hint(format!(
            "make it again (`docker network create {}`) and retry",
            o.network
        ))),
        Err(e) => Err(ptest_docker::engine::error(
            &format!("cannot inspect network {}", o.network),
            &e,
        )),
    }
}

/// What `ptest docker create` is asked for to make the snapshot's
/// container again, with fresh volumes (named here, made by create).
fn create_args(o: &Origin, network: String) -> api::CreateArgs {
    let run = ptest_shared::record::random_hex(8);
    api::CreateArgs {
        image: o.image.clone(),
        name: Some(o.name.clone()),
        port: o
            .ports
            .iter()
            .map(|p| format!("{}/{}", p.container_port, p.proto))
            .collect(),
        volume: o
            .volumes
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "ptest-snap-{run}-{i}:{}{}",
                    v.destination,
                    if v.read_only { ":ro" } else { "" }
                )
            })
            .collect(),
        tmpfs: o.tmpfs.clone(),
        memory: o.memory_bytes.map(|b| b.to_string()),
        cpus: o.nano_cpus.map(|n| n as f64 / 1e9),
        pids: o.pids,
        network,
        ready: o.ready.as_ref().map(Ready::args).unwrap_or_default(),
        security: if o.security == "strict" {
            api::Security::Strict
        } else {
            api::Security::Default
        },
        count: 1,
        cmd: o.cmd.clone().unwrap_or_default(),
        env: o.env.clone(),
    }
}

fn container_mode(mode: Mode, what: &str) -> Result<()> {
    if mode == Mode::Overlay {
        return Err(Error::usage(format!(
            "--mode overlay: a container snapshot {what} containers and volumes, not an overlay mount (overlay is for directory snapshots)"
        )));
    }
    Ok(())
}

fn event(name: &str, id: &str) -> Record {
    let mut ev = Record::new("event");
    ev.set("event", name).set("id", id);
    ev
}

#[allow(clippy::too_many_arguments)]
pub fn restore(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    rec: &Record,
    m: &Manifest,
    to: Option<std::path::PathBuf>,
    mode: crate::Mode,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    container_mode(mode, "restores as new")?;
    if to.is_some() {
        return Err(Error::usage(
            "--to: a container snapshot restores as a new container, not into a directory",
        ));
    }
    let o = origin(m)?;
    let lifetime = lifetime.resolve(OwnerSpec::Session)?;
    hooks::pre(config, "snapshot.restored", rec)?;
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let lock = store.lock(false)?;
    let engine = connect()?;
    let network = network_for(&engine, &Registry::open(&store.state)?, o, &m.id)?;
    let args = create_args(o, network);
    let parallel = crate::commands::parallel(common)?;
    let filled = std::sync::Mutex::new(Filled::default());
    let fill = |engine: &Engine, cid: &str| {
        let f = fill_volumes(
            engine,
            cid,
            store,
            m,
            parallel,
            crate::hostvol::Local::new(config),
        )?;
        *filled.lock().unwrap_or_else(|p| p.into_inner()) = f;
        Ok(())
    };
    let mut out = RecordWriter::stdout();
    let made = api::create_prepared(
        common,
        &args,
        &[],
        &lifetime,
        &Extra {
            id: None,
            before_start: &fill,
        },
        &mut out,
    )?;
    drop(lock);
    let new = made
        .last()
        .cloned()
        .ok_or_else(|| Error::internal("create made no container"))?;
    let mut ev = event("snapshot.restored", &m.id);
    ev.set("container", new.id().unwrap_or_default())
        .set("files", m.file_count())
        .set("bytes", m.bytes())
        .set("replaced", false)
        .set("seconds", started.elapsed().as_secs_f64());
    filled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .describe(&mut ev);
    if common.json() {
        out.write(&ev)?;
    }
    hooks::post(config, "snapshot.restored", rec);
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
pub fn reset(
    common: &CommonArgs,
    config: &Config,
    store: &Store,
    rec: &Record,
    m: &Manifest,
    mode: crate::Mode,
) -> Result<i32> {
    container_mode(mode, "resets")?;
    let o = origin(m)?;
    let reg = Registry::open(&store.state)?;
    let gone = || {
        Error::no_input(format!("container {} is gone: nothing to reset", o.id))
            .hint(format!("`ptest snap restore {}` makes a new one", m.id))
    };
    let old = match reg.get(&o.id)? {
        Some(r) if r.kind() == "container" && r.tool() == Some("ptest-docker") => r,
        _ => return Err(gone()),
    };
    let old_cid = api::engine_id(&old).ok_or_else(gone)?;
    let engine = connect()?;
    let info = match engine.block_on(engine.docker.inspect_container(
        &old_cid,
        None::<bollard::query_parameters::InspectContainerOptions>,
    )) {
        Ok(i) => i,
        Err(e) if ptest_docker::engine::is_gone(&e) => return Err(gone()),
        Err(e) => return Err(ptest_docker::engine::error("cannot inspect", &e)),
    };
    if info.state.as_ref().and_then(|s| s.running) != Some(true) {
        return Err(Error::no_input(format!(
            "container {} is not running: reset puts a running container's volumes back",
            o.id
        ))
        .hint(format!("`ptest snap restore {}` makes a new one", m.id)));
    }
    // The host ports it has now, pinned for the new one.
    let host_port = |p: &Port| {
        old.get("ports")?.as_array()?.iter().find_map(|x| {
            (x.get("container_port")?.as_u64()? == u64::from(p.container_port)
                && x.get("proto")?.as_str()? == p.proto)
                .then(|| x.get("host_port")?.as_u64())
                .flatten()
                .and_then(|h| u16::try_from(h).ok())
        })
    };
    let pinned: Vec<Option<u16>> = o.ports.iter().map(host_port).collect();
    let lifetime = Lifetime {
        owner: old.owner()?,
        expires_at: old.expires_at()?,
    };
    hooks::pre(config, "snapshot.reset", rec)?;
    ptest_shared::interrupt::catch()?;
    let started = Instant::now();
    let lock = store.lock(false)?;
    let args = create_args(o, network_for(&engine, &reg, o, &m.id)?);
    let stopped = AtomicBool::new(false);
    let parallel = crate::commands::parallel(common)?;
    let filled = std::sync::Mutex::new(Filled::default());
    let fill = |engine: &Engine, cid: &str| {
        let f = fill_volumes(
            engine,
            cid,
            store,
            m,
            parallel,
            crate::hostvol::Local::new(config),
        )?;
        *filled.lock().unwrap_or_else(|p| p.into_inner()) = f;
        ptest_shared::interrupt::check()?;
        // The old container lets go of its host ports just before the new
        // one takes them.
        let opts = bollard::query_parameters::StopContainerOptionsBuilder::default()
            .t(10)
            .build();
        stopped.store(true, Ordering::SeqCst);
        match engine.block_on(engine.docker.stop_container(&old_cid, Some(opts))) {
            Ok(()) => Ok(()),
            Err(e) if ptest_docker::engine::status(&e) == Some(304) => Ok(()),
            Err(e) => Err(ptest_docker::engine::error(
                &format!("cannot stop {}", o.id),
                &e,
            )),
        }
    };
    let mut out = RecordWriter::stdout();
    let made = api::create_prepared(
        common,
        &args,
        &pinned,
        &lifetime,
        &Extra {
            id: Some(o.id.clone()),
            before_start: &fill,
        },
        &mut out,
    );
    let made = match made {
        Ok(m) => m,
        Err(e) => {
            // What was made is gone, and with it the registry entry of the
            // id they shared: the old container is put back as it was.
            let _ = reg.put(&old);
            if stopped.load(Ordering::SeqCst) {
                let _ = engine.block_on(engine.docker.start_container(
                    &old_cid,
                    None::<bollard::query_parameters::StartContainerOptions>,
                ));
            }
            return Err(e);
        }
    };
    drop(lock);
    // The old container goes, and the volumes ptest made for it.
    api::remove_object(&engine, ObjectKind::Container, &old_cid)?;
    let old_volumes: HashSet<String> = info
        .mounts
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| m.name)
        .collect();
    for r in reg.list()? {
        if r.kind() == "volume"
            && r.tool() == Some("ptest-docker")
            && let Some(name) = api::engine_id(&r)
            && old_volumes.contains(&name)
        {
            api::remove_object(&engine, ObjectKind::Volume, &name)?;
            reg.remove(r.id().unwrap_or_default())?;
            if common.json() {
                out.write(&event("volume.removed", r.id().unwrap_or_default()))?;
            }
        }
    }
    let new = made
        .last()
        .cloned()
        .ok_or_else(|| Error::internal("create made no container"))?;
    let mut ev = event("snapshot.reset", &m.id);
    ev.set("container", o.id.as_str())
        .set(
            "container_id",
            new.get("container_id").cloned().unwrap_or_default(),
        )
        .set("previous_container_id", old_cid)
        .set("files", m.file_count())
        .set("bytes_written", m.bytes())
        .set("seconds", started.elapsed().as_secs_f64());
    filled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .describe(&mut ev);
    if common.json() {
        out.write(&ev)?;
    }
    hooks::post(config, "snapshot.reset", rec);
    Ok(0)
}

/// Removes the image committed for snapshot `id`, when it is a
/// container's (before its manifest goes). A failure is a warning: `gc`
/// finds the image by its label.
pub fn forget(store: &Store, id: &str) {
    let Ok(m) = store.read_manifest(id) else {
        return;
    };
    let Some(o) = &m.container else {
        return;
    };
    let removed = connect().and_then(|engine| {
        if o.tagged {
            untag(&engine, &o.tag)
        } else {
            remove_image(&engine, &o.image)
        }
    });
    if let Err(e) = removed {
        eprintln!(
            "ptest-snap: warning: image {} of {id}: {} (`ptest snap gc` tries again)",
            o.tag, e.message
        );
    }
}

/// For `gc` (the store lock held exclusively): removes the images
/// committed for snapshots that are no longer registered (a `create` that
/// died, an `rm` whose image was still in use), and the containers that
/// fill read-only volumes left by a restore or reset that was killed.
/// Nothing when no engine answers.
pub fn gc_engine(live: &HashSet<String>) -> u64 {
    let Ok(engine) = connect() else {
        return 0;
    };
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&HashMap::from([("label", vec![IMAGE_LABEL])]))
        .build();
    let Ok(images) = engine.block_on(engine.docker.list_images(Some(opts))) else {
        return 0;
    };
    let mut removed = 0;
    // The containers that fill read-only volumes (labelled, never
    // started): one exists only while a restore or reset holds the store
    // lock shared, so any seen under gc's exclusive lock was left by one
    // that was killed.
    let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&HashMap::from([("label", vec![IMAGE_LABEL])]))
        .build();
    for c in engine
        .block_on(engine.docker.list_containers(Some(opts)))
        .unwrap_or_default()
    {
        let fill = c
            .names
            .iter()
            .flatten()
            .any(|n| n.starts_with(FILL_PREFIX) || n.starts_with(&format!("/{FILL_PREFIX}")));
        if let Some(id) = c.id.filter(|_| fill)
            && api::remove_object(&engine, ObjectKind::Container, &id).is_ok()
        {
            removed += 1;
        }
    }
    for i in images {
        if let Some(snap) = i.labels.get(IMAGE_LABEL)
            && !live.contains(snap)
            && remove_image(&engine, &i.id).is_ok()
        {
            removed += 1;
        }
    }
    // The tags given to images of unchanged containers (no label: the
    // image is not ours): the tag goes, the image stays while named.
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&HashMap::from([("reference", vec!["ptest-snap/*"])]))
        .build();
    let images = engine
        .block_on(engine.docker.list_images(Some(opts)))
        .unwrap_or_default();
    for i in images {
        if i.labels.contains_key(IMAGE_LABEL) {
            continue;
        }
        for t in &i.repo_tags {
            if let Some(snap) = t
                .strip_prefix("ptest-snap/")
                .and_then(|r| r.strip_suffix(":latest"))
                && snap.starts_with("snapshot-")
                && !live.contains(snap)
                && untag(&engine, t).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_from_a_manifest_are_checked() {
        for ok in ["/data", "/var/lib/postgresql/data", "/a b"] {
            check_container_path("volume", ok).unwrap();
        }
        for (bad, why) in [
            ("/", "root"),
            ("data", "absolute"),
            ("/a/../etc", "normal"),
            ("/a//b", "normal"),
            ("/a/.", "normal"),
            ("/data:rw", "':'"),
            ("/x,nocopy", "','"),
            ("/a\nb", "control"),
        ] {
            let e = check_container_path("volume", bad).unwrap_err();
            assert!(e.message.contains(why), "{bad:?}: {}", e.message);
        }
    }

    const H: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn old_manifest(volumes: &str, root: &str) -> String {
        format!(
            r#"{{"format":1,"id":"snapshot-a","source":"","created_at":"x","root":{{"mode":493,"mtime_ns":0{root}}},"container":{{"id":"container-a","image":"sha256:{H}","tag":"ptest-snap/snapshot-a:latest","name":"c","network":"bridge","security":"default","ports":[],"memory_bytes":null,"nano_cpus":null,"pids":null,"tmpfs":[],"volumes":{volumes}}},"entries":[{{"type":"dir","path":"v0","mode":1528,"mtime_ns":0}},{{"type":"file","path":"v0/f","hash":"{H}","size":0,"mode":2541,"mtime_ns":0}},{{"type":"symlink","path":"v0/l","target":"f","mtime_ns":0}},{{"type":"dir","path":"v1","mode":493,"mtime_ns":0}},{{"type":"file","path":"v1/g","hash":"{H}","size":0,"mode":420,"mtime_ns":0}}]}}"#
        )
    }

    /// Owners in the container's origin (manifests written before the
    /// entries kept them) become the entries' owners when read, and are
    /// not written again.
    #[test]
    fn owners_in_the_origin_become_the_entries_owners() {
        let text = old_manifest(
            r#"[{"destination":"/a","prefix":"v0","kind":"volume","read_only":false,"owner":[999,999],"owners":[["l",7,8]]},{"destination":"/b","prefix":"v1","kind":"volume","read_only":false,"owner":[1,2],"owners":[["",3,4]]}]"#,
            "",
        );
        let mut m = Manifest::parse(text.as_bytes(), "m").unwrap();
        convert_old_owners(&mut m).unwrap();
        let owners: Vec<_> = m.entries.iter().map(|e| m.owner(e).unwrap()).collect();
        assert_eq!(
            owners,
            [(999, 999), (999, 999), (7, 8), (3, 4), (1, 2)],
            "{m:?}"
        );
        assert_eq!(m.root.owner(), Some((999, 999)), "the most common");
        assert_eq!(m.entries[0].ids(), (None, None), "compact");
        let written = serde_json::to_string(&m).unwrap();
        assert!(!written.contains("\"owner"), "{written}");
        let mut again = Manifest::parse(written.as_bytes(), "m").unwrap();
        convert_old_owners(&mut again).unwrap();
        assert_eq!(again, m);
        // Of a volume's tree alone, as restore writes it.
        let v1 = volume_manifest(&m, &m.container.as_ref().unwrap().volumes[1], String::new());
        assert_eq!(v1.root.owner(), Some((3, 4)));
        assert_eq!(v1.owner(&v1.entries[0]), Some((1, 2)));

        // Both forms at once are refused.
        let text = old_manifest(
            r#"[{"destination":"/a","prefix":"v0","kind":"volume","read_only":false,"owner":[0,0]}]"#,
            r#","uid":0,"gid":0"#,
        );
        let mut m = Manifest::parse(text.as_bytes(), "m").unwrap();
        let e = convert_old_owners(&mut m).unwrap_err();
        assert_eq!(e.exit.code(), 65, "{}", e.message);
    }
}
