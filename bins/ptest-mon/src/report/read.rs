//! Reading sample files into a [`Dataset`].
//!
//! Files are read line by line. Of each resource only what the figures need
//! is kept: one compact row per sample (time, elapsed and six numbers), its
//! threshold records and its last summary. Records of other kinds pass
//! unread; a malformed line stops the report with 65, naming file and line.

use ptest_shared::kinds::{Sample, Summary, Threshold, ThresholdName};
use ptest_shared::stream::MAX_LINE;
use ptest_shared::{Error, Record, Result};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// The figures of one sample: `v` holds [`MEMORY`] … [`IO_WRITE`], NaN
/// where the sample has none (a measure is never NaN, so that is
/// unambiguous and keeps a row at 64 bytes).
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    /// Microseconds since the Unix epoch (`t`).
    t: i64,
    pub(super) elapsed: f64,
    pub(super) v: [f64; 6],
}

pub(super) const MEMORY: usize = 0;
pub(super) const MEMORY_PEAK: usize = 1;
pub(super) const CPU: usize = 2;
pub(super) const PROCS: usize = 3;
pub(super) const IO_READ: usize = 4;
pub(super) const IO_WRITE: usize = 5;

/// A threshold record, as reported.
#[derive(Debug, Clone)]
pub(super) struct Crossed {
    pub(super) threshold: ThresholdName,
    pub(super) limit: f64,
    pub(super) value: f64,
    pub(super) t: Option<String>,
    pub(super) elapsed: Option<f64>,
    pub(super) killed: Option<bool>,
}

/// Everything read about one resource.
#[derive(Debug, Default)]
pub(super) struct Resource {
    pub(super) id: String,
    pub(super) name: Option<String>,
    /// Sorted by `t` (then elapsed) once every file is read.
    pub(super) rows: Vec<Row>,
    /// The last summary read, typed and as its fields.
    pub(super) summary: Option<(Summary, Map<String, Value>)>,
    pub(super) thresholds: Vec<Crossed>,
    /// The samples' `source` (`cgroup`, `proc`…), the last one given.
    pub(super) source: Option<String>,
}

impl Resource {
    fn is_host(&self) -> bool {
        self.id == "host"
    }

    /// What people call it: its name, else its id.
    pub(super) fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// `name (id)`, or the id alone when that is all there is.
    pub(super) fn title(&self) -> String {
        match &self.name {
            Some(n) if n != &self.id => format!("{n} ({})", self.id),
            _ => self.id.clone(),
        }
    }

    /// `(elapsed, value)` of a column, in order, where the sample has one.
    pub(super) fn column(&self, col: usize) -> Vec<(f64, f64)> {
        self.rows
            .iter()
            .filter(|r| !r.v[col].is_nan())
            .map(|r| (r.elapsed, r.v[col]))
            .collect()
    }
}

/// The resources of a set of files, in the order first seen, host last.
#[derive(Debug, Default)]
pub(super) struct Dataset {
    pub(super) resources: Vec<Resource>,
    index: HashMap<String, usize>,
}

impl Dataset {
    fn entry(&mut self, id: &str, name: Option<&str>) -> &mut Resource {
        let i = match self.index.get(id) {
            Some(&i) => i,
            None => {
                self.resources.push(Resource {
                    id: id.to_owned(),
                    ..Resource::default()
                });
                self.index.insert(id.to_owned(), self.resources.len() - 1);
                self.resources.len() - 1
            }
        };
        let r = &mut self.resources[i];
        if r.name.is_none()
            && let Some(n) = name.filter(|n| !n.is_empty())
        {
            r.name = Some(n.to_owned());
        }
        r
    }

    /// Sorts every resource's samples by time and puts the host last.
    fn finish(&mut self) {
        for r in &mut self.resources {
            r.rows
                .sort_by(|a, b| a.t.cmp(&b.t).then(a.elapsed.total_cmp(&b.elapsed)));
        }
        // A stable sort: the others keep the order they were first seen in.
        self.resources.sort_by_key(Resource::is_host);
        self.index.clear();
    }
}

pub(super) fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// How a file is named in messages (`stdin` for `-`).
pub(super) fn display_name(p: &Path) -> String {
    if is_stdin(p) {
        "stdin".into()
    } else {
        p.display().to_string()
    }
}

/// Reads `files` into one dataset: 66 for a file that cannot be opened, 65
/// for a malformed line or for files without any sample.
pub(super) fn load(files: &[PathBuf]) -> Result<Dataset> {
    let mut ds = Dataset::default();
    let mut without = Vec::new();
    for p in files {
        let name = display_name(p);
        let samples = if is_stdin(p) {
            read_records(std::io::stdin().lock(), &name, &mut ds)?
        } else {
            read_records(std::io::BufReader::new(open(p)?), &name, &mut ds)?
        };
        if samples == 0 {
            without.push(name);
        }
    }
    if !without.is_empty() {
        return Err(
            Error::data(format!("no sample records in {}", without.join(", ")))
                .hint("give the files `ptest mon run --out` or `ptest mon watch --out` wrote"),
        );
    }
    ds.finish();
    Ok(ds)
}

/// Opens an input file: a missing or unreadable one (or a directory) is 66.
fn open(p: &Path) -> Result<std::fs::File> {
    let what = format!("cannot read {}", p.display());
    let f = std::fs::File::open(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
            Error::no_input(format!("{what}: {e}"))
        }
        _ => Error::from_io(&what, &e),
    })?;
    match f.metadata() {
        Ok(m) if m.is_dir() => Err(Error::no_input(format!("{what}: it is a directory"))),
        _ => Ok(f),
    }
}

/// Reads the records of one input, keeping samples, thresholds and
/// summaries in `ds`; returns how many samples it held. A last line
/// without its newline is read like any other.
fn read_records<R: BufRead>(mut input: R, source: &str, ds: &mut Dataset) -> Result<usize> {
    let mut buf = Vec::new();
    let mut lineno = 0usize;
    let mut samples = 0usize;
    loop {
        buf.clear();
        let n = match input.by_ref().take(MAX_LINE).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(format!("cannot read {source}: {e}"))),
        };
        if n == 0 {
            return Ok(samples);
        }
        lineno += 1;
        if n as u64 == MAX_LINE && buf.last() != Some(&b'\n') {
            return Err(Error::data(format!(
                "{source}:{lineno}: a line longer than {} MiB is not a record",
                MAX_LINE >> 20
            )));
        }
        let mut line = &buf[..];
        if let Some(l) = line.strip_suffix(b"\n") {
            line = l.strip_suffix(b"\r").unwrap_or(l);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = std::str::from_utf8(line)
            .map_err(|e| Error::data(format!("{source}:{lineno}: not UTF-8: {e}")))?;
        let rec = Record::parse(line, source, lineno)?;
        let at = |e: Error| Error::data(format!("{source}:{lineno}: {}", e.message));
        match rec.kind() {
            "sample" => {
                let s: Sample = rec.typed().map_err(at)?;
                let opt = |a: Option<ptest_shared::kinds::Amount>| a.map_or(f64::NAN, |a| a.get());
                let row = Row {
                    t: s.t.get().as_microsecond(),
                    elapsed: s.elapsed.get(),
                    v: [
                        opt(s.memory),
                        opt(s.memory_peak),
                        opt(s.cpu),
                        opt(s.procs),
                        opt(s.io_read),
                        opt(s.io_write),
                    ],
                };
                let r = ds.entry(s.resource.get(), s.name.as_ref().map(|n| n.get().as_str()));
                r.rows.push(row);
                if let Some(src) = s.source {
                    r.source = Some(src.into_inner());
                }
                samples += 1;
            }
            "threshold" => {
                let t: Threshold = rec.typed().map_err(at)?;
                let r = ds.entry(t.resource.get(), t.name.as_ref().map(|n| n.get().as_str()));
                r.thresholds.push(Crossed {
                    threshold: t.threshold,
                    limit: t.limit.get(),
                    value: t.value.get(),
                    t: t.t.map(|t| t.get().to_string()),
                    elapsed: t.elapsed.map(|e| e.get()),
                    killed: t.killed,
                });
            }
            "summary" => {
                let s: Summary = rec.typed().map_err(at)?;
                let mut fields = rec.fields().clone();
                for k in ["v", "kind", "tool", "id", "resource", "name"] {
                    fields.shift_remove(k);
                }
                let r = ds.entry(s.resource.get(), s.name.as_ref().map(|n| n.get().as_str()));
                r.summary = Some((s, fields));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
pub(super) mod fixtures {
    use super::*;

    pub(in crate::report) fn read(text: &str) -> Result<Dataset> {
        let mut ds = Dataset::default();
        read_records(text.as_bytes(), "f.jsonl", &mut ds)?;
        ds.finish();
        Ok(ds)
    }

    pub(in crate::report) fn sample(id: &str, t: u32, elapsed: f64, extra: &str) -> String {
        format!(
            r#"{{"v":1,"kind":"sample","tool":"ptest-mon","resource":"{id}","t":"2026-11-30T18:00:{t:02}Z","elapsed":{elapsed}{extra}}}"#
        )
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{read, sample};
    use super::*;
    use crate::report::stats::Figures;

    #[test]
    fn samples_are_sorted_by_time_and_host_goes_last() {
        let text = [
            sample("host", 1, 1.0, r#","memory":1"#),
            sample("proc-b", 3, 3.0, r#","memory":30"#),
            sample("proc-b", 1, 1.0, r#","memory":10"#),
            sample("proc-a", 2, 2.0, r#","memory":5"#),
            sample("proc-b", 2, 2.0, r#","memory":20"#),
        ]
        .join("\n");
        let ds = read(&text).unwrap();
        let ids: Vec<_> = ds.resources.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["proc-b", "proc-a", "host"]);
        let mem: Vec<_> = ds.resources[0]
            .column(MEMORY)
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(mem, [10.0, 20.0, 30.0]);
        assert_eq!(Figures::of(&ds.resources[0]).span, Some(2.0));
    }

    #[test]
    fn bad_lines_name_file_and_line_and_other_kinds_pass() {
        let good = sample("proc-a", 1, 1.0, r#","memory":1"#);
        let other = r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":20113}"#;
        for (bad, want) in [
            (sample("proc-a", 2, 2.0, r#","memory":-5"#), "memory"),
            (sample("proc-a", 2, 2.0, r#","memory":"x""#), "memory"),
            ("{not json".to_owned(), "malformed"),
        ] {
            let text = format!("{good}\n{other}\n{bad}\n{good}\n");
            let e = read(&text).unwrap_err();
            assert_eq!(e.exit.code(), 65);
            assert!(e.message.contains("f.jsonl:3"), "{}", e.message);
            assert!(e.message.contains(want), "{}", e.message);
        }
        // A last line without newline is read; a plugin's kind is skipped.
        let ds = read(&format!("{other}\n{good}")).unwrap();
        assert_eq!(ds.resources.len(), 1);
        assert_eq!(ds.resources[0].rows.len(), 1);
    }
}
