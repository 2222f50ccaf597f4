"""Batch scoring: a submitted job that runs a scoring script over a folder of input files.

The job's snapshot is self-contained — the runner (`batch_runner.py`), the scoring script's folder, the model
version's files and the inputs — so it runs on any compute target, and the run records exactly what was scored
with what. The results are the run's outputs (artifacts). Everything is checked before the run is queued.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..compute.snapshot import snapshot_files
from ..compute.submit import submit
from ..entities import InvalidInput, RunInfo
from ..store import Workspace
from . import batch_runner, scoring
from .service import resolve_script

ENTRY = "mlext_batch_score.py"
DEFAULT_EXPERIMENT = "batch-scoring"


def batch_score(
    workspace: Workspace,
    model: str,
    scoring_script: str | os.PathLike[str],
    inputs: str | os.PathLike[str],
    *,
    source_dir: str | os.PathLike[str] | None = None,
    compute: str = "local",
    experiment: str = DEFAULT_EXPERIMENT,
    name: str | None = None,
    timeout_s: float | None = None,
    user: str | None = None,
) -> RunInfo:
    """Queue a run that scores every file under `inputs` with `model` ("name:3", "name@alias") and the script."""
    registry = workspace.registry
    version = registry.get(model)
    model_files = registry.existing_files(version)
    script, source = resolve_script(scoring_script, source_dir)
    scoring.check_source(source / script)
    folder = Path(inputs).expanduser().resolve()
    if not folder.is_dir():
        raise InvalidInput(f"inputs {str(inputs)!r} is not a folder", field="inputs")
    if not any(path.is_file() for path in folder.rglob("*")):
        raise InvalidInput(f"inputs {str(inputs)!r} holds no files", field="inputs")
    with tempfile.TemporaryDirectory(prefix="mlext-batch-") as staging:
        stage = Path(staging)
        shutil.copyfile(batch_runner.__file__, stage / ENTRY)
        for relative in snapshot_files(source, exclude=workspace.root):
            (stage / "code" / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / relative, stage / "code" / relative)
        if model_files.is_dir():
            shutil.copytree(model_files, stage / "model")
        else:
            (stage / "model").mkdir()
            shutil.copyfile(model_files, stage / "model" / model_files.name)
        shutil.copytree(folder, stage / "inputs")
        return submit(
            workspace,
            stage / ENTRY,
            ["--script", f"code/{script}", "--model", "model", "--inputs", "inputs"],
            source_dir=stage,
            compute=compute,
            experiment=experiment,
            name=name,
            timeout_s=timeout_s,
            params={"model": f"{version.name}:{version.version}", "scoring_script": script, "inputs": str(folder)},
            tags={"kind": "batch-scoring", "model": version.name},
            user=user,
        )
