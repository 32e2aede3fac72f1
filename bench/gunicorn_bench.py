#!/usr/bin/env python3
"""Load-test the example app under different Gunicorn sizings with wrk, on loopback only.

Compares, on CPU-bound (/cpu, 5 ms of Python) and I/O-bound (/io, 50 ms wait) requests:
Flask's development server, ``gunicorn app:app`` with Gunicorn's defaults (one sync worker),
the operator-sized configuration (an AppServer with a CPU limit of this machine's cores,
rendered by the operator jar or read from ``--rendered``), a sweep over sync worker counts
with that same rendered configuration, and for /io the gthread and gevent worker classes.
Every figure and ratio comes from the same run. Not a test: ``make bench-gunicorn``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "conformance"))

import psutil  # noqa: E402
import yaml  # noqa: E402

from appserver_render import Rendered, RenderError, operator_jar, render  # noqa: E402
from gunicorn_server import APP_DIR, BOOT_SECONDS, VENV_BIN, GunicornServer, free_port, http_get, wait_until  # noqa: E402

LUA = Path(__file__).resolve().parent / "report.lua"
OUT_DIR = ROOT / ".cache" / "bench"
ENDPOINTS = {"cpu": "/cpu", "io": "/io"}
CORES = os.cpu_count() or 1


def bench_appserver(cores: int) -> dict:
    return {
        "apiVersion": "appserver.dev/v1alpha1",
        "kind": "AppServer",
        "metadata": {"name": "bench"},
        "spec": {
            "image": "example/app:1",
            "app": "app:app",
            "resources": {"limits": {"cpu": str(cores), "memory": "4Gi"}},
        },
    }


# ---- servers ----------------------------------------------------------------------------


class PlainServer:
    """A server started from a plain command line (Flask's dev server, bare Gunicorn)."""

    def __init__(self, argv: list[str], port: int, env: dict[str, str] | None = None):
        self.argv, self.port = argv, port
        self.scratch = Path(tempfile.mkdtemp(prefix="bench-"))
        self.env = {"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(self.scratch), "LANG": "C.UTF-8", **(env or {})}

    def __enter__(self):
        self.log = open(self.scratch / "server.log", "wb")
        self.proc = subprocess.Popen(
            self.argv, cwd=APP_DIR, env=self.env, stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )
        return self

    def wait_ready(self):
        def healthy():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv} exited: {(self.scratch / 'server.log').read_text()[-2000:]}")
            try:
                return http_get(self.url("/health"), 2).status_code == 200
            except Exception:
                return False

        wait_until(healthy, BOOT_SECONDS, f"{self.argv[0]} to answer", interval=0.1)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def pid(self):
        return self.proc.pid

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own process group only
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self.log.close()


class RenderedServer:
    """The operator's rendered Gunicorn config, optionally with command-line overrides."""

    def __init__(self, workload, overrides: list[str], workers: int):
        self.server = GunicornServer(workload, tuple(overrides))
        self.workers = workers

    def __enter__(self):
        self.server.start()
        return self

    def wait_ready(self):
        self.server.wait_healthy()
        self.server.wait_workers(self.workers)

    def url(self, path):
        return self.server.url(path)

    @property
    def pid(self):
        return self.server.proc.pid

    def __exit__(self, *exc):
        self.server.close()


@dataclass
class Scenario:
    group: str  # baseline | sweep | concurrency
    label: str
    how: str  # the command, for the report
    make: object  # () -> server context manager
    endpoints: tuple = ("cpu", "io")
    results: dict = field(default_factory=dict)  # endpoint -> one result per round


# ---- load generation ----------------------------------------------------------------------


def wrk(url: str, seconds: float, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(LUA), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    data = json.loads(line.split(" ", 1)[1])
    errors = data["errors"]
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "requests": data["requests"],
        "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "non_2xx": errors["status"],
    }


def drain(server) -> None:
    """Wait until requests queued by the warm-up are gone.

    wrk drops its connections when a run ends, but their requests are already in the listen
    backlog and sync workers still serve them: 64 of /io are 3 s of work for one worker.
    A quick /health answer means the queue in front of it is empty.
    """

    def quick():
        start = time.monotonic()
        http_get(server.url("/health"), 60)
        return time.monotonic() - start < 0.1

    wait_until(quick, 120, "the warm-up's queued requests to drain", interval=0.2)


class CpuMeter:
    """CPU time a server's process tree spends during a run.

    A sampler thread records every process's CPU time (all its threads) every 100 ms and
    keeps the highest value seen per PID, so a worker recycled by max_requests still counts
    (minus at most its last 100 ms), and its replacement's boot counts too. Unlike
    requests/s, this does not depend on how much CPU other work leaves to the server.
    """

    def __init__(self, pid: int):
        self.master = psutil.Process(pid)
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._sample()
        self.baseline = sum(self.seen.values())
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self):
        for proc in [self.master, *self.master.children(recursive=True)]:
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            self.seen[proc.pid] = max(self.seen.get(proc.pid, 0.0), t.user + t.system)

    def _loop(self):
        while not self._stop.wait(0.1):
            try:
                self._sample()
            except psutil.Error:
                pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return sum(self.seen.values()) - self.baseline


def run_scenario(s: Scenario, args, round_no: int) -> None:
    with s.make() as server:
        server.wait_ready()
        for ep in s.endpoints:
            url = server.url(ENDPOINTS[ep])
            wrk(url, args.warmup, args.connections, args.wrk_threads)  # warm-up, discarded
            drain(server)
            meter = CpuMeter(server.pid)
            r = wrk(url, args.duration, args.connections, args.wrk_threads)
            cpu = meter.stop()
            r["cpu_ms_per_req"] = 1000 * cpu / r["requests"] if r["requests"] else None
            s.results.setdefault(ep, []).append(r)
            per_req = f"{r['cpu_ms_per_req']:6.2f}" if r["cpu_ms_per_req"] is not None else "     -"
            print(
                f"  [{round_no}] {s.label:<34} {ep:>3}: {r['rps']:8.1f} req/s  p99 {r['p99_ms']:8.1f} ms"
                f"  server CPU {per_req} ms/req  errors {r['errors']} non-2xx {r['non_2xx']}",
                flush=True,
            )


def best(s: Scenario, ep: str) -> dict | None:
    """The round with the most requests/s: background load on a shared machine only slows a run down."""
    runs = s.results.get(ep)
    return max(runs, key=lambda r: r["rps"]) if runs else None


# ---- the plan -----------------------------------------------------------------------------


def load_workload(args):
    if args.rendered:
        docs = [d for d in yaml.safe_load_all(Path(args.rendered).read_text()) if d]
        names = [d["metadata"]["name"] for d in docs if d.get("kind") == "Deployment"]
        if len(names) != 1:
            sys.exit(f"--rendered must hold the resources of one AppServer, found Deployments {names}")
        appserver = {"metadata": {"name": names[0]}, "spec": {"app": "app:app"}}
        return Rendered(docs, {names[0]: appserver}).workload(names[0]), f"pre-rendered {args.rendered}"
    try:
        jar = operator_jar()
        return render([bench_appserver(CORES)]).workload("bench"), f"rendered by {jar.relative_to(ROOT) if jar.is_relative_to(ROOT) else jar}"
    except RenderError as exc:
        sys.exit(f"bench-gunicorn: {exc}\n(or pass --rendered FILE with the output of `render`)")


def plan(args, workload) -> list[Scenario]:
    sized = workload.config["workers"]
    rendered_cmd = "gunicorn --config gunicorn.conf.py (rendered)"

    def rendered(label, overrides=(), workers=None, group="sweep", endpoints=("cpu", "io"), how=None):
        n = workers or sized
        return Scenario(
            group, label, how or f"{rendered_cmd} {' '.join(overrides)} app:app".replace("  ", " "),
            lambda: RenderedServer(workload, list(overrides), n), endpoints,
        )

    def plain(label, argv, how, env=None):
        def make():
            port = free_port()
            fill = lambda a: a.replace("{port}", str(port))  # noqa: E731
            return PlainServer([fill(a) for a in argv], port, env={k: fill(v) for k, v in (env or {}).items()})

        return Scenario("baseline", label, how, make)

    scenarios = [
        plain("flask dev server (threaded)", [str(VENV_BIN / "python"), "app.py"], "PORT=PORT python app.py",
              env={"PORT": "{port}"}),
        plain("gunicorn defaults (1 sync)", [str(VENV_BIN / "gunicorn"), "--bind", "127.0.0.1:{port}", "app:app"],
              "gunicorn --bind 127.0.0.1:PORT app:app"),
        rendered(f"operator-sized ({sized} sync)", group="baseline", how=f"{rendered_cmd} app:app"),
    ]
    scenarios += [rendered(f"sync workers={n}", ["--workers", str(n)], n) for n in args.sweep]
    scenarios += [
        rendered(f"gthread workers={sized} threads={t}", ["--worker-class", "gthread", "--threads", str(t)],
                 group="concurrency", endpoints=("io",) if t != args.gthread_threads[0] else ("cpu", "io"))
        for t in args.gthread_threads
    ]
    scenarios += [
        rendered(f"gevent workers={n}", ["--worker-class", "gevent", "--workers", str(n)], n, group="concurrency")
        for n in args.gevent_workers
    ]
    return scenarios


# ---- report -------------------------------------------------------------------------------


def fmt(s, ep):
    x = best(s, ep)
    if not x:
        return "", "", ""
    flag = "" if not (x["errors"] or x["non_2xx"]) else f" ({x['errors'] + x['non_2xx']} err)"
    spread = "/".join(f"{r['rps']:.0f}" for r in s.results[ep])
    cpu = min((r["cpu_ms_per_req"] for r in s.results[ep] if r["cpu_ms_per_req"]), default=None)
    return f"{x['rps']:.0f}{flag} ({spread})", f"{x['p99_ms']:.0f}", f"{cpu:.2f}" if cpu else ""


def table(scenarios):
    rows = [
        "| configuration | /cpu req/s (rounds) | /cpu p99 ms | /cpu server CPU ms/req "
        "| /io req/s (rounds) | /io p99 ms | /io server CPU ms/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios:
        c, i = fmt(s, "cpu"), fmt(s, "io")
        rows.append(f"| {s.label} | {' | '.join(c)} | {' | '.join(i)} |")
    return "\n".join(rows)


def ratios(scenarios):
    by = {s.label: s for s in scenarios}
    operator = next(s for s in scenarios if s.label.startswith("operator-sized"))
    defaults = by["gunicorn defaults (1 sync)"]
    lines = []
    for ep in ENDPOINTS:
        rps = lambda s: best(s, ep)["rps"]  # noqa: E731
        sweep = [s for s in scenarios if s.group == "sweep" and ep in s.results]
        top_sweep = max(sweep, key=rps)
        op = rps(operator)
        if not (op and rps(top_sweep) and rps(defaults)):
            lines.append(f"- /{ep}: a configuration completed no request; no ratio")
            continue
        lines.append(
            f"- /{ep}: operator-sized {op:.0f} req/s = {op / rps(top_sweep):.2f} x the sweep's best "
            f"({top_sweep.label}, {rps(top_sweep):.0f} req/s) and {op / rps(defaults):.2f} x "
            f"Gunicorn's defaults ({rps(defaults):.0f} req/s)"
        )
        others = [s for s in scenarios if s.group == "concurrency" and ep in s.results]
        if others:
            top = max(others, key=rps)
            lines.append(
                f"- /{ep}: best concurrent worker class {top.label}, {rps(top):.0f} req/s = "
                f"{rps(top) / op:.2f} x operator-sized"
            )
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rendered", help="output of `render` for one AppServer, instead of running the jar")
    p.add_argument("--duration", type=int, default=5, help="seconds measured per run (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of discarded load before each run (default 1)")
    p.add_argument("--rounds", type=int, default=2,
                   help="passes over every configuration, interleaved; the best round is reported (default 2)")
    p.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    p.add_argument("--wrk-threads", type=int, default=2)
    ints = lambda s: [int(x) for x in s.split(",")]  # noqa: E731
    p.add_argument("--sweep", type=ints, default=[1, 2, 3, 4, 5, 6, 8, 12, 16], help="sync worker counts")
    p.add_argument("--gthread-threads", type=ints, default=[4, 8, 16, 32], help="threads per gthread worker")
    p.add_argument("--gevent-workers", type=ints, default=[2, CORES * 2 + 1])
    args = p.parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("bench-gunicorn: wrk is not installed (apt-get install wrk)")

    workload, source = load_workload(args)
    scenarios = plan(args, workload)
    runs = sum(len(s.endpoints) for s in scenarios) * args.rounds
    print(f"{len(scenarios)} servers x {args.rounds} rounds, {runs} measured runs of {args.duration:g}s (+{args.warmup:g}s warm-up), "
          f"{args.connections} connections; operator config {source}: workers={workload.config['workers']}", flush=True)
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"warning: 1-minute load average is {load_before:.2f} before the run; other work on this "
              "machine will skew the figures", flush=True)
    started = time.monotonic()
    for round_no in range(1, args.rounds + 1):
        for s in scenarios:
            run_scenario(s, args, round_no)
    elapsed = time.monotonic() - started

    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    gunicorn_version = subprocess.run([str(VENV_BIN / "gunicorn"), "--version"], capture_output=True, text=True).stdout.strip()
    header = (
        f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {CORES} cores, Python {platform.python_version()}, "
        f"{gunicorn_version}, {wrk_version.split(' Copyright')[0]}; wrk -t{args.wrk_threads} -c{args.connections} "
        f"-d{args.duration:g}s after {args.warmup:g}s warm-up, best of {args.rounds} interleaved rounds; operator config {source}; total {elapsed / 60:.1f} min; "
        f"1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (the run's own load included)"
    )
    groups = [("Baselines", "baseline"), ("Sync worker sweep (rendered config, --workers N)", "sweep"),
              ("Concurrent worker classes (rendered config + overrides)", "concurrency")]
    report = [header, ""]
    for title, g in groups:
        report += [f"### {title}", "", table([s for s in scenarios if s.group == g]), ""]
    report += ["### Ratios (same run)", "", ratios(scenarios), "", "### Commands", ""]
    report += [f"- {s.label}: `{s.how}`" for s in scenarios]
    text = "\n".join(report) + "\n"
    print("\n" + text)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT_DIR / f"gunicorn-{stamp}.md").write_text(text)
    (OUT_DIR / f"gunicorn-{stamp}.json").write_text(json.dumps(
        {"header": header, "config": workload.config_text, "scenarios": [
            {"group": s.group, "label": s.label, "how": s.how, "results": s.results} for s in scenarios]}, indent=2, default=str))
    print(f"written to {OUT_DIR}/gunicorn-{stamp}.md and .json")


if __name__ == "__main__":
    main()
