//! The host firewall of isolated networks: `iptables` rules that close the
//! host itself to a network's containers.
//!
//! `internal` is Docker's `--internal`: no route out of the network (the
//! engine drops forwarded traffic leaving the subnet). That still lets a
//! container reach every service of the *host itself* that listens on
//! 0.0.0.0 (or `::`), through the bridge's gateway address: such packets
//! are delivered locally (the INPUT chain), never forwarded.
//!
//! `isolated` is internal plus that hole closed: the containers of the
//! network reach each other and nothing else, neither the outside, nor
//! other networks, nor the host. ptest names the bridge itself (the network
//! option `com.docker.network.bridge.name`, `ptest-br<random>`) and, right
//! after creating the network, inserts first in the INPUT chain
//! ([`install_firewall`])
//!
//! ```text
//! iptables  -I INPUT -i <bridge> -m conntrack ! --ctstate ESTABLISHED,RELATED \
//!           -m comment --comment ptest:<network id, 12> -j DROP
//! ip6tables (the same)
//! ```
//!
//! (ip6tables when the host has IPv6: containers have link-local addresses,
//! and so does the bridge). [`crate::network::remove`] removes the network,
//! then every rule carrying its comment ([`remove_firewall`]);
//! [`sweep_firewall`] (called by `gc`) removes rules whose network is gone.
//! When the rules cannot be installed (no iptables, not root, a remote or
//! rootless engine whose bridge this host cannot see), the network is still
//! made, internal, a loud warning on stderr says that the host's services
//! stay reachable and why ([`warn_not_isolated`]), and the record carries
//! `"firewall": false`.

use crate::engine::Engine;
use crate::network::list_networks;
use ptest_shared::Result;
use std::net::Ipv4Addr;
use std::path::Path;
use std::process::Command;

const FIREWALLS: [&str; 2] = ["iptables", "ip6tables"];

/// `ptest:<first 12 characters of the engine id>`.
pub(crate) fn comment_of(engine_id: &str) -> String {
    format!("ptest:{}", &engine_id[..engine_id.len().min(12)])
}

/// Runs an iptables binary (waiting for the xtables lock); its stdout, or
/// why it failed.
fn iptables(bin: &str, args: &[&str]) -> std::result::Result<String, String> {
    let out = Command::new(bin)
        .arg("-w")
        .arg("5")
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{bin} is not installed")
            } else {
                format!("cannot run {bin}: {e}")
            }
        })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    // iptables-nft warns about legacy tables on every call: not the reason.
    let err: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("# Warning") && !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    Err(format!(
        "`{bin} {}` failed ({}): {}",
        args.join(" "),
        out.status,
        if err.is_empty() {
            "no message".to_owned()
        } else {
            err.join("; ")
        }
    ))
}

/// Drops every connection the bridge's containers open to the host itself
/// (answers to connections the host opened pass).
pub(crate) fn install_firewall(bridge: &str, engine_id: &str) -> std::result::Result<(), String> {
    if !Path::new("/sys/class/net").join(bridge).exists() {
        return Err(format!(
            "its bridge {bridge} is not visible from here: the engine runs on another host, \
in a VM or rootless, so this host's firewall cannot guard it"
        ));
    }
    let comment = comment_of(engine_id);
    let rule = [
        "-I",
        "INPUT",
        "-i",
        bridge,
        // Answers to connections the host opened (readiness probes, tests
        // talking to a container's address) still come back.
        "-m",
        "conntrack",
        "!",
        "--ctstate",
        "ESTABLISHED,RELATED",
        "-m",
        "comment",
        "--comment",
        &comment,
        "-j",
        "DROP",
    ];
    iptables("iptables", &rule)?;
    // With IPv6 on, the bridge and the containers have link-local addresses:
    // a service listening on `::` is reachable through them.
    if Path::new("/proc/sys/net/ipv6").exists() {
        iptables("ip6tables", &rule).map_err(|e| format!("IPv4 is closed, but not IPv6: {e}"))?;
    }
    Ok(())
}

pub(crate) fn warn_not_isolated(name: &str, gateway: Ipv4Addr, why: &str) {
    let bar = "!".repeat(72);
    eprintln!(
        "ptest-docker: {bar}\n\
ptest-docker: WARNING: network {name} is internal but NOT isolated from this host.\n\
ptest-docker: Its containers can still reach every host service listening on 0.0.0.0\n\
ptest-docker: (or ::) through {gateway}: the firewall rule could not be set.\n\
ptest-docker: Why: {why}\n\
ptest-docker: Fix: run as root (or with CAP_NET_ADMIN) on the engine's host, with iptables.\n\
ptest-docker: {bar}"
    );
}

/// A `ptest:` rule of the INPUT chain, as `iptables -S` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    /// The first 12 characters of its network's engine id.
    id12: String,
    /// The rule's specification after `-A INPUT`.
    spec: Vec<String>,
}

/// The `ptest:` rules of an `iptables -S INPUT` listing.
fn parse_rules(text: &str) -> Vec<Rule> {
    text.lines()
        .filter_map(|line| {
            let words = split_words(line);
            let spec = match words.as_slice() {
                [a, chain, rest @ ..] if a == "-A" && chain == "INPUT" => rest.to_vec(),
                _ => return None,
            };
            let at = spec.iter().position(|w| w == "--comment")?;
            let id12 = spec.get(at + 1)?.strip_prefix("ptest:")?;
            (id12.len() == 12 && is_engine_id(id12)).then(|| Rule {
                id12: id12.to_owned(),
                spec: spec.clone(),
            })
        })
        .collect()
}

/// Splits an `iptables -S` line into words: double quotes group, and a
/// backslash escapes the next character.
fn split_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.extend(chars.next());
                in_word = true;
            }
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

fn delete_rule(bin: &str, rule: &Rule) -> std::result::Result<(), String> {
    let mut args = vec!["-D", "INPUT"];
    args.extend(rule.spec.iter().map(String::as_str));
    iptables(bin, &args).map(drop)
}

/// Removes every rule of this network; a failure is a warning only (the
/// network is gone, and `gc` sweeps what is left).
pub(crate) fn remove_firewall(engine_id: &str) {
    let comment = comment_of(engine_id);
    for bin in FIREWALLS {
        let Ok(text) = iptables(bin, &["-S", "INPUT"]) else {
            continue;
        };
        for rule in parse_rules(&text) {
            if comment_of(&rule.id12) != comment {
                continue;
            }
            if let Err(e) = delete_rule(bin, &rule) {
                eprintln!(
                    "ptest-docker: warning: cannot remove the {bin} rule {comment}: {e} (`ptest docker gc` retries)"
                );
            }
        }
    }
}

/// Whether `id` looks like (a prefix of) an engine id: 12 or more hex digits.
pub(crate) fn is_engine_id(id: &str) -> bool {
    id.len() >= 12 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Removes the `ptest:` firewall rules whose network the engine no longer
/// has (left by a crash, or by a network removed outside ptest). Returns how
/// many rules went.
pub fn sweep_firewall(engine: &Engine) -> Result<usize> {
    // Rules first, networks second: a rule listed belongs to a network that
    // existed before the listing, so a network made meanwhile never loses
    // its rule.
    let mut rules = Vec::new();
    for bin in FIREWALLS {
        if let Ok(text) = iptables(bin, &["-S", "INPUT"]) {
            rules.extend(parse_rules(&text).into_iter().map(|r| (bin, r)));
        }
    }
    if rules.is_empty() {
        return Ok(0);
    }
    let ids: Vec<String> = list_networks(engine)?
        .into_iter()
        .filter_map(|n| n.id)
        .collect();
    let mut n = 0;
    for (bin, rule) in rules {
        if ids.iter().any(|id| id.starts_with(&rule.id12)) {
            continue;
        }
        match delete_rule(bin, &rule) {
            Ok(()) => n += 1,
            Err(e) => eprintln!(
                "ptest-docker: warning: cannot remove the {bin} rule of gone network {}: {e}",
                rule.id12
            ),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ptest_rules_are_found_in_a_listing() {
        let text = "-P INPUT ACCEPT\n\
-A INPUT -i ptest-brabcdefg -m comment --comment \"ptest:0123456789ab\" -j DROP\n\
-A INPUT -i eth0 -m comment --comment \"keep me\" -j ACCEPT\n\
-A INPUT -i ptest-brx -m comment --comment ptest:notanid -j DROP\n\
-A FORWARD -i x -m comment --comment ptest:0123456789ab -j DROP\n";
        let rules = parse_rules(text);
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].id12, "0123456789ab");
        assert_eq!(
            rules[0].spec,
            [
                "-i",
                "ptest-brabcdefg",
                "-m",
                "comment",
                "--comment",
                "ptest:0123456789ab",
                "-j",
                "DROP"
            ]
        );
        assert_eq!(split_words(r#"a "b c" d\"e"#), ["a", "b c", "d\"e"]);
    }
}
