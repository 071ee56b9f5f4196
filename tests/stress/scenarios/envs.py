"""Scenario 1: N full environments at once — a venv cloned from a warm
template, a port lease, and `ptest proc run --rm` of a Python command that
binds the leased port and imports the venv's package — each pipeline in a
session of its own, all started together. All must succeed, with N
distinct venvs and N distinct ports, and leave nothing."""
import json
import time

from harness import log, pct
from scenarios import Checked, full_env_pipeline, venv_args


def run(ctx, cgroup):
    n = ctx.scaled(20, 100)
    c = Checked(ctx, "envs", cgroup, uses_engine=False)
    s = c.scen
    # The template, built once before the clock starts (a warm cache is the
    # case the suite promises milliseconds for), then its first venv gone.
    t = time.perf_counter()
    first = s.sh(f"ptest venv create {venv_args(ctx)} --json")
    c.metric("template_build_seconds", round(time.perf_counter() - t, 3))
    s.sh(f"ptest venv rm {first.kind('venv')[0]['id']}")
    c.baseline()

    log(f"envs: {n} full environments at once")
    t = time.perf_counter()
    sessions = [s.spawn(full_env_pipeline(ctx, hold=1.0)) for _ in range(n)]
    spawned = time.perf_counter() - t
    results = [x.result(timeout=600) for x in sessions]
    wall = time.perf_counter() - t
    ok = [r for r in results if r.rc == 0]
    for r in results:
        if r.rc != 0:
            c.fail(f"a pipeline failed: {r.describe()}")
    seen = []
    for r in ok:
        lines = [json.loads(x) for x in r.out.splitlines() if x.startswith("{") and '"probe"' in x]
        if not c.check(len(lines) == 1, f"a pipeline printed no result: {r.out!r}"):
            continue
        seen.append(lines[0])
        c.check(lines[0]["probe"] == "ptest-stress", f"the venv's package was not imported: {lines[0]}")
    venvs = {x["venv"] for x in seen}
    ports = {x["port"] for x in seen}
    c.check(len(ok) == n, f"{n - len(ok)} of {n} pipelines failed")
    c.check(len(venvs) == len(seen), f"venvs not distinct: {len(venvs)} for {len(seen)} pipelines")
    c.check(len(ports) == len(seen), f"ports not distinct: {len(ports)} for {len(seen)} pipelines")
    lat = [r.secs for r in results]
    c.metric("environments", n)
    c.metric("succeeded", len(ok))
    c.metric("distinct_venvs", len(venvs))
    c.metric("distinct_ports", len(ports))
    c.metric("wall_seconds", round(wall, 3))
    c.metric("spawn_seconds", round(spawned, 3))
    c.metric("command_hold_seconds", 1.0)
    c.metric("pipeline_seconds_p50", round(pct(lat, 50), 3))
    c.metric("pipeline_seconds_p90", round(pct(lat, 90), 3))
    c.metric("pipeline_seconds_max", round(max(lat), 3))
    log(f"envs: {len(ok)}/{n} ok, {len(venvs)} venvs, {len(ports)} ports, {wall:.2f}s wall"
        f" (p50 {pct(lat, 50):.2f}s, p90 {pct(lat, 90):.2f}s per pipeline, each holding its port 1 s)")
    # Teardown was each pipeline's --rm; what is left must be nothing.
    c.finish()
    return c.result
