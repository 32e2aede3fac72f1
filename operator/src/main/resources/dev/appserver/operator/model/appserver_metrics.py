"""Gunicorn's saturation, measured from inside Gunicorn, served as Prometheus metrics.

Shipped by the AppServer operator next to the gunicorn.conf.py it renders, which calls
``install(globals(), ...)``. Only the Python standard library is used, and nothing in the
application's image changes. How it works:

* The master creates one anonymous shared memory map before it forks any worker; every
  worker inherits it and owns one slot, which only that worker writes (its threads or
  greenlets under one lock). The master only reads the slots.
* Gunicorn's server hooks count: ``pre_request``/``post_request`` (sync, gthread, gevent) or
  an ASGI wrapper (uvicorn) keep the requests in flight, the answers by status class, a
  duration histogram and the CPU time of each request; ``worker_abort`` and ``worker_exit``
  record why a worker ends. When a worker exits, the master folds its slot into totals, so
  counters survive worker recycling and a slot is reused, never leaked.
* A thread of the master serves ``/metrics`` on its own port, with the listen backlog of
  Gunicorn's sockets read from /proc/net/tcp, and each worker's CPU time from /proc.
"""

import mmap
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Upper bounds of the duration histogram, in seconds (slow upstreams included).
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
CLASSES = ("1xx", "2xx", "3xx", "4xx", "5xx")
CAUSES = ("timeout", "max_requests", "signal", "exit")

# One slot: float64 fields. Index of each field within a slot:
PID, BUSY, REQ_CPU, DUR_SUM, DUR_COUNT, CAUSE = range(6)
CLASS0 = 6  # requests by status class, len(CLASSES) fields
BUCKET0 = CLASS0 + len(CLASSES)  # histogram counts per bucket (not cumulative), then +Inf
SLOT_FIELDS = BUCKET0 + len(BUCKETS) + 1
SLOTS = 256
CAUSE_NONE, CAUSE_TIMEOUT, CAUSE_MAX_REQUESTS, CAUSE_EXIT = 0.0, 1.0, 2.0, 3.0

_state = None


class _State:
    """What the master keeps: the shared map, the slots in use, and retired workers' totals."""

    def __init__(self, port, capacity_per_worker):
        self.port = port
        self.capacity = capacity_per_worker
        self.map = mmap.mmap(-1, SLOTS * SLOT_FIELDS * 8)
        self.slots = memoryview(self.map).cast("d")
        self.lock = threading.Lock()  # master: slots in use and the retired totals
        self.used = set()
        self.retired = [0.0] * SLOT_FIELDS
        self.retired_worker_cpu = 0.0
        self.restarts = dict.fromkeys(CAUSES, 0)
        self.server = None
        self.address = "0.0.0.0"
        self.arbiter = None
        self.cpu_per_request = True
        # Worker side, set after the fork.
        self.slot = None
        self.wlock = None
        self.ticks = os.sysconf("SC_CLK_TCK")


def install(namespace, port=9464, capacity_per_worker=1, address="0.0.0.0"):
    """Bind the hooks into a Gunicorn configuration's namespace (idempotent across reloads)."""
    global _state
    if _state is None:
        _state = _State(port, capacity_per_worker)
    _state.capacity = capacity_per_worker
    if _state.server is None:
        _state.port = port
        _state.address = address
    for name in ("when_ready", "pre_fork", "post_fork", "post_worker_init", "pre_request", "post_request",
                 "worker_abort", "worker_exit", "child_exit", "on_exit"):
        namespace[name] = globals()["_" + name]


def _base(i):
    return i * SLOT_FIELDS


# --- master -----------------------------------------------------------------------------

def _when_ready(arbiter):
    s = _state
    s.arbiter = arbiter
    if s.server is not None:
        return
    try:
        s.server = ThreadingHTTPServer((s.address, s.port), _Handler)
    except OSError as e:
        arbiter.log.warning("appserver metrics: cannot listen on port %s: %s", s.port, e)
        return
    s.server.daemon_threads = True
    threading.Thread(target=s.server.serve_forever, name="appserver-metrics", daemon=True).start()
    arbiter.log.info("appserver metrics on :%s/metrics", s.port)


def _pre_fork(arbiter, worker):
    s = _state
    with s.lock:
        free = next((i for i in range(SLOTS) if i not in s.used), None)
        if free is not None:
            s.used.add(free)
            b = _base(free)
            s.slots[b:b + SLOT_FIELDS] = memoryview(bytes(SLOT_FIELDS * 8)).cast("d")
    worker.appserver_slot = free


def _child_exit(arbiter, worker):
    s = _state
    i = getattr(worker, "appserver_slot", None)
    if i is None:
        return
    b = _base(i)
    cause = s.slots[b + CAUSE]
    cpu = _proc_cpu(worker.pid)  # gone already, usually; the last scrape's figure is kept below
    with s.lock:
        for f in range(REQ_CPU, SLOT_FIELDS):
            if f != CAUSE:
                s.retired[f] += s.slots[b + f]
        s.retired_worker_cpu += max(cpu or 0.0, getattr(worker, "appserver_cpu", 0.0))
        name = {CAUSE_TIMEOUT: "timeout", CAUSE_MAX_REQUESTS: "max_requests", CAUSE_EXIT: "exit"}.get(cause, "signal")
        s.restarts[name] += 1
        s.slots[b:b + SLOT_FIELDS] = memoryview(bytes(SLOT_FIELDS * 8)).cast("d")
        s.used.discard(i)


def _on_exit(arbiter):
    if _state.server is not None:
        _state.server.shutdown()


# --- worker -----------------------------------------------------------------------------

def _post_fork(arbiter, worker):
    s = _state
    if s.server is not None:
        s.server.socket.close()  # the master's; the worker never serves it
        s.server = None
    s.slot = getattr(worker, "appserver_slot", None)
    s.wlock = threading.Lock()
    # A thread's CPU clock is the request's only where one thread serves one request at a time.
    s.cpu_per_request = type(worker).__name__ in ("SyncWorker", "ThreadWorker")
    if s.slot is not None:
        s.slots[_base(s.slot) + PID] = float(os.getpid())


def _post_worker_init(worker):
    # The uvicorn worker calls no request hooks: count around the ASGI application instead.
    if "uvicorn" in type(worker).__module__ and getattr(worker, "wsgi", None) is not None:
        worker.wsgi = _asgi(worker.wsgi)


def _started():
    s = _state
    if s.slot is None:
        return None
    with s.wlock:
        s.slots[_base(s.slot) + BUSY] += 1.0
    return time.perf_counter(), time.thread_time()


def _finished(started, status):
    s = _state
    if started is None or s.slot is None:
        return
    t0, c0 = started
    wall = time.perf_counter() - t0
    cpu = time.thread_time() - c0 if s.cpu_per_request else 0.0
    b = _base(s.slot)
    cls = status // 100 - 1 if 100 <= status < 600 else 4
    bucket = next((k for k, ub in enumerate(BUCKETS) if wall <= ub), len(BUCKETS))
    with s.wlock:
        v = s.slots
        v[b + BUSY] -= 1.0
        v[b + DUR_SUM] += wall
        v[b + DUR_COUNT] += 1.0
        v[b + REQ_CPU] += cpu if cpu > 0 else 0.0
        v[b + CLASS0 + cls] += 1.0
        v[b + BUCKET0 + bucket] += 1.0


def _pre_request(worker, req):
    req.appserver_started = _started()


def _post_request(worker, req, environ, resp):
    started = getattr(req, "appserver_started", None)
    req.appserver_started = None
    status = getattr(resp, "status_code", None)
    if status is None:
        try:
            status = int(str(getattr(resp, "status", "500")).split()[0])
        except (ValueError, IndexError):
            status = 500
    _finished(started, status)


def _worker_abort(worker):
    _mark(CAUSE_TIMEOUT)


def _worker_exit(arbiter, worker):
    nr = getattr(worker, "nr", 0)
    limit = getattr(worker, "max_requests", 0) or 0
    # Gunicorn stops a worker after max_requests (plus jitter) on its own; anything else that
    # reaches here is a shutdown or reload of the worker.
    _mark(CAUSE_MAX_REQUESTS if limit and nr >= limit else CAUSE_EXIT)


def _mark(cause):
    s = _state
    if s.slot is not None and s.slots[_base(s.slot) + CAUSE] == CAUSE_NONE:
        s.slots[_base(s.slot) + CAUSE] = cause


def _asgi(app):
    async def counted(scope, receive, send):
        if scope.get("type") != "http":
            return await app(scope, receive, send)
        started = _started()
        status = [500]

        async def send_status(message):
            if message.get("type") == "http.response.start":
                status[0] = int(message.get("status", 500))
            await send(message)

        try:
            return await app(scope, receive, send_status)
        finally:
            _finished(started, status[0])

    return counted


# --- scrape -----------------------------------------------------------------------------

def _proc_cpu(pid):
    """User + system CPU seconds of a process, from /proc (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _state.ticks
    except (OSError, IndexError, ValueError):
        return None


def _listen_queues(arbiter):
    """(queued, limit): connections waiting in the accept queues of Gunicorn's TCP listeners
    (from /proc/net/tcp, where a listening socket's rx_queue is its accept queue), and the
    backlog Gunicorn asked for, as the kernel caps it (net.core.somaxconn)."""
    inodes = set()
    for listener in getattr(arbiter, "LISTENERS", []) or []:
        try:
            inodes.add(str(os.fstat(listener.sock.fileno()).st_ino))
        except (OSError, AttributeError):
            pass
    queued = 0
    found = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if len(cols) > 9 and cols[3] == "0A" and cols[9] in inodes:  # 0A: LISTEN
                        queued += int(cols[4].split(":")[1], 16)
                        found = True
        except OSError:
            pass
    if not found:
        return None
    limit = int(getattr(arbiter.cfg, "backlog", 2048) or 2048)
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            limit = min(limit, int(f.read()))
    except (OSError, ValueError):
        pass
    return queued, limit * max(len(inodes), 1)


def render():
    """The metrics in Prometheus' text format."""
    s = _state
    arbiter = s.arbiter
    with s.lock:
        live = sorted(s.used)
        totals = list(s.retired)
        retired_cpu = s.retired_worker_cpu
        restarts = dict(s.restarts)
    busy = 0.0
    worker_cpu = retired_cpu
    alive = 0
    workers = dict(getattr(arbiter, "WORKERS", {}) or {})
    by_slot = {getattr(w, "appserver_slot", None): w for w in workers.values()}
    for i in live:
        b = _base(i)
        snapshot = s.slots[b:b + SLOT_FIELDS].tolist()
        if snapshot[PID]:
            alive += 1
        busy += max(snapshot[BUSY], 0.0)
        for f in range(REQ_CPU, SLOT_FIELDS):
            if f != CAUSE:
                totals[f] += snapshot[f]
        w = by_slot.get(i)
        if w is not None:
            cpu = _proc_cpu(w.pid)
            if cpu is not None:
                w.appserver_cpu = cpu
                worker_cpu += cpu
    configured = getattr(arbiter, "num_workers", 0) if arbiter else 0
    capacity = alive * s.capacity
    out = []

    def metric(name, kind, help_, samples):
        out.append(f"# HELP {name} {help_}")
        out.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            out.append(f"{name}{labels} {value:.17g}" if isinstance(value, float) else f"{name}{labels} {value}")

    metric("gunicorn_workers", "gauge", "Worker processes: configured, and alive now.",
           [('{state="configured"}', configured), ('{state="alive"}', alive)])
    metric("gunicorn_worker_capacity", "gauge", "Requests one worker serves at once (threads, or connections).",
           [("", s.capacity)])
    metric("gunicorn_capacity", "gauge", "Requests the pod serves at once: alive workers x capacity per worker.",
           [("", capacity)])
    metric("gunicorn_requests_in_flight", "gauge", "Requests being served now: busy workers or threads.",
           [("", busy)])
    metric("gunicorn_busy_ratio", "gauge", "requests_in_flight / capacity: 1 means every worker is busy.",
           [("", busy / capacity if capacity else 0.0)])
    metric("gunicorn_requests_total", "counter", "Requests answered, by status class.",
           [(f'{{code="{c}"}}', totals[CLASS0 + k]) for k, c in enumerate(CLASSES)])
    cumulative = 0.0
    samples = []
    for k, ub in enumerate(BUCKETS):
        cumulative += totals[BUCKET0 + k]
        samples.append((f'{{le="{ub:g}"}}', cumulative))
    cumulative += totals[BUCKET0 + len(BUCKETS)]
    samples.append(('{le="+Inf"}', cumulative))
    out.append("# HELP gunicorn_request_duration_seconds Wall time from the request's start to its end.")
    out.append("# TYPE gunicorn_request_duration_seconds histogram")
    for labels, value in samples:
        out.append(f"gunicorn_request_duration_seconds_bucket{labels} {value:.17g}")
    out.append(f"gunicorn_request_duration_seconds_sum {totals[DUR_SUM]:.17g}")
    out.append(f"gunicorn_request_duration_seconds_count {totals[DUR_COUNT]:.17g}")
    metric("gunicorn_request_cpu_seconds_total", "counter",
           "CPU time of the threads while they served requests (sync and gthread; 0 where not measurable per request).",
           [("", totals[REQ_CPU])])
    metric("gunicorn_worker_cpu_seconds_total", "counter", "CPU time of every worker process, alive and exited.",
           [("", worker_cpu)])
    metric("gunicorn_worker_restarts_total", "counter",
           "Workers that ended, by cause: timeout (killed by the master), max_requests (recycled), exit (shutdown or reload), signal (anything else).",
           [(f'{{cause="{c}"}}', restarts[c]) for c in CAUSES])
    queues = _listen_queues(arbiter) if arbiter else None
    if queues is not None:
        metric("gunicorn_listen_queue", "gauge", "Connections waiting in the listen backlog for a worker to accept them.",
               [("", queues[0])])
        metric("gunicorn_listen_queue_max", "gauge", "Room in the listen backlog: Gunicorn's backlog, capped by net.core.somaxconn.",
               [("", queues[1])])
    return "\n".join(out) + "\n"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        try:
            body = render().encode()
        except Exception as e:  # never let a scrape take the master down
            self.send_error(500, str(e))
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass  # scrapes stay out of the access log
