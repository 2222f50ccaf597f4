"""A child process that dies with its parent: a script must not outlive the supervisor that watches it."""

from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def _libc_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


# Resolved once in the parent: the child of a multi-threaded parent (a Dask worker) must not load libraries
# between fork and exec, another thread may have held the loader's lock at fork time.
_PRCTL = _libc_prctl()


def die_with_parent(parent_pid: int) -> Callable[[], None]:
    """In the child before exec (or after a fork): SIGKILL when the thread that started it dies, whatever kills it
    (Linux only). A parent that died before the request took effect is caught by comparing the parent pid."""

    def request() -> None:
        if _PRCTL is not None:
            _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != parent_pid:
                os._exit(1)

    return request
