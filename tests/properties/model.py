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
from questline.domain.definition import DynamicPoints, HuntDefinition
from questline.domain.events import (
    ClueSolved,
    HintUnlocked,
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
            "wrong": sorted(team.wrong.items()),
            "recent_wrong": sorted((c, list(times)) for c, times in team.recent_wrong.items()),
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
    """clue points (dynamic at today's solve count) + bonuses - hint costs + adjustments."""
    clues = {clue.id: clue for clue in definition.clues}
    solvers: dict[str, list[str]] = {clue_id: [] for clue_id in clues}
    fixed: dict[str, int] = {}
    held: dict[str, list[str]] = {}
    paid: set[tuple[str, str, str]] = set()
    for recorded in log:
        event = recorded.event
        if isinstance(event, TeamRegistered):
            fixed[event.team_id] = 0
            held[event.team_id] = []
        elif isinstance(event, ClueSolved):
            assert event.team_id not in solvers[event.clue_id], "solved twice"
            solvers[event.clue_id].append(event.team_id)
            rank = len(solvers[event.clue_id])
            bonuses = definition.first_solve_bonus
            bonus = bonuses[rank - 1] if rank <= len(bonuses) else 0
            assert event.bonus == bonus, (event, bonus)
            fixed[event.team_id] += bonus
            held[event.team_id].append(event.clue_id)
        elif isinstance(event, HintUnlocked):
            key = (event.team_id, event.clue_id, event.hint_id)
            assert key not in paid, f"hint paid twice: {key}"
            paid.add(key)
            hint = clues[event.clue_id].hint(event.hint_id)
            assert hint is not None
            fixed[event.team_id] -= hint.cost
        elif isinstance(event, ScoreAdjusted):
            fixed[event.team_id] += event.points
    return {
        team: fixed[team] + sum(spec_value(clues[c].points, len(solvers[c])) for c in held[team])
        for team in fixed
    }


NO_SCORE_YET = math.inf


def spec_ranking(
    definition: HuntDefinition, log: Sequence[RecordedEvent], before: Micros | None = None
) -> list[tuple[str, int]]:
    """(team, score) in leaderboard order, from the events before `before` (all if None)."""
    events = [r for r in log if before is None or r.time < before]
    scores = spec_scores(definition, events)
    order: dict[str, int] = {}
    last: dict[str, float] = {}
    for recorded in events:
        event = recorded.event
        if isinstance(event, TeamRegistered):
            order[event.team_id] = len(order)
        elif (
            isinstance(event, ClueSolved)
            or (isinstance(event, HintUnlocked) and event.cost)
            or (isinstance(event, ScoreAdjusted) and event.points)
        ):
            last[event.team_id] = recorded.version
    teams = sorted(order, key=lambda t: (-scores[t], last.get(t, NO_SCORE_YET), order[t]))
    return [(team, scores[team]) for team in teams]


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
