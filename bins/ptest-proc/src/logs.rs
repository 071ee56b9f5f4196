//! The service's log files: reading what was appended since the last look
//! ([`LogTail`], for `--ready-log`), the last lines for an error message
//! ([`tail_lines`]), and `ptest proc logs --follow` ([`follow`]).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

/// A log line longer than this is matched as it is, without waiting for its end.
const MAX_LINE: usize = 1024 * 1024;
/// The most bytes of one log file read in one poll.
const READ_CHUNK: u64 = 8 * 1024 * 1024;
/// How often [`follow`] looks for appended data.
const FOLLOW_POLL: Duration = Duration::from_millis(100);
/// How far back from its end [`tail_lines`] reads a file at most.
const MAX_TAIL_BYTES: u64 = 1024 * 1024;

/// A read position in a file that may not exist yet, be truncated, or be
/// replaced by a new file of the same name.
#[derive(Debug)]
struct Cursor {
    path: PathBuf,
    offset: u64,
    /// Device and inode of the file read last.
    identity: Option<(u64, u64)>,
}

impl Cursor {
    fn new(path: PathBuf) -> Self {
        Cursor {
            path,
            offset: 0,
            identity: None,
        }
    }

    /// What was appended since the last call, at most `max` bytes, and
    /// whether the file was truncated or replaced, which starts the reading
    /// over from its beginning. A missing file reads as empty.
    fn read_new(&mut self, max: u64) -> io::Result<(Vec<u8>, bool)> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), false)),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        let identity = (meta.dev(), meta.ino());
        let replaced = self.identity.is_some_and(|old| old != identity);
        let restarted = replaced || meta.len() < self.offset;
        if restarted {
            self.offset = 0;
        }
        self.identity = Some(identity);
        if meta.len() == self.offset {
            return Ok((Vec::new(), restarted));
        }
        file.seek(SeekFrom::Start(self.offset))?;
        let mut buf = Vec::new();
        file.take(max).read_to_end(&mut buf)?;
        self.offset += buf.len() as u64;
        Ok((buf, restarted))
    }
}

/// Reads the complete lines appended to log files since the last poll,
/// keeping an offset into each file: nothing is read twice. A file that does
/// not exist yet is read once it appears; a partial last line waits for its
/// newline (up to 1 MiB); a truncated or replaced file is read again from its
/// start.
#[derive(Debug)]
pub struct LogTail {
    files: Vec<TailedFile>,
}

#[derive(Debug)]
struct TailedFile {
    cursor: Cursor,
    /// The start of a line whose newline has not been written yet.
    partial: Vec<u8>,
}

impl LogTail {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        LogTail {
            files: paths
                .into_iter()
                .map(|p| TailedFile {
                    cursor: Cursor::new(p),
                    partial: Vec::new(),
                })
                .collect(),
        }
    }

    /// The lines completed since the last call, file by file, without their
    /// line ends ("\n" or "\r\n"). Invalid UTF-8 is replaced by U+FFFD. A
    /// file that cannot be read yields nothing this time.
    pub fn poll_lines(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        for file in &mut self.files {
            let Ok((data, restarted)) = file.cursor.read_new(READ_CHUNK) else {
                continue;
            };
            if restarted {
                file.partial.clear();
            }
            file.partial.extend_from_slice(&data);
            let mut start = 0;
            while let Some(nl) = file.partial[start..].iter().position(|&b| b == b'\n') {
                lines.push(line_text(&file.partial[start..start + nl]));
                start += nl + 1;
            }
            file.partial.drain(..start);
            if file.partial.len() > MAX_LINE {
                lines.push(line_text(&file.partial));
                file.partial.clear();
            }
        }
        lines
    }
}

/// A line's bytes as text, without a trailing "\r".
fn line_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

/// The last `n` lines of a file, for error messages; a last line without
/// its newline counts. Empty when the file is missing or unreadable. Reads
/// at most 1 MiB from the end of the file.
pub fn tail_lines(path: &Path, n: usize) -> Vec<String> {
    const CHUNK: u64 = 64 * 1024;
    if n == 0 {
        return Vec::new();
    }
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return Vec::new();
    };
    let floor = len.saturating_sub(MAX_TAIL_BYTES);
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    // n + 1 newlines make sure the first of the n lines is whole.
    while start > floor && buf.iter().filter(|&&b| b == b'\n').count() <= n {
        let from = start.saturating_sub(CHUNK).max(floor);
        let mut chunk = vec![0u8; (start - from) as usize];
        if file.seek(SeekFrom::Start(from)).is_err() || file.read_exact(&mut chunk).is_err() {
            break;
        }
        chunk.extend_from_slice(&buf);
        buf = chunk;
        start = from;
    }
    let mut text: &[u8] = &buf;
    if start > 0 {
        // Began mid-file: the first line may be cut.
        match text.iter().position(|&b| b == b'\n') {
            Some(nl) => text = &text[nl + 1..],
            None => return Vec::new(),
        }
    }
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    let all: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    all[all.len().saturating_sub(n)..]
        .iter()
        .map(|l| line_text(l))
        .collect()
}

/// Copies the file to `out`, then keeps copying what is appended to it (as
/// `tail -f`, looking every 100 ms) until `stop()` says so. A file that does
/// not exist yet is waited for; a truncated or replaced file is copied again
/// from its start. `stop()` is asked only when all data so far has been
/// copied, and whatever is appended before it returns true is still copied:
/// "the service is gone" is a sufficient condition.
pub fn follow(path: &Path, out: &mut dyn Write, stop: &dyn Fn() -> bool) -> io::Result<()> {
    let mut cursor = Cursor::new(path.to_path_buf());
    let mut stopping = false;
    loop {
        let (data, _restarted) = cursor.read_new(READ_CHUNK)?;
        if !data.is_empty() {
            out.write_all(&data)?;
            out.flush()?;
            continue;
        }
        if stopping {
            return Ok(());
        }
        if stop() {
            // One more read: data appended while stop() decided.
            stopping = true;
            continue;
        }
        thread::sleep(FOLLOW_POLL);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs::OpenOptions;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    /// Appends `text` to the file at `path`, as a service writes its log.
    pub(crate) fn append(path: &Path, text: &str) {
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn log_tail_reads_incrementally_and_waits_for_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("stdout.log");
        let err = dir.path().join("stderr.log");
        let mut tail = LogTail::new(vec![out.clone(), err.clone()]);
        assert!(tail.poll_lines().is_empty(), "no files yet");

        append(&out, "starting\r\npart");
        assert_eq!(tail.poll_lines(), ["starting"]);
        assert!(tail.poll_lines().is_empty(), "nothing is read twice");
        append(&out, "ial ready");
        assert!(tail.poll_lines().is_empty(), "a partial line waits");
        append(&out, "\nnext\n");
        append(&err, "warning\n");
        assert_eq!(tail.poll_lines(), ["partial ready", "next", "warning"]);

        // Truncated and rewritten: read again from the start.
        std::fs::write(&out, "new\n").unwrap();
        assert_eq!(tail.poll_lines(), ["new"]);
        // Replaced by another file of the same name, longer than the offset.
        let other = dir.path().join("rotated");
        std::fs::write(&other, "fresh one\nfresh two\n").unwrap();
        std::fs::rename(&other, &out).unwrap();
        assert_eq!(tail.poll_lines(), ["fresh one", "fresh two"]);
    }

    #[test]
    fn tail_lines_returns_the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("log");
        assert!(tail_lines(&p, 3).is_empty(), "missing file");
        std::fs::write(&p, "").unwrap();
        assert!(tail_lines(&p, 3).is_empty());
        std::fs::write(&p, "a\nb\nc\nd\n").unwrap();
        assert_eq!(tail_lines(&p, 2), ["c", "d"]);
        assert_eq!(tail_lines(&p, 10), ["a", "b", "c", "d"]);
        assert!(tail_lines(&p, 0).is_empty());
        std::fs::write(&p, "a\r\nb\nunfinished").unwrap();
        assert_eq!(tail_lines(&p, 2), ["b", "unfinished"]);
        // Longer than one read from the end.
        let big: String = (0..50_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&p, big).unwrap();
        assert_eq!(
            tail_lines(&p, 3),
            ["line 49997", "line 49998", "line 49999"]
        );
        assert_eq!(
            tail_lines(&p, 20_000).first().map(String::as_str),
            Some("line 30000")
        );
    }

    /// A `Write` whose bytes the test can read while another thread writes.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
        fn wait_for(&self, want: &str) {
            let deadline = Instant::now() + Duration::from_secs(2);
            while self.text() != want && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            assert_eq!(self.text(), want);
        }
    }

    #[test]
    fn follow_copies_appended_data_and_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let out = Shared::default();
        let stop = Arc::new(AtomicBool::new(false));
        let follower = {
            let (path, mut out, stop) = (path.clone(), out.clone(), Arc::clone(&stop));
            thread::spawn(move || follow(&path, &mut out, &|| stop.load(Ordering::SeqCst)))
        };
        // The file does not exist yet: it is waited for.
        thread::sleep(Duration::from_millis(50));
        append(&path, "one\n");
        out.wait_for("one\n");
        append(&path, "two\n");
        out.wait_for("one\ntwo\n");
        // Truncated: copied again from its start.
        std::fs::write(&path, "3\n").unwrap();
        out.wait_for("one\ntwo\n3\n");
        // Data written just before the stop is still copied.
        append(&path, "last\n");
        stop.store(true, Ordering::SeqCst);
        let start = Instant::now();
        follower.join().unwrap().unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(out.text(), "one\ntwo\n3\nlast\n");
    }
}
