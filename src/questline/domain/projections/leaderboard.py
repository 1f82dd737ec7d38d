"""The leaderboard read model: a live board, and the board as of `freeze_at`.

Scores come from a ScoreSheet, so a new solver of a dynamic clue lowers the
rows of every earlier solver in the same step.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    RecordedEvent,
    ScoreAdjusted,
    TeamRegistered,
)
from questline.domain.projections.rows import NO_SCORING_EVENT, LeaderboardRow, Table
from questline.domain.projections.saved_form import decoder, encode
from questline.domain.score_sheet import ScoresData, ScoreSheet
from questline.domain.timestamps import Micros


@dataclass(slots=True)
class _Entry:
    name: str
    order: int
    solved: int = 0
    last_scoring_version: int = NO_SCORING_EVENT


@dataclass(slots=True)
class _Board:
    scores: ScoreSheet
    entries: dict[str, _Entry] = field(default_factory=dict)

    def apply(self, recorded: RecordedEvent) -> list[str]:
        """Fold one event; return the teams whose rows changed."""
        event = recorded.event
        if isinstance(event, ClueSolved):
            entry = self.entries[event.team_id]
            entry.solved += 1
            entry.last_scoring_version = recorded.version
            return [event.team_id, *self.scores.solve(event.team_id, event.clue_id, event.bonus)]
        if isinstance(event, HintUnlocked):
            if not event.cost:
                return []
            self.scores.add(event.team_id, -event.cost)
            self.entries[event.team_id].last_scoring_version = recorded.version
            return [event.team_id]
        if isinstance(event, ScoreAdjusted):
            self.scores.add(event.team_id, event.points)
            if event.points:  # only a non-zero adjustment is the team's own scoring event
                self.entries[event.team_id].last_scoring_version = recorded.version
            return [event.team_id]
        if isinstance(event, TeamRegistered):
            self.entries[event.team_id] = _Entry(event.name, len(self.entries) + 1)
            self.scores.add_team(event.team_id)
            return [event.team_id]
        return []

    def row(self, team_id: str) -> LeaderboardRow:
        entry = self.entries[team_id]
        return LeaderboardRow(
            team_id,
            entry.name,
            self.scores.score(team_id),
            entry.solved,
            entry.last_scoring_version,
            entry.order,
        )


class _EntryData(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    order: int
    solved: int
    last_scoring_version: int


class _BoardData(msgspec.Struct, frozen=True):
    scores: ScoresData
    entries: list[_EntryData]


class _Saved(msgspec.Struct, frozen=True):
    live: _BoardData
    frozen: _BoardData | None
    freeze_at: Micros | None
    frozen_final: bool


_saved = decoder(_Saved)


def _dump_board(board: _Board) -> _BoardData:
    return _BoardData(
        board.scores.dump(),
        [
            _EntryData(team, e.name, e.order, e.solved, e.last_scoring_version)
            for team, e in board.entries.items()
        ],
    )


def _load_board(data: _BoardData, definition: HuntDefinition) -> _Board:
    board = _Board(ScoreSheet.load(definition, data.scores))
    for e in data.entries:
        board.entries[e.team_id] = _Entry(e.name, e.order, e.solved, e.last_scoring_version)
    return board


@dataclass(slots=True)
class _HuntBoards:
    live: _Board
    frozen: _Board | None
    freeze_at: Micros | None
    frozen_final: bool = False


class LeaderboardProjection:
    name: ClassVar[str] = "boards"
    tables: tuple[Table, ...] = ("leaderboard_live", "leaderboard_frozen")
    saved_types: tuple[type, ...] = (_Saved, _BoardData, _EntryData, ScoresData)
    # Only these change a board. Skipping the others also defers noticing the freeze
    # to the next of these, which changes nothing: it is checked before every change.
    events: tuple[type[Event], ...] = (
        HuntCreated,
        ClueSolved,
        HintUnlocked,
        ScoreAdjusted,
        TeamRegistered,
    )

    def __init__(self) -> None:
        self._hunts: dict[str, _HuntBoards] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, HuntCreated):
            definition = event.definition
            frozen = _Board(ScoreSheet(definition)) if definition.freeze_at is not None else None
            self._hunts[hunt_id] = _HuntBoards(
                _Board(ScoreSheet(definition)), frozen, definition.freeze_at
            )
            return
        boards = self._hunts[hunt_id]
        for team_id in boards.live.apply(recorded):
            self.dirty.add(("leaderboard_live", hunt_id, team_id))
        frozen = boards.frozen
        if frozen is None or boards.frozen_final or boards.freeze_at is None:
            return
        if recorded.time >= boards.freeze_at:
            boards.frozen_final = True  # per-hunt event times only grow
            return
        for team_id in frozen.apply(recorded):
            self.dirty.add(("leaderboard_frozen", hunt_id, team_id))

    def row(self, table: Table, hunt_id: str, key: str) -> LeaderboardRow:
        boards = self._hunts[hunt_id]
        if table == "leaderboard_live":
            return boards.live.row(key)
        if boards.frozen is None:
            raise KeyError((table, hunt_id, key))
        return boards.frozen.row(key)

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
        frozen = _dump_board(boards.frozen) if boards.frozen is not None else None
        return encode(
            _Saved(_dump_board(boards.live), frozen, boards.freeze_at, boards.frozen_final)
        )

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        saved = _saved.decode(data)
        self._hunts[hunt_id] = _HuntBoards(
            _load_board(saved.live, definition),
            _load_board(saved.frozen, definition) if saved.frozen is not None else None,
            saved.freeze_at,
            saved.frozen_final,
        )
