"""Scoring scripts: the Azure ML contract of `init()` (load the model once) and `run(data)` (score one request).

`init` finds the model's files through `MLEXT_MODEL_DIR` (and `AZUREML_MODEL_DIR`, so scripts written for Azure
ML run unchanged). `run` receives the request body as text, as Azure ML passes it, and returns anything JSON can
carry; NumPy arrays and scalars are converted.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from ..entities import InvalidInput

MODEL_DIR_ENV = "MLEXT_MODEL_DIR"
AZUREML_MODEL_DIR_ENV = "AZUREML_MODEL_DIR"
REQUIRED = ("init", "run")


def check_source(path: Path) -> None:
    """Refuse, before any process starts, a script that is missing, is not Python or defines no init/run."""
    if not path.is_file():
        raise InvalidInput(f"scoring script {str(path)!r} does not exist", field="scoring_script")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError, ValueError) as error:
        raise InvalidInput(f"scoring script {path.name} is not valid Python: {error}", field="scoring_script") from None
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    missing = [name for name in REQUIRED if name not in defined]
    if missing:
        raise InvalidInput(
            f"scoring script {path.name} defines no {' and no '.join(f'{m}()' for m in missing)}; "
            "it needs init() and run(data)",
            field="scoring_script",
        )


def model_folder(files: Path) -> Path:
    """The folder handed to `init`: the version's folder, or the folder of a version that is a single file."""
    return files if files.is_dir() else files.parent


def load(script: Path, model_dir: Path) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
    """Import the script (its folder first on sys.path, so it can import its neighbours) with the model folder in
    the environment; returns its `init` and `run`."""
    os.environ[MODEL_DIR_ENV] = os.environ[AZUREML_MODEL_DIR_ENV] = str(model_dir)
    sys.path.insert(0, str(script.parent))
    module = _import(script)
    functions: list[Callable[..., Any]] = []
    for name in REQUIRED:
        function = getattr(module, name, None)
        if not callable(function):
            raise InvalidInput(f"scoring script {script.name} has no function {name}()", field="scoring_script")
        functions.append(function)
    return functions[0], functions[1]


def _import(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(script.stem, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[script.stem] = module
    spec.loader.exec_module(module)
    return module


def to_json(result: Any) -> bytes:
    """The answer's bytes; raises TypeError for what JSON cannot carry."""
    return json.dumps(result, default=_plain, allow_nan=False).encode()


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # NumPy arrays and scalars, pandas objects
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"run() returned a {type(value).__name__}, which JSON cannot carry")
