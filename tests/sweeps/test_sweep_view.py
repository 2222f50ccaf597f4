"""SweepView on a real sweep: the trial table, the best-so-far chart, and parallel coordinates whose brushes
filter the trials and whose axes reorder."""

from __future__ import annotations

from sweep_support import make_project

import jupyter_mlext as mlx


def test_the_sweep_view_shows_trials_and_brushes_filter_them(ws, tmp_path):
    project = make_project(tmp_path / "project")
    ws.compute.set_concurrency("local", 2)
    sweep = mlx.sweep(
        "view",
        script=str(project / "train.py"),
        space={"x": mlx.choice([0.1, 0.3, 0.9]), "quality": mlx.choice(["good"])},
        sampling="grid",
        primary_metric="loss",
        max_concurrent=2,
        workspace=str(ws.root),
    )
    sweep.wait(timeout=240)
    view = mlx.SweepView(sweep, follow=False)
    assert "Completed" in view.status.value and "3/3 trials" in view.status.value
    assert all(f"x={x}" in view.table.value for x in (0.1, 0.3, 0.9))
    assert bytes(view.best.value).startswith(b"\x89PNG")
    assert view.selected() == [True, True, True]
    drawn = view.parallel.value
    view.sliders["x"].value = (0.0, 0.5)  # brush: only x ≤ 0.5
    assert view.selected() == [True, True, False]
    assert view.parallel.value != drawn
    brushed = view.parallel.value
    view.axes.value = ["loss", "x", "quality"]  # reorder the axes
    assert view.parallel.value != brushed
    view.close()
