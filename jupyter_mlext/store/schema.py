"""The workspace schema, changed only through versioned migrations.

Opening a workspace applies the migrations it lacks, so an older workspace is upgraded in place; a workspace that
records a migration this version does not know was written by a newer jupyter-mlext and is refused rather than
misread.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
from sqlite_utils import Migrations

from ..entities import WorkspaceError
from .database import Database

MIGRATION_SET = "jupyter_mlext"
migrations = Migrations(MIGRATION_SET)
KNOWN_MIGRATIONS: list[str] = []


def _migration(fn: Callable[[sqlite_utils.Database], None]) -> Callable[[sqlite_utils.Database], None]:
    KNOWN_MIGRATIONS.append(fn.__name__)
    return migrations()(fn)


def _execute_all(db: sqlite_utils.Database, statements: str) -> None:
    # executescript() would commit the migration's transaction half-way, so statements run one by one.
    for statement in statements.split(";"):
        if statement.strip():
            db.execute(statement)


@_migration
def m001_tracking(db: sqlite_utils.Database) -> None:
    _execute_all(
        db,
        """
        CREATE TABLE experiments (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL
        );
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            parent_id TEXT REFERENCES runs(id),
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            created_at REAL NOT NULL,
            started_at REAL,
            ended_at REAL,
            user TEXT,
            source_type TEXT,
            source_name TEXT,
            compute TEXT,
            git_commit TEXT,
            error TEXT
        );
        CREATE INDEX runs_by_experiment ON runs(experiment_id, created_at);
        CREATE INDEX runs_by_parent ON runs(parent_id);
        CREATE INDEX runs_by_status ON runs(status);
        CREATE TABLE params (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            value_num REAL,
            PRIMARY KEY (run_id, key)
        );
        CREATE TABLE tags (
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            value_num REAL,
            PRIMARY KEY (run_id, key)
        );
        CREATE TABLE metric_series (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL REFERENCES runs(id),
            key TEXT NOT NULL,
            count INTEGER NOT NULL,
            last REAL,
            min_value REAL,
            max_value REAL,
            last_step INTEGER NOT NULL,
            last_timestamp REAL NOT NULL,
            UNIQUE (run_id, key)
        );
        CREATE TABLE metric_points (
            series_id INTEGER NOT NULL,
            step INTEGER NOT NULL,
            timestamp REAL NOT NULL,
            value REAL
        );
        CREATE INDEX metric_points_by_step ON metric_points(series_id, step);
        CREATE TABLE metric_blocks (
            series_id INTEGER NOT NULL,
            block INTEGER NOT NULL,
            count INTEGER NOT NULL,
            first_step INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            last_timestamp REAL NOT NULL,
            last REAL,
            min_value REAL,
            max_value REAL,
            PRIMARY KEY (series_id, block)
        ) WITHOUT ROWID
        """,
    )


@_migration
def m002_artifacts_and_snapshots(db: sqlite_utils.Database) -> None:
    _execute_all(
        db,
        """
        CREATE TABLE snapshots (
            id TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            file_count INTEGER NOT NULL,
            created_at REAL NOT NULL
        );
        ALTER TABLE runs ADD COLUMN snapshot_id TEXT REFERENCES snapshots(id);
        CREATE TABLE artifacts (
            run_id TEXT NOT NULL REFERENCES runs(id),
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (run_id, path)
        )
        """,
    )


@_migration
def m003_compute_and_events(db: sqlite_utils.Database) -> None:
    _execute_all(
        db,
        """
        CREATE TABLE compute_targets (
            name TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            address TEXT,
            concurrency INTEGER NOT NULL,
            created_at REAL NOT NULL
        );
        INSERT INTO compute_targets (name, kind, address, concurrency, created_at)
            VALUES ('local', 'local', NULL, 2, (julianday('now') - 2440587.5) * 86400.0);
        CREATE TABLE jobs (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            target TEXT NOT NULL,
            entry TEXT NOT NULL,
            args TEXT NOT NULL,
            timeout_s REAL,
            queued_at REAL NOT NULL,
            attempt TEXT,
            host TEXT,
            pid INTEGER,
            pid_started_at REAL,
            exit_code INTEGER,
            cancel_requested INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX jobs_by_target ON jobs(target, queued_at);
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            kind TEXT NOT NULL,
            run_id TEXT,
            data TEXT NOT NULL
        )
        """,
    )


@_migration
def m004_model_registry(db: sqlite_utils.Database) -> None:
    _execute_all(
        db,
        """
        CREATE TABLE registered_models (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            last_version INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE model_versions (
            model_id INTEGER NOT NULL REFERENCES registered_models(id),
            version INTEGER NOT NULL,
            run_id TEXT REFERENCES runs(id),
            source TEXT NOT NULL,
            stored TEXT NOT NULL,
            location TEXT NOT NULL,
            framework TEXT,
            description TEXT,
            user TEXT,
            created_at REAL NOT NULL,
            size INTEGER NOT NULL,
            file_count INTEGER NOT NULL,
            PRIMARY KEY (model_id, version)
        );
        CREATE INDEX model_versions_by_run ON model_versions(run_id);
        CREATE TABLE model_version_tags (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, version, key),
            FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
        );
        CREATE TABLE model_version_properties (
            model_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, version, key),
            FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version) ON DELETE CASCADE
        );
        CREATE TABLE model_aliases (
            model_id INTEGER NOT NULL,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (model_id, alias),
            FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
        );
        CREATE TABLE model_history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at REAL NOT NULL,
            user TEXT,
            model_id INTEGER NOT NULL REFERENCES registered_models(id),
            version INTEGER,
            action TEXT NOT NULL,
            key TEXT,
            value TEXT,
            previous TEXT
        );
        CREATE INDEX model_history_by_model ON model_history(model_id, seq)
        """,
    )


@_migration
def m005_serving(db: sqlite_utils.Database) -> None:
    """Online endpoints (a router process each) and their deployments (a scoring server process each).

    `config_version` counts changes a router must pick up (traffic, deployment ports); `pid_started_at` tells a
    live process from a recycled pid when a restarted server re-attaches to them."""
    _execute_all(
        db,
        """
        CREATE TABLE endpoints (
            name TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            port INTEGER,
            pid INTEGER,
            pid_started_at REAL,
            traffic TEXT NOT NULL DEFAULT '{}',
            config_version INTEGER NOT NULL DEFAULT 0,
            run_id TEXT REFERENCES runs(id),
            user TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE TABLE deployments (
            endpoint TEXT NOT NULL REFERENCES endpoints(name) ON DELETE CASCADE,
            name TEXT NOT NULL,
            model_name TEXT NOT NULL,
            model_version INTEGER NOT NULL,
            script TEXT NOT NULL,
            snapshot_id TEXT REFERENCES snapshots(id),
            port INTEGER,
            pid INTEGER,
            pid_started_at REAL,
            status TEXT NOT NULL,
            error TEXT,
            user TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (endpoint, name)
        );
        CREATE INDEX deployments_by_model ON deployments(model_name, model_version)
        """,
    )


@_migration
def m006_pipelines(db: sqlite_utils.Database) -> None:
    """Published pipelines, pipeline runs with the state of each step, and cron schedules.

    A pipeline run's state lives here (not in the process that drives it), so a server that restarts, or any
    process holding the run's lease after the previous holder died, carries it on. `reuse_key` indexes finished
    steps so an unchanged step is found and reused instead of re-run."""
    _execute_all(
        db,
        """
        CREATE TABLE pipelines (
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            snapshot_id TEXT REFERENCES snapshots(id),
            user TEXT,
            created_at REAL NOT NULL,
            PRIMARY KEY (name, version)
        );
        CREATE TABLE pipeline_runs (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            pipeline TEXT NOT NULL,
            version INTEGER,
            definition TEXT NOT NULL,
            source_dir TEXT NOT NULL,
            params TEXT NOT NULL,
            force INTEGER NOT NULL DEFAULT 0,
            trigger TEXT NOT NULL,
            state TEXT NOT NULL,
            error TEXT,
            lease_owner TEXT,
            lease_until REAL,
            created_at REAL NOT NULL,
            ended_at REAL
        );
        CREATE INDEX pipeline_runs_by_pipeline ON pipeline_runs(pipeline, created_at);
        CREATE INDEX pipeline_runs_by_state ON pipeline_runs(state);
        CREATE TABLE pipeline_steps (
            run_id TEXT NOT NULL REFERENCES pipeline_runs(run_id),
            step TEXT NOT NULL,
            position INTEGER NOT NULL,
            state TEXT NOT NULL,
            child_run_id TEXT REFERENCES runs(id),
            reuse_key TEXT,
            produced_by TEXT REFERENCES runs(id),
            error TEXT,
            updated_at REAL NOT NULL,
            PRIMARY KEY (run_id, step)
        );
        CREATE INDEX pipeline_steps_by_key ON pipeline_steps(reuse_key, state);
        CREATE TABLE pipeline_schedules (
            pipeline TEXT PRIMARY KEY,
            cron TEXT NOT NULL,
            params TEXT NOT NULL,
            version INTEGER,
            enabled INTEGER NOT NULL,
            last_fired REAL NOT NULL,
            user TEXT,
            created_at REAL NOT NULL
        )
        """,
    )


@_migration
def m007_one_vocabulary_and_daemons(db: sqlite_utils.Database) -> None:
    """Pipeline run and step states spelt as run statuses are (entities/pipelines.py), and the heartbeats of the
    processes that run the daemon (daemon.py), so a submission can tell whether anything will start it."""
    renames = {
        "pending": "Pending",
        "queued": "Queued",
        "running": "Running",
        "completed": "Completed",
        "reused": "Reused",
        "failed": "Failed",
        "not_started": "NotStarted",
        "canceling": "Canceling",
        "canceled": "Canceled",
    }
    for old, new in renames.items():
        db.execute("UPDATE pipeline_runs SET state = ? WHERE state = ?", [new, old])
        db.execute("UPDATE pipeline_steps SET state = ? WHERE state = ?", [new, old])
    _execute_all(
        db,
        """
        CREATE TABLE daemons (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            host TEXT NOT NULL,
            pid INTEGER NOT NULL,
            target_kinds TEXT NOT NULL,
            started_at REAL NOT NULL,
            beat_at REAL NOT NULL
        )
        """,
    )


@_migration
def m008_run_owners(db: sqlite_utils.Database) -> None:
    """The process that owns a run (store/liveness.py): its host, pid and start time (a recycled pid has another
    start time) and its last heartbeat, so any process that opens the workspace can tell a run whose process is
    gone from one still at work. Runs without an owner (queued, driven by a pipeline lease, made over REST) keep
    NULLs and are never judged by it."""
    _execute_all(
        db,
        """
        ALTER TABLE runs ADD COLUMN pid INTEGER;
        ALTER TABLE runs ADD COLUMN pid_started_at REAL;
        ALTER TABLE runs ADD COLUMN host TEXT;
        ALTER TABLE runs ADD COLUMN beat_at REAL
        """,
    )


@_migration
def m009_metric_blocks(db: sqlite_utils.Database) -> None:
    """Metric points packed in sealed blocks (store/metric_blocks.py), the open tail of each series in rows.

    The 64-point rollups of m001 give way to blocks that carry their points as well as their summary. `sealed`
    counts a series' points in blocks; `overlapping` is set once a block starts before the block sealed before
    it ends (steps logged out of order), which sends downsampling the exact way. The summary index covers
    downsampling, which then reads ~70 bytes a block instead of the pages that hold the blobs. Existing points
    stay rows here (a series' tail) and are sealed later in bounded batches (metrics.seal_pending, run by the
    daemon, and by every write to the series), so opening a large old workspace takes no longer than before and
    reads are right before, during and after."""
    _execute_all(
        db,
        """
        DROP TABLE metric_blocks;
        CREATE TABLE metric_blocks (
            series_id INTEGER NOT NULL,
            block INTEGER NOT NULL,
            count INTEGER NOT NULL,
            first_step INTEGER NOT NULL,
            last_step INTEGER NOT NULL,
            last_timestamp REAL NOT NULL,
            last REAL,
            min_value REAL,
            max_value REAL,
            data BLOB NOT NULL,
            PRIMARY KEY (series_id, block)
        );
        CREATE INDEX metric_blocks_summary ON metric_blocks
            (series_id, block, first_step, last_step, last_timestamp, last, min_value, max_value);
        ALTER TABLE metric_series ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE metric_series ADD COLUMN overlapping INTEGER NOT NULL DEFAULT 0
        """,
    )


@_migration
def m010_sweeps(db: sqlite_utils.Database) -> None:
    """Sweeps and their trials (store/sweeps.py). The sweep's whole state is here, not in the process that
    drives it: the checked definition (space, sampling, seed, policy), every trial with the values sampled for
    it, its attempt, its outcome and how far the termination policy has judged it, and the driver's lease. So a
    driver that dies is replaced by any other (the daemon, `resume`) that carries on with the same decisions."""
    _execute_all(
        db,
        """
        CREATE TABLE sweeps (
            run_id TEXT PRIMARY KEY REFERENCES runs(id),
            experiment TEXT NOT NULL,
            definition TEXT NOT NULL,
            snapshot_id TEXT REFERENCES snapshots(id),
            max_trials INTEGER NOT NULL,
            state TEXT NOT NULL,
            error TEXT,
            lease_owner TEXT,
            lease_until REAL,
            created_at REAL NOT NULL,
            opened_at REAL NOT NULL,
            ended_at REAL
        );
        CREATE INDEX sweeps_by_state ON sweeps(state);
        CREATE TABLE sweep_trials (
            sweep_id TEXT NOT NULL REFERENCES sweeps(run_id),
            number INTEGER NOT NULL,
            attempt INTEGER NOT NULL,
            run_id TEXT REFERENCES runs(id),
            params TEXT NOT NULL,
            state TEXT NOT NULL,
            value REAL,
            error TEXT,
            evaluated INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            ended_at REAL,
            PRIMARY KEY (sweep_id, number)
        );
        CREATE INDEX sweep_trials_by_run ON sweep_trials(run_id)
        """,
    )


@_migration
def m011_mlflow(db: sqlite_utils.Database) -> None:
    """What the MLflow-compatible API (mlflow_compat/) needs beyond our own entities: deletion marks on
    experiments and runs (MLflow's lifecycle stage: deleted rows stay until purged), experiment and
    registered-model tags and descriptions, a model version's stage, the runs' dataset/model inputs and
    outputs, MLflow 3's logged models (with their tags and params), and the ids an import came from so a
    second import of the same source adds nothing."""
    _execute_all(
        db,
        """
        ALTER TABLE experiments ADD COLUMN deleted_at REAL;
        ALTER TABLE runs ADD COLUMN deleted_at REAL;
        CREATE TABLE experiment_tags (
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (experiment_id, key)
        );
        ALTER TABLE registered_models ADD COLUMN description TEXT;
        ALTER TABLE registered_models ADD COLUMN updated_at REAL;
        CREATE TABLE registered_model_tags (
            model_id INTEGER NOT NULL REFERENCES registered_models(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        );
        ALTER TABLE model_versions ADD COLUMN stage TEXT;
        ALTER TABLE model_versions ADD COLUMN updated_at REAL;
        CREATE TABLE run_io (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL REFERENCES runs(id),
            direction TEXT NOT NULL,
            kind TEXT NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX run_io_by_run ON run_io(run_id, seq);
        CREATE TABLE logged_models (
            id TEXT PRIMARY KEY,
            experiment_id INTEGER NOT NULL REFERENCES experiments(id),
            name TEXT NOT NULL,
            source_run_id TEXT REFERENCES runs(id),
            model_type TEXT,
            status TEXT NOT NULL,
            status_message TEXT,
            user TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            deleted_at REAL
        );
        CREATE INDEX logged_models_by_experiment ON logged_models(experiment_id, created_at);
        CREATE TABLE logged_model_tags (
            model_id TEXT NOT NULL REFERENCES logged_models(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        );
        CREATE TABLE logged_model_params (
            model_id TEXT NOT NULL REFERENCES logged_models(id),
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (model_id, key)
        );
        CREATE TABLE import_sources (
            source TEXT NOT NULL,
            kind TEXT NOT NULL,
            source_id TEXT NOT NULL,
            target_id TEXT NOT NULL,
            imported_at REAL NOT NULL,
            PRIMARY KEY (source, kind, source_id)
        )
        """,
    )


def migrate(db: Database) -> None:
    """Bring the schema up to date, under the write lock so that racing openers apply each migration once."""
    with db.write() as conn:
        utils = sqlite_utils.Database(conn, execute_plugins=False)
        unknown = [m.name for m in migrations.applied(utils) if m.name not in KNOWN_MIGRATIONS]
        if unknown:
            raise WorkspaceError(
                f"this workspace was written by a newer jupyter-mlext (schema migration {unknown[0]!r} is unknown "
                "to this version); upgrade jupyter-mlext to open it"
            )
        if migrations.pending(utils):
            migrations.apply(utils)
