"""Render AppServers with the operator's jar and read back what Gunicorn will be given.

The jar's contract: ``java -jar appserver-operator.jar render -f FILE`` prints every child
resource of each AppServer in FILE as multi-document YAML, and exits non-zero with a message
on invalid input. Per AppServer ``<name>`` this module uses the ConfigMap ``<name>-gunicorn``
(key ``gunicorn.conf.py``) and the container ``app`` of the Deployment ``<name>``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import types
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JAR = ROOT / "operator" / "target" / "appserver-operator.jar"
CONFIG_KEY = "gunicorn.conf.py"
CONTAINER = "app"
RENDER_TIMEOUT_SECONDS = 180


class RenderError(Exception):
    """The jar is missing, or it failed or printed something this module cannot use."""


def operator_jar() -> Path:
    jar = Path(os.environ.get("APPSERVER_OPERATOR_JAR") or DEFAULT_JAR)
    if not jar.is_file():
        raise RenderError(
            f"operator jar not found at {jar}. The conformance suite drives Gunicorn with the "
            "operator's rendered output, so it needs the jar: build it with "
            f"`mvn -q -f {ROOT / 'pom.xml'} package -DskipTests` (`make test` does this first), "
            "or point APPSERVER_OPERATOR_JAR at one."
        )
    if shutil.which("java") is None:
        raise RenderError("`java` is not on PATH; it is needed to run the operator jar")
    return jar


def run_render(manifest: str) -> subprocess.CompletedProcess:
    """Run ``render -f`` on ``manifest`` (YAML text) and return the finished process."""
    jar = operator_jar()
    with tempfile.TemporaryDirectory(prefix="appserver-render-") as scratch:
        path = Path(scratch) / "appservers.yaml"
        path.write_text(manifest)
        try:
            return subprocess.run(
                ["java", "-jar", str(jar), "render", "-f", str(path)],
                capture_output=True,
                text=True,
                timeout=RENDER_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RenderError(f"render did not finish within {RENDER_TIMEOUT_SECONDS}s") from exc


def render(appservers: list[dict]) -> "Rendered":
    proc = run_render(yaml.safe_dump_all(appservers, sort_keys=False))
    if proc.returncode != 0:
        raise RenderError(
            f"render exited {proc.returncode}\n--- stderr ---\n{proc.stderr}\n--- stdout ---\n{proc.stdout}"
        )
    try:
        docs = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    except yaml.YAMLError as exc:
        raise RenderError(f"render printed invalid YAML: {exc}\n{proc.stdout}") from exc
    return Rendered(docs, {a["metadata"]["name"]: a for a in appservers})


class Rendered:
    """All resources printed by one render run, looked up by kind and name."""

    def __init__(self, docs: list[dict], appservers: dict[str, dict]):
        self.docs = docs
        self.appservers = appservers
        self._by_kind_name: dict[tuple[str, str], dict] = {}
        for doc in docs:
            key = (doc.get("kind"), doc.get("metadata", {}).get("name"))
            if key in self._by_kind_name:
                raise RenderError(f"render printed {key[0]} {key[1]!r} twice")
            self._by_kind_name[key] = doc

    def get(self, kind: str, name: str) -> dict:
        try:
            return self._by_kind_name[(kind, name)]
        except KeyError:
            have = sorted(f"{k}/{n}" for k, n in self._by_kind_name)
            raise RenderError(f"render printed no {kind} named {name!r}; it printed {have}") from None

    def workload(self, name: str) -> "Workload":
        return Workload(
            name=name,
            appserver=self.appservers[name],
            configmap=self.get("ConfigMap", f"{name}-gunicorn"),
            deployment=self.get("Deployment", name),
        )


@dataclass(frozen=True)
class Mount:
    """A container volume mount joined with the pod volume it refers to."""

    path: str
    volume: dict
    read_only: bool

    def covers(self, path: str) -> bool:
        return PurePosixPath(path) == PurePosixPath(self.path) or PurePosixPath(self.path) in PurePosixPath(path).parents


@dataclass(frozen=True)
class Workload:
    """What one AppServer renders into, as far as Gunicorn is concerned."""

    name: str
    appserver: dict
    configmap: dict
    deployment: dict

    @property
    def spec(self) -> dict:
        return self.appserver["spec"]

    @property
    def pod_spec(self) -> dict:
        return self.deployment["spec"]["template"]["spec"]

    @property
    def container(self) -> dict:
        containers = self.pod_spec.get("containers") or []
        for container in containers:
            if container.get("name") == CONTAINER:
                return container
        raise RenderError(f"Deployment {self.name} has no container named {CONTAINER!r}: {[c.get('name') for c in containers]}")

    @property
    def argv(self) -> list[str]:
        """The process the container starts: command followed by args."""
        return [str(a) for a in (self.container.get("command") or []) + (self.container.get("args") or [])]

    @property
    def config_text(self) -> str:
        data = self.configmap.get("data") or {}
        if CONFIG_KEY not in data:
            raise RenderError(f"ConfigMap {self.name}-gunicorn has no key {CONFIG_KEY!r}: {sorted(data)}")
        return data[CONFIG_KEY]

    @property
    def config(self) -> dict:
        """The names gunicorn.conf.py defines, evaluated the way Gunicorn reads the file."""
        return evaluate_config(self.config_text, self.configmap.get("data") or {})

    def mounts(self) -> list[Mount]:
        volumes = {v["name"]: v for v in self.pod_spec.get("volumes") or []}
        result = []
        for m in self.container.get("volumeMounts") or []:
            if m["name"] not in volumes:
                raise RenderError(f"volumeMount {m['mountPath']} refers to a missing volume {m['name']!r}")
            result.append(Mount(m["mountPath"], volumes[m["name"]], bool(m.get("readOnly", False))))
        return result

    def mount_for(self, path: str) -> Mount | None:
        """The mount that holds ``path`` in the container (the deepest one), if any."""
        covering = [m for m in self.mounts() if m.covers(path)]
        return max(covering, key=lambda m: len(PurePosixPath(m.path).parts), default=None)

    def container_port(self, name: str = "http") -> int:
        """The container port of that name: http (Gunicorn's) or metrics."""
        ports = [p for p in self.container.get("ports") or [] if p.get("name") == name]
        if len(ports) != 1:
            raise RenderError(f"expected one container port named {name!r}, got {self.container.get('ports')}")
        return int(ports[0]["containerPort"])

    def probe_port(self, probe: dict) -> int:
        port = (probe.get("httpGet") or probe.get("tcpSocket"))["port"]
        if isinstance(port, int):
            return port
        for p in self.container.get("ports") or []:
            if p.get("name") == port:
                return int(p["containerPort"])
        raise RenderError(f"probe port {port!r} names no container port")


def evaluate_config(text: str, files: dict | None = None) -> dict:
    """Execute a Gunicorn config file's text and return its public names.

    Gunicorn does the same: it runs the file as a module and takes every name it
    defines, silently ignoring the ones that are not settings. ``files`` are the other
    files of its ConfigMap (the metrics module), put next to it as in the pod.
    """
    with tempfile.TemporaryDirectory() as d:
        for name, content in (files or {}).items():
            (Path(d) / name).write_text(content)
        namespace: dict = {"__file__": str(Path(d) / CONFIG_KEY), "__name__": "__config__"}
        path_before = list(sys.path)
        try:
            exec(compile(text, CONFIG_KEY, "exec"), namespace)  # noqa: S102 - the operator's own output
        finally:
            sys.path[:] = path_before
    return {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and not isinstance(v, types.ModuleType)
    }
