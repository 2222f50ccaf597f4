"""The tracking store: runs, params, tags, metrics, search, history downsampling, artifacts, and refused input."""

from __future__ import annotations

import math
import sqlite3

import pytest

from jupyter_mlext.entities import Conflict, InvalidInput, NotFound, RunStatus
from jupyter_mlext.store.search import FilterSyntaxError


def _row_counts(ws) -> dict[str, int]:
    conn = sqlite3.connect(ws.paths.database)
    tables = ["experiments", "runs", "params", "tags", "metric_series", "metric_points", "artifacts"]
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


@pytest.fixture
def seeded(ws):
    """Six runs over two experiments with numeric and text params, tags and metrics."""
    runs = {}
    for i in range(6):
        experiment = "alpha" if i < 4 else "beta"
        info = ws.tracking.create_run(
            experiment,
            name=f"run-{i}",
            params={"lr": 0.1 * (i + 1), "opt": "adam" if i % 2 else "sgd"},
            tags={"team": f"t{i % 3}"},
        )
        ws.tracking.log_metrics(info.id, [("loss", 1.0 / (i + 1), None, None), ("acc", i / 10, None, None)])
        ws.tracking.set_status(info.id, RunStatus.COMPLETED if i != 5 else RunStatus.FAILED)
        runs[info.name] = info.id
    return runs


def _names(page) -> list[str]:
    return [run.name for run in page.runs]


def test_run_records_params_tags_metric_summary_and_timings(ws):
    info = ws.tracking.create_run(
        "exp",
        name="first",
        params={"alpha": 0.5},
        tags={"kind": "baseline"},
        user="ann",
        source_type="script",
        source_name="train.py",
        git_commit="abc123",
    )
    ws.tracking.log_metrics(info.id, [("mse", 3.0, 0, 10.0), ("mse", 1.0, 1, 11.0), ("mse", 2.0, 2, 12.0)])
    ws.tracking.set_status(info.id, RunStatus.COMPLETED)

    run = ws.tracking.get_run(info.id)
    assert (run.experiment, run.name, run.status, run.user, run.source_name, run.git_commit) == (
        "exp",
        "first",
        RunStatus.COMPLETED,
        "ann",
        "train.py",
        "abc123",
    )
    assert run.params == {"alpha": "0.5"} and run.tags == {"kind": "baseline"}
    summary = run.metrics["mse"]
    assert (summary.last, summary.min, summary.max, summary.last_step, summary.count) == (2.0, 1.0, 3.0, 2, 3)
    assert run.ended_at >= run.started_at and run.duration is not None
    assert ws.tracking.resolve_run_id(info.id[:6]) == info.id


def test_default_run_names_count_up_per_experiment(ws):
    names = [ws.tracking.create_run("exp").name for _ in range(3)]
    assert names == ["exp-1", "exp-2", "exp-3"]


def test_status_follows_the_state_machine(ws):
    run_id = ws.tracking.create_run("exp").id
    ws.tracking.set_status(run_id, RunStatus.COMPLETED)
    with pytest.raises(Conflict, match="Completed"):
        ws.tracking.set_status(run_id, RunStatus.RUNNING)
    assert ws.tracking.get_run(run_id).status is RunStatus.COMPLETED


def test_params_are_immutable_and_a_conflicting_batch_writes_nothing(ws):
    run_id = ws.tracking.create_run("exp", params={"alpha": 1}).id
    ws.tracking.log_params(run_id, {"alpha": 1})  # the same value again is fine
    with pytest.raises(Conflict) as raised:
        ws.tracking.log_params(run_id, {"beta": 2, "alpha": 3})
    assert raised.value.field == "params.alpha"
    assert ws.tracking.get_run(run_id).params == {"alpha": "1"}


def test_tags_can_be_overwritten(ws):
    run_id = ws.tracking.create_run("exp", tags={"stage": "dev"}).id
    ws.tracking.set_tags(run_id, {"stage": "prod"})
    assert ws.tracking.get_run(run_id).tags == {"stage": "prod"}


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s, r: s.tracking.log_metrics(r, [("loss", "high", None, None)]), "metrics.loss"),
        (lambda s, r: s.tracking.log_metrics(r, [("loss", 1.0, 1.5, None)]), "metrics.loss step"),
        (lambda s, r: s.tracking.log_metrics(r, [("", 1.0, None, None)]), "metric name"),
        (lambda s, r: s.tracking.log_metrics(r, [("x" * 251, 1.0, None, None)]), "metric name"),
        (lambda s, r: s.tracking.log_metrics(r, [("bad\nname", 1.0, None, None)]), "metric name"),
        (lambda s, r: s.tracking.log_params(r, {"big": "x" * 8193}), "params.big"),
        (lambda s, r: s.tracking.set_tags(r, {"tab\tkey": "v"}), "tags key"),
        (lambda s, r: s.tracking.create_run("", name="x"), "experiment"),
        (lambda s, r: s.tracking.create_run("exp", name="\x00"), "name"),
        (lambda s, r: s.tracking.write_artifact(r, "../escape.txt", b"x"), "name"),
        (lambda s, r: s.tracking.write_artifact(r, "/etc/passwd", b"x"), "name"),
        (lambda s, r: s.tracking.write_artifact(r, "a\\..\\..\\b", b"x"), "name"),
        (lambda s, r: s.tracking.write_artifact(r, "C:/evil", b"x"), "name"),
        (lambda s, r: s.tracking.search_runs(filter="metrics.loss <"), "filter"),
        (lambda s, r: s.tracking.metric_history(r, "loss", max_points=0), "max_points"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(ws, call, field):
    run_id = ws.tracking.create_run("exp", params={"p": 1}).id
    ws.tracking.log_metrics(run_id, [("loss", 1.0, None, None)])
    ws.tracking.write_artifact(run_id, "kept.txt", b"kept")
    before = _row_counts(ws)
    files_before = sorted(
        p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file() and not p.name.startswith("workspace.db")
    )

    with pytest.raises(InvalidInput) as raised:
        call(ws, run_id)

    assert raised.value.field == field
    assert _row_counts(ws) == before
    assert (
        sorted(
            p.relative_to(ws.root) for p in ws.root.rglob("*") if p.is_file() and not p.name.startswith("workspace.db")
        )
        == files_before
    )
    assert ws.tracking.get_run(run_id).metrics["loss"].last == 1.0


def test_a_batch_with_one_bad_point_stores_none_of_it(ws):
    run_id = ws.tracking.create_run("exp").id
    with pytest.raises(InvalidInput):
        ws.tracking.log_metrics(run_id, [("loss", 1.0, None, None), ("loss", object(), None, None)])
    assert ws.tracking.get_run(run_id).metrics == {}


def test_nan_and_infinities_are_stored_and_returned_as_logged(ws):
    run_id = ws.tracking.create_run("exp").id
    ws.tracking.log_metrics(
        run_id,
        [
            ("v", 1.0, None, None),
            ("v", math.nan, None, None),
            ("v", math.inf, None, None),
            ("v", -math.inf, None, None),
        ],
    )
    history = ws.tracking.metric_history(run_id, "v")
    assert history.values[0] == 1.0 and math.isnan(history.values[1])
    assert history.values[2:] == [math.inf, -math.inf]
    assert history.steps == [0, 1, 2, 3]
    summary = ws.tracking.get_run(run_id).metrics["v"]
    assert summary.last == -math.inf and summary.max == math.inf and summary.min == -math.inf
    assert history.to_dict()["values"][1:] == ["NaN", "Infinity", "-Infinity"]


def test_history_downsampling_keeps_each_buckets_min_max_and_last(ws):
    run_id = ws.tracking.create_run("exp").id
    values = [math.sin(i / 50) * 100 + (500 if i == 7_777 else 0) for i in range(20_000)]
    ws.tracking.log_metrics(run_id, [("wave", v, i, float(i)) for i, v in enumerate(values)])

    full = ws.tracking.metric_history(run_id, "wave")
    assert full.total_points == 20_000 and not full.downsampled and full.values == values

    small = ws.tracking.metric_history(run_id, "wave", max_points=100)
    assert small.downsampled and small.total_points == 20_000 and len(small.steps) <= 100
    assert max(small.maxs) == max(values)  # the spike survives downsampling
    assert min(small.mins) == min(values)
    assert small.steps[-1] == 19_999 and small.values[-1] == values[-1]
    for step, last, low, high in zip(small.steps, small.values, small.mins, small.maxs):
        assert values[step] == last and low <= last <= high


def test_search_filter_language(ws, seeded):
    def names(expression: str) -> set[str]:
        return set(_names(ws.tracking.search_runs(filter=expression)))

    assert names("metrics.loss < 0.3 and params.opt = 'adam'") == {"run-3", "run-5"}
    assert names("params.lr > 0.35 and tags.team != 't0'") == {"run-4", "run-5"}
    assert names("status = 'Completed' and (tags.team = 't1' or tags.team = 't2')") == {"run-1", "run-2", "run-4"}
    assert names("experiment = 'beta' or name IN ('run-0')") == {"run-0", "run-4", "run-5"}
    assert names("not status = 'Completed'") == {"run-5"}
    assert names("name LIKE 'run-%' and metrics.acc >= 0.4") == {"run-4", "run-5"}
    assert names("name LIKE 'RUN-%'") == set() and len(names("name ILIKE 'RUN-%'")) == 6
    assert names("metrics.missing > 0") == set()


def test_search_orders_pages_and_scopes_by_experiment(ws, seeded):
    first = ws.tracking.search_runs(order_by=["metrics.loss ASC"], max_results=4)
    assert _names(first) == ["run-5", "run-4", "run-3", "run-2"] and first.next_page_token
    second = ws.tracking.search_runs(order_by=["metrics.loss ASC"], max_results=4, page_token=first.next_page_token)
    assert _names(second) == ["run-1", "run-0"] and second.next_page_token is None
    by_param = ws.tracking.search_runs(experiments="alpha", order_by=["params.opt DESC", "name ASC"])
    assert _names(by_param) == ["run-0", "run-2", "run-1", "run-3"]
    with pytest.raises(NotFound):
        ws.tracking.search_runs(experiments="nope")


@pytest.mark.parametrize(
    ("expression", "position"),
    [
        ("metrics.loss >", 14),
        ("metrics.loss > 1 and", 20),
        ("params.x = 'open", 11),
        ("bogus = 1", 0),
        ("status = 'Sleeping'", 9),
        ("(metrics.a > 1", 14),
        ("metrics.a ~ 1", 10),
    ],
)
def test_malformed_filter_points_at_the_position(ws, expression, position):
    with pytest.raises(FilterSyntaxError) as raised:
        ws.tracking.search_runs(filter=expression)
    assert raised.value.position == position
    assert f"position {position}" in raised.value.message


def test_filter_values_never_reach_sql_text(ws, seeded):
    assert ws.tracking.search_runs(filter="name = 'x'' OR 1=1 --'").runs == []
    assert len(ws.tracking.search_runs().runs) == 6


def test_artifacts_file_folder_listing_and_download(ws, tmp_path):
    run_id = ws.tracking.create_run("exp").id
    folder = tmp_path / "model"
    (folder / "sub").mkdir(parents=True)
    (folder / "weights.bin").write_bytes(b"\x00\x01" * 1000)
    (folder / "sub" / "config.json").write_text('{"a": 1}')
    ws.tracking.log_artifact(run_id, folder)
    ws.tracking.write_artifact(run_id, "notes/readme.txt", b"hello")

    listed = {a.path: a for a in ws.tracking.list_artifacts(run_id)}
    assert set(listed) == {"model/weights.bin", "model/sub/config.json", "notes/readme.txt"}
    assert listed["model/weights.bin"].size == 2000 and len(listed["model/weights.bin"].sha256) == 64
    assert [a.path for a in ws.tracking.list_artifacts(run_id, "model/sub")] == ["model/sub/config.json"]

    written = ws.tracking.download_artifacts(run_id, "model", tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        "model/sub/config.json",
        "model/weights.bin",
    ]
    assert (tmp_path / "out" / "model" / "weights.bin").read_bytes() == b"\x00\x01" * 1000
    with pytest.raises(NotFound):
        ws.tracking.artifact_file(run_id, "missing.txt")


def test_artifact_symlink_out_of_the_run_folder_is_refused(ws, tmp_path):
    run_id = ws.tracking.create_run("exp").id
    ws.tracking.write_artifact(run_id, "data.txt", b"inside")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    stored = ws.tracking.artifact_file(run_id, "data.txt")
    stored.unlink()
    stored.symlink_to(secret)
    with pytest.raises(InvalidInput):
        ws.tracking.artifact_file(run_id, "data.txt")


def test_unknown_runs_are_not_found(ws):
    with pytest.raises(NotFound):
        ws.tracking.get_run("0" * 32)
    with pytest.raises(NotFound):
        ws.tracking.log_metrics("0" * 32, [("loss", 1.0, None, None)])
    with pytest.raises(NotFound):
        ws.tracking.create_run("exp", parent_id="f" * 32)
