"""Who is calling: the bearer token resolved to an organizer, an operator, a team, or
nobody. A token that is not valid is 401 wherever it is presented; an address that
presented too many of them is answered 429 without its token being looked at."""

import hmac
from dataclasses import dataclass

from questline.http.errors import ApiError, unauthorized
from questline.http.services import Services
from questline.http.tokens import token_hash

# Where a request's resolved principal is kept (the ASGI scope's state).
PRINCIPAL_KEY = "questline.principal"


@dataclass(frozen=True, slots=True)
class Organizer:
    pass


@dataclass(frozen=True, slots=True)
class Operator:
    """Reads the operator routes (/ops, /api/ops/*, /metrics); cannot act on hunts."""


@dataclass(frozen=True, slots=True)
class Team:
    hunt_id: str
    team_id: str


@dataclass(frozen=True, slots=True)
class Anonymous:
    pass


Principal = Organizer | Operator | Team | Anonymous


def resolve(services: Services, header: str | None, client: str) -> Principal:
    """The principal of an Authorization header sent from `client` (an address key)."""
    if header is None:
        return Anonymous()
    failures = services.abuse.token_failures
    waiting = failures.wait(client)
    if waiting:
        raise ApiError(
            429,
            "too_many_bad_tokens",
            f"too many tokens that are not valid came from this address; wait {waiting} s",
            {"retry_after": waiting},
            {"Retry-After": str(waiting)},
        )
    try:
        return _principal_of(services, header)
    except ApiError:
        failures.take(client)
        raise


def _principal_of(services: Services, header: str) -> Principal:
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized("the Authorization header must be 'Bearer <token>'")
    digest = token_hash(token)
    expected = services.organizer_token_hash
    if expected is not None and hmac.compare_digest(digest, expected):
        return Organizer()
    role = services.store.tokens.role_of(digest)
    if role == "organizer":
        return Organizer()
    if role == "operator":
        return Operator()
    team = services.store.read_models.team_by_token(digest)
    if team is not None:
        return Team(*team)
    raise unauthorized("this token is not valid: check it, or register the team again")
