//! Reading requirement files and command-line arguments: the chain of
//! files open (for cycles and for naming where a missing file was included
//! from), UTF-8 checks, and each logical line handed to the parser of
//! requirement lines ([`super::requirement`]) or of option lines
//! ([`super::options`]).

use super::lines::{Logical, logical_lines, tokens};
use super::requirement::PEP508_HELP;
use super::{COMMAND_LINE, Requirements, env_var, place};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::path::{Component, Path, PathBuf};

/// A file being read, for cycle detection and for naming the chain.
pub(super) struct Frame {
    pub(super) canonical: PathBuf,
    pub(super) display: PathBuf,
    /// The line of the `-r`/`-c` currently being followed out of this file.
    pub(super) including_line: usize,
}

/// Reading state: what was found so far and the chain of open files.
pub(super) struct Reader<'a> {
    pub(super) cwd: &'a Path,
    pub(super) out: Requirements,
    pub(super) stack: Vec<Frame>,
    /// How `${VAR}` is looked up: the process environment, or a fixed map
    /// in tests (setting process variables is unsafe with threads).
    pub(super) var: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(cwd: &'a Path) -> Self {
        Reader {
            cwd,
            out: Requirements::default(),
            stack: Vec::new(),
            var: &env_var,
        }
    }

    /// Reads one file (named as `display`, relative to the working
    /// directory), its lines and the files it includes. `from` is the
    /// `file:line` that included it.
    pub(super) fn read_file(
        &mut self,
        display: PathBuf,
        constraint: bool,
        from: Option<(PathBuf, usize)>,
    ) -> Result<()> {
        let abs = self.cwd.join(&display);
        let included = from
            .as_ref()
            .map(|(f, l)| format!(" (included at {})", place(f, *l, None)))
            .unwrap_or_default();
        let bytes = match std::fs::read(&abs) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let hint = match &from {
                    Some((f, _)) => format!(
                        "paths after -r and -c are relative to the directory of the file that \
                         names them ({}); fix the path or create the file",
                        parent_display(f)
                    ),
                    None => format!(
                        "a relative path is taken from the current directory ({}); fix the path \
                         or create the file",
                        self.cwd.display()
                    ),
                };
                return Err(Error::no_input(format!(
                    "{}: no such requirements file{included}",
                    display.display()
                ))
                .hint(hint));
            }
            Err(e) => {
                return Err(e).io_context(|| {
                    format!(
                        "cannot read requirements file {}{included}",
                        display.display()
                    )
                });
            }
        };

        let real = canonical(&abs);
        if let Some(first) = self.stack.iter().position(|f| f.canonical == real) {
            let mut chain: Vec<String> = self.stack[first..]
                .iter()
                .map(|f| place(&f.display, f.including_line, None))
                .collect();
            chain.push(display.display().to_string());
            return Err(Error::data(format!(
                "requirement files include each other in a cycle: {}",
                chain.join(" -> ")
            ))
            .hint(
                "remove one of these -r/-c lines: a file cannot include itself, even indirectly",
            ));
        }

        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).to_string(),
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
                let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
                let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
                return Err(Error::data(format!(
                    "{}: not UTF-8 text (byte 0x{:02X}){included}",
                    place(&display, line, Some(column)),
                    bytes[e.valid_up_to()]
                ))
                .hint(
                    "requirement files must be UTF-8; convert it, e.g. `iconv -f latin1 -t utf-8`",
                ));
            }
        };
        self.out.files.push((display.clone(), bytes));

        self.stack.push(Frame {
            canonical: real,
            display: display.clone(),
            including_line: 0,
        });
        let result = self.parse(&text, &display, constraint);
        self.stack.pop();
        result
    }

    /// Parses the text of `file`.
    pub(super) fn parse(&mut self, text: &str, file: &Path, constraint: bool) -> Result<()> {
        for logical in logical_lines(text, self.var) {
            let toks = tokens(&logical.text);
            let Some(&(first, _)) = toks.first() else {
                continue;
            };
            if logical.text[first..].starts_with('-') {
                self.options_line(&logical, &toks, file, constraint)?;
            } else {
                self.requirement_line(&logical, &toks, file, constraint)?;
            }
        }
        Ok(())
    }

    /// A requirement given as a command-line argument.
    pub(super) fn argument(&mut self, position: usize, arg: &str) -> Result<()> {
        let file = Path::new(COMMAND_LINE);
        let logical = Logical::argument(position, arg);
        let toks = tokens(arg);
        match toks.first() {
            None => Err(Error::data(format!(
                "{}: empty requirement",
                place(file, position, None)
            ))
            .hint(PEP508_HELP)),
            Some(&(start, end)) if arg[start..].starts_with('-') => Err(Error::data(format!(
                "{}: `{}` is an option, not a requirement",
                place(file, position, Some(logical.pos(start).1)),
                &arg[start..end]
            ))
            .hint("put pip options in a requirements file given with -r")),
            Some(_) => self.requirement_line(&logical, &toks, file, false),
        }
    }
}

/// Removes `.` components (`./reqs/./a.txt` → `reqs/a.txt`); `..` is
/// kept, since through a symlinked directory it means something else than
/// the lexical parent.
pub(super) fn tidy(path: &Path) -> PathBuf {
    let tidied: PathBuf = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    if tidied.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        tidied
    }
}

/// The real path of a file, for cycle detection (the path itself when that
/// fails: the file was just read, so it rarely does).
pub(super) fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The directory part of a displayed file path, `.` when there is none.
fn parent_display(file: &Path) -> String {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use crate::reqs::testing::{texts, tree};
    use crate::reqs::{COMMAND_LINE, read, read_inputs};
    use ptest_shared::error::Exit;
    use std::fs;
    use std::path::{Path, PathBuf};

    #[test]
    fn includes_are_relative_to_the_including_file() {
        let dir = tree(&[
            ("reqs/a.txt", "x==1\n-r sub/b.txt\ny\n"),
            ("reqs/sub/b.txt", "--requirement=../c.txt\nb1\n"),
            ("reqs/c.txt", "c1\n"),
        ]);
        let r = read(&[PathBuf::from("./reqs/a.txt")], &[], dir.path()).unwrap();
        assert_eq!(texts(&r), ["x==1", "c1", "b1", "y"]);
        let files: Vec<&Path> = r.files.iter().map(|(p, _)| p.as_path()).collect();
        assert_eq!(
            files,
            [
                Path::new("reqs/a.txt"),
                Path::new("reqs/sub/b.txt"),
                Path::new("reqs/sub/../c.txt")
            ]
        );
        assert_eq!(r.files[2].1, b"c1\n");
        assert_eq!(r.lines[1].file, Path::new("reqs/sub/../c.txt"));
        assert_eq!(r.lines[2].location(), "reqs/sub/b.txt:2");
    }

    #[test]
    fn constraints_and_nested_files_inside_them() {
        let dir = tree(&[
            ("req.txt", "a\n-c cons.txt\n"),
            ("cons.txt", "a<2\n-r more.txt\n"),
            ("more.txt", "b!=3\n"),
        ]);
        let r = read(
            &[PathBuf::from("req.txt")],
            &["c>1".to_string()],
            dir.path(),
        )
        .unwrap();
        let got: Vec<(&str, bool)> = r
            .lines
            .iter()
            .map(|l| (l.text.as_str(), l.constraint))
            .collect();
        assert_eq!(
            got,
            [("a", false), ("a<2", true), ("b!=3", true), ("c>1", false)]
        );
        let cli = &r.lines[3];
        assert_eq!((cli.file.as_path(), cli.line), (Path::new(COMMAND_LINE), 1));
        assert_eq!(cli.location(), "command-line argument 1");

        let r = read_inputs(&[], &[PathBuf::from("cons.txt")], &[], dir.path()).unwrap();
        assert!(r.lines.iter().all(|l| l.constraint));
    }

    #[test]
    fn missing_files() {
        let dir = tree(&[("reqs/a.txt", "x\n-r nope.txt\n")]);
        let e = read(&[PathBuf::from("missing.txt")], &[], dir.path()).expect_err("missing");
        assert_eq!(e.exit, Exit::NoInput);
        assert!(
            e.message
                .starts_with("missing.txt: no such requirements file"),
            "{e}"
        );
        assert!(e.hint.is_some());

        let e = read(&[PathBuf::from("reqs/a.txt")], &[], dir.path()).expect_err("missing");
        assert_eq!(e.exit, Exit::NoInput);
        assert_eq!(
            e.message,
            "reqs/nope.txt: no such requirements file (included at reqs/a.txt:2)"
        );
        assert!(e.hint.as_deref().unwrap().contains("(reqs)"), "{e:?}");
    }

    #[test]
    fn cycles_are_reported_and_diamonds_are_fine() {
        let dir = tree(&[
            ("a.txt", "x\n-r sub/b.txt\n"),
            ("sub/b.txt", "-c ../a.txt\n"),
            ("self.txt", "-r ./self.txt\n"),
            ("top.txt", "-r l.txt\n-r r.txt\n"),
            ("l.txt", "-r common.txt\n"),
            ("r.txt", "-r common.txt\n"),
            ("common.txt", "c\n"),
        ]);
        let e = read(&[PathBuf::from("a.txt")], &[], dir.path()).expect_err("cycle");
        assert_eq!(e.exit, Exit::Data);
        assert_eq!(
            e.message,
            "requirement files include each other in a cycle: a.txt:2 -> sub/b.txt:1 -> sub/../a.txt"
        );
        let e = read(&[PathBuf::from("self.txt")], &[], dir.path()).expect_err("cycle");
        assert!(e.message.ends_with("self.txt:1 -> self.txt"), "{e}");

        let r = read(&[PathBuf::from("top.txt")], &[], dir.path()).unwrap();
        assert_eq!(texts(&r), ["c", "c"]);
        assert_eq!(r.files.len(), 5);
    }

    #[test]
    fn non_utf8_files_are_rejected() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("r.txt"), b"ok\nna\xefve\n").unwrap();
        let e = read(&[PathBuf::from("r.txt")], &[], dir.path()).expect_err("latin1");
        assert_eq!(e.exit, Exit::Data);
        assert!(e.message.starts_with("r.txt:2:3: not UTF-8 text"), "{e}");

        fs::write(dir.path().join("bom.txt"), "\u{feff}pkg\n").unwrap();
        let r = read(&[PathBuf::from("bom.txt")], &[], dir.path()).unwrap();
        assert_eq!(texts(&r), ["pkg"]);
    }
}
