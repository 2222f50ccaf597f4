"""The small HTTP layer the router and the scoring processes share: tornado's HTTP/1.1 server without its web
framework.

A scoring request does little work of its own, so per-request overhead decides throughput. tornado's
`HTTPServer` keeps connections alive and parses HTTP; routing three paths and answering JSON needs none of
`web.Application`'s machinery (request handler objects, cookies, XSRF, templates), which costs several times
what this does.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.client import responses
from typing import Any

from tornado import httputil
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets

JSON = "application/json"
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass
class Request:
    method: str
    path: str
    headers: httputil.HTTPHeaders
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = JSON
    headers: dict[str, str] | None = None


Handler = Callable[[Request], Awaitable[Reply]]


def reply(status: int, data: Any) -> Reply:
    return Reply(status, json.dumps(data).encode())


def error(status: int, message: str, **extra: Any) -> Reply:
    return reply(status, {"error": message, **extra})


def authorized(request: Request, key: str) -> bool:
    """`Authorization: Bearer <key>`, compared in constant time."""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), key.encode())


def bind(port: int | None) -> list[socket.socket]:
    """Sockets on 127.0.0.1: the port used before (so a restarted process keeps its address) when it is free,
    else any free port."""
    if port:
        try:
            return bind_sockets(port, "127.0.0.1")
        except OSError:
            pass
    return bind_sockets(0, "127.0.0.1")


def serve(handler: Handler, sockets: list[socket.socket]) -> HTTPServer:
    server = HTTPServer(_Delegate(handler), max_body_size=MAX_BODY_BYTES, idle_connection_timeout=300)
    server.add_sockets(sockets)
    return server


class _Delegate(httputil.HTTPServerConnectionDelegate):
    def __init__(self, handler: Handler) -> None:
        self.handler = handler

    def start_request(self, server_conn: object, request_conn: httputil.HTTPConnection) -> httputil.HTTPMessageDelegate:
        return _Exchange(self.handler, request_conn)


class _Exchange(httputil.HTTPMessageDelegate):
    """One request: gather the body, then answer from a task (the connection reads its next request after
    `finish`)."""

    def __init__(self, handler: Handler, connection: httputil.HTTPConnection) -> None:
        self.handler = handler
        self.connection = connection
        self.start_line: httputil.RequestStartLine | None = None
        self.headers = httputil.HTTPHeaders()
        self.chunks: list[bytes] = []

    def headers_received(
        self, start_line: httputil.RequestStartLine | httputil.ResponseStartLine, headers: httputil.HTTPHeaders
    ) -> None:
        assert isinstance(start_line, httputil.RequestStartLine)
        self.start_line, self.headers = start_line, headers

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    def finish(self) -> None:
        asyncio.ensure_future(self._answer())

    async def _answer(self) -> None:
        assert self.start_line is not None
        path = self.start_line.path.partition("?")[0]
        request = Request(self.start_line.method, path, self.headers, b"".join(self.chunks))
        try:
            answer = await self.handler(request)
        except Exception as failure:  # a bug of ours, not the scoring script's: say so, keep serving
            answer = error(500, f"internal error in the scoring server: {type(failure).__name__}: {failure}")
        headers = httputil.HTTPHeaders(
            {"Content-Type": answer.content_type, "Content-Length": str(len(answer.body)), **(answer.headers or {})}
        )
        start = httputil.ResponseStartLine("HTTP/1.1", answer.status, responses.get(answer.status, ""))
        try:
            self.connection.write_headers(start, headers, answer.body)
            self.connection.finish()
        except StreamClosedError:  # the client went away before its answer
            pass
