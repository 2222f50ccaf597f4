"""A real Dask cluster for the tests that need one (compute/, pipelines/): `dask scheduler` and nanny workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import distributed


class DaskCluster:
    """`dask scheduler` and nanny `dask worker`s on 127.0.0.1, each in its own process group, with working and
    local directories under `base` (never the workspace) and no MLEXT_* variables: the workers know nothing of
    the workspace."""

    def __init__(self, base: Path, workers: int = 2) -> None:
        self.base = base
        self.processes: list[subprocess.Popen] = []
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
        scheduler_file = base / "scheduler.json"
        try:
            self._spawn(
                "scheduler",
                [
                    "distributed.cli.dask_scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(scheduler_file),
                ],
            )
            # The scheduler writes its file in place: wait until it holds the whole document.
            wait_for(lambda: _address(scheduler_file) is not None, 30, "the scheduler's address")
            self.address = _address(scheduler_file)
            for i in range(workers):
                self._spawn(
                    f"worker{i}",
                    [
                        "distributed.cli.dask_worker",
                        self.address,
                        "--nthreads",
                        "2",
                        "--host",
                        "127.0.0.1",
                        "--no-dashboard",
                        "--name",
                        f"w{i}",
                        "--local-directory",
                        str(base / f"w{i}"),
                    ],
                )
            with distributed.Client(self.address, set_as_default=False, timeout=30) as client:
                client.wait_for_workers(workers, timeout=60)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, name: str, module_args: list[str]) -> None:
        with open(self.base / f"{name}.log", "wb") as out:
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", *module_args],
                    cwd=self.base,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.base.glob("worker*.log")))

    def stop(self) -> None:
        for process in reversed(self.processes):
            signal_group(process.pid, signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            signal_group(process.pid, signal.SIGKILL)  # workers a nanny restarted, stragglers
            process.wait(timeout=10)


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"{what} not reached in {timeout} s"
        time.sleep(0.05)


def _address(scheduler_file: Path) -> str | None:
    try:
        return json.loads(scheduler_file.read_text())["address"]
    except (OSError, ValueError, KeyError):
        return None
