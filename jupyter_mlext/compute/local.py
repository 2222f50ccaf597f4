"""The `local` compute target: each run gets a supervisor process on this machine (see supervise.py), forked
from a warm interpreter of the pool when one is ready (warm.py), else started as a new interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from ..entities import Job
from ..store import Workspace
from ..store.liveness import process_alive
from .warm import WarmPool, WarmSettings, ZygoteError, shared_pool


class LocalBackend:
    """Starts supervisors as detached processes; they outlive a server restart and report for themselves.

    `warm`: the warm pool's settings (default: from the MLEXT_WARM_* variables); the pool is shared by the
    backends of this process that have the same settings."""

    def __init__(self, workspace: Workspace, warm: WarmSettings | None = None) -> None:
        self.workspace = workspace
        self.pool: WarmPool = shared_pool(warm if warm is not None else WarmSettings.from_env())
        self._children: list[subprocess.Popen[bytes]] = []
        self._guard = threading.Lock()

    def prewarm(self) -> None:
        """Start the warm interpreter for this process's environment now, so that the first run finds it ready."""
        if self.pool.settings.enabled:
            self.pool.prewarm()

    def start(self, job: Job, attempt: str) -> None:
        argv = [str(self.workspace.root), job.run_id, attempt]
        log_path = self.workspace.tracking.log_file(job.run_id)
        env = dict(os.environ)
        zygote = self.pool.acquire(env)
        if not isinstance(zygote, str):
            _say(log_path, f"warm start (forked from the warm interpreter {zygote.pid}{_preloaded(zygote.preloaded)})")
            try:
                zygote.fork(argv, env, _working_folder(), log_path)
                return
            except ZygoteError as error:
                reason = f"the warm interpreter could not fork it: {error}"
        else:
            reason = zygote
        _say(log_path, f"cold start (a new interpreter): {reason}")
        with log_path.open("ab") as log:
            child = subprocess.Popen(
                [sys.executable, "-m", "jupyter_mlext.compute.supervise", *argv],
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
        """Collect the exit status of finished supervisors started cold by this process (no zombies); the warm
        interpreter reaps those it forked."""
        with self._guard:
            self._children = [child for child in self._children if child.poll() is None]

    def close(self) -> None:
        """The pool is the process's, shared with other backends: it stays (its interpreters stop when idle)."""
        self.reap()


def _working_folder() -> str:
    """Ours, which a cold supervisor would inherit (the root if it was removed: a warm one must change to one)."""
    try:
        return os.getcwd()
    except OSError:
        return os.sep


def _preloaded(modules: tuple[str, ...]) -> str:
    return f", preloaded: {', '.join(modules)}" if modules else ""


def _say(log_path: os.PathLike[str], message: str) -> None:
    """A line of ours in the run's log, before anything of the run's."""
    with open(log_path, "ab") as log:
        log.write(f"mlext: {message}\n".encode())
