"""The workspace store: the single source of truth that every other layer reads and writes through, and the only
code that touches SQLite.

    ws = Workspace("path/to/.mlext")       # a folder this machine sees: its database and repositories
    ws.tracking.search_runs(filter="metrics.mse < 3")
    store = RestTracking("http://host:8888", token)   # the tracking part of a workspace behind a server

`TrackingStore` (base.py) is the contract both tracking transports meet.
"""

from __future__ import annotations

import os

from ..wire import is_http_uri
from .base import TrackingStore
from .paths import WORKSPACE_ENV, WorkspacePaths, resolve_workspace
from .rest import TOKEN_ENV, RestTracking
from .validation import validate_point
from .workspace import Workspace

TRACKING_URI_ENV = "MLEXT_TRACKING_URI"

__all__ = [
    "TOKEN_ENV",
    "TRACKING_URI_ENV",
    "WORKSPACE_ENV",
    "RestTracking",
    "TrackingStore",
    "Workspace",
    "WorkspacePaths",
    "open_tracking",
    "resolve_workspace",
    "tracking_location",
    "validate_point",
]


def tracking_location(location: str | os.PathLike[str] | None = None) -> str:
    """Where tracking goes: `location` if given, else MLEXT_TRACKING_URI, else the workspace folder
    (MLEXT_WORKSPACE, else ./.mlext), as a URL or an absolute path."""
    if location is None:
        location = os.environ.get(TRACKING_URI_ENV) or None
    if is_http_uri(location):
        return str(location).rstrip("/")
    return str(resolve_workspace(location).root)


def open_tracking(location: str) -> tuple[TrackingStore, Workspace | None]:
    """The tracking store at a `tracking_location()`: over HTTP (token from MLEXT_TRACKING_TOKEN) for a URL, else
    the workspace folder, opened (and created if new)."""
    if is_http_uri(location):
        return RestTracking(location, os.environ.get(TOKEN_ENV)), None
    workspace = Workspace(location)
    return workspace.tracking, workspace
