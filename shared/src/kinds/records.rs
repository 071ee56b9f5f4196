//! The records of the suite's own kinds, one typed struct each, made of
//! the validated field types of [`super`]: what [`super::validate`] checks
//! a record of that kind against, and what a tool reads another tool's
//! record through.

use super::*;

/// A Python virtual environment (`ptest-venv`).
#[derive(Debug, Clone, Deserialize)]
pub struct Venv {
    pub id: ResourceId,
    pub path: AbsPath,
    pub name: Option<Text>,
    pub python: Option<Text>,
    pub template: Option<Text>,
}

/// How a port is leased: for TCP, UDP or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
    Both,
}

/// A port lease (`ptest-port`). `id` and `name` are optional so that a
/// hand-written `{"v":1,"kind":"port","name":"db","port":5432}` can stand
/// in for a lease.
#[derive(Debug, Clone, Deserialize)]
pub struct PortLease {
    pub id: Option<ResourceId>,
    pub port: Port,
    pub name: Option<Text>,
    pub proto: Option<Proto>,
}

/// A command run or a service (`ptest-proc`).
#[derive(Debug, Clone, Deserialize)]
pub struct Proc {
    pub id: ResourceId,
    pub pid: Option<Pid>,
    pub name: Option<Text>,
    pub dir: Option<AbsPath>,
    pub cgroup: Option<Vec<AbsPath>>,
    pub command: Option<Vec<Text>>,
}

/// A container port published on the host.
#[derive(Debug, Clone, Deserialize)]
pub struct Published {
    pub container_port: Port,
    pub proto: Option<Text>,
    pub host_port: Port,
}

/// A container (`ptest-docker`).
#[derive(Debug, Clone, Deserialize)]
pub struct Container {
    pub id: ResourceId,
    pub container_id: EngineId,
    /// The name given with `--name` (the engine's is `engine_name`).
    pub name: Option<Text>,
    pub engine_name: Option<EngineName>,
    pub image: Option<ImageRef>,
    pub ports: Option<Vec<Published>>,
    /// The readiness checks it was made with (what `ptest snap restore`
    /// and `reset` wait for again).
    pub ready: Option<ContainerReady>,
    /// The pool that keeps it ready (not taken yet).
    pub pool: Option<ResourceId>,
    /// The pool it was taken from.
    pub from_pool: Option<ResourceId>,
    /// The ids of the volumes and networks made for a pool's member.
    pub pool_objects: Option<Vec<ResourceId>>,
}

/// A pool of ready containers (`ptest-docker pool create`).
#[derive(Debug, Clone, Deserialize)]
pub struct Pool {
    pub id: ResourceId,
    pub name: EngineName,
    pub size: PoolSize,
    pub image: Option<ImageRef>,
    pub spec_hash: Text,
    /// The create flags that make its members.
    pub args: Vec<Text>,
    pub parallel: Option<u64>,
}

validated!(
    /// A pool's size: 1 to 64 containers.
    PoolSize(u64) from u64,
    |n| if (1..=64).contains(&n) { Ok(n) } else { Err(format!("a pool size of {n} (1 to 64)")) }
);

/// A container's readiness checks, in the `--ready-*` flags' own words
/// with every port a container port: each one checked as the flag is.
#[derive(Debug, Clone, Deserialize)]
pub struct ContainerReady {
    pub port: Option<Port>,
    pub log: Option<ReadyLog>,
    pub http: Option<ReadyHttp>,
    pub cmd: Option<ReadyCmd>,
    pub timeout_ms: Option<TimeoutMs>,
}

validated!(
    /// A `--ready-log` pattern (compiled, and so checked, where it is used).
    ReadyLog(String) from String,
    |s| no_nul(&s).map(|()| s)
);

validated!(
    /// A `--ready-http` target: a URL, or `PORT:PATH` on a container port.
    ReadyHttp(String) from String,
    |s| {
        let url = match s.split_once(':') {
            _ if s.contains("://") => s.clone(),
            Some((port, path)) if path.starts_with('/') => {
                Port::parse(port.parse::<u64>().unwrap_or(0))?;
                format!("http://127.0.0.1{path}")
            }
            _ => return Err(format!("{s:?} is neither a URL nor PORT:/PATH")),
        };
        url.parse::<crate::http::HttpUrl>().map(|_| s)
    }
);

validated!(
    /// A `--ready-cmd` command: not empty, no NUL.
    ReadyCmd(String) from String,
    |s| {
        no_nul(&s)?;
        if s.trim().is_empty() {
            return Err("the command is empty".into());
        }
        Ok(s)
    }
);

validated!(
    /// A readiness timeout in milliseconds: at least 1.
    TimeoutMs(u64) from u64,
    |n| if n >= 1 { Ok(n) } else { Err("a timeout of 0 ms".into()) }
);

/// A network (`ptest-docker`).
#[derive(Debug, Clone, Deserialize)]
pub struct Network {
    pub id: ResourceId,
    pub network_id: EngineId,
    pub name: Option<EngineName>,
    pub bridge: Option<IfName>,
}

/// A named volume (`ptest-docker`).
#[derive(Debug, Clone, Deserialize)]
pub struct Volume {
    pub id: ResourceId,
    pub volume_name: EngineName,
    pub name: Option<EngineName>,
}

/// An image imported or committed (`ptest-docker`).
#[derive(Debug, Clone, Deserialize)]
pub struct Image {
    pub image_id: ImageId,
    pub tag: Option<ImageRef>,
}

/// Pressure stall information: the share of the last 10 s in which some
/// task waited for the resource, in percent (`some avg10`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
pub struct Pressure {
    pub cpu: Option<Amount>,
    pub memory: Option<Amount>,
    pub io: Option<Amount>,
}

/// One measurement of one resource (`ptest-mon`). `resource` is the id of
/// what was measured (`mon-…` for `mon run`'s command, a `proc-…` or
/// `container-…` id, `pid-N`, or `host`); `io_read`/`io_write` count
/// bytes since monitoring began; `cpu` is percent of one CPU over the time
/// since the previous sample.
#[derive(Debug, Clone, Deserialize)]
pub struct Sample {
    pub resource: Text,
    pub name: Option<Text>,
    pub t: Time,
    pub elapsed: Amount,
    pub source: Option<Text>,
    pub memory: Option<Amount>,
    pub memory_peak: Option<Amount>,
    pub cpu: Option<Amount>,
    pub procs: Option<Amount>,
    pub io_read: Option<Amount>,
    pub io_write: Option<Amount>,
    pub psi: Option<Pressure>,
}

/// A threshold crossed (`ptest-mon`): which, its limit and the value seen.
#[derive(Debug, Clone, Deserialize)]
pub struct Threshold {
    pub resource: Text,
    pub name: Option<Text>,
    pub threshold: ThresholdName,
    pub limit: Amount,
    pub value: Amount,
    pub t: Option<Time>,
    pub elapsed: Option<Amount>,
    pub killed: Option<bool>,
}

/// The thresholds `ptest-mon` enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThresholdName {
    MaxMemory,
    MaxCpu,
    MaxProcs,
    MaxDuration,
}

impl ThresholdName {
    pub const ALL: [ThresholdName; 4] = [
        ThresholdName::MaxMemory,
        ThresholdName::MaxCpu,
        ThresholdName::MaxProcs,
        ThresholdName::MaxDuration,
    ];
    /// The flag's (and the config key's) name: `max-memory`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThresholdName::MaxMemory => "max-memory",
            ThresholdName::MaxCpu => "max-cpu",
            ThresholdName::MaxProcs => "max-procs",
            ThresholdName::MaxDuration => "max-duration",
        }
    }
}

/// What one monitored run or resource cost (`ptest-mon`), written last.
#[derive(Debug, Clone, Deserialize)]
pub struct Summary {
    pub resource: Text,
    pub name: Option<Text>,
    pub command: Option<Vec<Text>>,
    pub wall_seconds: Amount,
    pub cpu_user_seconds: Option<Amount>,
    pub cpu_system_seconds: Option<Amount>,
    pub memory_peak: Option<Amount>,
    pub memory_peak_source: Option<Text>,
    pub procs_peak: Option<Amount>,
    pub io_read_bytes: Option<Amount>,
    pub io_write_bytes: Option<Amount>,
    pub oom_kills: Option<Amount>,
    pub exit_code: Option<i32>,
    pub samples: Option<Amount>,
}

/// A monitored run's registry entry (`ptest-mon`): its cgroup and logs.
#[derive(Debug, Clone, Deserialize)]
pub struct MonRun {
    pub id: ResourceId,
    pub pid: Option<Pid>,
    pub dir: Option<AbsPath>,
    pub cgroup: Option<Vec<AbsPath>>,
}

/// A snapshot (`ptest-snap`): the directory it was taken of (`source`),
/// or the ptest container (`container`, a `container-…` id), one of them;
/// and what it holds.
#[derive(Debug, Clone, Deserialize)]
pub struct Snapshot {
    pub id: ResourceId,
    pub source: Option<AbsPath>,
    pub container: Option<ResourceId>,
    pub name: Option<Text>,
    pub files: Option<u64>,
    pub bytes: Option<u64>,
    pub bytes_new: Option<u64>,
    pub bytes_hashed: Option<u64>,
    /// The ptest venv it was taken of (its `source` is the venv's directory).
    pub venv: Option<ResourceId>,
}

impl Snapshot {
    /// Its id, once it names exactly one of a source and a container.
    pub(super) fn checked(self) -> Result<ResourceId, String> {
        match (&self.source, &self.container) {
            (None, None) => Err("a snapshot names its source or its container".into()),
            (Some(_), Some(_)) => {
                Err("a snapshot names its source or its container, not both".into())
            }
            (None, Some(c)) if id_kind(c.get()) != Some("container") => Err(format!(
                "container: {:?} is not a container id (container-[a-z0-9]+)",
                c.get()
            )),
            _ => match &self.venv {
                Some(v) if id_kind(v.get()) != Some("venv") => Err(format!(
                    "venv: {:?} is not a venv id (venv-[a-z0-9]+)",
                    v.get()
                )),
                _ => Ok(self.id),
            },
        }
    }
}

/// An overlay mount of a snapshot (`ptest-snap restore --mode overlay`):
/// where it is mounted, and the layers under the state directory.
#[derive(Debug, Clone, Deserialize)]
pub struct Overlay {
    pub id: ResourceId,
    pub snapshot: ResourceId,
    pub path: AbsPath,
    pub lower: Option<AbsPath>,
    pub upper: Option<AbsPath>,
    pub work: Option<AbsPath>,
    pub made_dir: Option<bool>,
    pub mnt_ns: Option<u64>,
}

/// A failure travelling down a pipeline: the last record a failed stage
/// writes. `code` and `exit` default to `failed` and 1 for plugins that
/// write only a message.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorRecord {
    pub code: Option<Text>,
    pub exit: Option<FailureCode>,
    pub message: Text,
    pub hint: Option<Text>,
    pub tool: Option<ToolName>,
}

impl ErrorRecord {
    /// The exit code the failure calls for.
    pub fn exit_code(&self) -> i32 {
        self.exit.as_ref().map_or(1, |c| i32::from(*c.get()))
    }
}
