//! Requirements: pip-format requirement files (`-r FILE`, `-c FILE`) and
//! bare requirement strings from the command line, read into [`Line`]s, and
//! the conflicts that can be seen before anything is installed.
//!
//! The file format is pip's, because that is what projects already have:
//! one PEP 508 requirement per line, `#` comments, backslash continuations,
//! `${VAR}` expansion, nested `-r`/`-c` files, and a few global options
//! (`-i`, `--extra-index-url`, `-f`, `--no-index`, ...). Requirements
//! themselves are parsed by `pep508_rs`, versions compared by `pep440_rs`:
//! nothing here knows the version grammar.
//!
//! Every error points at the physical `file:line:column` of the problem,
//! even when the logical line was joined from several physical lines or had
//! variables expanded in it: a logical line keeps, for every byte, where it
//! came from.
//!
//! Two deliberate differences with pip:
//! - a requirement must be named (`name @ url`): ptest keys caches and
//!   conflict checks on project names, and an unnamed path or URL would need
//!   a build to learn its name;
//! - [`Line::text`] keeps `${VAR}` unexpanded, so that a token in a URL
//!   never reaches a message or a record; [`Line::install_text`] expands.
//!
//! The parts: [`reader`] reads files and arguments (includes, cycles),
//! [`lines`] splits a file into logical lines, [`requirement`] parses a
//! requirement line, [`options`] an option line; [`mod@conflicts`] compares
//! the lines read.

mod conflicts;
#[cfg(test)]
mod fuzz;
mod lines;
mod options;
mod reader;
mod requirement;
#[cfg(test)]
mod testing;

pub use conflicts::conflicts;
use lines::expand_vars;
use pep508_rs::Requirement;
use ptest_shared::Result;
#[cfg(test)]
use reader::{Frame, canonical};
use reader::{Reader, tidy};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The pseudo-path of requirements given as command-line arguments; their
/// [`Line::line`] is the 1-based position of the argument.
pub const COMMAND_LINE: &str = "<command line>";

/// One requirement, where it came from.
#[derive(Debug, Clone)]
pub struct Line {
    /// The file it was read from, as the user would name it (relative to
    /// the working directory when the top-level path was); [`COMMAND_LINE`]
    /// for command-line arguments.
    pub file: PathBuf,
    /// 1-based line number where the logical line starts (or the argument's
    /// position for [`COMMAND_LINE`]).
    pub line: usize,
    /// The parsed requirement: name, extras, version specifiers or URL,
    /// markers. `${VAR}`s are expanded in it.
    pub requirement: Requirement,
    /// Read through `-c FILE`: it constrains versions but does not ask for
    /// installation.
    pub constraint: bool,
    /// An `-e`/`--editable` line: `requirement` is `name @ URL` and `text`
    /// is what an installer takes after `-e` (an absolute path, or the URL
    /// as written).
    pub editable: bool,
    /// The `--hash=ALGO:HEX` options of this line, as written.
    pub hashes: Vec<String>,
    /// The requirement as written, without options and comments,
    /// continuations joined, `${VAR}`s not expanded.
    pub text: String,
}

impl Line {
    /// `file:line`, or `command-line argument N`: for messages.
    pub fn location(&self) -> String {
        place(&self.file, self.line, None)
    }

    /// The PEP 503 normalised project name.
    pub fn project(&self) -> &str {
        self.requirement.name.as_ref()
    }

    /// [`Line::text`] with `${VAR}`s expanded, for an installer that does
    /// not expand them itself (a command-line argument of pip or uv).
    pub fn install_text(&self) -> String {
        let mut out = String::new();
        let mut ignored = Vec::new();
        expand_vars(&self.text, &env_var, &mut out, &mut ignored);
        out
    }
}

/// Everything read from the inputs.
#[derive(Debug, Clone, Default)]
pub struct Requirements {
    /// Requirements and constraints, in reading order (an included file's
    /// lines where its `-r`/`-c` line stands).
    pub lines: Vec<Line>,
    /// `-i`/`--index-url` (the last one wins, as in pip).
    pub index_url: Option<String>,
    /// `--extra-index-url`, in order.
    pub extra_index_urls: Vec<String>,
    /// `-f`/`--find-links`: URLs as written, paths made absolute against the
    /// directory of the file that names them.
    pub find_links: Vec<String>,
    /// `--no-index`.
    pub no_index: bool,
    /// Every file read, top-level and included, with its exact contents, in
    /// reading order (a file included twice appears twice): the caller
    /// hashes these into a cache key.
    pub files: Vec<(PathBuf, Vec<u8>)>,
}

/// Reads requirement files (`-r FILE` on the command line, relative to
/// `cwd`) and bare requirement strings (`PKG` arguments), in that order.
#[cfg(test)]
fn read(files: &[PathBuf], args: &[String], cwd: &Path) -> Result<Requirements> {
    read_inputs(files, &[], args, cwd)
}

/// Like [`read`], with constraint files given on the command line too
/// (`-c FILE`, as pip takes them).
pub fn read_inputs(
    requirement_files: &[PathBuf],
    constraint_files: &[PathBuf],
    args: &[String],
    cwd: &Path,
) -> Result<Requirements> {
    read_inputs_with(&env_var, requirement_files, constraint_files, args, cwd)
}

/// [`read_inputs`], with `${VAR}`s looked up by `var`.
fn read_inputs_with(
    var: &dyn Fn(&str) -> Option<String>,
    requirement_files: &[PathBuf],
    constraint_files: &[PathBuf],
    args: &[String],
    cwd: &Path,
) -> Result<Requirements> {
    let mut reader = Reader::new(cwd);
    reader.var = var;
    read_all(&mut reader, requirement_files, constraint_files, args).map_err(one_line)?;
    Ok(reader.out)
}

fn read_all(
    reader: &mut Reader<'_>,
    requirement_files: &[PathBuf],
    constraint_files: &[PathBuf],
    args: &[String],
) -> Result<()> {
    for file in requirement_files {
        reader.read_file(tidy(file), false, None)?;
    }
    for file in constraint_files {
        reader.read_file(tidy(file), true, None)?;
    }
    for (i, arg) in args.iter().enumerate() {
        reader.argument(i + 1, arg)?;
    }
    Ok(())
}

/// An error whose message and hint quote what was read, made one line:
/// control characters escaped (`\n`), as a requirement given as an
/// argument, a `${VAR}`'s value or pep508_rs's message may hold a newline.
fn one_line(mut e: ptest_shared::Error) -> ptest_shared::Error {
    use ptest_shared::error::one_line;
    e.message = one_line(&e.message).into_owned();
    e.hint = e.hint.map(|h| one_line(&h).into_owned());
    e
}

/// Parses requirement file text as if it had been read from `file`
/// (relative to `cwd`): included files are read from disk relative to
/// `file`'s directory. `constraint` says whether `file` was named by `-c`.
/// The text itself is not added to [`Requirements::files`]; included files
/// are.
#[cfg(test)]
fn parse_text(text: &str, file: &Path, constraint: bool, cwd: &Path) -> Result<Requirements> {
    let mut reader = Reader::new(cwd);
    let file = tidy(file);
    reader.stack.push(Frame {
        canonical: canonical(&cwd.join(&file)),
        display: file.clone(),
        including_line: 0,
    });
    reader.parse(text, &file, constraint)?;
    Ok(reader.out)
}

pub use ptest_shared::venv::normalize;

/// `file:line[:column]`, or `command-line argument N[, column C]`.
fn place(file: &Path, line: usize, column: Option<usize>) -> String {
    let mut s = if file == Path::new(COMMAND_LINE) {
        format!("command-line argument {line}")
    } else {
        format!("{}:{line}", file.display())
    };
    if let Some(c) = column {
        if file == Path::new(COMMAND_LINE) {
            let _ = write!(s, ", column {c}");
        } else {
            let _ = write!(s, ":{c}");
        }
    }
    s
}

/// The process environment, as pip reads it: an empty variable counts as
/// unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reqs::testing::parse;
    use pep508_rs::PackageName;
    use std::str::FromStr;

    #[test]
    fn an_argument_holding_a_newline_is_refused_on_one_line() {
        let e = read(&[], &["foo\nbar".to_owned()], Path::new("/nonexistent")).unwrap_err();
        assert_eq!(e.exit.code(), 65);
        assert!(!e.to_string().contains('\n'), "{e}");
        assert!(e.message.contains("`foo\\nbar`"), "{e}");
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("Foo.Bar_baz"), "foo-bar-baz");
        assert_eq!(normalize("a__-.b"), "a-b");
        let name = PackageName::from_str("Foo.Bar_baz").unwrap();
        assert_eq!(normalize("Foo.Bar_baz"), name.as_ref());
        assert_eq!(
            parse("Foo.Bar_baz\n").unwrap().lines[0].project(),
            "foo-bar-baz"
        );
    }
}
