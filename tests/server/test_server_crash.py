"""kill -9 of the server while a pipeline run is under way: the restarted server carries the run on (its step's
runner outlived the server), the run completes, and no step executes twice."""

from __future__ import annotations

import json

import pytest
from mlext_server import Server, wait_until

from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.service import publish_pipeline

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
