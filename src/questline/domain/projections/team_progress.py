"""The teams read model: each team's progress, as its own page shows it.

The projection's state is the rows themselves (mutable TeamRow structs): a
row handed out is valid until the next event is applied, which is enough for
the engine, which writes it in the same batch. A new row shares empty
containers (shared_empty.py) until the team has something to put in them.
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
from questline.domain.projections.routing import Routes, bind
from questline.domain.projections.rows import (
    AdjustmentNote,
    MessageNote,
    ReviewNote,
    Table,
    TeamRow,
)
from questline.domain.projections.saved_form import decoder, encode
from questline.domain.shared_empty import empty_dict, empty_list
from questline.domain.shared_ints import shared_int


class _Saved(msgspec.Struct, frozen=True):
    teams: list[TeamRow]
    count: int
    definition: HuntDefinition | None = None


_saved = decoder(_Saved)


class _TeamRows:
    """The rows by hunt, then team (a (hunt, team) tuple as the key would cost 56 bytes
    a team); `rows[hunt, team]` reads one."""

    __slots__ = ("by_hunt",)

    def __init__(self) -> None:
        self.by_hunt: dict[str, dict[str, TeamRow]] = {}

    def __getitem__(self, key: tuple[str, str]) -> TeamRow:
        return self.by_hunt[key[0]][key[1]]

    def of(self, hunt_id: str) -> dict[str, TeamRow]:
        return self.by_hunt.get(hunt_id, {})


class TeamProgressProjection:
    name: ClassVar[str] = "teams"
    tables: tuple[Table, ...] = ("teams",)
    saved_types: tuple[type, ...] = (_Saved, TeamRow)

    def __init__(self) -> None:
        self._teams = _TeamRows()
        self._rows = self._teams.by_hunt  # hunt -> team -> row
        self._counts: dict[str, int] = {}
        self._definitions: dict[str, HuntDefinition] = {}  # in force, for what stays open
        self.dirty: set[tuple[Table, str, str]] = set()
        self.handlers = bind(self, self.ROUTES)

    def apply(self, recorded: RecordedEvent) -> None:
        handler = self.handlers.get(type(recorded.event))
        if handler is not None:
            handler(recorded)

    # -- the handlers, one per kind of event ---------------------------------------

    def _defined(self, recorded: RecordedEvent) -> None:
        event: HuntCreated | HuntRevised = recorded.event  # type: ignore[assignment]
        if isinstance(event, HuntRevised):
            self._keep_open(recorded.hunt_id, recorded)
        self._definitions[recorded.hunt_id] = event.definition

    def _wrong(self, recorded: RecordedEvent) -> None:
        event: AnswerWrong | PhotoRejected = recorded.event  # type: ignore[assignment]
        hunt_id = recorded.hunt_id
        team = self._rows[hunt_id][event.team_id]
        clue_id = event.clue_id
        wrong = team.wrong
        if not wrong:
            wrong = team.wrong = {}
        wrong[clue_id] = wrong.get(clue_id, 0) + 1
        if team.pending:
            team.pending.pop(clue_id, None)
        if event.penalty:
            team.penalties += event.penalty
        self.dirty.add(("teams", hunt_id, event.team_id))

    def _rejected(self, recorded: RecordedEvent) -> None:
        self._wrong(recorded)
        event: PhotoRejected = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        if not team.reviews:
            team.reviews = []
        team.reviews.append(ReviewNote(event.clue_id, False, event.reason, recorded.time))

    def _solved(self, recorded: RecordedEvent) -> None:
        event: ClueSolved = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        at = event.counts_at if event.counts_at is not None else recorded.version
        solved = team.solved
        if not solved:
            solved = team.solved = {}
        solved[event.clue_id] = min(at, solved.get(event.clue_id, at))
        if team.pending:
            team.pending.pop(event.clue_id, None)
        team.penalties -= event.refund
        if event.review_id is not None:
            if not team.reviews:
                team.reviews = []
            team.reviews.append(ReviewNote(event.clue_id, True, event.reason, recorded.time))
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _part_solved(self, recorded: RecordedEvent) -> None:
        event: PartSolved = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        parts = team.parts
        if not parts:
            parts = team.parts = {}
        solved = parts.setdefault(event.clue_id, [])
        if event.part_id not in solved:  # a rejudged part may move an earlier solve
            solved.append(event.part_id)
        team.penalties -= event.refund
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _hint(self, recorded: RecordedEvent) -> None:
        event: HintUnlocked = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        if not team.hints:
            team.hints = []
        team.hints.append((event.clue_id, event.hint_id))
        team.hint_costs += event.cost
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _registered(self, recorded: RecordedEvent) -> None:
        event: TeamRegistered = recorded.event  # type: ignore[assignment]
        hunt_id = recorded.hunt_id
        order = shared_int(self._counts.get(hunt_id, 0) + 1)
        self._counts[hunt_id] = order
        self._rows.setdefault(hunt_id, {})[event.team_id] = TeamRow(
            event.team_id,
            event.name,
            order,
            event.token_hash,
            recorded.time,
            solved=empty_dict(),
            wrong=empty_dict(),
            hints=empty_list(),
            pending=empty_dict(),
            division=event.division,
            tokens=[event.token_hash],
            parts=empty_dict(),
            kept_open=empty_list(),
            reviews=empty_list(),
            adjustment_notes=empty_list(),
            messages=empty_list(),
        )
        self.dirty.add(("teams", hunt_id, event.team_id))

    def _token(self, recorded: RecordedEvent) -> None:
        event: TokenIssued = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        kept = [] if event.revoke_others else team.tokens
        team.tokens = [*kept, event.token_hash]
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _photo(self, recorded: RecordedEvent) -> None:
        event: PhotoSubmitted = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        pending = team.pending
        if not pending:
            pending = team.pending = {}
        pending[event.clue_id] = event.review_id
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _adjusted(self, recorded: RecordedEvent) -> None:
        event: ScoreAdjusted = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        team.adjustments += event.points
        if not team.adjustment_notes:
            team.adjustment_notes = []
        team.adjustment_notes.append(AdjustmentNote(event.points, event.reason, recorded.time))
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    def _messaged(self, recorded: RecordedEvent) -> None:
        event: TeamMessaged = recorded.event  # type: ignore[assignment]
        team = self._rows[recorded.hunt_id][event.team_id]
        if not team.messages:
            team.messages = []
        team.messages.append(MessageNote(event.text, recorded.time))
        self.dirty.add(("teams", recorded.hunt_id, event.team_id))

    ROUTES: ClassVar[Routes] = {
        AnswerWrong: _wrong,
        PhotoRejected: _rejected,
        ClueSolved: _solved,
        PartSolved: _part_solved,
        HintUnlocked: _hint,
        TeamRegistered: _registered,
        TokenIssued: _token,
        PhotoSubmitted: _photo,
        ScoreAdjusted: _adjusted,
        TeamMessaged: _messaged,
        HuntCreated: _defined,
        HuntRevised: _defined,
    }
    events: ClassVar[tuple[type[Event], ...]] = tuple(ROUTES)

    def _keep_open(self, hunt_id: str, recorded: RecordedEvent) -> None:
        """What is open for each team under the rules a revision replaces stays open."""
        old = self._definitions[hunt_id]
        for key, team in self._teams.of(hunt_id).items():
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
        return self._rows[hunt_id][key]

    def keys(self, hunt_id: str) -> Iterator[tuple[Table, str]]:
        return (("teams", team) for team in self._teams.of(hunt_id))

    def dump(self, hunt_id: str) -> bytes | None:
        teams = list(self._teams.of(hunt_id).values())
        count = self._counts.get(hunt_id, 0)
        definition = self._definitions.get(hunt_id)
        if not teams and not count and definition is None:
            return None
        return encode(_Saved(teams, count, definition))

    def load(self, hunt_id: str, data: bytes, definition: HuntDefinition) -> None:
        saved = _saved.decode(data)
        rows = self._rows.setdefault(hunt_id, {})
        for team in saved.teams:
            rows[team.team_id] = team
        if saved.count:
            self._counts[hunt_id] = saved.count
        self._definitions[hunt_id] = saved.definition or definition
