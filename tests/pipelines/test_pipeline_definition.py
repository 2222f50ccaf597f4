"""Pipeline definitions: the DAG is checked before anything runs (cycles, unknown inputs, duplicate steps, unknown
param references), and pipeline.yaml and the Python form are the same thing."""

from __future__ import annotations

import textwrap

import pytest
from pipeline_support import make_project, three_steps

from jupyter_mlext.entities import InvalidInput
from jupyter_mlext.pipelines import Pipeline, Step


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "project")


def refusal(pipeline: Pipeline) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        pipeline.validate()
    return caught.value


def test_valid_steps_come_in_an_order_that_runs_producers_first(project):
    pipeline = three_steps(project)
    pipeline.steps.reverse()
    assert [step.name for step in pipeline.validate()] == ["prep", "train", "evaluate"]


def test_a_cycle_is_refused_naming_a_step_in_it(project):
    pipeline = Pipeline(
        "loop",
        source_dir=project,
        steps=[
            Step("a", script="prep.py", inputs={"x": "b.out"}, outputs=["out"]),
            Step("b", script="train.py", inputs={"x": "a.out"}, outputs=["out"]),
        ],
    )
    error = refusal(pipeline)
    assert error.field == "steps.a.inputs" and "cycle" in error.message and "a → b → a" in error.message


def test_unknown_inputs_are_refused_naming_the_step_and_input(project):
    unknown_output = three_steps(project)
    unknown_output.steps[1].inputs = {"data": "prep.missing"}
    error = refusal(unknown_output)
    assert error.field == "steps.train.inputs.data" and "'missing'" in error.message
    unknown_step = three_steps(project)
    unknown_step.steps[2].inputs = {"model": "trainer.model"}
    assert refusal(unknown_step).field == "steps.evaluate.inputs.model"
    folder_input = three_steps(project)
    (project / "raw").mkdir()
    folder_input.steps[0].inputs = {"raw": "raw"}
    folder_input.validate()


def test_duplicate_steps_missing_scripts_and_unknown_param_references_are_refused(project):
    duplicate = three_steps(project)
    duplicate.steps.append(Step("train", script="train.py"))
    assert refusal(duplicate).field == "steps.train.name"
    missing = three_steps(project)
    missing.steps[0].script = "nope.py"
    assert refusal(missing).field == "steps.prep.script"
    two_kinds = three_steps(project)
    two_kinds.steps[0].cells = ["print(1)"]
    assert refusal(two_kinds).field == "steps.prep"
    reference = three_steps(project)
    reference.steps[1].params = {"alpha": "${learning_rate}"}
    assert refusal(reference).field == "steps.train.params.alpha"
    reserved = three_steps(project)
    reserved.name = "export"  # the REST route that exports notebooks
    assert refusal(reserved).field == "name"
    with pytest.raises(InvalidInput) as caught:
        three_steps(project).run_params({"gamma": 1})
    assert caught.value.field == "params.gamma"


def test_yaml_and_python_definitions_are_equivalent(project):
    (project / "pipeline.yaml").write_text(
        textwrap.dedent("""\
        name: numbers
        params: {scale: 1.0, alpha: 0.5}
        steps:
          - name: prep
            script: prep.py
            outputs: [data]
            params: {scale: "${scale}"}
          - name: train
            script: train.py
            inputs: {data: prep.data}
            outputs: [model]
            params: {alpha: "${alpha}"}
          - name: evaluate
            script: evaluate.py
            inputs: {model: train.model}
        """)
    )
    loaded = Pipeline.load(project)
    assert loaded == three_steps(project) and loaded.source_dir == project.resolve()
    saved = three_steps(project).save(project / "copy.yaml")
    assert Pipeline.load(saved) == three_steps(project)
    assert Pipeline.load(saved).to_dict() == loaded.to_dict()


def test_a_yaml_with_an_unknown_field_is_refused_naming_it(project):
    (project / "pipeline.yaml").write_text("name: x\nsteps:\n  - name: a\n    script: prep.py\n    retries: 3\n")
    with pytest.raises(InvalidInput) as caught:
        Pipeline.load(project / "pipeline.yaml")
    assert caught.value.field == "steps[0].retries"


def test_paths_that_leave_the_pipeline_folder_are_refused_naming_the_field(project, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the key")
    (outside / "run.py").write_text("print('not ours')")
    (project / "escape").symlink_to(outside)
    (project / "raw").mkdir()
    (project / "raw" / "leak.txt").symlink_to(outside / "secret.txt")
    (project / "local.txt").write_text("ours")
    (project / "alias.txt").symlink_to(project / "local.txt")

    yaml_path = project / "pipeline.yaml"
    yaml_path.write_text(
        textwrap.dedent("""
        name: leaky
        steps:
          - {name: train, script: train.py, inputs: {data: /etc/passwd}}
    """)
    )
    error = refusal(Pipeline.load(project))
    assert error.field == "steps.train.inputs.data" and "relative to the pipeline's folder" in error.message

    for source, says in (
        ("../outside/secret.txt", "without '..'"),
        ("escape/secret.txt", "symlink"),
        ("raw", "raw/leak.txt is a symlink to"),
    ):
        pipeline = three_steps(project)
        pipeline.steps[0].inputs = {"data": source}
        error = refusal(pipeline)
        assert error.field == "steps.prep.inputs.data" and says in error.message, error.message

    script = three_steps(project)
    script.steps[0].script = "escape/run.py"
    assert refusal(script).field == "steps.prep.script"

    inside = three_steps(project)
    inside.steps[0].inputs = {"data": "alias.txt"}  # a symlink that stays in the folder is an ordinary input
    inside.validate()
