"""Events: the facts of a hunt, the only truth. Each type has a schema version.

A payload is the tagged JSON of one of these structs. When a struct changes
shape, its `SCHEMA` goes up and `upcasting` gains a step from the old shape.
"""

from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.timestamps import Micros


class HuntCreated(msgspec.Struct, frozen=True, tag="hunt_created"):
    definition: HuntDefinition
    SCHEMA: ClassVar[int] = 1


class TeamRegistered(msgspec.Struct, frozen=True, tag="team_registered"):
    team_id: str
    name: str
    token_hash: str
    SCHEMA: ClassVar[int] = 1


class ClueSolved(msgspec.Struct, frozen=True, tag="clue_solved"):
    team_id: str
    clue_id: str
    points: int
    bonus: int
    solve_number: int
    review_id: str | None = None
    SCHEMA: ClassVar[int] = 1


class AnswerWrong(msgspec.Struct, frozen=True, tag="answer_wrong"):
    team_id: str
    clue_id: str
    SCHEMA: ClassVar[int] = 1


class KeptGoing(msgspec.Struct, frozen=True, tag="kept_going"):
    team_id: str
    clue_id: str
    SCHEMA: ClassVar[int] = 1


class PhotoSubmitted(msgspec.Struct, frozen=True, tag="photo_submitted"):
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    digest: str
    content_type: str
    SCHEMA: ClassVar[int] = 1


class PhotoRejected(msgspec.Struct, frozen=True, tag="photo_rejected"):
    review_id: str
    team_id: str
    clue_id: str
    reason: str
    SCHEMA: ClassVar[int] = 1


class HintUnlocked(msgspec.Struct, frozen=True, tag="hint_unlocked"):
    team_id: str
    clue_id: str
    hint_id: str
    cost: int
    SCHEMA: ClassVar[int] = 1


class ScoreAdjusted(msgspec.Struct, frozen=True, tag="score_adjusted"):
    team_id: str
    points: int
    reason: str
    SCHEMA: ClassVar[int] = 2  # 1 called the amount `delta`


class HuntPaused(msgspec.Struct, frozen=True, tag="hunt_paused"):
    SCHEMA: ClassVar[int] = 1


class HuntResumed(msgspec.Struct, frozen=True, tag="hunt_resumed"):
    SCHEMA: ClassVar[int] = 1


class AnnouncementMade(msgspec.Struct, frozen=True, tag="announcement_made"):
    text: str
    SCHEMA: ClassVar[int] = 1


class ReadModelHealed(msgspec.Struct, frozen=True, tag="read_model_healed"):
    """The reconciler found a read model that differed from a replay and rebuilt it."""

    projection: str
    differences: int
    SCHEMA: ClassVar[int] = 1


Event = (
    HuntCreated
    | TeamRegistered
    | ClueSolved
    | AnswerWrong
    | KeptGoing
    | PhotoSubmitted
    | PhotoRejected
    | HintUnlocked
    | ScoreAdjusted
    | HuntPaused
    | HuntResumed
    | AnnouncementMade
    | ReadModelHealed
)

EVENT_TYPES: dict[str, type[Event]] = {cls.__struct_config__.tag: cls for cls in Event.__args__}


def event_type(event: Event) -> str:
    tag: str = event.__struct_config__.tag  # type: ignore[assignment]
    return tag


# gc=False: a frozen value, no cycles possible (see domain/commands.py).
class RecordedEvent(msgspec.Struct, frozen=True, gc=False):
    """An event as the log holds it: where it stands, when and why it was decided."""

    hunt_id: str
    version: int
    time: Micros
    command_id: str
    event: Event
    position: int = 0
    correlation_id: str = ""

    @property
    def type(self) -> str:
        return event_type(self.event)
