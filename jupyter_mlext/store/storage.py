"""Writing the workspace's files so that a full or failing disk costs nothing stored.

Every file is written under a temporary name beside its final one and renamed into place once complete, so a
reader (or a row in the database) never meets half a file; a failed write removes its temporary file. The error
becomes `StorageFull` (no space, or quota exceeded: 507 over REST) or `StorageError` (anything else the disk
refuses), naming the file, so every surface says what happened instead of answering with a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..entities import StorageError, StorageFull

FULL = (errno.ENOSPC, errno.EDQUOT)


def storage_error(error: OSError, path: Path | str) -> StorageError:
    """The error of ours for an OSError met while writing `path`."""
    kind = StorageFull if error.errno in FULL else StorageError
    reason = "the disk is full" if kind is StorageFull else "the disk refused it"
    return kind(f"could not write {path}: {reason} ({error.strerror or error})", path=str(path))


@contextlib.contextmanager
def storage_errors(path: Path | str) -> Iterator[None]:
    """Turn an OSError raised inside the block, while writing `path`, into StorageFull or StorageError."""
    try:
        yield
    except OSError as error:
        raise storage_error(error, path) from error


class StagedFile:
    """A file written completely under a temporary name in its target's folder: `commit()` renames it into place,
    `discard()` removes it. Several can be staged first and committed together, so a batch that runs out of space
    half way replaces none of the files it would have replaced."""

    def __init__(self, target: Path, chunks: Iterable[bytes]) -> None:
        self.target = target
        self.size = 0
        digest = hashlib.sha256()
        with storage_errors(target):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        self.temporary = Path(name)
        try:
            with storage_errors(target):
                try:
                    for chunk in chunks:
                        digest.update(chunk)
                        self.size += len(chunk)
                        view = memoryview(chunk)
                        while view:
                            view = view[os.write(fd, view) :]
                finally:
                    os.close(fd)
        except BaseException:
            self.discard()
            raise
        self.sha256 = digest.hexdigest()

    def commit(self) -> None:
        with storage_errors(self.target):
            os.replace(self.temporary, self.target)

    def discard(self) -> None:
        self.temporary.unlink(missing_ok=True)


def stage_all(files: Iterable[tuple[Path, Iterable[bytes]]]) -> list[StagedFile]:
    """Stage every (target, chunks); if one fails, those staged before it are discarded too."""
    staged: list[StagedFile] = []
    try:
        for target, chunks in files:
            staged.append(StagedFile(target, chunks))
    except BaseException:
        for file in staged:
            file.discard()
        raise
    return staged
