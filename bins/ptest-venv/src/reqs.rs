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

use pep508_rs::pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{
    MarkerEnvironment, MarkerTree, PackageName, Pep508ErrorSource, Requirement, VerbatimUrl,
    VersionOrUrl, split_scheme,
};
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;
use version_ranges::Ranges;

/// The pseudo-path of requirements given as command-line arguments; their
/// [`Line::line`] is the 1-based position of the argument.
pub const COMMAND_LINE: &str = "<command line>";

/// Where the syntax of a requirement is explained, for hints.
const PEP508_HELP: &str = "write `name`, `name[extra]>=1.0,<2`, `name==1.0; python_version >= \"3.9\"` \
     or `name @ https://host/name-1.0.whl` (https://packaging.python.org/en/latest/specifications/dependency-specifiers/)";

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
    let mut reader = Reader::new(cwd);
    for file in requirement_files {
        reader.read_file(tidy(file), false, None)?;
    }
    for file in constraint_files {
        reader.read_file(tidy(file), true, None)?;
    }
    for (i, arg) in args.iter().enumerate() {
        reader.argument(i + 1, arg)?;
    }
    Ok(reader.out)
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

/// PEP 503 normalised project name: lowercase, runs of `-`, `_` and `.`
/// become one `-`. The same as `pep508_rs::PackageName` stores, but total:
/// it also takes names that are not valid (for messages about them), and
/// ignores surrounding whitespace (metadata headers carry some).
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_run = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_run {
                out.push('-');
            }
            in_run = true;
        } else {
            out.extend(c.to_lowercase());
            in_run = false;
        }
    }
    out
}

/// Two lines for the same project that cannot both be satisfied.
#[derive(Debug, Clone)]
pub struct Conflict {
    /// The normalised project name.
    pub project: String,
    /// The line read first.
    pub a: Line,
    /// The line read later.
    pub b: Line,
    /// One line for a human, naming both lines and where they are.
    pub reason: String,
}

impl Conflict {
    /// The `conflict` record of the protocol (docs/protocol.md).
    pub fn to_record(&self) -> serde_json::Value {
        let side = |l: &Line| {
            serde_json::json!({
                "file": l.file.display().to_string(),
                "line": l.line,
                "requirement": l.text,
                "constraint": l.constraint,
            })
        };
        serde_json::json!({
            "v": 1,
            "kind": "conflict",
            "project": self.project,
            "phase": "requirements",
            "reason": self.reason,
            "a": side(&self.a),
            "b": side(&self.b),
        })
    }
}

/// Pre-install conflicts: pairs of lines (requirements and constraints) for
/// the same project whose version specifiers allow no common version, or
/// that name two different URLs.
///
/// With `env`, a line whose markers do not apply to it is left out. Lines
/// whose markers can never hold together (`python_version < "3.10"` and
/// `python_version >= "3.10"`) are never compared, with or without `env`.
/// A URL against version specifiers is not a conflict: the version behind a
/// URL is only known after download, which is the installer's business.
pub fn conflicts(reqs: &Requirements, env: Option<&MarkerEnvironment>) -> Vec<Conflict> {
    let active: Vec<&Line> = reqs
        .lines
        .iter()
        .filter(|l| env.is_none_or(|env| l.requirement.evaluate_markers(env, &[])))
        .collect();
    let mut found = Vec::new();
    for (i, a) in active.iter().enumerate() {
        for b in &active[i + 1..] {
            if a.requirement.name != b.requirement.name
                || a.requirement.marker.is_disjoint(&b.requirement.marker)
            {
                continue;
            }
            let Some(verb) = clash(&a.requirement, &b.requirement) else {
                continue;
            };
            let project = a.project().to_string();
            let reason = format!(
                "{project}: \"{}\" ({}) and \"{}\" ({}) {verb}",
                a.text,
                origin(a),
                b.text,
                origin(b)
            );
            found.push(Conflict {
                project,
                a: (*a).clone(),
                b: (*b).clone(),
                reason,
            });
        }
    }
    found
}

/// Why two requirements of one project cannot both hold (the end of a
/// sentence), or `None` when they can, or when that cannot be known yet.
fn clash(a: &Requirement, b: &Requirement) -> Option<&'static str> {
    match (&a.version_or_url, &b.version_or_url) {
        (Some(VersionOrUrl::Url(x)), Some(VersionOrUrl::Url(y))) => {
            (x.as_str() != y.as_str()).then_some("name two different URLs")
        }
        (Some(VersionOrUrl::VersionSpecifier(x)), Some(VersionOrUrl::VersionSpecifier(y))) => {
            allowed(x)
                .is_disjoint(&allowed(y))
                .then_some("cannot both hold")
        }
        _ => None,
    }
}

/// The versions a set of specifiers allows, with PEP 440 semantics, as
/// `pep440_rs` computes them; except that local version labels (`+cpu`)
/// are compared on their public part only. `==1.0` does allow `1.0+cpu`,
/// which a range of versions cannot express exactly, and a false conflict
/// would stop an install that works: widening can only miss a conflict,
/// which the installer then reports.
fn allowed(specifiers: &VersionSpecifiers) -> Ranges<Version> {
    specifiers
        .iter()
        .fold(Ranges::full(), |acc, s| acc.intersection(&public_range(s)))
}

/// See [`allowed`].
fn public_range(specifier: &VersionSpecifier) -> Ranges<Version> {
    let version = specifier.version();
    if !version.is_local() {
        return Ranges::from(specifier.clone());
    }
    match specifier.operator() {
        Operator::Equal | Operator::ExactEqual => {
            Ranges::singleton(version.clone().without_local())
        }
        // `!=1.0+cpu` excludes one build; any other version satisfies it.
        _ => Ranges::full(),
    }
}

/// `(reqs/a.txt:3)` or `(constraint, reqs/c.txt:1)`, without parentheses.
fn origin(l: &Line) -> String {
    if l.constraint {
        format!("constraint, {}", l.location())
    } else {
        l.location()
    }
}

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

/// A file being read, for cycle detection and for naming the chain.
struct Frame {
    canonical: PathBuf,
    display: PathBuf,
    /// The line of the `-r`/`-c` currently being followed out of this file.
    including_line: usize,
}

/// Reading state: what was found so far and the chain of open files.
struct Reader<'a> {
    cwd: &'a Path,
    out: Requirements,
    stack: Vec<Frame>,
    /// How `${VAR}` is looked up: the process environment, or a fixed map
    /// in tests (setting process variables is unsafe with threads).
    var: &'a dyn Fn(&str) -> Option<String>,
}

/// A per-line position: physical 1-based line and 1-based column (in
/// characters).
type Pos = (usize, usize);

/// One logical line of a file, and where each of its bytes came from.
struct Logical {
    /// The physical line it starts on.
    line: usize,
    /// The joined text, comment removed, `${VAR}`s as written.
    raw: String,
    /// For each byte of `raw`, plus one past the end: its physical position.
    raw_pos: Vec<Pos>,
    /// `raw` with `${VAR}`s expanded: what is parsed.
    text: String,
    /// For each byte of `text`, plus one past the end: its offset in `raw`
    /// (all bytes of an expanded value map to the `$`).
    to_raw: Vec<usize>,
}

impl Logical {
    /// Physical position of byte `i` of `text`.
    fn pos(&self, i: usize) -> Pos {
        self.raw_pos[self.to_raw[i.min(self.text.len())]]
    }

    /// The part of `raw` that bytes `start..end` of `text` came from.
    fn raw_slice(&self, start: usize, end: usize) -> &str {
        &self.raw[self.to_raw[start]..self.to_raw[end]]
    }

    /// A line from a command-line argument: nothing to join or expand.
    fn argument(position: usize, arg: &str) -> Logical {
        let mut raw_pos = Vec::with_capacity(arg.len() + 1);
        let mut column = 0;
        for c in arg.chars() {
            column += 1;
            raw_pos.extend(std::iter::repeat_n((position, column), c.len_utf8()));
        }
        raw_pos.push((position, column + 1));
        Logical {
            line: position,
            raw: arg.to_string(),
            raw_pos,
            text: arg.to_string(),
            to_raw: (0..=arg.len()).collect(),
        }
    }
}

/// Splits a file into logical lines, as pip does: backslash-newline joins
/// (a comment line never continues), then a `#` at the start or after
/// whitespace starts a comment (a `#` inside a URL, as in
/// `x.whl#sha256=...`, does not), then `${VAR}`s are expanded.
fn logical_lines(text: &str, var: &dyn Fn(&str) -> Option<String>) -> Vec<Logical> {
    struct Pending {
        line: usize,
        raw: String,
        raw_pos: Vec<Pos>,
    }
    fn finish(p: Pending, end: Pos, var: &dyn Fn(&str) -> Option<String>) -> Logical {
        let Pending {
            line,
            mut raw,
            mut raw_pos,
        } = p;
        raw_pos.push(end);
        if let Some(hash) = comment_start(&raw) {
            raw.truncate(hash);
            raw_pos.truncate(hash + 1);
        }
        let mut text = String::with_capacity(raw.len());
        let mut to_raw = Vec::with_capacity(raw.len() + 1);
        expand_vars(&raw, var, &mut text, &mut to_raw);
        to_raw.push(raw.len());
        Logical {
            line,
            raw,
            raw_pos,
            text,
            to_raw,
        }
    }

    let mut out = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut last_end = (1, 1);
    for (i, physical) in text.split('\n').enumerate() {
        let number = i + 1;
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        let is_comment = physical.trim_start().starts_with('#');
        let continues = !is_comment && physical.ends_with('\\');
        let piece = if continues {
            &physical[..physical.len() - 1]
        } else {
            physical
        };
        let p = pending.get_or_insert_with(|| Pending {
            line: number,
            raw: String::new(),
            raw_pos: Vec::new(),
        });
        if is_comment && !p.raw.is_empty() {
            // pip's join_lines does the same, so that the comment is
            // recognised after the join.
            p.raw.push(' ');
            p.raw_pos.push((number, 1));
        }
        let mut column = 0;
        for c in piece.chars() {
            column += 1;
            p.raw.push(c);
            p.raw_pos
                .extend(std::iter::repeat_n((number, column), c.len_utf8()));
        }
        last_end = (number, column + 1);
        if !continues {
            if let Some(p) = pending.take() {
                out.push(finish(p, last_end, var));
            }
        }
    }
    // A file ending in a backslash: pip keeps what was gathered.
    if let Some(p) = pending.take() {
        out.push(finish(p, last_end, var));
    }
    out
}

/// Byte offset of the `#` that starts a comment: at the start of the line
/// or after whitespace.
fn comment_start(s: &str) -> Option<usize> {
    let mut previous_is_space = true;
    for (i, c) in s.char_indices() {
        if c == '#' && previous_is_space {
            return Some(i);
        }
        previous_is_space = c.is_whitespace();
    }
    None
}

/// Expands `${NAME}` (NAME of uppercase letters, digits and `_`, as pip
/// allows) into `out`, recording for each output byte its offset in `s`.
/// Unset variables are left as written.
fn expand_vars(
    s: &str,
    var: &dyn Fn(&str) -> Option<String>,
    out: &mut String,
    to_raw: &mut Vec<usize>,
) {
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with("${") {
            if let Some(close) = s[i + 2..].find('}') {
                let name = &s[i + 2..i + 2 + close];
                let valid = !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
                if let Some(value) = valid.then(|| var(name)).flatten() {
                    out.push_str(&value);
                    to_raw.extend(std::iter::repeat_n(i, value.len()));
                    i += close + 3;
                    continue;
                }
            }
        }
        let c = s[i..].chars().next().unwrap_or_default();
        out.push(c);
        to_raw.extend(i..i + c.len_utf8());
        i += c.len_utf8();
    }
}

/// Whitespace-separated tokens of `s`, as byte ranges.
fn tokens(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// Removes `.` components (`./reqs/./a.txt` → `reqs/a.txt`); `..` is
/// kept, since through a symlinked directory it means something else than
/// the lexical parent.
fn tidy(path: &Path) -> PathBuf {
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

/// `base.join(path)` made absolute and lexically normalised (`..` pops), as
/// pip's `os.path.abspath` does for editable and find-links paths.
fn absolute(base: &Path, path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(path).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The real path of a file, for cycle detection (the path itself when that
/// fails: the file was just read, so it rarely does).
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `s` starts with a URL scheme (`https:`, `git+ssh:`), not a
/// one-letter drive.
fn has_scheme(s: &str) -> bool {
    split_scheme(s).is_some_and(|(scheme, _)| scheme.len() > 1)
}

/// A `file://` URL for an absolute path, percent-encoding what a URL path
/// cannot hold.
fn file_url(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut url = String::from("file://");
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

/// Checks a `--hash` value: `sha256:`, `sha384:` or `sha512:` and the hex
/// digest of the right length (pip's accepted algorithms).
fn valid_hash(value: &str) -> bool {
    let Some((algo, hex)) = value.split_once(':') else {
        return false;
    };
    let len = match algo {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A global option of a requirement file, recognised by its spelling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    Requirement,
    Constraint,
    Editable,
    IndexUrl,
    ExtraIndexUrl,
    FindLinks,
    NoIndex,
    /// Accepted and ignored: a flag.
    IgnoredFlag,
    /// Accepted and ignored: takes a value.
    IgnoredValue,
    /// Valid only after a requirement.
    Hash,
}

impl Opt {
    fn parse(name: &str) -> Option<Opt> {
        Some(match name {
            "-r" | "--requirement" => Opt::Requirement,
            "-c" | "--constraint" => Opt::Constraint,
            "-e" | "--editable" => Opt::Editable,
            "-i" | "--index-url" => Opt::IndexUrl,
            "--extra-index-url" => Opt::ExtraIndexUrl,
            "-f" | "--find-links" => Opt::FindLinks,
            "--no-index" => Opt::NoIndex,
            "--pre" | "--prefer-binary" => Opt::IgnoredFlag,
            "--only-binary" | "--no-binary" | "--trusted-host" => Opt::IgnoredValue,
            "--hash" => Opt::Hash,
            _ => return None,
        })
    }

    fn takes_value(self) -> bool {
        !matches!(self, Opt::NoIndex | Opt::IgnoredFlag)
    }
}

/// The options a requirement file may hold, for hints.
const KNOWN_OPTIONS: &str = "-r/--requirement, -c/--constraint, -e/--editable, -i/--index-url, \
     --extra-index-url, -f/--find-links, --no-index, --pre, --prefer-binary, --only-binary, \
     --no-binary, --trusted-host, and --hash after a requirement";

/// One option as found on a line: its name, its value (attached with `=`
/// or in the next token, or glued to a short option), and where it starts.
struct OptionToken {
    name: String,
    /// The value and the byte offset in the logical text where it starts.
    value: Option<(String, usize)>,
    start: usize,
}

impl<'a> Reader<'a> {
    fn new(cwd: &'a Path) -> Self {
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
    fn read_file(
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
    fn parse(&mut self, text: &str, file: &Path, constraint: bool) -> Result<()> {
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
    fn argument(&mut self, position: usize, arg: &str) -> Result<()> {
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

    /// `name...` followed by per-requirement options (`--hash`).
    fn requirement_line(
        &mut self,
        logical: &Logical,
        toks: &[(usize, usize)],
        file: &Path,
        constraint: bool,
    ) -> Result<()> {
        let text = &logical.text;
        let split = toks
            .iter()
            .position(|&(s, _)| text[s..].starts_with('-'))
            .unwrap_or(toks.len());
        let (start, end) = (toks[0].0, toks[split - 1].1);
        let requirement = self.parse_requirement(logical, start, end, file)?;

        let mut hashes = Vec::new();
        for option in option_tokens(logical, &toks[split..]) {
            if Opt::parse(&option.name) != Some(Opt::Hash) {
                return Err(Error::data(format!(
                    "{}: {} after a requirement",
                    at_pos(file, logical.pos(option.start)),
                    unexpected(&option.name)
                ))
                .hint("only --hash=ALGO:HEX may follow a requirement; remove the rest"));
            }
            let Some((value, at)) = option.value else {
                return Err(self.missing_value(logical, file, &option));
            };
            if !valid_hash(&value) {
                return Err(Error::data(format!(
                    "{}: bad --hash value `{value}`: expected sha256:, sha384: or sha512: and the \
                     hex digest",
                    at_pos(file, logical.pos(at))
                ))
                .hint("copy the hash from `pip hash FILE` or from the index's file list"));
            }
            hashes.push(value);
        }

        self.out.lines.push(Line {
            file: file.to_path_buf(),
            line: logical.line,
            requirement,
            constraint,
            editable: false,
            hashes,
            text: logical.raw_slice(start, end).trim().to_string(),
        });
        Ok(())
    }

    /// Parses bytes `start..end` of the logical text with pep508_rs, and
    /// turns its error into one that points at the physical position.
    fn parse_requirement(
        &self,
        logical: &Logical,
        start: usize,
        end: usize,
        file: &Path,
    ) -> Result<Requirement> {
        let source = &logical.text[start..end];
        let written = logical.raw_slice(start, end).trim();
        if let Some((at, what, name)) = punctuated_name(source) {
            return Err(Error::data(format!(
                "{}: invalid requirement `{written}`: {what} `{name}` ends with `{}`",
                at_pos(file, logical.pos(start + at)),
                &source[at..at + 1]
            ))
            .hint("names end with a letter or a digit: remove the trailing punctuation"));
        }
        let err = match Requirement::<VerbatimUrl>::from_str(source) {
            Ok(r) => return Ok(r),
            Err(err) => err,
        };
        // Point at the first character of the span, not at the blanks
        // before a version specifier that pep508_rs includes in it.
        let span_end = (err.start + err.len).min(source.len());
        let mut at = err.start.min(source.len());
        while at < span_end && source[at..].starts_with(char::is_whitespace) {
            at += source[at..].chars().next().map_or(1, char::len_utf8);
        }
        let at = start + at;
        let location = at_pos(file, logical.pos(at));
        let located = at_pos(file, logical.pos(start));
        Err(match &err.message {
            Pep508ErrorSource::UnsupportedRequirement(_) => Error::data(format!(
                "{located}: `{written}` is a path or URL without a project name"
            ))
            .hint(
                "ptest needs the `name @ url` form, e.g. `mypkg @ https://host/mypkg-1.0.whl` \
                 or `mypkg @ file:///absolute/path/to/mypkg`; for a project under development \
                 use `-e PATH#egg=NAME`",
            ),
            Pep508ErrorSource::UrlError(_) => Error::data(format!(
                "{location}: invalid URL in requirement `{written}`: {}",
                err.message
            ))
            .hint(
                "a URL requirement needs an absolute URL: `name @ https://...` or \
                 `name @ file:///absolute/path`",
            ),
            Pep508ErrorSource::String(message) => Error::data(format!(
                "{location}: invalid requirement `{written}`: {message}"
            ))
            .hint(PEP508_HELP),
        })
    }

    /// A line of global options (`-r FILE`, `-i URL`, `--no-index`, ...).
    fn options_line(
        &mut self,
        logical: &Logical,
        toks: &[(usize, usize)],
        file: &Path,
        constraint: bool,
    ) -> Result<()> {
        for option in option_tokens(logical, toks) {
            let Some(opt) = Opt::parse(&option.name) else {
                return Err(Error::data(format!(
                    "{}: {} in a requirements file",
                    at_pos(file, logical.pos(option.start)),
                    unexpected(&option.name)
                ))
                .hint(format!(
                    "ptest understands {KNOWN_OPTIONS}; remove the option"
                )));
            };
            if !opt.takes_value() {
                if option.value.is_some() {
                    return Err(Error::data(format!(
                        "{}: `{}` takes no value",
                        at_pos(file, logical.pos(option.start)),
                        option.name
                    ))
                    .hint(format!("write `{}` alone", option.name)));
                }
                if opt == Opt::NoIndex {
                    self.out.no_index = true;
                }
                continue;
            }
            let Some((value, at)) = option.value.clone() else {
                return Err(self.missing_value(logical, file, &option));
            };
            match opt {
                Opt::Requirement | Opt::Constraint => {
                    self.include(&value, logical, file, constraint || opt == Opt::Constraint)?;
                }
                Opt::Editable => self.editable(&value, at, logical, file, constraint)?,
                Opt::IndexUrl => self.out.index_url = Some(value),
                Opt::ExtraIndexUrl => self.out.extra_index_urls.push(value),
                Opt::FindLinks => {
                    let link = if has_scheme(&value) {
                        value
                    } else {
                        let dir = self.cwd.join(file.parent().unwrap_or(Path::new("")));
                        absolute(&dir, &value).display().to_string()
                    };
                    self.out.find_links.push(link);
                }
                Opt::Hash => {
                    return Err(Error::data(format!(
                        "{}: --hash without a requirement before it",
                        at_pos(file, logical.pos(option.start))
                    ))
                    .hint(
                        "put --hash on the requirement's line, after it (a backslash at the end \
                         of a line continues it): `name==1.0 --hash=sha256:...`",
                    ));
                }
                Opt::NoIndex | Opt::IgnoredFlag | Opt::IgnoredValue => {}
            }
        }
        Ok(())
    }

    fn missing_value(&self, logical: &Logical, file: &Path, option: &OptionToken) -> Error {
        Error::data(format!(
            "{}: `{}` needs a value",
            at_pos(file, logical.pos(option.start)),
            option.name
        ))
        .hint(format!("write `{} VALUE` on one line", option.name))
    }

    /// `-r FILE` / `-c FILE` at `logical` in `file`.
    fn include(
        &mut self,
        value: &str,
        logical: &Logical,
        file: &Path,
        constraint: bool,
    ) -> Result<()> {
        if has_scheme(value) {
            return Err(Error::data(format!(
                "{}: requirement file `{value}` is a URL",
                place(file, logical.line, None)
            ))
            .hint("download it and include the local copy"));
        }
        let target = tidy(&file.parent().unwrap_or(Path::new("")).join(value));
        if let Some(frame) = self.stack.last_mut() {
            frame.including_line = logical.line;
        }
        self.read_file(target, constraint, Some((file.to_path_buf(), logical.line)))
    }

    /// `-e PATH#egg=NAME` or `-e VCS+URL#egg=NAME`, stored as `NAME @ URL`.
    fn editable(
        &mut self,
        value: &str,
        at: usize,
        logical: &Logical,
        file: &Path,
        constraint: bool,
    ) -> Result<()> {
        let location = at_pos(file, logical.pos(at));
        let written = logical.raw_slice(at, at + value.len());
        if constraint {
            return Err(Error::data(format!(
                "{location}: editable requirement `{written}` in a constraints file"
            ))
            .hint("constraints only limit versions; move the -e line to a requirements file"));
        }
        let (base, fragment) = value.split_once('#').unwrap_or((value, ""));
        let egg = fragment
            .split('&')
            .find_map(|p| p.strip_prefix("egg="))
            .filter(|e| !e.is_empty());
        let Some(egg) = egg else {
            return Err(Error::data(format!(
                "{location}: editable requirement `{written}` does not say its project name"
            ))
            .hint(format!(
                "editable installs need `#egg=NAME`: write `-e {written}#egg=NAME`"
            )));
        };
        let name = PackageName::from_str(egg).map_err(|e| {
            Error::data(format!(
                "{location}: `#egg={egg}` in `{written}` is not a project name: {e}"
            ))
            .hint("write the project's name as in its pyproject.toml, without extras or version")
        })?;
        let (url, text) = if has_scheme(value) {
            (value.to_string(), written.to_string())
        } else {
            let dir = self.cwd.join(file.parent().unwrap_or(Path::new("")));
            let path = absolute(&dir, base);
            let mut url = file_url(&path);
            url.push('#');
            url.push_str(fragment);
            (url, path.display().to_string())
        };
        let url = VerbatimUrl::parse_url(&url).map_err(|e| {
            Error::data(format!(
                "{location}: invalid editable location `{written}`: {e}"
            ))
            .hint("give a local directory or a VCS URL such as git+https://host/repo#egg=NAME")
        })?;
        self.out.lines.push(Line {
            file: file.to_path_buf(),
            line: logical.line,
            requirement: Requirement {
                name,
                extras: Vec::new(),
                version_or_url: Some(VersionOrUrl::Url(url)),
                marker: MarkerTree::TRUE,
                origin: None,
            },
            constraint,
            editable: true,
            hashes: Vec::new(),
            text,
        });
        Ok(())
    }
}

/// `unknown option `--x`` or, for a word where an option was expected,
/// `unexpected `word``.
fn unexpected(name: &str) -> String {
    if name.starts_with('-') {
        format!("unknown option `{name}`")
    } else {
        format!("unexpected `{name}` among options")
    }
}

/// Finds a project or extra name that ends with `-`, `_` or `.` before
/// more text (`Foo_ ==1`, `foo[dev_]`): pep508_rs 0.9 panics on those
/// instead of returning an error, and a panic aborts a release build.
/// Returns the offset of the offending character, what the name is, and
/// the name.
fn punctuated_name(source: &str) -> Option<(usize, &'static str, &str)> {
    fn is_name(c: char) -> bool {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    }
    /// The name run starting at `from`, if it starts like a name and ends
    /// with punctuation.
    fn bad(source: &str, from: usize) -> Option<(usize, &str)> {
        let rest = &source[from..];
        if !rest.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return None;
        }
        let len = rest.find(|c: char| !is_name(c)).unwrap_or(rest.len());
        let name = &rest[..len];
        name.ends_with(['-', '_', '.'])
            .then_some((from + len - 1, name))
    }
    let name_start = source.len() - source.trim_start().len();
    if let Some((at, name)) = bad(source, name_start) {
        return Some((at, "project name", name));
    }
    let after_name = name_start
        + source[name_start..]
            .find(|c: char| !is_name(c))
            .unwrap_or(source.len() - name_start);
    let rest = &source[after_name..];
    let open = after_name + rest.len() - rest.trim_start().len();
    if !source[open..].starts_with('[') {
        return None;
    }
    let close = source[open..].find(']').map_or(source.len(), |i| open + i);
    let mut item = open + 1;
    for part in source[open + 1..close].split(',') {
        let start = item + part.len() - part.trim_start().len();
        if let Some((at, name)) = bad(source, start) {
            return Some((at, "extra", name));
        }
        item += part.len() + 1;
    }
    None
}

/// `file:line:column` of a physical position.
fn at_pos(file: &Path, (line, column): Pos) -> String {
    place(file, line, Some(column))
}

/// The directory part of a displayed file path, `.` when there is none.
fn parent_display(file: &Path) -> String {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_string(),
    }
}

/// Groups tokens into options with their values: `--name=value`,
/// `--name value`, `-x value` and `-xvalue`. A token that does not start
/// with `-` where an option is expected becomes an option of that name, so
/// that it is reported as unknown.
fn option_tokens(logical: &Logical, toks: &[(usize, usize)]) -> Vec<OptionToken> {
    let text = &logical.text;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let (start, end) = toks[i];
        let tok = &text[start..end];
        i += 1;
        let (name, mut value) = if let Some(long) = tok.strip_prefix("--") {
            match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some((v.to_string(), start + n.len() + 3))),
                None => (tok.to_string(), None),
            }
        } else if tok.starts_with('-') && tok.len() > 2 && tok.is_char_boundary(2) {
            (
                tok[..2].to_string(),
                Some((tok[2..].to_string(), start + 2)),
            )
        } else {
            (tok.to_string(), None)
        };
        let takes_value = Opt::parse(&name).is_some_and(Opt::takes_value);
        if value.is_none() && takes_value && i < toks.len() {
            let (vs, ve) = toks[i];
            if !text[vs..].starts_with('-') {
                value = Some((text[vs..ve].to_string(), vs));
                i += 1;
            }
        }
        out.push(OptionToken { name, value, start });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep508_rs::{ExtraName, MarkerEnvironmentBuilder};
    use ptest_shared::error::Exit;
    use std::fs;

    /// Parses `text` as `req.txt` in `/proj`, with `${VAR}`s looked up in
    /// `vars` instead of the process environment.
    fn parse_with(text: &str, vars: &[(&str, &str)]) -> Result<Requirements> {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        };
        let mut reader = Reader::new(Path::new("/proj"));
        reader.var = &lookup;
        reader.parse(text, Path::new("req.txt"), false)?;
        Ok(reader.out)
    }

    fn parse(text: &str) -> Result<Requirements> {
        parse_with(text, &[])
    }

    fn err(text: &str) -> Error {
        parse(text).expect_err("should fail")
    }

    /// Writes `files` (path, contents) under a new temporary directory.
    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    fn texts(r: &Requirements) -> Vec<&str> {
        r.lines.iter().map(|l| l.text.as_str()).collect()
    }

    const H1: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const H2: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF";

    #[test]
    fn comments_continuations_and_blank_lines() {
        let r = parse(
            "# a comment\n\
             \n\
             foo>=1.0,\\\n\
             <2  # trailing comment\n\
             \x20\x20bar @ https://h/bar-1.0.whl#sha256=abc\n\
             baz\r\n\
             qux \\\n\
             # a comment line ends a continuation\n\
             last\\",
        )
        .unwrap();
        assert_eq!(
            texts(&r),
            [
                "foo>=1.0,<2",
                "bar @ https://h/bar-1.0.whl#sha256=abc",
                "baz",
                "qux",
                "last"
            ]
        );
        let lines: Vec<usize> = r.lines.iter().map(|l| l.line).collect();
        assert_eq!(lines, [3, 5, 6, 7, 9]);
        let VersionOrUrl::Url(url) = r.lines[1].requirement.version_or_url.as_ref().unwrap() else {
            panic!("a URL requirement");
        };
        assert_eq!(url.as_str(), "https://h/bar-1.0.whl#sha256=abc");
        assert!(
            r.lines
                .iter()
                .all(|l| l.file == Path::new("req.txt") && !l.constraint)
        );
    }

    #[test]
    fn extras_and_markers_are_parsed() {
        let r = parse("Requests[socks, security] >=2.8 ; python_version >= \"3.8\"\n").unwrap();
        let req = &r.lines[0].requirement;
        assert_eq!(req.name.as_ref(), "requests");
        assert_eq!(
            req.extras,
            [
                ExtraName::from_str("socks").unwrap(),
                ExtraName::from_str("security").unwrap()
            ]
        );
        assert!(!req.marker.is_true());
        assert_eq!(
            r.lines[0].text,
            "Requests[socks, security] >=2.8 ; python_version >= \"3.8\""
        );
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
    fn global_options() {
        let dir = tree(&[(
            "reqs/r.txt",
            "-i https://first/simple\n\
             --index-url=https://idx/simple\n\
             --extra-index-url https://extra/simple --extra-index-url=https://x2/simple\n\
             -f ./wheels\n\
             --find-links ../shared/wheels\n\
             -fhttps://links/\n\
             --no-index\n\
             --pre\n--prefer-binary\n--only-binary :all:\n--no-binary=foo\n--trusted-host h\n\
             pkg\n",
        )]);
        let r = read(&[PathBuf::from("reqs/r.txt")], &[], dir.path()).unwrap();
        assert_eq!(r.index_url.as_deref(), Some("https://idx/simple"));
        assert_eq!(
            r.extra_index_urls,
            ["https://extra/simple", "https://x2/simple"]
        );
        let base = dir.path();
        assert_eq!(
            r.find_links,
            [
                base.join("reqs/wheels").display().to_string(),
                base.join("shared/wheels").display().to_string(),
                "https://links/".to_string()
            ]
        );
        assert!(r.no_index);
        assert_eq!(texts(&r), ["pkg"]);
    }

    #[test]
    fn option_errors() {
        let e = err("pkg\n  --use-feature=fast-deps\n");
        assert_eq!(e.exit, Exit::Data);
        assert!(
            e.message
                .starts_with("req.txt:2:3: unknown option `--use-feature`"),
            "{e}"
        );
        assert!(e.hint.as_deref().unwrap().contains("--extra-index-url"));

        let e = err("-i\n");
        assert!(
            e.message.starts_with("req.txt:1:1: `-i` needs a value"),
            "{e}"
        );
        let e = err("--no-index=yes\n");
        assert!(e.message.contains("takes no value"), "{e}");
        let e = err("--pre b.txt\n");
        assert!(e.message.contains("unexpected `b.txt`"), "{e}");
        let e = err(&format!("--hash={H1}\n"));
        assert!(e.message.contains("--hash without a requirement"), "{e}");
    }

    #[test]
    fn hashes() {
        let r = parse(&format!(
            "foo==1.0 --hash={H1} \\\n    --hash {H2}\nbar==2 # --hash=sha256:ignored\n"
        ))
        .unwrap();
        assert_eq!(r.lines[0].hashes, [H1, H2]);
        assert_eq!(r.lines[0].text, "foo==1.0");
        assert!(r.lines[1].hashes.is_empty());

        let e = err("ok\nfoo==1.0 --hash=md5:abc\n");
        assert!(
            e.message
                .starts_with("req.txt:2:17: bad --hash value `md5:abc`"),
            "{e}"
        );
        let e = err("foo==1.0 \\\n  --install-option=--x\n");
        assert!(
            e.message
                .starts_with("req.txt:2:3: unknown option `--install-option`"),
            "{e}"
        );
        let e = err("foo==1.0 --hash\n");
        assert!(e.message.contains("`--hash` needs a value"), "{e}");
    }

    #[test]
    fn environment_variables_are_expanded() {
        let vars = [("TOKEN", "s3cret"), ("DIR", "/opt/w"), ("V", "2.0")];
        let r = parse_with(
            "-i https://u:${TOKEN}@idx/simple\n\
             -f ${DIR}/wheels\n\
             pkg @ https://${TOKEN}@h/pkg.whl\n\
             other==${V}\n\
             keep @ https://h/${UNSET}/${lower}/$PLAIN/x.whl\n",
            &vars,
        )
        .unwrap();
        assert_eq!(r.index_url.as_deref(), Some("https://u:s3cret@idx/simple"));
        assert_eq!(r.find_links, ["/opt/w/wheels"]);
        let VersionOrUrl::Url(url) = r.lines[0].requirement.version_or_url.as_ref().unwrap() else {
            panic!("a URL requirement");
        };
        assert_eq!(url.as_str(), "https://s3cret@h/pkg.whl");
        // The secret stays out of the text used in messages.
        assert_eq!(r.lines[0].text, "pkg @ https://${TOKEN}@h/pkg.whl");
        assert_eq!(r.lines[1].requirement.to_string(), "other==2.0");
        assert!(r.lines[2].text.contains("${UNSET}/${lower}/$PLAIN"));

        // Columns after an expansion still point into the physical line.
        let e = parse_with("x==${V},<\n", &vars).expect_err("bad");
        assert!(e.message.starts_with("req.txt:1:9:"), "{e}");
    }

    #[test]
    fn error_columns_point_at_the_physical_line() {
        let e = err("a\nb\nrequests>=2.0,<\n");
        assert_eq!(e.exit, Exit::Data);
        assert!(
            e.message
                .starts_with("req.txt:3:15: invalid requirement `requests>=2.0,<`"),
            "{e}"
        );
        assert!(e.hint.is_some());

        let e = err("  requests>=2.0,<\n");
        assert!(e.message.starts_with("req.txt:1:17:"), "{e}");

        let e = err("requests>=2.0,\\\n  <\n");
        assert!(e.message.starts_with("req.txt:2:3:"), "{e}");

        // pep508_rs 0.9 panics on these: they must be errors.
        let e = err("ok\nFoo_ == 1\n");
        assert!(
            e.message
                .starts_with("req.txt:2:4: invalid requirement `Foo_ == 1`: project name"),
            "{e}"
        );
        let e = err("foo[dev, test_ ]\n");
        assert!(e.message.starts_with("req.txt:1:14:"), "{e}");
        assert!(e.message.contains("extra `test_`"), "{e}");
        let e = err("foo-\n");
        assert!(e.message.starts_with("req.txt:1:4:"), "{e}");
        assert!(parse("foo[a.b, c-d]>=1\n").is_ok());

        let e = err("foo; python_version >< \"3\"\n");
        assert!(e.message.starts_with("req.txt:1:"), "{e}");

        let e = read(&[], &["ok".into(), "bad>=".into()], Path::new("/")).expect_err("bad");
        assert!(
            e.message.starts_with("command-line argument 2, column 4:"),
            "{e}"
        );
        let e = read(&[], &["-e".into()], Path::new("/")).expect_err("bad");
        assert!(e.message.contains("is an option"), "{e}");
    }

    #[test]
    fn unnamed_requirements_need_a_name() {
        for text in [
            "./pkg",
            "https://h/x-1.0.whl",
            "x-1.0.tar.gz",
            "git+https://h/r.git",
        ] {
            let e = err(&format!("ok\n  {text}\n"));
            assert_eq!(e.exit, Exit::Data, "{text}");
            assert!(e.message.starts_with("req.txt:2:3:"), "{text}: {e}");
            assert!(e.message.contains("without a project name"), "{text}: {e}");
            assert!(e.hint.as_deref().unwrap().contains("name @ url"), "{text}");
        }
        let e = err("x @ ./relative\n");
        assert!(e.message.starts_with("req.txt:1:5: invalid URL"), "{e}");
    }

    #[test]
    fn editable_requirements() {
        let dir = tree(&[(
            "reqs/r.txt",
            "-e ../src/My_Pkg#egg=My_Pkg\n--editable=git+https://h/r.git#egg=r\n",
        )]);
        let r = read(&[PathBuf::from("reqs/r.txt")], &[], dir.path()).unwrap();
        let local = &r.lines[0];
        assert!(local.editable && !local.constraint);
        assert_eq!(local.project(), "my-pkg");
        assert_eq!(
            local.text,
            dir.path().join("src/My_Pkg").display().to_string()
        );
        let VersionOrUrl::Url(url) = local.requirement.version_or_url.as_ref().unwrap() else {
            panic!("a URL requirement");
        };
        assert_eq!(
            url.as_str(),
            format!("{}#egg=My_Pkg", file_url(&dir.path().join("src/My_Pkg")))
        );
        assert_eq!(r.lines[1].text, "git+https://h/r.git#egg=r");
        assert_eq!(r.lines[1].project(), "r");

        let e = err("-e ./pkg\n");
        assert!(e.message.starts_with("req.txt:1:4:"), "{e}");
        assert!(e.hint.as_deref().unwrap().contains("#egg=NAME"), "{e:?}");

        let e = parse_text("-e ./pkg#egg=p\n", Path::new("c.txt"), true, Path::new("/"))
            .expect_err("editable constraint");
        assert!(e.message.contains("constraints file"), "{e}");
    }

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(file_url(Path::new("/a b/c#d")), "file:///a%20b/c%23d");
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

    fn python311() -> MarkerEnvironment {
        MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.11.7",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "6.1.0",
            platform_system: "Linux",
            platform_version: "#1 SMP",
            python_full_version: "3.11.7",
            python_version: "3.11",
            sys_platform: "linux",
        })
        .unwrap()
    }

    /// The conflicts between the lines of `text`, read as `r.txt`.
    fn clashes(text: &str, env: Option<&MarkerEnvironment>) -> Vec<Conflict> {
        let dir = tree(&[("r.txt", text)]);
        let r = read(&[PathBuf::from("r.txt")], &[], dir.path()).unwrap();
        conflicts(&r, env)
    }

    #[test]
    fn conflicting_versions() {
        let found = clashes("pytest==7.4.0\nother\npytest>=8\n", None);
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.project, "pytest");
        assert_eq!(
            c.reason,
            "pytest: \"pytest==7.4.0\" (r.txt:1) and \"pytest>=8\" (r.txt:3) cannot both hold"
        );
        let rec = c.to_record();
        assert_eq!(rec["v"], 1);
        assert_eq!(rec["kind"], "conflict");
        assert_eq!(rec["phase"], "requirements");
        assert_eq!(rec["project"], "pytest");
        assert_eq!(rec["a"]["file"], "r.txt");
        assert_eq!(rec["a"]["line"], 1);
        assert_eq!(rec["b"]["requirement"], "pytest>=8");
        assert_eq!(rec["reason"], c.reason.as_str());

        assert!(clashes("pytest>=7\npytest<9\n", None).is_empty());
        assert_eq!(clashes("A_b==1\na-b==2\n", None).len(), 1);
        assert_eq!(clashes("x~=1.4\nx==2.0\n", None).len(), 1);
        assert!(clashes("x==1.*\nx>=1.5,<2\n", None).is_empty());
        assert!(clashes("x>=1\nx\n", None).is_empty());
        // `==2.1.0` allows the local build `2.1.0+cpu`.
        assert!(clashes("torch==2.1.0+cpu\ntorch==2.1.0\n", None).is_empty());
        assert!(clashes("torch!=2.1.0+cpu\ntorch==2.1.0\n", None).is_empty());
    }

    #[test]
    fn constraints_conflict_too() {
        let dir = tree(&[("r.txt", "a==1.0\n-c c.txt\n"), ("c.txt", "a!=1.0\n")]);
        let r = read(&[PathBuf::from("r.txt")], &[], dir.path()).unwrap();
        let found = conflicts(&r, None);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].reason,
            "a: \"a==1.0\" (r.txt:1) and \"a!=1.0\" (constraint, c.txt:1) cannot both hold"
        );
        assert_eq!(found[0].to_record()["b"]["constraint"], true);
    }

    #[test]
    fn markers_decide_which_lines_are_compared() {
        let env = python311();
        let text = "x==1; python_version < \"3\"\nx==2\n";
        assert!(clashes(text, Some(&env)).is_empty());
        assert_eq!(clashes(text, None).len(), 1);
        assert_eq!(
            clashes("x==1; python_version >= \"3\"\nx==2\n", Some(&env)).len(),
            1
        );
        // Never both in effect, whatever the environment.
        let split = "x==1; python_version < \"3.10\"\nx==2; python_version >= \"3.10\"\n";
        assert!(clashes(split, None).is_empty());
    }

    #[test]
    fn urls_conflict_only_with_other_urls() {
        let found = clashes("p @ https://h/p-1.whl\np @ https://h/p-2.whl\n", None);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].reason.ends_with("name two different URLs"),
            "{}",
            found[0].reason
        );
        assert!(clashes("p @ https://h/p-1.whl\np @ https://h/p-1.whl\n", None).is_empty());
        assert!(clashes("p @ https://h/p-1.whl\np==2\n", None).is_empty());
    }
}
