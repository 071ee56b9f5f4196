//! Reading a cgroup's usage again and again, cheaply: a [`Meter`] finds
//! each counter's file once; each reading is then one open and one read per
//! file into a buffer it keeps (`ptest mon` samples at 10 Hz, and its own
//! cost must stay near nothing).

use super::*;
use std::io::Read;

/// Where each counter of one cgroup is.
#[derive(Debug)]
pub struct Meter {
    version: CgroupVersion,
    memory_current: Option<PathBuf>,
    memory_peak: Option<PathBuf>,
    /// v1 `cpuacct.usage_user` and `cpuacct.usage_sys` (ns); v2 `cpu.stat`.
    cpu: Vec<PathBuf>,
    io: Option<PathBuf>,
    /// `cgroup.procs` of the directory that tracks the processes.
    procs: Option<PathBuf>,
    /// v2 `cpu.pressure`, `memory.pressure`, `io.pressure`.
    pressure: [Option<PathBuf>; 3],
    buf: Vec<u8>,
}

/// One reading of a cgroup by a [`Meter`]. `None`: not counted here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    pub memory: Option<u64>,
    pub memory_peak: Option<u64>,
    /// CPU time in user and in system mode.
    pub cpu: Option<(Duration, Duration)>,
    pub io: Option<(u64, u64)>,
    /// Processes in the cgroup itself (not in cgroups made below it).
    pub procs: Option<u64>,
    pub pressure: Option<[Option<f64>; 3]>,
}

impl Cgroup {
    /// A [`Meter`] of this cgroup: each counter's file, found once.
    pub fn meter(&self) -> Meter {
        let find = |name: &str| self.dir_with(name).map(|d| d.join(name));
        let v2 = self.version == CgroupVersion::V2;
        let cpu = if v2 {
            find("cpu.stat").into_iter().collect()
        } else {
            match (find("cpuacct.usage_user"), find("cpuacct.usage_sys")) {
                (Some(u), Some(s)) => vec![u, s],
                _ => find("cpuacct.stat").into_iter().collect(),
            }
        };
        let tracking = if v2 {
            self.dirs.first().cloned()
        } else {
            // The pids hierarchy, where mounted, is the one every process joins.
            self.dirs
                .iter()
                .find(|d| d.join("pids.current").exists())
                .or(self.dirs.first())
                .cloned()
        };
        Meter {
            version: self.version,
            memory_current: find(if v2 {
                "memory.current"
            } else {
                "memory.usage_in_bytes"
            }),
            memory_peak: find(if v2 {
                "memory.peak"
            } else {
                "memory.max_usage_in_bytes"
            }),
            cpu,
            io: if v2 {
                find("io.stat")
            } else {
                find("blkio.throttle.io_service_bytes_recursive")
                    .or_else(|| find("blkio.throttle.io_service_bytes"))
            },
            procs: tracking.map(|d| d.join("cgroup.procs")),
            pressure: ["cpu", "memory", "io"].map(|r| {
                if v2 {
                    find(&format!("{r}.pressure"))
                } else {
                    None
                }
            }),
            buf: Vec::with_capacity(4096),
        }
    }
}

impl Meter {
    /// Reads every counter now; `None` for each one that could not be read
    /// (all of them once the cgroup is gone).
    pub fn read(&mut self) -> Usage {
        let buf = &mut self.buf;
        let v2 = self.version == CgroupVersion::V2;
        let mut number = |p: Option<&PathBuf>| text(buf, p?)?.trim().parse::<u64>().ok();
        let memory = number(self.memory_current.as_ref());
        let memory_peak = number(self.memory_peak.as_ref());
        let cpu = match self.cpu.as_slice() {
            [user, sys] => number(Some(user))
                .zip(number(Some(sys)))
                .map(|(u, s)| (Duration::from_nanos(u), Duration::from_nanos(s))),
            [stat] if v2 => text(buf, stat).and_then(parse_cpu_stat_split),
            [stat] => text(buf, stat).and_then(|t| parse_cpuacct_stat(t, clock_ticks())),
            _ => None,
        };
        let io = self.io.as_ref().and_then(|p| {
            text(buf, p).map(|t| {
                if v2 {
                    parse_io_stat(t)
                } else {
                    parse_blkio_bytes(t)
                }
            })
        });
        let procs = self
            .procs
            .as_ref()
            .and_then(|p| text(buf, p).map(|t| t.lines().filter(|l| !l.is_empty()).count() as u64));
        let pressure = self.pressure.iter().any(Option::is_some).then(|| {
            self.pressure.each_ref().map(|f| {
                f.as_ref()
                    .and_then(|p| text(buf, p).and_then(parse_psi_some_avg10))
            })
        });
        Usage {
            memory,
            memory_peak,
            cpu,
            io,
            procs,
            pressure,
        }
    }
}

/// A counter file's text, read into `buf` (kept from reading to reading).
fn text<'b>(buf: &'b mut Vec<u8>, path: &Path) -> Option<&'b str> {
    buf.clear();
    let mut f = fs::File::open(path).ok()?;
    // One read is the whole of a counter file; read on while it fills.
    loop {
        let len = buf.len();
        buf.resize(len + 4096, 0);
        let n = f.read(&mut buf[len..]).ok()?;
        buf.truncate(len + n);
        if n == 0 || n < 4096 {
            break;
        }
    }
    std::str::from_utf8(buf).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v2_cgroup_is_read_from_the_files_found_once() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("cg");
        fs::create_dir(&d).unwrap();
        for (f, t) in [
            ("cgroup.controllers", "memory pids cpu io\n"),
            ("memory.current", "4096\n"),
            ("memory.peak", "8192\n"),
            ("cpu.stat", "usage_usec 30\nuser_usec 20\nsystem_usec 10\n"),
            ("io.stat", "8:0 rbytes=5 wbytes=6 rios=1 wios=1\n"),
            ("cgroup.procs", "1\n2\n3\n"),
            (
                "memory.pressure",
                "some avg10=2.50 avg60=0 avg300=0 total=1\n",
            ),
        ] {
            fs::write(d.join(f), t).unwrap();
        }
        let mut m = Cgroup::from_paths(vec![d.clone()]).meter();
        let u = m.read();
        assert_eq!(
            u,
            Usage {
                memory: Some(4096),
                memory_peak: Some(8192),
                cpu: Some((Duration::from_micros(20), Duration::from_micros(10))),
                io: Some((5, 6)),
                procs: Some(3),
                pressure: Some([None, Some(2.5), None]),
            }
        );
        fs::write(d.join("memory.current"), "1\n").unwrap();
        assert_eq!(m.read().memory, Some(1), "read again, not cached");
        fs::remove_dir_all(&d).unwrap();
        assert_eq!(m.read().memory, None, "gone");
    }

    #[test]
    fn a_v1_cgroup_is_read_across_its_hierarchies() {
        let tmp = tempfile::tempdir().unwrap();
        let (mem, acct, pids) = (
            tmp.path().join("m"),
            tmp.path().join("a"),
            tmp.path().join("p"),
        );
        for (d, files) in [
            (
                &mem,
                &[
                    ("memory.usage_in_bytes", "100\n"),
                    ("memory.max_usage_in_bytes", "200\n"),
                ][..],
            ),
            (
                &acct,
                &[
                    ("cpuacct.usage_user", "3000000000\n"),
                    ("cpuacct.usage_sys", "1000000000\n"),
                ][..],
            ),
            (
                &pids,
                &[("pids.current", "2\n"), ("cgroup.procs", "7\n8\n")][..],
            ),
        ] {
            fs::create_dir(d).unwrap();
            for (f, t) in files {
                fs::write(d.join(f), t).unwrap();
            }
        }
        fs::write(mem.join("cgroup.procs"), "7\n").unwrap();
        let mut m = Cgroup::from_paths(vec![mem, acct, pids]).meter();
        let u = m.read();
        assert_eq!(u.memory, Some(100));
        assert_eq!(u.memory_peak, Some(200));
        assert_eq!(
            u.cpu,
            Some((Duration::from_secs(3), Duration::from_secs(1)))
        );
        assert_eq!(u.procs, Some(2), "counted where pids are tracked");
        assert_eq!(u.io, None);
        assert_eq!(u.pressure, None);
    }
}
