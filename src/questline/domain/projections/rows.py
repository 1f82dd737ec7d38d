"""The rows read models are stored as. Stores key them by (table, hunt, key)."""

from typing import Literal

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.standings import NO_SCORING_EVENT, NOT_FINISHED
from questline.domain.timestamps import Micros

Table = Literal[
    "hunts", "teams", "leaderboard_live", "leaderboard_frozen", "clue_stats", "reviews", "audit"
]
TABLES: tuple[Table, ...] = (
    "hunts",
    "teams",
    "leaderboard_live",
    "leaderboard_frozen",
    "clue_stats",
    "reviews",
    "audit",
)


class HuntRow(msgspec.Struct, frozen=True):
    definition: HuntDefinition
    paused: bool
    version: int
    last_time: Micros
    teams: int
    teams_before_freeze: int


class TeamRow(msgspec.Struct):
    """Mutable: the projection keeps it as its own state and hands it out as it is."""

    team_id: str
    name: str
    order: int
    token_hash: str
    registered_at: Micros
    solved: dict[str, int] = msgspec.field(default_factory=dict)  # clue -> version of the solve
    wrong: dict[str, int] = msgspec.field(default_factory=dict)
    hints: list[tuple[str, str]] = msgspec.field(default_factory=list)
    pending: dict[str, str] = msgspec.field(default_factory=dict)  # clue -> review id
    bonus: dict[str, int] = msgspec.field(default_factory=dict)
    hint_costs: int = 0
    adjustments: int = 0


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
    first_solvers: list[str] = msgspec.field(default_factory=list)


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


Row = HuntRow | TeamRow | LeaderboardRow | ClueStatsRow | ReviewRow | AuditRow

ROW_TYPES: dict[Table, type[Row]] = {
    "hunts": HuntRow,
    "teams": TeamRow,
    "leaderboard_live": LeaderboardRow,
    "leaderboard_frozen": LeaderboardRow,
    "clue_stats": ClueStatsRow,
    "reviews": ReviewRow,
    "audit": AuditRow,
}

__all__ = ["NO_SCORING_EVENT"]  # where the stores and tests have always found it

# (table, hunt id, key) -> the row now, or None when it was deleted
ChangeKey = tuple[Table, str, str]
Changes = dict[ChangeKey, Row | None]
