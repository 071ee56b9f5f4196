//! `ptest.*` labels: every object ptest-docker makes (containers, networks,
//! volumes, images it commits) carries who owns it, so that the guardian
//! and `gc` can find what a dead owner left without any registry.

use ptest_shared::owner::{Lifetime, Owner};
use ptest_shared::record::Timestamp;
use std::collections::HashMap;

pub const TOOL: &str = "ptest.tool";
pub const ID: &str = "ptest.id";
pub const OWNER: &str = "ptest.owner";
pub const EXPIRES: &str = "ptest.expires_at";
pub const VERSION: &str = "ptest.version";
pub const RUN: &str = "ptest.run";
pub const NAME: &str = "ptest.name";
/// On the objects a pool keeps ready: the pool's id. They carry no owner
/// label (labels cannot change when a test takes one): their owner lives in
/// the registry of the state directory named by [`HOME`].
pub const POOL: &str = "ptest.pool";
/// On a pool's objects: the state directory whose registry owns them.
pub const HOME: &str = "ptest.home";

pub const TOOL_NAME: &str = "ptest-docker";

/// `pid:start_time:boot_id` (boot id may be empty).
pub fn owner_value(o: &Owner) -> String {
    format!(
        "{}:{}:{}",
        o.pid,
        o.start_time,
        o.boot_id.as_deref().unwrap_or("")
    )
}

pub fn parse_owner(v: &str) -> Option<Owner> {
    let mut it = v.splitn(3, ':');
    let pid = it.next()?.parse().ok()?;
    let start_time = it.next()?.parse().ok()?;
    let boot = it.next().unwrap_or("");
    Some(Owner {
        pid,
        start_time,
        boot_id: (!boot.is_empty()).then(|| boot.to_owned()),
    })
}

/// The labels every object ptest-docker makes carries: tool, ptest id,
/// name, version and run.
fn common(id: &str, name: &str, run: &str) -> HashMap<String, String> {
    [
        (TOOL, TOOL_NAME),
        (ID, id),
        (NAME, name),
        (VERSION, env!("CARGO_PKG_VERSION")),
        (RUN, run),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// The labels of a new object with ptest id `id`, made in run `run`.
pub fn for_object(id: &str, name: &str, lifetime: &Lifetime, run: &str) -> HashMap<String, String> {
    let mut l = common(id, name, run);
    l.insert(
        OWNER.into(),
        lifetime
            .owner
            .as_ref()
            .map(owner_value)
            .unwrap_or_else(|| "none".into()),
    );
    if let Some(t) = lifetime.expires_at {
        l.insert(EXPIRES.into(), t.to_string());
    }
    l
}

/// The labels of an object made for pool `pool` of the state directory
/// `home`: no owner and no expiry (the registry holds both, and a take
/// rewrites them there).
pub fn for_pooled(
    id: &str,
    name: &str,
    pool: &str,
    home: &str,
    run: &str,
) -> HashMap<String, String> {
    let mut l = common(id, name, run);
    l.insert(POOL.into(), pool.into());
    l.insert(HOME.into(), home.into());
    l
}

/// Why an object with these labels should go: `owner-dead` or `expired`;
/// `None` while it should stay (or carries no ptest owner at all).
pub fn stale(labels: &HashMap<String, String>, now: Timestamp) -> Option<&'static str> {
    if labels.get(TOOL).map(String::as_str) != Some(TOOL_NAME) {
        return None;
    }
    if let Some(t) = labels
        .get(EXPIRES)
        .and_then(|v| v.parse::<Timestamp>().ok())
        && t <= now
    {
        return Some("expired");
    }
    match labels.get(OWNER).map(String::as_str) {
        None | Some("none") => None,
        Some(v) => match parse_owner(v) {
            Some(o) if o.is_alive() => None,
            Some(_) => Some("owner-dead"),
            None => None,
        },
    }
}

/// The engine's label filter for objects of `owner`.
pub fn owner_filter(o: &Owner) -> String {
    format!("{OWNER}={}", owner_value(o))
}

/// The engine's label filter for the objects of pool `pool`, or (`None`)
/// of every pool.
pub fn pool_filter(pool: Option<&str>) -> String {
    match pool {
        Some(p) => format!("{POOL}={p}"),
        None => POOL.to_owned(),
    }
}

/// The engine's label filter for every ptest-docker object.
pub fn tool_filter() -> String {
    format!("{TOOL}={TOOL_NAME}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_labels_round_trip_and_judge_liveness() {
        let me = Owner::current();
        assert_eq!(parse_owner(&owner_value(&me)), Some(me.clone()));
        let life = Lifetime {
            owner: Some(me.clone()),
            expires_at: None,
        };
        let l = for_object("container-abc", "db", &life, "run-1");
        assert_eq!(stale(&l, Timestamp::now()), None);
        let mut dead = l.clone();
        dead.insert(
            OWNER.into(),
            owner_value(&Owner {
                start_time: me.start_time + 1,
                ..me.clone()
            }),
        );
        assert_eq!(stale(&dead, Timestamp::now()), Some("owner-dead"));
        let mut expired = l.clone();
        expired.insert(EXPIRES.into(), "2001-01-01T00:00:00Z".into());
        assert_eq!(stale(&expired, Timestamp::now()), Some("expired"));
        let mut foreign = l;
        foreign.remove(TOOL);
        assert_eq!(stale(&foreign, Timestamp::now()), None);
    }
}
