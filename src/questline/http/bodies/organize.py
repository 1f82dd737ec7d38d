"""What organizers send and read: adjustments, announcements, messages, photo reviews,
the event log, clue statistics, fair-play flags."""

from typing import Annotated, Any

import msgspec

from questline.http.bodies.common import NonEmpty, Time
from questline.http.endpoint import Shape
from questline.http.request_context import MAX_INT64


class AdjustmentRequest(Shape):
    team_id: str
    points: int  # non-zero, at most 1,000,000,000 either way
    reason: NonEmpty


class AdjustmentResult(Shape):
    team_id: str
    score: int


class AnnouncementRequest(Shape):
    text: NonEmpty


class AnnouncementMade(Shape):
    text: str


class Announcement(Shape):
    id: int
    time: Time
    text: str


class MessageRequest(Shape):
    text: NonEmpty


class MessageSent(Shape):
    team_id: str
    text: str


class ReviewRequest(Shape):
    approve: bool
    reason: str = ""


class WaitingPhoto(Shape):
    id: str
    team_id: str
    clue: str
    submitted_at: Time
    photo_url: str


class ReviewOutcome(Shape):
    id: str
    approved: bool
    team_id: str
    clue: str
    score: int


class EventsQuery(Shape):
    after: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100


class EventRow(Shape):
    position: int
    version: int
    type: str
    time: Time
    payload: dict[str, Any]
    hash: Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{64}$")]


class Events(Shape):
    events: list[EventRow]


class ClueStatistics(Shape):
    clue_id: str
    solves: int
    wrong: int
    keep_going: int
    hints_unlocked: int
    photos_waiting: int
    first_solvers: list[str]


class Stats(Shape):
    hunt: str
    clues: list[ClueStatistics]


class Flag(Shape):
    kind: str  # shared_wrong_answer, lockstep_solves, impossible_travel, duplicate_photo
    teams: list[str]
    clue: str | None
    versions: list[int]
    detail: str


class FairPlay(Shape):
    flags: list[Flag]


class VerifyResult(Shape):
    status: str
    differences: int
