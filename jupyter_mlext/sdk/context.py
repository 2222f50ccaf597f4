"""What one process shares between its SDK calls: the open tracking stores (one per workspace or server, each
with its background metric writer and, for a folder, the heartbeat of the runs this process owns), what runs at
exit, who the user is and where the code comes from.

The runs this process owns live in sdk/run.py, which registers an exit hook here to end them.
"""

from __future__ import annotations

import atexit
import getpass
import os
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ..entities import MLExtError
from ..store import TrackingStore, Workspace, open_tracking, tracking_location
from ..store.liveness import Heartbeat
from .writer import MetricWriter

WorkspaceArg = str | os.PathLike[str] | None


@dataclass(frozen=True)
class Opened:
    """A tracking store of this process, its writer, and its Workspace when it is a folder this machine sees (with
    the heartbeat of the runs this process owns there; over HTTP a run has no owner process, store/liveness.py)."""

    store: TrackingStore
    writer: MetricWriter
    workspace: Workspace | None
    heartbeat: Heartbeat | None


_opening = threading.Lock()
_opened: dict[str, Opened] = {}
_exit_hooks: list[Callable[[str | None], None]] = []
_uncaught: list[BaseException] = []


def opened(workspace: WorkspaceArg = None) -> Opened:
    """The store and writer for `workspace` (else MLEXT_TRACKING_URI, else MLEXT_WORKSPACE, else ./.mlext), opened
    once per process: an http(s):// URL is a server reached over its REST API, anything else a folder."""
    location = tracking_location(workspace)
    with _opening:
        found = _opened.get(location)
        if found is None:
            if not _opened:
                _install_exit_hooks()
            store, folder = open_tracking(location)
            heartbeat = None if folder is None else Heartbeat(folder.liveness)
            found = _opened[location] = Opened(store, MetricWriter(store), folder, heartbeat)
        return found


def local_workspace(workspace: WorkspaceArg, who_needs: str) -> Workspace:
    """The workspace folder for what needs it (submitting, the registry, endpoints, pipelines), with everything
    this process logged committed first; `who_needs` starts the refusal ("pipelines need")."""
    found = opened(workspace)
    if found.workspace is None:
        raise MLExtError(f"{who_needs} the workspace folder, not a tracking server URL ({found.store.location})")
    found.writer.flush()
    return found.workspace


def flush_all() -> None:
    """Commit everything this process has logged, in every workspace."""
    for found in list(_opened.values()):
        found.writer.flush()


def at_exit(hook: Callable[[str | None], None]) -> None:
    """Call `hook(error)` at interpreter exit, before the buffered metrics are committed; `error` is the
    traceback of the uncaught exception that stopped the interpreter, if one did."""
    _exit_hooks.append(hook)


def user() -> str | None:
    """Who runs this process, as runs and registry changes record it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


_source_cache: dict[str, str | None] = {}


def source() -> dict[str, Any]:
    """What started this code: user, source type ("notebook" inside a running kernel, else "script"), the
    script's name and the git commit of the current folder."""
    if not _source_cache:
        kernel_app = sys.modules.get("ipykernel.kernelapp")  # imported is not enough: a test runner may import it
        in_kernel = kernel_app is not None and kernel_app.IPKernelApp.initialized()
        _source_cache.update(
            user=user(),
            source_type="notebook" if in_kernel else "script",
            source_name=None if in_kernel else (Path(sys.argv[0]).name if sys.argv and sys.argv[0] else None),
            git_commit=_git_commit(),
        )
    return dict(_source_cache)


def _git_commit() -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def _install_exit_hooks() -> None:
    """At exit, commit what is buffered and end the runs this process still owns."""
    previous_hook = sys.excepthook

    def remember_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        _uncaught.append(exc)
        previous_hook(exc_type, exc, tb)

    sys.excepthook = remember_uncaught
    atexit.register(_end_at_exit)


def _end_at_exit() -> None:
    error = "".join(traceback.format_exception(_uncaught[-1])) if _uncaught else None
    for hook in _exit_hooks:
        hook(error)
    flush_all()
