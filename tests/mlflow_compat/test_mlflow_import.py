"""`mlext import mlflow` round-trips a real MLflow store made here with mlflow itself, and `mlext mlflow-server`
serves the MLflow client without JupyterLab."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import mlflow
import numpy as np
import pytest
from mlext_server import REPO, free_port
from mlflow_support import mlflow_env

from jupyter_mlext.cli import main
from jupyter_mlext.store import Workspace


@pytest.fixture
def quiet_mlflow():
    with mlflow_env():
        yield


@pytest.fixture
def mlflow_store(tmp_path, monkeypatch, quiet_mlflow):
    """An MLflow SQLite store with two experiments, nested runs, histories, artifacts and a registered model."""
    from sklearn.linear_model import LinearRegression

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment_id = client.create_experiment("imported", tags={"owner": "ann"})
    parent = client.create_run(experiment_id, run_name="parent", tags={"team": "a"})
    child = client.create_run(experiment_id, run_name="child", tags={"mlflow.parentRunId": parent.info.run_id})
    for step in range(300):
        client.log_metric(parent.info.run_id, "loss", 1.0 / (step + 1), timestamp=1_700_000_000_000 + step, step=step)
    client.log_param(parent.info.run_id, "alpha", "0.5")
    (tmp_path / "files" / "sub").mkdir(parents=True)
    (tmp_path / "files" / "sub" / "data.bin").write_bytes(b"\x00\xff" * 100)
    client.log_artifacts(parent.info.run_id, str(tmp_path / "files"), "files")
    client.set_terminated(child.info.run_id, "FAILED")
    client.set_terminated(parent.info.run_id)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    features = np.arange(10, dtype=float).reshape(-1, 1)
    with mlflow.start_run(experiment_id=experiment_id, run_name="trainer") as trainer:
        info = mlflow.sklearn.log_model(LinearRegression().fit(features, 2 * features.ravel()), name="model")
    version = mlflow.register_model(info.model_uri, "regressor")
    client.set_registered_model_alias("regressor", "production", version.version)
    client.set_model_version_tag("regressor", version.version, "checked", "yes")
    return {"uri": uri, "parent": parent.info.run_id, "child": child.info.run_id, "trainer": trainer.info.run_id}


def test_import_round_trips_and_a_second_import_adds_nothing(mlflow_store, tmp_path, capsys):
    target = tmp_path / "ws"
    assert main(["import", "mlflow", mlflow_store["uri"], "--workspace", str(target)]) == 0
    first = capsys.readouterr()
    assert "experiment 'imported': 3 runs" in first.err
    assert "imported 2 experiments, 3 runs, 300 metric points" in first.out
    assert "1 registered models, 1 model versions (0 already imported)" in first.out

    with Workspace(target) as ws:
        parent = ws.tracking.get_run(mlflow_store["parent"])
        assert parent.name == "parent" and parent.status.value == "Completed" and parent.params == {"alpha": "0.5"}
        assert parent.tags["team"] == "a"
        child = ws.tracking.get_run(mlflow_store["child"])
        assert child.parent_id == parent.id and child.status.value == "Failed"
        history = ws.tracking.metric_history(parent.id, "loss")
        assert history.values == [1.0 / (s + 1) for s in range(300)] and history.timestamps[0] == 1_700_000_000.0
        assert [a.path for a in ws.tracking.list_artifacts(parent.id)] == ["files/sub/data.bin"]
        version = ws.registry.get("regressor@production")
        assert version.run_id == mlflow_store["trainer"] and version.tags == {"checked": "yes"}
        assert "MLmodel" in os.listdir(ws.registry.files(version))
        assert ws.mlflow.experiment_by_name("imported").tags == {"owner": "ann"}

    assert main(["import", "mlflow", mlflow_store["uri"], "--workspace", str(target)]) == 0
    second = capsys.readouterr().out
    assert (
        "imported 0 experiments, 0 runs, 0 metric points, 0 artifacts, 0 registered models, 0 model versions" in second
    )
    with Workspace(target) as ws:
        assert len(ws.tracking.search_runs().runs) == 3 and len(ws.registry.versions("regressor")) == 1


def test_import_of_a_missing_source_is_one_line(tmp_path, capsys):
    assert main(["import", "mlflow", str(tmp_path / "nowhere"), "--workspace", str(tmp_path / "ws")]) == 1
    assert "is neither a sqlite:/// URI nor an MLflow folder" in capsys.readouterr().err


def test_mlflow_server_command_serves_the_client(tmp_path, monkeypatch, quiet_mlflow):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_mlext.cli import main; sys.exit(main())",
            "mlflow-server",
            "--workspace",
            str(tmp_path / "ws"),
            "--port",
            str(port),
            "--token",
            "secret-token",
            f"--ServerApp.root_dir={tmp_path}",
            "--allow-root",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "secret-token")
        client = mlflow.MlflowClient(tracking_uri=f"http://127.0.0.1:{port}/mlext/mlflow")
        deadline = time.monotonic() + 60
        while True:
            try:
                experiments = client.search_experiments()
                break
            except mlflow.exceptions.MlflowException:
                assert process.poll() is None and time.monotonic() < deadline, "mlflow-server did not come up"
                time.sleep(0.2)
        assert [e.name for e in experiments] == ["Default"]
        run = client.create_run("0", run_name="headless")
        client.log_metric(run.info.run_id, "m", 2.0)
        client.set_terminated(run.info.run_id)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    with Workspace(tmp_path / "ws") as ws:
        found = ws.tracking.get_run(run.info.run_id)
        assert found.experiment == "Default" and found.name == "headless" and found.metrics["m"].last == 2.0
