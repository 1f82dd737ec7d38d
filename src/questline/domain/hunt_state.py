"""The decision state of one hunt, and `evolve`, which folds an event into it.

State is mutated in place for speed: one writer owns it, and replaying the
same events always rebuilds an equal state (the property tests check this).
"""

from collections import deque
from dataclasses import dataclass, field

from questline.domain.answer_checking import PreparedAnswer, prepare
from questline.domain.definition import Clue, HuntDefinition
from questline.domain.events import (
    AnnouncementMade,
    AnswerWrong,
    ClueSolved,
    Event,
    HintUnlocked,
    HuntCreated,
    HuntPaused,
    HuntResumed,
    KeptGoing,
    PhotoRejected,
    PhotoSubmitted,
    ReadModelHealed,
    RecordedEvent,
    ScoreAdjusted,
    TeamRegistered,
)
from questline.domain.score_sheet import ScoreSheet
from questline.domain.team_names import fold_team_name
from questline.domain.timestamps import Micros


@dataclass(slots=True)
class TeamState:
    team_id: str
    name: str
    order: int
    token_hash: str
    solved: dict[str, int] = field(default_factory=dict)  # clue -> hunt version of the solve
    wrong: dict[str, int] = field(default_factory=dict)  # clue -> wrong attempts in all
    recent_wrong: dict[str, deque[Micros]] = field(default_factory=dict)  # for the rate limit
    hints: set[tuple[str, str]] = field(default_factory=set)
    pending_photos: dict[str, str] = field(default_factory=dict)  # clue -> review id
    last_scoring_version: int | None = None


@dataclass(slots=True)
class PendingReview:
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    submitted_at: Micros


@dataclass(slots=True)
class HuntState:
    definition: HuntDefinition
    clues: dict[str, Clue]
    prepared: dict[str, PreparedAnswer]
    scores: ScoreSheet
    version: int = 0
    last_time: Micros = 0
    paused: bool = False
    teams: dict[str, TeamState] = field(default_factory=dict)
    # folded name -> team id: derived from the teams' names (snapshots rebuild it)
    team_names: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, PendingReview] = field(default_factory=dict)  # waiting, in order
    reviewed: set[str] = field(default_factory=set)
    photos_submitted: int = 0

    @property
    def hunt_id(self) -> str:
        return self.definition.id

    def phase(self, now: Micros) -> str:
        """scheduled, live, paused or ended, as the API names it."""
        if now >= self.definition.ends_at:
            return "ended"
        if now < self.definition.starts_at:
            return "scheduled"
        return "paused" if self.paused else "live"

    def is_open(self, team: TeamState, clue: Clue) -> bool:
        requires = clue.requires
        if requires is None:
            return True
        solved = team.solved
        return sum(1 for r in requires.of if r in solved) >= requires.count


def new_state(definition: HuntDefinition) -> HuntState:
    return HuntState(
        definition=definition,
        clues={clue.id: clue for clue in definition.clues},
        prepared={clue.id: prepare(clue) for clue in definition.clues},
        scores=ScoreSheet(definition),
    )


def evolve(state: HuntState | None, recorded: RecordedEvent) -> HuntState:
    event = recorded.event
    if state is None:
        if not isinstance(event, HuntCreated):
            raise ValueError(f"hunt {recorded.hunt_id} must start with hunt_created")
        state = new_state(event.definition)
    else:
        _apply(state, event, recorded)
    state.version = recorded.version
    state.last_time = recorded.time
    return state


def _apply(state: HuntState, event: Event, recorded: RecordedEvent) -> None:
    if isinstance(event, AnswerWrong):
        _count_wrong(state, state.teams[event.team_id], event.clue_id, recorded.time)
    elif isinstance(event, ClueSolved):
        team = state.teams[event.team_id]
        team.solved[event.clue_id] = recorded.version
        team.last_scoring_version = recorded.version
        team.pending_photos.pop(event.clue_id, None)
        state.scores.solve(event.team_id, event.clue_id, event.bonus)
        if event.review_id is not None:
            state.reviews.pop(event.review_id, None)
            state.reviewed.add(event.review_id)
    elif isinstance(event, KeptGoing):
        pass  # neither right nor wrong: it changes no decision
    elif isinstance(event, HintUnlocked):
        team = state.teams[event.team_id]
        team.hints.add((event.clue_id, event.hint_id))
        state.scores.add(event.team_id, -event.cost)
        if event.cost:
            team.last_scoring_version = recorded.version
    elif isinstance(event, TeamRegistered):
        state.teams[event.team_id] = TeamState(
            event.team_id, event.name, len(state.teams) + 1, event.token_hash
        )
        state.team_names[fold_team_name(event.name)] = event.team_id
        state.scores.add_team(event.team_id)
    elif isinstance(event, PhotoSubmitted):
        state.photos_submitted += 1
        state.teams[event.team_id].pending_photos[event.clue_id] = event.review_id
        state.reviews[event.review_id] = PendingReview(
            event.review_id, event.team_id, event.clue_id, event.photo_id, recorded.time
        )
    elif isinstance(event, PhotoRejected):
        team = state.teams[event.team_id]
        team.pending_photos.pop(event.clue_id, None)
        state.reviews.pop(event.review_id, None)
        state.reviewed.add(event.review_id)
        _count_wrong(state, team, event.clue_id, recorded.time)
    elif isinstance(event, ScoreAdjusted):
        state.scores.add(event.team_id, event.points)
        if event.points:
            state.teams[event.team_id].last_scoring_version = recorded.version
    elif isinstance(event, HuntPaused):
        state.paused = True
    elif isinstance(event, HuntResumed):
        state.paused = False
    elif isinstance(event, AnnouncementMade | ReadModelHealed):
        pass
    elif isinstance(event, HuntCreated):
        raise ValueError(f"hunt {recorded.hunt_id} was created twice (version {recorded.version})")


def _count_wrong(state: HuntState, team: TeamState, clue_id: str, time: Micros) -> None:
    team.wrong[clue_id] = team.wrong.get(clue_id, 0) + 1
    recent = team.recent_wrong.get(clue_id)
    if recent is None:
        recent = team.recent_wrong[clue_id] = deque(maxlen=state.definition.wrong_per_minute)
    recent.append(time)
