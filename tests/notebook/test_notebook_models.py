"""The ModelRegistry widget and `%mlrun models` in a real kernel: what they show of a registry the test fills
(saved widget state), that the "register from run" form writes to the ws, and that they are made of stock
@jupyter-widgets models only."""

from __future__ import annotations

import textwrap

from notebook_support import (
    displayed_widgets,
    errors,
    execute,
    html_values,
    notebook,
    streams,
    widget_states,
    widget_tree,
)

from jupyter_mlext.store import Workspace

STOCK_MODULES = {"@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output"}


def _seed(workspace) -> dict[str, str]:
    """A sweep's child run with a model file, registered twice as `ridge` (production moved by ann from 1 to 2)
    and once as `forest` with a tag."""
    ws = Workspace(workspace)
    try:
        parent = ws.tracking.create_run("diabetes", name="sweep")
        run = ws.tracking.create_run("diabetes", name="alpha-0.1", parent_id=parent.id, params={"alpha": 0.1})
        ws.tracking.log_metrics(run.id, [("mse", 3.25, 0, None), ("mse", 2.75, 1, None)])
        ws.tracking.write_artifact(run.id, "outputs/model.pkl", b"pickle")
        ws.tracking.write_artifact(run.id, "outputs/other.pkl", b"other")
        ws.tracking.set_status(run.id, "Completed")
        registry = ws.registry
        registry.register("ridge", run_id=run.id, path="outputs/model.pkl", user="ann")
        registry.register("ridge", run_id=run.id, path="outputs/model.pkl", tags={"stage": "candidate"}, user="ann")
        registry.register("forest", run_id=run.id, path="outputs/model.pkl", tags={"area": "health"}, user="bob")
        registry.set_alias("ridge", "production", 1, user="ann")
        registry.set_alias("ridge", "production", 2, user="ann")
        return {"run": run.id, "parent": parent.id}
    finally:
        ws.close()


def test_the_registry_widget_browses_versions_lineage_history_and_registers(workspace, tmp_path):
    ids = _seed(workspace)
    nb = execute(
        notebook(
            "import jupyter_mlext as mlx",
            'browser = mlx.ModelRegistry("ridge")\nbrowser',
            textwrap.dedent("""\
            print([m.name for m in browser.models], browser.version.version, browser.version.aliases)
            browser.search("area=health")
            print([m.name for m in browser.models], browser.version.name)
            browser.search("RID")
            print([m.name for m in browser.models])"""),
            textwrap.dedent(f"""\
            browser.search("")
            browser.select_model("ridge")
            browser.select_version(1)
            print(browser.version.version, browser.version.aliases)
            made = browser.register({ids["run"][:8]!r}, "outputs/other.pkl", "ridge")
            print(made.version, browser.version.version, [m.version_count for m in browser.models])"""),
            "browser.register('nope', 'outputs/model.pkl', 'ridge')",
        ),
        workspace,
        tmp_path,
        allow_errors=True,
    )

    assert streams(nb.cells[2], "stdout") == "['forest', 'ridge'] 2 ['production']\n['forest'] forest\n['ridge']\n"
    assert streams(nb.cells[3], "stdout") == "1 []\n3 3 [1, 3]\n"
    assert "no run" in errors(nb.cells[4])[0].evalue
    (browser,) = displayed_widgets(nb.cells[1])
    shown = html_values(nb, browser)  # the final state: ridge:3, its lineage and ridge's history
    assert f"runs:/{ids['run']}/outputs/other.pkl" in shown
    assert "alpha-0.1" in shown and ids["run"][:8] in shown and ids["parent"][:8] in shown
    assert "alpha" in shown and "2.75" in shown and "3.25" in shown  # params and the metric's last and max
    assert "moved alias" in shown and "v1 → v2" in shown and "ann" in shown
    models = {model["model_name"] for model in widget_tree(nb, browser)}
    assert {"SelectModel", "TextModel", "ButtonModel", "HTMLModel", "TabModel"} <= models
    tab = next(model for model in widget_tree(nb, browser) if model["model_name"] == "TabModel")
    assert tab["state"]["titles"] == ["Version", "Lineage", "History", "Register"]
    labels = {
        model["state"].get("description") for model in widget_tree(nb, browser) if model["model_name"] == "TextModel"
    }
    assert {"Search", "Run id", "Artifact", "Model name"} <= labels
    assert {state["model_module"] for state in widget_states(nb).values()} <= STOCK_MODULES

    ws = Workspace(workspace)
    try:
        registered = ws.registry.get_version("ridge", 3)
        assert registered.run_id == ids["run"] and registered.source.endswith("outputs/other.pkl")
        assert (ws.registry.files(registered) / "other.pkl").read_bytes() == b"other"
    finally:
        ws.close()


def test_mlrun_models_shows_the_browser_and_refuses_an_unknown_model_in_one_line(workspace, tmp_path):
    _seed(workspace)
    nb = execute(
        notebook(
            "%load_ext jupyter_mlext",
            "%mlrun models",
            "w = %mlrun models ridge\nprint(w.version.name, w.version.version)",
            "%mlrun models nope",
            "%mlrun models a b",
        ),
        workspace,
        tmp_path,
        allow_errors=True,
    )
    (everything,) = displayed_widgets(nb.cells[1])
    assert "forest:1" in html_values(nb, everything)  # the first model and its newest version are picked
    options = next(model for model in widget_tree(nb, everything) if model["model_name"] == "SelectModel")
    assert options["state"]["_options_labels"][:2] == ["forest (1 version)", "ridge (2 versions)"]
    assert streams(nb.cells[2], "stdout") == "ridge 2\n"
    assert streams(nb.cells[3], "stderr") == "UsageError: %mlrun models: no registered model named 'nope'\n"
    assert streams(nb.cells[4], "stderr").startswith("UsageError: %mlrun models: give at most one model name")
