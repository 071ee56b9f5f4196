//! Property-based fuzzing of `ptest mon report`, in-process
//! (docs/fuzzing.md): sample files of every shape read into a dataset,
//! their figures, `report` records and tables, the SVG timeline, and the
//! comparison with a baseline. Every case is bounded by a watchdog. The
//! binary-level properties are in `tests/fuzz_samples.rs`.
//!
//! Properties: never a panic or a hang; a bad line is 65 naming
//! `f.jsonl:N` in one line; every record the report writes is a valid
//! record; the SVG is whole, with no NaN or infinity among its numbers and
//! no character XML cannot hold.

#[path = "../../../../shared/tests/support/fuzz.rs"]
mod property;
#[path = "../../tests/support/samples.rs"]
mod samples;

use super::compare::{compare, keys, match_resources};
use super::read::fixtures::read;
use super::render::{comparison_record, comparison_rows, report_record, report_text};
use super::stats::Figures;
use proptest::prelude::*;
use ptest_shared::Record;
use ptest_shared::testkit::fuzz::{CASE_LIMIT, one_line, within};

/// What the report makes of `text` (and of `baseline`): the lines it would
/// print, its records, its SVG; or the error reading them.
struct Made {
    lines: Vec<String>,
    records: Vec<String>,
    svg: String,
}

fn make(text: String, baseline: Option<String>) -> ptest_shared::Result<Made> {
    within(CASE_LIMIT, "ptest mon report", move || {
        let ds = read(&text)?;
        let base = baseline.as_deref().map(read).transpose()?;
        let figures: Vec<Figures> = ds.resources.iter().map(Figures::of).collect();
        let mut lines = Vec::new();
        let mut records = Vec::new();
        for (r, f) in ds.resources.iter().zip(&figures) {
            records.push(report_record(r, f).to_line());
            lines.push(report_text(r, f));
        }
        if let Some(base) = &base {
            let bfigures: Vec<Figures> = base.resources.iter().map(Figures::of).collect();
            let mut rows = Vec::new();
            for (c, b) in match_resources(&keys(&ds), &keys(base)) {
                let cur = c.map(|i| (&ds.resources[i], &figures[i]));
                let bas = b.map(|i| (&base.resources[i], &bfigures[i]));
                let compared = match (cur, bas) {
                    (Some((_, cf)), Some((_, bf))) => compare(cf, bf, 1.1),
                    _ => Vec::new(),
                };
                for m in &compared {
                    let _ = m.ratio();
                }
                records.push(
                    comparison_record(cur.map(|x| x.0), bas.map(|x| x.0), &compared).to_line(),
                );
                comparison_rows(cur.map(|x| x.0), bas.map(|x| x.0), &compared, &mut rows);
            }
            lines.push(ptest_shared::output::table(
                &["RESOURCE", "METRIC", "BASELINE", "CURRENT", "RATIO", ""],
                &rows,
            ));
        }
        Ok(Made {
            lines,
            records,
            svg: super::timeline(&ds),
        })
    })
}

fn check_made(m: &Made) -> Result<(), TestCaseError> {
    for r in &m.records {
        let parsed = Record::parse(r, "report", 1);
        prop_assert!(parsed.is_ok(), "{r}: {:?}", parsed.err());
    }
    let svg = &m.svg;
    prop_assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
    for bad in ["NaN", "inf", "\"-0.0\""] {
        prop_assert!(!svg.contains(bad), "the SVG holds {bad}");
    }
    // XML 1.0's Char production.
    let xml_char = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..);
    prop_assert!(
        svg.chars().all(xml_char),
        "the SVG holds a character XML cannot"
    );
    for l in &m.lines {
        prop_assert!(!l.contains("NaN"), "{l}");
    }
    Ok(())
}

#[test]
fn sample_files_are_reported_or_refused_naming_the_line() {
    let files = || {
        (
            samples::file(true).prop_map(|b| String::from_utf8(b).unwrap_or_default()),
            proptest::option::weighted(
                0.3,
                samples::file(false).prop_map(|b| String::from_utf8(b).unwrap_or_default()),
            ),
        )
    };
    property::check("mon_report", 2000, files, |(text, baseline)| {
        match make(text, baseline) {
            Ok(m) => check_made(&m)?,
            Err(e) => {
                prop_assert_eq!(e.exit.code(), 65, "{}", e);
                prop_assert!(e.message.starts_with("f.jsonl:"), "{}", e.message);
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
