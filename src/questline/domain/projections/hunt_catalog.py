"""The hunts read model: each hunt's definition in force and its revision, pause
state, log head and team counts (in all and per division, before the freeze)."""

from collections.abc import Iterator
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    EVENT_TYPES,
    Event,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    HuntRevised,
    RecordedEvent,
    TeamRegistered,
)
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import HuntRow, Table
from questline.domain.projections.saved_form import decoder, encode
from questline.domain.timestamps import Micros

_saved = decoder(HuntRow)
replace = msgspec.structs.replace


class _Head:
    """Where a hunt's log is: it moves with every event, the rest of its row seldom."""

    __slots__ = ("key", "time", "version")

    def __init__(self, hunt_id: str, version: int, time: Micros) -> None:
        self.key: tuple[Table, str, str] = ("hunts", hunt_id, hunt_id)
        self.version = version
        self.time = time


class HuntCatalogProjection:
    name: ClassVar[str] = "catalog"
    tables: tuple[Table, ...] = ("hunts",)
    saved_types: tuple[type, ...] = (HuntRow,)

    def __init__(self) -> None:
        # Each hunt's row as of its last change but for the head (`_heads`).
        self._hunts: dict[str, HuntRow] = {}
        self._heads: dict[str, _Head] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        self.handlers[type(recorded.event)](recorded)

    def _moved(self, recorded: RecordedEvent) -> None:
        """Every event moves the head."""
        head = self._heads[recorded.hunt_id]
        head.version = recorded.version
        head.time = recorded.time
        self.dirty.add(head.key)

    def _created(self, recorded: RecordedEvent) -> None:
        event: HuntCreated = recorded.event  # type: ignore[assignment]
        definition = event.definition
        hunt_id = recorded.hunt_id
        self._hunts[hunt_id] = HuntRow(definition, False, 0, 0, 0, 0)
        self._heads[hunt_id] = _Head(hunt_id, 0, 0)
        self._moved(recorded)

    def _revised(self, recorded: RecordedEvent) -> None:
        event: HuntRevised = recorded.event  # type: ignore[assignment]
        hunt = self._hunts[recorded.hunt_id]
        self._hunts[recorded.hunt_id] = replace(
            hunt, definition=event.definition, revision=event.revision
        )
        self._moved(recorded)

    def _paused(self, recorded: RecordedEvent) -> None:
        paused = isinstance(recorded.event, HuntPaused)
        self._hunts[recorded.hunt_id] = replace(self._hunts[recorded.hunt_id], paused=paused)
        self._moved(recorded)

    def _registered(self, recorded: RecordedEvent) -> None:
        event: TeamRegistered = recorded.event  # type: ignore[assignment]
        hunt = self._hunts[recorded.hunt_id]
        freeze_at = hunt.definition.freeze_at
        before_freeze = freeze_at is not None and recorded.time < freeze_at
        by_division = dict(hunt.division_teams)
        before = dict(hunt.division_teams_before_freeze)
        if event.division is not None:
            by_division[event.division] = by_division.get(event.division, 0) + 1
            if before_freeze:
                before[event.division] = before.get(event.division, 0) + 1
        self._hunts[recorded.hunt_id] = replace(
            hunt,
            teams=hunt.teams + 1,
            teams_before_freeze=hunt.teams_before_freeze + before_freeze,
            division_teams=by_division,
            division_teams_before_freeze=before,
        )
        self._moved(recorded)

    _SPECIAL: ClassVar[Routes] = {
        HuntCreated: _created,
        HuntRevised: _revised,
        HuntPaused: _paused,
        HuntResumed: _paused,
        TeamRegistered: _registered,
    }
    # Every event moves the head; these also change the rest of the row.
    ROUTES: ClassVar[Routes] = dict.fromkeys(EVENT_TYPES.values(), _moved) | _SPECIAL
    reshaping: ClassVar[tuple[type[Event], ...]] = tuple(_SPECIAL)
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def row(self, table: Table, hunt_id: str, key: str) -> HuntRow:
        row = self._hunts[hunt_id]
        head = self._heads[hunt_id]
        if row.version != head.version or row.last_time != head.time:
            row = self._hunts[hunt_id] = replace(row, version=head.version, last_time=head.time)
        return row

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        if hunt_id in self._hunts:
            yield ("hunts", hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        return encode(self.row("hunts", hunt_id, hunt_id)) if hunt_id in self._hunts else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        row = _saved.decode(data)
        self._hunts[hunt_id] = row
        self._heads[hunt_id] = _Head(hunt_id, row.version, row.last_time)
