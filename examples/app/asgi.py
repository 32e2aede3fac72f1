"""Example ASGI application for the AppServer operator's ``uvicorn`` worker class.

A plain ASGI 3 callable with no framework: Gunicorn loads it as ``asgi:app`` and
runs it with ``worker_class = "uvicorn_worker.UvicornWorker"``. It offers the
same cheap routes as the WSGI example (``/``, ``/health``, ``/io``, ``/pid``).
"""

import asyncio
import os
from urllib.parse import parse_qs

MAX_MS = 10_000


async def _send_text(send, status, body):
    data = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _query_ms(scope, default):
    values = parse_qs(scope.get("query_string", b"").decode()).get("ms")
    if not values:
        return default
    value = float(values[0])  # ValueError is turned into a 400 by the caller
    if not 0 <= value <= MAX_MS:
        raise ValueError(value)
    return value


async def _lifespan(receive, send):
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["type"] != "http":
        # No websockets here; refusing the scope closes the connection.
        raise NotImplementedError(f"unsupported scope {scope['type']!r}")

    path = scope["path"]
    if scope["method"] not in ("GET", "HEAD"):
        await _send_text(send, 405, "method not allowed\n")
    elif path == "/":
        await _send_text(send, 200, "Hello from AppServer (ASGI)\n")
    elif path == "/health":
        await _send_text(send, 200, "ok\n")
    elif path == "/io":
        try:
            ms = _query_ms(scope, 50.0)
        except ValueError:
            await _send_text(send, 400, f"ms must be a number between 0 and {MAX_MS}\n")
            return
        await asyncio.sleep(ms / 1000.0)
        await _send_text(send, 200, "io done\n")
    elif path == "/pid":
        await _send_text(send, 200, f"{os.getpid()}\n")
    else:
        await _send_text(send, 404, "not found\n")
