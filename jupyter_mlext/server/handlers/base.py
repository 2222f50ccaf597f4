"""The base of every REST handler: the services from tornado settings, request parsing against the API contract,
and the mapping of our errors to answers.

Handlers are thin: parse the request, call a store or service function off the event loop, serialise the entity.
Our errors (`MLExtError` and its subclasses, wherever they are raised) are turned into `{"error", "field"}` JSON
with their own status in one place, `write_error`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, TypeVar, overload

from jupyter_server.base.handlers import APIHandler
from tornado import web

from ...compute.dispatcher import Backends
from ...entities import InvalidInput, MLExtError
from ...store import Workspace
from ...wire.contract import body_validator, check_body, parse_body

T = TypeVar("T")


class Body:
    """The fields of a request body the contract accepted; a missing field and JSON null read as the default."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name)
        return default if value is None else value


class MLExtHandler(APIHandler):
    """Authorization resource `mlext`, the services from tornado settings, request parsing and error mapping."""

    auth_resource = "mlext"

    def initialize(self, route: str = "") -> None:
        """`route`: the operation's path as api/openapi.yaml writes it (routes.py hands it over)."""
        self.route = route

    @property
    def workspace(self) -> Workspace:
        return self.settings["mlext_workspace"]  # type: ignore[no-any-return]

    @property
    def backends(self) -> Backends:
        """The daemon's compute backends, which cancel a run where it runs (a local process group, a Dask task)."""
        return self.settings["mlext_backends"]  # type: ignore[no-any-return]

    @property
    def user(self) -> str | None:
        """Who makes the request, as the registry's history, runs and pipeline runs record it."""
        return getattr(self.current_user, "username", None)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call in a worker thread: the event loop never waits on SQLite or the disk."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def run_id(self, id_or_prefix: str) -> str:
        """The full id of the run a URL names by its id or a unique prefix of it."""
        return await self.call(self.workspace.tracking.resolve_run_id, id_or_prefix)

    def body(self) -> Body:
        """The JSON request body, checked against the operation's schema in the API contract: anything the
        contract refuses (a wrong type, a missing or an unknown field) is a 400 naming the field."""
        data = parse_body(self.request.body)
        validator = body_validator(self.route, self.request.method or "")
        if validator is None:
            if data != {}:
                raise InvalidInput("this request takes no body", field="body")
            return Body({})
        return Body(check_body(validator, data))

    @overload
    def query_int(self, name: str, default: int) -> int: ...

    @overload
    def query_int(self, name: str, default: None = None) -> int | None: ...

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
