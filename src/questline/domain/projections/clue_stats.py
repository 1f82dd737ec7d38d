"""The clue statistics read model: solves, wrong answers, keep-going hits, hints."""

from bisect import insort
from collections.abc import Iterator
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    HuntRevised,
    KeptGoing,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
)
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import ClueStatsRow, Table
from questline.domain.projections.saved_form import decoder, encode

FIRST_SOLVERS_KEPT = 10


_saved = decoder(list[ClueStatsRow])


class ClueStatsProjection:
    name: ClassVar[str] = "clue_stats"
    tables: tuple[Table, ...] = ("clue_stats",)
    saved_types: tuple[type, ...] = (ClueStatsRow,)

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str], ClueStatsRow] = {}
        self._kept: dict[str, int] = {}  # hunt -> first solves kept per clue
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        handler = self.handlers.get(type(recorded.event))
        if handler is not None:
            handler(recorded)

    def _defined(self, recorded: RecordedEvent) -> None:
        event: HuntCreated | HuntRevised = recorded.event  # type: ignore[assignment]
        definition = event.definition
        hunt_id = recorded.hunt_id
        self._kept[hunt_id] = max(FIRST_SOLVERS_KEPT, len(definition.first_solve_bonus))
        for clue in definition.clues:
            if (hunt_id, clue.id) not in self._stats:
                self._stats[(hunt_id, clue.id)] = ClueStatsRow(clue.id)
                self.dirty.add(("clue_stats", hunt_id, clue.id))

    def _wrong(self, recorded: RecordedEvent) -> None:
        event: AnswerWrong = recorded.event  # type: ignore[assignment]
        clue_id = event.clue_id
        self._stats[(recorded.hunt_id, clue_id)].wrong += 1
        self.dirty.add(("clue_stats", recorded.hunt_id, clue_id))

    def _solved(self, recorded: RecordedEvent) -> None:
        event: ClueSolved = recorded.event  # type: ignore[assignment]
        hunt_id = recorded.hunt_id
        stats = self._stats[(hunt_id, event.clue_id)]
        if event.review_id is not None:
            stats.photos_waiting -= 1
        self._place(hunt_id, stats, event, recorded.version)
        self.dirty.add(("clue_stats", hunt_id, event.clue_id))

    def _kept_going(self, recorded: RecordedEvent) -> None:
        event: KeptGoing = recorded.event  # type: ignore[assignment]
        clue_id = event.clue_id
        self._stats[(recorded.hunt_id, clue_id)].keep_going += 1
        self.dirty.add(("clue_stats", recorded.hunt_id, clue_id))

    def _hint(self, recorded: RecordedEvent) -> None:
        event: HintUnlocked = recorded.event  # type: ignore[assignment]
        clue_id = event.clue_id
        self._stats[(recorded.hunt_id, clue_id)].hints_unlocked += 1
        self.dirty.add(("clue_stats", recorded.hunt_id, clue_id))

    def _photo(self, recorded: RecordedEvent) -> None:
        event: PhotoSubmitted = recorded.event  # type: ignore[assignment]
        clue_id = event.clue_id
        self._stats[(recorded.hunt_id, clue_id)].photos_waiting += 1
        self.dirty.add(("clue_stats", recorded.hunt_id, clue_id))

    def _rejected(self, recorded: RecordedEvent) -> None:
        event: PhotoRejected = recorded.event  # type: ignore[assignment]
        clue_id = event.clue_id
        stats = self._stats[(recorded.hunt_id, clue_id)]
        stats.photos_waiting -= 1
        stats.wrong += 1
        self.dirty.add(("clue_stats", recorded.hunt_id, clue_id))

    ROUTES: ClassVar[Routes] = {
        HuntCreated: _defined,
        HuntRevised: _defined,
        AnswerWrong: _wrong,
        ClueSolved: _solved,
        KeptGoing: _kept_going,
        HintUnlocked: _hint,
        PhotoSubmitted: _photo,
        PhotoRejected: _rejected,
    }
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def _place(self, hunt_id: str, stats: ClueStatsRow, event: ClueSolved, version: int) -> None:
        """Count the solve and keep the first ones in the order they count at (a solve
        found by rejudging may move the team's later one back)."""
        at = event.counts_at if event.counts_at is not None else version
        first = stats.first_solves
        if event.moved_from is None:
            stats.solves += 1
        elif (event.moved_from, event.team_id) in first:
            first.remove((event.moved_from, event.team_id))
        insort(first, (at, event.team_id))
        del first[self._kept[hunt_id] :]

    def row(self, table: Table, hunt_id: str, key: str) -> ClueStatsRow:
        return self._stats[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("clue_stats", clue) for (h, clue) in self._stats if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        rows = [row for (h, _), row in self._stats.items() if h == hunt_id]
        return encode(rows) if rows else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        self._kept[hunt_id] = max(FIRST_SOLVERS_KEPT, len(definition.first_solve_bonus))
        for stats in _saved.decode(data):
            self._stats[(hunt_id, stats.clue_id)] = stats
