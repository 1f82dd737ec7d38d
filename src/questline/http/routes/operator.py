"""Operator routes: liveness and readiness, with the reason when not ready."""

from typing import Any

from questline.http.bodies.common import Health
from questline.http.endpoint import Call, Endpoint
from questline.http.responses import json_response
from questline.http.routes.ops import refresh_health


async def healthz(call: Call) -> Any:
    return {"status": "alive"}


async def readyz(call: Call) -> Any:
    reasons = refresh_health(call.services)
    if reasons:
        return json_response({"status": "not ready", "reasons": reasons}, 503)
    return {"status": "ready"}


ENDPOINTS = [
    Endpoint("GET", "/healthz", "The process is alive", "open", healthz, Health),
    Endpoint(
        "GET",
        "/readyz",
        "The process can serve (503 with the reasons if not)",
        "open",
        readyz,
        Health,
        other_statuses=((503, Health),),
    ),
]
