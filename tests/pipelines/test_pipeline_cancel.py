"""Canceling a whole pipeline run, whoever drives it: a 3-step chain whose middle step sleeps is canceled while
that step runs — from another thread while `run_pipeline(wait=True)` drives it here, and over REST while a real
`mlext server`'s dispatcher drives it. The sleeping script's process is gone, the steps read Completed / Canceled /
Canceled+NotStarted, the pipeline run is Canceled, canceling again is refused, and a re-run reuses step 1."""

from __future__ import annotations

import json
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

import pytest
from api_support import validate
from mlext_server import Server, wait_until
from pipeline_support import child, states

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.entities import Conflict, NotFound, RunStatus
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.runner import STEP_STATE_TAG, run_pipeline
from jupyter_mlext.pipelines.service import cancel_pipeline_run, publish_pipeline

FIRST = """
import os
os.makedirs("outputs/data", exist_ok=True)
open("outputs/data/numbers.txt", "w").write("1 2 3")
"""

# Writes its pid where the test looks for it, then sleeps for --seconds.
SLEEPY = """
import os, sys, time
seconds = float(sys.argv[sys.argv.index("--seconds") + 1])
pidfile = sys.argv[sys.argv.index("--pidfile") + 1]
open(pidfile + ".tmp", "w").write(str(os.getpid()))
os.replace(pidfile + ".tmp", pidfile)
time.sleep(seconds)
os.makedirs("outputs/model", exist_ok=True)
open("outputs/model/weights.txt", "w").write(open("inputs/data/numbers.txt").read())
"""

LAST = """
print(open("inputs/model/weights.txt").read())
"""


def chain(folder: Path) -> Pipeline:
    """first → sleepy → last; `seconds` is how long the middle step sleeps, `pidfile` where it says its pid."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (("first.py", FIRST), ("sleepy.py", SLEEPY), ("last.py", LAST)):
        (folder / name).write_text(text)
    return Pipeline(
        "chain",
        params={"seconds": 600.0, "pidfile": ""},
        source_dir=folder,
        steps=[
            Step("first", script="first.py", outputs=["data"]),
            Step(
                "sleepy",
                script="sleepy.py",
                inputs={"data": "first.data"},
                outputs=["model"],
                params={"seconds": "${seconds}", "pidfile": "${pidfile}"},
            ),
            Step("last", script="last.py", inputs={"model": "sleepy.model"}),
        ],
    )


def process_gone(pid: int) -> bool:
    """Gone, or a zombie nobody reaped yet (it runs no more either way)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def sleeping_pid(pidfile: Path) -> int:
    wait_until(pidfile.exists, 90, "the middle step to start sleeping")
    pid = int(pidfile.read_text())
    assert not process_gone(pid)
    return pid


def assert_canceled_midway(ws, run_id: str, pid: int) -> None:
    """What a cancel during the middle step leaves behind, in the store and on the machine."""
    record = ws.pipelines.get_run(run_id)
    assert record.state == "Canceled" and ws.tracking.get_run(run_id).status is RunStatus.CANCELED
    assert states(record) == {"first": "Completed", "sleepy": "Canceled", "last": "NotStarted"}
    wait_until(lambda: child(ws, record, "sleepy").status.is_terminal, 60, "the middle step's run to end")
    assert child(ws, record, "first").status is RunStatus.COMPLETED
    assert child(ws, record, "sleepy").status is RunStatus.CANCELED
    last = child(ws, record, "last")
    assert last.status is RunStatus.CANCELED and last.tags[STEP_STATE_TAG] == "NotStarted"
    wait_until(lambda: process_gone(pid), 30, "the sleeping script to be gone")


@pytest.fixture(autouse=True)
def cancel_live_runs_at_the_end(ws):
    """No sleeping step outlives its test, whatever the test's outcome."""
    yield
    cancel_live_runs(ws)


def cancel_live_runs(ws) -> None:
    for record in ws.pipelines.list_runs(state="Running"):
        with suppress(Conflict):
            cancel_pipeline_run(ws, record.run_id)


def test_cancel_from_another_thread_stops_the_run_its_caller_drives_and_a_rerun_reuses_step_one(
    ws, workspace, tmp_path
):
    pipeline = chain(tmp_path / "project")
    pidfile = tmp_path / "sleepy.pid"
    with ThreadPoolExecutor(1) as pool:  # the caller's thread, driving; the test's thread cancels
        driving = pool.submit(run_pipeline, ws, pipeline, {"pidfile": str(pidfile)}, timeout=180)
        try:
            pid = sleeping_pid(pidfile)
            run_id = ws.pipelines.list_runs("chain")[0].run_id
            canceled = mlx.cancel_pipeline_run(run_id[:8], workspace=workspace)
        finally:
            cancel_live_runs(ws)  # should the test fail above, its driver still returns
        driven = driving.result(timeout=60)
    assert canceled.run_id == run_id and canceled.state == "Canceled"
    assert driven.state == "Canceled"  # the caller's run_pipeline returned with the outcome
    assert_canceled_midway(ws, run_id, pid)
    assert ws.tracking.get_run(run_id).error.startswith("canceled by ")

    with pytest.raises(Conflict, match="has already ended"):
        mlx.cancel_pipeline_run(run_id, workspace=workspace)
    with pytest.raises(NotFound):
        cancel_pipeline_run(ws, "0" * 32)
    with pytest.raises(NotFound, match="not a pipeline run"):
        cancel_pipeline_run(ws, ws.tracking.create_run("plain").id)

    rerun = run_pipeline(ws, pipeline, {"pidfile": str(pidfile), "seconds": 0}, timeout=180)
    assert rerun.state == "Completed", rerun.error
    assert states(rerun) == {"first": "Reused", "sleepy": "Completed", "last": "Completed"}
    assert rerun.step("first").produced_by == ws.pipelines.get_run(run_id).step("first").produced_by


def test_a_run_nobody_drives_is_canceled_by_the_cli_itself(ws, workspace, tmp_path, capsys):
    record = run_pipeline(ws, chain(tmp_path / "project"), wait=False)
    assert main(["--workspace", str(workspace), "pipeline", "cancel", record.run_id[:8]]) == 0
    assert f"pipeline run {record.run_id} of chain: Canceled" in capsys.readouterr().out
    canceled = ws.pipelines.get_run(record.run_id)
    assert states(canceled) == {"first": "NotStarted", "sleepy": "NotStarted", "last": "NotStarted"}
    assert ws.tracking.get_run(record.run_id).status is RunStatus.CANCELED

    assert main(["--workspace", str(workspace), "pipeline", "cancel", record.run_id]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "has already ended (Canceled)" in error


@pytest.fixture
def server(workspace, tmp_path, ws):
    root = tmp_path / "root"
    root.mkdir()
    server = Server(workspace, root)
    try:
        yield server
    finally:
        server.stop()


def post(server: Server, path: str) -> tuple[int, dict]:
    try:
        status, _, body = server.request("POST", path, {})
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    return status, json.loads(body)


def test_cancel_over_rest_stops_a_run_the_servers_dispatcher_drives(ws, tmp_path, server):
    publish_pipeline(ws, chain(tmp_path / "project"))
    pidfile = tmp_path / "rest.pid"
    status, _, body = server.request("POST", "/pipelines/chain/runs", {"params": {"pidfile": str(pidfile)}})
    run_id = json.loads(body)["run_id"]
    pid = sleeping_pid(pidfile)

    status, canceled = post(server, f"/pipeline-runs/{run_id}/cancel")
    assert status == 200, canceled
    validate("components/schemas/PipelineRun", canceled)
    assert (canceled["state"], canceled["status"]) == ("Canceled", "Canceled")
    assert [(s["name"], s["state"]) for s in canceled["steps"]] == [
        ("first", "Completed"),
        ("sleepy", "Canceled"),
        ("last", "NotStarted"),
    ]
    assert_canceled_midway(ws, run_id, pid)

    status, refused = post(server, f"/pipeline-runs/{run_id}/cancel")
    assert status == 409 and refused["field"] == "run_id" and "already ended" in refused["error"]
    assert post(server, f"/pipeline-runs/{'0' * 32}/cancel")[0] == 404

    status, _, body = server.request(
        "POST", "/pipelines/chain/runs", {"params": {"pidfile": str(pidfile), "seconds": 0}}
    )
    rerun_id = json.loads(body)["run_id"]
    wait_until(lambda: server.get_json(f"/pipeline-runs/{rerun_id}")["state"] != "Running", 90, "the re-run to end")
    rerun = server.get_json(f"/pipeline-runs/{rerun_id}")
    assert rerun["state"] == "Completed", rerun["error"]
    assert [(s["name"], s["state"]) for s in rerun["steps"]] == [
        ("first", "Reused"),
        ("sleepy", "Completed"),
        ("last", "Completed"),
    ]
    assert rerun["steps"][0]["reused_from"] == canceled["steps"][0]["run_id"]
