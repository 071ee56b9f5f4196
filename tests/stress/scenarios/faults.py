"""Scenario 5: faults. Each in a state directory of its own, holding a few
resources first (a port lease, a venv, a snapshot; a container where the
engine is concerned), so that "nothing lost of what was there" can be
checked byte for byte:

- full disk: the state directory on a small tmpfs, filled up; then while
  one snapshot is being written;
- read-only: the state directory remounted read-only;
- engine away: ptest talks to the engine through a TCP hop that drops
  every connection in the middle of a `docker create --count` (the shared
  engine itself is never touched);
- corrupt entry: registry entries overwritten with garbage.

Every command must fail with the exit code docs/protocol.md gives (73 for
a disk that is full or read-only, 69 for an engine that is gone), say so on
stderr and with an `error` record, lose nothing, and leave nothing once the
fault is gone and `ptest gc` has run.
"""
import hashlib
import os
import signal
import subprocess
import time

from dockerhop import DockerHop
from engine import Engine
from harness import Failure, log, require
from scenarios import Checked


def exits(c, res, codes, what, record=True, out_file=None):
    """A command that must end with one of `codes`, and say why: a line on
    stderr and (but where stdout is a command's: `proc run` without
    --json) an `error` record as the last line of stdout."""
    c.result.setdefault("exits", {})[what] = res.rc
    ok = c.check(res.rc in codes, f"{what}: exit {res.rc}, expected {' or '.join(map(str, codes))}: "
                                  f"{res.err.strip()[-400:]!r}")
    if res.rc != 0:
        recs = _records(out_file) if out_file else res.records
        last = recs[-1] if recs else None
        if record:
            c.check(last is not None and last.get("kind") == "error" and last.get("exit") == res.rc,
                    f"{what}: exit {res.rc} without an error record saying so as the last line of stdout ({last})")
        c.check("error:" in res.err, f"{what}: exit {res.rc} without an error line on stderr")
    return ok


def fill(path, limit=None):
    """Writes zeros to `path` until the disk is full (or `limit` bytes)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    written = 0
    try:
        for chunk in (65536, 512, 1):
            while limit is None or written + chunk <= limit:
                try:
                    written += os.write(fd, b"\0" * chunk)
                except OSError:
                    break
    finally:
        os.close(fd)
    return written


def tree(path, files=12, size=256, seed=0):
    os.makedirs(path, exist_ok=True)
    for i in range(files):
        with open(os.path.join(path, f"f{i}"), "wb") as f:
            f.write(hashlib.sha256(f"{seed}:{i}".encode()).digest() * (size // 32 or 1))
    return path


def seed(c, engine=False, image=None):
    """Resources that must survive the fault: a lease and a venv owned by
    nobody (with a ttl, so that the teardown is gc's too), a snapshot; with
    `engine`, a container of a session that stays."""
    s = c.scen
    made = {}
    made["port"] = s.sh("ptest port lease --owner none --ttl 1h").kind("port")[0]
    made["venv"] = s.sh("ptest venv create --owner none --ttl 1h").kind("venv")[0]
    src = tree(os.path.join(s.dir, "tree"))
    made["snapshot"] = s.sh(f"ptest snap create {src} --ttl 1h").kind("snapshot")[0]
    if engine:
        out = os.path.join(s.dir, "keep.jsonl")
        sess = s.spawn(f"ptest docker create --image {image} --name keep -- sleep 600 > {out}; exec sleep 3600")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            recs = [r for r in _records(out) if r.get("kind") == "container"]
            if recs:
                made["container"] = recs[0]
                s.attr.record(recs[0])
                break
            require(sess.p.poll() is None, f"the container to keep was not made: {open(sess.err_path).read()}")
            time.sleep(0.05)
        require("container" in made, "the container to keep was not made within 120 s")
        made["_session"] = sess
    return made


def _records(path):
    import json
    try:
        with open(path) as f:
            return [json.loads(x) for x in f if x.startswith("{") and x.endswith("}\n")]
    except OSError:
        return []


def inventory(c, made):
    """What "nothing lost" compares: every registry entry's bytes, every
    file of the venv with its size, the snapshot's objects (verify)."""
    home = c.scen.home
    inv = {"registry": {}, "venv": {}}
    reg = os.path.join(home, "registry")
    for n in sorted(os.listdir(reg)):
        with open(os.path.join(reg, n), "rb") as f:
            inv["registry"][n] = hashlib.sha256(f.read()).hexdigest()
    vpath = made["venv"]["path"]
    for root, _, files in os.walk(vpath):
        for f in files:
            p = os.path.join(root, f)
            inv["venv"][os.path.relpath(p, vpath)] = os.lstat(p).st_size
    return inv


def nothing_lost(c, made, before, where, skip=()):
    after = inventory(c, made)
    for n, h in before["registry"].items():
        if n in skip:
            continue
        c.check(after["registry"].get(n) == h, f"{where}: registry entry {n} {'changed' if n in after['registry'] else 'LOST'}")
    c.check(after["venv"] == before["venv"], f"{where}: the venv's files changed: "
            f"{sorted(set(before['venv'].items()) ^ set(after['venv'].items()))[:5]}")
    v = c.scen.sh(f"ptest snap verify {made['snapshot']['id']}", check=False)
    c.check(v.rc == 0, f"{where}: ptest snap verify of the snapshot that was there: {v.describe()}")


def teardown(c, made):
    s = c.scen
    ids = " ".join(made[k]["id"] for k in ("port", "venv", "snapshot") if k in made)
    s.sh(f"ptest ls --json | ptest down > /dev/null; ptest ls --json", check=False)
    if "_session" in made:
        made["_session"].signal(signal.SIGKILL)
        made["_session"].wait(10)
    return ids


def full_disk(ctx, cgroup):
    c = Checked(ctx, "faults-full-disk", cgroup)
    s = c.scen
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", s.home], check=True)
    s.harness_mounts = {s.home}
    try:
        c.baseline()
        made = seed(c)
        before = inventory(c, made)
        # Fill the disk to the last block.
        filler = os.path.join(s.home, "filler")
        fill(filler)
        log("faults: the state directory's disk is full")
        big = tree(os.path.join(s.dir, "big"), files=8, size=512 * 1024, seed=1)
        for what, cmd in [
            ("port lease", "ptest port lease"),
            ("venv create", "ptest venv create"),
            ("snap create", f"ptest snap create {os.path.join(s.dir, 'tree')}"),
            ("proc run --json", "ptest proc run --json -- true"),
            ("docker create", f"ptest docker create --image {ctx.image} -- sleep 60"),
        ]:
            exits(c, s.sh(cmd, check=False), (73,), f"full disk: {what}")
        # proc run ends the pipeline with the upstream's code (its stdout is
        # the command's: no error record without --json).
        exits(c, s.sh("ptest port lease | ptest proc run --rm -- true", check=False), (73,),
              "full disk: pipeline", record=False)
        # What only reads still works.
        exits(c, s.sh("ptest ls", check=False), (0,), "full disk: ls")
        os.unlink(filler)
        # Room for 400 KiB: a snapshot of 4 MiB fails in the middle of its
        # objects, and must take them all back (gc: nothing of it stays).
        free = os.statvfs(s.home)
        fill(filler, max(0, free.f_bavail * free.f_frsize - 400 * 1024))
        exits(c, s.sh(f"ptest snap create {big}", check=False), (73,), "full disk midway: snap create")
        os.unlink(filler)
        nothing_lost(c, made, before, "after the disk was full")
        teardown(c, made)
        c.finish()
    finally:
        subprocess.run(["umount", "-l", s.home])
    return c.result


def read_only(ctx, cgroup):
    c = Checked(ctx, "faults-read-only", cgroup)
    s = c.scen
    c.baseline()
    made = seed(c)
    before = inventory(c, made)
    subprocess.run(["mount", "--bind", s.home, s.home], check=True)
    s.harness_mounts = {s.home}
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", s.home], check=True)
        log("faults: the state directory is read-only")
        for what, cmd in [
            ("port lease", "ptest port lease"),
            ("venv create", "ptest venv create"),
            ("snap create", f"ptest snap create {os.path.join(s.dir, 'tree')}"),
            ("proc run --json", "ptest proc run --json -- true"),
            ("docker create", f"ptest docker create --image {ctx.image} -- sleep 60"),
            ("venv rm", f"ptest venv rm {made['venv']['id']}"),
        ]:
            exits(c, s.sh(cmd, check=False), (73,), f"read-only: {what}")
        exits(c, s.sh("ptest ls", check=False), (0,), "read-only: ls")
        # down and gc exit 1 when a tool could not remove something, naming
        # each tool's own exit (docs/ptest.md).
        for what, cmd in [("down", "ptest ls --json | ptest down"), ("gc", "ptest gc")]:
            res = s.sh(cmd, check=False)
            exits(c, res, (0, 1), f"read-only: {what}", record=False)
            c.check(res.rc == 0 or "73" in res.err, f"read-only: {what}: the tools' exit 73 is not named: {res.err[-300:]!r}")
    finally:
        subprocess.run(["umount", s.home])
        s.harness_mounts = set()
    nothing_lost(c, made, before, "after the state directory was read-only")
    teardown(c, made)
    c.finish()
    return c.result


def engine_away(ctx, cgroup):
    c = Checked(ctx, "faults-engine-away", cgroup)
    s = c.scen
    hop = DockerHop()
    s.env["DOCKER_HOST"] = hop.address
    e = Engine()
    try:
        c.baseline()
        made = seed(c, engine=True, image=ctx.image)
        before = inventory(c, made)
        keep = made["container"]
        # A burst in flight when the engine goes: cut once its first
        # container exists.
        out = os.path.join(s.dir, "burst.jsonl")
        burst = s.spawn(f"ptest docker create --image {ctx.image} --name burst --count 8 -- sleep 600 > {out}")
        t = time.monotonic()
        while time.monotonic() - t < 60:
            if any(n.lstrip("/").startswith("ptest-burst") for x in e.containers(label="ptest.tool")
                   for n in x.get("Names") or [] if s.attr.owns_labels(x.get("Labels"))):
                break
            time.sleep(0.01)
        hop.drop()
        log(f"faults: the engine went away under docker create (connections cut: {hop.dropped})")
        res = burst.result(timeout=120)
        exits(c, res, (69,), "engine gone: docker create in flight", out_file=out)
        for what, cmd, codes in [
            ("docker ls", "ptest docker ls", (69,)),
            ("docker rm", f"ptest docker rm {keep['id']}", (69,)),
            ("docker create", f"ptest docker create --image {ctx.image} -- sleep 60", (69,)),
            ("gc", "ptest gc", (0, 1)),
        ]:
            exits(c, s.sh(cmd, check=False), codes, f"engine gone: {what}")
        reg = os.path.join(s.home, "registry", keep["id"] + ".json")
        c.check(os.path.exists(reg), "engine gone: the container's registry entry was dropped (by rm or gc)")
        alive = [x for x in e.containers() if x["Id"] == keep["container_id"]]
        c.check(alive and alive[0]["State"] == "running", "engine gone: the container that was there is not running")
        time.sleep(1.5)
        hop.restore()
        log("faults: the engine is back")
        # The guardian of the container we keep is still on watch: its
        # owner's death now removes it, without gc.
        ok = s.sh(f"ptest docker ls --json", check=False)
        exits(c, ok, (0,), "engine back: docker ls")
        nothing_lost(c, made, before, "after the engine was away")
        made["_session"].signal(signal.SIGKILL)
        made["_session"].wait(10)
        t = time.monotonic()
        while time.monotonic() - t < 15 and any(x["Id"] == keep["container_id"] for x in e.containers()):
            time.sleep(0.1)
        gone = not any(x["Id"] == keep["container_id"] for x in e.containers())
        c.check(gone, "engine back: the guardian did not remove the container of its dead owner within 15 s")
        c.metric("guardian_after_outage_seconds", round(time.monotonic() - t, 2))
        teardown(c, made)
        c.finish()
    finally:
        hop.close()
    return c.result


def corrupt_entry(ctx, cgroup):
    c = Checked(ctx, "faults-corrupt-entry", cgroup, expect=("quarantine",))
    s = c.scen
    c.baseline()
    made = seed(c)
    before = inventory(c, made)
    reg = os.path.join(s.home, "registry")
    victims = {made["venv"]["id"] + ".json": b'{"v":1,"kind":"venv","tool":"ptest-venv","id":"venv-',
               made["port"]["id"] + ".json": b"\x00\x01 not json \xff"}
    for name, garbage in victims.items():
        with open(os.path.join(reg, name), "wb") as f:
            f.write(garbage)
    log("faults: two registry entries are garbage")
    res = s.sh("ptest ls", check=False)
    exits(c, res, (0,), "corrupt entries: ls")
    for name in victims:
        c.check(name.removesuffix(".json") in res.err, f"corrupt entries: ls does not name {name} on stderr")
    q = os.path.join(s.home, "quarantine")
    kept = {}
    for n in os.listdir(q) if os.path.isdir(q) else []:
        with open(os.path.join(q, n), "rb") as f:
            kept[n] = f.read()
    for name, garbage in victims.items():
        c.check(any(n.startswith(name) and b == garbage for n, b in kept.items()),
                f"corrupt entries: {name} is not in quarantine/ byte for byte")
    doc = s.sh("ptest doctor --json", check=False)
    c.check(any(name.removesuffix(".json") in doc.out for name in victims),
            "corrupt entries: ptest doctor does not list the quarantined entries")
    for what, cmd in [("gc", "ptest gc"), ("port lease", "ptest port lease --count 3 | ptest proc run --rm -- true"),
                      ("venv create", "ptest venv create | ptest proc run --rm -- true")]:
        exits(c, s.sh(cmd, check=False), (0,), f"corrupt entries: {what}")
    nothing_lost(c, made, before, "after the corrupt entries", skip=set(victims))
    # The venv whose entry was lost is no longer ptest's to remove: the user
    # removes it, as quarantine/ tells them to.
    from harness import rm_tree
    rm_tree(made["venv"]["path"])
    teardown(c, made)
    c.finish()
    return c.result


PARTS = [full_disk, read_only, engine_away, corrupt_entry]


def run(ctx, cgroup):
    merged = {"name": "faults", "metrics": {}, "failures": [], "notes": [], "parts": {}}
    for part in PARTS:
        log(f"faults: {part.__name__.replace('_', ' ')}")
        try:
            r = part(ctx, cgroup)
        except Failure as e:
            r = {"failures": [str(e)]}
        merged["parts"][part.__name__] = r
        merged["failures"] += [f"{part.__name__}: {f}" for f in r.get("failures", [])]
        merged["metrics"].update({f"{part.__name__}.{k}": v for k, v in (r.get("metrics") or {}).items()})
        merged["metrics"][f"{part.__name__}.exits"] = r.get("exits")
    return merged
