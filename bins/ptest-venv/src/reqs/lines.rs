//! Logical lines: a requirement file split as pip splits it (backslash
//! continuations joined, comments removed, `${VAR}`s expanded), each byte
//! kept with the physical `line:column` it came from so that an error points
//! there; and the whitespace-separated tokens of a line.

use super::place;
use std::path::Path;

/// A per-line position: physical 1-based line and 1-based column (in
/// characters).
pub(super) type Pos = (usize, usize);

/// One logical line of a file, and where each of its bytes came from.
pub(super) struct Logical {
    /// The physical line it starts on.
    pub(super) line: usize,
    /// The joined text, comment removed, `${VAR}`s as written.
    raw: String,
    /// For each byte of `raw`, plus one past the end: its physical position.
    raw_pos: Vec<Pos>,
    /// `raw` with `${VAR}`s expanded: what is parsed.
    pub(super) text: String,
    /// For each byte of `text`, plus one past the end: its offset in `raw`
    /// (all bytes of an expanded value map to the `$`).
    to_raw: Vec<usize>,
}

impl Logical {
    /// Physical position of byte `i` of `text`.
    pub(super) fn pos(&self, i: usize) -> Pos {
        self.raw_pos[self.to_raw[i.min(self.text.len())]]
    }

    /// The part of `raw` that bytes `start..end` of `text` came from.
    pub(super) fn raw_slice(&self, start: usize, end: usize) -> &str {
        &self.raw[self.to_raw[start]..self.to_raw[end]]
    }

    /// A line from a command-line argument: nothing to join or expand.
    pub(super) fn argument(position: usize, arg: &str) -> Logical {
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
pub(super) fn logical_lines(text: &str, var: &dyn Fn(&str) -> Option<String>) -> Vec<Logical> {
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
pub(super) fn expand_vars(
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
pub(super) fn tokens(s: &str) -> Vec<(usize, usize)> {
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

/// `file:line:column` of a physical position.
pub(super) fn at_pos(file: &Path, (line, column): Pos) -> String {
    place(file, line, Some(column))
}

#[cfg(test)]
mod tests {
    use crate::reqs::testing::{parse, parse_with, texts};
    use pep508_rs::VersionOrUrl;
    use std::path::Path;

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
}
