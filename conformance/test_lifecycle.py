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


def test_gthread_request_longer_than_timeout_completes(serve):
    # A gthread worker's main loop tells the master it is alive while a thread serves, so
    # `timeout` does not bound requests: a 60 s upstream call with timeout 30 (the default)
    # completes, on the same worker, and the master never logs a timeout. The one long test
    # of the suite; a client timeout bounds it.
    server = serve("io-slow")
    timeout = server.config["timeout"]
    assert server.config["worker_class"] == "gthread" and timeout == 30
    server.wait_healthy()
    (worker,) = server.wait_workers(1)
    seconds = 2 * timeout

    slow, served_by = _start_slow_request(server, seconds)
    assert served_by == worker
    # Meanwhile the same process keeps answering on its other threads.
    assert server.get("/health").status_code == 200
    response = slow.result(timeout=seconds + 60)
    assert response.status_code == 200 and response.text == f"slow done s={seconds}\n"
    assert server.worker_pids() == {worker}
    assert "WORKER TIMEOUT" not in server.log()


def test_gevent_request_that_never_yields_fails_and_its_worker_is_replaced(serve):
    # A gevent worker heartbeats from its event loop: a request that computes without yielding
    # silences it. The master logs the timeout and signals the worker; the worker handles the
    # signal when the loop runs again (gevent delivers signals on the loop), so the request
    # fails and the worker is replaced once the computation gives the loop back.
    server = serve("gevent-blocked")
    timeout = server.config["timeout"]
    assert server.config["worker_class"] == "gevent" and timeout == 2
    server.wait_healthy()
    (victim,) = server.wait_workers(1)
    cpu_seconds = 3 * timeout

    pool = ThreadPoolExecutor(1)
    started = time.monotonic()
    busy = pool.submit(server.get, f"/cpu?ms={cpu_seconds * 1000}", 120)  # CPU time, never yields
    pool.shutdown(wait=False)

    server.wait_log(rf"WORKER TIMEOUT \(pid:{victim}\)", timeout=cpu_seconds * 10)
    assert time.monotonic() - started >= timeout - 1

    def replaced():
        pids = server.worker_pids()
        return victim not in pids and len(pids) == 1 and pids

    # The computation takes cpu_seconds of CPU, longer on a loaded machine.
    wait_until(replaced, cpu_seconds * 10, f"gevent worker {victim} to be replaced\n{server.describe()}")
    try:
        assert busy.result(timeout=SLACK_SECONDS).status_code != 200, "the timed-out request must not succeed"
    except httpx.TransportError:
        pass
    server.wait_healthy()
