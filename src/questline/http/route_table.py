"""The route table: every declared route (endpoint.py) as a Starlette route, the web
pages' routes, and the internal ones; and the OpenAPI document of the declared ones."""

from functools import cache
from typing import Any

from starlette.routing import BaseRoute, Route

from questline.http import openapi
from questline.http.endpoint import Call, Endpoint
from questline.http.recipe import route_of
from questline.http.routes import (
    boards,
    first_solves,
    hunts,
    images,
    log_features,
    noop,
    operator,
    ops,
    organize,
    play,
    stats,
    stream,
)
from questline.web.routes import WEB_ROUTES


async def openapi_json(call: Call) -> Any:
    return openapi_document()


ENDPOINTS: list[Endpoint] = [
    *hunts.ENDPOINTS,
    *play.ENDPOINTS,
    *boards.ENDPOINTS,
    *organize.ENDPOINTS,
    *images.ENDPOINTS,
    *log_features.ENDPOINTS,
    *stream.ENDPOINTS,
    *stats.ENDPOINTS,
    *first_solves.ENDPOINTS,
    *operator.ENDPOINTS,
    *ops.ENDPOINTS,
    # The document does not describe itself (clients read it; they do not call it).
    Endpoint("GET", "/openapi.json", "This document", "open", openapi_json, documented=False),
]


@cache
def openapi_document() -> dict[str, Any]:
    return openapi.document(ENDPOINTS)


def _declared(route: BaseRoute) -> bool:
    """A web route that a declaration serves already (the pages' table lists /stats)."""
    return isinstance(route, Route) and any(
        e.path == route.path and e.method in (route.methods or ()) for e in ENDPOINTS
    )


ROUTES: list[BaseRoute] = [
    *(route_of(endpoint) for endpoint in ENDPOINTS),
    *(route for route in WEB_ROUTES if not _declared(route)),  # pages and their files
    *noop.ROUTES,  # internal: the http benchmark's ceiling
]
