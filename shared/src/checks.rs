//! Findings about this machine, as every tool's `doctor` reports them:
//! one `check` record each (`name`, `ok`, `detail`, and `hint` when not ok,
//! plus fields of the check's own), or a table for people. A missing
//! facility is a finding, not an error: `doctor` exits 0 whenever it could
//! look. `ptest doctor` gathers every tool's (`ptest-<tool> doctor --json`).

use crate::Record;
use crate::error::Result;
use crate::output::{RecordWriter, color_stdout, paint, table};
use serde_json::Value;

/// One finding.
#[derive(Debug)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
    pub hint: Option<String>,
    /// Machine-readable facts of this check (`version`, `path`, …).
    pub extra: Vec<(String, Value)>,
}

impl Check {
    pub fn ok(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            ok: true,
            detail: detail.into(),
            hint: None,
            extra: Vec::new(),
        }
    }

    pub fn fail(name: &str, detail: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            name: name.to_owned(),
            ok: false,
            detail: detail.into(),
            hint: Some(hint.into()),
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Check {
        self.extra.push((key.to_owned(), value.into()));
        self
    }

    pub fn record(&self) -> Record {
        let mut r = Record::new("check");
        r.set("name", self.name.as_str())
            .set("ok", self.ok)
            .set("detail", self.detail.as_str());
        if !self.ok {
            if let Some(h) = &self.hint {
                r.set("hint", h.as_str());
            }
        }
        for (k, v) in &self.extra {
            r.set(k, v.clone());
        }
        r
    }

    /// A `check` record another tool wrote, back as a finding.
    pub fn from_record(r: &Record) -> Option<Check> {
        if r.kind() != "check" {
            return None;
        }
        let text = |k: &str| r.get(k).and_then(Value::as_str).map(str::to_owned);
        let known = ["v", "kind", "name", "ok", "detail", "hint"];
        Some(Check {
            name: text("name")?,
            ok: r.get("ok").and_then(Value::as_bool)?,
            detail: text("detail").unwrap_or_default(),
            hint: text("hint"),
            extra: r
                .fields()
                .iter()
                .filter(|(k, _)| !known.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }
}

/// Writes the findings: `check` records, or the table; 0 unless stdout fails.
pub fn report(json: bool, checks: &[Check]) -> Result<i32> {
    let mut out = RecordWriter::stdout();
    if json {
        for c in checks {
            out.write(&c.record())?;
        }
    } else {
        for line in render(checks, color_stdout()).lines() {
            out.write_line(line)?;
        }
    }
    Ok(0)
}

/// The table of findings, the hints for those not ok, and a summary line.
pub fn render(checks: &[Check], color: bool) -> String {
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                if c.ok { "ok" } else { "no" }.to_owned(),
                c.detail.clone(),
            ]
        })
        .collect();
    let plain = table(&["CHECK", "STATUS", "DETAIL"], &rows);
    // Colour the status words after alignment, so escapes do not count as width.
    let status_col = checks
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .max("CHECK".len())
        + 2;
    let mut out = String::new();
    for (i, line) in plain.lines().enumerate() {
        match i.checked_sub(1).and_then(|n| checks.get(n)) {
            Some(c) if color => {
                let (head, tail) = line.split_at(status_col);
                let word = if c.ok { "ok" } else { "no" };
                let sgr = if c.ok { "32" } else { "1;31" };
                out.push_str(head);
                out.push_str(&paint(true, sgr, word));
                out.push_str(&tail[word.len()..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    let failing: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    if !failing.is_empty() {
        out.push_str("\nHints:\n");
        for c in &failing {
            if let Some(h) = &c.hint {
                out.push_str(&format!("  {}: {h}\n", c.name));
            }
        }
    }
    out.push_str(&format!(
        "\n{} of {} checks ok\n",
        checks.len() - failing.len(),
        checks.len()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_carry_a_hint_only_when_not_ok() {
        let ok = Check::ok("a", "fine").with("version", "1").record();
        assert_eq!(
            ok.to_line(),
            r#"{"v":1,"kind":"check","name":"a","ok":true,"detail":"fine","version":"1"}"#
        );
        let bad = Check::fail("b", "gone", "get it").record();
        assert_eq!(bad.get("hint").and_then(Value::as_str), Some("get it"));
        assert_eq!(bad.get("ok"), Some(&Value::Bool(false)));
    }

    #[test]
    fn coloured_table_stays_aligned() {
        let checks = [
            Check::ok("python3", "3.11"),
            Check::fail("uv", "not found", "pip install uv"),
        ];
        let plain = render(&checks, false);
        let coloured = render(&checks, true);
        let strip = coloured
            .replace("\x1b[32m", "")
            .replace("\x1b[1;31m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, strip);
        assert!(coloured.contains("\x1b[1;31mno\x1b[0m"));
        assert!(plain.contains("  uv: pip install uv\n"));
        assert!(plain.ends_with("1 of 2 checks ok\n"));
    }

    #[test]
    fn a_record_reads_back_as_the_check_it_was() {
        let c = Check::fail("uv", "not found", "pip install uv").with("path", "/x");
        let back = Check::from_record(&c.record()).unwrap();
        assert_eq!(back.record(), c.record());
    }
}
