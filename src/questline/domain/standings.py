"""The standings of one hunt: every team's score and what ranks it, folded from events.

One fold serves everything that ranks teams: the decision state (replies, the
dry run of a revision), the live and frozen boards, and the board at any past
version. Ranking (hunt-format.md, hunt-day.md "Rounds and metas"): under
`ranking: finish`, finished teams first in the order their finishing solves count
at; then score descending; ties to the team whose own last scoring event is
earlier in the log (a team with none after those with one); then registration
order.

A team's own scoring events are its solves (at the version they count at), part
solves, paid hint unlocks, penalized attempts and non-zero adjustments.
"""

from array import array
from bisect import insort
from collections.abc import Callable
from typing import ClassVar

import msgspec

from questline.domain.definition import HuntDefinition
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntRevised,
    PartSolved,
    PhotoRejected,
    RecordedEvent,
    ScoreAdjusted,
    TeamRegistered,
)
from questline.domain.score_sheet import Deltas, ScoresData, ScoreSheet
from questline.domain.shared_empty import empty_ints
from questline.domain.shared_ints import shared_int
from questline.domain.timestamps import Micros

NO_SCORING_EVENT = 2**62  # sorts a team with no scoring event after every team with one
NOT_FINISHED = 2**62  # sorts an unfinished team after every finished one

RankKey = tuple[int, int, int, int]


def changes_standings(event: Event) -> bool:
    """Whether folding the event can change anyone's standing (a wrong answer does
    only when it is penalized, a hint only when it costs)."""
    if isinstance(event, AnswerWrong | PhotoRejected):
        return event.penalty != 0
    if isinstance(event, HintUnlocked):
        return event.cost != 0
    if isinstance(event, ScoreAdjusted):
        return event.points != 0
    return isinstance(event, STANDINGS_EVENTS)


class Entry(msgspec.Struct, gc=False):
    """What ranks one team beside its score (gc=False: plain values only, so no
    16-byte cycle-collector header; there is one per team on every board)."""

    name: str
    order: int
    division: str | None = None
    solved: int = 0
    # The versions of its scoring events, sorted (shared and empty until the first).
    scoring: "array[int]" = msgspec.field(default_factory=empty_ints)
    finished: int = NOT_FINISHED  # the version its finishing solve counts at
    finished_at: Micros | None = None

    def scored(self, version: int) -> None:
        """A scoring event at `version` (any place in the order)."""
        if not self.scoring:
            self.scoring = array("q", (version,))
        elif version >= self.scoring[-1]:
            self.scoring.append(version)
        else:
            insort(self.scoring, version)

    @property
    def last_scoring_version(self) -> int:
        return self.scoring[-1] if self.scoring else NO_SCORING_EVENT


class EntryData(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    order: int
    division: str | None
    solved: int
    scoring: list[int]
    finished: int
    finished_at: Micros | None


class StandingsData(msgspec.Struct, frozen=True):
    scores: ScoresData
    entries: list[EntryData]


class Standings:
    __slots__ = ("definition", "entries", "scores")

    def __init__(self, definition: HuntDefinition) -> None:
        self.definition = definition
        self.scores = ScoreSheet(definition)
        self.entries: dict[str, Entry] = {}

    def score(self, team_id: str) -> int:
        return self.scores.score(team_id)

    def rank_key(self, team_id: str) -> RankKey:
        entry = self.entries[team_id]
        first = entry.finished if self.definition.ranking == "finish" else NOT_FINISHED
        return (first, -self.scores.score(team_id), entry.last_scoring_version, entry.order)

    def ranked(self, division: str | None = None) -> list[str]:
        """Team ids in rank order (of one division, when given)."""
        teams = [
            team
            for team, entry in self.entries.items()
            if division is None or entry.division == division
        ]
        teams.sort(key=self.rank_key)
        return teams

    def apply(self, recorded: RecordedEvent) -> Deltas:
        """Fold one event; return every team whose standing changed, with how much its
        score changed (0 when only what ranks it did)."""
        fold = self._FOLDS.get(type(recorded.event))
        return fold(self, recorded) if fold is not None else {}

    def revise(self, definition: HuntDefinition) -> Deltas:
        ranking_changed = definition.ranking != self.definition.ranking
        self.definition = definition
        deltas = self.scores.revise(definition)
        if ranking_changed:
            return {team: deltas.get(team, 0) for team in self.entries}
        return deltas

    # -- folding, one method per kind of event ------------------------------------

    def _wrong(self, recorded: RecordedEvent) -> Deltas:
        event: AnswerWrong | PhotoRejected = recorded.event  # type: ignore[assignment]
        if not event.penalty:
            return {}
        return self._paid(event.team_id, -event.penalty, recorded.version)

    def _hint(self, recorded: RecordedEvent) -> Deltas:
        event: HintUnlocked = recorded.event  # type: ignore[assignment]
        return self._paid(event.team_id, -event.cost, recorded.version) if event.cost else {}

    def _adjusted(self, recorded: RecordedEvent) -> Deltas:
        event: ScoreAdjusted = recorded.event  # type: ignore[assignment]
        if not event.points:
            return {}
        return self._paid(event.team_id, event.points, recorded.version)

    def _registered(self, recorded: RecordedEvent) -> Deltas:
        event: TeamRegistered = recorded.event  # type: ignore[assignment]
        order = shared_int(len(self.entries) + 1)
        self.entries[event.team_id] = Entry(event.name, order, event.division)
        return {event.team_id: 0}

    def _revised(self, recorded: RecordedEvent) -> Deltas:
        event: HuntRevised = recorded.event  # type: ignore[assignment]
        return self.revise(event.definition)

    def _part_solved(self, recorded: RecordedEvent) -> Deltas:
        event: PartSolved = recorded.event  # type: ignore[assignment]
        at = event.counts_at if event.counts_at is not None else recorded.version
        deltas = self.scores.solve_part(event.team_id, event.clue_id, event.part_id)
        if event.refund:
            self.scores.add(event.team_id, event.refund)
            deltas[event.team_id] = deltas.get(event.team_id, 0) + event.refund
        entry = self.entries[event.team_id]
        if event.moved_from is not None:  # a rejudged part moves the later solve back
            entry.scoring.remove(event.moved_from)
        entry.scored(at)
        deltas.setdefault(event.team_id, 0)
        return deltas

    def _paid(self, team_id: str, amount: int, version: int) -> Deltas:
        self.scores.add(team_id, amount)
        self.entries[team_id].scored(version)  # the latest version: appended
        return {team_id: amount}

    def _solved(self, recorded: RecordedEvent) -> Deltas:
        event: ClueSolved = recorded.event  # type: ignore[assignment]
        team_id = event.team_id
        entry = self.entries[team_id]
        at = event.counts_at if event.counts_at is not None else recorded.version
        earlier = self.scores.solved_at(team_id, event.clue_id)
        deltas = self.scores.solve(team_id, event.clue_id, at)
        if earlier is None:
            entry.solved += 1
            entry.scored(at)
        elif at < earlier:  # a rejudged solve moves the team's later one back
            entry.scoring.remove(earlier)
            entry.scored(at)
        if event.refund:
            self.scores.add(team_id, event.refund)
            deltas[team_id] = deltas.get(team_id, 0) + event.refund
        if event.clue_id == self.definition.finish and at < entry.finished:
            entry.finished = at
            entry.finished_at = (
                event.counts_at_time if event.counts_at_time is not None else recorded.time
            )
        deltas.setdefault(team_id, 0)
        return deltas

    # The event types that can change standings, each with its fold; others are not
    # folded in.
    _FOLDS: ClassVar[dict[type[Event], Callable[["Standings", RecordedEvent], Deltas]]] = {
        TeamRegistered: _registered,
        ClueSolved: _solved,
        PartSolved: _part_solved,
        HintUnlocked: _hint,
        ScoreAdjusted: _adjusted,
        AnswerWrong: _wrong,
        PhotoRejected: _wrong,
        HuntRevised: _revised,
    }

    # -- saving ---------------------------------------------------------------------

    def dump(self) -> StandingsData:
        return StandingsData(
            self.scores.dump(self.entries),
            [
                EntryData(
                    team,
                    e.name,
                    e.order,
                    e.division,
                    e.solved,
                    e.scoring.tolist(),
                    e.finished,
                    e.finished_at,
                )
                for team, e in self.entries.items()
            ],
        )

    @classmethod
    def load(cls, definition: HuntDefinition, data: StandingsData) -> "Standings":
        standings = cls(definition)
        standings.scores = ScoreSheet.load(definition, data.scores)
        for e in data.entries:
            standings.entries[e.team_id] = Entry(
                e.name,
                e.order,
                e.division,
                e.solved,
                array("q", e.scoring) if e.scoring else empty_ints(),
                e.finished,
                e.finished_at,
            )
        return standings


# The event types that can change standings; others are not folded in.
STANDINGS_EVENTS: tuple[type[Event], ...] = tuple(Standings._FOLDS)
