//! `ptest-docker`: isolated container environments that are ready fast and
//! never leak.
//!
//! Everything goes through the engine's API ([`engine`], bollard; never the
//! docker CLI). Every object carries `ptest.*` labels ([`labels`]) naming
//! its owner; a detached guardian ([`guardian`]) removes an owner's objects
//! within a second or two of its death, and `gc` sweeps what is left.
//! Containers ([`container`]) publish ports on 127.0.0.1 and are returned
//! ready ([`ready`]); networks ([`network`]) come from ptest's own subnet
//! pool; images are imported and committed ([`image`]); files are copied
//! in and out as tar streams ([`copy`]). Pools ([`pool`]) keep containers
//! of a spec ready before a test asks, and `create` takes from them.

pub mod api;
mod archive;
mod container;
mod copy;
mod create_plan;
mod doctor;
pub mod engine;
mod exec;
mod firewall;
mod guardian;
mod image;
mod inspect;
mod labels;
mod listing;
mod logs;
pub mod network;
mod objects;
mod pool;
mod ready;
mod remove;
mod stop;
mod subnet;

use clap::{Args, CommandFactory, Parser, Subcommand};
use ptest_shared::Result;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Containers for tests that are ready when they are returned and never leak.

Every container, network and volume carries ptest.* labels naming its owner
(by default the caller's session). When the owner dies, even by SIGKILL, a
small guardian process removes everything it owned within about two
seconds: no sidecar container, no Docker socket mounted anywhere. Ports are
published on 127.0.0.1 only, on leases from `ptest port` when the stream
names them.

  ptest port lease --name db | ptest docker create --image postgres:16 \\
      --port 5432=db --ready-port 5432 | ptest proc run -- pytest
  ptest docker image import rootfs.tar --tag test/busybox
  ptest docker exec ID -- sh -c 'echo hi'

Pools keep containers of one spec started and ready before a test asks:
a create with exactly that spec takes one in milliseconds.

  ptest docker pool create --pool pg --size 4 --image postgres:16 \
      --port 5432 --ready-port 5432 --ttl 1h
  ptest docker create --image postgres:16 --port 5432 --ready-port 5432";

#[derive(Parser, Debug)]
#[command(name = "ptest-docker", version, about = "Isolated container environments that are ready fast and never leak", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

/// How a container is made.
#[derive(Args, Debug, Clone, Default)]
pub struct CreateArgs {
    /// The image (imported or committed locally: nothing is pulled)
    #[arg(long, value_name = "IMAGE")]
    pub image: String,
    /// A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image's]
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// An environment variable of the container (repeatable)
    #[arg(long, short = 'e', value_name = "K=V")]
    pub env: Vec<String>,
    /// Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)
    #[arg(long, short = 'p', value_name = "CPORT[/PROTO][=LEASE]")]
    pub port: Vec<String>,
    /// Mount a host path or named volume: SRC:DST[:ro] (repeatable)
    #[arg(long, short = 'v', value_name = "SRC:DST[:ro]")]
    pub volume: Vec<String>,
    /// Mount a tmpfs at DST (repeatable)
    #[arg(long, value_name = "DST")]
    pub tmpfs: Vec<String>,
    /// Memory limit (512M, 1G)
    #[arg(long, value_name = "SIZE")]
    pub memory: Option<String>,
    /// CPU limit, in CPUs (0.5, 2)
    #[arg(long, value_name = "N")]
    pub cpus: Option<f64>,
    /// Process limit
    #[arg(long, value_name = "N")]
    pub pids: Option<i64>,
    /// none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id
    #[arg(long, value_name = "NET", default_value = "bridge")]
    pub network: String,
    #[command(flatten)]
    pub ready: ptest_shared::ready::ReadyArgs,
    /// strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit
    #[arg(long, value_enum, default_value_t = Security::Default)]
    pub security: Security,
    /// How many containers, created in parallel
    #[arg(long, short = 'n', value_name = "N", default_value_t = 1)]
    pub count: u32,
    /// The command and its arguments (as with `docker run IMAGE CMD`)
    #[arg(last = true, value_name = "CMD")]
    pub cmd: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Security {
    #[default]
    Default,
    Strict,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Create containers, start them and return when they are ready
    #[command(
        long_about = "Create containers from a local image, start them, and return when \
they are ready: one `container` record each (id, name, image, IP, published ports, limits, \
and env PTEST_<NAME>_HOST / PTEST_<NAME>_PORT_<CPORT>), after the records on stdin. Ports are \
published on 127.0.0.1 only: on the host port of a `port` lease named in the stream \
(--port 5432=db), else on one the engine picks. When readiness fails, the container's log \
tail is printed, what was made is removed, and the exit is 1 (124 when the readiness timeout \
passed); Ctrl-C or SIGTERM also removes what was made (exit 128+N). --count N creates N at \
once, in parallel."
    )]
    Create {
        #[command(flatten)]
        args: Box<CreateArgs>,
        #[command(flatten)]
        lifetime: LifetimeArgs,
        /// Take only from this pool (its spec must be this create's); an empty pool still means a cold create [default: any live pool of exactly this spec]
        #[arg(
            long,
            value_name = "NAME",
            help_heading = "Pools",
            conflicts_with = "no_pool"
        )]
        pool: Option<String>,
        /// Never take from a pool: always make the container now
        #[arg(long, help_heading = "Pools")]
        no_pool: bool,
    },
    /// Pools of ready containers that creates take from
    #[command(subcommand)]
    Pool(PoolCmd),
    /// Networks from ptest's own subnet pool
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Run a command in a container; its exit code is ours
    Exec {
        /// The container: ptest id, name or engine id
        container: String,
        /// The command and its arguments
        #[arg(last = true, required = true, value_name = "CMD")]
        cmd: Vec<String>,
    },
    /// Print a container's logs
    Logs {
        /// The container: ptest id, name or engine id
        container: String,
        /// Keep printing new lines until the container stops
        #[arg(long, short = 'f')]
        follow: bool,
        /// Only the last N lines
        #[arg(long, value_name = "N")]
        tail: Option<u64>,
    },
    /// Copy files into or out of a container: SRC DST, one of them CONTAINER:PATH
    Cp {
        /// A host path or CONTAINER:PATH
        src: String,
        /// A host path or CONTAINER:PATH
        dst: String,
    },
    /// Stop containers (SIGTERM, then SIGKILL after --grace)
    Stop {
        #[arg(required = true, value_name = "CONTAINER")]
        containers: Vec<String>,
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = ptest_shared::units::parse_duration)]
        grace: std::time::Duration,
    },
    /// Remove containers and networks (by id or name, or the records on stdin)
    #[command(
        long_about = "Remove containers (with their anonymous volumes) and networks given \
by ptest id, name or engine id or, given none, the `container` and `network` records on stdin \
(so `ptest down` can call it as `rm`). Only what ptest made is removed, as its registry \
records it: a record on stdin counts for its id alone, and an object ptest did not make is \
refused (exit 65) and left alone. Removing what is gone already is not an error. Writes an \
event per object removed."
    )]
    Rm {
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// List the containers and networks ptest made, with their state
    Ls,
    /// Show what the engine says of a container or network
    Inspect {
        /// A container or network: ptest id, name or engine id
        object: String,
    },
    /// Remove labelled objects whose owner has exited or whose --ttl passed
    Gc,
    /// Check whether a Docker engine answers, which, and its API version
    #[command(
        long_about = "Check the Docker engine ptest docker would use (DOCKER_HOST, else the \
usual sockets, Podman's too): whether it answers, its version and API version. One `check` \
record, or a table. Exit 0 whenever it could look: a missing engine is a finding. `ptest \
doctor` gathers this with every other tool's."
    )]
    Doctor,
    /// Commit a container's filesystem to an image (labelled for ptest)
    Commit {
        /// The container: ptest id, name or engine id
        container: String,
        /// REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]
        #[arg(long, value_name = "TAG")]
        tag: Option<String>,
    },
    /// Images: import a root filesystem tarball
    #[command(subcommand)]
    Image(ImageCmd),
    /// Keeps a pool full (internal)
    #[command(name = "__keep", hide = true)]
    Keep {
        /// The pool's id
        pool: String,
        /// An inherited descriptor already holding the keeper's lock
        #[arg(long)]
        lock_fd: i32,
    },
    /// Watches an owner and removes its objects when it dies (internal)
    #[command(name = "__guard", hide = true)]
    Guard {
        /// The owner, as pid:start_time:boot_id
        owner: String,
        /// An inherited descriptor already holding the guardian's lock
        #[arg(long)]
        lock_fd: i32,
    },
}

#[derive(Subcommand, Debug)]
enum NetworkCmd {
    /// Create a network with a small subnet from ptest's pool
    Create {
        /// A name [default: ptest-<id>]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// No route out of the network
        #[arg(long)]
        internal: bool,
        /// Internal, and the host's own services are unreachable from it too
        #[arg(long)]
        isolated: bool,
        /// auto (from [docker] subnet-pool) or a CIDR
        #[arg(long, value_name = "auto|CIDR", default_value = "auto")]
        subnet: String,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// Remove networks (by id or name, or the records on stdin)
    Rm {
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum PoolCmd {
    /// Keep N containers of one spec started and ready for creates to take
    #[command(
        long_about = "Keep --size containers of one spec (every `create` flag) made, started \
and ready, and return once all are ready (--no-wait: at once). A `create` whose spec is \
exactly the pool's (image id, command, env, ports, volumes, tmpfs, limits, network, security, \
readiness checks; not its name or readiness timeout) takes a ready one in milliseconds, and \
the pool's keeper makes another. A taken container is the taker's, never returned; each \
member has fresh named volumes of its own (NAME-<suffix>) and, with --network isolated, its \
own network. A spec that names a port lease or an existing volume cannot be pooled. The pool \
goes with its owner (default: the session) or its --ttl, by `pool rm` or `ptest down` of its \
record: its ready containers are removed; taken ones stay with their takers. A pool of that \
name and spec that exists already is reported as it is; of another spec, refused (73)."
    )]
    Create {
        /// The pool's name (`create --pool NAME` takes from it alone)
        #[arg(long, value_name = "NAME")]
        pool: String,
        /// How many ready containers to keep (1-64)
        #[arg(long, value_name = "N")]
        size: u32,
        /// Return at once, while the pool fills (creates meanwhile are cold)
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        args: Box<CreateArgs>,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// List pools: size, ready containers, keeper, spec hash
    Ls,
    /// Remove pools (by name or id, or the records on stdin) and their ready containers
    Rm {
        #[arg(value_name = "POOL")]
        pools: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
enum ImageCmd {
    /// Import a root filesystem tarball as an image
    Import {
        /// The tarball (plain or gzip-compressed)
        tarball: PathBuf,
        /// REPOSITORY[:TAG]
        #[arg(long, value_name = "TAG")]
        tag: String,
    },
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let c = &cli.common;
    match cli.cmd {
        Cmd::Create {
            args,
            lifetime,
            pool,
            no_pool,
        } => {
            let choice = match (pool, no_pool) {
                (_, true) => pool::Choice::Off,
                (Some(p), _) => pool::Choice::Only(p),
                (None, false) => pool::Choice::Auto,
            };
            container::create(c, &args, &lifetime, &choice)
        }
        Cmd::Pool(PoolCmd::Create {
            pool,
            size,
            no_wait,
            args,
            lifetime,
        }) => pool::create(
            c,
            &pool::CreatePool {
                name: &pool,
                size,
                args: &args,
                lifetime: &lifetime,
                wait: !no_wait,
            },
        ),
        Cmd::Pool(PoolCmd::Ls) => pool::ls(c),
        Cmd::Pool(PoolCmd::Rm { pools }) => pool::rm(c, &pools),
        Cmd::Keep { pool, lock_fd } => pool::keeper::run(&pool, lock_fd),
        Cmd::Network(NetworkCmd::Create {
            name,
            internal,
            isolated,
            subnet,
            lifetime,
        }) => network::create_command(c, name, internal, isolated, &subnet, &lifetime),
        Cmd::Network(NetworkCmd::Rm { ids }) => remove::rm(c, &ids),
        Cmd::Exec { container, cmd } => exec::exec(&container, &cmd),
        Cmd::Logs {
            container,
            follow,
            tail,
        } => logs::logs(&container, follow, tail),
        Cmd::Cp { src, dst } => copy::command(c, &src, &dst),
        Cmd::Stop { containers, grace } => stop::stop(c, &containers, grace),
        Cmd::Rm { ids } => remove::rm(c, &ids),
        Cmd::Ls => listing::ls(c),
        Cmd::Inspect { object } => inspect::inspect(&object),
        Cmd::Gc => remove::gc(c),
        Cmd::Doctor => doctor::run(c.json()),
        Cmd::Commit { container, tag } => image::commit_command(c, &container, tag.as_deref()),
        Cmd::Image(ImageCmd::Import { tarball, tag }) => image::import_command(c, &tarball, &tag),
        Cmd::Guard { owner, lock_fd } => guardian::run(&owner, lock_fd),
    }
}
