"""What a pipeline is: steps (a script, a notebook or a group of cells) with named inputs, outputs and params.

    pipeline = mlx.Pipeline("diabetes", params={"alpha": 0.1}, steps=[
        mlx.Step("prep", script="prep.py", outputs=["data"]),
        mlx.Step("train", script="train.py", inputs={"data": "prep.data"}, params={"alpha": "${alpha}"}),
    ])

An input is another step's output (`"step.output"`) or a file or folder (a path relative to the pipeline's
folder). A step param whose value is exactly `"${name}"` takes the pipeline param `name`, so a run's params reach
only the steps that use them (and changing one re-runs only those). `pipeline.yaml` holds the same fields;
`Pipeline.load`/`save` convert between the two. `validate()` refuses a bad DAG before anything runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..entities import InvalidInput
from ..store.artifacts import refusal
from ..wire.contract import check_document, schema_validator

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,99}$")
RESERVED_NAMES = frozenset({"export"})
PARAM_REF = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
STEP_OUTPUT = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\.([A-Za-z_][A-Za-z0-9_-]*)$")
DEFINITION_FILES = ("pipeline.yaml", "pipeline.yml")
_STEP_FIELDS = ("name", "script", "notebook", "cells", "inputs", "outputs", "params", "compute", "timeout_s")
_STEP_DEFAULTS: dict[str, Any] = {"inputs": {}, "outputs": [], "params": {}, "compute": "local"}
_KINDS = ("script", "notebook", "cells")


@dataclasses.dataclass
class Step:
    name: str
    script: str | None = None
    notebook: str | None = None
    cells: list[str] | None = None
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)
    outputs: list[str] = dataclasses.field(default_factory=list)
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    compute: str = "local"
    timeout_s: float | None = None

    @property
    def kind(self) -> str:
        return next(kind for kind in _KINDS if getattr(self, kind) is not None)

    @property
    def entry(self) -> str | None:
        """The file in the pipeline's folder that is this step's code (None for cells)."""
        return self.script if self.script is not None else self.notebook

    def upstream(self, step_names: Collection[str]) -> dict[str, tuple[str, str]]:
        """Inputs that are outputs of the steps named `step_names`: input name → (step, output)."""
        return {
            name: (m.group(1), m.group(2))
            for name, source in self.inputs.items()
            if (m := STEP_OUTPUT.match(source)) and m.group(1) in step_names
        }

    def resolved_params(self, pipeline_params: Mapping[str, Any]) -> dict[str, Any]:
        """The step's params, with `${name}` references replaced by the pipeline run's values."""
        return {
            key: pipeline_params[m.group(1)] if isinstance(value, str) and (m := PARAM_REF.match(value)) else value
            for key, value in self.params.items()
        }

    def to_dict(self) -> dict[str, Any]:
        return self.fields()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        """A step from its fields, as the `PipelineStepDefinition` schema describes them (checked by
        `Pipeline.from_dict` and `Pipeline.validate`)."""
        return cls(**{key: data[key] for key in _STEP_FIELDS if key in data})

    def fields(self) -> dict[str, Any]:
        """Every field that is set, including more than one kind of code (which `validate` refuses)."""
        data: dict[str, Any] = {"name": self.name}
        for field in _STEP_FIELDS[1:]:
            value = getattr(self, field)
            if value is not None and value != _STEP_DEFAULTS.get(field):
                data[field] = value
        return data


@dataclasses.dataclass
class Pipeline:
    name: str
    steps: list[Step]
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    source_dir: Path = dataclasses.field(default_factory=Path.cwd, compare=False)

    def __post_init__(self) -> None:
        self.source_dir = Path(self.source_dir).expanduser().resolve()

    def step(self, name: str) -> Step:
        for step in self.steps:
            if step.name == name:
                return step
        raise InvalidInput(f"pipeline {self.name!r} has no step {name!r}", field="step")

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params), "steps": [step.to_dict() for step in self.steps]}

    @classmethod
    def from_dict(
        cls, data: Any, source_dir: str | os.PathLike[str] | None = None, *, checked: bool = False
    ) -> Pipeline:
        """A pipeline from the fields of a pipeline.yaml (checked against the `PipelineDefinition` schema of
        api/openapi.yaml; `params` may be left out). `checked`: `data` is the `to_dict()` of a pipeline that was
        checked already (a pipeline run's stored definition, read on every pass of its driver), not checked again."""
        if isinstance(data, Mapping) and "params" not in data:
            data = {**data, "params": {}}
        if not checked:
            check_document(schema_validator("PipelineDefinition"), data, "a pipeline definition")
        return cls(
            data["name"],
            [Step.from_dict(step) for step in data["steps"]],
            data["params"],
            Path(source_dir) if source_dir is not None else Path.cwd(),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Pipeline:
        """From a pipeline.yaml, or a folder holding one; paths in it are relative to its folder."""
        path = Path(path).expanduser()
        if path.is_dir():
            path = next((path / n for n in DEFINITION_FILES if (path / n).is_file()), path / DEFINITION_FILES[0])
        if not path.is_file():
            raise InvalidInput(f"no pipeline definition at {str(path)!r}", field="path")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise InvalidInput(f"{path} is not valid YAML: {error}", field="path") from None
        return cls.from_dict(data, path.resolve().parent)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the definition as YAML (a folder gets a pipeline.yaml); `load` gives an equal pipeline back."""
        path = Path(path).expanduser()
        if path.is_dir():
            path = path / DEFINITION_FILES[0]
        path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    # -- validation ----------------------------------------------------------------------------------------------

    def validate(self) -> list[Step]:
        """Check everything that can be checked before running; returns the steps in an order that runs each
        after the steps it takes inputs from. Raises InvalidInput naming the step and field at fault."""
        if not isinstance(self.steps, list) or not all(isinstance(step, Step) for step in self.steps):
            raise InvalidInput("steps must be a list of Step objects", field="steps")
        for step in self.steps:
            kinds = [kind for kind in _KINDS if getattr(step, kind) is not None]
            if len(kinds) != 1:
                raise InvalidInput(
                    f"step {step.name!r} needs exactly one of script, notebook or cells (has {kinds})",
                    field=f"steps.{step.name}",
                )
        definition = {"name": self.name, "params": self.params, "steps": [step.fields() for step in self.steps]}
        check_document(schema_validator("PipelineDefinition"), definition, "a pipeline definition")
        if self.name in RESERVED_NAMES:
            raise InvalidInput(
                f"{self.name!r} is reserved (POST /mlext/api/pipelines/export); choose another name", field="name"
            )
        seen: set[str] = set()
        for step in self.steps:
            if step.name in seen:
                raise InvalidInput(f"two steps are named {step.name!r}", field=f"steps.{step.name}.name")
            seen.add(step.name)
        by_name = {step.name: step for step in self.steps}
        for step in self.steps:
            self._check_step(step, by_name)
        return _topological(self.steps)

    def _check_step(self, step: Step, by_name: dict[str, Step]) -> None:
        where = f"steps.{step.name}"
        if step.cells is None:
            entry = step.entry or ""
            self.contained(entry, f"{where}.{step.kind}")
            if not (self.source_dir / entry).is_file():
                raise InvalidInput(
                    f"step {step.name!r}: {step.kind} {entry!r} does not exist in {self.source_dir}",
                    field=f"{where}.{step.kind}",
                )
        for name, source in step.inputs.items():
            field = f"{where}.inputs.{name}"
            match = STEP_OUTPUT.match(source)
            if match and match.group(1) in by_name:
                producer, output = match.groups()
                if producer == step.name:
                    raise InvalidInput(f"step {step.name!r} takes its own output {source!r}", field=field)
                if output not in by_name[producer].outputs:
                    raise InvalidInput(
                        f"step {step.name!r}: input {name!r} names output {output!r} of step "
                        f"{producer!r}, which has outputs {by_name[producer].outputs}",
                        field=field,
                    )
            else:
                self.input_path(step, name)
        for key, value in step.params.items():
            if isinstance(value, str) and (m := PARAM_REF.match(value)) and m.group(1) not in self.params:
                raise InvalidInput(
                    f"step {step.name!r}: param {key!r} refers to pipeline param {m.group(1)!r}, "
                    f"which the pipeline does not have",
                    field=f"{where}.params.{key}",
                )

    def input_path(self, step: Step, name: str) -> Path:
        """The file or folder that input `name` of `step` names (not another step's output), resolved and checked
        to lie inside the pipeline's folder — with nothing in it leading out through a symlink — when it is
        validated and again when a run stages it."""
        source, field = step.inputs[name], f"steps.{step.name}.inputs.{name}"
        path = self.contained(source, field)
        if not path.exists():
            raise InvalidInput(
                f"step {step.name!r}: input {name!r} is {source!r}, which is neither an output "
                f"of a step (step.output) nor a file or folder in {self.source_dir}",
                field=field,
            )
        for folder, dirnames, filenames in os.walk(path) if path.is_dir() else ():
            for entry in (*dirnames, *filenames):
                reason = refusal(self.source_dir, Path(folder) / entry)
                if reason is not None:
                    raise InvalidInput(f"step {step.name!r}: input {name!r}: {reason}", field=field)
        return path

    def contained(self, value: str, field: str) -> Path:
        """`value` as a path inside the pipeline's folder, resolved: refused, naming `field`, when it is
        absolute, has a `..` segment or leads out of the folder through a symlink (a definition someone else
        wrote must not read /etc/passwd or ~/.ssh into a run's snapshot)."""
        relative = Path(value)
        if relative.is_absolute() or ".." in relative.parts:
            raise InvalidInput(
                f"{field} is {value!r}: it must be a path relative to the pipeline's folder, without '..'",
                field=field,
            )
        resolved = (self.source_dir / relative).resolve()
        if not resolved.is_relative_to(self.source_dir):
            raise InvalidInput(
                f"{field} is {value!r}, which leads through a symlink to {resolved}, outside the pipeline's "
                f"folder {self.source_dir}",
                field=field,
            )
        return resolved

    def run_params(self, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
        """The pipeline's params with a run's overrides; a name the pipeline does not have is refused."""
        overrides = dict(overrides or {})
        check_document(schema_validator("TriggerPipeline"), {"params": overrides}, "params")
        for key in overrides:
            if key not in self.params:
                raise InvalidInput(
                    f"pipeline {self.name!r} has no param {key!r} (it has {sorted(self.params)})", field=f"params.{key}"
                )
        return {**self.params, **overrides}


def _topological(steps: list[Step]) -> list[Step]:
    """Steps ordered so that each comes after its producers (stable: definition order among equals)."""
    names = {step.name for step in steps}
    remaining = {step.name: {producer for producer, _ in step.upstream(names).values()} for step in steps}
    ordered: list[Step] = []
    while remaining:
        ready = [step for step in steps if step.name in remaining and not remaining[step.name]]
        if not ready:
            stuck = next(step.name for step in steps if step.name in remaining)
            raise InvalidInput(
                f"steps form a cycle: {' → '.join(_cycle(remaining, stuck))}", field=f"steps.{stuck}.inputs"
            )
        for step in ready:
            del remaining[step.name]
            ordered.append(step)
        for producers in remaining.values():
            producers.difference_update(step.name for step in ready)
    return ordered


def _cycle(remaining: dict[str, set[str]], start: str) -> list[str]:
    path = [start]
    while True:
        following = min(remaining[path[-1]] & remaining.keys())
        if following in path:
            return path[path.index(following) :] + [following]
        path.append(following)
