"""Starting and stopping the serving processes, and where their files live in the workspace.

    serving/<endpoint>/router.log
    serving/<endpoint>/<deployment>/worker.log      (scoring errors are logged here with their error id)
    serving/<endpoint>/<deployment>/code/           (the deployment's snapshot, unpacked)

Each process runs in a session of its own, so it outlives the notebook, command or server that started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from ..store import Workspace
from ..store.liveness import process_alive

STOP_GRACE_S = 5.0
_children: list[subprocess.Popen[bytes]] = []
_children_guard = threading.Lock()


def log(message: str) -> None:
    """One timestamped line of a router's or scoring process's log (its stderr goes to the log file)."""
    print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def endpoint_folder(workspace: Workspace, endpoint: str) -> Path:
    return workspace.paths.root / "serving" / endpoint


def deployment_folder(workspace: Workspace, endpoint: str, deployment: str) -> Path:
    return endpoint_folder(workspace, endpoint) / deployment


def worker_log(workspace: Workspace, endpoint: str, deployment: str) -> Path:
    return deployment_folder(workspace, endpoint, deployment) / "worker.log"


def router_log(workspace: Workspace, endpoint: str) -> Path:
    return endpoint_folder(workspace, endpoint) / "router.log"


def start_worker(workspace: Workspace, endpoint: str, deployment: str) -> subprocess.Popen[bytes]:
    return _spawn(
        "jupyter_mlext.serving.worker",
        [str(workspace.paths.root), endpoint, deployment],
        worker_log(workspace, endpoint, deployment),
    )


def start_router(workspace: Workspace, endpoint: str) -> subprocess.Popen[bytes]:
    return _spawn(
        "jupyter_mlext.serving.router", [str(workspace.paths.root), endpoint], router_log(workspace, endpoint)
    )


def _spawn(module: str, args: list[str], log: Path) -> subprocess.Popen[bytes]:
    reap()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with _children_guard:
        _children.append(child)
    return child


def reap() -> None:
    """Collect the exit status of processes this process started that have ended (no zombies)."""
    with _children_guard:
        _children[:] = [child for child in _children if child.poll() is None]


def alive(pid: int | None, started_at: float | None) -> bool:
    reap()
    return process_alive(pid, started_at)


def stop_child(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def stop(pid: int | None, started_at: float | None) -> None:
    """SIGTERM (the process finishes the requests it holds), SIGKILL after the grace period."""
    if not alive(pid, started_at):
        return
    assert pid is not None
    try:
        process = psutil.Process(pid)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=STOP_GRACE_S)
    except psutil.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
    except psutil.Error:
        pass
    deadline = time.monotonic() + STOP_GRACE_S
    while alive(pid, started_at) and time.monotonic() < deadline:
        time.sleep(0.02)


def workspace_intact(workspace: Workspace, inode: int) -> bool:
    """Whether the workspace database at its path is still the file this process opened (inode `inode`): a
    process whose workspace was deleted or replaced can no longer be reached or stopped through it, so it exits."""
    try:
        return os.stat(workspace.paths.database).st_ino == inode
    except OSError:
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
