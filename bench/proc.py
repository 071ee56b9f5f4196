#!/usr/bin/env python3
"""Benchmark of `ptest proc run` beside coreutils `timeout` and a bare command.

Run: `make bench` (or bench/run proc). Each command is spawned SEQUENTIAL
times in a row with posix_spawn; the overhead of a supervisor is its median
wall time minus that of bare `true`. Goal: the overhead of `ptest proc run
-- true` within 1.5x of `timeout 10 true`'s; the same with --memory (a
cgroup made and removed per run) is reported beside it.
"""
import build
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PTEST_BIN_DIR") or os.path.join(ROOT, "target", "release")
SEQUENTIAL = 200


def which(name):
    for d in os.environ.get("PATH", "").split(":"):
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    raise SystemExit(f"{name} not found")


def spawn(argv, env):
    fa = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0), (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)]
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=fa)
    _, status = os.waitpid(pid, 0)
    dt = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv} failed: {status}")
    return dt


def main():
    proc = os.path.join(BIN, "ptest-proc")
    if not os.path.exists(proc):
        raise SystemExit(f"no {proc}: run `make bench`, or set PTEST_BIN_DIR")
    home = tempfile.mkdtemp(prefix="ptest-bench-")
    env = {"PATH": BIN + ":" + os.environ.get("PATH", ""), "PTEST_HOME": home, "HOME": home}
    true, timeout = which("true"), which("timeout")
    cases = [
        ("true", [true]),
        ("timeout 10 true", [timeout, "10", true]),
        ("ptest-proc run -- true", [proc, "run", "--", true]),
        ("ptest proc run -- true", [os.path.join(BIN, "ptest"), "proc", "run", "--", true]),
        ("ptest-proc run --memory 256M -- true", [proc, "run", "--memory", "256M", "--", true]),
        ("ptest-proc run --pid-namespace -- true", [proc, "run", "--pid-namespace", "--", true]),
    ]
    print(f"binaries: {BIN}\n{build.describe(proc, os.path.join(BIN, 'ptest'))}\nmachine: {os.cpu_count()} cores; {SEQUENTIAL} runs each, interleaved\n")
    times = {label: [] for label, _ in cases}
    for _ in range(SEQUENTIAL):
        for label, argv in cases:
            times[label].append(spawn(argv, env))
    base = statistics.median(times["true"])
    t_over = statistics.median(times["timeout 10 true"]) - base
    print(f"{'command':40} {'median':>9} {'mean':>9} {'p90':>9} {'overhead':>9} {'x timeout':>10}")
    for label, _ in cases:
        ts = sorted(times[label])
        med, mean, p90 = statistics.median(ts), statistics.fmean(ts), ts[int(0.9 * len(ts))]
        over = med - base
        ratio = over / t_over if t_over > 0 else float("nan")
        print(f"{label:40} {med * 1000:7.2f}ms {mean * 1000:7.2f}ms {p90 * 1000:7.2f}ms {over * 1000:7.2f}ms {ratio:9.2f}x")
    p_over = statistics.median(times["ptest-proc run -- true"]) - base
    ok = p_over <= 1.5 * t_over
    print(f"\nptest-proc run overhead / timeout overhead: {p_over / t_over:.2f}x ({'meets' if ok else 'MISSES'} the 1.5x goal)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
