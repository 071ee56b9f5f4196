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

mod image;
mod origin;
mod pause;
mod volumes;

pub(crate) use image::*;
pub use origin::*;
pub(crate) use pause::*;
pub(crate) use volumes::*;

/// The label naming the snapshot a committed image belongs to.
pub const IMAGE_LABEL: &str = "ptest.snapshot";

/// The label naming the state directory whose store a committed image or
/// a filling container belongs to: the engine is shared, and `gc` of
/// another state directory (another user's, a test's) must never take
/// what this store still names.
pub const HOME_LABEL: &str = "ptest.home";

/// The labels of an engine object made for snapshot `id` of `store`.
pub(crate) fn object_labels(store: &Store, id: &str) -> HashMap<String, String> {
    HashMap::from([
        (IMAGE_LABEL.to_owned(), id.to_owned()),
        (
            HOME_LABEL.to_owned(),
            store.state.path().display().to_string(),
        ),
    ])
}

/// The engine name of a container that fills a read-only volume begins so.
const FILL_PREFIX: &str = "ptest-snap-fill-";

/// The engine, with an error that says what needs it.
fn connect() -> Result<Engine> {
    Engine::connect()
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
    let labels = object_labels(store, &snap_id);
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
