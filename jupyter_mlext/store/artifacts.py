"""Files of a run under `artifacts/<run_id>/`, written atomically and hashed as they are copied."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..entities import InvalidInput, NotFound
from .validation import check_relative_path

CHUNK = 1024 * 1024


def write_file(run_root: Path, name: str, chunks: Iterator[bytes]) -> tuple[int, str]:
    """Write `chunks` to `run_root/name` via a temporary file, so a reader never sees half a file."""
    target = contained_path(run_root, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return size, digest.hexdigest()


def read_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def files_to_copy(source: Path, name: str | None) -> list[tuple[Path, str]]:
    """(local file, artifact path) pairs for a file or a whole folder, in a stable order."""
    if not source.exists():
        raise NotFound(f"local_path {str(source)!r} does not exist", field="local_path")
    base = check_relative_path(name if name is not None else source.name, "name")
    if source.is_file():
        return [(source, base)]
    pairs = []
    for folder, dirnames, filenames in os.walk(source):
        dirnames.sort()
        for filename in sorted(filenames):
            local = Path(folder) / filename
            relative = local.relative_to(source).as_posix()
            pairs.append((local, check_relative_path(f"{base}/{relative}", "name")))
    if not pairs:
        raise InvalidInput(f"local_path {str(source)!r} is an empty folder", field="local_path")
    return pairs


def contained_path(run_root: Path, name: str) -> Path:
    """The absolute path of an artifact, refused if it (or a symlink on the way) leads out of the run's folder."""
    relative = check_relative_path(name, "path")
    root = run_root.resolve()
    candidate = (root / relative).resolve()
    if candidate != root and not candidate.is_relative_to(root):
        raise InvalidInput(f"path {name!r} leads outside the run's artifact folder", field="path")
    return candidate


def copy_file(source: Path, target: BinaryIO) -> None:
    with open(source, "rb") as handle:
        shutil.copyfileobj(handle, target, CHUNK)
