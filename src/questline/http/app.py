"""The Starlette application: routes, error handling, start-up and shutdown."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from questline.http.correlation import CorrelationMiddleware
from questline.http.errors import ApiError, error_response, handle_api_error, unavailable
from questline.http.observe import ObservabilityMiddleware
from questline.http.route_table import ROUTES
from questline.http.routes import ops
from questline.http.server_limits import TIMED_OUT_KEY
from questline.http.services import Services
from questline.http.token_gate import TokenGate
from questline.observability import metrics
from questline.observability.logs import adopt_uvicorn_loggers, ensure_logging

log = logging.getLogger(__name__)

__all__ = ["ROUTES", "build_app"]

STORE_RETRY_AFTER_S = 1
CLIENT_CLOSED = 499


def _note_code(request: Request, code: str) -> None:
    """For the metrics and the access log (ObservabilityMiddleware reads it)."""
    request.scope.setdefault("state", {})["error_code"] = code


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    _note_code(request, exc.code)
    return await handle_api_error(request, exc)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    _note_code(
        request, {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    )
    if exc.status_code == 404:
        return error_response(ApiError(404, "not_found", f"there is no route {request.url.path}"))
    if exc.status_code == 405:
        return error_response(
            ApiError(405, "method_not_allowed", f"{request.method} is not allowed on this route")
        )
    return error_response(ApiError(exc.status_code, "http_error", str(exc.detail)))


async def _client_closed(request: Request, exc: Exception) -> Response:
    """The client went away before its body arrived (or the server's body deadline cut
    it off): not our failure, and no traceback. Nobody reads this answer; its status
    (nginx's 499 for a client that left) is what the metrics and the access log count."""
    timed_out = request.scope.get("state", {}).get(TIMED_OUT_KEY)
    status, code = timed_out if timed_out is not None else (CLIENT_CLOSED, "client_closed")
    _note_code(request, code)
    return error_response(ApiError(status, code, "the request's body did not arrive"))


async def _unexpected(request: Request, exc: Exception) -> Response:
    _note_code(request, "internal_error")
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        ApiError(500, "internal_error", "something went wrong on our side; nothing was lost")
    )


def _store_error() -> ApiError:
    return unavailable(
        "the data store did not answer in time; retry (with the same Idempotency-Key)",
        STORE_RETRY_AFTER_S,
    )


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    _note_code(request, "store_unavailable")
    log.warning("the store did not answer %s %s: %r", request.method, request.url.path, exc)
    return error_response(_store_error())


def build_app(
    services: Services,
    *,
    manage_engine: bool = True,
    configure_logs: bool = True,
    store_unavailable: tuple[type[Exception], ...] = (),
) -> Starlette:
    """The app; with manage_engine it starts and stops the engine's writer. With
    configure_logs, logs become ECS JSON lines on stdout unless already configured.
    `store_unavailable`: the store's errors that mean "try again later" (503)."""
    if configure_logs:
        ensure_logging()

    def refresh_health() -> None:
        ops.refresh_health(services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if configure_logs:
            adopt_uvicorn_loggers()
        services.live.bind(asyncio.get_running_loop(), services.clock)
        if manage_engine:
            services.committer.start()
        metrics.add_refresher(refresh_health)
        try:
            yield
        finally:
            metrics.remove_refresher(refresh_health)
            services.live.close_all()
            if manage_engine:
                await asyncio.to_thread(services.committer.stop)

    app = Starlette(
        routes=ROUTES,
        middleware=[
            Middleware(CorrelationMiddleware),
            Middleware(ObservabilityMiddleware, routes=ROUTES),
            Middleware(TokenGate, store_unavailable=store_unavailable, unavailable=_store_error),
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            ClientDisconnect: _client_closed,
            **dict.fromkeys(store_unavailable, _store_unavailable),
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.services = services
    services.committer.listeners.append(services.live.on_batch)
    return app
