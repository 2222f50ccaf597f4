"""The buffered metric writer: `log()` appends to memory, a background thread commits batches.

Training loops call `log()` millions of times; a SQLite commit per call would cost more than the training step.
Each run has a list of pending points in this process (`buffer`); `Run.log` appends a checked point to it and
checks one flag. A background thread takes what is pending every FLUSH_INTERVAL_S and commits it in one
transaction; `flush()`, run end and interpreter exit commit at once. A crash loses at most the last unflushed
batch of this process.

No lock is taken on the logging side. The writer takes `points[:n]` and then deletes `points[:n]`, each one
step under the GIL; an append between the two lands after position n, so it is neither taken nor lost.

A logging call reads one flag, `attention`, set while the thread sleeps (idle for IDLE_S, so an idle kernel
does not wake ten times a second) and when a commit failed (the error is raised at the next log()), and the
length of its buffer: past MAX_PENDING_POINTS the logging thread commits itself, which bounds memory when a
loop outruns the writer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from ..entities import MLExtError
from ..store import TrackingStore
from ..store.validation import Point

FLUSH_INTERVAL_S = 0.1
IDLE_S = 1.0
MAX_PENDING_POINTS = 200_000


class MetricWriter:
    def __init__(self, store: TrackingStore) -> None:
        self._store = store
        self._buffers: dict[str, list[Point]] = {}
        self._wakeup = threading.Event()
        self._commit_guard = threading.Lock()
        self._error: BaseException | None = None
        self._sleeping = True
        self.attention = True
        self._thread = threading.Thread(target=self._loop, name="mlext-metric-writer", daemon=True)
        self._thread.start()

    def buffer(self, run_id: str) -> list[Point]:
        """The list `Run.log` appends the run's checked points to (one per run and process)."""
        return self._buffers.setdefault(run_id, [])

    def attend(self) -> None:
        """Called by a logging call that saw `attention`: raise an earlier failure, wake the thread, or commit
        now when too much is pending."""
        if self._error is not None:
            self._raise_pending_error()
        if self._sleeping:
            self._sleeping = False
            self._wakeup.set()
        if any(len(points) > MAX_PENDING_POINTS for points in list(self._buffers.values())):
            self.flush()
        self.attention = self._sleeping or self._error is not None

    def add_point(self, run_id: str, point: Point) -> None:
        points = self.buffer(run_id)
        points.append(point)
        if self.attention or len(points) > MAX_PENDING_POINTS:
            self.attend()

    def add(self, run_id: str, points: Iterable[Point]) -> None:
        self.buffer(run_id).extend(points)
        self.attend()

    def flush(self) -> None:
        """Commit everything logged so far by this process; raises if an earlier background commit failed."""
        self._commit()
        if self._error is not None:
            self._raise_pending_error()

    def _commit(self) -> bool:
        """Commit what is pending; False when nothing was."""
        with self._commit_guard:
            batch: dict[str, list[Point]] = {}
            for run_id, points in list(self._buffers.items()):
                count = len(points)  # what was logged until now; later points wait for the next commit
                if count:
                    batch[run_id] = points[:count]
                    del points[:count]
            if not batch:
                return False
            try:
                self._store.write_metrics(batch)
            except Exception as exc:  # raised to the caller at its next log() or flush()
                self._error = exc
                self.attention = True
            return True

    def _raise_pending_error(self) -> None:
        error, self._error = self._error, None
        self.attention = self._sleeping
        if error is not None:
            raise MLExtError(f"metrics logged earlier could not be stored: {error}") from error

    def _loop(self) -> None:
        while True:
            self._wakeup.wait()
            self._wakeup.clear()
            idle_since = time.monotonic()
            while time.monotonic() - idle_since < IDLE_S:
                time.sleep(FLUSH_INTERVAL_S)
                if self._commit():
                    idle_since = time.monotonic()
            # Going to sleep: the next log() wakes the thread; a point appended just before the flag was set is
            # committed by the commit after it.
            self._sleeping = True
            self.attention = True
            self._commit()
