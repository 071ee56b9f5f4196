"""Scenario 3: chaos. Pipelines of every tool, killed at random moments —
SIGKILL, SIGTERM, or SIGTERM then SIGKILL — of the whole pipeline, of its
session leader (the owner) alone, or of one of its ptest processes; then
`ptest gc`, then the leak detector, after every round.

Every decision comes from one seeded generator (`--seed N`, printed by
every run): the same seed gives the same trials, kinds, moments, signals
and targets (what a kill then meets still depends on timing). `--trial K`
replays one trial alone.

A pipeline kind is one entry of KINDS: a shell pipeline, with the
placeholders below. Each kind the plan uses is first run once unharmed (it
must succeed): its duration there is the span in which its kills land, at
the trial's fraction of it.
"""
import os
import shlex
import signal
import time

from harness import log, proc_stat, cmdline, require
from scenarios import Checked, venv_args, BIND_PROG, residual


# The placeholders: {venv} a venv's create arguments (the run's warm
# template), {bind} a Python program binding PTEST_PORT_HTTP, {image} the
# run's image, {w} the trial's own directory, {run} the run's id, {t} the
# trial's number, {tree} a directory, {snap} a snapshot of it, {wheel} the
# run's wheel.
SNAP_ID = "grep -o '\"id\":\"snapshot-[a-z0-9]*\"' {f} | head -1 | cut -d'\"' -f4"
KINDS = {
    "venv": ("ptest venv create {venv} | ptest port lease --name http | ptest proc run --rm -- python3 -c {bind}"),
    # A template built while the kill lands: a wheelhouse of the trial's own.
    "venv-template": ("mkdir -p {w}/wheels && cp {wheel} {w}/wheels/ && ptest venv create --no-index "
                          "--find-links {w}/wheels ptest-stress-probe==1.0 | ptest proc run --rm -- python3 -c "
                          "'import ptest_stress_probe'"),
    "port": ("ptest port lease --count 3 | ptest proc run --rm -- sleep 0.3"),
    "proc-limits": ("ptest proc run --memory 64M --pids 32 --timeout 5s -- sh -c 'sleep 0.4 & sleep 0.2; wait'"),
    "proc-isolated": ("ptest proc run --pid-namespace --net none --private-tmp -- sh -c 'sleep 0.5 & wait'"),
    "service": ("ptest port lease --name web | ptest proc start --name web-{t} --ready-port web -- "
                    "sh -c 'exec python3 -m http.server --bind 127.0.0.1 \"$PTEST_PORT_WEB\"' > {w}/svc.jsonl "
                    "&& ptest proc status web-{t} > /dev/null && ptest down < {w}/svc.jsonl"),
    "docker": ("ptest docker create --image {image} --name box --network isolated --volume stress-{run}-vol-{t}:/data "
                   "-- sleep 600 | ptest proc run --rm -- true"),
    "docker-count": ("ptest docker create --image {image} --count 4 --ready-cmd true -- sleep 600 > {w}/c.jsonl "
                         "&& ptest down < {w}/c.jsonl"),
    "snap": ("ptest snap create {tree} > {w}/s.jsonl && id=$(" + SNAP_ID.format(f="{w}/s.jsonl") + ") "
                 "&& ptest snap restore $id --to {w}/copy > /dev/null && ptest snap reset $id > /dev/null "
                 "&& ptest down < {w}/s.jsonl"),
    "snap-overlay": ("ptest snap restore {snap} --mode overlay --to {w}/ov > {w}/o.jsonl && ls {w}/ov > /dev/null "
                         "&& ptest down < {w}/o.jsonl"),
    "snap-venv": ("ptest venv create {venv} | ptest snap create --all | ptest proc run --rm -- true"),
    "snap-container": ("ptest docker create --image {image} --name snapbox -- sleep 600 > {w}/c.jsonl && "
                           "cid=$(grep -o '\"id\":\"container-[a-z0-9]*\"' {w}/c.jsonl | cut -d'\"' -f4) && "
                           "ptest snap create --container $cid > {w}/s.jsonl && ptest down < {w}/s.jsonl "
                           "&& ptest down < {w}/c.jsonl"),
    # A pool, a take from it (the same spec), and the pool's removal.
    "pool": ("ptest docker pool create --pool p{t} --size 2 --image {image} -- sleep 600 > {w}/pool.jsonl "
             "&& ptest docker create --image {image} -- sleep 600 | ptest proc run --rm -- true "
             "&& ptest docker pool rm p{t}"),
    "mon-run": ("ptest mon run --json -- sh -c 'sleep 0.3' > {w}/m.jsonl; ptest down < {w}/m.jsonl"),
    "mon-watch": ("ptest proc start --ready-cmd true -- sleep 30 | ptest mon watch --duration 1s --interval 100ms "
                      "> {w}/w.jsonl; ptest down < {w}/w.jsonl"),
    "gc": ("ptest gc"),
}

SIGNALS = {"KILL": [signal.SIGKILL], "TERM": [signal.SIGTERM], "TERM+KILL": [signal.SIGTERM, signal.SIGKILL]}
TARGETS = ["pipeline", "owner", "stage"]


def plan(seed, trials, kinds):
    """The trials, all decided up front from the seed."""
    import random
    rng = random.Random(seed)
    names = sorted(kinds)
    out = []
    for t in range(trials):
        k = rng.choice(names)
        out.append({"trial": t, "kind": k, "at": round(rng.random(), 3),
                    "signal": rng.choice(sorted(SIGNALS)), "target": rng.choice(TARGETS),
                    "stage": rng.randrange(1000)})
    return out


def describe(p):
    return (f"trial {p['trial']}: {p['kind']}, {p['signal']} of the {p['target']}"
            + (f" (#{p['stage']})" if p["target"] == "stage" else "")
            + f" at {p['at']:.3f} of its run" + (f" ({p['delay'] * 1000:.0f} ms)" if "delay" in p else ""))


def tools_of(sess):
    """The session's ptest processes now, in PID order."""
    out = []
    for pid in sorted(sess.members()):
        argv = cmdline(pid)
        if argv and os.path.basename(argv[0]).startswith("ptest"):
            out.append(pid)
    return out


def strike(sess, p):
    sigs = SIGNALS[p["signal"]]
    if sess.p.poll() is not None:
        return "missed (already over)"
    if p["target"] == "pipeline":
        targets, how = None, "pipeline"
    elif p["target"] == "owner":
        targets, how = [sess.pid], "owner"
    else:
        tools = tools_of(sess)
        if not tools:
            targets, how = [sess.pid], "owner (no ptest process at that moment)"
        else:
            pid = tools[p["stage"] % len(tools)]
            targets, how = [pid], " ".join(cmdline(pid)[:3])
    for i, sig in enumerate(sigs):
        if i:
            time.sleep(0.05)
        if targets is None:
            sess.signal(sig, group=True)
        else:
            for pid in targets:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
    return f"hit {how}"


def run(ctx, cgroup):
    trials = ctx.chaos_trials or ctx.scaled(24, 120)
    parallel = 3
    # Venvs and snapshots made without an owner last by design (ptest's
    # contract): a pipeline killed before its teardown leaves them, listed.
    c = Checked(ctx, "chaos", cgroup, expect=("unowned",))
    s = c.scen
    # Fixtures that last: a tree to snapshot, and a snapshot of it to mount.
    tree = os.path.join(s.dir, "tree")
    for i in range(200):
        d = os.path.join(tree, f"d{i % 10}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f{i}"), "w") as f:
            f.write(f"{i}\n" * (i + 1))
    snap = s.sh(f"ptest snap create {tree} --name fixture --json").kind("snapshot")[0]["id"]
    wheel = os.path.join(ctx.wheelhouse, os.listdir(ctx.wheelhouse)[0])
    s.sh(f"ptest venv create {venv_args(ctx)} | ptest proc run --rm -- true")  # the warm template
    c.baseline()
    # Trial K is the same whatever the number of trials (drawn in order).
    schedule = plan(ctx.seed, max(trials, (ctx.trial or 0) + 1), KINDS)
    if ctx.trial is not None:
        require(ctx.trial >= 0, f"--trial {ctx.trial}: trials are numbered from 0")
        schedule, parallel = [schedule[ctx.trial]], 1

    def script(kind, t, w):
        os.makedirs(w, exist_ok=True)
        return KINDS[kind].format(venv=venv_args(ctx), bind=shlex.quote(BIND_PROG), image=ctx.image, w=w,
                                  run=ctx.run_id, t=t, tree=tree, snap=snap, wheel=wheel)

    # Each kind once, unharmed and alone: it must work, and its duration is
    # the span its kills land in.
    span = {}
    for kind in sorted({p["kind"] for p in schedule}):
        res = s.sh(script(kind, f"cal-{kind}", os.path.join(s.dir, "work", f"cal-{kind}")), check=False)
        if res.rc != 0:
            c.fail(f"chaos: the pipeline {kind} fails even when nothing kills it: {res.describe()}")
        span[kind] = res.secs
    c.metric("span_seconds", {k: round(v, 3) for k, v in span.items()})
    c.det.quiesce(c.before)
    c.gc_checked("after the unharmed runs")
    verdict = c.det.check(c.before, settle=20, gc=lambda: s.gc(check=False), residual=residual)
    c.judge(verdict, "after the unharmed runs of every kind")
    log(f"chaos: {len(schedule)} trials, {parallel} at once, seed {ctx.seed}; spans "
        + ", ".join(f"{k} {v:.2f}s" for k, v in span.items()))
    hits = {"hit": 0, "missed": 0}
    by_kind = {}
    rounds = [schedule[i:i + parallel] for i in range(0, len(schedule), parallel)]
    leaked_in = None
    for rnd in rounds:
        sessions = []
        for p in rnd:
            p["delay"] = round(p["at"] * span[p["kind"]], 3)
            w = os.path.join(s.dir, "work", f"t{p['trial']}")
            sessions.append((p, s.spawn(script(p["kind"], p["trial"], w)), time.monotonic()))
        for p, sess, t0 in sorted(sessions, key=lambda x: x[0]["delay"]):
            time.sleep(max(0.0, t0 + p["delay"] - time.monotonic()))
            p["outcome"] = strike(sess, p)
        for p, sess, t0 in sessions:
            try:
                res = sess.result(timeout=90)
            except TimeoutError:
                c.fail(f"{describe(p)}: the pipeline did not end within 90 s of the signal")
                continue
            p["exit"] = res.rc
            hits["hit" if p["outcome"].startswith("hit") else "missed"] += 1
            k = by_kind.setdefault(p["kind"], {"trials": 0, "hit": 0})
            k["trials"] += 1
            k["hit"] += p["outcome"].startswith("hit")
            log(f"chaos: {describe(p)}: {p['outcome']}, exit {res.rc}")
            if "panicked" in res.err or res.rc in (70, 101):
                c.fail(f"{describe(p)}: ptest crashed (exit {res.rc}): {res.err.strip()[-600:]}")
        # Whatever the killed pipelines left: gc, then nothing may be left.
        where = "after " + "; ".join(describe(p) for p in rnd)
        c.det.quiesce(c.before)
        c.gc_checked(where)
        verdict = c.det.check(c.before, settle=20, gc=lambda: s.gc(check=False), residual=residual)
        if verdict["backdated"]:
            c.note(f"{where}: gc took, once a minute old: {verdict['backdated']}")
        if not c.judge(verdict, f"{where} (replay one: tests/stress/run --scale {ctx.scale} --only chaos "
                                f"--seed {ctx.seed} --trial N)"):
            leaked_in = rnd
            break
    c.metric("seed", ctx.seed)
    c.metric("trials", sum(k["trials"] for k in by_kind.values()))
    c.metric("hits", hits["hit"])
    c.metric("missed", hits["missed"])
    c.metric("by_kind", by_kind)
    c.result["trials"] = schedule
    if leaked_in:
        c.note("stopped at the first round that leaked")
    # The fixtures (a snapshot and the template) last: listed, not counted.
    c.finish()
    return c.result
