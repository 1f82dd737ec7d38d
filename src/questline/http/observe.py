"""HTTP metrics and access logs: latency by route template and status, errors by kind
and code, one log line per request carrying its correlation id (`trace.id`)."""

import time
from collections.abc import Sequence

from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from questline.observability import metrics
from questline.observability.logs import bind_correlation, get_logger, reset_correlation

log = get_logger("questline.http")

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
# Polled by machines: their successful requests are logged at debug level only.
_QUIET = frozenset({"/metrics", "/healthz", "/readyz", "/api/ops/summary"})
CLIENT_CLOSED = 499  # nginx's status for a request its client abandoned


def _error_kind(status: int) -> str:
    if status == CLIENT_CLOSED:  # the client hung up: neither its error nor ours
        return "client_closed"
    return "server_error" if status >= 500 else "client_error"


class ObservabilityMiddleware:
    """Inside CorrelationMiddleware, so the correlation id is known."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.templates: dict[object, str] = {}
        self.mounts: list[str] = []
        self.routes = [route for route in routes if isinstance(route, Route)]
        for route in routes:
            if isinstance(route, Route):
                self.templates.setdefault(route.endpoint, route.path)
            elif isinstance(route, Mount):
                self.mounts.append(route.path)

    def template(self, scope: Scope) -> str:
        endpoint = scope.get("endpoint")
        if endpoint is not None and endpoint in self.templates:
            return self.templates[endpoint]
        path: str = scope.get("path", "")
        for route in self.routes:  # refused before routing (the token gate)
            if route.path_regex.match(path):
                return route.path
        for mount in self.mounts:
            if path.startswith(mount + "/"):
                return mount + "/{path}"
        return "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        state: dict[str, object] = scope.setdefault("state", {})
        correlation_id = str(state.get("correlation_id", ""))
        tokens = bind_correlation(correlation_id)
        status = 500
        first_byte: float | None = None
        streaming = False

        async def observed_send(message: Message) -> None:
            nonlocal status, first_byte, streaming
            if message["type"] == "http.response.start":
                status = int(message["status"])
                first_byte = time.perf_counter()
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type" and value.startswith(b"text/event-stream"):
                        streaming = True
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except BaseException:
            if first_byte is None:
                status = 500
            raise
        finally:
            ended = first_byte if streaming and first_byte is not None else time.perf_counter()
            self._record(scope, state, status, ended - started)
            reset_correlation(tokens)

    def _record(self, scope: Scope, state: dict[str, object], status: int, seconds: float) -> None:
        route = self.template(scope)
        method = scope.get("method", "GET")
        method = method if method in _METHODS else "OTHER"
        metrics.HTTP_DURATION.labels(route, method, str(status)).observe(seconds)
        code = str(state.get("error_code") or ("internal_error" if status >= 500 else ""))
        if status >= 400:
            kind = _error_kind(status)
            metrics.HTTP_ERRORS.labels(kind, str(status), code or "http_error").inc()
        fields: dict[str, object] = {
            "event.action": "http-request",
            "event.duration": int(seconds * 1e9),
            "http.request.method": method,
            "http.response.status_code": status,
            "url.path": scope.get("path", ""),
            "questline.route": route,
        }
        if code:
            fields["questline.error_code"] = code
        if status >= 500:
            log.error("request failed", **fields)
        elif route in _QUIET and status < 400:
            log.debug("request handled", **fields)
        else:
            log.info("request handled", **fields)
