//! The lease table: who holds which port.
//!
//! Each lease is a resource record in the registry (`registry/<id>.json`,
//! so `ptest ls` and `ptest gc` see it) plus an index entry
//! `port/leases/<port>`, a hard link to the record as written at lease time,
//! so that finding whether a port is leased costs a lookup, not a scan. The
//! registry entry stays the authority (a take-over rewrites it); the index
//! only says which lease to look at. Every change happens inside a registry
//! transaction (its lock), so two leases never get one port.
//!
//! Order makes crashes harmless: a lease is indexed before its record
//! appears, and its record removed before its index entry. A writer killed
//! between the two leaves an index entry without a record, which counts as
//! free; never a record without its index entry, which could be handed out
//! twice.
//!
//! Writes are [`Durability::Volatile`]: atomic renames survive a SIGKILL at
//! any point, and a power loss ends every owner of a lease anyway.

use crate::net::{self, Proto, Range};
use ptest_shared::error::IoContext;
use ptest_shared::owner::{Lifetime, Liveness, judge};
use ptest_shared::record::Timestamp;
use ptest_shared::registry::{Registry, Txn};
use ptest_shared::state::{Durability, StateDir};
use ptest_shared::{Error, Record, Result};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub const TOOL: &str = "ptest-port";

pub struct Table {
    pub registry: Registry,
    index: PathBuf,
}

/// What is known about a port in the table.
pub enum Slot {
    Free,
    /// An index entry whose lease is gone, dead or expired: reusable.
    Stale(Option<Record>),
    /// An index entry that is not a lease record: held by an unknown owner,
    /// so neither handed out nor reclaimed (`gc` removes it when the
    /// registry holds nothing for the port).
    Corrupt(Error),
    Live(Record),
}

/// A lease request.
pub struct Request<'a> {
    pub names: &'a [Option<String>],
    pub proto: Proto,
    pub range: Range,
    /// Ports never to hand out (the kernel's ephemeral range, for the default range).
    pub avoid: Option<Range>,
    pub lifetime: &'a Lifetime,
}

impl Table {
    pub fn open() -> Result<Table> {
        let state = StateDir::open()?;
        Ok(Table {
            registry: Registry::open(&state)?,
            index: state.subdir("port/leases")?,
        })
    }

    fn index_file(&self, port: u16) -> PathBuf {
        self.index.join(port.to_string())
    }

    /// The lease indexed for `port`, as written when it was leased: `None`
    /// when there is no index entry; `Err` naming the file when the entry
    /// is not a lease record.
    fn indexed(&self, port: u16) -> Result<Option<Record>> {
        let f = self.index_file(port);
        match std::fs::read_to_string(&f) {
            Ok(s) => {
                let corrupt = || {
                    Error::data(format!(
                        "corrupt lease table entry {}: not a port lease record",
                        f.display()
                    ))
                    .hint("`ptest port gc` removes it when the registry holds no lease for it")
                };
                let rec = Record::parse(s.trim_end(), &f.display().to_string(), 1)
                    .map_err(|_| corrupt())?;
                rec.id()
                    .filter(|id| ptest_shared::registry::validate_id(id).is_ok())
                    .ok_or_else(corrupt)?;
                Ok(Some(rec))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::from_io(format!("cannot read {}", f.display()), &e)),
        }
    }

    /// Judges `port` in the table (not whether it can be bound). The
    /// registry's record is the authority; when it is gone (released, or
    /// quarantined as corrupt) the index entry, ptest's own copy of the
    /// lease as made, still says who holds it until that owner is gone.
    pub fn slot(&self, t: &Txn, port: u16, now: Timestamp) -> Result<Slot> {
        let indexed = match self.indexed(port) {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Slot::Free),
            Err(e) => {
                // Held by we know not whom: never handed out, never reclaimed.
                return Ok(Slot::Corrupt(e));
            }
        };
        let id = indexed.id().unwrap_or_default().to_owned();
        let at_port = |r: &Record| r.get("port").and_then(|p| p.as_u64()) == Some(u64::from(port));
        let Some(rec) = t.get(&id)? else {
            if is_lease(&indexed) && at_port(&indexed) && judge(&indexed, now)? == Liveness::Live {
                return Ok(Slot::Live(indexed));
            }
            return Ok(Slot::Stale(None));
        };
        if !at_port(&rec) {
            // The index points at a record for another port: stale index entry.
            return Ok(Slot::Stale(None));
        }
        Ok(match judge(&rec, now)? {
            Liveness::Live => Slot::Live(rec),
            _ => Slot::Stale(Some(rec)),
        })
    }

    /// Leases one port per name; all or nothing. Returns the records and the
    /// stale leases that were reclaimed on the way.
    pub fn lease(&self, req: &Request) -> Result<(Vec<Record>, Vec<Record>)> {
        let span = req.range.count();
        let start = {
            let mut b = [0u8; 4];
            ptest_shared::record::random_bytes(&mut b);
            u32::from_le_bytes(b) % span
        };
        self.registry.transaction(|t| {
            let now = Timestamp::now();
            let mut chosen: Vec<u16> = Vec::new();
            let mut reclaimed = Vec::new();
            let (mut live, mut owners) = (0u32, BTreeSet::new());
            let mut corrupt: Vec<Error> = Vec::new();
            for i in 0..span {
                if chosen.len() == req.names.len() {
                    break;
                }
                let port = (u32::from(req.range.low) + (start + i) % span) as u16;
                if req.avoid.is_some_and(|a| a.contains(port)) {
                    continue;
                }
                match self.slot(t, port, now)? {
                    Slot::Live(rec) => {
                        live += 1;
                        if let Ok(Some(o)) = rec.owner() {
                            owners.insert((o.pid, o.start_time));
                        }
                        continue;
                    }
                    Slot::Stale(old) if net::bindable(port, req.proto) => {
                        if let Some(old) = old {
                            t.remove(old.id().unwrap_or_default())?;
                            reclaimed.push(old);
                        }
                        remove_file(&self.index_file(port))?;
                    }
                    Slot::Free if net::bindable(port, req.proto) => {}
                    Slot::Corrupt(e) => {
                        corrupt.push(e);
                        continue;
                    }
                    _ => continue,
                }
                chosen.push(port);
            }
            if chosen.len() < req.names.len() {
                let usable = match req.avoid {
                    Some(a) => (req.range.low..=req.range.high).filter(|p| !a.contains(*p)).count(),
                    None => span as usize,
                };
                let held = match corrupt.first() {
                    Some(e) => format!(
                        ", {} held by corrupt table entries ({})",
                        corrupt.len(),
                        e.message
                    ),
                    None => String::new(),
                };
                return Err(Error::temp_fail(format!(
                    "port range {} is exhausted: {} wanted, {} ports usable, {live} leased by {} live owner{}{held}, the rest bound by other programs",
                    req.range,
                    req.names.len(),
                    usable,
                    owners.len(),
                    if owners.len() == 1 { "" } else { "s" },
                ))
                .hint("release leases (`ptest port ls`, `ptest port release`), reap dead ones (`ptest port gc`), or widen the range with --range or [port] range"));
            }
            let mut records = Vec::with_capacity(chosen.len());
            for (port, name) in chosen.into_iter().zip(req.names) {
                let rec = new_record(port, name.as_deref(), req.proto, req.lifetime, records.len());
                t.put_with(&rec, Durability::Volatile, Some(&self.index_file(port)))?;
                records.push(rec);
            }
            Ok((records, reclaimed))
        })
    }

    /// Removes a lease (record first, then its index entry). `false` when
    /// it was already gone.
    pub fn release(&self, t: &Txn, rec: &Record) -> Result<bool> {
        let id = rec.id().unwrap_or_default();
        let existed = t.remove(id)?;
        if let Some(port) = rec
            .get("port")
            .and_then(|p| p.as_u64())
            .and_then(|p| u16::try_from(p).ok())
            && self
                .indexed(port)
                .ok()
                .flatten()
                .as_ref()
                .and_then(Record::id)
                == Some(id)
        {
            let f = self.index_file(port);
            match std::fs::remove_file(&f) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::from_io(format!("cannot remove {}", f.display()), &e)),
            }
        }
        Ok(existed)
    }

    /// The live lease of a port, by number.
    pub fn by_port(&self, t: &Txn, port: u16) -> Result<Option<Record>> {
        Ok(match self.slot(t, port, Timestamp::now())? {
            Slot::Live(r) | Slot::Stale(Some(r)) => Some(r),
            _ => None,
        })
    }

    /// Every lease in the registry, oldest first.
    pub fn leases(&self) -> Result<Vec<Record>> {
        Ok(self.registry.list()?.into_iter().filter(is_lease).collect())
    }

    /// Index entries that point at no lease (left by a killed writer).
    /// Index entries that point at no live lease (left by a killed writer,
    /// or whose registry entry was quarantined and whose owner is gone), and
    /// corrupt ones for ports the registry holds no lease of.
    pub fn sweep_index(&self, t: &Txn) -> Result<usize> {
        let mut n = 0;
        let entries = std::fs::read_dir(&self.index)
            .io_context(|| format!("cannot list {}", self.index.display()))?;
        let mut leased: Option<BTreeSet<u64>> = None;
        for e in entries.flatten() {
            let Ok(port) = e.file_name().to_string_lossy().parse::<u16>() else {
                continue;
            };
            let sweep = match self.slot(t, port, Timestamp::now())? {
                Slot::Stale(None) => true,
                Slot::Corrupt(_) => !leased
                    .get_or_insert_with(|| {
                        self.leases()
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|r| r.get("port").and_then(|p| p.as_u64()))
                            .collect()
                    })
                    .contains(&u64::from(port)),
                _ => false,
            };
            if sweep {
                let _ = std::fs::remove_file(e.path());
                n += 1;
            }
        }
        Ok(n)
    }
}

fn remove_file(f: &std::path::Path) -> Result<()> {
    match std::fs::remove_file(f) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::from_io(format!("cannot remove {}", f.display()), &e)),
    }
}

pub fn is_lease(r: &Record) -> bool {
    r.kind() == "port" && r.tool() == Some(TOOL)
}

/// `PTEST_PORT_<NAME>`: upper case, anything but letters and digits as `_`.
pub fn env_var(name: &str) -> String {
    format!("PTEST_PORT_{}", ptest_shared::record::env_word(name))
}

fn new_record(
    port: u16,
    name: Option<&str>,
    proto: Proto,
    lifetime: &Lifetime,
    index: usize,
) -> Record {
    let mut r = Record::resource("port", TOOL);
    lifetime.apply(&mut r);
    r.set("port", port)
        .set("proto", proto.as_str())
        .set("host", "127.0.0.1");
    r.set("name", name.map_or(serde_json::Value::Null, |n| n.into()));
    let var = env_var(name.unwrap_or(&index.to_string()));
    r.set("env", serde_json::json!({ var: port.to_string() }));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(env_var("http"), "PTEST_PORT_HTTP");
        assert_eq!(env_var("db-primary.2"), "PTEST_PORT_DB_PRIMARY_2");
        assert_eq!(env_var("0"), "PTEST_PORT_0");
    }
}
