"""The one HTTP client: the SDK's remote transport, a Dask worker's run channel, the CLI and the serving functions
all speak to servers through it.

`HttpClient` builds requests (base path, auth header, JSON bodies, query strings) and maps answers: a 4xx/5xx
becomes the MLExtError subclass of its status, with the server's `{"error", "field"}` message. What goes over the
network is a `Transport`'s job; `ConnectionTransport` keeps one keep-alive connection per thread and sends a
request again, once, when a kept-alive connection turns out to have been closed by the server. Tests inject a
transport of their own.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlencode, urlsplit

from ..entities import Conflict, InvalidInput, MLExtError, NotFound, StorageFull, jsonable

TIMEOUT_S = 60.0
STREAM_CHUNK = 1024 * 1024
_ERRORS: dict[int, type[MLExtError]] = {
    400: InvalidInput,
    413: InvalidInput,
    422: InvalidInput,
    404: NotFound,
    409: Conflict,
    507: StorageFull,
}
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.BadStatusLine)

Body = bytes | BinaryIO | None


@dataclass(frozen=True)
class Response:
    """An answer: status, headers (names in lower case) and body."""

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class Transport(Protocol):
    """Sends one request to the transport's host. With `sink`, a 2xx answer's body is streamed into it (and the
    Response carries no body)."""

    def send(
        self, method: str, target: str, headers: Mapping[str, str], body: Body, sink: BinaryIO | None = None
    ) -> Response: ...

    def close(self) -> None: ...


def is_http_uri(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


class ConnectionTransport:
    """http.client with one keep-alive connection per thread."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_S) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput(f"a server URL must look like http://host:port/base, got {base_url!r}", field="url")
        self._factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._netloc = parts.netloc.rsplit("@", 1)[-1]
        self._timeout = timeout
        self.description = f"{parts.scheme}://{self._netloc}"
        self._local = threading.local()
        self._connections: list[http.client.HTTPConnection] = []
        self._guard = threading.Lock()

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._factory(self._netloc, timeout=self._timeout)
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def send(
        self, method: str, target: str, headers: Mapping[str, str], body: Body, sink: BinaryIO | None = None
    ) -> Response:
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=dict(headers))
                answer = conn.getresponse()
                names = {name.lower(): value for name, value in answer.getheaders()}
                if sink is not None and 200 <= answer.status < 300:
                    while chunk := answer.read(STREAM_CHUNK):
                        sink.write(chunk)
                    return Response(answer.status, names)
                return Response(answer.status, names, answer.read())
            except _STALE as error:
                conn.close()
                # A kept-alive connection the server has since closed: the request never reached it, so it is
                # sent again on a new connection (a file body from its start).
                if attempt == 2 or not reused:
                    raise MLExtError(f"the server at {self.description} dropped the connection: {error}") from None
                if body is not None and hasattr(body, "seek"):
                    body.seek(0)
            except OSError as error:
                conn.close()
                raise MLExtError(f"cannot reach the server at {self.description}: {error}") from None
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._guard:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()


class HttpClient:
    """Requests to `<base_url><prefix>/…`; `token` is sent as `Authorization: <scheme> <token>`. A refusal (401,
    403) tells the user to check `token_hint` (where the token comes from)."""

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        scheme: str = "token",
        prefix: str = "",
        timeout: float = TIMEOUT_S,
        transport: Transport | None = None,
        token_hint: str = "the token",
    ) -> None:
        if not is_http_uri(base_url):
            raise InvalidInput(f"a server URL must look like http://host:port/base, got {base_url!r}", field="url")
        self.base_url = base_url.rstrip("/")
        self._path = urlsplit(self.base_url).path + prefix
        self._headers = {"Authorization": f"{scheme} {token}"} if token else {}
        self.transport = transport or ConnectionTransport(self.base_url, timeout)
        self.token_hint = token_hint

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: Body = None,
        content_type: str | None = None,
        query: Mapping[str, Any] | None = None,
        length: int | None = None,
        headers: Mapping[str, str] | None = None,
        sink: BinaryIO | None = None,
        check: bool = True,
    ) -> Response:
        """Send one request. With `check` (the default) an answer of 400 or more raises its MLExtError."""
        target = self._path + path + (f"?{urlencode(query, doseq=True)}" if query else "")
        sent = {**self._headers, **(headers or {})}
        if json_body is not None:
            body = json.dumps(jsonable(json_body), allow_nan=False).encode("utf-8")
            content_type = "application/json"
        if content_type:
            sent["Content-Type"] = content_type
        if body is not None:
            sent["Content-Length"] = str(len(body) if isinstance(body, bytes) else length)
        answer = self.transport.send(method, target, sent, body, sink)
        if check and answer.status >= 400:
            raise error_of(answer, method, target, self.token_hint)
        return answer

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.request(method, path, **kwargs).json()

    def close(self) -> None:
        self.transport.close()


def error_of(answer: Response, method: str, target: str, token_hint: str = "the token") -> MLExtError:
    """The MLExtError an error answer stands for, with the server's message and field when it sent them."""
    try:
        body = json.loads(answer.body)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message, field_name = body["error"], body.get("field")
    else:
        message, field_name = f"{method} {target} answered {answer.status}", None
    if answer.status in (401, 403):
        message = f"the server refused the request ({answer.status}): {message}; check {token_hint}"
    error = _ERRORS.get(answer.status, MLExtError)(message, field=field_name)
    error.status = answer.status
    return error
