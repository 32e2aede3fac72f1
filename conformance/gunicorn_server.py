"""Run real Gunicorn, on this host, the way a rendered Deployment would run it in a pod.

Only container paths and the listen address change: every volume mount of the ``app``
container becomes a scratch directory (the ConfigMap's files written into its one), except
``/dev/shm``, which stays when the host has it; strings in the config, the command line and
the environment that point into a mount are rewritten to match, and ``bind`` becomes
``127.0.0.1:<free port>``. The rewritten settings are appended to the rendered
``gunicorn.conf.py``, so the operator's file is run as printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from appserver_render import CONFIG_KEY, ROOT, Workload

APP_DIR = ROOT / "examples" / "app"
VENV_BIN = Path(sys.executable).parent
# Deadlines are generous because the suite must pass on a loaded 2-core machine; every
# wait below polls a condition and returns as soon as it holds.
BOOT_SECONDS = 60.0
POLL_SECONDS = 0.05
BIND_FLAGS = ("-b", "--bind")


def wait_until(condition, timeout: float, what: str, interval: float = POLL_SECONDS):
    """Poll ``condition()`` until it returns something truthy, and return that; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str, timeout: float) -> httpx.Response:
    # trust_env=False: never route loopback tests through a proxy from the environment.
    return httpx.get(url, timeout=timeout, trust_env=False)


class GunicornServer:
    """One Gunicorn master started from a rendered Workload. Use as a context manager."""

    def __init__(self, workload: Workload, extra_args: tuple[str, ...] = ()):
        self.workload = workload
        self.config = workload.config
        self.port = free_port()
        self.scratch = Path(tempfile.mkdtemp(prefix="gc-"))  # short: Unix socket paths max 107 bytes
        try:
            self._mount_map = self._prepare_mounts()
            self._write_config()
            self.argv = self._host_argv(extra_args)
            self.env = self._host_env()
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        self.log_path = self.scratch / "gunicorn.log"
        self.proc: subprocess.Popen | None = None
        self.started_at = 0.0

    # ---- mapping the pod onto this host -------------------------------------------------

    def _prepare_mounts(self) -> dict[str, str]:
        mapping = {}
        for i, mount in enumerate(self.workload.mounts()):
            if mount.path == "/dev/shm" and os.path.isdir("/dev/shm"):
                mapping[mount.path] = mount.path
                continue
            host = self.scratch / f"mnt{i}"
            host.mkdir()
            configmap = mount.volume.get("configMap")
            if configmap:
                data = self._configmap_data(configmap["name"])
                items = configmap.get("items") or [{"key": k, "path": k} for k in data]
                for item in items:
                    target = host / item["path"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(data[item["key"]])
            mapping[mount.path] = str(host)
        return mapping

    def _configmap_data(self, name: str) -> dict:
        if name != self.workload.configmap["metadata"]["name"]:
            raise AssertionError(f"container mounts ConfigMap {name!r}, not the rendered {self.workload.name}-gunicorn")
        return self.workload.configmap.get("data") or {}

    def host_path(self, container_path: str) -> str:
        """Map a path inside the container to this host; paths outside every mount are unchanged."""
        mount = self.workload.mount_for(container_path)
        if mount is None:
            return container_path
        rest = os.path.relpath(container_path, mount.path)
        return os.path.normpath(os.path.join(self._mount_map[mount.path], rest))

    def _remap(self, value):
        if isinstance(value, str) and value.startswith("/"):
            return self.host_path(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self._remap(v) for v in value)
        return value

    def _write_config(self):
        overrides = {"bind": f"127.0.0.1:{self.port}"}
        for key, value in self.config.items():
            if key != "bind" and not callable(value) and self._remap(value) != value:
                overrides[key] = self._remap(value)
        lines = "".join(f"{k} = {v!r}\n" for k, v in overrides.items())
        self.metrics_port = None
        if "_appserver_metrics.install(" in self.workload.config_text:
            # The metrics port, like the bind address, moves to a free loopback port.
            self.metrics_port = free_port()
            lines += (f"_appserver_metrics.install(globals(), port={self.metrics_port}, "
                      f"capacity_per_worker=_appserver_metrics._state.capacity, address='127.0.0.1')\n")
        text = self.workload.config_text.rstrip("\n") + (
            "\n\n# --- conformance harness: container paths, the bind address and the metrics port mapped to this host ---\n"
            + lines
        )
        self.config_path = self._config_file_in_argv()
        Path(self.config_path).write_text(text)

    def _config_file_in_argv(self) -> str:
        argv = self.workload.argv
        for i, arg in enumerate(argv):
            if arg in ("-c", "--config") and i + 1 < len(argv):
                path = argv[i + 1]
                break
            if arg.startswith("--config="):
                path = arg.split("=", 1)[1]
                break
        else:
            raise AssertionError(f"container command passes no --config: {argv}")
        host = self.host_path(path)
        if host == path:
            raise AssertionError(f"--config {path} is on no volume mount of the container")
        if not os.path.isfile(host):
            raise AssertionError(f"--config {path} is not a file of the mounted ConfigMap (mounts: {self._mount_map})")
        return host

    def _host_argv(self, extra_args) -> list[str]:
        argv = self.workload.argv
        if not argv or os.path.basename(argv[0]) != "gunicorn":
            raise AssertionError(f"container command does not start Gunicorn directly (exec form): {argv}")
        out = [str(VENV_BIN / "gunicorn"), *extra_args]
        rest = iter(argv[1:])
        for arg in rest:
            if arg in BIND_FLAGS:
                next(rest, None)
                out += [arg, f"127.0.0.1:{self.port}"]
            elif arg.startswith("--bind="):
                out.append(f"--bind=127.0.0.1:{self.port}")
            elif "=" in arg and arg.startswith("--"):
                flag, value = arg.split("=", 1)
                out.append(f"{flag}={self._remap(value)}")
            else:
                out.append(self._remap(arg))
        return out

    def _host_env(self) -> dict[str, str]:
        # A clean environment: nothing from the developer's shell (GUNICORN_CMD_ARGS,
        # WEB_CONCURRENCY, proxies) leaks in; the container's literal env values do.
        env = {
            "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
            "HOME": self.host_path("/tmp") if self.workload.mount_for("/tmp") else str(self.scratch),
            "LANG": "C.UTF-8",
        }
        for var in self.workload.container.get("env") or []:
            if "value" in var:
                env[var["name"]] = self._remap(str(var["value"]))
        return env

    # ---- process control ----------------------------------------------------------------

    def start(self) -> "GunicornServer":
        self._log_file = open(self.log_path, "wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(
            self.argv,
            cwd=APP_DIR,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so cleanup reaches every worker
        )
        return self

    def __enter__(self) -> "GunicornServer":
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=float(self.config.get("graceful_timeout", 30)) + 15)
                except subprocess.TimeoutExpired:
                    pass
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # leftovers of our own process group only
            except ProcessLookupError:
                pass
            if self.proc.poll() is None:
                self.proc.wait(timeout=30)
            self._log_file.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, timeout: float = 10.0) -> httpx.Response:
        return http_get(self.url(path), timeout)

    def log(self) -> str:
        self._log_file.flush()
        return self.log_path.read_text(errors="replace")

    def describe(self) -> str:
        tail = "\n".join(self.log().splitlines()[-40:])
        return f"command: {self.argv}\nlog tail:\n{tail}"

    def _check_running(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited with {self.proc.returncode}\n{self.describe()}")

    def worker_pids(self) -> set[int]:
        """PIDs of the master's live children: Gunicorn's workers."""
        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return set()
        alive = set()
        for child in children:
            try:
                if child.status() != psutil.STATUS_ZOMBIE:
                    alive.add(child.pid)
            except psutil.NoSuchProcess:
                pass
        return alive

    def wait_healthy(self, timeout: float = BOOT_SECONDS) -> float:
        """Poll /health until it answers 200; return seconds since start."""

        def healthy():
            self._check_running()
            try:
                return self.get("/health", timeout=2.0).status_code == 200
            except httpx.TransportError:
                return False

        try:
            wait_until(healthy, timeout, "/health to answer 200", interval=0.1)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None
        return time.monotonic() - self.started_at

    def wait_workers(self, count: int, timeout: float = BOOT_SECONDS) -> set[int]:
        """Wait until the master has exactly ``count`` live workers and return their PIDs."""
        seen = []

        def settled():
            self._check_running()
            pids = self.worker_pids()
            seen.append(len(pids))
            return pids if len(pids) == count else None

        try:
            return wait_until(settled, timeout, f"{count} worker processes")
        except AssertionError as exc:
            raise AssertionError(f"{exc} (last counts {seen[-5:]})\n{self.describe()}") from None

    def wait_log(self, pattern: str, timeout: float) -> re.Match:
        try:
            return wait_until(lambda: re.search(pattern, self.log()), timeout, f"log line /{pattern}/")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.describe()}") from None

    def wait_exit(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"gunicorn still running {timeout:.0f}s later\n{self.describe()}") from None
