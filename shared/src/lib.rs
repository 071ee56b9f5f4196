//! The common crate of the ptest suite: one place for each mechanism the
//! tools share.
//!
//! - [`record`], [`kinds`] and [`stream`]: the v1 JSON Lines record
//!   protocol, the suite's typed record kinds, reading streams.
//! - [`output`]: human views, JSON records, colour and progress.
//! - [`error`]: errors and the suite's exit codes; [`cli`]: the shared `main`;
//!   [`fault`]: faults injected for the stress suite's self-test (feature
//!   `fault-injection`, test builds only).
//! - [`state`] and [`registry`]: the state directory, locks, live resources;
//!   [`staging`]: building beside a target and renaming into place.
//! - [`owner`]: who keeps a resource alive, `--owner`/`--ttl`, liveness.
//! - [`config`] and [`hooks`]: `ptest.toml` and event hooks; [`http`]: the
//!   plain-HTTP client of readiness checks.
//! - [`interrupt`]: Ctrl-C that lets a command undo what it made;
//!   [`environ`]: a command's environment from a stream, finding its program.
//! - [`checks`]: what `doctor` reports; [`tools`]: finding tools and plugins; [`teardown`]: removing resources
//!   through their tools; [`probe`]: what this machine offers; [`reflink`]:
//!   copy-on-write copies of files; [`units`]:
//!   sizes as users write them; [`venv`]: a virtual environment as the tools
//!   that make one see it (its notes, relocation, its record; feature `venv`).

pub mod cgroup;
pub mod checks;
pub mod cli;
pub mod config;
#[cfg(feature = "docker")]
pub mod docker;
pub mod environ;
pub mod error;
pub mod fault;
pub mod hooks;
pub mod http;
pub mod interrupt;
pub mod kinds;
pub mod output;
pub mod owner;
pub mod probe;
#[cfg(feature = "ready")]
pub mod ready;
pub mod record;
pub mod reflink;
pub mod registry;
pub mod staging;
pub mod state;
pub mod stream;
pub mod teardown;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod tools;
pub mod units;
#[cfg(feature = "venv")]
pub mod venv;

pub use error::{Error, Exit, Result};
pub use record::Record;
