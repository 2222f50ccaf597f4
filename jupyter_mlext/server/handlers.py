"""The base of every REST handler, and the handlers of the workspace as a whole (health, experiments, 404s).

Handlers are thin: parse the request, call a store or service function off the event loop, serialise the entity.
Our errors (`MLExtError` and its subclasses, wherever they are raised) are turned into `{"error", "field"}` JSON
with their own status in one place, `write_error`.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .. import __version__
from ..compute.dispatcher import Dispatcher
from ..errors import InvalidInput, MLExtError, NotFound
from ..store import TrackingStore
from ..store.compute import ComputeStore
from .handlers_input import Body

T = TypeVar("T")


class MLExtHandler(APIHandler):
    """Authorization resource `mlext`, the services from tornado settings, request parsing and error mapping."""

    auth_resource = "mlext"

    @property
    def store(self) -> TrackingStore:
        return self.settings["mlext_store"]

    @property
    def compute(self) -> ComputeStore:
        return self.settings["mlext_compute"]

    @property
    def dispatcher(self) -> Dispatcher:
        return self.settings["mlext_dispatcher"]

    @property
    def user(self) -> str | None:
        """Who makes the request, as the registry's history, runs and pipeline runs record it."""
        return getattr(self.current_user, "username", None)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call in a worker thread: the event loop never waits on SQLite or the disk."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def run_id(self, id_or_prefix: str) -> str:
        """The full id of the run a URL names by its id or a unique prefix of it."""
        return await self.call(self.store.resolve_run_id, id_or_prefix)

    def body(self, *allowed: str) -> Body:
        """The JSON object of the request; anything else (or a field not in `allowed`) is a 400 naming it."""
        raw = self.request.body
        if not raw.strip():
            return Body({}, allowed)
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise InvalidInput(f"request body is not valid JSON: {error}", field="body") from None
        if not isinstance(data, dict):
            raise InvalidInput(f"request body must be a JSON object, got {type(data).__name__}", field="body")
        return Body(data, allowed)

    def query_int(self, name: str, default: int | None = None) -> int | None:
        text = self.get_query_argument(name, None)
        if text is None or text == "":
            return default
        try:
            return int(text)
        except ValueError:
            raise InvalidInput(f"{name} must be an integer, got {text!r}", field=name) from None

    def reply(self, data: Any, status: int = 200) -> None:
        """Answer with JSON; `data` is already JSON-safe (`to_dict()` spells NaN and infinities as strings)."""
        self.set_status(status)
        self.finish(json.dumps(data, allow_nan=False))

    def no_content(self) -> None:
        self.set_status(204)
        self.finish()

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        """Refused input is the client's business, not a server fault: one line, no traceback."""
        if isinstance(value, MLExtError) and value.status < 500:
            self.log.info("%s %s refused: %s", self.request.method, self.request.path, value.message)
        else:
            super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, MLExtError):
            self.set_status(error.status)
            body = error.to_dict()
        elif isinstance(error, web.HTTPError) and error.log_message:
            body = {"error": error.log_message % error.args if error.args else error.log_message}
        elif isinstance(error, web.HTTPError):
            body = {"error": self._reason}
        else:
            body = {"error": f"internal server error ({type(error).__name__}); see the server log"}
        self.finish(json.dumps(body))


class HealthHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = await self.call(self.store.list_experiments)
        self.reply({
            "status": "ok",
            "version": __version__,
            "workspace": str(self.store.paths.root),
            "experiments": len(experiments),
        })


class ExperimentsHandler(MLExtHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        experiments = await self.call(self.store.list_experiments)
        self.reply({"experiments": [experiment.to_dict() for experiment in experiments]})


class UnknownRouteHandler(MLExtHandler):
    """Everything under the API prefix that no route matches: a JSON 404 rather than the server's HTML page."""

    @web.authenticated
    @authorized  # the action follows the request's method, so one method serves them all
    def _unknown(self, *args: str) -> None:
        raise NotFound(f"no API route {self.request.method} {self.request.path}", field="path")

    get = post = put = patch = delete = _unknown
