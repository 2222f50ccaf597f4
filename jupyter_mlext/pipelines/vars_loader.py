"""Variables passed between the steps of a pipeline exported from a notebook.

This file is copied as `_mlext_vars.py` into every exported pipeline folder, so the folder runs on any machine
with Python (and the notebook's own imports), without jupyter-mlext or Jupyter. A step reads its params from its
command line (`--name value`), loads the variables it takes from earlier steps from `inputs/<step>/<name>.pkl`,
and saves those that later steps take to `outputs/vars/<name>.pkl`.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

_TRUE = {"true", "1", "yes", "on"}


class PassError(Exception):
    """A variable could not be handed from one step to the next."""


def param(name: str, default: Any) -> Any:
    """The value of `--name` on the command line, as the type of the default (else the default)."""
    argv = sys.argv[1:]
    flag = f"--{name}"
    for index, arg in enumerate(argv):
        if arg == flag and index + 1 < len(argv):
            return _as_type(argv[index + 1], default)
        if arg.startswith(flag + "="):
            return _as_type(arg[len(flag) + 1 :], default)
    return default


def _as_type(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        return text.strip().lower() in _TRUE
    if isinstance(default, (int, float)):
        try:
            return type(default)(text)
        except ValueError:
            return float(text)
    return text


def load(step: str, names: Iterable[str]) -> list[Any]:
    """The variables `names` saved by step `step`, in that order."""
    values = []
    for name in names:
        path = Path("inputs") / step / f"{name}.pkl"
        if not path.is_file():
            raise PassError(f"variable {name!r} from step {step!r} is missing ({path} does not exist)")
        with path.open("rb") as handle:
            values.append(pickle.load(handle))
    return values


def save(step: str, namespace: Mapping[str, Any], names: Iterable[str]) -> None:
    """Pickle the variables `names` of step `step` for the steps after it."""
    folder = Path("outputs") / "vars"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        if name not in namespace:
            raise PassError(
                f"step {step!r} should pass variable {name!r} to later steps, but it was never defined "
                "(is it assigned only on some branch?)"
            )
        try:
            data = pickle.dumps(namespace[name], protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # noqa: BLE001 - whatever pickling raises, name the variable and step
            raise PassError(
                f"variable {name!r} of step {step!r} cannot be passed to later steps: it cannot be pickled "
                f"({type(error).__name__}: {error}). Recompute it in the step that uses it, or move that code "
                "into this step."
            ) from None
        (folder / f"{name}.pkl").write_bytes(data)


def display(*values: Any) -> None:
    """Stands in for IPython's display() outside a notebook: prints the values."""
    for value in values:
        print(value)
