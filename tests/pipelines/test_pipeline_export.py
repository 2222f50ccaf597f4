"""Notebook → pipeline folder: which variables cross steps (and how: re-executed imports and definitions, pickled
values), a folder that runs without Jupyter and gives the notebook's own result, and a clear error for a value
that cannot be passed."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from pipeline_support import child

from jupyter_mlext.entities import InvalidInput
from jupyter_mlext.pipelines import Pipeline
from jupyter_mlext.pipelines.analysis import StepCode, plan_steps
from jupyter_mlext.pipelines.export import export_notebook
from jupyter_mlext.pipelines.runner import run_pipeline

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pipeline.ipynb"


def plans(*sources: str, params=None):
    return {p.name: p for p in plan_steps([StepCode(f"s{i}", s) for i, s in enumerate(sources)], params or {})}


def test_imports_and_definitions_are_re_executed_and_values_are_passed_from_their_last_user():
    steps = plans(
        "import numpy as np\nfrom math import sqrt as root\nK = 3\ndef scale(v):\n    return v * K\ndata = [1, 2]",
        "data.append(np.sum(data))\nunused = 1",
        "total = root(scale(data[-1])) + alpha",
        params={"alpha": 0.5},
    )
    assert steps["s1"].prelude == ["import numpy as np"] and steps["s1"].loads == {"s0": ["data"]}
    third = steps["s2"]
    assert third.prelude == ["from math import sqrt as root", "def scale(v):\n    return v * K"]
    assert third.loads == {"s0": ["K"], "s1": ["data"]}  # data as s1 changed it; K for the re-executed def
    assert third.params == ["alpha"]
    assert steps["s0"].outputs == ["K", "data"] and steps["s1"].outputs == ["data"] and third.outputs == []


def test_names_bound_before_use_comprehension_and_function_locals_are_not_inputs():
    steps = plans("x = 1\nitems = [2]", "x = 5\nsquares = [i * i for i in items]\ndef f(x):\n    return x\nf(x)")
    assert steps["s1"].loads == {"s0": ["items"]}


def test_declared_inputs_and_outputs_are_honoured_and_unknown_declarations_refused():
    steps = plans("# mlext: outputs = hidden\nexec('hidden = 4')", "# mlext: inputs = hidden\nprint(eval('hidden'))")
    assert steps["s0"].outputs == ["hidden"] and steps["s1"].loads == {"s0": ["hidden"]}
    with pytest.raises(InvalidInput) as caught:
        plans("a = 1", "# mlext: inputs = nothing\n")
    assert caught.value.field == "steps.s1" and "'nothing'" in caught.value.message


def run_top_to_bottom(notebook: Path, workspace: Path) -> float:
    document = nbformat.read(notebook, as_version=4)
    os.environ["MLEXT_WORKSPACE"] = str(workspace)
    try:
        NotebookClient(
            document, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}}
        ).execute()
    finally:
        del os.environ["MLEXT_WORKSPACE"]
    text = "".join(output.get("text", "") for cell in document.cells for output in cell.get("outputs", []))
    return float(re.search(r"mse=([0-9.e+-]+)", text).group(1))


def test_the_example_exported_runs_without_jupyter_and_gives_the_notebooks_result(ws, tmp_path):
    notebook = tmp_path / "pipeline.ipynb"
    shutil.copy(EXAMPLE, notebook)
    folder = export_notebook(notebook)
    assert folder == tmp_path / "pipeline_pipeline"
    assert sorted(p.name for p in folder.iterdir()) == [
        "_mlext_vars.py",
        "pipeline.yaml",
        "step_evaluate.py",
        "step_load.py",
        "step_split.py",
        "step_train.py",
    ]
    pipeline = Pipeline.load(folder)
    assert pipeline.params == {"test_size": 0.25, "alpha": 0.5, "seed": 0}
    assert pipeline.step("evaluate").inputs == {"split": "split.vars", "train": "train.vars"}

    record = run_pipeline(ws, pipeline, timeout=180)
    assert record.state == "Completed", record.error
    exported = child(ws, record, "evaluate").metrics["mse"].last
    assert exported == run_top_to_bottom(notebook, tmp_path / "notebook-ws")

    again = run_pipeline(ws, Pipeline.load(export_notebook(notebook)), {"alpha": 2.0}, timeout=180)
    assert [s.state for s in again.steps] == ["Reused", "Reused", "Completed", "Completed"]


def test_a_value_that_cannot_be_pickled_fails_its_step_naming_variable_and_step(ws, tmp_path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("numbers = (i for i in range(3))", metadata={"tags": ["step:make"]}),
            nbformat.v4.new_code_cell("print(list(numbers))", metadata={"tags": ["step:use"]}),
        ]
    )
    nbformat.write(notebook, tmp_path / "gen.ipynb")
    record = run_pipeline(ws, Pipeline.load(export_notebook(tmp_path / "gen.ipynb")), timeout=120)
    assert [s.state for s in record.steps] == ["Failed", "NotStarted"]
    log = ws.tracking.read_log(record.step("make").child_run_id).text
    assert "variable 'numbers' of step 'make' cannot be passed to later steps" in log


def test_a_notebook_without_step_tags_or_with_a_bad_parameters_cell_is_refused(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    nbformat.write(notebook, tmp_path / "plain.ipynb")
    with pytest.raises(InvalidInput, match="step:<name>"):
        export_notebook(tmp_path / "plain.ipynb")
    notebook.cells.insert(0, nbformat.v4.new_code_cell("n = len('abc')", metadata={"tags": ["parameters"]}))
    notebook.cells[1].metadata["tags"] = ["step:one"]
    nbformat.write(notebook, tmp_path / "plain.ipynb")
    with pytest.raises(InvalidInput) as caught:
        export_notebook(tmp_path / "plain.ipynb")
    assert caught.value.field == "parameters.n"


def test_the_cli_exports_and_validates_without_a_workspace_and_refuses_in_one_line(tmp_path, monkeypatch, capsys):
    from jupyter_mlext.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLEXT_WORKSPACE", raising=False)
    assert main(["pipeline", "export", str(EXAMPLE), "-o", "exported"]) == 0
    assert main(["--json", "pipeline", "validate", "exported"]) == 0
    assert '"name": "pipeline"' in capsys.readouterr().out
    assert not (tmp_path / ".mlext").exists()  # neither command opened (or created) a workspace
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["pipeline", "export", str(EXAMPLE), "-o", "a-file/exported"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("mlext: error: ") and error.count("\n") == 1
