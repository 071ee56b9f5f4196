//! Thresholds: the limits a watched resource must stay within, from the
//! flags over `[mon]` in ptest.toml (re-read on SIGHUP and when the file
//! changes), checked at each sample; a crossing is a `threshold` record,
//! the `mon.threshold` hook, and with `--kill` the end of what crossed it.

use crate::LimitArgs;
use crate::sample::{TOOL, Watched, round3};
use ptest_shared::config::Config;
use ptest_shared::kinds::ThresholdName;
use ptest_shared::units::{format_duration, format_size};
use ptest_shared::{Record, Result};
use std::time::Duration;

/// The limits in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub memory: Option<u64>,
    pub cpu: Option<f64>,
    pub cpu_window: Duration,
    pub procs: Option<u64>,
    pub duration: Option<Duration>,
    pub kill: bool,
}

impl Limits {
    /// The flags, and where one is not given, `[mon]`'s setting.
    pub fn resolve(args: &LimitArgs, config: &Config) -> Limits {
        let positive = |n: i64| u64::try_from(n).ok().filter(|n| *n > 0);
        Limits {
            memory: args
                .max_memory
                .or_else(|| positive(config.integer("mon.max-memory"))),
            cpu: args
                .max_cpu
                .or_else(|| positive(config.integer("mon.max-cpu")).map(|n| n as f64)),
            cpu_window: args
                .cpu_window
                .unwrap_or_else(|| config.duration("mon.cpu-window"))
                .max(Duration::from_millis(10)),
            procs: args
                .max_procs
                .or_else(|| positive(config.integer("mon.max-procs"))),
            duration: args
                .max_duration
                .or_else(|| Some(config.duration("mon.max-duration")).filter(|d| !d.is_zero())),
            kill: args.kill || config.bool("mon.kill"),
        }
    }

    /// The thresholds `w` crosses now, each once; `elapsed` is how long it
    /// has been watched.
    pub fn check(&self, w: &mut Watched, elapsed: Duration) -> Vec<Crossed> {
        let mut out = Vec::new();
        let Some(r) = &w.last else { return out };
        let memory = r.memory.max(r.memory_peak.unwrap_or(0));
        let mut seen = |name, limit: Option<f64>, value: Option<f64>| {
            if let (Some(limit), Some(value)) = (limit, value)
                && value > limit
                && w.crossed.insert(name)
            {
                out.push(Crossed { name, limit, value });
            }
        };
        seen(
            ThresholdName::MaxMemory,
            self.memory.map(|m| m as f64),
            Some(memory as f64),
        );
        seen(
            ThresholdName::MaxProcs,
            self.procs.map(|p| p as f64),
            Some(r.procs as f64),
        );
        seen(
            ThresholdName::MaxDuration,
            self.duration.map(|d| d.as_secs_f64()),
            Some(elapsed.as_secs_f64()),
        );
        let cpu = w.cpu_over(self.cpu_window);
        let mut seen_cpu = |limit: Option<f64>| {
            if let (Some(limit), Some(value)) = (limit, cpu)
                && value > limit
                && w.crossed.insert(ThresholdName::MaxCpu)
            {
                out.push(Crossed {
                    name: ThresholdName::MaxCpu,
                    limit,
                    value,
                });
            }
        };
        seen_cpu(self.cpu);
        out
    }

    /// The limits as JSON, for the summary.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "max-memory": self.memory,
            "max-cpu": self.cpu,
            "cpu-window": format_duration(self.cpu_window),
            "max-procs": self.procs,
            "max-duration": self.duration.map(format_duration),
            "kill": self.kill,
        })
    }
}

/// A threshold crossed: its limit and the value seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossed {
    pub name: ThresholdName,
    pub limit: f64,
    pub value: f64,
}

impl Crossed {
    /// `--max-memory 512.0M (reached 600.2M)`.
    pub fn describe(&self) -> String {
        let show = |x: f64| match self.name {
            ThresholdName::MaxMemory => format_size(x as u64),
            ThresholdName::MaxCpu => format!("{x:.0}%"),
            ThresholdName::MaxProcs => format!("{x:.0}"),
            ThresholdName::MaxDuration => {
                format_duration(Duration::from_millis((x * 1e3).round() as u64))
            }
        };
        format!(
            "--{} {} (reached {})",
            self.name.as_str(),
            show(self.limit),
            show(self.value)
        )
    }

    pub fn record(&self, w: &Watched, elapsed: Duration, killed: bool) -> Record {
        let mut rec = Record::new("threshold");
        rec.set("tool", TOOL)
            .set("resource", w.id.as_str())
            .set("name", w.name.as_str())
            .set("threshold", self.name.as_str())
            .set("limit", self.limit)
            .set("value", round3(self.value))
            .set("t", ptest_shared::record::now_rfc3339())
            .set("elapsed", round3(elapsed.as_secs_f64()))
            .set("killed", killed);
        rec
    }
}

/// Reports a crossing: the record, then the `mon.threshold` hook (a
/// failing hook is reported and changes nothing).
pub fn report(
    config: &Config,
    sink: &mut crate::sample::Sink,
    rec: &Record,
    what: &str,
) -> Result<()> {
    eprintln!("ptest-mon: {what}");
    sink.write(rec)?;
    sink.flush()?;
    ptest_shared::hooks::post(config, "mon.threshold", rec);
    Ok(())
}

/// A config that reloads itself when its files change or SIGHUP asks;
/// a file made bad meanwhile keeps the last good one (with a warning).
pub struct Reloading {
    overrides: Vec<String>,
    pub config: Config,
    /// A bad file was reported; said once until a load succeeds.
    warned: bool,
    /// When the files were last looked at: once a second is enough.
    looked: std::time::Instant,
}

impl Reloading {
    pub fn new(overrides: &[String]) -> Result<Reloading> {
        Ok(Reloading {
            overrides: overrides.to_vec(),
            config: Config::load(overrides)?,
            warned: false,
            looked: std::time::Instant::now(),
        })
    }

    /// Reloads when `forced` (SIGHUP) or a file changed (looked at once a
    /// second at most); true when it did.
    pub fn refresh(&mut self, forced: bool) -> bool {
        if !forced {
            if self.looked.elapsed() < Duration::from_secs(1) {
                return false;
            }
            self.looked = std::time::Instant::now();
            if !self.config.files_changed() {
                return false;
            }
        }
        match Config::load(&self.overrides) {
            Ok(c) => {
                self.config = c;
                self.warned = false;
                true
            }
            Err(e) => {
                if !std::mem::replace(&mut self.warned, true) {
                    eprintln!(
                        "ptest-mon: warning: configuration not reloaded, keeping the last good one: {}",
                        e.message
                    );
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn limits() -> Limits {
        Limits {
            memory: Some(1000),
            cpu: Some(50.0),
            cpu_window: Duration::from_millis(1),
            procs: Some(3),
            duration: Some(Duration::from_secs(10)),
            kill: false,
        }
    }

    #[test]
    fn each_threshold_is_crossed_once() {
        let me = std::process::id();
        let mut w = Watched::new(
            "pid-1",
            "x",
            Source::cgroup(ptest_shared::cgroup::Cgroup::from_paths(vec![]), Some(me)),
        );
        w.last = Some(crate::source::Reading {
            memory: 10,
            memory_peak: Some(2000),
            procs: 4,
            ..Default::default()
        });
        let l = limits();
        let c = l.check(&mut w, Duration::from_secs(11));
        let names: Vec<_> = c.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            vec![
                ThresholdName::MaxMemory,
                ThresholdName::MaxProcs,
                ThresholdName::MaxDuration
            ],
            "a peak between samples counts; no CPU figure yet"
        );
        assert_eq!(c[0].value, 2000.0);
        assert!(c[0].describe().starts_with("--max-memory 1000B (reached"));
        assert!(l.check(&mut w, Duration::from_secs(12)).is_empty());
    }
}
