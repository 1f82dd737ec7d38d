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
from questline.domain.projections.rows import ClueStatsRow, Table
from questline.domain.projections.saved_form import decoder, encode

FIRST_SOLVERS_KEPT = 10


_saved = decoder(list[ClueStatsRow])


class ClueStatsProjection:
    name: ClassVar[str] = "clue_stats"
    tables: tuple[Table, ...] = ("clue_stats",)
    saved_types: tuple[type, ...] = (ClueStatsRow,)
    events: tuple[type[Event], ...] = (
        HuntCreated,
        HuntRevised,
        AnswerWrong,
        ClueSolved,
        KeptGoing,
        HintUnlocked,
        PhotoSubmitted,
        PhotoRejected,
    )

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str], ClueStatsRow] = {}
        self._kept: dict[str, int] = {}  # hunt -> first solves kept per clue
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, HuntCreated | HuntRevised):
            definition = event.definition
            self._kept[hunt_id] = max(FIRST_SOLVERS_KEPT, len(definition.first_solve_bonus))
            for clue in definition.clues:
                if (hunt_id, clue.id) not in self._stats:
                    self._stats[(hunt_id, clue.id)] = ClueStatsRow(clue.id)
                    self.dirty.add(("clue_stats", hunt_id, clue.id))
            return
        if isinstance(event, AnswerWrong):
            self._stats[(hunt_id, event.clue_id)].wrong += 1
        elif isinstance(event, ClueSolved):
            stats = self._stats[(hunt_id, event.clue_id)]
            if event.review_id is not None:
                stats.photos_waiting -= 1
            self._place(hunt_id, stats, event, recorded.version)
        elif isinstance(event, KeptGoing):
            self._stats[(hunt_id, event.clue_id)].keep_going += 1
        elif isinstance(event, HintUnlocked):
            self._stats[(hunt_id, event.clue_id)].hints_unlocked += 1
        elif isinstance(event, PhotoSubmitted):
            self._stats[(hunt_id, event.clue_id)].photos_waiting += 1
        elif isinstance(event, PhotoRejected):
            stats = self._stats[(hunt_id, event.clue_id)]
            stats.photos_waiting -= 1
            stats.wrong += 1
        else:
            return
        self.dirty.add(("clue_stats", hunt_id, event.clue_id))

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
