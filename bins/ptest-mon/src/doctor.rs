//! `ptest mon doctor`: what can be measured here — a cgroup for `run` and
//! the counters it gives, `/proc` for trees, pressure stall information,
//! and the Docker engine for containers. What it makes to find out, it
//! removes.

use ptest_shared::Result;
use ptest_shared::cgroup::Cgroup;
use ptest_shared::checks::{Check, report};

pub fn run(json: bool) -> Result<i32> {
    let mut checks = cgroup_checks();
    checks.push(proc_check());
    checks.push(psi_check());
    checks.push(engine_check());
    report(json, &checks)
}

fn cgroup_checks() -> Vec<Check> {
    let name = format!("ptest-mon-doctor-{}", ptest_shared::record::random_hex(6));
    match Cgroup::create(&name, &Default::default()) {
        Err(u) => vec![Check::fail(
            "counters.cgroup",
            format!(
                "no cgroup for `ptest mon run`: {} (trees are followed through /proc instead, and a peak between samples can be missed)",
                u.reason
            ),
            u.hint,
        )],
        Ok(c) => {
            let s = c.stats();
            let _ = c.remove();
            let mut have = Vec::new();
            let mut missing = Vec::new();
            for (what, ok) in [
                ("memory peak", s.memory_peak.is_some()),
                ("memory", s.memory_current.is_some()),
                ("CPU user/system", s.cpu_split.is_some()),
                ("processes", s.pids_current.is_some()),
                ("I/O bytes", s.io_bytes.is_some()),
                ("OOM kills", s.oom_kills.is_some()),
            ] {
                if ok {
                    have.push(what)
                } else {
                    missing.push(what)
                }
            }
            let detail = format!(
                "{} cgroup for `ptest mon run`; counters: {}{}",
                c.version(),
                have.join(", "),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!("; not here: {}", missing.join(", "))
                }
            );
            let check = if s.memory_peak.is_some() {
                Check::ok("counters.cgroup", detail)
            } else {
                Check::fail(
                    "counters.cgroup",
                    detail,
                    "the kernel keeps no memory peak here (cgroup v2 before Linux 5.19): the peak is sampled",
                )
            };
            vec![check.with("version", c.version().as_str())]
        }
    }
}

fn proc_check() -> Check {
    let me = std::process::id();
    let children = std::path::Path::new(&format!("/proc/{me}/task/{me}/children")).exists();
    let io = std::fs::read_to_string("/proc/self/io").is_ok();
    if children && io {
        Check::ok(
            "counters.proc",
            "/proc has each task's children and I/O: trees are followed at the cost of their size",
        )
    } else {
        Check::fail(
            "counters.proc",
            format!(
                "/proc lacks {}",
                if children {
                    "/proc/PID/io"
                } else {
                    "the children files (CONFIG_PROC_CHILDREN)"
                }
            ),
            "use a kernel with CONFIG_PROC_CHILDREN and task I/O accounting, or run in a cgroup",
        )
    }
}

fn psi_check() -> Check {
    if std::path::Path::new("/proc/pressure/cpu").exists() {
        Check::ok(
            "counters.psi",
            "pressure stall information is in samples (host, and cgroup v2)",
        )
    } else {
        Check::fail(
            "counters.psi",
            "no pressure stall information (/proc/pressure)",
            "boot with psi=1 (Linux 4.20+) to see CPU, memory and I/O pressure in samples",
        )
    }
}

fn engine_check() -> Check {
    match crate::engine::Engine::connect() {
        Ok(_) => Check::ok(
            "counters.engine",
            "a Docker engine answers: containers can be watched",
        ),
        Err(e) => Check::fail(
            "counters.engine",
            format!(
                "no Docker engine: containers cannot be watched ({})",
                e.message
            ),
            e.hint.unwrap_or_default(),
        ),
    }
}
