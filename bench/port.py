#!/usr/bin/env python3
"""Benchmark of `ptest port lease` beside what users would pick instead.

Run from the repository root:  python3 bench/port.py   (or bench/run port)

1. A whole `ptest-port lease` process (and `ptest port lease` through the
   dispatcher), spawned N times in sequence: median and p90 wall time, with
   `true` spawned the same way as the floor of process creation.
2. Eight processes taking 200 ports each at once, with
   - ptest: a whole `ptest-port lease` process per port;
   - naive: bind(('127.0.0.1', 0)), getsockname, close — in-process;
   - portpicker: portpicker.pick_unused_port() — in-process, no portserver;
   every port kept until all are taken, as a test run would: collisions are
   ports handed out more than once. p50/p90 latency per port.

Only ratios mean something across machines; absolute times are printed for
the record. Needs a release build (PTEST_BIN_DIR, else target/release) and
portpicker: `bench/run port` or `make bench` provide both.
"""
import build
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RELEASE = os.environ.get("PTEST_BIN_DIR") or os.path.join(ROOT, "target", "release")
PTEST_PORT = os.path.join(RELEASE, "ptest-port")
PTEST = os.path.join(RELEASE, "ptest")
WORKERS, PER_WORKER, SEQUENTIAL = 8, 200, 300


def spawn(argv, env, capture=False):
    """posix_spawn + waitpid: the cheapest way Python has to run a process."""
    r = w = None
    fa = [(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    if capture:
        r, w = os.pipe()
        fa = [(os.POSIX_SPAWN_DUP2, w, 1)]
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=fa + [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0)])
    out = b""
    if capture:
        os.close(w)
        while chunk := os.read(r, 65536):
            out += chunk
        os.close(r)
    _, status = os.waitpid(pid, 0)
    dt = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed: {status}")
    return dt, out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def ms(x):
    return f"{x * 1000:.2f} ms"


def sequential(env):
    rows = {}
    for label, argv in [
        ("true (process floor)", ["/bin/true"]),
        ("ptest-port lease", [PTEST_PORT, "lease", "--owner", "none", "--ttl", "10m"]),
        ("ptest port lease", [PTEST, "port", "lease", "--owner", "none", "--ttl", "10m"]),
        # What a Makefile or shell step does without ptest: a one-liner.
        ("python3 -c bind(0) one-liner", [sys.executable, "-S", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"]),
    ]:
        times = [spawn(argv, env)[0] for _ in range(SEQUENTIAL)]
        rows[label] = times
        # keep the table small between runs
        spawn([PTEST_PORT, "gc"], env)
        for f in os.listdir(os.path.join(env["PTEST_HOME"], "registry")):
            os.unlink(os.path.join(env["PTEST_HOME"], "registry", f))
        for f in os.listdir(os.path.join(env["PTEST_HOME"], "port", "leases")):
            os.unlink(os.path.join(env["PTEST_HOME"], "port", "leases", f))
    return rows


def worker(method, env, q):
    import socket

    ports, lat, keep = [], [], []  # every port is kept until the end
    if method == "portpicker":
        import portpicker
    for _ in range(PER_WORKER):
        if method == "ptest":
            dt, out = spawn([PTEST_PORT, "lease", "--owner", "none", "--ttl", "10m"], env, capture=True)
            port = json.loads(out)["port"]
        elif method == "naive":
            t = time.perf_counter()
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            dt = time.perf_counter() - t
        else:
            t = time.perf_counter()
            port = portpicker.pick_unused_port()
            dt = time.perf_counter() - t
        ports.append(port)
        lat.append(dt)
        keep.append(port)
    q.put((ports, lat))


def contention(method, env):
    q = mp.Queue()
    procs = [mp.Process(target=worker, args=(method, env, q)) for _ in range(WORKERS)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t
    ports = [p for r in results for p in r[0]]
    lat = [x for r in results for x in r[1]]
    collisions = len(ports) - len(set(ports))
    return {"ports": len(ports), "collisions": collisions, "p50": pct(lat, 50), "p90": pct(lat, 90), "wall": wall}


def main():
    if not os.path.exists(PTEST_PORT):
        raise SystemExit(f"no {PTEST_PORT}: run `make bench`, or set PTEST_BIN_DIR")
    print(f"binaries: {RELEASE}\n{build.describe(PTEST_PORT, PTEST)}")
    home = tempfile.mkdtemp(prefix="ptest-bench-")
    env = {"PATH": RELEASE + ":" + os.environ.get("PATH", ""), "PTEST_HOME": home, "HOME": home}
    print(f"machine: {os.cpu_count()} cores; {SEQUENTIAL} sequential runs; {WORKERS} x {PER_WORKER} under contention\n")

    rows = sequential(env)
    floor = statistics.median(rows["true (process floor)"])
    print(f"{'one whole process':28} {'median':>10} {'p90':>10} {'x true':>8}")
    for label, times in rows.items():
        med = statistics.median(times)
        print(f"{label:28} {ms(med):>10} {ms(pct(times, 90)):>10} {med / floor:>7.1f}x")
    meds = {k: statistics.median(rows[k]) for k in ("ptest-port lease", "ptest port lease")}
    print()
    for k, med in meds.items():
        print(f"{k} median {ms(med)}: {'meets' if med <= 0.002 else 'MISSES'} the 2 ms goal")
    one_liner = statistics.median(rows["python3 -c bind(0) one-liner"])
    print(
        f"the dispatcher's own cost (ptest port lease - ptest-port lease): "
        f"{ms(meds['ptest port lease'] - meds['ptest-port lease'])} median"
    )
    print(f"one-liner / ptest port lease: {one_liner / meds['ptest port lease']:.1f}x (both whole processes)")
    med = max(meds.values())

    print(f"\n{'8-way contention':28} {'ports':>6} {'collisions':>11} {'p50':>10} {'p90':>10} {'wall':>9}")
    res = {}
    for method in ["ptest", "naive", "portpicker"]:
        r = contention(method, env)
        res[method] = r
        print(f"{method:28} {r['ports']:>6} {r['collisions']:>11} {ms(r['p50']):>10} {ms(r['p90']):>10} {r['wall']:>8.2f}s")
    p = res["ptest"]["p50"]
    print("\nratios of p50 latency per port (ptest / other):")
    for m in ["naive", "portpicker"]:
        print(f"  ptest / {m:11} {p / res[m]['p50']:8.1f}x   (ptest is a whole process; {m} runs in-process)")
    print(f"  ptest / true process  {p / floor:8.1f}x")
    ok = res["ptest"]["collisions"] == 0
    print(f"\nptest collisions: {res['ptest']['collisions']} ({'zero, as guaranteed' if ok else 'FAILED'})")
    return 0 if ok and med <= 0.002 else 1


if __name__ == "__main__":
    sys.exit(main())
