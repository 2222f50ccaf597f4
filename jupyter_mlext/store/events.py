"""The change feed: every run creation, status change, metric batch, artifact and registry change lands in `events`.

An event is written in the same transaction as the change it describes, so a reader that has seen event `seq`
has seen everything committed before it. Live views (the server's WebSocket, widgets) read events after their
cursor, which makes a reconnecting client miss nothing: it asks again from the last `seq` it received.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from ..entities import Event, jsonable
from .database import Database

RUN_CREATED = "run_created"
STATUS = "status"
METRICS = "metrics"
ARTIFACTS = "artifacts"
# A registry change (registration, alias or tag set/deleted, version deleted): run_id is None and data is
# {name, version, action, key} with the action and key of the model's history entry (key: the alias or tag).
MODEL = "model"

# A metric event carries the newest points of each series it touched (see metrics.write_points); when more
# arrived in one batch, a client refetches the (downsampled) history instead.
MAX_POINTS_PER_EVENT = 200


def emit(conn: sqlite3.Connection, kind: str, run_id: str | None, data: dict[str, Any]) -> None:
    """Record an event; the caller holds the write transaction of the change itself."""
    conn.execute(
        "INSERT INTO events (at, kind, run_id, data) VALUES (?, ?, ?, ?)",
        (time.time(), kind, run_id, json.dumps(jsonable(data), separators=(",", ":"))),
    )


class EventFeed:
    """Reading the change feed, and pruning it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def since(self, cursor: int, limit: int = 1000) -> list[Event]:
        """Changes committed after event `cursor`, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, at, kind, run_id, data FROM events WHERE seq > ? ORDER BY seq LIMIT ?", (cursor, limit)
            ).fetchall()
        return [Event(seq, at, kind, run_id, json.loads(data)) for seq, at, kind, run_id, data in rows]

    def latest(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0])

    def oldest(self) -> int | None:
        """The oldest event still kept (older ones were pruned), or None if there are none."""
        with self._db.read() as conn:
            value = conn.execute("SELECT min(seq) FROM events").fetchone()[0]
        return None if value is None else int(value)

    def prune(self, keep: int) -> int:
        """Drop all but the newest `keep` events; a client whose cursor is older reloads instead of resuming."""
        with self._db.write() as conn:
            return conn.execute("DELETE FROM events WHERE seq <= (SELECT max(seq) FROM events) - ?", (keep,)).rowcount
