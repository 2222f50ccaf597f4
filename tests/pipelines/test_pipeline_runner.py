"""Running pipelines in the caller's process, on real local subprocesses: a child run per step with inputs
materialised from the producer's outputs; unchanged steps reused; a changed step re-runs with what is downstream
only (downstream re-runs when the changed step's outputs change); a failing step fails the run, leaves the rest
NotStarted, and a re-run resumes from it; notebook (papermill) and cell steps get their params."""

from __future__ import annotations

import json

import nbformat
import pytest
from pipeline_support import child, make_project, states, three_steps

from jupyter_mlext.entities import RunStatus
from jupyter_mlext.pipelines import Pipeline, Step
from jupyter_mlext.pipelines.runner import REUSED_FROM_TAG, STEP_STATE_TAG, run_pipeline


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def test_a_run_is_a_parent_with_a_child_run_per_step_fed_by_the_outputs_before(ws, project):
    record = run_pipeline(ws, three_steps(project), {"alpha": 2.0}, timeout=120)
    assert record.state == "Completed", record.error
    parent = ws.tracking.get_run(record.run_id)
    assert (parent.status, parent.experiment, parent.source_type) == (RunStatus.COMPLETED, "numbers", "pipeline")
    assert parent.params == {"scale": "1.0", "alpha": "2.0"}
    evaluate = child(ws, record, "evaluate")
    assert evaluate.parent_id == parent.id and evaluate.source_type == "pipeline_step"
    assert evaluate.metrics["score"].last == sum(range(10)) * 2.0
    assert child(ws, record, "train").params == {"alpha": "2.0"}  # only the params the step takes


def test_unchanged_steps_are_reused_and_a_change_reruns_that_step_and_downstream_only(ws, project):
    first = run_pipeline(ws, three_steps(project), timeout=120)
    again = run_pipeline(ws, three_steps(project), timeout=120)
    assert states(again) == {"prep": "Reused", "train": "Reused", "evaluate": "Reused"}
    for step in ("prep", "train", "evaluate"):
        reused = child(ws, again, step)
        assert reused.status is RunStatus.COMPLETED
        assert reused.tags[REUSED_FROM_TAG] == first.step(step).child_run_id
    assert ws.tracking.get_run(again.run_id).status is RunStatus.COMPLETED

    (project / "train.py").write_text((project / "train.py").read_text() + "\n# a comment\n")
    commented = run_pipeline(ws, three_steps(project), timeout=120)  # same outputs: downstream still reused
    assert states(commented) == {"prep": "Reused", "train": "Completed", "evaluate": "Reused"}

    (project / "train.py").write_text((project / "train.py").read_text().replace("* alpha", "* alpha * 10"))
    edited = run_pipeline(ws, three_steps(project), timeout=120)
    assert states(edited) == {"prep": "Reused", "train": "Completed", "evaluate": "Completed"}
    assert child(ws, edited, "evaluate").metrics["score"].last == sum(range(10)) * 0.5 * 10

    other_alpha = run_pipeline(ws, three_steps(project), {"alpha": 3.0}, timeout=120)
    assert states(other_alpha) == {"prep": "Reused", "train": "Completed", "evaluate": "Completed"}
    assert child(ws, other_alpha, "evaluate").metrics["score"].last == sum(range(10)) * 3.0 * 10

    forced = run_pipeline(ws, three_steps(project), {"alpha": 3.0}, force=True, timeout=120)
    assert states(forced) == {"prep": "Completed", "train": "Completed", "evaluate": "Completed"}


def test_a_failing_step_fails_the_run_and_a_rerun_resumes_from_it(ws, project):
    (project / "train.py").write_text("raise SystemExit('diverged')\n")
    failed = run_pipeline(ws, three_steps(project), timeout=120)
    assert failed.state == "Failed" and "train" in failed.error
    assert states(failed) == {"prep": "Completed", "train": "Failed", "evaluate": "NotStarted"}
    assert ws.tracking.get_run(failed.run_id).status is RunStatus.FAILED
    blocked = child(ws, failed, "evaluate")
    assert blocked.status is RunStatus.CANCELED and blocked.tags[STEP_STATE_TAG] == "NotStarted"

    make_project(project)  # the fix
    resumed = run_pipeline(ws, three_steps(project), timeout=120)
    assert resumed.state == "Completed"
    assert states(resumed) == {"prep": "Reused", "train": "Completed", "evaluate": "Completed"}


def test_a_step_that_does_not_write_its_declared_output_fails_the_run(ws, project):
    (project / "prep.py").write_text("print('forgot the data')\n")
    record = run_pipeline(ws, three_steps(project), timeout=120)
    assert states(record)["prep"] == "Failed" and "outputs/data/" in record.step("prep").error


def test_notebook_steps_run_with_papermill_and_cell_steps_with_their_params(ws, project):
    notebook = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    notebook.cells = [
        nbformat.v4.new_code_cell("factor = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os\nos.makedirs('outputs/table', exist_ok=True)\n"
            "n = sum(float(x) for x in open('inputs/data/numbers.txt').read().split())\n"
            "open('outputs/table/n.txt', 'w').write(str(n * factor))"
        ),
    ]
    nbformat.write(notebook, project / "report.ipynb")
    pipeline = Pipeline(
        "mixed",
        params={"factor": 3},
        source_dir=project,
        steps=[
            Step("prep", script="prep.py", outputs=["data"], params={"scale": 1.0}),
            Step(
                "report",
                notebook="report.ipynb",
                inputs={"data": "prep.data"},
                outputs=["table"],
                params={"factor": "${factor}"},
            ),
            Step(
                "check",
                cells=[
                    "import json, jupyter_mlext as mlx",
                    (
                        "value = float(open('inputs/table/n.txt').read())\n"
                        "mlx.Run.get_context().log('value', value * bonus)"
                    ),
                ],
                inputs={"table": "report.table"},
                params={"bonus": 2},
            ),
        ],
    )
    record = run_pipeline(ws, pipeline, timeout=180)
    assert record.state == "Completed", record.error
    assert child(ws, record, "check").metrics["value"].last == sum(range(10)) * 3 * 2
    executed = [a.path for a in ws.tracking.list_artifacts(record.step("report").child_run_id)]
    assert "outputs/report.executed.ipynb" in executed
    assert json.loads(
        ws.tracking.artifact_file(record.step("report").child_run_id, "outputs/report.executed.ipynb").read_text()
    )["cells"][1]["metadata"]["tags"] == ["injected-parameters"]
