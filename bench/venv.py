#!/usr/bin/env python3
"""Benchmark of `ptest venv` beside python -m venv, virtualenv, uv and pip.

Run: `make bench` (or bench/run venv, which puts virtualenv in a throwaway
environment and runs this with it). Everything installs offline from a
wheelhouse of a 14-package test set (pytest, requests, pytest-cov,
pytest-xdist and their dependencies), downloaded once into
target/bench-wheelhouse; caches are warm (one untimed run first), bytecode
is compiled by every contender. Goals (ratios, same run):

  empty environment           ptest <= 1.0x uv venv
  ready 14-package env        ptest <= 0.3x uv venv + uv pip install --compile-bytecode
  no-op sync                  ptest <= 0.5x uv pip sync
  eight environments at once  reported: ptest vs uv
"""
import build
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PTEST_BIN_DIR") or os.path.join(ROOT, "target", "release")
PTEST_VENV = os.path.join(BIN, "ptest-venv")
WHEELHOUSE = os.path.join(ROOT, "target", "bench-wheelhouse")
TEST_SET = ["pytest", "requests", "pytest-cov", "pytest-xdist"]
RUNS = int(os.environ.get("BENCH_RUNS", "15"))


def which(name):
    """The program itself: a pyenv shim costs ~100 ms per call, which would
    be charged to the tool."""
    p = shutil.which(name)
    if not p:
        raise SystemExit(f"{name} not found on PATH")
    if "/shims/" in p:
        out = subprocess.run(["pyenv", "which", name], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    return p


def real_python():
    out = subprocess.run(["python3", "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def wheelhouse(python):
    if not os.path.isdir(WHEELHOUSE) or not os.listdir(WHEELHOUSE):
        print(f"downloading the test set into {WHEELHOUSE} (once)...", flush=True)
        subprocess.run([python, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
                        "-d", WHEELHOUSE, *TEST_SET], check=True)
    return WHEELHOUSE


def timed(argv, env, cwd=None):
    t = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def run_case(label, make, runs, results):
    """`make(i)` returns (argv-or-callable, cleanup path); timed `runs` times after one warm-up."""
    ts = []
    for i in range(runs + 1):
        t = make(i)
        if i > 0:
            ts.append(t)
    results[label] = ts


def fmt(ts):
    return f"{statistics.median(ts) * 1000:9.1f} ms"


def main():
    if not os.path.exists(PTEST_VENV):
        raise SystemExit(f"no {PTEST_VENV}: run `make bench`, or set PTEST_BIN_DIR")
    print(build.describe(PTEST_VENV))
    uv = which("uv")
    python = real_python()
    wh = wheelhouse(python)
    work = tempfile.mkdtemp(prefix="ptest-bench-venv-")
    home = os.path.join(work, "home")
    os.makedirs(home)
    env = dict(os.environ)
    env.update({"PTEST_HOME": os.path.join(work, "state"), "PATH": BIN + ":" + env.get("PATH", "")})
    # uv's cache stays the user's (warm after the first run), like a developer machine.
    reqs = os.path.join(work, "requirements.txt")
    with open(reqs, "w") as f:
        f.write("\n".join(TEST_SET) + "\n")
    virtualenv = [sys.executable, "-m", "virtualenv"]
    n = [0]

    def fresh():
        n[0] += 1
        return os.path.join(work, f"e{n[0]}")

    def gone(p):
        shutil.rmtree(p, ignore_errors=True)

    print(f"binaries: {BIN}\nmachine: {os.cpu_count()} cores; python {python}; uv {subprocess.run([uv, '--version'], capture_output=True, text=True).stdout.strip()}")
    print(f"medians of {RUNS} runs after a warm-up, interleaved per case\n")
    results = {}

    # 1. Empty environments.
    empty = {
        "python -m venv --without-pip": lambda d: [python, "-m", "venv", "--without-pip", d],
        "virtualenv --no-seed": lambda d: virtualenv + ["--no-seed", "--quiet", "-p", python, d],
        "uv venv": lambda d: [uv, "venv", "--quiet", "--python", python, d],
        "ptest-venv create": lambda d: [PTEST_VENV, "create", "--json", "--python", python, "--dir", d],
    }
    times = {k: [] for k in empty}
    for i in range(RUNS + 1):
        for label, argv in empty.items():
            d = fresh()
            t = timed(argv(d), env)
            gone(d)
            if i:
                times[label].append(t)
    results.update(times)

    # 2. A ready environment with the 14-package set, bytecode compiled.
    def uv_ready(d):
        t = time.perf_counter()
        subprocess.run([uv, "venv", "--quiet", "--python", python, d], env=env, check=True)
        subprocess.run([uv, "pip", "install", "--quiet", "--python", os.path.join(d, "bin/python"),
                        "--no-index", "--find-links", wh, "--compile-bytecode", "-r", reqs], env=env, check=True)
        return time.perf_counter() - t

    def pip_ready(d):
        t = time.perf_counter()
        subprocess.run([python, "-m", "venv", d], env=env, check=True)
        subprocess.run([os.path.join(d, "bin/pip"), "install", "--quiet", "--disable-pip-version-check",
                        "--no-index", "--find-links", wh, "-r", reqs], env=env, check=True)
        return time.perf_counter() - t

    def ptest_ready(d):
        return timed([PTEST_VENV, "create", "--json", "--python", python, "--no-index", "--find-links", wh,
                      "-r", reqs, "--dir", d], env)

    ready = {"uv venv + uv pip install": uv_ready, "ptest-venv create -r (template warm)": ptest_ready}
    pip_runs = max(3, RUNS // 5)
    rtimes = {k: [] for k in ready}
    rtimes["python -m venv + pip install"] = []
    for i in range(RUNS + 1):
        for label, f in ready.items():
            d = fresh()
            t = f(d)
            gone(d)
            if i:
                rtimes[label].append(t)
        if i <= pip_runs:
            d = fresh()
            t = pip_ready(d)
            gone(d)
            if i:
                rtimes["python -m venv + pip install"].append(t)
    results.update(rtimes)

    # Check what the ptest environment holds.
    d = fresh()
    out = subprocess.run([PTEST_VENV, "create", "--json", "--python", python, "--no-index", "--find-links", wh,
                          "-r", reqs, "--dir", d], env=env, check=True, capture_output=True, text=True)
    import json
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    npk = len(rec["packages"])
    subprocess.run([os.path.join(d, "bin/pytest"), "--version"], check=True, capture_output=True)

    # 3. No-op sync of that environment, and uv pip sync of a uv one.
    u = fresh()
    uv_ready(u)
    frozen = os.path.join(work, "frozen.txt")
    with open(frozen, "w") as f:
        f.write(subprocess.run([uv, "pip", "freeze", "--python", os.path.join(u, "bin/python")],
                               capture_output=True, text=True, check=True).stdout)
    subprocess.run([PTEST_VENV, "sync", d, "--no-index", "--find-links", wh, "-r", reqs], env=env, check=True,
                   capture_output=True)
    sync = {
        "uv pip sync (no-op)": [uv, "pip", "sync", "--quiet", "--python", os.path.join(u, "bin/python"),
                                 "--no-index", "--find-links", wh, frozen],
        "ptest-venv sync (no-op)": [PTEST_VENV, "sync", "--json", d, "--no-index", "--find-links", wh, "-r", reqs],
    }
    stimes = {k: [] for k in sync}
    for i in range(RUNS * 2 + 1):
        for label, argv in sync.items():
            t = timed(argv, env)
            if i:
                stimes[label].append(t)
    results.update(stimes)

    # 4. Eight environments at once.
    def eight(f):
        ds = [fresh() for _ in range(8)]
        t = time.perf_counter()
        procs = [f(x) for x in ds]
        for p in procs:
            if p.wait() != 0:
                raise SystemExit("a parallel create failed")
        dt = time.perf_counter() - t
        for x in ds:
            gone(x)
        return dt

    def uv_one(x):
        return subprocess.Popen(["sh", "-c", f'"{uv}" venv --quiet --python "{python}" "{x}" && "{uv}" pip install --quiet --python "{x}/bin/python" --no-index --find-links "{wh}" --compile-bytecode -r "{reqs}"'], env=env)

    def ptest_one(x):
        return subprocess.Popen([PTEST_VENV, "create", "--json", "--python", python, "--no-index", "--find-links", wh,
                                 "-r", reqs, "--dir", x], env=env, stdout=subprocess.DEVNULL)

    etimes = {"8 x uv venv + uv pip install, at once": [], "8 x ptest-venv create, at once": []}
    for i in range(max(3, RUNS // 3) + 1):
        a, b = eight(uv_one), eight(ptest_one)
        if i:
            etimes["8 x uv venv + uv pip install, at once"].append(a)
            etimes["8 x ptest-venv create, at once"].append(b)
    results.update(etimes)

    print(f"{'case':45} {'median':>12}")
    for label, ts in results.items():
        print(f"{label:45} {fmt(ts)}")
    med = {k: statistics.median(v) for k, v in results.items()}
    goals = [
        ("empty: ptest / uv venv", med["ptest-venv create"] / med["uv venv"], 1.0),
        (f"ready {npk}-package env: ptest / uv", med["ptest-venv create -r (template warm)"] / med["uv venv + uv pip install"], 0.3),
        ("no-op sync: ptest / uv pip sync", med["ptest-venv sync (no-op)"] / med["uv pip sync (no-op)"], 0.5),
    ]
    print()
    ok = True
    for label, r, goal in goals:
        met = r <= goal
        ok &= met
        print(f"{label:45} {r:6.2f}x  (goal <= {goal}x: {'meets' if met else 'MISSES'})")
    print(f"{'ready env: ptest / pip':45} {med['ptest-venv create -r (template warm)'] / med['python -m venv + pip install']:6.3f}x")
    print(f"{'empty: ptest / python -m venv':45} {med['ptest-venv create'] / med['python -m venv --without-pip']:6.3f}x")
    print(f"{'empty: ptest / virtualenv':45} {med['ptest-venv create'] / med['virtualenv --no-seed']:6.3f}x")
    print(f"{'8 at once: ptest / uv':45} {med['8 x ptest-venv create, at once'] / med['8 x uv venv + uv pip install, at once']:6.2f}x")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
