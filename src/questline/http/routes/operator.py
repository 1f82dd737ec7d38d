"""Operator routes: liveness and readiness, with the reason when not ready."""

from starlette.requests import Request
from starlette.responses import Response

from questline.http.request_context import services_of
from questline.http.responses import json_response


async def healthz(request: Request) -> Response:
    return json_response({"status": "alive"})


async def readyz(request: Request) -> Response:
    services = services_of(request)
    reasons: list[str] = []
    if services.readiness is not None:
        try:
            reasons.extend(services.readiness())
        except Exception as error:
            reasons.append(f"readiness could not be checked: {error}")
    if not services.committer.running:
        reasons.append("the command path (engine or Kafka) is not running")
    if reasons:
        return json_response({"status": "not ready", "reasons": reasons}, 503)
    return json_response({"status": "ready"})
