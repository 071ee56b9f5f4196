//! Option lines of a requirement file: `-r`/`-c` (includes), `-e`
//! (editable requirements), `-i`, `--extra-index-url`, `-f`, `--no-index`,
//! the options accepted and ignored, and the grouping of tokens into options
//! and their values.

use super::lines::{Logical, at_pos};
use super::reader::{Reader, tidy};
use super::{Line, place};
use pep508_rs::{MarkerTree, PackageName, Requirement, VerbatimUrl, VersionOrUrl, split_scheme};
use ptest_shared::{Error, Result};
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};
use std::str::FromStr;

/// A global option of a requirement file, recognised by its spelling.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Opt {
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
    pub(super) fn parse(name: &str) -> Option<Opt> {
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

    pub(super) fn takes_value(self) -> bool {
        !matches!(self, Opt::NoIndex | Opt::IgnoredFlag)
    }
}

/// The options a requirement file may hold, for hints.
const KNOWN_OPTIONS: &str = "-r/--requirement, -c/--constraint, -e/--editable, -i/--index-url, \
     --extra-index-url, -f/--find-links, --no-index, --pre, --prefer-binary, --only-binary, \
     --no-binary, --trusted-host, and --hash after a requirement";

/// One option as found on a line: its name, its value (attached with `=`
/// or in the next token, or glued to a short option), and where it starts.
pub(super) struct OptionToken {
    pub(super) name: String,
    /// The value and the byte offset in the logical text where it starts.
    pub(super) value: Option<(String, usize)>,
    pub(super) start: usize,
}

impl Reader<'_> {
    /// A line of global options (`-r FILE`, `-i URL`, `--no-index`, ...).
    pub(super) fn options_line(
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

    pub(super) fn missing_value(
        &self,
        logical: &Logical,
        file: &Path,
        option: &OptionToken,
    ) -> Error {
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
pub(super) fn unexpected(name: &str) -> String {
    if name.starts_with('-') {
        format!("unknown option `{name}`")
    } else {
        format!("unexpected `{name}` among options")
    }
}

/// Groups tokens into options with their values: `--name=value`,
/// `--name value`, `-x value` and `-xvalue`. A token that does not start
/// with `-` where an option is expected becomes an option of that name, so
/// that it is reported as unknown.
pub(super) fn option_tokens(logical: &Logical, toks: &[(usize, usize)]) -> Vec<OptionToken> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reqs::testing::{H1, err, texts, tree};
    use crate::reqs::{parse_text, read};
    use ptest_shared::error::Exit;

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
}
