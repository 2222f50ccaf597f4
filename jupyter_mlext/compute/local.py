"""The `local` compute target: each run gets a supervisor process on this machine (see supervise.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from ..entities import Job
from ..store import Workspace
from ..store.liveness import process_alive


class LocalBackend:
    """Starts supervisors as detached processes; they outlive a server restart and report for themselves."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._children: list[subprocess.Popen[bytes]] = []
        self._guard = threading.Lock()

    def start(self, job: Job, attempt: str) -> None:
        with self.workspace.tracking.log_file(job.run_id).open("ab") as log:
            child = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jupyter_mlext.compute.supervise",
                    str(self.workspace.root),
                    job.run_id,
                    attempt,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        with self._guard:
            self._children.append(child)

    def is_alive(self, job: Job) -> bool | None:
        """Whether the run's supervisor lives; None while it has not recorded itself yet."""
        self.reap()
        if job.pid is None:
            return None
        return process_alive(job.pid, job.pid_started_at)

    def cancel(self, job: Job) -> None:
        if job.pid is not None and process_alive(job.pid, job.pid_started_at):
            os.kill(job.pid, signal.SIGTERM)

    def reap(self) -> None:
        """Collect the exit status of finished supervisors started by this process (no zombies)."""
        with self._guard:
            self._children = [child for child in self._children if child.poll() is None]

    def close(self) -> None:
        self.reap()
