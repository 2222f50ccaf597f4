"""Published pipelines over the REST API of a real `mlext server`, whose dispatcher drives triggered and scheduled
runs: trigger → the DAG as documented; a schedule missed while the server was down runs once after it starts."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
from pathlib import Path

import pytest
from api_support import validate
from mlext_server import Server, wait_until
from pipeline_support import child, make_project, three_steps

from jupyter_mlext.pipelines.schedules import due_tick
from jupyter_mlext.pipelines.service import publish_pipeline

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pipeline.ipynb"
DAY = 86400.0


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "root"
    make_project(folder / "project")
    return folder


@pytest.fixture
def server(workspace, root, ws):
    server = Server(workspace, root)
    try:
        yield server
    finally:
        server.stop()


def refused(server: Server, method: str, path: str, body) -> tuple[int, dict]:
    with pytest.raises(urllib.error.HTTPError) as caught:
        server.request(method, path, body)
    return caught.value.code, json.loads(caught.value.read())


def test_a_triggered_run_is_driven_by_the_server_and_described_as_a_dag(ws, root, server):
    published = publish_pipeline(ws, three_steps(root / "project"), user="ann")
    status, _, body = server.request("POST", "/pipelines/numbers/runs", {"params": {"alpha": 2}})
    created = json.loads(body)
    assert status == 201 and created["version"] == published.version and created["trigger"] == "rest"
    validate("components/schemas/PipelineRun", created)

    def finished():
        run = server.get_json(f"/pipeline-runs/{created['run_id']}")
        return run if run["state"] != "Running" else None

    wait_until(finished, 90, "the triggered pipeline run to end")
    run = finished()
    validate("components/schemas/PipelineRun", run)
    assert run["state"] == "Completed" and run["status"] == "Completed"
    assert [(s["name"], s["state"], s["depends_on"]) for s in run["steps"]] == [
        ("prep", "Completed", []),
        ("train", "Completed", ["prep"]),
        ("evaluate", "Completed", ["train"]),
    ]
    record = ws.pipelines.get_run(created["run_id"])
    assert child(ws, record, "evaluate").metrics["score"].last == sum(range(10)) * 2

    listing = server.get_json("/pipelines")
    validate("components/schemas/ListPipelines", listing)
    assert [(p["name"], p["latest_version"]) for p in listing["pipelines"]] == [("numbers", 1)]
    described = server.get_json("/pipelines/numbers")
    validate("components/schemas/DescribePipeline", described)
    runs = server.get_json("/pipelines/numbers/runs")
    validate("components/schemas/ListPipelineRuns", runs)
    assert [r["run_id"] for r in runs["runs"]] == [created["run_id"]]

    assert refused(server, "POST", "/pipelines/numbers/runs", {"params": {"gamma": 1}}) == (
        400,
        {"error": "pipeline 'numbers' has no param 'gamma' (it has ['alpha', 'scale'])", "field": "params.gamma"},
    )
    assert refused(server, "POST", "/pipelines/nothing/runs", {})[0] == 404


def test_a_notebook_is_exported_through_the_api_into_the_root_folder(root, server):
    shutil.copy(EXAMPLE, root / "project" / "analysis.ipynb")
    status, _, body = server.request("POST", "/pipelines/export", {"notebook": "project/analysis.ipynb"})
    assert status == 201 and json.loads(body) == {"folder": "project/analysis_pipeline"}
    assert (root / "project" / "analysis_pipeline" / "pipeline.yaml").is_file()
    assert refused(server, "POST", "/pipelines/export", {"notebook": "../outside.ipynb"})[1]["field"] == "notebook"


def test_a_schedule_missed_while_the_server_was_down_runs_once_after_it_starts(ws, workspace, root):
    publish_pipeline(ws, three_steps(root / "project"))
    pipelines = ws.pipelines
    schedule = pipelines.save_schedule(
        "numbers", "0 3 * * *", {"alpha": 1.5}, None, True, "ann", last_fired=time.time() - 3 * DAY
    )  # three daily ticks missed
    server = Server(workspace, root)
    try:
        wait_until(lambda: pipelines.list_runs("numbers"), 60, "the scheduled run")
        wait_until(lambda: pipelines.list_runs("numbers")[0].state != "Running", 90, "the scheduled run to end")
        runs = pipelines.list_runs("numbers")
        assert len(runs) == 1 and runs[0].trigger == "schedule" and runs[0].params["alpha"] == 1.5
        assert runs[0].state == "Completed"
        fired = pipelines.get_schedule("numbers").last_fired
        assert fired == due_tick(schedule, time.time())  # the latest due tick, not the first missed one
        assert fired > schedule.last_fired + 2 * DAY
    finally:
        server.stop()
