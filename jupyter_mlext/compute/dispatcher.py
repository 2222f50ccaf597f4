"""The dispatcher: starts queued runs on their compute targets, within each target's concurrency.

It holds no state of its own: queue, claims and processes are in the workspace, so a dispatcher that restarts
(or a second one on the same workspace) picks up where things are. `reconcile()` runs on every tick: a run whose
runner process is gone is marked Failed with the reason, one whose runner lives is left to finish, and queued
runs start. Claims are conditional updates, so no run starts twice.

Backends are plugged in by whoever builds the dispatcher (the daemon, daemon.py; `run_pipeline` in a script): a
`Backend` per target kind.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Protocol

from ..entities import Conflict, Job, RunStatus, TargetKind
from ..store import Workspace
from ..store.compute import ACTIVE_STATUSES
from .waiting import why_waiting

log = logging.getLogger(__name__)

# A claimed run whose runner has not recorded its process after this long is considered lost.
START_GRACE_S = 60.0


class Backend(Protocol):
    """Executes runs of one target kind. Called from the dispatcher's thread and, for cancel, from others."""

    def start(self, job: Job, attempt: str) -> None: ...
    def is_alive(self, job: Job) -> bool | None: ...
    def cancel(self, job: Job) -> None: ...
    def close(self) -> None: ...


Backends = Mapping[TargetKind, Backend]


class Dispatcher:
    def __init__(self, workspace: Workspace, backends: Backends) -> None:
        self.workspace = workspace
        self.backends = backends
        self._claimed_at: dict[str, float] = {}
        self._guard = threading.Lock()

    def tick(self) -> list[str]:
        """Reconcile active runs, then start what fits; returns the ids of the runs started."""
        with self._guard:
            self.reconcile()
            started: list[str] = []
            for target in self.workspace.compute.list_targets():
                backend = self.backends.get(target.kind)
                free = target.concurrency - target.busy
                if backend is None and target.queued:
                    reason = why_waiting(self.workspace, target.name)
                    if reason is not None:
                        self.workspace.compute.note_waiting(target.name, reason)
                if backend is None or free <= 0 or not target.queued:
                    continue
                for job in self.workspace.compute.jobs_in((RunStatus.QUEUED.value,), target.name)[:free]:
                    if self._start(job, backend):
                        started.append(job.run_id)
            return started

    def _start(self, job: Job, backend: Backend) -> bool:
        attempt = uuid.uuid4().hex
        if not self.workspace.compute.claim(job.run_id, attempt):
            return False
        self._claimed_at[job.run_id] = time.monotonic()
        try:
            backend.start(job, attempt)
        except Exception as error:
            log.exception("could not start run %s", job.run_id)
            self._fail(job.run_id, f"could not start on {job.target}: {type(error).__name__}: {error}")
            return False
        return True

    def reconcile(self) -> None:
        kinds = {target.name: target.kind for target in self.workspace.compute.list_targets()}
        for job in self.workspace.compute.jobs_in(ACTIVE_STATUSES):
            kind = kinds.get(job.target)
            backend = self.backends.get(kind) if kind else None
            if backend is None:
                continue
            alive = backend.is_alive(job)
            if alive is None:
                claimed = self._claimed_at.setdefault(job.run_id, time.monotonic())
                if time.monotonic() - claimed > START_GRACE_S:
                    self._fail(job.run_id, "its runner never started")
            elif not alive and not self.workspace.tracking.get_run(job.run_id).status.is_terminal:
                self._fail(job.run_id, f"its runner (pid {job.pid} on {job.host}) is gone")

    def _fail(self, run_id: str, reason: str) -> None:
        self._claimed_at.pop(run_id, None)
        try:
            self.workspace.tracking.set_status(run_id, RunStatus.FAILED, error=reason)
        except Conflict:  # it ended by itself in between
            pass

    def close(self) -> None:
        for backend in self.backends.values():
            backend.close()
