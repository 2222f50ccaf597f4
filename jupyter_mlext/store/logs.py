"""Run logs: one append-only file per run under `logs/`, read in chunks by byte offset.

A reader that follows a running run asks again from the `next_offset` it was given, so nothing is read twice or
skipped, however the writer's lines were buffered.
"""

from __future__ import annotations

from pathlib import Path

from ..entities import InvalidInput, LogChunk, RunInfo
from .paths import WorkspacePaths

MAX_LOG_CHUNK = 1024 * 1024


def contained_log_path(paths: WorkspacePaths, run_id: str) -> Path:
    """The run's log file, refused if it is a symlink that leads out of the workspace's `logs/` folder (a reader
    of the API must not be handed some other file of the machine)."""
    path = paths.logs / f"{run_id}.log"
    if not path.resolve().is_relative_to(paths.logs.resolve()):
        raise InvalidInput(f"the log of run {run_id} leads outside the workspace's logs folder", field="run_id")
    return path


def append(paths: WorkspacePaths, run_id: str, data: bytes) -> None:
    with contained_log_path(paths, run_id).open("ab") as handle:
        handle.write(data)


def read_chunk(paths: WorkspacePaths, run: RunInfo, offset: int, max_bytes: int) -> LogChunk:
    """Up to `max_bytes` of the run's log from `offset`, cut after the last complete line when possible.

    A negative offset counts from the end (`-4096` is the tail), which is how a view first opens a long log.
    """
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise InvalidInput("offset must be an integer", field="offset")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or not 1 <= max_bytes <= MAX_LOG_CHUNK:
        raise InvalidInput(f"max_bytes must be from 1 to {MAX_LOG_CHUNK}", field="max_bytes")
    path = contained_log_path(paths, run.id)
    size = path.stat().st_size if path.exists() else 0
    start = max(0, size + offset) if offset < 0 else min(offset, size)
    data = b""
    if size > start:
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(max_bytes)
        cut = data.rfind(b"\n")
        if 0 <= cut < len(data) - 1 and start + len(data) < size:
            data = data[: cut + 1]
    end = start + len(data)
    return LogChunk(run.id, start, end, data.decode("utf-8", "replace"), size, run.status.is_terminal and end >= size)
