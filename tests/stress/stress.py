#!/usr/bin/env python3
"""ptest under load: stress, soak, chaos and faults, with a leak detector.

Run it with `make stress` (or tests/stress/run), which builds the binaries
and sets PTEST_BIN_DIR; see docs/stress.md.

    stress.py [--scale ci|full] [--duration 2m] [--seed N] [--only envs,chaos]
              [--trial K] [--report-dir DIR] [--keep]

Three levels of processes: this one (the orchestrator: prepares the run,
checks and cleans after it, writes the report), `ptest mon run` of the
inner level (so that ptest mon measures the whole run), and one process per
scenario, each in a cgroup of its own.
"""
import argparse
import importlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import traceback
import zipfile
import base64
import hashlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(os.path.dirname(HERE)), "bench"))

import janitor  # noqa: E402
from harness import Ctx, Failure, log, parse_duration, rm_tree  # noqa: E402
from leaks import ScenarioCgroup  # noqa: E402
import scenarios  # noqa: E402


# -- fixtures ---------------------------------------------------------------
def make_wheel(directory):
    """A pure-Python wheel written by hand: the one package every venv of
    the run installs, from a local wheelhouse (no index is ever asked)."""
    os.makedirs(directory, exist_ok=True)
    name, ver = "ptest_stress_probe", "1.0"
    files = {
        f"{name}/__init__.py": b"def hello():\n    return 'ptest-stress'\n",
        f"{name}-{ver}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: ptest-stress-probe\nVersion: {ver}\n".encode(),
        f"{name}-{ver}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: ptest-stress\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for p, d in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        record.append(f"{p},sha256={h},{len(d)}")
    record.append(f"{name}-{ver}.dist-info/RECORD,,")
    files[f"{name}-{ver}.dist-info/RECORD"] = ("\n".join(record) + "\n").encode()
    with zipfile.ZipFile(os.path.join(directory, f"{name}-{ver}-py3-none-any.whl"), "w") as z:
        for p, d in files.items():
            z.writestr(p, d)


def import_image(ctx, env):
    """The run's image: Debian's static busybox as a root filesystem,
    imported with `ptest docker image import` (nothing is ever pulled)."""
    work = os.path.join(ctx.root, "rootfs")
    root = os.path.join(work, "root")
    os.makedirs(os.path.join(root, "bin"))
    os.makedirs(os.path.join(root, "tmp"))
    os.makedirs(os.path.join(root, "data"))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy("/bin/busybox", os.path.join(root, "bin", "busybox"))
    applets = subprocess.run(["/bin/busybox", "--list"], capture_output=True, text=True, check=True).stdout.split()
    for a in applets:
        p = os.path.join(root, "bin", a)
        if not os.path.exists(p):
            os.symlink("busybox", p)
    tar = os.path.join(work, "rootfs.tar")
    subprocess.run(["tar", "-C", root, "-cf", tar, "."], check=True)
    subprocess.run(["ptest", "docker", "image", "import", tar, "--tag", ctx.image], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    rm_tree(work)


def build_kind(bin_dir):
    try:
        import build
        return build.describe(os.path.join(bin_dir, "ptest"), os.path.join(bin_dir, "ptest-docker"))
    except Exception as e:  # noqa: BLE001
        return f"unknown ({e})"


# -- the levels -------------------------------------------------------------
def outer(args):
    bin_dir = os.path.abspath(args.bin_dir or os.environ.get("PTEST_BIN_DIR") or "")
    if not os.path.exists(os.path.join(bin_dir, "ptest")):
        raise SystemExit("stress.py: no ptest binaries: set PTEST_BIN_DIR (tests/stress/run does)")
    fault_dir = args.fault_bin_dir or os.environ.get("PTEST_FAULT_BIN_DIR")
    if os.geteuid() != 0:
        raise SystemExit("stress.py: needs root (cgroups, mounts, iptables), as tests/run does")
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    run_id = "%06x" % random.randrange(1 << 24)
    root = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"ptest-stress-{run_id}")
    os.makedirs(root, mode=0o700)
    report_dir = os.path.abspath(args.report_dir)
    os.makedirs(report_dir, exist_ok=True)
    duration = parse_duration(args.duration or ("2m" if args.scale == "ci" else "1h"))
    ctx = Ctx(run_id=run_id, root=root, bin_dir=bin_dir, fault_bin_dir=fault_dir and os.path.abspath(fault_dir),
              scale=args.scale, seed=seed, duration=duration, image=f"ptest-stress-{run_id}/busybox:1",
              wheelhouse=os.path.join(root, "wheelhouse"), report_dir=report_dir,
              build=build_kind(bin_dir), chaos_trials=args.chaos_trials, base_path=os.environ.get("PATH", ""),
              only=args.only, trial=args.trial)
    ctx_path = os.path.join(root, "ctx.json")
    ctx.save(ctx_path)
    log(f"run {run_id}: scale {args.scale}, seed {seed} (replay: --seed {seed}), soak {duration:.0f}s, "
        f"binaries {bin_dir} ({ctx.build})")
    env = dict(os.environ, PATH=bin_dir + ":" + os.environ.get("PATH", ""), PTEST_HOME=os.path.join(root, "setup-home"))
    t0 = time.time()
    status = 1
    report = {"run": run_id, "scale": args.scale, "seed": seed, "soak_duration_seconds": duration,
              "build": ctx.build, "binaries": bin_dir, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t0)),
              "machine": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                          "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}}
    prefixes = [f"ptest-stress-{run_id}", f"stress-{run_id}"]
    try:
        make_wheel(ctx.wheelhouse)
        import_image(ctx, env)
        mon_jsonl = os.path.join(root, "stress-run-mon.jsonl")
        mon_env = dict(env, PTEST_HOME=os.path.join(root, "monitor-home"))
        # ptest mon measures the whole run: every process of it, ptest's
        # guardians and supervisors included (they stay in its cgroup).
        # (Through a link named ptest-stress: the name ptest mon gives it.)
        os.makedirs(os.path.join(root, "bin"))
        me = os.path.join(root, "bin", "ptest-stress")
        os.symlink(sys.executable, me)
        inner_cmd = ["ptest", "mon", "run", "--interval", "1s", "--out", mon_jsonl, "--",
                     me, os.path.abspath(__file__), "--inner", ctx_path]
        # The whole run in a cgroup of its own (cgroup v1), so that ptest's
        # cgroups for it — ptest mon run's first — have a `ptest/` parent
        # of their own, out of sight of anyone else's `ptest gc` (whose
        # sweep of unregistered cgroups killed a run's ptest mon run once:
        # fixed in 9c622fd, by leaving alone cgroups that hold another
        # state directory's processes).
        run_cg = ScenarioCgroup(f"ptest-stress-{run_id}")
        run_cg.enter()
        try:
            rc = subprocess.run(inner_cmd, env=mon_env).returncode
        finally:
            run_cg.leave()
        report["scenarios"] = {}
        for name in scenarios.ORDER:
            p = os.path.join(root, "results", f"{name}.json")
            if os.path.exists(p):
                with open(p) as f:
                    report["scenarios"][name] = json.load(f)
        report["inner_exit"] = rc
        report["monitor"] = monitor_report(mon_jsonl, env, report_dir, "" if args.scale == "full" else "-" + args.scale)
        # ptest mon's own leftovers: its run's registry entry and cgroup go
        # when it ends.
        left = os.listdir(os.path.join(root, "monitor-home", "registry")) \
            if os.path.isdir(os.path.join(root, "monitor-home", "registry")) else []
        report["monitor"]["registry_left"] = left
        failures = []
        for name, res in report["scenarios"].items():
            failures += [f"{name}: {f}" for f in res.get("failures", [])]
        if left:
            failures.append(f"ptest mon run left registry entries: {left}")
        expected = [n for n in scenarios.ORDER if not ctx.only or n in ctx.only.split(",")]
        for name in expected:
            if name not in report["scenarios"]:
                failures.append(f"{name}: no result (the scenario process died)")
        if rc != 0 and not failures:
            failures.append(f"the inner run exited {rc}")
        report["failures"] = failures
        status = 0 if not failures else 1
    except KeyboardInterrupt:
        report["failures"] = ["interrupted"]
    finally:
        report["wall_seconds"] = round(time.time() - t0, 1)
        janitor.clean(root, run_id, prefixes, run_level=True)
        name = "stress-report.json" if args.scale == "full" else f"stress-report-{args.scale}.json"
        with open(os.path.join(report_dir, name), "w") as f:
            json.dump(report, f, indent=1, sort_keys=False)
            f.write("\n")
        if not args.keep:
            janitor.unmount_under(root)
            rm_tree(root)
    summarize(report, report_dir)
    return status


def monitor_report(jsonl, env, report_dir, suffix):
    out = {}
    if not os.path.exists(jsonl):
        return {"error": "no samples"}
    svg = os.path.join(report_dir, f"stress-run{suffix}.svg")
    r = subprocess.run(["ptest", "mon", "report", jsonl, "--svg", svg, "--json"], env=env,
                       capture_output=True, text=True)
    out["report_exit"] = r.returncode
    out["svg"] = os.path.relpath(svg, report_dir)
    out["records"] = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    if r.returncode != 0:
        out["stderr"] = r.stderr[-2000:]
    return out


def summarize(report, report_dir):
    print()
    log(f"stress run {report['run']} ({report['scale']}, seed {report['seed']}): {report['wall_seconds']}s")
    for name, res in (report.get("scenarios") or {}).items():
        state = "ok" if not res.get("failures") else f"FAILED ({len(res['failures'])})"
        log(f"  {name:11} {state:12} {json.dumps(res.get('metrics', {}))[:300]}")
    for f in report.get("failures", []):
        log(f"  FAILURE: {f}")
    log(f"report: {report_dir}")


def inner(ctx_path):
    """Runs each scenario in a process of its own, cleaning after each."""
    ctx = Ctx.load(ctx_path)
    os.makedirs(os.path.join(ctx.root, "results"), exist_ok=True)
    names = [n for n in scenarios.ORDER if not ctx.only or n in ctx.only.split(",")]
    rc = 0
    for name in names:
        log(f"== scenario {name}")
        t = time.perf_counter()
        # A bound, so that a hang fails the run instead of stopping it: the
        # soak's length, and half an hour for anything.
        limit = 1800 + (ctx.duration if name == "soak" else 0)
        child = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--scenario", name, "--ctx", ctx_path],
                                 start_new_session=True)
        try:
            if child.wait(limit) != 0:
                rc = 1
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
            rc = 1
            with open(os.path.join(ctx.root, "results", f"{name}.json"), "w") as f:
                json.dump({"name": name, "failures": [f"did not end within {limit:.0f} s: killed"]}, f)
        log(f"== scenario {name}: {time.perf_counter() - t:.1f}s")
        for d in os.listdir(ctx.root):
            if d == name or d.startswith(name + "-"):
                janitor.clean(os.path.join(ctx.root, d), ctx.run_id, [f"ptest-stress-{ctx.run_id}-{name}",
                                                                     f"stress-{ctx.run_id}-{name}"])
        janitor.remove_cgroups(ctx.run_id, name)
    return rc


def scenario(name, ctx_path):
    ctx = Ctx.load(ctx_path)
    cg = ScenarioCgroup(f"ptest-stress-{ctx.run_id}-{name}")
    placed = cg.enter()
    if not placed:
        log(f"{name}: no cgroup of its own (not cgroup v1, or not root): processes are found by PTEST_HOME only")
    result = {"name": name, "failures": []}
    try:
        mod = importlib.import_module(f"scenarios.{name}")
        result = mod.run(ctx, cg if placed else None)
    except Failure as e:
        result["failures"].append(str(e))
        log(f"FAIL {name}: {e}")
    except Exception:  # noqa: BLE001
        result["failures"].append("the scenario crashed: " + traceback.format_exc())
        log(result["failures"][-1])
    finally:
        cg.leave()
    with open(os.path.join(ctx.root, "results", f"{name}.json"), "w") as f:
        json.dump(result, f, indent=1, default=str)
    return 0 if not result.get("failures") else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=["ci", "full"], default="full")
    ap.add_argument("--duration", help="soak length (2m, 1h); default 2m for ci, 1h for full")
    ap.add_argument("--seed", type=int, help="the chaos generator's seed (printed by every run)")
    ap.add_argument("--trial", type=int, help="replay only this chaos trial of --seed")
    ap.add_argument("--chaos-trials", type=int, help="how many chaos trials (default: 24 ci, 120 full)")
    ap.add_argument("--only", help="comma-separated scenarios: " + ",".join(scenarios.ORDER))
    ap.add_argument("--bin-dir", help="the ptest binaries (default PTEST_BIN_DIR)")
    ap.add_argument("--fault-bin-dir", help="binaries built with fault injection (default PTEST_FAULT_BIN_DIR)")
    ap.add_argument("--report-dir", default=os.path.join(os.getcwd(), "target", "stress"))
    ap.add_argument("--keep", action="store_true", help="keep the run's directory (for debugging)")
    ap.add_argument("--inner", help=argparse.SUPPRESS)
    ap.add_argument("--scenario", help=argparse.SUPPRESS)
    ap.add_argument("--ctx", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.only:
        bad = set(args.only.split(",")) - set(scenarios.ORDER)
        if bad:
            ap.error(f"no such scenario: {', '.join(sorted(bad))}")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if args.inner:
        return inner(args.inner)
    if args.scenario:
        return scenario(args.scenario, args.ctx)
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())
