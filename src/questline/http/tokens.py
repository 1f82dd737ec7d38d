"""Bearer tokens: made at random, stored only as SHA-256 digests."""

import hashlib
import secrets

TEAM_PREFIX = "qlt_"
ORGANIZER_PREFIX = "qlo_"
OPERATOR_PREFIX = "qlp_"


def new_team_token() -> str:
    return TEAM_PREFIX + secrets.token_urlsafe(32)


def new_organizer_token() -> str:
    return ORGANIZER_PREFIX + secrets.token_urlsafe(32)


def new_operator_token() -> str:
    return OPERATOR_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# A shorter organizer token set at start-up could be guessed (it has no prefix and no
# randomness we made); `questline token create` makes 47-character ones.
MIN_ORGANIZER_TOKEN = 16


class WeakOrganizerToken(ValueError):
    pass


def organizer_token_digest(token: str | None) -> str | None:
    """The digest of the organizer token given at start-up (None: none given)."""
    if not token:
        return None
    if len(token) < MIN_ORGANIZER_TOKEN:
        raise WeakOrganizerToken(
            f"the organizer token (QUESTLINE_ORGANIZER_TOKEN or --organizer-token) has "
            f"{len(token)} characters; it needs at least {MIN_ORGANIZER_TOKEN}: make one with "
            "`questline token create --db FILE`, or use a long random string"
        )
    return token_hash(token)
