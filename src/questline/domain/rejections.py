"""Why a command was refused, in words a person can act on.

`status` is the HTTP status the contract gives each refusal; the domain
knows it because the spec defines refusals by it, not because it speaks HTTP.
"""

from typing import Any

import msgspec


class Rejection(msgspec.Struct, frozen=True):
    code: str
    status: int
    message: str
    details: dict[str, Any] | None = None


def unknown_hunt(hunt_id: str) -> Rejection:
    return Rejection("unknown_hunt", 404, f"there is no hunt {hunt_id!r}")


def hunt_exists(hunt_id: str) -> Rejection:
    return Rejection("hunt_exists", 409, f"a hunt with id {hunt_id!r} already exists")


def invalid_input(message: str, **details: Any) -> Rejection:
    return Rejection("invalid_input", 422, message, details or None)


def not_live(hunt_id: str, state: str) -> Rejection:
    return Rejection(
        "hunt_not_live",
        423,
        f"hunt {hunt_id!r} is {state}: submissions are accepted only while it is live",
        {"state": state},
    )


def registration_closed(hunt_id: str) -> Rejection:
    return Rejection(
        "registration_closed", 423, f"hunt {hunt_id!r} has ended: teams can no longer register"
    )


def unknown_clue(clue_id: str) -> Rejection:
    return Rejection("unknown_clue", 404, f"this hunt has no clue {clue_id!r}")


def unknown_hint(clue_id: str, hint_id: str) -> Rejection:
    return Rejection("unknown_hint", 404, f"clue {clue_id!r} has no hint {hint_id!r}")


def unknown_team(team_id: str) -> Rejection:
    return Rejection("unknown_team", 404, f"this hunt has no team {team_id!r}")


def unknown_review(review_id: str) -> Rejection:
    return Rejection("unknown_review", 404, f"this hunt has no photo review {review_id!r}")


def already_reviewed(review_id: str) -> Rejection:
    return Rejection("already_reviewed", 409, f"photo {review_id!r} has already been reviewed")


def clue_not_open(clue_id: str) -> Rejection:
    return Rejection(
        "clue_not_open",
        409,
        f"clue {clue_id!r} is not open for your team yet: solve its prerequisites first",
    )


def clue_locked(clue_id: str, max_attempts: int) -> Rejection:
    return Rejection(
        "clue_locked",
        409,
        f"clue {clue_id!r} is locked for your team after {max_attempts} wrong attempts",
        {"max_attempts": max_attempts},
    )


def photo_pending(clue_id: str, review_id: str) -> Rejection:
    return Rejection(
        "photo_pending",
        409,
        f"your team already has a photo waiting for review on clue {clue_id!r}",
        {"review_id": review_id},
    )


def rate_limited(clue_id: str, retry_after: int, limit: int) -> Rejection:
    return Rejection(
        "rate_limited",
        429,
        f"too many wrong answers on clue {clue_id!r} (limit {limit} a minute): "
        f"try again in {retry_after} s",
        {"retry_after": retry_after},
    )


def name_taken(name: str) -> Rejection:
    return Rejection("name_taken", 409, f"the team name {name!r} is taken in this hunt")


def version_conflict(hunt_id: str, actual: int, expected: int) -> Rejection:
    return Rejection(
        "version_conflict",
        409,
        f"hunt {hunt_id} is at version {actual}, the command expected {expected}",
        {"actual_version": actual, "expected_version": expected},
    )


def revision_mismatch(hunt_id: str, actual: int, expected: int) -> Rejection:
    return Rejection(
        "revision_mismatch",
        412,
        f"hunt {hunt_id!r} is at revision {actual}, not {expected} (If-Match): "
        "load the current definition and apply your change to it",
        {"revision": actual, "expected_revision": expected},
    )


def clue_opens_later(clue_id: str, opens_at: str) -> Rejection:
    return Rejection(
        "clue_not_open",
        409,
        f"clue {clue_id!r} is not open yet: it opens at {opens_at}",
        {"opens_at": opens_at},
    )


def unknown_part(clue_id: str, part_id: str) -> Rejection:
    return Rejection("unknown_part", 404, f"clue {clue_id!r} has no part {part_id!r}")


def unknown_division(division: str | None, known: list[str]) -> Rejection:
    if division is None:
        message = f"this hunt has divisions: give one of {', '.join(known)} as division"
    else:
        message = f"this hunt has no division {division!r}; give one of {', '.join(known)}"
    return Rejection("invalid_input", 422, message, {"field": "division", "divisions": known})


def unwritable_command(reason: str) -> Rejection:
    """A command whose events the log or the read models cannot hold (a value too large
    for 64 bits, say). 422, not 503: the same request fails the same way every time,
    so a client must change it, not retry it."""
    return Rejection(
        "unwritable_command",
        422,
        f"this command cannot be recorded ({reason}); nothing of it was kept,"
        " and the same request will be refused again",
        {"reason": reason},
    )
