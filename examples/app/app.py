"""Example WSGI application for the AppServer operator.

Gunicorn loads it as ``app:app``. Each route exercises one aspect of running
under Gunicorn: cheap probes, CPU-bound work, I/O wait, requests that outlive
the worker timeout, and worker recycling.
"""

import os
import socket
import sys
import time

from flask import Flask, abort, request

app = Flask(__name__)

# Upper bounds keep a stray query string from tying a worker up for hours.
MAX_MS = 10_000
MAX_SLOW_SECONDS = 600


def _bounded(name, default, upper):
    """Return query parameter ``name`` as a float in [0, upper], or answer 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        abort(400, f"{name} must be a number")
    if not 0 <= value <= upper:
        abort(400, f"{name} must be between 0 and {upper}")
    return value


@app.get("/")
def hello():
    return "Hello from AppServer\n"


@app.get("/health")
def health():
    # Probes hit this path: no I/O, no locks, no work.
    return "ok\n"


@app.get("/cpu")
def cpu():
    """Burn ``ms`` milliseconds (default 5) of this thread's CPU time in pure Python.

    The budget is CPU time rather than wall time, so every request does the same
    amount of work however busy the machine is; under contention it takes longer.
    """
    budget = _bounded("ms", 5.0, MAX_MS) / 1000.0
    deadline = time.thread_time() + budget
    rounds = 0
    acc = 0
    while time.thread_time() < deadline:
        for i in range(500):
            acc = (acc * 31 + i) % 1_000_003
        rounds += 1
    return f"cpu rounds={rounds} acc={acc}\n"


@app.get("/io")
def io():
    """Wait ``ms`` milliseconds (default 50) without using CPU, like a call to a database."""
    time.sleep(_bounded("ms", 50.0, MAX_MS) / 1000.0)
    return "io done\n"


@app.get("/slow")
def slow():
    """Sleep ``s`` seconds (default 1): outlives Gunicorn's timeout or a graceful shutdown."""
    seconds = _bounded("s", 1.0, MAX_SLOW_SECONDS)
    # Announce the start on stderr (Gunicorn's error log) so that tests and
    # operators can see a request is in flight before it finishes.
    print(f"slow request started pid={os.getpid()} s={seconds:g}", file=sys.stderr, flush=True)
    time.sleep(seconds)
    return f"slow done s={seconds:g}\n"


@app.get("/whoami")
def whoami():
    """The host (in Kubernetes, the pod) and worker PID that served this request."""
    return f"{socket.gethostname()} {os.getpid()}\n"


@app.get("/pid")
def pid():
    """The PID of the worker that served this request: shows workers being recycled."""
    return f"{os.getpid()}\n"


if __name__ == "__main__":
    # Flask's development server, for local work and as a benchmark baseline only.
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
