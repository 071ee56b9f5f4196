//! Configuration: built-in defaults < the user file
//! (`$XDG_CONFIG_HOME/ptest/config.toml`) < the nearest `ptest.toml` found by
//! walking up from the working directory < `PTEST_<TABLE>__<KEY>` environment
//! variables < `--config KEY=VALUE` flags (and each tool's own flags, which
//! the tool applies last).
//!
//! Every known key is declared once in [`SETTINGS`], with its type, default
//! and meaning; `ptest config` prints them all with where each value came
//! from. A bad file is exit 65 naming the file, line and key. Tables that no
//! built-in tool owns (a plugin's `[hello]`) are kept for their plugin.

use crate::error::{Error, IoContext, Result};
use crate::units::{format_duration, parse_duration};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The tables of the built-in tools, plus `[hooks]`.
pub const TABLES: &[&str] = &["venv", "docker", "port", "proc", "snap", "mon", "hooks"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// An integer within `min..=max`.
    Integer {
        min: i64,
        max: i64,
    },
    Bool,
    /// A duration such as `30s` or `10m` (or an integer number of seconds).
    Duration,
    /// A size such as `512M` or `2G` (or an integer number of bytes), held
    /// as an integer; `0` means none.
    Size,
}

/// Every event a hook can name: `pre-<event>` / `post-<event>`. Each tool
/// adds its own here when it arrives.
pub const EVENTS: &[&str] = &[
    "container.ready",
    "container.removed",
    "mon.threshold",
    "network.created",
    "network.removed",
    "port.leased",
    "port.released",
    "pool.created",
    "pool.removed",
    "proc.exited",
    "proc.ready",
    "snapshot.created",
    "snapshot.removed",
    "snapshot.reset",
    "snapshot.restored",
    "venv.created",
    "venv.installed",
    "venv.removed",
    "venv.synced",
    "volume.removed",
];

/// One configuration key, its type, default and meaning.
#[derive(Debug)]
pub struct Setting {
    /// `table.key`, e.g. `hooks.timeout`.
    pub key: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub doc: &'static str,
}

/// Every known key. Each tool adds its own here when it arrives.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "hooks.timeout",
        kind: Kind::Duration,
        default: "30s",
        doc: "Time limit for one hook command; a hook still running then is killed (a pre-hook then aborts its action with exit 124).",
    },
    Setting {
        key: "venv.python",
        kind: Kind::String,
        default: "python3",
        doc: "The interpreter `ptest venv create` uses without --python: a name on PATH (`python3.12`), a version (`3.12`) or a path.",
    },
    Setting {
        key: "venv.backend",
        kind: Kind::Choice(&["auto", "uv", "pip"]),
        default: "auto",
        doc: "Installer: `uv`, `pip` (the base interpreter's own, with --python), or `auto` (uv when found, else pip).",
    },
    Setting {
        key: "venv.uv",
        kind: Kind::String,
        default: "",
        doc: "Path of the uv binary; empty: search PATH (a pyenv shim is resolved to the binary it runs).",
    },
    Setting {
        key: "venv.link-mode",
        kind: Kind::Choice(&["clone", "hardlink", "copy"]),
        default: "clone",
        doc: "How environments get a template's files: `clone` (reflink where the filesystem can, else hard links), `hardlink`, or `copy`.",
    },
    Setting {
        key: "venv.dir",
        kind: Kind::String,
        default: "",
        doc: "Where environments are made without --dir; empty: `venvs/` in the state directory.",
    },
    Setting {
        key: "docker.subnet-pool",
        kind: Kind::String,
        default: "10.213.0.0/16",
        doc: "The private IPv4 range `ptest docker` carves per-environment network subnets from (so 50+ environments do not exhaust the engine's default pools).",
    },
    Setting {
        key: "docker.subnet-prefix",
        kind: Kind::Integer { min: 16, max: 29 },
        default: "26",
        doc: "The prefix length of each network's subnet from docker.subnet-pool (26: 64 addresses, 1024 networks in a /16).",
    },
    Setting {
        key: "docker.parallel",
        kind: Kind::Integer { min: 1, max: 64 },
        default: "8",
        doc: "How many containers `ptest docker create` creates and starts at once.",
    },
    Setting {
        key: "port.range",
        kind: Kind::String,
        default: "20000-29999",
        doc: "Ports `ptest port lease` draws from, LOW-HIGH. Ports of the kernel's ephemeral range are left out of it.",
    },
    Setting {
        key: "proc.pid-namespace",
        kind: Kind::Choice(&["on", "off"]),
        default: "off",
        doc: "`on`: run every command in PID and mount namespaces of its own (as --pid-namespace); `off`: only when --pid-namespace asks. Either way the whole tree is tracked and killed.",
    },
    Setting {
        key: "proc.cgroups",
        kind: Kind::Choice(&["auto", "off"]),
        default: "auto",
        doc: "`auto`: make a cgroup per command when --memory, --cpus or --pids ask for one; `off`: never (--memory and --pids fall back to rlimits, --cpus is refused).",
    },
    Setting {
        key: "snap.parallel",
        kind: Kind::Integer { min: 0, max: 256 },
        default: "0",
        doc: "How many threads `ptest snap create` hashes and `restore` copies files with; 0: one per CPU.",
    },
    Setting {
        key: "snap.volumes",
        kind: Kind::Choice(&["auto", "archive"]),
        default: "auto",
        doc: "How container snapshots read and write volumes: `auto`: through the volume's directory on the host where the engine is local and ptest is root, else the engine's archive API; `archive`: always the archive API.",
    },
    Setting {
        key: "mon.max-memory",
        kind: Kind::Size,
        default: "0",
        doc: "Threshold of `ptest mon run` and `watch` without --max-memory: the memory a watched tree may reach, e.g. \"2G\"; 0: none. Re-read on SIGHUP and when the file changes.",
    },
    Setting {
        key: "mon.max-cpu",
        kind: Kind::Integer {
            min: 0,
            max: 100_000,
        },
        default: "0",
        doc: "Threshold without --max-cpu: CPU in percent of one CPU, averaged over mon.cpu-window; 0: none.",
    },
    Setting {
        key: "mon.cpu-window",
        kind: Kind::Duration,
        default: "5s",
        doc: "The window mon.max-cpu and --max-cpu average over.",
    },
    Setting {
        key: "mon.max-procs",
        kind: Kind::Integer {
            min: 0,
            max: 4_194_304,
        },
        default: "0",
        doc: "Threshold without --max-procs: processes a watched tree may hold at once; 0: none.",
    },
    Setting {
        key: "mon.max-duration",
        kind: Kind::Duration,
        default: "0s",
        doc: "Threshold without --max-duration: how long a watched run may last; 0s: none.",
    },
    Setting {
        key: "mon.kill",
        kind: Kind::Bool,
        default: "false",
        doc: "`true`: end what crossed a threshold (as --kill), exit 125; `false`: report it only.",
    },
];

/// A typed configuration value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Bool(bool),
    Duration(Duration),
    /// Hook commands.
    Commands(Vec<String>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => f.write_str(s),
            Value::Integer(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Duration(d) => f.write_str(&format_duration(*d)),
            Value::Commands(c) => write!(f, "{}", c.join(" ; ")),
        }
    }
}

impl Value {
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::String(s) => s.clone().into(),
            Value::Integer(i) => (*i).into(),
            Value::Bool(b) => (*b).into(),
            Value::Duration(_) => self.to_string().into(),
            Value::Commands(c) => c.clone().into(),
        }
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Default,
    File { path: PathBuf, line: usize },
    Env(String),
    Flag,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File { path, line } => write!(f, "{}:{line}", path.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Flag => f.write_str("flag --config"),
        }
    }
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    values: BTreeMap<String, (Value, Source)>,
    /// Tables of plugins: `[hello]` → its raw TOML and the file it came from.
    plugin_tables: BTreeMap<String, (toml::Table, PathBuf)>,
    /// Files read, lowest precedence first.
    pub files: Vec<PathBuf>,
    watch: Vec<(PathBuf, Option<SystemTime>)>,
}

/// Where the configuration is read from.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub cwd: PathBuf,
    pub user_file: Option<PathBuf>,
    pub env: Vec<(String, String)>,
    pub overrides: Vec<String>,
}

impl Inputs {
    /// The process's own working directory, user file and environment.
    pub fn from_process(overrides: &[String]) -> Inputs {
        let nonempty = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let user_file = nonempty("XDG_CONFIG_HOME")
            .or_else(|| nonempty("HOME").map(|h| h.join(".config")))
            .map(|d| d.join("ptest/config.toml"));
        Inputs {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            user_file,
            env: std::env::vars()
                .filter(|(k, _)| k.starts_with("PTEST_"))
                .collect(),
            overrides: overrides.to_vec(),
        }
    }
}

/// The nearest `ptest.toml` at or above `dir`.
pub fn find_project_file(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join("ptest.toml"))
        .find(|p| p.is_file())
}

fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|s| s.key == key)
}

/// `pre-port.leased` / `post-venv.created`.
pub fn is_hook_key(key: &str) -> bool {
    let Some(event) = key
        .strip_prefix("pre-")
        .or_else(|| key.strip_prefix("post-"))
    else {
        return false;
    };
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    matches!(event.split_once('.'), Some((k, a)) if ok(k) && ok(a))
}

/// The environment variable that sets `table.key`: `PTEST_HOOKS__TIMEOUT`.
pub fn env_name(key: &str) -> String {
    let (table, k) = key.split_once('.').unwrap_or(("", key));
    format!(
        "PTEST_{}__{}",
        table.to_uppercase(),
        k.to_uppercase().replace('-', "_")
    )
}

/// Parses a setting's value from text (environment variables and flags).
fn parse_text(s: &Setting, text: &str) -> std::result::Result<Value, String> {
    let v = match s.kind {
        Kind::String | Kind::Choice(_) => Value::String(text.to_owned()),
        Kind::Integer { .. } => text
            .trim()
            .parse()
            .map(Value::Integer)
            .map_err(|_| format!("{text:?} is not an integer"))?,
        Kind::Bool => match text.trim() {
            "true" | "1" | "yes" | "on" => Value::Bool(true),
            "false" | "0" | "no" | "off" => Value::Bool(false),
            _ => return Err(format!("{text:?} is not a boolean (true or false)")),
        },
        Kind::Duration => parse_duration(text).map(Value::Duration)?,
        Kind::Size => parse_size_or_zero(text)?,
    };
    check(s, v)
}

/// A size (`0` for none), as an integer number of bytes.
fn parse_size_or_zero(text: &str) -> std::result::Result<Value, String> {
    if text.trim() == "0" {
        return Ok(Value::Integer(0));
    }
    let n = crate::units::parse_size(text)?;
    i64::try_from(n)
        .map(Value::Integer)
        .map_err(|_| format!("{text:?} is too large"))
}

/// Converts a TOML value to a setting's type.
fn from_toml(s: &Setting, v: &toml::Value) -> std::result::Result<Value, String> {
    let value = match (s.kind, v) {
        (Kind::String | Kind::Choice(_), toml::Value::String(x)) => Value::String(x.clone()),
        (Kind::Integer { .. }, toml::Value::Integer(i)) => Value::Integer(*i),
        (Kind::Bool, toml::Value::Boolean(b)) => Value::Bool(*b),
        (Kind::Duration, toml::Value::String(x)) => parse_duration(x).map(Value::Duration)?,
        (Kind::Duration, toml::Value::Integer(i)) if *i >= 0 => {
            Value::Duration(Duration::from_secs(*i as u64))
        }
        (Kind::Size, toml::Value::String(x)) => parse_size_or_zero(x)?,
        (Kind::Size, toml::Value::Integer(i)) if *i >= 0 => Value::Integer(*i),
        (kind, other) => {
            return Err(format!(
                "expected {}, found {} {}",
                match kind {
                    Kind::String => "a string".to_owned(),
                    Kind::Choice(c) => format!("one of {}", quoted(c)),
                    Kind::Integer { .. } => "an integer".to_owned(),
                    Kind::Bool => "true or false".to_owned(),
                    Kind::Duration => "a duration such as \"30s\"".to_owned(),
                    Kind::Size => "a size such as \"512M\"".to_owned(),
                },
                other.type_str(),
                other
            ));
        }
    };
    check(s, value)
}

/// The one place every setting's value is held to what it may be.
fn check(s: &Setting, v: Value) -> std::result::Result<Value, String> {
    match (s.kind, &v) {
        (Kind::Choice(allowed), Value::String(x)) if !allowed.contains(&x.as_str()) => {
            Err(format!(
                "{x:?} is not one of {}{}",
                quoted(allowed),
                did_you_mean(x, allowed)
            ))
        }
        (Kind::Integer { min, max }, Value::Integer(i)) if !(min..=max).contains(i) => {
            Err(format!("{i} is out of range: from {min} to {max}"))
        }
        _ => Ok(v),
    }
}

fn quoted(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// ` (did you mean "x"?)` when a word is close to one of `known`.
fn did_you_mean(word: &str, known: &[&str]) -> String {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default()
}

/// Checks a hook key's event: `pre-contianer.ready` is an error that names
/// the event it probably meant.
fn check_hook_event(key: &str) -> std::result::Result<(), String> {
    let event = key
        .strip_prefix("pre-")
        .or_else(|| key.strip_prefix("post-"))
        .unwrap_or(key);
    if EVENTS.contains(&event) {
        return Ok(());
    }
    Err(format!(
        "no event `{event}` to hook{}; events: {}",
        did_you_mean(event, EVENTS),
        EVENTS.join(", ")
    ))
}

fn hook_commands(v: &toml::Value) -> std::result::Result<Vec<String>, String> {
    match v {
        toml::Value::String(s) => Ok(vec![s.clone()]),
        toml::Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("hook commands must be strings, found {x}"))
            })
            .collect(),
        other => Err(format!(
            "a hook is a shell command or an array of them, found {} {other}",
            other.type_str()
        )),
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, col)
}

/// Finds the byte span of the key at `path` in a parsed document.
fn key_offset(doc: &toml::de::DeTable<'_>, path: &[&str]) -> Option<usize> {
    let (first, rest) = path.split_first()?;
    let (k, v) = doc.iter().find(|(k, _)| k.get_ref().as_ref() == *first)?;
    if rest.is_empty() {
        return Some(k.span().start);
    }
    match v.get_ref() {
        toml::de::DeValue::Table(t) => key_offset(t, rest).or(Some(k.span().start)),
        _ => Some(k.span().start),
    }
}

/// Flattens dotted hook keys: `[hooks] pre-port.leased = "x"` parses as
/// nested tables; joined back, the key is `pre-port.leased`.
fn flatten<'a>(
    prefix: &str,
    path: Vec<&'a str>,
    t: &'a toml::Table,
    out: &mut Vec<(String, Vec<&'a str>, &'a toml::Value)>,
) {
    for (k, v) in t {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        let mut p = path.clone();
        p.push(k);
        match v {
            toml::Value::Table(sub) => flatten(&key, p, sub, out),
            _ => out.push((key, p, v)),
        }
    }
}

impl Config {
    /// Loads the configuration of this process, with `--config` overrides.
    pub fn load(overrides: &[String]) -> Result<Config> {
        Config::load_from(&Inputs::from_process(overrides))
    }

    pub fn load_from(inputs: &Inputs) -> Result<Config> {
        let mut cfg = Config {
            values: SETTINGS
                .iter()
                .map(|s| {
                    let v = parse_text(s, s.default).expect("built-in defaults parse");
                    (s.key.to_owned(), (v, Source::Default))
                })
                .collect(),
            plugin_tables: BTreeMap::new(),
            files: vec![],
            watch: vec![],
        };
        let project = find_project_file(&inputs.cwd);
        for path in inputs.user_file.iter().chain(project.iter()) {
            let meta = std::fs::metadata(path).ok();
            cfg.watch
                .push((path.clone(), meta.as_ref().and_then(|m| m.modified().ok())));
            if meta.is_some_and(|m| m.is_file()) {
                cfg.merge_file(path)?;
                cfg.files.push(path.clone());
            }
        }
        // A ptest.toml created closer to the working directory later counts too.
        for dir in inputs.cwd.ancestors() {
            let p = dir.join("ptest.toml");
            if Some(&p) == project.as_ref() {
                break;
            }
            cfg.watch.push((p, None));
        }
        for s in SETTINGS {
            let name = env_name(s.key);
            if let Some((_, text)) = inputs.env.iter().find(|(k, _)| *k == name) {
                let v = parse_text(s, text).map_err(|e| {
                    Error::data(format!("environment variable {name} (sets {}): {e}", s.key))
                })?;
                cfg.values.insert(s.key.to_owned(), (v, Source::Env(name)));
            }
        }
        for o in &inputs.overrides {
            cfg.apply_override(o)?;
        }
        Ok(cfg)
    }

    fn apply_override(&mut self, o: &str) -> Result<()> {
        let (key, value) = parse_override(o)?;
        self.values.insert(key, (value, Source::Flag));
        Ok(())
    }

    fn merge_file(&mut self, path: &Path) -> Result<()> {
        let bytes = std::fs::read(path)
            .io_context(|| format!("cannot read config file {}", path.display()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::data(format!(
                "{}: not UTF-8 (byte {} is not): a config file is TOML text",
                path.display(),
                e.utf8_error().valid_up_to()
            ))
        })?;
        let at = |offset: usize| {
            let (l, c) = line_col(&text, offset);
            (format!("{}:{l}:{c}", path.display()), l)
        };
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            let pos = e
                .span()
                .map(|s| at(s.start).0)
                .unwrap_or_else(|| path.display().to_string());
            Error::data(format!("{pos}: invalid TOML: {}", e.message().trim()))
        })?;
        let doc = toml::de::DeTable::parse(&text).map_err(|e| {
            Error::data(format!(
                "{}: invalid TOML: {}",
                path.display(),
                e.message().trim()
            ))
        })?;
        let doc = doc.get_ref();
        let mut leaves = Vec::new();
        flatten("", vec![], &table, &mut leaves);
        for (key, p, v) in leaves {
            let (pos, line) = at(key_offset(doc, &p).unwrap_or(0));
            let table_name = p[0];
            if p.len() == 1 {
                return Err(Error::data(format!(
                    "{pos}: key `{}` stands outside any table; settings belong in one of [{}]",
                    shown(&key),
                    TABLES.join("], [")
                )));
            }
            if !TABLES.contains(&table_name) {
                continue; // a plugin's table, kept whole below
            }
            let bad = |msg: String| Error::data(format!("{pos}: {key}: {msg}"));
            let value = if let Some(s) = setting(&key) {
                from_toml(s, v).map_err(bad)?
            } else if table_name == "hooks" && is_hook_key(&key["hooks.".len()..]) {
                check_hook_event(&key["hooks.".len()..]).map_err(bad)?;
                Value::Commands(hook_commands(v).map_err(bad)?)
            } else {
                return Err(Error::data(format!("{pos}: {}", unknown_key_reason(&key))));
            };
            self.values.insert(
                key,
                (
                    value,
                    Source::File {
                        path: path.to_owned(),
                        line,
                    },
                ),
            );
        }
        for (name, v) in table {
            if !TABLES.contains(&name.as_str())
                && let toml::Value::Table(t) = v
            {
                self.plugin_tables.insert(name, (t, path.to_owned()));
            }
        }
        Ok(())
    }

    /// A known key's value. Panics on a key missing from [`SETTINGS`]: that is a bug.
    pub fn get(&self, key: &str) -> &Value {
        &self
            .values
            .get(key)
            .unwrap_or_else(|| panic!("config key {key} is not declared in SETTINGS"))
            .0
    }

    pub fn source(&self, key: &str) -> Option<&Source> {
        self.values.get(key).map(|(_, s)| s)
    }

    pub fn duration(&self, key: &str) -> Duration {
        match self.get(key) {
            Value::Duration(d) => *d,
            other => panic!("config key {key} is {other:?}, not a duration"),
        }
    }
    pub fn string(&self, key: &str) -> &str {
        match self.get(key) {
            Value::String(s) => s,
            other => panic!("config key {key} is {other:?}, not a string"),
        }
    }
    pub fn integer(&self, key: &str) -> i64 {
        match self.get(key) {
            Value::Integer(i) => *i,
            other => panic!("config key {key} is {other:?}, not an integer"),
        }
    }
    pub fn bool(&self, key: &str) -> bool {
        match self.get(key) {
            Value::Bool(b) => *b,
            other => panic!("config key {key} is {other:?}, not a boolean"),
        }
    }

    /// The commands of hook `pre-<event>` or `post-<event>`, and where they were set.
    pub fn hook(&self, name: &str) -> Option<(&[String], &Source)> {
        match self.values.get(&format!("hooks.{name}")) {
            Some((Value::Commands(c), s)) => Some((c, s)),
            _ => None,
        }
    }

    /// Every effective value: `(key, value, source)`, sorted by key.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Value, &Source)> {
        self.values.iter().map(|(k, (v, s))| (k.as_str(), v, s))
    }

    pub fn plugin_tables(&self) -> impl Iterator<Item = (&str, &toml::Table, &Path)> {
        self.plugin_tables
            .iter()
            .map(|(k, (t, p))| (k.as_str(), t, p.as_path()))
    }

    /// True when a config file was created, edited or removed since loading:
    /// long-running commands reload then (and on SIGHUP).
    pub fn files_changed(&self) -> bool {
        self.watch.iter().any(|(p, m)| mtime(p) != *m)
    }
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

/// Parses one `--config KEY=VALUE`: a usage error (64) naming what is
/// wrong when the key is unknown or the value one it cannot take.
pub fn parse_override(o: &str) -> Result<(String, Value)> {
    let Some((key, text)) = o.split_once('=') else {
        return Err(Error::usage(format!(
            "--config {o:?}: expected KEY=VALUE, e.g. --config hooks.timeout=10s"
        )));
    };
    let key = key.trim();
    let value = if let Some(s) = setting(key) {
        parse_text(s, text).map_err(|e| Error::usage(format!("--config {key}: {e}")))?
    } else if let Some(hook) = key.strip_prefix("hooks.").filter(|k| is_hook_key(k)) {
        check_hook_event(hook).map_err(|e| Error::usage(format!("--config {key}: {e}")))?;
        Value::Commands(vec![text.to_owned()])
    } else {
        return Err(Error::usage(format!(
            "--config {}: {}",
            shown(key),
            unknown_key_reason(key)
        )));
    };
    Ok((key.to_owned(), value))
}

/// The value parser of `--config`: every tool checks it while parsing its
/// command line, whatever the command.
pub fn check_override(o: &str) -> std::result::Result<String, String> {
    parse_override(o)
        .map(|_| o.to_owned())
        .map_err(|e| e.message.trim_start_matches("--config ").to_owned())
}

/// A key as a message shows it: as written, or with its control
/// characters escaped (a quoted TOML key may hold a newline), so that the
/// message stays one line.
fn shown(key: &str) -> String {
    crate::error::one_line(key).into_owned()
}

fn unknown_key_reason(key: &str) -> String {
    let table = key.split_once('.').map_or(key, |(t, _)| t);
    let known: Vec<&str> = SETTINGS
        .iter()
        .filter(|s| s.key.starts_with(&format!("{table}.")))
        .map(|s| s.key)
        .collect();
    let (key, table) = (shown(key), shown(table));
    if table == "hooks" {
        return format!(
            "unknown key `{key}`: [hooks] takes `timeout` and `pre-<kind>.<action>` / `post-<kind>.<action>` entries such as \"post-port.leased\""
        );
    }
    if known.is_empty() {
        format!("unknown key `{key}`: this ptest has no settings in [{table}]")
    } else {
        format!("unknown key `{key}`; known keys: {}", known.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_keys() {
        assert!(is_hook_key("pre-port.leased"));
        assert!(is_hook_key("post-venv.created"));
        assert!(!is_hook_key("port.leased"));
        assert!(!is_hook_key("pre-port"));
        assert!(!is_hook_key("pre-.x"));
    }

    #[test]
    fn choices_ranges_and_events_are_held_to_what_they_may_be() {
        let load = |o: &str| {
            Config::load_from(&Inputs {
                cwd: "/nonexistent".into(),
                overrides: vec![o.to_owned()],
                ..Default::default()
            })
        };
        for (o, want) in [
            ("proc.cgroups=of", "did you mean \"off\""),
            ("proc.pid-namespace=maybe", "is not one of \"on\", \"off\""),
            ("docker.parallel=0", "out of range: from 1 to 64"),
            ("docker.parallel=-1", "out of range"),
            ("venv.link-mode=symlink", "is not one of"),
            (
                "hooks.pre-contianer.ready=true",
                "did you mean \"container.ready\"",
            ),
            (
                "hooks.pre-container.created=true",
                "no event `container.created`",
            ),
        ] {
            let e = load(o).unwrap_err();
            assert_eq!(e.exit.code(), 64, "{o}");
            assert!(e.message.contains(want), "{o}: {}", e.message);
        }
        assert_eq!(
            load("proc.cgroups=off").unwrap().string("proc.cgroups"),
            "off"
        );
        assert!(load("hooks.post-port.leased=true").is_ok());
    }

    #[test]
    fn odd_keys_are_named_on_one_line() {
        let dir = std::env::temp_dir().join(format!("ptest-test-{}", crate::record::random_hex(6)));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("ptest.toml"), "[venv]\n\"a\\nb\" = 1\n").unwrap();
        let e = Config::load_from(&Inputs {
            cwd: dir.clone(),
            ..Default::default()
        })
        .unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            e.message.contains("unknown key `venv.a\\nb`"),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'));
        let e = parse_override("a\rb=1").unwrap_err();
        assert!(
            e.message.starts_with("--config a\\rb: unknown key `a\\rb`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn env_names() {
        assert_eq!(env_name("hooks.timeout"), "PTEST_HOOKS__TIMEOUT");
        assert_eq!(env_name("port.default-range"), "PTEST_PORT__DEFAULT_RANGE");
    }

    #[test]
    fn line_and_column() {
        assert_eq!(line_col("a\nbc\nd", 3), (2, 2));
        assert_eq!(line_col("abc", 0), (1, 1));
    }

    #[test]
    fn defaults_without_files() {
        let c = Config::load_from(&Inputs {
            cwd: "/nonexistent".into(),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(c.duration("hooks.timeout"), Duration::from_secs(30));
        assert_eq!(c.source("hooks.timeout"), Some(&Source::Default));
    }
}
