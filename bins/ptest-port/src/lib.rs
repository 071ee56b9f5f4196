//! `ptest-port`: conflict-free port leases across concurrent processes.
//!
//! Leases live in one locked table in the state directory (see [`table`]),
//! each port verified free with a real bind when leased, drawn by default
//! from outside the kernel's ephemeral range. A lease ends when released,
//! when its owner dies (judged by PID and start time) or when it expires;
//! the next lease or `gc` reclaims it, with no daemon.

mod net;
mod table;

use clap::{CommandFactory, Parser, Subcommand};
use net::{Proto, Range};
use ptest_shared::cli::CommonArgs;
use ptest_shared::config::Config;
use ptest_shared::output::{RecordWriter, cell, listing, table as render_table};
use ptest_shared::owner::{LifetimeArgs, OwnerSpec, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::{Error, Record, Result, hooks, stream};
use table::{Request, Slot, Table, is_lease};

const LONG_ABOUT: &str = "\
Conflict-free port leases across concurrent processes, with no daemon.

A lease is unique among all live leases, whatever the concurrency (one
locked table in the state directory), is checked free with a real bind when
made, and comes from outside the kernel's ephemeral range by default, so the
kernel does not hand it to another program's bind(0). It ends when released,
when its owner exits, or when its --ttl passes.

  ptest port lease --name http --name db | ptest proc run -- pytest
  PORT=$(ptest port lease --json | jq .port)";

#[derive(Parser, Debug)]
#[command(name = "ptest-port", version, about = "Conflict-free port leases across concurrent processes", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Lease free ports: one `port` record each, after the stream on stdin
    #[command(
        long_about = "Lease free ports. Passes the records on stdin through, then writes one \
`port` record per port with `port`, `proto`, `name`, owner, expiry and `env`: \
PTEST_PORT_<NAME> for a named lease, PTEST_PORT_0, PTEST_PORT_1… otherwise. \
All or nothing: when the range cannot supply every port asked for, nothing is \
leased and the exit is 75. Owned by the caller's session by default, so a \
lease made on one Makefile line still holds on the next."
    )]
    Lease {
        /// How many ports (default: one, or one per --name)
        #[arg(long, short = 'n', value_name = "N")]
        count: Option<u32>,
        /// Name a lease (repeatable): gives PTEST_PORT_<NAME>
        #[arg(long, value_name = "NAME")]
        name: Vec<String>,
        /// Protocols the port must be free for
        #[arg(long, value_enum, default_value_t = Proto::Tcp)]
        proto: Proto,
        /// Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)
        #[arg(long, value_name = "LOW-HIGH")]
        range: Option<String>,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// End leases, by id or port number, or the `port` records on stdin
    #[command(
        visible_alias = "rm",
        long_about = "End leases given by id (port-k3x9m2qa) or port number or, \
given none, the `port` records on stdin (so `ptest down` can call it as `rm`). Releasing \
a lease that is already gone is not an error. Writes a `port.released` event \
per lease ended."
    )]
    Release {
        /// Lease ids or port numbers
        #[arg(value_name = "ID|PORT")]
        leases: Vec<String>,
    },
    /// List leases with their state (live, owner-dead, expired)
    Ls,
    /// End leases whose owner has exited or whose --ttl has passed
    Gc,
    /// Tell whether ports are free, leased (by whom) or bound (by which process)
    #[command(
        long_about = "For each port: whether it is leased (by which lease and owner), bound \
by a socket (with the process, when it can be seen), and free to bind over TCP \
and UDP. Exit 0 when every port given is free (neither leased nor bound), 1 \
otherwise."
    )]
    Check {
        /// Port numbers
        #[arg(required = true, value_name = "PORT")]
        ports: Vec<u16>,
    },
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let json = cli.common.json();
    match cli.cmd {
        Cmd::Lease {
            count,
            name,
            proto,
            range,
            lifetime,
        } => lease(&cli.common, count, name, proto, range, &lifetime),
        Cmd::Release { leases } => release(&cli.common, leases),
        Cmd::Ls => ls(json),
        Cmd::Gc => gc(&cli.common),
        Cmd::Check { ports } => check(json, ports),
    }
}

fn lease(
    common: &CommonArgs,
    count: Option<u32>,
    names: Vec<String>,
    proto: Proto,
    range: Option<String>,
    lifetime: &LifetimeArgs,
) -> Result<i32> {
    // Arguments first: a usage error costs nothing and leases nothing.
    for n in &names {
        ptest_shared::kinds::check_lease_name(n)
            .map_err(|why| Error::usage(format!("--name {n:?}: {why}")))?;
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = names.iter().find(|n| !seen.insert(table::env_var(n))) {
        return Err(Error::usage(format!(
            "--name {dup:?} is given twice (names are compared as PTEST_PORT_ variables)"
        )));
    }
    let names: Vec<Option<String>> = match (count, names.is_empty()) {
        (Some(0), _) => return Err(Error::usage("--count must be at least 1")),
        (Some(c), true) if c > 4096 => {
            return Err(Error::usage(format!(
                "--count {c}: at most 4096 ports per call"
            )));
        }
        (Some(c), true) => vec![None; c as usize],
        (Some(c), false) if c as usize != names.len() => {
            return Err(Error::usage(format!(
                "--count {c} disagrees with the {} --name given",
                names.len()
            )));
        }
        (_, true) => vec![None],
        (_, false) => names.into_iter().map(Some).collect(),
    };
    let config = common.load_config()?;
    let (range, avoid) = resolve_range(&config, range.as_deref())?;
    let lifetime = lifetime.resolve(OwnerSpec::Session)?;

    let mut out = RecordWriter::stdout();
    stream::pass_through(&mut out)?;
    let table = Table::open()?;
    let (records, reclaimed) = table.lease(&Request {
        names: &names,
        proto,
        range,
        avoid,
        lifetime: &lifetime,
    })?;
    for old in &reclaimed {
        hooks::post(&config, "port.released", old);
    }
    // A pre-hook sees the lease as it will be handed out; a veto ends it.
    for rec in &records {
        if let Err(e) = hooks::pre(&config, "port.leased", rec) {
            table.registry.transaction(|t| {
                records
                    .iter()
                    .try_for_each(|r| table.release(t, r).map(drop))
            })?;
            return Err(e);
        }
    }
    for rec in &records {
        if common.json() {
            out.write(rec)?;
        } else {
            let env = rec
                .env()?
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ");
            out.write_line(&format!(
                "{}  {}  {env}  {}",
                rec.get("port").unwrap(),
                rec.get("proto").and_then(|p| p.as_str()).unwrap_or(""),
                rec.id().unwrap_or("")
            ))?;
        }
        hooks::post(&config, "port.leased", rec);
    }
    Ok(0)
}

/// `--range`, else `[port] range` less the kernel's ephemeral range.
fn resolve_range(config: &Config, flag: Option<&str>) -> Result<(Range, Option<Range>)> {
    let eph = net::ephemeral_range();
    if let Some(r) = flag {
        let range: Range = r
            .parse()
            .map_err(|e: String| Error::usage(format!("--range: {e}")))?;
        if let Some(e) = eph.filter(|e| e.low <= range.high && range.low <= e.high) {
            eprintln!(
                "ptest-port: warning: --range {range} overlaps the kernel's ephemeral range {e}; other programs' bind(0) and outgoing connections may take those ports"
            );
        }
        return Ok((range, None));
    }
    let text = config.string("port.range");
    let range: Range = text.parse().map_err(|e: String| {
        let src = config
            .source("port.range")
            .map(|s| s.to_string())
            .unwrap_or_default();
        Error::data(format!("port.range (from {src}): {e}"))
    })?;
    match eph {
        Some(e) if e.low <= range.low && range.high <= e.high => {
            eprintln!(
                "ptest-port: warning: port.range {range} lies inside the kernel's ephemeral range {e}; leasing from it anyway"
            );
            Ok((range, None))
        }
        other => Ok((range, other)),
    }
}

fn release(common: &CommonArgs, args: Vec<String>) -> Result<i32> {
    let config = common.load_config()?;
    let table = Table::open()?;
    // With no arguments, the leases are the `port` records on stdin, as
    // the registry holds them: a stream's record counts for its id alone.
    let (input, bad_stream) = if args.is_empty() {
        let (records, bad) = stream::stdin(None)?.into_teardown();
        let leases: Vec<Record> = records.into_iter().filter(is_lease).collect();
        let mine = ptest_shared::teardown::registered(&table.registry, &leases)?;
        (mine.into_iter().filter(is_lease).collect(), bad)
    } else {
        (vec![], None)
    };
    let mut wanted: Vec<Record> = Vec::new();
    let mut missing = Vec::new();
    let released = table.registry.transaction(|t| {
        for a in &args {
            let numeric = !a.is_empty() && a.bytes().all(|b| b.is_ascii_digit());
            let found = match a.parse::<u16>() {
                Ok(p) if p > 0 => table.by_port(t, p)?,
                _ if numeric => {
                    return Err(Error::usage(format!(
                        "{a:?} is not a port number (1-65535) or lease id"
                    )));
                }
                _ => {
                    ptest_shared::registry::validate_id(a).map_err(|_| {
                        Error::usage(format!("{a:?} is not a port number or lease id"))
                    })?;
                    t.get(a)?.filter(is_lease)
                }
            };
            match found {
                Some(r) => wanted.push(r),
                None => missing.push(a.clone()),
            }
        }
        wanted.extend(input);
        let mut released = Vec::new();
        for r in &wanted {
            if table.release(t, r)? {
                released.push(r.clone());
            }
        }
        Ok(released)
    })?;
    if !missing.is_empty() {
        eprintln!("ptest-port: note: no lease for {}", missing.join(", "));
    }
    let mut out = RecordWriter::stdout();
    for r in &released {
        let mut ev = Record::new("event");
        ev.set("event", "port.released")
            .set("id", r.id().unwrap_or_default())
            .set("port", r.get("port").cloned().unwrap_or_default());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!(
                "released {} ({})",
                r.get("port").cloned().unwrap_or_default(),
                r.id().unwrap_or_default()
            ))?;
        }
        hooks::post(&config, "port.released", r);
    }
    bad_stream.map_or(Ok(0), Err)
}

fn ls(json: bool) -> Result<i32> {
    let leases = Table::open()?.leases()?;
    let now = Timestamp::now();
    listing(
        json,
        &leases,
        "no leases",
        &["PORT", "PROTO", "NAME", "ID", "OWNER", "STATE", "EXPIRES"],
        |r| {
            let owner = r.owner()?.map_or("-".into(), |o| o.pid.to_string());
            Ok(vec![
                cell(r, "port"),
                cell(r, "proto"),
                cell(r, "name"),
                cell(r, "id"),
                owner,
                judge(r, now)?.as_str().into(),
                cell(r, "expires_at"),
            ])
        },
    )
}

fn gc(common: &CommonArgs) -> Result<i32> {
    let config = common.load_config()?;
    let table = Table::open()?;
    let now = Timestamp::now();
    let ended = table.registry.transaction(|t| {
        let mut ended = Vec::new();
        for r in t.list()?.into_iter().filter(is_lease) {
            let state = judge(&r, now)?;
            if state != ptest_shared::owner::Liveness::Live && table.release(t, &r)? {
                ended.push((r, state));
            }
        }
        table.sweep_index(t)?;
        Ok(ended)
    })?;
    let mut out = RecordWriter::stdout();
    for (r, state) in &ended {
        let mut ev = Record::new("event");
        ev.set("event", "port.released")
            .set("id", r.id().unwrap_or_default())
            .set("port", r.get("port").cloned().unwrap_or_default())
            .set("reason", state.as_str());
        if common.json() {
            out.write(&ev)?;
        } else {
            out.write_line(&format!(
                "released {} ({}): {}",
                r.get("port").cloned().unwrap_or_default(),
                r.id().unwrap_or_default(),
                state.as_str()
            ))?;
        }
        hooks::post(&config, "port.released", r);
    }
    Ok(0)
}

fn check(json: bool, ports: Vec<u16>) -> Result<i32> {
    let table = Table::open()?;
    let now = Timestamp::now();
    let mut out = RecordWriter::stdout();
    let mut all_free = true;
    let mut rows = Vec::new();
    for port in ports {
        if port == 0 {
            return Err(Error::usage("port 0 is not a port (use 1-65535)"));
        }
        let slot = table.registry.transaction(|t| table.slot(t, port, now))?;
        let bound = net::bound_by(port);
        let (tcp, udp) = (
            net::bindable(port, Proto::Tcp),
            net::bindable(port, Proto::Udp),
        );
        let mut r = Record::new("port-check");
        r.set("port", port);
        let lease_desc = match &slot {
            Slot::Live(l) => {
                r.set("leased", serde_json::json!({"id": l.id(), "name": l.get("name"), "owner": l.get("owner"), "expires_at": l.get("expires_at")}));
                format!(
                    "{} (owner {})",
                    l.id().unwrap_or_default(),
                    l.owner()?
                        .map(|o| o.pid.to_string())
                        .unwrap_or_else(|| "none".into())
                )
            }
            Slot::Stale(Some(l)) => {
                r.set("leased", serde_json::Value::Null)
                    .set("stale_lease", l.id().unwrap_or_default());
                format!(
                    "- (stale {}: {})",
                    l.id().unwrap_or_default(),
                    judge(l, now)?.as_str()
                )
            }
            _ => {
                r.set("leased", serde_json::Value::Null);
                "-".into()
            }
        };
        let bound_json: Vec<_> = bound
            .iter()
            .map(|b| serde_json::json!({"proto": b.proto, "address": b.addr, "state": b.state, "pid": b.pid, "command": b.command}))
            .collect();
        r.set("bound", bound_json)
            .set("tcp_free", tcp)
            .set("udp_free", udp);
        let free = matches!(slot, Slot::Free | Slot::Stale(_)) && bound.is_empty() && tcp && udp;
        r.set("free", free);
        all_free &= free;
        if json {
            out.write(&r)?;
        } else {
            let by = bound
                .iter()
                .map(|b| match (&b.command, b.pid) {
                    (Some(c), Some(p)) => {
                        format!("{} {} {} by {c} ({p})", b.proto, b.addr, b.state)
                    }
                    _ => format!("{} {} {}", b.proto, b.addr, b.state),
                })
                .collect::<Vec<_>>()
                .join("; ");
            rows.push(vec![
                port.to_string(),
                if free { "free".into() } else { "in use".into() },
                lease_desc,
                if by.is_empty() { "-".into() } else { by },
            ]);
        }
    }
    if !json {
        out.write_line(render_table(&["PORT", "STATUS", "LEASE", "BOUND"], &rows).trim_end())?;
    }
    if all_free {
        return Ok(0);
    }
    Err(Error::exit_code(1, "not every port given is free"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }
}
