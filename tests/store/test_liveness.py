"""A run whose process is gone is marked Failed ("process lost") by whoever opens the workspace next; a run whose
process lives, or that has no owner process, is never touched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from jupyter_mlext.compute.dispatcher import Dispatcher
from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.compute.submit import submit
from jupyter_mlext.entities import RunStatus, TargetKind
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.liveness import ProcessOwner, this_process

REPO = Path(__file__).resolve().parents[2]

OWNER = textwrap.dedent("""
    import sys, time, jupyter_mlext as mlx
    run = mlx.start_run("liveness", name="owned")
    run.log("loss", 1.0)
    run.flush()
    print(run.id, flush=True)
    time.sleep(600)
""")


def wait_until(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in time"
        time.sleep(0.05)


@pytest.fixture
def owner_process(workspace):
    """Start a Python process that starts a run with the SDK and sleeps; yields (process, run id)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    env.update(MLEXT_WORKSPACE=str(workspace), PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", OWNER], env=env, stdout=subprocess.PIPE, text=True)
    try:
        yield child, child.stdout.readline().strip()
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def test_a_killed_processs_run_is_failed_by_the_next_opener_and_the_change_is_an_event(workspace, owner_process):
    child, run_id = owner_process
    with Workspace(workspace) as ws:
        run = ws.tracking.get_run(run_id)
        assert run.status is RunStatus.RUNNING, "a live owner's run is left alone"
        child.kill()  # SIGKILL: no exit hook ends the run
        child.wait()
    with Workspace(workspace) as ws:
        run = ws.tracking.get_run(run_id)
        assert run.status is RunStatus.FAILED
        assert run.error == f"process lost (pid {child.pid} on {socket.gethostname()} exited without ending the run)"
        assert run.metrics["loss"].last == 1.0
        status_events = [e.data for e in ws.events.since(0) if e.kind == "status" and e.run_id == run_id]
        assert status_events == [{"status": "Failed", "previous": "Running"}]


def test_a_live_processs_run_stays_running(workspace, owner_process):
    _, run_id = owner_process
    for _ in range(3):
        with Workspace(workspace) as ws:
            assert ws.liveness.reconcile(grace_s=0) == []
            assert ws.tracking.get_run(run_id).status is RunStatus.RUNNING


def test_a_recycled_pid_does_not_keep_a_run_alive(ws):
    """A live process with the recorded pid but another start time is not the run's owner."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        started = psutil.Process(other.pid).create_time()
        run = ws.tracking.create_run("liveness")
        ws.liveness.own(run.id, ProcessOwner(socket.gethostname(), other.pid, started - 3600))
        same = ws.tracking.create_run("liveness")
        ws.liveness.own(same.id, ProcessOwner(socket.gethostname(), other.pid, started))

        assert ws.liveness.reconcile() == [run.id]
        assert "process lost" in ws.tracking.get_run(run.id).error
        assert ws.tracking.get_run(same.id).status is RunStatus.RUNNING
    finally:
        other.kill()
        other.wait()


def test_a_run_owned_on_another_host_is_failed_only_after_the_grace_period(ws):
    run = ws.tracking.create_run("liveness")
    ws.liveness.own(run.id, ProcessOwner("elsewhere.invalid", 4242, time.time()))
    owned_at = time.time()

    assert ws.liveness.reconcile(grace_s=60) == []
    assert ws.tracking.get_run(run.id).status is RunStatus.RUNNING

    wait_until(lambda: time.time() - owned_at > 0.5, what="the heartbeat to age")
    ws.liveness.beat([run.id])  # a beat starts the grace period again
    assert ws.liveness.reconcile(grace_s=0.5) == []

    wait_until(lambda: ws.liveness.reconcile(grace_s=0.5) == [run.id], what="the silent run to be failed")
    info = ws.tracking.get_run(run.id)
    assert info.status is RunStatus.FAILED
    assert info.error.startswith("process lost (pid 4242 on elsewhere.invalid sent no heartbeat for")


def test_runs_without_an_owner_process_are_never_failed(ws, tmp_path):
    """Queued runs wait for a dispatcher, and runs made over REST or by a pipeline have no owner here; a runner on
    another host that never beats (a Dask task over HTTP) is left to its dispatcher."""
    (tmp_path / "train.py").write_text("print('hi')\n")
    queued = submit(ws, tmp_path / "train.py", experiment="liveness")
    unowned = ws.tracking.create_run("liveness")
    remote = submit(ws, tmp_path / "train.py", experiment="liveness")
    assert ws.compute.claim(remote.id, "attempt-1")
    ws.compute.record_process(remote.id, "attempt-1", "elsewhere.invalid", 4242, time.time() - 3600)

    assert ws.liveness.reconcile(grace_s=0) == []
    assert [ws.tracking.get_run(r.id).status for r in (queued, unowned, remote)] == [
        RunStatus.QUEUED,
        RunStatus.RUNNING,
        RunStatus.PREPARING,
    ]


def test_an_ended_run_keeps_its_outcome(ws):
    run = ws.tracking.create_run("liveness")
    ws.liveness.own(run.id, ProcessOwner(socket.gethostname(), 2**22 + 1, time.time()))  # no such pid
    ws.tracking.set_status(run.id, RunStatus.COMPLETED)
    assert ws.liveness.reconcile() == []
    assert ws.tracking.get_run(run.id).status is RunStatus.COMPLETED


def test_the_owner_of_an_sdk_run_is_this_process_and_it_beats(ws):
    run = ws.tracking.create_run("liveness")
    ws.liveness.own(run.id)
    with ws.db.read() as conn:
        host, pid, started, beat = conn.execute(
            "SELECT host, pid, pid_started_at, beat_at FROM runs WHERE id = ?", (run.id,)
        ).fetchone()
    me = this_process()
    assert (host, pid, started) == (me.host, me.pid, me.started_at) and beat is not None
    assert ws.liveness.reconcile(grace_s=0) == []


@pytest.mark.timeout(120)
def test_a_submitted_run_whose_supervisor_is_killed_while_no_dispatcher_runs_is_failed_on_open(workspace, tmp_path):
    (tmp_path / "hold.py").write_text("import time\nprint('started', flush=True)\ntime.sleep(600)\n")
    with Workspace(workspace) as ws:
        run = submit(ws, tmp_path / "hold.py", experiment="liveness")
        backend = LocalBackend(ws)
        dispatcher = Dispatcher(ws, {TargetKind.LOCAL: backend})
        assert dispatcher.tick() == [run.id]
        wait_until(lambda: ws.tracking.get_run(run.id).status is RunStatus.RUNNING, what="the run to start")
        supervisor = ws.compute.get_job(run.id).pid
        os.kill(supervisor, 9)
        wait_until(lambda: not psutil.pid_exists(supervisor) or psutil.Process(supervisor).status() == "zombie")
        backend.close()  # reaps it; no dispatcher looks at the run any more
    with Workspace(workspace) as ws:
        info = ws.tracking.get_run(run.id)
    assert info.status is RunStatus.FAILED
    assert info.error == f"process lost (pid {supervisor} on {socket.gethostname()} exited without ending the run)"
