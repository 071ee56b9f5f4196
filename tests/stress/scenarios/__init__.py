"""The stress suite's scenarios. Each module has `run(ctx, cgroup) ->
result dict`; `Checked` is what they share: a scenario's world, its leak
detector's baseline, and the check after teardown and `ptest gc`."""
import shlex
import time

from harness import Failure, Scenario, log
from leaks import Detector, describe

# The order `make stress` runs them in.
ORDER = ["envs", "containers", "chaos", "faults", "soak", "selftest"]

PROBE_PKG = "ptest-stress-probe==1.0"


def venv_args(ctx):
    """A venv with one package from the run's own wheelhouse: its template
    is built once, every later create clones it."""
    return f"--no-index --find-links {shlex.quote(ctx.wheelhouse)} {PROBE_PKG}"


# A Python command that binds the port it was leased, imports the venv's
# package, and says what it saw.
BIND_PROG = (
    "import json, os, socket, time\n"
    "import ptest_stress_probe\n"
    "s = socket.socket()\n"
    "s.bind(('127.0.0.1', int(os.environ['PTEST_PORT_HTTP'])))\n"
    "s.listen()\n"
    "time.sleep(float(os.environ.get('STRESS_HOLD', '0')))\n"
    "print(json.dumps({'venv': os.environ['VIRTUAL_ENV'], 'port': s.getsockname()[1],"
    " 'probe': ptest_stress_probe.hello(), 'pid': os.getpid()}))\n"
)


def full_env_pipeline(ctx, hold=0.0):
    return (f"ptest venv create {venv_args(ctx)} | ptest port lease --name http"
            f" | STRESS_HOLD={hold} ptest proc run --rm -- python3 -c {shlex.quote(BIND_PROG)}")


def residual(verdict, foreign):
    """What of a verdict counts: all of it (there is no list of bugs
    tolerated; `foreign` is kept for the detector's call)."""
    return verdict["leaks"] + verdict["lost"]


class Checked:
    """One leak-checked part of a scenario: its own state directory, a
    baseline taken once its lasting fixtures exist, and `finish()`:
    `ptest gc`, then the detector."""

    def __init__(self, ctx, name, cgroup, expect=(), bin_dir=None, uses_engine=True):
        self.ctx = ctx
        self.expect = expect
        self.scen = Scenario(ctx, name, bin_dir=bin_dir, uses_engine=uses_engine)
        self.det = Detector(self.scen, cgroup, expect)
        self.name = name
        self.result = {"name": name, "metrics": {}, "failures": [], "notes": []}
        self.before = None
        self.t0 = time.perf_counter()
        self.scen.track()

    def baseline(self):
        self.before = self.det.snapshot()

    def fail(self, msg):
        log(f"FAIL {self.name}: {msg}")
        self.result["failures"].append(msg)

    def check(self, cond, msg):
        if not cond:
            self.fail(msg)
        return cond

    def note(self, msg):
        log(f"{self.name}: {msg}")
        self.result["notes"].append(msg)

    def metric(self, key, value):
        self.result["metrics"][key] = value

    def judge(self, verdict, where):
        """Fails on every leak and loss of `verdict`. True when clean."""
        verdict.pop("_foreign", {})
        for line in describe(verdict, where):
            self.fail(line)
        return not verdict["leaks"] and not verdict["lost"]

    def gc_checked(self, where):
        """`ptest gc`, which must succeed at the first go."""
        first = self.scen.gc(check=False)
        if first.rc != 0:
            self.fail(f"{where}: ptest gc: {first.describe()}")
        return first

    def finish(self, settle=20.0, gc=True, gc_env=None):
        self.result["quiesce_seconds"] = self.det.quiesce(self.before)
        if gc:
            self.gc_checked("teardown") if not gc_env else self.scen.gc(extra_env=gc_env)
        verdict = self.det.check(self.before, settle, gc=lambda: self.scen.gc(check=False, extra_env=gc_env),
                                 residual=residual)
        self.scen.stop()
        self.result["leak_check"] = verdict
        self.judge(verdict, self.name)
        self.result["seconds"] = round(time.perf_counter() - self.t0, 2)
        return verdict


def guarded(checked, body):
    """Runs `body()`, turning a Failure or a crash into a failure of the
    scenario, then always finishes it (gc + leak check)."""
    try:
        body()
    except Failure as e:
        checked.fail(str(e))
    except TimeoutError as e:
        checked.fail(str(e))
    if checked.before is not None:
        checked.finish()
    return checked.result
