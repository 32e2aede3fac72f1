"""Worker counts and worker classes, as Gunicorn actually runs them."""

import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import cases
from gunicorn_server import wait_until

SIZED = list(cases.SIZING)


@pytest.mark.parametrize("name", SIZED)
def test_rendered_workers_follow_the_sizing_rule(workload, name):
    _, expected = cases.SIZING[name]
    assert workload(name).config.get("workers") == expected, workload(name).spec


@pytest.mark.parametrize("name", ["web", *SIZED])
def test_gunicorn_runs_exactly_the_configured_number_of_workers(serve, name):
    server = serve(name)
    configured = server.config["workers"]
    server.wait_healthy()
    pids = server.wait_workers(configured)

    def booted():
        return {int(p) for p in re.findall(r"Booting worker with pid: (\d+)", server.log())}

    # A forked worker logs its boot a moment after it appears; then none may have come and gone.
    wait_until(lambda: pids <= booted(), 30, "every worker to log its boot")
    assert booted() == pids, server.describe()


@pytest.mark.parametrize("name", list(cases.WORKER_CLASSES))
def test_worker_class_is_rendered_for_gunicorn(workload, name):
    appserver, worker_class = cases.WORKER_CLASSES[name]
    config = workload(name).config
    assert config.get("worker_class") == worker_class
    threads = appserver["spec"]["workers"].get("threads")
    if threads:
        assert config.get("threads") == threads


@pytest.mark.parametrize("name", list(cases.WORKER_CLASSES))
def test_worker_class_boots_and_serves(serve, name):
    server = serve(name)
    server.wait_healthy()
    server.wait_workers(server.config["workers"])
    assert f"Using worker: {server.config['worker_class']}" in server.log()
    assert server.get("/").status_code == 200
    assert int(server.get("/pid").text) in server.worker_pids()


@pytest.mark.parametrize("name", ["wc-gthread", "wc-gevent", "wc-uvicorn"])
def test_concurrent_worker_class_overlaps_io_waits_in_one_worker(serve, name):
    server = serve(name)
    server.wait_healthy()
    assert server.wait_workers(1)
    requests, wait_ms = 8, 1000
    serial_seconds = requests * wait_ms / 1000
    start = time.monotonic()
    with ThreadPoolExecutor(requests) as pool:
        codes = list(pool.map(lambda _: server.get(f"/io?ms={wait_ms}", timeout=30).status_code, range(requests)))
    elapsed = time.monotonic() - start
    assert codes == [200] * requests
    # One sync worker would need serial_seconds; any real overlap lands far below.
    assert elapsed < 0.6 * serial_seconds, f"{requests} x {wait_ms} ms took {elapsed:.1f}s in one worker"
