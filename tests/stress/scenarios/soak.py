"""Scenario 4: soak. Create-and-teardown cycles for DURATION, every tool in
each cycle, run by one long-lived shell — as a CI job's steps are — so that
ptest's long-lived processes live across cycles: the guardian of that
shell's containers (a fixture container keeps it), the supervisor of a
service, and `ptest mon watch` itself, which samples them all run long.

Each cycle ends with its teardown and `ptest gc` (a CI job's cleanup
step). After a warm-up, memory (RSS) and open descriptors of those
processes and the state directory's size after each cycle must not grow
from cycle to cycle, within the tolerances below; at the end, teardown,
`ptest gc` and the leak detector. What a cycle's teardown leaves for gc is
recorded too (`before_gc_*`), not judged.
"""
import json
import os
import select
import signal
import subprocess
import time
import urllib.request

from harness import Failure, log, proc_stat, cmdline, require, start_time
from scenarios import Checked, full_env_pipeline

# Tolerances, after the warm-up (the first WARMUP cycles, or 10 %), the
# judged cycles cut in thirds: the last third's median against the first
# third's (medians: a connection or a registry write in flight at a
# sample is not growth; a leak of one per cycle, or per ten, moves them).
WARMUP = 3
FD_SLACK = 0  # descriptors: not one more
RSS_RATIO, RSS_SLACK = 1.10, 1 << 20  # RSS: at most 10 % + 1 MiB more
STATE_FILES_SLACK, STATE_BYTES_SLACK = 0, 64 << 10  # state dir after a cycle: not one file, 64 KiB more


class JobShell:
    """One bash process, the session leader (so ptest's default owner) of
    everything it runs, fed one command at a time: a CI job's shell."""

    def __init__(self, scen):
        self.scen = scen
        r, self.status_w = os.pipe()
        self.status = os.fdopen(r)
        self.n = 0
        self.p = subprocess.Popen(["bash", "--norc", "--noprofile"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, env=scen.env, cwd=scen.dir, start_new_session=True,
                                  pass_fds=(self.status_w,), text=True)
        os.close(self.status_w)
        self.pid = self.p.pid
        scen.attr.owner(self.pid, start_time(self.pid))
        self.p.stdin.write("set -o pipefail\n")

    def run(self, cmd, check=True, timeout=300):
        self.n += 1
        out = os.path.join(self.scen.logs, f"job-{self.n}.out")
        err = os.path.join(self.scen.logs, f"job-{self.n}.err")
        t = time.perf_counter()
        # The status descriptor is the shell's alone: closed for the command.
        self.p.stdin.write(f"( {cmd}\n) > {out} 2> {err} < /dev/null {self.status_w}>&-; "
                           f"echo \"{self.n} $?\" >&{self.status_w}\n")
        self.p.stdin.flush()
        ready, _, _ = select.select([self.status], [], [], timeout)
        if not ready:
            os.killpg(self.pid, signal.SIGKILL)
            raise Failure(f"soak: `{cmd}` did not end within {timeout} s (the job shell was killed)")
        line = self.status.readline()
        require(line, f"the job shell died running {cmd!r}")
        n, rc = line.split()
        secs = time.perf_counter() - t
        with open(out) as f:
            text = f.read()
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    self.scen.attr.record(json.loads(line))
                except ValueError:
                    pass
        if check and rc != "0":
            raise Failure(f"soak: `{cmd}` exited {rc}: {open(err).read()[-600:]}")
        return int(rc), text, secs

    def close(self):
        try:
            self.p.stdin.write("exit 0\n")
            self.p.stdin.flush()
            self.p.wait(30)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()


def rss_fds(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(x.split()[1]) * 1024 for x in f if x.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, StopIteration):
        return None, None


def state_size(home, skip_dir=None):
    """Files and bytes of the state directory, but below `skip_dir` (the
    service's logs, which grow by what the service itself writes)."""
    files = size = 0
    for root, _, fs in os.walk(home):
        if skip_dir and (root + "/").startswith(skip_dir + "/"):
            continue
        for f in fs:
            try:
                size += os.lstat(os.path.join(root, f)).st_size
                files += 1
            except OSError:
                pass
    return files, size


def ours(scen, pred):
    """A process of the scenario (its PTEST_HOME) whose argv `pred` likes."""
    mark = ("PTEST_HOME=" + scen.home).encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/environ", "rb") as f:
                if mark not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        if pred(cmdline(int(d))):
            return int(d)
    return None


def by_dir(home, skip_dir):
    """Bytes per directory two levels down (registry, snap/objects…): where
    the state directory grows, if it does."""
    out = {}
    for root, _, fs in os.walk(home):
        if (root + "/").startswith(skip_dir + "/"):
            continue
        rel = os.path.relpath(root, home).split("/")
        key = "/".join(rel[:2]) if rel != ["."] else "."
        for f in fs:
            try:
                out[key] = out.get(key, 0) + os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return out


def refilled(scen, pool, size, timeout=30):
    """Waits until the pool holds `size` ready members; the seconds it took."""
    t = time.perf_counter()
    while time.perf_counter() - t < timeout:
        res = scen.sh("ptest docker pool ls --json", check=False)
        if any(r.get("name") == pool and r.get("ready") == size for r in res.kind("pool")):
            return round(time.perf_counter() - t, 3)
        time.sleep(0.1)
    raise Failure(f"soak: the pool {pool} was not refilled to {size} within {timeout} s")


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def run(ctx, cgroup):
    c = Checked(ctx, "soak", cgroup)
    s = c.scen
    work = os.path.join(s.dir, "work")
    tree = os.path.join(s.dir, "tree")
    for i in range(100):
        os.makedirs(os.path.join(tree, f"d{i % 5}"), exist_ok=True)
        with open(os.path.join(tree, f"d{i % 5}", f"f{i}"), "w") as f:
            f.write(f"{i}\n" * 50)
    c.baseline()
    job = JobShell(s)
    watch = None
    samples = []
    try:
        # Fixtures that live for the whole soak.
        job.run(f"ptest docker create --image {ctx.image} --name fixture -- sleep 100000 > {work}-fixture.jsonl")
        job.run(f"ptest port lease --name svc | ptest proc start --name svc --ready-port svc -- "
                f"sh -c 'exec python3 -m http.server --bind 127.0.0.1 \"$PTEST_PORT_SVC\"' > {work}-svc.jsonl")
        # A pool of two: each cycle takes a member, its keeper makes another.
        job.run(f"ptest docker pool create --pool soak --size 2 --image {ctx.image} -- sleep 99999 > {work}-pool.jsonl")
        svc = [json.loads(x) for x in open(f"{work}-svc.jsonl") if '"kind":"proc"' in x][0]
        svc_dir = os.path.join(s.home, "proc", svc["id"])
        port = [json.loads(x) for x in open(f"{work}-svc.jsonl") if '"kind":"port"' in x][0]["port"]
        guardian = ours(s, lambda a: len(a) > 1 and a[1] == "__guard")
        supervisor = ours(s, lambda a: len(a) > 1 and a[1] == "__supervise")
        keeper = ours(s, lambda a: len(a) > 1 and a[1] == "__keep")
        require(guardian and supervisor and keeper,
                f"soak: no guardian ({guardian}), supervisor ({supervisor}) or keeper ({keeper}) to watch")
        mon_out = os.path.join(s.dir, "soak-mon.jsonl")
        watch = s.spawn(f"exec ptest mon watch --pid {guardian} --pid {supervisor} --pid {keeper} --interval 1s "
                        f"--no-host --out {mon_out} > /dev/null")
        watched = {"guardian": guardian, "supervisor": supervisor, "keeper": keeper, "mon watch": watch.pid}
        log(f"soak: {ctx.duration:.0f}s of cycles; watching {watched}")
        t_end = time.monotonic() + ctx.duration
        cycle = 0
        while time.monotonic() < t_end:
            t = time.perf_counter()
            w = f"{work}/{cycle}"
            os.makedirs(w, exist_ok=True)
            job.run(full_env_pipeline(ctx))
            job.run(f"ptest docker create --image {ctx.image} --name soak{cycle} --network isolated "
                    f"--volume stress-{ctx.run_id}-soak-{cycle}:/data -- sleep 600 > {w}/c.jsonl "
                    f"&& ptest docker exec soak{cycle} -- sh -c 'echo {cycle} > /data/x' && ptest down < {w}/c.jsonl")
            job.run(f"ptest snap create {tree} > {w}/s.jsonl && id=$(grep -o '\"id\":\"snapshot-[a-z0-9]*\"' "
                    f"{w}/s.jsonl | cut -d'\"' -f4) && ptest snap restore $id --to {w}/copy > /dev/null "
                    f"&& echo changed > {tree}/d0/f0 && ptest snap reset $id > /dev/null && ptest down < {w}/s.jsonl")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
                require(r.status == 200, f"soak: the service answered {r.status}")
            job.run("ptest proc status svc > /dev/null && ptest proc logs svc --stderr | tail -1")
            job.run("ptest mon run -- true")
            job.run(f"ptest docker create --image {ctx.image} -- sleep 99999 > {w}/pooled.jsonl "
                    f"&& grep -q from_pool {w}/pooled.jsonl; rc=$?; ptest down < {w}/pooled.jsonl; exit $rc")
            job.run(f"ptest port lease --count 5 > {w}/p.jsonl && ptest down < {w}/p.jsonl")
            subprocess.run(["rm", "-rf", w])
            # What the cycle's teardown alone leaves (for the record: some
            # state, a snapshot cache's entries for replaced files say, goes
            # only with gc), then gc, as a CI job's cleanup step runs it.
            raw = state_size(s.home, svc_dir)
            raw_by_dir = by_dir(s.home, svc_dir)
            job.run("ptest gc > /dev/null")
            sample = {"cycle": cycle, "seconds": round(time.perf_counter() - t, 3),
                      "before_gc_state_files": raw[0], "before_gc_state_bytes": raw[1],
                      "before_gc_state_bytes_by_dir": raw_by_dir}
            # Measured at rest: once the keeper has refilled the pool, the
            # least of three readings 100 ms apart (an engine connection or
            # a registry write in flight is not growth; a leak stays).
            sample["pool_refill_seconds"] = refilled(s, "soak", 2)
            readings = []
            for _ in range(3):
                r = dict(zip(("state_files", "state_bytes"), state_size(s.home, svc_dir)))
                for name, pid in watched.items():
                    r[f"{name} rss"], r[f"{name} fds"] = rss_fds(pid)
                readings.append(r)
                time.sleep(0.1)
            for k in readings[0]:
                vals = [r[k] for r in readings]
                sample[k] = None if None in vals else min(vals)
            sample["service_log_bytes"] = state_size(svc_dir)[1]
            sample["state_bytes_by_dir"] = by_dir(s.home, svc_dir)
            samples.append(sample)
            for name, pid in watched.items():
                require(sample[f"{name} rss"] is not None, f"soak: the {name} ({pid}) died in cycle {cycle}")
            cycle += 1
        log(f"soak: {cycle} cycles")
        c.metric("cycles", cycle)
        c.metric("cycle_seconds_median", median([x["seconds"] for x in samples]) if samples else None)
        judge_growth(c, samples)
    except Failure as e:
        c.fail(str(e))
    finally:
        if watch:
            watch.signal(signal.SIGTERM, group=False)
            try:
                watch.wait(30)
            except TimeoutError as e:
                c.fail(str(e))
        # The report keeps every cycle's figures, and where the state
        # directory's bytes were for the first judged cycle and the last.
        for i, x in enumerate(samples):
            if i not in (min(len(samples) - 1, max(WARMUP, len(samples) // 10)), len(samples) - 1):
                x.pop("state_bytes_by_dir", None)
                x.pop("before_gc_state_bytes_by_dir", None)
        c.result["samples"] = samples
        try:
            job.run(f"ptest docker pool rm soak; ptest down < {work}-svc.jsonl; ptest down < {work}-fixture.jsonl",
                    check=False)
        finally:
            job.close()
    mon_out = os.path.join(s.dir, "soak-mon.jsonl")
    if os.path.exists(mon_out):
        svg = os.path.join(ctx.report_dir, f"stress-soak{'' if ctx.scale == 'full' else '-' + ctx.scale}.svg")
        r = s.sh(f"ptest mon report {mon_out} --svg {svg} --json", check=False)
        c.check(r.rc == 0, f"soak: ptest mon report: {r.describe()}")
        c.result["monitor"] = {"svg": os.path.basename(svg), "records": r.records}
    c.finish()
    return c.result


def judge_growth(c, samples, say=True):
    n = len(samples)
    warm = max(WARMUP, n // 10)
    rest = samples[warm:]
    if len(rest) < 6:
        c.fail(f"soak: {n} cycles are too few to judge growth after a warm-up of {warm} (raise DURATION)")
        return
    third = len(rest) // 3
    first, last = rest[:third], rest[-third:]
    verdicts = {}
    keys = [k for k in samples[0] if k.endswith((" rss", " fds"))]
    for k, slack, ratio in ([(k, FD_SLACK, 1) for k in keys if k.endswith(" fds")]
                            + [(k, RSS_SLACK, RSS_RATIO) for k in keys if k.endswith(" rss")]
                            + [("state_files", STATE_FILES_SLACK, 1), ("state_bytes", STATE_BYTES_SLACK, 1)]):
        a, b = [x[k] for x in first], [x[k] for x in last]
        ok = median(b) <= median(a) * ratio + slack
        unit = (lambda v: f"{v >> 10} KiB") if k.endswith(("rss", "bytes")) else str
        rule = (f"median {unit(median(b))} <= {unit(median(a))}" + (f" * {ratio}" if ratio != 1 else "")
                + f" + {unit(slack)}")
        verdicts[k] = {"first": [min(a), median(a), max(a)], "last": [min(b), median(b), max(b)], "ok": ok,
                       "rule": rule}
        c.check(ok, f"soak: {k} grew: {rule} does not hold (after {warm} warm-up cycles, first third vs last third)")
    c.result["growth"] = {"warmup_cycles": warm, "judged_cycles": len(rest), "verdicts": verdicts}
    if say:
        log("soak: " + "; ".join(f"{k}: {'ok' if v['ok'] else 'GREW'} ({v['rule']})" for k, v in verdicts.items()))
