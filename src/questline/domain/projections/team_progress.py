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
    HuntCreated,
    HuntRevised,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    RecordedEvent,
    ScoreAdjusted,
    TeamMessaged,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.openness import clue_open
from questline.domain.projections.rows import (
    AdjustmentNote,
    MessageNote,
    ReviewNote,
    Table,
    TeamRow,
)
from questline.domain.projections.saved_form import decoder, encode


class _Saved(msgspec.Struct, frozen=True):
    teams: list[TeamRow]
    count: int
    definition: HuntDefinition | None = None


_saved = decoder(_Saved)


class TeamProgressProjection:
    name: ClassVar[str] = "teams"
    tables: tuple[Table, ...] = ("teams",)
    saved_types: tuple[type, ...] = (_Saved, TeamRow)
    events: tuple[type[Event], ...] = (
        AnswerWrong,
        PhotoRejected,
        ClueSolved,
        PartSolved,
        HintUnlocked,
        TeamRegistered,
        TokenIssued,
        PhotoSubmitted,
        ScoreAdjusted,
        TeamMessaged,
        HuntCreated,
        HuntRevised,
    )

    def __init__(self) -> None:
        self._teams: dict[tuple[str, str], TeamRow] = {}
        self._counts: dict[str, int] = {}
        self._definitions: dict[str, HuntDefinition] = {}  # in force, for what stays open
        self.dirty: set[tuple[Table, str, str]] = set()

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        hunt_id = recorded.hunt_id
        if isinstance(event, HuntCreated | HuntRevised):
            if isinstance(event, HuntRevised):
                self._keep_open(hunt_id, recorded)
            self._definitions[hunt_id] = event.definition
            return
        if isinstance(event, AnswerWrong | PhotoRejected):
            team = self._teams[(hunt_id, event.team_id)]
            team.wrong[event.clue_id] = team.wrong.get(event.clue_id, 0) + 1
            team.pending.pop(event.clue_id, None)
            team.penalties += event.penalty
            if isinstance(event, PhotoRejected):
                team.reviews.append(ReviewNote(event.clue_id, False, event.reason, recorded.time))
        elif isinstance(event, ClueSolved):
            team = self._teams[(hunt_id, event.team_id)]
            at = event.counts_at if event.counts_at is not None else recorded.version
            team.solved[event.clue_id] = min(at, team.solved.get(event.clue_id, at))
            team.pending.pop(event.clue_id, None)
            team.penalties -= event.refund
            if event.review_id is not None:
                team.reviews.append(ReviewNote(event.clue_id, True, event.reason, recorded.time))
        elif isinstance(event, PartSolved):
            team = self._teams[(hunt_id, event.team_id)]
            parts = team.parts.setdefault(event.clue_id, [])
            if event.part_id not in parts:  # a rejudged part may move an earlier solve
                parts.append(event.part_id)
            team.penalties -= event.refund
        elif isinstance(event, HintUnlocked):
            team = self._teams[(hunt_id, event.team_id)]
            team.hints.append((event.clue_id, event.hint_id))
            team.hint_costs += event.cost
        elif isinstance(event, TeamRegistered):
            order = self._counts.get(hunt_id, 0) + 1
            self._counts[hunt_id] = order
            self._teams[(hunt_id, event.team_id)] = TeamRow(
                event.team_id,
                event.name,
                order,
                event.token_hash,
                recorded.time,
                division=event.division,
                tokens=[event.token_hash],
            )
        elif isinstance(event, TokenIssued):
            team = self._teams[(hunt_id, event.team_id)]
            kept = [] if event.revoke_others else team.tokens
            team.tokens = [*kept, event.token_hash]
        elif isinstance(event, PhotoSubmitted):
            self._teams[(hunt_id, event.team_id)].pending[event.clue_id] = event.review_id
        elif isinstance(event, ScoreAdjusted):
            team = self._teams[(hunt_id, event.team_id)]
            team.adjustments += event.points
            team.adjustment_notes.append(AdjustmentNote(event.points, event.reason, recorded.time))
        elif isinstance(event, TeamMessaged):
            team = self._teams[(hunt_id, event.team_id)]
            team.messages.append(MessageNote(event.text, recorded.time))
        else:
            return
        self.dirty.add(("teams", hunt_id, event.team_id))

    def _keep_open(self, hunt_id: str, recorded: RecordedEvent) -> None:
        """What is open for each team under the rules a revision replaces stays open."""
        old = self._definitions[hunt_id]
        for (hunt, key), team in self._teams.items():
            if hunt != hunt_id:
                continue
            opened = [
                clue.id
                for clue in old.clues
                if clue.id not in team.kept_open
                and clue_open(old, clue, team.solved, recorded.time, team.kept_open)
            ]
            if opened:
                team.kept_open = sorted({*team.kept_open, *opened})
                self.dirty.add(("teams", hunt_id, key))

    def row(self, table: Table, hunt_id: str, key: str) -> TeamRow:
        return self._teams[(hunt_id, key)]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("teams", team) for (h, team) in self._teams if h == hunt_id)

    def dump(self, hunt_id: str) -> bytes | None:
        teams = [row for (h, _), row in self._teams.items() if h == hunt_id]
        count = self._counts.get(hunt_id, 0)
        definition = self._definitions.get(hunt_id)
        if not teams and not count and definition is None:
            return None
        return encode(_Saved(teams, count, definition))

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        saved = _saved.decode(data)
        for team in saved.teams:
            self._teams[(hunt_id, team.team_id)] = team
        if saved.count:
            self._counts[hunt_id] = saved.count
        self._definitions[hunt_id] = saved.definition or definition
