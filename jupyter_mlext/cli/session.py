"""What a command works on: the workspace named by --workspace (a folder, or a server's URL for the tracking
commands), opened on first use and closed when the command ends."""

from __future__ import annotations

from ..entities import MLExtError, WorkspaceError
from ..store import TrackingStore, Workspace, open_tracking, resolve_workspace, tracking_location
from ..wire import is_http_uri


class Session:
    def __init__(self, location: str | None, create: bool = False) -> None:
        self.location = tracking_location(location)
        self._create = create
        self._store: TrackingStore | None = None
        self._workspace: Workspace | None = None

    @property
    def store(self) -> TrackingStore:
        """Runs, metrics, artifacts and logs: the workspace folder's, or those behind a server's URL."""
        if self._store is None:
            if is_http_uri(self.location):
                self._store = open_tracking(self.location)[0]
            else:
                self._store = self.workspace.tracking
        return self._store

    @property
    def workspace(self) -> Workspace:
        """The workspace folder. Reading commands refuse a folder without a workspace database rather than create
        one (a mistyped path); commands that write (submit, agent, create) create it."""
        if self._workspace is None:
            if is_http_uri(self.location):
                raise MLExtError(f"this command needs the workspace folder, not a server URL ({self.location})")
            paths = resolve_workspace(self.location)
            if not self._create and not paths.database.is_file():
                raise WorkspaceError(f"no workspace at {paths.root}")
            self._workspace = Workspace(paths)
        return self._workspace

    @property
    def folder(self) -> Workspace | None:
        """The workspace folder, or None when the command works through a server's URL."""
        return None if is_http_uri(self.location) else self.workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()
        elif self._store is not None:
            self._store.close()
