//! The v1 record: one flat JSON object per line (see `docs/protocol.md`).
//!
//! A [`Record`] keeps the exact line it was read from, so that a tool passing
//! a stream through writes unknown kinds and fields back byte for byte. Field
//! order of records we build is stable: `v`, `kind`, `tool`, `id`,
//! `created_at`, then whatever the tool sets, in the order it sets it.

use crate::error::{Error, Result};
use crate::owner::Owner;
pub use jiff::Timestamp;
use serde_json::{Map, Value};

/// The protocol version this build writes and the newest it reads.
pub const PROTOCOL_VERSION: u64 = 1;

#[derive(Clone, Debug)]
pub struct Record {
    fields: Map<String, Value>,
    /// The line this record was read from; `None` once modified or when built here.
    raw: Option<String>,
}

/// Records are equal when their fields are, however they were spelled.
impl PartialEq for Record {
    fn eq(&self, other: &Record) -> bool {
        self.fields == other.fields
    }
}

impl Record {
    /// A record of `kind` with only `v` and `kind` (samples, events, checks…).
    pub fn new(kind: &str) -> Record {
        let mut fields = Map::new();
        fields.insert("v".into(), PROTOCOL_VERSION.into());
        fields.insert("kind".into(), kind.into());
        Record { fields, raw: None }
    }

    /// A resource record: `kind`, the managing `tool` (`ptest-port`), a fresh
    /// `id` (`<kind>-<random>`) and `created_at` now.
    pub fn resource(kind: &str, tool: &str) -> Record {
        Record::resource_with_id(kind, tool, &new_id(kind))
    }

    /// [`Record::resource`] for an id made earlier (one the tool named an
    /// engine object or a directory after before the record existed).
    pub fn resource_with_id(kind: &str, tool: &str, id: &str) -> Record {
        let mut r = Record::new(kind);
        r.set("tool", tool);
        r.set("id", id);
        r.set("created_at", now_rfc3339());
        r
    }

    /// Parses one line of a stream. `lineno` (1-based) and `source` name the
    /// place in error messages.
    pub fn parse(line: &str, source: &str, lineno: usize) -> Result<Record> {
        let at = || format!("{source}:{lineno}");
        let value: Value = serde_json::from_str(line).map_err(|e| {
            Error::data(format!("{}: malformed record: {e}", at()))
                .hint("each line must be one JSON object, e.g. {\"v\":1,\"kind\":\"port\",…}")
        })?;
        let Value::Object(fields) = value else {
            return Err(Error::data(format!(
                "{}: a record must be a JSON object, found {}",
                at(),
                json_type(&value)
            )));
        };
        let v = match fields.get("v") {
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| v >= 1) => n.as_u64().unwrap(),
            Some(other) => {
                return Err(Error::data(format!(
                    "{}: \"v\" must be a positive integer, found {other}",
                    at()
                )));
            }
            None => {
                return Err(Error::data(format!("{}: record has no \"v\" field", at()))
                    .hint("records of protocol v1 start with {\"v\":1,\"kind\":…}"));
            }
        };
        if v > PROTOCOL_VERSION {
            return Err(Error::data(format!(
                "{}: record has protocol version {v}, but this ptest understands only up to version {PROTOCOL_VERSION}",
                at()
            ))
            .hint("upgrade this tool to match the one that wrote the stream"));
        }
        let kind = match fields.get("kind") {
            Some(Value::String(k)) if !k.is_empty() => k,
            _ => {
                return Err(Error::data(format!(
                    "{}: record has no \"kind\" string",
                    at()
                )));
            }
        };
        if let Err(e) = crate::kinds::validate(&fields) {
            return Err(Error::data(format!("{}: {kind} record: {e}", at()))
                .hint("see docs/protocol.md, \"Validation\", for what each field may hold"));
        }
        Ok(Record {
            fields,
            raw: Some(line.to_owned()),
        })
    }

    /// Builds a record from a JSON object (validated like a parsed line).
    pub fn from_value(value: Value) -> Result<Record> {
        let line = value.to_string();
        Record::parse(&line, "record", 1).map(|mut r| {
            r.raw = None;
            r
        })
    }

    /// The line to write: the original bytes when unchanged, else fresh JSON.
    pub fn to_line(&self) -> String {
        match &self.raw {
            Some(raw) => raw.clone(),
            None => serde_json::to_string(&self.fields).expect("a JSON map always serialises"),
        }
    }

    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    /// The record as the typed struct of its kind (see [`crate::kinds`]):
    /// `rec.typed::<kinds::PortLease>()`. Exit 65 naming the field when a
    /// field does not fit.
    pub fn typed<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T> {
        crate::kinds::from_fields(&self.fields).map_err(|e| {
            Error::data(format!(
                "{} record {}: {e}",
                self.kind(),
                self.id().unwrap_or_default()
            ))
        })
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.fields.get(key)
    }

    fn str_field(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }

    /// Sets a field (appended at the end when new) and forgets the raw line.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        self.fields.insert(key.to_owned(), value.into());
        self.raw = None;
        self
    }

    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.raw = None;
        self.fields.shift_remove(key)
    }

    pub fn kind(&self) -> &str {
        self.str_field("kind").unwrap_or_default()
    }
    pub fn id(&self) -> Option<&str> {
        self.str_field("id")
    }
    /// The `ptest-<tool>` that manages this resource.
    pub fn tool(&self) -> Option<&str> {
        self.str_field("tool")
    }
    /// A resource is a record that names itself (`id`) and its manager (`tool`).
    pub fn is_resource(&self) -> bool {
        self.id().is_some() && self.tool().is_some()
    }

    pub fn created_at(&self) -> Option<Timestamp> {
        self.str_field("created_at").and_then(|s| s.parse().ok())
    }

    /// `expires_at`, or `Err` naming the field when it is there but unreadable.
    pub fn expires_at(&self) -> Result<Option<Timestamp>> {
        match self.fields.get("expires_at") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => s.parse().map(Some).map_err(|e| {
                Error::data(format!(
                    "record {}: expires_at {s:?} is not an RFC 3339 time: {e}",
                    self.id().unwrap_or("?")
                ))
            }),
            Some(other) => Err(Error::data(format!(
                "record {}: expires_at must be a string, found {other}",
                self.id().unwrap_or("?")
            ))),
        }
    }

    pub fn set_expires_at(&mut self, at: Option<Timestamp>) {
        match at {
            Some(t) => {
                self.set("expires_at", format_time(t));
            }
            None => {
                self.remove("expires_at");
            }
        }
    }

    /// The `owner` object, when present and well formed.
    pub fn owner(&self) -> Result<Option<Owner>> {
        match self.fields.get("owner") {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                Error::data(format!(
                    "record {}: owner {v} is not {{\"pid\": N, \"start_time\": T}}: {e}",
                    self.id().unwrap_or("?")
                ))
            }),
        }
    }

    pub fn set_owner(&mut self, owner: Option<&Owner>) {
        match owner {
            Some(o) => self.set("owner", serde_json::to_value(o).expect("owner serialises")),
            None => self.set("owner", Value::Null),
        };
    }

    /// The record's environment contribution, in its order (names and
    /// values validated, see [`crate::kinds::Env`]).
    pub fn env(&self) -> Result<Vec<(String, String)>> {
        let c: crate::kinds::Common = self.typed()?;
        Ok(c.env
            .0
            .into_iter()
            .map(|(k, v)| (k.into_inner(), v))
            .collect())
    }

    /// Directories a process "inside" this resource must find first on PATH.
    pub fn path_prepend(&self) -> Result<Vec<String>> {
        let c: crate::kinds::Common = self.typed()?;
        Ok(c.path_prepend
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.into_inner().display().to_string())
            .collect())
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A name as it goes into an environment variable: upper case, anything
/// but ASCII letters and digits as `_` (`db-primary.2` → `DB_PRIMARY_2`).
pub fn env_word(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `<kind>-<8 random characters>`, e.g. `port-k3x9m2qa`.
pub fn new_id(kind: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 5];
    random_bytes(&mut bytes);
    let mut n = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut s = String::with_capacity(kind.len() + 9);
    s.push_str(kind);
    s.push('-');
    for _ in 0..8 {
        s.push(ALPHABET[(n & 31) as usize] as char);
        n >>= 5;
    }
    s
}

/// `n` random bytes as lower-case hex: suffixes for temporary names.
pub fn random_hex(n: usize) -> String {
    let mut b = vec![0u8; n];
    random_bytes(&mut b);
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// Fills `buf` from the kernel's random source (getrandom(2)).
pub fn random_bytes(buf: &mut [u8]) {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        // SAFETY: the pointer and length describe `rest`, which we own mutably.
        let n = unsafe { nix::libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        match n {
            n if n > 0 => filled += n as usize,
            _ if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted => {}
            _ => panic!("getrandom(2) failed: {}", std::io::Error::last_os_error()),
        }
    }
}

/// Now, as RFC 3339 in UTC with millisecond precision.
pub fn now_rfc3339() -> String {
    format_time(Timestamp::now())
}

pub fn format_time(t: Timestamp) -> String {
    let t = t.round(jiff::Unit::Millisecond).unwrap_or(t);
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_survive_byte_for_byte() {
        let line = r#"{"v":1, "kind":"frob","zeta":1,"alpha":{"b":2,"a":1}}"#;
        let r = Record::parse(line, "stdin", 1).unwrap();
        assert_eq!(r.to_line(), line);
        assert_eq!(r.kind(), "frob");
    }

    #[test]
    fn modified_record_keeps_field_order() {
        let mut r = Record::parse(r#"{"v":1,"kind":"x","z":1,"a":2}"#, "stdin", 1).unwrap();
        r.set("m", 3);
        assert_eq!(r.to_line(), r#"{"v":1,"kind":"x","z":1,"a":2,"m":3}"#);
    }

    #[test]
    fn newer_version_is_rejected_naming_both() {
        let e = Record::parse(r#"{"v":2,"kind":"port"}"#, "stdin", 4).unwrap_err();
        assert_eq!(e.exit, crate::error::Exit::Data);
        assert!(e.message.contains("stdin:4"), "{}", e.message);
        assert!(e.message.contains("version 2") && e.message.contains("version 1"));
    }

    #[test]
    fn malformed_and_non_objects_are_data_errors() {
        for (line, want) in [
            ("{\"v\":1,", "malformed"),
            ("[1,2]", "an array"),
            (r#"{"kind":"x"}"#, "no \"v\""),
            (r#"{"v":1}"#, "no \"kind\""),
            (r#"{"v":"1","kind":"x"}"#, "positive integer"),
        ] {
            let e = Record::parse(line, "stdin", 7).unwrap_err();
            assert!(e.message.contains(want), "{line}: {}", e.message);
            assert!(e.message.contains("stdin:7"));
        }
    }

    #[test]
    fn resource_records_have_id_tool_and_time() {
        let r = Record::resource("port", "ptest-port");
        assert!(r.id().unwrap().starts_with("port-"));
        assert_eq!(r.id().unwrap().len(), "port-".len() + 8);
        assert_eq!(r.tool(), Some("ptest-port"));
        assert!(r.created_at().is_some());
        let keys: Vec<_> = r.fields().keys().cloned().collect();
        assert_eq!(keys, ["v", "kind", "tool", "id", "created_at"]);
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: std::collections::HashSet<_> = (0..10_000).map(|_| new_id("x")).collect();
        assert_eq!(ids.len(), 10_000);
    }

    #[test]
    fn env_and_path_prepend_are_read_in_order() {
        let r = Record::parse(
            r#"{"v":1,"kind":"thing","env":{"B":"2","A":"1"},"path_prepend":["/v/bin"]}"#,
            "s",
            1,
        )
        .unwrap();
        assert_eq!(
            r.env().unwrap(),
            [("B".into(), "2".into()), ("A".into(), "1".into())]
        );
        assert_eq!(r.path_prepend().unwrap(), ["/v/bin"]);
        let e = Record::parse(r#"{"v":1,"kind":"x","env":{"A":[1]}}"#, "s", 3).unwrap_err();
        assert!(
            e.message.starts_with("s:3: x record: env: "),
            "{}",
            e.message
        );
    }
}
