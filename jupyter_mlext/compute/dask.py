"""The `dask` compute target: runs execute as tasks on an existing Dask distributed cluster.

Each attempt is one task (key `mlext-run-<run_id>-<attempt>`) that runs the execution template (supervise.py)
on a worker, in a fresh folder under the worker's local directory, reporting over the server's REST API
(HttpChannel). The task is fire-and-forget on the scheduler, so a server restart does not cancel it; the
dispatcher then finds it again by its key.

What Dask does not give, and how we get it (docs/architecture.md, "Compute"):
- cancel: `future.cancel()` leaves a running task's subprocess alive, so `cancel()` sets the Event
  `mlext-cancel-<run_id>`; the task watches it (and the job's cancel_requested) and kills the script's group.
- a dead worker: the scheduler would run the task again elsewhere. The script dies with its worker
  (PR_SET_PDEATHSIG), and a re-run task is refused by `record_process` (the attempt already has a process), so
  it never runs the script; the dispatcher marks the run Failed. Setting the scheduler's
  `distributed.scheduler.allowed-failures: 0` spares the pointless retry.

`distributed` is imported lazily: the server can register this backend without it installed.
"""

from __future__ import annotations

import concurrent.futures
import logging
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..entities import Job, MLExtError
from ..store import Workspace
from ..wire import is_http_uri
from .http_channel import HttpChannel
from .supervise import Execution

if TYPE_CHECKING:
    from dask.typing import Key
    from distributed import Client, Future

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10.0
RECONNECT_AFTER_S = 10.0
CLOSE_TIMEOUT_S = 5.0
CANCEL_WAIT_S = 1.0
MAX_ENDED_REMEMBERED = 10_000
# Scheduler task states of a task that may still run (anything else: it ended, or the scheduler forgot it).
_LIVE_STATES = frozenset({"released", "waiting", "no-worker", "queued", "processing"})


def task_key(run_id: str, attempt: str) -> str:
    return f"mlext-run-{run_id}-{attempt}"


def cancel_event_name(run_id: str) -> str:
    return f"mlext-cancel-{run_id}"


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise MLExtError(
            "the dask compute target needs the `distributed` package (pip install 'jupyter-mlext[dask]')"
        ) from None
    return distributed


class DaskBackend:
    """Backend of the dispatcher for targets of kind `dask`.

    `endpoint()` gives the server's root URL as the workers reach it (`http://host:port/base_url`) and a token it
    accepts; both are handed to every task (and to its script as MLEXT_TRACKING_URI/TOKEN). It is asked when a
    run starts, because a Jupyter server knows its port only once it listens.
    """

    def __init__(self, workspace: Workspace, endpoint: Callable[[], tuple[str, str | None]]) -> None:
        self.workspace = workspace
        self.endpoint = endpoint
        self._clients: dict[str, Client] = {}
        self._unreachable: dict[str, float] = {}
        self._futures: dict[str, Future[int]] = {}  # run id → the future of its task, until the task ends
        self._ended: dict[Key, str | None] = {}  # task key → final future status, for the dispatcher's last look
        self._guard = threading.Lock()
        self._connect_guard = threading.Lock()

    # -- clients -------------------------------------------------------------------------------------------------

    def client(self, address: str) -> Client:
        """The one client of this backend for a scheduler address, connected on first use."""
        with self._connect_guard:  # not self._guard: future callbacks take that one on the clients' loop thread
            client = self._clients.get(address)
            if client is not None and client.status in ("running", "connecting", "newly-created"):
                return client
            failed_at = self._unreachable.get(address)
            if failed_at is not None and time.monotonic() - failed_at < RECONNECT_AFTER_S:
                raise MLExtError(f"the dask scheduler at {address} was unreachable moments ago")
            distributed = _distributed()
            try:
                client = cast(
                    "Client",
                    distributed.Client(address, asynchronous=False, set_as_default=False, timeout=CONNECT_TIMEOUT_S),
                )
            except (OSError, TimeoutError) as error:
                self._unreachable[address] = time.monotonic()
                raise MLExtError(f"cannot connect to the dask scheduler at {address}: {error}") from None
            self._unreachable.pop(address, None)
            self._clients[address] = client
            return client

    def _address(self, job: Job) -> str:
        address = self.workspace.compute.get_target(job.target).address
        if not address:
            raise MLExtError(f"compute target {job.target!r} has no scheduler address")
        return address

    # -- Backend -------------------------------------------------------------------------------------------------

    def start(self, job: Job, attempt: str) -> None:
        server_url, token = self.endpoint()
        if not is_http_uri(server_url):
            raise MLExtError(
                f"runs on dask workers report to this server over HTTP, but its URL is {server_url!r}; "
                "set MLExtApp.tracking_url"
            )
        client = self.client(self._address(job))
        future = client.submit(
            run_attempt,
            server_url,
            token,
            job.run_id,
            attempt,
            key=task_key(job.run_id, attempt),
            pure=False,
            retries=0,
        )
        _distributed().fire_and_forget(future)
        with self._guard:
            self._futures[job.run_id] = future
        future.add_done_callback(self._forget)  # type: ignore[no-untyped-call]  # distributed leaves it unannotated

    def _forget(self, future: Future[int]) -> None:
        """Drop a finished task's future at once: a future held on to keeps its result wanted, and the scheduler
        would run the task again should the worker holding that result die."""
        with self._guard:
            for run_id, held in list(self._futures.items()):
                if held is future:
                    del self._futures[run_id]
            self._ended[future.key] = future.status
            while len(self._ended) > MAX_ENDED_REMEMBERED:
                del self._ended[next(iter(self._ended))]

    def is_alive(self, job: Job) -> bool | None:
        """From the task's state: queued or running → True, ended → False, scheduler unreachable → None."""
        if job.attempt is None:
            return None
        key = task_key(job.run_id, job.attempt)
        with self._guard:
            future = self._futures.get(job.run_id)
            ended = self._ended.get(key)
        if ended in ("finished", "error"):
            return False
        if future is not None and future.key == key and future.status == "pending":
            return True
        # Not submitted by this process (a restarted server), or its future was dropped when the client lost
        # the scheduler: the task itself is fire-and-forget, so ask the scheduler about its key.
        try:
            state = self.client(self._address(job)).run_on_scheduler(_task_state, key=key)  # type: ignore[no-untyped-call]
        except Exception as error:  # unreachable or failing scheduler: we cannot tell
            log.warning("cannot ask the dask scheduler about run %s: %s", job.run_id, error)
            return None
        return state in _LIVE_STATES

    def cancel(self, job: Job) -> None:
        """Set the run's cancel Event; the task kills the script. (The job's cancel_requested, set by the
        dispatcher, reaches the task over HTTP as well, should the scheduler be unreachable now.)"""
        try:
            client = self.client(self._address(job))
            _distributed().Event(cancel_event_name(job.run_id), client=client).set()
        except Exception as error:
            log.warning("could not signal the cancellation of run %s through dask: %s", job.run_id, error)

    def close(self) -> None:
        with self._connect_guard:
            clients, self._clients = list(self._clients.values()), {}
        with self._guard:
            self._futures.clear()
        if not clients:
            return
        # Each close waits for its scheduler's answer (at most CLOSE_TIMEOUT_S): all of them at once.
        with concurrent.futures.ThreadPoolExecutor(len(clients)) as pool:
            for client in clients:
                pool.submit(_close_quietly, client)


def _close_quietly(client: Client) -> None:
    try:
        client.close(timeout=CLOSE_TIMEOUT_S)  # type: ignore[no-untyped-call]  # distributed leaves it unannotated
    except Exception as error:
        log.debug("closing a dask client: %s", error)


def _task_state(dask_scheduler: Any, key: str) -> str | None:
    """Runs on the scheduler (`Client.run_on_scheduler`)."""
    task = dask_scheduler.tasks.get(key)
    return None if task is None else task.state


# -- the worker's side ---------------------------------------------------------------------------------------------


class WorkerExecution(Execution):
    """The execution template on a worker: a run canceled while its task waited for a worker never starts."""

    def execute(self) -> int:
        if self._stop_reason is None and self.channel.cancel_requested():
            self.stop("canceled")
        if self._stop_reason is not None:
            return -1
        return super().execute()


class CancelWatcher:
    """Waits on the run's cancel Event on the scheduler and stops the execution when it is set.

    The wait is a long poll of the scheduler in a thread of its own, so a slow scheduler never delays the
    supervision loop (output collection, timeout).
    """

    def __init__(self, run_id: str, execution: Execution) -> None:
        distributed = _distributed()
        self.execution = execution
        self._done = threading.Event()
        # get_client() in the task's thread: the worker's own client of the scheduler.
        self.event = distributed.Event(cancel_event_name(run_id), client=distributed.get_client())
        self._thread = threading.Thread(target=self._watch, name=f"mlext-cancel-{run_id[:8]}", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._done.is_set():
            try:
                if self.event.wait(timeout=CANCEL_WAIT_S):
                    self.execution.stop("canceled")
                    self.event.clear()  # the scheduler forgets the event
                    return
            except Exception as error:  # the scheduler is away; cancel_requested over HTTP still works
                log.debug("waiting for the cancel event: %s", error)
                self._done.wait(CANCEL_WAIT_S)

    def close(self) -> None:
        """Stop watching; the thread ends with its current wait (at most CANCEL_WAIT_S), the task need not."""
        self._done.set()


def run_attempt(server_url: str, token: str | None, run_id: str, attempt: str) -> int:
    """The task: one execution attempt of a run, in a fresh folder that is removed afterwards.

    Raises Conflict (before anything runs) when the attempt was executed already, i.e. this is a retry of a
    task whose worker died.
    """
    scratch = _distributed().get_worker().local_directory
    with tempfile.TemporaryDirectory(prefix=f"mlext-{run_id[:12]}-", dir=scratch) as folder:
        workdir = Path(folder) / "wd"
        channel = HttpChannel(server_url, token, run_id, attempt, workdir)
        execution = WorkerExecution(channel, workdir)
        watcher = CancelWatcher(run_id, execution)
        try:
            return execution.run()
        finally:
            watcher.close()
            channel.close()
