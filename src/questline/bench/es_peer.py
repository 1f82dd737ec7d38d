"""The eventsourcing library's side of the engine suite: one aggregate per team."""

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class Team(Aggregate):
    @event("Registered")
    def __init__(self, hunt_id: str, name: str) -> None:
        self.hunt_id = hunt_id
        self.name = name
        self.solved: list[str] = []
        self.wrong: dict[str, int] = {}
        self.hints: list[str] = []
        self.adjustments = 0

    @event("Solved")
    def solve(self, clue_id: str) -> None:
        self.solved.append(clue_id)

    @event("AnswerWrong")
    def answer_wrong(self, clue_id: str) -> None:
        self.wrong[clue_id] = self.wrong.get(clue_id, 0) + 1

    @event("HintUnlocked")
    def unlock_hint(self, clue_id: str) -> None:
        self.hints.append(clue_id)

    @event("Adjusted")
    def adjust(self, points: int) -> None:
        self.adjustments += points


class Hunts(Application):  # type: ignore[type-arg]
    pass
