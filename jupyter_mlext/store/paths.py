"""Where a workspace lives and what its folders are.

A workspace is a self-contained directory so that it can be copied or backed up as a folder.
"""

from __future__ import annotations

import os
from pathlib import Path

WORKSPACE_ENV = "MLEXT_WORKSPACE"
DEFAULT_DIRNAME = ".mlext"


class WorkspacePaths:
    """The files and folders of one workspace directory."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser().resolve()

    @property
    def database(self) -> Path:
        return self.root / "workspace.db"

    @property
    def artifacts(self) -> Path:
        return self.root / "artifacts"

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def runs(self) -> Path:
        """Working folders of submitted runs (`runs/<id>/wd`), which outlive the process for inspection."""
        return self.root / "runs"

    @property
    def models(self) -> Path:
        """Files of registered model versions: `models/<model id>/<version>/`."""
        return self.root / "models"

    def run_artifacts(self, run_id: str) -> Path:
        return self.artifacts / run_id

    def create(self) -> None:
        for folder in (self.root, self.artifacts, self.snapshots, self.logs):
            folder.mkdir(parents=True, exist_ok=True)


def resolve_workspace(path: str | os.PathLike[str] | None = None) -> WorkspacePaths:
    """An explicit path wins, then MLEXT_WORKSPACE, then `.mlext/` in the current directory."""
    chosen = path or os.environ.get(WORKSPACE_ENV) or Path.cwd() / DEFAULT_DIRNAME
    return WorkspacePaths(chosen)
