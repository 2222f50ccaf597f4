"""REST handlers: each one parses its request, calls the store off the event loop, and serialises the result."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .. import __version__
from ..errors import MLExtError
from ..store import TrackingStore

T = TypeVar("T")


class MLExtHandler(APIHandler):
    """Base of every handler: authorization resource `mlext`, the store, and one place that maps our errors."""

    auth_resource = "mlext"

    @property
    def store(self) -> TrackingStore:
        return self.settings["mlext_store"]

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call in a worker thread: the event loop never waits on SQLite or the disk."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except MLExtError as error:
            raise web.HTTPError(error.status, reason=error.message) from error

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        cause = getattr(exc, "__cause__", None)
        if isinstance(cause, MLExtError):
            body = cause.to_dict()
        else:
            body = {"error": self._reason}
        self.finish(json.dumps(body))


class HealthHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = await self.call(self.store.list_experiments)
        self.finish({
            "status": "ok",
            "version": __version__,
            "workspace": str(self.store.paths.root),
            "experiments": len(experiments),
        })
