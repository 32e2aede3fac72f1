"""The AppServers the suite renders, all in one render run.

Sizing follows the operator's documented rule: ``floor(2 x CPU limit cores) + 1`` workers,
at most ``workers.max`` (8 by default) and at most ``memory limit / memoryPerWorker``;
``workers.count`` overrides it. The CPU-only cases get a roomy memory limit (2Gi) so that
no memory cap can be what decides their count.
"""

IMAGE = "example/app:1"


def appserver(name, app="app:app", **spec):
    return {
        "apiVersion": "appserver.dev/v1alpha1",
        "kind": "AppServer",
        "metadata": {"name": name},
        "spec": {"image": IMAGE, "app": app, **spec},
    }


def limits(cpu, memory="2Gi"):
    return {"limits": {"cpu": cpu, "memory": memory}}


# name -> (AppServer, workers the sizing rule gives)
SIZING = {
    "size-cpu-250m": (appserver("size-cpu-250m", resources=limits("250m")), 1),
    "size-cpu-500m": (appserver("size-cpu-500m", resources=limits("500m")), 2),
    "size-cpu-750m": (appserver("size-cpu-750m", resources=limits("750m")), 2),
    "size-cpu-1": (appserver("size-cpu-1", resources=limits("1")), 3),
    "size-cpu-1500m": (appserver("size-cpu-1500m", resources=limits("1500m")), 4),
    "size-cpu-2": (appserver("size-cpu-2", resources=limits("2")), 5),
    "size-cpu-4-capped": (appserver("size-cpu-4-capped", resources=limits("4")), 8),
    "size-max-3": (appserver("size-max-3", resources=limits("4"), workers={"max": 3}), 3),
    "size-memory-cap": (
        appserver("size-memory-cap", resources=limits("2", "512Mi"), workers={"memoryPerWorker": "192Mi"}),
        2,
    ),
    "size-count-4": (appserver("size-count-4", resources=limits("500m"), workers={"count": 4}), 4),
}

# The contract's own example: the default everything else is measured against.
WEB = appserver("web", resources={"limits": {"cpu": "500m", "memory": "512Mi"}})

TIMEOUT = appserver(
    "life-timeout",
    port=8080,
    resources=limits("500m"),
    workers={"count": 2},
    gunicorn={"timeoutSeconds": 4, "gracefulTimeoutSeconds": 5},
)
GRACEFUL = appserver(
    "life-graceful",
    resources=limits("500m"),
    workers={"count": 2},
    gunicorn={"timeoutSeconds": 30, "gracefulTimeoutSeconds": 6},
)
RECYCLE = appserver(
    "life-recycle",
    resources=limits("500m"),
    workers={"count": 2},
    gunicorn={"maxRequests": 10, "maxRequestsJitter": 3},
)
TUNED = appserver(
    "tuned",
    resources=limits("1"),
    gunicorn={
        "timeoutSeconds": 45,
        "gracefulTimeoutSeconds": 20,
        "keepAliveSeconds": 90,
        "maxRequests": 500,
        "maxRequestsJitter": 50,
        "preload": True,
    },
)
# Gunicorn's worker_class for each AppServer workerClass.
WORKER_CLASSES = {
    "wc-sync": (appserver("wc-sync", resources=limits("500m"), workers={"workerClass": "sync"}), "sync"),
    "wc-gthread": (
        appserver("wc-gthread", resources=limits("500m"), workers={"workerClass": "gthread", "threads": 4, "count": 1}),
        "gthread",
    ),
    "wc-gevent": (
        appserver("wc-gevent", resources=limits("500m"), workers={"workerClass": "gevent", "count": 1}),
        "gevent",
    ),
    "wc-uvicorn": (
        appserver("wc-uvicorn", app="asgi:app", resources=limits("500m"), workers={"workerClass": "uvicorn", "count": 1}),
        "uvicorn_worker.UvicornWorker",
    ),
}

# Profile io and the classes it runs: name -> (AppServer, settings Gunicorn must be given).
# Each case says what the operator's sizing rule gives for it (see docs/sizing.md).
PROFILES = {
    # 1 core: floor(2 x 1) + 1 = 3 processes, 64 threads each (the io default).
    "io-default": (
        appserver("io-default", resources=limits("1"), workers={"profile": "io"}),
        {"worker_class": "gthread", "workers": 3, "threads": 64, "worker_connections": 1000},
    ),
    # 500m: 2 processes; concurrency 10 spread over them = 5 threads each.
    "io-concurrency": (
        appserver("io-concurrency", resources=limits("500m"), workers={"profile": "io", "concurrency": 10}),
        {"worker_class": "gthread", "workers": 2, "threads": 5, "worker_connections": 1000},
    ),
    # gevent keeps its class; concurrency 50 over 2 processes = 25 connections each.
    "io-gevent": (
        appserver("io-gevent", resources=limits("500m"), workers={"profile": "io", "workerClass": "gevent", "concurrency": 50}),
        {"worker_class": "gevent", "workers": 2, "threads": 1, "worker_connections": 25},
    ),
    "io-uvicorn": (
        appserver("io-uvicorn", app="asgi:app", resources=limits("500m"), workers={"profile": "io", "workerClass": "uvicorn"}),
        {"worker_class": "uvicorn_worker.UvicornWorker", "workers": 2, "threads": 1},
    ),
}

# One gthread process with the default timeout (30 s): a request may outlast it.
IO_SLOW = appserver("io-slow", resources=limits("500m"), workers={"profile": "io", "count": 1, "concurrency": 4})
# One gevent process with a short timeout: a request that never yields silences its loop.
GEVENT_BLOCKED = appserver(
    "gevent-blocked",
    resources=limits("500m"),
    workers={"profile": "io", "workerClass": "gevent", "count": 1},
    gunicorn={"timeoutSeconds": 2},
)

ALL = [WEB, TIMEOUT, GRACEFUL, RECYCLE, TUNED, IO_SLOW, GEVENT_BLOCKED]
ALL += [a for a, _ in PROFILES.values()]
ALL += [a for a, _ in SIZING.values()]
ALL += [a for a, _ in WORKER_CLASSES.values()]
NAMES = [a["metadata"]["name"] for a in ALL]

# Rejected by a correct operator: eventlet was removed from Gunicorn in 26.0.
INVALID_WORKER_CLASS = appserver("bad-worker-class", resources=limits("500m"), workers={"workerClass": "eventlet"})
