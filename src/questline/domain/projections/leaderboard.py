"""The leaderboard read model: a live board, and the board as of `freeze_at`.

Both are `Standings` folds (the ranking rules live there); the frozen one takes
only the events before `freeze_at`. A new solver of a dynamic clue, or a
revision, changes the rows of every team it revalues in the same step.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    AnswerWrong,
    Event,
    HuntCreated,
    HuntRevised,
    PhotoRejected,
    RecordedEvent,
)
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import LeaderboardRow, Table
from questline.domain.projections.saved_form import decoder, encode
from questline.domain.standings import (
    NOT_FINISHED,
    STANDINGS_EVENTS,
    EntryData,
    Standings,
    StandingsData,
)
from questline.domain.timestamps import Micros


def board_row(standings: Standings, team_id: str) -> LeaderboardRow:
    entry = standings.entries[team_id]
    ranked_by_finish = standings.definition.ranking == "finish"
    return LeaderboardRow(
        team_id,
        entry.name,
        standings.score(team_id),
        entry.solved,
        entry.last_scoring_version,
        entry.order,
        entry.finished if ranked_by_finish else NOT_FINISHED,
        entry.finished_at,
        entry.division,
    )


@dataclass(slots=True)
class _HuntBoards:
    live: Standings
    frozen: Standings | None
    frozen_final: bool = False  # the freeze has passed: the frozen board never changes

    def freeze_at(self) -> Micros | None:
        return self.live.definition.freeze_at


class _Saved(msgspec.Struct, frozen=True):
    live: StandingsData
    frozen: StandingsData | None
    frozen_definition: HuntDefinition | None  # in force before the freeze
    frozen_final: bool


_saved = decoder(_Saved)


class LeaderboardProjection:
    name: ClassVar[str] = "boards"
    tables: tuple[Table, ...] = ("leaderboard_live", "leaderboard_frozen")
    saved_types: tuple[type, ...] = (_Saved, StandingsData, EntryData)

    def __init__(self) -> None:
        self._hunts: dict[str, _HuntBoards] = {}
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        handler = self.handlers.get(type(recorded.event))
        if handler is not None:
            handler(recorded)

    def _created(self, recorded: RecordedEvent) -> None:
        event: HuntCreated = recorded.event  # type: ignore[assignment]
        definition = event.definition
        frozen = Standings(definition) if definition.freeze_at is not None else None
        self._hunts[recorded.hunt_id] = _HuntBoards(Standings(definition), frozen)

    def _wrong(self, recorded: RecordedEvent) -> None:
        """The bulk of all events: without a penalty it changes no board, and only the
        freeze may have to be noticed."""
        event: AnswerWrong | PhotoRejected = recorded.event  # type: ignore[assignment]
        if event.penalty:
            self._changed(recorded)
            return
        boards = self._hunts[recorded.hunt_id]
        if boards.frozen is None or boards.frozen_final:
            return
        freeze_at = boards.freeze_at()
        if freeze_at is not None and recorded.time >= freeze_at:
            boards.frozen_final = True  # per-hunt event times only grow

    def _changed(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        boards = self._hunts[hunt_id]
        revised = event.definition if isinstance(event, HuntRevised) else None
        if boards.frozen is None and revised is not None and revised.freeze_at is not None:
            boards.frozen = _copy(boards.live)  # a freeze added by a revision
            boards.frozen_final = recorded.time >= revised.freeze_at
        dirty = self.dirty
        for team_id in boards.live.apply(recorded):
            dirty.add(("leaderboard_live", hunt_id, team_id))
        frozen = boards.frozen
        if frozen is None or boards.frozen_final:
            return
        freeze_at = boards.freeze_at()
        if freeze_at is None:
            return
        if recorded.time >= freeze_at:
            boards.frozen_final = True  # per-hunt event times only grow
            return
        for team_id in frozen.apply(recorded):
            dirty.add(("leaderboard_frozen", hunt_id, team_id))

    # Only these change a board. Skipping the others also defers noticing the freeze
    # to the next of these, which changes nothing: it is checked before every change.
    ROUTES: ClassVar[Routes] = {
        **dict.fromkeys(STANDINGS_EVENTS, _changed),
        HuntCreated: _created,
        AnswerWrong: _wrong,
        PhotoRejected: _wrong,
    }
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def row(self, table: Table, hunt_id: str, key: str) -> LeaderboardRow:
        boards = self._hunts[hunt_id]
        if table == "leaderboard_live":
            return board_row(boards.live, key)
        if boards.frozen is None:
            raise KeyError((table, hunt_id, key))
        return board_row(boards.frozen, key)

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        boards = self._hunts.get(hunt_id)
        if boards is None:
            return
        yield from (("leaderboard_live", team) for team in boards.live.entries)
        if boards.frozen is not None:
            yield from (("leaderboard_frozen", team) for team in boards.frozen.entries)

    def dump(self, hunt_id: str) -> bytes | None:
        boards = self._hunts.get(hunt_id)
        if boards is None:
            return None
        frozen = boards.frozen
        return encode(
            _Saved(
                boards.live.dump(),
                frozen.dump() if frozen is not None else None,
                frozen.definition if frozen is not None else None,
                boards.frozen_final,
            )
        )

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        saved = _saved.decode(data)
        live = Standings.load(definition, saved.live)
        frozen = None
        if saved.frozen is not None:
            frozen = Standings.load(saved.frozen_definition or definition, saved.frozen)
        self._hunts[hunt_id] = _HuntBoards(live, frozen, saved.frozen_final)


def _copy(standings: Standings) -> Standings:
    return Standings.load(standings.definition, standings.dump())
