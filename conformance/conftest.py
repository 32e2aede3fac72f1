"""Fixtures: one render run for the whole session, and Gunicorn servers that always stop."""

import pytest

import cases
from appserver_render import RenderError, render
from gunicorn_server import GunicornServer


@pytest.fixture(scope="session")
def rendered(request):
    # A missing jar or a failing render is a failure, never a skip (`make test` builds the
    # jar before it runs this suite), reported once: every test needs the rendered output.
    try:
        return render(cases.ALL)
    except RenderError as exc:
        message = str(exc)
    request.session.shouldfail = "the operator's render step failed, see the first error"
    pytest.fail(message, pytrace=False)


@pytest.fixture
def workload(rendered):
    """workload(name) -> the rendered Workload of that AppServer."""

    def get(name):
        try:
            return rendered.workload(name)
        except RenderError as exc:
            message = str(exc)
        pytest.fail(message, pytrace=False)

    return get


@pytest.fixture
def serve(workload):
    """serve(name) -> a started GunicornServer for that AppServer, stopped after the test."""
    servers = []

    def start(name, *extra_args):
        server = GunicornServer(workload(name), tuple(extra_args))
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.close()
