"""Reading a request in the order refusals must win: size, token, scope, hunt, input."""

from typing import Any

import msgspec
from starlette.requests import Request

from questline.domain.projections.rows import HuntRow
from questline.http.abuse_limits import client_key
from questline.http.errors import ApiError, forbidden, invalid, not_found, too_large, unauthorized
from questline.http.principals import (
    PRINCIPAL_KEY,
    Anonymous,
    Operator,
    Organizer,
    Principal,
    Team,
    resolve,
)
from questline.http.services import Services


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def admit_body(request: Request, limit: int) -> None:
    """413 first, from the declared length, before the token is looked at or a byte of
    the body read. A body sent without a length is measured as it is read."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)


async def read_body(request: Request, limit: int) -> bytes:
    admit_body(request, limit)
    cached: bytes | None = getattr(request, "_body", None)
    if cached is not None:
        return cached
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # lets Starlette's form parser reuse what was read
    return body


def authenticate(request: Request) -> Principal:
    """The caller, resolved once per request (TokenGate usually did it already)."""
    state = request.scope.setdefault("state", {})
    principal: Principal | None = state.get(PRINCIPAL_KEY)
    if principal is None:
        principal = resolve(
            services_of(request), request.headers.get("authorization"), client_key(request.scope)
        )
        state[PRINCIPAL_KEY] = principal
    return principal


def require_organizer(principal: Principal) -> Organizer:
    if isinstance(principal, Organizer):
        return principal
    if isinstance(principal, Anonymous):
        raise unauthorized("this needs an organizer token")
    if isinstance(principal, Operator):
        raise forbidden(
            "this needs an organizer token; an operator token only reads operator routes"
        )
    raise forbidden("this needs an organizer token; a team token cannot do it")


def require_operator(principal: Principal) -> Organizer | Operator:
    """Operator routes: an operator's token, or an organizer's (organizers run hunts and
    may watch them run)."""
    if isinstance(principal, Organizer | Operator):
        return principal
    if isinstance(principal, Anonymous):
        raise unauthorized("this needs an operator or organizer token")
    raise forbidden("this needs an operator or organizer token; a team token cannot do it")


def require_team(principal: Principal, hunt_id: str) -> Team:
    if isinstance(principal, Team):
        if principal.hunt_id != hunt_id:
            raise forbidden(f"this team token belongs to hunt {principal.hunt_id!r}")
        return principal
    if isinstance(principal, Anonymous):
        raise unauthorized("this needs the team's token")
    raise forbidden("this needs a team token: organizers and operators do not play")


def check_scope(principal: Principal, hunt_id: str) -> None:
    """A team token names one hunt; using it on another is outside its scope."""
    if isinstance(principal, Team) and principal.hunt_id != hunt_id:
        raise forbidden(f"this team token belongs to hunt {principal.hunt_id!r}")


def hunt_row(request: Request, hunt_id: str) -> HuntRow:
    row = services_of(request).store.read_models.get("hunts", hunt_id, hunt_id)
    if not isinstance(row, HuntRow):
        raise not_found("unknown_hunt", f"there is no hunt {hunt_id!r}")
    return row


def parse_json_object(body: bytes) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError as error:
        raise invalid(f"the body is not valid JSON: {error}") from None
    except UnicodeDecodeError:
        raise invalid("the body is not UTF-8 text") from None
    except RecursionError:  # msgspec's own depth limit, not a stack overflow
        raise invalid("the body is nested too deeply to be a request") from None
    if not isinstance(value, dict):
        raise invalid("the body must be a JSON object")
    return value


# The store keeps positions and counts as SQLite integers: larger numbers are bad input.
MAX_INT64 = 2**63 - 1


__all__ = ["Anonymous", "ApiError", "Operator", "Organizer", "Principal", "Team"]
