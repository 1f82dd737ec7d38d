"""Events: the facts of a hunt, the only truth. Each type has a schema version.

A payload is the tagged JSON of one of these structs. When a struct changes
shape, its `SCHEMA` goes up and `upcasting` gains a step from the old shape.
Fields at their defaults are left out of the JSON, so a field added later with
a default leaves every older event's payload (and its hash) as it was.
"""

from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.timestamps import Micros


class Fact(msgspec.Struct, frozen=True, omit_defaults=True):
    """The base of every event type."""


class HuntCreated(Fact, frozen=True, tag="hunt_created"):
    definition: HuntDefinition
    SCHEMA: ClassVar[int] = 1


class HuntRevised(Fact, frozen=True, tag="hunt_revised"):
    """An organizer's revision: from this event on, `definition` is in force."""

    definition: HuntDefinition
    revision: int
    changes: tuple[str, ...] = ()
    SCHEMA: ClassVar[int] = 1


class TeamRegistered(Fact, frozen=True, tag="team_registered"):
    team_id: str
    name: str
    token_hash: str
    division: str | None = None
    SCHEMA: ClassVar[int] = 2  # 2 added division


class TokenIssued(Fact, frozen=True, tag="token_issued"):
    """A new token for a team; with `revoke_others`, its earlier tokens stop working."""

    team_id: str
    token_hash: str
    revoke_others: bool = False
    SCHEMA: ClassVar[int] = 1


class ClueSolved(Fact, frozen=True, tag="clue_solved"):
    """`points` and `bonus` are what the solve earned when decided (its reply); scores
    follow the definition in force. A solve found by rejudging `counts_at` the version
    (and time) of the attempt it rejudged, and gives back that attempt's penalty."""

    team_id: str
    clue_id: str
    points: int
    bonus: int
    solve_number: int
    review_id: str | None = None
    answer: str | None = None  # the text or code given (None: a check-in or photo)
    lat: float | None = None  # a check-in's position
    lon: float | None = None
    client_time: Micros | None = None
    counts_at: int | None = None
    counts_at_time: Micros | None = None
    refund: int = 0
    reason: str = ""  # a judge's words on an approved photo
    moved_from: int | None = None  # rejudging: the version of the team's later solve it moves
    SCHEMA: ClassVar[int] = 2  # 2 added answer, lat, lon, client_time, counts_at, refund, ...


class PartSolved(Fact, frozen=True, tag="part_solved"):
    """One part of a clue in parts; the clue is solved (ClueSolved) with its last part."""

    team_id: str
    clue_id: str
    part_id: str
    points: int
    answer: str
    client_time: Micros | None = None
    counts_at: int | None = None
    counts_at_time: Micros | None = None
    refund: int = 0
    moved_from: int | None = None  # rejudging: the version of the team's later solve of it
    SCHEMA: ClassVar[int] = 1


class AnswerWrong(Fact, frozen=True, tag="answer_wrong"):
    """A wrong attempt: what was given (kept for rejudging and fair play) and the
    penalty it cost."""

    team_id: str
    clue_id: str
    part_id: str | None = None
    answer: str | None = None
    lat: float | None = None
    lon: float | None = None
    penalty: int = 0
    client_time: Micros | None = None
    SCHEMA: ClassVar[int] = 2  # 2 added part_id, answer, lat, lon, penalty, client_time


class KeptGoing(Fact, frozen=True, tag="kept_going"):
    team_id: str
    clue_id: str
    part_id: str | None = None
    client_time: Micros | None = None
    SCHEMA: ClassVar[int] = 2  # 2 added part_id, client_time


class PhotoSubmitted(Fact, frozen=True, tag="photo_submitted"):
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    digest: str
    content_type: str
    dhash: str | None = None  # 64-bit difference hash, hex: near-duplicates for fair play
    client_time: Micros | None = None
    SCHEMA: ClassVar[int] = 2  # 2 added dhash, client_time


class PhotoRejected(Fact, frozen=True, tag="photo_rejected"):
    review_id: str
    team_id: str
    clue_id: str
    reason: str
    penalty: int = 0
    SCHEMA: ClassVar[int] = 2  # 2 added penalty


class HintUnlocked(Fact, frozen=True, tag="hint_unlocked"):
    team_id: str
    clue_id: str
    hint_id: str
    cost: int
    SCHEMA: ClassVar[int] = 1


class ScoreAdjusted(Fact, frozen=True, tag="score_adjusted"):
    team_id: str
    points: int
    reason: str
    SCHEMA: ClassVar[int] = 2  # 1 called the amount `delta`


class HuntPaused(Fact, frozen=True, tag="hunt_paused"):
    SCHEMA: ClassVar[int] = 1


class HuntResumed(Fact, frozen=True, tag="hunt_resumed"):
    SCHEMA: ClassVar[int] = 1


class AnnouncementMade(Fact, frozen=True, tag="announcement_made"):
    text: str
    SCHEMA: ClassVar[int] = 1


class TeamMessaged(Fact, frozen=True, tag="team_messaged"):
    """An organizer's message to one team."""

    team_id: str
    text: str
    SCHEMA: ClassVar[int] = 1


class ReadModelHealed(Fact, frozen=True, tag="read_model_healed"):
    """The reconciler found a read model that differed from a replay and rebuilt it."""

    projection: str
    differences: int
    SCHEMA: ClassVar[int] = 1


Event = (
    HuntCreated
    | HuntRevised
    | TeamRegistered
    | TokenIssued
    | ClueSolved
    | PartSolved
    | AnswerWrong
    | KeptGoing
    | PhotoSubmitted
    | PhotoRejected
    | HintUnlocked
    | ScoreAdjusted
    | HuntPaused
    | HuntResumed
    | AnnouncementMade
    | TeamMessaged
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
    hash: str = ""  # the hunt's hash chain up to this event, hex (hash_chain.py)

    @property
    def type(self) -> str:
        return event_type(self.event)
