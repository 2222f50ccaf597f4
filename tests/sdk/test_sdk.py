"""The Python SDK as a user's script sees it: run lifecycle, nesting, buffered logging, artifacts, search."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import jupyter_mlext as mlx  # noqa: E402
from jupyter_mlext.store import Workspace  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _python(code: str, workspace: Path, **env: str) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    environment = {**inherited, "MLEXT_WORKSPACE": str(workspace), "PYTHONPATH": str(REPO), **env}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=environment, capture_output=True, text=True, timeout=120
    )


def test_context_manager_completes_and_records_everything(workspace):
    with mlx.start_run("exp", name="fit", params={"alpha": 0.1}, tags={"team": "ml"}, workspace=workspace) as run:
        assert mlx.active_run() == run
        for step in range(5):
            run.log("loss", 1.0 / (step + 1))
        run.log("lr", 0.01, step=10, timestamp=1_700_000_000.0)
        run.log_params(batch=32)
        run.set_tags(stage="dev")
    assert mlx.active_run() is None

    stored = mlx.get_run(run.id[:8], workspace=workspace)
    assert stored.status is mlx.RunStatus.COMPLETED
    assert stored.params == {"alpha": "0.1", "batch": "32"} and stored.tags == {"team": "ml", "stage": "dev"}
    assert stored.history("loss").values == [1.0, 0.5, 1 / 3, 0.25, 0.2]
    lr = stored.history("lr")
    assert (lr.steps, lr.timestamps) == ([10], [1_700_000_000.0])
    assert stored.info.user and stored.info.source_type == "script"


def test_exception_fails_the_run_with_its_traceback_and_propagates(workspace):
    with pytest.raises(ZeroDivisionError):
        with mlx.start_run("exp", workspace=workspace) as run:
            run.log("x", 1.0)
            1 / 0
    info = run.info
    assert info.status is mlx.RunStatus.FAILED
    assert "ZeroDivisionError" in info.error and "Traceback" in info.error
    assert run.metrics == {"x": 1.0}


def test_keyboard_interrupt_cancels_the_run(workspace):
    with pytest.raises(KeyboardInterrupt):
        with mlx.start_run("exp", workspace=workspace) as run:
            raise KeyboardInterrupt
    assert run.status is mlx.RunStatus.CANCELED


def test_child_runs_nest_to_any_depth(workspace):
    with mlx.start_run("cv", name="outer", workspace=workspace) as outer:
        with outer.child("fold-1") as fold:
            with fold.child("epoch-1", params={"epoch": 1}) as epoch:
                epoch.log("acc", 0.9)
                assert mlx.active_run() == epoch
        with outer.child("fold-2"):
            pass
    assert [c.name for c in outer.children()] == ["fold-1", "fold-2"]
    assert outer.children()[0].children() == [epoch]
    assert epoch.info.parent_id == fold.id and fold.info.parent_id == outer.id
    assert {r.status for r in (outer, fold, epoch)} == {mlx.RunStatus.COMPLETED}


def test_module_level_log_goes_to_the_active_run(workspace):
    with mlx.start_run("exp", workspace=workspace) as run:
        mlx.log("score", 7.0)
    assert run.metrics == {"score": 7.0}


def test_logged_points_are_committed_by_the_background_writer_within_200_ms(workspace):
    run = mlx.start_run("exp", workspace=workspace)
    reader = Workspace(workspace)
    try:
        started = time.monotonic()
        run.log("loss", 0.5)
        assert reader.tracking.get_run(run.id).metrics == {}  # buffered, not yet committed by log() itself
        while "loss" not in reader.tracking.get_run(run.id).metrics:
            assert time.monotonic() - started < 0.2, "point not committed within 200 ms"
            time.sleep(0.005)
    finally:
        reader.close()
        run.end()


def test_bad_values_raise_at_the_callers_line_naming_the_field(workspace):
    with mlx.start_run("exp", workspace=workspace) as run:
        with pytest.raises(mlx.InvalidInput, match="metrics.loss") as raised:
            run.log("loss", "0.5")
        assert raised.value.field == "metrics.loss"
        with pytest.raises(mlx.InvalidInput, match="each point must be") as raised:
            run.log_batch([("loss",)])
        assert raised.value.field == "points"
        with pytest.raises(mlx.Conflict):
            run.log_params(a=1)
            run.log_params(a=2)
        with pytest.raises(mlx.InvalidInput, match="'..'"):
            run.log_text("x", "../../outside.txt")
        run.log("loss", 0.25)
    assert run.history("loss").values == [0.25]
    assert not (workspace.parent / "outside.txt").exists()


def test_artifacts_text_figure_file_and_folder(workspace, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.csv").write_text("x,y\n1,2\n")
    (tmp_path / "single.txt").write_text("one")
    figure, axes = plt.subplots()
    axes.plot([1, 2, 3])
    with mlx.start_run("exp", workspace=workspace) as run:
        run.log_artifact(tmp_path / "data")
        run.log_artifact(tmp_path / "single.txt", name="docs/single.txt")
        run.log_text("# notes", "notes.md")
        run.log_figure(figure, "plots/curve.png")
        run.log_figure(figure, "plots/curve.svg")
    plt.close(figure)

    listed = {a.path: a for a in run.list_artifacts()}
    assert set(listed) == {"data/a.csv", "docs/single.txt", "notes.md", "plots/curve.png", "plots/curve.svg"}
    out = tmp_path / "out"
    run.download_artifacts("plots", out)
    assert (out / "plots" / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "plots" / "curve.svg").read_bytes()[:500]


def test_search_runs_and_list_experiments(workspace):
    for alpha in (0.1, 0.2, 0.3, 0.4):
        with mlx.start_run("sweep", params={"alpha": alpha}, workspace=workspace) as run:
            run.log("mse", 10 * alpha)
    with mlx.start_run("other", workspace=workspace):
        pass

    best = mlx.search_runs(
        "sweep", "params.alpha >= 0.2", order_by="metrics.mse ASC", max_results=2, workspace=workspace
    )
    assert [r.params["alpha"] for r in best] == ["0.2", "0.3"] and best.next_page_token
    rest = mlx.search_runs(
        "sweep",
        "params.alpha >= 0.2",
        order_by="metrics.mse ASC",
        max_results=2,
        page_token=best.next_page_token,
        workspace=workspace,
    )
    assert [r.params["alpha"] for r in rest] == ["0.4"] and rest.next_page_token is None
    assert {(e.name, e.run_count) for e in mlx.list_experiments(workspace)} == {("sweep", 4), ("other", 1)}


def test_get_context_outside_a_submission_is_one_run_ended_at_exit(workspace):
    done = _python(
        """
        import jupyter_mlext as mlx
        run = mlx.Run.get_context()
        assert mlx.Run.get_context() is run
        for i in range(1000):
            mlx.log("loss", 1.0 / (i + 1))
        print(run.id)
    """,
        workspace,
        MLEXT_EXPERIMENT="offline",
    )
    assert done.returncode == 0, done.stderr
    failed = _python(
        """
        import jupyter_mlext as mlx
        run = mlx.Run.get_context()
        run.log("loss", 1.0)
        raise RuntimeError("boom in training")
    """,
        workspace,
    )
    assert failed.returncode == 1 and "boom in training" in failed.stderr

    ws = Workspace(workspace)
    try:
        ok = ws.tracking.get_run(done.stdout.strip())
        assert (ok.experiment, ok.status) == ("offline", mlx.RunStatus.COMPLETED)
        assert ws.tracking.metric_history(ok.id, "loss").total_points == 1000  # every buffered point flushed at exit
        bad = ws.tracking.search_runs("Default").runs
        assert len(bad) == 1 and bad[0].status is mlx.RunStatus.FAILED and "boom in training" in bad[0].error
        assert bad[0].metrics["loss"].last == 1.0
    finally:
        ws.close()


def test_a_run_read_in_the_main_thread_is_still_ended_at_exit(workspace):
    """The main thread's read connection must outlive the exit hook that ends the run."""
    done = _python(
        """
        import jupyter_mlext as mlx
        run = mlx.start_run("exit")
        assert run.info.status is mlx.RunStatus.RUNNING
        print(run.id)
    """,
        workspace,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    with Workspace(workspace) as ws:
        assert ws.tracking.get_run(done.stdout.strip()).status is mlx.RunStatus.COMPLETED


def test_get_context_inside_a_submission_returns_that_run_and_leaves_its_status(workspace):
    ws = Workspace(workspace)
    submitted = ws.tracking.create_run("jobs", name="submitted")
    done = _python(
        """
        import json, jupyter_mlext as mlx
        run = mlx.Run.get_context()
        run.log("epoch", 1.0)
        print(json.dumps({"id": run.id}))
    """,
        workspace,
        MLEXT_RUN_ID=submitted.id,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == submitted.id
    info = ws.tracking.get_run(submitted.id)
    ws.close()
    assert info.status is mlx.RunStatus.RUNNING  # the dispatcher that owns it decides
    assert info.metrics["epoch"].last == 1.0
