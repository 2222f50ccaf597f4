"""Workspace tools: a consistency check and an online backup (`mlext workspace check|backup`).

`check` asks SQLite whether the file is sound (`PRAGMA integrity_check`, `PRAGMA foreign_key_check`) and then
checks what SQLite cannot know: that the files rows refer to exist (artifacts, snapshots, model versions) and
that rows without a declared foreign key (metric points and blocks) belong to a series.

`backup` copies the database with SQLite's backup API first and the folder's files after it, while other
processes keep writing. In that order the copy is consistent: a row is committed only after its file is in
place (artifacts, snapshots and model files are written first), so every file the copied database refers to
already exists when the files are copied; files newer than the copied database are extra, never missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..entities import InvalidInput
from .registry import REFERENCE
from .workspace import Workspace

# The database and its SQLite companions: copied through the backup API, never as files.
_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


def check(workspace: Workspace) -> list[str]:
    """Every problem found, one sentence each; empty when the workspace is consistent."""
    problems: list[str] = []
    with workspace.db.read() as conn:
        problems += [f"sqlite: {row[0]}" for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [
            f"orphan row: {table} rowid {rowid} refers to a missing {parent} row"
            for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check")
        ]
        for table in ("metric_points", "metric_blocks"):
            (count,) = conn.execute(
                f"SELECT count(*) FROM {table} WHERE series_id NOT IN (SELECT id FROM metric_series)"
            ).fetchone()
            if count:
                problems.append(f"orphan rows: {count} {table} rows belong to no metric series")
        artifacts = conn.execute("SELECT run_id, path FROM artifacts ORDER BY run_id, path").fetchall()
        snapshots = [row[0] for row in conn.execute("SELECT id FROM snapshots ORDER BY id")]
        versions = conn.execute(
            "SELECT m.name, v.version, v.stored, v.location FROM model_versions v "
            "JOIN registered_models m ON m.id = v.model_id ORDER BY m.name, v.version"
        ).fetchall()
    paths = workspace.paths
    problems += [
        f"missing file: artifact {path!r} of run {run_id} ({paths.run_artifacts(run_id) / path})"
        for run_id, path in artifacts
        if not (paths.run_artifacts(run_id) / path).is_file()
    ]
    problems += [
        f"missing file: snapshot {snapshot_id} ({workspace.snapshots.path(snapshot_id)})"
        for snapshot_id in snapshots
        if not workspace.snapshots.path(snapshot_id).is_file()
    ]
    for name, version, stored, location in versions:
        files = Path(location) if stored == REFERENCE else paths.root / location
        if not files.exists():
            problems.append(f"missing files: model version {name}:{version} ({files})")
    return problems


def backup(workspace: Workspace, destination: str | os.PathLike[str]) -> Path:
    """Copy the workspace into `destination` (absent or an empty folder, not inside the workspace) while it is in
    use; returns the copy's root. The copy opens as a workspace of its own."""
    target = Path(destination).expanduser().resolve()
    root = workspace.root
    if target == root or root in target.parents:
        raise InvalidInput(f"the backup destination {target} is inside the workspace {root}", field="destination")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(f"the backup destination {target} exists and is not an empty folder", field="destination")
    target.mkdir(parents=True, exist_ok=True)
    database = workspace.paths.database
    workspace.db.backup(target / database.name)
    skipped = {database.name + suffix for suffix in _DATABASE_SUFFIXES}
    shutil.copytree(
        root,
        target,
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if Path(folder) == root and n in skipped],
        copy_function=_copy_if_still_there,
        dirs_exist_ok=True,
    )
    return target


def _copy_if_still_there(source: str, target: str) -> None:
    """A temporary file renamed or removed while the tree is copied is no loss: what it became is copied, or it
    was never part of the workspace."""
    try:
        shutil.copy2(source, target)
    except FileNotFoundError:
        pass
