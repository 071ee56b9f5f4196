#!/usr/bin/env python3
"""Benchmark of `ptest docker` beside the docker CLI, in one run.

Run: `make bench` (or bench/run docker). Needs the Docker engine and
Debian's busybox-static: the image is a busybox root filesystem imported
with `ptest docker image import` (nothing is pulled). Goals (ratios):

  create-to-ready of one web container   ptest <= 0.8x  docker run -d + an HTTP readiness probe
  twenty containers at once              ptest <= 0.75x twenty `docker run -d` in parallel
  SIGKILL of the owner -> all gone       ptest <= 2 s   (testcontainers' Ryuk: >= 10 s by its design)
"""
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
    t = time.perf_counter()
    ids = [None] * 20

    def one(i):
        ids[i] = subprocess.run(["docker", "run", "-d", "--label", "ptest-bench=1", IMAGE, "sleep", "600"],
                                capture_output=True, text=True).stdout.strip()
    ts = [threading.Thread(target=one, args=(i,)) for i in range(20)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    dt = time.perf_counter() - t
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
    print(f"binaries: {BIN}\nengine: {sh('docker', 'version', '-f', '{{.Server.Version}} (API {{.Server.APIVersion}})')}")
    print(f"medians of {RUNS} runs after a warm-up, interleaved\n")
    res = {"docker run -d + HTTP probe": [], "ptest docker create --ready-http": [],
           "20 x docker run -d, in parallel": [], "ptest docker create --count 20": [],
           "SIGKILL of the owner -> all gone (5 containers + network)": []}
    for i in range(RUNS + 1):
        a, b = docker_run_ready(), ptest_ready(env)
        c, d = twenty_docker(), twenty_ptest(env)
        if i:
            res["docker run -d + HTTP probe"].append(a)
            res["ptest docker create --ready-http"].append(b)
            res["20 x docker run -d, in parallel"].append(c)
            res["ptest docker create --count 20"].append(d)
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
