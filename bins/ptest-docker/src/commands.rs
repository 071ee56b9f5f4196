//! The commands on existing objects: exec, logs, stop, rm, ls, inspect, gc;
//! and [`resolve`], which finds an object from what a user types.

use crate::engine::{self, Engine};
use crate::labels;
use bollard::models::ContainerSummary;
use futures_util::StreamExt;
use ptest_shared::cli::CommonArgs;
use ptest_shared::output::{RecordWriter, cell, listing};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Record, Result, hooks, stream};
use std::collections::HashMap;
use std::io::Write;

pub const TOOL: &str = "ptest-docker";

/// What kind of engine object a ptest record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Container,
    Network,
    Volume,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Container => "container",
            Kind::Network => "network",
            Kind::Volume => "volume",
        }
    }

    /// The kind of a ptest record (`container`, `network`, `volume`).
    pub fn of(r: &Record) -> Kind {
        match r.kind() {
            "network" => Kind::Network,
            "volume" => Kind::Volume,
            _ => Kind::Container,
        }
    }

    /// The record field holding the engine's id (a volume's is its name).
    pub fn id_field(self) -> &'static str {
        match self {
            Kind::Container => "container_id",
            Kind::Network => "network_id",
            Kind::Volume => "volume_name",
        }
    }

    /// Teardown order: containers, then the volumes and networks they used.
    pub fn order(self) -> u8 {
        match self {
            Kind::Container => 0,
            Kind::Volume => 1,
            Kind::Network => 2,
        }
    }
}

/// An object found from a user's word: its engine id and, when ptest made
/// it, its registry record.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub kind: Kind,
    /// The engine's id.
    pub engine_id: String,
    /// The ptest name (`--name`), or the engine's.
    pub name: String,
    pub record: Option<Record>,
}

impl Resolved {
    /// The ptest id when ptest made it, else the engine's id.
    pub fn ptest_id(&self) -> &str {
        self.record
            .as_ref()
            .and_then(|r| r.id())
            .unwrap_or(&self.engine_id)
    }
}

pub fn is_ours(r: &Record) -> bool {
    r.tool() == Some(TOOL) && matches!(r.kind(), "container" | "network" | "volume")
}

/// The engine id a ptest record names (`container_id`, `network_id`,
/// `volume_name`), read through the record's type: an id that could leave
/// its URL segment never gets here.
pub fn engine_id_of(r: &Record) -> Option<String> {
    use ptest_shared::kinds;
    match Kind::of(r) {
        Kind::Container => r
            .typed::<kinds::Container>()
            .ok()
            .map(|c| c.container_id.into_inner()),
        Kind::Network => r
            .typed::<kinds::Network>()
            .ok()
            .map(|n| n.network_id.into_inner()),
        Kind::Volume => r
            .typed::<kinds::Volume>()
            .ok()
            .map(|v| v.volume_name.into_inner()),
    }
}

/// Finds a container or network: a ptest id (`container-…`, `network-…`),
/// a ptest name, or anything the engine takes (its id, prefix or name).
pub fn resolve(
    engine: &Engine,
    reg: &Registry,
    word: &str,
    want: Option<Kind>,
) -> Result<Resolved> {
    // The word goes into the engine's URLs: only what could name an object.
    ptest_shared::kinds::check_engine_name(word).map_err(|e| {
        Error::usage(format!(
            "{e}: not a ptest id or name, nor an engine id or name"
        ))
    })?;
    let records: Vec<Record> = reg.list()?.into_iter().filter(is_ours).collect();
    let kind_ok = |r: &Record| want.is_none_or(|k| r.kind() == k.as_str());
    let hit = records
        .iter()
        .filter(|r| kind_ok(r))
        .find(|r| r.id() == Some(word))
        .or_else(|| {
            records
                .iter()
                .filter(|r| kind_ok(r))
                .rev()
                .find(|r| r.get("name").and_then(|v| v.as_str()) == Some(word))
        });
    if let Some(r) = hit {
        let kind = Kind::of(r);
        return Ok(Resolved {
            kind,
            engine_id: engine_id_of(r).ok_or_else(|| {
                Error::data(format!(
                    "record {} names no engine object",
                    r.id().unwrap_or("")
                ))
            })?,
            name: r
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or(word)
                .to_owned(),
            record: Some(r.clone()),
        });
    }
    // Not ours by record: ask the engine.
    if want != Some(Kind::Network) {
        match engine.block_on(engine.docker.inspect_container(
            word,
            None::<bollard::query_parameters::InspectContainerOptions>,
        )) {
            Ok(c) => {
                let id = c.id.unwrap_or_default();
                let record = records
                    .iter()
                    .find(|r| engine_id_of(r).as_deref() == Some(id.as_str()))
                    .cloned();
                return Ok(Resolved {
                    kind: Kind::Container,
                    name: c
                        .name
                        .unwrap_or_default()
                        .trim_start_matches('/')
                        .to_owned(),
                    engine_id: id,
                    record,
                });
            }
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect {word}"), &e)),
        }
    }
    if want != Some(Kind::Container) {
        match engine.block_on(engine.docker.inspect_network(
            word,
            None::<bollard::query_parameters::InspectNetworkOptions>,
        )) {
            Ok(n) => {
                let id = n.id.unwrap_or_default();
                let record = records
                    .iter()
                    .find(|r| engine_id_of(r).as_deref() == Some(id.as_str()))
                    .cloned();
                return Ok(Resolved {
                    kind: Kind::Network,
                    name: n.name.unwrap_or_default(),
                    engine_id: id,
                    record,
                });
            }
            Err(e) if engine::is_gone(&e) => {}
            Err(e) => return Err(engine::error(&format!("cannot inspect {word}"), &e)),
        }
    }
    Err(Error::no_input(format!(
        "no {} {word:?}: not a ptest id or name, nor known to the engine",
        want.map(Kind::as_str).unwrap_or("container or network")
    ))
    .hint("`ptest docker ls` lists what ptest made"))
}

pub fn open_registry() -> Result<(StateDir, Registry)> {
    let state = StateDir::open()?;
    let reg = Registry::open(&state)?;
    Ok((state, reg))
}

pub fn exec(word: &str, cmd: &[String]) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let c = resolve(&engine, &reg, word, Some(Kind::Container))?;
    let (code, _) = run_exec(&engine, &c.engine_id, cmd, true)?;
    match code {
        0 => Ok(0),
        c => Err(Error::exit_code(
            c,
            format!("the command exited with {c} in container {word}"),
        )),
    }
}

/// Runs `cmd` in a container; with `stream_out` its output goes to our
/// stdout and stderr as it comes, else it is returned. Returns the exit
/// code (126/127 as a shell says when the command cannot run).
pub fn run_exec(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    stream_out: bool,
) -> Result<(i32, String)> {
    engine.block_on(exec_in(engine, id, cmd, stream_out))
}

/// Runs `cmd` in the container quietly: its exit code, or `None` when it
/// was still running after `limit` (the engine cannot end an exec; it is
/// left to finish on its own).
pub fn run_exec_within(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    limit: std::time::Duration,
) -> Result<Option<i32>> {
    engine.block_on(async {
        match tokio::time::timeout(limit, exec_in(engine, id, cmd, false)).await {
            Ok(r) => r.map(|(code, _)| Some(code)),
            Err(_) => Ok(None),
        }
    })
}

async fn exec_in(
    engine: &Engine,
    id: &str,
    cmd: &[String],
    stream_out: bool,
) -> Result<(i32, String)> {
    use bollard::exec::{CreateExecOptions, StartExecResults};
    let exec = engine
        .docker
        .create_exec(
            id,
            CreateExecOptions {
                cmd: Some(cmd.to_vec()),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| engine::error(&format!("cannot exec in {id}"), &e))?;
    let mut collected = String::new();
    match engine
        .docker
        .start_exec(&exec.id, None)
        .await
        .map_err(|e| engine::error(&format!("cannot exec in {id}"), &e))?
    {
        StartExecResults::Attached { mut output, .. } => {
            while let Some(chunk) = output.next().await {
                let chunk = chunk.map_err(|e| engine::error("exec output", &e))?;
                write_log(&chunk, stream_out, &mut collected);
            }
        }
        StartExecResults::Detached => {}
    }
    let info = engine
        .docker
        .inspect_exec(&exec.id)
        .await
        .map_err(|e| engine::error("cannot inspect exec", &e))?;
    Ok((info.exit_code.unwrap_or(0) as i32, collected))
}

/// Writes one chunk of container output where it belongs.
pub fn write_log(chunk: &bollard::container::LogOutput, stream_out: bool, collected: &mut String) {
    use bollard::container::LogOutput;
    let (bytes, err) = match chunk {
        LogOutput::StdErr { message } => (message, true),
        LogOutput::StdOut { message } | LogOutput::Console { message } => (message, false),
        LogOutput::StdIn { .. } => return,
    };
    if stream_out {
        if err {
            let _ = std::io::stderr().write_all(bytes);
        } else {
            let mut o = std::io::stdout();
            let _ = o.write_all(bytes);
            let _ = o.flush();
        }
    } else {
        collected.push_str(&String::from_utf8_lossy(bytes));
    }
}

pub fn logs(word: &str, follow: bool, tail: Option<u64>) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let c = resolve(&engine, &reg, word, Some(Kind::Container))?;
    let mut sink = String::new();
    engine.block_on(async {
        let opts = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .tail(&tail.map(|t| t.to_string()).unwrap_or_else(|| "all".into()))
            .build();
        let mut s = engine.docker.logs(&c.engine_id, Some(opts));
        while let Some(chunk) = s.next().await {
            match chunk {
                Ok(c) => write_log(&c, true, &mut sink),
                Err(e) => return Err(engine::error("cannot read logs", &e)),
            }
        }
        Ok(())
    })?;
    Ok(0)
}

/// The last `n` lines of a container's logs (for failure messages).
pub fn log_tail(engine: &Engine, id: &str, n: u64) -> String {
    let mut out = String::new();
    engine.block_on(async {
        let opts = bollard::query_parameters::LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&n.to_string())
            .build();
        let mut s = engine.docker.logs(id, Some(opts));
        while let Some(Ok(c)) = s.next().await {
            write_log(&c, false, &mut out);
        }
    });
    out
}

pub fn stop(common: &CommonArgs, words: &[String], grace: std::time::Duration) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let mut out = RecordWriter::stdout();
    for w in words {
        let Some(c) = resolve_ours(&engine, &reg, w, Some(Kind::Container))? else {
            continue;
        };
        let opts = bollard::query_parameters::StopContainerOptionsBuilder::default()
            .t(grace.as_secs().try_into().unwrap_or(i32::MAX))
            .build();
        match engine.block_on(engine.docker.stop_container(&c.engine_id, Some(opts))) {
            Ok(()) => {}
            Err(e) if engine::status(&e) == Some(304) => {}
            Err(e) => return Err(engine::error(&format!("cannot stop {w}"), &e)),
        }
        let mut ev = Record::new("event");
        ev.set("event", "container.stopped")
            .set("id", c.ptest_id())
            .set("container_id", c.engine_id.clone());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("stopped {}", c.name))?;
        }
    }
    Ok(0)
}

/// Removes one engine object (containers forced, with anonymous volumes;
/// networks with their firewall rules). `false` when it was gone already.
pub fn remove_object(engine: &Engine, kind: Kind, engine_id: &str) -> Result<bool> {
    match kind {
        Kind::Container => engine.block_on(remove_object_async(engine, engine_id)),
        Kind::Network => crate::network::remove(engine, engine_id),
        Kind::Volume => {
            let opts = bollard::query_parameters::RemoveVolumeOptionsBuilder::default()
                .force(true)
                .build();
            match engine.block_on(engine.docker.remove_volume(engine_id, Some(opts))) {
                Ok(()) => Ok(true),
                Err(e) if engine::is_gone(&e) => Ok(false),
                Err(e) => Err(engine::error(
                    &format!("cannot remove volume {engine_id}"),
                    &e,
                )),
            }
        }
    }
}

/// Removes a container, forced, with its anonymous volumes; `false` when
/// it was gone already.
async fn remove_object_async(engine: &Engine, engine_id: &str) -> Result<bool> {
    let opts = bollard::query_parameters::RemoveContainerOptionsBuilder::default()
        .force(true)
        .v(true)
        .build();
    match engine.docker.remove_container(engine_id, Some(opts)).await {
        Ok(()) => Ok(true),
        Err(e) if engine::is_gone(&e) => Ok(false),
        // Already being removed by someone else (the guardian).
        Err(e) if engine::status(&e) == Some(409) => Ok(true),
        Err(e) => Err(engine::error(
            &format!("cannot remove container {engine_id}"),
            &e,
        )),
    }
}

/// Resolves a word to an object ptest made (it has a registry record):
/// `Ok(None)` when nothing has that name (a note: removing what is gone is
/// not an error), an error naming it when the object is not ptest's.
fn resolve_ours(
    engine: &Engine,
    reg: &Registry,
    word: &str,
    want: Option<Kind>,
) -> Result<Option<Resolved>> {
    match resolve(engine, reg, word, want) {
        Ok(r) if r.record.is_some() => Ok(Some(r)),
        Ok(r) => Err(Error::data(format!(
            "{} {word} ({}) was not made by ptest: nothing done",
            r.kind.as_str(),
            &r.engine_id[..r.engine_id.len().min(12)]
        ))
        .hint("ptest acts only on what it made; use the docker CLI for anything else")),
        Err(e) if e.exit.code() == 66 => {
            eprintln!("ptest-docker: note: {}", e.message);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// `rm`: objects given by ptest id, ptest name or engine id, or the
/// `container`, `network` and `volume` records on stdin. Only what the
/// registry holds is removed, as the registry describes it: a stream's
/// record counts for its id alone.
pub fn rm(common: &CommonArgs, words: &[String]) -> Result<i32> {
    let config = common.load_config()?;
    let (_, reg) = open_registry()?;
    let mut targets: Vec<Record> = Vec::new();
    let mut refused = None;
    let mut bad_stream = None;
    let mut engine = None;
    if words.is_empty() {
        let stream = stream::stdin(None)?;
        let (records, bad) = stream.into_teardown();
        bad_stream = bad;
        let resources: Vec<Record> = records.into_iter().filter(is_ours).collect();
        targets.extend(
            ptest_shared::teardown::registered(&reg, &resources)?
                .into_iter()
                .filter(is_ours),
        );
    } else {
        let engine = engine.insert(Engine::connect()?);
        for w in words {
            match resolve_ours(engine, &reg, w, None) {
                Ok(Some(r)) => targets.extend(r.record),
                Ok(None) => {}
                Err(e) if e.exit == ptest_shared::Exit::Data => {
                    eprintln!("ptest-docker: error: {}", e.message);
                    refused = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
    }
    // Containers before the networks and volumes they use.
    targets.sort_by_key(|r| Kind::of(r).order());
    let mut out = RecordWriter::stdout();
    let mut failed = None;
    if engine.is_none() && !targets.is_empty() {
        engine = Some(Engine::connect()?);
    }
    for rec in &targets {
        let engine = engine.as_ref().expect("connected when there is work");
        let kind = Kind::of(rec);
        let Some(eid) = engine_id_of(rec) else {
            continue;
        };
        let event = format!("{}.removed", kind.as_str());
        hooks::pre(&config, &event, rec)?;
        if let Err(e) = remove_object(engine, kind, &eid) {
            eprintln!("ptest-docker: error: {}", e.message);
            failed = Some(e);
            continue;
        }
        let id = rec.id().unwrap_or_default();
        reg.remove(id)?;
        let mut ev = Record::new("event");
        ev.set("event", event.clone())
            .set("id", id)
            .set(kind.id_field(), eid.clone());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!("removed {} {id}", kind.as_str()))?;
        }
        hooks::post(&config, &event, rec);
    }
    match failed.or(refused).or(bad_stream) {
        Some(e) => Err(e),
        None => Ok(0),
    }
}

/// Every ptest-docker container the engine knows, with its labels.
pub fn labelled_containers(engine: &Engine, filter: &str) -> Result<Vec<ContainerSummary>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_containers(Some(opts)))
        .map_err(|e| engine::error("cannot list containers", &e))
}

/// Every ptest-docker volume the engine knows.
pub fn labelled_volumes(engine: &Engine, filter: &str) -> Result<Vec<bollard::models::Volume>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListVolumesOptionsBuilder::default()
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_volumes(Some(opts)))
        .map(|r| r.volumes.unwrap_or_default())
        .map_err(|e| engine::error("cannot list volumes", &e))
}

/// Every ptest-docker network the engine knows.
pub fn labelled_networks(engine: &Engine, filter: &str) -> Result<Vec<bollard::models::Network>> {
    let mut filters = HashMap::new();
    filters.insert("label".to_owned(), vec![filter.to_owned()]);
    let opts = bollard::query_parameters::ListNetworksOptionsBuilder::default()
        .filters(&filters)
        .build();
    engine
        .block_on(engine.docker.list_networks(Some(opts)))
        .map_err(|e| engine::error("cannot list networks", &e))
}

pub fn ls(common: &CommonArgs) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let recs: Vec<Record> = reg.list()?.into_iter().filter(is_ours).collect();
    let states: HashMap<String, String> = labelled_containers(&engine, &labels::tool_filter())?
        .into_iter()
        .map(|c| {
            (
                c.id.unwrap_or_default(),
                c.state.map(|s| s.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let nets: std::collections::HashSet<String> =
        labelled_networks(&engine, &labels::tool_filter())?
            .into_iter()
            .filter_map(|n| n.id)
            .collect();
    let state_of = |r: &Record| -> String {
        let id = engine_id_of(r).unwrap_or_default();
        match r.kind() {
            "volume" => "present".to_owned(),
            "network" if nets.contains(&id) => "present".to_owned(),
            "network" => "gone".to_owned(),
            _ => states.get(&id).cloned().unwrap_or_else(|| "gone".into()),
        }
    };
    // The engine's state of each, for both views; with --json, how an
    // exited container ended.
    let json = common.json();
    let recs: Vec<Record> = recs
        .into_iter()
        .map(|mut r| {
            let state = state_of(&r);
            if json
                && r.kind() == "container"
                && state == "exited"
                && let Some((code, oom)) = exit_of(&engine, &engine_id_of(&r).unwrap_or_default())
            {
                r.set("exit_code", code).set("oom_killed", oom);
            }
            r.set("state", state);
            r
        })
        .collect();
    listing(
        json,
        &recs,
        "no containers or networks",
        &["ID", "KIND", "NAME", "STATE", "IMAGE/SUBNET", "PORTS"],
        |r| {
            let ports = r
                .get("ports")
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .map(|p| format!("{}->{}", p["host_port"], p["container_port"]))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .unwrap_or_default();
            Ok(vec![
                cell(r, "id"),
                r.kind().to_owned(),
                cell(r, "name"),
                cell(r, "state"),
                cell(
                    r,
                    match r.kind() {
                        "network" => "subnet",
                        "volume" => "volume_name",
                        _ => "image",
                    },
                ),
                ports,
            ])
        },
    )
}

/// How a container ended, from the engine's state: its exit code and
/// whether the kernel killed it for memory (which the exit code alone
/// cannot tell: a process of it may be OOM-killed while it exits 0).
pub fn exit_of(engine: &Engine, id: &str) -> Option<(i64, bool)> {
    let st = state(engine, id)?;
    Some((st.exit_code.unwrap_or(0), st.oom_killed.unwrap_or(false)))
}

/// The engine's state of a container (`None` when it cannot say).
pub fn state(engine: &Engine, id: &str) -> Option<bollard::models::ContainerState> {
    engine
        .block_on(engine.docker.inspect_container(
            id,
            None::<bollard::query_parameters::InspectContainerOptions>,
        ))
        .ok()?
        .state
}

pub fn inspect(word: &str) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let o = resolve(&engine, &reg, word, None)?;
    let value = match o.kind {
        Kind::Container => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_container(
                    &o.engine_id,
                    None::<bollard::query_parameters::InspectContainerOptions>,
                ))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
        Kind::Network => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_network(
                    &o.engine_id,
                    None::<bollard::query_parameters::InspectNetworkOptions>,
                ))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
        Kind::Volume => serde_json::to_value(
            engine
                .block_on(engine.docker.inspect_volume(&o.engine_id))
                .map_err(|e| engine::error("cannot inspect", &e))?,
        ),
    }
    .map_err(|e| Error::internal(format!("cannot encode the engine's answer: {e}")))?;
    let mut out = RecordWriter::stdout();
    out.write_line(&serde_json::to_string_pretty(&value).unwrap_or_default())?;
    Ok(0)
}

/// Removes what dead or expired owners left: registry records first, then
/// any labelled object the engine still holds (a second line of defence
/// behind the guardian).
pub fn gc(common: &CommonArgs) -> Result<i32> {
    let engine = Engine::connect()?;
    let (_, reg) = open_registry()?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    sweep(&engine, &reg, now, |kind, id, reason| {
        let mut ev = Record::new("event");
        ev.set("event", format!("{}.removed", kind.as_str()))
            .set("id", id.to_owned())
            .set("reason", reason);
        if common.json() {
            let _ = out.write(&ev);
        } else {
            let _ = out.write_line(&format!("removed {} {id} ({reason})", kind.as_str()));
        }
    })?;
    // Firewall rules of isolated networks removed behind ptest's back.
    crate::network::sweep_firewall(&engine)?;
    Ok(0)
}

/// Removes the labelled objects `filter` selects and `condemn` gives a
/// reason to remove: containers (in parallel: each takes a while), then
/// volumes, then networks. Each one's registry record goes first — an
/// object whose removal fails still carries its labels for the next sweep;
/// a record without its object would only lie. A volume still in use is
/// left for the next sweep. Calls `report(kind, ptest id, reason)` per
/// object removed and returns their engine ids; the first failure to
/// remove a container or network is returned after every object was tried.
pub fn remove_labelled(
    engine: &Engine,
    reg: Option<&Registry>,
    filter: &str,
    condemn: impl Fn(&HashMap<String, String>) -> Option<&'static str>,
    report: &mut impl FnMut(Kind, &str, &str),
) -> Result<std::collections::HashSet<String>> {
    let mut done = std::collections::HashSet::new();
    let mut failed = None;
    let ptest_id = |l: &HashMap<String, String>, id: &str| {
        l.get(labels::ID).cloned().unwrap_or_else(|| id.to_owned())
    };
    let containers: Vec<(String, String, &'static str)> = labelled_containers(engine, filter)?
        .into_iter()
        .filter_map(|c| {
            let l = c.labels.unwrap_or_default();
            let reason = condemn(&l)?;
            let id = c.id.unwrap_or_default();
            Some((ptest_id(&l, &id), id, reason))
        })
        .collect();
    let forget = |pid: &str| {
        if let Some(reg) = reg {
            let _ = reg.remove(pid);
        }
    };
    for (pid, _, _) in &containers {
        forget(pid);
    }
    let results = engine.block_on(futures_util::future::join_all(
        containers
            .iter()
            .map(|(_, id, _)| async move { remove_object_async(engine, id).await }),
    ));
    for ((pid, id, reason), r) in containers.iter().zip(results) {
        match r {
            Ok(_) => {
                done.insert(id.clone());
                report(Kind::Container, pid, reason);
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    for vol in labelled_volumes(engine, filter)? {
        let Some(reason) = condemn(&vol.labels) else {
            continue;
        };
        if remove_object(engine, Kind::Volume, &vol.name).is_err() {
            continue;
        }
        let pid = ptest_id(&vol.labels, &vol.name);
        forget(&pid);
        done.insert(vol.name.clone());
        report(Kind::Volume, &pid, reason);
    }
    for net in labelled_networks(engine, filter)? {
        let l = net.labels.unwrap_or_default();
        let Some(reason) = condemn(&l) else {
            continue;
        };
        let id = net.id.unwrap_or_default();
        let pid = ptest_id(&l, &id);
        forget(&pid);
        match remove_object(engine, Kind::Network, &id) {
            Ok(_) => {
                done.insert(id);
                report(Kind::Network, &pid, reason);
            }
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// Removes every labelled object that [`labels::stale`] judges dead or
/// expired, then registry records whose object is gone or whose owner
/// died. Calls `report` per object removed.
pub fn sweep(
    engine: &Engine,
    reg: &Registry,
    now: Timestamp,
    mut report: impl FnMut(Kind, &str, &str),
) -> Result<usize> {
    let by_engine: HashMap<String, Record> = reg
        .list()?
        .into_iter()
        .filter(is_ours)
        .filter_map(|r| engine_id_of(&r).map(|id| (id, r)))
        .collect();
    let done = remove_labelled(
        engine,
        Some(reg),
        &labels::tool_filter(),
        |l| labels::stale(l, now),
        &mut report,
    )?;
    let mut n = done.len();
    // Records whose object is gone from the engine, or whose owner died.
    for (eid, r) in by_engine {
        if done.contains(&eid) {
            continue;
        }
        if let Ok(ptest_shared::owner::Liveness::Live) = ptest_shared::owner::judge(&r, now) {
            let kind = Kind::of(&r);
            let exists = match kind {
                Kind::Container => engine
                    .block_on(engine.docker.inspect_container(
                        &eid,
                        None::<bollard::query_parameters::InspectContainerOptions>,
                    ))
                    .is_ok(),
                Kind::Network => engine
                    .block_on(engine.docker.inspect_network(
                        &eid,
                        None::<bollard::query_parameters::InspectNetworkOptions>,
                    ))
                    .is_ok(),
                Kind::Volume => engine.block_on(engine.docker.inspect_volume(&eid)).is_ok(),
            };
            if exists {
                continue;
            }
            let _ = reg.remove(r.id().unwrap_or_default());
            report(kind, r.id().unwrap_or_default(), "gone");
            n += 1;
        } else {
            let kind = Kind::of(&r);
            remove_object(engine, kind, &eid)?;
            let _ = reg.remove(r.id().unwrap_or_default());
            report(kind, r.id().unwrap_or_default(), "owner-dead");
            n += 1;
        }
    }
    Ok(n)
}
