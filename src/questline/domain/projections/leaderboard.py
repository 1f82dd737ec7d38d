"""The leaderboard read model: a live board, and the board as of `freeze_at`.

Scores come from a ScoreSheet, so a new solver of a dynamic clue lowers the
rows of every earlier solver in the same step.
"""

from dataclasses import dataclass, field

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
from questline.domain.score_sheet import ScoreSheet
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


@dataclass(slots=True)
class _HuntBoards:
    live: _Board
    frozen: _Board | None
    freeze_at: Micros | None
    frozen_final: bool = False


class LeaderboardProjection:
    tables: tuple[Table, ...] = ("leaderboard_live", "leaderboard_frozen")
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
