//! Generators of record streams for the fuzz tests (docs/fuzzing.md):
//! JSON text written the many ways JSON allows (escapes, whitespace, key
//! order, number spellings, odd unicode), valid records of unknown and of
//! the suite's kinds, `error` records, bad lines of every sort, blank
//! lines, lines that are not UTF-8, and streams of them with LF or CRLF
//! endings, maybe cut short.
//!
//! Shared by `shared/tests/fuzz_records.rs` and the binary-level
//! pass-through test of `ptest-port` (through `#[path]`), so that proptest
//! stays a dev-dependency of the crates whose tests use it.

#![allow(dead_code)]

use proptest::prelude::*;
use proptest::sample::Index;

/// The suite's kinds (validated when read); an unknown kind must be none.
pub const SUITE_KINDS: &[&str] = ptest_shared::kinds::SUITE_KINDS;

/// Fields every record may carry and every reader checks.
const COMMON: &[&str] = &[
    "v",
    "kind",
    "tool",
    "created_at",
    "expires_at",
    "owner",
    "env",
    "path_prepend",
];

/// JSON whitespace inside a line (no line breaks: a record is one line).
pub fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(String::new()),
        2 => Just(" ".to_owned()),
        1 => "[ \t]{1,3}",
    ]
}

/// Any char, biased towards the ones that trip parsers: controls, quotes,
/// backslashes, NUL, non-BMP, combining marks, U+2028, BOM, RTL marks.
pub fn odd_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => any::<char>(),
        3 => proptest::char::range(' ', '~'),
        2 => proptest::sample::select(vec![
            '"', '\\', '/', '\0', '\u{1}', '\u{1f}', '\u{7f}', '\t', '\n', '\r', '\u{b}', '\u{c}',
            '\u{85}', '\u{a0}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{200f}', '\u{202e}',
            '\u{301}', '\u{fffd}', '\u{ffff}', '\u{10000}', '\u{1f600}', '\u{10ffff}', 'é', 'ß',
            '中', '🦀',
        ]),
    ]
}

/// A string and its JSON literal, each char spelled one of the ways JSON
/// allows (literal, short escape, `\uXXXX`, a surrogate pair).
pub fn json_string_of(
    chars: impl Strategy<Value = Vec<char>>,
) -> impl Strategy<Value = (String, String)> {
    chars
        .prop_flat_map(|cs| {
            let n = cs.len();
            (Just(cs), proptest::collection::vec(0u8..4, n))
        })
        .prop_map(|(cs, how)| {
            let mut lit = String::from("\"");
            for (c, h) in cs.iter().zip(how) {
                lit.push_str(&spell(*c, h));
            }
            lit.push('"');
            (cs.into_iter().collect(), lit)
        })
}

/// One char inside a JSON string literal; `how` picks among the spellings.
fn spell(c: char, how: u8) -> String {
    let short = match c {
        '"' => Some("\\\""),
        '\\' => Some("\\\\"),
        '\n' => Some("\\n"),
        '\r' => Some("\\r"),
        '\t' => Some("\\t"),
        '\u{8}' => Some("\\b"),
        '\u{c}' => Some("\\f"),
        '/' if how == 1 => Some("\\/"),
        _ => None,
    };
    let must_escape = c < ' ' || c == '"' || c == '\\';
    let unicode = || {
        let mut buf = [0u16; 2];
        c.encode_utf16(&mut buf)
            .iter()
            .map(|u| {
                if how == 3 {
                    format!("\\u{u:04X}")
                } else {
                    format!("\\u{u:04x}")
                }
            })
            .collect::<String>()
    };
    match (how, short) {
        (0 | 1, Some(s)) => s.to_owned(),
        (0 | 1, None) if !must_escape => c.to_string(),
        (2, _) if !must_escape => c.to_string(),
        _ => unicode(),
    }
}

/// A string of any chars (maybe empty) and its literal.
pub fn json_string() -> impl Strategy<Value = (String, String)> {
    json_string_of(proptest::collection::vec(odd_char(), 0..12))
}

/// A string without NUL (what the suite's kinds allow) and its literal.
pub fn json_text() -> impl Strategy<Value = (String, String)> {
    json_string_of(proptest::collection::vec(
        odd_char().prop_filter("no NUL", |c| *c != '\0'),
        0..12,
    ))
}

/// A literal for exactly `s` (spelled plainly or escaped).
pub fn literal(s: &str) -> impl Strategy<Value = String> + use<> {
    let cs: Vec<char> = s.chars().collect();
    json_string_of(Just(cs)).prop_map(|(_, l)| l)
}

/// A JSON number as written, every one serde_json reads: integers of any
/// size up to 300 digits, `-0`, fractions, exponents in every spelling.
pub fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("-0".to_owned()),
        Just("0".to_owned()),
        "-?[1-9][0-9]{19,300}",
        "-?(0|[1-9][0-9]{0,5})\\.[0-9]{1,25}",
        "-?(0|[1-9][0-9]{0,3})(\\.[0-9]{1,4})?[eE][+-]?[0-9]{1,2}",
        "-?[1-9](\\.[0-9]{1,3})?[eE][+-]?(30[0-7]|[12][0-9]{2})",
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
    ]
}

/// Any JSON value as text, nested a little, spelled with whitespace.
pub fn json_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        json_number(),
        json_string().prop_map(|(_, l)| l),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            (proptest::collection::vec((ws(), inner.clone(), ws()), 0..5)).prop_map(|items| {
                let body: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", body.join(","))
            }),
            (proptest::collection::vec((json_string(), ws(), inner), 0..5)).prop_map(|items| {
                let body: Vec<String> = items
                    .into_iter()
                    .map(|((_, k), w, v)| format!("{k}{w}:{w}{v}"))
                    .collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

/// A field (key literal, value text), its decoded key kept for filtering.
#[derive(Debug, Clone)]
pub struct Field {
    pub key: String,
    pub key_literal: String,
    pub value: String,
}

/// A field with a literal for `key` and `value` as written.
pub fn field(
    key: &'static str,
    value: impl Strategy<Value = String>,
) -> impl Strategy<Value = Field> {
    (literal(key), value).prop_map(move |(key_literal, value)| Field {
        key: key.to_owned(),
        key_literal,
        value,
    })
}

/// Fields no reader checks: any key but the common ones and `id`, any
/// value (without NUL when `text` is asked for: in a suite kind's record
/// no string may hold one).
pub fn extra_fields(no_nul: bool) -> impl Strategy<Value = Vec<Field>> {
    let key = if no_nul {
        json_text().boxed()
    } else {
        json_string().boxed()
    };
    let value = if no_nul {
        json_value()
            .prop_filter("no NUL", |v| !v.contains("\\u0000") && !v.contains('\0'))
            .boxed()
    } else {
        json_value().boxed()
    };
    proptest::collection::vec((key, value), 0..5).prop_map(move |fs| {
        let mut seen = std::collections::HashSet::new();
        fs.into_iter()
            .filter(|((k, _), _)| {
                // In a suite kind's record, a key of lower-case letters and
                // `_` might be one of the kind's own fields.
                let maybe_typed = no_nul && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                let reserved = COMMON.contains(&k.as_str()) || k == "id" || maybe_typed;
                let nul = no_nul && k.contains('\0');
                !reserved && !nul && seen.insert(k.clone())
            })
            .map(|((key, key_literal), value)| Field {
                key,
                key_literal,
                value,
            })
            .collect()
    })
}

/// An object of `fields` in a random order, with whitespace anywhere.
pub fn object(fields: Vec<Field>) -> impl Strategy<Value = String> {
    let n = fields.len();
    (
        Just(fields).prop_shuffle(),
        proptest::collection::vec((ws(), ws(), ws(), ws()), n),
        ws(),
        ws(),
    )
        .prop_map(|(fields, spaces, lead, trail)| {
            let body: Vec<String> = fields
                .iter()
                .zip(spaces)
                .map(|(f, (a, b, c, d))| format!("{a}{}{b}:{c}{}{d}", f.key_literal, f.value))
                .collect();
            format!("{lead}{{{}}}{trail}", body.join(","))
        })
}

/// `"v":1`, spelled `1` (and nothing else: 1.0 is not an integer to us).
fn v1() -> impl Strategy<Value = Field> {
    field("v", Just("1".to_owned()))
}

fn kind(k: &'static str) -> impl Strategy<Value = Field> {
    field("kind", literal(k))
}

/// A valid RFC 3339 time, in several spellings.
pub fn time() -> impl Strategy<Value = String> {
    (
        1970u32..2200,
        1u32..13,
        1u32..29,
        0u32..24,
        0u32..60,
        0u32..60,
        prop_oneof![
            Just(String::new()),
            "\\.[0-9]{1,9}".prop_map(|s| s.to_string())
        ],
        prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            Just("+00:00".to_owned()),
            Just("+05:30".to_owned()),
            Just("-08:00".to_owned())
        ],
    )
        .prop_flat_map(|(y, mo, d, h, mi, s, frac, tz)| {
            literal_owned(format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{tz}"
            ))
        })
}

fn literal_owned(s: String) -> impl Strategy<Value = String> {
    let cs: Vec<char> = s.chars().collect();
    json_string_of(Just(cs)).prop_map(|(_, l)| l)
}

/// A portable variable name.
fn env_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,8}".prop_map(|s| s.to_string())
}

/// Optional common fields, all valid.
fn common_fields() -> impl Strategy<Value = Vec<Field>> {
    let env = proptest::collection::vec(
        (
            env_name(),
            prop_oneof![
                json_text().prop_map(|(_, l)| l),
                json_number(),
                Just("true".to_owned())
            ],
        ),
        0..3,
    )
    .prop_map(|pairs| {
        let mut seen = std::collections::HashSet::new();
        let body: Vec<String> = pairs
            .into_iter()
            .filter(|(k, _)| seen.insert(k.clone()))
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", body.join(","))
    });
    let path = "/[a-z0-9._ -]{0,10}(/[a-zé0-9_]{1,5}){0,2}"
        .prop_flat_map(|p| literal_owned(p.to_string()));
    let owner = (
        1u32..4_000_000,
        any::<u64>(),
        proptest::option::of("[0-9a-f-]{36}"),
    )
        .prop_map(|(pid, st, boot)| match boot {
            Some(b) => format!("{{\"pid\":{pid},\"start_time\":{st},\"boot_id\":\"{b}\"}}"),
            None => format!("{{\"start_time\":{st},\"pid\":{pid}}}"),
        });
    let tool = prop_oneof![
        Just("ptest".to_owned()),
        "ptest-[a-z0-9_][a-z0-9_-]{0,8}".prop_map(|s| s.to_string())
    ]
    .prop_flat_map(literal_owned);
    (
        proptest::option::of(field("tool", tool)),
        proptest::option::of(field("created_at", time())),
        proptest::option::of(field(
            "expires_at",
            prop_oneof![time(), Just("null".to_owned())],
        )),
        proptest::option::of(field("owner", prop_oneof![owner, Just("null".to_owned())])),
        proptest::option::of(field("env", env)),
        proptest::option::of(field(
            "path_prepend",
            proptest::collection::vec(path, 0..3).prop_map(|ps| format!("[{}]", ps.join(","))),
        )),
    )
        .prop_map(|(a, b, c, d, e, f)| [a, b, c, d, e, f].into_iter().flatten().collect())
}

/// A resource id of `kind`: `<kind>-[a-z0-9]+`.
fn id_of(kind: &'static str) -> impl Strategy<Value = String> {
    "[a-z0-9]{1,12}".prop_flat_map(move |t| literal_owned(format!("{kind}-{t}")))
}

fn amount() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..u64::MAX).prop_map(|n| n.to_string()),
        (0.0f64..1e300).prop_map(|f| format!("{f:?}")),
        Just("0".to_owned()),
        Just("0.0".to_owned()),
        Just("1e3".to_owned()),
    ]
}

/// The fields of one of the suite's kinds, valid.
fn suite_kind_fields() -> impl Strategy<Value = (String, Vec<Field>)> {
    let port = (
        proptest::option::of(field("id", id_of("port"))),
        field("port", (1u32..=65535).prop_map(|p| p.to_string())),
        proptest::option::of(field("name", json_text().prop_map(|(_, l)| l))),
        proptest::option::of(field(
            "proto",
            prop_oneof![literal("tcp"), literal("udp"), literal("both")],
        )),
    )
        .prop_map(|(a, b, c, d)| {
            (
                "port".to_owned(),
                [a, Some(b), c, d].into_iter().flatten().collect(),
            )
        });
    let venv = (
        field("id", id_of("venv")),
        field(
            "path",
            "/[a-z0-9/]{0,20}".prop_flat_map(|p| literal_owned(p.to_string())),
        ),
        proptest::option::of(field("python", json_text().prop_map(|(_, l)| l))),
    )
        .prop_map(|(a, b, c)| {
            (
                "venv".to_owned(),
                [Some(a), Some(b), c].into_iter().flatten().collect(),
            )
        });
    let sample = (
        field("resource", json_text().prop_map(|(_, l)| l)),
        field("t", time()),
        field("elapsed", amount()),
        proptest::option::of(field("memory", amount())),
        proptest::option::of(field("cpu", amount())),
        proptest::option::of(field(
            "psi",
            amount().prop_map(|a| format!("{{\"cpu\":{a}}}")),
        )),
    )
        .prop_map(|(a, b, c, d, e, f)| {
            (
                "sample".to_owned(),
                [Some(a), Some(b), Some(c), d, e, f]
                    .into_iter()
                    .flatten()
                    .collect(),
            )
        });
    let snapshot = (
        field("id", id_of("snapshot")),
        prop_oneof![
            field(
                "source",
                "/[a-z0-9/]{0,20}".prop_flat_map(|p| literal_owned(p.to_string()))
            ),
            field("container", id_of("container")),
        ],
        proptest::option::of(field("files", any::<u64>().prop_map(|n| n.to_string()))),
    )
        .prop_map(|(a, b, c)| {
            (
                "snapshot".to_owned(),
                [Some(a), Some(b), c].into_iter().flatten().collect(),
            )
        });
    let image = (
        field(
            "image_id",
            "[0-9a-f]{64}".prop_flat_map(|h| literal_owned(format!("sha256:{h}"))),
        ),
        proptest::option::of(field(
            "tag",
            "[a-z0-9]{1,8}(/[a-z0-9]{1,8})?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,8})?"
                .prop_flat_map(|t| literal_owned(t.to_string())),
        )),
    )
        .prop_map(|(a, b)| {
            (
                "image".to_owned(),
                [Some(a), b].into_iter().flatten().collect(),
            )
        });
    prop_oneof![port, venv, sample, snapshot, image]
}

/// A valid record that is not an `error`: `(line, kind)`.
pub fn valid_record() -> impl Strategy<Value = (String, String)> {
    let unknown = (
        json_string_of(proptest::collection::vec(odd_char(), 1..10))
            .prop_filter("an unknown kind", |(k, _)| {
                !SUITE_KINDS.contains(&k.as_str())
            }),
        common_fields(),
        extra_fields(false),
        proptest::option::of(field("id", json_value())),
    )
        .prop_map(|((k, kind_literal), common, extra, id)| {
            let mut fs = common;
            fs.extend(extra);
            fs.extend(id);
            (k, kind_literal, fs)
        });
    let suite = (suite_kind_fields(), common_fields(), extra_fields(true)).prop_flat_map(
        |((k, own), common, extra)| {
            let mut fs = own;
            fs.extend(common);
            fs.extend(extra);
            (Just(k.clone()), literal_owned(k), Just(fs))
        },
    );
    (prop_oneof![3 => unknown, 2 => suite], v1(), literal("kind")).prop_flat_map(
        |((k, kind_literal, mut fs), v, key_literal)| {
            fs.push(Field {
                key: "kind".into(),
                key_literal,
                value: kind_literal,
            });
            fs.push(v);
            (object(fs), Just(k))
        },
    )
}

/// A valid `error` record: `(line, the exit code it calls for)`.
pub fn error_record() -> impl Strategy<Value = (String, i32)> {
    (
        v1(),
        kind("error"),
        field("message", json_text().prop_map(|(_, l)| l)),
        proptest::option::of(1u32..=255),
        proptest::option::of(field("code", json_text().prop_map(|(_, l)| l))),
        proptest::option::of(field("hint", json_text().prop_map(|(_, l)| l))),
        proptest::option::of(field(
            "tool",
            "ptest-[a-z]{1,6}".prop_flat_map(|t| literal_owned(t.to_string())),
        )),
        extra_fields(true),
    )
        .prop_flat_map(|(v, k, m, exit, code, hint, tool, extra)| {
            let mut fs = vec![v, k, m];
            fs.extend([code, hint, tool].into_iter().flatten());
            fs.extend(extra);
            if let Some(e) = exit {
                fs.push(Field {
                    key: "exit".into(),
                    key_literal: "\"exit\"".into(),
                    value: e.to_string(),
                });
            }
            (object(fs), Just(exit.map_or(1, |e| e as i32)))
        })
}

/// A line that is not a valid record, of every sort the protocol names.
pub fn bad_record() -> impl Strategy<Value = String> {
    let truncated = (valid_record(), any::<Index>()).prop_map(|((line, _), at)| {
        // Cut before the closing brace: never a whole object.
        let close = line.rfind('}').unwrap();
        let cuts: Vec<usize> = (0..close).filter(|i| line.is_char_boundary(*i)).collect();
        line[..cuts[at.index(cuts.len())]].to_owned()
    });
    let not_object = prop_oneof![
        json_number(),
        json_string().prop_map(|(_, l)| l),
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[{\"v\":1,\"kind\":\"x\"}]".to_owned()),
    ];
    let bad_v = (
        prop_oneof![
            Just("0".to_owned()),
            Just("2".to_owned()),
            Just("99999999999999999999".to_owned()),
            Just("\"1\"".to_owned()),
            Just("1.0".to_owned()),
            Just("1e0".to_owned()),
            Just("-1".to_owned()),
            Just("null".to_owned()),
            Just("[1]".to_owned()),
        ],
        extra_fields(false),
    )
        .prop_flat_map(|(v, mut fs)| {
            fs.push(Field {
                key: "v".into(),
                key_literal: "\"v\"".into(),
                value: v,
            });
            fs.push(Field {
                key: "kind".into(),
                key_literal: "\"kind\"".into(),
                value: "\"x\"".into(),
            });
            object(fs)
        });
    let no_v_or_kind = (
        extra_fields(false),
        prop_oneof![
            Just(None),
            Just(Some("\"\"")),
            Just(Some("1")),
            Just(Some("null")),
            Just(Some("[\"port\"]")),
        ],
        any::<bool>(),
    )
        .prop_flat_map(|(mut fs, kind, with_v)| {
            if with_v {
                fs.push(Field {
                    key: "v".into(),
                    key_literal: "\"v\"".into(),
                    value: "1".into(),
                });
            }
            if let Some(k) = kind {
                fs.push(Field {
                    key: "kind".into(),
                    key_literal: "\"kind\"".into(),
                    value: k.into(),
                });
            } else if !with_v {
                fs.push(Field {
                    key: "kind".into(),
                    key_literal: "\"kind\"".into(),
                    value: "\"x\"".into(),
                });
            }
            object(fs)
        });
    let bad_field = (
        prop_oneof![
            Just("\"tool\":\"rm -rf /\""),
            Just("\"tool\":\"ptest-\""),
            Just("\"created_at\":\"yesterday\""),
            Just("\"created_at\":5"),
            Just("\"expires_at\":\"2026-13-01T00:00:00Z\""),
            Just("\"owner\":{\"pid\":\"me\"}"),
            Just("\"owner\":[]"),
            Just("\"env\":{\"1A\":\"x\"}"),
            Just("\"env\":{\"A-B\":\"x\"}"),
            Just("\"env\":{\"A\":[1]}"),
            Just("\"env\":{\"A\":\"x\\u0000y\"}"),
            Just("\"env\":[]"),
            Just("\"path_prepend\":[\"bin\"]"),
            Just("\"path_prepend\":[\"/a:/b\"]"),
            Just("\"path_prepend\":\"/bin\""),
        ],
        prop_oneof![
            Just("\"x\""),
            Just("\"port\",\"port\":1"),
            Just("\"pl\\u00fcgin\"")
        ],
    )
        .prop_map(|(f, k)| format!("{{\"v\":1,\"kind\":{k},{f}}}"));
    let bad_suite = prop_oneof![
        Just(r#"{"v":1,"kind":"port","port":0}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port","port":65536}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port","port":-1}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port","port":"80"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port","port":1,"id":"venv-abc"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"port","port":1,"name":"a\u0000b"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"venv","id":"venv-a","path":"rel"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"venv","id":"venv-A","path":"/x"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"sample","resource":"h","t":"2026-01-01T00:00:00Z","elapsed":-1}"#.to_owned()),
        Just(r#"{"v":1,"kind":"sample","resource":"h","t":"2026-01-01T00:00:00Z","elapsed":1,"x":{"y":["\u0000"]}}"#.to_owned()),
        Just(r#"{"v":1,"kind":"error","message":"m","exit":0}"#.to_owned()),
        Just(r#"{"v":1,"kind":"error","message":"m","exit":256}"#.to_owned()),
        Just(r#"{"v":1,"kind":"error","message":"m","exit":-70}"#.to_owned()),
        Just(r#"{"v":1,"kind":"error","exit":70}"#.to_owned()),
        Just(r#"{"v":1,"kind":"\u0070ort","port":0}"#.to_owned()),
        Just(r#"{"v":1,"kind":"container","id":"container-a","container_id":"../x"}"#.to_owned()),
        Just(r#"{"v":1,"kind":"snapshot","id":"snapshot-a"}"#.to_owned()),
    ];
    let trailing = (
        valid_record(),
        prop_oneof![Just(" x"), Just("}"), Just(",{}"), Just(" {}")],
    )
        .prop_map(|((l, _), t)| format!("{l}{t}"));
    let garbage = proptest::collection::vec(odd_char(), 0..30).prop_map(|cs| {
        let s: String = cs
            .into_iter()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        format!("#{s}")
    });
    let lone_surrogate = Just(r#"{"v":1,"kind":"x","s":"\ud800"}"#.to_owned());
    let out_of_range = Just(r#"{"v":1,"kind":"x","n":1e400}"#.to_owned());
    prop_oneof![
        truncated,
        not_object,
        bad_v,
        no_v_or_kind,
        bad_field,
        bad_suite,
        trailing,
        garbage,
        lone_surrogate,
        out_of_range,
    ]
}

/// One line of a stream, and what it is.
#[derive(Debug, Clone)]
pub enum Line {
    /// A valid record, not an `error`.
    Valid(String),
    /// A valid `error` record and the exit it calls for.
    Error(String, i32),
    /// Not a valid record.
    Bad(String),
    /// Nothing but ASCII whitespace.
    Blank(String),
    /// Not UTF-8.
    NotUtf8(Vec<u8>),
}

impl Line {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Line::Valid(s) | Line::Error(s, _) | Line::Bad(s) | Line::Blank(s) => {
                s.clone().into_bytes()
            }
            Line::NotUtf8(b) => b.clone(),
        }
    }
}

pub fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        12 => valid_record().prop_map(|(l, _)| Line::Valid(l)),
        1 => error_record().prop_map(|(l, e)| Line::Error(l, e)),
        2 => bad_record().prop_map(Line::Bad),
        2 => "[ \t\u{c}]{0,3}".prop_map(|s| Line::Blank(s.to_string())),
        1 => (valid_record(), any::<Index>(), prop_oneof![Just(0xffu8), Just(0xc3), Just(0x80), Just(0xed)])
            .prop_map(|((l, _), at, b)| {
                let mut bytes = l.into_bytes();
                let i = at.index(bytes.len() + 1);
                bytes.insert(i, b);
                // 0xc3 followed by an ASCII byte, or a lone one at the end, is never UTF-8.
                if b == 0xc3 && i + 1 < bytes.len() && bytes[i + 1] >= 0x80 {
                    bytes[i] = 0xff;
                }
                if b == 0xed {
                    bytes.insert(i + 1, 0xa0);
                    bytes.insert(i + 2, 0x80);
                }
                Line::NotUtf8(bytes)
            }),
    ]
}

/// A stream: its lines, whether each ends in CRLF, and whether the last
/// one lost its newline (the stage before was cut off).
#[derive(Debug, Clone)]
pub struct Stream {
    pub lines: Vec<(Line, bool)>,
    pub cut: bool,
}

impl Stream {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, (l, crlf)) in self.lines.iter().enumerate() {
            out.extend(l.bytes());
            if self.cut && i + 1 == self.lines.len() {
                break;
            }
            out.extend(if *crlf { &b"\r\n"[..] } else { b"\n" });
        }
        out
    }

    /// What a reader makes of it, by the protocol: what it writes (the
    /// records up to the first failure, and an upstream `error` record),
    /// the records it keeps (every valid one but errors, for teardown),
    /// and how it fails: `None`, `Some(Ok(code))` for an upstream error,
    /// `Some(Err(line))` for a bad or cut line (65).
    pub fn expected(&self) -> Expected {
        let mut e = Expected::default();
        let mut lineno = 0;
        for (i, (l, _)) in self.lines.iter().enumerate() {
            let bytes = l.bytes();
            if bytes.is_empty() && self.cut && i + 1 == self.lines.len() {
                break;
            }
            lineno += 1;
            let blank = bytes.iter().all(u8::is_ascii_whitespace);
            if blank {
                continue;
            }
            let cut = self.cut && i + 1 == self.lines.len();
            let ok = !cut;
            match l {
                Line::Valid(s) if ok => {
                    if e.failure.is_none() {
                        e.written.push(s.clone());
                    }
                    e.kept += 1;
                }
                Line::Error(s, code) if ok => {
                    if e.failure.is_none() {
                        e.written.push(s.clone());
                        e.failure = Some(Ok(*code));
                    }
                }
                _ => {
                    if e.failure.is_none() {
                        e.failure = Some(Err(lineno));
                    }
                }
            }
        }
        e
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expected {
    pub written: Vec<String>,
    pub kept: usize,
    pub failure: Option<Result<i32, usize>>,
}

pub fn stream(max_lines: usize) -> impl Strategy<Value = Stream> {
    (
        proptest::collection::vec((line(), prop::bool::weighted(0.2)), 0..max_lines),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(lines, cut)| Stream { lines, cut })
}
