"""A command on its way in, and the outcome the engine hands back."""

import msgspec

from questline.domain.commands import Command
from questline.domain.events import RecordedEvent
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply


# gc=False: a frozen value, no cycles possible (see domain/commands.py).
class CommandEnvelope(msgspec.Struct, frozen=True, gc=False):
    command_id: str
    command: Command
    # What the request looked like, so a reused id with another request is caught.
    fingerprint: str = ""
    correlation_id: str = ""
    # Keep the first answer for retries (callers that can retry with this id).
    remember: bool = True


class Outcome(msgspec.Struct, frozen=True, gc=False):
    command_id: str
    reply: Reply | None = None
    rejection: Rejection | None = None
    replayed: bool = False
    events: tuple[RecordedEvent, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.reply is not None
