"""A pipeline whose steps run on a real Dask cluster (`dask scheduler` + 2 workers), started by the dispatcher of a
real `mlext server`: inputs travel in each step's snapshot (the workers share no folder with the workspace),
outputs come back over HTTP, and a second run reuses every step."""

from __future__ import annotations

from mlext_server import Server
from pipeline_support import child, make_project, states, three_steps

from jupyter_mlext.pipelines.runner import run_pipeline


def test_a_pipeline_runs_on_dask_and_is_reused_the_second_time(ws, workspace, tmp_path, cluster):
    ws.compute.create_target("cluster", "dask", cluster.address, concurrency=2)
    project = make_project(tmp_path / "root" / "project")
    server = Server(workspace, tmp_path / "root")
    try:
        record = run_pipeline(ws, three_steps(project, compute="cluster"), {"alpha": 4.0}, timeout=120)
        assert record.state == "Completed", (record.error, cluster.logs()[-2000:])
        assert {child(ws, record, s).compute for s in ("prep", "train", "evaluate")} == {"cluster"}
        assert child(ws, record, "evaluate").metrics["score"].last == sum(range(10)) * 4.0
        again = run_pipeline(ws, three_steps(project, compute="cluster"), {"alpha": 4.0}, timeout=60)
        assert states(again) == {"prep": "Reused", "train": "Reused", "evaluate": "Reused"}
    finally:
        server.stop()
