"""Submitted runs on the `local` target: real supervisor and script processes, logs, outputs, cancel, timeout —
each started cold (a new interpreter) and warm (forked from the warm pool's interpreter)."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from jupyter_mlext.compute.dispatcher import Dispatcher
from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.compute.snapshot import create_snapshot, snapshot_files
from jupyter_mlext.compute.submit import cancel, submit
from jupyter_mlext.compute.warm import WarmSettings
from jupyter_mlext.entities import InvalidInput, RunStatus, TargetKind

REPO = Path(__file__).resolve().parents[2]
# A light preload: these tests are about runs, not about what the pool imports.
WARM = WarmSettings(preload=("jupyter_mlext", "jupyter_mlext.sdk.run"))


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    """Scripts import jupyter_mlext; from a source checkout that needs the repository on their path."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture(params=["cold", "warm"])
def start(request) -> str:
    """How runs start: "cold" with the warm pool off, "warm" from a pool that is ready."""
    return request.param


@pytest.fixture
def dispatcher(ws, start):
    backend = LocalBackend(ws, WARM if start == "warm" else WarmSettings(enabled=False))
    if start == "warm":
        backend.prewarm()
        assert backend.pool.wait_ready(120), "the warm interpreter did not start"
    dispatcher = Dispatcher(ws, {TargetKind.LOCAL: backend})
    yield dispatcher
    dispatcher.close()


@pytest.fixture
def source(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "train.py").write_text(
        textwrap.dedent("""
        import os, sys, time
        import jupyter_mlext as mlx
        run = mlx.Run.get_context()
        for epoch in range(5):
            run.log("loss", 1.0 / (epoch + 1))
            print(f"epoch {epoch}", flush=True)
        os.makedirs("outputs/model", exist_ok=True)
        with open("outputs/model/weights.txt", "w") as f:
            f.write("w=" + sys.argv[1])
        print("stderr line", file=sys.stderr)
    """)
    )
    (folder / "sleeper.py").write_text(
        textwrap.dedent("""
        import os, sys, time
        with open(sys.argv[1], "w") as f:
            f.write(str(os.getpid()))
        print("sleeping", flush=True)
        time.sleep(120)
    """)
    )
    (folder / "fails.py").write_text("print('about to fail', flush=True)\nraise SystemExit(3)\n")
    return folder


def _until(dispatcher: Dispatcher, predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        dispatcher.tick()
        time.sleep(0.05)


def _finish(dispatcher: Dispatcher, run_id: str):
    _until(dispatcher, lambda: dispatcher.workspace.tracking.get_run(run_id).status.is_terminal)
    return dispatcher.workspace.tracking.get_run(run_id)


def test_a_submitted_script_runs_with_its_log_metrics_and_outputs(ws, dispatcher, source, start):
    queued = submit(ws, source / "train.py", ["42"], experiment="jobs", params={"lr": 0.1})
    assert queued.status is RunStatus.QUEUED and queued.compute == "local" and queued.snapshot_id

    run = _finish(dispatcher, queued.id)

    assert run.status is RunStatus.COMPLETED, ws.tracking.read_log(run.id).text
    assert run.params == {"lr": "0.1"} and run.metrics["loss"].count == 5
    log = ws.tracking.read_log(run.id)
    assert [line for line in log.text.splitlines() if line.startswith("epoch")] == [f"epoch {i}" for i in range(5)]
    assert "stderr line" in log.text and log.complete
    assert log.text.startswith(f"mlext: {start} start")
    [artifact] = ws.tracking.list_artifacts(run.id)
    assert artifact.path == "outputs/model/weights.txt"
    assert ws.tracking.artifact_file(run.id, artifact.path).read_text() == "w=42"
    assert ws.compute.get_job(run.id).exit_code == 0


def test_a_failing_script_fails_the_run_with_its_exit_code(ws, dispatcher, source):
    run = _finish(dispatcher, submit(ws, source / "fails.py").id)
    assert run.status is RunStatus.FAILED and "exited with code 3" in run.error
    assert "about to fail" in ws.tracking.read_log(run.id).text


def test_cancel_stops_the_script_and_its_process_group(ws, dispatcher, source, tmp_path):
    pid_file = tmp_path / "pid"
    run_id = submit(ws, source / "sleeper.py", [str(pid_file)]).id
    _until(dispatcher, lambda: pid_file.exists() and pid_file.read_text())
    script = psutil.Process(int(pid_file.read_text()))

    cancel(dispatcher.workspace, run_id, dispatcher.backends)
    run = _finish(dispatcher, run_id)

    assert run.status is RunStatus.CANCELED
    script.wait(timeout=10)
    assert not script.is_running()


def test_cancel_of_a_queued_run_never_starts_it(ws, dispatcher, source, tmp_path):
    run_id = submit(ws, source / "sleeper.py", [str(tmp_path / "pid")]).id
    cancel(dispatcher.workspace, run_id, dispatcher.backends)
    dispatcher.tick()
    assert ws.tracking.get_run(run_id).status is RunStatus.CANCELED
    assert not (tmp_path / "pid").exists()


def test_timeout_fails_the_run(ws, dispatcher, source, tmp_path):
    run_id = submit(ws, source / "sleeper.py", [str(tmp_path / "pid")], timeout_s=1.0).id
    run = _finish(dispatcher, run_id)
    assert run.status is RunStatus.FAILED and "timed out after 1 s" in run.error


def test_concurrency_limit_queues_the_rest(ws, dispatcher, source, tmp_path):
    ws.compute.set_concurrency("local", 2)
    run_ids = [submit(ws, source / "sleeper.py", [str(tmp_path / f"pid{i}")]).id for i in range(3)]
    _until(dispatcher, lambda: len(list(tmp_path.glob("pid*"))) == 2)
    time.sleep(0.5)
    dispatcher.tick()
    statuses = [ws.tracking.get_run(run_id).status for run_id in run_ids]
    assert statuses.count(RunStatus.RUNNING) == 2 and statuses.count(RunStatus.QUEUED) == 1
    target = ws.compute.get_target("local")
    assert (target.busy, target.queued) == (2, 1)
    for run_id in run_ids:
        cancel(dispatcher.workspace, run_id, dispatcher.backends)
    for run_id in run_ids:
        assert _finish(dispatcher, run_id).status is RunStatus.CANCELED


def test_bad_submissions_leave_no_run_behind(ws, source):
    with pytest.raises(InvalidInput) as missing:
        submit(ws, source / "nope.py")
    assert missing.value.field == "script"
    with pytest.raises(InvalidInput) as unknown:
        submit(ws, source / "train.py", compute="gpu-cluster")
    assert unknown.value.field == "compute"
    with pytest.raises(InvalidInput) as outside:
        submit(ws, "/etc/hostname", source_dir=source)
    assert outside.value.field == "script"
    assert ws.tracking.search_runs().runs == []


def test_snapshots_honour_ignore_files_and_are_stored_once(ws, source):
    (source / "data").mkdir()
    (source / "data" / "big.bin").write_bytes(b"x" * 1000)
    (source / "notes.tmp").write_text("scratch")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / "train.cpython-311.pyc").write_bytes(b"\0")
    (source / ".gitignore").write_text("*.tmp\n")
    (source / ".mlextignore").write_text("data/\n")  # takes precedence over .gitignore
    assert snapshot_files(source) == [".gitignore", ".mlextignore", "fails.py", "notes.tmp", "sleeper.py", "train.py"]
    first = create_snapshot(ws, source)
    os.utime(source / "train.py", (1, 1))  # a new mtime alone is no change of content
    assert create_snapshot(ws, source) == first
    assert len(list(ws.paths.snapshots.iterdir())) == 1
    (source / "train.py").write_text("print('changed')\n")
    assert create_snapshot(ws, source) != first


def test_outputs_that_lead_out_of_the_folder_are_refused_and_fail_the_run_naming_them(ws, dispatcher, source, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the key")
    (source / "leaks.py").write_text(
        textwrap.dedent(f"""
        import os
        os.makedirs("outputs/nested", exist_ok=True)
        open("outputs/model.txt", "w").write("weights")
        os.symlink("model.txt", "outputs/alias.txt")          # inside the folder: uploaded by content
        os.symlink({str(secret)!r}, "outputs/stolen.txt")     # leads outside: refused
        os.symlink({str(tmp_path)!r}, "outputs/nested/tree")  # a folder outside: refused, not followed
        os.link({str(secret)!r}, "outputs/linked.txt")        # a second name of an outside file: refused
    """)
    )
    run = _finish(dispatcher, submit(ws, source / "leaks.py").id)

    assert run.status is RunStatus.FAILED
    assert run.error.startswith("outputs refused: ")
    for name in ("outputs/linked.txt has 2 hard links", "outputs/nested/tree is a symlink", "outputs/stolen.txt"):
        assert name in run.error
    assert "exited with code" not in run.error  # the script itself succeeded
    log = ws.tracking.read_log(run.id).text
    assert "mlext: not uploaded: outputs/stolen.txt is a symlink to" in log
    assert [a.path for a in ws.tracking.list_artifacts(run.id)] == ["outputs/alias.txt", "outputs/model.txt"]
    assert ws.tracking.artifact_file(run.id, "outputs/alias.txt").read_text() == "weights"
