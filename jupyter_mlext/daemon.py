"""The background daemon of a workspace: every duty that must happen without anyone asking, defined once.

Run by the Jupyter server extension (server/app.py) and by `mlext agent` (cli/compute.py) alike, in a thread of
its own (so neither an event loop nor a terminal waits on it):

- dispatch: reconciles active runs and starts queued ones (compute/dispatcher.py); on a change, or every
  `interval`;
- pipelines: fires due schedules and advances pipeline runs nobody drives (pipelines/driver.py); the same;
- sweeps: advances live sweeps nobody drives: samples and queues trials, stops those the policy ends
  (sweeps/driver.py); the same;
- heartbeat: tells submitters that a dispatcher lives, and for which target kinds; every HEARTBEAT_S;
- endpoints: restarts routers and scoring processes that died (serving/service.py); every ENDPOINTS_S;
- liveness: fails runs whose process is gone (store/liveness.py); every LIVENESS_S;
- prune: keeps the change feed to its last `events_kept` events; every PRUNE_S;
- metric blocks: packs the metric points of a workspace made before blocks existed into blocks, a bounded
  batch per transaction for at most SEAL_BUDGET_S a turn, every SEAL_S until none is left.

A change is any commit to the workspace by any process (store/watch.py, or the server's event hub).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable

from .compute.dispatcher import Backends, Dispatcher
from .pipelines.driver import PipelineDriver
from .serving.service import reconcile as reconcile_endpoints
from .store import Workspace
from .store.watch import stop_observer, watch_database
from .sweeps.driver import SweepDriver

log = logging.getLogger(__name__)

HEARTBEAT_S = 5.0
ENDPOINTS_S = 10.0
LIVENESS_S = 30.0
PRUNE_S = 600.0
SEAL_S = 1.0
SEAL_BUDGET_S = 0.25
EVENTS_KEPT = 100_000


@dataclasses.dataclass
class Ticker:
    name: str
    tick: Callable[[], object]
    interval: float
    on_change: bool = False
    due: float = 0.0


class Daemon:
    """The tickers of one workspace. `kind` names the process in heartbeats ("server", "agent")."""

    def __init__(
        self,
        workspace: Workspace,
        backends: Backends,
        *,
        kind: str,
        dispatch: bool = True,
        interval: float = 0.5,
        events_kept: int = EVENTS_KEPT,
    ) -> None:
        self.workspace = workspace
        self.kind = kind
        self.dispatcher = Dispatcher(workspace, backends)
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.started_at = time.time()
        self.tickers = [
            Ticker("endpoints", lambda: self._log_restarts(reconcile_endpoints(workspace)), ENDPOINTS_S),
            Ticker("liveness", workspace.liveness.reconcile, LIVENESS_S),
            Ticker("prune", lambda: workspace.events.prune(events_kept), PRUNE_S),
            Ticker("metric blocks", self._seal_metrics, SEAL_S),
        ]
        self._metrics_sealed = False
        if dispatch:
            pipelines = PipelineDriver(workspace)
            sweeps = SweepDriver(workspace, backends)
            self.tickers[:0] = [
                Ticker("heartbeat", self._beat, HEARTBEAT_S),
                Ticker("dispatch", self._dispatch, interval, on_change=True),
                Ticker("pipelines", pipelines.tick, interval, on_change=True),
                Ticker("sweeps", sweeps.tick, interval, on_change=True),
            ]
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one pass ------------------------------------------------------------------------------------------------

    def run_due(self, changed: bool = False) -> None:
        """Run every ticker that is due (or that wakes on a change, after one); a failing ticker is logged and
        retried at its next turn, the others go on."""
        for ticker in self.tickers:
            now = time.monotonic()
            if now < ticker.due and not (changed and ticker.on_change):
                continue
            ticker.due = now + ticker.interval
            try:
                ticker.tick()
            except Exception:
                log.exception("jupyter-mlext daemon: %s failed", ticker.name)

    def _seal_metrics(self) -> None:
        deadline = time.monotonic() + SEAL_BUDGET_S
        while not self._metrics_sealed and time.monotonic() < deadline:
            self._metrics_sealed = self.workspace.tracking.seal_pending_metrics() == 0

    def _dispatch(self) -> None:
        for run_id in self.dispatcher.tick():
            log.info("started run %s", run_id)

    def _beat(self) -> None:
        self.workspace.daemons.beat(
            self.id, self.kind, socket.gethostname(), os.getpid(), list(self.dispatcher.backends), self.started_at
        )

    @staticmethod
    def _log_restarts(restarted: list[str]) -> None:
        if restarted:
            log.info("jupyter-mlext restarted serving processes: %s", ", ".join(restarted))

    # -- the thread ----------------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something changed in the workspace: the change tickers run now rather than at their interval."""
        self._changed.set()

    def run(self, watch: bool = True) -> None:
        """Tick until `stop()`; with `watch`, every commit to the workspace wakes the loop (else call `wake`)."""
        observer = watch_database(self.workspace.paths, self.wake) if watch else None
        try:
            while not self._stop.is_set():
                changed = self._changed.is_set()
                self._changed.clear()
                self.run_due(changed)
                self._changed.wait(self._wait())
        finally:
            if observer is not None:
                stop_observer(observer)
            self._leave()

    def _wait(self) -> float:
        return max(0.0, min(ticker.due for ticker in self.tickers) - time.monotonic())

    def start(self, watch: bool = True) -> None:
        self._thread = threading.Thread(target=self.run, args=(watch,), name="mlext-daemon", daemon=True)
        self._thread.start()

    def request_stop(self) -> None:
        """Make `run()` return after the pass under way (safe from a signal handler)."""
        self._stop.set()
        self._changed.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking and wait (at most `timeout`) for the pass under way; then close the backends."""
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
        self.dispatcher.close()

    def _leave(self) -> None:
        try:
            self.workspace.daemons.leave(self.id)
        except Exception as error:  # the workspace may be closing under us
            log.debug("could not remove the daemon's heartbeat: %s", error)
