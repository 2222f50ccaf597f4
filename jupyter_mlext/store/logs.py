"""Run logs: one append-only file per run under `logs/`, read in chunks by byte offset.

A reader that follows a running run asks again from the `next_offset` it was given, so nothing is read twice or
skipped, however the writer's lines were buffered.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import InvalidInput
from ..models import LogChunk
from .tracking import TrackingStore

MAX_CHUNK_BYTES = 1024 * 1024


def log_path(store: TrackingStore, run_id: str) -> Path:
    return store.paths.logs / f"{run_id}.log"


def contained_log_path(store: TrackingStore, run_id: str) -> Path:
    """The run's log file, refused if it is a symlink that leads out of the workspace's `logs/` folder (a reader
    of the API must not be handed some other file of the machine)."""
    path = log_path(store, run_id)
    if not path.resolve().is_relative_to(store.paths.logs.resolve()):
        raise InvalidInput(f"the log of run {run_id} leads outside the workspace's logs folder", field="run_id")
    return path


def append_log(store: TrackingStore, run_id: str, data: bytes) -> None:
    store.get_run(run_id)
    with contained_log_path(store, run_id).open("ab") as handle:
        handle.write(data)


def read_log(store: TrackingStore, run_id: str, offset: int = 0, max_bytes: int = MAX_CHUNK_BYTES) -> LogChunk:
    """Up to `max_bytes` of the run's log from `offset`, cut after the last complete line when possible.

    A negative offset counts from the end (`-4096` is the tail), which is how a view first opens a long log.
    """
    if isinstance(offset, bool) or not isinstance(offset, int):
        raise InvalidInput("offset must be an integer", field="offset")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or not 1 <= max_bytes <= MAX_CHUNK_BYTES:
        raise InvalidInput(f"max_bytes must be from 1 to {MAX_CHUNK_BYTES}", field="max_bytes")
    info = store.get_run(run_id)
    path = contained_log_path(store, run_id)
    size = path.stat().st_size if path.exists() else 0
    start = max(0, size + offset) if offset < 0 else min(offset, size)
    data = b""
    if size > start:
        with path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(max_bytes)
        cut = data.rfind(b"\n")
        if 0 <= cut < len(data) - 1 and start + len(data) < size:
            data = data[:cut + 1]
    end = start + len(data)
    return LogChunk(run_id, start, end, data.decode("utf-8", "replace"), size,
                    info.status.is_terminal and end >= size)
