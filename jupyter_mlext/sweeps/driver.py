"""Who moves sweeps on: the process that waits on one (`sweep.wait()`, `mlext sweep run`), and the daemon.

Decision: the driver is whoever holds the sweep's lease. `sweep.wait()` drives in the caller's process (and,
like `run_pipeline`, starts the trials' local jobs itself, so no server is needed); the daemon of a Jupyter
server or `mlext agent` drives every live sweep nobody else drives (`SweepDriver.tick`), so a sweep created
with `wait=False` runs with JupyterLab or the agent up, and survives the notebook that made it. A lease lapses
LEASE_TTL_S after its holder stops renewing it; a holder on this machine whose process is gone (kill -9) is
replaced at once. Trials are submitted runs with supervisors of their own, so they outlive a driver.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid

from ..compute.dispatcher import Backends, Dispatcher
from ..compute.local import LocalBackend
from ..entities import Sweep, TargetKind
from ..store import Workspace
from ..store.liveness import process_alive
from .service import Curves, advance

log = logging.getLogger(__name__)

LEASE_TTL_S = 30.0
POLL_S = 0.5
CHANGE_POLL_S = 0.01


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take_lease(workspace: Workspace, sweep_id: str, owner: str) -> bool:
    """Take the lease if it is free, ours or lapsed, or if its holder was a process on this host that is gone."""
    sweeps = workspace.sweeps
    if sweeps.acquire_lease(sweep_id, owner, LEASE_TTL_S):
        return True
    holder = sweeps.lease_holder(sweep_id)
    if holder is None:
        return sweeps.acquire_lease(sweep_id, owner, LEASE_TTL_S)
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit() and not process_alive(int(pid), None):
        log.info("sweep %s: its driver (pid %s) is gone; taking over", sweep_id, pid)
        return sweeps.acquire_lease(sweep_id, owner, LEASE_TTL_S, replace=holder)
    return False


class SweepDriver:
    """The daemon's `sweeps` ticker: advances each live sweep whose lease it can take, once per tick."""

    def __init__(self, workspace: Workspace, backends: Backends | None = None) -> None:
        self.workspace = workspace
        self.backends = backends
        self.owner = lease_owner()
        self.curves: dict[str, Curves] = {}

    def tick(self) -> None:
        """Never raises: a failing sweep is logged and retried on the next tick."""
        for sweep_id in self.workspace.sweeps.live():
            if not take_lease(self.workspace, sweep_id, self.owner):
                continue
            try:
                record = advance(self.workspace, sweep_id, self.backends, self.curves.setdefault(sweep_id, Curves()))
                if not record.state.is_live:
                    self.curves.pop(sweep_id, None)
            except Exception:
                log.exception("advancing sweep %s failed", sweep_id)
            finally:
                self.workspace.sweeps.release_lease(sweep_id, self.owner)


def drive(workspace: Workspace, sweep_id: str, *, dispatch: bool = True, timeout: float | None = None) -> Sweep:
    """Advance the sweep until it ends (or `timeout` passes; it then carries on without us). With `dispatch`,
    this process also starts the trials' local jobs."""
    sweeps = workspace.sweeps
    owner = lease_owner()
    backends: Backends = {TargetKind.LOCAL: LocalBackend(workspace)}
    dispatcher = Dispatcher(workspace, backends) if dispatch else None
    deadline = None if timeout is None else time.monotonic() + timeout
    curves = Curves()
    try:
        while True:
            seen = workspace.data_version()
            if take_lease(workspace, sweep_id, owner):
                advance(workspace, sweep_id, backends, curves)
            record = sweeps.get(sweep_id)
            if not record.state.is_live or (deadline is not None and time.monotonic() > deadline):
                return record
            if dispatcher is not None:
                dispatcher.tick()
            _wait_for_others(workspace, seen, POLL_S)
    finally:
        sweeps.release_lease(sweep_id, owner)
        if dispatcher is not None:
            dispatcher.close()


def _wait_for_others(workspace: Workspace, seen: int, timeout: float) -> None:
    """Return as soon as another process commits (a trial logging or ending), or after `timeout`: a stopped or
    finished trial's slot is refilled within CHANGE_POLL_S."""
    deadline = time.monotonic() + timeout
    while workspace.data_version() == seen and time.monotonic() < deadline:
        time.sleep(CHANGE_POLL_S)
