"""How an executing run reports back: straight into the workspace, or over HTTP from a machine that cannot see it.

The supervisor (supervise.py) is written against `RunChannel` only, so one execution template serves the local
target and Dask workers alike.
"""
from __future__ import annotations

import socket
from pathlib import Path
from typing import Protocol

import psutil

from ..models import Job, RunInfo, RunStatus
from ..store import TrackingStore
from ..store.compute import ComputeStore
from ..store.logs import log_path
from .snapshot import read_snapshot


class RunChannel(Protocol):
    run_id: str
    attempt: str

    def run(self) -> RunInfo: ...
    def job(self) -> Job: ...
    def snapshot(self) -> bytes: ...
    def log_file(self) -> Path: ...
    def environment(self) -> dict[str, str]: ...
    def set_status(self, status: RunStatus, error: str | None = None) -> None: ...
    def record_process(self, pid: int) -> None: ...
    def record_exit(self, exit_code: int | None) -> None: ...
    def upload_output(self, name: str, path: Path) -> None: ...
    def cancel_requested(self) -> bool: ...
    def close(self) -> None: ...


class LocalChannel:
    """The run's workspace is on this machine: write to its store and its log file directly."""

    def __init__(self, workspace: Path, run_id: str, attempt: str) -> None:
        self.store = TrackingStore(workspace)
        self.compute = ComputeStore(self.store)
        self.run_id = run_id
        self.attempt = attempt

    def run(self) -> RunInfo:
        return self.store.get_run(self.run_id)

    def job(self) -> Job:
        return self.compute.get_job(self.run_id)

    def snapshot(self) -> bytes:
        return read_snapshot(self.store, self.run().snapshot_id)

    def log_file(self) -> Path:
        return log_path(self.store, self.run_id)

    def environment(self) -> dict[str, str]:
        return {"MLEXT_WORKSPACE": str(self.store.paths.root)}

    def set_status(self, status: RunStatus, error: str | None = None) -> None:
        self.store.set_status(self.run_id, status, error=error)

    def record_process(self, pid: int) -> None:
        self.compute.record_process(self.run_id, self.attempt, socket.gethostname(), pid,
                                    psutil.Process(pid).create_time())

    def record_exit(self, exit_code: int | None) -> None:
        self.compute.record_exit(self.run_id, self.attempt, exit_code)

    def upload_output(self, name: str, path: Path) -> None:
        self.store.log_artifact(self.run_id, path, name)

    def cancel_requested(self) -> bool:
        return self.job().cancel_requested

    def close(self) -> None:
        self.store.close()
