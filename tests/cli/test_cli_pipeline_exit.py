"""The exit status of `mlext pipeline run` and `mlext pipeline trigger --wait`, which wait for a pipeline run to end:
0 when it completed, 3 when a step failed, 4 when it was canceled — each from a real `mlext` process running real
step scripts, canceled from outside as a user in another terminal would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from mlext_server import wait_until

from jupyter_mlext.cli import main
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.service import cancel_pipeline_run, publish_pipeline

REPO = Path(__file__).resolve().parents[2]
MLEXT = str(Path(sys.executable).with_name("mlext"))

WRITE = """
import os
os.makedirs("outputs/data", exist_ok=True)
open("outputs/data/numbers.txt", "w").write("1 2 3")
"""
RAISE = """
raise RuntimeError("the data is bad")
"""
# Says it has started (where the test looks), then sleeps until canceled.
SLEEP = """
import sys, time
open(sys.argv[sys.argv.index("--started") + 1], "w").write("started")
time.sleep(600)
"""


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    """Step scripts run in subprocesses of subprocesses; from a source checkout they need the repository."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


def pipeline_folder(folder: Path, second: str, params: dict | None = None) -> Path:
    """A two-step pipeline.yaml: `first` writes data, `second` (the script text given) reads it."""
    folder.mkdir(parents=True)
    (folder / "first.py").write_text(WRITE)
    (folder / "second.py").write_text(second)
    Pipeline(
        "exits",
        params=params or {},
        source_dir=folder,
        steps=[
            Step("first", script="first.py", outputs=["data"]),
            Step(
                "second",
                script="second.py",
                inputs={"data": "first.data"},
                params={k: f"${{{k}}}" for k in params or {}},
            ),
        ],
    ).save(folder)
    return folder


def mlext(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MLEXT, "--workspace", str(workspace), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_a_completed_pipeline_run_exits_0_and_a_failed_one_exits_3(workspace, tmp_path):
    done = mlext(workspace, "pipeline", "run", str(pipeline_folder(tmp_path / "good", "print('ok')")))
    assert done.returncode == 0, done.stderr
    assert "of exits: Completed" in done.stdout

    progress = done.stderr.splitlines()
    assert progress[0].startswith("pipeline run ") and progress[0].endswith("of exits: 2 steps")
    last = {line.split()[0]: line.split()[1] for line in progress[1:]}
    assert last == {"first": "Completed", "second": "Completed"}
    assert len(progress) >= 5  # a line per change, as it happened: pending, then on, then done

    failed = mlext(workspace, "pipeline", "run", str(pipeline_folder(tmp_path / "bad", RAISE)))
    assert failed.returncode == 3, failed.stderr
    assert "of exits: Failed" in failed.stdout and "exited with code 1" in failed.stdout
    assert any(line.split()[:2] == ["second", "Failed"] for line in failed.stderr.splitlines())


def test_trigger_wait_exits_3_when_the_published_pipeline_fails(ws, workspace, tmp_path):
    publish_pipeline(ws, Pipeline.load(pipeline_folder(tmp_path / "bad", RAISE)))
    failed = mlext(workspace, "pipeline", "trigger", "exits", "--wait")
    assert failed.returncode == 3, failed.stderr
    assert "of exits: Failed" in failed.stdout
    started = mlext(workspace, "pipeline", "trigger", "exits")
    assert started.returncode == 0, started.stderr  # not waited for: it was started, which is all it says


def test_a_pipeline_run_canceled_from_another_terminal_exits_4(ws, workspace, tmp_path):
    started = tmp_path / "started"
    folder = pipeline_folder(tmp_path / "slow", SLEEP, params={"started": str(started)})
    running = subprocess.Popen(
        [MLEXT, "--workspace", str(workspace), "pipeline", "run", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(started.exists, 120, "the sleeping step to start")
        cancel_pipeline_run(ws, ws.pipelines.list_runs("exits")[0].run_id)
        out, err = running.communicate(timeout=120)
    finally:
        running.kill()
    assert running.returncode == 4, err
    assert "of exits: Canceled" in out


@pytest.mark.parametrize("command", [["pipeline", "run"], ["pipeline", "trigger"], ["runs", "logs"]])
def test_the_exit_statuses_are_in_the_help_of_each_waiting_command(capsys, command):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "3 the run failed, 4 the run was canceled" in help_text
