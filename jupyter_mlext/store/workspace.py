"""`Workspace`: one open workspace folder, the composition of its database and repositories.

Every layer that works on a workspace it can see (the SDK's local transport, the CLI, the server, the daemon,
supervisors, scoring processes) opens one `Workspace` per process and folder and passes it on; services take it
as their first argument. The repositories are built once here and share the workspace's `Database`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from types import TracebackType

from ..entities import WorkspaceError
from .compute import ComputeRepository
from .daemons import Daemons
from .database import Database
from .events import EventFeed
from .liveness import Liveness
from .logged_models import LoggedModels
from .mlflow_registry import MlflowRegistry
from .mlflow_tracking import MlflowTracking
from .paths import WorkspacePaths, resolve_workspace
from .pipelines import PipelineRepository
from .registry import ModelRegistry
from .schema import migrate
from .serving import ServingRepository
from .snapshots import Snapshots
from .sweeps import SweepRepository
from .tracking import SqliteTracking


class Workspace:
    """Safe to share between threads; one per process and workspace is enough."""

    def __init__(self, root: WorkspacePaths | str | os.PathLike[str] | None = None) -> None:
        self.paths = root if isinstance(root, WorkspacePaths) else resolve_workspace(root)
        self.paths.create()
        try:
            self.db = Database(self.paths.database)
            migrate(self.db)
        except sqlite3.DatabaseError as error:  # e.g. "file is not a database"
            raise WorkspaceError(f"cannot open the workspace database {self.paths.database}: {error}") from None
        self.tracking = SqliteTracking(self.db, self.paths)
        self.events = EventFeed(self.db)
        self.snapshots = Snapshots(self.db, self.paths)
        self.compute = ComputeRepository(self.db, self.tracking)
        self.registry = ModelRegistry(self.db, self.paths, self.tracking)
        self.serving = ServingRepository(self.db, self.tracking)
        self.pipelines = PipelineRepository(self.db)
        self.sweeps = SweepRepository(self.db, self.tracking)
        self.daemons = Daemons(self.db)
        self.liveness = Liveness(self.db, self.tracking)
        # What MLflow's API keeps beside our entities (mlflow_compat/ reads and writes it).
        self.mlflow = MlflowTracking(self.db, self.tracking)
        self.logged_models = LoggedModels(self.db, self.paths, self.tracking)
        self.mlflow_registry = MlflowRegistry(self.db, self.registry)
        # Whoever opens the workspace fails the runs whose process is gone (liveness.py): no run stays Running
        # forever because its process was killed while nothing else watched.
        self.liveness.reconcile()

    @classmethod
    def existing(cls, root: str | os.PathLike[str] | None = None) -> Workspace:
        """Open a workspace that exists; a folder without a workspace database is refused rather than made into
        an empty one (a mistyped path)."""
        paths = resolve_workspace(root)
        if not paths.database.is_file():
            raise WorkspaceError(f"no workspace at {paths.root}")
        return cls(paths)

    @property
    def root(self) -> Path:
        return self.paths.root

    def data_version(self) -> int:
        """Changes whenever another process commits to the workspace (see Database.data_version)."""
        return self.db.data_version()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.paths.root}>"
