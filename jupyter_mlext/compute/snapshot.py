"""Content-addressed snapshots of a run's source folder.

The archive is canonical (sorted entries, zeroed times and owners), so the same files always give the same
bytes and the same sha256: a folder submitted a hundred times unchanged is stored once. Ignore files are
honoured like Azure ML does: `.mlextignore` or `.amlignore` when present, else `.gitignore`.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from pathlib import Path

import pathspec

from ..entities import InvalidInput
from ..store import Workspace

IGNORE_FILES = (".mlextignore", ".amlignore")
ALWAYS_IGNORED = [".git/", "__pycache__/", ".ipynb_checkpoints/", ".mlext/", "*.pyc", ".venv/", "node_modules/"]
MAX_SNAPSHOT_BYTES = 300 * 1024 * 1024
MAX_SNAPSHOT_FILES = 20_000


def _ignore_spec(source: Path) -> pathspec.GitIgnoreSpec:
    lines = list(ALWAYS_IGNORED)
    for name in IGNORE_FILES:
        if (source / name).is_file():
            lines += (source / name).read_text(encoding="utf-8").splitlines()
            break
    else:
        if (source / ".gitignore").is_file():
            lines += (source / ".gitignore").read_text(encoding="utf-8").splitlines()
    return pathspec.GitIgnoreSpec.from_lines(lines)


def snapshot_files(source: Path, exclude: Path | None = None) -> list[str]:
    """The files a snapshot of `source` holds, as sorted relative POSIX paths (symlinks are not followed)."""
    spec = _ignore_spec(source)
    files: list[str] = []
    for folder, dirnames, filenames in os.walk(source):
        here = Path(folder)
        if exclude is not None and here.resolve() == exclude:
            dirnames[:] = []
            continue
        relative_dir = here.relative_to(source).as_posix()
        prefix = "" if relative_dir == "." else relative_dir + "/"
        dirnames[:] = sorted(
            d for d in dirnames if not spec.match_file(prefix + d + "/") and not (here / d).is_symlink()
        )
        files += [
            prefix + f
            for f in filenames
            if not spec.match_file(prefix + f) and (here / f).is_file() and not (here / f).is_symlink()
        ]
    return sorted(files)


def create_snapshot(workspace: Workspace, source_dir: str | os.PathLike[str]) -> str:
    """Archive `source_dir` into the workspace (once per distinct content) and return its id, the sha256."""
    source = Path(source_dir).expanduser().resolve()
    if not source.is_dir():
        raise InvalidInput(f"source_dir {str(source_dir)!r} is not a folder", field="source_dir")
    files = snapshot_files(source, exclude=workspace.root)
    if len(files) > MAX_SNAPSHOT_FILES:
        raise InvalidInput(
            f"source_dir holds {len(files)} files (limit {MAX_SNAPSHOT_FILES}); add an .mlextignore", field="source_dir"
        )
    data = _archive(source, files)
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise InvalidInput(
            f"the snapshot of source_dir is {len(data) >> 20} MiB (limit "
            f"{MAX_SNAPSHOT_BYTES >> 20} MiB); add an .mlextignore",
            field="source_dir",
        )
    return workspace.snapshots.put(data, len(files))


def _archive(source: Path, files: list[str]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for relative in files:
            path = source / relative
            info = tarfile.TarInfo(relative)
            info.size = path.stat().st_size
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    return gzip.compress(raw.getvalue(), mtime=0)


def extract_snapshot(data: bytes, destination: Path) -> None:
    """Unpack a snapshot; the `data` filter refuses members that would land outside `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        tar.extractall(destination, filter="data")
