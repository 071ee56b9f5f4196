"""The harness's self-test: a leak put back on purpose must make the leak
detector fail, naming it.

The binaries of PTEST_FAULT_BIN_DIR are built with the feature
`fault-injection` (tests/stress/run builds them into a target directory of
their own): with PTEST_FAULT=skip-volume-removal, ptest-docker reports a
volume removed but leaves it on the engine. One container with a named
volume is made, used and torn down with `ptest down`, then `ptest gc`:

- with that build but no PTEST_FAULT, the detector must find nothing (the
  build alone changes nothing, and the detector does not cry wolf);
- with PTEST_FAULT=skip-volume-removal, it must fail, naming the volume.

And the soak's growth judgement, on made-up samples: flat ones (with a
transient blip) must pass, one more descriptor every cycle, or one more
state file every fifth cycle, must fail.
"""
import os
import signal
import time

from harness import log
from scenarios import Checked


def one(ctx, cgroup, name, fault):
    c = Checked(ctx, name, cgroup, bin_dir=ctx.fault_bin_dir)
    s = c.scen
    if fault:
        s.env["PTEST_FAULT"] = fault
    vol = f"stress-{ctx.run_id}-{name}-vol"
    c.baseline()
    env = os.path.join(s.dir, "env.jsonl")
    # The session that owns the volume lives on until the check is done:
    # anyone's `ptest gc` on this engine removes labelled objects of dead
    # owners, and would repair the leak before the detector looks.
    owner = s.spawn(f"ptest docker create --image {ctx.image} --name st --volume {vol}:/data -- sleep 600 > {env} "
                    f"&& ptest docker exec st -- sh -c 'echo kept > /data/x' && ptest down < {env}; "
                    f"echo $? > {env}.done; exec sleep 3600")
    deadline = time.monotonic() + 120
    while not os.path.exists(env + ".done") and time.monotonic() < deadline and owner.p.poll() is None:
        time.sleep(0.05)
    c.det.harness_pids.add(owner.pid)  # the harness's, as the owner's shell is
    done = open(env + ".done").read().strip() if os.path.exists(env + ".done") else "never"
    if done != "0":
        c.fail(f"create, exec and down exited {done}: {open(owner.err_path).read()[-600:]}")
    c.det.quiesce(c.before, timeout=5)
    c.gc_checked("teardown")
    verdict = c.det.check(c.before, settle=10)
    owner.signal(signal.SIGKILL)
    owner.wait(10)
    c.scen.stop()
    verdict["failures"] = c.result["failures"]
    return vol, verdict


class _Judged:
    """What soak.judge_growth reports to, for the made-up samples."""

    def __init__(self):
        self.failures, self.result = [], {}

    def fail(self, msg):
        self.failures.append(msg)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)
        return cond


def growth_judgement():
    from scenarios import soak

    def samples(fds=lambda i: 7, files=lambda i: 40):
        return [{"keeper rss": 20 << 20, "keeper fds": fds(i), "state_files": files(i), "state_bytes": 50_000}
                for i in range(40)]
    cases = {
        "flat, with a blip": (samples(fds=lambda i: 9 if i == 30 else 7), True),
        "one descriptor more per cycle": (samples(fds=lambda i: 7 + i), False),
        "one state file more every fifth cycle": (samples(files=lambda i: 40 + i // 5), False),
    }
    wrong = []
    for name, (data, should_pass) in cases.items():
        j = _Judged()
        soak.judge_growth(j, data, say=False)
        if (not j.failures) != should_pass:
            wrong.append(f"{name}: {'failed' if j.failures else 'passed'} ({j.failures})")
    return wrong


def run(ctx, cgroup):
    result = {"name": "selftest", "metrics": {}, "failures": [], "notes": []}
    for w in growth_judgement():
        result["failures"].append(f"selftest: the soak's growth judgement is wrong on made-up samples: {w}")
    if not ctx.fault_bin_dir or not os.path.exists(os.path.join(ctx.fault_bin_dir, "ptest-docker")):
        result["failures"].append("no binaries built with fault injection (PTEST_FAULT_BIN_DIR): "
                                  "the detector's self-test cannot run")
        return result
    vol, clean = one(ctx, cgroup, "selftest-control", None)
    result["failures"] += [f"selftest control: {f}" for f in clean["failures"]]
    named = [x for x in clean["leaks"] + clean["lost"]]
    result["control"] = {"leaks": clean["leaks"], "lost": clean["lost"]}
    if named:
        result["failures"].append(f"selftest: the fault build without PTEST_FAULT leaked: {named}")
    vol, faulty = one(ctx, cgroup, "selftest-fault", "skip-volume-removal")
    result["failures"] += [f"selftest with the fault: {f}" for f in faulty["failures"]]
    result["fault"] = {"leaks": faulty["leaks"], "lost": faulty["lost"]}
    hit = [x for x in faulty["leaks"] if x["category"] == "volume" and x["what"] == vol]
    if hit:
        log(f"selftest: the detector failed as it must, naming: volume {vol} ({hit[0]['detail']})")
        result["metrics"]["detector_named"] = f"volume {vol}"
    else:
        result["failures"].append(f"selftest: the detector did not name the volume {vol} that the fault build left; "
                                  f"it found {faulty['leaks']}")
    others = [x for x in faulty["leaks"] if x not in hit]
    if others:
        result["notes"].append(f"besides the volume, the fault build left: {others}")
    return result
