"""The hunts read model: each hunt's definition, pause state and log head."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    EVENT_TYPES,
    Event,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    RecordedEvent,
    TeamRegistered,
)
from questline.domain.projections.rows import HuntRow, Table
from questline.domain.projections.saved_form import decoder, encode
from questline.domain.timestamps import Micros


@dataclass(slots=True)
class _Hunt:
    definition: HuntDefinition
    paused: bool = False
    version: int = 0
    last_time: Micros = 0
    teams: int = 0
    teams_before_freeze: int = 0


_SPECIAL: frozenset[type[Event]] = frozenset({HuntCreated, HuntPaused, HuntResumed, TeamRegistered})


_saved = decoder(HuntRow)


class HuntCatalogProjection:
    name: ClassVar[str] = "catalog"
    tables: tuple[Table, ...] = ("hunts",)
    saved_types: tuple[type, ...] = (HuntRow,)
    events: tuple[type[Event], ...] = tuple(EVENT_TYPES.values())  # every event moves the head

    def __init__(self) -> None:
        self._hunts: dict[str, _Hunt] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        cls = type(event)
        if cls in _SPECIAL:
            if isinstance(event, HuntCreated):
                self._hunts[hunt_id] = _Hunt(event.definition)
            elif isinstance(event, HuntPaused):
                self._hunts[hunt_id].paused = True
            elif isinstance(event, HuntResumed):
                self._hunts[hunt_id].paused = False
            elif isinstance(event, TeamRegistered):
                hunt = self._hunts[hunt_id]
                hunt.teams += 1
                freeze_at = hunt.definition.freeze_at
                if freeze_at is not None and recorded.time < freeze_at:
                    hunt.teams_before_freeze += 1
        hunt = self._hunts[hunt_id]
        hunt.version = recorded.version
        hunt.last_time = recorded.time
        self.dirty.add(("hunts", hunt_id, hunt_id))

    def row(self, table: Table, hunt_id: str, key: str) -> HuntRow:
        h = self._hunts[hunt_id]
        return HuntRow(
            h.definition, h.paused, h.version, h.last_time, h.teams, h.teams_before_freeze
        )

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        if hunt_id in self._hunts:
            yield ("hunts", hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        return encode(self.row("hunts", hunt_id, hunt_id)) if hunt_id in self._hunts else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        h = _saved.decode(data)
        self._hunts[hunt_id] = _Hunt(
            h.definition, h.paused, h.version, h.last_time, h.teams, h.teams_before_freeze
        )
