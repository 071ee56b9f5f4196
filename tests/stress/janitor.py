"""After the leak detector has spoken: remove whatever a scenario left, so
that a failing run leaves the machine as clean as a passing one. Scoped
exactly as the detector is (the run's state directories, its attributed
Docker objects, its cgroups, mounts below its directory); it never judges
and never reports leaks itself: it only cleans.
"""
import glob
import os
import signal
import subprocess
import time

from engine import Engine
from harness import Attribution, cmdline, proc_stat
from leaks import _iptables_rules, _rule_id12, v1_hierarchies, v2_mount


def attributions(root):
    out = []
    for path in glob.glob(os.path.join(root, "**", "attribution.jsonl"), recursive=True):
        out.append(Attribution.load(path))
    return out


def processes_under(root, exclude=()):
    """PIDs whose PTEST_HOME (or TMPDIR) lies below the run's directory."""
    marks = [("PTEST_HOME=" + root + "/").encode(), ("TMPDIR=" + root + "/").encode()]
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in exclude or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if any(e.startswith(m) for e in env for m in marks):
            pids.append(int(d))
    return pids


def kill_all(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass


def unmount_under(root):
    for _ in range(5):
        mounts = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                mnt = line.split()[4].replace("\\040", " ")
                if mnt.startswith(root + "/") or mnt == root:
                    mounts.append(mnt)
        if not mounts:
            return
        for m in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", m], capture_output=True)


def clean_engine(attrs, prefixes=(), base_image=False):
    try:
        e = Engine(timeout=30)
        if not e.ping():
            return
    except OSError:
        return

    def ours(labels, ident, names):
        return any(a.owns_labels(labels) or ident in a.engine or any(a.owns_name(n) for n in names)
                   for a in attrs) or any((n or "").lstrip("/").startswith(p) for n in names for p in prefixes)

    for c in e.containers():
        if ours(c.get("Labels"), c["Id"], c.get("Names") or []):
            e.remove_container(c["Id"])
    for v in e.volumes():
        if ours(v.get("Labels"), v["Name"], [v["Name"]]):
            e.remove_volume(v["Name"])
    nets = []
    for n in e.networks():
        if ours(n.get("Labels"), n["Id"], [n.get("Name")]):
            nets.append(n["Id"])
            e.remove_network(n["Id"])
    ids12 = {x[:12] for a in attrs for x in a.engine} | {n[:12] for n in nets}
    for binary, line in _iptables_rules():
        if _rule_id12(line) in ids12 and line.startswith("-A "):
            subprocess.run([binary, "-w", "5", "-D"] + line.split()[1:], capture_output=True)
    ids = {i for a in attrs for i in a.ids}
    for i in e.images():
        for t in i.get("RepoTags") or []:
            snap = t.startswith("ptest-snap/") and t.split("/", 1)[1].split(":")[0] in ids
            if snap or base_image and any(t.startswith(p) for p in prefixes):
                e.remove_image(t)


def remove_cgroups(run_id, name=None):
    """The cgroups the harness made for the run (`ptest-stress-<run>`, or
    one scenario's `ptest-stress-<run>-<name>` below it), with whatever
    ptest made below them, after killing what they hold."""
    want = f"ptest-stress-{run_id}" + (f"-{name}" if name else "")
    roots = []
    for mnt in set(v1_hierarchies().values()) | ({v2_mount()} - {None}):
        for root, dirs, _ in os.walk(mnt):
            if os.path.basename(root) == want:
                roots.append(root)
                dirs[:] = []
            elif root.count("/") - mnt.count("/") > 8:
                dirs[:] = []
            else:
                # Only where a run of ours can be: skip the engine's and
                # the system's own trees.
                dirs[:] = [d for d in dirs if not d.startswith(("docker", "system.slice", "user.slice"))]
    for r in roots:
        for _ in range(30):
            pids = set()
            for d, _, _ in os.walk(r):
                try:
                    with open(os.path.join(d, "cgroup.procs")) as f:
                        pids.update(int(x) for x in f.read().split())
                except OSError:
                    pass
            pids.discard(os.getpid())
            if not pids:
                break
            kill_all(pids)
            time.sleep(0.1)
        for d, _, _ in sorted(os.walk(r), key=lambda t: -t[0].count("/")):
            try:
                os.rmdir(d)
            except OSError:
                pass


def describe_processes(pids):
    return [f"{p}: {' '.join(cmdline(p))[:120]} ({(proc_stat(p) or ('?',))[0]})" for p in pids]


def clean(root, run_id, prefixes=(), run_level=False, exclude=()):
    """Everything the run (or the scenario whose directory is `root`) left.
    At the run's level also its cgroups and the image it imported."""
    for _ in range(3):
        pids = processes_under(root, exclude)
        if not pids:
            break
        kill_all(pids)
        time.sleep(0.2)
    unmount_under(root)
    clean_engine(attributions(root), prefixes, base_image=run_level)
    if run_level:
        remove_cgroups(run_id)
