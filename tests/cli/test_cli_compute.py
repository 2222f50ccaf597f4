"""Submitting and following runs from the command line and the SDK, with `mlext agent` as the dispatcher."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import jupyter_mlext as mlx
from jupyter_mlext.cli import main
from jupyter_mlext.store import Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def importable_package(monkeypatch):
    """Scripts import jupyter_mlext; from a source checkout that needs the repository on their path."""
    monkeypatch.setenv("PYTHONPATH", str(REPO))


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "train.py").write_text(
        textwrap.dedent("""
        import argparse, os
        import jupyter_mlext as mlx
        parser = argparse.ArgumentParser()
        parser.add_argument("--epochs", type=int)
        args = parser.parse_args()
        run = mlx.Run.get_context()
        for epoch in range(args.epochs):
            run.log("loss", 1.0 / (epoch + 1), step=epoch)
            print(f"epoch {epoch}", flush=True)
        os.makedirs("outputs", exist_ok=True)
        with open("outputs/result.txt", "w") as f:
            f.write(f"trained {args.epochs}")
    """)
    )
    return folder


@pytest.fixture
def agent(workspace):
    """`mlext agent` in its own process, exactly as a user would start it next to their scripts."""
    mlext = Path(sys.executable).with_name("mlext")
    process = subprocess.Popen(
        [str(mlext), "agent", "--workspace", str(workspace)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    with Workspace(workspace) as ws:  # up once it beats: submissions then know something will start them
        while not ws.daemons.alive():
            assert process.poll() is None and time.monotonic() < deadline, "the agent did not start"
            time.sleep(0.05)
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def cli_json(capsys, workspace: Path, *args: str, note: str = ""):
    """The JSON a command prints; stderr must be empty, or hold one note containing `note`."""
    code = main(["--workspace", str(workspace), "--json", *args])
    out, err = capsys.readouterr()
    if note:
        assert code == 0 and err.startswith("mlext: note:") and note in err and err.count("\n") == 1, err
    else:
        assert (code, err) == (0, ""), err
    return json.loads(out)


def test_submit_follow_logs_and_see_outputs(capsys, workspace, project, agent):
    queued = cli_json(
        capsys,
        workspace,
        "submit",
        str(project / "train.py"),
        "--experiment",
        "cli",
        "--param",
        "lr=0.1",
        "--",
        "--epochs",
        "3",
    )
    assert queued["status"] == "Queued" and queued["params"] == {"lr": "0.1"}

    follow = cli_json(capsys, workspace, "runs", "logs", queued["id"][:8], "--follow")
    assert [line for line in follow["text"].splitlines() if line.startswith("epoch")] == [
        "epoch 0",
        "epoch 1",
        "epoch 2",
    ]

    shown = cli_json(capsys, workspace, "runs", "show", queued["id"])
    assert shown["status"] == "Completed"
    assert shown["metrics"]["loss"]["last"] == pytest.approx(1 / 3)
    artifacts = cli_json(capsys, workspace, "artifacts", "list", queued["id"])
    assert [a["path"] for a in artifacts["artifacts"]] == ["outputs/result.txt"]


def test_cancel_a_queued_run_on_a_busy_target(capsys, workspace, project):
    cli_json(capsys, workspace, "compute", "create", "slow", "--concurrency", "1")
    queued = cli_json(
        capsys,
        workspace,
        "submit",
        str(project / "train.py"),
        "--compute",
        "slow",
        "--",
        "--epochs",
        "1",
        note="nothing dispatches runs of this workspace",
    )
    canceled = cli_json(capsys, workspace, "runs", "cancel", queued["id"])
    assert canceled["cancel_requested"]
    assert cli_json(capsys, workspace, "runs", "show", queued["id"])["status"] == "Canceled"


def test_runs_logs_follow_exits_3_when_the_run_fails_and_4_when_it_was_canceled(capsys, workspace, project, agent):
    (project / "broken.py").write_text("print('loading', flush=True)\nraise SystemExit('bad data')\n")
    failing = cli_json(capsys, workspace, "submit", str(project / "broken.py"))
    assert main(["--workspace", str(workspace), "runs", "logs", failing["id"], "--follow"]) == 3
    assert "loading" in capsys.readouterr().out
    assert main(["--workspace", str(workspace), "--json", "runs", "logs", failing["id"], "--follow"]) == 3
    assert "bad data" in json.loads(capsys.readouterr().out)["text"]
    assert main(["--workspace", str(workspace), "runs", "logs", failing["id"]]) == 0  # no waiting, no verdict
    assert "bad data" in capsys.readouterr().out

    (project / "sleepy.py").write_text("import time\ntime.sleep(600)\n")
    sleeping = cli_json(capsys, workspace, "submit", str(project / "sleepy.py"))
    cli_json(capsys, workspace, "runs", "cancel", sleeping["id"])  # queued or already running: it ends Canceled
    assert main(["--workspace", str(workspace), "runs", "logs", sleeping["id"], "--follow"]) == 4
    capsys.readouterr()  # its log (a started run's says how it started)

    finished = cli_json(capsys, workspace, "submit", str(project / "train.py"), "--", "--epochs", "1")
    assert main(["--workspace", str(workspace), "runs", "logs", finished["id"], "--follow"]) == 0
    assert "epoch 0" in capsys.readouterr().out


def test_compute_targets_create_list_delete(capsys, workspace):
    created = cli_json(
        capsys,
        workspace,
        "compute",
        "create",
        "cluster",
        "--kind",
        "dask",
        "--address",
        "tcp://127.0.0.1:8786",
        "--concurrency",
        "4",
    )
    assert (created["kind"], created["address"], created["concurrency"]) == ("dask", "tcp://127.0.0.1:8786", 4)
    names = [t["name"] for t in cli_json(capsys, workspace, "compute", "list")["targets"]]
    assert names == ["cluster", "local"]
    cli_json(capsys, workspace, "compute", "delete", "cluster")
    assert [t["name"] for t in cli_json(capsys, workspace, "compute", "list")["targets"]] == ["local"]


@pytest.mark.parametrize(
    "args, expected",
    [
        (["submit", "missing.py"], "script"),
        (["submit", "{train}", "--compute", "nowhere"], "nowhere"),
        (["compute", "create", "x", "--kind", "dask"], "address"),
        (["runs", "cancel", "feedface"], "feedface"),
        (["compute", "delete", "local"], "built in"),
    ],
)
def test_bad_compute_commands_fail_in_one_line(capsys, ws, workspace, project, args, expected):
    args = [a.replace("{train}", str(project / "train.py")) for a in args]
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("mlext: error:") and expected in err


def test_sdk_submit_and_wait(workspace, project, agent, capsys):
    run = mlx.submit(
        project / "train.py", ["--epochs", "4"], experiment="sdk", workspace=workspace, params={"epochs": 4}
    )
    assert run.status is mlx.RunStatus.QUEUED
    assert run.wait(timeout=60, show_output=True) is mlx.RunStatus.COMPLETED
    assert "epoch 3" in capsys.readouterr().out
    assert run.params == {"epochs": "4"}
    assert len(run.history("loss").values) == 4
    assert run.read_log(-8).text.endswith("epoch 3\n")
    assert os.path.basename(run.list_artifacts()[0].path) == "result.txt"
