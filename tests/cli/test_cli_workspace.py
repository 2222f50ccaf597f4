"""`mlext workspace check` finds what a damaged workspace lacks; `mlext workspace backup` copies one that is being
written to into a workspace that opens, passes the check and holds a consistent prefix of what was written."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from jupyter_mlext.cli import main
from jupyter_mlext.store import Workspace

REPO = Path(__file__).resolve().parents[2]
POINTS = 100_000

WRITER = textwrap.dedent("""
    import sys, jupyter_mlext as mlx
    run = mlx.start_run("backup", name="writer")
    print(run.id, flush=True)
    for step in range(int(sys.argv[1])):
        run.log("x", float(step), step=step)
        if step % 1000 == 999:
            run.flush()
        if step % 20_000 == 0:
            run.flush()
            run.log_text(f"at step {step}", f"progress/{step}.txt")
    run.end()
""")


def run_cli(capsys, workspace: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def filled(workspace: Path) -> str:
    with Workspace(workspace) as ws:
        run = ws.tracking.create_run("check", params={"lr": 0.1})
        ws.tracking.log_metrics(run.id, [("loss", 0.5, 0, None)])
        ws.tracking.write_artifact(run.id, "notes.txt", b"hello")
        ws.tracking.write_artifact(run.id, "model.bin", b"\0" * 64)
        ws.tracking.set_status(run.id, "Completed")
        return run.id


def test_check_is_quiet_about_a_sound_workspace(capsys, workspace, filled):
    code, out, err = run_cli(capsys, workspace, "workspace", "check")
    assert (code, err) == (0, "")
    assert out.strip() == f"no problems found in {workspace}"


def test_check_reports_a_deleted_artifact_file_and_orphan_rows_one_line_each(capsys, workspace, filled):
    (workspace / "artifacts" / filled / "notes.txt").unlink()
    raw = sqlite3.connect(workspace / "workspace.db")  # foreign keys off: what a crashed or older tool may leave
    with raw:
        raw.execute("INSERT INTO params (run_id, key, value) VALUES ('no-such-run', 'lr', '1')")
        raw.execute("INSERT INTO metric_points (series_id, step, timestamp, value) VALUES (9999, 0, 0, 1.0)")
    raw.close()

    code, out, err = run_cli(capsys, workspace, "workspace", "check")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "orphan row: params rowid 2 refers to a missing runs row",
        "orphan rows: 1 metric_points rows belong to no metric series",
        f"missing file: artifact 'notes.txt' of run {filled} ({workspace / 'artifacts' / filled / 'notes.txt'})",
    ]


def test_backup_refuses_a_destination_inside_the_workspace_or_not_empty(capsys, workspace, filled, tmp_path):
    code, _, err = run_cli(capsys, workspace, "workspace", "backup", str(workspace / "copy"))
    assert code == 1 and "inside the workspace" in err
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "file").write_text("mine")
    code, _, err = run_cli(capsys, workspace, "workspace", "backup", str(occupied))
    assert code == 1 and "is not an empty folder" in err
    assert (occupied / "file").read_text() == "mine" and not (workspace / "copy").exists()


@pytest.mark.timeout(180)
def test_a_backup_taken_while_a_process_writes_is_a_consistent_workspace(capsys, workspace, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
    env.update(MLEXT_WORKSPACE=str(workspace), PYTHONPATH=str(REPO))
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(POINTS)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        run_id = writer.stdout.readline().strip()
        deadline = time.monotonic() + 120
        while True:  # back up in the middle of the writing
            with Workspace(workspace) as ws:
                summary = ws.tracking.get_run(run_id).metrics.get("x")
            if summary is not None and summary.count >= 10_000:
                break
            assert writer.poll() is None and time.monotonic() < deadline, "the writer did not get going"
            time.sleep(0.05)
        code, out, err = run_cli(capsys, workspace, "workspace", "backup", str(tmp_path / "backup"))
        assert (code, err) == (0, ""), err
        assert out.strip() == f"backed up {workspace} to {tmp_path / 'backup'}"
        assert writer.wait(timeout=120) == 0
    finally:
        writer.kill()
        writer.wait()
        writer.stdout.close()

    code, out, _ = run_cli(capsys, tmp_path / "backup", "workspace", "check")
    assert code == 0, out
    with Workspace(tmp_path / "backup") as copy:
        run = copy.tracking.get_run(run_id)
        history = copy.tracking.metric_history(run_id, "x")
        artifacts = [a.path for a in copy.tracking.list_artifacts(run_id)]
    stored = history.total_points
    assert 10_000 <= stored <= POINTS
    assert history.steps == list(range(stored)), "the copy holds a prefix of the points, without gaps"
    assert run.metrics["x"].count == stored and run.metrics["x"].last == float(stored - 1)
    # Progress files follow a flush: one written after the copy's last commit of points may be missing from it.
    maybe = {f"progress/{stored - 1}.txt"}
    assert set(artifacts) - maybe == {f"progress/{step}.txt" for step in range(0, stored - 1, 20_000)}
    with Workspace(workspace) as original:
        assert original.tracking.metric_history(run_id, "x").total_points == POINTS
