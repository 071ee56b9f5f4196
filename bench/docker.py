#!/usr/bin/env python3
"""Benchmark of `ptest docker` beside the docker CLI, in one run.

Run: `make bench` (or bench/run docker). Needs the Docker engine and
Debian's busybox-static: the image is a busybox root filesystem imported
with `ptest docker image import` (nothing is pulled). Goals (ratios):

  create-to-ready of one web container   ptest <= 0.8x  docker run -d + an HTTP readiness probe
  twenty containers at once              ptest <= 0.75x twenty `docker run -d` in parallel
  SIGKILL of the owner -> all gone       ptest <= 2 s   (testcontainers' Ryuk: >= 10 s by its design)

Beside them, the engine floor: the same containers made with nothing but
the API's create and start calls (no readiness, no records), which no
client of this engine can beat.

Pools of ready containers (`ptest docker pool create`; the rows `pool`):

  take from a warm pool -> ready, port answering   <= 0.1x  docker run -d + HTTP probe (busybox httpd)
  the same for a service 2 s slow to be ready      <= 0.02x a cold `create --no-pool --ready-port`
  20 parallel takes from a pool of 20              <= 0.1x  20 parallel cold creates (and docker run + probe)
  one take a second from a pool of 4, 60 takes     every take from the pool and answering HTTP at once;
                                                   the refill latency reported

Each take is a whole `ptest-docker create` process with exactly the pool's
spec, then one connection to its published port that must answer HTTP at
once (a take that does not is a not-ready handout: a failure). Ratios are
taken within each round; medians with the lowest and highest are printed.

BENCH_DOCKER_ROWS (default one,twenty,kill,pool) picks the rows; BENCH_RUNS
(default 10) the rounds, BENCH_POOL_RUNS (default BENCH_RUNS) those of the
pool rows, BENCH_POOL_TAKES (default 60) the takes of the keeper row.
Everything made (pools, containers, the image) is removed at the end, also
on failure.
"""
import build
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PTEST_BIN_DIR") or os.path.join(ROOT, "target", "release")
PD = os.path.join(BIN, "ptest-docker")
RUNS = int(os.environ.get("BENCH_RUNS", "10"))
POOL_RUNS = int(os.environ.get("BENCH_POOL_RUNS", str(RUNS)))
POOL_TAKES = int(os.environ.get("BENCH_POOL_TAKES", "60"))
ROWS = set(os.environ.get("BENCH_DOCKER_ROWS", "one,twenty,kill,pool").replace(" ", "").split(","))
IMAGE = "ptest-bench/busybox:1"
WEB = "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www"


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout.strip()


def image(env):
    work = tempfile.mkdtemp(prefix="ptest-bench-rootfs-")
    root = os.path.join(work, "rootfs")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "tmp"))
    os.makedirs(os.path.join(root, "www"))
    with open(os.path.join(root, "www", "index.html"), "w") as f:
        f.write("hi\n")
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    for applet in sh("/bin/busybox", "--list").split():
        p = os.path.join(root, "bin", applet)
        if not os.path.exists(p):
            os.symlink("busybox", p)
    tar = os.path.join(work, "rootfs.tar")
    sh("tar", "-C", root, "-cf", tar, ".")
    sh(PD, "image", "import", tar, "--tag", IMAGE, env=env)
    shutil.rmtree(work, ignore_errors=True)


class EngineConnection(http.client.HTTPConnection):
    """HTTP over the engine's Unix socket: the floor both sides stand on."""

    def __init__(self):
        super().__init__("localhost", timeout=60)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://"))


def engine(method, path, body=None):
    c = EngineConnection()
    c.request(method, "/v1.41" + path, body=None if body is None else json.dumps(body),
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise SystemExit(f"engine: {method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else None


def engine_create_start(cmd, ports=()):
    """create + start through the API, nothing else: no readiness, no records."""
    body = {"Image": IMAGE, "Cmd": cmd, "Labels": {"ptest-bench": "1"},
            "ExposedPorts": {f"{p}/tcp": {} for p in ports},
            "HostConfig": {"PortBindings": {f"{p}/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}] for p in ports}}}
    cid = engine("POST", "/containers/create", body)["Id"]
    engine("POST", f"/containers/{cid}/start")
    return cid


def engine_floor_one():
    t = time.perf_counter()
    cid = engine_create_start(["sh", "-c", WEB], ports=(8080,))
    dt = time.perf_counter() - t
    engine("DELETE", f"/containers/{cid}?force=1")
    return dt


def twenty_at_once(make):
    """Runs make() 20 times at once, one thread each: the ids and the wall time."""
    ids = [None] * 20

    def one(i):
        ids[i] = make()
    t = time.perf_counter()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return ids, time.perf_counter() - t


def engine_floor_twenty():
    ids, dt = twenty_at_once(lambda: engine_create_start(["sleep", "600"]))
    for i in ids:
        engine("DELETE", f"/containers/{i}?force=1")
    return dt


def docker_run_ready():
    t = time.perf_counter()
    cid = sh("docker", "run", "-d", "--label", "ptest-bench=1", "-p", "127.0.0.1::8080", IMAGE, "sh", "-c", WEB)
    port = int(sh("docker", "port", cid, "8080/tcp").rsplit(":", 1)[1])
    # The probe users write: retry GET until it answers.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1."):
                    break
        except OSError:
            pass
        time.sleep(0.02)
    dt = time.perf_counter() - t
    subprocess.run(["docker", "rm", "-f", cid], capture_output=True)
    return dt


def ptest_ready(env):
    t = time.perf_counter()
    out = sh(PD, "create", "--json", "--image", IMAGE, "--port", "8080", "--ready-http", "/", "--", "sh", "-c", WEB, env=env)
    dt = time.perf_counter() - t
    subprocess.run([PD, "rm"], input=out + "\n", text=True, env=env, capture_output=True)
    return dt


def twenty_docker():
    ids, dt = twenty_at_once(lambda: subprocess.run(
        ["docker", "run", "-d", "--label", "ptest-bench=1", IMAGE, "sleep", "600"],
        capture_output=True, text=True).stdout.strip())
    subprocess.run(["docker", "rm", "-f", *[i for i in ids if i]], capture_output=True)
    return dt


def twenty_ptest(env):
    t = time.perf_counter()
    out = sh(PD, "create", "--json", "--image", IMAGE, "--count", "20", "--", "sleep", "600", env=env)
    dt = time.perf_counter() - t
    subprocess.run([PD, "rm"], input=out + "\n", text=True, env=env, capture_output=True)
    return dt


def kill_to_gone(env):
    owner = subprocess.Popen(["sleep", "600"])
    sh(PD, "create", "--json", "--image", IMAGE, "--owner", str(owner.pid), "--count", "5",
       "--network", "isolated", "--", "sleep", "600", env=env)
    label = None
    for line in sh("docker", "ps", "-q", "--filter", "label=ptest.tool=ptest-docker").split():
        l = sh("docker", "inspect", "-f", '{{index .Config.Labels "ptest.owner"}}', line)
        if l.startswith(f"{owner.pid}:"):
            label = l
            break
    flt = f"label=ptest.owner={label}"
    owner.kill()
    t = time.perf_counter()
    owner.wait()
    while True:
        left = sh("docker", "ps", "-aq", "--filter", flt).split() + sh("docker", "network", "ls", "-q", "--filter", flt).split()
        if not left:
            return time.perf_counter() - t
        if time.perf_counter() - t > 60:
            raise SystemExit(f"{len(left)} objects outlived their owner by 60 s")
        time.sleep(0.05)


# --- Pools of ready containers -------------------------------------------

HTTPD = ["httpd", "-f", "-p", "80", "-h", "/www"]
SLOW = ["sh", "-c", "sleep 2 && httpd -f -p 80 -h /www"]


def spread(v):
    """median (lowest-highest), the house format."""
    return statistics.median(v), min(v), max(v)


def answers(port, timeout=2.0):
    """One connection, one GET: True when an HTTP reply comes back."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def probe_until(port, limit=60):
    """The probe users write: retry GET every 20 ms until it answers."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if answers(port, timeout=0.3):
            return True
        time.sleep(0.02)
    return False


def records(out):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def host_port(rec, cport=80):
    for p in rec.get("ports", []):
        if p.get("container_port") == cport:
            return int(p["host_port"])
    raise SystemExit(f"no host port for {cport} in {rec}")


class Pools:
    """What the pool rows made, removed at the end whatever happens: the
    pools (`pool rm`), every container record ptest wrote, docker's ids."""

    def __init__(self, env):
        self.env = env
        self.pools = []
        self.outs = []
        self.docker_ids = []
        self.lock = threading.Lock()
        self.failures = []  # not-ready handouts: (row, details)

    def create_pool(self, name, size, cmd):
        self.pools.append(name)
        sh(PD, "pool", "create", "--json", "--pool", name, "--size", str(size),
           "--owner", str(os.getpid()), "--ttl", "2h",
           "--image", IMAGE, "--port", "80", "--ready-port", "80", "--", *cmd, env=self.env)

    def ready(self, name):
        for r in records(sh(PD, "pool", "ls", "--json", env=self.env)):
            if r.get("name") == name:
                return r.get("ready", 0), r.get("size"), r.get("keeper")
        raise SystemExit(f"pool {name} is gone")

    def wait_full(self, name, size, limit=180):
        t = time.monotonic()
        while True:
            n, _, keeper = self.ready(name)
            if n >= size:
                return
            if time.monotonic() - t > limit:
                raise SystemExit(f"pool {name}: {n}/{size} ready after {limit} s (keeper {keeper})")
            time.sleep(0.05)

    def rm_pool(self, name):
        subprocess.run([PD, "pool", "rm", name], env=self.env, capture_output=True)
        if name in self.pools:
            self.pools.remove(name)

    def create(self, cmd, pool=True):
        """A `ptest-docker create` of the pools' spec: (seconds to the
        record, the container record, its stdout)."""
        argv = [PD, "create", "--json", "--image", IMAGE, "--port", "80", "--ready-port", "80"]
        if not pool:
            argv.append("--no-pool")
        t = time.perf_counter()
        # Records end with a newline: `rm` refuses a stream cut off.
        out = sh(*argv, "--", *cmd, env=self.env) + "\n"
        dt = time.perf_counter() - t
        with self.lock:
            self.outs.append(out)
        rec = next(r for r in records(out) if r.get("kind") == "container")
        return dt, rec, out

    def rm(self, out):
        r = subprocess.run([PD, "rm"], input=out, text=True, env=self.env, capture_output=True)
        if r.returncode != 0:
            print(f"warning: ptest-docker rm: {r.stderr.strip()}", file=sys.stderr)
        with self.lock:
            if out in self.outs:
                self.outs.remove(out)

    def docker_run(self, cmd):
        cid = sh("docker", "run", "-d", "--label", "ptest-bench=1", "-p", "127.0.0.1::80", IMAGE, *cmd)
        with self.lock:
            self.docker_ids.append(cid)
        return cid

    def docker_rm(self, ids):
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
        with self.lock:
            for i in ids:
                if i in self.docker_ids:
                    self.docker_ids.remove(i)

    def cleanup(self):
        for name in list(self.pools):
            self.rm_pool(name)
        for out in list(self.outs):
            self.rm(out)
        if self.docker_ids:
            self.docker_rm(list(self.docker_ids))

    # One case each: the seconds to a container answering HTTP.

    def ptest_once(self, row, cmd, pool):
        """create (a take, or --no-pool) + one connection that must answer."""
        t = time.perf_counter()
        _, rec, out = self.create(cmd, pool)
        port = host_port(rec)
        ok = answers(port)
        if not ok:
            # Counted as a failure, then waited for (to say how late it was).
            late = time.perf_counter()
            came = probe_until(port, 30)
            self.failures.append((row, f"{rec['id']} ({rec['container_id'][:12]}, from_pool "
                                       f"{rec.get('from_pool')}): no HTTP reply at once; "
                                       + (f"answered {time.perf_counter() - late:.3f} s later" if came else "never answered")))
        dt = time.perf_counter() - t
        if pool and "from_pool" not in rec:
            self.failures.append((row, f"{rec['id']}: made cold, not taken from the pool"))
        self.rm(out)
        return dt

    def docker_once(self, cmd):
        t = time.perf_counter()
        cid = self.docker_run(cmd)
        port = int(sh("docker", "port", cid, "80/tcp").rsplit(":", 1)[1])
        if not probe_until(port):
            raise SystemExit(f"docker: {cid[:12]} never answered")
        dt = time.perf_counter() - t
        self.docker_rm([cid])
        return dt

    def ptest_twenty(self, row, cmd, pool):
        """20 create processes at once, each followed by one connection."""
        outs = [None] * 20
        recs = [None] * 20
        bad = []

        def one(i):
            _, recs[i], outs[i] = self.create(cmd, pool)
            if not answers(host_port(recs[i])):
                bad.append(i)
                probe_until(host_port(recs[i]), 30)
        t = time.perf_counter()
        ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        dt = time.perf_counter() - t
        if None in recs:
            raise SystemExit(f"{row}: {recs.count(None)} of 20 creates failed")
        for i in bad:
            self.failures.append((row, f"{recs[i]['id']} (from_pool {recs[i].get('from_pool')}): no HTTP reply at once"))
        cold = sum(1 for r in recs if "from_pool" not in r)
        if pool and cold:
            self.failures.append((row, f"{cold} of 20 made cold, not taken"))
        self.rm("".join(outs))
        for o in outs:
            with self.lock:
                if o in self.outs:
                    self.outs.remove(o)
        return dt

    def docker_twenty(self, cmd):
        ids = [None] * 20

        def one(i):
            ids[i] = self.docker_run(cmd)
            port = int(sh("docker", "port", ids[i], "80/tcp").rsplit(":", 1)[1])
            if not probe_until(port):
                never.append(ids[i])
        never = []
        t = time.perf_counter()
        ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for th in ts:
            th.start()
        for th in ts:
            th.join()
        dt = time.perf_counter() - t
        self.docker_rm([i for i in ids if i])
        if None in ids or never:
            raise SystemExit(f"20 x docker run: {ids.count(None)} failed, {len(never)} never answered")
        return dt


def pool_rounds(P, pool, size, cases, settle):
    """POOL_RUNS rounds after a warm-up, the cases rotating which goes
    first; before a take the pool is full again (untimed). The times of
    each round, by case."""
    rounds = []
    for i in range(POOL_RUNS + 1):
        order = cases[i % len(cases):] + cases[:i % len(cases)]
        got = {}
        for name, takes, f in order:
            if takes:
                P.wait_full(pool, size)
            time.sleep(settle)
            got[name] = f()
        if i:
            rounds.append(got)
        print(f"  round {i}{' (warm-up)' if not i else ''}: "
              + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in got.items()), flush=True)
    return rounds


def keeper_row(P, results):
    """One take a second from a pool of 4: from the pool? answering at
    once? and how long until `pool ls` shows the pool full again."""
    name, size = "bench-keep", 4
    P.create_pool(name, size, HTTPD)
    P.wait_full(name, size)
    samples = []  # (start, end, ready) of every `pool ls --json`
    stop = threading.Event()

    def poll():
        while not stop.is_set():
            a = time.perf_counter()
            try:
                n = P.ready(name)[0]
            except (subprocess.CalledProcessError, SystemExit):
                n = -1
            samples.append((a, time.perf_counter(), n))
            time.sleep(0.02)
    remover = []

    def remove_later(out):
        th = threading.Thread(target=P.rm, args=(out,))
        th.start()
        remover.append(th)
    poller = threading.Thread(target=poll)
    poller.start()
    takes = []  # (start, end, from_pool, answered at once)
    try:
        t0 = time.perf_counter() + 0.5
        for i in range(POOL_TAKES):
            time.sleep(max(0.0, t0 + i - time.perf_counter()))
            a = time.perf_counter()
            _, rec, out = P.create(HTTPD, True)
            b = time.perf_counter()
            port = host_port(rec)
            ok = answers(port)
            if not ok:
                late = time.perf_counter()
                came = probe_until(port, 30)
                P.failures.append(("keeper", f"take {i}: {rec['id']} ({rec['container_id'][:12]}, from_pool "
                                             f"{rec.get('from_pool')}): no HTTP reply at once; "
                                             + (f"answered {time.perf_counter() - late:.3f} s later" if came else "never answered")))
            takes.append((a, b, "from_pool" in rec, ok))
            remove_later(out)
        # The last take's refill, watched as the others were.
        while time.perf_counter() < takes[-1][1] + 5 and not (samples and samples[-1][0] > takes[-1][1] and samples[-1][2] >= size):
            time.sleep(0.05)
    finally:
        stop.set()
        poller.join()
        for th in remover:
            th.join()
    refill, unfilled = [], 0
    for k, (a, b, _, _) in enumerate(takes):
        nxt = takes[k + 1][0] if k + 1 < len(takes) else float("inf")
        # The first `pool ls` begun after the take returned that shows it full.
        full = next((e for (s, e, n) in samples if s >= b and n >= size), None)
        if full is None or full > nxt:
            unfilled += 1
        else:
            refill.append(full - b)
    ls_cost = [e - s for (s, e, _) in samples]
    lowest = min((n for (_, _, n) in samples if n >= 0), default=None)
    P.rm_pool(name)
    results["keeper"] = {
        "takes": len(takes),
        "from_pool": sum(1 for t in takes if t[2]),
        "answered": sum(1 for t in takes if t[3]),
        "take_s": [b - a for (a, b, _, _) in takes],
        "refill_s": refill,
        "unfilled": unfilled,
        "ls_s": ls_cost,
        "lowest": lowest,
        # What the last `pool ls` finished before each take showed.
        "before": [next((n for (s, e, n) in reversed(samples) if e <= a), "?") for (a, _, _, _) in takes],
        "late_s": max(0.0, max((a - (takes[0][0] + k) for k, (a, _, _, _) in enumerate(takes)), default=0.0)),
    }


def breakdown(P, results):
    """Where a take's time goes: a bare process start, a start that reads
    the registry (`pool ls`), one engine inspect over the socket (a take
    makes one), beside a take itself; interleaved, after a warm-up."""
    name = "bench-parts"
    P.create_pool(name, 2, HTTPD)
    parts = {"process start (ptest-docker --version)": [], "pool ls --json (start + registry)": [],
             "engine inspect of a container (API, from Python)": [], "take (create, no probe)": []}
    try:
        for i in range(POOL_RUNS * 2 + 1):
            P.wait_full(name, 2)
            time.sleep(0.2)
            t = time.perf_counter()
            sh(PD, "--version")
            v = time.perf_counter() - t
            t = time.perf_counter()
            sh(PD, "pool", "ls", "--json", env=P.env)
            l = time.perf_counter() - t
            dt, rec, out = P.create(HTTPD, True)
            t = time.perf_counter()
            engine("GET", f"/containers/{rec['container_id']}/json")
            e = time.perf_counter() - t
            P.rm(out)
            if i:
                for k, x in zip(parts, (v, l, e, dt)):
                    parts[k].append(x)
    finally:
        P.rm_pool(name)
    results["breakdown"] = parts


def pool_rows(env):
    """The pool rows (BENCH_DOCKER_ROWS: pool for all four, or pool1..pool4);
    returns whether every goal was met."""
    want = {n for n in "1234" if "pool" in ROWS or f"pool{n}" in ROWS}
    P = Pools(env)
    res = {}
    try:
        print("\npool rows", flush=True)
        if "1" in want:
            print(" 1. one ready web container", flush=True)
            P.create_pool("bench-web", 2, HTTPD)
            res["one"] = pool_rounds(P, "bench-web", 2, [
                ("docker run -d + HTTP probe", False, lambda: P.docker_once(HTTPD)),
                ("take from a pool + one GET", True, lambda: P.ptest_once("one", HTTPD, True)),
                ("create --no-pool (cold) + one GET", False, lambda: P.ptest_once("one-cold", HTTPD, False)),
            ], 0.2)
            P.rm_pool("bench-web")
            breakdown(P, res)
        if "2" in want:
            print(" 2. a service 2 s slow to be ready", flush=True)
            P.create_pool("bench-slow", 2, SLOW)
            res["slow"] = pool_rounds(P, "bench-slow", 2, [
                ("take from a pool + one GET", True, lambda: P.ptest_once("slow", SLOW, True)),
                ("create --no-pool --ready-port 80 (cold) + one GET", False, lambda: P.ptest_once("slow-cold", SLOW, False)),
                ("docker run -d + HTTP probe", False, lambda: P.docker_once(SLOW)),
            ], 0.2)
            P.rm_pool("bench-slow")
        if "3" in want:
            print(" 3. twenty at once", flush=True)
            P.create_pool("bench-twenty", 20, HTTPD)
            res["twenty"] = pool_rounds(P, "bench-twenty", 20, [
                ("20 takes from a pool of 20, in parallel", True, lambda: P.ptest_twenty("twenty", HTTPD, True)),
                ("20 x create --no-pool, in parallel", False, lambda: P.ptest_twenty("twenty-cold", HTTPD, False)),
                ("20 x docker run -d + probe, in parallel", False, lambda: P.docker_twenty(HTTPD)),
            ], 1.0)
            P.rm_pool("bench-twenty")
        if "4" in want:
            print(f" 4. {POOL_TAKES} takes at one a second from a pool of 4", flush=True)
            time.sleep(2)
            keeper_row(P, res)
    finally:
        P.cleanup()
    return report_pools(res, P.failures)


def report_pools(res, failures):
    def ms(v):
        m, lo, hi = spread(v)
        return f"{m * 1000:8.1f} ms ({lo * 1000:.1f}-{hi * 1000:.1f})"

    def ratio(rounds, a, b):
        return spread([r[a] / r[b] for r in rounds])
    take = "take from a pool + one GET"
    print(f"\npool rows: medians of {POOL_RUNS} rounds after a warm-up (lowest-highest), interleaved")
    for key in ("one", "slow", "twenty"):
        for case in res.get(key, [{}])[0]:
            print(f"  {key:6} {case:51} {ms([r[case] for r in res[key]])}")
    for k, v in res.get("breakdown", {}).items():
        print(f"  breakdown: {k:47} {ms(v)}")
    refs, goals = [], []
    if "one" in res:
        one = res["one"]
        refs.append(("1. cold create --no-pool / docker run + probe", ratio(one, "create --no-pool (cold) + one GET", "docker run -d + HTTP probe")))
        goals.append(("1. take / docker run -d + probe", ratio(one, take, "docker run -d + HTTP probe"), 0.1))
    if "slow" in res:
        slow = res["slow"]
        refs.append(("2. slow service: take / docker run + probe", ratio(slow, take, "docker run -d + HTTP probe")))
        goals.append(("2. slow service: take / cold create --no-pool", ratio(slow, take, "create --no-pool --ready-port 80 (cold) + one GET"), 0.02))
    if "twenty" in res:
        tw = res["twenty"]
        refs.append(("3. 20 cold creates / 20 docker run + probe", ratio(tw, "20 x create --no-pool, in parallel", "20 x docker run -d + probe, in parallel")))
        goals.append(("3. 20 takes / 20 cold creates, in parallel", ratio(tw, "20 takes from a pool of 20, in parallel", "20 x create --no-pool, in parallel"), 0.1))
        goals.append(("3. 20 takes / 20 docker run + probe, in parallel", ratio(tw, "20 takes from a pool of 20, in parallel", "20 x docker run -d + probe, in parallel"), 0.1))
    print()
    for label, r in refs:
        print(f"  {label:58} {r[0]:7.3f}x ({r[1]:.3f}-{r[2]:.3f}) (reference)")
    ok = True
    for label, (m, lo, hi), goal in goals:
        met = m <= goal
        ok &= met
        print(f"  {label:58} {m:7.3f}x ({lo:.3f}-{hi:.3f}) goal <= {goal}x: {'meets' if met else 'MISSES'}")
    if "keeper" in res:
        k = res["keeper"]
        print(f"\n  4. keeper, one take a second from a pool of 4: {k['takes']} takes, "
              f"{k['from_pool']} from the pool ({k['from_pool'] / k['takes']:.0%}), "
              f"{k['answered']} answering HTTP at once, schedule late by at most {k['late_s'] * 1000:.0f} ms")
        print(f"     take {ms(k['take_s'])}; lowest ready count seen {k['lowest']}/4")
        if k["refill_s"]:
            print(f"     refill (take returned -> pool ls shows 4/4) {ms(k['refill_s'])}, "
                  f"{k['unfilled']} of {k['takes']} not full again before the next take; pool ls itself {ms(k['ls_s'])}")
        else:
            print(f"     refill: never full again before the next take ({k['unfilled']} takes)")
        print("     ready count before each take: " + " ".join(str(n) for n in k["before"]))
        met4 = k["from_pool"] == k["takes"] and k["answered"] == k["takes"]
        ok &= met4
        print(f"     goal (every take from the pool, none not ready): {'meets' if met4 else 'MISSES'}")
    if failures:
        ok = False
        print("\n  FAILURES (a take that did not answer at once is a not-ready handout):")
        for row, f in failures:
            print(f"    {row}: {f}")
    return ok


def main():
    if not os.path.exists(PD):
        raise SystemExit(f"no {PD}: run `make bench`, or set PTEST_BIN_DIR")
    home = tempfile.mkdtemp(prefix="ptest-bench-docker-")
    env = dict(os.environ, PTEST_HOME=home)
    # SIGTERM (a CI timeout) cleans up as a failure does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        image(env)
        return measure(env)
    finally:
        # Whatever happened: ptest's objects of this home (pools first,
        # which ends their keepers), strays of its pools, then the image.
        def quiet(argv, stdin=None):
            return subprocess.run(argv, input=stdin, text=True, env=env, capture_output=True).stdout
        pools = [json.loads(l) for l in quiet([PD, "pool", "ls", "--json"]).splitlines() if l.strip()]
        for p in pools:
            quiet([PD, "pool", "rm", p.get("id", "")])
        left = quiet([PD, "ls", "--json"])
        if left.strip():
            quiet([PD, "rm"], left)
        quiet([PD, "gc"])
        strays = quiet(["docker", "ps", "-aq", "--filter", f"label=ptest.home={home}"]).split()
        if strays:
            quiet(["docker", "rm", "-f", *strays])
        if subprocess.run(["docker", "rmi", IMAGE], capture_output=True).returncode != 0:
            print(f"note: could not remove the image {IMAGE}", file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)


def measure(env):
    print(f"binaries: {BIN}\n{build.describe(PD)}\nengine: {sh('docker', 'version', '-f', '{{.Server.Version}} (API {{.Server.APIVersion}})')}")
    print(f"rows: {','.join(sorted(ROWS))}")
    print(f"medians of {RUNS} runs after a warm-up, interleaved, alternating which goes first\n")
    floor_one = "engine floor: API create + start only, no probe"
    floor_twenty = "engine floor: 20 x API create + start, in parallel"
    res = {"docker run -d + HTTP probe": [], "ptest docker create --ready-http": [], floor_one: [],
           "20 x docker run -d, in parallel": [], "ptest docker create --count 20": [], floor_twenty: [],
           "SIGKILL of the owner -> all gone (5 containers + network)": []}

    def rounds(cases, settle):
        # Each case in its own block, each run after the engine has settled
        # from the last removal (network namespaces are torn down in the
        # background), the sides taking turns at going first.
        for i in range(RUNS + 1):
            order = cases[i % len(cases):] + cases[:i % len(cases)]
            for name, f in order:
                time.sleep(settle)
                v = f()
                if i:
                    res[name].append(v)

    if "one" in ROWS:
        rounds([("docker run -d + HTTP probe", docker_run_ready),
                ("ptest docker create --ready-http", lambda: ptest_ready(env)),
                (floor_one, engine_floor_one)], 0.2)
    if "twenty" in ROWS:
        rounds([("20 x docker run -d, in parallel", twenty_docker),
                ("ptest docker create --count 20", lambda: twenty_ptest(env)),
                (floor_twenty, engine_floor_twenty)], 1.0)
    if "kill" in ROWS:
        for _ in range(max(3, RUNS // 2)):
            res["SIGKILL of the owner -> all gone (5 containers + network)"].append(kill_to_gone(env))
    ok = True
    if ROWS & {"one", "twenty", "kill"}:
        ok &= summary(res, floor_one, floor_twenty)
    if ROWS & {"pool", "pool1", "pool2", "pool3", "pool4"}:
        ok &= pool_rows(env)
    return 0 if ok else 1


def summary(res, floor_one, floor_twenty):
    """The medians and goals of the rows one, twenty and kill."""
    med = {k: statistics.median(v) for k, v in res.items() if v}
    for k, v in med.items():
        print(f"{k:60} {v * 1000:9.1f} ms")
    goals = []
    if "one" in ROWS:
        goals.append(("one ready container: ptest / docker run + probe", med["ptest docker create --ready-http"] / med["docker run -d + HTTP probe"], 0.8, "x"))
    if "twenty" in ROWS:
        goals.append(("twenty at once: ptest / docker CLI", med["ptest docker create --count 20"] / med["20 x docker run -d, in parallel"], 0.75, "x"))
    if "kill" in ROWS:
        goals.append(("SIGKILL to all gone (s); Ryuk waits >= 10 s", med["SIGKILL of the owner -> all gone (5 containers + network)"], 2.0, " s"))
    # What no client of this engine can beat: its own create + start.
    print()
    for label, floor, other in [
            ("one container: engine floor / docker run + probe", floor_one, "docker run -d + HTTP probe"),
            ("twenty: engine floor / docker CLI", floor_twenty, "20 x docker run -d, in parallel")]:
        if floor in med:
            print(f"{label:60} {med[floor] / med[other]:6.2f}x")
    print()
    ok = True
    for label, v, goal, unit in goals:
        met = v <= goal
        ok &= met
        print(f"{label:60} {v:6.2f}{unit} (goal <= {goal}{unit}: {'meets' if met else 'MISSES'})")
    return ok


if __name__ == "__main__":
    sys.exit(main())
