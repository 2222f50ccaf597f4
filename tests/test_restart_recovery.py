"""Kill -9 the server with 3 runs running and 2 queued, start it again: nothing is lost and nothing runs twice."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from jupyter_mlext.compute.submit import submit
from jupyter_mlext.models import RunStatus
from jupyter_mlext.store.compute import ComputeStore

REPO = Path(__file__).resolve().parents[1]
TOKEN = "restart-test-token"

SCRIPT = textwrap.dedent("""
    import os, sys, time
    marker, release = sys.argv[1], sys.argv[2]
    with open(marker, "a") as f:
        f.write(os.environ["MLEXT_RUN_ID"] + "\\n")
    while not os.path.exists(release):
        time.sleep(0.05)
""")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mlext server` as its own process, the way a user runs it headless."""

    def __init__(self, workspace: Path, root: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", "import sys; from jupyter_mlext.cli import main; sys.exit(main())", "server",
             "--workspace", str(workspace), f"--ServerApp.port={self.port}", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={root}", "--MLExtApp.local_concurrency=3", "--MLExtApp.dispatch_interval=0.2",
             "--allow-root"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while not self.healthy():
            assert self.process.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)

    def healthy(self) -> bool:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/mlext/api/health",
                                         headers={"Authorization": f"token {TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return json.load(response)["status"] == "ok"
        except OSError:
            return False

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def _wait(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in time"
        time.sleep(0.1)


@pytest.mark.timeout(180)
def test_restart_follows_live_runs_fails_lost_ones_and_starts_queued_ones_once(store, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "hold.py").write_text(SCRIPT)
    marker, release = tmp_path / "executions.txt", tmp_path / "release"
    run_ids = [submit(store, project / "hold.py", [str(marker), str(release)], experiment="recovery").id
               for _ in range(5)]
    statuses = lambda: [store.get_run(run_id).status for run_id in run_ids]  # noqa: E731

    server = Server(store.paths.root, tmp_path)
    try:
        _wait(lambda: statuses().count(RunStatus.RUNNING) == 3 and len(marker.read_text().split()) == 3
              if marker.exists() else False, what="3 runs running")
        assert statuses().count(RunStatus.QUEUED) == 2
        server.kill()

        running = [run_id for run_id, s in zip(run_ids, statuses()) if s is RunStatus.RUNNING]
        lost = ComputeStore(store).get_job(running[0])
        psutil.Process(lost.pid).kill()  # its runner dies while no server watches; its script dies with it
        _wait(lambda: not psutil.pid_exists(lost.pid) or psutil.Process(lost.pid).status() == "zombie",
              what="runner gone")

        server = Server(store.paths.root, tmp_path)
        _wait(lambda: store.get_run(running[0]).status is RunStatus.FAILED, what="lost run marked Failed")
        release.touch()
        _wait(lambda: all(s.is_terminal for s in statuses()), what="all runs ended")
    finally:
        release.touch()
        server.kill()

    final = {run_id: store.get_run(run_id) for run_id in run_ids}
    assert "is gone" in final[running[0]].error
    assert [run_id for run_id in run_ids if final[run_id].status is RunStatus.COMPLETED] == \
        [run_id for run_id in run_ids if run_id != running[0]]
    executions = marker.read_text().split()
    assert sorted(executions) == sorted(run_ids), "every run executed exactly once"
