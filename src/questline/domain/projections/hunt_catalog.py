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
from questline.domain.projections.rows import HuntRow, Table
from questline.domain.projections.saved_form import decoder, encode

_SPECIAL: frozenset[type[Event]] = frozenset(
    {HuntCreated, HuntRevised, HuntPaused, HuntResumed, TeamRegistered}
)
_saved = decoder(HuntRow)
replace = msgspec.structs.replace


class HuntCatalogProjection:
    name: ClassVar[str] = "catalog"
    tables: tuple[Table, ...] = ("hunts",)
    saved_types: tuple[type, ...] = (HuntRow,)
    events: tuple[type[Event], ...] = tuple(EVENT_TYPES.values())  # every event moves the head

    def __init__(self) -> None:
        self._hunts: dict[str, HuntRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if type(event) in _SPECIAL:
            self._special(hunt_id, event, recorded)
        self._hunts[hunt_id] = replace(
            self._hunts[hunt_id], version=recorded.version, last_time=recorded.time
        )
        self.dirty.add(("hunts", hunt_id, hunt_id))

    def _special(self, hunt_id: str, event: Event, recorded: RecordedEvent) -> None:
        if isinstance(event, HuntCreated):
            self._hunts[hunt_id] = HuntRow(event.definition, False, 0, 0, 0, 0)
            return
        hunt = self._hunts[hunt_id]
        if isinstance(event, HuntRevised):
            hunt = replace(hunt, definition=event.definition, revision=event.revision)
        elif isinstance(event, HuntPaused | HuntResumed):
            hunt = replace(hunt, paused=isinstance(event, HuntPaused))
        elif isinstance(event, TeamRegistered):
            freeze_at = hunt.definition.freeze_at
            before_freeze = freeze_at is not None and recorded.time < freeze_at
            by_division = dict(hunt.division_teams)
            before = dict(hunt.division_teams_before_freeze)
            if event.division is not None:
                by_division[event.division] = by_division.get(event.division, 0) + 1
                if before_freeze:
                    before[event.division] = before.get(event.division, 0) + 1
            hunt = replace(
                hunt,
                teams=hunt.teams + 1,
                teams_before_freeze=hunt.teams_before_freeze + before_freeze,
                division_teams=by_division,
                division_teams_before_freeze=before,
            )
        self._hunts[hunt_id] = hunt

    def row(self, table: Table, hunt_id: str, key: str) -> HuntRow:
        return self._hunts[hunt_id]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        if hunt_id in self._hunts:
            yield ("hunts", hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        row = self._hunts.get(hunt_id)
        return encode(row) if row is not None else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        self._hunts[hunt_id] = _saved.decode(data)
