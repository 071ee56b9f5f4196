"""What every scenario of the stress suite stands on: the run's context, a
scenario's own state directory and environment, pipelines run as users run
them (`bash -c` with `set -o pipefail`, each in a session of its own, so
that ptest's default owner — the session — is a process the harness
knows), and the record of everything the scenario made (`Attribution`),
which scopes the leak detector to this run on a shared machine.
"""
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BOOT_ID = open("/proc/sys/kernel/random/boot_id").read().strip()
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def proc_stat(pid):
    """(state, ppid, pgid, sid, start_time) of a process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    rest = data[data.rindex(")") + 2:].split()
    # rest[0] is field 3 (state); field N is rest[N - 3]
    return rest[0], int(rest[1]), int(rest[2]), int(rest[3]), int(rest[19])


def start_time(pid):
    st = proc_stat(pid)
    return st[4] if st else None


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def parse_duration(text):
    """`90s`, `2m`, `1h`, `1h30m`, or seconds as a number."""
    text = str(text).strip()
    try:
        return float(text)
    except ValueError:
        pass
    total, num = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            num += ch
        elif ch in "smh" and num:
            total += float(num) * {"s": 1, "m": 60, "h": 3600}[ch]
            num = ""
        else:
            raise ValueError(f"not a duration: {text!r} (e.g. 90s, 2m, 1h)")
    if num:
        raise ValueError(f"not a duration: {text!r} (a unit is needed: s, m or h)")
    return total


class Ctx:
    """The run's context, shared by the orchestrator and the scenario
    processes through `ctx.json`."""

    FIELDS = ("run_id", "root", "bin_dir", "fault_bin_dir", "scale", "seed", "duration",
              "image", "wheelhouse", "report_dir", "build", "chaos_trials", "base_path", "only", "trial")

    def __init__(self, **kw):
        for k in self.FIELDS:
            setattr(self, k, kw.get(k))

    def save(self, path):
        with open(path, "w") as f:
            json.dump({k: getattr(self, k) for k in self.FIELDS}, f, indent=1)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(**json.load(f))

    @property
    def ci(self):
        return self.scale == "ci"

    def scaled(self, ci, full):
        return ci if self.ci else full


class Attribution:
    """What a scenario made or may have made, to tell its leftovers from
    those of whoever else shares the machine: the owners ptest labels its
    objects with (the sessions the harness started), the ids it registered,
    the engine ids, `ptest.run` labels and name prefixes it used. Appended
    to a file as it grows, so that the orchestrator's janitor can clean up
    after a scenario process that died."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.owners = set()  # (pid, start_time)
        self.ids = set()  # ptest ids (port-…, container-…)
        self.engine = set()  # engine ids and volume names
        self.runs = set()  # ptest.run labels
        self.prefixes = set()  # names the harness gave objects itself
        self.homes = set()  # state directories (pool members carry ptest.home)
        self.f = open(path, "a")

    def _add(self, field, value):
        with self.lock:
            s = getattr(self, field)
            if value in s:
                return
            s.add(value)
            self.f.write(json.dumps([field, value]) + "\n")
            self.f.flush()

    def owner(self, pid, start):
        self._add("owners", (pid, start))

    def id(self, i):
        self._add("ids", i)

    def engine_id(self, e):
        self._add("engine", e)

    def run(self, r):
        self._add("runs", r)

    def prefix(self, p):
        self._add("prefixes", p)

    def home(self, h):
        self._add("homes", h)

    @classmethod
    def load(cls, path):
        a = cls.__new__(cls)
        a.path, a.lock, a.f = path, threading.Lock(), None
        a.owners, a.ids, a.engine, a.runs, a.prefixes, a.homes = set(), set(), set(), set(), set(), set()
        try:
            with open(path) as f:
                for line in f:
                    field, value = json.loads(line)
                    getattr(a, field).add(tuple(value) if field == "owners" else value)
        except FileNotFoundError:
            pass
        return a

    def record(self, rec):
        """Notes what a record names."""
        if not isinstance(rec, dict):
            return
        if isinstance(rec.get("id"), str):
            self.id(rec["id"])
        for k in ("container_id", "network_id", "volume_name"):
            if isinstance(rec.get(k), str):
                self.engine_id(rec[k])
        if rec.get("kind") == "overlay" and isinstance(rec.get("snapshot"), str):
            self.id(rec["snapshot"])

    def owns_label(self, value):
        """Whether a `ptest.owner` label (`pid:start:boot`) is one of ours."""
        parts = (value or "").split(":")
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
            return False
        return (int(parts[0]), int(parts[1])) in self.owners and (len(parts) < 3 or parts[2] in ("", BOOT_ID))

    def owns_labels(self, labels):
        labels = labels or {}
        return (self.owns_label(labels.get("ptest.owner"))
                or labels.get("ptest.id") in self.ids
                or labels.get("ptest.pool") in self.ids
                or labels.get("ptest.home") in self.homes
                or labels.get("ptest.run") in self.runs)

    def owns_name(self, name):
        name = (name or "").lstrip("/")
        return any(name.startswith(p) for p in self.prefixes)


def records(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


class Result:
    def __init__(self, script, rc, out, err, secs):
        self.script, self.rc, self.out, self.err, self.secs = script, rc, out, err, secs
        self.records = records(out)

    def kind(self, kind):
        return [r for r in self.records if r.get("kind") == kind]

    def error_record(self):
        errs = self.kind("error")
        return errs[-1] if errs else None

    def describe(self):
        return f"`{self.script}` exited {self.rc} after {self.secs:.2f}s; stderr: {self.err.strip()[-800:]!r}"


class Session:
    """A `bash -c` pipeline in a session of its own. The session leader is
    ptest's default owner, so its PID and start time are noted (before the
    script runs: bash waits on a gate until they are) as one of the run's
    owners."""

    counter = 0
    counter_lock = threading.Lock()

    def __init__(self, scen, script, stdin=None, extra_env=None, cwd=None):
        with Session.counter_lock:
            Session.counter += 1
            n = Session.counter
        self.scen, self.script = scen, script
        self.out_path = os.path.join(scen.logs, f"{n}.out")
        self.err_path = os.path.join(scen.logs, f"{n}.err")
        r, w = os.pipe()
        gate = f"read -r _ <&{r}; exec {r}<&-; set -o pipefail; "
        env = scen.env_with(extra_env)
        self.t0 = time.perf_counter()
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            stdin_arg = subprocess.DEVNULL
            if isinstance(stdin, str):
                stdin_arg = open(stdin, "rb")
            # The trailing `exit` keeps bash from exec'ing the script's last
            # command: the session leader (the owner) must stay bash.
            self.p = subprocess.Popen(["bash", "-c", gate + script + "\nexit $?"], stdin=stdin_arg, stdout=out, stderr=err,
                                      env=env, cwd=cwd or scen.dir, start_new_session=True, pass_fds=(r,))
            if stdin_arg is not subprocess.DEVNULL:
                stdin_arg.close()
        os.close(r)
        self.pid = self.p.pid
        st = start_time(self.pid)
        scen.attr.owner(self.pid, st)
        os.write(w, b"go\n")
        os.close(w)
        self.secs = None

    def signal(self, sig, group=True):
        try:
            if group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def members(self):
        """PIDs of the session's processes now (its process group and
        children that made groups of their own but stayed in the session)."""
        pids = []
        for d in os.listdir("/proc"):
            if d.isdigit():
                st = proc_stat(int(d))
                if st and st[3] == self.pid:
                    pids.append(int(d))
        return pids

    def wait(self, timeout=None):
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.p.wait()
            raise TimeoutError(f"`{self.script}` did not end within {timeout}s (its session was SIGKILLed)")
        self.secs = time.perf_counter() - self.t0
        return rc

    def result(self, timeout=None):
        rc = self.wait(timeout)
        with open(self.out_path, errors="replace") as f:
            out = f.read()
        with open(self.err_path, errors="replace") as f:
            err = f.read()
        res = Result(self.script, rc, out, err, self.secs)
        for r in res.records:
            self.scen.attr.record(r)
        return res


class Failure(Exception):
    """A scenario's check that did not hold."""


class Scenario:
    """One scenario's world: a fresh state directory (PTEST_HOME), the
    environment users would have (PATH with the binaries first), the
    attribution record, and a tracker thread that notes what the registry
    and the engine hold while the scenario runs."""

    def __init__(self, ctx, name, bin_dir=None, uses_engine=True):
        self.ctx, self.name = ctx, name
        self.dir = os.path.join(ctx.root, name)
        self.home = os.path.join(self.dir, "home")
        self.logs = os.path.join(self.dir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        os.makedirs(self.home, mode=0o700, exist_ok=True)
        self.bin_dir = bin_dir or ctx.bin_dir
        self.attr = Attribution(os.path.join(self.dir, "attribution.jsonl"))
        self.attr.prefix(f"ptest-stress-{ctx.run_id}")
        self.attr.prefix(f"stress-{ctx.run_id}")
        self.attr.home(self.home)
        self.uses_engine = uses_engine
        self.env = {
            "PATH": self.bin_dir + ":" + ctx.base_path,
            "PTEST_HOME": self.home,
            "HOME": self.dir,
            "XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
            "XDG_STATE_HOME": os.path.join(self.dir, "state"),
            "XDG_CACHE_HOME": os.path.join(self.dir, "cache"),
            "TMPDIR": os.path.join(self.dir, "tmp"),
            # Guardians look whether their owner still owns anything every
            # second rather than every 30 s, so that one whose objects were
            # all torn down exits before the leak check looks.
            "PTEST_GUARDIAN_POLL": "1s",
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_NO_INPUT": "1",
        }
        for k in ("DOCKER_HOST", "TERM", "UV_CACHE_DIR", "RUSTUP_HOME", "CARGO_HOME"):
            if k in os.environ and k not in self.env:
                self.env[k] = os.environ[k]
        os.makedirs(self.env["TMPDIR"], exist_ok=True)
        self.rng = random.Random(f"{ctx.seed}:{name}")
        self._stop = threading.Event()
        self._tracker = None
        self.notes = []

    def env_with(self, extra=None):
        env = dict(self.env)
        env.update(extra or {})
        return env

    # -- running pipelines ------------------------------------------------
    def spawn(self, script, stdin=None, extra_env=None, cwd=None):
        return Session(self, script, stdin=stdin, extra_env=extra_env, cwd=cwd)

    def sh(self, script, timeout=300, check=True, stdin=None, extra_env=None, cwd=None):
        res = self.spawn(script, stdin=stdin, extra_env=extra_env, cwd=cwd).result(timeout)
        if check and res.rc != 0:
            raise Failure(f"{self.name}: {res.describe()}")
        return res

    def gc(self, check=True, extra_env=None):
        return self.sh("ptest gc", check=check, extra_env=extra_env, timeout=600)

    def write(self, rel, text):
        path = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path

    # -- the tracker --------------------------------------------------------
    def track(self, interval=0.1):
        """Notes, until `stop()`, every id the registry holds and every
        engine object labelled with one of our owners (so that a network's
        firewall rule, say, is known as ours even after the network is
        gone)."""
        def loop():
            reg = os.path.join(self.home, "registry")
            seen = set()
            last_engine = 0.0
            while not self._stop.is_set():
                try:
                    names = os.listdir(reg)
                except OSError:
                    names = []
                for n in names:
                    if n.endswith(".json") and n not in seen:
                        seen.add(n)
                        self.attr.id(n[:-5])
                        try:
                            with open(os.path.join(reg, n)) as f:
                                self.attr.record(json.load(f))
                        except (OSError, ValueError):
                            seen.discard(n)
                if self.uses_engine and time.monotonic() - last_engine > 0.5:
                    last_engine = time.monotonic()
                    try:
                        self.scan_engine()
                    except Exception:  # the engine may be away (faults scenario)
                        pass
                self._stop.wait(interval)

        self._tracker = threading.Thread(target=loop, daemon=True)
        self._tracker.start()

    def scan_engine(self):
        from engine import Engine
        e = Engine(timeout=10)
        for c in e.containers(label="ptest.tool"):
            if self.attr.owns_labels(c.get("Labels")):
                self.attr.engine_id(c["Id"])
                if (c.get("Labels") or {}).get("ptest.run"):
                    self.attr.run(c["Labels"]["ptest.run"])
        for n in e.networks(label="ptest.tool"):
            if self.attr.owns_labels(n.get("Labels")):
                self.attr.engine_id(n["Id"])
                if (n.get("Labels") or {}).get("ptest.run"):
                    self.attr.run(n["Labels"]["ptest.run"])
        for v in e.volumes(label="ptest.tool"):
            if self.attr.owns_labels(v.get("Labels")):
                self.attr.engine_id(v["Name"])

    def stop(self):
        self._stop.set()
        if self._tracker:
            self._tracker.join(5)


def require(cond, message):
    if not cond:
        raise Failure(message)


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return None
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def rm_tree(path):
    """Removes a directory tree that may hold read-only files and
    directories (venv templates are read-only)."""
    def onerror(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass
    shutil.rmtree(path, onerror=onerror)
