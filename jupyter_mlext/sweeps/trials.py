"""Making a trial's run: a submitted child run of the sweep, from the snapshot taken when the sweep was created.

A script trial runs `python train.py [args] --lr 0.01 --depth 4`. A function trial (`function="pkg.mod:train"`)
runs a small launcher, added to the snapshot next to the function's code, that imports the function by
reference and calls `train(lr=0.01, depth=4)` inside the trial's run, so `mlx.log()` logs into it: the function
runs in a process of its own on the compute target like a script, and can be stopped like one.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..compute.snapshot import create_snapshot, snapshot_files
from ..entities import InvalidInput, JobSpec, RunInfo, Trial
from ..store import Workspace
from .definition import SweepSpec

LAUNCHER = "_mlext_sweep_call.py"
SWEEP_TAG = "mlext.sweep"
TRIAL_TAG = "mlext.trial"
ATTEMPT_TAG = "mlext.attempt"
_LAUNCHER_SOURCE = '''"""Written by jupyter-mlext: calls a sweep's function with one trial's values.

argv: module:name, the values as JSON."""
import importlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jupyter_mlext as mlx

module_name, _, qualname = sys.argv[1].partition(":")
target = importlib.import_module(module_name)
for part in qualname.split("."):
    target = getattr(target, part)
mlx.Run.get_context()
target(**json.loads(sys.argv[2]))
mlx.flush()
'''


def take_snapshot(workspace: Workspace, spec: SweepSpec) -> str:
    """The snapshot every trial of the sweep runs from (a function sweep's gets the launcher too)."""
    assert spec.source_dir is not None
    source = Path(spec.source_dir)
    if spec.function is None:
        return create_snapshot(workspace, source)
    module = spec.function.partition(":")[0]
    if (
        not (source / Path(*module.split("."))).with_suffix(".py").is_file()
        and not (source / Path(*module.split(".")) / "__init__.py").is_file()
    ):
        raise InvalidInput(
            f"function {spec.function!r}: module {module!r} is not in source_dir {str(source)!r}", field="function"
        )
    with tempfile.TemporaryDirectory(prefix="mlext-sweep-") as staging:
        for name in snapshot_files(source, exclude=workspace.root.resolve()):
            target = Path(staging, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
        Path(staging, LAUNCHER).write_text(_LAUNCHER_SOURCE, encoding="utf-8")
        return create_snapshot(workspace, staging)


def job_of(spec: SweepSpec, values: Mapping[str, Any]) -> JobSpec:
    if spec.function is not None:
        return JobSpec(spec.compute, LAUNCHER, [spec.function, json.dumps(dict(values))])
    assert spec.script is not None
    return JobSpec(spec.compute, spec.script, spec.trial_args(values))


def make_trial_run(workspace: Workspace, sweep_id: str, spec: SweepSpec, trial: Trial) -> RunInfo:
    """The trial's run, queued on its compute target; the one made already if a driver died right after."""
    for child in workspace.tracking.children(sweep_id):
        if child.tags.get(TRIAL_TAG) == str(trial.number) and child.tags.get(ATTEMPT_TAG) == str(trial.attempt):
            return child
    job = workspace.compute.check_spec(job_of(spec, trial.params))
    return workspace.tracking.create_run(
        spec.experiment,
        name=f"{spec.name or 'sweep'}-trial-{trial.number}" + ("" if trial.attempt == 1 else f"-{trial.attempt}"),
        parent_id=sweep_id,
        source_type="sweep_trial",
        source_name=spec.script or spec.function,
        compute=job.target,
        snapshot_id=workspace.sweeps.snapshot_of(sweep_id),
        params=trial.params,
        tags={SWEEP_TAG: sweep_id, TRIAL_TAG: trial.number, ATTEMPT_TAG: trial.attempt},
        job=job,
    )
