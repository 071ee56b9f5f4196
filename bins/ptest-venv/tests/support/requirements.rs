//! Generators of requirement files for the fuzz tests (docs/fuzzing.md):
//! PEP 508 requirements right and wrong (names, extras, every kind of
//! version specifier, markers, URLs, `--hash`), the option lines pip's
//! format allows (`-r`, `-c`, `-e`, `-i`, `-f`, …) and others, comments,
//! continuations, `${VAR}`s, CRLF, BOMs and odd unicode.
//!
//! Shared by the in-process properties of the parser
//! (`bins/ptest-venv/src/reqs/fuzz.rs`) and the binary-level ones
//! (`bins/ptest-venv/tests/fuzz_requirements.rs`), through `#[path]`.

#![allow(dead_code)]

use proptest::prelude::*;

/// The files an include may name (relative to the including file's
/// directory): the tree's own, a missing one, directories, a parent.
pub const INCLUDES: &[&str] = &[
    "a.txt",
    "b.txt",
    "sub/c.txt",
    "../a.txt",
    "./a.txt",
    "missing.txt",
    "sub",
    ".",
    "sub/../b.txt",
    "\"a.txt\"",
    "https://example.invalid/r.txt",
    "file:///etc/hostname",
];

/// Variables `${NAME}` may name; some set (by the tests), some not.
pub const VARS: &[(&str, &str)] = &[
    ("TOKEN", "s3cr3t"),
    ("V", "2.0"),
    ("DIR", "/opt/wheels"),
    ("SPACE", "a b"),
    ("HASH", "#x"),
    ("EMPTY", ""),
];

fn one_of(items: &[&'static str]) -> impl Strategy<Value = String> + use<> {
    proptest::sample::select(items.to_vec()).prop_map(str::to_owned)
}

/// Chars that trip parsers, and any other.
pub fn odd() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(&[
            "-", "_", ".", "[", "]", ",", ";", "@", "#", "\\", "\"", "'", "=", "==", "~", "!", "<",
            ">", "*", "+", "(", ")", ":", "/", " ", "\t", "$", "${", "}", "\u{0}", "\u{b}",
            "\u{c}", "\u{85}", "\u{a0}", "\u{2028}", "\u{feff}", "\u{202e}", "é", "ß", "ℌ", "🦀",
            "\u{301}", "\r",
        ]),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

/// A project name: valid ones, and ones with trailing punctuation,
/// unicode, digits only, too long.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[A-Za-z0-9]([A-Za-z0-9._-]{0,10}[A-Za-z0-9])?",
        1 => "[A-Za-z0-9][A-Za-z0-9._-]{0,6}[._-]",
        1 => "[A-Za-z0-9]{1,3}[._-]{2,3}[A-Za-z0-9]{1,3}",
        1 => (odd(), "[a-z]{0,4}").prop_map(|(o, s)| format!("{s}{o}")),
        1 => "[0-9]{1,40}",
    ]
}

/// A version: release, epoch, pre/post/dev, local, wildcard, garbage.
pub fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,3}(\\.[0-9]{1,3}){0,3}",
        1 => "[0-9]!\\d(\\.\\d)?",
        1 => "\\d(\\.\\d)?(a|b|rc|c|alpha|beta|pre|preview)\\d{0,2}",
        1 => "\\d(\\.\\d)?(\\.post\\d|-\\d|\\.dev\\d?|post|dev)",
        1 => "\\d(\\.\\d)?\\+[a-z0-9]{1,4}(\\.[a-z0-9]{1,3})?",
        1 => "\\d(\\.\\d)?\\.\\*",
        1 => "[0-9]{15,30}",
        1 => (odd(), "[0-9.]{0,4}").prop_map(|(o, s)| format!("{s}{o}")),
        1 => Just("${V}".to_owned()),
    ]
}

pub fn specifier() -> impl Strategy<Value = String> {
    (
        one_of(&[
            "==", ">=", "<=", "!=", "~=", "===", "<", ">", "=", "=>", "", "~",
        ]),
        "[ ]{0,1}",
        version(),
    )
        .prop_map(|(op, sp, v)| format!("{op}{sp}{v}"))
}

pub fn marker() -> impl Strategy<Value = String> {
    let var = one_of(&[
        "python_version",
        "python_full_version",
        "sys_platform",
        "platform_system",
        "os_name",
        "platform_machine",
        "implementation_name",
        "extra",
        "platform_release",
        "python_implementation",
        "'3.8'",
        "\"linux\"",
        "bogus",
    ]);
    let op = one_of(&[
        "==", "!=", ">=", "<", "<=", ">", "~=", "===", "in", "not in", "=", "",
    ]);
    let val = prop_oneof![
        version().prop_map(|v| format!("\"{v}\"")),
        one_of(&[
            "'linux'",
            "\"win32\"",
            "'x'",
            "\"\"",
            "'",
            "python_version",
            "\"3.*\""
        ]),
    ];
    let atom = (var, op, val).prop_map(|(a, o, b)| format!("{a} {o} {b}"));
    atom.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                one_of(&["and", "or", "AND", "&&"]),
                inner.clone()
            )
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

pub fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        "https://[a-z]{1,6}\\.invalid/[a-z0-9_-]{1,8}(-[0-9.]{1,5})?(\\.whl|\\.tar\\.gz|\\.zip)?(#sha256=[0-9a-f]{4,64})?",
        "file:///[a-z/]{0,12}",
        "git\\+https://[a-z]{1,6}\\.invalid/[a-z]{1,6}(\\.git)?(@[a-z0-9]{1,6})?(#egg=[a-z]{1,5})?",
        "https://u:\\$\\{TOKEN\\}@[a-z]{1,5}\\.invalid/p\\.whl",
        "[a-z./:]{0,12}",
        (odd(), "https://x.invalid/").prop_map(|(o, u)| format!("{u}{o}")),
    ]
}

fn hash() -> impl Strategy<Value = String> {
    prop_oneof![
        "sha256:[0-9a-f]{64}",
        "sha384:[0-9a-fA-F]{96}",
        "sha512:[0-9a-f]{128}",
        "sha256:[0-9a-f]{0,70}",
        "(md5|sha1|SHA256):[0-9a-f]{1,40}",
        "[a-z0-9:]{0,10}",
    ]
}

/// A requirement line, right or wrong.
pub fn requirement() -> impl Strategy<Value = String> {
    let extras = prop_oneof![
        3 => Just(String::new()),
        1 => proptest::collection::vec(name(), 0..3).prop_map(|e| format!("[{}]", e.join(","))),
        1 => proptest::collection::vec(name(), 1..3).prop_map(|e| format!("[ {} ", e.join(" , "))),
    ];
    let versions = prop_oneof![
        2 => Just(String::new()),
        3 => proptest::collection::vec(specifier(), 1..3).prop_map(|s| s.join(",")),
        1 => proptest::collection::vec(specifier(), 1..3).prop_map(|s| format!("({})", s.join(", "))),
        1 => url().prop_map(|u| format!(" @ {u}")),
        1 => url().prop_map(|u| format!("@{u} ")),
    ];
    let markers = prop_oneof![
        3 => Just(String::new()),
        1 => marker().prop_map(|m| format!(" ; {m}")),
        1 => marker().prop_map(|m| format!(";{m}")),
        // Something after a whole marker expression, where `and` or `or`
        // may go on.
        1 => (marker(), odd(), "[ ]?[a-z]{0,3}").prop_map(|(m, o, w)| format!(" ; {m}{o}{w}")),
    ];
    let hashes = prop_oneof![
        4 => Just(String::new()),
        1 => proptest::collection::vec(hash(), 1..3).prop_map(|h| {
            h.iter().map(|h| format!(" --hash={h}")).collect::<String>()
        }),
        1 => hash().prop_map(|h| format!(" --hash {h}")),
        1 => Just(" --hash".to_owned()),
        1 => Just(" --no-index".to_owned()),
    ];
    (name(), extras, "[ ]{0,2}", versions, markers, hashes)
        .prop_map(|(n, e, sp, v, m, h)| format!("{n}{e}{sp}{v}{m}{h}"))
}

/// An option line, right or wrong.
pub fn option() -> impl Strategy<Value = String> {
    let include = (
        one_of(&["-r", "-c", "--requirement", "--constraint"]),
        one_of(&[" ", "=", "  ", ""]),
        one_of(INCLUDES),
    )
        .prop_map(|(o, sep, f)| format!("{o}{sep}{f}"));
    let editable = (
        one_of(&["-e", "--editable"]),
        prop_oneof![
            one_of(&["./pkg", ".", "/abs/dir", "pkg", "../x", "${DIR}/p"]),
            url(),
        ],
        prop_oneof![
            2 => name().prop_map(|n| format!("#egg={n}")),
            1 => Just(String::new()),
            1 => Just("#egg=".to_owned()),
            1 => name().prop_map(|n| format!("#subdirectory=x&egg={n}")),
        ],
    )
        .prop_map(|(o, p, e)| format!("{o} {p}{e}"));
    let index = (
        one_of(&[
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "--trusted-host",
            "--only-binary",
            "--no-binary",
        ]),
        one_of(&[" ", "="]),
        prop_oneof![
            url(),
            one_of(&[":all:", ":none:", "wheels", "${DIR}", "", "\"x\""])
        ],
    )
        .prop_map(|(o, sep, v)| format!("{o}{sep}{v}"));
    let flags = one_of(&[
        "--no-index",
        "--pre",
        "--prefer-binary",
        "--no-index=1",
        "-r",
        "-e",
        "--hash=sha256:00",
        "--unknown",
        "-x",
        "--",
        "-",
        "--require-hashes",
        "-Z foo",
        "--index-url",
    ]);
    prop_oneof![2 => include, 2 => editable, 2 => index, 2 => flags]
}

/// A requirement line pip would take: names, extras, specifiers, markers,
/// URLs and hashes of the right shapes (pep508_rs still has the last word).
pub fn valid_requirement() -> impl Strategy<Value = String> {
    let name = || "[A-Za-z0-9]([A-Za-z0-9._-]{0,8}[A-Za-z0-9])?";
    let extras = prop_oneof![
        3 => Just(String::new()),
        1 => proptest::collection::vec(name(), 1..3).prop_map(|e| format!("[{}]", e.join(","))),
    ];
    let spec = (
        one_of(&["==", ">=", "<=", "!=", "~=", "<", ">", "==="]),
        "[0-9]{1,2}\\.[0-9]{1,2}(\\.[0-9]{1,2})?((a|b|rc)[0-9]|\\.post[0-9]|\\.dev[0-9])?",
    )
        .prop_map(|(o, v)| format!("{o}{v}"));
    let versions = prop_oneof![
        2 => Just(String::new()),
        3 => proptest::collection::vec(spec, 1..3).prop_map(|s| s.join(",")),
        1 => "https://[a-z]{1,6}\\.invalid/[a-z]{1,6}-1\\.0-py3-none-any\\.whl".prop_map(|u| format!(" @ {u}")),
    ];
    let markers = prop_oneof![
        3 => Just(String::new()),
        1 => one_of(&[
            " ; python_version >= \"3.8\"",
            "; sys_platform == 'linux' and python_version < '3.13'",
            " ; extra == \"dev\"",
            " ; os_name != 'nt' or platform_machine == \"x86_64\"",
        ]),
    ];
    let hashes = prop_oneof![
        4 => Just(String::new()),
        1 => "sha256:[0-9a-f]{64}".prop_map(|h| format!(" --hash={h}")),
    ];
    (name(), extras, versions, markers, hashes)
        .prop_map(|(n, e, v, m, h)| format!("{n}{e}{v}{m}{h}"))
}

/// An option line pip would take.
pub fn valid_option() -> impl Strategy<Value = String> {
    prop_oneof![
        one_of(&[
            "-r b.txt",
            "-c sub/c.txt",
            "--requirement=sub/c.txt",
            "-r ./b.txt"
        ]),
        one_of(&[
            "--no-index",
            "--pre",
            "-i https://idx.invalid/simple",
            "--extra-index-url https://u:${TOKEN}@x.invalid/s",
            "-f ${DIR}",
            "--only-binary :all:"
        ]),
        "[a-z]{1,6}".prop_map(|n| format!("-e ./{n}#egg={n}")),
    ]
}

/// A line pip would take (or a few, through a continuation): a
/// requirement, an option, a comment, a blank.
pub fn line() -> impl Strategy<Value = String> {
    let comment = prop_oneof![
        8 => Just(String::new()),
        2 => "  # [^\n]{0,10}".prop_map(|s| s.replace('\r', "")),
    ];
    let body = prop_oneof![
        10 => valid_requirement(),
        3 => valid_option(),
        1 => "#[^\n]{0,12}".prop_map(|s| s.replace('\r', "")),
        1 => "[ \t]{0,3}",
    ];
    (body, comment, prop::bool::weighted(0.1)).prop_map(|(b, c, cont)| {
        // A backslash-newline inside: the line continues on the next.
        if cont && b.len() > 2 {
            let mid = (0..b.len() / 2)
                .rev()
                .find(|i| b.is_char_boundary(*i))
                .unwrap_or(0);
            format!("{}\\\n{}{c}", &b[..mid], &b[mid..])
        } else {
            format!("{b}{c}")
        }
    })
}

/// A line of any sort: pip's and anything else.
pub fn wild_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => requirement(),
        2 => option(),
        1 => Just("#no-space".to_owned()),
        1 => proptest::collection::vec(odd(), 1..8).prop_map(|o| o.concat().replace('\n', "")),
        1 => (requirement(), any::<proptest::sample::Index>(), odd()).prop_map(|(r, at, o)| {
            let cuts: Vec<usize> = (0..=r.len()).filter(|i| r.is_char_boundary(*i)).collect();
            let i = cuts[at.index(cuts.len())];
            format!("{}{}{}", &r[..i], o.replace('\n', ""), &r[i..])
        }),
    ]
}

/// A requirements file's text: lines pip would take, and at times one of
/// any sort among them.
pub fn file() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(line(), 0..10),
        proptest::option::weighted(0.6, (wild_line(), any::<proptest::sample::Index>())),
        prop::bool::weighted(0.15),
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(mut lines, wild, crlf, bom, trailing_backslash)| {
            if let Some((w, at)) = wild {
                lines.insert(at.index(lines.len() + 1), w);
            }
            let nl = if crlf { "\r\n" } else { "\n" };
            let mut text = lines.join(nl);
            if trailing_backslash {
                text.push('\\');
            } else if !text.is_empty() {
                text.push_str(nl);
            }
            if bom { format!("\u{feff}{text}") } else { text }
        })
}

/// A tree of requirement files that include each other: `a.txt` (read
/// first), `b.txt`, `sub/c.txt`; each maybe not UTF-8.
pub fn tree() -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    let bytes = || {
        prop_oneof![
            8 => file().prop_map(String::into_bytes),
            1 => (file(), any::<proptest::sample::Index>(), prop_oneof![Just(0xffu8), Just(0x80), Just(0xc3)])
                .prop_map(|(f, at, b)| {
                    let mut v = f.into_bytes();
                    let i = at.index(v.len() + 1);
                    v.insert(i, b);
                    if b == 0xc3 && v.get(i + 1).is_some_and(|n| *n >= 0x80) {
                        v[i] = 0xff;
                    }
                    v
                }),
        ]
    };
    (bytes(), bytes(), bytes())
        .prop_map(|(a, b, c)| vec![("a.txt", a), ("b.txt", b), ("sub/c.txt", c)])
}
