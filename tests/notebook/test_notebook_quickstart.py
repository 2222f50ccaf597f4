"""examples/quickstart.ipynb, the notebook `make lab` opens, runs top to bottom on a fresh kernel and leaves the
runs, charts and comparison it promises."""

from __future__ import annotations

import nbformat
from notebook_support import (
    REPO,
    displayed_widgets,
    errors,
    execute,
    html_values,
    png_sizes,
    snapshot_files,
    streams,
    widget_states,
)

from jupyter_mlext.entities import RunStatus
from jupyter_mlext.store import Workspace

QUICKSTART = REPO / "examples" / "quickstart.ipynb"


def test_quickstart_runs_top_to_bottom_and_tracks_the_sweep(workspace):
    committed = nbformat.read(QUICKSTART, as_version=4)
    nb = execute(nbformat.read(QUICKSTART, as_version=4), workspace, QUICKSTART.parent)
    # JupyterLab writes the kernel's language_info into a notebook it opens, which marks it modified (and
    # autosave rewrites it) unless the file already holds exactly that: the file must match this kernel.
    assert nb.metadata.language_info == committed.metadata.language_info
    assert committed.metadata.kernelspec == {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert not [cell.source for cell in code if errors(cell)]

    ws = Workspace(workspace)
    runs = {run.name: run for run in ws.tracking.search_runs("diabetes", max_results=100).runs}
    sweep = runs.pop("alpha-sweep")
    first = runs.pop("first-try")
    assert {run.params["alpha"] for run in runs.values()} == {"0.001", "0.01", "0.1", "1.0", "3.0"}
    assert all(run.parent_id == sweep.id for run in runs.values())
    for run in [sweep, first, *runs.values()]:
        assert run.status is RunStatus.COMPLETED
    assert first.params == {"alpha": "0.01", "epochs": "60"}
    assert {run.metrics["val_mse"].count for run in [first, *runs.values()]} == {60}
    assert "def train(alpha, epochs, run):" in snapshot_files(ws, first.snapshot_id)["cells.py"]
    ws.close()

    best = min([first, *runs.values()], key=lambda run: run.metrics["val_mse"].last)
    printed = next(streams(cell, "stdout") for cell in code if "search_runs" in cell.source)
    assert printed.startswith(f"best: {best.name} (alpha={best.params['alpha']})")

    sweep_cell = next(cell for cell in code if "--name alpha-sweep" in cell.source)
    (chart,) = displayed_widgets(sweep_cell)
    assert "6 runs" in html_values(nb, chart) and png_sizes(nb, chart)
    (table,) = displayed_widgets(next(cell for cell in code if "RunsTable" in cell.source))
    assert "6 runs" in html_values(nb, table)
    (comparison,) = displayed_widgets(next(cell for cell in code if "%mlrun compare" in cell.source))
    assert "params differ" in html_values(nb, comparison) and png_sizes(nb, comparison)
    assert {state["model_module"] for state in widget_states(nb).values()} <= {
        "@jupyter-widgets/controls",
        "@jupyter-widgets/base",
        "@jupyter-widgets/output",
    }
