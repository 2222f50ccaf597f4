"""The buffered metric writer: `log()` appends to memory, a background thread commits batches.

Training loops call `log()` thousands of times a second; a SQLite commit per call would cost more than the
training step. Points wait in memory at most FLUSH_INTERVAL_S before a background thread commits everything
pending in one transaction; `flush()`, run end and interpreter exit commit at once. A crash loses at most the
last unflushed batch of this process.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from .errors import MLExtError
from .store import TrackingStore
from .store.metrics import Point

FLUSH_INTERVAL_S = 0.1
MAX_PENDING_POINTS = 200_000


class MetricWriter:
    def __init__(self, store: TrackingStore) -> None:
        self._store = store
        self._pending: dict[str, list[Point]] = {}
        self._pending_count = 0
        self._wakeup = threading.Condition()
        self._commit_lock = threading.Lock()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="mlext-metric-writer", daemon=True)
        self._thread.start()

    def add(self, run_id: str, points: Iterable[Point]) -> None:
        with self._wakeup:
            self._raise_pending_error()
            was_idle = self._pending_count == 0
            bucket = self._pending.setdefault(run_id, [])
            before = len(bucket)
            bucket.extend(points)
            self._pending_count += len(bucket) - before
            backlog = self._pending_count > MAX_PENDING_POINTS
            if was_idle:
                self._wakeup.notify()
        if backlog:
            self.flush()

    def flush(self) -> None:
        """Commit everything logged so far by this process; raises if an earlier background commit failed."""
        self._commit()
        with self._wakeup:
            self._raise_pending_error()

    def _commit(self) -> None:
        with self._commit_lock:
            with self._wakeup:
                batch, self._pending, self._pending_count = self._pending, {}, 0
            if batch:
                try:
                    self._store.write_metrics(batch)
                except Exception as exc:  # raised to the caller at its next log() or flush()
                    with self._wakeup:
                        self._error = exc

    def _raise_pending_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise MLExtError(f"metrics logged earlier could not be stored: {error}") from error

    def _loop(self) -> None:
        while True:
            with self._wakeup:
                while self._pending_count == 0:
                    self._wakeup.wait()
            time.sleep(FLUSH_INTERVAL_S)
            self._commit()
