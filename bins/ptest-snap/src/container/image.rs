//! The image a container snapshot keeps: committed, or the container's own
//! image tagged when its filesystem is unchanged; removed with the
//! snapshot, and by `gc` with the fill containers a killed restore left.

use super::*;

/// The `sha256:` image an engine error of which means it is gone.
pub(crate) fn remove_image(engine: &Engine, image: &str) -> Result<()> {
    let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(true)
        .build();
    match engine.block_on(engine.docker.remove_image(image, Some(opts), None)) {
        Ok(_) => Ok(()),
        Err(e) if ptest_docker::engine::is_gone(&e) => Ok(()),
        Err(e) => Err(ptest_docker::engine::error(
            &format!("cannot remove image {image}"),
            &e,
        )),
    }
}

/// Removes the snapshot's tag `tag` of an image it did not make: the
/// image itself goes only when no other tag names it and no container
/// uses it.
pub(crate) fn untag(engine: &Engine, tag: &str) -> Result<()> {
    let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default()
        .force(false)
        .noprune(true)
        .build();
    match engine.block_on(engine.docker.remove_image(tag, Some(opts), None)) {
        Ok(_) => Ok(()),
        Err(e) if ptest_docker::engine::is_gone(&e) => Ok(()),
        Err(e) => Err(ptest_docker::engine::error(
            &format!("cannot remove tag {tag}"),
            &e,
        )),
    }
}

/// An image this command committed (or a tag it gave): removed again
/// unless kept.
pub(crate) struct MadeImage<'a> {
    pub(crate) engine: &'a Engine,
    /// The committed image's id, or the tag given.
    pub(crate) id: Option<String>,
    pub(crate) tagged: bool,
}

impl Drop for MadeImage<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = if self.tagged {
                untag(self.engine, &id)
            } else {
                remove_image(self.engine, &id)
            };
        }
    }
}

/// The image of a snapshot: committed, or the container's own, tagged.
pub(crate) struct Image {
    pub(crate) id: String,
    pub(crate) tagged: bool,
    pub(crate) cmd: Option<Vec<String>>,
    pub(crate) env: Vec<String>,
}

/// Commits container `cid` as `tag`, unless [`tag_unchanged`] finds its
/// filesystem unchanged.
pub(crate) fn take_image(
    engine: &Engine,
    cid: &str,
    info: &bollard::models::ContainerInspectResponse,
    tag: &str,
    labels: HashMap<String, String>,
    pause: bool,
) -> Result<Image> {
    if let Some(i) = tag_unchanged(engine, cid, info, tag)? {
        return Ok(i);
    }
    let i = api::commit_labelled(engine, cid, tag, labels, pause)?;
    Ok(Image {
        id: i.id,
        tagged: false,
        cmd: None,
        env: Vec::new(),
    })
}

/// The container's own image, given the tag `tag`, when the engine's
/// `GET /containers/{id}/changes` lists nothing but the mount points it
/// made (each mount's destination and the directories on its way, the
/// init binary's `/sbin/docker-init`), the container has the image's
/// entrypoint, working directory and user, and the image has a tag of its
/// own (an image known only by its id is committed: removing the
/// snapshot's tag could remove it). `None`: commit.
pub(crate) fn tag_unchanged(
    engine: &Engine,
    cid: &str,
    info: &bollard::models::ContainerInspectResponse,
    tag: &str,
) -> Result<Option<Image>> {
    use bollard::models::ChangeType;
    let Some(image) = info.image.clone() else {
        return Ok(None);
    };
    let Ok(changes) = engine.block_on(engine.docker.container_changes(cid)) else {
        return Ok(None);
    };
    let host = info.host_config.clone().unwrap_or_default();
    let mut dests: Vec<String> = info
        .mounts
        .iter()
        .flatten()
        .filter_map(|m| m.destination.clone())
        .collect();
    dests.extend(host.tmpfs.unwrap_or_default().into_keys());
    if host.init == Some(true) {
        dests.push("/sbin/docker-init".into());
    }
    let mut made = HashSet::new();
    for d in &dests {
        let mut p = Path::new(d);
        while p != Path::new("/") && !p.as_os_str().is_empty() {
            made.insert(p.to_string_lossy().into_owned());
            p = p.parent().unwrap_or(Path::new("/"));
        }
    }
    if !changes
        .unwrap_or_default()
        .iter()
        .all(|c| c.kind != ChangeType::_2 && made.contains(&c.path))
    {
        return Ok(None);
    }
    let Ok(ii) = engine.block_on(engine.docker.inspect_image(&image)) else {
        return Ok(None);
    };
    let ic = ii.config.unwrap_or_default();
    let cc = info.config.clone().unwrap_or_default();
    let own_tag = ii
        .repo_tags
        .unwrap_or_default()
        .iter()
        .any(|t| !t.starts_with("ptest-snap/") && !t.starts_with("<none>"));
    if !own_tag
        || cc.entrypoint != ic.entrypoint
        || cc.working_dir.unwrap_or_default() != ic.working_dir.unwrap_or_default()
        || cc.user.unwrap_or_default() != ic.user.unwrap_or_default()
    {
        return Ok(None);
    }
    let (repo, t) = tag.rsplit_once(':').unwrap_or((tag, "latest"));
    let opts = bollard::query_parameters::TagImageOptionsBuilder::default()
        .repo(repo)
        .tag(t)
        .build();
    engine
        .block_on(engine.docker.tag_image(&image, Some(opts)))
        .map_err(|e| ptest_docker::engine::error(&format!("cannot tag {image} as {tag}"), &e))?;
    let image_env = ic.env.unwrap_or_default();
    Ok(Some(Image {
        id: ii.id.unwrap_or(image),
        tagged: true,
        cmd: cc.cmd.filter(|c| Some(c) != ic.cmd.as_ref()),
        env: cc
            .env
            .unwrap_or_default()
            .into_iter()
            .filter(|e| !image_env.contains(e))
            .collect(),
    }))
}

/// For `gc` (the store lock held exclusively): removes the images
/// committed for snapshots that are no longer registered (a `create` that
/// died, an `rm` whose image was still in use), and the containers that
/// fill read-only volumes left by a restore or reset that was killed —
/// only those labelled for this store's state directory (`home`): another
/// state directory's are its own gc's. Nothing when no engine answers.
pub fn gc_engine(live: &HashSet<String>, home: &str) -> u64 {
    let ours = |l: &HashMap<String, String>| l.get(HOME_LABEL).map(String::as_str) == Some(home);
    let Ok(engine) = connect() else {
        return 0;
    };
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&HashMap::from([("label", vec![IMAGE_LABEL])]))
        .build();
    let Ok(images) = engine.block_on(engine.docker.list_images(Some(opts))) else {
        return 0;
    };
    let mut removed = 0;
    // The containers that fill read-only volumes (labelled, never
    // started): one exists only while a restore or reset holds the store
    // lock shared, so any seen under gc's exclusive lock was left by one
    // that was killed.
    let opts = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&HashMap::from([("label", vec![IMAGE_LABEL])]))
        .build();
    for c in engine
        .block_on(engine.docker.list_containers(Some(opts)))
        .unwrap_or_default()
    {
        let fill = ours(&c.labels.clone().unwrap_or_default())
            && c.names
                .iter()
                .flatten()
                .any(|n| n.starts_with(FILL_PREFIX) || n.starts_with(&format!("/{FILL_PREFIX}")));
        if let Some(id) = c.id.filter(|_| fill)
            && api::remove_object(&engine, ObjectKind::Container, &id).is_ok()
        {
            removed += 1;
        }
    }
    for i in images {
        if let Some(snap) = i.labels.get(IMAGE_LABEL)
            && ours(&i.labels)
            && !live.contains(snap)
            && remove_image(&engine, &i.id).is_ok()
        {
            removed += 1;
        }
    }
    // The tags given to images of unchanged containers (no label: the
    // image is not ours): the tag goes, the image stays while named.
    let opts = bollard::query_parameters::ListImagesOptionsBuilder::default()
        .filters(&HashMap::from([("reference", vec!["ptest-snap/*"])]))
        .build();
    let images = engine
        .block_on(engine.docker.list_images(Some(opts)))
        .unwrap_or_default();
    for i in images {
        if i.labels.contains_key(IMAGE_LABEL) {
            continue;
        }
        for t in &i.repo_tags {
            if let Some(snap) = t
                .strip_prefix("ptest-snap/")
                .and_then(|r| r.strip_suffix(":latest"))
                && snap.starts_with("snapshot-")
                && !live.contains(snap)
                && untag(&engine, t).is_ok()
            {
                removed += 1;
            }
        }
    }
    removed
}
