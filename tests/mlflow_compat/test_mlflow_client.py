"""The stock `mlflow` client logs into a workspace through a live `mlext server`, and what it logs is ordinary
jupyter-mlext data (the same runs, metric series, artifacts and registry), read back by our own store."""

from __future__ import annotations

import os

import mlflow
import numpy as np
import optuna
import pytest
from mlext_server import TOKEN, Server
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException, RestException
from mlflow_support import mlflow_env
from optuna_integration.mlflow import MLflowCallback

import jupyter_mlext as mlext
from jupyter_mlext.entities import RunStatus
from jupyter_mlext.store import Workspace


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("mlflow")
    with mlflow_env():
        server = Server(root / "ws", root)
        server.workspace = root / "ws"
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def uri(server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", TOKEN)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"{server.url}/mlext/mlflow")
    mlflow.set_tracking_uri(f"{server.url}/mlext/mlflow")
    return f"{server.url}/mlext/mlflow"


@pytest.fixture
def client(uri):
    return mlflow.MlflowClient(tracking_uri=uri)


@pytest.fixture
def workspace(server):
    ws = Workspace(server.workspace)
    yield ws
    ws.close()


def test_a_tracked_workflow_is_our_data(client, uri, workspace, tmp_path):
    experiment_id = mlflow.set_experiment("workflow").experiment_id
    folder = tmp_path / "out"
    (folder / "deep" / "er").mkdir(parents=True)
    blob = bytes(range(256)) * 64
    (folder / "deep" / "er" / "weights.bin").write_bytes(blob)
    (folder / "notes.txt").write_text("hello")
    with mlflow.start_run(run_name="parent") as parent:
        mlflow.log_params({"alpha": 0.5, "layers": 3})
        for step in range(50):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.set_tags({"team": "vision", "stage": "dev"})
        mlflow.log_artifacts(str(folder), "outputs")
        with mlflow.start_run(run_name="child", nested=True) as child:
            mlflow.log_metric("acc", 0.9)
    points = [Metric("big", float(i), 1_700_000_000_000 + i, i) for i in range(10_000)]
    client.log_batch(parent.info.run_id, metrics=points, params=[Param("batch", "yes")], tags=[RunTag("k", "v")])

    run = client.get_run(parent.info.run_id)
    assert run.info.status == "FINISHED" and run.info.run_name == "parent"
    assert run.data.params == {"alpha": "0.5", "layers": "3", "batch": "yes"}
    assert run.data.tags["team"] == "vision" and run.data.tags["k"] == "v"
    assert [m.value for m in client.get_metric_history(parent.info.run_id, "loss")] == [
        1.0 / (s + 1) for s in range(50)
    ]
    history = client.get_metric_history(parent.info.run_id, "big")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(p.step, p.value, p.timestamp) for p in points]
    assert client.get_run(child.info.run_id).data.tags["mlflow.parentRunId"] == parent.info.run_id

    listed = client.list_artifacts(parent.info.run_id, "outputs/deep")
    assert [(f.path, f.is_dir) for f in listed] == [("outputs/deep/er", True)]
    downloaded = mlflow.artifacts.download_artifacts(run_id=parent.info.run_id, dst_path=str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "outputs" / "deep" / "er" / "weights.bin").read_bytes() == blob
    assert downloaded

    # The same run in our store: id, name, params, tags, parent, series, artifacts.
    ours = workspace.tracking.get_run(parent.info.run_id)
    assert ours.name == "parent" and ours.status is RunStatus.COMPLETED and ours.params["alpha"] == "0.5"
    assert ours.metrics["big"].count == 10_000 and ours.metrics["loss"].last == 1.0 / 50
    assert workspace.tracking.get_run(child.info.run_id).parent_id == parent.info.run_id
    stored = [a.path for a in workspace.tracking.list_artifacts(parent.info.run_id)]
    assert stored == ["outputs/deep/er/weights.bin", "outputs/notes.txt"]
    assert ours.experiment == "workflow" and str(ours.experiment_id) == experiment_id


def test_runs_of_our_sdk_are_read_by_mlflow(client, workspace):
    with mlext.start_run("sdk-made", "ours", params={"lr": 0.1}, workspace=workspace.root) as run:
        run.log("loss", 0.5, step=1)
        run.log("loss", 0.25, step=2)
        child = run.child("inner")
        child.end()
    found = client.get_run(run.id)
    assert found.info.run_name == "ours" and found.info.status == "FINISHED"
    assert found.data.params == {"lr": "0.1"} and found.data.metrics == {"loss": 0.25}
    assert [m.value for m in client.get_metric_history(run.id, "loss")] == [0.5, 0.25]
    assert client.get_run(child.id).data.tags["mlflow.parentRunId"] == run.id


def test_search_with_filter_order_and_paging(client):
    experiment_id = client.create_experiment("searching", tags={"purpose": "search"})
    for i in range(7):
        run = client.create_run(experiment_id, run_name=f"r{i}", tags={"parity": "even" if i % 2 == 0 else "odd"})
        client.log_metric(run.info.run_id, "score", float(i))
        client.log_param(run.info.run_id, "i", str(i))
        client.set_terminated(run.info.run_id, "FINISHED" if i != 3 else "FAILED")
    found = client.search_runs(
        [experiment_id], "metrics.score >= 2 and tags.parity = 'even'", order_by=["metrics.score DESC"]
    )
    assert [r.info.run_name for r in found] == ["r6", "r4", "r2"]
    assert [r.info.run_name for r in client.search_runs([experiment_id], "attributes.status = 'FAILED'")] == ["r3"]
    assert [r.info.run_name for r in client.search_runs([experiment_id], "tags.mlflow.runName = 'r5'")] == ["r5"]
    first = client.search_runs([experiment_id], order_by=["params.i ASC"], max_results=3)
    second = client.search_runs([experiment_id], order_by=["params.i ASC"], max_results=3, page_token=first.token)
    assert [r.info.run_name for r in first + second] == ["r0", "r1", "r2", "r3", "r4", "r5"]
    assert [e.name for e in client.search_experiments(filter_string="tags.purpose = 'search'")] == ["searching"]
    client.delete_run(found[0].info.run_id)
    assert [r.info.run_name for r in client.search_runs([experiment_id], "tags.parity = 'even'")] == ["r4", "r2", "r0"]


def test_sklearn_model_registered_loaded_by_version_and_alias_and_in_our_registry(uri, client, workspace):
    from sklearn.linear_model import LinearRegression

    features = np.arange(20, dtype=float).reshape(-1, 1)
    model = LinearRegression().fit(features, 3 * features.ravel() + 1)
    mlflow.set_experiment("models")
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", input_example=features[:2])
    version = mlflow.register_model(info.model_uri, "linear")
    client.set_registered_model_alias("linear", "production", version.version)
    expected = model.predict(features[:4])
    by_version = mlflow.pyfunc.load_model(f"models:/linear/{version.version}")
    by_alias = mlflow.pyfunc.load_model("models:/linear@production")
    assert np.allclose(by_version.predict(features[:4]), expected)
    assert np.allclose(by_alias.predict(features[:4]), expected)
    assert client.get_model_version_by_alias("linear", "production").version == version.version

    ours = workspace.registry.get("linear@production")
    assert ours.version == int(version.version) and ours.run_id == run.info.run_id
    assert "MLmodel" in os.listdir(workspace.registry.files(ours))
    assert workspace.registry.lineage("linear:1").run.id == run.info.run_id


def test_errors_carry_mlflow_codes(client):
    with pytest.raises(RestException) as missing:
        client.get_run("0" * 32)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert client.get_experiment_by_name("no such experiment") is None
    client.create_registered_model("twice")
    with pytest.raises(RestException) as twice:
        client.create_registered_model("twice")
    assert twice.value.error_code == "RESOURCE_ALREADY_EXISTS"
    run = client.create_run(client.create_experiment("errors"))
    client.log_param(run.info.run_id, "p", "1")
    with pytest.raises(MlflowException) as changed:
        client.log_param(run.info.run_id, "p", "2")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    with pytest.raises(MlflowException) as bad_filter:
        client.search_runs([run.info.experiment_id], "metrics.x >> 3")
    assert bad_filter.value.error_code == "INVALID_PARAMETER_VALUE"


def test_a_wrong_token_is_refused(uri, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "not-the-token")
    with pytest.raises(MlflowException) as refused:
        mlflow.MlflowClient(tracking_uri=uri).search_experiments()
    assert refused.value.error_code == "PERMISSION_DENIED"


def test_optuna_mlflow_callback_logs_into_us(uri, client, workspace):
    callback = MLflowCallback(tracking_uri=uri, metric_name="objective")
    study = optuna.create_study(study_name="optuna-study", sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(lambda trial: (trial.suggest_float("x", -3, 3) - 1) ** 2, n_trials=5, callbacks=[callback])
    experiment = client.get_experiment_by_name("optuna-study")
    runs = client.search_runs([experiment.experiment_id], order_by=["metrics.objective ASC"])
    assert len(runs) == 5
    assert runs[0].data.metrics["objective"] == pytest.approx(study.best_value)
    assert float(runs[0].data.params["x"]) == pytest.approx(study.best_params["x"])
    ours = workspace.tracking.search_runs("optuna-study", order_by="metrics.objective asc")
    assert [r.id for r in ours.runs] == [r.info.run_id for r in runs]
