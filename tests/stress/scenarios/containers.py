"""Scenario 2: N containers at once with `ptest docker create --count N`,
owned by a session, then a SIGKILL of that owner: the guardian must remove
all of them. Beside it, the same N containers made by the docker CLI (`docker
run -d`, as many at once as ptest makes: `[docker] parallel`, 8) and removed
by one `docker rm -f` of all N (the CLI removes them in parallel)."""
import json
import os
import signal
import subprocess
import threading
import time

from engine import Engine
from harness import log, require, start_time, BOOT_ID
from scenarios import Checked


def poll_gone(engine, label_filter, deadline_s=60):
    t = time.perf_counter()
    while time.perf_counter() - t < deadline_s:
        if not engine.containers(label=label_filter):
            return time.perf_counter() - t
        time.sleep(0.02)
    return None


def run(ctx, cgroup):
    n = ctx.scaled(50, 50)
    c = Checked(ctx, "containers", cgroup)
    s = c.scen
    e = Engine()
    c.baseline()

    # -- ptest: create N, SIGKILL the owner ------------------------------
    out = os.path.join(s.dir, "containers.jsonl")
    # The session leader owns the containers (ptest's default owner); it
    # times the create, then becomes a sleep that keeps the session alive.
    owner = s.spawn(
        f"t0=$(date +%s.%N); ptest docker create --image {ctx.image} --name box --count {n} -- sleep 3600 > {out}; "
        f"rc=$?; t1=$(date +%s.%N); echo \"$rc $t0 $t1\" > {out}.part && mv {out}.part {out}.time; exec sleep 3600")
    owner_label = f"{owner.pid}:{start_time(owner.pid)}:{BOOT_ID}"
    deadline = time.monotonic() + 300
    while not os.path.exists(out + ".time") and time.monotonic() < deadline:
        if owner.p.poll() is not None:
            break
        time.sleep(0.05)
    require(os.path.exists(out + ".time"), f"ptest docker create --count {n} did not finish")
    rc, t0, t1 = open(out + ".time").read().split()
    recs = [json.loads(x) for x in open(out) if x.startswith("{")]
    for r in recs:
        s.attr.record(r)
    made = [r for r in recs if r.get("kind") == "container"]
    require(rc == "0", f"ptest docker create --count {n} exited {rc}: {open(owner.err_path).read()[-800:]}")
    require(len(made) == n, f"{len(made)} container records for --count {n}")
    running = [x for x in e.containers(label=f"ptest.owner={owner_label}") if x["State"] == "running"]
    c.check(len(running) == n, f"{len(running)} of {n} containers running on the engine")
    create_s = float(t1) - float(t0)
    log(f"containers: ptest docker create --count {n}: {create_s:.2f}s; SIGKILL of the owner")
    os.kill(owner.pid, signal.SIGKILL)
    gone_s = poll_gone(e, f"ptest.owner={owner_label}")
    owner.wait(10)
    c.check(gone_s is not None, f"containers of the SIGKILLed owner still there after 60 s")
    log(f"containers: all {n} gone {gone_s:.2f}s after the SIGKILL" if gone_s else "containers: NOT gone")

    # -- the docker CLI: the same N, removed by one `docker rm -f` ---------
    prefix = f"stress-{ctx.run_id}-cli-"
    names = [f"{prefix}{i}" for i in range(n)]
    env = dict(os.environ)
    errors = []
    lock = threading.Lock()
    todo = list(names)

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                name = todo.pop()
            r = subprocess.run(["docker", "run", "-d", "--init", "--name", name, ctx.image, "sleep", "3600"],
                               capture_output=True, text=True, env=env)
            if r.returncode:
                with lock:
                    errors.append(r.stderr.strip())

    t = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    cli_create_s = time.perf_counter() - t
    require(not errors, f"docker run failed: {errors[:3]}")
    t = time.perf_counter()
    r = subprocess.run(["docker", "rm", "-f", *names], capture_output=True, text=True)
    cli_rm_s = time.perf_counter() - t
    c.check(r.returncode == 0, f"docker rm -f: {r.stderr[-500:]}")
    left = [x for x in e.containers() if any(nm.lstrip("/").startswith(prefix) for nm in x.get("Names") or [])]
    c.check(not left, f"docker rm -f left {len(left)} containers")
    log(f"containers: docker CLI: {n} x docker run -d (8 at once) {cli_create_s:.2f}s; docker rm -f of all {n} {cli_rm_s:.2f}s")

    c.metric("containers", n)
    c.metric("ptest_create_count_seconds", round(create_s, 3))
    c.metric("sigkill_to_all_gone_seconds", gone_s and round(gone_s, 3))
    c.metric("docker_run_x_n_8_at_once_seconds", round(cli_create_s, 3))
    c.metric("docker_rm_f_all_seconds", round(cli_rm_s, 3))
    if gone_s:
        c.metric("ratio_guardian_removal_to_docker_rm_f", round(gone_s / cli_rm_s, 3))
    c.metric("ratio_ptest_create_to_docker_run", round(create_s / cli_create_s, 3))
    c.finish()
    return c.result
