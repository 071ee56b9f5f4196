//! Reading a cgroup's usage again and again, cheaply: a [`Meter`] finds
//! and opens each counter's file once; each reading is then one `pread` at
//! offset 0 per file (the kernel makes the text anew) into a buffer it
//! keeps (`ptest mon` samples at 10 Hz, and its own cost must stay near
//! nothing).

use super::*;
use std::os::unix::fs::FileExt;

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
    /// The files opened so far, by path.
    open: Vec<(PathBuf, fs::File)>,
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
            open: Vec::new(),
            buf: Vec::with_capacity(4096),
        }
    }
}

impl Meter {
    /// Reads every counter now; `None` for each one that could not be read
    /// (all of them once the cgroup is gone).
    pub fn read(&mut self) -> Usage {
        let buf = &mut Reader {
            buf: &mut self.buf,
            open: &mut self.open,
        };
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
        // v1 makes a cgroup.procs list once per open file: open it anew.
        let procs = self.procs.as_ref().and_then(|p| {
            let n = text(buf, p).map(|t| t.lines().filter(|l| !l.is_empty()).count() as u64);
            buf.open.retain(|(q, _)| q != p);
            n
        });
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

/// The buffer and the open files of a [`Meter`], lent to one reading.
struct Reader<'a> {
    buf: &'a mut Vec<u8>,
    open: &'a mut Vec<(PathBuf, fs::File)>,
}

/// A counter file's text, read from offset 0 of the file kept open (opened
/// on first use) into the kept buffer. A file that cannot be read any more
/// (its cgroup is gone) is closed.
fn text<'b>(r: &'b mut Reader, path: &Path) -> Option<&'b str> {
    let i = match r.open.iter().position(|(p, _)| p == path) {
        Some(i) => i,
        None => {
            let f = fs::File::open(path).ok()?;
            r.open.push((path.to_owned(), f));
            r.open.len() - 1
        }
    };
    r.buf.clear();
    // One read is the whole of a counter file; read on while it fills.
    loop {
        let len = r.buf.len();
        r.buf.resize(len + 4096, 0);
        match r.open[i].1.read_at(&mut r.buf[len..], len as u64) {
            Ok(n) => {
                r.buf.truncate(len + n);
                if n < 4096 {
                    break;
                }
            }
            Err(_) => {
                r.open.remove(i);
                return None;
            }
        }
    }
    std::str::from_utf8(r.buf).ok()
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
        let mut fresh = Cgroup::from_paths(vec![d]).meter();
        assert_eq!(fresh.read(), Usage::default(), "gone");
    }

    /// The kernel's own files, kept open: each reading is new, and a
    /// cgroup removed reads as gone. (The suite runs as root, where a
    /// cgroup can be made.)
    #[test]
    fn a_real_cgroup_read_through_open_files_follows_it_and_its_end() {
        let name = format!("ptest-meter-test-{}", std::process::id());
        let cg = Cgroup::create(&name, &Limits::default())
            .unwrap_or_else(|u| panic!("the tests need a cgroup: {u}"));
        let mut m = cg.meter();
        let before = m.read();
        assert_eq!(before.procs, Some(0), "{before:?}");
        assert!(
            before.memory.is_some() && before.cpu.is_some(),
            "{before:?}"
        );
        // Killed however the test ends, so that a failure leaves no busy loop.
        struct Busy(std::process::Child);
        impl Drop for Busy {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }
        let child = Busy(
            std::process::Command::new("sh")
                .args(["-c", "while :; do :; done"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        );
        cg.add_pid(child.0.id()).unwrap();
        let first = m.read();
        assert_eq!(first.procs, Some(1), "{first:?}");
        std::thread::sleep(Duration::from_millis(300));
        let second = m.read();
        let cpu = |u: &Usage| u.cpu.map(|(a, b)| a + b).unwrap();
        assert!(
            cpu(&second) > cpu(&first) + Duration::from_millis(50),
            "read anew from the open file: {first:?} then {second:?}"
        );
        drop(child);
        cg.kill_all(Duration::from_secs(5)).unwrap();
        cg.remove().unwrap();
        let after = m.read();
        assert_eq!((after.memory, after.procs), (None, None), "{after:?}");
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
