"""The wrong answers of a hunt, kept for rejudging (hunt-day.md "Errata").

For each (clue, part or "") and normalized answer: each team's earliest attempt with
it. Most wrong answers are sent by one team only, so an answer holds one
(team, version, time, penalty) tuple until a second team sends it, and only then a
dict by team: a dict of one entry costs 184 bytes, the tuple 72.
"""

from collections.abc import Iterator

from questline.domain.timestamps import Micros

# The earliest attempt of one team with one answer: (version, time, penalty paid).
Attempt = tuple[int, Micros, int]
_Single = tuple[str, int, Micros, int]  # (team, version, time, penalty)
_Teams = _Single | dict[str, Attempt]


class AttemptIndex:
    __slots__ = ("_by_unit",)

    def __init__(self) -> None:
        # (clue, part or "") -> normalized answer -> its teams' earliest attempts
        self._by_unit: dict[tuple[str, str], dict[str, _Teams]] = {}

    def remember(
        self,
        unit: tuple[str, str],
        answer: str,
        team_id: str,
        attempt: Attempt,
    ) -> None:
        """Keep `attempt` unless the team already sent this answer to this unit."""
        by_answer = self._by_unit.get(unit)
        if by_answer is None:
            by_answer = self._by_unit[unit] = {}
        teams = by_answer.get(answer)
        if teams is None:
            by_answer[answer] = (team_id, *attempt)
        elif isinstance(teams, tuple):
            if teams[0] != team_id:
                by_answer[answer] = {teams[0]: teams[1:], team_id: attempt}
        elif team_id not in teams:
            teams[team_id] = attempt

    def units(self) -> Iterator[tuple[str, str]]:
        """Every (clue, part or "") with a remembered attempt."""
        return iter(self._by_unit)

    def answers(self, unit: tuple[str, str]) -> Iterator[tuple[str, str, Attempt]]:
        """(answer, team, earliest attempt) for one unit, in the order first seen."""
        for answer, teams in self._by_unit.get(unit, {}).items():
            if isinstance(teams, tuple):
                yield answer, teams[0], teams[1:]
            else:
                for team_id, attempt in teams.items():
                    yield answer, team_id, attempt

    def __iter__(self) -> Iterator[tuple[tuple[str, str], str, str, Attempt]]:
        """(unit, answer, team, attempt) for every remembered attempt."""
        for unit in self._by_unit:
            for answer, team_id, attempt in self.answers(unit):
                yield unit, answer, team_id, attempt
