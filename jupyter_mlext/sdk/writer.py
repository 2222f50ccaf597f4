"""The buffered metric writer: `log()` appends to memory, a background thread commits batches.

Training loops call `log()` thousands of times a second; a SQLite commit per call would cost more than the
training step. Points wait in memory at most FLUSH_INTERVAL_S before a background thread commits everything
pending in one transaction; `flush()`, run end and interpreter exit commit at once. A crash loses at most the
last unflushed batch of this process.

The logging side takes no lock: a deque append is atomic, and the writer is woken only when it sleeps. `log()`
runs inside the user's loop between steps whose caches it must not thrash, so every operation counts there.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable

from ..entities import MLExtError
from ..store import TrackingStore
from ..store.validation import Point

FLUSH_INTERVAL_S = 0.1
MAX_PENDING_POINTS = 200_000


class MetricWriter:
    def __init__(self, store: TrackingStore) -> None:
        self._store = store
        self._pending: deque[tuple[str, Point]] = deque()
        self._wakeup = threading.Event()
        self._commit_guard = threading.Lock()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="mlext-metric-writer", daemon=True)
        self._thread.start()

    def add_point(self, run_id: str, point: Point) -> None:
        if self._error is not None:
            self._raise_pending_error()
        self._pending.append((run_id, point))
        if not self._wakeup.is_set():
            self._wakeup.set()
        if len(self._pending) > MAX_PENDING_POINTS:
            self.flush()

    def add(self, run_id: str, points: Iterable[Point]) -> None:
        if self._error is not None:
            self._raise_pending_error()
        self._pending.extend((run_id, point) for point in points)
        self._wakeup.set()
        if len(self._pending) > MAX_PENDING_POINTS:
            self.flush()

    def flush(self) -> None:
        """Commit everything logged so far by this process; raises if an earlier background commit failed."""
        self._commit()
        if self._error is not None:
            self._raise_pending_error()

    def _commit(self) -> None:
        with self._commit_guard:
            pending = self._pending
            batch: dict[str, list[Point]] = {}
            for _ in range(len(pending)):  # what was logged until now; later points wait for the next commit
                run_id, point = pending.popleft()
                batch.setdefault(run_id, []).append(point)
            if batch:
                try:
                    self._store.write_metrics(batch)
                except Exception as exc:  # raised to the caller at its next log() or flush()
                    self._error = exc

    def _raise_pending_error(self) -> None:
        error, self._error = self._error, None
        if error is not None:
            raise MLExtError(f"metrics logged earlier could not be stored: {error}") from error

    def _loop(self) -> None:
        while True:
            self._wakeup.wait()
            time.sleep(FLUSH_INTERVAL_S)
            self._wakeup.clear()
            self._commit()
