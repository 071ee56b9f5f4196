//! `ptest docker doctor`: whether a Docker engine answers, which, and with
//! which API version.

use ptest_shared::Result;
use ptest_shared::checks::{Check, report};

/// Runs the check and reports it.
pub fn run(json: bool) -> Result<i32> {
    report(json, &[docker_check()])
}

fn docker_check() -> Check {
    match ptest_shared::docker::engine_facts() {
        Ok(f) => {
            let what = f.platform.as_deref().unwrap_or("engine");
            Check::ok(
                "docker",
                format!(
                    "{what} {}, API {} at {}",
                    f.version, f.api_version, f.endpoint
                ),
            )
            .with("endpoint", f.endpoint.as_str())
            .with("version", f.version.as_str())
            .with("api_version", f.api_version.as_str())
        }
        Err(e) => {
            let hint = match &e.hint {
                Some(h) if h.contains("DOCKER_HOST") => h.clone(),
                Some(h) => format!("{h}; or set DOCKER_HOST to the engine's address"),
                None => "start the Docker engine or set DOCKER_HOST to its address".to_owned(),
            };
            Check::fail("docker", e.message, hint)
        }
    }
}
