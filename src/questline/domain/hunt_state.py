"""The decision state of one hunt, and `evolve`, which folds an event into it.

State is mutated in place for speed: one writer owns it, and replaying the
same events always rebuilds an equal state (the property tests check this).
A team's containers are shared and empty (shared_empty.py) until it has
something to put in them: most teams never unlock a hint or send a photo.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import cast

import msgspec

from questline.domain.answer_checking import PreparedAnswer, prepare
from questline.domain.attempt_index import AttemptIndex
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
    HuntRevised,
    KeptGoing,
    PartSolved,
    PhotoRejected,
    PhotoSubmitted,
    ReadModelHealed,
    RecordedEvent,
    ScoreAdjusted,
    TeamMessaged,
    TeamRegistered,
    TokenIssued,
)
from questline.domain.openness import clue_open
from questline.domain.score_sheet import ScoreSheet
from questline.domain.shared_empty import empty_dict, empty_set
from questline.domain.shared_ints import shared_int
from questline.domain.standings import Standings, StandingsData
from questline.domain.team_names import fold_team_name
from questline.domain.text_normalization import normalize_answer
from questline.domain.timestamps import Micros

# One clue's tally as (clue, *tally), or clue -> tally (TeamState.tally).
Misses = dict[str, tuple[int, ...]] | tuple[str | int, ...]


class TeamState(msgspec.Struct, gc=False):
    """One team's decision state (gc=False: it holds only plain values, never itself,
    so it needs no 16-byte cycle-collector header)."""

    team_id: str
    name: str
    order: int
    solved: dict[str, int] = msgspec.field(default_factory=empty_dict)  # clue -> counts-at version
    # clue -> part -> (the version its solve counts at, and its time)
    parts: dict[str, dict[str, tuple[int, Micros]]] = msgspec.field(default_factory=empty_dict)
    # Per clue missed, a tally: (wrong attempts in all, then the times of the last
    # `wrong_per_minute` of them, for the rate limit). See `tally`.
    misses: Misses = ()
    hints: set[tuple[str, str]] = msgspec.field(default_factory=empty_set)
    pending_photos: dict[str, str] = msgspec.field(default_factory=empty_dict)  # clue -> review
    kept_open: set[str] = msgspec.field(default_factory=empty_set)  # open when rules changed

    def wrong(self, clue_id: str) -> int:
        """Wrong attempts at the clue in all."""
        tally = self.tally(clue_id)
        return tally[0] if tally is not None else 0

    def recent_wrong(self, clue_id: str) -> tuple[Micros, ...] | None:
        """The times of its last `wrong_per_minute` wrong attempts at the clue (None
        before the first)."""
        tally = self.tally(clue_id)
        return tally[1:] if tally is not None else None

    def wrong_counts(self) -> dict[str, int]:
        return {clue: tally[0] for clue, tally in self.tallies()}

    # Most teams miss at one clue only, and a dict of one entry costs 184 bytes: one
    # clue's tally is kept as (clue, *tally), two or more as a dict clue -> tally.

    def tally(self, clue_id: str) -> tuple[int, ...] | None:
        misses = self.misses
        if isinstance(misses, dict):
            return misses.get(clue_id)
        if misses and misses[0] == clue_id:
            return cast(tuple[int, ...], misses[1:])
        return None

    def tallies(self) -> Iterator[tuple[str, tuple[int, ...]]]:
        """(clue, tally) per clue missed, in the order first missed."""
        misses = self.misses
        if isinstance(misses, dict):
            yield from misses.items()
        elif misses:
            yield cast(str, misses[0]), cast(tuple[int, ...], misses[1:])

    def set_tally(self, clue_id: str, tally: tuple[int, ...]) -> None:
        misses = self.misses
        if isinstance(misses, dict):
            misses[clue_id] = tally
        elif not misses or misses[0] == clue_id:
            self.misses = (clue_id, *tally)
        else:
            self.misses = {cast(str, misses[0]): cast(tuple[int, ...], misses[1:]), clue_id: tally}


class PendingReview(msgspec.Struct, gc=False):
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
    standings: Standings
    version: int = 0
    last_time: Micros = 0
    last_hash: str = ""
    revision: int = 1
    paused: bool = False
    teams: dict[str, TeamState] = field(default_factory=dict)
    # folded name -> team id: derived from the teams' names (snapshots rebuild it)
    team_names: dict[str, str] = field(default_factory=dict)
    reviews: dict[str, PendingReview] = field(default_factory=dict)  # waiting, in order
    reviewed: set[str] = field(default_factory=set)
    photos_submitted: int = 0
    touched: set[str] = field(default_factory=set)  # clues with any submission
    attempts: AttemptIndex = field(default_factory=AttemptIndex)  # wrong answers, to rejudge

    @property
    def hunt_id(self) -> str:
        return self.definition.id

    @property
    def scores(self) -> ScoreSheet:
        return self.standings.scores

    def phase(self, now: Micros) -> str:
        """scheduled, live, paused or ended, as the API names it."""
        if now >= self.definition.ends_at:
            return "ended"
        if now < self.definition.starts_at:
            return "scheduled"
        return "paused" if self.paused else "live"

    def is_open(self, team: TeamState, clue: Clue, now: Micros) -> bool:
        return clue_open(self.definition, clue, team.solved, now, team.kept_open)


def new_state(definition: HuntDefinition) -> HuntState:
    return HuntState(
        definition=definition,
        clues={clue.id: clue for clue in definition.clues},
        prepared={clue.id: prepare(clue) for clue in definition.clues},
        standings=Standings(definition),
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
    state.last_hash = recorded.hash
    return state


def _apply(state: HuntState, event: Event, recorded: RecordedEvent) -> None:
    _FOLDS[type(event)](state, recorded)


# -- folding, one function per kind of event --------------------------------------------


def _wrong(state: HuntState, recorded: RecordedEvent) -> None:
    event: AnswerWrong = recorded.event  # type: ignore[assignment]
    team = state.teams[event.team_id]
    _count_wrong(state, team, event.clue_id, recorded.time)
    state.touched.add(event.clue_id)
    if event.answer is not None:
        _remember_attempt(state, event, recorded)
    if event.penalty:
        state.standings.apply(recorded)


def _solved(state: HuntState, recorded: RecordedEvent) -> None:
    event: ClueSolved = recorded.event  # type: ignore[assignment]
    team = state.teams[event.team_id]
    at = event.counts_at if event.counts_at is not None else recorded.version
    solved = team.solved
    if not solved:
        solved = team.solved = {}
    solved[event.clue_id] = min(at, solved.get(event.clue_id, at))
    if team.pending_photos:
        team.pending_photos.pop(event.clue_id, None)
    state.touched.add(event.clue_id)
    state.standings.apply(recorded)
    if event.review_id is not None:
        state.reviews.pop(event.review_id, None)
        state.reviewed.add(event.review_id)


def _part_solved(state: HuntState, recorded: RecordedEvent) -> None:
    event: PartSolved = recorded.event  # type: ignore[assignment]
    team = state.teams[event.team_id]
    at = event.counts_at if event.counts_at is not None else recorded.version
    time = event.counts_at_time if event.counts_at_time is not None else recorded.time
    if not team.parts:
        team.parts = {}
    team.parts.setdefault(event.clue_id, {})[event.part_id] = (at, time)
    state.touched.add(event.clue_id)
    state.standings.apply(recorded)


def _kept_going(state: HuntState, recorded: RecordedEvent) -> None:
    # Neither right nor wrong: it changes no decision.
    event: KeptGoing = recorded.event  # type: ignore[assignment]
    state.touched.add(event.clue_id)


def _hint(state: HuntState, recorded: RecordedEvent) -> None:
    event: HintUnlocked = recorded.event  # type: ignore[assignment]
    team = state.teams[event.team_id]
    if not team.hints:
        team.hints = set()
    team.hints.add((event.clue_id, event.hint_id))
    state.standings.apply(recorded)


def _registered(state: HuntState, recorded: RecordedEvent) -> None:
    event: TeamRegistered = recorded.event  # type: ignore[assignment]
    order = shared_int(len(state.teams) + 1)
    state.teams[event.team_id] = TeamState(event.team_id, event.name, order)
    state.team_names[fold_team_name(event.name)] = event.team_id
    state.standings.apply(recorded)


def _photo(state: HuntState, recorded: RecordedEvent) -> None:
    event: PhotoSubmitted = recorded.event  # type: ignore[assignment]
    state.photos_submitted += 1
    state.touched.add(event.clue_id)
    team = state.teams[event.team_id]
    if not team.pending_photos:
        team.pending_photos = {}
    team.pending_photos[event.clue_id] = event.review_id
    state.reviews[event.review_id] = PendingReview(
        event.review_id, event.team_id, event.clue_id, event.photo_id, recorded.time
    )


def _rejected(state: HuntState, recorded: RecordedEvent) -> None:
    event: PhotoRejected = recorded.event  # type: ignore[assignment]
    team = state.teams[event.team_id]
    if team.pending_photos:
        team.pending_photos.pop(event.clue_id, None)
    state.reviews.pop(event.review_id, None)
    state.reviewed.add(event.review_id)
    _count_wrong(state, team, event.clue_id, recorded.time)
    state.standings.apply(recorded)


def _scored(state: HuntState, recorded: RecordedEvent) -> None:
    state.standings.apply(recorded)


def _revised(state: HuntState, recorded: RecordedEvent) -> None:
    event: HuntRevised = recorded.event  # type: ignore[assignment]
    _revise(state, event, recorded.time)


def _paused(state: HuntState, recorded: RecordedEvent) -> None:
    state.paused = isinstance(recorded.event, HuntPaused)


def _nothing(state: HuntState, recorded: RecordedEvent) -> None:
    pass


def _created_twice(state: HuntState, recorded: RecordedEvent) -> None:
    raise ValueError(f"hunt {recorded.hunt_id} was created twice (version {recorded.version})")


_FOLDS: dict[type[Event], Callable[[HuntState, RecordedEvent], None]] = {
    AnswerWrong: _wrong,
    ClueSolved: _solved,
    PartSolved: _part_solved,
    KeptGoing: _kept_going,
    HintUnlocked: _hint,
    TeamRegistered: _registered,
    PhotoSubmitted: _photo,
    PhotoRejected: _rejected,
    ScoreAdjusted: _scored,
    HuntRevised: _revised,
    HuntPaused: _paused,
    HuntResumed: _paused,
    AnnouncementMade: _nothing,
    ReadModelHealed: _nothing,
    TeamMessaged: _nothing,
    TokenIssued: _nothing,
    HuntCreated: _created_twice,
}


def _revise(state: HuntState, event: HuntRevised, now: Micros) -> None:
    old = state.definition
    for team in state.teams.values():  # what was open stays open under the new rules
        for clue in old.clues:
            if clue.id not in team.kept_open and clue_open(
                old, clue, team.solved, now, team.kept_open
            ):
                if not team.kept_open:
                    team.kept_open = set()
                team.kept_open.add(clue.id)
    state.definition = event.definition
    state.clues = {clue.id: clue for clue in event.definition.clues}
    state.prepared = {clue.id: prepare(clue) for clue in event.definition.clues}
    state.revision = event.revision
    state.standings.revise(event.definition)
    window = event.definition.wrong_per_minute
    if window != old.wrong_per_minute:
        for team in state.teams.values():
            for clue_id, tally in list(team.tallies()):
                team.set_tally(clue_id, (tally[0], *_last(tally[1:], window)))


def _remember_attempt(state: HuntState, event: AnswerWrong, recorded: RecordedEvent) -> None:
    answer = event.answer
    assert answer is not None
    clue = state.clues.get(event.clue_id)
    key = answer.strip() if clue is not None and clue.kind == "code" else normalize_answer(answer)
    state.attempts.remember(
        (event.clue_id, event.part_id or ""),
        key,
        event.team_id,
        (recorded.version, recorded.time, event.penalty),
    )


def _count_wrong(state: HuntState, team: TeamState, clue_id: str, time: Micros) -> None:
    # The last `wrong_per_minute` times, in a tuple after the count (a deque costs ~600
    # bytes however few it holds): the rate limit looks no further back.
    tally = team.tally(clue_id)
    window = state.definition.wrong_per_minute
    if tally is None:
        team.set_tally(clue_id, (1, time) if window else (1,))
    else:
        team.set_tally(clue_id, (tally[0] + 1, *_last((*tally[1:], time), window)))


def _last(times: tuple[Micros, ...], limit: int) -> tuple[Micros, ...]:
    """The last `limit` times (what a deque of that length would keep)."""
    return times if len(times) <= limit else times[len(times) - limit :]


# -- the saved form (snapshots) ----------------------------------------------------------


class TeamData(msgspec.Struct, frozen=True):
    team_id: str
    name: str
    order: int
    solved: dict[str, int]
    parts: dict[str, dict[str, tuple[int, Micros]]]
    wrong: dict[str, int]
    recent_wrong: dict[str, list[int]]
    hints: list[tuple[str, str]]
    pending_photos: dict[str, str]
    kept_open: list[str]


class ReviewData(msgspec.Struct, frozen=True):
    review_id: str
    team_id: str
    clue_id: str
    photo_id: str
    submitted_at: Micros


class AttemptData(msgspec.Struct, frozen=True):
    clue_id: str
    part_id: str
    answer: str
    team_id: str
    version: int
    time: Micros
    penalty: int


class StateData(msgspec.Struct, frozen=True):
    """A hunt's decision state as snapshots keep it: plain values, field by field."""

    definition: HuntDefinition
    version: int
    last_time: Micros
    last_hash: str
    revision: int
    paused: bool
    teams: list[TeamData]
    reviews: list[ReviewData]
    reviewed: list[str]
    photos_submitted: int
    touched: list[str]
    attempts: list[AttemptData]
    standings: StandingsData


def dump_state(state: HuntState) -> StateData:
    return StateData(
        definition=state.definition,
        version=state.version,
        last_time=state.last_time,
        last_hash=state.last_hash,
        revision=state.revision,
        paused=state.paused,
        teams=[
            TeamData(
                team.team_id,
                team.name,
                team.order,
                dict(team.solved),
                {clue: dict(parts) for clue, parts in team.parts.items()},
                team.wrong_counts(),
                {clue: list(tally[1:]) for clue, tally in team.tallies()},
                sorted(team.hints),
                dict(team.pending_photos),
                sorted(team.kept_open),
            )
            for team in state.teams.values()
        ],
        reviews=[
            ReviewData(r.review_id, r.team_id, r.clue_id, r.photo_id, r.submitted_at)
            for r in state.reviews.values()
        ],
        reviewed=sorted(state.reviewed),
        photos_submitted=state.photos_submitted,
        touched=sorted(state.touched),
        attempts=[
            AttemptData(clue, part, answer, team, *attempt)
            for (clue, part), answer, team, attempt in state.attempts
        ],
        standings=state.standings.dump(),
    )


def load_state(data: StateData) -> HuntState:
    """The state `dump_state` saved; ValueError if its parts do not fit together."""
    state = new_state(data.definition)
    state.version = data.version
    state.last_time = data.last_time
    state.last_hash = data.last_hash
    state.revision = data.revision
    state.paused = data.paused
    window = data.definition.wrong_per_minute
    for team in data.teams:
        kept = state.teams[team.team_id] = TeamState(
            team_id=team.team_id,
            name=team.name,
            order=team.order,
            # What the team has none of stays shared and empty.
            solved=dict(team.solved) or empty_dict(),
            parts={
                clue: {part: (at, time) for part, (at, time) in parts.items()}
                for clue, parts in team.parts.items()
            }
            or empty_dict(),
            hints={(clue, hint) for clue, hint in team.hints} or empty_set(),
            pending_photos=dict(team.pending_photos) or empty_dict(),
            kept_open=set(team.kept_open) or empty_set(),
        )
        for clue_id, count in team.wrong.items():
            recent = _last(tuple(team.recent_wrong.get(clue_id, ())), window)
            kept.set_tally(clue_id, (count, *recent))
    state.team_names = {fold_team_name(team.name): team.team_id for team in data.teams}
    state.reviews = {
        r.review_id: PendingReview(r.review_id, r.team_id, r.clue_id, r.photo_id, r.submitted_at)
        for r in data.reviews
    }
    state.reviewed = set(data.reviewed)
    state.photos_submitted = data.photos_submitted
    state.touched = set(data.touched)
    for a in data.attempts:
        state.attempts.remember(
            (a.clue_id, a.part_id), a.answer, a.team_id, (a.version, a.time, a.penalty)
        )
    state.standings = Standings.load(data.definition, data.standings)
    return state
