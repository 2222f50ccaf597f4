"""The base of the MLflow handlers: authenticated like every handler of ours (a Jupyter token, which the MLflow
client sends as `Authorization: Bearer …` — jupyter_server's IdentityProvider reads `token X` and `bearer X`),
the request's fields from its JSON body or query string, the service call off the event loop, and errors in
MLflow's shape (`{"error_code", "message"}`, mlflow_compat/errors.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler
from tornado import web

from ...entities import MLExtError
from ...mlflow_compat.errors import ENDPOINT_NOT_FOUND, INTERNAL_ERROR, PERMISSION_DENIED, mlflow_error
from ...mlflow_compat.request import Request
from ...store import Workspace
from ...wire.contract import parse_body
from ..identity import request_user

# An operation: (workspace, request, user, *URL parts) → the response body.
Operation = Callable[..., dict[str, Any]]


class MlflowBaseHandler(APIHandler):
    auth_resource = "mlext"

    @property
    def workspace(self) -> Workspace:
        return self.settings["mlext_workspace"]  # type: ignore[no-any-return]

    @property
    def user(self) -> str | None:
        return request_user(self.identity_provider, self.current_user)

    async def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """The event loop never waits on SQLite or the disk."""
        return await asyncio.to_thread(function, *args)

    def reply(self, body: dict[str, Any]) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, allow_nan=False))

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if isinstance(value, MLExtError) and value.status < 500:
            self.log.info("%s %s refused: %s", self.request.method, self.request.path, value.message)
        else:
            super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, MLExtError):
            status, body = mlflow_error(error)
        elif isinstance(error, web.HTTPError) and status_code == 403:
            status, body = 403, {"error_code": PERMISSION_DENIED, "message": "Permission denied: check the token"}
        elif isinstance(error, web.HTTPError) and status_code == 404:
            status, body = 404, {"error_code": ENDPOINT_NOT_FOUND, "message": "No such MLflow API route"}
        else:
            status = status_code if status_code < 500 else 500
            body = {"error_code": INTERNAL_ERROR, "message": f"internal server error ({type(error).__name__})"}
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))


class MlflowHandler(MlflowBaseHandler):
    """One MLflow route: `operations` maps each HTTP method it answers to its service function."""

    def initialize(self, operations: dict[str, Operation]) -> None:
        self.operations = operations

    def fields(self) -> dict[str, Any]:
        """The query string's fields (a repeated one as a list), overlaid by the JSON body's."""
        fields: dict[str, Any] = {}
        for name, values in self.request.query_arguments.items():
            decoded = [value.decode("utf-8", "replace") for value in values]
            fields[name] = decoded[0] if len(decoded) == 1 else decoded
        if self.request.method != "GET" and self.request.body:
            body = parse_body(self.request.body)
            if not isinstance(body, dict):
                raise web.HTTPError(400)
            fields.update(body)
        return fields

    async def answer(self, *parts: str) -> None:
        operation = self.operations.get(self.request.method or "")
        if operation is None:
            raise web.HTTPError(404)
        request = Request(await self.call(self.fields) if len(self.request.body) > 65536 else self.fields())
        self.reply(await self.call(operation, self.workspace, request, self.user, *parts))

    @web.authenticated
    @authorized
    async def get(self, *parts: str) -> None:
        await self.answer(*parts)

    @web.authenticated
    @authorized
    async def post(self, *parts: str) -> None:
        await self.answer(*parts)

    @web.authenticated
    @authorized
    async def patch(self, *parts: str) -> None:
        await self.answer(*parts)

    @web.authenticated
    @authorized
    async def delete(self, *parts: str) -> None:
        await self.answer(*parts)

    @web.authenticated
    @authorized
    async def put(self, *parts: str) -> None:
        await self.answer(*parts)
