"""uvicorn's httptools protocol with the limits it lacks (issue 12, item 5):

- a head (request line and headers) larger than `max_head_bytes` gets 431: httptools
  keeps an unfinished header line in memory however long it grows;
- a head that has not ended `head_timeout_s` after its first byte gets 408
  (slowloris), and so does a body that stalls for `body_idle_timeout_s` or is not
  whole after `body_timeout_s`;
- a new connection that sends nothing is closed after the keep-alive timeout, like
  an idle one between requests (uvicorn arms that timer only after a response).

The refusal is written, the write side shut, and what the client still sends read
and dropped until it has been quiet for half a second (five at most) before closing:
closing on unread input resets the connection, and the client could lose the answer."""

import asyncio
from typing import Any, ClassVar

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from questline.http.server_limits import TIMED_OUT_KEY, ServerLimits
from questline.observability import metrics
from questline.observability.logs import get_logger

log = get_logger("questline.http")

_LINGER_QUIET_S = 0.5
_LINGER_MAX_S = 5.0
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class LimitedHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[ServerLimits] = ServerLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = False  # a request's head has begun and not ended
        self._in_body = False
        self._head_bytes = 0  # of a head spread over reads, those after the one it began in
        self._head_reads = 0  # the whole reads a head spread over, before the current one
        self._boundary = False  # a head began in the current feed
        self._timer: asyncio.TimerHandle | None = None
        self._body_started = 0.0
        self._body_seen = 0.0
        self._lingering = False
        self._linger_ends = 0.0
        self._feed = 0  # bytes in the read being parsed

    # -- the connection --------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._lingering:  # dropped unread, only noted
            self._body_seen = self.loop.time()
            return
        self._boundary = False
        self._feed = len(data)
        super().data_received(data)
        if self.transport.is_closing() or self._lingering:
            return
        limits = self.limits
        if self._in_head:
            # A head that began in this feed may share it with the message before it:
            # those bytes are not counted (at most one read more than the cap).
            self._head_bytes = 0 if self._boundary else self._head_bytes + len(data)
            self._head_reads += len(data)  # whole reads: never less than the head so far
            if self._head_bytes > limits.max_head_bytes:
                self._refuse(
                    431,
                    "headers_too_large",
                    f"the request line and headers are larger than {limits.max_head_bytes} bytes",
                )
            elif self._timer is None:
                self._timer = self.loop.call_later(limits.head_timeout_s, self._head_too_slow)
        elif self._in_body:
            if self._timer is None:
                self._body_started = self._body_seen = self.loop.time()
                self._timer = self.loop.call_later(limits.body_idle_timeout_s, self._check_body)
        elif self.timeout_keep_alive_task is None and (
            self.cycle is None or self.cycle.response_complete
        ):  # bytes that start no request (blank lines) keep no connection open
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

    # -- parser callbacks --------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._in_head, self._head_bytes, self._head_reads, self._boundary = True, 0, 0, True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._lingering:  # a request pipelined behind a refused one: not served
            return
        self._cancel_timer()
        self._in_head = False
        # A head that ended in the read it began in was never counted by data_received;
        # measured only when the bytes it could span exceed the cap (rarely).
        cap = self.limits.max_head_bytes
        if self._head_reads + self._feed > cap and (
            len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers) > cap
        ):
            self._refuse(
                431,
                "headers_too_large",
                f"the request line and headers are larger than {self.limits.max_head_bytes} bytes",
            )
            return
        self._in_body = True
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._lingering:
            return
        self._body_seen = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._cancel_timer()
        self._in_body = False
        if not self._lingering:
            super().on_message_complete()

    # -- deadlines ---------------------------------------------------------------------

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_too_slow(self) -> None:
        self._timer = None
        seconds = self.limits.head_timeout_s
        self._refuse(408, "headers_timeout", f"the headers did not arrive within {seconds:g} s")

    def _check_body(self) -> None:
        self._timer = None
        limits = self.limits
        now = self.loop.time()
        deadline = min(
            self._body_seen + limits.body_idle_timeout_s,
            self._body_started + limits.body_timeout_s,
        )
        if now < deadline:
            self._timer = self.loop.call_later(deadline - now, self._check_body)
            return
        self._refuse(
            408,
            "body_timeout",
            f"the body stalled for {limits.body_idle_timeout_s:g} s or took longer than "
            f"{limits.body_timeout_s:g} s",
        )

    # -- refusing ----------------------------------------------------------------------

    def _refuse(self, status: int, code: str, message: str) -> None:
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete
        if self._in_body and answering:
            # The app waits for this body: it is told the client is gone and counts the
            # timeout itself (app.py), so the request is counted once; its own answer,
            # if any, is dropped. Ours goes out unless it had started answering.
            cycle.scope.setdefault("state", {})[TIMED_OUT_KEY] = (status, code)
            cycle.disconnected = True
            cycle.message_event.set()
            write_ours = not cycle.response_started
        else:
            metrics.HTTP_ERRORS.labels("client_error", str(status), code).inc()
            log.info(
                "connection refused",
                **{
                    "event.action": "connection-refused",
                    "http.response.status_code": status,
                    "questline.error_code": code,
                    "error.message": message,
                },
            )
            # A head behind a request still being answered, or a body still arriving
            # after its answer: nothing may be written between, so only close.
            write_ours = not answering and not self._in_body
        if not write_ours:
            self.transport.close()
            return
        body = msgspec.json.encode({"error": {"code": code, "message": message, "details": None}})
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
            b"connection: close\r\n\r\n" % (status, _REASONS[status], len(body)) + body
        )
        self._linger()

    def _linger(self) -> None:
        self._cancel_timer()
        self._lingering = True
        self._linger_ends = self.loop.time() + _LINGER_MAX_S
        self._body_seen = self.loop.time()
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._timer = self.loop.call_later(_LINGER_QUIET_S, self._end_linger)

    def _end_linger(self) -> None:
        """Close once the client has been quiet a moment (or at the latest after a few
        seconds): it has read the refusal by then, or never will."""
        self._timer = None
        now = self.loop.time()
        close_at = min(self._body_seen + _LINGER_QUIET_S, self._linger_ends)
        if now < close_at:
            self._timer = self.loop.call_later(close_at - now, self._end_linger)
        else:
            self.transport.close()


def protocol_with(limits: ServerLimits) -> type[LimitedHttpProtocol]:
    """A protocol class for uvicorn's `http=` option, carrying these limits."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})
