"""The `mlext` command line against a real workspace: tables, --json, paging, downloads, and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import jupyter_mlext
from jupyter_mlext.cli import main
from jupyter_mlext.store import Workspace

WEIGHTS = bytes(range(256)) * 20


@pytest.fixture
def seeded(workspace: Path) -> dict[str, str]:
    """Three runs: two in `alpha` (lr 0.1 and 0.01), one in `beta`; the first with a long loss curve and files."""
    ws = Workspace(workspace)
    try:
        first = ws.tracking.create_run("alpha", name="first", params={"lr": 0.1}, tags={"team": "vision"}).id
        ws.tracking.log_metrics(first, [("loss", 1.0 / (step + 1), step, None) for step in range(100)])
        ws.tracking.write_artifact(first, "model/weights.bin", WEIGHTS)
        ws.tracking.write_artifact(first, "notes.txt", b"hello")
        ws.tracking.set_status(first, "Completed")
        second = ws.tracking.create_run("alpha", name="second", params={"lr": 0.01}).id
        ws.tracking.log_metrics(second, [("loss", 0.5, 0, None)])
        ws.tracking.set_status(second, "Failed", error="boom")
        third = ws.tracking.create_run("beta", name="third", params={"lr": 0.1}).id
        ws.tracking.log_metrics(third, [("loss", 0.2, 0, None)])
    finally:
        ws.close()
    return {"first": first, "second": second, "third": third}


def run_cli(capsys, workspace: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, workspace: Path, *args: str):
    code, out, err = run_cli(capsys, workspace, "--json", *args)
    assert (code, err) == (0, "")
    return json.loads(out)


def test_experiments_list_counts_runs(capsys, workspace, seeded):
    code, out, _ = run_cli(capsys, workspace, "experiments", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["NAME", "ID", "RUNS", "CREATED"]
    assert [line.split()[:3] for line in lines[1:]] == [["alpha", "1", "2"], ["beta", "2", "1"]]
    data = run_json(capsys, workspace, "experiments", "list")
    assert {e["name"]: e["run_count"] for e in data["experiments"]} == {"alpha": 2, "beta": 1}


def test_runs_list_shows_short_ids_statuses_and_latest_metrics(capsys, workspace, seeded):
    code, out, _ = run_cli(capsys, workspace, "runs", "list", "--order-by", "metrics.loss ASC")
    header, *rows = out.splitlines()
    assert code == 0 and header.split() == ["ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION", "loss"]
    assert [row.split()[0] for row in rows] == [seeded["first"][:8], seeded["third"][:8], seeded["second"][:8]]
    assert rows[0].split()[1:4] == ["alpha", "first", "Completed"] and rows[0].endswith("0.01")
    assert rows[2].split()[3] == "Failed" and rows[2].endswith("0.5")

    data = run_json(capsys, workspace, "runs", "list", "--experiment", "beta")
    assert [run["id"] for run in data["runs"]] == [seeded["third"]] and data["next_page_token"] is None
    assert data["runs"][0]["metrics"]["loss"]["last"] == 0.2


def test_search_filters_and_orders(capsys, workspace, seeded):
    data = run_json(capsys, workspace, "runs", "search", "params.lr = 0.1", "--order-by", "metrics.loss DESC")
    assert [run["name"] for run in data["runs"]] == ["third", "first"]
    data = run_json(capsys, workspace, "runs", "search", "params.lr = 0.1", "--order-by", "metrics.loss ASC")
    assert [run["name"] for run in data["runs"]] == ["first", "third"]
    data = run_json(capsys, workspace, "runs", "search", "status = 'Failed' and experiment = 'alpha'")
    assert [run["id"] for run in data["runs"]] == [seeded["second"]]


def test_paging_with_the_printed_token_covers_every_run_once(capsys, workspace, seeded):
    args = ("runs", "search", "metrics.loss < 1", "--order-by", "name ASC", "--max", "2")
    code, out, _ = run_cli(capsys, workspace, *args)
    *table, trailer = out.splitlines()
    assert code == 0 and trailer.startswith("next page: ")
    assert [row.split()[2] for row in table[1:]] == ["first", "second"]
    token = trailer.removeprefix("next page: ")
    second = run_json(capsys, workspace, *args, "--page-token", token)
    assert [run["name"] for run in second["runs"]] == ["third"] and second["next_page_token"] is None
    code, out, _ = run_cli(capsys, workspace, *args, "--page-token", token)
    assert "next page" not in out


def test_runs_show_by_prefix_with_params_tags_and_metric_summary(capsys, workspace, seeded):
    code, out, _ = run_cli(capsys, workspace, "runs", "show", seeded["first"][:6])
    assert code == 0 and out.splitlines()[0].split() == ["id", seeded["first"]]
    assert "lr  0.1" in out and "team  vision" in out
    metric_lines = [line.split() for line in out.splitlines() if line.strip().startswith("loss")]
    assert metric_lines == [["loss", "0.01", "0.01", "1", "99", "100"]]
    data = run_json(capsys, workspace, "runs", "show", seeded["second"][:6], "--json")  # --json after the command
    assert data["id"] == seeded["second"] and data["status"] == "Failed" and data["error"] == "boom"
    assert data["params"] == {"lr": "0.01"}


def test_runs_metrics_full_history_and_downsampled(capsys, workspace, seeded):
    data = run_json(capsys, workspace, "runs", "metrics", seeded["first"], "loss")
    assert data["steps"] == list(range(100)) and data["values"][3] == 0.25 and data["downsampled"] is False
    data = run_json(capsys, workspace, "runs", "metrics", seeded["first"][:8], "loss", "--max-points", "10")
    assert data["downsampled"] is True and data["total_points"] == 100 and len(data["steps"]) == 10
    assert data["maxs"][0] == 1.0 and data["values"][-1] == 0.01

    code, out, _ = run_cli(capsys, workspace, "runs", "metrics", seeded["first"], "loss", "--max-points", "10")
    header, *rows, note = out.splitlines()
    assert code == 0 and header.split() == ["STEP", "TIMESTAMP", "VALUE", "MIN", "MAX"] and len(rows) == 10
    assert rows[-1].split()[0] == "99" and note.startswith("100 points shown as 10 buckets")
    code, out, _ = run_cli(capsys, workspace, "runs", "metrics", seeded["third"], "loss")
    assert out.splitlines()[0].split() == ["STEP", "TIMESTAMP", "VALUE"] and out.split()[-1] == "0.2"


def test_artifacts_list_and_download_identical_bytes(capsys, workspace, seeded, tmp_path):
    code, out, _ = run_cli(capsys, workspace, "artifacts", "list", seeded["first"])
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["PATH", "model/weights.bin", "notes.txt"]
    assert "5 B" in out and "5.0 KiB" in out
    data = run_json(capsys, workspace, "artifacts", "list", seeded["first"], "model")
    assert [(a["path"], a["size"]) for a in data["artifacts"]] == [("model/weights.bin", len(WEIGHTS))]

    dest = tmp_path / "out"
    code, out, _ = run_cli(capsys, workspace, "artifacts", "download", seeded["first"], "--dest", str(dest))
    assert code == 0 and out.split() == [str(dest / "model/weights.bin"), str(dest / "notes.txt")]
    assert (dest / "model/weights.bin").read_bytes() == WEIGHTS and (dest / "notes.txt").read_bytes() == b"hello"
    data = run_json(
        capsys, workspace, "artifacts", "download", seeded["first"], "notes.txt", "--dest", str(dest / "one")
    )
    assert data == {"files": [str(dest / "one/notes.txt")]}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("runs", "show", "deadbeef"), "no run with id 'deadbeef'"),
        (("runs", "search", "metrics.loss <"), "at position 14"),
        (("runs", "search", "params.lr = 0.1 and"), "at position 19"),
        (("runs", "list", "--max", "0"), "max_results must be between 1 and"),
        (("runs", "list", "--experiment", "gamma"), "no experiment named 'gamma'"),
        (("artifacts", "list", "abc"), "at least 4 characters"),
    ],
)
def test_errors_are_one_line_and_exit_1(capsys, workspace, seeded, args, expected):
    code, out, err = run_cli(capsys, workspace, "--json", *args)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and err.startswith("mlext: error: ") and expected in err


def test_a_missing_workspace_is_reported_not_created(capsys, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere"
    code, out, err = run_cli(capsys, missing, "experiments", "list")
    assert (code, out, err) == (1, "", f"mlext: error: no workspace at {missing}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLEXT_WORKSPACE", raising=False)
    assert main(["runs", "list"]) == 1
    assert not missing.exists() and not (tmp_path / ".mlext").exists()


def test_usage_errors_exit_2(capsys, workspace, seeded):
    with pytest.raises(SystemExit) as exit_info:
        main(["--workspace", str(workspace), "runs", "list", "--max", "many"])
    assert exit_info.value.code == 2 and "invalid int value" in capsys.readouterr().err


def test_console_entry_point_in_a_subprocess(workspace, seeded):
    package_root = str(Path(jupyter_mlext.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": package_root, "MLEXT_WORKSPACE": str(workspace)}
    entry = [sys.executable, "-c", "import sys; from jupyter_mlext.cli import main; sys.exit(main())"]
    ok = subprocess.run([*entry, "runs", "show", seeded["third"][:5]], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "third" in ok.stdout and ok.stderr == ""
    bad = subprocess.run([*entry, "runs", "show", "cafebabe"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr == "mlext: error: no run with id 'cafebabe'\n"


def test_a_reader_that_leaves_early_ends_the_command_quietly(workspace):
    """`mlext runs metrics ID loss | head -1`: the pipe closes after one line, and the command stops with the exit
    status of a program ended by SIGPIPE, printing nothing on stderr (no traceback, no error line)."""
    ws = Workspace(workspace)
    try:
        run_id = ws.tracking.create_run("long", name="long").id
        ws.tracking.log_metrics(run_id, [("loss", float(step), step, None) for step in range(20_000)])
    finally:
        ws.close()
    package_root = str(Path(jupyter_mlext.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": package_root, "MLEXT_WORKSPACE": str(workspace)}
    command = [sys.executable, "-c", "import sys; from jupyter_mlext.cli import main; sys.exit(main())"]
    cli = subprocess.Popen(
        [*command, "runs", "metrics", run_id, "loss"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert cli.stdout is not None and cli.stderr is not None
    assert cli.stdout.readline().split() == [b"STEP", b"TIMESTAMP", b"VALUE"]
    cli.stdout.close()
    assert cli.wait(timeout=60) == 141
    assert cli.stderr.read() == b""
