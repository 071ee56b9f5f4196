//! Property-based fuzzing of configuration (docs/fuzzing.md): `ptest.toml`
//! files, `PTEST_<TABLE>__<KEY>` variables and `--config KEY=VALUE`
//! (`shared/src/config.rs`), and the sizes and durations they and the flags
//! hold (`shared/src/units.rs`). In-process, every case bounded by a
//! watchdog.
//!
//! Properties: nothing panics or hangs; a bad file or variable is 65, a bad
//! `--config` 64, each one line naming the file (`path:line:col`), the
//! variable or the key; what loads holds every value to its kind (a choice
//! among its words, an integer in its range); sizes and durations read
//! what they should and say which text they refuse.

#[path = "support/fuzz.rs"]
mod fuzz;
#[path = "support/records.rs"]
mod records;

use proptest::prelude::*;
use ptest_shared::Error;
use ptest_shared::config::{self, Config, Inputs, Kind, SETTINGS};
use ptest_shared::testkit::fuzz::{CASE_LIMIT, one_line, within};
use ptest_shared::units::{format_duration, parse_duration, parse_positive_duration, parse_size};
use std::path::PathBuf;
use std::time::Duration;

/// Text users write where a size or a duration goes: digits, units,
/// signs, dots, spaces, words, and anything else.
fn unit_text() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        "[0-9]{1,25}",
        "[0-9]{0,3}\\.[0-9]{0,20}",
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just(" ".to_owned()),
        Just(".".to_owned()),
        Just("e".to_owned()),
        Just("E5".to_owned()),
        proptest::sample::select(vec![
            "K", "k", "M", "G", "T", "P", "B", "b", "iB", "KiB", "kb", "MB", "ib", "s", "ms", "us",
            "µs", "ns", "m", "h", "d", "w", "y", "mo", "days", "hours", "minutes", "secs", "sec",
            "weeks", "months", "years", "PT", "P1D", "T", "H", "S", "inf", "NaN", "infinity",
            "ago", ",", ":", "_",
        ])
        .prop_map(str::to_owned),
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop_oneof![
        proptest::collection::vec(atom, 0..8).prop_map(|a| a.concat()),
        any::<String>(),
    ]
}

fn check_unit_error(text: &str, msg: &str) -> Result<(), TestCaseError> {
    prop_assert!(one_line(msg), "not one line: {msg:?}");
    prop_assert!(
        msg.contains(&format!("{text:?}")),
        "the message does not name the text {text:?}: {msg}"
    );
    Ok(())
}

#[test]
fn sizes_are_read_or_refused_naming_the_text() {
    fuzz::check("sizes", 4000, unit_text, |text| {
        let t = text.clone();
        match within(CASE_LIMIT, "parse_size", move || parse_size(&t)) {
            Ok(n) => prop_assert!(n >= 1, "{text:?} read as {n}"),
            Err(msg) => check_unit_error(&text, &msg)?,
        }
        Ok(())
    });
}

#[test]
fn sizes_read_what_they_say() {
    let suffix = proptest::sample::select(vec![
        ("", 0u32),
        ("B", 0),
        ("K", 10),
        ("k", 10),
        ("KB", 10),
        ("KiB", 10),
        ("kib", 10),
        ("M", 20),
        ("MiB", 20),
        ("mb", 20),
        ("G", 30),
        ("GiB", 30),
        ("T", 40),
        ("tb", 40),
    ]);
    let cases = || {
        (
            suffix,
            any::<u64>(),
            "[ \t]{0,2}",
            "[ \t]{0,2}",
            "[ \t]{0,2}",
        )
            .prop_map(|((s, shift), n, a, b, c)| {
                // Exact in an f64, and no overflow once multiplied.
                let n = (n % ((1u64 << 53) >> shift)).max(1);
                (format!("{a}{n}{b}{s}{c}"), n << shift)
            })
    };
    fuzz::check("sizes_exact", 3000, cases, |(text, want)| {
        prop_assert_eq!(parse_size(&text), Ok(want), "{:?}", text);
        Ok(())
    });
}

#[test]
fn durations_are_read_or_refused_naming_the_text() {
    fuzz::check("durations", 4000, unit_text, |text| {
        let t = text.clone();
        let (d, p) = within(CASE_LIMIT, "parse_duration", move || {
            (parse_duration(&t), parse_positive_duration(&t))
        });
        match d {
            Ok(d) => {
                // What it reads, it writes back readably (for `ptest config`).
                let again = parse_duration(&format_duration(d));
                if d.as_secs() <= i64::MAX as u64 {
                    prop_assert_eq!(again, Ok(d), "{:?}", format_duration(d));
                }
                prop_assert_eq!(p.is_ok(), !d.is_zero());
            }
            Err(msg) => {
                check_unit_error(&text, &msg)?;
                prop_assert!(p.is_err());
            }
        }
        if let Err(msg) = p {
            check_unit_error(&text, &msg)?;
        }
        Ok(())
    });
}

#[test]
fn durations_read_what_they_say() {
    let unit = proptest::sample::select(vec![
        ("ns", 1u128),
        ("us", 1_000),
        ("µs", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("sec", 1_000_000_000),
        ("seconds", 1_000_000_000),
        ("m", 60_000_000_000),
        ("min", 60_000_000_000),
        ("h", 3_600_000_000_000),
        ("hours", 3_600_000_000_000),
        ("d", 86_400_000_000_000),
        ("days", 86_400_000_000_000),
        ("w", 604_800_000_000_000),
    ]);
    let cases = || {
        (
            proptest::collection::vec((0u64..100_000, unit, "[ ]{0,1}"), 1..4),
            any::<u64>(),
        )
            .prop_map(|(parts, secs)| {
                let text: Vec<String> = parts
                    .iter()
                    .map(|(n, (u, _), sp)| format!("{n}{sp}{u}"))
                    .collect();
                let nanos: u128 = parts.iter().map(|(n, (_, f), _)| u128::from(*n) * f).sum();
                (text.join(" "), nanos, secs)
            })
    };
    fuzz::check("durations_exact", 3000, cases, |(text, nanos, secs)| {
        let t = text.clone();
        let got = within(CASE_LIMIT, "parse_duration", move || parse_duration(&t));
        // Units in any order jiff refuses (`1s 1h`); in order they sum.
        if let Ok(d) = got {
            prop_assert_eq!(d.as_nanos(), nanos, "{:?}", text);
        }
        // Bare seconds, any number of them.
        prop_assert_eq!(
            parse_duration(&secs.to_string()),
            Ok(Duration::from_secs(secs))
        );
        Ok(())
    });
}

#[test]
fn durations_round_trip_through_their_text() {
    let cases = || (0u64..=i64::MAX as u64, 0u32..1_000_000_000);
    fuzz::check("durations_round_trip", 3000, cases, |(s, n)| {
        let d = Duration::new(s, n);
        prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        Ok(())
    });
}

/// A TOML value as written, right or wrong.
fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        Just("0".to_owned()),
        Just("+1".to_owned()),
        Just("-0".to_owned()),
        "(0x[0-9a-fA-F](_?[0-9a-fA-F]){0,16}|0o[0-7](_?[0-7]){0,21}|0b[01](_?[01]){0,64})",
        "[0-9]{19,20}",
        "[+-]?(0|[1-9](_?[0-9]){0,4})(\\.[0-9](_?[0-9]){0,3})?([eE][+-]?[0-9]{1,4})?",
        proptest::sample::select(vec![
            "inf",
            "-inf",
            "nan",
            "+nan",
            "true",
            "false",
            "True",
            "1979-05-27T07:32:00Z",
            "1979-05-27",
            "07:32:00",
            "1979-05-27T00:32:00.999999-07:00"
        ])
        .prop_map(str::to_owned),
        unit_text().prop_map(|s| format!("\"{}\"", escape(&s))),
        proptest::sample::select(vec![
            "auto",
            "uv",
            "pip",
            "clone",
            "hardlink",
            "copy",
            "on",
            "off",
            "archive",
            "30s",
            "0",
            "0s",
            "512M",
            "2G",
            "10.213.0.0/16",
            "20000-29999",
            "python3",
            "",
            "true",
            "echo hi",
        ])
        .prop_map(|s| format!("\"{s}\"")),
        any::<String>().prop_map(|s| format!("\"{}\"", escape(&s))),
        any::<String>().prop_map(|s| format!("'{}'", plain(&s).replace('\'', ""))),
        any::<String>().prop_map(|s| format!("\"\"\"{}\"\"\"", plain(&s).replace(['"', '\\'], ""))),
        any::<String>().prop_map(|s| format!("'''{}'''", plain(&s).replace('\'', ""))),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((toml_key(), inner), 0..3).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{{}}}", body.join(", "))
            }),
        ]
    })
}

/// `s` without the control characters no TOML string holds as they are.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| *c == '\t' || !(c.is_control() && (*c as u32) < 0x80))
        .collect()
}

/// `s` as the inside of a basic string: `"` and `\` and controls escaped,
/// at random some chars as `\uXXXX`.
fn escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            c if (c as u32) < 0x20 || c == '\u{7f}' => format!("\\u{:04X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A key as written: the suite's own, hook keys, plugins', odd ones.
fn toml_key() -> impl Strategy<Value = String> {
    let known: Vec<String> = SETTINGS
        .iter()
        .map(|s| s.key.split_once('.').unwrap().1.to_owned())
        .chain(
            config::EVENTS
                .iter()
                .flat_map(|e| [format!("\"pre-{e}\""), format!("post-{e}")]),
        )
        .chain(
            [
                "\"pre-contianer.ready\"",
                "pre-x",
                "post-",
                "timeout",
                "\"\"",
                "a.b.c",
                "'lit'",
                "\"é\\u00e9\"",
                "\"a\\\"b\"",
            ]
            .map(str::to_owned),
        )
        .collect();
    prop_oneof![
        4 => proptest::sample::select(known),
        1 => "[A-Za-z0-9_-]{1,10}",
        1 => proptest::collection::vec(records::odd_char(), 0..8)
            .prop_map(|s| format!("\"{}\"", escape(&s.into_iter().collect::<String>()))),
    ]
}

fn toml_table() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(config::TABLES.to_vec()).prop_map(|t| format!("[{t}]")),
        1 => "[a-z]{1,8}".prop_map(|t| format!("[{t}]")),
        1 => proptest::sample::select(vec!["[hooks.pre-port]", "[[venv]]", "[venv.x]", "[ \"port\" ]", "[]", "[mon", "[a.\"b\".c]"]).prop_map(str::to_owned),
    ]
}

/// A `ptest.toml`: tables of the suite (and a plugin's), each once, with
/// keys of the suite (or not) holding values of any type; at times spoiled
/// by a line of anything, a table named twice, a BOM or CRLF endings.
fn toml_doc() -> impl Strategy<Value = String> {
    let table = (
        toml_table(),
        proptest::collection::vec((toml_key(), "[ \t]{0,2}", toml_value()), 0..5),
    )
        .prop_map(|(header, kv)| {
            let mut seen = std::collections::HashSet::new();
            let mut lines = vec![header];
            for (k, s, v) in kv {
                if seen.insert(k.clone()) {
                    lines.push(format!("{k}{s}={s}{v}"));
                }
            }
            lines
        });
    let spoiler = prop_oneof![
        "#[^\n]{0,10}",
        Just(String::new()),
        "[^\n]{0,20}",
        toml_table(),
        (toml_key(), toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
    ];
    (
        proptest::collection::vec(table, 0..5),
        proptest::option::weighted(0.3, (spoiler, any::<proptest::sample::Index>())),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(tables, spoiler, crlf, bom)| {
            let mut seen = std::collections::HashSet::new();
            let mut lines: Vec<String> = tables
                .into_iter()
                .filter(|t| seen.insert(t[0].clone()))
                .flatten()
                .collect();
            if let Some((l, at)) = spoiler {
                lines.insert(at.index(lines.len() + 1), l);
            }
            let nl = if crlf { "\r\n" } else { "\n" };
            let body: String = lines.into_iter().map(|l| format!("{l}{nl}")).collect();
            if bom { format!("\u{feff}{body}") } else { body }
        })
}

/// A file's bytes, shown as text when a case fails.
#[derive(Clone)]
struct Text(Vec<u8>);

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(&self.0))
    }
}

/// Loads the configuration of a directory holding `ptest.toml` (its bytes)
/// with `env` and `overrides`, in a watchdog.
fn load(
    toml: Vec<u8>,
    env: Vec<(String, String)>,
    overrides: Vec<String>,
) -> (PathBuf, Result<Config, Error>, tempfile::TempDir) {
    let dir = tempfile::Builder::new()
        .prefix("ptest-test-")
        .tempdir()
        .unwrap();
    let file = dir.path().join("ptest.toml");
    std::fs::write(&file, toml).unwrap();
    let cwd = dir.path().join("sub");
    std::fs::create_dir(&cwd).unwrap();
    let got = within(CASE_LIMIT, "Config::load_from", move || {
        Config::load_from(&Inputs {
            cwd,
            user_file: None,
            env,
            overrides,
        })
    });
    (file, got, dir)
}

/// What a loaded configuration must be: every value of its kind.
fn check_loaded(c: &Config) -> Result<(), TestCaseError> {
    for s in SETTINGS {
        let v = c.get(s.key);
        match (s.kind, v) {
            (Kind::Choice(words), config::Value::String(w)) => {
                prop_assert!(words.contains(&w.as_str()), "{}: {w:?}", s.key);
            }
            (Kind::String, config::Value::String(_)) => {}
            (Kind::Integer { min, max }, config::Value::Integer(i)) => {
                prop_assert!((min..=max).contains(i), "{}: {i}", s.key);
            }
            (Kind::Size, config::Value::Integer(i)) => prop_assert!(*i >= 0, "{}: {i}", s.key),
            (Kind::Bool, config::Value::Bool(_)) | (Kind::Duration, config::Value::Duration(_)) => {
            }
            (k, v) => prop_assert!(false, "{}: {v:?} is not a {k:?}", s.key),
        }
    }
    for (key, v, _) in c.entries() {
        if let Some(hook) = key
            .strip_prefix("hooks.")
            .filter(|k| config::is_hook_key(k))
        {
            prop_assert!(matches!(v, config::Value::Commands(_)), "{hook}: {v:?}");
        }
    }
    Ok(())
}

#[test]
fn config_files_load_or_are_65_naming_file_line_and_column() {
    let docs = || {
        prop_oneof![
            6 => toml_doc().prop_map(String::into_bytes),
            1 => any::<String>().prop_map(String::into_bytes),
            1 => proptest::collection::vec(any::<u8>(), 0..60),
        ]
        .prop_map(Text)
    };
    fuzz::check("config_files", 2500, docs, |Text(toml)| {
        let (file, got, _dir) = load(toml, vec![], vec![]);
        match got {
            Ok(c) => {
                check_loaded(&c)?;
                prop_assert_eq!(c.files.len(), 1);
            }
            Err(e) => {
                prop_assert_eq!(e.exit.code(), 65, "{}", e);
                prop_assert!(
                    e.message.starts_with(&format!("{}:", file.display())),
                    "the message does not name the file: {}",
                    e.message
                );
                prop_assert!(
                    one_line(&e.to_string()),
                    "not one line: {:?}",
                    e.to_string()
                );
            }
        }
        Ok(())
    });
}

#[test]
fn variables_and_overrides_load_or_are_refused_naming_them() {
    let text = || prop_oneof![unit_text(), toml_value(), any::<String>()];
    let setting = || proptest::sample::select(SETTINGS.iter().map(|s| s.key).collect::<Vec<_>>());
    let cases = move || {
        (
            proptest::collection::vec((setting(), text()), 0..3),
            proptest::collection::vec(
                prop_oneof![
                    (setting(), text()).prop_map(|(k, v)| format!("{k}={v}")),
                    (toml_key(), text()).prop_map(|(k, v)| format!("hooks.{k}={v}")),
                    any::<String>(),
                    proptest::collection::vec(records::odd_char(), 0..12)
                        .prop_map(|c| c.into_iter().collect()),
                ],
                0..3,
            ),
        )
    };
    fuzz::check("config_env_flags", 2500, cases, |(vars, overrides)| {
        let env: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (config::env_name(k), v.clone()))
            .collect();
        let (_, got, _dir) = load(Vec::new(), env.clone(), overrides.clone());
        match got {
            Ok(c) => check_loaded(&c)?,
            Err(e) => {
                prop_assert!(
                    one_line(&e.to_string()),
                    "not one line: {:?}",
                    e.to_string()
                );
                match e.exit.code() {
                    65 => prop_assert!(
                        env.iter().any(|(k, _)| e
                            .message
                            .starts_with(&format!("environment variable {k} "))),
                        "65 not naming a variable: {}",
                        e.message
                    ),
                    64 => prop_assert!(e.message.starts_with("--config "), "{}", e.message),
                    _ => prop_assert!(false, "exit {}: {}", e.exit.code(), e),
                }
            }
        }
        // Each override alone: what `--config` checks while parsing flags.
        for o in &overrides {
            let o2 = o.clone();
            let checked = within(CASE_LIMIT, "check_override", move || {
                config::check_override(&o2)
            });
            if let Err(msg) = checked {
                prop_assert!(one_line(&msg), "not one line: {msg:?}");
            }
        }
        Ok(())
    });
}
