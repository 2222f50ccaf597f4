"""Endpoints over REST against a real `mlext server` process, every answer checked against api/openapi.yaml; and
endpoints that outlive the server: kill -9 it, kill a scoring process while it is down, start it again."""

from __future__ import annotations

import json
import os
import signal
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from api_support import check_response, operation, validate
from mlext_server import Server
from serving_support import (
    NO_RUN,
    SCORE,
    register_linear,
    send,
    serving_processes,
    wait_for,
    write_script,
)

from jupyter_mlext.serving import service

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


@dataclass
class _Answer:
    """The parts of an HTTP answer `check_response` reads."""

    code: int
    headers: Any
    body: bytes


def api(server: Server, method: str, template: str, expect: int, body: Any = None, **params: str) -> Any:
    """One documented call; the status must be `expect` and the answer must match the document."""
    path = template
    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    if body is not None and expect < 300:
        request_schema = operation(template, method)["requestBody"]["content"]["application/json"]["schema"]
        validate(request_schema["$ref"].lstrip("#/"), body)
    try:
        status, headers, raw = server.request(method, path, body)
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    assert status == expect, f"{method} {path}: {status} {raw[:500]!r}"
    return check_response(template, method, _Answer(status, headers, raw))


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """The Jupyter root folder, with a scoring script and a broken one in it."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    folder = tmp_path / "root"
    write_script(folder / "project", SCORE)
    write_script(folder / "broken", NO_RUN)
    return folder


@pytest.fixture
def models(ws) -> None:
    register_linear(ws, "lin", 1.0)
    register_linear(ws, "lin", 2.0)


@pytest.fixture
def server(ws, root, workspace):
    servers: list[Server] = []

    def start() -> Server:
        servers.append(Server(workspace, root))
        return servers[-1]

    try:
        yield start
    finally:
        for running in servers:
            if running.process.poll() is None:
                running.stop()
        for endpoint in service.list_endpoints(ws):
            service.delete_endpoint(ws, endpoint.name)
        leftovers = serving_processes(workspace)
        for process in leftovers:
            process.kill()
        assert not leftovers, f"serving processes left running: {[p.pid for p in leftovers]}"


def deploy(server: Server, endpoint: str, body: dict, expect: int = 201) -> Any:
    return api(server, "POST", "/endpoints/{endpoint}/deployments", expect, body, endpoint=endpoint)


def key_of(server: Server, endpoint: str) -> str:
    return api(server, "GET", "/endpoints/{endpoint}/key", 200, endpoint=endpoint)["key"]


def score(endpoint: dict, data: Any, key: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        endpoint["scoring_url"], data=json.dumps(data).encode(), headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_endpoint_lifecycle_over_rest(server, models, ws):
    running = server()
    blue = deploy(running, "e", {"model": "lin:1", "scoring_script": "project/score.py", "deployment": "blue"})
    assert blue["traffic"] == {"blue": 100} and blue["deployments"][0]["status"] == "Ready"
    both = deploy(
        running, "e", {"model": "lin:2", "scoring_script": "project/score.py", "deployment": "green", "traffic": 30}
    )
    assert both["traffic"] == {"blue": 70, "green": 30}
    key = key_of(running, "e")
    assert score(both, {"data": [[2.0]]}, key)[0] == 200
    moved = api(
        running, "PUT", "/endpoints/{endpoint}/traffic", 200, {"traffic": {"blue": 0, "green": 100}}, endpoint="e"
    )
    assert moved["traffic"] == {"green": 100}
    assert score(moved, {"data": [[2.0]]}, key) == (200, [pytest.approx(4.0)])
    listed = api(running, "GET", "/endpoints", 200)
    assert [e["name"] for e in listed["endpoints"]] == ["e"]
    assert api(running, "GET", "/endpoints/{endpoint}", 200, endpoint="e")["config_version"] >= moved["config_version"]
    status, failed = score(moved, {"fail": True}, key)
    assert status == 500
    log = api(
        running, "GET", "/endpoints/{endpoint}/deployments/{deployment}/logs", 200, endpoint="e", deployment="green"
    )
    assert failed["error_id"] in log["log"] and "asked to fail" in log["log"]
    api(running, "DELETE", "/endpoints/{endpoint}/deployments/{deployment}", 409, endpoint="e", deployment="green")
    api(running, "DELETE", "/endpoints/{endpoint}/deployments/{deployment}", 204, endpoint="e", deployment="blue")
    api(running, "DELETE", "/endpoints/{endpoint}", 204, endpoint="e")
    assert api(running, "GET", "/endpoints/{endpoint}", 404, endpoint="e")["field"] == "endpoint"
    assert ws.tracking.get_run(both["run_id"]).status.value == "Completed"


def test_the_key_is_apart_from_the_endpoint_and_regenerated_over_rest(server, models, ws):
    running = server()
    created = deploy(running, "e", {"model": "lin:1", "scoring_script": "project/score.py"})
    answers = [
        created,
        api(running, "GET", "/endpoints/{endpoint}", 200, endpoint="e"),
        *api(running, "GET", "/endpoints", 200)["endpoints"],
        api(running, "PUT", "/endpoints/{endpoint}/traffic", 200, {"traffic": {"default": 100}}, endpoint="e"),
    ]
    old = key_of(running, "e")
    assert old == service.endpoint_key(ws, "e")
    assert all(old not in json.dumps(answer) for answer in answers)  # only /key tells it
    assert score(created, {"data": [[1.0]]}, old)[0] == 200

    new = api(running, "POST", "/endpoints/{endpoint}/key", 200, endpoint="e")
    assert new["endpoint"] == "e" and new["key"] != old and key_of(running, "e") == new["key"]
    assert score(created, {"data": [[1.0]]}, old)[0] == 401  # refused from the answer on
    assert [score(created, {"data": [[1.0]]}, new["key"])[0] for _ in range(20)] == [200] * 20
    assert api(running, "GET", "/endpoints/{endpoint}", 200, endpoint="e")["pid"] == created["pid"]  # no restart
    assert api(running, "POST", "/endpoints/{endpoint}/key", 400, {"key": "mine"}, endpoint="e")["field"] == "key"
    assert api(running, "POST", "/endpoints/{endpoint}/key", 404, endpoint="nope")["field"] == "endpoint"
    assert api(running, "GET", "/endpoints/{endpoint}/key", 404, endpoint="nope")["field"] == "endpoint"


def test_refusals_over_rest(server, models, workspace):
    running = server()
    body = {"model": "lin:9", "scoring_script": "project/score.py"}
    assert deploy(running, "e", body, 404)["field"] == "version"
    for script, field in (
        ("/etc/passwd", "scoring_script"),
        ("../outside.py", "scoring_script"),
        ("broken/score.py", "scoring_script"),
        ("project/absent.py", "scoring_script"),
    ):
        assert deploy(running, "e", {"model": "lin:1", "scoring_script": script}, 400)["field"] == field
    assert (
        deploy(running, "bad name", {"model": "lin:1", "scoring_script": "project/score.py"}, 400)["field"]
        == "endpoint"
    )
    assert (
        deploy(running, "e", {"model": "lin:1", "scoring_script": "project/score.py", "colour": "blue"}, 400)["field"]
        == "colour"
    )
    assert serving_processes(workspace) == []
    deploy(running, "e", {"model": "lin:1", "scoring_script": "project/score.py", "deployment": "blue"})
    deploy(running, "e", {"model": "lin:1", "scoring_script": "project/score.py", "deployment": "blue"}, 409)
    for split in ({"blue": 60}, {"blue": "100"}, {"green": 100}):
        api(
            running,
            "PUT",
            "/endpoints/{endpoint}/traffic",
            404 if "green" in split else 400,
            {"traffic": split},
            endpoint="e",
        )
    api(running, "DELETE", "/models/{name}/versions/{version}", 409, name="lin", version="1")
    api(running, "DELETE", "/models/{name}/versions/{version}", 204, name="lin", version="2")


def test_endpoints_outlive_a_killed_server_and_dead_processes_are_restarted(server, models, ws):
    first = server()
    deploy(first, "e", {"model": "lin:1", "scoring_script": "project/score.py", "deployment": "blue"})
    endpoint = deploy(
        first, "e", {"model": "lin:2", "scoring_script": "project/score.py", "deployment": "green", "traffic": 50}
    )
    router_pid = endpoint["pid"]
    blue = next(d for d in endpoint["deployments"] if d["name"] == "blue")
    key = key_of(first, "e")
    first.kill()
    assert score(endpoint, {"data": [[1.0]]}, key)[0] == 200  # served without the Jupyter server
    os.kill(blue["pid"], signal.SIGKILL)
    wait_for(lambda: not service.processes.alive(blue["pid"], blue["pid_started_at"]), what="blue gone")

    second = server()

    def blue_restarted():
        found = api(second, "GET", "/endpoints/{endpoint}", 200, endpoint="e")
        state = next(d for d in found["deployments"] if d["name"] == "blue")
        return found if state["status"] == "Ready" and state["pid"] != blue["pid"] else None

    again = wait_for(blue_restarted, timeout=60, what="blue restarted by the new server")
    assert again["pid"] == router_pid and again["url"] == endpoint["url"]  # the live router was re-attached
    load = send(service.get_endpoint(ws, "e"), 300)
    assert load.statuses == {200: 300} and set(load.deployments) == {"blue", "green"}
