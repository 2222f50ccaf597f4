"""`%mlrun export-pipeline` as a notebook user meets it: notebooks executed on a real kernel (nbclient) export
examples/pipeline.ipynb to a pipeline folder, find the kernel's own notebook when the frontend said which it is,
and answer every mistake in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from notebook_support import REPO, errors, execute, notebook, streams

from jupyter_mlext.pipelines import Pipeline

EXAMPLE = REPO / "examples" / "pipeline.ipynb"
LOAD = "%load_ext jupyter_mlext"
EXAMPLE_STEPS = ["load", "split", "train", "evaluate"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The notebook's folder: the example, and a notebook whose step asks for a variable no step defines."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "analysis.ipynb")
    broken = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["step:first"]}),
            nbformat.v4.new_code_cell("# mlext: inputs = weights\nprint(weights)", metadata={"tags": ["step:second"]}),
        ]
    )
    nbformat.write(broken, folder / "broken.ipynb")
    return folder


@pytest.fixture
def no_session_name(monkeypatch):
    """Kernels inherit this process's environment: no JPY_SESSION_NAME unless a test sets one."""
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


def exported_steps(folder: Path) -> list[str]:
    return [step.name for step in Pipeline.load(folder).steps]


def test_a_named_notebook_is_exported_and_every_mistake_is_one_line(workspace, project, no_session_name):
    vsc_path = json.dumps(str(project / "analysis.ipynb"))
    cells = [
        LOAD,
        "%mlrun export-pipeline analysis.ipynb -o exported",
        "%mlrun export-pipeline",
        f"__vsc_ipynb_file__ = {vsc_path}\n%mlrun export-pipeline --out from_vscode",
        "%mlrun export-pipeline missing.ipynb",
        "%mlrun export-pipeline broken.ipynb",
        "%mlrun export-pipeline analysis.ipynb --force",
        "%mlrun export-pipeline analysis.ipynb -o",
        "%mlrun export-pipeline analysis.ipynb broken.ipynb",
    ]
    nb = execute(notebook(*cells), workspace, project, allow_errors=True)

    assert streams(nb.cells[1], "stdout") == (
        "wrote exported/ (4 steps: load, split, train, evaluate); run it with: mlext pipeline run exported\n"
    )
    assert exported_steps(project / "exported") == EXAMPLE_STEPS
    assert Pipeline.load(project / "exported").params == {"test_size": 0.25, "alpha": 0.5, "seed": 0}
    assert streams(nb.cells[3], "stdout").startswith("wrote from_vscode/ (4 steps:")
    assert exported_steps(project / "from_vscode") == EXAMPLE_STEPS

    mistakes = {
        2: "this kernel does not know which notebook it runs; give its path",
        4: "cannot read notebook 'missing.ipynb'",
        5: "step 'second' declares input 'weights', which no earlier step defines",
        6: "unknown option '--force'",
        7: "-o needs a folder",
        8: "give one notebook",
    }
    for index, expected in mistakes.items():
        message = streams(nb.cells[index], "stderr")
        assert message.startswith("UsageError: %mlrun export-pipeline") and message.count("\n") == 1, message
        assert expected in message and not errors(nb.cells[index]), message
    assert not (project / "broken_pipeline" / "pipeline.yaml").exists()


def test_without_a_notebook_the_kernels_own_notebook_is_exported(workspace, project, monkeypatch):
    # What jupyter_server tells a kernel it starts for a notebook session: the notebook's path.
    monkeypatch.setenv("JPY_SESSION_NAME", str(project / "analysis.ipynb"))
    nb = execute(notebook(LOAD, "%mlrun export-pipeline"), workspace, project)

    assert streams(nb.cells[1], "stdout") == (
        "wrote analysis_pipeline/ (4 steps: load, split, train, evaluate); "
        "run it with: mlext pipeline run analysis_pipeline\n"
    )
    assert exported_steps(project / "analysis_pipeline") == EXAMPLE_STEPS
