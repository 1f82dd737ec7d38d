"""Operator routes: /metrics for Prometheus, the dashboard's summary, verify on demand.

/metrics stays open to anonymous scrapers (a presented token must still be valid: the
token gate); the summary and verify need an operator or an organizer token."""

import asyncio
import threading
from typing import Any

from starlette.responses import Response

from questline.http.bodies.organize import VerifyResult
from questline.http.endpoint import AnyBody, Call, Endpoint, Reply2xx
from questline.http.errors import ApiError
from questline.http.services import Services
from questline.observability import metrics
from questline.observability.summary import summarize

_verifying = threading.Lock()


def refresh_health(services: Services) -> list[str]:
    """Readiness reasons now, with the readiness and lag gauges set to match."""
    reasons: list[str] = []
    if services.readiness is not None:
        try:
            reasons.extend(services.readiness())
        except Exception as error:
            reasons.append(f"readiness could not be checked: {error}")
    if not services.committer.running:
        reasons.append("the command path (engine or Kafka) is not running")
    if services.lag is not None:
        try:
            for partition, behind in services.lag().items():
                metrics.PROJECTION_LAG.labels(str(partition)).set(behind)
        except Exception as error:  # the lag gauges stay as last seen
            reasons.append(f"projection lag could not be read: {error}")
    metrics.READY.set(0 if reasons else 1)
    metrics.QUEUE_DEPTH.set(services.committer.depth)
    return reasons


async def metrics_endpoint(call: Call) -> Response:
    body, content_type = metrics.exposition()
    return Response(
        body,
        media_type=content_type.split(";")[0],
        headers={
            "Content-Type": content_type,
            "Cache-Control": "no-store",
        },
    )


async def summary(call: Call) -> Any:
    services = call.services
    reasons = refresh_health(services)
    body = summarize()
    body["ready"] = not reasons
    body["reasons"] = reasons
    body["verify_available"] = services.verify is not None
    return body


async def verify(call: Call) -> Any:
    """Compare the read models with a replay of the log now (embedded nodes)."""
    services = call.services
    if services.verify is None:
        raise ApiError(
            501,
            "verify_unavailable",
            "this node cannot verify; run `questline verify --cluster CONFIG`",
        )
    if not _verifying.acquire(blocking=False):
        raise ApiError(409, "verify_running", "a verify is running already; wait for it")
    try:
        differences = await asyncio.to_thread(services.verify)
    finally:
        _verifying.release()
    return {"status": "drift" if differences else "clean", "differences": differences}


ENDPOINTS = [
    Endpoint(
        "GET",
        "/metrics",
        "Prometheus metrics",
        "open",
        metrics_endpoint,
        Reply2xx("text/plain", {"type": "string"}),
    ),
    Endpoint(
        "GET",
        "/api/ops/summary",
        "What the operator dashboard shows: readiness, rates, latencies, lag",
        "operator",
        summary,
        dict[str, Any],
    ),
    Endpoint(
        "POST",
        "/api/ops/verify",
        "Compare the read models with a replay of the log now (embedded nodes)",
        "operator",
        verify,
        VerifyResult,
        body=AnyBody(),
    ),
]
