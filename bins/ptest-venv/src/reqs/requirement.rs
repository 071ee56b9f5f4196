//! A requirement line: the PEP 508 requirement parsed by `pep508_rs`, the
//! `--hash` options after it, and parse errors turned into ones that point
//! at the physical `file:line:column`.

use super::Line;
use super::lines::{Logical, at_pos};
use super::options::{Opt, option_tokens, unexpected};
use super::reader::Reader;
use pep508_rs::{Pep508ErrorSource, Requirement, VerbatimUrl};
use ptest_shared::{Error, Result};
use std::path::Path;
use std::str::FromStr;

/// Where the syntax of a requirement is explained, for hints.
pub(super) const PEP508_HELP: &str = "write `name`, `name[extra]>=1.0,<2`, `name==1.0; python_version >= \"3.9\"` \
     or `name @ https://host/name-1.0.whl` (https://packaging.python.org/en/latest/specifications/dependency-specifiers/)";

impl Reader<'_> {
    /// `name...` followed by per-requirement options (`--hash`).
    pub(super) fn requirement_line(
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
        if let Some((at, c)) = stray_non_ascii(source) {
            return Err(Error::data(format!(
                "{}: invalid requirement `{written}`: `{}` is not ASCII: outside its URL, ptest reads a requirement in ASCII",
                at_pos(file, logical.pos(start + at)),
                c.escape_default()
            ))
            .hint(PEP508_HELP));
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

/// Finds a character that is neither ASCII nor whitespace outside the URL
/// of `name @ URL` (which runs up to whitespace). pep508_rs 0.9 panics on
/// one where a marker expression may go on (`x; os_name == "a"é`: it
/// counts the characters of the next word and slices as many bytes), and
/// where that is depends on how it reads quotes; PEP 508 allows one only in
/// a quoted marker value, which no marker variable holds in practice.
/// Returns its offset and the character.
fn stray_non_ascii(source: &str) -> Option<(usize, char)> {
    #[derive(PartialEq)]
    enum Url {
        No,
        /// After `@`, before the URL's first character.
        Next,
        Inside,
    }
    let mut url = Url::No;
    for (i, c) in source.char_indices() {
        match c {
            _ if url == Url::Next && c.is_whitespace() => {}
            _ if url == Url::Next => url = Url::Inside,
            _ if url == Url::Inside && c.is_whitespace() => url = Url::No,
            _ if url == Url::Inside => {}
            '@' => url = Url::Next,
            _ if !c.is_ascii() && !c.is_whitespace() => return Some((i, c)),
            _ => {}
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use crate::reqs::read;
    use crate::reqs::testing::{H1, H2, err, parse};
    use pep508_rs::ExtraName;
    use ptest_shared::error::Exit;
    use std::path::Path;
    use std::str::FromStr;

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

        // pep508_rs 0.9 panics on a non-ASCII character where a marker
        // expression may go on.
        for text in [
            "x; os_name == \"a\"é\n",
            "a@file:///a  ; extra == \"x\"\u{feff} and python_version > \"0\"\n",
            "x ; (os_name == 'a')ß\n",
            "x==1ℌ\n",
            "x ; (os_name == ') and os_name == 'x'\u{feff}\n",
        ] {
            let e = err(text);
            assert!(e.message.contains("is not ASCII"), "{text:?}: {e}");
            assert!(e.message.starts_with("req.txt:1:"), "{e}");
        }
        // In a URL it is read.
        assert!(parse("x @ https://h/é/x-1.0.whl ; os_name == \"a\"\n").is_ok());
        assert!(parse("x\u{a0}==1\n").is_ok());

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
}
