"""Liveness of runs: which process owns a run, its heartbeat, and the fate of a run whose process is gone.

A process that runs a run itself (an SDK script or kernel, a `%%mlrun` cell, the supervisor of a submitted run)
records itself as the run's owner: host, pid and the process's start time (so a recycled pid is not taken for
the owner). An SDK owner also beats every BEAT_S. Whenever a process opens the workspace (SDK, CLI, server,
agent, supervisor: `Workspace.__init__`) and periodically in the daemon, `Liveness.reconcile` marks Failed, with
the reason "process lost", every unended run whose owner is gone:

- on this host: its pid is dead, or is alive with another start time (a recycled pid); decided at once;
- on another host (a workspace on a shared folder): its last heartbeat is older than LOST_GRACE_S. An owner that
  never beats (a Dask task that reports over HTTP) is left to the dispatcher that watches its backend.

Runs without an owner (queued for a dispatcher, driven by a pipeline lease, created over the REST API) are never
judged here. A run whose process lives is never marked. The status change goes through
`SqliteTracking.set_status`, so it is recorded and announced like any other.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterable

import psutil

from ..entities import Conflict, RunStatus
from .database import Database
from .tracking import SqliteTracking

log = logging.getLogger(__name__)

BEAT_S = 10.0
# A run owned on another host is taken for lost once its owner has been silent this long (12 missed beats).
LOST_GRACE_S = 120.0
# psutil's create_time is rounded differently by different readers; a recycled pid starts much later.
_START_TOLERANCE_S = 1.0
_UNENDED = tuple(status.value for status in RunStatus if not status.is_terminal)


@dataclasses.dataclass(frozen=True)
class ProcessOwner:
    host: str
    pid: int
    started_at: float


_this: dict[int, ProcessOwner] = {}


def this_process() -> ProcessOwner:
    """This process as an owner (looked up once per pid, so a forked child is itself)."""
    pid = os.getpid()
    owner = _this.get(pid)
    if owner is None:
        owner = _this[pid] = ProcessOwner(socket.gethostname(), pid, psutil.Process(pid).create_time())
    return owner


def process_alive(pid: int | None, started_at: float | None) -> bool:
    """True while the process that was recorded still runs on this host (a recycled pid has another start time,
    a zombie has ended)."""
    if pid is None:
        return False
    try:
        process = psutil.Process(pid)
        return (
            started_at is None or abs(process.create_time() - started_at) < _START_TOLERANCE_S
        ) and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@dataclasses.dataclass(frozen=True)
class _Owned:
    run_id: str
    host: str
    pid: int
    started_at: float | None
    beat_at: float | None

    def lost_reason(self, here: str, now: float, grace_s: float) -> str | None:
        """Why the run's owner is taken for gone, or None while it may live."""
        if self.host == here:
            if process_alive(self.pid, self.started_at):
                return None
            return f"process lost (pid {self.pid} on {self.host} exited without ending the run)"
        if self.beat_at is None or now - self.beat_at <= grace_s:
            return None
        return (
            f"process lost (pid {self.pid} on {self.host} sent no heartbeat for {now - self.beat_at:.0f} s "
            "and did not end the run)"
        )


def record_owner(conn: sqlite3.Connection, run_id: str, owner: ProcessOwner, beat_at: float | None) -> None:
    """Record `owner` as the process of run `run_id`, on the connection of the caller's write transaction."""
    conn.execute(
        "UPDATE runs SET host = ?, pid = ?, pid_started_at = ?, beat_at = ? WHERE id = ?",
        (owner.host, owner.pid, owner.started_at, beat_at, run_id),
    )


class Liveness:
    """Run owners and heartbeats of one workspace. Safe to share between threads."""

    def __init__(self, db: Database, tracking: SqliteTracking) -> None:
        self._db = db
        self._tracking = tracking

    def own(self, run_id: str, owner: ProcessOwner | None = None) -> None:
        """Make `owner` (default: this process) the run's process, beating from now on."""
        with self._db.write() as conn:
            record_owner(conn, run_id, owner or this_process(), time.time())

    def beat(self, run_ids: Iterable[str]) -> None:
        """The owner of these runs is alive; one short transaction for all of them."""
        ids = list(run_ids)
        if not ids:
            return
        with self._db.write() as conn:
            conn.execute(
                f"UPDATE runs SET beat_at = ? WHERE id IN ({','.join('?' * len(ids))}) "
                f"AND status IN ({','.join('?' * len(_UNENDED))})",
                [time.time(), *ids, *_UNENDED],
            )

    def reconcile(self, grace_s: float = LOST_GRACE_S) -> list[str]:
        """Mark Failed the unended runs whose owner is gone (see the module's docstring); returns their ids.

        One indexed read when nothing is lost (the usual case), so opening a workspace stays cheap; each verdict
        is checked again inside the write that records it, so a run that ended or beat meanwhile is left alone.
        """
        here, now = socket.gethostname(), time.time()
        with self._db.read() as conn:
            lost = [owned for owned in _owned(conn) if owned.lost_reason(here, now, grace_s)]
        failed = []
        for owned in lost:
            with self._db.write() as conn:
                again = _owned(conn, owned.run_id)
                reason = again[0].lost_reason(here, time.time(), grace_s) if again == [owned] else None
                if reason is None:
                    continue
                try:
                    self._tracking.set_status(owned.run_id, RunStatus.FAILED, error=reason)
                except Conflict:  # it ended by itself in between
                    continue
                failed.append(owned.run_id)
                log.info("run %s: %s", owned.run_id, reason)
        return failed


def _owned(conn: sqlite3.Connection, run_id: str | None = None) -> list[_Owned]:
    """Unended runs that have an owner (all, or just `run_id`): the runs_by_status index, then the few rows."""
    where = f"status IN ({','.join('?' * len(_UNENDED))}) AND pid IS NOT NULL"
    params: list[object] = list(_UNENDED)
    if run_id is not None:
        where += " AND id = ?"
        params.append(run_id)
    rows = conn.execute(f"SELECT id, host, pid, pid_started_at, beat_at FROM runs WHERE {where}", params).fetchall()
    return [_Owned(*row) for row in rows]


class Heartbeat:
    """Beats, every `interval` seconds from a daemon thread, for the runs this process owns in one workspace.

    The thread starts with the first owned run; a beat that fails (the workspace closing under it) is logged and
    tried again at the next turn.
    """

    def __init__(self, liveness: Liveness, interval: float = BEAT_S) -> None:
        self._liveness = liveness
        self._interval = interval
        self._runs: set[str] = set()
        self._guard = threading.Lock()
        self._thread: threading.Thread | None = None

    def own(self, run_id: str) -> None:
        """Record this process as the run's owner and keep it beating until `release`."""
        self._liveness.own(run_id)
        with self._guard:
            self._runs.add(run_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="mlext-heartbeat", daemon=True)
                self._thread.start()

    def release(self, run_id: str) -> None:
        with self._guard:
            self._runs.discard(run_id)

    def _loop(self) -> None:
        while True:
            time.sleep(self._interval)
            with self._guard:
                runs = list(self._runs)
            try:
                self._liveness.beat(runs)
            except Exception as error:
                log.debug("could not record the heartbeat of runs %s: %s", runs, error)
