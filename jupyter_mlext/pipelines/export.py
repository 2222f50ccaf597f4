"""A notebook to a pipeline folder that runs without Jupyter (`mlext pipeline run DIR`).

Cells tagged `step:<name>` start a step; untagged cells join the step above (those before the first step join
the first). The cell tagged `parameters` (papermill's convention) holds the pipeline's params as literal
assignments. Variables that cross steps are found by analysis.py and passed as pickles through each step's
output `vars`. The folder holds pipeline.yaml, one `step_<name>.py` per step and `_mlext_vars.py` (the loader).
IPython line magics and shell lines are kept as comments; `%%mlrun` cells run as plain code.
"""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path
from typing import Any

from ..entities import InvalidInput
from .analysis import StepCode, StepPlan, plan_steps
from .definition import NAME, Pipeline, Step

STEP_TAG = "step:"
PARAMETERS_TAG = "parameters"
LOADER = "_mlext_vars.py"
VARS_OUTPUT = "vars"
_LOADER_SOURCE = Path(__file__).with_name("vars_loader.py")


def export_notebook(path: str | os.PathLike[str], out_dir: str | os.PathLike[str] | None = None) -> Path:
    """Write the pipeline folder of notebook `path` (default `<notebook stem>_pipeline/` beside it) and return
    it. A folder that exists must be empty or hold an earlier export, whose files are replaced."""
    notebook = Path(path).expanduser()
    cells = _code_cells(notebook)
    params = _parameters(cells)
    steps = _steps(cells)
    plans = plan_steps(steps, params)
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", notebook.stem).lstrip("-._") or "pipeline"
    target = Path(out_dir).expanduser() if out_dir is not None else notebook.with_name(f"{notebook.stem}_pipeline")
    _prepare(target)
    pipeline = Pipeline(name, [_step(plan) for plan in plans], params, target)
    for plan in plans:
        (target / f"step_{plan.name}.py").write_text(_script(plan, name, notebook.name, params), encoding="utf-8")
    (target / LOADER).write_text(_LOADER_SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    pipeline.save(target)
    pipeline.validate()
    return target


def _code_cells(notebook: Path) -> list[tuple[int, list[str], str]]:
    """(index, tags, source) of each code cell."""
    try:
        document = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InvalidInput(f"cannot read notebook {str(notebook)!r}: {error}", field="notebook") from None
    cells = []
    for index, cell in enumerate(document.get("cells", [])):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append(
                (
                    index,
                    list(cell.get("metadata", {}).get("tags", [])),
                    "".join(source) if isinstance(source, list) else source,
                )
            )
    return cells


def _parameters(cells: list[tuple[int, list[str], str]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for index, tags, source in cells:
        if PARAMETERS_TAG not in tags:
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError as error:
            raise InvalidInput(
                f"the parameters cell (cell {index}) is not valid Python: {error.msg}", field="parameters"
            ) from None
        for statement in tree.body:
            if not (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                raise InvalidInput(
                    f"the parameters cell (cell {index}) may only assign literals to names, "
                    f"not {ast.unparse(statement)!r}",
                    field="parameters",
                )
            name = statement.targets[0].id
            try:
                params[name] = ast.literal_eval(statement.value)
            except ValueError:
                raise InvalidInput(
                    f"parameter {name!r} must be a literal (number, string, boolean, None)", field=f"parameters.{name}"
                ) from None
    return params


def _steps(cells: list[tuple[int, list[str], str]]) -> list[StepCode]:
    steps: list[StepCode] = []
    before_first: list[str] = []
    for index, tags, source in cells:
        if PARAMETERS_TAG in tags:
            continue
        names = [tag[len(STEP_TAG) :] for tag in tags if tag.startswith(STEP_TAG)]
        text = f"# %% cell {index}\n{_without_magics(source, index)}"
        if names:
            if not NAME.match(names[0]) or any(s.name == names[0] for s in steps):
                raise InvalidInput(
                    f"cell {index}: step tag {names[0]!r} is not a new valid step name", field="notebook"
                )
            steps.append(StepCode(names[0], "\n\n".join([*before_first, text])))
            before_first = []
        elif steps:
            steps[-1].source += "\n\n" + text
        else:
            before_first.append(text)
    if not steps:
        raise InvalidInput("no cell is tagged step:<name>; tag the first cell of each step", field="notebook")
    return steps


def _without_magics(source: str, index: int) -> str:
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        if lines[0].split()[0] != "%%mlrun":
            raise InvalidInput(
                f"cell {index} is a {lines[0].split()[0]} cell, which a script cannot run", field="notebook"
            )
        lines = lines[1:]
    return "\n".join(
        f"# (IPython only, not run here) {line}" if line.lstrip().startswith(("%", "!")) else line for line in lines
    )


def _prepare(target: Path) -> None:
    if target.exists() and any(target.iterdir()) and not (target / "pipeline.yaml").is_file():
        raise InvalidInput(f"{target} exists and is not an exported pipeline; choose another folder", field="out_dir")
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("step_*.py"):
        stale.unlink()


def _step(plan: StepPlan) -> Step:
    return Step(
        plan.name,
        script=f"step_{plan.name}.py",
        inputs={producer: f"{producer}.{VARS_OUTPUT}" for producer in plan.loads},
        outputs=[VARS_OUTPUT] if plan.outputs else [],
        params={name: f"${{{name}}}" for name in plan.params},
    )


def _script(plan: StepPlan, pipeline: str, notebook: str, params: dict[str, Any]) -> str:
    header = f"# Step {plan.name!r} of pipeline {pipeline!r}, exported from {notebook} by jupyter-mlext.\n"
    parts = [header + "import _mlext_vars as _mlext\n"]
    if plan.params:
        parts.append("".join(f"{name} = _mlext.param({name!r}, {params[name]!r})\n" for name in plan.params))
    if plan.loader_names:
        parts.append(f"from _mlext_vars import {', '.join(plan.loader_names)}\n")
    if plan.prelude:
        parts.append("\n".join(plan.prelude) + "\n")
    if plan.loads:
        parts.append(
            "".join(f"[{', '.join(names)}] = _mlext.load({step!r}, {names!r})\n" for step, names in plan.loads.items())
        )
    parts.append(plan.source.rstrip() + "\n")
    if plan.outputs:
        parts.append(f"_mlext.save({plan.name!r}, globals(), {plan.outputs!r})\n")
    return "\n".join(parts)
