"""stdout/stderr of a `%%mlrun` cell go to the run's log and still show in the notebook.

The log is the same append-only file a submitted run writes (`store/logs.py`), so `run.read_log()`, `mlext runs
logs` and the Runs panel read a notebook run's output exactly like a script's.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Any, BinaryIO


class _TeeStream:
    """Forwards to the stream it replaces and appends each write to the log; every other attribute (encoding,
    isatty, fileno, …) is the original stream's."""

    def __init__(self, stream: IO[str], log: BinaryIO, lock: threading.Lock) -> None:
        self._stream = stream
        self._log = log
        self._guard = lock

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        with self._guard:
            if not self._log.closed:
                self._log.write(text.encode("utf-8", "replace"))
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class LogTee:
    """While entered, sys.stdout and sys.stderr also write into `log_file` (opened for appending, unbuffered,
    so someone following the log sees each write at once)."""

    def __init__(self, log_file: Path) -> None:
        self._path = log_file
        self._guard = threading.Lock()
        self._log: BinaryIO | None = None
        self._saved: tuple[Any, Any] | None = None

    def __enter__(self) -> LogTee:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self._path, "ab", buffering=0)  # noqa: SIM115 - closed in __exit__
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _TeeStream(sys.stdout, self._log, self._guard)
        sys.stderr = _TeeStream(sys.stderr, self._log, self._guard)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._saved is None or self._log is None:
            return
        sys.stdout, sys.stderr = self._saved
        for stream in self._saved:
            stream.flush()
        with self._guard:
            self._log.close()

    def append(self, text: str) -> None:
        """Write to the log only (e.g. the traceback that IPython will show in the notebook itself)."""
        with open(self._path, "ab") as log:
            log.write(text.encode("utf-8", "replace"))
