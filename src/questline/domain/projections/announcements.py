"""The announcements read model: every announcement of a hunt, so a page opened
later, or a team mate who joins later, sees what was said before."""

from collections.abc import Iterator
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import AnnouncementMade, Event, RecordedEvent
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import AnnouncementRow, Table
from questline.domain.projections.saved_form import decoder, encode

_saved = decoder(list[AnnouncementRow])


def announcement_key(version: int) -> str:
    return f"{version:012d}"  # keys sort in log order


class AnnouncementsProjection:
    name: ClassVar[str] = "announcements"
    tables: tuple[Table, ...] = ("announcements",)
    saved_types: tuple[type, ...] = (AnnouncementRow,)

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], AnnouncementRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        assert isinstance(event, AnnouncementMade)
        key = announcement_key(recorded.version)
        self._rows[(recorded.hunt_id, key)] = AnnouncementRow(
            recorded.version, recorded.time, event.text
        )
        self.dirty.add(("announcements", recorded.hunt_id, key))

    ROUTES: ClassVar[Routes] = {AnnouncementMade: apply}
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def row(self, table: Table, hunt_id: str, key: str) -> AnnouncementRow:
        return self._rows[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("announcements", key) for (h, key) in self._rows if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        rows = [row for (h, _), row in self._rows.items() if h == hunt_id]
        return encode(rows) if rows else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        for row in _saved.decode(data):
            self._rows[(hunt_id, announcement_key(row.id))] = row
