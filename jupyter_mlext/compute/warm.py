"""The warm pool: preloaded interpreters (zygotes, zygote.py) that start local runs by fork instead of a new
interpreter, one per environment (the python executable and every environment variable), shared by all the
local backends of a process.

A run starts warm when its environment's zygote is ready; otherwise it starts cold, as before, and the reason
goes to the run's log (the pool is off, the platform cannot fork, the zygote is still starting, it is over the
memory limit...). A zygote is started on the first run of its environment (or by `prewarm`), in the background:
no run waits for one. The pool is bounded: at most `size` zygotes (the least recently used one is stopped to
make room) and `memory_mb` of their resident memory together (a zygote that does not fit, even alone, is
stopped and its environment starts cold until the settings change). A zygote stops by itself after `idle_s`
without a run, so an idle pool shrinks to nothing; it also stops when this process ends.

Settings come from `MLEXT_WARM_*` environment variables (`WarmSettings.from_env`), or from the server's
`MLExtApp.warm_*` options.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import psutil

from ..entities import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_PRELOAD = ("jupyter_mlext", "jupyter_mlext.sdk.run", "numpy", "pandas", "sklearn")
BOOT_TIMEOUT_S = 120.0
ANSWER_TIMEOUT_S = 10.0
# After a zygote failed to start, its environment starts cold this long before another try.
RETRY_S = 60.0
_READ_CHUNK = 1 << 16
# Added to a zygote's own environment (unless set already; each run gets its environment from its request):
# libraries whose import would otherwise leave a thread behind in it.
SINGLE_THREADED_ENV = {"JE_ARROW_MALLOC_CONF": "background_thread:false"}
# pytest names the running test in PYTEST_CURRENT_TEST: a new value for every test.
_NOT_IN_KEY = frozenset({"PYTEST_CURRENT_TEST"})
_OFF = {"0", "false", "no", "off"}
_ON = {"1", "true", "yes", "on"}


@dataclasses.dataclass(frozen=True)
class WarmSettings:
    """How the warm pool behaves. `enabled=False` starts every run cold (as before the pool existed)."""

    enabled: bool = True
    preload: tuple[str, ...] = DEFAULT_PRELOAD
    size: int = 2
    memory_mb: int = 2048
    idle_s: float = 600.0

    def __post_init__(self) -> None:
        if self.size < 1:
            raise InvalidInput(f"the warm pool size must be at least 1, not {self.size}", field="warm_pool_size")
        if self.memory_mb < 1:
            raise InvalidInput(
                f"the warm pool memory limit must be at least 1 MB, not {self.memory_mb}", field="warm_pool_memory_mb"
            )
        if not self.idle_s > 0:
            raise InvalidInput(f"the warm pool idle timeout must be positive, not {self.idle_s}", field="warm_idle_s")
        for name in self.preload:
            if not all(part.isidentifier() for part in name.split(".")):
                raise InvalidInput(f"{name!r} is not a module name", field="warm_preload")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WarmSettings:
        """MLEXT_WARM_POOL (on/off), MLEXT_WARM_PRELOAD (comma-separated modules; empty: none),
        MLEXT_WARM_POOL_SIZE, MLEXT_WARM_POOL_MEMORY_MB, MLEXT_WARM_IDLE_S; unset ones keep their default."""
        values: dict[str, Any] = {}
        enabled = environ.get("MLEXT_WARM_POOL")
        if enabled is not None:
            if enabled.strip().lower() not in _OFF | _ON:
                raise InvalidInput(f"MLEXT_WARM_POOL must be on or off, not {enabled!r}", field="MLEXT_WARM_POOL")
            values["enabled"] = enabled.strip().lower() in _ON
        preload = environ.get("MLEXT_WARM_PRELOAD")
        if preload is not None:
            values["preload"] = tuple(name.strip() for name in preload.split(",") if name.strip())
        for variable, field, kind in (
            ("MLEXT_WARM_POOL_SIZE", "size", int),
            ("MLEXT_WARM_POOL_MEMORY_MB", "memory_mb", int),
            ("MLEXT_WARM_IDLE_S", "idle_s", float),
        ):
            text = environ.get(variable)
            if text is not None:
                try:
                    values[field] = kind(text)
                except ValueError:
                    raise InvalidInput(f"{variable} must be a number, not {text!r}", field=variable) from None
        return cls(**values)


@dataclasses.dataclass(frozen=True)
class ZygoteInfo:
    """A live zygote as `WarmPool.zygotes()` reports it."""

    pid: int
    python: str
    ready: bool
    rss_mb: float
    preloaded: tuple[str, ...]


class ZygoteError(Exception):
    """The zygote could not fork the run; the message says why (the run then starts cold)."""


def environment_key(python: str, env: Mapping[str, str]) -> str:
    """Which zygote serves a run: same interpreter, same environment (it decides what an import finds and how
    a library sets itself up), but for variables that change all the time and that no import reads."""
    text = json.dumps([python, sorted(item for item in env.items() if item[0] not in _NOT_IN_KEY)])
    return hashlib.sha256(text.encode()).hexdigest()


def can_fork() -> bool:
    """Linux only: there the zygote can check that it is single-threaded before each fork."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class _Zygote:
    """One zygote as its owner holds it: the process, its pipes, and what it said when it became ready."""

    def __init__(self, python: str, env: Mapping[str, str], settings: WarmSettings) -> None:
        self.python = python
        self.ready = threading.Event()
        self.error: str | None = None
        self.preloaded: tuple[str, ...] = ()
        self.last_used = time.monotonic()
        self._guard = threading.Lock()
        self._pending = b""
        config = json.dumps({"preload": list(settings.preload), "idle_s": settings.idle_s})
        self.process = subprocess.Popen(
            [python, "-m", "jupyter_mlext.compute.zygote", config],
            env={**SINGLE_THREADED_ENV, **env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,  # a signal to its owner's process group leaves it (and its runs) alone
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def boot(self) -> bool:
        """Wait for the zygote to say it has preloaded (in a thread of the pool); False if it failed."""
        try:
            with self._guard:
                answer = self._answer(BOOT_TIMEOUT_S)
        except ZygoteError as error:
            self.fail(f"the warm interpreter failed to start: {error}")
            return False
        if not answer.get("ready"):
            self.fail(f"the warm interpreter failed to start: {answer}")
            return False
        if answer.get("threads") != 1:
            self.fail(
                f"the warm interpreter has {answer.get('threads')} threads after preloading, and forks only with one"
            )
            return False
        for name, reason in answer.get("failed", {}).items():
            log.warning("jupyter-mlext warm pool: preloading %s failed: %s", name, reason)
        self.preloaded = tuple(answer.get("loaded", ()))
        return True

    def fail(self, reason: str) -> None:
        """Stop it for good: `reason` is what runs that wanted it say in their log."""
        self.error = reason
        self.stop()
        self.ready.set()

    def rss_mb(self) -> float:
        try:
            return psutil.Process(self.pid).memory_info().rss / 2**20
        except psutil.Error:
            return 0.0

    def fork(self, argv: list[str], env: Mapping[str, str], cwd: str, log_path: Path) -> int:
        """Ask for a supervisor of `argv` (workspace, run id, attempt): its pid. Raises ZygoteError; a zygote
        that stopped answering is stopped (the pool then starts another)."""
        request = json.dumps({"argv": argv, "env": dict(env), "cwd": cwd, "log": str(log_path)}) + "\n"
        try:
            with self._guard:
                self.last_used = time.monotonic()
                assert self.process.stdin is not None
                try:
                    self.process.stdin.write(request.encode())
                    self.process.stdin.flush()
                except (OSError, ValueError):  # it has exited (idle, or killed), or was stopped
                    raise ZygoteError("the warm interpreter has exited") from None
                answer = self._answer(ANSWER_TIMEOUT_S)
        except ZygoteError as error:
            self.fail(str(error))
            raise
        if "pid" not in answer:
            raise ZygoteError(str(answer.get("error", answer)))
        return int(answer["pid"])

    def _answer(self, timeout: float) -> dict[str, Any]:
        """The next JSON line the zygote writes."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise ZygoteError(f"no answer within {timeout:g} s")
            chunk = os.read(fd, _READ_CHUNK)
            if not chunk:
                raise ZygoteError(f"it exited with code {self.process.wait()}")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        answer: dict[str, Any] = json.loads(line)
        return answer

    def stop(self) -> None:
        """End of its stdin: it exits (the supervisors it forked carry on); reaped here. Its answers are closed
        once nobody waits for one (its exit ends any wait)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self._guard:
            if self.process.stdout is not None:
                self.process.stdout.close()


class WarmPool:
    """The zygotes of one set of settings in this process. Thread-safe."""

    def __init__(self, settings: WarmSettings) -> None:
        self.settings = settings
        self._zygotes: dict[str, _Zygote] = {}
        self._refused: dict[str, tuple[float, str]] = {}
        self._guard = threading.Lock()

    def prewarm(self, env: Mapping[str, str] | None = None, python: str = sys.executable) -> None:
        """Start the zygote of this environment (default: this process's) unless there is one."""
        self._zygote(python, os.environ if env is None else env)

    def acquire(self, env: Mapping[str, str], python: str = sys.executable) -> _Zygote | str:
        """The ready zygote for a run in `env`, or why the run starts cold."""
        if not self.settings.enabled:
            return "the warm pool is off"
        if not can_fork():
            return f"warm starts need Linux (this is {sys.platform})"
        zygote = self._zygote(python, env)
        if isinstance(zygote, str):
            return zygote
        if not zygote.ready.is_set():
            return "the warm interpreter for this environment is still starting"
        return zygote if zygote.error is None else zygote.error

    def zygotes(self) -> list[ZygoteInfo]:
        """The live zygotes (those that exited, e.g. idle, are forgotten here)."""
        with self._guard:
            self._forget_exited()
            found = list(self._zygotes.values())
        return [
            ZygoteInfo(z.pid, z.python, z.ready.is_set() and z.error is None, z.rss_mb(), z.preloaded) for z in found
        ]

    def wait_ready(self, timeout: float, env: Mapping[str, str] | None = None, python: str = sys.executable) -> bool:
        """Wait until the zygote of `env` (default: this process's) is ready; False if it failed or timed out."""
        with self._guard:
            zygote = self._zygotes.get(environment_key(python, os.environ if env is None else env))
        return zygote is not None and zygote.ready.wait(timeout) and zygote.error is None

    def close(self) -> None:
        """Stop every zygote (runs they started carry on)."""
        with self._guard:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
        for zygote in zygotes:
            zygote.stop()

    # -- inside ------------------------------------------------------------------------------------------------

    def _zygote(self, python: str, env: Mapping[str, str]) -> _Zygote | str:
        """The zygote of the environment, started (in the background) if there is none."""
        key = environment_key(python, env)
        with self._guard:
            self._forget_exited()
            refused = self._refused.get(key)
            if refused is not None:
                if time.monotonic() < refused[0]:
                    return refused[1]
                del self._refused[key]
            zygote = self._zygotes.get(key)
            if zygote is not None:
                return zygote
            while len(self._zygotes) >= self.settings.size:
                self._evict()
            zygote = self._zygotes[key] = _Zygote(python, env, self.settings)
        threading.Thread(target=self._boot, args=(key, zygote), name="mlext-warm-boot", daemon=True).start()
        return zygote

    def _boot(self, key: str, zygote: _Zygote) -> None:
        """Wait for the zygote, then hold it to the memory limit: it becomes ready only if it fits. One that
        failed is retried after RETRY_S; one that does not fit, not with these settings."""
        if zygote.boot():
            budget = self.settings.memory_mb
            with self._guard:
                own = zygote.rss_mb()
                if own <= budget:
                    while sum(z.rss_mb() for z in self._zygotes.values()) > budget and len(self._zygotes) > 1:
                        self._evict(keep=key)
                    zygote.ready.set()
                    return
                # Forgotten and refused in one step: a run asking in between would start another zygote.
                reason = f"the warm interpreter needs {own:.0f} MB, over the pool's limit of {budget} MB"
                self._zygotes.pop(key, None)
                self._refused[key] = (float("inf"), reason)
            zygote.fail(reason)
        else:
            reason = str(zygote.error)
            with self._guard:
                self._refused[key] = (time.monotonic() + RETRY_S, reason)
        log.warning("jupyter-mlext warm pool (%s): %s", zygote.python, reason)

    def _evict(self, keep: str | None = None) -> None:
        """Stop the least recently used zygote (other than `keep`). The caller holds the guard."""
        key = min((k for k in self._zygotes if k != keep), key=lambda k: self._zygotes[k].last_used)
        self._zygotes.pop(key).stop()

    def _forget_exited(self) -> None:
        for key, zygote in list(self._zygotes.items()):
            if not zygote.alive():
                self._zygotes.pop(key).stop()


_pools: dict[WarmSettings, WarmPool] = {}
_pools_guard = threading.Lock()


def shared_pool(settings: WarmSettings) -> WarmPool:
    """The pool of this process for `settings`: every local backend with the same settings shares its zygotes."""
    with _pools_guard:
        pool = _pools.get(settings)
        if pool is None:
            pool = _pools[settings] = WarmPool(settings)
        return pool
