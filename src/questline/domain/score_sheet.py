"""Team scores of one hunt, under its current definition.

score = clue points + part points + first-solve bonuses - hint costs - penalties
+ adjustments. What a team paid or was given (hint costs, penalties,
adjustments) is kept as paid; what a solve is worth follows the definition:
a clue's value (static, or dynamic at its current solver count), a part's
points and the bonus for the solve's place in the clue's solve order are
computed from the definition in force, so a revision revalues every solve.

Each clue's solves are kept in the order they count at: a solve found by
rejudging counts at the log version of the attempt it rejudged, and a team's
later solve of the same clue moves there. Scores are cached and changed by
deltas; `solve` and friends return every team whose score changed, with how
much, so boards and receipts follow without reading every team.
"""

from bisect import bisect_left, insort
from collections.abc import Iterable

import msgspec

from questline.domain.definition import Clue, DynamicPoints, HuntDefinition, PartsAnswer
from questline.domain.dynamic_scoring import dynamic_value
from questline.domain.shared_empty import empty_dict

Deltas = dict[str, int]  # team -> how much its score changed
_NO_HELD: dict[str, int] = empty_dict()  # what a team that has solved nothing holds
_NO_PARTS: dict[str, list[str]] = empty_dict()


class ScoresData(msgspec.Struct, frozen=True):
    """A score sheet as snapshots keep it (the definition is the state's own)."""

    base: dict[str, int]
    solves: dict[str, list[tuple[int, str]]]
    parts: dict[str, dict[str, list[str]]]


class ScoreSheet:
    __slots__ = ("_base", "_clues", "_definition", "_held", "_parts", "_score", "_solves")

    def __init__(self, definition: HuntDefinition) -> None:
        self._definition = definition
        self._clues: dict[str, Clue] = {clue.id: clue for clue in definition.clues}
        # team -> what it paid or was given (only teams that have: most have not)
        self._base: dict[str, int] = {}
        # team -> score, for the teams that have solved, paid or been given anything
        # (the others score 0: most teams early in a hunt, and an entry costs ~40 B)
        self._score: dict[str, int] = {}
        # clue -> [(the version the solve counts at, team)], in that order
        self._solves: dict[str, list[tuple[int, str]]] = {c.id: [] for c in definition.clues}
        # team -> clue -> version it counts at; team -> clue -> parts solved (only teams
        # that have one: most teams have solved little, and a dict per team costs)
        self._held: dict[str, dict[str, int]] = {}
        self._parts: dict[str, dict[str, list[str]]] = {}

    # -- reading ------------------------------------------------------------------

    def score(self, team_id: str) -> int:
        return self._score.get(team_id, 0)

    def solver_count(self, clue_id: str) -> int:
        return len(self._solves[clue_id])

    def solvers(self, clue_id: str) -> list[str]:
        """The teams that solved the clue, in the order their solves count."""
        return [team for _, team in self._solves[clue_id]]

    def solved_at(self, team_id: str, clue_id: str) -> int | None:
        """The version the team's solve of the clue counts at, if it solved it."""
        return self._held.get(team_id, _NO_HELD).get(clue_id)

    def parts_solved(self, team_id: str, clue_id: str) -> list[str]:
        return self._parts.get(team_id, _NO_PARTS).get(clue_id, [])

    def value_now(self, clue_id: str, solved: bool) -> int:
        """What the clue is worth to a team before any bonus: held if solved, else
        earned by solving it now (for a clue in parts: all its parts' points)."""
        solves = len(self._solves[clue_id])
        return self._value(self._clues[clue_id], solves if solved else solves + 1)

    def is_dynamic(self, clue_id: str) -> bool:
        return isinstance(self._clues[clue_id].points, DynamicPoints)

    def place(self, clue_id: str, at: int) -> int:
        """How many solves of the clue count before version `at`."""
        return bisect_left(self._solves[clue_id], (at, ""))

    def bonus_for(self, place: int) -> int:
        """The first-solve bonus of the solve at `place` (0 for the first) in a clue."""
        bonuses = self._definition.first_solve_bonus
        return bonuses[place] if place < len(bonuses) else 0

    # -- changing -----------------------------------------------------------------

    def add(self, team_id: str, delta: int) -> None:
        """Something paid or given: a hint's cost, a penalty, an adjustment."""
        self._score[team_id] = self._score.get(team_id, 0) + delta
        self._base[team_id] = self._base.get(team_id, 0) + delta

    def solve(self, team_id: str, clue_id: str, at: int) -> Deltas:
        """The team solved the clue, counting at version `at`; a team that had solved it
        later has its solve moved to `at`. Returns every score change it made."""
        solves = self._solves[clue_id]
        held = self._held.get(team_id, _NO_HELD)
        if clue_id not in held and (not solves or solves[-1][0] < at):
            return self._append(team_id, clue_id, at)
        before = self._contributions(clue_id)
        earlier = held.get(clue_id)
        if earlier is not None:
            if earlier <= at:
                return {}
            solves.remove((earlier, team_id))
        insort(solves, (at, team_id))
        self._own_held(team_id)[clue_id] = at
        self._score.setdefault(team_id, 0)  # a team that holds a solve has a score entry
        return self._changed(before, self._contributions(clue_id))

    def solve_part(self, team_id: str, clue_id: str, part_id: str) -> Deltas:
        parts = self._parts.get(team_id)
        if parts is None:
            parts = self._parts[team_id] = {}
        solved = parts.setdefault(clue_id, [])
        if part_id in solved:
            return {}
        solved.append(part_id)
        points = self._part_points(self._clues[clue_id], part_id)
        self._score[team_id] = self._score.get(team_id, 0) + points
        return {team_id: points} if points else {}

    def revise(self, definition: HuntDefinition) -> Deltas:
        """Put a new definition in force: every solve is revalued under it."""
        self._definition = definition
        self._clues = {clue.id: clue for clue in definition.clues}
        # A clue a revision removed had no solves (the rules refuse removing played clues).
        self._solves = {clue.id: self._solves.get(clue.id, []) for clue in definition.clues}
        changed: Deltas = {}
        for team_id in self._score:
            score = self._computed(team_id)
            if score != self._score[team_id]:
                changed[team_id] = score - self._score[team_id]
                self._score[team_id] = score
        return changed

    # -- saving ---------------------------------------------------------------------

    def dump(self, teams: Iterable[str]) -> ScoresData:
        """The saved form; `teams` are every team of the hunt (it lists them all)."""
        return ScoresData(
            {team: self._base.get(team, 0) for team in teams},
            {clue: list(solves) for clue, solves in self._solves.items()},
            {team: {c: list(p) for c, p in parts.items()} for team, parts in self._parts.items()},
        )

    @classmethod
    def load(cls, definition: HuntDefinition, data: ScoresData) -> "ScoreSheet":
        """The sheet `dump` saved; ValueError if it does not fit the definition."""
        sheet = cls(definition)
        unknown = set(data.solves) - set(sheet._solves)
        if unknown:
            raise ValueError(f"the score sheet names clues the definition lacks: {unknown}")
        for team_id, base in data.base.items():
            if base:
                sheet._base[team_id] = base
        for clue_id, solves in data.solves.items():
            sheet._solves[clue_id] = [(at, team) for at, team in solves]
            for at, team in solves:
                if team not in data.base:
                    raise KeyError(team)
                sheet._own_held(team)[clue_id] = at
        for team_id, parts in data.parts.items():
            if parts:  # older snapshots list every team
                sheet._parts[team_id] = {clue: list(p) for clue, p in parts.items()}
        for team_id in data.base:  # in registration order, as live
            if team_id in sheet._base or team_id in sheet._held or team_id in sheet._parts:
                sheet._score[team_id] = sheet._computed(team_id)
        return sheet

    # -- inside -----------------------------------------------------------------------

    def _append(self, team_id: str, clue_id: str, at: int) -> Deltas:
        """The common case, a solve after every other: O(1), or O(earlier solvers)
        when a dynamic clue's value drops."""
        solves = self._solves[clue_id]
        solves.append((at, team_id))
        self._own_held(team_id)[clue_id] = at
        clue = self._clues[clue_id]
        n = len(solves)
        gained = self.bonus_for(n - 1)
        changed: Deltas = {}
        points = clue.points
        if isinstance(clue.answer, PartsAnswer):
            pass  # its parts earned their points as they were solved
        elif isinstance(points, DynamicPoints):
            now, before = dynamic_value(points, n), dynamic_value(points, n - 1)
            gained += now
            if now != before:
                for _, other in solves[:-1]:
                    self._score[other] += now - before  # every solver has an entry
                    changed[other] = now - before
        else:
            gained += points
        self._score[team_id] = self._score.get(team_id, 0) + gained
        changed[team_id] = gained
        return {team: delta for team, delta in changed.items() if delta}

    def _own_held(self, team_id: str) -> dict[str, int]:
        held = self._held.get(team_id)
        if held is None:
            held = self._held[team_id] = {}
        return held

    def _contributions(self, clue_id: str) -> Deltas:
        """What each solver holds for the clue itself (value + bonus for its place)."""
        clue = self._clues[clue_id]
        solves = self._solves[clue_id]
        value = 0 if isinstance(clue.answer, PartsAnswer) else self._value(clue, len(solves))
        return {team: value + self.bonus_for(place) for place, (_, team) in enumerate(solves)}

    def _changed(self, before: Deltas, after: Deltas) -> Deltas:
        changed: Deltas = {}
        for team in before.keys() | after.keys():
            delta = after.get(team, 0) - before.get(team, 0)
            if delta:
                self._score[team] = self._score.get(team, 0) + delta
                changed[team] = delta
        return changed

    def _computed(self, team_id: str) -> int:
        total = self._base.get(team_id, 0)
        for clue_id, at in self._held.get(team_id, _NO_HELD).items():
            clue = self._clues[clue_id]
            solves = self._solves[clue_id]
            place = solves.index((at, team_id))
            if not isinstance(clue.answer, PartsAnswer):
                total += self._value(clue, len(solves))
            total += self.bonus_for(place)
        for clue_id, parts in self._parts.get(team_id, _NO_PARTS).items():
            clue = self._clues[clue_id]
            total += sum(self._part_points(clue, part) for part in parts)
        return total

    @staticmethod
    def _value(clue: Clue, solves: int) -> int:
        if isinstance(clue.answer, PartsAnswer):
            return sum(part.points for part in clue.answer.parts)
        points = clue.points
        return points if isinstance(points, int) else dynamic_value(points, solves)

    @staticmethod
    def _part_points(clue: Clue, part_id: str) -> int:
        answer = clue.answer
        part = answer.part(part_id) if isinstance(answer, PartsAnswer) else None
        return part.points if part is not None else 0
