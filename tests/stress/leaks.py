"""The leak detector: what a scenario's ptest left on the machine.

`Detector.snapshot()` counts, within the scenario's own scope, everything
ptest can leave behind; `Detector.check(before)` takes it again after
teardown and `ptest gc` (retrying for a few seconds, as guardians and
background deletions take that long by design) and names every difference:
what is there now and was not (a leak), what was there and is not (lost),
and the descriptors that long-lived ptest processes opened meanwhile.
What is meant to last (venv templates, snapshots, the `ptest` parent
cgroups, the image the run imported) is listed instead of counted.

Scope, since the engine, /sys and /proc are shared with other users and
concurrent test runs:

- processes: those whose environment holds this scenario's PTEST_HOME, and
  those in the scenario's own cgroups (the harness runs each scenario in a
  cgroup of its own on cgroup v1, below which ptest makes its cgroups);
- cgroups: everything below the scenario's cgroups, and cgroups named for
  one of the scenario's ids (`ptest-proc-<id>`, `ptest-mon-<id>`) anywhere;
- the state directory is the scenario's own (a fresh PTEST_HOME);
- Docker objects: labelled with one of the scenario's owners (the sessions
  the harness started), ids or `ptest.run` labels, or named with the run's
  prefix; images by snapshot id or the run's tag;
- firewall rules: those of the scenario's networks, and any `ptest:` rule
  whose network is gone (ptest gc removes those);
- mounts below the run's directory, or whose options name the scenario's
  state directory; network namespaces held by the scenario's processes.
"""
import glob
import json
import os
import subprocess
import time

from engine import Engine
from harness import cmdline, proc_stat

LONG_LIVED = {"__guard": "guardian", "__keep": "keeper", "__supervise": "supervisor"}
# Below these, one entry per resource is counted (its files summed), not
# every file: a venv holds thousands.
RESOURCE_DIRS = ("venvs", "trash", "staging", "proc", "mon", "snap/overlays", "snap/lower",
                 "cache/venv/templates", "quarantine", "snap/tmp", "snap/paused")


def _own_netns():
    return os.readlink("/proc/self/ns/net")


def v1_hierarchies():
    """{controller: mount point} of the cgroup v1 hierarchies."""
    out = {}
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            fields = post.split()
            if fields and fields[0] == "cgroup":
                mnt = pre.split()[4]
                for opt in fields[2].split(","):
                    if opt in ("pids", "memory", "cpu", "cpuacct", "freezer", "blkio", "cpuset", "devices"):
                        out[opt] = mnt
    return out


def v2_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            pre, _, post = line.partition(" - ")
            if post.split()[:1] == ["cgroup2"]:
                return pre.split()[4]
    return None


class ScenarioCgroup:
    """A cgroup of the scenario's own in every v1 hierarchy ptest uses, below
    the harness's own cgroup there: the scenario process moves itself in,
    so that whatever ptest runs for it makes its cgroups below
    (`<scenario cgroup>/ptest/ptest-proc-<id>`) and every process it leaves
    is found there. On cgroup v2 (ptest puts its cgroups at the root as
    root) nothing is made: cgroups are found by the ids in their names."""

    CONTROLLERS = ("pids", "memory", "cpu", "cpuacct", "freezer", "blkio")

    def __init__(self, name):
        self.name = name
        self.dirs = {}
        self.origin = {}
        hier = v1_hierarchies()
        own = {}
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, ctrls, path = line.rstrip("\n").split(":", 2)
                for c in ctrls.split(","):
                    own[c] = path
        for c in self.CONTROLLERS:
            if c in hier and c in own:
                base = os.path.join(hier[c], own[c].lstrip("/"))
                self.origin[c] = base
                self.dirs[c] = os.path.join(base, name)

    def enter(self):
        made = {}
        for c, d in self.dirs.items():
            try:
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
                made[c] = d
            except OSError:
                pass
        self.dirs = made
        return bool(made)

    def leave(self):
        for c, d in self.dirs.items():
            try:
                with open(os.path.join(self.origin[c], "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))
            except OSError:
                pass

    def pids(self):
        d = self.dirs.get("pids") or next(iter(self.dirs.values()), None)
        out = set()
        if not d:
            return out
        for root, _, _ in os.walk(d):
            try:
                with open(os.path.join(root, "cgroup.procs")) as f:
                    out.update(int(x) for x in f.read().split())
            except OSError:
                pass
        return out

    def remove(self):
        """Kills what is left inside and removes the whole tree (the
        janitor's job, after the detector has spoken)."""
        for _ in range(50):
            left = self.pids() - {os.getpid()}
            if not left:
                break
            for p in left:
                try:
                    os.kill(p, 9)
                except OSError:
                    pass
            time.sleep(0.1)
        for d in self.dirs.values():
            for root, dirs, _ in sorted(os.walk(d, topdown=False), key=lambda t: -t[0].count("/")):
                try:
                    os.rmdir(root)
                except OSError:
                    pass


def _group_of(rel):
    for rd in sorted(RESOURCE_DIRS, key=len, reverse=True):
        if rel.startswith(rd + "/"):
            return rd + "/" + rel[len(rd) + 1:].split("/")[0]
    return None


def _iptables_rules():
    rules = []
    for binary in ("iptables", "ip6tables"):
        try:
            out = subprocess.run([binary, "-w", "5", "-S"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            continue
        for line in out.splitlines():
            if "ptest:" in line or "ptest-br" in line:
                rules.append((binary, line))
    return rules


def _rule_id12(line):
    i = line.find("ptest:")
    return line[i + 6:i + 18] if i >= 0 else ""


class Detector:
    def __init__(self, scen, cgroup=None, expect=()):
        """`expect`: categories of leftovers this scenario makes on purpose
        and lists instead (the faults scenario's quarantine)."""
        self.scen = scen
        self.cgroup = cgroup
        self.expect = set(expect)
        self.harness_pids = {os.getpid()}
        self.netns = _own_netns()
        self.engine = Engine(timeout=20) if scen.uses_engine else None

    # -- taking stock ---------------------------------------------------
    def snapshot(self):
        s = {}
        self._processes(s)
        self._cgroups(s)
        self._state(s)
        self._outside(s)
        self._mounts(s)
        if self.engine:
            self._docker(s)
            self._firewall(s)
        return s

    def _add(self, s, cat, key, detail=""):
        s.setdefault(cat, {})[key] = detail

    def _processes(self, s):
        home = ("PTEST_HOME=" + self.scen.home).encode()
        in_cgroup = self.cgroup.pids() if self.cgroup else set()
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            pid = int(d)
            if pid in self.harness_pids:
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read().split(b"\0")
            except OSError:
                env = []
            if home not in env and pid not in in_cgroup:
                continue
            st = proc_stat(pid)
            if not st or st[0] == "Z" and pid not in in_cgroup:
                continue
            argv = cmdline(pid)
            key = f"{pid}:{st[4]}"
            name = " ".join(argv)[:200] or f"[{st[0]}]"
            self._add(s, "process", key, f"{name} (pgid {st[2]}, sid {st[3]}, state {st[0]})")
            self._add(s, "process group", str(st[2]), f"led by {pid}" if st[2] == pid else "")
            role = LONG_LIVED.get(argv[1] if len(argv) > 1 else "")
            if role:
                self._add(s, role, key, name)
                try:
                    fds = {}
                    for fd in os.listdir(f"/proc/{pid}/fd"):
                        try:
                            fds[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
                        except OSError:
                            pass
                    self._add(s, "fds", key, fds)
                except OSError:
                    pass
            try:
                ns = os.readlink(f"/proc/{pid}/ns/net")
                if ns != self.netns:
                    self._add(s, "network namespace", ns, f"held by {pid} ({name[:80]})")
            except OSError:
                pass
        try:
            for n in os.listdir("/run/netns"):
                if n.startswith("ptest"):
                    self._add(s, "network namespace", f"/run/netns/{n}", "named")
        except OSError:
            pass

    def _cgroups(self, s):
        if self.cgroup:
            for c, d in self.cgroup.dirs.items():
                for root, dirs, _ in os.walk(d):
                    for x in dirs:
                        path = os.path.join(root, x)
                        rel = os.path.relpath(path, d)
                        if x in ("ptest", "ptest-supervisor"):
                            self._add(s, "lasting: ptest cgroup parent", f"{c}:{rel}", path)
                        else:
                            self._add(s, "cgroup", f"{c}:{rel}", path)
        # Anywhere else: cgroups named for one of the scenario's ids.
        ids = self.scen.attr.ids
        patterns = []
        for mnt in set(v1_hierarchies().values()) | ({v2_mount()} - {None}):
            for depth in range(0, 4):
                patterns.append(os.path.join(mnt, *(["*"] * depth), "ptest", "ptest-*"))
        for pat in patterns:
            for path in glob.glob(pat):
                name = os.path.basename(path)
                if name.removeprefix("ptest-") in ids and not (
                        self.cgroup and any(path.startswith(d + "/") for d in self.cgroup.dirs.values())):
                    self._add(s, "cgroup", path, "named for one of the scenario's ids")

    def _state(self, s):
        home = self.scen.home
        registered = {}
        self._unowned = set()
        reg = os.path.join(home, "registry")
        try:
            names = os.listdir(reg)
        except OSError:
            names = []
        for n in names:
            if not n.endswith(".json") or n.startswith("."):
                continue
            rid = n[:-5]
            kind = rid.split("-")[0]
            registered[rid] = kind
            try:
                with open(os.path.join(reg, n)) as f:
                    rec = json.load(f)
            except (OSError, ValueError):
                rec = {}
            # Artifacts made without an owner or a ttl last by design (venvs
            # and snapshots are owned by nobody unless told): listed. Where
            # a scenario does not expect any, they count as leaks too.
            artifact = kind in ("venv", "snapshot") and not rec.get("owner") and not rec.get("expires_at")
            if artifact:
                self._add(s, f"lasting: {kind} (no owner, no ttl: kept by design)", rid, rec.get("path") or rec.get("source") or "")
                if "unowned" in self.expect:
                    self._unowned.add(rid)
                    continue
            owner = self._owner_of(rec)
            if "not the scenario's" in owner:
                s.setdefault("_foreign", {})[rid] = rec
            self._add(s, "registry entry", rid, f"{kind}, {owner}")
        snapshots = {r for r, k in registered.items() if k == "snapshot"}
        groups = {}
        n_files = n_bytes = 0
        for root, dirs, files in os.walk(home):
            rel_root = os.path.relpath(root, home)
            rel_root = "" if rel_root == "." else rel_root
            group = _group_of(rel_root)
            if group is None and rel_root in RESOURCE_DIRS:
                for d in dirs:  # a resource directory counts even when empty
                    groups.setdefault(rel_root + "/" + d, [0, 0])
            for f in files:
                try:
                    size = os.lstat(os.path.join(root, f)).st_size
                except OSError:
                    continue
                n_files += 1
                n_bytes += size
                rel = os.path.join(rel_root, f)
                if rel_root == "registry" and f.endswith(".json") and not f.startswith("."):
                    continue  # counted as a registry entry
                g = group or (rel if rel_root in RESOURCE_DIRS else None)
                if g:
                    t = groups.setdefault(g, [0, 0])
                    t[0] += 1
                    t[1] += size
                else:
                    self._add(s, self._classify(rel, snapshots), rel, f"{size} bytes")
        for g, (n, size) in groups.items():
            self._add(s, self._classify(g, snapshots), g, f"{n} files, {size} bytes")
        s["_state_totals"] = {"files": n_files, "bytes": n_bytes}

    def _owner_of(self, rec):
        o = rec.get("owner") or {}
        pid, start = o.get("pid"), o.get("start_time")
        if not pid:
            return "no owner"
        if (pid, start) in self.scen.attr.owners:
            return f"owner {pid} (one of the scenario's sessions)"
        st = proc_stat(pid)
        if not st or st[4] != start:
            return f"owner {pid} (dead)"
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if ("PTEST_HOME=" + self.scen.home).encode() in f.read().split(b"\0"):
                    return f"owner {pid} (a process of the scenario)"
        except OSError:
            pass
        return f"owner {pid} (alive, not the scenario's: {' '.join(cmdline(pid))[:60]})"

    def _classify(self, rel, snapshots):
        top = rel.split("/")
        if rel.startswith("cache/venv/templates/"):
            return "state: half-built template" if top[3].startswith(".") else "lasting: venv template"
        if rel.startswith("cache/") or rel == "snap/cache.json":
            return "lasting: cache"
        if rel.startswith("snap/objects/"):
            return "lasting: snapshot store"
        if rel.startswith(("snap/manifests/", "snap/index/", "snap/lower/")):
            sid = top[2].removesuffix(".json")
            return "lasting: snapshot store" if sid in snapshots else "state: snapshot store"
        if rel.startswith("quarantine/") and "quarantine" in self.expect:
            return "lasting: quarantined entry (expected)"
        if rel.startswith("locks/"):
            return "state: lock file"
        if rel.startswith("port/leases/"):
            return "port lease"
        if rel.startswith("venvs/"):
            return "lasting: venv directory (no owner)" if top[1] in self._unowned else "venv directory"
        if rel.startswith("registry/"):
            return "state: registry file"
        return "state: " + top[0]

    def _outside(self, s):
        """What ptest writes outside its state directory: private temporary
        directories (`proc run --private-tmp`, below TMPDIR, which is the
        scenario's own) and the staging directories a restore makes beside
        its target (`.NAME.ptest-snap-…`), anywhere below the scenario's
        directory but its state directory."""
        tmp = self.scen.env.get("TMPDIR")
        if tmp and os.path.isdir(tmp):
            for n in os.listdir(tmp):
                self._add(s, "temporary directory", os.path.join(tmp, n), "below the scenario's TMPDIR")
        for root, dirs, files in os.walk(self.scen.dir):
            if root == self.scen.dir:
                dirs[:] = [d for d in dirs if d not in ("home", "tmp", "logs")]
            for n in dirs + files:
                if ".ptest-snap-" in n or "ptest-staging" in n:
                    self._add(s, "staging beside a target", os.path.join(root, n), "")

    def _mounts(self, s):
        root = self.scen.ctx.root
        home = self.scen.home
        with open("/proc/self/mountinfo") as f:
            for line in f:
                pre, _, post = line.partition(" - ")
                mnt = pre.split()[4].replace("\\040", " ")
                fields = post.split()
                opts = fields[2] if len(fields) > 2 else ""
                if mnt.startswith(root + "/") or home + "/" in opts:
                    if mnt in getattr(self.scen, "harness_mounts", set()):
                        continue
                    self._add(s, "mount", mnt, f"{fields[0]} {fields[1] if len(fields) > 1 else ''}")

    def _docker(self, s):
        a = self.scen.attr
        e = self.engine
        for c in e.containers(label="ptest.tool") + [
                c for c in e.containers() if any(a.owns_name(n) for n in c.get("Names") or [])]:
            labels = c.get("Labels") or {}
            if a.owns_labels(labels) or c["Id"] in a.engine or any(a.owns_name(n) for n in c.get("Names") or []):
                name = (c.get("Names") or ["?"])[0].lstrip("/")
                self._add(s, "container", name, f"{c['Id'][:12]} {c.get('State')} ptest.id={labels.get('ptest.id')}")
        for n in e.networks(label="ptest.tool") + [n for n in e.networks() if a.owns_name(n.get("Name"))]:
            labels = n.get("Labels") or {}
            if a.owns_labels(labels) or n["Id"] in a.engine or a.owns_name(n.get("Name")):
                self._add(s, "network", n["Name"], f"{n['Id'][:12]} ptest.id={labels.get('ptest.id')}")
        for v in e.volumes(label="ptest.tool") + [v for v in e.volumes() if a.owns_name(v.get("Name"))]:
            labels = v.get("Labels") or {}
            if a.owns_labels(labels) or v["Name"] in a.engine or a.owns_name(v.get("Name")):
                self._add(s, "volume", v["Name"], f"ptest.id={labels.get('ptest.id')}")
        for i in e.images():
            tags = i.get("RepoTags") or []
            labels = i.get("Labels") or {}
            mine_snap = any(t.startswith("ptest-snap/") and t.split("/", 1)[1].split(":")[0] in a.ids for t in tags)
            mine_src = labels.get("ptest.source") in a.engine
            base = [t for t in tags if a.owns_name(t)]
            if base:
                self._add(s, "lasting: image", base[0], i["Id"][:19])
            elif mine_snap or mine_src:
                self._add(s, "image", (tags or [i["Id"]])[0], i["Id"][:19])

    def _firewall(self, s):
        ours = {x[:12] for x in self.scen.attr.engine}
        rules = _iptables_rules()
        if not rules:
            return
        nets = None
        for binary, line in rules:
            id12 = _rule_id12(line)
            if id12 in ours:
                self._add(s, "firewall rule", f"{binary} {line}", "of one of the scenario's networks")
                continue
            if nets is None:
                nets = [n["Id"] for n in self.engine.networks()]
            if not any(n.startswith(id12) for n in nets):
                self._add(s, "firewall rule", f"{binary} {line}", "its network is gone (ptest gc removes those)")

    # -- comparing -------------------------------------------------------
    def compare(self, before, after):
        leaks, lost, lasting, grew = [], [], [], []
        cats = {c for c in set(before) | set(after) if not c.startswith("_")}
        for cat in sorted(cats):
            b, a = before.get(cat, {}), after.get(cat, {})
            if cat == "fds":
                for key, fds in a.items():
                    if key in b and len(fds) > len(b[key]):
                        new = sorted(set(fds.values()) - set(b[key].values()))
                        grew.append({"category": "fds", "what": key,
                                     "detail": f"{len(b[key])} -> {len(fds)}; new: {new[:10]}"})
                continue
            if cat.startswith("lasting:"):
                for key in sorted(a):
                    lasting.append({"category": cat[9:], "what": key, "detail": str(a[key])})
                for key in sorted(set(b) - set(a)):
                    if cat != "lasting: ptest cgroup parent":
                        lost.append({"category": cat[9:], "what": key, "detail": str(b[key])})
                continue
            for key in sorted(set(a) - set(b)):
                leaks.append({"category": cat, "what": key, "detail": str(a[key])})
            if cat in ("state: lock file", "process", "process group", "guardian", "keeper", "supervisor",
                       "network namespace", "state: staging", "state: trash"):
                continue
            for key in sorted(set(b) - set(a)):
                lost.append({"category": cat, "what": key, "detail": str(b[key])})
        return {"leaks": leaks + grew, "lost": lost, "lasting": lasting}

    def check(self, before, settle=20.0, gc=None, residual=None):
        """Compares until nothing leaks or `settle` seconds pass (guardians
        poll every second, venv trash is deleted in the background).

        `ptest gc` takes some leftovers only once they are a minute old (a
        writer's temp file in the registry, a `proc/<id>` or `mon/<id>`
        directory or a cgroup no entry names: a live writer registers them
        within moments). Rather than wait, the detector backdates such
        leftovers by a minute and runs `gc` (the callable) once more: they
        must go then."""
        t0 = time.monotonic()
        aged = []
        while True:
            after = self.snapshot()
            verdict = self.compare(before, after)
            # `residual`: what of a verdict still counts (known bugs' leftovers
            # do not settle: no need to wait for them).
            left = residual(verdict, after.get("_foreign", {})) if residual else verdict["leaks"] + verdict["lost"]
            if not left:
                break
            elapsed = time.monotonic() - t0
            if gc and not aged and elapsed > 2:
                aged = self._backdate(verdict["leaks"])
                if aged:
                    gc()
                    continue
            if elapsed > settle:
                break
            time.sleep(0.5)
        verdict["settle_seconds"] = round(time.monotonic() - t0, 2)
        verdict["backdated"] = aged
        verdict["counts_before"] = counts(before)
        verdict["counts_after"] = counts(after)
        verdict["_foreign"] = after.get("_foreign", {})
        return verdict

    def quiesce(self, before, timeout=20.0):
        """Waits until the scenario's processes are those of `before` again
        (guardians removing a dead owner's containers, background purges),
        so that `ptest gc` sees what they leave. Returns the seconds it took."""
        t0 = time.monotonic()
        want = set(before.get("process", {}))
        while time.monotonic() - t0 < timeout:
            s = {}
            self._processes(s)
            if set(s.get("process", {})) <= want:
                break
            time.sleep(0.2)
        return round(time.monotonic() - t0, 2)

    def _backdate(self, leaks):
        old = time.time() - 61
        done = []
        for leak in leaks:
            cat, key = leak["category"], leak["what"]
            paths = []
            if cat.startswith("state") and (os.path.basename(key).startswith(".tmp-")
                                            or key.startswith(("proc/", "mon/"))):
                paths = [os.path.join(self.scen.home, key)]
            elif cat == "cgroup" and self.cgroup and ":" in key:
                rel = key.split(":", 1)[1]
                paths = [os.path.join(d, rel) for d in self.cgroup.dirs.values()]
            for p in paths:
                try:
                    os.utime(p, (old, old), follow_symlinks=False)
                    done.append(p)
                except OSError:
                    pass
        return done


def counts(snap):
    c = {cat: len(v) for cat, v in snap.items() if not cat.startswith("_")}
    c.update({f"state dir {k}": v for k, v in snap.get("_state_totals", {}).items()})
    return c


def describe(verdict, where):
    lines = []
    for leak in verdict["leaks"]:
        lines.append(f"LEAK in {where}: {leak['category']}: {leak['what']} ({leak['detail']})")
    for item in verdict["lost"]:
        lines.append(f"LOST in {where}: {item['category']}: {item['what']} ({item['detail']})")
    return lines
