"""Standings: the leaderboard (live, frozen, or at a past version), its CSV and CTFtime
feeds, first solves, score history, a team's progress and receipt, the results'
certificate."""

from typing import Annotated

import msgspec

from questline.http.bodies.common import Time
from questline.http.endpoint import Shape
from questline.http.request_context import MAX_INT64

Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_INT64)]


class BoardQuery(Shape):
    limit: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 100
    offset: Count = 0
    division: str | None = None
    version: Annotated[int, msgspec.Meta(ge=1, le=MAX_INT64)] | None = None
    time: Time | None = None


class BoardRow(Shape):
    rank: int
    team_id: str
    name: str
    score: int
    solved: int
    finished_at: Time | None
    division: str | None


class AsOf(Shape):
    """The point in the log a past board stands at."""

    version: int
    time: Time


class Leaderboard(Shape):
    frozen: bool
    as_of: Time | AsOf  # a time for the live board; the version and time for a past one
    total: int
    teams: list[BoardRow]


class CsvQuery(Shape):
    division: str | None = None


class Standing(Shape):
    pos: int
    team: str
    score: int


class CtftimeFeed(Shape):
    standings: list[Standing]


class FirstSolve(Shape):
    clue: str
    title: str
    team_id: str
    name: str
    version: int
    time: Time | None


class FirstSolves(Shape):
    first_solves: list[FirstSolve]  # newest first


class HistoryQuery(Shape):
    top: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10


class TeamHistory(Shape):
    team_id: str
    name: str
    points: list[tuple[Time, int]]  # (time, score) at each change of its score


class History(Shape):
    teams: list[TeamHistory]


class ReceiptLine(Shape):
    version: int
    time: Time
    what: str  # solve, part, bonus, hint, penalty, adjustment, revaluation
    clue: str | None
    points: int
    reason: str


class LogHead(Shape):
    version: int
    hash: str


class Receipt(Shape):
    score: int
    lines: list[ReceiptLine]
    log_head: LogHead


class Placing(Shape):
    rank: int
    team_id: str
    name: str
    score: int


class Certificate(Shape):
    hunt: str
    final: list[Placing]
    version: int
    hash: str


class SolvedClue(Shape):
    clue: str
    points: int
    bonus: int


class UnlockedHint(Shape):
    clue: str
    hint: str


class PendingReview(Shape):
    clue: str
    review_id: str


class ReviewNote(Shape):
    clue: str
    approved: bool
    reason: str
    time: Time


class AdjustmentNote(Shape):
    points: int
    reason: str
    time: Time


class MessageNote(Shape):
    text: str
    time: Time


class TeamProgress(Shape):
    team_id: str
    name: str
    division: str | None
    score: int
    rank: int | None
    solved: list[SolvedClue]
    open_clues: list[str]
    hints_unlocked: list[UnlockedHint]
    attempts_left: dict[str, int | None]
    pending_reviews: list[PendingReview]
    hint_costs: int
    penalties: int
    parts: dict[str, list[str]]
    reviews: list[ReviewNote]
    adjustments: list[AdjustmentNote]
    messages: list[MessageNote]
