"""Correlation ids: taken from X-Correlation-ID (or made), carried into the
command and its events, and echoed on the response."""

import re
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questline.http.unique_ids import new_id

HEADER = b"x-correlation-id"
_VALID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")

# The current request's correlation id, for commands sent without naming one.
CURRENT: ContextVar[str] = ContextVar("questline_correlation_id", default="")


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER)
        correlation_id = (
            given.decode() if given is not None and _VALID.fullmatch(given) else new_id()
        )
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        encoded = correlation_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, encoded)]
            await send(message)

        token = CURRENT.set(correlation_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)
