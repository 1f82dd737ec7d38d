"""A minimal HTTP/1.1 client for the http suite: keep-alive connections over asyncio
protocols, requests as ready-made bytes, answers parsed only as far as the status, the
Content-Length and Retry-After.

aiohttp costs the client about as much CPU per request as the server spends answering
a no-op, and on 2 cores the clients and the server share the CPU: an open loop at three
times the server's maximum then measures the clients. This one costs a few times less,
so what is measured is the server. It speaks only to our server: no chunked answers
(every answer of the measured routes has a length), no redirects, no TLS."""

import asyncio
from collections import deque
from typing import cast

_HEAD_END = b"\r\n\r\n"


class ConnectionClosed(Exception):
    pass


class _Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, str]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionClosed(str(exc or "closed by the server")))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        buffer = self.buffer
        end = buffer.find(_HEAD_END)
        if end < 0:
            return
        head = bytes(buffer[:end]).lower() + b"\r\n"  # every header line ends with one
        at = head.find(b"\r\ncontent-length:")
        length = int(head[at + 17 : head.find(b"\r\n", at + 2)]) if at >= 0 else 0
        whole = end + 4 + length
        if len(buffer) < whole:
            return
        status = int(buffer[9:12])
        label = str(status)
        if status == 503:  # the wait it asks for: "503 1"
            at = head.find(b"\r\nretry-after:")
            if at >= 0:
                value = head[at + 14 : head.find(b"\r\n", at + 2)].strip().decode()
                label = f"503 {value}"
        del buffer[:whole]
        if b"\r\nconnection: close" in head and self.transport is not None:
            self.transport.close()
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, label))


class Pool:
    """Keep-alive connections to one server; at most `limit` at once (more requests wait
    for one, and that wait is in their latency)."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host = host
        self.port = port
        self.idle: deque[_Connection] = deque()
        self.waiting: deque[asyncio.Future[_Connection | None]] = deque()
        self.open = 0
        self.limit = limit

    async def _take(self) -> _Connection:
        while True:
            while self.idle:
                connection = self.idle.pop()
                if not connection.closed:
                    return connection
                self.open -= 1
            if self.open < self.limit:
                self.open += 1
                try:
                    _, connection = await asyncio.get_running_loop().create_connection(
                        _Connection, self.host, self.port
                    )
                except BaseException:
                    self.open -= 1
                    raise
                return connection
            waiter: asyncio.Future[_Connection | None] = asyncio.get_running_loop().create_future()
            self.waiting.append(waiter)
            handed = await waiter
            if handed is not None:
                return handed

    def _give(self, connection: _Connection) -> None:
        if connection.closed:
            self.open -= 1
            handed: _Connection | None = None  # a waiter may open a new one
        else:
            handed = connection
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(handed)
                return
        if handed is not None:
            self.idle.append(handed)

    async def request(self, data: bytes) -> str:
        """Send one request (whole, as bytes); its status ("503 1" with Retry-After)."""
        connection = await self._take()
        try:
            waiter: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()
            connection.waiter = waiter
            assert connection.transport is not None
            connection.transport.write(data)
            _, label = await waiter
            return label
        except BaseException:
            connection.closed = True
            if connection.transport is not None:
                connection.transport.close()
            raise
        finally:
            self._give(connection)

    def close(self) -> None:
        for connection in self.idle:
            if connection.transport is not None:
                connection.transport.close()
        self.idle.clear()


def get(path: str, host: str = "bench") -> bytes:
    return f"GET {path} HTTP/1.1\r\nhost: {host}\r\n\r\n".encode()


def post_json(path: str, body: bytes, headers: dict[str, str], host: str = "bench") -> bytes:
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{lines}\r\n"
    ).encode() + body
