"""What the operator renders must mean what it says to Gunicorn 27 and to the kubelet.

Gunicorn silently ignores names in a config file that are not settings, so a misspelt
setting (``keep_alive``) is only caught by comparing against Gunicorn's own list.
"""

import re

import pytest
import yaml
from gunicorn.config import KNOWN_SETTINGS, Config

import cases
from appserver_render import run_render
from gunicorn_server import GunicornServer

SETTINGS = {s.name for s in KNOWN_SETTINGS}
DEFAULT_GRACE_PERIOD = 30  # Kubernetes' default terminationGracePeriodSeconds


def test_render_rejects_worker_class_gunicorn_does_not_have():
    proc = run_render(yaml.safe_dump(cases.INVALID_WORKER_CLASS))
    output = proc.stderr + proc.stdout
    assert proc.returncode != 0, f"render accepted workerClass eventlet:\n{output}"
    assert re.search(r"eventlet|workerClass", output), f"the error does not say what is wrong:\n{output}"


@pytest.mark.parametrize("name", cases.NAMES)
def test_config_defines_only_gunicorn_settings(workload, name):
    unknown = sorted(set(workload(name).config) - SETTINGS)
    assert not unknown, f"names Gunicorn would silently ignore: {unknown}"


@pytest.mark.parametrize("name", cases.NAMES)
def test_config_values_pass_gunicorn_validation(workload, name):
    cfg = Config()
    for key, value in workload(name).config.items():
        if key in SETTINGS:  # unknown names: test_config_defines_only_gunicorn_settings
            cfg.set(key, value)  # Gunicorn's own validators raise on a wrong type or value


@pytest.mark.parametrize("name", cases.NAMES)
def test_gunicorn_check_config_accepts_rendered_command(workload, name):
    # --check-config also imports the app, from examples/app as the image's working directory.
    with GunicornServer(workload(name), ("--check-config",)) as server:
        code = server.wait_exit(90)
        assert code == 0, server.describe()


@pytest.mark.parametrize("name", cases.NAMES)
def test_command_execs_gunicorn_with_the_mounted_config(workload, name):
    w = workload(name)
    argv = w.argv
    assert argv[0] == "gunicorn", f"Gunicorn must be PID 1 (exec form), got {argv}"
    assert argv[-1] == w.spec["app"], f"the last argument must be the app {w.spec['app']!r}: {argv}"
    config_path = argv[argv.index("--config") + 1]
    mount = w.mount_for(config_path)
    assert mount is not None, f"--config {config_path} is on no volume mount"
    configmap = mount.volume.get("configMap")
    assert configmap and configmap["name"] == f"{name}-gunicorn", f"{config_path} is not on the ConfigMap: {mount}"
    relative = config_path[len(mount.path) :].lstrip("/")
    items = configmap.get("items") or [{"key": k, "path": k} for k in w.configmap["data"]]
    assert {"key": "gunicorn.conf.py", "path": relative} in [
        {"key": i["key"], "path": i["path"]} for i in items
    ], f"{config_path} does not resolve to the key gunicorn.conf.py"


def _paths_gunicorn_writes(w):
    config, argv = w.config, w.argv
    paths = {}
    if not (config.get("control_socket_disable") or "--no-control-socket" in argv):
        assert config.get("control_socket"), (
            "control socket neither set nor disabled: Gunicorn would put it under $HOME, "
            "which is not writable with a read-only root filesystem"
        )
        paths["control_socket"] = config["control_socket"].rsplit("/", 1)[0] or "/"
    for key in ("worker_tmp_dir", "tmp_upload_dir"):
        if config.get(key):
            paths[key] = config[key]
    for key in ("pidfile", "accesslog", "errorlog"):
        value = config.get(key)
        if value and value != "-":
            paths[key] = value.rsplit("/", 1)[0] or "/"
    return paths


@pytest.mark.parametrize("name", cases.NAMES)
def test_everything_gunicorn_writes_is_on_a_writable_mount(workload, name):
    w = workload(name)
    for setting, path in _paths_gunicorn_writes(w).items():
        mount = w.mount_for(path)
        assert mount is not None, f"{setting} writes under {path}, which is on the read-only root filesystem"
        assert not mount.read_only and "emptyDir" in mount.volume, f"{setting}: {path} is not a writable emptyDir ({mount})"


@pytest.mark.parametrize("name", cases.NAMES)
def test_heartbeat_directory_is_memory_backed(workload, name):
    # On overlay filesystems the heartbeat's fchmod can block and cause spurious WORKER TIMEOUTs.
    w = workload(name)
    tmp_dir = w.config.get("worker_tmp_dir")
    assert tmp_dir, "worker_tmp_dir is unset, so the heartbeat file goes to the disk-backed temp dir"
    mount = w.mount_for(tmp_dir)
    assert mount and (mount.volume.get("emptyDir") or {}).get("medium") == "Memory", (
        f"worker_tmp_dir {tmp_dir} is not on an emptyDir with medium: Memory ({mount})"
    )


@pytest.mark.parametrize("name", cases.NAMES)
def test_bind_port_probes_and_container_port_agree(workload, name):
    w = workload(name)
    bind = w.config.get("bind")
    binds = [bind] if isinstance(bind, str) else list(bind or [])
    assert len(binds) == 1 and re.fullmatch(r"0\.0\.0\.0:\d+|\[::\]:\d+", binds[0]), (
        f"bind must listen on all addresses of the pod, got {bind!r}"
    )
    port = int(binds[0].rsplit(":", 1)[1])
    assert port == w.container_port() == w.spec.get("port", port)
    for kind in ("readinessProbe", "startupProbe", "livenessProbe"):
        probe = w.container.get(kind)
        if kind == "startupProbe" and probe is None:
            continue
        assert probe, f"{kind} missing"
        if kind == "livenessProbe" and "tcpSocket" in probe:
            # Also fine: a TCP check is answered by the master's listen socket, so busy sync
            # workers do not get a healthy pod restarted (Gunicorn issue 2467).
            assert w.probe_port(probe) == port, f"{kind}: {probe}"
            continue
        assert "httpGet" in probe, f"{kind} is neither httpGet nor tcpSocket: {probe}"
        assert probe["httpGet"]["path"] == "/health" and w.probe_port(probe) == port, f"{kind}: {probe}"


@pytest.mark.parametrize("name", cases.NAMES)
def test_sync_worker_class_has_one_thread(workload, name):
    # Gunicorn silently turns sync with threads > 1 into gthread; render the class that runs.
    config = workload(name).config
    if config.get("worker_class", "sync") == "sync":
        assert config.get("threads", 1) == 1


def _prestop_seconds(container):
    handler = (container.get("lifecycle") or {}).get("preStop") or {}
    if "sleep" in handler:
        return int(handler["sleep"]["seconds"])
    command = " ".join((handler.get("exec") or {}).get("command") or [])
    match = re.search(r"\bsleep\s+(\d+)", command)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("name", cases.NAMES)
def test_grace_period_covers_prestop_and_graceful_timeout(workload, name):
    # The kubelet's grace period starts before preStop runs; when it ends, Gunicorn is SIGKILLed.
    w = workload(name)
    grace = w.pod_spec.get("terminationGracePeriodSeconds", DEFAULT_GRACE_PERIOD)
    graceful = w.config.get("graceful_timeout", 30)
    prestop = _prestop_seconds(w.container)
    assert grace > prestop + graceful, (
        f"terminationGracePeriodSeconds {grace} must exceed preStop {prestop}s + graceful_timeout {graceful}s"
    )


def test_gunicorn_settings_follow_the_spec(workload):
    config = workload("tuned").config
    assert {k: config.get(k) for k in (
        "timeout", "graceful_timeout", "keepalive", "max_requests", "max_requests_jitter", "preload_app"
    )} == {
        "timeout": 45,
        "graceful_timeout": 20,
        "keepalive": 90,
        "max_requests": 500,
        "max_requests_jitter": 50,
        "preload_app": True,
    }
