"""The revisions read model: each revision of a hunt with its time and what it
changed, for the organizer console's history."""

from collections.abc import Iterator
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import Event, HuntRevised, RecordedEvent
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import RevisionRow, Table
from questline.domain.projections.saved_form import decoder, encode

_saved = decoder(list[RevisionRow])


def revision_key(revision: int) -> str:
    return f"{revision:012d}"  # keys sort in revision order


class RevisionHistoryProjection:
    name: ClassVar[str] = "revisions"
    tables: tuple[Table, ...] = ("revisions",)
    saved_types: tuple[type, ...] = (RevisionRow,)

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], RevisionRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        assert isinstance(event, HuntRevised)
        key = revision_key(event.revision)
        self._rows[(recorded.hunt_id, key)] = RevisionRow(
            event.revision, recorded.time, event.changes
        )
        self.dirty.add(("revisions", recorded.hunt_id, key))

    ROUTES: ClassVar[Routes] = {HuntRevised: apply}
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def row(self, table: Table, hunt_id: str, key: str) -> RevisionRow:
        return self._rows[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("revisions", key) for (h, key) in self._rows if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        rows = [row for (h, _), row in self._rows.items() if h == hunt_id]
        return encode(rows) if rows else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        for row in _saved.decode(data):
            self._rows[(hunt_id, revision_key(row.revision))] = row
