"""The tracking store's contract (jupyter_mlext/store/base.py), one suite run against both implementations: the
workspace's SQLite store and the REST store talking to a live `mlext server`. A method one of them lacks, or an
answer that differs, fails here."""

from __future__ import annotations

import io
import math
import uuid

import pytest
from mlext_server import TOKEN, Server

from jupyter_mlext.entities import Conflict, InvalidInput, NotFound, RunStatus
from jupyter_mlext.store import RestTracking, TrackingStore, Workspace


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("contract")
    (root / "root").mkdir()
    running = Server(root / "ws", root / "root")
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "rest"])
def store(request, tmp_path):
    if request.param == "sqlite":
        workspace = Workspace(tmp_path / "ws")
        yield workspace.tracking
        workspace.close()
    else:
        rest = RestTracking(request.getfixturevalue("server").url, TOKEN)
        yield rest
        rest.close()


@pytest.fixture
def experiment() -> str:
    """A name of its own for each test: the REST store's server is shared by the module."""
    return f"contract-{uuid.uuid4().hex[:8]}"


def test_a_run_is_created_with_its_params_and_tags_and_read_back(store: TrackingStore, experiment):
    run = store.create_run(
        experiment,
        name="first",
        params={"alpha": 0.1, "layers": 3},
        tags={"team": "a"},
        source_type="script",
        source_name="train.py",
        git_commit="abc123",
        user="ann",
    )
    assert (run.experiment, run.name, run.status) == (experiment, "first", RunStatus.RUNNING)
    assert run.params == {"alpha": "0.1", "layers": "3"} and run.tags == {"team": "a"}
    assert (run.source_type, run.source_name, run.git_commit, run.user) == ("script", "train.py", "abc123", "ann")
    assert store.get_run(run.id) == run
    assert store.resolve_run_id(run.id[:8]) == run.id
    assert store.get_experiment(experiment).run_count == 1
    assert experiment in {e.name for e in store.list_experiments()}


def test_params_are_immutable_and_tags_change(store: TrackingStore, experiment):
    run = store.create_run(experiment, params={"alpha": 0.1})
    store.log_params(run.id, {"alpha": 0.1, "beta": "x"})
    with pytest.raises(Conflict) as changed:
        store.log_params(run.id, {"alpha": 0.2})
    assert changed.value.field == "params.alpha"
    store.set_tags(run.id, {"stage": "dev"})
    store.set_tags(run.id, {"stage": "prod"})
    info = store.get_run(run.id)
    assert info.params == {"alpha": "0.1", "beta": "x"} and info.tags == {"stage": "prod"}


def test_status_moves_forward_only(store: TrackingStore, experiment):
    run = store.create_run(experiment)
    ended = store.set_status(run.id, RunStatus.FAILED, error="boom")
    assert ended.status is RunStatus.FAILED and ended.error == "boom" and ended.ended_at is not None
    with pytest.raises(Conflict):
        store.set_status(run.id, "Running")
    with pytest.raises(InvalidInput):
        store.set_status(run.id, "Sleeping")


def test_metrics_history_downsampling_and_non_finite_values(store: TrackingStore, experiment):
    run = store.create_run(experiment)
    assert store.log_metrics(run.id, [("loss", 1.0 / (step + 1), step, None) for step in range(1000)]) == 1000
    store.log_metrics(run.id, [("odd", math.nan, 0, None), ("odd", math.inf, 1, None), ("odd", -math.inf, 2, None)])
    full = store.metric_history(run.id, "loss")
    assert full.steps == list(range(1000)) and not full.downsampled and full.total_points == 1000
    sampled = store.metric_history(run.id, "loss", max_points=10)
    assert sampled.downsampled and len(sampled.steps) <= 10 and max(sampled.maxs) == 1.0
    odd = store.metric_history(run.id, "odd").values
    assert math.isnan(odd[0]) and odd[1:] == [math.inf, -math.inf]
    summary = store.get_run(run.id).metrics["loss"]
    assert (summary.last, summary.min, summary.max, summary.count) == (1 / 1000, 1 / 1000, 1.0, 1000)
    with pytest.raises(NotFound):
        store.metric_history(run.id, "nothing")
    with pytest.raises(InvalidInput) as bad:
        store.log_metrics(run.id, [("loss", "high", None, None)])
    assert bad.value.field == "metrics.loss"


def test_search_filters_orders_pages_and_finds_children(store: TrackingStore, experiment):
    parent = store.create_run(experiment, name="sweep")
    for alpha in (0.1, 0.2, 0.3):
        child = store.create_run(experiment, name=f"a{alpha}", parent_id=parent.id, params={"alpha": alpha})
        store.log_metrics(child.id, [("mse", alpha * 10, 0, None)])
    found = store.search_runs(experiment, filter="params.alpha >= 0.2", order_by="metrics.mse DESC")
    assert [r.name for r in found.runs] == ["a0.3", "a0.2"] and found.next_page_token is None
    first = store.search_runs(experiment, order_by=["name ASC"], max_results=2)
    rest = store.search_runs(experiment, order_by=["name ASC"], max_results=2, page_token=first.next_page_token)
    assert [r.name for r in first.runs + rest.runs] == ["a0.1", "a0.2", "a0.3", "sweep"]
    assert [r.name for r in store.children(parent.id)] == ["a0.1", "a0.2", "a0.3"]
    with pytest.raises(InvalidInput) as malformed:
        store.search_runs(experiment, filter="metrics.mse <")
    assert malformed.value.field == "filter"
    with pytest.raises(NotFound):
        store.search_runs(f"{experiment}-missing")


def test_artifacts_are_stored_listed_and_downloaded(store: TrackingStore, experiment, tmp_path):
    run = store.create_run(experiment)
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(bytes(range(256)))
    (folder / "sub" / "notes.txt").write_text("fine")
    store.log_artifact(run.id, folder)
    text = store.write_artifact(run.id, "report/summary.txt", b"done")
    assert text.size == 4 and len(text.sha256) == 64
    assert [a.path for a in store.list_artifacts(run.id)] == [
        "model/sub/notes.txt",
        "model/weights.bin",
        "report/summary.txt",
    ]
    assert [a.path for a in store.list_artifacts(run.id, "model/sub")] == ["model/sub/notes.txt"]
    copied = io.BytesIO()
    store.copy_artifact(run.id, "model/weights.bin", copied)
    assert copied.getvalue() == bytes(range(256))
    written = store.download_artifacts(run.id, "model", tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "model/sub/notes.txt",
        "model/weights.bin",
    ]
    assert (tmp_path / "out" / "model" / "sub" / "notes.txt").read_text() == "fine"
    with pytest.raises(InvalidInput):
        store.write_artifact(run.id, "../escape.txt", b"x")
    with pytest.raises(NotFound):
        store.download_artifacts(run.id, "missing", tmp_path / "none")


def test_a_log_is_read_in_chunks_and_followed_to_its_end(store: TrackingStore, experiment):
    run = store.create_run(experiment)
    empty = store.read_log(run.id)
    assert (empty.text, empty.size, empty.complete) == ("", 0, False)
    store.set_status(run.id, RunStatus.COMPLETED)
    followed = list(store.follow_log(run.id, poll_s=0.01))
    assert followed[-1].complete and "".join(chunk.text for chunk in followed) == ""


def test_unknown_runs_are_not_found_everywhere(store: TrackingStore):
    missing = "f" * 32
    for call in (
        lambda: store.get_run(missing),
        lambda: store.log_params(missing, {"a": 1}),
        lambda: store.set_tags(missing, {"a": 1}),
        lambda: store.list_artifacts(missing),
        lambda: store.write_metrics({missing: [("x", 1.0, 0, 0.0)]}),
        lambda: store.read_log(missing),
    ):
        with pytest.raises(NotFound) as caught:
            call()
        assert caught.value.field == "run_id"
    with pytest.raises(InvalidInput):
        store.resolve_run_id("abc")
