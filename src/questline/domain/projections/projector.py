"""All read models together: fold events in, take the changed rows out.

Each projection names the event types it reacts to (`events`), and the
projector routes an event only to those, through a dict keyed by event type:
a wrong answer, the bulk of all events, reaches three projections, not six.
"""

from collections.abc import Callable, Iterable
from typing import Protocol

from questline.domain.events import EVENT_TYPES, Event, RecordedEvent
from questline.domain.projections.audit_feed import AuditFeedProjection
from questline.domain.projections.clue_stats import ClueStatsProjection
from questline.domain.projections.hunt_catalog import HuntCatalogProjection
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.reviews import ReviewsProjection
from questline.domain.projections.rows import Changes, Row, Table
from questline.domain.projections.team_progress import TeamProgressProjection

Apply = Callable[[RecordedEvent], None]


class Projection(Protocol):
    tables: tuple[Table, ...]
    # The event types whose events can change this projection; others are not routed to it.
    events: tuple[type[Event], ...]
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
        self._routes: dict[type[Event], tuple[Apply, ...]] = {
            event_type: tuple(p.apply for p in self.projections if event_type in p.events)
            for event_type in EVENT_TYPES.values()
        }

    def apply(self, recorded: RecordedEvent) -> None:
        for apply in self._routes[type(recorded.event)]:
            apply(recorded)

    def apply_all(self, events: Iterable[RecordedEvent]) -> None:
        routes = self._routes
        for recorded in events:
            for apply in routes[type(recorded.event)]:
                apply(recorded)

    def take_changes(self) -> Changes:
        changes: Changes = {}
        for projection in self.projections:
            dirty = projection.dirty
            if dirty:
                row = projection.row
                for key in dirty:
                    changes[key] = row(*key)
                dirty.clear()
        return changes
