"""Hunts as the API shows them: the summary anyone sees, a team's view of its clues,
the list of hunts, and an organizer's revisions."""

from typing import Any, Literal

from questline.domain.definition import AnswerKind
from questline.http.bodies.common import Time
from questline.http.endpoint import Shape

State = Literal["scheduled", "live", "paused", "ended"]


class HintView(Shape):
    id: str
    cost: int
    unlocked: bool
    text: str | None = None  # only once unlocked


class PartView(Shape):
    id: str
    title: str
    points: int
    solved: bool


class ClueView(Shape):
    id: str
    title: str
    text: str
    kind: AnswerKind
    points: int  # its current value
    solved: bool
    attempts_left: int | None
    hints: list[HintView]
    round: str | None
    solves: int  # teams that solved it
    meta: bool | None = None  # only on metas
    parts: list[PartView] | None = None  # only on clues in parts


class RequiresView(Shape):
    of: list[str]
    all: int | None = None
    any: int | None = None


class LockedClue(Shape):
    id: str
    title: str
    opens_at: Time | None
    requires: RequiresView | None


class RoundView(Shape):
    id: str
    title: str
    open: bool | None = None  # with a team token
    completed: bool | None = None


class Hunt(Shape):
    """A hunt; with a team token, also that team's clues."""

    id: str
    title: str
    starts_at: Time
    ends_at: Time
    freeze_at: Time | None
    state: State
    team_id: str | None = None
    clues: list[ClueView] | None = None
    locked: list[LockedClue] | None = None
    rounds: list[RoundView] | None = None


class HuntListing(Shape):
    id: str
    title: str
    starts_at: Time
    ends_at: Time
    state: State
    teams: int


class DefinitionDocument(Shape):
    """The organizer's document (hunt-format.md) with the revision in force."""

    hunt: dict[str, Any]
    clues: list[dict[str, Any]]
    revision: int
    rounds: list[dict[str, Any]] | None = None


class BoardMove(Shape):
    team_id: str
    name: str
    rank_before: int
    rank_after: int
    score_before: int
    score_after: int


class RejudgedSolve(Shape):
    team_id: str
    clue: str
    version: int


class RevisionResult(Shape):
    revision: int
    changes: list[str]
    board: list[BoardMove]
    rejudged: list[RejudgedSolve]


class RevisionEntry(Shape):
    revision: int
    time: Time
    changes: list[str]


class RevisionQuery(Shape):
    dry_run: bool = False
    rejudge: bool = False
