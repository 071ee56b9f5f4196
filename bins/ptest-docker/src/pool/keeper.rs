//! The keeper: `ptest-docker __keep POOL --lock-fd N`, one detached
//! process per pool, started by `pool create` holding the pool's lock.
//!
//! It keeps the pool's size of containers ready: it makes the missing
//! ones (as many at once as `docker.parallel`), each through `create`'s
//! own steps with the pool's labels and fresh named volumes, and
//! registers each once ready — only while the pool's record exists. It
//! wakes when the registry changes (a take rewrites an entry), and at
//! least every second to replace a member that died while it waited. A
//! failure to make one is written into the pool's record (`pool create`
//! reports it) and retried after a growing pause.
//!
//! It ends when the pool's record goes (`pool rm`, `ptest down`), when
//! the pool's owner dies or its `--ttl` passes (it then removes the
//! record itself), or on SIGTERM/SIGINT/SIGHUP: every member not taken
//! is removed, and what it had in flight with them.

use super::{drain, from_args, is_live, lifetime_of, ready_of};
use crate::container::{Extra, Made, PoolTag, Stamp};
use crate::create_plan::{self, Plan};
use crate::engine::Engine;
use crate::listing::labelled_containers;
use crate::objects::{Kind, engine_id_of};
use crate::remove::remove_object;
use crate::{guardian, labels};
use ptest_shared::config::Config;
use ptest_shared::owner::Lifetime;
use ptest_shared::record::{Record, Timestamp, random_hex};
use ptest_shared::registry::Registry;
use ptest_shared::state::StateDir;
use ptest_shared::{Error, Result, interrupt};
use serde_json::{Value, json};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the keeper's workers need, shared by all of them.
struct Pool {
    id: String,
    size: usize,
    parallel: usize,
    plan: Plan,
    lifetime: Lifetime,
    home: String,
    state: StateDir,
    config: Config,
}

/// `ptest-docker __keep POOL --lock-fd N`, as `pool create` starts it.
pub fn run(pool_id: &str, lock_fd: i32) -> Result<i32> {
    // SAFETY: `pool create` opened it for us, and nothing else owns it.
    // Held until we exit.
    let lock = unsafe { std::fs::File::from_raw_fd(lock_fd) };
    if !guardian::try_flock(&lock) {
        return Ok(0); // another keeper holds it
    }
    let Some(state) = StateDir::open_existing()? else {
        return Ok(0);
    };
    let reg = Registry::open(&state)?;
    let engine = Engine::connect()?;
    // Ours alone now: what an earlier keeper of this pool left goes.
    drain::sweep_pool(&engine, &reg, &state, pool_id)?;
    let Some(rec) = reg.get(pool_id)? else {
        return Ok(0);
    };
    let pool = match load(&rec, state.clone()) {
        Ok(p) => p,
        Err(e) => {
            note_failure(&reg, pool_id, &e);
            return Err(e);
        }
    };
    interrupt::catch()?;
    let result = keep(&engine, &reg, &pool);
    // The end, however it came: no member that was not taken stays.
    let _ = reg.remove(pool_id);
    drain::drain_ready(&engine, &reg, pool_id)?;
    drain::sweep_pool(&engine, &reg, &state, pool_id)?;
    let _ = std::fs::remove_file(state.lock_path(&super::keeper_lock(pool_id))?);
    drop(lock);
    result.map(|()| 0)
}

/// The pool as its record describes it.
fn load(rec: &Record, state: StateDir) -> Result<Pool> {
    let args: Vec<String> = rec
        .get("args")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::data("the pool's record holds no create flags"))?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<_>>()
        .ok_or_else(|| Error::data("the pool's create flags are not strings"))?;
    let mut plan = create_plan::check_args(&from_args(&args)?)?;
    // Members are of the image the spec names by id, whatever its tag
    // names now: a take matches on that id.
    if let Some(id) = rec
        .get("spec")
        .and_then(|s| s.get("image_id"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
    {
        plan.image = id.to_owned();
    }
    let num = |k: &str| rec.get(k).and_then(Value::as_u64).unwrap_or(1) as usize;
    Ok(Pool {
        id: rec.id().unwrap_or_default().to_owned(),
        size: num("size").clamp(1, super::MAX_SIZE as usize),
        parallel: num("parallel").clamp(1, 64),
        plan,
        lifetime: lifetime_of(rec)?,
        home: state.path().display().to_string(),
        config: Config::load(&[])?,
        state,
    })
}

/// The loop: keeps the pool full until it should end.
fn keep(engine: &Engine, reg: &Registry, pool: &Pool) -> Result<()> {
    let owner_fd = pool.lifetime.owner.as_ref().and_then(|o| {
        let fd = ptest_shared::owner::pidfd_open(o.pid as i32).ok()?;
        o.is_alive().then_some(fd)
    });
    if pool.lifetime.owner.is_some() && owner_fd.is_none() {
        return Ok(()); // its owner died before we could watch it
    }
    let watch = RegistryWatch::new(reg.dir());
    let (tx, rx) = mpsc::channel::<Result<bool>>();
    let mut in_flight = 0usize;
    let mut failures = 0u32;
    let mut next_try = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        loop {
            if interrupt::requested().is_some() {
                return Ok(());
            }
            let all = reg.list()?;
            let Some(rec) = all.iter().find(|r| r.id() == Some(pool.id.as_str())) else {
                return Ok(()); // removed
            };
            if !is_live(rec, Timestamp::now()) {
                return Ok(()); // its owner died, or its --ttl passed
            }
            let ready = replace_dead(engine, reg, pool, &ready_of(&all, &pool.id))?;
            while ready + in_flight < pool.size
                && in_flight < pool.parallel
                && Instant::now() >= next_try
            {
                in_flight += 1;
                let tx = tx.clone();
                scope.spawn(move || {
                    let _ = tx.send(make_member(pool));
                });
            }
            let timeout = if in_flight > 0 {
                Duration::from_millis(100)
            } else {
                Duration::from_secs(1)
            };
            wait(&watch, owner_fd.as_ref(), timeout);
            while let Ok(r) = rx.try_recv() {
                in_flight -= 1;
                match r {
                    Ok(_) => {
                        if failures > 0 {
                            clear_failure(reg, &pool.id);
                        }
                        failures = 0;
                    }
                    Err(e) => {
                        failures += 1;
                        note_failure(reg, &pool.id, &e);
                        next_try = Instant::now() + backoff(failures);
                    }
                }
            }
        }
    })
    // Leaving the scope joined the workers: a member being made when the
    // pool ended found its record gone and undid itself.
}

/// Counts the pool's ready members, removing those that no longer run
/// (dead, paused, restarting): a take never gets one, and another is made.
fn replace_dead(engine: &Engine, reg: &Registry, pool: &Pool, ready: &[&Record]) -> Result<usize> {
    if ready.is_empty() {
        return Ok(0);
    }
    let running: std::collections::HashSet<String> =
        labelled_containers(engine, &labels::pool_filter(Some(&pool.id)))?
            .into_iter()
            .filter(|c| c.state.as_ref().is_some_and(|s| s.to_string() == "running"))
            .filter_map(|c| c.id)
            .collect();
    let mut alive = 0;
    for r in ready {
        let eid = engine_id_of(r).unwrap_or_default();
        if running.contains(&eid) {
            alive += 1;
            continue;
        }
        // Only while it is still the pool's: a take may have just won it.
        let id = r.id().unwrap_or_default();
        let ours = reg.transaction(|t| match t.get(id)? {
            Some(now) if now.get("pool").is_some() => t.remove(id),
            _ => Ok(false),
        })?;
        if ours {
            let _ = remove_object(engine, Kind::Container, &eid);
            for o in r
                .get("pool_objects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if let Some(obj) = reg.get(o)? {
                    if let Some(oid) = engine_id_of(&obj) {
                        let _ = remove_object(engine, Kind::of(&obj), &oid);
                    }
                    let _ = reg.remove(o);
                }
            }
        }
    }
    Ok(alive)
}

/// Makes one member: `create`'s steps with the pool's labels, fresh named
/// volumes, and registration only while the pool exists. `Ok(false)` when
/// the pool went meanwhile (what was made is removed again).
fn make_member(pool: &Pool) -> Result<bool> {
    let engine = Engine::connect()?;
    let reg = Registry::open(&pool.state)?;
    let mut plan = pool.plan.clone();
    // Fresh named volumes: NAME-<suffix>, this member's alone.
    let suffix = random_hex(4);
    for b in plan.binds.iter_mut().filter(|b| !b.starts_with('/')) {
        if let Some((src, rest)) = b.split_once(':') {
            *b = format!("{src}-{suffix}:{rest}");
        }
    }
    let stamp = Stamp {
        lifetime: &pool.lifetime,
        run: ptest_shared::record::new_id("run"),
        pool: Some(PoolTag {
            id: pool.id.clone(),
            home: pool.home.clone(),
        }),
    };
    let mut made = Made::new(&engine, &reg);
    made.make_volumes(&plan.binds, &stamp)?;
    made.make_network(&mut plan, &pool.state, &pool.config, &stamp)?;
    made.make_containers(&plan, &stamp, 1, &Extra::none())?;
    made.keep_pooled(&pool.id)
}

/// Writes why a member could not be made into the pool's record, for
/// `pool create` and `pool ls` to tell.
fn note_failure(reg: &Registry, id: &str, e: &Error) {
    let _ = reg.transaction(|t| {
        if let Some(mut rec) = t.get(id)? {
            rec.set(
                "last_error",
                json!({"message": e.message, "exit": e.exit.code()}),
            );
            t.put(&rec)?;
        }
        Ok(())
    });
}

/// Clears the failure a later success made old.
fn clear_failure(reg: &Registry, id: &str) {
    let _ = reg.transaction(|t| {
        if let Some(mut rec) = t.get(id)?
            && rec.remove("last_error").is_some()
        {
            t.put(&rec)?;
        }
        Ok(())
    });
}

/// The pause after `n` failures in a row: 1 s, doubling, at most 30 s.
fn backoff(n: u32) -> Duration {
    Duration::from_secs(1u64 << n.saturating_sub(1).min(5)).min(Duration::from_secs(30))
}

/// Waits until the registry changes, the owner exits, or `timeout`.
fn wait(watch: &RegistryWatch, owner: Option<&OwnedFd>, timeout: Duration) {
    use nix::poll::{PollFd, PollFlags, poll};
    let mut fds = Vec::new();
    if let Some(w) = &watch.fd {
        fds.push(PollFd::new(w.as_fd(), PollFlags::POLLIN));
    }
    if let Some(o) = owner {
        fds.push(PollFd::new(o.as_fd(), PollFlags::POLLIN));
    }
    let _ = poll(&mut fds, interrupt::poll_timeout(timeout));
    watch.drain();
}

/// An inotify watch of the registry directory: a take rewrites an entry
/// there, which wakes the keeper at once. Without one (inotify refused),
/// the keeper looks every second.
struct RegistryWatch {
    fd: Option<OwnedFd>,
}

impl RegistryWatch {
    fn new(dir: &std::path::Path) -> RegistryWatch {
        use nix::libc;
        use std::os::unix::ffi::OsStrExt;
        // SAFETY: inotify_init1 takes flags only and returns a new
        // descriptor (or -1), which we then own.
        let fd = unsafe { libc::inotify_init1(libc::IN_NONBLOCK | libc::IN_CLOEXEC) };
        if fd < 0 {
            return RegistryWatch { fd: None };
        }
        // SAFETY: `fd` is a descriptor we just made and own alone.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
            return RegistryWatch { fd: None };
        };
        // SAFETY: a valid inotify descriptor and a NUL-terminated path.
        let wd = unsafe {
            libc::inotify_add_watch(
                owned.as_raw_fd(),
                path.as_ptr(),
                libc::IN_MOVED_TO | libc::IN_DELETE | libc::IN_CREATE,
            )
        };
        RegistryWatch {
            fd: (wd >= 0).then_some(owned),
        }
    }

    /// Reads the pending events away (their content does not matter).
    fn drain(&self) {
        let Some(fd) = &self.fd else { return };
        let mut buf = [0u8; 4096];
        while nix::unistd::read(fd, &mut buf).is_ok_and(|n| n > 0) {}
    }
}
