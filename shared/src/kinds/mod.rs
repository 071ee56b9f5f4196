//! The suite's own record kinds, typed and validated when read (see
//! docs/protocol.md, "Validation").
//!
//! [`validate`] runs on every record read, whether a stream line or a
//! registry entry. It checks the fields any record may carry (`tool`,
//! `created_at`, `owner`, `expires_at`, `env`, `path_prepend`), then the
//! fields of the kinds the suite defines, through the typed struct of the
//! kind (in `records.rs`): [`Venv`], [`PortLease`], [`Proc`], [`Container`],
//! [`Pool`], [`Network`], [`Volume`], [`Image`], [`ErrorRecord`],
//! `ptest-mon`'s [`Sample`], [`Threshold`], [`Summary`] and [`MonRun`],
//! `ptest-snap`'s [`Snapshot`] and [`Overlay`]. The field types they are
//! made of are here. A tool reads another tool's
//! record through these types ([`crate::Record::typed`]), never by string
//! keys. Unknown kinds and unknown fields are checked no further and pass
//! through byte for byte.
//!
//! The rules keep a record from reaching what it must not: env names are
//! portable variable names, nothing that can reach exec, the environment
//! or a path holds a NUL, paths are absolute, `PATH` entries hold no `:`,
//! ports are 1–65535, ids are `<kind>-[a-z0-9]+`, and every name placed in
//! a Docker engine URL is one the engine itself could have made (no `/`, no
//! `..`, nothing to escape).

use crate::owner::Owner;
use jiff::Timestamp;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The kinds whose fields the suite defines (and validates).
pub const SUITE_KINDS: &[&str] = &[
    "venv",
    "port",
    "proc",
    "container",
    "network",
    "volume",
    "image",
    "error",
    "sample",
    "summary",
    "threshold",
    "mon",
    "snapshot",
    "overlay",
    "pool",
];

/// The kinds that are resources, with the tool that manages each.
pub const RESOURCE_KINDS: &[(&str, &str)] = &[
    ("venv", "ptest-venv"),
    ("port", "ptest-port"),
    ("proc", "ptest-proc"),
    ("container", "ptest-docker"),
    ("network", "ptest-docker"),
    ("volume", "ptest-docker"),
    ("pool", "ptest-docker"),
    ("mon", "ptest-mon"),
    ("snapshot", "ptest-snap"),
    ("overlay", "ptest-snap"),
];

/// Declares a newtype over `$inner` whose `Deserialize` runs `$check`
/// (which returns the value or a message saying what is wrong).
macro_rules! validated {
    ($(#[$m:meta])* $name:ident($inner:ty) from $raw:ty, $check:expr) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($inner);

        impl $name {
            /// Checks `raw`, saying what is wrong with it when it is refused.
            pub fn parse(raw: $raw) -> Result<$name, String> {
                let check: fn($raw) -> Result<$inner, String> = $check;
                check(raw).map($name)
            }
            pub fn get(&self) -> &$inner {
                &self.0
            }
            pub fn into_inner(self) -> $inner {
                self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = <$raw>::deserialize(d)?;
                $name::parse(raw).map_err(de::Error::custom)
            }
        }
    };
}

fn no_nul(s: &str) -> Result<(), String> {
    match s.find('\0') {
        Some(_) => Err(format!("{s:?} holds a NUL character")),
        None => Ok(()),
    }
}

validated!(
    /// Text that may reach exec, the environment or a path: no NUL.
    Text(String) from String,
    |s| no_nul(&s).map(|()| s)
);

validated!(
    /// A portable environment variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    EnvName(String) from String,
    |s| {
        let mut b = s.bytes();
        let ok = b.next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && b.all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if ok {
            Ok(s)
        } else {
            Err(format!(
                "{s:?} is not a portable variable name ([A-Za-z_][A-Za-z0-9_]*)"
            ))
        }
    }
);

validated!(
    /// An absolute path without NUL.
    AbsPath(PathBuf) from String,
    |s| {
        no_nul(&s)?;
        if !s.starts_with('/') {
            return Err(format!("{s:?} is not an absolute path"));
        }
        Ok(PathBuf::from(s))
    }
);

validated!(
    /// A directory for `PATH`: absolute, without NUL, and without `:`
    /// (which would split it into several entries).
    PathDir(PathBuf) from String,
    |s| {
        if s.contains(':') {
            return Err(format!("{s:?} holds a ':', which would split PATH"));
        }
        AbsPath::parse(s).map(AbsPath::into_inner)
    }
);

validated!(
    /// A port number, 1–65535.
    Port(u16) from u64,
    |n| match u16::try_from(n) {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("{n} is not a port (1-65535)")),
    }
);

validated!(
    /// A process ID: a positive 32-bit number.
    Pid(u32) from u64,
    |n| match i32::try_from(n) {
        Ok(p) if p > 0 => Ok(p as u32),
        _ => Err(format!("{n} is not a process ID")),
    }
);

validated!(
    /// A resource id, `<kind>-[a-z0-9]+` (`port-k3x9m2qa`). Which kind
    /// prefixes it is checked against the record's kind by [`validate`].
    ResourceId(String) from String,
    |s| {
        let ok = s.len() <= 128
            && s.rsplit_once('-').is_some_and(|(kind, tail)| {
                is_kind_name(kind)
                    && !tail.is_empty()
                    && tail.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if ok {
            Ok(s)
        } else {
            Err(format!("{s:?} is not a resource id (<kind>-[a-z0-9]+, as in port-k3x9m2qa)"))
        }
    }
);

validated!(
    /// The tool a record names: `ptest` (the dispatcher) or `ptest-<name>`.
    ToolName(String) from String,
    |s| {
        if s == "ptest" || crate::tools::valid_tool_name(&s) {
            Ok(s)
        } else {
            Err(format!("{s:?} is not a ptest tool name (ptest-<name>)"))
        }
    }
);

validated!(
    /// An id the Docker engine gave: 64 lower-case hex digits.
    EngineId(String) from String,
    |s| {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(s)
        } else {
            Err(format!("{s:?} is not a Docker engine id (64 hex digits)"))
        }
    }
);

validated!(
    /// A name of a Docker object (container, volume, network), as the
    /// engine allows them: `[A-Za-z0-9][A-Za-z0-9_.-]*`. Safe in a URL path.
    EngineName(String) from String,
    |s| check_engine_name(&s).map(|()| s)
);

validated!(
    /// An image reference (`repo/name:tag`, `name@sha256:…`) or image id
    /// (`sha256:…`), as the engine's reference grammar allows: safe in a
    /// URL path.
    ImageRef(String) from String,
    |s| check_image_ref(&s).map(|()| s)
);

validated!(
    /// An image id: `sha256:` and 64 hex digits.
    ImageId(String) from String,
    |s| match s.strip_prefix("sha256:") {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => Ok(s),
        _ => Err(format!("{s:?} is not an image id (sha256: and 64 hex digits)")),
    }
);

validated!(
    /// A network interface name (a bridge): at most 15 of `[A-Za-z0-9_.-]`.
    IfName(String) from String,
    |s| {
        if !s.is_empty()
            && s.len() <= 15
            && s != "."
            && s != ".."
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        {
            Ok(s)
        } else {
            Err(format!("{s:?} is not a network interface name"))
        }
    }
);

validated!(
    /// An exit code that says a failure: 1–255.
    FailureCode(u8) from u64,
    |n| match u8::try_from(n) {
        Ok(c) if c > 0 => Ok(c),
        _ => Err(format!("{n} is not the exit code of a failure (1-255)")),
    }
);

validated!(
    /// An RFC 3339 time.
    Time(Timestamp) from String,
    |s| s.parse().map_err(|e| format!("{s:?} is not an RFC 3339 time: {e}"))
);

/// A measured quantity: a finite number, not negative (bytes, seconds,
/// percent).
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Amount(f64);

impl Amount {
    pub fn parse(x: f64) -> Result<Amount, String> {
        if x.is_finite() && x >= 0.0 {
            Ok(Amount(x))
        } else {
            Err(format!("{x} is not a measure (a finite number, 0 or more)"))
        }
    }
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let x = f64::deserialize(d)?;
        Amount::parse(x).map_err(de::Error::custom)
    }
}

/// Kind names: lower-case letters, digits and `-`, starting with a letter.
fn is_kind_name(k: &str) -> bool {
    k.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most 255 bytes.
pub fn check_engine_name(s: &str) -> Result<(), String> {
    let ok = s.len() <= 255
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{s:?} is not a Docker object name ([A-Za-z0-9][A-Za-z0-9_.-]*)"
        ))
    }
}

/// The engine's reference grammar (distribution/reference):
/// `[domain[:port]/]path[/path…][:tag][@algo:hex]`, or an image id.
pub fn check_image_ref(s: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{s:?} is not an image reference ({why})"));
    if s.is_empty() || s.len() > 512 {
        return bad("empty or too long");
    }
    let hex = |h: &str, min: usize| h.len() >= min && h.bytes().all(|b| b.is_ascii_hexdigit());
    // An image id, whole or by prefix: `sha256:…` or hex digits.
    if let Some(h) = s.strip_prefix("sha256:") {
        return if hex(h, 1) {
            Ok(())
        } else {
            bad("bad image id")
        };
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    if let Some(d) = digest {
        let Some((algo, h)) = d.split_once(':') else {
            return bad("a digest is ALGORITHM:HEX");
        };
        let algo_ok = algo.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && algo
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_+.".contains(&b));
        if !algo_ok || !hex(h, 32) {
            return bad("a digest is ALGORITHM:HEX");
        }
    }
    // A tag follows the last ':' after the last '/'.
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if let Some(t) = tag {
        let ok = t.len() <= 128
            && t.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
        if !ok {
            return bad("a tag is [A-Za-z0-9_][A-Za-z0-9_.-]*");
        }
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // A first part with '.' or ':', or `localhost`, is a registry host.
    if parts.len() > 1 {
        let first = parts[0];
        if first == "localhost" || first.contains(['.', ':']) {
            let (host, port) = match first.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (first, None),
            };
            let host_ok = !host.is_empty()
                && host.split('.').all(|c| {
                    !c.is_empty()
                        && !c.starts_with('-')
                        && !c.ends_with('-')
                        && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            let port_ok = port.is_none_or(|p| {
                !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
            });
            if !host_ok || !port_ok {
                return bad("bad registry host");
            }
            parts.remove(0);
        }
    }
    // Path components: [a-z0-9]+ joined by '.', '_', '__' or runs of '-'.
    for p in parts {
        let b = p.as_bytes();
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        let ok = !b.is_empty() && alnum(b[0]) && alnum(b[b.len() - 1]) && {
            let mut ok = true;
            let mut i = 0;
            while i < b.len() {
                if alnum(b[i]) {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < b.len() && !alnum(b[i]) {
                    i += 1;
                }
                let sep = &p[start..i];
                ok &= sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
            }
            ok
        };
        if !ok {
            return bad(
                "a name is lower-case letters and digits, joined by '.', '_', '__' or '-', parts split by '/'",
            );
        }
    }
    Ok(())
}

/// A record's environment contribution: portable names, values without NUL
/// (strings; numbers and booleans are taken as their JSON text).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env(pub Vec<(EnvName, String)>);

impl<'de> Deserialize<'de> for Env {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = Option::<Map<String, Value>>::deserialize(d)?.unwrap_or_default();
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map {
            let name = EnvName::parse(k).map_err(de::Error::custom)?;
            let value = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(de::Error::custom(format!(
                        "{} must be a string, found {other}",
                        name.get()
                    )));
                }
            };
            no_nul(&value).map_err(|e| de::Error::custom(format!("{}: {e}", name.get())))?;
            out.push((name, value));
        }
        Ok(Env(out))
    }
}

/// The fields any record may carry, validated whatever its kind.
#[derive(Debug, Clone, Deserialize)]
pub struct Common {
    pub kind: String,
    pub tool: Option<ToolName>,
    pub created_at: Option<Time>,
    pub expires_at: Option<Time>,
    pub owner: Option<Owner>,
    #[serde(default)]
    pub env: Env,
    pub path_prepend: Option<Vec<PathDir>>,
}

/// A port lease's name (`--name` of `ptest port lease`, and a lease named
/// by another tool's flag): letters, digits, `_`, `-` and `.`.
pub fn check_lease_name(s: &str) -> Result<(), String> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        return Err("use letters, digits, '_', '-' or '.'".into());
    }
    Ok(())
}

/// The newest `port` record named `name` in a stream: how a tool finds the
/// lease a flag names (`--port 5432=db`, `--ready-port db`).
pub fn lease_named(records: &[crate::Record], name: &str) -> crate::Result<Option<PortLease>> {
    for r in records.iter().rev().filter(|r| r.kind() == "port") {
        let lease: PortLease = r.typed()?;
        if lease.name.as_ref().is_some_and(|n| n.get() == name) {
            return Ok(Some(lease));
        }
    }
    Ok(None)
}

/// The kind a resource id names: `port` for `port-k3x9m2qa`.
pub fn id_kind(id: &str) -> Option<&str> {
    id.rsplit_once('-').map(|(k, _)| k)
}

/// Deserializes `T` from a record's fields; the error names the field
/// (`ports[0].host_port: 0 is not a port (1-65535)`).
pub fn from_fields<'a, T: Deserialize<'a>>(fields: &'a Map<String, Value>) -> Result<T, String> {
    serde_path_to_error::deserialize(fields).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        if path == "." || path.is_empty() {
            inner
        } else {
            format!("{path}: {inner}")
        }
    })
}

/// Validates a record's fields (`v` and `kind` are checked by the parser):
/// the common fields of every record, then its kind's own. The message
/// names the field and says what is wrong with it.
pub fn validate(fields: &Map<String, Value>) -> Result<(), String> {
    let common: Common = from_fields(fields)?;
    let kind = common.kind.as_str();
    if !SUITE_KINDS.contains(&kind) {
        return Ok(());
    }
    // Nothing the suite reads holds a NUL, wherever it sits in the record.
    if let Some(path) = find_nul_in(fields, "") {
        return Err(format!("{path}: holds a NUL character"));
    }
    let id = match kind {
        "venv" => Some(from_fields::<Venv>(fields)?.id),
        "port" => from_fields::<PortLease>(fields)?.id,
        "proc" => Some(from_fields::<Proc>(fields)?.id),
        "container" => {
            let c = from_fields::<Container>(fields)?;
            for (field, p) in [("pool", &c.pool), ("from_pool", &c.from_pool)] {
                if let Some(p) = p
                    && id_kind(p.get()) != Some("pool")
                {
                    return Err(format!("{field}: {:?} is not a pool id", p.get()));
                }
            }
            Some(c.id)
        }
        "pool" => Some(from_fields::<Pool>(fields)?.id),
        "network" => Some(from_fields::<Network>(fields)?.id),
        "volume" => Some(from_fields::<Volume>(fields)?.id),
        "image" => from_fields::<Image>(fields).map(|_| None)?,
        "error" => from_fields::<ErrorRecord>(fields).map(|_| None)?,
        "sample" => from_fields::<Sample>(fields).map(|_| None)?,
        "summary" => from_fields::<Summary>(fields).map(|_| None)?,
        "threshold" => from_fields::<Threshold>(fields).map(|_| None)?,
        "mon" => Some(from_fields::<MonRun>(fields)?.id),
        "snapshot" => Some(from_fields::<Snapshot>(fields)?.checked()?),
        "overlay" => {
            let o = from_fields::<Overlay>(fields)?;
            if id_kind(o.snapshot.get()) != Some("snapshot") {
                return Err(format!(
                    "snapshot: {:?} is not a snapshot id (snapshot-[a-z0-9]+)",
                    o.snapshot.get()
                ));
            }
            Some(o.id)
        }
        _ => None,
    };
    if let Some(id) = id
        && id_kind(id.get()) != Some(kind)
    {
        return Err(format!(
            "id: {:?} is not a {kind} id ({kind}-[a-z0-9]+)",
            id.get()
        ));
    }
    Ok(())
}

/// The path of the first string (or key) in `m` holding a NUL.
fn find_nul_in(m: &Map<String, Value>, at: &str) -> Option<String> {
    m.iter().find_map(|(k, x)| {
        let at = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        if k.contains('\0') {
            Some(at)
        } else {
            find_nul(x, at)
        }
    })
}

fn find_nul(v: &Value, at: String) -> Option<String> {
    match v {
        Value::String(s) => s.contains('\0').then_some(at),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, x)| find_nul(x, format!("{at}[{i}]"))),
        Value::Object(m) => find_nul_in(m, &at),
        _ => None,
    }
}

/// True when `path` lies inside `dir` (both absolute, compared by
/// components, so `/a/bc` is not inside `/a/b`, and `..` never counts).
pub fn is_within(path: &Path, dir: &Path) -> bool {
    use std::path::Component;
    !path
        .components()
        .any(|c| matches!(c, Component::ParentDir | Component::CurDir))
        && path.starts_with(dir)
        && path != dir
}

// The kinds' own records, after the field types and `validated!` they
// are made of.
mod records;
pub use records::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str) -> Result<(), String> {
        let v: Value = serde_json::from_str(line).unwrap();
        validate(v.as_object().unwrap())
    }

    #[test]
    fn measurements_are_numbers_that_can_be_measured() {
        let ok = r#"{"v":1,"kind":"sample","tool":"ptest-mon","resource":"mon-ab1","t":"2026-11-30T18:00:00Z","elapsed":1.5,"memory":1024,"cpu":150.5,"psi":{"cpu":0.5}}"#;
        assert_eq!(check(ok), Ok(()));
        for (bad, field) in [
            (
                r#"{"v":1,"kind":"sample","t":"2026-11-30T18:00:00Z","elapsed":1}"#,
                "resource",
            ),
            (
                r#"{"v":1,"kind":"sample","resource":"host","t":"2026-11-30T18:00:00Z","elapsed":1,"memory":-5}"#,
                "memory",
            ),
            (
                r#"{"v":1,"kind":"sample","resource":"host","t":"2026-11-30T18:00:00Z","elapsed":1,"cpu":"x"}"#,
                "cpu",
            ),
            (
                r#"{"v":1,"kind":"sample","resource":"host","t":"yesterday","elapsed":1}"#,
                "t",
            ),
            (
                r#"{"v":1,"kind":"threshold","resource":"host","threshold":"max-fun","limit":1,"value":2}"#,
                "threshold",
            ),
            (
                r#"{"v":1,"kind":"summary","resource":"mon-a1","wall_seconds":-1}"#,
                "wall_seconds",
            ),
            (
                r#"{"v":1,"kind":"mon","tool":"ptest-mon","id":"proc-a1"}"#,
                "id",
            ),
            (
                r#"{"v":1,"kind":"mon","tool":"ptest-mon","id":"mon-a1","cgroup":["relative"]}"#,
                "cgroup",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"venv-a1","source":"/x"}"#,
                "id",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-a1","source":"rel"}"#,
                "source",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-a1"}"#,
                "its source or its container",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-a1","container":"venv-a1"}"#,
                "container",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-a1","source":"/x","container":"container-a1"}"#,
                "not both",
            ),
            (
                r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-a1","source":"/x","venv":"port-a1"}"#,
                "venv",
            ),
            (
                r#"{"v":1,"kind":"overlay","tool":"ptest-snap","id":"overlay-a1","snapshot":"venv-a1","path":"/x"}"#,
                "snapshot",
            ),
            (
                r#"{"v":1,"kind":"overlay","tool":"ptest-snap","id":"overlay-a1","snapshot":"snapshot-a1","path":"/x","upper":"rel/upper"}"#,
                "upper",
            ),
            (
                r#"{"v":1,"kind":"overlay","tool":"ptest-snap","id":"snapshot-a1","snapshot":"snapshot-a1","path":"/x"}"#,
                "id",
            ),
        ] {
            let e = check(bad).unwrap_err();
            assert!(e.contains(field), "{bad}: {e}");
        }
    }

    #[test]
    fn good_records_of_every_kind_pass() {
        let hex = "a".repeat(64);
        for line in [
            r#"{"v":1,"kind":"venv","tool":"ptest-venv","id":"venv-k3x9m2qa","path":"/tmp/v","env":{"VIRTUAL_ENV":"/tmp/v"},"path_prepend":["/tmp/v/bin"],"name":null}"#.to_owned(),
            r#"{"v":1,"kind":"port","tool":"ptest-port","id":"port-abc","port":20113,"name":"http","proto":"tcp","owner":{"pid":1,"start_time":2},"expires_at":null}"#.to_owned(),
            r#"{"v":1,"kind":"port","name":"db","port":5432}"#.to_owned(),
            r#"{"v":1,"kind":"proc","tool":"ptest-proc","id":"proc-x1","pid":42,"cgroup":["/sys/fs/cgroup/memory/ptest/x"],"command":["sh","-c","true"]}"#.to_owned(),
            format!(r#"{{"v":1,"kind":"container","tool":"ptest-docker","id":"container-ab12","container_id":"{hex}","name":"db","image":"postgres:16","ports":[{{"container_port":5432,"proto":"tcp","host_port":20001}}]}}"#),
            format!(r#"{{"v":1,"kind":"container","tool":"ptest-docker","id":"container-ab12","container_id":"{hex}","ready":{{"port":5432,"log":"^ready$","http":"5432:/health","cmd":"pg_isready","timeout_ms":60000}}}}"#),
            format!(r#"{{"v":1,"kind":"network","tool":"ptest-docker","id":"network-ab12","network_id":"{hex}","name":"ptest-ab12","bridge":"br-0123456789ab"}}"#),
            r#"{"v":1,"kind":"volume","tool":"ptest-docker","id":"volume-ab12","volume_name":"pgdata"}"#.to_owned(),
            format!(r#"{{"v":1,"kind":"image","image_id":"sha256:{hex}","tag":"localhost:5000/test/busybox:1"}}"#),
            r#"{"v":1,"kind":"error","code":"no_input","exit":66,"message":"no image","tool":"ptest-docker"}"#.to_owned(),
            r#"{"v":1,"kind":"error","message":"a plugin's plain error"}"#.to_owned(),
            r#"{"v":1,"kind":"snapshot","tool":"ptest-snap","id":"snapshot-k3x9m2qa","source":"/tmp/v","venv":"venv-k3x9m2qa","files":3}"#.to_owned(),
            r#"{"v":1,"kind":"overlay","tool":"ptest-snap","id":"overlay-k3x9m2qa","snapshot":"snapshot-a1","path":"/tmp/t","lower":"/s/snap/lower/snapshot-a1","upper":"/s/snap/overlays/overlay-k3x9m2qa/upper","work":"/s/snap/overlays/overlay-k3x9m2qa/work","made_dir":false,"mnt_ns":4026531841}"#.to_owned(),
            r#"{"v":1,"kind":"tmpdir","tool":"ptest-tmpdir","id":"tmpdir_WEIRD","anything":"\u0000 goes"}"#.to_owned(),
        ] {
            check(&line).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
    }

    #[test]
    fn bad_fields_are_named() {
        let hex = "a".repeat(64);
        for (line, want) in [
            (r#"{"v":1,"kind":"x","env":{"1BAD":"v"}}"#.to_owned(), "not a portable variable name"),
            (r#"{"v":1,"kind":"x","env":{"A-B":"v"}}"#.to_owned(), "\"A-B\""),
            (r#"{"v":1,"kind":"x","env":{"A":"v\u0000w"}}"#.to_owned(), "NUL"),
            (r#"{"v":1,"kind":"x","env":{"A":[1]}}"#.to_owned(), "must be a string"),
            (r#"{"v":1,"kind":"x","path_prepend":["bin"]}"#.to_owned(), "path_prepend[0]: \"bin\" is not an absolute path"),
            (r#"{"v":1,"kind":"x","path_prepend":["/a:/b"]}"#.to_owned(), "split PATH"),
            (r#"{"v":1,"kind":"x","tool":"rm -rf"}"#.to_owned(), "tool: "),
            (r#"{"v":1,"kind":"x","created_at":"yesterday"}"#.to_owned(), "created_at: "),
            (r#"{"v":1,"kind":"x","owner":{"pid":"me"}}"#.to_owned(), "owner"),
            (r#"{"v":1,"kind":"port","port":70000}"#.to_owned(), "port: 70000 is not a port"),
            (r#"{"v":1,"kind":"port","port":0}"#.to_owned(), "port: 0 is not a port"),
            (r#"{"v":1,"kind":"port","name":"db"}"#.to_owned(), "port"),
            (r#"{"v":1,"kind":"port","id":"venv-abc","port":1}"#.to_owned(), "not a port id"),
            (r#"{"v":1,"kind":"venv","id":"venv-abc","path":"relative/dir"}"#.to_owned(), "path: \"relative/dir\" is not an absolute path"),
            (r#"{"v":1,"kind":"venv","id":"venv-ABC","path":"/v"}"#.to_owned(), "id: "),
            (r#"{"v":1,"kind":"venv","id":"venv-abc","path":"/v\u0000/x"}"#.to_owned(), "NUL"),
            (r#"{"v":1,"kind":"container","id":"container-abcdefgh","container_id":"../volumes/victim"}"#.to_owned(), "container_id: "),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ports":[{{"container_port":1,"host_port":99999}}]}}"#), "ports[0].host_port"),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ready":{{"http":"/health"}}}}"#), "ready.http: "),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ready":{{"http":"https://x/"}}}}"#), "ready.http: "),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ready":{{"cmd":" "}}}}"#), "ready.cmd: "),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ready":{{"port":0}}}}"#), "ready.port: "),
            (format!(r#"{{"v":1,"kind":"container","id":"container-abc","container_id":"{hex}","ready":{{"timeout_ms":0}}}}"#), "ready.timeout_ms: "),
            (format!(r#"{{"v":1,"kind":"network","id":"network-abc","network_id":"{hex}","name":"../x"}}"#), "name: "),
            (r#"{"v":1,"kind":"volume","id":"volume-abc","volume_name":"../images/x"}"#.to_owned(), "volume_name: "),
            (r#"{"v":1,"kind":"image","image_id":"../x"}"#.to_owned(), "image_id: "),
            (r#"{"v":1,"kind":"error","message":"m","exit":0}"#.to_owned(), "exit: 0 is not"),
            (r#"{"v":1,"kind":"error","message":"m","exit":256}"#.to_owned(), "exit: 256"),
            (r#"{"v":1,"kind":"error","code":"x"}"#.to_owned(), "message"),
        ] {
            let e = check(&line).expect_err(&line);
            assert!(e.contains(want), "{line}: {e}");
        }
    }

    #[test]
    fn image_references() {
        for ok in [
            "busybox",
            "postgres:16",
            "test/busybox:1",
            "ptest-test/busybox:1",
            "localhost:5000/a/b:latest",
            "Registry.example.com/x",
            "a__b/c.d-e---f:T_1.0-x",
            "x@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "sha256:0123456789ab",
        ] {
            check_image_ref(ok).unwrap_or_else(|e| panic!("{e}"));
        }
        for bad in [
            "",
            "../volumes/victim",
            "a/../b",
            "Upper",
            "Upper/case",
            "a//b",
            "a:b/c",
            "x:",
            "x:-tag",
            "a?b",
            "a%2fb",
            "x@sha256:zz",
            "-a",
            "a.",
        ] {
            assert!(check_image_ref(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn engine_names_never_leave_their_url_segment() {
        for ok in ["db", "ptest-k3x9", "a.b_c-d", "0abc"] {
            check_engine_name(ok).unwrap();
        }
        for bad in [
            "", "..", "../x", ".x", "-x", "a/b", "a?b", "a#b", "a%2e", "a b",
        ] {
            assert!(check_engine_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn within() {
        assert!(is_within(Path::new("/s/venvs/v"), Path::new("/s/venvs")));
        assert!(!is_within(Path::new("/s/venvs"), Path::new("/s/venvs")));
        assert!(!is_within(Path::new("/s/venvsx/v"), Path::new("/s/venvs")));
        assert!(!is_within(
            Path::new("/s/venvs/../etc"),
            Path::new("/s/venvs")
        ));
    }
}
