"""Bearer tokens: made at random, stored only as SHA-256 digests."""

import hashlib
import secrets

TEAM_PREFIX = "qlt_"
ORGANIZER_PREFIX = "qlo_"


def new_team_token() -> str:
    return TEAM_PREFIX + secrets.token_urlsafe(32)


def new_organizer_token() -> str:
    return ORGANIZER_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
