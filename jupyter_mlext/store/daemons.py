"""Heartbeats of the processes that run the daemon (a Jupyter server, `mlext server`, `mlext agent`).

A submission reads them to tell whether anything will start its run, and which compute kinds it serves, instead
of leaving the run Queued without a word (daemon.py writes them, compute/submit.py reads them).
"""

from __future__ import annotations

import dataclasses
import json
import time

from ..entities import Entity, TargetKind
from .database import Database

# A daemon beats every few seconds; one silent for this long is taken for gone.
ALIVE_WITHIN_S = 30.0


@dataclasses.dataclass(frozen=True)
class DaemonBeat(Entity):
    id: str
    kind: str
    host: str
    pid: int
    target_kinds: list[TargetKind]
    started_at: float
    beat_at: float


class Daemons:
    def __init__(self, db: Database) -> None:
        self._db = db

    def beat(
        self, daemon_id: str, kind: str, host: str, pid: int, target_kinds: list[TargetKind], started_at: float
    ) -> None:
        kinds = json.dumps(sorted(TargetKind(k).value for k in target_kinds))
        now = time.time()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO daemons (id, kind, host, pid, target_kinds, started_at, beat_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET beat_at = excluded.beat_at, "
                "target_kinds = excluded.target_kinds",
                (daemon_id, kind, host, pid, kinds, started_at, now),
            )
            conn.execute("DELETE FROM daemons WHERE beat_at < ?", (now - 10 * ALIVE_WITHIN_S,))

    def leave(self, daemon_id: str) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM daemons WHERE id = ?", (daemon_id,))

    def alive(self, now: float | None = None) -> list[DaemonBeat]:
        """Daemons that beat within ALIVE_WITHIN_S."""
        since = (time.time() if now is None else now) - ALIVE_WITHIN_S
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id, kind, host, pid, target_kinds, started_at, beat_at FROM daemons "
                "WHERE beat_at >= ? ORDER BY started_at",
                (since,),
            ).fetchall()
        return [
            DaemonBeat(i, kind, host, pid, [TargetKind(k) for k in json.loads(kinds)], started, beat)
            for i, kind, host, pid, kinds, started, beat in rows
        ]
