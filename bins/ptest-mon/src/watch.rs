//! `ptest mon watch`: the resources a stream names (services, containers),
//! pids and the host, sampled until told to stop.
//!
//! What a record names is looked up in the registry, as everywhere: the
//! registry's copy says which pid, cgroup or container is measured, and
//! `--kill` stops a service or container through the tool that made it.

use crate::WatchArgs;
use crate::engine::{Engine, Stats};
use crate::sample::{Sink, TOOL, Watched, round3};
use crate::source::Source;
use crate::threshold::{Limits, Reloading};
use ptest_shared::cgroup::Cgroup;
use ptest_shared::cli::CommonArgs;
use ptest_shared::kinds::{Container, Proc};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Exit, Record, Result};
use std::io::IsTerminal;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How a watched resource is ended by `--kill`.
enum Stop {
    /// Through its tool: `ptest-proc stop ID`, `ptest-docker stop ID`.
    Tool(&'static str, String),
    /// A `--pid`: SIGKILL to it and its descendants.
    Tree(u32),
    None,
}

pub fn watch(common: &CommonArgs, args: &WatchArgs) -> Result<i32> {
    let mut config = Reloading::new(&common.config)?;
    let mut limits = Limits::resolve(&args.limits, &config.config);
    let live = !common.json() && std::io::stdout().is_terminal();
    let mut sink = Sink::new(!live, args.out.as_deref())?;
    let records = if live {
        ptest_shared::stream::stdin(None)?.into_result()?
    } else {
        let mut out = ptest_shared::output::RecordWriter::stdout();
        ptest_shared::stream::stdin(Some(&mut out))?.into_result()?
    };
    let mut targets = targets(&records, &args.pids)?;
    if args.until_exit && targets.is_empty() {
        return Err(Error::usage(
            "--until-exit: nothing to wait for (no `proc` or `container` record on stdin, no --pid)",
        ));
    }
    if !args.no_host {
        targets.push((Watched::new("host", "host", Source::Host), Stop::None));
    }
    let signals = ptest_shared::interrupt::queue_all()?;
    let t0 = Instant::now();
    let own_at_start = crate::sample::own_cpu();
    let mut next = t0;
    let mut killed = Vec::new();
    let keep = limits.cpu_window + args.interval;
    loop {
        let now = Instant::now();
        for (w, stop) in targets.iter_mut() {
            let Some(rec) = w.sample(t0, now, keep) else {
                continue;
            };
            sink.write(&rec)?;
            if w.id == "host" {
                continue;
            }
            for c in limits.check(w, now.duration_since(t0)) {
                let kill = limits.kill && !matches!(stop, Stop::None);
                let rec = c.record(w, now.duration_since(t0), kill);
                let what = format!(
                    "{} ({}) crossed {}{}",
                    w.id,
                    w.name,
                    c.describe(),
                    if kill { ": stopping it" } else { "" }
                );
                crate::threshold::report(&config.config, &mut sink, &rec, &what)?;
                if kill {
                    end(stop);
                    killed.push(format!("{} ({})", w.id, c.describe()));
                }
            }
        }
        sink.flush()?;
        if live {
            crate::live::draw(
                &targets.iter().map(|(w, _)| w).collect::<Vec<_>>(),
                t0.elapsed(),
            );
        }
        let watched_gone = targets
            .iter()
            .filter(|(w, _)| w.id != "host")
            .all(|(w, _)| w.gone);
        if (args.until_exit && watched_gone) || args.duration.is_some_and(|d| t0.elapsed() >= d) {
            break;
        }
        next += args.interval;
        if next < Instant::now() {
            next = Instant::now() + args.interval;
        }
        let until = args.duration.map_or(next, |d| next.min(t0 + d));
        let mut stop = false;
        while let Some(sig) = signals.wait_until(until) {
            if sig == nix::libc::SIGHUP {
                config.refresh(true);
                limits = Limits::resolve(&args.limits, &config.config);
            } else {
                stop = true;
                break;
            }
        }
        if stop {
            break;
        }
        if config.refresh(false) {
            limits = Limits::resolve(&args.limits, &config.config);
        }
    }
    let wall = t0.elapsed();
    let monitor = crate::sample::monitor(own_at_start, wall, args.interval);
    for (w, _) in &targets {
        let mut s = summary(w, wall);
        s.set("monitor", monitor.clone());
        sink.write(&s)?;
    }
    sink.flush()?;
    if killed.is_empty() {
        Ok(0)
    } else {
        Err(Error::new(
            Exit::Threshold,
            format!("stopped for crossing a threshold: {}", killed.join(", ")),
        ))
    }
}

/// What each record of the stream (the registry's copy of it) and each
/// `--pid` gives to watch.
fn targets(records: &[Record], pids: &[u32]) -> Result<Vec<(Watched, Stop)>> {
    let mut out = Vec::new();
    let wanted: Vec<&Record> = records
        .iter()
        .filter(|r| {
            matches!(
                (r.kind(), r.tool()),
                ("proc", Some("ptest-proc")) | ("container", Some("ptest-docker"))
            )
        })
        .collect();
    if !wanted.is_empty() {
        let reg = Registry::open(&StateDir::open()?)?;
        let mut engine: Option<Rc<Engine>> = None;
        for rec in ptest_shared::teardown::registered(&reg, wanted)? {
            let id = rec.id().unwrap_or_default().to_owned();
            match rec.kind() {
                "proc" => {
                    let p: Proc = rec.typed()?;
                    let name = p.name.as_ref().map_or(id.clone(), |n| n.get().clone());
                    let Some(pid) = p.pid.map(|p| *p.get()) else {
                        eprintln!("ptest-mon: note: {id} has no process to watch");
                        continue;
                    };
                    let source = match p.cgroup {
                        Some(paths) if !paths.is_empty() => Source::cgroup(
                            Cgroup::from_paths(paths.into_iter().map(|p| p.into_inner()).collect()),
                            Some(pid),
                        ),
                        _ => Source::tree(pid, false),
                    };
                    out.push((
                        Watched::new(id.as_str(), name, source),
                        Stop::Tool("ptest-proc", id),
                    ));
                }
                _ => {
                    let c: Container = rec.typed()?;
                    let e = match &engine {
                        Some(e) => e.clone(),
                        None => engine.insert(Engine::connect()?).clone(),
                    };
                    let cid = c.container_id.get().clone();
                    let name = c.name.as_ref().map_or(id.clone(), |n| n.get().clone());
                    let source = match e
                        .pid_of(&cid)?
                        .and_then(|pid| Cgroup::of_pid(pid).map(|cgroup| (cgroup, pid)))
                    {
                        Some((cgroup, pid)) => Source::cgroup(cgroup, Some(pid)),
                        None => Source::Engine(Stats {
                            engine: e,
                            container_id: cid,
                        }),
                    };
                    out.push((
                        Watched::new(id.as_str(), name, source),
                        Stop::Tool("ptest-docker", id),
                    ));
                }
            }
        }
    }
    for &pid in pids {
        if !crate::source::alive(pid) {
            return Err(Error::no_input(format!("--pid {pid}: no such process")));
        }
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_else(|_| pid.to_string());
        out.push((
            Watched::new(format!("pid-{pid}"), name, Source::tree(pid, false)),
            Stop::Tree(pid),
        ));
    }
    Ok(out)
}

/// Ends what crossed a threshold.
fn end(stop: &Stop) {
    match stop {
        Stop::Tool(tool, id) => {
            let Some(path) = ptest_shared::tools::find(tool) else {
                eprintln!("ptest-mon: warning: cannot stop {id}: {tool} not found");
                return;
            };
            match ptest_shared::tools::call(
                &path,
                &["stop", id, "--grace", "0s"],
                None,
                Some(Duration::from_secs(30)),
            ) {
                Ok(a) if a.status.success() => {}
                Ok(a) => eprintln!("ptest-mon: warning: cannot stop {id}: {}", a.last_words()),
                Err(e) => eprintln!("ptest-mon: warning: cannot stop {id}: {e}"),
            }
        }
        Stop::Tree(pid) => {
            let mut all = crate::procfs::tree(*pid);
            all.reverse();
            for p in all {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(p as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
        Stop::None => {}
    }
}

/// What one resource cost while it was watched.
fn summary(w: &Watched, wall: Duration) -> Record {
    let mut rec = Record::new("summary");
    rec.set("tool", TOOL)
        .set("resource", w.id.as_str())
        .set("name", w.name.as_str())
        .set("wall_seconds", round3(wall.as_secs_f64()))
        .set("memory_peak", w.memory_peak)
        .set(
            "memory_peak_source",
            match &w.source {
                Source::Cgroup { .. } => "cgroup",
                _ => "sampled",
            },
        )
        .set("procs_peak", w.procs_peak)
        .set("samples", w.samples)
        .set("source", w.source.name())
        .set("gone", w.gone);
    rec.set("oom_kills", w.source.oom_kills());
    rec
}
