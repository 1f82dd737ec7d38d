"""Operator routes: liveness and readiness, with the reason when not ready."""

from starlette.requests import Request
from starlette.responses import Response

from questline.http.request_context import services_of
from questline.http.responses import json_response

READY_LAG_BOUND = 0  # embedded read models commit with the log: any lag means trouble


async def healthz(request: Request) -> Response:
    return json_response({"status": "alive"})


async def readyz(request: Request) -> Response:
    services = services_of(request)
    reasons: list[str] = []
    try:
        head = services.store.events.head()
        checkpoint = services.store.read_models.checkpoint()
        if head - checkpoint > READY_LAG_BOUND:
            reasons.append(f"read models are {head - checkpoint} events behind the log")
    except Exception as error:
        reasons.append(f"the store cannot be read: {error}")
    if not services.committer.running:
        reasons.append("the engine's writer is not running")
    if reasons:
        return json_response({"status": "not ready", "reasons": reasons}, 503)
    return json_response({"status": "ready"})
