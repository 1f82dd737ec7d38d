"""What a rehearsal saw, as it happened: when each team reached and solved each
clue, its guesses and hints, when it had nothing to work on and why, the review
queue minute by minute, the board at the freeze. The report is made from this.
"""

from collections import Counter
from dataclasses import dataclass, field

from questline.domain.timestamps import Micros


@dataclass(frozen=True, slots=True)
class IdleStretch:
    team: int
    start: Micros
    end: Micros
    cause: str  # why it had nothing to work on, in words


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    name: str
    division: str | None
    score: int
    solved: int
    finished_at: Micros | None


@dataclass
class Observations:
    teams: list[str] = field(default_factory=list)  # names, by simulated team index
    reached: dict[str, dict[int, Micros]] = field(default_factory=dict)  # clue -> team -> time
    started: dict[str, dict[int, Micros]] = field(default_factory=dict)  # first time at work
    solved: dict[str, dict[int, Micros]] = field(default_factory=dict)  # clue -> team -> time
    # clue -> team -> how long the clue held the team back: the team had hands free and
    # nothing else open, and solving the clue would open clues still closed to it
    held: dict[str, dict[int, Micros]] = field(default_factory=dict)
    wrong: Counter[str] = field(default_factory=Counter)  # clue -> wrong attempts
    half: Counter[str] = field(default_factory=Counter)  # clue -> keep-going answers
    hints: Counter[str] = field(default_factory=Counter)  # clue -> hints unlocked
    finished: dict[int, Micros] = field(default_factory=dict)
    quit: dict[int, Micros] = field(default_factory=dict)
    idle: list[IdleStretch] = field(default_factory=list)
    queue: list[tuple[Micros, int]] = field(default_factory=list)  # (minute, photos waiting)
    board: list[BoardRow] = field(default_factory=list)
    board_at: Micros = 0
    unanswerable: list[str] = field(default_factory=list)  # clues it could type no answer for

    def reach(self, clue: str, team: int, now: Micros) -> None:
        self.reached.setdefault(clue, {}).setdefault(team, now)

    def start(self, clue: str, team: int, now: Micros) -> None:
        self.started.setdefault(clue, {}).setdefault(team, now)

    def hold(self, clue: str, team: int, micros: Micros) -> None:
        by_team = self.held.setdefault(clue, {})
        by_team[team] = by_team.get(team, 0) + micros

    def solve(self, clue: str, team: int, now: Micros) -> None:
        self.solved.setdefault(clue, {}).setdefault(team, now)
