"""Kill -9 the server with 3 runs running and 2 queued, start it again: nothing is lost and nothing runs twice."""

from __future__ import annotations

import textwrap

import psutil
import pytest
from mlext_server import Server, wait_until

from jupyter_mlext.compute.submit import submit
from jupyter_mlext.entities import RunStatus

SCRIPT = textwrap.dedent("""
    import os, sys, time
    marker, release = sys.argv[1], sys.argv[2]
    with open(marker, "a") as f:
        f.write(os.environ["MLEXT_RUN_ID"] + "\\n")
    while not os.path.exists(release):
        time.sleep(0.05)
""")


@pytest.mark.timeout(180)
def test_restart_follows_live_runs_fails_lost_ones_and_starts_queued_ones_once(ws, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "hold.py").write_text(SCRIPT)
    marker, release = tmp_path / "executions.txt", tmp_path / "release"
    run_ids = [submit(ws, project / "hold.py", [str(marker), str(release)], experiment="recovery").id for _ in range(5)]
    statuses = lambda: [ws.tracking.get_run(run_id).status for run_id in run_ids]  # noqa: E731

    server = Server(ws.root, tmp_path, "--MLExtApp.local_concurrency=3")
    try:
        wait_until(
            lambda: (
                statuses().count(RunStatus.RUNNING) == 3 and len(marker.read_text().split()) == 3
                if marker.exists()
                else False
            ),
            what="3 runs running",
        )
        assert statuses().count(RunStatus.QUEUED) == 2
        server.kill()

        running = [run_id for run_id, s in zip(run_ids, statuses()) if s is RunStatus.RUNNING]
        lost = ws.compute.get_job(running[0])
        psutil.Process(lost.pid).kill()  # its runner dies while no server watches; its script dies with it
        wait_until(
            lambda: not psutil.pid_exists(lost.pid) or psutil.Process(lost.pid).status() == "zombie", what="runner gone"
        )

        server = Server(ws.root, tmp_path, "--MLExtApp.local_concurrency=3")
        wait_until(lambda: ws.tracking.get_run(running[0]).status is RunStatus.FAILED, what="lost run marked Failed")
        release.touch()
        wait_until(lambda: all(s.is_terminal for s in statuses()), what="all runs ended")
    finally:
        release.touch()
        server.kill()

    final = {run_id: ws.tracking.get_run(run_id) for run_id in run_ids}
    assert final[running[0]].error.startswith("process lost")  # found by the restarted server as it opens the workspace
    assert [run_id for run_id in run_ids if final[run_id].status is RunStatus.COMPLETED] == [
        run_id for run_id in run_ids if run_id != running[0]
    ]
    executions = marker.read_text().split()
    assert sorted(executions) == sorted(run_ids), "every run executed exactly once"
