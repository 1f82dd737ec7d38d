"""The rows read models are stored as. Stores key them by (table, hunt, key)."""

from typing import Literal

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.standings import NO_SCORING_EVENT, NOT_FINISHED
from questline.domain.timestamps import Micros

# The read models' tables: the one list of them.
Table = Literal[
    "hunts",
    "teams",
    "leaderboard_live",
    "leaderboard_frozen",
    "clue_stats",
    "reviews",
    "audit",
    "revisions",
    "announcements",
]
TABLES: tuple[Table, ...] = Table.__args__  # type: ignore[attr-defined]


class HuntRow(msgspec.Struct, frozen=True):
    definition: HuntDefinition  # the revision in force
    paused: bool
    version: int
    last_time: Micros
    teams: int
    teams_before_freeze: int
    revision: int = 1
    division_teams: dict[str, int] = msgspec.field(default_factory=dict)
    division_teams_before_freeze: dict[str, int] = msgspec.field(default_factory=dict)


class ReviewNote(msgspec.Struct, frozen=True):
    """A judge's verdict on one of the team's photos, with the reason it was given."""

    clue: str
    approved: bool
    reason: str
    time: Micros


class AdjustmentNote(msgspec.Struct, frozen=True):
    points: int
    reason: str
    time: Micros


class MessageNote(msgspec.Struct, frozen=True):
    text: str
    time: Micros


# gc=False: what it holds (strings, numbers, containers of them) cannot refer back to it.
class TeamRow(msgspec.Struct, gc=False):
    """Mutable: the projection keeps it as its own state and hands it out as it is."""

    team_id: str
    name: str
    order: int
    token_hash: str  # the token the team registered with
    registered_at: Micros
    solved: dict[str, int] = msgspec.field(default_factory=dict)  # clue -> version it counts at
    wrong: dict[str, int] = msgspec.field(default_factory=dict)
    hints: list[tuple[str, str]] = msgspec.field(default_factory=list)
    pending: dict[str, str] = msgspec.field(default_factory=dict)  # clue -> review id
    hint_costs: int = 0
    adjustments: int = 0
    penalties: int = 0
    division: str | None = None
    tokens: list[str] = msgspec.field(default_factory=list)  # every token that works now
    parts: dict[str, list[str]] = msgspec.field(default_factory=dict)  # clue -> parts solved
    kept_open: list[str] = msgspec.field(default_factory=list)  # open at a revision
    reviews: list[ReviewNote] = msgspec.field(default_factory=list)
    adjustment_notes: list[AdjustmentNote] = msgspec.field(default_factory=list)
    messages: list[MessageNote] = msgspec.field(default_factory=list)


class LeaderboardRow(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    score: int
    solved: int
    last_scoring_version: int
    order: int
    # Under `ranking: finish`, the version the team's finishing solve counts at (what
    # ranks finished teams first); NOT_FINISHED otherwise.
    finish_order: int = NOT_FINISHED
    finished_at: Micros | None = None
    division: str | None = None

    def sort_key(self) -> tuple[int, int, int, int]:
        return (self.finish_order, -self.score, self.last_scoring_version, self.order)


class ClueStatsRow(msgspec.Struct):
    """Mutable, like TeamRow."""

    clue_id: str
    solves: int = 0
    wrong: int = 0
    keep_going: int = 0
    hints_unlocked: int = 0
    photos_waiting: int = 0
    # The first solves (as many as there are bonuses, at least 10), in the order they
    # count at: (version, team). A rejudged solve can take an earlier place.
    first_solves: list[tuple[int, str]] = msgspec.field(default_factory=list)

    @property
    def first_solvers(self) -> list[str]:
        return [team for _, team in self.first_solves]


class ReviewRow(msgspec.Struct, frozen=True):
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    submitted_at: Micros
    status: Literal["waiting", "approved", "rejected"]
    reason: str = ""
    reviewed_at: Micros | None = None


class AuditRow(msgspec.Struct, frozen=True):
    version: int
    time: Micros
    type: str
    team_id: str | None
    summary: str


class RevisionRow(msgspec.Struct, frozen=True):
    revision: int
    time: Micros
    changes: tuple[str, ...]


class AnnouncementRow(msgspec.Struct, frozen=True):
    id: int  # the version of the event that made it
    time: Micros
    text: str


Row = (
    HuntRow
    | TeamRow
    | LeaderboardRow
    | ClueStatsRow
    | ReviewRow
    | AuditRow
    | RevisionRow
    | AnnouncementRow
)

ROW_TYPES: dict[Table, type[Row]] = {
    "hunts": HuntRow,
    "teams": TeamRow,
    "leaderboard_live": LeaderboardRow,
    "leaderboard_frozen": LeaderboardRow,
    "clue_stats": ClueStatsRow,
    "reviews": ReviewRow,
    "audit": AuditRow,
    "revisions": RevisionRow,
    "announcements": AnnouncementRow,
}

__all__ = ["NO_SCORING_EVENT"]  # where the stores and tests have always found it

# (table, hunt id, key) -> the row now, or None when it was deleted
ChangeKey = tuple[Table, str, str]
Changes = dict[ChangeKey, Row | None]
