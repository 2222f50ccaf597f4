"""Submitting a script as a run (check everything, snapshot the source folder, queue the run) and canceling one.

Everything that can be refused is checked before anything is written, and the run and its job are created in
one transaction, so a refused submission leaves no half-created run behind. The SDK (`mlx.submit`), the CLI
(`mlext submit`) and the REST API (`POST /runs`) all come through here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..entities import Conflict, InvalidInput, Job, JobSpec, RunInfo, TargetKind
from ..store import Workspace
from ..store.compute import ACTIVE_STATUSES
from .dispatcher import Backends
from .local import LocalBackend
from .snapshot import create_snapshot


def submit(
    workspace: Workspace,
    script: str | os.PathLike[str],
    args: Sequence[str] = (),
    *,
    source_dir: str | os.PathLike[str] | None = None,
    compute: str = "local",
    experiment: str = "Default",
    name: str | None = None,
    params: Mapping[str, Any] | None = None,
    tags: Mapping[str, Any] | None = None,
    timeout_s: float | None = None,
    parent_id: str | None = None,
    user: str | None = None,
    source_type: str = "job",
    source_name: str | None = None,
) -> RunInfo:
    """Queue `script` (a path inside `source_dir`, default its own folder) on the compute target `compute`.
    `source_type`/`source_name` say what made the run (a pipeline step names itself; default: the script)."""
    if not isinstance(script, (str, os.PathLike)) or not str(script):
        raise InvalidInput("script must be a path to a Python file", field="script")
    script_path = Path(script).expanduser()
    source = Path(source_dir).expanduser() if source_dir is not None else None
    if source is None:
        source = script_path.resolve().parent
        script_path = Path(script_path.name)
    elif script_path.is_absolute():
        script_path = _inside(script_path, source)
    if not (source / script_path).is_file():
        raise InvalidInput(f"script {str(script)!r} does not exist in {str(source)!r}", field="script")
    spec = workspace.compute.check_spec(JobSpec(compute, script_path.as_posix(), list(args), timeout_s))
    snapshot_id = create_snapshot(workspace, source)
    return workspace.tracking.create_run(
        experiment,
        name=name,
        parent_id=parent_id,
        user=user,
        source_type=source_type,
        source_name=source_name or spec.entry,
        compute=spec.target,
        snapshot_id=snapshot_id,
        params=params,
        tags=tags,
        job=spec,
    )


def cancel(workspace: Workspace, run_id: str, backends: Backends | None = None) -> Job:
    """Cancel a queued or running submitted run, from any process (SDK, CLI, REST): the job records the request,
    which the run's supervisor and the dispatcher watch, and the run's backend (`backends`: the daemon's; by
    default this machine's local one) is signalled at once. A run that has ended is refused (Conflict)."""
    run = workspace.tracking.get_run(run_id)
    if run.status.is_terminal:
        raise Conflict(
            f"run {run.id} has already ended ({run.status.value}); there is nothing to cancel", field="run_id"
        )
    job = workspace.compute.request_cancel(run.id)
    if workspace.tracking.get_run(run.id).status.value in ACTIVE_STATUSES:
        kind = workspace.compute.get_target(job.target).kind
        backend = (backends or {TargetKind.LOCAL: LocalBackend(workspace)}).get(kind)
        if backend is not None:
            backend.cancel(job)
    return workspace.compute.get_job(run.id)


def _inside(script: Path, source: Path) -> Path:
    try:
        return script.resolve().relative_to(source.resolve())
    except ValueError:
        raise InvalidInput(f"script {str(script)!r} is not inside source_dir {str(source)!r}", field="script") from None
