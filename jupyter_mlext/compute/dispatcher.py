"""The dispatcher: starts queued runs on their compute targets, within each target's concurrency.

It holds no state of its own: queue, claims and processes are in the workspace, so a dispatcher that restarts
(or a second one on the same workspace) picks up where things are. `reconcile()` runs at start-up and on every
tick: a run whose runner process is gone is marked Failed with the reason, one whose runner lives is left to
finish, and queued runs start. Claims are conditional updates, so no run starts twice.
"""
from __future__ import annotations

import logging
import time
import uuid
from typing import Protocol

from ..errors import Conflict
from ..models import Job, RunStatus, TargetKind
from ..store import TrackingStore
from ..store.compute import ACTIVE_STATUSES, ComputeStore

log = logging.getLogger(__name__)

# A claimed run whose runner has not recorded its process after this long is considered lost.
START_GRACE_S = 60.0


class Backend(Protocol):
    def start(self, job: Job, attempt: str) -> None: ...
    def is_alive(self, job: Job) -> bool | None: ...
    def cancel(self, job: Job) -> None: ...
    def close(self) -> None: ...


class Dispatcher:
    def __init__(self, store: TrackingStore, backends: dict[TargetKind, Backend], *, pipelines: bool = False) -> None:
        self.store = store
        self.compute = ComputeStore(store)
        self.backends = backends
        self._claimed_at: dict[str, float] = {}
        self.pipelines = None
        if pipelines:  # the long-lived dispatchers (server, agent) also advance pipeline runs nobody drives, and
            # due schedules, on each tick (pipelines/driver.py)
            # Imported here: the pipelines package builds on this one.
            from ..pipelines.driver import PipelineDriver

            self.pipelines = PipelineDriver(store)

    def tick(self) -> list[str]:
        """Reconcile active runs, then start what fits; returns the ids of the runs started."""
        self.reconcile()
        if self.pipelines is not None:
            self.pipelines.tick()
        started: list[str] = []
        for target in self.compute.list_targets():
            backend = self.backends.get(target.kind)
            free = target.concurrency - target.busy
            if backend is None or free <= 0 or not target.queued:
                continue
            for job in self.compute.jobs_in((RunStatus.QUEUED.value,), target.name)[:free]:
                if self._start(job, backend):
                    started.append(job.run_id)
        return started

    def _start(self, job: Job, backend: Backend) -> bool:
        attempt = uuid.uuid4().hex
        if not self.compute.claim(job.run_id, attempt):
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
        for job in self.compute.jobs_in(ACTIVE_STATUSES):
            target = self._target_kind(job)
            backend = self.backends.get(target) if target else None
            if backend is None:
                continue
            alive = backend.is_alive(job)
            if alive is None:
                claimed = self._claimed_at.setdefault(job.run_id, time.monotonic())
                if time.monotonic() - claimed > START_GRACE_S:
                    self._fail(job.run_id, "its runner never started")
            elif not alive and not self.store.get_run(job.run_id).status.is_terminal:
                self._fail(job.run_id, f"its runner (pid {job.pid} on {job.host}) is gone")

    def _target_kind(self, job: Job) -> TargetKind | None:
        for target in self.compute.list_targets():
            if target.name == job.target:
                return target.kind
        return None

    def cancel(self, run_id: str) -> Job:
        job = self.compute.request_cancel(run_id)
        kind = self._target_kind(job)
        if kind in self.backends and self.store.get_run(run_id).status.value in ACTIVE_STATUSES:
            self.backends[kind].cancel(job)
        return self.compute.get_job(run_id)

    def _fail(self, run_id: str, reason: str) -> None:
        self._claimed_at.pop(run_id, None)
        try:
            self.store.set_status(run_id, RunStatus.FAILED, error=reason)
        except Conflict:  # it ended by itself in between
            pass

    def close(self) -> None:
        for backend in self.backends.values():
            backend.close()
