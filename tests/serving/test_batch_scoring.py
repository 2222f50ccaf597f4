"""Batch scoring: a submitted job scores each file of a folder with a registered model and a scoring script; the
results are the run's artifacts. Run by `mlext agent` (SDK, CLI) or by a real `mlext server` (REST)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mlext_server import Server
from serving_support import NO_RUN, SCORE, register_linear, write_script

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.entities import InvalidInput, NotFound, RunStatus

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture
def agent(workspace):
    mlext = Path(sys.executable).with_name("mlext")
    process = subprocess.Popen(
        [str(mlext), "agent", "--workspace", str(workspace)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


@pytest.fixture
def project(tmp_path, ws) -> Path:
    """A scoring script, a model y = 3x, and three input files (one in a subfolder)."""
    register_linear(ws, "lin", 3.0)
    folder = tmp_path / "project"
    write_script(folder, SCORE)
    inputs = folder / "inputs"
    (inputs / "sub").mkdir(parents=True)
    for name, x in (("a.json", 1.0), ("b.json", 2.0), ("sub/c.json", 4.0)):
        (inputs / name).write_text(json.dumps({"data": [[x], [x + 1]]}))
    return folder


EXPECTED = {
    "outputs/predictions/a.json": [3.0, 6.0],
    "outputs/predictions/b.json": [6.0, 9.0],
    "outputs/predictions/sub/c.json": [12.0, 15.0],
}


def predictions(ws, run_id: str) -> dict[str, list[float]]:
    found = {}
    for artifact in ws.tracking.list_artifacts(run_id, "outputs/predictions"):
        values = json.loads(ws.tracking.artifact_file(run_id, artifact.path).read_bytes())
        found[artifact.path] = [round(v, 6) for v in values]
    return found


def test_batch_scoring_a_folder_makes_the_results_artifacts_of_the_run(ws, workspace, project, agent):
    run = mlx.batch_score("lin:1", project / "score.py", project / "inputs", experiment="scoring", workspace=workspace)
    assert run.wait(timeout=120) == RunStatus.COMPLETED, run.read_log().text
    assert predictions(ws, run.id) == EXPECTED
    assert run.params == {"model": "lin:1", "scoring_script": "score.py", "inputs": str(project / "inputs")}
    assert run.experiment == "scoring" and "scored 3 files" in run.read_log().text


def test_refused_batch_scoring_queues_nothing(ws, workspace, project, tmp_path):
    with pytest.raises(NotFound):
        mlx.batch_score("lin:5", project / "score.py", project / "inputs", workspace=workspace)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidInput, match="holds no files") as empty:
        mlx.batch_score("lin:1", project / "score.py", tmp_path / "empty", workspace=workspace)
    assert empty.value.field == "inputs"
    with pytest.raises(InvalidInput, match=r"defines no run\(\)"):
        mlx.batch_score("lin:1", write_script(tmp_path / "norun", NO_RUN), project / "inputs", workspace=workspace)
    assert "batch-scoring" not in [e.name for e in ws.tracking.list_experiments()]


def test_batch_scoring_from_the_cli(ws, workspace, project, agent, capsys):
    code = main(
        [
            "--workspace",
            str(workspace),
            "--json",
            "batch-score",
            "lin:1",
            "--script",
            str(project / "score.py"),
            "--inputs",
            str(project / "inputs"),
            "--name",
            "nightly",
        ]
    )
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    run = mlx.get_run(json.loads(out)["id"], workspace=workspace)
    assert run.name == "nightly" and run.wait(timeout=120) == RunStatus.COMPLETED
    assert predictions(ws, run.id) == EXPECTED


def test_batch_scoring_over_rest_runs_on_the_server(ws, workspace, project, tmp_path):
    server = Server(workspace, tmp_path)
    try:
        status, _, body = server.request(
            "POST",
            "/batch-scoring",
            {"model": "lin:1", "scoring_script": "project/score.py", "inputs": "project/inputs"},
        )
        assert status == 201
        run = mlx.get_run(json.loads(body)["id"], workspace=workspace)
        assert run.wait(timeout=120) == RunStatus.COMPLETED, run.read_log().text
        assert predictions(ws, run.id) == EXPECTED
    finally:
        server.stop()
