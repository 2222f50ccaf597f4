"""How an executing run reports back: straight into the workspace, or over HTTP from a machine that cannot see it.

The supervisor (supervise.py) is written against `RunChannel` only, so one execution template serves the local
target and Dask workers alike.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Protocol

import psutil

from ..entities import Job, RunInfo, RunStatus
from ..store import Workspace


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
        self.workspace = Workspace(workspace)
        self.run_id = run_id
        self.attempt = attempt

    def run(self) -> RunInfo:
        return self.workspace.tracking.get_run(self.run_id)

    def job(self) -> Job:
        return self.workspace.compute.get_job(self.run_id)

    def snapshot(self) -> bytes:
        snapshot_id = self.run().snapshot_id
        if snapshot_id is None:
            raise FileNotFoundError(f"run {self.run_id} has no snapshot")
        return self.workspace.snapshots.read(snapshot_id)

    def log_file(self) -> Path:
        return self.workspace.tracking.log_file(self.run_id)

    def environment(self) -> dict[str, str]:
        return {"MLEXT_WORKSPACE": str(self.workspace.root)}

    def set_status(self, status: RunStatus, error: str | None = None) -> None:
        self.workspace.tracking.set_status(self.run_id, status, error=error)

    def record_process(self, pid: int) -> None:
        self.workspace.compute.record_process(
            self.run_id, self.attempt, socket.gethostname(), pid, psutil.Process(pid).create_time()
        )

    def record_exit(self, exit_code: int | None) -> None:
        self.workspace.compute.record_exit(self.run_id, self.attempt, exit_code)

    def upload_output(self, name: str, path: Path) -> None:
        self.workspace.tracking.log_artifact(self.run_id, path, name)

    def cancel_requested(self) -> bool:
        return self.job().cancel_requested

    def close(self) -> None:
        self.workspace.close()
