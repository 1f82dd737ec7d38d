"""All read models together: fold events in, take the changed rows out.

Each projection has a table of handlers by event type (`handlers`, from its
class's `ROUTES`, which is also its list of `events`), and the projector calls
the handlers of an event's type straight from a dict keyed by type: a wrong
answer, the bulk of all events, reaches four handlers, not all eight projections.

Each projection also owns the saved form of its state (`dump` / `load`, for
snapshots) and knows which rows it holds (`keys`): the engine snapshots and
compares whatever projections it is given, by name.
"""

from collections.abc import Iterable, Iterator, Mapping
from typing import ClassVar, Protocol

from questline.domain.definition import HuntDefinition
from questline.domain.events import EVENT_TYPES, Event, RecordedEvent
from questline.domain.projections.announcements import AnnouncementsProjection
from questline.domain.projections.audit_feed import AuditFeedProjection
from questline.domain.projections.clue_stats import ClueStatsProjection
from questline.domain.projections.hunt_catalog import HuntCatalogProjection
from questline.domain.projections.leaderboard import LeaderboardProjection
from questline.domain.projections.reviews import ReviewsProjection
from questline.domain.projections.revision_history import RevisionHistoryProjection
from questline.domain.projections.routing import Handler
from questline.domain.projections.rows import Changes, Row, Table
from questline.domain.projections.team_progress import TeamProgressProjection


class Projection(Protocol):
    name: ClassVar[str]
    tables: tuple[Table, ...]
    # The event types whose events can change this projection; others are not routed to it.
    events: ClassVar[tuple[type[Event], ...]]
    # Those types' handlers (the projection's own `apply` looks them up too).
    handlers: dict[type[Event], Handler]
    dirty: set[tuple[Table, str, str]]
    # The types of its saved form: a change to their fields makes old snapshots unusable.
    saved_types: tuple[type, ...]

    def apply(self, recorded: RecordedEvent) -> None: ...

    def row(self, table: Table, hunt_id: str, key: str) -> Row: ...

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        """The rows of the hunt it holds in memory (all it would write for it)."""
        ...

    def dump(self, hunt_id: str) -> bytes | None:
        """Its state for one hunt (None: it holds none)."""
        ...

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        """Take back what `dump` gave, for a hunt it holds nothing of yet."""
        ...


class Projector:
    def __init__(self) -> None:
        self.projections: tuple[Projection, ...] = (
            HuntCatalogProjection(),
            TeamProgressProjection(),
            LeaderboardProjection(),
            ClueStatsProjection(),
            ReviewsProjection(),
            AuditFeedProjection(),
            RevisionHistoryProjection(),
            AnnouncementsProjection(),
        )
        self._routes: dict[type[Event], tuple[Handler, ...]] = {
            event_type: tuple(
                p.handlers[event_type] for p in self.projections if event_type in p.handlers
            )
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

    def dump(self, hunt_id: str) -> dict[str, bytes]:
        """Every projection's saved state for one hunt, by projection name."""
        saved: dict[str, bytes] = {}
        for projection in self.projections:
            data = projection.dump(hunt_id)
            if data is not None:
                saved[projection.name] = data
        return saved

    def load(self, hunt_id: str, saved: Mapping[str, bytes], definition: HuntDefinition) -> None:
        """Put back what `dump` gave; ValueError naming a projection this one lacks."""
        by_name = {p.name: p for p in self.projections}
        unknown = sorted(set(saved) - set(by_name))
        if unknown:
            raise ValueError(f"saved state of projections this projector lacks: {unknown}")
        for name, data in saved.items():
            by_name[name].load(hunt_id, data, definition)

    def rows(self, hunt_id: str) -> Changes:
        """Every row of the hunt held in memory; no rows may be waiting to be taken."""
        return {
            (table, hunt_id, key): projection.row(table, hunt_id, key)
            for projection in self.projections
            for table, key in projection.keys(hunt_id)
        }

    def has_untaken(self, hunt_id: str) -> bool:
        return any(key[1] == hunt_id for p in self.projections for key in p.dirty)
