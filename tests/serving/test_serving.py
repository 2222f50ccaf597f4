"""Online endpoints through the service functions (no Jupyter server): real router and scoring processes on
127.0.0.1, real HTTP, a real scikit-learn model registered from a run."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from serving_support import (
    INIT_RAISES,
    NO_RUN,
    SCORE,
    LoadInBackground,
    register_linear,
    send,
    serving_processes,
    wait_for,
    write_script,
)

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.entities import Conflict, InvalidInput, NotFound
from jupyter_mlext.serving import service

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    monkeypatch.setenv("MLEXT_ENDPOINT_METRICS_INTERVAL", "0.5")


@pytest.fixture
def served(ws, workspace):
    """The store; at the end every endpoint is deleted and no serving process of the workspace may remain."""
    try:
        yield ws
    finally:
        for endpoint in service.list_endpoints(ws):
            service.delete_endpoint(ws, endpoint.name)
        leftovers = serving_processes(workspace)
        for process in leftovers:
            process.kill()
        assert not leftovers, f"serving processes left running: {[p.pid for p in leftovers]}"


@pytest.fixture
def script(tmp_path) -> Path:
    return write_script(tmp_path / "code", SCORE)


@pytest.fixture
def two_deployments(served, script):
    """Endpoint `e` with blue (y = x) taking 90% and green (y = 2x) taking 10%."""
    register_linear(served, "lin", 1.0)
    register_linear(served, "lin", 2.0)
    service.deploy(served, "lin:1", script, endpoint="e", deployment="blue")
    return service.deploy(served, "lin:2", script, endpoint="e", deployment="green", traffic=10)


def post(url: str, body: bytes, key: str | None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_observed_split_over_1000_requests_matches_90_10(two_deployments):
    assert two_deployments.traffic == {"blue": 90, "green": 10}
    load = send(two_deployments, 1000)
    assert load.statuses == {200: 1000}
    assert abs(load.deployments["green"] / 1000 - 0.10) < 0.035, load.deployments
    # each deployment serves its own model version: blue y = x, green y = 2x (x = 1)
    assert {deployment: round(y, 6) for deployment, y in load.answers} == {"blue": 1.0, "green": 2.0}


def test_traffic_moves_under_load_without_a_failed_request(two_deployments, served):
    load = LoadInBackground(two_deployments, clients=8)
    try:
        for split in (
            {"blue": 50, "green": 50},
            {"green": 100},
            {"blue": 100},
            {"blue": 30, "green": 70},
            {"green": 100},
        ):
            service.set_traffic(served, "e", split)
            time.sleep(0.4)
        service.delete_deployment(served, "e", "blue")  # takes no traffic any more: stopped under load
        time.sleep(0.4)
    finally:
        seen = load.stop()
    assert seen.failures == [] and set(seen.statuses) == {200}
    assert seen.total > 200 and seen.deployments["blue"] > 0 and seen.deployments["green"] > 0
    after = send(service.get_endpoint(served, "e"), 100)
    assert after.deployments == {"green": 100}


def test_key_auth_bad_json_and_a_raising_script(two_deployments, served):
    url, key = two_deployments.scoring_url, two_deployments.key
    assert post(url, b'{"data": [[1]]}', None)[0] == 401
    assert post(url, b'{"data": [[1]]}', "wrong-key")[0] == 401
    status, body = post(url, b"{not json", key)
    assert status == 400 and body["field"] == "body"
    status, body = post(url, b'{"fail": true}', key)
    assert status == 500 and len(body["error_id"]) == 12
    logs = {name: service.deployment_log(served, "e", name) for name in ("blue", "green")}
    ((which, logged),) = [(name, text) for name, text in logs.items() if body["error_id"] in text]
    assert "RuntimeError: asked to fail" in logged.split(body["error_id"], 1)[1]
    assert f"deployment e/{which} failed" in body["error"] and f"mlext endpoints logs e {which}" in body["error"]
    assert post(url, b'{"data": [[3]]}', key)[0] == 200  # the deployment still serves
    with urllib.request.urlopen(f"{two_deployments.url}/health", timeout=10) as response:  # no key needed
        assert json.loads(response.read())["status"] == "ok"
    with urllib.request.urlopen(f"{two_deployments.url}/ready", timeout=10) as response:
        assert json.loads(response.read()) == {"ready": True, "deployments": {"blue": "Ready", "green": "Ready"}}


def test_a_regenerated_key_replaces_the_old_one_at_once_for_a_client_that_switches(two_deployments, served, workspace):
    old_key = two_deployments.key
    before = LoadInBackground(two_deployments, clients=4)  # clients still on the old key while it changes
    try:
        time.sleep(0.3)
        new_key = mlx.regenerate_endpoint_key("e", workspace=workspace)
        assert post(two_deployments.scoring_url, b'{"data": [[1]]}', old_key)[0] == 401  # at once, no restart
        switched = LoadInBackground(dataclasses.replace(two_deployments, key=new_key), clients=4)
        try:
            time.sleep(1.5)  # past the scoring processes' own re-reading of the key
        finally:
            after = switched.stop()
    finally:
        old = before.stop()
    assert new_key != old_key and service.endpoint_key(served, "e") == new_key
    assert after.failures == [] and set(after.statuses) == {200} and after.total > 50
    assert set(after.deployments) == {"blue", "green"}  # both scoring processes take the new key
    assert set(old.statuses) == {200, 401}, old.statuses  # served until the change, refused after it
    assert service.get_endpoint(served, "e").pid == two_deployments.pid  # the same router: no restart
    blue = next(d for d in two_deployments.deployments if d.name == "blue")
    direct = f"http://127.0.0.1:{blue.port}/score"  # a scoring process refuses the old key too, after a grace
    assert post(direct, b'{"data": [[1]]}', new_key)[0] == 200
    wait_for(lambda: post(direct, b'{"data": [[1]]}', old_key)[0] == 401, timeout=20, what="old key refused")


def test_requests_are_metrics_of_the_endpoint_run(two_deployments, served):
    send(two_deployments, 200)
    run_id = two_deployments.run_id

    def counted():
        metrics = served.tracking.get_run(run_id).metrics
        return "requests" in metrics and served.tracking.metric_history(run_id, "requests").values

    wait_for(counted, what="request metrics")
    wait_for(lambda: sum(served.tracking.metric_history(run_id, "requests").values) >= 200, what="200 requests counted")
    run = served.tracking.get_run(run_id)
    assert run.experiment == "endpoints" and run.name == "e"
    assert {"latency_ms_p50", "latency_ms_p99", "requests.blue", "requests.green"} <= set(run.metrics)
    assert 0 < run.metrics["latency_ms_p50"].last <= run.metrics["latency_ms_p99"].last


def test_refused_deployments_start_no_process(served, script, tmp_path, workspace):
    register_linear(served, "lin", 1.0)
    with pytest.raises(NotFound, match="no version 7"):
        service.deploy(served, "lin:7", script, endpoint="e")
    with pytest.raises(NotFound):
        service.deploy(served, "nothing@production", script, endpoint="e")
    with pytest.raises(InvalidInput, match="does not exist") as missing:
        service.deploy(served, "lin:1", tmp_path / "absent.py", endpoint="e")
    assert missing.value.field == "scoring_script"
    with pytest.raises(InvalidInput, match=r"defines no run\(\)"):
        service.deploy(served, "lin:1", write_script(tmp_path / "norun", NO_RUN), endpoint="e")
    with pytest.raises(InvalidInput, match="traffic"):
        service.deploy(served, "lin:1", script, endpoint="e", traffic=50)
    assert service.list_endpoints(served) == [] and serving_processes(workspace) == []


def test_a_script_whose_init_raises_is_reported_and_leaves_nothing_behind(served, tmp_path, workspace):
    register_linear(served, "lin", 1.0)
    with pytest.raises(InvalidInput, match="FileNotFoundError: no weights here"):
        service.deploy(served, "lin:1", write_script(tmp_path / "bad", INIT_RAISES), endpoint="e")
    assert service.list_endpoints(served) == []
    wait_for(lambda: serving_processes(workspace) == [], timeout=10, what="no process left")


def test_a_deployed_version_cannot_be_deleted(served, script):
    register_linear(served, "lin", 1.0)
    register_linear(served, "lin", 2.0)
    service.deploy(served, "lin:1", script, endpoint="e", deployment="blue")
    registry = served.registry
    with pytest.raises(Conflict, match="used by deployment 'e/blue'"):
        registry.delete_version("lin", 1)
    registry.delete_version("lin", 2)  # not deployed
    service.deploy(served, "lin:1", script, endpoint="e", deployment="green")
    with pytest.raises(Conflict, match="takes 100%"):
        service.delete_deployment(served, "e", "blue")
    service.delete_endpoint(served, "e")
    registry.delete_version("lin", 1)


def test_a_killed_scoring_process_is_restarted_by_reconcile(two_deployments, served):
    blue = next(d for d in two_deployments.deployments if d.name == "blue")
    os.kill(blue.pid, signal.SIGKILL)
    wait_for(
        lambda: next(d for d in service.get_endpoint(served, "e").deployments if d.name == "blue").status == "Down",
        what="blue shown as Down",
    )
    assert service.reconcile(served) == ["e/blue"]
    assert service.reconcile(served) == []  # the restart is claimed: a second pass starts nothing
    wait_for(
        lambda: next(d for d in service.get_endpoint(served, "e").deployments if d.name == "blue").status == "Ready",
        what="blue ready again",
    )
    restarted = next(d for d in service.get_endpoint(served, "e").deployments if d.name == "blue")
    assert restarted.pid != blue.pid and restarted.port == blue.port  # same address again
    assert send(two_deployments, 200).statuses == {200: 200}


def test_cli_deploy_show_traffic_invoke_and_delete(served, script, workspace, capsys):
    register_linear(served, "lin", 1.0)
    register_linear(served, "lin", 3.0)

    def mlext(*args: str) -> dict:
        code = main(["--workspace", str(workspace), "--json", *args])
        out, err = capsys.readouterr()
        progress = f"deploying {args[1]} as cli/{args[-1]}: starting its scoring process" if args[0] == "deploy" else ""
        assert code == 0 and (err.startswith(progress) if progress else err == ""), err
        return json.loads(out)

    mlext("deploy", "lin:1", "--script", str(script), "--endpoint", "cli", "--deployment", "blue")
    deployed = mlext("deploy", "lin:2", "--script", str(script), "--endpoint", "cli", "--deployment", "green")
    assert deployed["traffic"] == {"blue": 100}
    assert mlext("endpoints", "invoke", "cli", "--data", '{"data": [[2]]}', "--deployment", "green") == pytest.approx(
        [6.0]
    )
    assert mlext("endpoints", "traffic", "cli", "blue=0", "green=100")["traffic"] == {"green": 100}
    assert mlext("endpoints", "invoke", "cli", "--data", '{"data": [[2]]}') == pytest.approx([6.0])
    shown = mlext("endpoints", "show", "cli")
    assert [(d["name"], d["status"], d["traffic"]) for d in shown["deployments"]] == [
        ("blue", "Ready", 0),
        ("green", "Ready", 100),
    ]
    listed = mlext("endpoints", "list")["endpoints"]
    assert [e["name"] for e in listed] == ["cli"] and "key" not in listed[0]
    regenerated = mlext("endpoints", "regenerate-key", "cli")
    assert regenerated["endpoint"] == "cli" and regenerated["key"] == service.endpoint_key(served, "cli")
    assert mlext("endpoints", "show", "cli")["key"] == regenerated["key"]  # the workspace's own user sees it
    assert mlext("endpoints", "invoke", "cli", "--data", '{"data": [[1]]}') == pytest.approx([3.0])
    assert main(["--workspace", str(workspace), "endpoints", "delete", "cli", "green"]) == 1
    assert "takes 100% of the traffic" in capsys.readouterr().err
    mlext("endpoints", "delete", "cli", "blue")
    mlext("endpoints", "delete", "cli")
    assert mlext("endpoints", "list") == {"endpoints": []}


def test_concurrent_reconcilers_restart_a_dead_router_once(two_deployments, served, workspace):
    os.kill(two_deployments.pid, signal.SIGKILL)
    wait_for(
        lambda: not service.processes.alive(two_deployments.pid, two_deployments.pid_started_at), what="router gone"
    )
    results = []
    threads = [threading.Thread(target=lambda: results.append(service.reconcile(served))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    routers = lambda: [p for p in serving_processes(workspace) if "jupyter_mlext.serving.router" in p.cmdline()]
    wait_for(lambda: service.get_endpoint(served, "e").pid not in (None, two_deployments.pid), what="new router")
    time.sleep(1.0)  # losers of the claim exit at once
    assert len(routers()) == 1
    assert send(service.get_endpoint(served, "e"), 50).statuses == {200: 50}


def test_deleting_the_last_deployment_deletes_the_endpoint_unless_it_is_kept(served, script, workspace):
    register_linear(served, "lin", 1.0)
    service.deploy(served, "lin:1", script, endpoint="gone", deployment="only")
    assert service.delete_deployment(served, "gone", "only") is True
    with pytest.raises(NotFound):
        service.get_endpoint(served, "gone")
    wait_for(lambda: serving_processes(workspace) == [], timeout=30, what="its router and scoring process gone")

    kept = service.deploy(served, "lin:1", script, endpoint="kept", deployment="only")
    assert service.delete_deployment(served, "kept", "only", keep_endpoint=True) is False
    left = service.get_endpoint(served, "kept")
    assert left.deployments == [] and left.key == kept.key and left.url == kept.url


def test_the_cli_says_when_deleting_a_deployment_deleted_its_endpoint(served, script, workspace, capsys):
    register_linear(served, "lin", 1.0)
    service.deploy(served, "lin:1", script, endpoint="one", deployment="only")
    assert main(["--workspace", str(workspace), "endpoints", "delete", "one", "only"]) == 0
    assert "deleted deployment only and endpoint one" in capsys.readouterr().out
    service.deploy(served, "lin:1", script, endpoint="two", deployment="only")
    assert main(["--workspace", str(workspace), "endpoints", "delete", "two", "only", "--keep-endpoint"]) == 0
    assert capsys.readouterr().out.strip() == "deleted deployment only"
    assert service.get_endpoint(served, "two").deployments == []
