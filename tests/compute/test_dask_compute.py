"""Submitted runs on a real Dask cluster (`dask scheduler` and two `dask worker` processes) started by the
dispatcher of a real jupyter server, reporting back to that server over HTTP: metrics, log lines and outputs
arrive; cancel kills the script's whole process group; a killed worker takes its script with it, and the run fails
without ever executing twice."""

from __future__ import annotations

import asyncio
import signal
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from dask_support import DaskCluster

from jupyter_mlext.compute.submit import cancel, submit
from jupyter_mlext.entities import RunStatus

TARGET = "cluster"


async def _until(predicate, timeout: float = 30.0, what: str = "condition"):
    """Poll while the server's event loop (this one) keeps serving the workers' requests."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not reached in {timeout} s"
        await asyncio.sleep(0.05)


def _gone(process: psutil.Process) -> bool:
    """Ended (a zombie has ended too: only its exit status waits for a parent to collect it)."""
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    yield cluster
    cluster.stop()


@pytest.fixture
def target(ws, cluster, jp_serverapp, http_server) -> str:
    """A `dask` compute target on the cluster, in the workspace of a running server whose dispatcher starts runs."""
    ws.compute.create_target(TARGET, "dask", cluster.address, concurrency=4)
    return TARGET


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "train.py").write_text(
        textwrap.dedent("""
        import os, sys
        import jupyter_mlext as mlx
        run = mlx.Run.get_context()
        for i in range(int(sys.argv[1])):
            run.log("loss", 1.0 / (i + 1))
        run.log_params({"seed": sys.argv[2]})
        print("store", type(run._store).__name__, "MLEXT_WORKSPACE" in os.environ)
        print("cwd", os.getcwd())
        for i in range(3):
            print(f"line {i}", flush=True)
        os.makedirs("outputs/model", exist_ok=True)
        with open("outputs/model/weights.bin", "wb") as f:
            f.write(bytes(range(256)) * 8 + sys.argv[2].encode())
        with open("outputs/notes.txt", "w") as f:
            f.write("done")
        print("to stderr", file=sys.stderr)
    """)
    )
    # Appends "<run id> <its pid> [<a child's pid>]" to a file outside the workspace on every execution (with a
    # child process when given --child), then waits.
    (folder / "hold.py").write_text(
        textwrap.dedent("""
        import os, subprocess, sys, time
        pids = [os.getpid()]
        if "--child" in sys.argv:
            pids.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"]).pid)
        with open(sys.argv[1], "a") as f:
            f.write(" ".join([os.environ["MLEXT_RUN_ID"], *map(str, pids)]) + "\\n")
        print("holding", flush=True)
        time.sleep(120)
    """)
    )
    return folder


def _status(ws, run_id: str) -> RunStatus:
    return ws.tracking.get_run(run_id).status


async def _started(marker: Path) -> list[psutil.Process]:
    """The script (and its child), once the script has written its line to `marker`."""
    await _until(lambda: marker.exists() and marker.read_text().endswith("\n"), what="script started")
    return [psutil.Process(int(pid)) for pid in marker.read_text().split()[1:]]


@pytest.mark.timeout(60)
async def test_dask_runs_report_metrics_outputs_and_logs_over_http(ws, target, project, workspace, cluster):
    nannies = {process.pid for process in cluster.processes}
    run_ids = [
        submit(ws, project / "train.py", ["200", f"seed-{i}"], compute=target, experiment="dask").id for i in range(2)
    ]
    await _until(lambda: all(_status(ws, r).is_terminal for r in run_ids), what="runs ended")

    for i, run_id in enumerate(run_ids):
        run = ws.tracking.get_run(run_id)
        text = ws.tracking.read_log(run_id).text
        assert run.status is RunStatus.COMPLETED, f"{run.error}\n{text}"
        assert run.metrics["loss"].count == 200 and run.metrics["loss"].last == pytest.approx(1 / 200)
        assert run.params == {"seed": f"seed-{i}"}
        assert "store RestTracking False" in text  # the script logs over HTTP and sees no workspace
        assert [line for line in text.splitlines() if line.startswith("line")] == ["line 0", "line 1", "line 2"]
        assert "to stderr" in text
        cwd = Path(text.split("cwd ", 1)[1].splitlines()[0])
        assert not cwd.is_relative_to(workspace.resolve())  # a worker's folder, removed once the task returns
        await _until(lambda: not cwd.exists(), what="the worker's folder removed")
        artifacts = {a.path: a for a in ws.tracking.list_artifacts(run_id)}
        assert set(artifacts) == {"outputs/model/weights.bin", "outputs/notes.txt"}
        weights = ws.tracking.artifact_file(run_id, "outputs/model/weights.bin").read_bytes()
        assert weights == bytes(range(256)) * 8 + f"seed-{i}".encode()
        assert artifacts["outputs/model/weights.bin"].size == len(weights)
        job = ws.compute.get_job(run_id)
        assert job.exit_code == 0
        assert psutil.Process(job.pid).ppid() in nannies  # it ran in a worker process of the cluster


@pytest.mark.timeout(60)
async def test_cancel_kills_the_scripts_process_group_on_its_worker(ws, target, project, tmp_path, jp_fetch):
    """Through the server (its dispatcher signals the task through a Dask Event) and from the SDK or CLI
    (`run.cancel()`, `mlext runs cancel`: only the job records it, and the task sees it over HTTP)."""
    markers = [tmp_path / "by-api.txt", tmp_path / "by-sdk.txt"]
    run_ids = [submit(ws, project / "hold.py", [str(marker), "--child"], compute=target).id for marker in markers]
    processes = [await _started(marker) for marker in markers]
    await _until(lambda: all(_status(ws, r) is RunStatus.RUNNING for r in run_ids), what="runs Running")

    await jp_fetch("mlext", "api", "runs", run_ids[0], "cancel", method="POST", body="{}")
    await asyncio.to_thread(cancel, ws, run_ids[1])
    await _until(lambda: all(_status(ws, r).is_terminal for r in run_ids), what="runs ended")

    for run_id, (script, child), marker in zip(run_ids, processes, markers):
        run = ws.tracking.get_run(run_id)
        assert run.status is RunStatus.CANCELED, run.error
        await _until(lambda: _gone(script) and _gone(child), timeout=10, what="the whole group gone")
        assert "holding" in ws.tracking.read_log(run_id).text
        assert marker.read_text().count("\n") == 1


@pytest.mark.timeout(60)
async def test_a_killed_worker_takes_its_script_along_and_the_run_never_executes_twice(
    ws, target, project, tmp_path, cluster
):
    marker = tmp_path / "executions.txt"
    run_id = submit(ws, project / "hold.py", [str(marker)], compute=target).id
    (script,) = await _started(marker)
    job = await _until(lambda: (j := ws.compute.get_job(run_id)).pid and j, what="process recorded")
    worker = psutil.Process(job.pid)
    assert script.ppid() == worker.pid  # the recorded process is the worker that runs the script

    worker.send_signal(signal.SIGKILL)
    await _until(lambda: _gone(script), timeout=10, what="script dead with its worker")
    await _until(lambda: _status(ws, run_id).is_terminal, what="run ended")

    run = ws.tracking.get_run(run_id)
    assert run.status is RunStatus.FAILED and f"pid {worker.pid}" in run.error and "is gone" in run.error
    # The scheduler ran the task again on the other worker; the attempt had a process already, so it was refused
    # before the script started: the script ran exactly once.
    assert "started already" in cluster.logs()
    assert [line.split()[:2] for line in marker.read_text().splitlines()] == [[run_id, str(script.pid)]]
