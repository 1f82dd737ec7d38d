"""What the properties compare: canonical dumps, and the spec's scoring and
ranking computed here, independently of the engine's ScoreSheet and projections.
"""

import hashlib
import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import msgspec

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.commands import Command, CreateHunt
from questline.domain.definition import DynamicPoints, HuntDefinition, PartsAnswer
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
from questline.domain.hunt_state import HuntState, evolve
from questline.domain.rejections import Rejection
from questline.domain.replies import Reply
from questline.domain.timestamps import Micros
from questline.engine.hunt_engine import HuntEngine
from questline.ports import CommandEnvelope
from tests.hunt_builders import BEFORE_START, PureHunt
from tests.properties.hunts import Scenario

# -- canonical dumps -----------------------------------------------------------------


def dump_state(state: HuntState) -> dict[str, Any]:
    """Everything a decision can depend on, as plain data (order kept where it matters)."""
    teams = [
        {
            "team_id": team.team_id,
            "name": team.name,
            "order": team.order,
            "score": state.scores.score(team.team_id),
            "solved": sorted(team.solved.items()),
            "wrong": sorted(team.wrong_counts().items()),
            "recent_wrong": sorted((c, list(tally[1:])) for c, tally in team.tallies()),
            "hints": sorted(team.hints),
            "pending_photos": sorted(team.pending_photos.items()),
            "parts": sorted((c, sorted(p.items())) for c, p in team.parts.items()),
            "kept_open": sorted(team.kept_open),
        }
        for team in state.teams.values()
    ]
    return {
        "definition": msgspec.to_builtins(state.definition),
        "version": state.version,
        "last_time": state.last_time,
        "paused": state.paused,
        "teams": teams,
        "team_names": sorted(state.team_names.items()),
        "reviews": [
            (r.review_id, r.team_id, r.clue_id, r.photo_id, r.submitted_at)
            for r in state.reviews.values()
        ],
        "reviewed": sorted(state.reviewed),
        "photos_submitted": state.photos_submitted,
        "solvers": sorted((c, state.scores.solvers(c)) for c in state.clues),
        "values": sorted((c, state.scores.value_now(c, solved=False)) for c in state.clues),
        "revision": state.revision,
    }


def fold_state(events: Iterable[RecordedEvent]) -> HuntState:
    state: HuntState | None = None
    for recorded in events:
        state = evolve(state, recorded)
    assert state is not None
    return state


# -- the spec's scoring and ranking, written out again ------------------------------------


def spec_value(points: int | DynamicPoints, solves: int) -> int:
    """hunt-format.md, Scoring: the value every solver of a clue holds."""
    if isinstance(points, int):
        return points
    s = max(solves - 1, 0)
    if points.function == "linear":
        value = Fraction(points.initial - points.decay * s)
    else:
        value = Fraction(points.initial) + Fraction(
            (points.minimum - points.initial) * s * s, points.decay * points.decay
        )
    return max(math.ceil(value), points.minimum)


def spec_scores(definition: HuntDefinition, log: Iterable[RecordedEvent]) -> dict[str, int]:
    """The spec's sum, under the definition in force at the end of `log` (the one it
    opens with, then each revision's): clue and part points (dynamic at today's solve
    count), bonuses by each solve's place in the order solves count at (a rejudged
    solve at its attempt's version), minus hint costs and penalties (as paid, less what
    rejudging gave back), plus adjustments."""
    return _fold(definition, log).scores()


NO_SCORE_YET = math.inf


def spec_ranking(
    definition: HuntDefinition, log: Sequence[RecordedEvent], before: Micros | None = None
) -> list[tuple[str, int]]:
    """(team, score) in leaderboard order, from the events before `before` (all if None):
    finished teams first by their finish when ranking by finish, then score, then the
    earlier last own scoring event, then registration order."""
    events = [r for r in log if before is None or r.time < before]
    fold = _fold(definition, events)
    scores = fold.scores()
    by_finish = fold.definition.ranking == "finish"

    def key(team: str) -> tuple[float, int, float, int]:
        finish = fold.held[team].get(fold.definition.finish or "")
        first = finish if by_finish and finish is not None else NO_SCORE_YET
        last = max(fold.scoring[team], default=NO_SCORE_YET)
        return (first, -scores[team], last, fold.order[team])

    return [(team, scores[team]) for team in sorted(fold.order, key=key)]


class _Fold:
    def __init__(self, definition: HuntDefinition) -> None:
        self.definition = definition
        self.order: dict[str, int] = {}
        self.paid: dict[str, int] = {}
        self.held: dict[str, dict[str, int]] = {}  # team -> clue -> version it counts at
        self.parts: dict[str, set[tuple[str, str]]] = {}
        self.scoring: dict[str, list[int]] = {}  # team -> versions of its scoring events

    def scores(self) -> dict[str, int]:
        clues = {clue.id: clue for clue in self.definition.clues}
        bonuses = self.definition.first_solve_bonus
        places: dict[str, list[str]] = {
            c: [t for _, t in sorted((held[c], t) for t, held in self.held.items() if c in held)]
            for c in clues
        }
        result = {}
        for team, held in self.held.items():
            total = self.paid[team]
            for clue_id in held:
                clue = clues[clue_id]
                place = places[clue_id].index(team)
                total += bonuses[place] if place < len(bonuses) else 0
                if isinstance(clue.answer, PartsAnswer):
                    continue
                total += spec_value(clue.points, len(places[clue_id]))
            for clue_id, part_id in self.parts[team]:
                answer = clues[clue_id].answer
                assert isinstance(answer, PartsAnswer)
                part = answer.part(part_id)
                total += part.points if part is not None else 0
            result[team] = total
        return result


def _fold(definition: HuntDefinition, log: Iterable[RecordedEvent]) -> _Fold:
    fold = _Fold(definition)
    paid_hints: set[tuple[str, str, str]] = set()
    for recorded in log:
        event = recorded.event
        v = recorded.version
        if isinstance(event, HuntCreated | HuntRevised):
            fold.definition = event.definition
        elif isinstance(event, TeamRegistered):
            fold.order[event.team_id] = len(fold.order)
            fold.paid[event.team_id] = 0
            fold.held[event.team_id] = {}
            fold.parts[event.team_id] = set()
            fold.scoring[event.team_id] = []
        elif isinstance(event, ClueSolved):
            at = event.counts_at if event.counts_at is not None else v
            held = fold.held[event.team_id]
            if event.moved_from is None:
                assert event.clue_id not in held, "solved twice"
            else:
                assert held[event.clue_id] == event.moved_from
                fold.scoring[event.team_id].remove(event.moved_from)
            held[event.clue_id] = at
            fold.scoring[event.team_id].append(at)
            fold.paid[event.team_id] += event.refund
        elif isinstance(event, PartSolved):
            key = (event.clue_id, event.part_id)
            if event.moved_from is None:
                assert key not in fold.parts[event.team_id], "part solved twice"
            else:
                assert key in fold.parts[event.team_id]
                fold.scoring[event.team_id].remove(event.moved_from)
            fold.parts[event.team_id].add(key)
            fold.scoring[event.team_id].append(
                event.counts_at if event.counts_at is not None else v
            )
            fold.paid[event.team_id] += event.refund
        elif isinstance(event, HintUnlocked):
            key3 = (event.team_id, event.clue_id, event.hint_id)
            assert key3 not in paid_hints, f"hint paid twice: {key3}"
            paid_hints.add(key3)
            fold.paid[event.team_id] -= event.cost
            if event.cost:
                fold.scoring[event.team_id].append(v)
        elif isinstance(event, AnswerWrong | PhotoRejected):
            fold.paid[event.team_id] -= event.penalty
            if event.penalty:
                fold.scoring[event.team_id].append(v)
        elif isinstance(event, ScoreAdjusted):
            fold.paid[event.team_id] += event.points
            if event.points:
                fold.scoring[event.team_id].append(v)
    return fold


# -- playing a scenario -------------------------------------------------------------------


def play_pure(
    scenario: Scenario, *, dumps: bool = False
) -> tuple[PureHunt, list[Reply | Rejection], list[dict[str, Any]]]:
    """Play through decide + evolve; return the hunt, each answer and (if asked) a dump
    of the state after each step."""
    hunt = PureHunt(scenario.definition, scenario.times[0])
    answers: list[Reply | Rejection] = []
    states: list[dict[str, Any]] = []
    for now, command in zip(scenario.times, scenario.commands, strict=True):
        answers.append(hunt.at(now).run(command))
        if dumps:
            states.append(dump_state(hunt.state))
    return hunt, answers, states


def fingerprint(command: Command) -> str:
    return hashlib.sha256(msgspec.json.encode(command)).hexdigest()


def envelope(index: int, command: Command) -> CommandEnvelope:
    """Step `index` (1-based) with the command id PureHunt gives it."""
    return CommandEnvelope(f"c{index}", command, fingerprint(command), f"corr-{index}")


def create_envelope(definition: HuntDefinition, command_id: str = "create") -> CommandEnvelope:
    command = CreateHunt(definition.id, definition)
    return CommandEnvelope(command_id, command, fingerprint(command))


def open_engine(path: Path, definition: HuntDefinition) -> HuntEngine:
    """An engine on a new SQLite file holding the hunt, created at BEFORE_START."""
    engine = HuntEngine(SqliteStore(path), ManualClock(BEFORE_START))
    [created] = engine.execute([create_envelope(definition)])
    assert created.accepted, created
    return engine


def set_clock(engine: HuntEngine, now: Micros) -> None:
    clock = engine.clock
    assert isinstance(clock, ManualClock)
    clock.set(now)
