"""A daemon thread that keeps a widget up to date while its runs are live.

A widget is displayed from the kernel thread, but a `%%mlrun` cell keeps that thread busy until it ends, so the
updates come from here. Two limits keep the kernel's own work fast: at most one update per `interval` seconds
(~4/s for charts), and updates take at most `budget` of the wall time: an update that took 50 ms waits
50 ms / budget before the next, since drawing holds the GIL the training loop needs (and a busy loop makes
the update's wall time longer, so the chart backs off further exactly when the kernel is working).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Follower:
    def __init__(self, update: Callable[[], bool], interval: float, budget: float = 0.03) -> None:
        """`update()` returns True when there is nothing left to follow (every run has ended)."""
        self._update = update
        self._interval = interval
        self._budget = budget
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="mlext-widget-follow", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following and wait for an update in progress to finish."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                done = self._update()
            except Exception:  # a failed read is retried at the next tick; the widget shows what it has
                log.exception("updating a jupyter-mlext widget failed")
                done = False
            if done:
                return
            took = time.monotonic() - started
            self._stop.wait(max(self._interval - took, took / self._budget - took, 0.0))
