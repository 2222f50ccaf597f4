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

from ..errors import InvalidInput
from ..models import Job, JobSpec, RunInfo, TargetKind
from ..store import TrackingStore
from ..store.compute import ComputeStore
from .dispatcher import Dispatcher
from .local import LocalBackend
from .snapshot import create_snapshot


def submit(
    store: TrackingStore,
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
    compute_store = ComputeStore(store)
    spec = compute_store.check_spec(JobSpec(compute, script_path.as_posix(), list(args), timeout_s))
    snapshot_id = create_snapshot(store, source)
    return store.create_run(
        experiment, name=name, parent_id=parent_id, user=user, source_type=source_type,
        source_name=source_name or spec.entry,
        compute=spec.target, snapshot_id=snapshot_id, params=params, tags=tags, job=spec,
    )


def cancel(store: TrackingStore, run_id: str) -> Job:
    """Cancel a submitted run from any process (SDK, CLI): the job records the request, which the run's supervisor
    and the dispatcher watch; a local run's supervisor is also signalled at once."""
    return Dispatcher(store, {TargetKind.LOCAL: LocalBackend(store)}).cancel(run_id)


def _inside(script: Path, source: Path) -> Path:
    try:
        return script.resolve().relative_to(source.resolve())
    except ValueError:
        raise InvalidInput(f"script {str(script)!r} is not inside source_dir {str(source)!r}",
                           field="script") from None
