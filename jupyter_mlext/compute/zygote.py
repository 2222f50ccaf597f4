"""The warm interpreter: a zygote that has imported the supervisor and the scientific stack, and forks runs.

    python -m jupyter_mlext.compute.zygote '{"preload": ["numpy", ...], "idle_s": 300}'

Started by the warm pool (warm.py) of the process that dispatches local runs, with that process's environment,
so what it imports is what a new interpreter of that environment would import. It then answers requests, one
JSON line each on stdin, with one JSON line on stdout:

    {"argv": [workspace, run_id, attempt], "env": {...}, "cwd": "...", "log": "..."}  →  {"pid": 1234}

Each request gets a supervisor (supervise.py) for the run, forked from the zygote: the child starts its own
session, replaces its environment and working folder, appends stdout and stderr to the run's log, has its script's
process forked before it opens anything (forked.py), and supervises the run exactly as a supervisor started cold.
So that no run waits for those two forks, the zygote keeps one such pair forked ahead (the spare: a supervisor
waiting for its request, and its script's process waiting for its launch), hands the next request to it and forks
the next spare. The zygote never runs user code, so every run starts from the same clean state, and a process
that ran a script is never reused.

Fork safety: the zygote is single-threaded. It opens no database and starts no thread; libraries that start
threads at import are handled before it says it is ready (OpenBLAS stops its pool on a fork, so a first fork is
made and thrown away; pyarrow's jemalloc is asked, in the zygote's environment, not to start its background
thread: warm.SINGLE_THREADED_ENV), and before every fork it
checks that the process has one thread, refusing the request otherwise (the pool then starts the run cold).

It exits when its owner goes (end of stdin) or after `idle_s` without a request; the supervisors it forked live
on (their own sessions), and it reaps those that end while it runs.
"""

from __future__ import annotations

import atexit
import dataclasses
import gc
import importlib
import json
import os
import select
import sys
import time
from typing import Any

from .forked import (
    Launch,
    ScriptTemplate,
    exit_quickly,
    flush_stdio,
    leave_with,
    read_message,
    redirect_stdio,
    run_script,
)

REAP_S = 0.5
_READ_CHUNK = 1 << 16
# The pipe the answers go to (stdout at start; stdout itself then goes to stderr, so that nothing a preloaded
# module prints can garble an answer).
_answers = 1


@dataclasses.dataclass(frozen=True)
class Request:
    argv: list[str]
    env: dict[str, str]
    cwd: str
    log: str


# In a forked supervisor: its request, and its script's process when the spare forked it already.
Supervisor = tuple[Request, "ScriptTemplate | None"]


@dataclasses.dataclass(frozen=True)
class Spare:
    """A supervisor forked ahead, waiting for the request the zygote writes to `pipe`."""

    pid: int
    pipe: int


def thread_count() -> int:
    """Threads of this process as the kernel sees them (native ones included), on Linux."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return -1


def preload(modules: list[str]) -> dict[str, Any]:
    """Import what is installed of `modules`; report what was imported, missing or failing."""
    loaded, missing, failed = [], [], {}
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
                missing.append(name)
            else:
                failed[name] = f"{type(error).__name__}: {error}"
        except Exception as error:  # a broken install must not keep the others from loading
            failed[name] = f"{type(error).__name__}: {error}"
        else:
            loaded.append(name)
    _fork_and_discard()
    gc.collect()
    gc.freeze()  # the children's collections then leave the preloaded objects (and their shared pages) alone
    return {"loaded": loaded, "missing": missing, "failed": failed}


def _fork_and_discard() -> None:
    """One fork whose child exits at once: libraries that stop their thread pools before a fork (OpenBLAS)
    do so now, and the zygote is single-threaded from here on."""
    flush_stdio()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def serve(idle_s: float) -> Supervisor | Launch:
    """Answer requests until stdin ends or `idle_s` passes without one (then exit); returns only in a forked
    supervisor (its request, and its script's process if forked already) or in a spare's script process."""
    pending = b""
    last = time.monotonic()
    spare = _fork_spare()
    while True:
        if not isinstance(spare, Spare) and spare is not None:
            return spare
        _reap()
        left = idle_s - (time.monotonic() - last)
        if left <= 0:
            sys.exit(leave_with(0))
        readable, _, _ = select.select([0], [], [], min(left, REAP_S))
        if not readable:
            continue
        chunk = os.read(0, _READ_CHUNK)
        if not chunk:
            sys.exit(leave_with(0))
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            last = time.monotonic()
            if isinstance(spare, Spare) and _hand_over(spare, line):
                _reply({"pid": spare.pid})
            else:
                threads = thread_count()
                if threads != 1:
                    _reply({"error": f"the warm interpreter has {threads} threads; it forks only with one"})
                    continue
                flush_stdio()
                pid = os.fork()
                if pid == 0:
                    return Request(**json.loads(line)), None
                _reply({"pid": pid})
            spare = _fork_spare()
            if not isinstance(spare, Spare) and spare is not None:
                return spare


def _fork_spare() -> Spare | Supervisor | Launch | None:
    """Fork the next spare (None if this process is not single-threaded). Returns in three processes: here the
    spare; in the spare, once its request came, the request and its script's process; in that process, its
    launch. A spare whose pipe ends without a request (the zygote stopped) exits."""
    if thread_count() != 1:
        return None
    read_end, write_end = os.pipe()
    flush_stdio()
    pid = os.fork()
    if pid:
        os.close(read_end)
        return Spare(pid, write_end)
    os.close(write_end)
    os.close(_answers)
    script = ScriptTemplate.prefork(close=(read_end,))
    if isinstance(script, Launch):
        return script
    message = read_message(read_end)
    os.close(read_end)
    if not message:
        script.discard()
        os._exit(0)
    return Request(**json.loads(message)), script


def _hand_over(spare: Spare, line: bytes) -> bool:
    """Give the request to the spare; False if it is gone (the request then gets a fork of its own)."""
    try:
        data = memoryview(line)
        while data:
            data = data[os.write(spare.pipe, data) :]
        return True
    except BrokenPipeError:
        return False
    finally:
        os.close(spare.pipe)


def become_supervisor(request: Request, spare: bool) -> None:
    """In the forked child: a process of its own, as the pool would have started it cold."""
    if not spare:  # a spare closed it when it was forked
        os.close(_answers)
    os.setsid()
    redirect_stdio(request.log, unbuffered=bool(request.env.get("PYTHONUNBUFFERED")))
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)


def _reap() -> None:
    """Collect the exit status of supervisors that have ended (no zombies while the zygote lives)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _reply(message: dict[str, Any]) -> None:
    data = memoryview((json.dumps(message) + "\n").encode())
    while data:
        data = data[os.write(_answers, data) :]


def main(argv: list[str] | None = None) -> int:
    global _answers
    atexit.register(exit_quickly)  # first, so that it runs after the handlers of everything imported from here on
    from . import supervise  # the supervisor of every run: imported once, here

    settings = json.loads((argv if argv is not None else sys.argv[1:])[0])
    _answers = os.dup(1)
    os.dup2(2, 1)
    report = preload(list(settings["preload"]))
    _reply({"ready": True, "pid": os.getpid(), "threads": thread_count(), **report})
    forked = serve(float(settings["idle_s"]))
    if isinstance(forked, Launch):
        return leave_with(run_script(forked))
    request, ahead = forked
    become_supervisor(request, spare=ahead is not None)
    script = ahead if ahead is not None else ScriptTemplate.prefork()
    if isinstance(script, Launch):
        return leave_with(run_script(script))
    try:
        return leave_with(supervise.main(request.argv, launch=script.launch))
    finally:
        script.discard()


if __name__ == "__main__":
    del sys.path[0]  # `-m` put the owner's working folder first; a run's script folder takes its place
    sys.exit(main())
