"""Submitting one step as a job: its folder (code, a generated entry for notebooks and cells, its inputs under
`inputs/<name>/`) is snapshotted and queued on the step's compute target as a child run of the pipeline run.

The inputs travel inside the snapshot, so a step finds them in its working folder wherever it runs (a Dask
worker shares no filesystem with the workspace). The job is an ordinary submitted run, queued by
`compute.submit.submit` (target checked, snapshot, run and job in one transaction) with `source_type`
"pipeline_step": the dispatcher starts it, and it gets logs, metrics and collected outputs.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import IGNORE_FILES
from ..compute.submit import submit
from ..entities import RunInfo
from ..store import Workspace
from .definition import Pipeline, Step

GENERATED_ENTRY = "_mlext_step.py"
SOURCE_TYPE = "pipeline_step"
# An input: ("run", producing run id, output name) or ("path", absolute path).
InputSource = tuple[str, ...]

_NOTEBOOK_ENTRY = '''"""Runs notebook {notebook!r} with papermill, its params injected (written by jupyter-mlext)."""
import json
import sys

import papermill

papermill.execute_notebook(
    {notebook!r}, {executed!r}, parameters=json.loads({params!r}), cwd=".", progress_bar=False,
    stdout_file=sys.stdout, stderr_file=sys.stderr,
)
'''


def submit_step(
    workspace: Workspace,
    pipeline: Pipeline,
    step: Step,
    files: list[str],
    params: Mapping[str, Any],
    inputs: Mapping[str, InputSource],
    *,
    parent_id: str,
    experiment: str,
    tags: Mapping[str, Any],
    user: str | None = None,
) -> RunInfo:
    """Stage the step's folder (`files`: its `code_files`) and submit it as a child run of the pipeline run."""
    entry, args = _entry(step, params)
    with tempfile.TemporaryDirectory(prefix="mlext-step-") as folder:
        stage = Path(folder)
        for relative in files:
            if Path(relative).name not in (*IGNORE_FILES, ".gitignore"):  # already applied; inputs must not match
                _copy(pipeline.source_dir / relative, stage / relative)
        _stage_entry(step, params, stage)
        for name, source in inputs.items():
            _materialise(workspace, source, stage / "inputs" / name)
        return submit(
            workspace,
            entry,
            args,
            source_dir=stage,
            compute=step.compute,
            experiment=experiment,
            name=step.name,
            params=loggable(params),
            tags=tags,
            timeout_s=step.timeout_s,
            parent_id=parent_id,
            user=user,
            source_type=SOURCE_TYPE,
            source_name=f"{pipeline.name}.{step.name}",
        )


def loggable(params: Mapping[str, Any]) -> dict[str, Any]:
    """Params as run params (the store keeps text; a null param is not logged)."""
    return {key: str(value) if isinstance(value, bool) else value for key, value in params.items() if value is not None}


def _entry(step: Step, params: Mapping[str, Any]) -> tuple[str, list[str]]:
    if step.script is not None:
        args = [part for key, value in params.items() if value is not None for part in (f"--{key}", str(value))]
        return step.script, args
    return GENERATED_ENTRY, []


def _stage_entry(step: Step, params: Mapping[str, Any], stage: Path) -> None:
    if step.notebook is not None:
        executed = f"outputs/{Path(step.notebook).stem}.executed.ipynb"
        text = _NOTEBOOK_ENTRY.format(notebook=step.notebook, executed=executed, params=json.dumps(dict(params)))
    elif step.cells is not None:
        assignments = "".join(f"{key} = {value!r}\n" for key, value in params.items())
        text = (
            f"# step {step.name!r}: its params, then its cells (written by jupyter-mlext)\n{assignments}\n"
            + "\n\n".join(step.cells)
            + "\n"
        )
    else:
        return
    (stage / GENERATED_ENTRY).write_text(text, encoding="utf-8")


def _materialise(workspace: Workspace, source: InputSource, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    if source[0] == "path":
        path = Path(source[1])
        if path.is_dir():
            shutil.copytree(path, destination, dirs_exist_ok=True)
        else:
            shutil.copyfile(path, destination / path.name)
        return
    _, run_id, output = source
    prefix = f"outputs/{output}/"
    root = workspace.paths.run_artifacts(run_id)
    for artifact in workspace.tracking.list_artifacts(run_id, f"outputs/{output}"):
        _copy(root / artifact.path, destination / artifact.path[len(prefix) :])


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
