#!/usr/bin/env python3
"""Load-test the example app under different Gunicorn sizings with wrk, on loopback only.

Compares, on CPU-bound (/cpu, 5 ms of Python) and I/O-bound (/io, 50 ms wait) requests:
Flask's development server, ``gunicorn app:app`` with Gunicorn's defaults (one sync worker),
the operator-sized configurations (AppServers with a CPU limit of this machine's cores and
profile cpu, or profile io with each worker class, rendered by the operator jar; or profile
cpu read from ``--rendered``), a sweep over sync worker counts with the profile cpu file, and
for /io a sweep over gthread processes x threads and the gevent worker class.

Only successful (2xx/3xx) answers count as throughput; a round with any socket error or other
answer is flagged and never reported as a row's best. Memory is the whole server process
tree's: the sum of RSS (shared pages counted once per process) and of PSS (shared pages split
between the processes sharing them), the highest seen during the measured run.
Every figure and ratio comes from the same run. Not a test: ``make bench-gunicorn``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
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
# A request that waits longer counts as a timeout error. 256 connections queued on one sync
# worker serving /io wait 256 x 50 ms = 13 s.
WRK_TIMEOUT_SECONDS = 30


def bench_appserver(cores: int, name: str = "bench", workers: dict | None = None, app: str = "app:app",
                    metrics: bool = True) -> dict:
    spec = {
        "image": "example/app:1",
        "app": app,
        "resources": {"limits": {"cpu": str(cores), "memory": "4Gi"}},
    }
    if workers:
        spec["workers"] = workers
    if not metrics:
        spec["metrics"] = {"enabled": False}
    return {"apiVersion": "appserver.dev/v1alpha1", "kind": "AppServer", "metadata": {"name": name}, "spec": spec}


# The profile io AppServers, one per worker class: name -> (workers, app)
IO_APPSERVERS = {
    "bench-io": ({"profile": "io"}, "app:app"),
    "bench-io-gevent": ({"profile": "io", "workerClass": "gevent"}, "app:app"),
    "bench-io-uvicorn": ({"profile": "io", "workerClass": "uvicorn"}, "asgi:app"),
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
    group: str  # baseline | io (the operator's profile io files) | sweep (sync) | gthread (sweep)
    label: str
    how: str  # the command, for the report
    make: object  # () -> server context manager
    endpoints: tuple = ("cpu", "io")
    results: dict = field(default_factory=dict)  # endpoint -> one result per round


# ---- load generation ----------------------------------------------------------------------


def wrk(url: str, seconds: float, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", f"{WRK_TIMEOUT_SECONDS}s", "-s", str(LUA), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    line = next(l for l in out.splitlines() if l.startswith("BENCH_JSON "))
    data = json.loads(line.split(" ", 1)[1])
    errors = data["errors"]
    # wrk counts every answer as a request, whatever its status; errors.status counts the ones
    # outside 2xx/3xx. Only the others are throughput.
    ok = data["requests"] - errors["status"]
    return {
        "rps": ok / (data["duration_us"] / 1e6),
        "p50_ms": data["p50_us"] / 1000,
        "p99_ms": data["p99_us"] / 1000,
        "requests": data["requests"],
        "ok": ok,
        "errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        "error_kinds": {k: errors[k] for k in ("connect", "read", "write", "timeout") if errors[k]},
        "non_2xx": errors["status"],
    }


def failed(r: dict) -> bool:
    """A round with any socket error, timeout or non-2xx/3xx answer: shown, never a best."""
    return bool(r["errors"] or r["non_2xx"])


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


def pss_bytes(pid: int) -> int | None:
    """Proportional set size of one process from /proc/PID/smaps_rollup (Linux 4.14+), if readable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


class Meter:
    """CPU time and memory of a server's process tree during a run.

    A sampler thread records every process's CPU time (all its threads) every 100 ms and
    keeps the highest value seen per PID, so a worker recycled by max_requests still counts
    (minus at most its last 100 ms), and its replacement's boot counts too. Unlike
    requests/s, this does not depend on how much CPU other work leaves to the server.
    Every 500 ms it also sums RSS and PSS over the tree and keeps the highest sums: the
    memory the configuration needs under this load.
    """

    def __init__(self, pid: int):
        self.master = psutil.Process(pid)
        self.seen: dict[int, float] = {}
        self.rss_peak = 0
        self.pss_peak: int | None = None
        self._stop = threading.Event()
        self._sample(memory=True)
        self.baseline = sum(self.seen.values())
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self, memory: bool = False):
        rss, pss, pss_known = 0, 0, True
        for proc in [self.master, *self.master.children(recursive=True)]:
            try:
                t = proc.cpu_times()
                if memory:
                    rss += proc.memory_info().rss
            except psutil.Error:
                continue
            self.seen[proc.pid] = max(self.seen.get(proc.pid, 0.0), t.user + t.system)
            if memory:
                p = pss_bytes(proc.pid)
                if p is None:
                    pss_known = False
                else:
                    pss += p
        if memory:
            self.rss_peak = max(self.rss_peak, rss)
            if pss_known:
                self.pss_peak = max(self.pss_peak or 0, pss)

    def _loop(self):
        ticks = 0
        while not self._stop.wait(0.1):
            ticks += 1
            try:
                self._sample(memory=ticks % 5 == 0)
            except psutil.Error:
                pass

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample(memory=True)
        return sum(self.seen.values()) - self.baseline


def run_scenario(s: Scenario, args, round_no: int) -> None:
    with s.make() as server:
        server.wait_ready()
        for ep in s.endpoints:
            url = server.url(ENDPOINTS[ep])
            connections = args.io_connections if ep == "io" else args.connections
            wrk(url, args.warmup, connections, args.wrk_threads)  # warm-up, discarded
            drain(server)
            meter = Meter(server.pid)
            r = wrk(url, args.duration, connections, args.wrk_threads)
            cpu = meter.stop()
            r["cpu_ms_per_req"] = 1000 * cpu / r["ok"] if r["ok"] else None
            r["rss_mib"] = meter.rss_peak / 2**20
            r["pss_mib"] = meter.pss_peak / 2**20 if meter.pss_peak is not None else None
            s.results.setdefault(ep, []).append(r)
            per_req = f"{r['cpu_ms_per_req']:6.2f}" if r["cpu_ms_per_req"] is not None else "     -"
            pss = f"{r['pss_mib']:6.0f}" if r["pss_mib"] is not None else "     -"
            print(
                f"  [{round_no}] {s.label:<38} {ep:>3}: {r['rps']:8.1f} req/s  p99 {r['p99_ms']:8.1f} ms"
                f"  server CPU {per_req} ms/req  RSS {r['rss_mib']:5.0f} PSS {pss} MiB"
                f"  errors {r['errors']}{r['error_kinds'] or ''} non-2xx {r['non_2xx']}{'  ROUND FAILED' if failed(r) else ''}",
                flush=True,
            )


def best(s: Scenario, ep: str) -> dict | None:
    """The error-free round with the most successful requests/s (background load on a shared
    machine only slows a run down), or None when every round had errors."""
    runs = [r for r in s.results.get(ep, []) if not failed(r)]
    return max(runs, key=lambda r: r["rps"]) if runs else None


# ---- the plan -----------------------------------------------------------------------------


def load_workloads(args) -> tuple[dict, str]:
    """name -> rendered Workload: "bench" (profile cpu) and, when the jar renders, the IO_APPSERVERS."""
    if args.rendered:
        docs = [d for d in yaml.safe_load_all(Path(args.rendered).read_text()) if d]
        names = [d["metadata"]["name"] for d in docs if d.get("kind") == "Deployment"]
        if len(names) != 1:
            sys.exit(f"--rendered must hold the resources of one AppServer, found Deployments {names}")
        appserver = {"metadata": {"name": names[0]}, "spec": {"app": "app:app"}}
        print("--rendered: the profile io rows need the operator jar and are left out", flush=True)
        return {"bench": Rendered(docs, {names[0]: appserver}).workload(names[0])}, f"pre-rendered {args.rendered}"
    try:
        jar = operator_jar()
        appservers = [bench_appserver(CORES)] + [
            bench_appserver(CORES, name, workers, app) for name, (workers, app) in IO_APPSERVERS.items()] + [
            # The same two files without the metrics hooks: what measuring costs.
            bench_appserver(CORES, "bench-nometrics", metrics=False),
            bench_appserver(CORES, "bench-io-nometrics", IO_APPSERVERS["bench-io"][0], metrics=False)]
        rendered = render(appservers)
        where = jar.relative_to(ROOT) if jar.is_relative_to(ROOT) else jar
        return {a["metadata"]["name"]: rendered.workload(a["metadata"]["name"]) for a in appservers}, f"rendered by {where}"
    except RenderError as exc:
        sys.exit(f"bench-gunicorn: {exc}\n(or pass --rendered FILE with the output of `render`)")


def sizing_line(workload) -> str:
    return workload.config_text.splitlines()[1].lstrip("# ")


def plan(args, workloads) -> list[Scenario]:
    cpu_file = workloads["bench"]
    sized = cpu_file.config["workers"]
    rendered_cmd = "gunicorn --config gunicorn.conf.py (rendered{})"

    def rendered(label, workload, overrides=(), workers=None, group="sweep", endpoints=("cpu", "io"), how=None):
        n = workers or workload.config["workers"]
        which = "" if workload is cpu_file else f" for {workload.name}"
        return Scenario(
            group, label,
            how or f"{rendered_cmd.format(which)} {' '.join(overrides)} {workload.argv[-1]}".replace("  ", " "),
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
        rendered(f"operator cpu ({sized} sync)", cpu_file, group="baseline"),
    ]
    for name, endpoints in (("bench-io", ("cpu", "io")), ("bench-io-gevent", ("cpu", "io")), ("bench-io-uvicorn", ("io",))):
        if name not in workloads:
            continue
        w = workloads[name]
        c = w.config
        shape = f"{c['workers']} x {c['threads']} threads" if c["worker_class"] == "gthread" else (
            f"{c['workers']} x {c['worker_connections']} connections" if c["worker_class"] == "gevent" else f"{c['workers']}")
        cls = c["worker_class"] if c["worker_class"] in ("gthread", "gevent") else "uvicorn"
        scenarios.append(rendered(f"operator io {cls} ({shape})", w, group="io", endpoints=endpoints))
        if cls == "uvicorn":
            # uvicorn's worker drops its kept-alive connections when max_requests recycles it
            # (wrk sees read errors; a load balancer, 502s); the same file without recycling:
            scenarios.append(rendered(f"operator io {cls} ({shape}), --max-requests 0", w, ["--max-requests", "0"],
                                      group="io-variant", endpoints=endpoints))
    if "bench-nometrics" in workloads:
        scenarios.append(rendered(f"operator cpu ({sized} sync), metrics off", workloads["bench-nometrics"],
                                  group="metrics-off", endpoints=("cpu",)))
    if "bench-io-nometrics" in workloads:
        scenarios.append(rendered("operator io gthread, metrics off", workloads["bench-io-nometrics"],
                                  group="metrics-off", endpoints=("io",)))
    scenarios += [rendered(f"sync workers={n}", cpu_file, ["--workers", str(n)], n) for n in args.sweep]
    if "bench-io" in workloads:
        io_file = workloads["bench-io"]
        scenarios += [
            rendered(f"gthread {p} x {t}", io_file, ["--workers", str(p), "--threads", str(t)], p,
                     group="gthread", endpoints=("io",))
            for p in args.gthread_processes for t in args.gthread_threads
        ]
    return scenarios


# ---- report -------------------------------------------------------------------------------


def cells(s, ep):
    runs = s.results.get(ep)
    if not runs:
        return None
    x = best(s, ep)
    spread = "/".join(f"{r['rps']:.0f}" + ("*" if failed(r) else "") for r in runs)
    if not x:
        return [f"errors in every round ({spread})", "", "", "", ""]
    cpu = min((r["cpu_ms_per_req"] for r in runs if r["cpu_ms_per_req"] and not failed(r)), default=None)
    pss = f"{x['pss_mib']:.0f}" if x["pss_mib"] is not None else "-"
    return [f"{x['rps']:.0f} ({spread})", f"{x['p99_ms']:.0f}", f"{cpu:.2f}" if cpu else "", f"{x['rss_mib']:.0f}", pss]


def table(scenarios, ep):
    rows = [
        f"| configuration | /{ep} req/s (rounds) | p99 ms | server CPU ms/req | RSS MiB | PSS MiB |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scenarios:
        c = cells(s, ep)
        if c:
            rows.append(f"| {s.label} | {' | '.join(c)} |")
    return "\n".join(rows)


def ratios(scenarios):
    by_group = lambda g, ep: [s for s in scenarios if s.group == g and best(s, ep)]  # noqa: E731
    rps = lambda s, ep: best(s, ep)["rps"] if best(s, ep) else None  # noqa: E731
    find = lambda prefix: next((s for s in scenarios if s.label.startswith(prefix)), None)  # noqa: E731
    op_cpu, op_io = find("operator cpu"), find("operator io gthread")
    defaults = find("gunicorn defaults")
    lines = []

    def ratio(what, a, b, ep, of):
        ra, rb = (rps(a, ep) if a else None), (rps(b, ep) if b else None)
        if not (ra and rb):
            lines.append(f"- /{ep}: {what}: no error-free round to compare")
            return
        lines.append(f"- /{ep}: {what}: {a.label} {ra:.0f} req/s = **{ra / rb:.2f} x** {of + ' ' if of else ''}({b.label}, {rb:.0f} req/s)")

    top = lambda g, ep: max(by_group(g, ep), key=lambda s: rps(s, ep), default=None)  # noqa: E731
    ratio("profile cpu against the sync sweep", op_cpu, top("sweep", "cpu"), "cpu", "the sweep's best")
    ratio("profile cpu against Gunicorn's defaults", op_cpu, defaults, "cpu", "")
    if op_io:
        ratio("profile io on CPU-bound requests", op_io, op_cpu, "cpu", "profile cpu")
        ratio("profile io against the gthread sweep", op_io, top("gthread", "io"), "io", "the sweep's best")
        ratio("profile io against profile cpu", op_io, op_cpu, "io", "")
        for s in scenarios:
            if s.group == "io" and s is not op_io:
                ratio("another worker class", s, op_io, "io", "")
    ratio("the sync sweep's best against profile cpu", top("sweep", "io"), op_cpu, "io", "")
    # What Gunicorn's metrics hooks cost: the same file with metrics on against off (goal: within 3 %).
    off = lambda prefix: next((s for s in scenarios if s.group == "metrics-off" and s.label.startswith(prefix)), None)  # noqa: E731
    ratio("metrics on against off, profile cpu", op_cpu, off("operator cpu"), "cpu", "")
    ratio("metrics on against off, profile io", op_io, off("operator io gthread"), "io", "")
    failures = [f"{s.label} /{ep} round {i + 1}" for s in scenarios for ep, runs in s.results.items()
                for i, r in enumerate(runs) if failed(r)]
    lines.append("- rounds with errors (marked * above, never counted as a best): " + (", ".join(failures) or "none"))
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rendered", help="output of `render` for one AppServer, instead of running the jar")
    p.add_argument("--duration", type=int, default=5, help="seconds measured per run (default 5)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of discarded load before each run (default 1)")
    p.add_argument("--rounds", type=int, default=2,
                   help="passes over every configuration, interleaved; the best round is reported (default 2)")
    p.add_argument("--connections", type=int, default=64, help="concurrent connections for /cpu (default 64)")
    p.add_argument("--io-connections", type=int, default=256,
                   help="concurrent connections for /io (default 256: more than the 64 with which every "
                        "configuration of 64 or more in flight would hit the same 64 / 50 ms ceiling)")
    p.add_argument("--wrk-threads", type=int, default=2)
    ints = lambda s: [int(x) for x in s.split(",")]  # noqa: E731
    p.add_argument("--sweep", type=ints, default=[1, 2, 3, 4, 5, 6, 8, 12, 16], help="sync worker counts")
    p.add_argument("--gthread-processes", type=ints, default=[2, CORES * 2 + 1, 8], help="gthread processes in the /io sweep")
    p.add_argument("--gthread-threads", type=ints, default=[8, 16, 32, 64], help="threads per gthread process in the /io sweep")
    p.add_argument("--only", help="run only the configurations whose label matches this regular expression")
    args = p.parse_args()
    if subprocess.run(["which", "wrk"], capture_output=True).returncode:
        sys.exit("bench-gunicorn: wrk is not installed (apt-get install wrk)")

    workloads, source = load_workloads(args)
    scenarios = plan(args, workloads)
    if args.only:
        scenarios = [s for s in scenarios if re.search(args.only, s.label)]
    runs = sum(len(s.endpoints) for s in scenarios) * args.rounds
    print(f"{len(scenarios)} servers x {args.rounds} rounds, {runs} measured runs of {args.duration:g}s (+{args.warmup:g}s warm-up), "
          f"{args.connections} connections for /cpu, {args.io_connections} for /io; operator configs {source}:", flush=True)
    for name, w in workloads.items():
        print(f"  {name}: {sizing_line(w)}", flush=True)
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
        f"{gunicorn_version}, {wrk_version.split(' Copyright')[0]}; wrk -t{args.wrk_threads} -c{args.connections} (/cpu) or -c{args.io_connections} (/io) "
        f"-d{args.duration:g}s after {args.warmup:g}s warm-up, best error-free of {args.rounds} interleaved rounds; operator configs {source}; total {elapsed / 60:.1f} min; "
        f"1-minute load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after (the run's own load included)"
    )
    report = [header, "", "Operator configurations:", ""]
    report += [f"- {name}: `{sizing_line(w)}`" for name, w in workloads.items()]
    report += [""]
    for ep in ENDPOINTS:
        report += [f"### /{ep}", "", table(scenarios, ep), ""]
    report += ["### Ratios (same run)", "", ratios(scenarios), "", "### Commands", ""]
    report += [f"- {s.label}: `{s.how}`" for s in scenarios]
    text = "\n".join(report) + "\n"
    print("\n" + text)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT_DIR / f"gunicorn-{stamp}.md").write_text(text)
    (OUT_DIR / f"gunicorn-{stamp}.json").write_text(json.dumps(
        {"header": header, "configs": {n: w.config_text for n, w in workloads.items()}, "scenarios": [
            {"group": s.group, "label": s.label, "how": s.how, "results": s.results} for s in scenarios]}, indent=2, default=str))
    print(f"written to {OUT_DIR}/gunicorn-{stamp}.md and .json")


if __name__ == "__main__":
    main()
