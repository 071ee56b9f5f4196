//! A resource being sampled: its readings turned into `sample` records,
//! with what a summary and the thresholds need (peaks, CPU over a window),
//! and where the records go ([`Sink`]).

use crate::source::{Reading, Source};
use ptest_shared::kinds::ThresholdName;
use ptest_shared::output::RecordWriter;
use ptest_shared::{Error, Record, Result};
use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

pub const TOOL: &str = "ptest-mon";

/// One resource under watch.
#[derive(Debug)]
pub struct Watched {
    /// The id samples are tagged with (`mon-…`, `proc-…`, `pid-N`, `host`).
    pub id: String,
    pub name: String,
    pub source: Source,
    /// The first reading: I/O counts from it.
    first: Option<Reading>,
    /// When each CPU total was read, as long as the longest window needs.
    cpu_history: VecDeque<(Instant, Duration)>,
    pub last: Option<Reading>,
    /// The CPU of the last sample, percent of one CPU.
    pub cpu: Option<f64>,
    pub memory_peak: u64,
    pub procs_peak: u64,
    pub samples: u64,
    pub gone: bool,
    /// Thresholds already crossed (each is reported once).
    pub crossed: BTreeSet<ThresholdName>,
}

impl Watched {
    pub fn new(id: impl Into<String>, name: impl Into<String>, source: Source) -> Watched {
        Watched {
            id: id.into(),
            name: name.into(),
            source,
            first: None,
            cpu_history: VecDeque::new(),
            last: None,
            cpu: None,
            memory_peak: 0,
            procs_peak: 0,
            samples: 0,
            gone: false,
            crossed: BTreeSet::new(),
        }
    }

    /// Reads the resource and makes its `sample` record; `None` once it is
    /// gone (and from then on).
    pub fn sample(&mut self, t0: Instant, now: Instant, keep: Duration) -> Option<Record> {
        if self.gone {
            return None;
        }
        let Some(r) = self.source.read() else {
            self.gone = true;
            return None;
        };
        let first = self.first.get_or_insert_with(|| r.clone()).clone();
        let mut rec = Record::new("sample");
        rec.set("tool", TOOL)
            .set("resource", self.id.as_str())
            .set("name", self.name.as_str())
            .set("t", ptest_shared::record::now_rfc3339())
            .set("elapsed", round3(now.duration_since(t0).as_secs_f64()))
            .set("source", self.source.name())
            .set("memory", r.memory);
        if let Some(p) = r.memory_peak {
            rec.set("memory_peak", p);
        }
        if let Some((at, cpu)) = self.cpu_history.back() {
            let wall = now.duration_since(*at).as_secs_f64();
            if wall > 0.0 {
                let used = r.cpu().saturating_sub(*cpu).as_secs_f64();
                self.cpu = Some(round3(100.0 * used / wall));
                rec.set("cpu", self.cpu);
            }
        }
        rec.set("procs", r.procs)
            .set("io_read", r.io_read.saturating_sub(first.io_read))
            .set("io_write", r.io_write.saturating_sub(first.io_write));
        if let Some(p) = r.pressure {
            let mut psi = serde_json::Map::new();
            for (k, v) in ["cpu", "memory", "io"].iter().zip(p) {
                if let Some(v) = v {
                    psi.insert((*k).into(), round3(v).into());
                }
            }
            rec.set("psi", psi);
        }
        if let Some((total, cpus, load)) = r.host {
            rec.set("memory_total", total)
                .set("cpus", cpus)
                .set("load", round3(load));
        }
        self.cpu_history.push_back((now, r.cpu()));
        while self
            .cpu_history
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > keep)
            && self.cpu_history.len() > 2
        {
            self.cpu_history.pop_front();
        }
        self.memory_peak = self
            .memory_peak
            .max(r.memory)
            .max(r.memory_peak.unwrap_or(0));
        self.procs_peak = self.procs_peak.max(r.procs);
        self.samples += 1;
        self.last = Some(r);
        Some(rec)
    }

    /// CPU in percent of one CPU over the last `window`, once that much
    /// has been watched.
    pub fn cpu_over(&self, window: Duration) -> Option<f64> {
        let (now, last) = *self.cpu_history.back()?;
        let (at, then) = self
            .cpu_history
            .iter()
            .rev()
            .find(|(at, _)| now.duration_since(*at) >= window)?;
        let wall = now.duration_since(*at).as_secs_f64();
        (wall > 0.0).then(|| 100.0 * last.saturating_sub(*then).as_secs_f64() / wall)
    }
}

/// ptest mon's own CPU time so far.
pub fn own_cpu() -> Duration {
    crate::source::rusage(nix::sys::resource::UsageWho::RUSAGE_SELF)
        .map(|u| u.user + u.system)
        .unwrap_or_default()
}

/// What ptest mon itself cost, for a summary: all its CPU time, the share
/// of one CPU it took while sampling (since `at_start`, over `wall`, at
/// least one `interval`: a run shorter than that was sampled once), and
/// its peak memory.
pub fn monitor(at_start: Duration, wall: Duration, interval: Duration) -> serde_json::Value {
    let all = own_cpu();
    let sampling = all.saturating_sub(at_start).as_secs_f64();
    let over = wall.max(interval).as_secs_f64().max(1e-3);
    serde_json::json!({
        "cpu_seconds": round3(all.as_secs_f64()),
        "cpu_percent": round3(100.0 * sampling / over),
        "memory_peak": crate::procfs::own_peak_rss(),
    })
}

pub fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

/// Where records go: stdout (with `--json`) and `--out FILE`, flushed
/// after each round of samples so that a reader sees them as they come.
pub struct Sink {
    stdout: Option<RecordWriter>,
    file: Option<(std::io::BufWriter<std::fs::File>, std::path::PathBuf)>,
}

impl Sink {
    pub fn new(stdout: bool, out: Option<&Path>) -> Result<Sink> {
        let file = match out {
            Some(p) => {
                let f = std::fs::File::create(p)
                    .map_err(|e| Error::cant_create(format!("--out {}: {e}", p.display())))?;
                Some((std::io::BufWriter::new(f), p.to_owned()))
            }
            None => None,
        };
        Ok(Sink {
            stdout: stdout.then(RecordWriter::stdout),
            file,
        })
    }

    pub fn write(&mut self, rec: &Record) -> Result<()> {
        if let Some(o) = &mut self.stdout {
            o.write(rec)?;
        }
        if let Some((f, p)) = &mut self.file {
            let mut line = rec.to_line();
            line.push('\n');
            f.write_all(line.as_bytes())
                .map_err(|e| Error::from_io(format!("--out {}", p.display()), &e))?;
        }
        Ok(())
    }

    pub fn flush(&mut self) -> Result<()> {
        if let Some((f, p)) = &mut self.file {
            f.flush()
                .map_err(|e| Error::from_io(format!("--out {}", p.display()), &e))?;
        }
        Ok(())
    }

    pub fn to_stdout(&self) -> bool {
        self.stdout.is_some()
    }
}
