"""`/mlext/api/events`: a WebSocket that replays the change feed after the client's cursor, then streams it live."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import ws_authenticated
from jupyter_server.base.handlers import JupyterHandler
from tornado import web, websocket

from ...entities.limits import INT64_MAX
from ..events import BATCH, EventHub, event_message


class EventsHandler(JupyterHandler, websocket.WebSocketHandler):
    auth_resource = "mlext"

    @property
    def hub(self) -> EventHub:
        return cast(EventHub, self.settings["mlext_events"])

    @ws_authenticated
    async def get(self, *args: Any, **kwargs: Any) -> None:
        if not await ensure_async(self.authorizer.is_authorized(self, self.current_user, "read", "mlext")):
            raise web.HTTPError(403)
        cursor = self.get_query_argument("cursor", None)
        try:
            self.cursor = None if cursor is None else int(cursor)
        except ValueError:
            self.cursor = -1
        if self.cursor is not None and not 0 <= self.cursor <= INT64_MAX:
            raise web.HTTPError(
                400, reason=f"cursor must be an integer from 0 to {INT64_MAX} (the seq of the last event received)"
            )
        await super().get(*args, **kwargs)

    async def open(self, *args: str, **kwargs: str) -> None:
        """Subscribe first, then replay: an event committed in between arrives once, through whichever is first."""
        self.queue = self.hub.subscribe()
        feed = self.hub.workspace.events
        sent = self.cursor if self.cursor is not None else await asyncio.to_thread(feed.latest)
        oldest = await asyncio.to_thread(feed.oldest)
        if oldest is not None and sent < oldest - 1:
            # Events after the client's cursor were pruned: it cannot catch up by replay, so it reloads its
            # views and follows from now on.
            sent = await asyncio.to_thread(feed.latest)
            self.write_message(json.dumps({"type": "reset", "cursor": sent}))
        while True:
            backlog = await asyncio.to_thread(feed.since, sent, BATCH)
            for event in backlog:
                self.write_message(event_message(event))
            if backlog:
                sent = backlog[-1].seq
            if len(backlog) < BATCH:
                break
        self.write_message(json.dumps({"type": "ready", "cursor": sent}))
        self.sent = sent
        self.pump = asyncio.create_task(self._forward())

    async def _forward(self) -> None:
        while True:
            event = await self.queue.get()
            if event.seq <= self.sent:
                continue
            self.sent = event.seq
            try:
                self.write_message(event_message(event))
            except websocket.WebSocketClosedError:
                return

    def on_message(self, message: str | bytes) -> None:
        """Clients only listen; anything they send is ignored."""

    def on_close(self) -> None:
        self.hub.unsubscribe(self.queue)
        if hasattr(self, "pump"):
            self.pump.cancel()
