"""Send a command through the engine's group commit and wait for its outcome."""

import asyncio
import hashlib

from questline.domain.commands import Command
from questline.domain.replies import Reply
from questline.http import correlation
from questline.http.errors import ApiError, from_rejection, invalid, unavailable
from questline.http.services import Services
from questline.http.unique_ids import new_id
from questline.ports import CommandEnvelope, EngineStopped, Overloaded

MAX_KEY = 128


class OutcomeUnknown(ApiError):
    """The command reached the engine but no outcome came back: it may be committed
    yet (a retry with the same Idempotency-Key says which)."""


def idempotency_command_id(hunt_id: str, scope: str, key: str | None) -> tuple[str, bool]:
    """(command id, remember it): a key scoped to the team (or organizers) in the hunt."""
    if key is None:
        return new_id(), False
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        raise invalid("Idempotency-Key must be 1 to 128 printable characters")
    digest = hashlib.sha256(f"{hunt_id}\x00{scope}\x00{key}".encode()).hexdigest()
    return digest, True


def fingerprint(route: str, canonical: bytes) -> str:
    return hashlib.sha256(route.encode() + b"\x00" + canonical).hexdigest()


async def run_command(
    services: Services,
    command: Command,
    *,
    command_id: str | None = None,
    remember: bool = False,
    request_fingerprint: str = "",
    correlation_id: str = "",
) -> tuple[Reply, bool]:
    """The reply (and whether it is a replay of the first), or an ApiError."""
    envelope = CommandEnvelope(
        command_id or new_id(),
        command,
        fingerprint=request_fingerprint,
        correlation_id=correlation_id or correlation.CURRENT.get(),
        remember=remember,
    )
    try:
        future = services.committer.submit(envelope)
    except Overloaded as overloaded:
        raise unavailable(str(overloaded), 1) from None
    except EngineStopped as stopped:
        raise unavailable(str(stopped), 5) from None
    try:
        outcome = await asyncio.wait_for(asyncio.wrap_future(future), services.command_timeout)
    except TimeoutError:
        raise OutcomeUnknown(
            503,
            "unavailable",
            "the engine did not answer in time; retry with the same Idempotency-Key",
            headers={"Retry-After": "2"},
        ) from None
    except Overloaded as overloaded:  # refused by a writer in another process
        raise unavailable(str(overloaded), 1) from None
    except EngineStopped as stopped:  # the writer in another process went away
        raise OutcomeUnknown(
            503,
            "unavailable",
            f"{stopped}; retry with the same Idempotency-Key",
            headers={"Retry-After": "5"},
        ) from None
    except Exception as error:
        raise OutcomeUnknown(
            503,
            "commit_failed",
            f"the command was not recorded: {error}",
            headers={"Retry-After": "1"},
        ) from None
    if outcome.rejection is not None:
        raise from_rejection(outcome.rejection)
    assert outcome.reply is not None
    services.live.answered(outcome.events)
    services.cache.answered(outcome.events)
    if services.read_your_writes is not None:
        services.read_your_writes.answered(outcome.events)
    return outcome.reply, outcome.replayed
