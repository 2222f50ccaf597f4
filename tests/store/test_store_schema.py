"""Workspace creation, WAL, and schema migrations (upgrade older workspaces, refuse newer ones)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from jupyter_mlext.entities import WorkspaceError
from jupyter_mlext.store import Workspace
from jupyter_mlext.store.schema import KNOWN_MIGRATIONS, MIGRATION_SET, migrations


def test_new_workspace_has_folders_wal_and_every_table(ws):
    root = ws.root
    assert {p.name for p in root.iterdir()} >= {"workspace.db", "artifacts", "snapshots", "logs"}
    conn = sqlite3.connect(ws.paths.database)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables >= {
        "experiments",
        "runs",
        "params",
        "tags",
        "metric_series",
        "metric_points",
        "metric_blocks",
        "artifacts",
        "snapshots",
    }
    applied = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == KNOWN_MIGRATIONS


def test_store_connection_enforces_foreign_keys(ws):
    with ws.db.read() as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    with ws.db.write() as conn:
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_opening_an_older_workspace_upgrades_it_and_keeps_its_data(workspace):
    workspace.mkdir(parents=True)
    db = sqlite_utils.Database(workspace / "workspace.db")
    migrations.apply(db, stop_before=KNOWN_MIGRATIONS[1])
    db.execute("INSERT INTO experiments (id, name, created_at) VALUES (1, 'old', 1.0)")
    db.execute(
        "INSERT INTO runs (id, experiment_id, name, status, created_at) VALUES ('r1', 1, 'old-1', 'Completed', 1.0)"
    )
    db.conn.commit()
    assert "artifacts" not in db.table_names()
    db.close()

    ws = Workspace(workspace)
    run = ws.tracking.get_run("r1")
    assert (run.experiment, run.name, run.snapshot_id) == ("old", "old-1", None)
    with ws.db.read() as conn:
        assert "artifacts" in sqlite_utils.Database(conn).table_names()
    ws.close()


def test_a_workspace_from_a_newer_version_is_refused_untouched(workspace):
    Workspace(workspace).close()
    db = sqlite_utils.Database(workspace / "workspace.db")
    db["_sqlite_migrations"].insert(
        {"migration_set": MIGRATION_SET, "name": "m999_from_the_future", "applied_at": "2030-01-01"}
    )
    db.close()
    before = (workspace / "workspace.db").read_bytes()
    with pytest.raises(WorkspaceError, match="newer jupyter-mlext.*m999_from_the_future"):
        Workspace(workspace)
    assert (workspace / "workspace.db").read_bytes() == before


def test_reopening_is_idempotent(workspace):
    first = Workspace(workspace)
    run = first.tracking.create_run("e")
    first.close()
    second = Workspace(workspace)
    assert second.tracking.get_run(run.id).id == run.id
    with second.db.read() as conn:
        assert len(conn.execute("SELECT * FROM _sqlite_migrations").fetchall()) == len(KNOWN_MIGRATIONS)
    second.close()


def test_a_file_that_is_not_a_database_is_a_workspace_error(workspace):
    workspace.mkdir(parents=True)
    (workspace / "workspace.db").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(WorkspaceError, match="cannot open the workspace database"):
        Workspace(workspace)
    assert (workspace / "workspace.db").read_bytes() == b"this is not sqlite" * 100
