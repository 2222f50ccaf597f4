"""Several processes logging into one workspace at once: no "database is locked", no lost point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from jupyter_mlext.store import Workspace

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 8
POINTS = 10_000

LOGGER = textwrap.dedent("""
    import sys, jupyter_mlext as mlx
    with mlx.start_run("concurrent", name=f"writer-{sys.argv[1]}") as run:
        for step in range(int(sys.argv[2])):
            run.log("loss", 1.0 / (step + 1))
            if step % 1000 == 0:
                run.set_tags(progress=step)
""")


def test_eight_processes_log_ten_thousand_points_each(workspace):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    env.update(MLEXT_WORKSPACE=str(workspace), PYTHONPATH=str(REPO))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", LOGGER, str(i), str(POINTS)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(PROCESSES)
    ]
    outcomes = [(w.wait(timeout=240), w.stderr.read()) for w in writers]
    for w in writers:
        w.stdout.close()
        w.stderr.close()

    assert [code for code, _ in outcomes] == [0] * PROCESSES, [err for _, err in outcomes]
    assert not any("locked" in err for _, err in outcomes)
    ws = Workspace(workspace)
    try:
        runs = ws.tracking.search_runs("concurrent").runs
        assert sorted(r.name for r in runs) == sorted(f"writer-{i}" for i in range(PROCESSES))
        for run in runs:
            history = ws.tracking.metric_history(run.id, "loss")
            assert history.total_points == POINTS
            assert history.steps == list(range(POINTS))
            assert run.status.value == "Completed" and run.metrics["loss"].count == POINTS
        with ws.db.read() as conn:
            stored = conn.execute(
                "SELECT (SELECT count(*) FROM metric_points) + (SELECT coalesce(sum(count), 0) FROM metric_blocks)"
            ).fetchone()[0]
        assert stored == PROCESSES * POINTS
    finally:
        ws.close()
