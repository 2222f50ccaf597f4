"""A keep-alive HTTP/1.1 client pool for the router's hop to its deployments (and for load generators).

tornado's own AsyncHTTPClient opens a new connection for every request unless pycurl is installed; on loopback
the connect costs as much as the request itself. Both ends of this hop are ours and always frame answers with
Content-Length, so a small pool of persistent asyncio streams per address is enough.
"""

from __future__ import annotations

import asyncio

from ..wire.client import Response

MAX_IDLE = 64
_HEADER_END = b"\r\n\r\n"


class Unreachable(ConnectionError):
    """Nothing answered at the address (refused, reset before an answer, or timed out connecting)."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def close(self) -> None:
        self.writer.close()


class ConnectionPool:
    """Idle connections per (host, port), reused for sequential requests; one request per connection at a time."""

    def __init__(self, connect_timeout: float = 2.0, request_timeout: float = 60.0) -> None:
        self.connect_timeout = connect_timeout
        self.request_timeout = request_timeout
        self._idle: dict[tuple[str, int], list[_Connection]] = {}

    async def request(
        self, host: str, port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Response:
        """Send one request; a reused connection that turns out closed is retried once on a fresh one."""
        head = _head(host, port, method, path, body, headers or {})
        idle = self._idle.setdefault((host, port), [])
        while idle:
            connection = idle.pop()
            try:
                return await self._exchange(connection, head, body, idle)
            except asyncio.TimeoutError:
                raise
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                connection.close()  # the other end closed it while it sat idle (e.g. a restarted deployment)
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), self.connect_timeout)
        except (OSError, asyncio.TimeoutError) as error:
            raise Unreachable(f"{host}:{port}: {error or type(error).__name__}") from None
        try:
            return await self._exchange(_Connection(reader, writer), head, body, idle)
        except asyncio.TimeoutError:
            raise
        except (ConnectionError, asyncio.IncompleteReadError, OSError) as error:
            raise Unreachable(f"{host}:{port}: {error or type(error).__name__}") from None

    async def _exchange(self, connection: _Connection, head: bytes, body: bytes, idle: list[_Connection]) -> Response:
        try:
            connection.writer.write(head + body)
            raw = await asyncio.wait_for(connection.reader.readuntil(_HEADER_END), self.request_timeout)
            status, headers = _parse_head(raw)
            length = int(headers.get("content-length", "0"))
            payload = await connection.reader.readexactly(length) if length else b""
        except BaseException:
            connection.close()
            raise
        if headers.get("connection", "").lower() == "close" or len(idle) >= MAX_IDLE:
            connection.close()
        else:
            idle.append(connection)
        return Response(status, headers, payload)

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


def _head(host: str, port: int, method: str, path: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _parse_head(raw: bytes) -> tuple[int, dict[str, str]]:
    lines = raw.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ConnectionError(f"not an HTTP answer: {lines[0]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ConnectionError("chunked answers are not supported on this hop")
    return int(parts[1]), headers
