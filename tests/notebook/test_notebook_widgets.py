"""The widgets in a real kernel, over a workspace the test fills: what they show (saved widget state), that they
follow a live run from a background thread, and that they are built from stock @jupyter-widgets models only."""

from __future__ import annotations

import textwrap

from notebook_support import (
    chart_sizes,
    displayed_widgets,
    execute,
    html_values,
    notebook,
    png_sizes,
    streams,
    widget_states,
    widget_tree,
)

from jupyter_mlext.store import Workspace

STOCK_MODULES = {"@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output"}


def _seed(ws: Workspace) -> dict[str, str]:
    """Three finished runs of a sweep (one with a 100,000-point series, a log and an output file)."""
    ids = {}
    for alpha, mse, points in ((0.01, 3.5, 100), (0.1, 2.5, 100_000), (1.0, 3.0, 100)):
        run = ws.tracking.create_run("sweep", name=f"alpha={alpha}", params={"alpha": alpha, "epochs": 10})
        ws.tracking.log_metrics(run.id, [("mse", mse + 1.0 / (step + 1), step, None) for step in range(points)])
        ws.tracking.set_status(run.id, "Completed")
        ids[str(alpha)] = run.id
    ws.tracking.append_log(ids["0.1"], b"epoch 1 done\nepoch 2 done\n")
    ws.tracking.write_artifact(ids["0.1"], "outputs/model.txt", b"weights")
    return ids


def test_runs_table_filters_sorts_and_compares(workspace, tmp_path):
    ws = Workspace(workspace)
    ids = _seed(ws)
    ws.close()
    nb = execute(
        notebook(
            "import jupyter_mlext as mlx",
            'table = mlx.RunsTable(experiment="sweep", filter="params.alpha >= 0.1", order_by="metrics.mse ASC")\n'
            "table",
            'table.set_filter("params.alpha >")\nprint(table.error)',
            textwrap.dedent("""\
            table.set_filter("")
            table.set_order("metrics.mse DESC")
            print([run.name for run in table.runs])
            table.select([run.id for run in table.runs[:2]])
            comparison = table.compare()
            print(comparison.differing_params)"""),
        ),
        workspace,
        tmp_path,
    )

    (table_id,) = displayed_widgets(nb.cells[1])
    assert streams(nb.cells[2], "stdout").startswith("filter: expected a number or a quoted string")
    assert streams(nb.cells[3], "stdout") == "['alpha=0.01', 'alpha=1.0', 'alpha=0.1']\n['alpha']\n"
    shown = html_values(nb, table_id)  # the final state: all three runs, worst first, and their comparison
    assert shown.index("alpha=0.01") < shown.index("alpha=1.0") < shown.index("alpha=0.1")
    assert "1 of 2 params differ" in shown and ids["0.1"][:8] not in shown.split("Comparing")[1]
    assert len(png_sizes(nb, table_id)) == 1
    models = {model["model_name"] for model in widget_tree(nb, table_id)}
    assert {"DropdownModel", "TextModel", "SelectMultipleModel", "ButtonModel", "HTMLModel", "ImageModel"} <= models
    assert {state["model_module"] for state in widget_states(nb).values()} <= STOCK_MODULES


def test_run_details_shows_params_metrics_log_and_outputs(workspace, tmp_path):
    ws = Workspace(workspace)
    ids = _seed(ws)
    ws.close()
    nb = execute(notebook("import jupyter_mlext as mlx", f"mlx.RunDetails({ids['0.1'][:8]!r})"), workspace, tmp_path)
    (details,) = displayed_widgets(nb.cells[1])
    shown = html_values(nb, details)
    for text in (
        "alpha=0.1",
        "Completed",
        "experiment <b>sweep</b>",
        "epochs",
        "2.50001",
        "epoch 1 done\nepoch 2 done",
        "outputs/model.txt",
    ):
        assert text in shown, text
    assert png_sizes(nb, details)  # the chart of the 100,000-point series, drawn from downsampled history
    # Crisp and sized to the cell: twice the pixels it is shown at, as wide as the cell up to its natural size.
    ((pixels, width, max_width),) = chart_sizes(nb, details)
    assert (width, max_width) == ("100%", f"{pixels / 2:g}px") and pixels >= 800
    tab = next(model for model in widget_tree(nb, details) if model["model_name"] == "TabModel")
    assert tab["state"]["titles"] == ["Overview", "Charts", "Log", "Outputs"]


def test_live_chart_follows_a_running_run_from_a_background_thread(workspace, tmp_path):
    """The kernel thread draws the chart once (no metrics yet) and never again: the final picture below can only
    come from the chart's own thread."""
    nb = execute(
        notebook(
            "import time\nimport jupyter_mlext as mlx",
            textwrap.dedent("""\
            live = mlx.start_run("live", name="live-run")
            chart = mlx.LiveChart(live)
            display(chart)
            for step in range(200):
                live.log("loss", 1 / (step + 1))
            live.end()
            deadline = time.monotonic() + 60
            while chart.following and time.monotonic() < deadline:
                time.sleep(0.05)
            print("following:", chart.following)"""),
        ),
        workspace,
        tmp_path,
    )
    assert streams(nb.cells[1], "stdout") == "following: False\n"
    (chart,) = displayed_widgets(nb.cells[1])
    shown = html_values(nb, chart)
    assert "live-run" in shown and "Completed" in shown and "200 points" in shown
    assert png_sizes(nb, chart)
