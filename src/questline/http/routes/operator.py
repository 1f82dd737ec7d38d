"""Operator routes: liveness and readiness, with the reason when not ready."""

from starlette.requests import Request
from starlette.responses import Response

from questline.http.request_context import services_of
from questline.http.responses import json_response
from questline.http.routes.ops import refresh_health


async def healthz(request: Request) -> Response:
    return json_response({"status": "alive"})


async def readyz(request: Request) -> Response:
    reasons = refresh_health(services_of(request))
    if reasons:
        return json_response({"status": "not ready", "reasons": reasons}, 503)
    return json_response({"status": "ready"})
