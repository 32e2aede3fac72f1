"""Probes, worker timeouts, graceful shutdown and worker recycling under the rendered config."""

import signal
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from gunicorn_server import wait_until

# Slack on top of a Gunicorn deadline for a loaded 2-core machine: the master checks its
# workers about once a second, and process exit and reaping take a moment more.
SLACK_SECONDS = 10.0


def _start_slow_request(server, seconds):
    """Send /slow?s=seconds from a thread; return (future, pid of the worker serving it)."""
    pool = ThreadPoolExecutor(1)
    future = pool.submit(server.get, f"/slow?s={seconds:g}", seconds + 60)
    pool.shutdown(wait=False)
    match = server.wait_log(rf"slow request started pid=(\d+) s={seconds:g}\b", timeout=30)
    return future, int(match.group(1))


def test_health_answers_within_the_probe_timeouts(serve, workload):
    container = workload("web").container
    server = serve("web")
    booted_after = server.wait_healthy()
    startup = container.get("startupProbe")
    if startup:
        budget = startup.get("initialDelaySeconds", 0) + startup.get("periodSeconds", 10) * startup.get(
            "failureThreshold", 3
        )
        assert booted_after < budget, f"first 200 after {booted_after:.1f}s; the startup probe gives up after {budget}s"
    timeout = container["readinessProbe"].get("timeoutSeconds", 1)
    for _ in range(5):
        start = time.monotonic()
        response = server.get("/health", timeout=timeout)
        elapsed = time.monotonic() - start
        assert response.status_code == 200 and elapsed < timeout, f"{response.status_code} after {elapsed:.3f}s"


def test_request_longer_than_timeout_gets_its_worker_replaced(serve):
    server = serve("life-timeout")
    timeout = server.config["timeout"]
    server.wait_healthy()
    workers = server.wait_workers(server.config["workers"])
    assert len(workers) >= 2, "needs a second worker to keep answering"

    started = time.monotonic()
    slow, victim = _start_slow_request(server, seconds=timeout * 4)
    assert victim in workers

    def replaced():
        # Meanwhile the other worker keeps serving.
        assert server.get("/health").status_code == 200
        pids = server.worker_pids()
        return victim not in pids and len(pids) == len(workers) and pids

    after = wait_until(replaced, timeout + SLACK_SECONDS + 20, f"worker {victim} to be killed and replaced")
    killed_after = time.monotonic() - started
    assert killed_after >= timeout - 1, f"worker killed after {killed_after:.1f}s, before timeout={timeout}"
    assert f"WORKER TIMEOUT (pid:{victim})" in server.log()
    assert len(after - workers) == 1
    try:
        response = slow.result(timeout=SLACK_SECONDS)
        assert response.status_code != 200, "the timed-out request must not complete"
    except httpx.TransportError:
        pass  # the connection died with the worker: what a client sees
    assert server.get("/health").status_code == 200


def test_sigterm_lets_the_in_flight_request_finish(serve):
    server = serve("life-graceful")
    graceful = server.config["graceful_timeout"]
    server.wait_healthy()
    server.wait_workers(server.config["workers"])
    seconds = min(5, max(1, graceful // 3))
    slow, _ = _start_slow_request(server, seconds)

    signalled = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    response = slow.result(timeout=graceful + SLACK_SECONDS)
    assert response.status_code == 200 and response.text == f"slow done s={seconds}\n"
    code = server.wait_exit(graceful + SLACK_SECONDS)
    exited_after = time.monotonic() - signalled
    assert code == 0, server.describe()
    assert exited_after < graceful + SLACK_SECONDS


def test_sigterm_stops_within_graceful_timeout_despite_a_longer_request(serve):
    server = serve("life-graceful")
    graceful = server.config["graceful_timeout"]
    server.wait_healthy()
    server.wait_workers(server.config["workers"])
    slow, _ = _start_slow_request(server, seconds=graceful * 3)

    signalled = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    server.wait_exit(graceful + SLACK_SECONDS)
    exited_after = time.monotonic() - signalled
    assert graceful - 1 <= exited_after < graceful + SLACK_SECONDS, f"master exited after {exited_after:.1f}s"
    try:
        assert slow.result(timeout=SLACK_SECONDS).status_code != 200
    except httpx.TransportError:
        pass


def test_max_requests_recycles_workers(serve):
    server = serve("life-recycle")
    limit, jitter = server.config["max_requests"], server.config.get("max_requests_jitter", 0)
    assert limit > 0, "max_requests must be rendered for this AppServer"
    server.wait_healthy()
    first_generation = server.wait_workers(server.config["workers"])

    served = Counter()
    deadline = time.monotonic() + 120
    budget = 20 * (limit + jitter) * len(first_generation)

    def retired_later_worker():
        # A worker born during this test served only our /pid requests, so its count is exact.
        return [p for p in served if p not in first_generation and p not in server.worker_pids()]

    while not retired_later_worker():
        assert sum(served.values()) < budget and time.monotonic() < deadline, (
            f"no recycled second-generation worker after {sum(served.values())} requests: {dict(served)}\n"
            + server.describe()
        )
        response = server.get("/pid")
        assert response.status_code == 200
        served[int(response.text)] += 1

    assert len(served) > len(first_generation)
    assert max(served.values()) <= limit + jitter, dict(served)
    for pid in retired_later_worker():
        assert limit <= served[pid] <= limit + jitter, f"worker {pid} retired after {served[pid]} requests"
