"""Content-addressed snapshot archives (`snapshots/<sha256>.tar.gz`) and their rows.

The archive itself is built by compute/snapshot.py (which folders, which ignore files); here it is stored once
per distinct content, whichever process stores it first, and read back by id.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from ..entities import NotFound
from .database import Database
from .paths import WorkspacePaths
from .storage import StagedFile


class Snapshots:
    def __init__(self, db: Database, paths: WorkspacePaths) -> None:
        self._db = db
        self.paths = paths

    def put(self, data: bytes, file_count: int) -> str:
        """Store an archive (once per distinct content) and return its id, the sha256 of its bytes."""
        snapshot_id = hashlib.sha256(data).hexdigest()
        target = self.path(snapshot_id)
        if not target.exists():  # a full disk raises StorageFull before any row names the archive
            StagedFile(target, [data]).commit()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO snapshots (id, size, file_count, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (snapshot_id, len(data), file_count, time.time()),
            )
        return snapshot_id

    def path(self, snapshot_id: str) -> Path:
        return self.paths.snapshots / f"{snapshot_id}.tar.gz"

    def read(self, snapshot_id: str) -> bytes:
        path = self.path(snapshot_id)
        if not path.is_file():
            raise NotFound(f"no snapshot {snapshot_id!r}", field="snapshot_id")
        return path.read_bytes()
