"""A presented token is checked on every route, before routing and before a byte of the
body is read: a token that is not valid gets 401 even where anyone may call (the
health probes, /metrics, the pages, a path that does not exist), and a guessing run
from one address gets 429 (principals.resolve). Requests without a token pass on
untouched; the handlers decide what they may do.

One exception keeps "body too large" first in the refusal order: a request that
declares a body larger than any JSON body may be passes on unchecked, to the route
whose own limit answers it 413 (or checks the token itself, within the limit)."""

import logging
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from questline.http.abuse_limits import client_key
from questline.http.errors import ApiError, error_response
from questline.http.principals import PRINCIPAL_KEY, resolve
from questline.http.services import JSON_LIMIT, Services

log = logging.getLogger(__name__)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class TokenGate:
    def __init__(
        self,
        app: ASGIApp,
        store_unavailable: tuple[type[Exception], ...] = (),
        unavailable: Callable[[], ApiError] | None = None,
    ) -> None:
        self.app = app
        self.store_unavailable = store_unavailable
        self.unavailable = unavailable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        header = headers.get("authorization")
        if header is None or _defers_to_route(scope, headers):
            await self.app(scope, receive, send)
            return
        services: Services = scope["app"].state.services
        state = scope.setdefault("state", {})
        try:
            state[PRINCIPAL_KEY] = resolve(services, header, client_key(scope))
        except ApiError as error:
            await self._refuse(error, state, scope, receive, send)
            return
        except self.store_unavailable as error:
            if self.unavailable is None:
                raise
            log.warning("the store did not answer a token check: %r", error)
            await self._refuse(self.unavailable(), state, scope, receive, send, "store_unavailable")
            return
        await self.app(scope, receive, send)

    async def _refuse(
        self,
        error: ApiError,
        state: dict[str, object],
        scope: Scope,
        receive: Receive,
        send: Send,
        counted_as: str | None = None,
    ) -> None:
        state["error_code"] = counted_as or error.code  # for the metrics and the access log
        await error_response(error)(scope, receive, send)


def _defers_to_route(scope: Scope, headers: Headers) -> bool:
    if scope["method"] not in _BODY_METHODS:
        return False
    declared = headers.get("content-length")
    return declared is not None and declared.isdigit() and int(declared) > JSON_LIMIT
