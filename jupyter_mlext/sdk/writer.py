"""The buffered metric writer: `log()` appends to memory, a background thread commits batches.

Training loops call `log()` millions of times; a SQLite commit per call would cost more than the training step.
Each run has a list of pending points in this process (`buffer`); `Run.log` appends a checked point to it and
checks one flag. A background thread takes what is pending every FLUSH_INTERVAL_S and commits it in one
transaction; `flush()`, run end and interpreter exit commit at once. A crash loses at most the last unflushed
batch of this process.

A float logged under a name already checked, with the default step and the call's time, goes to that key's
column: two float64 arrays (values, timestamps), so a point costs two C-level appends in the caller and no
per-point Python work in the writer (the store packs whole arrays). Every other point goes to the run's list of
points, after the key's column is moved into the list, so each key's points stay in logging order: its listed
points are always older than its column's.

No lock is taken on the fast path. The writer takes `points[:n]` and then deletes `points[:n]`, each one step
under the GIL; an append between the two lands after position n, so it is neither taken nor lost. A column is
taken the same way with n = len(timestamps): the value is appended before the timestamp, so the first n values
have their timestamps. Taking a run's points and columns, and moving a column into the points, hold the run's
small `guard` (never held during a commit).

A logging call reads one flag, `attention`, set while the thread sleeps (idle for IDLE_S, so an idle kernel
does not wake ten times a second) and when a commit failed (the error is raised at the next log()), and the
length of its buffer: past MAX_PENDING_POINTS the logging thread commits itself, which bounds memory when a
loop outruns the writer.
"""

from __future__ import annotations

import threading
import time
from array import array
from collections.abc import Iterable

from ..entities import MLExtError
from ..store import TrackingStore
from ..store.validation import Column, Point

FLUSH_INTERVAL_S = 0.1
IDLE_S = 1.0
MAX_PENDING_POINTS = 200_000


def _take(values: array[float], timestamps: array[float]) -> tuple[array[float], array[float]]:
    """The first len(timestamps) points of a column, removed from it (see the module text on concurrency)."""
    count = len(timestamps)
    taken_values, taken_timestamps = values[:count], timestamps[:count]
    del values[:count]
    del timestamps[:count]
    return taken_values, taken_timestamps


class RunBuffer:
    """What this process logged into one run and the writer has not taken yet."""

    __slots__ = ("columns", "guard", "points")

    def __init__(self) -> None:
        self.points: list[Point] = []
        self.columns: dict[str, tuple[array[float], array[float]]] = {}
        self.guard = threading.Lock()

    def column(self, key: str) -> tuple[array[float], array[float]]:
        """The (values, timestamps) arrays of a checked key, made on first use."""
        column = self.columns.get(key)
        if column is None:
            column = self.columns.setdefault(key, (array("d"), array("d")))
        return column

    def append(self, point: Point) -> None:
        """A point that is not for a column: the key's column goes into the list first, keeping logging order."""
        with self.guard:
            column = self.columns.get(point[0])
            if column is not None and column[1]:
                self._move(point[0], column)
            self.points.append(point)

    def extend(self, points: list[Point]) -> None:
        """Many points (a batch): every column goes into the list first."""
        with self.guard:
            for key, column in list(self.columns.items()):
                if column[1]:
                    self._move(key, column)
            self.points.extend(points)

    def _move(self, key: str, column: tuple[array[float], array[float]]) -> None:
        values, timestamps = _take(*column)
        self.points.extend((key, value, None, timestamp) for value, timestamp in zip(values, timestamps))

    def take(self) -> tuple[list[Point], list[Column]]:
        with self.guard:
            count = len(self.points)  # what was logged until now; later points wait for the next commit
            points = self.points[:count]
            del self.points[:count]
            columns = [(key, *_take(*column)) for key, column in list(self.columns.items()) if column[1]]
        return points, columns

    def pending(self) -> int:
        """The longest of the run's list and columns (what the memory bound looks at)."""
        return max([len(self.points), *(len(timestamps) for _, timestamps in list(self.columns.values()))])


class MetricWriter:
    def __init__(self, store: TrackingStore) -> None:
        self._store = store
        self._buffers: dict[str, RunBuffer] = {}
        self._wakeup = threading.Event()
        self._commit_guard = threading.Lock()
        self._error: BaseException | None = None
        self._sleeping = True
        self.attention = True
        self._thread = threading.Thread(target=self._loop, name="mlext-metric-writer", daemon=True)
        self._thread.start()

    def buffer(self, run_id: str) -> RunBuffer:
        """Where `Run.log` puts the run's checked points (one per run and process)."""
        buffer = self._buffers.get(run_id)
        if buffer is None:
            buffer = self._buffers.setdefault(run_id, RunBuffer())
        return buffer

    def attend(self) -> None:
        """Called by a logging call that saw `attention`: raise an earlier failure, wake the thread, or commit
        now when too much is pending."""
        if self._error is not None:
            self._raise_pending_error()
        if self._sleeping:
            self._sleeping = False
            self._wakeup.set()
        if any(buffer.pending() > MAX_PENDING_POINTS for buffer in list(self._buffers.values())):
            self.flush()
        self.attention = self._sleeping or self._error is not None

    def add_point(self, run_id: str, point: Point) -> None:
        buffer = self.buffer(run_id)
        buffer.append(point)
        if self.attention or len(buffer.points) > MAX_PENDING_POINTS:
            self.attend()

    def add(self, run_id: str, points: Iterable[Point]) -> None:
        self.buffer(run_id).extend(list(points))
        self.attend()

    def flush(self) -> None:
        """Commit everything logged so far by this process; raises if an earlier background commit failed."""
        self._commit()
        if self._error is not None:
            self._raise_pending_error()

    def _commit(self) -> bool:
        """Commit what is pending; False when nothing was."""
        with self._commit_guard:
            batch: dict[str, tuple[list[Point], list[Column]]] = {}
            for run_id, buffer in list(self._buffers.items()):
                points, columns = buffer.take()
                if points or columns:
                    batch[run_id] = points, columns
            if not batch:
                return False
            try:
                self._store.write_metric_columns(batch)
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
