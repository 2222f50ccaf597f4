"""What MLflow's model registry protocol needs beyond registry.py (migration m011): registered models made
before any version, their description and tags, a version's description and (deprecated) stage, and deleting a
whole model. Versions, their tags, aliases and files stay registry.py's: a version registered through MLflow is
an ordinary version of our registry.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Mapping
from typing import Any

from ..entities import Conflict, NotFound
from ..entities.mlflow import RegisteredModelMeta
from .database import Database
from .registry import ModelRegistry
from .validation import check_name, check_texts, check_value

STAGES = ("None", "Staging", "Production", "Archived")


class MlflowRegistry:
    def __init__(self, db: Database, registry: ModelRegistry) -> None:
        self._db = db
        self._registry = registry

    def create_model(
        self, name: str, description: str | None = None, tags: Mapping[str, Any] | None = None
    ) -> RegisteredModelMeta:
        check_name(name, "name")
        if description is not None:
            check_value(description, "description")
        rows = check_texts(tags, "tags")
        now = time.time()
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM registered_models WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"registered model {name!r} already exists", field="name")
            model_id = conn.execute(
                "INSERT INTO registered_models (name, created_at, description, updated_at) VALUES (?, ?, ?, ?) "
                "RETURNING id",
                (name, now, description, now),
            ).fetchone()[0]
            _put_tags(conn, model_id, rows)
        return self.model(name)

    def models(self) -> list[RegisteredModelMeta]:
        with self._db.read() as conn:
            return _models(conn, "", [])

    def model(self, name: str) -> RegisteredModelMeta:
        with self._db.read() as conn:
            found = _models(conn, "WHERE name = ?", [name])
        if not found:
            raise NotFound(f"no registered model named {name!r}", field="name")
        return found[0]

    def model_id(self, name: str) -> int:
        with self._db.read() as conn:
            row = conn.execute("SELECT id FROM registered_models WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no registered model named {name!r}", field="name")
        return int(row[0])

    def model_name(self, model_id: int) -> str:
        with self._db.read() as conn:
            row = conn.execute("SELECT name FROM registered_models WHERE id = ?", (model_id,)).fetchone()
        if row is None:
            raise NotFound(f"no registered model with id {model_id}", field="path")
        return str(row[0])

    def describe_model(self, name: str, description: str) -> None:
        check_value(description, "description")
        model_id = self.model_id(name)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE registered_models SET description = ?, updated_at = ? WHERE id = ?",
                (description, time.time(), model_id),
            )

    def set_model_tag(self, name: str, key: str, value: Any) -> None:
        rows = check_texts({key: value}, "tags")
        model_id = self.model_id(name)
        with self._db.write() as conn:
            _put_tags(conn, model_id, rows)

    def delete_model_tag(self, name: str, key: str) -> None:
        model_id = self.model_id(name)
        with self._db.write() as conn:
            if not conn.execute(
                "DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?", (model_id, key)
            ).rowcount:
                raise NotFound(f"registered model {name!r} has no tag {key!r}", field="key")

    def delete_model(self, name: str, user: str | None = None) -> None:
        """Delete every version (each refused while a deployment serves it, registry.py), then the model itself
        with its tags and history, as MLflow deletes a registered model."""
        for version in self._registry.versions(name):
            self._registry.delete_version(name, version.version, user=user)
        model_id = self.model_id(name)
        with self._db.write() as conn:
            conn.execute("DELETE FROM model_history WHERE model_id = ?", (model_id,))
            conn.execute("DELETE FROM registered_models WHERE id = ?", (model_id,))

    # -- versions ----------------------------------------------------------------------------------------------

    def version_extras(self, name: str) -> dict[int, tuple[str | None, float | None]]:
        """Each version's stage and last update time."""
        model_id = self.model_id(name)
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT version, stage, updated_at FROM model_versions WHERE model_id = ?", (model_id,)
            ).fetchall()
        return {version: (stage, updated) for version, stage, updated in rows}

    def update_version(
        self, name: str, version: int, *, description: str | None = None, stage: str | None = None
    ) -> None:
        self._registry.get_version(name, version)
        if description is not None:
            check_value(description, "description")
        model_id = self.model_id(name)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE model_versions SET description = coalesce(?, description), stage = coalesce(?, stage), "
                "updated_at = ? WHERE model_id = ? AND version = ?",
                (description, stage, time.time(), model_id, version),
            )

    def archive_others(self, name: str, version: int, stage: str) -> None:
        """MLflow's `archive_existing_versions`: the other versions in `stage` become Archived."""
        model_id = self.model_id(name)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE model_versions SET stage = 'Archived', updated_at = ? "
                "WHERE model_id = ? AND version != ? AND stage = ?",
                (time.time(), model_id, version, stage),
            )


def _models(conn: sqlite3.Connection, where: str, params: list[Any]) -> list[RegisteredModelMeta]:
    rows = conn.execute(
        f"SELECT id, name, created_at, updated_at, description FROM registered_models {where} ORDER BY name", params
    ).fetchall()
    tags: dict[int, dict[str, str]] = {row[0]: {} for row in rows}
    ids = list(tags)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for model_id, key, value in conn.execute(
            f"SELECT model_id, key, value FROM registered_model_tags WHERE model_id IN ({','.join('?' * len(chunk))})",
            chunk,
        ):
            tags[model_id][key] = value
    return [
        RegisteredModelMeta(name, created, updated, description, tags[i])
        for i, name, created, updated, description in rows
    ]


def _put_tags(conn: sqlite3.Connection, model_id: int, rows: Mapping[str, str]) -> None:
    conn.executemany(
        "INSERT INTO registered_model_tags (model_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
        [(model_id, key, value) for key, value in rows.items()],
    )
