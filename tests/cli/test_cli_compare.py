"""`mlext runs compare`, `runs list --tree` and `--columns`: comparing runs from a terminal as one does in the
Runs panel."""

from __future__ import annotations

import json

import matplotlib.image
import pytest

from jupyter_mlext.cli import main
from jupyter_mlext.store import Workspace


@pytest.fixture
def family(workspace):
    """A sweep-like parent with two children (lr 0.1 and 0.01, one loss curve each) and an unrelated run."""
    with Workspace(workspace) as ws:
        parent = ws.tracking.create_run("tune", name="search", params={"seed": 0})
        fast = ws.tracking.create_run("tune", name="fast", parent_id=parent.id, params={"lr": 0.1, "depth": 4})
        slow = ws.tracking.create_run("tune", name="slow", parent_id=parent.id, params={"lr": 0.01, "depth": 4})
        ws.tracking.log_metrics(fast.id, [("loss", 1 / (s + 1), s, None) for s in range(50)])
        ws.tracking.log_metrics(slow.id, [("loss", 2 / (s + 1), s, None) for s in range(50)])
        other = ws.tracking.create_run("tune", name="other", tags={"team": "vision"})
    return {"parent": parent.id, "fast": fast.id, "slow": slow.id, "other": other.id}


def cli(capsys, workspace, *args):
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_marks_the_params_that_differ_and_lists_each_metric(capsys, workspace, family):
    code, out, _ = cli(capsys, workspace, "runs", "compare", family["fast"][:8], family["slow"][:8])
    assert code == 0
    lines = {line.split()[1] if line.startswith("*") else line.split()[0]: line for line in out.splitlines() if line}
    assert lines["lr"].startswith("* ") and "0.1" in lines["lr"] and "0.01" in lines["lr"]
    assert not lines["depth"].startswith("*")
    loss_last = next(line for line in out.splitlines() if line.startswith("loss (last)")).split()
    assert loss_last[2:] == ["0.02", "0.04"]
    code, out, _ = cli(capsys, workspace, "--json", "runs", "compare", family["fast"], family["slow"])
    assert [run["name"] for run in json.loads(out)["runs"]] == ["fast", "slow"]


def test_compare_draws_a_chart_of_one_metric(capsys, workspace, family, tmp_path):
    out_file = tmp_path / "loss.png"
    code, out, _ = cli(
        capsys, workspace, "runs", "compare", family["fast"], family["slow"], "--chart", "loss", "--out", str(out_file)
    )
    assert code == 0 and f"chart of loss: {out_file}" in out
    assert matplotlib.image.imread(out_file).shape[:2] == (675, 1200)
    code, _, err = cli(capsys, workspace, "runs", "compare", family["fast"], family["other"], "--chart", "acc")
    assert code == 1 and "none of the runs logged metric 'acc'" in err


def test_compare_needs_two_runs(capsys, workspace, family):
    code, _, err = cli(capsys, workspace, "runs", "compare", family["fast"])
    assert code == 1 and "two or more runs" in err


def test_list_tree_puts_children_under_their_parent(capsys, workspace, family):
    code, out, _ = cli(capsys, workspace, "runs", "list", "--tree")
    names = [line.split()[2:4] for line in out.splitlines()[1:]]
    order = [" ".join(n) for n in names]
    parent_at = order.index("search Running")
    assert {order[parent_at + 1], order[parent_at + 2]} == {"└ fast", "└ slow"}
    assert code == 0


def test_columns_choose_params_metrics_and_tags(capsys, workspace, family):
    code, out, _ = cli(capsys, workspace, "runs", "list", "--columns", "params.lr,metrics.loss,tags.team")
    header, *rows = out.splitlines()
    assert header.split()[-3:] == ["params.lr", "loss", "tags.team"]
    by_name = {row.split()[2]: row.split()[-3:] for row in rows}
    assert by_name["fast"] == ["0.1", "0.02", "-"] and by_name["other"] == ["-", "-", "vision"]
    code, _, err = cli(capsys, workspace, "runs", "list", "--columns", "lr")
    assert code == 1 and "--columns takes params.KEY" in err
