//! `ptest ls`, `ptest registry add|rm` and `ptest config`.

use ptest_shared::cli::CommonArgs;
use ptest_shared::config::{Config, SETTINGS};
use ptest_shared::output::{RecordWriter, cell, listing, table};
use ptest_shared::owner::{Liveness, judge};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Record, Result, stream, tools};

#[derive(clap::Subcommand, Debug)]
pub enum RegistryCmd {
    /// Record the resources of a stream on stdin (passed through to stdout)
    #[command(
        long_about = "Record every resource of the record stream on stdin in the registry, \
so that `ptest ls` shows it and `ptest gc` removes it (through `ptest-<tool> rm`) \
when its owner exits or its expires_at passes. A resource is a record with \
\"id\" and \"tool\". The stream is passed through to stdout unchanged. For \
plugins written in any language: a record that claims a built-in tool \
(ptest-venv, ptest-docker, …) is refused (exit 65), and nothing is recorded \
when the stream carries an `error` record or a bad line."
    )]
    Add,
    /// Forget resources by ID (does not remove the resources themselves)
    Rm {
        /// Resource IDs
        #[arg(required = true)]
        ids: Vec<String>,
    },
}

fn open() -> Result<Registry> {
    Registry::open(&StateDir::open()?)
}

/// The `tool` filter accepts `port` and `ptest-port`.
fn tool_matches(rec: &Record, want: &str) -> bool {
    let t = rec.tool().unwrap_or_default();
    t == want || t.strip_prefix("ptest-") == Some(want)
}

pub fn ls(json: bool, kind: Option<String>, tool: Option<String>, stale: bool) -> Result<i32> {
    let now = ptest_shared::record::Timestamp::now();
    let mut rows = Vec::new();
    for rec in open()?.list()? {
        if kind.as_deref().is_some_and(|k| rec.kind() != k)
            || tool.as_deref().is_some_and(|t| !tool_matches(&rec, t))
        {
            continue;
        }
        if stale && judge(&rec, now)? == Liveness::Live {
            continue;
        }
        rows.push(rec);
    }
    listing(
        json,
        &rows,
        "no resources",
        &["ID", "KIND", "TOOL", "OWNER", "STATE", "CREATED", "EXPIRES"],
        |r| {
            let owner = match r.owner() {
                Ok(Some(o)) => o.pid.to_string(),
                _ => "-".into(),
            };
            Ok(vec![
                cell(r, "id"),
                r.kind().to_owned(),
                cell(r, "tool"),
                owner,
                judge(r, now)?.as_str().to_owned(),
                cell(r, "created_at"),
                cell(r, "expires_at"),
            ])
        },
    )
}

pub fn registry(cmd: RegistryCmd) -> Result<i32> {
    let reg = open()?;
    match cmd {
        RegistryCmd::Add => {
            // Passed through as read; a stream that carries a failure
            // records nothing. Then the whole stream is checked before
            // anything is recorded.
            let records = stream::pass_through(&mut RecordWriter::stdout())?;
            for r in records.iter().filter(|r| r.is_resource()) {
                let id = r.id().unwrap_or_default();
                let tool = r.tool().unwrap_or_default();
                if !tools::valid_tool_name(tool) {
                    return Err(Error::data(format!(
                        "record {id}: tool {tool:?} is not a ptest tool name (ptest-<name>)"
                    )));
                }
                // The built-in tools register their own resources; a
                // record claiming one could otherwise be laundered into
                // the registry and then believed by teardown.
                if tools::is_builtin(tool) {
                    return Err(Error::data(format!(
                        "record {id}: claims the built-in tool {tool}, whose resources only {tool} registers"
                    ))
                    .hint("a plugin registers the resources of its own tool (ptest-<plugin>)"));
                }
                ptest_shared::registry::validate_id(id)?;
                r.expires_at()?;
                r.owner()?;
            }
            reg.transaction(|t| {
                records
                    .iter()
                    .filter(|r| r.is_resource())
                    .try_for_each(|r| t.put(r))
            })?;
            Ok(0)
        }
        RegistryCmd::Rm { ids } => {
            for id in &ids {
                ptest_shared::registry::validate_id(id)?;
            }
            let missing: Vec<&String> = reg.transaction(|t| {
                Ok(ids
                    .iter()
                    .filter(|id| !t.remove(id).unwrap_or(false))
                    .collect())
            })?;
            if !missing.is_empty() {
                let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                eprintln!("ptest: note: not in the registry: {}", list.join(", "));
            }
            Ok(0)
        }
    }
}

pub fn config(common: &CommonArgs, key: Option<String>) -> Result<i32> {
    let cfg = Config::load(&common.config)?;
    let json = common.json();
    let mut out = RecordWriter::stdout();
    let setting_record =
        |k: &str, v: &ptest_shared::config::Value, s: &ptest_shared::config::Source| {
            let mut r = Record::new("setting");
            r.set("key", k)
                .set("value", v.to_json())
                .set("source", s.to_string());
            r
        };
    if let Some(key) = key {
        let Some((k, v, s)) = cfg.entries().find(|(k, _, _)| *k == key) else {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
            return Err(Error::usage(format!("no configuration key `{key}` is set"))
                .hint(format!("known keys: {}", known.join(", "))));
        };
        if json {
            out.write(&setting_record(k, v, s))?;
        } else {
            out.write_line(&v.to_string())?;
        }
        return Ok(0);
    }
    if json {
        for (k, v, s) in cfg.entries() {
            out.write(&setting_record(k, v, s))?;
        }
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = cfg
        .entries()
        .map(|(k, v, s)| vec![k.to_owned(), v.to_string(), s.to_string()])
        .collect();
    let mut text = table(&["KEY", "VALUE", "SOURCE"], &rows);
    if cfg.files.is_empty() {
        text.push_str("\nno config files found (user file: $XDG_CONFIG_HOME/ptest/config.toml; project: ptest.toml)\n");
    } else {
        text.push_str("\nfiles read, lowest precedence first:\n");
        for f in &cfg.files {
            text.push_str(&format!("  {}\n", f.display()));
        }
    }
    for (name, t, path) in cfg.plugin_tables() {
        text.push_str(&format!(
            "[{name}] from {} ({} keys), for the plugin ptest-{name}\n",
            path.display(),
            t.len()
        ));
    }
    out.write_line(text.trim_end())?;
    Ok(0)
}
