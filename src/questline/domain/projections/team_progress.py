"""The teams read model: each team's progress, as its own page shows it.

The projection's state is the rows themselves (mutable TeamRow structs): a
row handed out is valid until the next event is applied, which is enough for
the engine, which writes it in the same batch.
"""

from collections.abc import Iterator
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
    ScoreAdjusted,
    TeamRegistered,
)
from questline.domain.projections.rows import Table, TeamRow
from questline.domain.projections.saved_form import decoder, encode


class _Saved(msgspec.Struct, frozen=True):
    teams: list[TeamRow]
    count: int


_saved = decoder(_Saved)


class TeamProgressProjection:
    name: ClassVar[str] = "teams"
    tables: tuple[Table, ...] = ("teams",)
    saved_types: tuple[type, ...] = (_Saved, TeamRow)
    events: tuple[type[Event], ...] = (
        AnswerWrong,
        PhotoRejected,
        ClueSolved,
        HintUnlocked,
        TeamRegistered,
        PhotoSubmitted,
        ScoreAdjusted,
    )

    def __init__(self) -> None:
        self._teams: dict[tuple[str, str], TeamRow] = {}
        self._counts: dict[str, int] = {}
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, AnswerWrong) or isinstance(event, PhotoRejected):  # noqa: SIM101
            team = self._teams[(hunt_id, event.team_id)]
            team.wrong[event.clue_id] = team.wrong.get(event.clue_id, 0) + 1
            team.pending.pop(event.clue_id, None)
        elif isinstance(event, ClueSolved):
            team = self._teams[(hunt_id, event.team_id)]
            team.solved[event.clue_id] = recorded.version
            team.pending.pop(event.clue_id, None)
            if event.bonus:
                team.bonus[event.clue_id] = event.bonus
        elif isinstance(event, HintUnlocked):
            team = self._teams[(hunt_id, event.team_id)]
            team.hints.append((event.clue_id, event.hint_id))
            team.hint_costs += event.cost
        elif isinstance(event, TeamRegistered):
            order = self._counts.get(hunt_id, 0) + 1
            self._counts[hunt_id] = order
            self._teams[(hunt_id, event.team_id)] = TeamRow(
                event.team_id, event.name, order, event.token_hash, recorded.time
            )
        elif isinstance(event, PhotoSubmitted):
            self._teams[(hunt_id, event.team_id)].pending[event.clue_id] = event.review_id
        elif isinstance(event, ScoreAdjusted):
            self._teams[(hunt_id, event.team_id)].adjustments += event.points
        else:
            return
        self.dirty.add(("teams", hunt_id, event.team_id))

    def row(self, table: Table, hunt_id: str, key: str) -> TeamRow:
        return self._teams[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("teams", team) for (h, team) in self._teams if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        teams = [row for (h, _), row in self._teams.items() if h == hunt_id]
        count = self._counts.get(hunt_id, 0)
        return encode(_Saved(teams, count)) if teams or count else None

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        saved = _saved.decode(data)
        for team in saved.teams:
            self._teams[(hunt_id, team.team_id)] = team
        if saved.count:
            self._counts[hunt_id] = saved.count
