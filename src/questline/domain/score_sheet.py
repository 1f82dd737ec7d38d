"""Team scores of one hunt: clue points + bonuses - hint costs + adjustments.

Static parts are summed as they happen; dynamic clues are valued at their
current solve count whenever a score is read, so every solver holds the
current value without rewriting anything when another team solves.
"""

import msgspec

from questline.domain.definition import DynamicPoints, HuntDefinition
from questline.domain.dynamic_scoring import clue_value, dynamic_value


class ScoresData(msgspec.Struct, frozen=True):
    """A score sheet as snapshots keep it."""

    base: dict[str, int]
    dynamic_solved: dict[str, list[str]]
    solvers: dict[str, list[str]]


class ScoreSheet:
    __slots__ = ("_base", "_dynamic", "_dynamic_solved", "_points", "_static", "solvers")

    def __init__(self, definition: HuntDefinition) -> None:
        self._points = {clue.id: clue.points for clue in definition.clues}
        self._static: dict[str, int] = {
            clue.id: clue.points for clue in definition.clues if isinstance(clue.points, int)
        }
        self._dynamic: dict[str, DynamicPoints] = {
            clue.id: clue.points
            for clue in definition.clues
            if isinstance(clue.points, DynamicPoints)
        }
        self._base: dict[str, int] = {}
        self._dynamic_solved: dict[str, list[str]] = {}
        self.solvers: dict[str, list[str]] = {clue.id: [] for clue in definition.clues}

    def add_team(self, team_id: str) -> None:
        self._base[team_id] = 0

    def add(self, team_id: str, delta: int) -> None:
        self._base[team_id] += delta

    def solve(self, team_id: str, clue_id: str, bonus: int) -> list[str]:
        """Record a solve; return the other teams whose score it changed."""
        solvers = self.solvers[clue_id]
        solvers.append(team_id)
        dynamic = self._dynamic.get(clue_id)
        if dynamic is None:
            self._base[team_id] += self._static[clue_id] + bonus
            return []
        self._base[team_id] += bonus
        self._dynamic_solved.setdefault(team_id, []).append(clue_id)
        n = len(solvers)
        if dynamic_value(dynamic, n) == dynamic_value(dynamic, n - 1):
            return []
        return solvers[:-1]

    def score(self, team_id: str) -> int:
        total = self._base[team_id]
        for clue_id in self._dynamic_solved.get(team_id, ()):
            total += dynamic_value(self._dynamic[clue_id], len(self.solvers[clue_id]))
        return total

    def value_now(self, clue_id: str, solved: bool) -> int:
        """What the clue is worth to a team: held if solved, else earned by solving now."""
        solves = len(self.solvers[clue_id])
        return clue_value(self._points[clue_id], solves if solved else solves + 1)

    def is_dynamic(self, clue_id: str) -> bool:
        return clue_id in self._dynamic

    def dump(self) -> ScoresData:
        return ScoresData(
            dict(self._base),
            {team: list(clues) for team, clues in self._dynamic_solved.items()},
            {clue: list(teams) for clue, teams in self.solvers.items()},
        )

    @classmethod
    def load(cls, definition: HuntDefinition, data: ScoresData) -> "ScoreSheet":
        """The sheet `dump` saved; ValueError if it names other clues than the definition."""
        sheet = cls(definition)
        if set(data.solvers) != set(sheet.solvers):
            raise ValueError("the score sheet names other clues than the hunt definition")
        sheet._base = dict(data.base)
        sheet._dynamic_solved = {team: list(clues) for team, clues in data.dynamic_solved.items()}
        sheet.solvers = {clue: list(teams) for clue, teams in data.solvers.items()}
        return sheet
