"""All read models together: fold events in, take the changed rows out."""

from collections.abc import Iterable
from typing import Protocol

from questline.domain.events import RecordedEvent
from questline.domain.projections.audit_feed import AuditFeedProjection
from questline.domain.projections.clue_stats import ClueStatsProjection
from questline.domain.projections.hunt_catalog import HuntCatalogProjection
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.reviews import ReviewsProjection
from questline.domain.projections.rows import Changes, Row, Table
from questline.domain.projections.team_progress import TeamProgressProjection


class Projection(Protocol):
    tables: tuple[Table, ...]
    dirty: set[tuple[Table, str, str]]

    def apply(self, recorded: RecordedEvent) -> None: ...

    def row(self, table: Table, hunt_id: str, key: str) -> Row: ...


class Projector:
    def __init__(self) -> None:
        self.projections: tuple[Projection, ...] = (
            HuntCatalogProjection(),
            TeamProgressProjection(),
            LeaderboardProjection(),
            ClueStatsProjection(),
            ReviewsProjection(),
            AuditFeedProjection(),
        )

    def apply(self, recorded: RecordedEvent) -> None:
        for projection in self.projections:
            projection.apply(recorded)

    def apply_all(self, events: Iterable[RecordedEvent]) -> None:
        for recorded in events:
            self.apply(recorded)

    def take_changes(self) -> Changes:
        changes: Changes = {}
        for projection in self.projections:
            if projection.dirty:
                for key in projection.dirty:
                    changes[key] = projection.row(*key)
                projection.dirty.clear()
        return changes
