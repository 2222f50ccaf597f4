"""MLflow 3's logged models (migration m011): a model's record, tags and params, and where its files live.

A logged model made by a run keeps its files among that run's artifacts, under `models/<model id>/` — they are
the run's artifacts like any other, and registering the model copies them into the registry with the run as its
lineage. A logged model without a run keeps them in the workspace's `logged-models/<model id>/` folder.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..entities import InvalidInput, NotFound
from ..entities.mlflow import LoggedModel
from . import artifacts as artifact_files
from .base import FileSource
from .database import Database
from .paths import WorkspacePaths
from .tracking import SqliteTracking
from .validation import check_name, check_relative_path, check_text, check_texts

STATUSES = ("LOGGED_MODEL_PENDING", "LOGGED_MODEL_READY", "LOGGED_MODEL_UPLOAD_FAILED")
_COLUMNS = (
    "id, experiment_id, name, source_run_id, model_type, status, status_message, user, created_at, updated_at, "
    "deleted_at"
)


def run_prefix(model_id: str) -> str:
    """Where a run-made logged model's files are among the run's artifacts."""
    return f"models/{model_id}"


class LoggedModels:
    def __init__(self, db: Database, paths: WorkspacePaths, tracking: SqliteTracking) -> None:
        self._db = db
        self._paths = paths
        self._tracking = tracking

    def create(
        self,
        experiment_id: int,
        name: str,
        *,
        source_run_id: str | None = None,
        model_type: str | None = None,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, Any] | None = None,
        user: str | None = None,
    ) -> LoggedModel:
        check_name(name, "name")
        check_text(model_type, "model_type")
        param_rows = check_texts(params, "params")
        tag_rows = check_texts(tags, "tags")
        model_id = f"m-{uuid.uuid4().hex}"
        now = time.time()
        with self._db.write() as conn:
            if not conn.execute("SELECT 1 FROM experiments WHERE id = ?", (experiment_id,)).fetchone():
                raise NotFound(f"no experiment with id {experiment_id}", field="experiment_id")
            if (
                source_run_id is not None
                and not conn.execute("SELECT 1 FROM runs WHERE id = ?", (source_run_id,)).fetchone()
            ):
                raise NotFound(f"no run with id {source_run_id!r}", field="source_run_id")
            conn.execute(
                f"INSERT INTO logged_models ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, NULL)",
                (model_id, experiment_id, name, source_run_id, model_type, STATUSES[0], user, now, now),
            )
            _put(conn, "logged_model_params", model_id, param_rows)
            _put(conn, "logged_model_tags", model_id, tag_rows)
            return _load(conn, "WHERE id = ?", [model_id])[0]

    def get(self, model_id: str) -> LoggedModel:
        with self._db.read() as conn:
            found = _load(conn, "WHERE id = ?", [model_id])
        if not found:
            raise NotFound(f"no logged model with id {model_id!r}", field="model_id")
        return found[0]

    def search(self, experiment_ids: Sequence[int], include_deleted: bool = False) -> list[LoggedModel]:
        """Logged models of the experiments, newest first (the caller filters and pages)."""
        marks = ",".join("?" * len(experiment_ids))
        deleted = "" if include_deleted else "AND deleted_at IS NULL"
        with self._db.read() as conn:
            return _load(
                conn, f"WHERE experiment_id IN ({marks}) {deleted} ORDER BY created_at DESC, id", list(experiment_ids)
            )

    def finalize(self, model_id: str, status: str, message: str | None = None) -> LoggedModel:
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, got {status!r}", field="status")
        check_text(message, "status_message")
        return self._update(model_id, "status = ?, status_message = ?", [status, message])

    def delete(self, model_id: str) -> None:
        self._update(model_id, "deleted_at = ?", [time.time()])

    def set_tags(self, model_id: str, tags: Mapping[str, Any]) -> LoggedModel:
        rows = check_texts(tags, "tags")
        with self._db.write() as conn:
            _require(conn, model_id)
            _put(conn, "logged_model_tags", model_id, rows)
        return self.get(model_id)

    def delete_tag(self, model_id: str, key: str) -> None:
        with self._db.write() as conn:
            _require(conn, model_id)
            if not conn.execute(
                "DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", (model_id, key)
            ).rowcount:
                raise NotFound(f"logged model {model_id} has no tag {key!r}", field="tag_key")

    def log_params(self, model_id: str, params: Mapping[str, Any]) -> None:
        rows = check_texts(params, "params")
        with self._db.write() as conn:
            _require(conn, model_id)
            _put(conn, "logged_model_params", model_id, rows)

    def _update(self, model_id: str, assignments: str, values: list[Any]) -> LoggedModel:
        with self._db.write() as conn:
            _require(conn, model_id)
            conn.execute(
                f"UPDATE logged_models SET {assignments}, updated_at = ? WHERE id = ?", [*values, time.time(), model_id]
            )
            return _load(conn, "WHERE id = ?", [model_id])[0]

    # -- files -------------------------------------------------------------------------------------------------

    def folder(self, model_id: str) -> Path:
        """The folder of a logged model made without a run."""
        return self._paths.root / "logged-models" / model_id

    def store_files(self, model: LoggedModel, files: Sequence[tuple[FileSource, str]]) -> None:
        if model.source_run_id is not None:
            prefix = run_prefix(model.id)
            self._tracking.store_files(
                model.source_run_id, [(source, f"{prefix}/{check_relative_path(p, 'path')}") for source, p in files]
            )
            return
        staged = artifact_files.stage_files(self.folder(model.id), files)
        try:
            for file in staged:
                file.commit()
        finally:
            for file in staged:
                file.discard()

    def file(self, model: LoggedModel, path: str) -> Path:
        if model.source_run_id is not None:
            return self._tracking.artifact_file(model.source_run_id, f"{run_prefix(model.id)}/{path}")
        found = artifact_files.contained_path(self.folder(model.id), check_relative_path(path, "path"))
        if not found.is_file():
            raise NotFound(f"logged model {model.id} has no file {path!r}", field="path")
        return found

    def list_files(self, model: LoggedModel) -> list[tuple[str, int]]:
        """Every file of the model as (path relative to the model, size)."""
        if model.source_run_id is not None:
            prefix = run_prefix(model.id)
            try:
                found = self._tracking.list_artifacts(model.source_run_id, prefix)
            except NotFound:
                return []
            return [(a.path[len(prefix) + 1 :], a.size) for a in found]
        root = self.folder(model.id)
        result = []
        for folder, _, names in os.walk(root):
            for name in names:
                if not name.startswith(".tmp-"):
                    path = Path(folder) / name
                    result.append((path.relative_to(root).as_posix(), path.stat().st_size))
        return sorted(result)


def _put(conn: sqlite3.Connection, table: str, model_id: str, rows: Mapping[str, str]) -> None:
    conn.executemany(
        f"INSERT INTO {table} (model_id, key, value) VALUES (?, ?, ?) "
        "ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value",
        [(model_id, key, value) for key, value in rows.items()],
    )


def _require(conn: sqlite3.Connection, model_id: str) -> None:
    if not conn.execute("SELECT 1 FROM logged_models WHERE id = ?", (model_id,)).fetchone():
        raise NotFound(f"no logged model with id {model_id!r}", field="model_id")


def _load(conn: sqlite3.Connection, tail: str, params: list[Any]) -> list[LoggedModel]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM logged_models {tail}", params).fetchall()
    ids = [row[0] for row in rows]
    extra: dict[str, dict[str, dict[str, str]]] = {i: {"tags": {}, "params": {}} for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for family, table in (("tags", "logged_model_tags"), ("params", "logged_model_params")):
            for model_id, key, value in conn.execute(
                f"SELECT model_id, key, value FROM {table} WHERE model_id IN ({marks}) ORDER BY key", chunk
            ):
                extra[model_id][family][key] = value
    names = [column.strip() for column in _COLUMNS.split(",")]
    return [
        LoggedModel(**dict(zip(names, row)), tags=extra[row[0]]["tags"], params=extra[row[0]]["params"]) for row in rows
    ]
