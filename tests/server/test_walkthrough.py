"""The README's compute walkthrough, step by step: `mlext server`, `mlext submit examples/train.py`, and the run's
live log, metrics and outputs read back through the REST API while it runs and after."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mlext_server import REPO, Server, wait_until


def mlext(workspace: Path, *args: str) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_mlext.cli import main; sys.exit(main())",
            "--workspace",
            str(workspace),
            "--json",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workspace.parent,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.timeout(120)
def test_submit_the_example_and_follow_it_through_the_api(workspace, tmp_path):
    examples = tmp_path / "examples"
    shutil.copytree(REPO / "examples", examples)
    run = mlext(
        workspace,
        "submit",
        str(examples / "train.py"),
        "--experiment",
        "walkthrough",
        "--param",
        "note=first",
        "--",
        "--lr",
        "0.05",
        "--epochs",
        "3000",
    )
    server = Server(workspace, tmp_path)
    try:
        path = f"/runs/{run['id']}"
        wait_until(lambda: server.get_json(path)["status"] == "Running", what="the run running")
        wait_until(lambda: "epoch 0:" in server.get_json(f"{path}/logs")["text"], what="a first log line")
        wait_until(lambda: "mse" in server.get_json(path)["metrics"], what="a first metric point")
        live = server.get_json(f"{path}/metrics/mse?max_points=100")
        assert 0 < live["total_points"] and len(live["values"]) <= 100

        wait_until(lambda: server.get_json(path)["status"] == "Completed", what="the run completed")
        detail = server.get_json(path)
        assert detail["params"] == {"note": "first", "lr": "0.05", "epochs": "3000"}
        assert detail["metrics"]["mse"]["count"] == 3000 and detail["metrics"]["final_mse"]["last"] < 0.2

        log = server.get_json(f"{path}/logs")
        assert log["complete"] and "epoch 2950:" in log["text"] and "final mse" in log["text"]
        paths = sorted(a["path"] for a in server.get_json(f"{path}/artifacts")["artifacts"])
        assert paths == ["outputs/model.json", "predictions.png"]
        status, headers, body = server.request("GET", f"{path}/artifacts/outputs/model.json")
        assert status == 200 and headers["Content-Type"].startswith("application/json")
        assert json.loads(body)["mse"] == pytest.approx(detail["metrics"]["final_mse"]["last"])
        status, headers, _ = server.request("GET", f"{path}/artifacts/predictions.png")
        assert headers["Content-Type"] == "image/png"
    finally:
        server.stop()
    wait_until(lambda: mlext(workspace, "runs", "show", run["id"])["status"] == "Completed", what="stored")
