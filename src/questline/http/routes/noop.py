"""GET /api/noop: the server's own ceiling for the http benchmark.

Internal: it does no work (no auth, no engine, no store), is left out of the
OpenAPI document and the public contract, and may change or go at any time."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_BODY = b'{"ok":true}'


async def noop(request: Request) -> Response:
    return Response(_BODY, media_type="application/json")


ROUTES = [Route("/api/noop", noop, methods=["GET"], include_in_schema=False)]
