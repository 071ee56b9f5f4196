//! What a container snapshot keeps of its container (the manifest's
//! [`Origin`]: image, settings, volumes), checked before use, and the
//! volumes' owners kept on the manifest's entries.

use super::*;

/// What the snapshot came from, kept in its manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The ptest id of the container (what `reset` acts on).
    pub id: String,
    /// The committed image (`sha256:…`).
    pub image: String,
    /// Its tag.
    pub tag: String,
    /// The container's ptest name.
    pub name: String,
    pub network: String,
    /// The network is one `ptest docker create --network isolated` made
    /// (registered when the snapshot was taken).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub isolated: bool,
    /// `default` or `strict`.
    pub security: String,
    pub ports: Vec<Port>,
    pub memory_bytes: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub pids: Option<i64>,
    pub tmpfs: Vec<String>,
    pub volumes: Vec<Volume>,
    /// The readiness checks it was made with (the registry's record), waited
    /// for again by restore and reset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<Ready>,
    /// The filesystem had no change but the mount points the engine made:
    /// `image` is the container's own image, given the tag `tag` for the
    /// snapshot (which keeps it), not a committed one; `cmd` and `env` are
    /// then what the container had beyond its image (a commit keeps them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tagged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
}

/// `ptest docker create`'s `--ready-*` checks, every port a container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    pub timeout_ms: u64,
}

impl Ready {
    /// The registry's `ready` of a container record (validated when read).
    pub(crate) fn of(r: &ptest_shared::kinds::ContainerReady) -> Ready {
        Ready {
            port: r.port.as_ref().map(|p| *p.get()),
            log: r.log.as_ref().map(|l| l.get().clone()),
            http: r.http.as_ref().map(|h| h.get().clone()),
            cmd: r.cmd.as_ref().map(|c| c.get().clone()),
            timeout_ms: r
                .timeout_ms
                .as_ref()
                .map(|t| *t.get())
                .unwrap_or(ptest_shared::ready::DEFAULT_TIMEOUT.as_millis() as u64),
        }
    }

    /// The same checks as `create`'s flags (parsed, and so checked again,
    /// by create's own plan).
    pub(crate) fn args(&self) -> ptest_shared::ready::ReadyArgs {
        ptest_shared::ready::ReadyArgs {
            ready_port: self.port.map(|p| p.to_string()),
            ready_log: self.log.clone(),
            ready_http: self.http.clone(),
            ready_cmd: self.cmd.clone(),
            ready_timeout: std::time::Duration::from_millis(self.timeout_ms.max(1)),
        }
    }
}

/// A published port: the container's side (the host's is chosen anew).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub container_port: u16,
    pub proto: String,
}

/// A volume (or host directory) mounted in the container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Where it is mounted.
    pub destination: String,
    /// The directory entry of the manifest its tree is below (`v0`).
    pub prefix: String,
    /// `volume` or `bind`.
    pub kind: String,
    pub read_only: bool,
    /// Manifests written before the entries kept the volumes' owners had
    /// them here: the owner (uid, gid) of the volume's root and of most of
    /// its entries, and (`owners`) the entries owned by someone else, by
    /// path below `prefix`. Read, turned into the entries' owners when the
    /// manifest is read ([`convert_old_owners`]), never written.
    #[serde(default, skip_serializing)]
    pub owner: Option<(u32, u32)>,
    #[serde(default, skip_serializing)]
    pub owners: Vec<(Bytes, u32, u32)>,
}

/// Gives the (synthetic) root of a container's manifest the owner most of
/// `entries` have (`0:0` when there are none), and keeps on each entry, all
/// of which have their full owner, only what differs from it (see
/// [`Manifest::compact_ids`]).
pub(crate) fn compact_owners(root: &mut Root, entries: &mut [Entry]) {
    let mut counts: std::collections::BTreeMap<(u32, u32), usize> = Default::default();
    for e in entries.iter() {
        if let (Some(u), Some(g)) = e.ids() {
            *counts.entry((u, g)).or_default() += 1;
        }
    }
    // The most common; of equally common ones, the lowest ids.
    let (uid, gid) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(o, _)| *o)
        .unwrap_or((0, 0));
    (root.uid, root.gid) = (Some(uid), Some(gid));
    for e in entries.iter_mut() {
        if let (Some(u), Some(g)) = e.ids() {
            Manifest::compact_ids(root, e, (u, g));
        }
    }
}

/// Turns the owners a manifest written before the entries kept volumes'
/// owners has in its container origin (each [`Volume`]'s `owner` and
/// `owners`) into the entries' uid/gid, as a manifest written now has
/// them; every other manifest is left as it is. Called wherever a
/// manifest is read (the store, an import), after it was checked.
pub fn convert_old_owners(m: &mut Manifest) -> Result<()> {
    let Some(o) = m.container.as_mut() else {
        return Ok(());
    };
    if o.volumes
        .iter()
        .all(|v| v.owner.is_none() && v.owners.is_empty())
    {
        return Ok(());
    }
    let bad = |why: &str| Error::data(format!("snapshot {}: its manifest: {why}", m.id));
    if o.volumes.iter().any(|v| v.owner.is_none())
        || m.root.owner().is_some()
        || m.entries.iter().any(|e| e.ids() != (None, None))
    {
        return Err(bad(
            "volume owners both in the container's volumes and in the entries (or in some volumes only)",
        ));
    }
    for v in &mut o.volumes {
        let owner = v.owner.take().expect("checked above");
        let owners: HashMap<Vec<u8>, (u32, u32)> = std::mem::take(&mut v.owners)
            .into_iter()
            .map(|(p, u, g)| (p.0, (u, g)))
            .collect();
        let pre = v.prefix.as_bytes();
        for e in &mut m.entries {
            let p = &e.path().0;
            let rel: &[u8] = if p.as_slice() == pre {
                b""
            } else {
                match p.strip_prefix(pre) {
                    Some([b'/', rest @ ..]) => rest,
                    _ => continue,
                }
            };
            let (u, g) = owners.get(rel).copied().unwrap_or(owner);
            e.set_ids(Some(u), Some(g));
        }
    }
    compact_owners(&mut m.root, &mut m.entries);
    m.check().map_err(|e| bad(&e))
}

pub(crate) fn origin(m: &Manifest) -> Result<&Origin> {
    let o = m
        .container
        .as_ref()
        .ok_or_else(|| Error::internal("not a container snapshot"))?;
    check_origin(o).map_err(|e| {
        Error::data(format!(
            "snapshot {}: its manifest's container: {}: nothing done",
            m.id, e.message
        ))
        .hint("the manifest was changed after the snapshot was taken: `ptest snap verify`, or take the snapshot again")
    })?;
    Ok(o)
}

/// A path inside the container to mount on or fill: absolute, normal
/// (no `.`, `..` or empty component), not `/` itself, and nothing that a
/// mount's `SRC:DST:MODE` or the engine's URLs would read otherwise.
pub(crate) fn check_container_path(what: &str, p: &str) -> Result<()> {
    let bad = |why: &str| Error::data(format!("{what} {p:?}: {why}"));
    let Some(rest) = p.strip_prefix('/') else {
        return Err(bad("not an absolute path"));
    };
    if rest.is_empty() {
        return Err(bad("the container's root is not a mount point"));
    }
    if p.len() > 4096 {
        return Err(bad("longer than a path can be"));
    }
    if rest
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err(bad("not a normal path (an empty, '.' or '..' component)"));
    }
    if p.bytes()
        .any(|b| b.is_ascii_control() || b == b':' || b == b',')
    {
        return Err(bad("holds a ':', ',' or a control character"));
    }
    Ok(())
}

/// Everything a restore or reset takes from the manifest's origin,
/// checked as if a user had typed it (the state dir is the user's, but a
/// manifest is data): the ids, the image, the network, the mounts.
pub(crate) fn check_origin(o: &Origin) -> Result<()> {
    use ptest_shared::kinds;
    let id_ok = o.id.strip_prefix("container-").is_some_and(|r| {
        !r.is_empty()
            && r.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !id_ok {
        return Err(Error::data(format!("{:?} is not a container id", o.id)));
    }
    kinds::ImageId::parse(o.image.clone()).map_err(Error::data)?;
    let tag_ok = o
        .tag
        .strip_prefix("ptest-snap/snapshot-")
        .and_then(|r| r.strip_suffix(":latest"))
        .is_some_and(|r| {
            !r.is_empty()
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if !tag_ok {
        return Err(Error::data(format!("{:?} is not a snapshot's tag", o.tag)));
    }
    for e in &o.env {
        if !e.contains('=') || e.starts_with('=') || e.contains('\0') {
            return Err(Error::data(format!("env {e:?}: not K=V")));
        }
    }
    if o.cmd.iter().flatten().any(|a| a.contains('\0')) {
        return Err(Error::data("cmd: an argument holds a NUL"));
    }
    kinds::check_engine_name(&o.network).map_err(|e| Error::data(format!("network: {e}")))?;
    if !matches!(o.security.as_str(), "default" | "strict") {
        return Err(Error::data(format!("security {:?}", o.security)));
    }
    for p in &o.ports {
        if p.container_port == 0 || !matches!(p.proto.as_str(), "tcp" | "udp") {
            return Err(Error::data(format!(
                "port {}/{}",
                p.container_port, p.proto
            )));
        }
    }
    for t in &o.tmpfs {
        check_container_path("tmpfs", t)?;
    }
    let mut seen = HashSet::new();
    for (i, v) in o.volumes.iter().enumerate() {
        check_container_path("volume", &v.destination)?;
        if v.prefix != format!("v{i}") {
            return Err(Error::data(format!(
                "volume {}: its entries are under {:?}, not v{i}",
                v.destination, v.prefix
            )));
        }
        if !seen.insert(v.destination.as_str()) {
            return Err(Error::data(format!(
                "volume {} is mounted twice",
                v.destination
            )));
        }
    }
    Ok(())
}
