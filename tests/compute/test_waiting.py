"""No silent waits: a run queued where nothing will start it says so at once (SDK warning, CLI note), a command
waiting on it repeats why, and a dispatcher that cannot start it puts the reason on the run (tag mlext.waiting),
which goes once the run starts."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.compute.dispatcher import Dispatcher
from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.compute.submit import submit
from jupyter_mlext.compute.waiting import WaitNotice, why_waiting
from jupyter_mlext.entities import InvalidInput, RunStatus, TargetKind
from jupyter_mlext.sdk.run import NoDispatcherWarning
from jupyter_mlext.store.compute import WAITING_TAG

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture
def script(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "train.py").write_text("print('trained')\n")
    return folder / "train.py"


def agent(workspace: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlext.cli", "agent", "--workspace", str(workspace)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_an_sdk_submission_nothing_will_start_warns_with_the_command_to_run(workspace, script):
    with pytest.warns(NoDispatcherWarning, match=r"nothing dispatches runs of this workspace.*mlext agent"):
        run = mlx.submit(str(script), workspace=str(workspace))
    assert run.status is RunStatus.QUEUED


def test_a_cli_submission_says_it_and_follow_repeats_it_until_a_dispatcher_starts_the_run(workspace, script, capsys):
    assert main(["--workspace", str(workspace), "submit", str(script)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("mlext: note: run ") and "Queued: nothing dispatches" in err and err.count("\n") == 1
    run_id = mlx.search_runs(workspace=str(workspace))[0].id

    follow = subprocess.Popen(
        [sys.executable, "-m", "jupyter_mlext.cli", "--workspace", str(workspace), "runs", "logs", run_id, "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    first_notice = follow.stderr.readline()
    assert "is Queued: nothing dispatches runs" in first_notice and "mlext agent --workspace" in first_notice
    started = agent(workspace)
    try:
        out, rest = follow.communicate(timeout=120)
    finally:
        started.terminate()
        started.wait(timeout=30)
    assert follow.returncode == 0 and "trained" in out
    assert "Queued" not in rest  # once dispatched, nothing more to say


def test_the_notice_repeats_at_its_interval_and_stops_once_a_dispatcher_is_there(ws, script):
    queued = submit(ws, script)
    notice = WaitNotice(ws, queued.id, repeat_s=0.2)
    assert notice.due() is not None
    assert notice.due() is None  # not again before the interval
    time.sleep(0.25)
    assert notice.due() is not None
    ws.daemons.beat("test", "agent", "here", os.getpid(), [TargetKind.LOCAL], time.time())
    assert why_waiting(ws, "local") is None
    time.sleep(0.25)
    assert notice.due() is None


def test_a_dispatcher_that_cannot_start_a_run_puts_the_reason_on_it(ws, script):
    ws.compute.create_target("cluster", "dask", "tcp://127.0.0.1:1", 1)
    ws.daemons.beat("agent-1", "agent", "here", os.getpid(), [TargetKind.LOCAL], time.time())
    queued = submit(ws, script, compute="cluster")
    local = submit(ws, script)
    dispatcher = Dispatcher(ws, {TargetKind.LOCAL: LocalBackend(ws)})
    try:
        dispatcher.tick()
        reason = ws.tracking.get_run(queued.id).tags[WAITING_TAG]
        assert "do not start dask runs" in reason and "agent (pid" in reason and "mlext server" in reason
        assert WAITING_TAG not in ws.tracking.get_run(local.id).tags  # claimed: started, nothing to explain
        dispatcher.tick()  # the same reason is not written again
        assert ws.tracking.get_run(queued.id).tags[WAITING_TAG] == reason
    finally:
        dispatcher.close()


def test_an_unknown_target_lists_the_known_ones(ws, script):
    ws.compute.create_target("gpu-box", "local", None, 1)
    with pytest.raises(InvalidInput) as caught:
        submit(ws, script, compute="gpu")
    assert caught.value.field == "compute" and "gpu-box, local" in caught.value.message
