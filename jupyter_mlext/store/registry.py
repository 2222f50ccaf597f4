"""The model registry: named models, their numbered versions, tags, properties, aliases and an append-only history.

A registration stages its files first (outside any transaction, since copying may be slow), then takes the write
lock, counts the model's version number up, moves the staged folder into place and records the version — so any
number of processes registering one name at once get consecutive versions with no gap and no duplicate, and a
deleted version's number is never given out again. Files inside the
workspace are hard-linked where possible: artifacts are replaced, never rewritten, so a link keeps the registered
bytes even if the run later overwrites the artifact.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..entities import (
    Conflict,
    InvalidInput,
    ModelLineage,
    ModelVersion,
    NotFound,
    RegisteredModel,
    RegistryChange,
    RunInfo,
)
from . import events
from .artifacts import contained_path
from .database import Database
from .paths import WorkspacePaths
from .storage import storage_errors
from .tracking import SqliteTracking
from .validation import check_name, check_texts, check_value

COPY = "copy"
REFERENCE = "reference"
REGISTERED, DELETED, TAG_SET, TAG_DELETED, ALIAS_SET, ALIAS_DELETED = (
    "registered",
    "deleted",
    "tag_set",
    "tag_deleted",
    "alias_set",
    "alias_deleted",
)
_REF = re.compile(r"^(?P<name>.+?)(?::(?P<version>\d+)|@(?P<alias>[^@:]+))?$", re.DOTALL)
_ALIAS = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_VERSION_COLUMNS = (
    "m.name, v.version, v.run_id, v.source, v.stored, v.location, v.framework, v.description, "
    "v.user, v.created_at, v.size, v.file_count, v.model_id"
)


def parse_model_ref(ref: str) -> tuple[str, int | None, str | None]:
    """`"name"` (latest version), `"name:3"` or `"name@production"` → (name, version, alias)."""
    if not isinstance(ref, str) or not ref.strip():
        raise InvalidInput("a model reference must look like NAME, NAME:VERSION or NAME@ALIAS", field="model")
    match = _REF.match(ref)
    assert match is not None  # the pattern matches every non-empty string
    version = match["version"]
    return match["name"], int(version) if version else None, match["alias"]


class ModelRegistry:
    """Models of one workspace."""

    def __init__(self, db: Database, paths: WorkspacePaths, tracking: SqliteTracking) -> None:
        self._db = db
        self.paths = paths
        self._tracking = tracking
        self.root = paths.models

    # -- registering -------------------------------------------------------------------------------------------

    def register(
        self,
        name: str,
        *,
        run_id: str | None = None,
        path: str | os.PathLike[str] | None = None,
        reference: bool = False,
        framework: str | None = None,
        description: str | None = None,
        tags: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
        user: str | None = None,
    ) -> ModelVersion:
        """The next version of `name` from a run's artifact `path` (with `run_id`) or from a local file or folder.

        Local files are copied in unless `reference` is set, in which case only their absolute path is kept (and
        the files must stay where they are).
        """
        check_name(name, "name")
        tag_rows = check_texts(tags, "tags")
        property_rows = check_texts(properties, "properties")
        for field, value in (("framework", framework), ("description", description)):
            if value is not None:
                check_value(value, field)
        if reference and run_id is not None:
            raise InvalidInput(
                "reference applies to local files; a run's artifacts are always copied", field="reference"
            )
        if run_id is not None:
            run_id = self._tracking.resolve_run_id(run_id)
        source_files, source = self._source(run_id, path)
        staged = None if reference else self._stage(source_files)
        size, count = _measure(source_files)
        try:
            return self._record(
                name, run_id, source, staged, framework, description, tag_rows, property_rows, user, size, count
            )
        finally:
            if staged is not None and staged.exists():
                shutil.rmtree(staged, ignore_errors=True)

    def _source(self, run_id: str | None, path: str | os.PathLike[str] | None) -> tuple[Path, str]:
        if path is None or (isinstance(path, str) and not path):
            raise InvalidInput("path is required: a run's artifact path, or a local file or folder", field="path")
        if run_id is None:
            local = Path(path).expanduser().resolve()
            if not local.exists():
                raise NotFound(f"path {str(path)!r} does not exist", field="path")
            return local, str(local)
        files = contained_path(self.paths.run_artifacts(run_id), os.fspath(path))
        if not files.exists():
            raise NotFound(f"run {run_id} has no artifact {os.fspath(path)!r}", field="path")
        return files, f"runs:/{run_id}/{Path(files).relative_to(self.paths.run_artifacts(run_id).resolve())}"

    def _stage(self, source: Path) -> Path:
        """A copy of the files in a staging folder of the registry; a disk that fills or fails while copying
        (StorageFull, StorageError) leaves no staging folder behind."""
        staging = self.root / ".staging" / uuid.uuid4().hex
        try:
            with storage_errors(staging):
                staging.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, staging, copy_function=_link_or_copy)
                else:
                    staging.mkdir()
                    _link_or_copy(source, staging / source.name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return staging

    def _record(
        self,
        name: str,
        run_id: str | None,
        source: str,
        staged: Path | None,
        framework: str | None,
        description: str | None,
        tags: dict[str, str],
        properties: dict[str, str],
        user: str | None,
        size: int,
        count: int,
    ) -> ModelVersion:
        now = time.time()
        with self._db.write() as conn:
            conn.execute(
                "INSERT INTO registered_models (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, now),
            )
            model_id = conn.execute("SELECT id FROM registered_models WHERE name = ?", (name,)).fetchone()[0]
            version = conn.execute(
                "UPDATE registered_models SET last_version = last_version + 1 WHERE id = ? RETURNING last_version",
                (model_id,),
            ).fetchone()[0]
            if staged is None:
                stored, location = REFERENCE, source
            else:
                stored, location = COPY, self._place(staged, model_id, version)
            conn.execute(
                "INSERT INTO model_versions (model_id, version, run_id, source, stored, location, framework, "
                "description, user, created_at, size, file_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (model_id, version, run_id, source, stored, location, framework, description, user, now, size, count),
            )
            conn.executemany(
                "INSERT INTO model_version_tags VALUES (?, ?, ?, ?)",
                [(model_id, version, k, v) for k, v in tags.items()],
            )
            conn.executemany(
                "INSERT INTO model_version_properties VALUES (?, ?, ?, ?)",
                [(model_id, version, k, v) for k, v in properties.items()],
            )
            _history(conn, user, model_id, name, version, REGISTERED, None, source, None)
        return self.get_version(name, version)

    def _place(self, staged: Path, model_id: int, version: int) -> str:
        """Move the staged files to `models/<id>/<version>`; a folder left there by a registration that crashed
        before its commit holds nothing anyone refers to, so it is replaced."""
        target = self.root / str(model_id) / str(version)
        if target.exists():
            shutil.rmtree(target)
        with storage_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        return target.relative_to(self.paths.root).as_posix()

    # -- reading -----------------------------------------------------------------------------------------------

    def get(self, ref: str, version: int | None = None, alias: str | None = None) -> ModelVersion:
        """A version by `ref` ("name", "name:3", "name@production") or by name with `version` / `alias`."""
        name, ref_version, ref_alias = parse_model_ref(ref)
        version = version if version is not None else ref_version
        alias = alias if alias is not None else ref_alias
        if version is not None:
            return self.get_version(name, version)
        model_id = self._model_id(name)
        with self._db.read() as conn:
            if alias is not None:
                row = conn.execute(
                    "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", (model_id, alias)
                ).fetchone()
                if row is None:
                    raise NotFound(f"model {name!r} has no alias {alias!r}", field="alias")
            else:
                row = conn.execute("SELECT max(version) FROM model_versions WHERE model_id = ?", (model_id,)).fetchone()
                if row[0] is None:
                    raise NotFound(f"model {name!r} has no versions", field="name")
        return self.get_version(name, row[0])

    def get_version(self, name: str, version: int) -> ModelVersion:
        if isinstance(version, bool) or not isinstance(version, int):
            raise InvalidInput(f"version must be an integer, got {version!r}", field="version")
        found = self._versions("WHERE m.name = ? AND v.version = ?", [name, version])
        if not found:
            self._model_id(name)
            raise NotFound(f"model {name!r} has no version {version}", field="version")
        return found[0]

    def versions(self, name: str) -> list[ModelVersion]:
        self._model_id(name)
        return self._versions("WHERE m.name = ?", [name])

    def search_versions(
        self, name_contains: str | None = None, tags: Mapping[str, Any] | None = None, run_id: str | None = None
    ) -> list[ModelVersion]:
        """Versions whose model name contains `name_contains` (case-insensitive), that carry every tag in `tags`,
        registered from `run_id`; newest first within each name."""
        clauses, params = [], []
        if name_contains:
            clauses.append("instr(lower(m.name), lower(?)) > 0")
            params.append(name_contains)
        for key, value in check_texts(tags, "tags").items():
            clauses.append(
                "EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_id = v.model_id "
                "AND t.version = v.version AND t.key = ? AND t.value = ?)"
            )
            params += [key, value]
        if run_id is not None:
            clauses.append("v.run_id = ?")
            params.append(self._tracking.resolve_run_id(run_id))
        return self._versions(("WHERE " + " AND ".join(clauses)) if clauses else "", params)

    def list_models(self, name_contains: str | None = None) -> list[RegisteredModel]:
        where, params = ("WHERE instr(lower(m.name), lower(?)) > 0", [name_contains]) if name_contains else ("", [])
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT m.id, m.name, m.created_at, max(v.version), count(v.version) FROM registered_models m "
                f"LEFT JOIN model_versions v ON v.model_id = m.id {where} GROUP BY m.id ORDER BY m.name",
                params,
            ).fetchall()
            aliases = _aliases(conn, [row[0] for row in rows])
        return [
            RegisteredModel(
                name, created, latest, count, {alias: version for (_, version), alias in aliases.get(model_id, [])}
            )
            for model_id, name, created, latest, count in rows
        ]

    def history(self, name: str) -> list[RegistryChange]:
        model_id = self._model_id(name)
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT seq, at, user, version, action, key, value, previous FROM model_history "
                "WHERE model_id = ? ORDER BY seq",
                (model_id,),
            ).fetchall()
        return [
            RegistryChange(seq, at, user, name, version, action, key, value, previous)
            for seq, at, user, version, action, key, value, previous in rows
        ]

    def files(self, version: ModelVersion) -> Path:
        """The file or folder holding a version's files."""
        location = Path(version.location)
        return location if version.stored == REFERENCE else self.paths.root / location

    def existing_files(self, version: ModelVersion) -> Path:
        """`files(version)`, refused if they are gone (a referenced folder moved, a workspace copied without it)."""
        source = self.files(version)
        if not source.exists():
            raise NotFound(f"the files of {version.name}:{version.version} are gone from {source}", field="model")
        return source

    def download(self, ref: str, destination: str | os.PathLike[str]) -> Path:
        """Copy a version's files into `destination` (created if missing); returns the folder or file written."""
        version = self.get(ref)
        source = self.existing_files(version)
        target = Path(destination).expanduser()
        target.mkdir(parents=True, exist_ok=True)
        if version.stored == COPY:
            shutil.copytree(source, target, dirs_exist_ok=True)
            return target
        if source.is_dir():
            shutil.copytree(source, target / source.name, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / source.name)
        return target / source.name

    def lineage(self, ref: str) -> ModelLineage:
        version = self.get(ref)
        if version.run_id is None:
            return ModelLineage(version, None, [])
        run = self._tracking.get_run(version.run_id)
        parents: list[RunInfo] = []
        parent_id = run.parent_id
        while parent_id is not None:
            parent = self._tracking.get_run(parent_id)
            parents.append(parent)
            parent_id = parent.parent_id
        return ModelLineage(version, run, parents)

    # -- changing ----------------------------------------------------------------------------------------------

    def set_alias(self, name: str, alias: str, version: int, user: str | None = None) -> ModelVersion:
        """Point `alias` at `version` (moving it if it pointed elsewhere); the move is kept in the history."""
        if not isinstance(alias, str) or not _ALIAS.match(alias) or alias.isdigit():
            raise InvalidInput(
                f"alias {alias!r} must start with a letter and hold only letters, digits, '_', '-' "
                "and '.' (at most 64)",
                field="alias",
            )
        self.get_version(name, version)
        model_id = self._model_id(name)
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", (model_id, alias)
            ).fetchone()
            previous = None if row is None else row[0]
            if previous != version:
                conn.execute(
                    "INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?) "
                    "ON CONFLICT (model_id, alias) DO UPDATE SET version = excluded.version",
                    (model_id, alias, version),
                )
                _history(
                    conn,
                    user,
                    model_id,
                    name,
                    version,
                    ALIAS_SET,
                    alias,
                    str(version),
                    None if previous is None else str(previous),
                )
        return self.get_version(name, version)

    def delete_alias(self, name: str, alias: str, user: str | None = None) -> None:
        model_id = self._model_id(name)
        with self._db.write() as conn:
            row = conn.execute(
                "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", (model_id, alias)
            ).fetchone()
            if row is None:
                raise NotFound(f"model {name!r} has no alias {alias!r}", field="alias")
            conn.execute("DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", (model_id, alias))
            _history(conn, user, model_id, name, row[0], ALIAS_DELETED, alias, None, str(row[0]))

    def set_tags(self, name: str, version: int, tags: Mapping[str, Any], user: str | None = None) -> ModelVersion:
        return self.update_tags(name, version, tags, user=user)

    def delete_tag(self, name: str, version: int, key: str, user: str | None = None) -> ModelVersion:
        return self.update_tags(name, version, delete=[key], user=user, missing_field="key")

    def update_tags(
        self,
        name: str,
        version: int,
        tags: Mapping[str, Any] | None = None,
        delete: Sequence[str] = (),
        user: str | None = None,
        *,
        missing_field: str = "delete",
    ) -> ModelVersion:
        """Set `tags` and delete the keys in `delete`, in one transaction, each change in the history. A key to
        delete that the version does not have (and that is not being set) refuses the whole change."""
        rows = check_texts(tags or {}, "tags")
        self.get_version(name, version)
        model_id = self._model_id(name)
        with self._db.write() as conn:
            current = dict(
                conn.execute(
                    "SELECT key, value FROM model_version_tags WHERE model_id = ? AND version = ?", (model_id, version)
                ).fetchall()
            )
            missing = [key for key in delete if key not in current and key not in rows]
            if missing:
                raise NotFound(f"{name}:{version} has no tag {missing[0]!r}", field=missing_field)
            for key, value in rows.items():
                previous = current.get(key)
                if previous == value:
                    continue
                conn.execute(
                    "INSERT INTO model_version_tags VALUES (?, ?, ?, ?) ON CONFLICT (model_id, version, "
                    "key) DO UPDATE SET value = excluded.value",
                    (model_id, version, key, value),
                )
                _history(conn, user, model_id, name, version, TAG_SET, key, value, previous)
                current[key] = value
            for key in dict.fromkeys(delete):
                conn.execute(
                    "DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?",
                    (model_id, version, key),
                )
                _history(conn, user, model_id, name, version, TAG_DELETED, key, None, current.pop(key))
        return self.get_version(name, version)

    def delete_version(self, name: str, version: int, user: str | None = None) -> None:
        """Delete a version, its aliases and (if copied in) its files. Refused while a deployment serves it."""
        found = self.get_version(name, version)
        model_id = self._model_id(name)
        with self._db.write() as conn:
            users = self._deployments_of(conn, name, version)
            if users:
                raise Conflict(
                    f"{name}:{version} is used by deployment {users[0]!r}; delete or update the deployment first",
                    field="version",
                )
            for (alias,) in conn.execute(
                "SELECT alias FROM model_aliases WHERE model_id = ? AND version = ?", (model_id, version)
            ).fetchall():
                _history(conn, user, model_id, name, version, ALIAS_DELETED, alias, None, str(version))
            conn.execute("DELETE FROM model_aliases WHERE model_id = ? AND version = ?", (model_id, version))
            conn.execute("DELETE FROM model_versions WHERE model_id = ? AND version = ?", (model_id, version))
            _history(conn, user, model_id, name, version, DELETED, None, None, found.source)
        if found.stored == COPY:
            shutil.rmtree(self.files(found), ignore_errors=True)

    def _deployments_of(self, conn: sqlite3.Connection, name: str, version: int) -> list[str]:
        """Deployments serving a version (the deployments table, migration m005_serving)."""
        rows = conn.execute(
            "SELECT endpoint || '/' || name FROM deployments WHERE model_name = ? AND model_version = ?",
            (name, version),
        ).fetchall()
        return [row[0] for row in rows]

    # -- rows → entities ---------------------------------------------------------------------------------------

    def _model_id(self, name: str) -> int:
        check_name(name, "name")
        with self._db.read() as conn:
            row = conn.execute("SELECT id FROM registered_models WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no registered model named {name!r}", field="name")
        model_id: int = row[0]
        return model_id

    def _versions(self, where: str, params: list[Any]) -> list[ModelVersion]:
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_VERSION_COLUMNS} FROM model_versions v JOIN registered_models m ON m.id = v.model_id "
                f"{where} ORDER BY m.name, v.version DESC",
                params,
            ).fetchall()
            keys = [(row[-1], row[1]) for row in rows]
            tags = _key_values(conn, "model_version_tags", keys)
            properties = _key_values(conn, "model_version_properties", keys)
            aliases = _aliases(conn, sorted({row[-1] for row in rows}))
        by_version: dict[tuple[int, int], list[str]] = {}
        for model_aliases in aliases.values():
            for key, alias in model_aliases:
                by_version.setdefault(key, []).append(alias)
        return [
            _model_version(
                row,
                tags.get((row[-1], row[1]), {}),
                properties.get((row[-1], row[1]), {}),
                sorted(by_version.get((row[-1], row[1]), [])),
            )
            for row in rows
        ]


def _model_version(
    row: tuple[Any, ...], tags: dict[str, str], properties: dict[str, str], aliases: list[str]
) -> ModelVersion:
    """A version from a row of _VERSION_COLUMNS (its last column, the model's id, is not part of it)."""
    name, version, run_id, source, stored, location, framework, description, user, created, size, files, _ = row
    return ModelVersion(
        name,
        version,
        run_id,
        source,
        stored,
        location,
        framework,
        description,
        user,
        created,
        size,
        files,
        tags=tags,
        properties=properties,
        aliases=aliases,
    )


def _key_values(
    conn: sqlite3.Connection, table: str, keys: list[tuple[int, int]]
) -> dict[tuple[int, int], dict[str, str]]:
    found: dict[tuple[int, int], dict[str, str]] = {}
    for model_id, version, key, value in _rows_for(conn, table, "model_id, version, key, value", keys):
        found.setdefault((model_id, version), {})[key] = value
    return found


def _aliases(conn: sqlite3.Connection, model_ids: list[int]) -> dict[int, list[tuple[tuple[int, int], str]]]:
    found: dict[int, list[tuple[tuple[int, int], str]]] = {}
    for chunk in _chunks(model_ids):
        rows = conn.execute(
            f"SELECT model_id, version, alias FROM model_aliases WHERE model_id IN ({','.join('?' * len(chunk))})"
            " ORDER BY alias",
            chunk,
        ).fetchall()
        for model_id, version, alias in rows:
            found.setdefault(model_id, []).append(((model_id, version), alias))
    return found


def _rows_for(
    conn: sqlite3.Connection, table: str, columns: str, keys: list[tuple[int, int]]
) -> Iterator[tuple[Any, ...]]:
    model_ids = sorted({model_id for model_id, _ in keys})
    wanted = set(keys)
    for chunk in _chunks(model_ids):
        rows = conn.execute(
            f"SELECT {columns} FROM {table} WHERE model_id IN ({','.join('?' * len(chunk))}) ORDER BY key", chunk
        ).fetchall()
        yield from (row for row in rows if (row[0], row[1]) in wanted)


def _history(
    conn: sqlite3.Connection,
    user: str | None,
    model_id: int,
    name: str,
    version: int | None,
    action: str,
    key: str | None,
    value: str | None,
    previous: str | None,
) -> None:
    """Append to the model's history, and put the change on the change feed in the same transaction (so live
    views such as the Models panel follow the registry as they follow runs)."""
    conn.execute(
        "INSERT INTO model_history (at, user, model_id, version, action, key, value, previous) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (time.time(), user, model_id, version, action, key, value, previous),
    )
    events.emit(conn, events.MODEL, None, {"name": name, "version": version, "action": action, "key": key})


def _link_or_copy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
    """Raises StorageFull or StorageError itself: copytree would turn an OSError into text with no errno."""
    try:
        os.link(source, target)
    except OSError:
        with storage_errors(os.fspath(target)):
            shutil.copy2(source, target)


def _measure(source: Path) -> tuple[int, int]:
    if source.is_file():
        return source.stat().st_size, 1
    sizes = [Path(folder, name).stat().st_size for folder, _, names in os.walk(source) for name in names]
    return sum(sizes), len(sizes)


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
