"""The clue statistics read model: solves, wrong answers, keep-going hits, hints."""

from collections.abc import Iterator
from typing import ClassVar

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
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
        AnswerWrong,
        ClueSolved,
        KeptGoing,
        HintUnlocked,
        PhotoSubmitted,
        PhotoRejected,
    )

    def __init__(self) -> None:
        self._stats: dict[tuple[str, str], ClueStatsRow] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, HuntCreated):
            for clue in event.definition.clues:
                self._stats[(hunt_id, clue.id)] = ClueStatsRow(clue.id)
                self.dirty.add(("clue_stats", hunt_id, clue.id))
            return
        if isinstance(event, AnswerWrong):
            self._stats[(hunt_id, event.clue_id)].wrong += 1
        elif isinstance(event, ClueSolved):
            stats = self._stats[(hunt_id, event.clue_id)]
            stats.solves += 1
            if event.review_id is not None:
                stats.photos_waiting -= 1
            if len(stats.first_solvers) < FIRST_SOLVERS_KEPT:
                stats.first_solvers.append(event.team_id)
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

    def row(self, table: Table, hunt_id: str, key: str) -> ClueStatsRow:
        return self._stats[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("clue_stats", clue) for (h, clue) in self._stats if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        rows = [row for (h, _), row in self._stats.items() if h == hunt_id]
        return encode(rows) if rows else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        for stats in _saved.decode(data):
            self._stats[(hunt_id, stats.clue_id)] = stats
