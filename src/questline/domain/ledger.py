"""A hunt's ledger (log-features.md, "Time travel" and "Score receipts"): every line a
team's score is made of, and every team's standing after each change, folded from
the hunt's events.

From it come the board at any version without replaying the hunt (each team's
series is searched by version, then the teams are ranked), each team's score over
time, and its receipt. Lines are made from the standings' own score changes, so a
receipt always adds up to the score: what an event's own lines do not explain is a
revaluation (a dynamic clue another team solved, a revision, a solve that rejudging
moved).

Memory: one time per event (8 bytes), five 8-byte numbers per change of a team's
standing, and one receipt line per score change.
"""

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import getitem

import msgspec

from questline.domain.definition import HuntDefinition, PartsAnswer, Ranking
from questline.domain.events import (
    AnswerWrong,
    ClueSolved,
    HintUnlocked,
    HuntCreated,
    HuntRevised,
    PartSolved,
    PhotoRejected,
    RecordedEvent,
    ScoreAdjusted,
    TeamRegistered,
)
from questline.domain.standings import NO_SCORING_EVENT, NOT_FINISHED, Standings
from questline.domain.timestamps import Micros

LineKind = str  # solve, part, bonus, hint, penalty, adjustment, revaluation


class ReceiptLine(msgspec.Struct, frozen=True):
    version: int
    time: Micros
    what: LineKind
    clue: str | None
    points: int
    reason: str


class Standing(msgspec.Struct, frozen=True):
    """One team on a board at some version."""

    team_id: str
    name: str
    score: int
    solved: int
    finished_at: Micros | None
    division: str | None


@dataclass(slots=True)
class _Series:
    """A team's standing after each change of it, by version: column i after
    `versions[i - 1]` (each other column starts with the standing before any change,
    so that `bisect_right(versions, v)` indexes them directly). Scores are kept
    negated: in rank order, as the board sorts them."""

    name: str
    order: int
    division: str | None
    since: int  # the version it registered at
    versions: "array[int]" = field(default_factory=lambda: array("q"))
    neg_scores: "array[int]" = field(default_factory=lambda: array("q", (0,)))
    last_scoring: "array[int]" = field(default_factory=lambda: array("q", (NO_SCORING_EVENT,)))
    solved: "array[int]" = field(default_factory=lambda: array("q", (0,)))
    finished: "array[int]" = field(default_factory=lambda: array("q", (NOT_FINISHED,)))
    finished_at: dict[int, Micros] = field(default_factory=dict)  # finish version -> time


class HuntLedger:
    def __init__(self, definition: HuntDefinition) -> None:
        self.standings = Standings(definition)
        self.definition = definition
        self.version = 0
        self.position = 0  # of the last event folded in (the log's order)
        self.hash = ""
        self.times: array[int] = array("q")  # the time of each version, from 1
        self.series: dict[str, _Series] = {}
        # The same, as columns in registration order (a team's index is its order - 1),
        # for the board to read with map() and zip() instead of a loop per team.
        self._ids: list[str] = []
        self._since: array[int] = array("q")  # grows with the order
        self._versions: list[array[int]] = []
        self._neg_scores: list[array[int]] = []
        self._last_scoring: list[array[int]] = []
        self._finished: list[array[int]] = []
        self._members: dict[str | None, list[int]] = {}  # division -> its teams' indexes
        self.receipts: dict[str, list[ReceiptLine]] = {}
        self.rankings: list[tuple[int, Ranking]] = [(1, definition.ranking)]

    @classmethod
    def of(cls, created: RecordedEvent) -> "HuntLedger":
        event = created.event
        if not isinstance(event, HuntCreated):
            raise ValueError(f"hunt {created.hunt_id} must start with hunt_created")
        ledger = cls(event.definition)
        ledger._moved_on(created)
        return ledger

    # -- folding --------------------------------------------------------------------

    def apply(self, recorded: RecordedEvent) -> None:
        if recorded.version != self.version + 1:
            raise ValueError(
                f"hunt {recorded.hunt_id}: the ledger is at version {self.version}, "
                f"the event is version {recorded.version}"
            )
        event = recorded.event
        if isinstance(event, HuntRevised):
            self.definition = event.definition
            if event.definition.ranking != self.rankings[-1][1]:
                self.rankings.append((recorded.version, event.definition.ranking))
        own = self._own_lines(recorded)
        deltas = self.standings.apply(recorded)
        if isinstance(event, TeamRegistered):
            self._registered(event, recorded.version)
        for team_id, delta in deltas.items():
            lines = own.get(team_id, [])
            explained = sum(line.points for line in lines)
            if delta != explained:
                lines.append(self._revaluation(recorded, delta - explained))
            self.receipts[team_id].extend(line for line in lines if line.points)
            self._record(team_id, recorded)
        self._moved_on(recorded)

    def _registered(self, event: TeamRegistered, version: int) -> None:
        series = _Series(event.name, len(self.series) + 1, event.division, version)
        self.series[event.team_id] = series
        self.receipts[event.team_id] = []
        self._members.setdefault(event.division, []).append(len(self._ids))
        self._ids.append(event.team_id)
        self._since.append(version)
        self._versions.append(series.versions)
        self._neg_scores.append(series.neg_scores)
        self._last_scoring.append(series.last_scoring)
        self._finished.append(series.finished)

    def _moved_on(self, recorded: RecordedEvent) -> None:
        self.version = recorded.version
        self.position = recorded.position
        self.hash = recorded.hash
        self.times.append(recorded.time)

    def _own_lines(self, recorded: RecordedEvent) -> dict[str, list[ReceiptLine]]:
        """The lines an event makes for its own team, valued as the standings will hold
        them once it is folded in (so they are computed before, from the event)."""
        event = recorded.event
        v, t = recorded.version, recorded.time

        def line(what: str, clue: str | None, points: int, reason: str = "") -> ReceiptLine:
            return ReceiptLine(v, t, what, clue, points, reason)

        if isinstance(event, ClueSolved):
            return {event.team_id: self._solve_lines(recorded, event)}
        if isinstance(event, PartSolved):
            moved = event.moved_from is not None  # its points are on the receipt already
            points = 0 if moved else self._part_points(event)
            lines = [line("part", event.clue_id, points, event.part_id)]
            if event.refund:
                lines.append(line("penalty", event.clue_id, event.refund, "given back (rejudged)"))
            return {event.team_id: lines}
        if isinstance(event, HintUnlocked):
            return {event.team_id: [line("hint", event.clue_id, -event.cost, event.hint_id)]}
        if isinstance(event, AnswerWrong | PhotoRejected):
            return {event.team_id: [line("penalty", event.clue_id, -event.penalty, "wrong")]}
        if isinstance(event, ScoreAdjusted):
            return {event.team_id: [line("adjustment", None, event.points, event.reason)]}
        return {}

    def _solve_lines(self, recorded: RecordedEvent, event: ClueSolved) -> list[ReceiptLine]:
        v, t = recorded.version, recorded.time
        if event.moved_from is not None:
            return []  # the solve is on the receipt already: what changes is a revaluation
        at = event.counts_at if event.counts_at is not None else v
        scores = self.standings.scores
        clue = self.definition.clue(event.clue_id)
        in_parts = clue is not None and isinstance(clue.answer, PartsAnswer)
        value = 0 if in_parts else scores.value_now(event.clue_id, solved=False)
        lines = [ReceiptLine(v, t, "solve", event.clue_id, value, "")]
        place = scores.place(event.clue_id, at)
        bonus = scores.bonus_for(place)
        if bonus:
            lines.append(ReceiptLine(v, t, "bonus", event.clue_id, bonus, f"solver #{place + 1}"))
        if event.refund:
            lines.append(
                ReceiptLine(v, t, "penalty", event.clue_id, event.refund, "given back (rejudged)")
            )
        return lines

    def _part_points(self, event: PartSolved) -> int:
        clue = self.definition.clue(event.clue_id)
        answer = clue.answer if clue is not None else None
        part = answer.part(event.part_id) if isinstance(answer, PartsAnswer) else None
        return part.points if part is not None else 0

    def _revaluation(self, recorded: RecordedEvent, points: int) -> ReceiptLine:
        event = recorded.event
        if isinstance(event, HuntRevised):
            reason, clue = f"revision {event.revision}", None
        elif isinstance(event, ClueSolved):
            reason = "rejudged" if event.counts_at_time is not None else "another team solved it"
            clue = event.clue_id
        else:
            reason, clue = "", None
        return ReceiptLine(recorded.version, recorded.time, "revaluation", clue, points, reason)

    def _record(self, team_id: str, recorded: RecordedEvent) -> None:
        s = self.series[team_id]
        entry = self.standings.entries[team_id]
        if s.versions and s.versions[-1] == recorded.version:
            for column in (s.versions, s.neg_scores, s.last_scoring, s.solved, s.finished):
                column.pop()
        s.versions.append(recorded.version)
        s.neg_scores.append(-self.standings.score(team_id))
        s.last_scoring.append(entry.last_scoring_version)
        s.solved.append(entry.solved)
        s.finished.append(entry.finished)
        if entry.finished_at is not None:
            s.finished_at[entry.finished] = entry.finished_at

    # -- reading ---------------------------------------------------------------------

    def version_at(self, time: Micros) -> int:
        """The last version whose event's time is at or before `time` (0: none)."""
        return bisect_right(self.times, time)

    def time_of(self, version: int) -> Micros:
        return self.times[version - 1]

    def board(self, version: int, division: str | None = None) -> list[Standing]:
        """The board as the events up to `version` made it, in rank order."""
        return self.page(version, division)[1]

    def page(
        self,
        version: int,
        division: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[int, list[Standing]]:
        """(How many teams are on the board at `version`, the `limit` of them from
        `offset` in rank order). Teams are ranked column by column with map() and zip()
        (each team's rank key at `version`, by the rules of standings.py), and only the
        page's standings are made: a page of a board of many teams costs little more
        than ranking them."""
        registered = bisect_right(self._since, version)  # teams register in order
        if division is None:
            teams: list[int] = list(range(registered))
        else:
            members = self._members.get(division, [])
            teams = members[: bisect_left(members, registered)]
        versions = [self._versions[i] for i in teams]
        at = list(map(bisect_right, versions, repeat(version)))  # its column index at v
        neg_scores = map(getitem, [self._neg_scores[i] for i in teams], at)
        last = map(getitem, [self._last_scoring[i] for i in teams], at)
        # The last element, the team's place in `teams`, orders ties as registration does.
        places = range(len(teams))
        keys: Iterable[tuple[int, ...]]
        if self._ranking_at(version) == "finish":
            finished = map(getitem, [self._finished[i] for i in teams], at)
            keys = zip(finished, neg_scores, last, places, strict=True)
        else:
            keys = zip(neg_scores, last, places, strict=True)
        if limit is None:
            ranked = sorted(keys)[offset:]
        else:
            ranked = heapq.nsmallest(offset + limit, keys)[offset:]
        return len(teams), [self._standing(teams[key[-1]], at[key[-1]]) for key in ranked]

    def _standing(self, index: int, at: int) -> Standing:
        """Team `index` (its order - 1) as column `at` of its series has it."""
        s = self.series[self._ids[index]]
        finished = s.finished[at]
        return Standing(
            self._ids[index],
            s.name,
            -s.neg_scores[at],
            s.solved[at],
            s.finished_at.get(finished) if finished != NOT_FINISHED else None,
            s.division,
        )

    def history(self, team_id: str, upto: int) -> list[tuple[Micros, int]]:
        """(time, score) at each change of the team's score up to `upto`."""
        s = self.series[team_id]
        points: list[tuple[Micros, int]] = []
        last: int | None = None
        for version, neg_score in zip(s.versions, s.neg_scores[1:], strict=True):
            if version > upto:
                break
            if -neg_score != last:
                points.append((self.time_of(version), -neg_score))
                last = -neg_score
        return points

    def receipt(self, team_id: str) -> list[ReceiptLine]:
        return self.receipts[team_id]

    def _ranking_at(self, version: int) -> Ranking:
        ranking = self.rankings[0][1]
        for since, chosen in self.rankings:
            if since <= version:
                ranking = chosen
        return ranking
