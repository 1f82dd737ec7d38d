"""The Starlette application: routes, error handling, start-up and shutdown."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from questline.http import openapi
from questline.http.correlation import CorrelationMiddleware
from questline.http.errors import ApiError, error_response, handle_api_error, unavailable
from questline.http.observe import ObservabilityMiddleware
from questline.http.routes import hunts, noop, operator, ops, organize, play, stream
from questline.http.services import Services
from questline.observability import metrics
from questline.observability.logs import adopt_uvicorn_loggers, ensure_logging
from questline.web.routes import WEB_ROUTES

log = logging.getLogger(__name__)

STORE_RETRY_AFTER_S = 1

ROUTES = [
    Route("/api/hunts", hunts.create_hunt, methods=["POST"]),
    Route("/api/hunts/{hunt}", hunts.get_hunt, methods=["GET"]),
    Route("/api/hunts/{hunt}/teams", play.register_team, methods=["POST"]),
    Route("/api/hunts/{hunt}/submissions", play.submit, methods=["POST"]),
    Route("/api/hunts/{hunt}/clues/{clue}/hints/{hint}", play.unlock_hint, methods=["POST"]),
    Route("/api/hunts/{hunt}/leaderboard", hunts.leaderboard, methods=["GET"]),
    Route("/api/hunts/{hunt}/teams/{team}", hunts.team_progress_route, methods=["GET"]),
    Route("/api/hunts/{hunt}/pause", hunts.pause_hunt, methods=["POST"]),
    Route("/api/hunts/{hunt}/resume", hunts.resume_hunt, methods=["POST"]),
    Route("/api/hunts/{hunt}/adjustments", organize.adjust, methods=["POST"]),
    Route("/api/hunts/{hunt}/announcements", organize.announce, methods=["POST"]),
    Route("/api/hunts/{hunt}/reviews", organize.reviews, methods=["GET"]),
    Route("/api/hunts/{hunt}/reviews/{id}", organize.review, methods=["POST"]),
    Route("/api/hunts/{hunt}/photos/{id}", organize.photo, methods=["GET"]),
    Route("/api/hunts/{hunt}/stream", stream.stream, methods=["GET"]),
    Route("/api/hunts/{hunt}/events", hunts.events, methods=["GET"]),
    Route("/healthz", operator.healthz, methods=["GET"]),
    Route("/readyz", operator.readyz, methods=["GET"]),
    Route("/metrics", ops.metrics_endpoint, methods=["GET"]),
    Route("/api/ops/summary", ops.summary, methods=["GET"]),
    Route("/api/ops/verify", ops.verify, methods=["POST"]),
    Route("/openapi.json", openapi.serve, methods=["GET"]),
    *WEB_ROUTES,  # pages, /stats
    *noop.ROUTES,  # internal, bench
]


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


async def _unexpected(request: Request, exc: Exception) -> Response:
    _note_code(request, "internal_error")
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(
        ApiError(500, "internal_error", "something went wrong on our side; nothing was lost")
    )


async def _store_unavailable(request: Request, exc: Exception) -> Response:
    _note_code(request, "store_unavailable")
    log.warning("the store did not answer %s %s: %r", request.method, request.url.path, exc)
    return error_response(
        unavailable(
            "the data store did not answer in time; retry (with the same Idempotency-Key)",
            STORE_RETRY_AFTER_S,
        )
    )


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
        services.live.bind(asyncio.get_running_loop())
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
        ],
        exception_handlers={
            ApiError: _api_error,
            HTTPException: _http_error,
            **dict.fromkeys(store_unavailable, _store_unavailable),
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.services = services
    services.committer.listeners.append(services.live.on_batch)
    return app
