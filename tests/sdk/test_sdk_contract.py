"""What the SDK promises, checked over both transports: a workspace folder and a server's URL (the HTTP transport a
script on a Dask worker or another machine uses). Reading is complete over HTTP too: children, search, histories,
artifacts and logs."""

from __future__ import annotations

import math
import uuid

import matplotlib
import pytest
from mlext_server import TOKEN, Server

import jupyter_mlext as mlx

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("sdk-contract")
    (root / "root").mkdir()
    running = Server(root / "ws", root / "root")
    yield running
    running.stop()


@pytest.fixture(params=["folder", "http"])
def where(request, tmp_path, monkeypatch) -> str:
    if request.param == "folder":
        return str(tmp_path / "ws")
    monkeypatch.setenv("MLEXT_TRACKING_TOKEN", TOKEN)
    return request.getfixturevalue("server").url


@pytest.fixture
def experiment() -> str:
    return f"sdk-{uuid.uuid4().hex[:8]}"


def test_runs_nest_log_and_read_back(where, experiment):
    with mlx.start_run(experiment, name="parent", params={"alpha": 0.5}, workspace=where) as run:
        for step in range(500):
            run.log("loss", 1.0 / (step + 1), step=step)
        run.log("odd", math.nan)
        with run.child("fold-1") as fold:
            fold.log("loss", 2.0)
            with fold.child("inner") as inner:
                inner.log("loss", 3.0)
        run.set_tags(stage="dev")
    assert run.status is mlx.RunStatus.COMPLETED
    assert run.params == {"alpha": "0.5"} and run.tags == {"stage": "dev"}
    assert run.metrics["loss"] == pytest.approx(1 / 500)
    assert math.isnan(run.history("odd").values[0])
    sampled = run.history("loss", max_points=20)
    assert sampled.downsampled and max(sampled.maxs) == 1.0
    (fold_run,) = run.children()
    assert fold_run.name == "fold-1" and [r.name for r in fold_run.children()] == ["inner"]
    assert mlx.get_run(run.id[:10], workspace=where) == run


def test_search_and_experiments(where, experiment):
    for alpha in (0.1, 0.2, 0.3):
        with mlx.start_run(experiment, params={"alpha": alpha}, workspace=where) as run:
            run.log("mse", alpha * 10)
    found = mlx.search_runs(experiment, filter="params.alpha > 0.1", order_by="metrics.mse ASC", workspace=where)
    assert [r.params["alpha"] for r in found] == ["0.2", "0.3"] and found.next_page_token is None
    page = mlx.search_runs(experiment, max_results=2, workspace=where)
    assert len(page) == 2 and page.next_page_token is not None
    counts = {e.name: e.run_count for e in mlx.list_experiments(workspace=where)}
    assert counts[experiment] == 3


def test_artifacts_text_and_figures_round_trip(where, experiment, tmp_path):
    import matplotlib.pyplot as plt

    data = tmp_path / "data"
    data.mkdir()
    (data / "a.bin").write_bytes(b"\x00\x01")
    figure = plt.figure()
    plt.plot([1, 2, 3])
    with mlx.start_run(experiment, workspace=where) as run:
        run.log_artifact(data, "inputs")
        run.log_text("hello", "notes/hello.txt")
        run.log_figure(figure, "plots/line.svg")
    assert [a.path for a in run.list_artifacts()] == ["inputs/a.bin", "notes/hello.txt", "plots/line.svg"]
    run.download_artifacts(None, tmp_path / "out")
    assert (tmp_path / "out" / "notes" / "hello.txt").read_text() == "hello"
    assert (tmp_path / "out" / "plots" / "line.svg").read_bytes().lstrip().startswith(b"<?xml")


def test_a_finished_run_reads_its_log_and_waits_at_once(where, experiment):
    with mlx.start_run(experiment, workspace=where) as run:
        pass
    assert run.wait(timeout=5) is mlx.RunStatus.COMPLETED
    assert run.read_log().complete


def test_refusals_are_the_same_errors(where, experiment):
    with mlx.start_run(experiment, params={"alpha": 1}, workspace=where) as run:
        with pytest.raises(mlx.InvalidInput) as bad:
            run.log("loss", "high")
        assert bad.value.field == "metrics.loss"
        with pytest.raises(mlx.Conflict):
            run.log_params(alpha=2)
    with pytest.raises(mlx.NotFound):
        mlx.get_run("f" * 32, workspace=where)
    with pytest.raises(mlx.NotFound):
        run.history("nothing")
