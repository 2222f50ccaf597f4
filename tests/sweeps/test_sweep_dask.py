"""A sweep whose trials run on a real Dask cluster (`dask scheduler` + 2 workers) dispatched by a real `mlext
server`, driven by `sweep.wait()` here: two trials at once, and Bandit's stop really ends the bad trial's
script on its worker."""

from __future__ import annotations

from mlext_server import Server
from sweep_support import gone, make_project, pids_of

import jupyter_mlext as mlx
from jupyter_mlext.entities import RunStatus, SweepState, TrialState


def test_a_sweep_runs_two_trials_at_once_on_dask_and_stops_the_bad_one(ws, workspace, tmp_path, cluster):
    ws.compute.create_target("cluster", "dask", cluster.address, concurrency=2)
    project = make_project(tmp_path / "root" / "project")
    server = Server(workspace, tmp_path / "root")
    try:
        sweep = mlx.sweep(
            "dask",
            script=str(project / "train.py"),
            args=["--pids", str(project / "pids")],
            space={"quality": mlx.choice(["bad", "good", "fair"])},
            sampling="grid",
            primary_metric="loss",
            max_concurrent=2,
            early_termination=mlx.Bandit(slack_factor=1.5, delay_evaluation=2),
            compute="cluster",
            workspace=str(workspace),
        )
        assert sweep.wait(timeout=240) is SweepState.COMPLETED, cluster.logs()[-2000:]
    finally:
        server.stop()
    bad, good, fair = sweep.trials
    assert (bad.state, good.state, fair.state) == (TrialState.STOPPED, TrialState.COMPLETED, TrialState.COMPLETED)
    runs = [ws.tracking.get_run(t.run_id) for t in (bad, good, fair)]
    assert {run.compute for run in runs} == {"cluster"}
    assert runs[0].status is RunStatus.CANCELED
    assert runs[0].tags["mlext.termination"].startswith("Bandit: loss 1.00")
    (pid,) = pids_of(project, "bad")
    assert gone(pid)
    assert runs[1].started_at < runs[0].ended_at  # bad and good ran side by side on the two workers
    assert sweep.best_run.id == good.run_id
