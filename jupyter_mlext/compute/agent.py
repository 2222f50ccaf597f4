"""`mlext agent`: the dispatcher alone, for a machine that runs submitted jobs without a Jupyter server."""
from __future__ import annotations

import logging
import signal
import threading

from ..models import TargetKind
from ..store import TrackingStore
from ..store.watch import stop_observer, watch_database
from .dispatcher import Dispatcher
from .local import LocalBackend

log = logging.getLogger(__name__)


def run_agent(store: TrackingStore, interval_s: float = 0.5, stop: threading.Event | None = None) -> None:
    """Dispatch until SIGINT/SIGTERM (or `stop` is set), waking on every change to the workspace."""
    stop = stop or threading.Event()
    changed = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: (stop.set(), changed.set()))
    dispatcher = Dispatcher(store, {TargetKind.LOCAL: LocalBackend(store)}, pipelines=True)
    observer = watch_database(store.paths, changed.set)
    try:
        while not stop.is_set():
            try:
                for run_id in dispatcher.tick():
                    log.info("started run %s", run_id)
            except Exception:  # logged; the next pass retries
                log.exception("dispatcher pass failed")
            changed.wait(interval_s)
            changed.clear()
    finally:
        stop_observer(observer)
        dispatcher.close()
