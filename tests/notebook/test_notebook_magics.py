"""`%%mlrun` and `%mlrun` as a notebook user meets them: real notebooks executed on a real kernel (nbclient), then
the workspace and the executed notebook (outputs, saved widget state) checked."""

from __future__ import annotations

import hashlib
import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from notebook_support import (
    displayed_widgets,
    errors,
    execute,
    html_values,
    notebook,
    png_sizes,
    snapshot_files,
    streams,
    widget_states,
    widget_tree,
)

from jupyter_mlext.compute.local import LocalBackend
from jupyter_mlext.daemon import Daemon
from jupyter_mlext.entities import RunStatus, TargetKind
from jupyter_mlext.store import Workspace

LOAD = "%load_ext jupyter_mlext\nimport jupyter_mlext as mlx"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The notebook's folder: a git repository with a helper module that has an uncommitted edit."""
    folder = tmp_path / "project"
    folder.mkdir()
    helper = folder / "helper.py"
    helper.write_text("def scale(x):\n    return 2 * x\n")
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "helper.py"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "helper"], check=True)
    helper.write_text("def scale(x):\n    return 3 * x  # tuned\n")
    return folder


def _runs(workspace: Path) -> list:
    ws = Workspace(workspace)
    try:
        return ws.tracking.search_runs(order_by="created_at ASC").runs
    finally:
        ws.close()


def test_mlrun_cell_tracks_params_output_metrics_and_what_ran(workspace, project):
    body = textwrap.dedent("""\
        import sys
        print(type(alpha).__name__, type(epochs).__name__, type(flag).__name__, type(label).__name__)
        print("warning: noisy", file=sys.stderr)
        for step in range(epochs * 100):
            mlx.log("loss", helper.scale(1.0) / (step + 1))
        mlx.active_run().log("accuracy", 0.75)
        alpha * 2""")
    cells = [
        LOAD,
        "import helper",
        "data = [1, 2, 3]",
        "%%mlrun --experiment nb --name first --param alpha=0.5 --param epochs=3 --param flag=true "
        "--param label=abc --tag team=ml\n" + body,
    ]
    nb = execute(notebook(*cells), workspace, project)

    run_cell = nb.cells[3]
    assert streams(run_cell, "stdout") == "float int bool str\n"  # still shown in the notebook
    assert streams(run_cell, "stderr") == "warning: noisy\n"
    assert [out.data["text/plain"] for out in run_cell.outputs if out.output_type == "execute_result"] == ["1.0"]

    (run,) = _runs(workspace)
    assert (run.experiment, run.name, run.status) == ("nb", "first", RunStatus.COMPLETED)
    assert run.params == {"alpha": "0.5", "epochs": "3", "flag": "True", "label": "abc"}
    assert run.tags == {"team": "ml"}
    assert (run.metrics["loss"].count, run.metrics["loss"].last) == (300, 3.0 / 300)
    assert run.metrics["accuracy"].last == 0.75
    assert (run.source_type, run.source_name) == ("notebook", "In[4]")

    ws = Workspace(workspace)
    assert ws.tracking.read_log(run.id).text == "float int bool str\nwarning: noisy\n"
    files = snapshot_files(ws, run.snapshot_id)
    ws.close()
    assert files["cells.py"] == "".join(f"# In[{n}]\n{source}\n\n" for n, source in enumerate(cells, 1))
    assert files["cell.py"] == body + "\n"
    (module,) = json.loads(files["modules.json"])
    head = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert module["name"] == "helper"
    assert module["sha256"] == hashlib.sha256((project / "helper.py").read_bytes()).hexdigest()
    assert module["git"]["commit"] == head.strip() and module["git"]["status"] == "M"
    assert "+    return 3 * x  # tuned" in files["diffs/project.diff"]
    assert "ipykernel==" in files["pip-freeze.txt"]

    (chart_id,) = displayed_widgets(run_cell)  # the live chart, in its final state
    assert "Completed" in html_values(nb, chart_id) and "301 points" in html_values(nb, chart_id)
    assert png_sizes(nb, chart_id) and min(png_sizes(nb, chart_id)) > 1000
    assert {model["model_module"] for model in widget_states(nb).values()} <= {
        "@jupyter-widgets/controls",
        "@jupyter-widgets/base",
        "@jupyter-widgets/output",
    }


def test_a_cell_run_names_its_notebook_as_the_jupyter_server_told_the_kernel(workspace, tmp_path, monkeypatch):
    """jupyter_server starts a notebook's kernel with JPY_SESSION_NAME = the notebook's absolute path (ipykernel
    puts it in `__session__`): the run's source names that notebook and the cell, so the panels can open it."""
    folder = tmp_path / "analysis"
    folder.mkdir()
    path = folder / "wine.ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))
    execute(notebook(LOAD, "%%mlrun --experiment nb --name named\nmlx.log('loss', 1.0)"), workspace, folder)
    (run,) = _runs(workspace)
    assert (run.source_type, run.source_name) == ("notebook", f"{path} In[2]")


def test_failure_interrupt_and_syntax_error_end_runs_and_the_kernel_goes_on(workspace, tmp_path):
    nb = execute(
        notebook(
            LOAD,
            "%%mlrun --name fails\nprint('before the error')\nraise ValueError('boom')",
            "%%mlrun --name interrupted\nmlx.log('loss', 1.0)\nraise KeyboardInterrupt",
            "%%mlrun --name never\nfor for in",
            "%%mlrun --name after\nprint(mlx.active_run().name)",
            "print(mlx.active_run())",
        ),
        workspace,
        tmp_path,
        allow_errors=True,
    )

    failed, canceled, after = _runs(workspace)
    assert (failed.name, failed.status) == ("fails", RunStatus.FAILED)
    assert "Traceback" in failed.error and "ValueError: boom" in failed.error and "jupyter_mlext" not in failed.error
    assert (canceled.name, canceled.status) == ("interrupted", RunStatus.CANCELED)
    assert canceled.metrics["loss"].last == 1.0
    assert (after.name, after.status) == ("after", RunStatus.COMPLETED)  # no run for the syntax error
    assert len({failed.snapshot_id, canceled.snapshot_id, after.snapshot_id}) == 3  # each ran after other cells

    ws = Workspace(workspace)
    log = ws.tracking.read_log(failed.id).text
    assert log.startswith("before the error\nTraceback") and log.endswith("ValueError: boom\n")
    assert "KeyboardInterrupt" in ws.tracking.read_log(canceled.id).text
    ws.close()

    assert [e.ename for e in errors(nb.cells[1])] == ["ValueError"]  # re-raised to the notebook
    assert "jupyter_mlext" not in "\n".join(errors(nb.cells[1])[0].traceback)
    assert [e.ename for e in errors(nb.cells[2])] == ["KeyboardInterrupt"]
    assert [e.ename for e in errors(nb.cells[3])] == ["SyntaxError"]
    assert streams(nb.cells[4], "stdout") == "after\n"
    assert streams(nb.cells[5], "stdout") == "None\n"  # every cell's run ended, failed or not


def test_the_same_kernel_history_is_stored_once(workspace, tmp_path):
    """Two kernels that executed the same cells record the same thing: one snapshot, shared by both runs."""
    cells = notebook(LOAD, "x = 41", "%%mlrun --name same\nprint(x + 1)")
    execute(cells, workspace, tmp_path)
    execute(cells, workspace, tmp_path)
    first, second = _runs(workspace)
    assert first.id != second.id and first.snapshot_id == second.snapshot_id
    assert [path.name for path in (workspace / "snapshots").iterdir()] == [f"{first.snapshot_id}.tar.gz"]


USAGE_MISTAKES = [
    "%mlrun",
    "%mlrun bogus",
    "%mlrun show",
    "%mlrun show zzzzzz",
    "%mlrun show a b",
    "%mlrun compare abcd",
    "%mlrun list params.alpha >",
    "%mlrun experiment 'unbalanced",
    "%mlrun submit",
    "%mlrun submit missing.py",
    "%%mlrun --param alpha\npass",
    "%%mlrun --param 2fast=1\npass",
    "%%mlrun --unknown\npass",
    "%%mlrun --chart ,\npass",
]


def test_bad_arguments_give_one_line_usage_errors(workspace, tmp_path):
    nb = execute(
        notebook(LOAD, *USAGE_MISTAKES, "print(len(mlx.search_runs()))"), workspace, tmp_path, allow_errors=True
    )
    for source, cell in zip(USAGE_MISTAKES, nb.cells[1:]):
        message = streams(cell, "stderr")
        assert message.startswith("UsageError: ") and message.count("\n") == 1, (source, message)
        assert "Traceback" not in message and not errors(cell), source
    assert "no run with id 'zzzzzz'" in streams(nb.cells[4], "stderr")
    assert "at position 14 of 'params.alpha >'" in streams(nb.cells[7], "stderr")
    assert "'2fast' is not a Python variable name" in streams(nb.cells[12], "stderr")
    assert streams(nb.cells[-1], "stdout") == "0\n"  # none of them started a run


def test_line_magics_default_experiment_list_show_compare(workspace, tmp_path):
    nb = execute(
        notebook(
            LOAD,
            "%mlrun experiment tuning",
            "%%mlrun --param alpha=0.1 --param batch=32\nmlx.log('mse', 3.0)\nmlx.log('mse', 2.0)",
            "%%mlrun --param alpha=0.2 --param batch=32\nmlx.log('mse', 2.5)",
            "a, b = mlx.search_runs('tuning', order_by='params.alpha ASC')",
            "%mlrun list params.alpha > 0.15",
            "%mlrun show {a.id[:8]}",
            "%mlrun compare {a.id} {b.id}",
            "%mlrun experiment",
        ),
        workspace,
        tmp_path,
    )

    assert streams(nb.cells[1], "stdout") == "%%mlrun cells now log into experiment 'tuning'\n"
    first, second = _runs(workspace)
    assert {first.experiment, second.experiment} == {"tuning"}

    (table,) = displayed_widgets(nb.cells[5])
    listed = html_values(nb, table)
    assert second.id[:8] in listed and first.id[:8] not in listed and "1 run" in listed

    (details,) = displayed_widgets(nb.cells[6])
    shown = html_values(nb, details)
    assert first.name in shown and "Completed" in shown and "alpha" in shown and "0.1" in shown
    assert png_sizes(nb, details)  # its chart of mse

    (comparison,) = displayed_widgets(nb.cells[7])
    compared = html_values(nb, comparison)
    assert "1 of 2 params differ" in compared and "<b>" in compared
    assert png_sizes(nb, comparison)
    assert streams(nb.cells[8], "stdout") == "%%mlrun cells log into experiment 'tuning'\n"


def test_submit_follows_the_run_and_the_extension_autoloads_from_config(workspace, tmp_path):
    (tmp_path / "train.py").write_text(
        textwrap.dedent("""
        import sys
        import jupyter_mlext as mlx
        run = mlx.Run.get_context()
        for epoch in range(int(sys.argv[2])):
            run.log("loss", 1.0 / (epoch + 1))
        print("trained", sys.argv[1:])
    """)
    )
    ws = Workspace(workspace)
    agent = Daemon(ws, {TargetKind.LOCAL: LocalBackend(ws)}, kind="agent", interval=0.2)
    agent.start()
    try:
        nb = execute(
            notebook(
                "import jupyter_mlext as mlx",
                "details = %mlrun submit train.py --experiment jobs --param lr=0.1 -- --epochs 4\ndetails",
                "print(details.run.wait(timeout=60))",
                "details.refresh()",
            ),
            workspace,
            tmp_path,
            kernel_args=["--InteractiveShellApp.extensions=jupyter_mlext"],
        )
    finally:
        agent.stop()
    (run,) = ws.tracking.search_runs().runs
    assert (run.experiment, run.status, run.source_type, run.params) == (
        "jobs",
        RunStatus.COMPLETED,
        "job",
        {"lr": "0.1"},
    )
    assert run.metrics["loss"].count == 4
    assert streams(nb.cells[2], "stdout") == "Completed\n"
    (details,) = displayed_widgets(nb.cells[1])
    shown = html_values(nb, details)
    assert "Completed" in shown and "trained [&#x27;--epochs&#x27;, &#x27;4&#x27;]" in shown
    assert png_sizes(nb, details)
    assert any(model["model_name"] == "TabModel" for model in widget_tree(nb, details))
    ws.close()
