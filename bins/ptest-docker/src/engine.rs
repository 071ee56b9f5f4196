//! The engine, for one invocation: a bollard client with its API version
//! negotiated, and the runtime that drives it (the tools are synchronous).

use bollard::Docker;
use ptest_shared::{Error, Result};
use std::future::Future;

pub struct Engine {
    pub docker: Docker,
    rt: tokio::runtime::Runtime,
    /// The negotiated API version, `(1, 41)`.
    pub api: (u32, u32),
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Engine(API {}.{})", self.api.0, self.api.1)
    }
}

impl Engine {
    /// Connects as `ptest_shared::docker::connect` does (exit 69 naming
    /// every endpoint tried when none answers).
    pub fn connect() -> Result<Engine> {
        let rt = ptest_shared::docker::runtime()?;
        let docker = rt.block_on(ptest_shared::docker::connect())?;
        let v = docker.client_version();
        let api = (
            v.major_version.try_into().unwrap_or(1),
            v.minor_version.try_into().unwrap_or(0),
        );
        Ok(Engine { docker, rt, api })
    }

    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Exit 69 naming both versions when the engine's API is older than
    /// `min`, which `feature` needs.
    pub fn require_api(&self, min: (u32, u32), feature: &str) -> Result<()> {
        if self.api >= min {
            return Ok(());
        }
        Err(Error::unavailable(format!(
            "{feature} needs Docker API {}.{}; this engine speaks {}.{}",
            min.0, min.1, self.api.0, self.api.1
        ))
        .hint("upgrade the engine, or leave the option out"))
    }
}

/// The HTTP status of an engine error, when it has one.
pub fn status(e: &bollard::errors::Error) -> Option<u16> {
    match e {
        bollard::errors::Error::DockerResponseServerError { status_code, .. } => Some(*status_code),
        _ => None,
    }
}

/// The engine's message for an error (without bollard's wrapping).
pub fn message(e: &bollard::errors::Error) -> String {
    match e {
        bollard::errors::Error::DockerResponseServerError { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Maps an engine error to an exit code: 404 is a missing object (66), 409
/// a conflict (75, worth a retry), a request the engine refuses (400) bad
/// input (65), anything else an unavailable engine (69).
pub fn error(what: &str, e: &bollard::errors::Error) -> Error {
    let msg = format!("{what}: {}", message(e));
    match status(e) {
        Some(404) => Error::no_input(msg),
        Some(409) => Error::temp_fail(msg),
        Some(400) => Error::data(msg),
        _ => Error::unavailable(msg),
    }
}

/// Whether an engine error says the object is gone already.
pub fn is_gone(e: &bollard::errors::Error) -> bool {
    status(e) == Some(404)
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_old_api_is_69_naming_both_versions() {
        // No engine is contacted: an Engine with a made-up negotiated version.
        let rt = ptest_shared::docker::runtime().unwrap();
        let docker = bollard::Docker::connect_with_http(
            "http://127.0.0.1:9",
            1,
            bollard::API_DEFAULT_VERSION,
        )
        .unwrap();
        let e = super::Engine {
            docker,
            rt,
            api: (1, 24),
        };
        assert!(e.require_api((1, 24), "x").is_ok());
        let err = e.require_api((1, 25), "--cpus").unwrap_err();
        assert_eq!(err.exit.code(), 69);
        assert!(
            err.message.contains("1.25")
                && err.message.contains("1.24")
                && err.message.contains("--cpus"),
            "{}",
            err.message
        );
    }
}
