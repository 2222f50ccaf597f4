"""A run's script started by fork from its warm supervisor instead of a new interpreter.

A supervisor forked from a zygote (zygote.py) forks its script's process at once, before it opens the workspace
or starts anything: `ScriptTemplate.prefork()` returns in both processes. In the supervisor it is the template
(a pid and a pipe); in the new process, the `Launch` it waits for. When the supervisor has unpacked the snapshot
it calls `template.launch(...)`, which sends the script's argv, folder, environment and log; the new process then
becomes what `python script args` started with `start_new_session` would be:

- its own session and process group (cancel and timeout kill the group), and SIGKILL when the supervisor dies;
- its own working folder, its environment replaced by the run's, stdin from /dev/null, stdout and stderr to the
  run's log (unbuffered when the environment says PYTHONUNBUFFERED, as a new interpreter would be);
- `sys.argv` as given, the script's folder first on `sys.path`, the script as a fresh `__main__` module, compiled
  without the zygote's `__future__` flags; an uncaught exception goes to `sys.excepthook` with a traceback that
  starts in the script, and exits 1; `sys.exit` works as usual; at the end the interpreter shuts down as usual
  (non-daemon threads joined, every atexit handler run, e.g. the SDK's last flush), except for the teardown of
  the modules, which a forked process skips (`exit_quickly`): freeing what the zygote preloaded would write to
  every page it shares with the zygote, hundreds of milliseconds of copying for nothing.

What a fork cannot give back is said in the README: the preloaded modules are already imported (a variable that
configures a library at import must be in the environment the pool was started with), and the hash seed is the
zygote's. NumPy's global random state is reseeded, as the standard `random` module reseeds itself after a fork.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
import types
from importlib.machinery import SourceFileLoader
from pathlib import Path

from .pdeath import die_with_parent

_READ_CHUNK = 1 << 16
# Exit status of a script stopped by an uncaught KeyboardInterrupt (128 + SIGINT, as shells report it).
_INTERRUPTED = 130
_POLL_MAX_S = 0.05
# (pid, exit status) of the process that is to leave by `os._exit` once its atexit handlers have run.
_leaving: tuple[int, int] | None = None


def exit_quickly() -> None:
    """An atexit handler, registered before anything else (so it runs after every other one): a process that
    said `leave_with` exits here with that status, its stdio flushed. Others (e.g. a child that a script
    forked) go on with the interpreter's usual shutdown."""
    if _leaving is not None and _leaving[0] == os.getpid():
        flush_stdio()
        os._exit(_leaving[1])


def leave_with(status: int) -> int:
    """This process exits with `status` at the end of its atexit handlers (see `exit_quickly`)."""
    global _leaving
    _leaving = (os.getpid(), status)
    return status


@dataclasses.dataclass(frozen=True)
class Launch:
    """What the forked process is to run, sent by the supervisor when the script's folder is ready."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    log: str


class ForkedScript:
    """The running script, as the supervisor holds it: the part of `subprocess.Popen` that supervise.py uses."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except (AttributeError, OSError):  # Linux < 5.3: poll instead
            self._pidfd = None

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self._ended(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """The exit code (negative: killed by that signal); `subprocess.TimeoutExpired` after `timeout`."""
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout or 0)
            if self._pidfd is not None:
                select.select([self._pidfd], [], [], left)  # readable once the process has exited
            else:
                time.sleep(delay if left is None else min(delay, left))
                delay = min(delay * 2, _POLL_MAX_S)
        assert self.returncode is not None
        return self.returncode

    def _ended(self, status: int) -> None:
        self.returncode = os.waitstatus_to_exitcode(status)
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


class ScriptTemplate:
    """A forked process of the supervisor waiting for its script: launched once, or discarded."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self._pipe: int | None = pipe

    @classmethod
    def prefork(cls, close: tuple[int, ...] = ()) -> ScriptTemplate | Launch:
        """Fork the script's process now, while this process has opened nothing: the template here, the launch
        in the new process (which exits quietly if the supervisor discards it). `close`: descriptors of ours
        the new process must not hold."""
        parent = os.getpid()
        read_end, write_end = os.pipe()
        flush_stdio()  # else what is buffered would be written twice, once by each process
        pid = os.fork()
        if pid:
            os.close(read_end)
            return cls(pid, write_end)
        for fd in (write_end, *close):
            os.close(fd)
        die_with_parent(parent)()
        os.setsid()  # now, so that its group exists (and can be killed) from the moment it is launched
        data = read_message(read_end)
        os.close(read_end)
        if not data:
            os._exit(0)
        return Launch(**json.loads(data))

    def launch(self, argv: list[str], cwd: Path, env: dict[str, str], log: Path) -> ForkedScript:
        """Start the script (`argv[0]` is its path, relative to `cwd`)."""
        assert self._pipe is not None, "a template launches once"
        message = json.dumps(dataclasses.asdict(Launch(argv, str(cwd), env, str(log)))).encode()
        try:
            _send(self._pipe, message)
        finally:
            os.close(self._pipe)
            self._pipe = None
        return ForkedScript(self.pid)

    def discard(self) -> None:
        """The script was never launched (the run failed before it): let its process go, and reap it."""
        if self._pipe is None:
            return
        os.close(self._pipe)
        self._pipe = None
        os.waitpid(self.pid, 0)


def run_script(launch: Launch) -> int:
    """In the forked process (its own session already): become the run's script and run it; returns its exit
    status."""
    os.chdir(launch.cwd)
    os.environ.clear()
    os.environ.update(launch.env)
    redirect_stdio(launch.log, unbuffered=bool(launch.env.get("PYTHONUNBUFFERED")))
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    path = os.path.abspath(launch.argv[0])
    sys.argv = list(launch.argv)
    sys.orig_argv = [sys.executable, *launch.argv]
    sys.path.insert(0, os.path.dirname(path))
    _reseed_random()
    return _run_as_main(path)


def redirect_stdio(log: str, unbuffered: bool) -> None:
    """stdin from /dev/null, stdout and stderr appended to `log`, with new `sys.std*` objects on them."""
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    encoding = sys.stdout.encoding if sys.stdout is not None else "utf-8"
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding)
    sys.stdout = _text_stream(1, encoding, "strict", unbuffered, line_buffering=False)
    sys.stderr = _text_stream(2, encoding, "backslashreplace", unbuffered, line_buffering=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr  # type: ignore[misc]


def _text_stream(fd: int, encoding: str, errors: str, unbuffered: bool, line_buffering: bool) -> io.TextIOWrapper:
    raw = io.FileIO(fd, "w", closefd=False)
    buffer: io.RawIOBase | io.BufferedWriter = raw if unbuffered else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        buffer,  # type: ignore[arg-type]  # a raw FileIO is what CPython wraps when unbuffered
        encoding,
        errors,
        line_buffering=line_buffering,
        write_through=unbuffered,
    )


def flush_stdio() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()


def _reseed_random() -> None:
    """The standard `random` reseeds itself in a forked child; NumPy's legacy global state does not."""
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed()


def _run_as_main(path: str) -> int:
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__loader__ = SourceFileLoader("__main__", path)
    sys.modules["__main__"] = main
    try:
        with open(path, "rb") as source:
            code = compile(source.read(), path, "exec", dont_inherit=True)
        exec(code, main.__dict__)
    except SystemExit as stop:
        return _exit_status(stop)
    except BaseException as error:
        error.__traceback__ = _from_script(error.__traceback__, path)
        sys.excepthook(type(error), error, error.__traceback__)
        return _INTERRUPTED if isinstance(error, KeyboardInterrupt) else 1
    return 0


def _exit_status(stop: SystemExit) -> int:
    """What the interpreter makes of `sys.exit(code)`: None is 0, a number itself, anything else is printed and 1."""
    if stop.code is None:
        return 0
    if isinstance(stop.code, int):
        return stop.code
    print(stop.code, file=sys.stderr)
    return 1


def _from_script(tb: types.TracebackType | None, path: str) -> types.TracebackType | None:
    """The traceback from the script's first frame on, as a new interpreter shows it (none for a SyntaxError)."""
    while tb is not None and tb.tb_frame.f_code.co_filename != path:
        tb = tb.tb_next
    return tb


def read_message(fd: int) -> bytes:
    """Everything written to the pipe `fd` until its writer closes it (empty: closed without a message)."""
    chunks = []
    while chunk := os.read(fd, _READ_CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
