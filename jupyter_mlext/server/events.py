"""Live events: the workspace's change feed pushed to WebSocket clients as soon as it is committed.

A watchdog observer on the workspace folder wakes the hub whenever SQLite writes its WAL (any process: a
notebook kernel, a submitted script, this server); the hub then reads the events after its cursor in a worker
thread and hands them to every subscriber. A 1 s fallback wake-up covers filesystems without change
notification. Clients resume with `?cursor=<last seq>` and miss nothing.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from watchdog.observers.api import BaseObserver

from ..entities import Event
from ..store import Workspace
from ..store.watch import stop_observer, watch_database

log = logging.getLogger(__name__)

FALLBACK_WAKEUP_S = 1.0
BATCH = 1000
STOP_WAIT_S = 5.0


class EventHub:
    """Fans the change feed out to subscribers; also wakes others (the daemon) on every change."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.cursor = 0
        self._subscribers: set[asyncio.Queue[Event]] = set()
        self._changed = asyncio.Event()
        self._listeners: list[Callable[[], None]] = []
        self._observer: BaseObserver | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.cursor = await asyncio.to_thread(self.workspace.events.latest)

        def changed() -> None:  # from the observer's thread
            loop.call_soon_threadsafe(self._changed.set)

        self._observer = watch_database(self.workspace.paths, changed)
        self._task = asyncio.create_task(self._pump())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=STOP_WAIT_S)
        if self._observer is not None:
            await asyncio.to_thread(stop_observer, self._observer)

    def listen(self, notify: Callable[[], None]) -> None:
        """Call `notify()` (from the event loop; it must not block) on every database change."""
        self._listeners.append(notify)

    def subscribe(self) -> asyncio.Queue[Event]:
        queue: asyncio.Queue[Event] = asyncio.Queue()
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Event]) -> None:
        self._subscribers.discard(queue)

    async def _pump(self) -> None:
        while True:
            await wait_flag(self._changed, FALLBACK_WAKEUP_S)
            self._changed.clear()
            for notify in self._listeners:
                notify()
            try:
                await self._deliver_new()
            except Exception:  # a failed read is retried at the next wake-up
                log.exception("jupyter-mlext: reading the change feed failed")

    async def _deliver_new(self) -> None:
        while True:
            batch = await asyncio.to_thread(self.workspace.events.since, self.cursor, BATCH)
            for event in batch:
                for queue in list(self._subscribers):
                    queue.put_nowait(event)
            if batch:
                self.cursor = batch[-1].seq
            if len(batch) < BATCH:
                return


async def wait_flag(flag: asyncio.Event, timeout: float) -> None:
    """Wait until `flag` is set or `timeout` passes.

    Not `asyncio.wait_for(flag.wait(), ...)`: before Python 3.12 that can swallow a cancellation arriving as the
    flag is set, and a loop built on it then never stops (a server shutdown hung on exactly that).
    """
    waiter = asyncio.ensure_future(flag.wait())
    try:
        await asyncio.wait({waiter}, timeout=timeout)
    finally:
        waiter.cancel()


def event_message(event: Event) -> str:
    return json.dumps({"type": "event", **event.to_dict()}, separators=(",", ":"))
