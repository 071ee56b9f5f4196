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
"""
import build
import http.client
import json
import os
import shutil
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
IMAGE = "ptest-bench/busybox:1"
WEB = "mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www"


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout.strip()


def image(env):
    work = tempfile.mkdtemp(prefix="ptest-bench-rootfs-")
    root = os.path.join(work, "rootfs")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "tmp"))
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
    subprocess.run([PD, "rm"], input=out, text=True, env=env, capture_output=True)
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
    subprocess.run([PD, "rm"], input=out, text=True, env=env, capture_output=True)
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


def main():
    if not os.path.exists(PD):
        raise SystemExit(f"no {PD}: run `make bench`, or set PTEST_BIN_DIR")
    home = tempfile.mkdtemp(prefix="ptest-bench-docker-")
    env = dict(os.environ, PTEST_HOME=home)
    image(env)
    print(f"binaries: {BIN}\n{build.describe(PD)}\nengine: {sh('docker', 'version', '-f', '{{.Server.Version}} (API {{.Server.APIVersion}})')}")
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

    rounds([("docker run -d + HTTP probe", docker_run_ready),
            ("ptest docker create --ready-http", lambda: ptest_ready(env)),
            (floor_one, engine_floor_one)], 0.2)
    rounds([("20 x docker run -d, in parallel", twenty_docker),
            ("ptest docker create --count 20", lambda: twenty_ptest(env)),
            (floor_twenty, engine_floor_twenty)], 1.0)
    for _ in range(max(3, RUNS // 2)):
        res["SIGKILL of the owner -> all gone (5 containers + network)"].append(kill_to_gone(env))
    med = {k: statistics.median(v) for k, v in res.items()}
    for k, v in med.items():
        print(f"{k:60} {v * 1000:9.1f} ms")
    goals = [
        ("one ready container: ptest / docker run + probe", med["ptest docker create --ready-http"] / med["docker run -d + HTTP probe"], 0.8, "x"),
        ("twenty at once: ptest / docker CLI", med["ptest docker create --count 20"] / med["20 x docker run -d, in parallel"], 0.75, "x"),
        ("SIGKILL to all gone (s); Ryuk waits >= 10 s", med["SIGKILL of the owner -> all gone (5 containers + network)"], 2.0, " s"),
    ]
    # What no client of this engine can beat: its own create + start.
    print()
    for label, floor, other in [
            ("one container: engine floor / docker run + probe", floor_one, "docker run -d + HTTP probe"),
            ("twenty: engine floor / docker CLI", floor_twenty, "20 x docker run -d, in parallel")]:
        print(f"{label:60} {med[floor] / med[other]:6.2f}x")
    print()
    ok = True
    for label, v, goal, unit in goals:
        met = v <= goal
        ok &= met
        print(f"{label:60} {v:6.2f}{unit} (goal <= {goal}{unit}: {'meets' if met else 'MISSES'})")
    subprocess.run([PD, "gc"], env=env, capture_output=True)
    shutil.rmtree(home, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
