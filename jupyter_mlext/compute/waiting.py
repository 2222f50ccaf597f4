"""Why a queued run is not starting, when nothing will start it: no dispatcher (JupyterLab, `mlext server`,
`mlext agent`) beats on the workspace, or none of those that do serves the run's kind of target.

The daemons' heartbeats (store/daemons.py) say who is there and which kinds each serves. Submissions say it at
once (SDK warning, CLI note), `runs logs --follow` repeats it while the run waits, and a dispatcher that cannot
start a run tags it (`mlext.waiting`), so the reason is on the run for every view.
"""

from __future__ import annotations

import time

from ..entities import RunStatus, TargetKind
from ..store import Workspace

REPEAT_S = 10.0  # how often a command that waits on a queued run repeats the reason


def why_waiting(workspace: Workspace, target: str) -> str | None:
    """The reason runs queued on `target` will not start, or None when a live dispatcher serves its kind."""
    kind = workspace.compute.get_target(target).kind
    alive = workspace.daemons.alive()
    if any(kind in daemon.target_kinds for daemon in alive):
        return None
    where = f"--workspace {workspace.root}"
    if kind is TargetKind.DASK:
        start = f"JupyterLab on this workspace or `mlext server {where}` (Dask workers report to a server)"
    else:
        start = f"JupyterLab on this workspace, `mlext server {where}` or `mlext agent {where}`"
    if not alive:
        return f"nothing dispatches runs of this workspace: start {start}"
    running = ", ".join(f"{d.kind} (pid {d.pid} on {d.host})" for d in alive)
    return f"the dispatchers running, {running}, do not start {kind.value} runs: start {start}"


class WaitNotice:
    """For a command that waits on one run: the reason it is not starting, when it is Queued with no dispatcher
    for it, at first and then every REPEAT_S seconds (None otherwise)."""

    def __init__(self, workspace: Workspace, run_id: str, repeat_s: float = REPEAT_S) -> None:
        self.workspace, self.run_id, self.repeat_s = workspace, run_id, repeat_s
        self._last: float | None = None

    def due(self) -> str | None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.repeat_s:
            return None
        run = self.workspace.tracking.get_run(self.run_id)
        if run.status is not RunStatus.QUEUED or run.compute is None:
            return None
        reason = why_waiting(self.workspace, run.compute)
        if reason is not None:
            self._last = now
            return f"run {run.id[:8]} is Queued: {reason}"
        return None
