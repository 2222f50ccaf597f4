"""Change notification for a workspace database: a callback whenever any process commits to it.

SQLite in WAL mode appends every commit to `workspace.db-wal`, so a watchdog observer on the workspace folder sees
commits from every writer (kernels, scripts, servers) without polling the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from .paths import WorkspacePaths


class _DatabaseChanges(FileSystemEventHandler):
    def __init__(self, database: Path, notify: Callable[[], None]) -> None:
        self.names = {database.name, database.name + "-wal"}
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if Path(str(event.src_path)).name in self.names:
            self.notify()


def watch_database(paths: WorkspacePaths, notify: Callable[[], None]) -> BaseObserver:
    """A started daemon observer calling `notify()` (from its own thread) on database changes; `.stop()` it."""
    observer = Observer()
    observer.schedule(_DatabaseChanges(paths.database, notify), str(paths.root), recursive=False)
    observer.daemon = True
    observer.start()
    return observer


STOP_WAIT_S = 5.0


def stop_observer(observer: BaseObserver, wait: float = STOP_WAIT_S) -> None:
    """Stop an observer, giving up after `wait` seconds.

    `Observer.stop()` joins its emitter threads with no timeout, and an inotify emitter can stay blocked in a read;
    so the stop runs in a daemon thread of its own and is abandoned (every thread involved is a daemon) if it hangs.
    """
    stopper = threading.Thread(target=observer.stop, name="mlext-observer-stop", daemon=True)
    stopper.start()
    stopper.join(wait)
