"""Files of a run under `artifacts/<run_id>/`, written atomically and hashed as they are copied, and which local
files may be copied in: a folder's symlinks that lead out of it are refused (storage.py writes them)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from ..entities import InvalidInput, NotFound
from .storage import StagedFile, stage_all
from .validation import check_relative_path

FileSource = Path | bytes

CHUNK = 1024 * 1024


def stage_files(run_root: Path, files: Sequence[tuple[FileSource, str]]) -> list[StagedFile]:
    """Each (local file or bytes, artifact path) written completely under a temporary name in the run's folder,
    hashed as it is copied; nothing is in place until the caller commits them (a reader never sees half a file,
    and a disk that fills half way replaces nothing)."""
    return stage_all(
        (contained_path(run_root, name), iter([source]) if isinstance(source, bytes) else read_chunks(source))
        for source, name in files
    )


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
        for name in dirnames:
            _refuse_escape(source, Path(folder) / name)
        for filename in sorted(filenames):
            local = Path(folder) / filename
            _refuse_escape(source, local)
            relative = local.relative_to(source).as_posix()
            pairs.append((local, check_relative_path(f"{base}/{relative}", "name")))
    if not pairs:
        raise InvalidInput(f"local_path {str(source)!r} is an empty folder", field="local_path")
    return pairs


def refusal(folder: Path, path: Path, *, hard_links: bool = False) -> str | None:
    """Why `path`, found in `folder`, must not be copied in by content, or None. A symlink that resolves outside
    the folder would copy in a file the folder does not hold (say ~/.ssh/id_rsa); with `hard_links`, so would a
    regular file with a second link, which may be anywhere on the filesystem and cannot be told apart."""
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(folder.resolve()):
            return f"{path.relative_to(folder).as_posix()} is a symlink to {target}, outside {folder}"
        return None
    if hard_links and path.is_file() and path.stat().st_nlink > 1:
        return (
            f"{path.relative_to(folder).as_posix()} has {path.stat().st_nlink} hard links, so its content may "
            f"come from outside {folder} (write a copy instead of a link)"
        )
    return None


def _refuse_escape(folder: Path, path: Path) -> None:
    reason = refusal(folder, path)
    if reason is not None:
        raise InvalidInput(f"local_path: {reason}; nothing was copied", field="local_path")


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
