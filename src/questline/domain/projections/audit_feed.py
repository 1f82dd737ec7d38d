"""The audit feed: one readable line per event that changed standings or the hunt.

Wrong answers and keep-going hits are left to the clue statistics; the log
itself keeps every event.
"""

from collections.abc import Iterator
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    EVENT_TYPES,
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    HuntRevised,
    KeptGoing,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    ReadModelHealed,
    RecordedEvent,
    ScoreAdjusted,
    TeamMessaged,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import AuditRow, Table


def audit_key(version: int) -> str:
    return f"{version:012d}"


def summarize(event: Event) -> tuple[str | None, str]:
    """(team id, one line) for an event."""
    if isinstance(event, ClueSolved):
        how = f" (photo {event.review_id} approved)" if event.review_id else ""
        if event.counts_at_time is not None:  # only rejudging sets it
            how = f" (rejudged: counts at version {event.counts_at})"
        return event.team_id, (
            f"{event.team_id} solved {event.clue_id} as solver #{event.solve_number}"
            f" for {event.points} points + {event.bonus} bonus{how}"
        )
    if isinstance(event, PartSolved):
        return event.team_id, (
            f"{event.team_id} solved part {event.part_id} of {event.clue_id}"
            f" for {event.points} points"
        )
    if isinstance(event, HintUnlocked):
        return (
            event.team_id,
            f"{event.team_id} unlocked hint {event.hint_id} of {event.clue_id} for {event.cost}",
        )
    if isinstance(event, ScoreAdjusted):
        return event.team_id, f"{event.team_id} adjusted by {event.points:+d}: {event.reason}"
    if isinstance(event, TeamRegistered):
        return event.team_id, f"{event.team_id} registered as {event.name!r}"
    if isinstance(event, PhotoSubmitted):
        return event.team_id, f"{event.team_id} sent photo {event.review_id} for {event.clue_id}"
    if isinstance(event, PhotoRejected):
        return event.team_id, f"photo {event.review_id} of {event.team_id} rejected: {event.reason}"
    if isinstance(event, AnswerWrong):
        return event.team_id, f"{event.team_id} answered {event.clue_id} wrong"
    if isinstance(event, KeptGoing):
        return event.team_id, f"{event.team_id} is on the way with {event.clue_id}"
    if isinstance(event, HuntCreated):
        return None, f"hunt created: {event.definition.title}"
    if isinstance(event, HuntRevised):
        changed = "; ".join(event.changes) if event.changes else "no changes"
        return None, f"revision {event.revision}: {changed}"
    if isinstance(event, TokenIssued):
        cut = " (earlier tokens revoked)" if event.revoke_others else ""
        return event.team_id, f"{event.team_id} got a new token{cut}"
    if isinstance(event, TeamMessaged):
        return event.team_id, f"message to {event.team_id}: {event.text}"
    if isinstance(event, HuntPaused):
        return None, "hunt paused"
    if isinstance(event, HuntResumed):
        return None, "hunt resumed"
    if isinstance(event, AnnouncementMade):
        return None, f"announcement: {event.text}"
    if isinstance(event, ReadModelHealed):
        return None, f"read model {event.projection} healed ({event.differences} differences)"
    raise TypeError(type(event).__name__)


class AuditFeedProjection:
    """Append-only: rows are handed out once and kept nowhere, so it has no state to
    save and holds no rows in memory."""

    name: ClassVar[str] = "audit"
    tables: tuple[Table, ...] = ("audit",)
    saved_types: tuple[type, ...] = ()

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str], AuditRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        handler = self.handlers.get(type(recorded.event))
        if handler is not None:
            handler(recorded)

    def _line(self, recorded: RecordedEvent) -> None:
        team_id, line = summarize(recorded.event)
        key = audit_key(recorded.version)
        self._pending[(recorded.hunt_id, key)] = AuditRow(
            recorded.version, recorded.time, recorded.type, team_id, line
        )
        self.dirty.add(("audit", recorded.hunt_id, key))

    ROUTES: ClassVar[Routes] = dict.fromkeys(
        (t for t in EVENT_TYPES.values() if t not in (AnswerWrong, KeptGoing)), _line
    )
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def row(self, table: Table, hunt_id: str, key: str) -> AuditRow:
        # Audit rows never change once written, so only the unflushed ones are kept.
        return self._pending.pop((hunt_id, key))

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return iter(())

    def dump(self, hunt_id: str) -> bytes | None:
        return None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        raise ValueError("the audit feed keeps no state to load")
