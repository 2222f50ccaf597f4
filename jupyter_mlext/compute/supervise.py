"""One execution of a submitted run, from its snapshot to its final status.

    python -m jupyter_mlext.compute.supervise WORKSPACE RUN_ID ATTEMPT

The supervisor is its own process, in its own session, so that a Jupyter server that restarts (or is killed)
does not take running scripts with it: the supervisor follows its script to the end and records the outcome
itself. The script runs in a process group of its own (cancel and timeout stop the whole group) and dies with
its supervisor (PR_SET_PDEATHSIG), so no orphan keeps running unobserved.

Template: prepare (unpack the snapshot) → execute (stream output to the log, collect ./outputs while running) →
on_complete / on_failure / on_cancel.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ..entities import MLExtError, RunStatus
from ..store.artifacts import refusal
from .channel import LocalChannel, RunChannel
from .pdeath import die_with_parent
from .snapshot import extract_snapshot

POLL_INTERVAL_S = 0.25
KILL_GRACE_S = 5.0
OUTPUTS = "outputs"


class ScriptProcess(Protocol):
    """The running script: a `subprocess.Popen`, or a script forked from a warm supervisor (forked.py)."""

    pid: int

    def poll(self) -> int | None: ...
    def wait(self, timeout: float | None = None) -> int: ...


# Starts the script: (argv, working folder, environment, log file) → its process, in a process group of its own.
Launcher = Callable[[list[str], Path, dict[str, str], Path], ScriptProcess]


def popen_script(argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> ScriptProcess:
    """`python script args` in a new interpreter (the cold start)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, *argv],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )


class OutputCollector:
    """Uploads files under ./outputs as the script writes them: a file is sent once it has stopped changing.

    Files are uploaded by content, so the folder is the boundary of what a run may publish: a symlink that
    resolves outside it, or a file with more than one hard link (whose other name may be anywhere), is refused,
    as is a file the workspace cannot store (a full disk). Each refusal is said once in the run's log, and
    `refused` makes the run fail naming the files."""

    def __init__(self, channel: RunChannel, folder: Path) -> None:
        self.channel = channel
        self.folder = folder
        self.refused: dict[str, str] = {}
        self._sent: dict[str, tuple[int, int]] = {}
        self._seen: dict[str, tuple[int, int]] = {}

    def sweep(self, final: bool = False) -> None:
        if self.folder.is_symlink():
            self._refuse(OUTPUTS, f"{OUTPUTS} is a symlink to {self.folder.resolve()}; nothing in it is uploaded")
            return
        if not self.folder.is_dir():
            return
        for path in self._files():
            relative = path.relative_to(self.folder).as_posix()
            if relative in self.refused:
                continue
            reason = refusal(self.folder, path, hard_links=True)
            if reason is not None:
                self._refuse(relative, f"{OUTPUTS}/{reason}")
                continue
            if not path.is_file():  # a symlink to a folder inside: its files are uploaded under their own names
                continue
            stat = path.stat()
            signature = (stat.st_size, stat.st_mtime_ns)
            settled = self._seen.get(relative) == signature
            self._seen[relative] = signature
            if self._sent.get(relative) != signature and (settled or final):
                try:
                    self.channel.upload_output(f"{OUTPUTS}/{relative}", path)
                except MLExtError as error:  # e.g. StorageFull: the other outputs are still worth keeping
                    self._refuse(relative, f"{OUTPUTS}/{relative} could not be stored: {error.message}")
                    continue
                self._sent[relative] = signature

    def _files(self) -> list[Path]:
        """Files and symlinks under the folder, sorted; symlinked folders are listed, not followed."""
        found = []
        for folder, dirnames, filenames in os.walk(self.folder):
            here = Path(folder)
            found += [here / name for name in dirnames if (here / name).is_symlink()]
            found += [here / name for name in filenames]
        return sorted(found)

    def _refuse(self, relative: str, reason: str) -> None:
        if relative not in self.refused:
            self.refused[relative] = reason
            with self.channel.log_file().open("ab") as log:
                log.write(f"mlext: not uploaded: {reason}\n".encode())

    def verdict(self) -> str | None:
        """Why the run fails for its outputs, or None when every file was uploaded."""
        if not self.refused:
            return None
        return "outputs refused: " + "; ".join(self.refused[name] for name in sorted(self.refused))


class Execution:
    def __init__(self, channel: RunChannel, workdir: Path, launch: Launcher = popen_script) -> None:
        self.channel = channel
        self.workdir = workdir
        self.launch = launch
        self.collector = OutputCollector(channel, workdir / OUTPUTS)
        self.process: ScriptProcess | None = None
        self._stop_reason: str | None = None
        self._stopped = threading.Event()

    def stop(self, reason: str) -> None:
        """Ask the script to stop (SIGTERM to its group, SIGKILL after the grace period)."""
        if self._stop_reason is None:
            self._stop_reason = reason
        self._stopped.set()

    def run(self) -> int:
        self.channel.record_process(os.getpid())
        try:
            self.prepare()
            code = self.execute()
        except Exception as error:  # anything that stops us before the script's own outcome
            self.on_failure(f"the runner failed: {type(error).__name__}: {error}", None)
            return 1
        refused = self.collector.verdict()
        if self._stop_reason == "canceled":
            self.on_cancel(code)
        elif self._stop_reason is not None:
            self.on_failure(self._stop_reason, code)
        elif code == 0 and refused is None:
            self.on_complete()
        else:
            exited = None if code == 0 else f"the script exited with code {code}"
            self.on_failure("; ".join(reason for reason in (exited, refused) if reason), code)
        return 0

    def prepare(self) -> None:
        job = self.channel.job()
        extract_snapshot(self.channel.snapshot(), self.workdir)
        if not (self.workdir / job.entry).is_file():
            raise FileNotFoundError(f"{job.entry} is not in the run's snapshot")
        (self.workdir / OUTPUTS).mkdir(exist_ok=True)

    def execute(self) -> int:
        job = self.channel.job()
        run = self.channel.run()
        env = {k: v for k, v in os.environ.items() if not k.startswith("MLEXT_")}
        env.update(
            self.channel.environment(), MLEXT_RUN_ID=run.id, MLEXT_EXPERIMENT=run.experiment, PYTHONUNBUFFERED="1"
        )
        collector = self.collector
        self.process = self.launch([job.entry, *job.args], self.workdir, env, self.channel.log_file())
        self.channel.set_status(RunStatus.RUNNING)
        deadline = None if job.timeout_s is None else time.monotonic() + job.timeout_s
        while not self._exited_within(POLL_INTERVAL_S):
            if self._stopped.is_set() or self.channel.cancel_requested():
                self.stop("canceled")
                self._terminate_group()
                break
            if deadline is not None and time.monotonic() > deadline:
                self.stop(f"timed out after {job.timeout_s:g} s")
                self._terminate_group()
                break
            collector.sweep()
        code = self.process.wait()
        self.channel.set_status(RunStatus.FINALIZING)
        collector.sweep(final=True)
        self.channel.record_exit(code)
        return code

    def _exited_within(self, timeout: float) -> bool:
        """Whether the script has exited, waiting up to `timeout`: a short script's end is noticed at once
        (Popen polls every few ms), not at the next tick of the supervision loop."""
        assert self.process is not None
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _terminate_group(self) -> None:
        assert self.process is not None
        for sig, wait in ((signal.SIGTERM, KILL_GRACE_S), (signal.SIGKILL, None)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def on_complete(self) -> None:
        self.channel.set_status(RunStatus.COMPLETED)

    def on_cancel(self, code: int | None) -> None:
        self.channel.set_status(RunStatus.CANCELED, error="canceled")

    def on_failure(self, reason: str, code: int | None) -> None:
        self.channel.set_status(RunStatus.FAILED, error=reason)


def main(argv: list[str] | None = None, launch: Launcher = popen_script) -> int:
    """Supervise one attempt; `launch` starts the script (a warm supervisor forks it, see zygote.py)."""
    workspace, run_id, attempt = argv if argv is not None else sys.argv[1:]
    channel = LocalChannel(Path(workspace), run_id, attempt)
    execution = Execution(channel, channel.workspace.paths.runs / run_id / "wd", launch)
    signal.signal(signal.SIGTERM, lambda *_: execution.stop("canceled"))
    try:
        return execution.run()
    finally:
        channel.close()


if __name__ == "__main__":
    sys.exit(main())
