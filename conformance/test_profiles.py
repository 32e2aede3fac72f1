"""Workload profiles: what profile io renders for each worker class, and how Gunicorn runs it."""

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

import cases

PROFILES = list(cases.PROFILES)


@pytest.mark.parametrize("name", PROFILES)
def test_profile_renders_its_class_and_concurrency(workload, name):
    _, expected = cases.PROFILES[name]
    config = workload(name).config
    assert {k: config.get(k) for k in expected} == expected


@pytest.mark.parametrize("name", PROFILES)
def test_profile_boots_its_class_with_its_process_count(serve, name):
    server = serve(name)
    server.wait_healthy()
    pids = server.wait_workers(server.config["workers"])
    assert f"Using worker: {server.config['worker_class']}" in server.log()
    assert int(server.get("/pid").text) in pids


@pytest.mark.parametrize("name", ["web", *PROFILES])
def test_web_concurrency_is_the_process_count(serve, name):
    server = serve(name)
    server.wait_healthy()
    pids = server.wait_workers(server.config["workers"])
    for pid in pids:
        assert psutil.Process(pid).environ().get("WEB_CONCURRENCY") == str(server.config["workers"])


def _waits(server, requests, ms):
    """Send ``requests`` concurrent /io?ms=ms on separate connections; return (codes, seconds)."""
    start = time.monotonic()
    with ThreadPoolExecutor(requests) as pool:
        codes = list(pool.map(lambda _: server.get(f"/io?ms={ms}", timeout=60).status_code, range(requests)))
    return codes, time.monotonic() - start


def test_io_concurrency_is_what_the_pod_runs_at_once(serve):
    # 2 processes x 5 threads = 10 in flight: 10 one-second waits overlap (two sync workers
    # would need 5 s), and 20 need at least two rounds, because no eleventh runs alongside.
    server = serve("io-concurrency")
    server.wait_healthy()
    server.wait_workers(2)
    in_flight = server.config["workers"] * server.config["threads"]
    assert in_flight == 10

    codes, elapsed = _waits(server, in_flight, 1000)
    assert codes == [200] * in_flight
    assert elapsed < 0.7 * (in_flight / 2), f"{in_flight} x 1 s took {elapsed:.1f}s on 2 processes"

    codes, elapsed = _waits(server, 2 * in_flight, 1000)
    assert codes == [200] * (2 * in_flight)
    assert elapsed >= 1.9, f"{2 * in_flight} x 1 s finished in {elapsed:.1f}s: more than {in_flight} ran at once"


def _read_response(sock) -> bytes:
    """One whole HTTP response (headers and a Content-Length body), or what came before EOF."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _two_requests_on_one_connection(port):
    """Send two requests, one after the other, on one TCP connection; return both raw answers."""
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    answers = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for _ in range(2):
            try:
                sock.sendall(request)
                answers.append(_read_response(sock))
            except OSError:
                answers.append(b"")
    return answers


def test_gthread_keeps_connections_alive_and_sync_closes_them(serve):
    io = serve("io-default")
    io.wait_healthy()
    first, second = _two_requests_on_one_connection(io.port)
    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200"), (first, second)
    assert b"connection: close" not in first.lower()

    sync = serve("web")
    sync.wait_healthy()
    first, second = _two_requests_on_one_connection(sync.port)
    assert first.startswith(b"HTTP/1.1 200") and b"connection: close" in first.lower()
    assert not second.startswith(b"HTTP/1.1 200"), "a sync worker answered twice on one connection"
