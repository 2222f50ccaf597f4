"""kill -9 of the server while work is under way: the restarted server carries it on and nothing runs twice.

- a pipeline run: its step's runner outlives the server, the run completes, and no step executes twice;
- a deployment whose scoring process is still starting: it comes up, the restarted server routes it (the traffic
  and the router the interrupted deploy would have set up), the endpoint answers, with one scoring process.
"""

from __future__ import annotations

import json
import threading
import urllib.error

import pytest
from mlext_server import Server, wait_until
from serving_support import SCORE, register_linear, send, serving_processes

from jupyter_mlext.entities import NotFound
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.service import publish_pipeline
from jupyter_mlext.serving.service import delete_endpoint

# Each step appends its name to the marker file; `hold` then waits for the release file.
STEP = """
import os, sys, time
marker, release, name = sys.argv[sys.argv.index("--marker") + 1], sys.argv[sys.argv.index("--release") + 1], "{name}"
with open(marker, "a") as handle:
    handle.write(name + "\\n")
while name == "hold" and not os.path.exists(release):
    time.sleep(0.05)
os.makedirs("outputs/out", exist_ok=True)
open("outputs/out/" + name, "w").write(name)
"""


def chain(folder, marker, release) -> Pipeline:
    folder.mkdir(parents=True, exist_ok=True)
    args = {"marker": str(marker), "release": str(release)}
    steps = []
    for name in ("first", "hold", "last"):
        (folder / f"{name}.py").write_text(STEP.replace("{name}", name))
        inputs = {"previous": f"{steps[-1].name}.out"} if steps else {}
        steps.append(Step(name, script=f"{name}.py", inputs=inputs, outputs=["out"], params=args))
    return Pipeline("held", source_dir=folder, steps=steps)


@pytest.mark.timeout(240)
def test_a_pipeline_run_survives_a_killed_server_and_runs_each_step_once(ws, workspace, tmp_path):
    marker, release = tmp_path / "executions.txt", tmp_path / "release"
    publish_pipeline(ws, chain(tmp_path / "project", marker, release))
    root = tmp_path / "root"
    root.mkdir()
    server = Server(workspace, root)
    try:
        _, _, body = server.request("POST", "/pipelines/held/runs", {})
        run_id = json.loads(body)["run_id"]
        wait_until(lambda: marker.exists() and marker.read_text().split() == ["first", "hold"], 90, "hold to run")
        server.kill()

        server = Server(workspace, root)
        release.touch()
        wait_until(lambda: server.get_json(f"/pipeline-runs/{run_id}")["state"] != "Running", 120, "the run to end")
        record = server.get_json(f"/pipeline-runs/{run_id}")
    finally:
        release.touch()
        server.kill()
    assert record["state"] == "Completed", record["error"]
    assert [(s["name"], s["state"]) for s in record["steps"]] == [
        ("first", "Completed"),
        ("hold", "Completed"),
        ("last", "Completed"),
    ]
    assert marker.read_text().split() == ["first", "hold", "last"], "every step executed exactly once"


# The scoring script of the deployment test: init() waits for the release file, so that the deployment is
# caught Starting.
HELD_SCORE = SCORE.replace(
    "    global model\n",
    "    global model\n    import time\n    while not os.path.exists({release!r}):\n        time.sleep(0.05)\n",
)


@pytest.mark.timeout(240)
def test_a_deployment_started_when_the_server_was_killed_is_routed_after_restart(ws, workspace, tmp_path):
    register_linear(ws, "line", 2.0)
    release = tmp_path / "release"
    root = tmp_path / "root"
    (root / "serve").mkdir(parents=True)
    (root / "serve" / "score.py").write_text(HELD_SCORE.replace("{release!r}", repr(str(release))))
    server = Server(workspace, root)
    body = {"model": "line:1", "scoring_script": "serve/score.py"}

    def deploy() -> None:
        try:
            server.request("POST", "/endpoints/held/deployments", body)
        except (OSError, urllib.error.HTTPError):
            pass  # the server is killed while it waits

    caller = threading.Thread(target=deploy, daemon=True)
    try:
        caller.start()
        wait_until(lambda: _deployment(ws, "held") is not None and _deployment(ws, "held").pid, 90, "a worker")
        server.kill()
        release.touch()
        wait_until(lambda: _deployment(ws, "held").status.value == "Ready", 90, "the deployment to be ready")
        server = Server(workspace, root)
        wait_until(lambda: _routed(ws, "held"), 120, "the endpoint to be routed")
        load = send(ws.serving.get_endpoint("held"), requests=20, clients=2)
        traffic = ws.serving.get_endpoint("held").traffic
        scoring = [p for p in serving_processes(workspace) if "jupyter_mlext.serving.worker" in " ".join(p.cmdline())]
    finally:
        release.touch()
        server.kill()
        if _deployment(ws, "held") is not None:
            delete_endpoint(ws, "held")  # its router and scoring process outlive the server by design
    assert load.statuses == {200: 20}, load.failures[:3]
    assert {y for _, y in load.answers} == {2.0}
    assert traffic == {"default": 100}
    assert len(scoring) == 1, "one scoring process: the deployment was not started twice"


def _deployment(ws, endpoint):
    try:
        deployments = ws.serving.get_endpoint(endpoint).deployments
    except NotFound:  # not created yet
        return None
    return deployments[0] if deployments else None


def _routed(ws, endpoint) -> bool:
    found = ws.serving.get_endpoint(endpoint)
    return found.pid is not None and found.port is not None and any(found.traffic.values())
