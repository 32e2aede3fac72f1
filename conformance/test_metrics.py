"""appserver_metrics.py, the operator's in-process Gunicorn metrics, on real Gunicorn 27.

Each test runs Gunicorn with a configuration that installs the module exactly as the
operator's rendered gunicorn.conf.py does, puts a known load on it, and reads /metrics:
N slow requests in flight show as N busy, answers are counted by status class and survive
worker recycling, restarts are counted by cause, and the listen backlog shows connections
that no worker has accepted yet. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from appserver_render import ROOT
from gunicorn_server import APP_DIR, VENV_BIN, free_port, wait_until

MODULE = ROOT / "operator" / "src" / "main" / "resources" / "dev" / "appserver" / "operator" / "model" / "appserver_metrics.py"
BOOT_SECONDS = 60.0


class MetricsServer:
    """Gunicorn with appserver_metrics installed, on free loopback ports."""

    def __init__(self, tmp: Path, worker_class: str, workers: int, capacity: int, app: str = "app:app", **settings):
        self.port, self.metrics_port = free_port(), free_port()
        conf_dir = tmp / "etc-gunicorn"
        conf_dir.mkdir()
        shutil.copy(MODULE, conf_dir / "appserver_metrics.py")
        lines = [
            f'bind = "127.0.0.1:{self.port}"',
            f"workers = {workers}",
            f'worker_class = "{worker_class}"',
            f'worker_tmp_dir = "{"/dev/shm" if Path("/dev/shm").is_dir() else tmp}"',
            f'control_socket = "{tmp / "gunicorn.ctl"}"',
            'errorlog = "-"',
        ]
        lines += [f"{k} = {v!r}" for k, v in settings.items()]
        # As the rendered file does it: the module sits next to the configuration.
        lines += [
            "import os as _os, sys as _sys",
            "_sys.path.insert(0, _os.path.dirname(__file__))",
            "import appserver_metrics as _appserver_metrics",
            f'_appserver_metrics.install(globals(), port={self.metrics_port}, capacity_per_worker={capacity}, address="127.0.0.1")',
        ]
        (conf_dir / "gunicorn.conf.py").write_text("\n".join(lines) + "\n")
        self.log = tmp / "gunicorn.log"
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", str(conf_dir / "gunicorn.conf.py"), app],
            cwd=APP_DIR, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        wait_until(lambda: self._ok("/health") and self.scrape().get('gunicorn_workers{state="alive"}') == workers,
                   BOOT_SECONDS, f"gunicorn, its metrics and {workers} workers")

    def _ok(self, path):
        try:
            return httpx.get(self.url(path), timeout=5, trust_env=False).status_code == 200
        except httpx.HTTPError:
            return False

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path, timeout=60.0):
        return httpx.get(self.url(path), timeout=timeout, trust_env=False)

    def scrape(self) -> dict[str, float]:
        try:
            r = httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5, trust_env=False)
        except httpx.HTTPError:
            return {}
        if r.status_code != 200:
            return {}
        samples = {}
        for line in r.text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                samples[name] = float(value)
        return samples

    def metric(self, name):
        return self.scrape().get(name)

    def logs(self):
        return self.log.read_text()

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def metrics_server(tmp_path):
    servers = []

    def start(*args, **kwargs):
        d = tmp_path / f"s{len(servers)}"
        d.mkdir()
        s = MetricsServer(d, *args, **kwargs)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.close()


def in_background(server, path, n):
    pool = ThreadPoolExecutor(n)
    futures = [pool.submit(server.get, path, 120) for _ in range(n)]
    pool.shutdown(wait=False)
    return futures


# (worker class, workers, capacity per worker, app, slow path, settings)
CLASSES = [
    ("sync", 3, 1, "app:app", "/slow?s=4", {}),
    ("gthread", 2, 4, "app:app", "/slow?s=4", {"threads": 4}),
    ("gevent", 2, 100, "app:app", "/slow?s=4", {"worker_connections": 100}),
    ("uvicorn_worker.UvicornWorker", 2, 100, "asgi:app", "/io?ms=4000", {}),
]


@pytest.mark.parametrize("worker_class,workers,capacity,app,slow,settings", CLASSES, ids=[c[0] for c in CLASSES])
def test_requests_in_flight_count_the_busy_workers_and_threads(metrics_server, worker_class, workers, capacity, app,
                                                               slow, settings):
    server = metrics_server(worker_class, workers, capacity, app=app, **settings)
    assert server.metric('gunicorn_workers{state="alive"}') == workers
    assert server.metric("gunicorn_capacity") == workers * capacity
    assert server.metric("gunicorn_requests_in_flight") == 0
    n = min(workers * capacity, 3)
    futures = in_background(server, slow, n)
    busy = wait_until(lambda: server.metric("gunicorn_requests_in_flight") == n and n, 30,
                      f"{n} requests in flight ({server.scrape().get('gunicorn_requests_in_flight')})")
    assert server.metric("gunicorn_busy_ratio") == pytest.approx(busy / (workers * capacity))
    assert all(f.result().status_code == 200 for f in futures)
    wait_until(lambda: server.metric("gunicorn_requests_in_flight") == 0, 10, "nothing in flight")
    m = server.scrape()
    assert m['gunicorn_requests_total{code="2xx"}'] >= n
    # A /health on top of the slow ones: all of them in the histogram, the slow ones above 2.5 s.
    assert m["gunicorn_request_duration_seconds_count"] == m['gunicorn_requests_total{code="2xx"}']
    assert m['gunicorn_request_duration_seconds_bucket{le="+Inf"}'] == m["gunicorn_request_duration_seconds_count"]
    assert m["gunicorn_request_duration_seconds_count"] - m['gunicorn_request_duration_seconds_bucket{le="2.5"}'] == n
    assert m["gunicorn_request_duration_seconds_sum"] >= 4 * n * 0.9
    assert m["gunicorn_worker_cpu_seconds_total"] > 0


def test_answers_are_counted_by_status_class_and_survive_worker_recycling(metrics_server):
    server = metrics_server("sync", 2, 1, max_requests=20, max_requests_jitter=0)
    for _ in range(100):
        assert server.get("/").status_code == 200
    for _ in range(7):
        assert server.get("/no-such-page").status_code == 404
    m = wait_until(lambda: (m := server.scrape()) and m['gunicorn_worker_restarts_total{cause="max_requests"}'] >= 4 and m,
                   30, "workers recycled after 20 requests each")
    # Every answer is still counted although the workers that gave them have exited.
    assert m['gunicorn_requests_total{code="2xx"}'] >= 100
    assert m['gunicorn_requests_total{code="4xx"}'] == 7
    assert m['gunicorn_workers{state="alive"}'] == 2
    assert m['gunicorn_worker_restarts_total{cause="timeout"}'] == 0
    # Slots are reused, not leaked: after many more generations of workers the figures hold.
    for _ in range(200):
        server.get("/")
    m = wait_until(lambda: (m := server.scrape()) and m['gunicorn_workers{state="alive"}'] == 2 and m, 30,
                   "two workers alive")
    assert m['gunicorn_worker_restarts_total{cause="max_requests"}'] >= 14
    assert m['gunicorn_requests_total{code="2xx"}'] >= 300


def test_a_worker_killed_for_timeout_is_counted_as_such(metrics_server):
    server = metrics_server("sync", 1, 1, timeout=2, graceful_timeout=2)
    future = in_background(server, "/slow?s=30", 1)[0]
    wait_until(lambda: server.metric('gunicorn_worker_restarts_total{cause="timeout"}') == 1, 40,
               "the hung worker killed and counted")
    assert "WORKER TIMEOUT" in server.logs()
    assert future.exception() is not None or future.result().status_code != 200
    wait_until(lambda: server.metric('gunicorn_workers{state="alive"}') == 1, 20, "a new worker")
    assert server.metric("gunicorn_requests_in_flight") == 0


def test_connections_no_worker_has_accepted_show_in_the_listen_queue(metrics_server):
    server = metrics_server("sync", 1, 1, timeout=60)
    future = in_background(server, "/slow?s=6", 1)[0]
    wait_until(lambda: server.metric("gunicorn_requests_in_flight") == 1, 20, "the only worker busy")
    waiting = []
    try:
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            waiting.append(s)
        queued = wait_until(lambda: (q := server.metric("gunicorn_listen_queue")) and q >= 5 and q, 10,
                            "5 connections in the accept queue")
        assert queued >= 5
        assert server.metric("gunicorn_listen_queue_max") >= 5
    finally:
        for s in waiting:
            s.close()
    assert future.result().status_code == 200


def test_metrics_port_serves_only_metrics(metrics_server):
    server = metrics_server("sync", 1, 1)
    r = httpx.get(f"http://127.0.0.1:{server.metrics_port}/other", timeout=5, trust_env=False)
    assert r.status_code == 404
    text = httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5, trust_env=False).text
    assert re.search(r"^# TYPE gunicorn_request_duration_seconds histogram$", text, re.M)
    # Scrapes are not requests of the application.
    before = server.metric('gunicorn_requests_total{code="2xx"}')
    for _ in range(5):
        server.scrape()
    assert server.metric('gunicorn_requests_total{code="2xx"}') == before


# The operator's own rendered AppServers, one per worker class: what a pod runs.
RENDERED = [("wc-sync", "/slow?s=4"), ("wc-gthread", "/slow?s=4"), ("wc-gevent", "/slow?s=4"), ("wc-uvicorn", "/io?ms=4000")]


@pytest.mark.parametrize("name,slow", RENDERED, ids=[r[0] for r in RENDERED])
def test_rendered_pods_serve_metrics_on_their_metrics_port(serve, workload, name, slow):
    w = workload(name)
    assert w.container_port("metrics") == 9464
    assert w.configmap["data"]["appserver_metrics.py"] == MODULE.read_text()
    server = serve(name)
    server.wait_healthy()
    assert server.metrics_port

    def scrape():
        r = httpx.get(f"http://127.0.0.1:{server.metrics_port}/metrics", timeout=5, trust_env=False)
        return {l.rsplit(" ", 1)[0]: float(l.rsplit(" ", 1)[1]) for l in r.text.splitlines() if l and not l.startswith("#")}

    workers = w.config["workers"]
    m = wait_until(lambda: (m := scrape()) and m['gunicorn_workers{state="alive"}'] == workers and m, 30, "workers up")
    capacity = m["gunicorn_capacity"]
    assert capacity == workers * m["gunicorn_worker_capacity"]
    futures = in_background(server, slow, 2 if capacity >= 2 else 1)
    n = len(futures)
    wait_until(lambda: scrape()["gunicorn_requests_in_flight"] == n, 30, f"{n} in flight")
    assert scrape()["gunicorn_busy_ratio"] == pytest.approx(n / capacity)
    assert all(f.result().status_code == 200 for f in futures)
