#!/usr/bin/env python3
"""Benchmark of `ptest mon` beside psrecord, GNU time and `docker stats`, in one run.

Run: `bench/run mon` (it puts psrecord in a throwaway environment). Three
measurements, each side by side and interleaved over several rounds:

1. The monitor's own CPU at 10 Hz on a 20-process Python tree (a parent and
   19 forked children, sleeping and working lightly for TREE_SECONDS):
   `ptest-mon run` (a cgroup), `ptest-mon run --no-cgroup` (/proc walked)
   and psrecord --include-children attached to the same tree by pid, as
   percent of one core over the monitor's life (its CPU / its wall time).
   Goals: <= 1 % of one core with a cgroup, <= 3 % walking /proc.
2. A 200 MiB peak held for 30 ms by a child of the command: what
   `ptest-mon run` (cgroup and /proc), psrecord's log and `/usr/bin/time -v`
   report beside the true allocation. Goal: the cgroup peak >= 200 MiB.
3. Twenty idle containers watched at 1 Hz for WATCH_SECONDS:
   `ptest-mon watch` (its own CPU) against `docker stats --no-stream`
   started once a second (the CLI processes' CPU), each plus the engine's
   CPU over the same time (dockerd, containerd and the containers' shims:
   their threads' /proc/PID/task/*/schedstat counters, plus what they
   reaped). The engine's CPU with nothing watching is measured in each
   round too, and shown subtracted beside. Goal: ptest <= 0.05x docker stats.

How a monitor's own CPU is read. ptest-mon run's children are the whole
tree it measures, so neither its rusage nor the tree's cgroup tells its
own CPU exactly: this script waits for its exit with waitid(WNOWAIT) and,
before reaping it, reads /proc/PID/schedstat, the nanoseconds its one
thread ran from exec to exit (start-up and teardown included; one thread
is checked while it runs). Printed beside as cross-checks: utime+stime of
/proc/PID/stat (clock ticks), the summary's monitor.cpu_seconds (its
getrusage(RUSAGE_SELF) when it writes the summary), and wait4's rusage
less the children's share (cutime+cstime; and the summary's tree CPU).
psrecord is attached by pid to a tree this script started, so it has no
children: its wait4 rusage is its own CPU. ptest-mon watch has threads
and no children: its wait4 rusage too.

Only ratios mean something across machines; absolute figures are printed
for the record. Needs a release build (PTEST_BIN_DIR, else target/release);
the container part needs the Docker engine and Debian's busybox-static
(the image is a busybox root filesystem imported with `ptest docker image
import`; nothing is pulled), and is skipped with a note without them.
"""
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in bench/
import build  # noqa: E402
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PTEST_BIN_DIR") or os.path.join(ROOT, "target", "release")
MON = os.path.join(BIN, "ptest-mon")
PD = os.path.join(BIN, "ptest-docker")
# The base interpreter, not the throwaway environment's: the workloads need
# nothing from it.
PY = os.path.realpath(sys.executable)
PSRECORD = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "psrecord")
HZ = os.sysconf("SC_CLK_TCK")
TREE_SECONDS = float(os.environ.get("BENCH_TREE_SECONDS", "10"))
TREE_ROUNDS = int(os.environ.get("BENCH_TREE_ROUNDS", "3"))
PEAK_ROUNDS = int(os.environ.get("BENCH_PEAK_ROUNDS", "5"))
WATCH_SECONDS = int(os.environ.get("BENCH_WATCH_SECONDS", "30"))
WATCH_ROUNDS = int(os.environ.get("BENCH_WATCH_ROUNDS", "2"))
IDLE_SECONDS = 10
CONTAINERS = 20
MIB = 1 << 20
PEAK = 200 * MIB

TREE = """\
import os, sys, time
end = time.monotonic() + float(sys.argv[1])
def work():
    while time.monotonic() < end:
        sum(range(2000))
        time.sleep(0.05)
kids = []
for _ in range(19):
    pid = os.fork()
    if pid == 0:
        work()
        os._exit(0)
    kids.append(pid)
work()
for k in kids:
    os.waitpid(k, 0)
"""

# The peak is in a child of the command: 200 MiB allocated and touched
# (bytearray zeroes what it allocates), held 30 ms, freed.
PEAK_CHILD = "import time\ntime.sleep(0.05)\na = bytearray(200 << 20)\ntime.sleep(0.03)\ndel a\ntime.sleep(0.3)\n"
PEAK_PARENT = f"""\
import subprocess, sys
sys.exit(subprocess.call([sys.executable, "-c", {PEAK_CHILD!r}]))
"""


def spawn(argv, env, stdin="/dev/null", stdout="/dev/null", stderr="/dev/null"):
    fa = [(os.POSIX_SPAWN_OPEN, 0, stdin, os.O_RDONLY, 0),
          (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
          (os.POSIX_SPAWN_OPEN, 2, stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    return os.posix_spawn(argv[0], argv, env, file_actions=fa)


def stat(pid):
    """utime, stime, cutime, cstime of /proc/PID/stat, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return [int(x) / HZ for x in fields[11:15]]


def schedstat(pid):
    """Seconds the thread group leader of PID has run (nanosecond counter)."""
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


class Finished:
    """A child's end, read before it is reaped: wall time from `t0`, its
    own CPU (schedstat and stat), its reaped children's (stat), and wait4's
    rusage (its own CPU and all its reaped descendants')."""

    def __init__(self, pid, t0):
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        self.wall = time.perf_counter() - t0
        self.sched = schedstat(pid)
        u, s, cu, cs = stat(pid)
        self.stat_own, self.stat_children = u + s, cu + cs
        with open(f"/proc/{pid}/io") as f:
            self.reads = int(next(l for l in f if l.startswith("syscr:")).split()[1])
        _, status, ru = os.wait4(pid, 0)
        self.code = os.waitstatus_to_exitcode(status)
        self.rusage = ru.ru_utime + ru.ru_stime


def last_summary(path):
    with open(path) as f:
        recs = [json.loads(l) for l in f if l.strip()]
    s = [r for r in recs if r.get("kind") == "summary"]
    if not s:
        raise SystemExit(f"{path}: no summary record")
    return s[-1], [r for r in recs if r.get("kind") == "sample"]


def ptest_tree(env, work, no_cgroup):
    out = os.path.join(work, "run.jsonl")
    argv = [MON, "run", "--interval", "100ms", "--out", out] + (["--no-cgroup"] if no_cgroup else [])
    argv += ["--", PY, os.path.join(work, "tree.py"), str(TREE_SECONDS)]
    t0 = time.perf_counter()
    pid = spawn(argv, env, stderr=os.path.join(work, "run.err"))
    time.sleep(1.0)
    mid_t, mid, n_threads = time.perf_counter() - t0, schedstat(pid), threads(pid)
    end = Finished(pid, t0)
    if end.code != 0:
        raise SystemExit(f"{argv}: exit {end.code}: {open(os.path.join(work, 'run.err')).read()}")
    summary, samples = last_summary(out)
    if n_threads != 1:
        raise SystemExit(f"ptest-mon run has {n_threads} threads: schedstat no longer tells its CPU")
    tree_cpu = summary["cpu_user_seconds"] + summary["cpu_system_seconds"]
    return {
        "cpu": end.sched, "wall": end.wall, "samples": summary["samples"],
        "steady": (end.sched - mid) / (end.wall - mid_t),
        "stat": end.stat_own, "summary": summary["monitor"]["cpu_seconds"],
        "rusage_less_children": end.rusage - end.stat_children,
        "rusage_less_summary_tree": end.rusage - tree_cpu,
        "procs_peak": summary["procs_peak"], "source": summary["source"],
        "tree_cpu": end.rusage - end.sched, "reads": end.reads / summary["samples"],
    }


def psrecord_tree(env, work):
    log = os.path.join(work, "psrecord.log")
    tree = spawn([PY, os.path.join(work, "tree.py"), str(TREE_SECONDS)], env)
    time.sleep(0.05)  # the 19 children forked
    t0 = time.perf_counter()
    pid = spawn([PSRECORD, str(tree), "--include-children", "--interval", "0.1", "--log", log], env,
                stderr=os.path.join(work, "psrecord.err"))
    time.sleep(1.0)
    mid_t, mid, n_threads = time.perf_counter() - t0, schedstat(pid), threads(pid)
    end = Finished(pid, t0)
    os.waitpid(tree, 0)
    if end.code != 0:
        raise SystemExit(f"psrecord: exit {end.code}: {open(os.path.join(work, 'psrecord.err')).read()}")
    if n_threads != 1:
        raise SystemExit(f"psrecord has {n_threads} threads: schedstat no longer tells its CPU")
    samples = [l for l in open(log) if l.strip() and not l.startswith("#")]
    return {"cpu": end.rusage, "wall": end.wall, "samples": len(samples),
            "steady": (end.sched - mid) / (end.wall - mid_t), "stat": end.stat_own, "sched": end.sched}


# The floor of any 10 Hz monitor here: a process that wakes ten times a
# second and does nothing else. On a virtual machine a wakeup is not free
# (timer interrupts and exits to the hypervisor are charged to the task
# that wakes), so the goals read best beside it.
WAKER = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    time.sleep(0.1)\n"


def floor_waker(env, work):
    path = os.path.join(work, "waker.py")
    with open(path, "w") as f:
        f.write(WAKER)
    t0 = time.perf_counter()
    pid = spawn([PY, path, str(TREE_SECONDS)], env)
    time.sleep(1.0)
    mid_t, mid = time.perf_counter() - t0, schedstat(pid)
    end = Finished(pid, t0)
    return {"cpu": end.sched, "wall": end.wall, "samples": TREE_SECONDS * 10,
            "steady": (end.sched - mid) / (end.wall - mid_t), "stat": end.stat_own}


def overhead(env, work):
    with open(os.path.join(work, "tree.py"), "w") as f:
        f.write(TREE)
    cases = [("ptest-mon run (cgroup)", lambda: ptest_tree(env, work, False)),
             ("ptest-mon run --no-cgroup (/proc)", lambda: ptest_tree(env, work, True)),
             ("psrecord --include-children (by pid)", lambda: psrecord_tree(env, work)),
             ("floor: python waking at 10 Hz, idle", lambda: floor_waker(env, work))]
    res = {name: [] for name, _ in cases}
    for i in range(TREE_ROUNDS):
        for name, f in cases[i % len(cases):] + cases[:i % len(cases)]:
            res[name].append(f())
            time.sleep(0.5)
    print(f"1. The monitor's own CPU, 10 Hz, a 20-process tree for {TREE_SECONDS:g} s; "
          f"{TREE_ROUNDS} rounds, interleaved; medians")
    print(f"   ({len([d for d in os.listdir('/proc') if d.isdigit()])} processes on the host)\n")
    print(f"{'monitor':40} {'CPU s':>7} {'wall s':>7} {'% core':>7} {'after 1 s':>9} {'samples':>7} {'ms/sample':>9}")
    pct = {}
    for name, runs in res.items():
        m = lambda k: statistics.median(r[k] for r in runs)
        pct[name] = statistics.median(100 * r["cpu"] / r["wall"] for r in runs)
        per = statistics.median(1000 * r["cpu"] / r["samples"] for r in runs)
        print(f"{name:40} {m('cpu'):7.3f} {m('wall'):7.2f} {pct[name]:6.2f}% {100 * m('steady'):8.2f}% "
              f"{m('samples'):7.0f} {per:9.2f}")
        if name.startswith("ptest"):
            print(f"{'':40} cross-checks, CPU s: /proc/PID/stat {m('stat'):.3f}; summary monitor.cpu_seconds "
                  f"{m('summary'):.3f}; wait4 less children's stat {m('rusage_less_children'):.3f}; "
                  f"wait4 less the summary's tree CPU {m('rusage_less_summary_tree'):.3f} "
                  f"(tree: {m('tree_cpu'):.3f} s, {m('procs_peak'):.0f} procs); read(2) calls per sample: "
                  f"{m('reads'):.0f}")
    ps = "psrecord --include-children (by pid)"
    floor = "floor: python waking at 10 Hz, idle"
    print()
    goals = []
    for name, goal in [("ptest-mon run (cgroup)", 1.0), ("ptest-mon run --no-cgroup (/proc)", 3.0)]:
        print(f"{name + ' / psrecord':60} {pct[name] / pct[ps]:6.3f}x")
        print(f"{name + ' / an idle 10 Hz waker':60} {pct[name] / pct[floor]:6.3f}x")
        goals.append((f"{name}: % of one core", pct[name], "<=", goal, " %"))
    return goals


def peak(env, work):
    with open(os.path.join(work, "peak.py"), "w") as f:
        f.write(PEAK_PARENT)
    cmd = [PY, os.path.join(work, "peak.py")]
    time_bin = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

    def ptest(no_cgroup):
        out = os.path.join(work, "peak.jsonl")
        subprocess.run([MON, "run", "--interval", "100ms", "--out", out] + (["--no-cgroup"] if no_cgroup else [])
                       + ["--"] + cmd, env=env, check=True, capture_output=True)
        s, samples = last_summary(out)
        return s["memory_peak"], s["memory_peak_source"], max(x["memory"] for x in samples)

    def psrecord():
        log = os.path.join(work, "peak-psrecord.log")
        subprocess.run([PSRECORD, " ".join(cmd), "--include-children", "--interval", "0.1", "--log", log],
                       env=env, check=True, capture_output=True)
        real = [float(l.split()[2]) for l in open(log) if l.strip() and not l.startswith("#")]
        return int(max(real) * MIB), "sampled", None

    def gnu_time():
        r = subprocess.run([time_bin, "-v"] + cmd, env=env, check=True, capture_output=True, text=True)
        kib = next(int(l.rsplit(":", 1)[1]) for l in r.stderr.splitlines() if "Maximum resident set size" in l)
        return kib * 1024, "largest process", None

    cases = [("ptest-mon run (cgroup)", lambda: ptest(False)),
             ("ptest-mon run --no-cgroup", lambda: ptest(True)),
             ("psrecord --include-children --interval 0.1", psrecord)]
    if time_bin:
        cases.append(("/usr/bin/time -v", gnu_time))
    res = {name: [] for name, _ in cases}
    for i in range(PEAK_ROUNDS):
        for name, f in cases[i % len(cases):] + cases[:i % len(cases)]:
            res[name].append(f())
    print(f"\n2. A child allocating 200 MiB for 30 ms (true allocation: {PEAK / MIB:.0f} MiB, "
          f"plus two Python interpreters); {PEAK_ROUNDS} rounds, interleaved\n")
    print(f"{'tool':44} {'median':>8} {'min':>8} {'max':>8} {'x true':>7} {'caught':>7}  reported as")
    for name, runs in res.items():
        v = [r[0] for r in runs]
        caught = sum(x >= PEAK for x in v)
        print(f"{name:44} {statistics.median(v) / MIB:5.0f}MiB {min(v) / MIB:5.0f}MiB {max(v) / MIB:5.0f}MiB "
              f"{statistics.median(v) / PEAK:6.2f}x {caught:3}/{len(v)}  {', '.join(sorted({r[1] for r in runs}))}")
        if runs[0][2] is not None:
            s = [r[2] for r in runs]
            print(f"{'  its samples, highest':44} {statistics.median(s) / MIB:5.0f}MiB {min(s) / MIB:5.0f}MiB "
                  f"{max(s) / MIB:5.0f}MiB {statistics.median(s) / PEAK:6.2f}x {sum(x >= PEAK for x in s):3}/{len(s)}")
    if not time_bin:
        print("/usr/bin/time: not installed (Debian's `time`; bench/run installs it when run as root): column skipped")
    v = [r[0] for r in res["ptest-mon run (cgroup)"]]
    return [("ptest-mon run (cgroup): lowest peak of the rounds", min(v) / MIB, ">=", PEAK / MIB, " MiB")]


def engine_pids(shims):
    """dockerd, containerd, and the shims of the containers measured (not
    those of other containers)."""
    out = {p: "containerd-shim" for p in shims}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm in ("dockerd", "containerd"):
            out[int(d)] = comm
    return out


def engine_cpu(pids):
    """CPU seconds of each engine process: its threads' (the nanosecond
    counters of /proc/PID/task/*/schedstat) and its reaped children's
    (clock ticks)."""
    by = {}
    for pid in pids:
        try:
            own = 0
            for t in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                    own += int(f.read().split()[0])
            by[pid] = own / 1e9 + sum(stat(pid)[2:])
        except (OSError, ValueError):
            pass
    return by


def delta(pids, a, b):
    """CPU used between readings a and b, by kind of engine process."""
    out = {}
    for pid, kind in pids.items():
        if pid in a and pid in b:
            out[kind] = out.get(kind, 0.0) + b[pid] - a[pid]
    return out


def make_image(env, tag):
    work = tempfile.mkdtemp(prefix="ptest-bench-mon-rootfs-")
    try:
        root = os.path.join(work, "rootfs")
        os.makedirs(os.path.join(root, "bin"))
        os.makedirs(os.path.join(root, "tmp"))
        os.chmod(os.path.join(root, "tmp"), 0o1777)
        shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
        applets = subprocess.run(["/bin/busybox", "--list"], check=True, capture_output=True, text=True).stdout.split()
        for applet in applets:
            p = os.path.join(root, "bin", applet)
            if not os.path.exists(p):
                os.symlink("busybox", p)
        tar = os.path.join(work, "rootfs.tar")
        subprocess.run(["tar", "-C", root, "-cf", tar, "."], check=True)
        subprocess.run([PD, "image", "import", tar, "--tag", tag], env=env, check=True, capture_output=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def watch_ptest(env, records, work, shims):
    out = os.path.join(work, "watch.jsonl")
    pids = engine_pids(shims)
    e0 = engine_cpu(pids)
    t0 = time.perf_counter()
    pid = spawn([MON, "watch", "--interval", "1s", "--duration", f"{WATCH_SECONDS}s", "--no-host", "--json"],
                env, stdin=records, stdout=out, stderr=os.path.join(work, "watch.err"))
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    e = delta(pids, e0, engine_cpu(pids))
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"ptest-mon watch failed: {open(os.path.join(work, 'watch.err')).read()}")
    recs = [json.loads(l) for l in open(out) if l.strip()]
    samples = [r for r in recs if r.get("kind") == "sample"]
    sources = sorted({r["source"] for r in recs if r.get("kind") == "summary"})
    return {"own": ru.ru_utime + ru.ru_stime, "engine": e, "wall": wall, "samples": len(samples),
            "note": f"sources: {', '.join(sources)}"}


def watch_docker(env, ids, shims):
    """`docker stats --no-stream` started once a second; one that is still
    running when the next is due runs on beside it."""
    docker = shutil.which("docker")
    pids = engine_pids(shims)
    e0 = engine_cpu(pids)
    t0 = time.perf_counter()
    running, own, took, most = {}, 0.0, [], 0

    def reap(block):
        nonlocal own
        for p in list(running):
            q, status, ru = os.wait4(p, 0 if block else os.WNOHANG)
            if q == p:
                if os.waitstatus_to_exitcode(status) != 0:
                    raise SystemExit("docker stats --no-stream failed")
                own += ru.ru_utime + ru.ru_stime
                took.append(time.perf_counter() - running.pop(p))

    for i in range(WATCH_SECONDS):
        while (left := t0 + i - time.perf_counter()) > 0:
            reap(False)
            time.sleep(min(left, 0.02))
        running[spawn([docker, "stats", "--no-stream", *ids], env)] = time.perf_counter()
        most = max(most, len(running))
    reap(True)
    wall = time.perf_counter() - t0
    e = delta(pids, e0, engine_cpu(pids))
    return {"own": own, "engine": e, "wall": wall, "samples": len(took) * len(ids),
            "note": f"{len(took)} runs of {statistics.median(took):.2f} s (median), up to {most} at once"}


def idle(seconds, shims):
    pids = engine_pids(shims)
    e0 = engine_cpu(pids)
    t0 = time.perf_counter()
    time.sleep(seconds)
    return {"own": 0.0, "engine": delta(pids, e0, engine_cpu(pids)), "wall": time.perf_counter() - t0, "samples": 0,
            "note": ""}


def containers(env, work):
    if not os.access("/bin/busybox", os.X_OK) or shutil.which("docker") is None or subprocess.run(
            ["docker", "version"], capture_output=True).returncode != 0:
        print("\n3. Containers: skipped (needs the Docker engine and Debian's busybox-static)")
        return []
    tag = f"ptest-bench/busybox-mon:{os.getpid()}"
    records = os.path.join(work, "containers.jsonl")
    made = False
    try:
        make_image(env, tag)
        with open(records, "w") as f:
            subprocess.run([PD, "create", "--json", "--image", tag, "--count", str(CONTAINERS),
                            "--owner", str(os.getpid()), "--ttl", "30m", "--", "sleep", "3600"],
                           env=env, check=True, stdout=f)
        made = True
        ids = [json.loads(l)["container_id"] for l in open(records) if l.strip()]
        mains = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", *ids],
                               check=True, capture_output=True, text=True).stdout.split()
        shims = [int(open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[1]) for p in mains]
        others = lambda: len(subprocess.run(["docker", "ps", "-aq"], capture_output=True, text=True).stdout.split()) - len(ids)
        busy = others()
        cases = [("ptest-mon watch --interval 1s", lambda: watch_ptest(env, records, work, shims)),
                 ("docker stats --no-stream, once a second", lambda: watch_docker(env, ids, shims))]
        res = {name: [] for name, _ in cases}
        idles = []
        for i in range(WATCH_ROUNDS):
            # The engine's own CPU first, once it has settled from the
            # creation or the last round; then the two sides, taking turns
            # at going first.
            time.sleep(6)
            idles.append(idle(IDLE_SECONDS, shims))
            for name, f in cases[i % len(cases):] + cases[:i % len(cases)]:
                time.sleep(1)
                res[name].append(f())
        busy = max(busy, others())
    finally:
        if made:
            with open(records) as f:
                subprocess.run([PD, "rm"], stdin=f, env=env, capture_output=True)
        subprocess.run(["docker", "rmi", tag], capture_output=True)
    idle_rate = sum(sum(r["engine"].values()) for r in idles) / sum(r["wall"] for r in idles)
    kinds = sorted({k for runs in res.values() for r in runs for k in r["engine"]})
    print(f"\n3. {CONTAINERS} containers sampled at 1 Hz for {WATCH_SECONDS} s; {WATCH_ROUNDS} rounds, "
          f"interleaved; CPU seconds, medians")
    print(f"   engine idle: {100 * idle_rate:.2f} % of one core ({IDLE_SECONDS} s with nothing watching, each round; "
          f"'engine over idle' is what the engine used beyond that, 0 when it used less)")
    if busy:
        print(f"   note: up to {busy} other containers were on the engine: dockerd's and containerd's figures include their share")
    print()
    print(f"{'watcher':42} {'own':>7} " + " ".join(f"{k:>15}" for k in kinds)
          + f" {'engine over idle':>16} {'total':>7} {'samples':>7}")
    tot, net = {}, {}
    for name, runs in res.items():
        m = lambda f: statistics.median(f(r) for r in runs)
        tot[name] = m(lambda r: r["own"] + sum(r["engine"].values()))
        above = lambda r: max(0.0, sum(r["engine"].values()) - idle_rate * r["wall"])
        net[name] = m(lambda r: r["own"] + above(r))
        print(f"{name:42} {m(lambda r: r['own']):7.3f} "
              + " ".join(f"{m(lambda r: r['engine'].get(k, 0.0)):15.3f}" for k in kinds)
              + f" {m(above):16.3f} {tot[name]:7.3f} {m(lambda r: r['samples']):7.0f}")
        print(f"{'':42} {runs[-1]['note']}")
    p, d = "ptest-mon watch --interval 1s", "docker stats --no-stream, once a second"
    own = {k: statistics.median(r["own"] for r in v) for k, v in res.items()}
    print(f"\n{'ptest / docker stats, their own CPU only':60} {own[p] / own[d]:6.3f}x")
    print(f"{'ptest / docker stats, own + engine over its idle CPU':60} {net[p] / net[d]:6.3f}x")
    print(f"{'ptest own / docker stats own + engine':60} {own[p] / tot[d]:6.3f}x")
    return [("ptest / docker stats, own CPU + the engine's", tot[p] / tot[d], "<=", 0.05, "x")]


def main():
    for b in (MON, PD):
        if not os.path.exists(b):
            raise SystemExit(f"no {b}: run `bench/run mon`, or set PTEST_BIN_DIR")
    if not os.access(PSRECORD, os.X_OK):
        raise SystemExit(f"no {PSRECORD}: run `bench/run mon` (it installs psrecord)")
    home = tempfile.mkdtemp(prefix="ptest-bench-mon-")
    work = os.path.join(home, "work")
    os.mkdir(work)
    env = dict(os.environ, PTEST_HOME=home)
    psr = subprocess.run([PY, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True)
    ver = subprocess.run([os.path.dirname(PSRECORD) + "/python", "-c",
                          "import importlib.metadata as m; print(m.version('psrecord'), m.version('psutil'))"],
                         capture_output=True, text=True).stdout.split()
    print(f"binaries: {BIN}\n{build.describe(MON, PD)}\nmachine: {os.cpu_count()} cores; "
          f"CPython {psr.stdout.strip()}; psrecord {' '.join(ver[:1])}, psutil {' '.join(ver[1:])}\n")
    try:
        goals = overhead(env, work)
        goals += peak(env, work)
        goals += containers(env, work)
    finally:
        subprocess.run([MON, "gc"], env=env, capture_output=True)
        left = subprocess.run([MON, "ls", "--json"], env=env, capture_output=True, text=True).stdout.strip()
        if left:
            print(f"\nptest-mon ls after the runs and gc: {left}")
        subprocess.run([PD, "gc"], env=env, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)
    print()
    ok = True
    for label, v, rel, goal, unit in goals:
        met = v >= goal if rel == ">=" else v <= goal
        ok &= met
        print(f"{label:60} {v:7.3f}{unit} (goal {rel} {goal:g}{unit}: {'meets' if met else 'MISSES'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
