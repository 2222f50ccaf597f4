"""A sweep's definition, checked as a whole before anything is created, and its JSON (and sweep.yaml) form.

Every field is checked here and a refusal names it (`InvalidInput(field=...)`), so `mlx.sweep`, `mlext sweep
run sweep.yaml` and `POST /sweeps` refuse the same things with the same words, and nothing is half-created.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..entities import InvalidInput
from .policies import Policy, make_policy
from .samplers import check_sampling, grid_size
from .space import Distribution, Value, make_space, space_to_dict

GOALS = ("minimize", "maximize")
MAX_TRIALS = 100_000
MAX_CONCURRENT = 1_000
FIELDS = (
    "experiment",
    "script",
    "function",
    "source_dir",
    "args",
    "space",
    "sampling",
    "primary_metric",
    "goal",
    "max_trials",
    "max_concurrent",
    "timeout",
    "seed",
    "early_termination",
    "compute",
    "name",
)


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """`script` (a path inside `source_dir`, default its folder) or `function` ("module:name", a callable
    importable from `source_dir`) is what each trial runs; the rest says how values are chosen and judged."""

    experiment: str
    space: dict[str, Distribution]
    primary_metric: str
    script: str | None = None
    function: str | None = None
    source_dir: str | None = None
    args: tuple[str, ...] = ()
    sampling: str = "random"
    goal: str = "minimize"
    max_trials: int = 10
    max_concurrent: int = 1
    timeout: float | None = None
    seed: int = 0
    early_termination: Policy | None = None
    compute: str = "local"
    name: str | None = None

    @property
    def maximize(self) -> bool:
        return self.goal == "maximize"

    def trial_args(self, values: Mapping[str, Value]) -> list[str]:
        """`--lr 0.01 --depth 4` after the fixed args, for a script trial."""
        args = list(self.args)
        for name, value in values.items():
            args += [f"--{name}", _spell(value)]
        return args

    def to_dict(self) -> dict[str, Any]:
        return {
            "experiment": self.experiment,
            "script": self.script,
            "function": self.function,
            "source_dir": self.source_dir,
            "args": list(self.args),
            "space": space_to_dict(self.space),
            "sampling": self.sampling,
            "primary_metric": self.primary_metric,
            "goal": self.goal,
            "max_trials": self.max_trials,
            "max_concurrent": self.max_concurrent,
            "timeout": self.timeout,
            "seed": self.seed,
            "early_termination": None if self.early_termination is None else self.early_termination.to_dict(),
            "compute": self.compute,
            "name": self.name,
        }


def _spell(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _integer(value: Any, field: str, least: int, most: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise InvalidInput(f"{field} must be an integer from {least} to {most}, not {value!r}", field=field)
    return value


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{field} must be a non-empty string, not {value!r}", field=field)
    return value


def make_spec(
    fields: Mapping[str, Any], base_dir: str | os.PathLike[str] | None = None, *, check_files: bool = True
) -> SweepSpec:
    """Check every field; relative paths are taken from `base_dir` (a sweep.yaml's folder; default the current
    directory) and stored absolute, so the definition means the same to every driver. A stored definition is
    read back without `check_files`: its trials run from the snapshot taken at creation, not from the folder."""
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"a sweep has no field {unknown[0]!r}; its fields are {', '.join(FIELDS)}", field=unknown[0])
    get = fields.get
    experiment = _text(get("experiment"), "experiment")
    script, function = get("script"), get("function")
    if (script is None) == (function is None):
        raise InvalidInput("a sweep runs either a script or a function: give exactly one", field="script")
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    source_dir = get("source_dir")
    if source_dir is not None:
        source_dir = str((base / _text(source_dir, "source_dir")).resolve())
        if check_files and not Path(source_dir).is_dir():
            raise InvalidInput(f"source_dir {source_dir!r} is not a folder", field="source_dir")
    if script is not None:
        script_path = Path(_text(script, "script"))
        if source_dir is None:
            full = (base / script_path).resolve()
            source_dir, script = str(full.parent), full.name
        else:
            script = (
                str(script_path.resolve().relative_to(source_dir))
                if script_path.is_absolute() and script_path.resolve().is_relative_to(source_dir)
                else str(script_path)
            )
        if check_files and not (Path(source_dir) / script).is_file():
            raise InvalidInput(f"script {str(fields['script'])!r} does not exist in {source_dir!r}", field="script")
    else:
        function = _text(function, "function")
        module, _, attr = function.partition(":")
        if not module or not attr or module == "__main__":
            raise InvalidInput(
                f"function {function!r} must be importable by reference, as 'module:name' (not from __main__)",
                field="function",
            )
        source_dir = source_dir or str(base.resolve())
    args = get("args") or ()
    if isinstance(args, (str, bytes)) or not isinstance(args, Sequence) or not all(isinstance(a, str) for a in args):
        raise InvalidInput("args must be a list of strings", field="args")
    space = make_space(get("space"))
    sampling = check_sampling(get("sampling", "random"), space)
    primary_metric = _text(get("primary_metric"), "primary_metric")
    goal = get("goal", "minimize")
    if goal not in GOALS:
        raise InvalidInput(f"goal must be 'minimize' or 'maximize', not {goal!r}", field="goal")
    max_trials = _integer(get("max_trials", 10), "max_trials", 1, MAX_TRIALS)
    max_concurrent = _integer(get("max_concurrent", 1), "max_concurrent", 1, MAX_CONCURRENT)
    if sampling == "grid":
        max_trials = min(max_trials, grid_size(space))
    timeout = get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not math.isfinite(timeout) or timeout <= 0
    ):
        raise InvalidInput(f"timeout must be a number of seconds > 0, or null, not {timeout!r}", field="timeout")
    seed = _integer(get("seed", 0), "seed", 0, 2**31 - 1)
    name = get("name")
    if name is not None:
        _text(name, "name")
    return SweepSpec(
        experiment=experiment,
        space=space,
        primary_metric=primary_metric,
        script=script,
        function=function,
        source_dir=source_dir,
        args=tuple(args),
        sampling=sampling,
        goal=goal,
        max_trials=max_trials,
        max_concurrent=max_concurrent,
        timeout=None if timeout is None else float(timeout),
        seed=seed,
        early_termination=make_policy(get("early_termination")),
        compute=_text(get("compute", "local"), "compute"),
        name=name,
    )


def spec_from_dict(data: Mapping[str, Any]) -> SweepSpec:
    """The stored definition back as a SweepSpec (its paths are absolute already)."""
    fields = {k: v for k, v in data.items() if v is not None and v != []}
    return make_spec(fields, data.get("source_dir"), check_files=False)


_POSITIONAL = {
    "uniform": ("low", "high"),
    "loguniform": ("low", "high"),
    "quniform": ("low", "high", "q"),
    "qloguniform": ("low", "high", "q"),
    "normal": ("mu", "sigma"),
    "randint": ("low", "high"),
}


def _yaml_distribution(name: str, entry: Any) -> Any:
    """`{loguniform: [0.0001, 0.1]}` or `{choice: [2, 4, 8]}` (the short form) as the dict form `make` takes."""
    if isinstance(entry, Mapping) and len(entry) == 1 and "kind" not in entry:
        ((kind, arguments),) = entry.items()
        if kind == "choice":
            return {"kind": "choice", "values": arguments}
        if kind in _POSITIONAL:
            names = _POSITIONAL[kind]
            if not isinstance(arguments, list) or len(arguments) != len(names):
                raise InvalidInput(
                    f"space.{name}: {kind} takes [{', '.join(names)}], not {arguments!r}", field=f"space.{name}"
                )
            return {"kind": kind, **dict(zip(names, arguments, strict=True))}
    return entry


def load_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The fields of a sweep.yaml (relative paths in it are taken from its folder: pass it as `base_dir`)."""
    import yaml

    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read {str(file)!r}: {error.strerror}", field="path") from None
    except yaml.YAMLError as error:
        raise InvalidInput(f"{file.name} is not valid YAML: {error}", field="path") from None
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{file.name} must be a mapping of sweep fields", field="path")
    fields = dict(data)
    if isinstance(fields.get("space"), Mapping):
        fields["space"] = {name: _yaml_distribution(name, entry) for name, entry in fields["space"].items()}
    return fields
