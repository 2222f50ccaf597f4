"""Shared by the storage tests (this module holds no tests): a small real filesystem mounted over one folder of a
workspace, so writes there really run out of space (ENOSPC) or are refused (EROFS, read-only).

Mounting a tmpfs needs root. Where it cannot be mounted, the same errors are injected instead: `os.write` and
`os.sendfile` (what our atomic writer and shutil's copies call) raise ENOSPC or EROFS for files under the folder,
and behave as usual for every other file — the tests then still run, never skipped.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

SIZE = "1m"


@contextlib.contextmanager
def small_filesystem(folder: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool = False) -> Iterator[None]:
    """`folder` (created) on a 1 MiB filesystem while the block runs, read-only if asked; emptied afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={SIZE}" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        _inject(folder, monkeypatch, errno.EROFS if read_only else errno.ENOSPC)
        yield
        return
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def _inject(folder: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    root = str(folder.resolve())
    real_write, real_sendfile = os.write, os.sendfile

    def under_folder(fd: int) -> bool:
        with contextlib.suppress(OSError):
            return os.readlink(f"/proc/self/fd/{fd}").startswith(root + os.sep)
        return False

    def write(fd: int, data: bytes) -> int:
        if under_folder(fd):
            raise OSError(code, os.strerror(code))
        return real_write(fd, data)

    def sendfile(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        if under_folder(out_fd):
            raise OSError(code, os.strerror(code))
        return real_sendfile(out_fd, in_fd, offset, count)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "sendfile", sendfile)
