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
from ...entities.limits import MAX_PATH_LENGTH, MAX_QUERY_LENGTH
from ...store import Workspace
from ...wire.contract import body_validator, check_body, parse_body
from ..identity import request_user

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
    parsed_body: Any = None

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
        """Who makes the request, as the registry's history, runs and pipeline runs record it: one stable
        name per person (server/identity.py), never a random one per request."""
        return request_user(self.identity_provider, self.current_user)

    async def prepare(self) -> None:  # type: ignore[override]
        """After authentication, refuse URL parts beyond the limits of entities/limits.py, before a handler
        reads them: an over-long path or query value is a 400 naming it, not an error deeper down."""
        await super().prepare()
        if self.current_user is None:
            return  # the method's @web.authenticated answers 403
        for value in [*self.path_args, *self.path_kwargs.values()]:
            if isinstance(value, str) and len(value) > MAX_PATH_LENGTH:
                raise InvalidInput(
                    f"a part of the URL is {len(value)} characters long; the limit is {MAX_PATH_LENGTH}", field="path"
                )
        for name, values in self.request.query_arguments.items():
            longest = max(len(value) for value in values)
            if longest > MAX_QUERY_LENGTH:
                raise InvalidInput(
                    f"query parameter {name} is {longest} bytes long; the limit is {MAX_QUERY_LENGTH}", field=name
                )
        if body_validator(self.route, self.request.method or "") is not None:
            # Its size, nesting and strings are checked before any lookup; a large body parses off the loop.
            raw = self.request.body
            self.parsed_body = parse_body(raw) if len(raw) < 65536 else await self.call(parse_body, raw)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call in a worker thread: the event loop never waits on SQLite or the disk."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def run_id(self, id_or_prefix: str) -> str:
        """The full id of the run a URL names by its id or a unique prefix of it."""
        return await self.call(self.workspace.tracking.resolve_run_id, id_or_prefix)

    def body(self) -> Body:
        """The JSON request body, checked against the operation's schema in the API contract: anything the
        contract refuses (a wrong type, a missing or an unknown field) is a 400 naming the field."""
        validator = body_validator(self.route, self.request.method or "")
        if validator is None:
            if parse_body(self.request.body) != {}:
                raise InvalidInput("this request takes no body", field="body")
            return Body({})
        return Body(check_body(validator, self.parsed_body))

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

    def allowed_methods(self) -> list[str]:
        """The methods this route answers: those its handler class defines."""
        return [
            method
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if getattr(type(self), method.lower()) is not getattr(web.RequestHandler, method.lower())
        ]

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
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
