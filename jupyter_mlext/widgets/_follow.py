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

    def start(self, last_took: float | None = None) -> None:
        """Follow from now on; `last_took` is how long an update made just before took (the widget's first
        drawing), so the first update in the thread keeps the same limits as every later one instead of drawing
        again at once."""
        self._stop.clear()
        delay = 0.0 if last_took is None else self._pause(last_took)
        self._thread = threading.Thread(target=self._loop, args=(delay,), name="mlext-widget-follow", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop following and wait for an update in progress to finish."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _pause(self, took: float) -> float:
        return max(self._interval - took, took / self._budget - took, 0.0)

    def _loop(self, delay: float) -> None:
        if delay and self._stop.wait(delay):
            return
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
            self._stop.wait(self._pause(took))
