"""The snapshot audit's comparison (engine/fold_differences.py): two folds of the
same log compare equal, also when one of them went through a partition
snapshot; a changed score, a solved clue, a changed row or hidden projection
state, or a hunt only one side has, is reported hunt by hunt."""

import msgspec
from hypothesis import given

from questline.domain.commands import RegisterTeam, Submit, TextGiven
from questline.domain.events import RecordedEvent, TeamRegistered
from questline.domain.hunt_state import HuntState
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import LeaderboardRow
from questline.domain.projections.team_progress import TeamProgressProjection
from questline.engine.batch_decider import BatchDecider
from questline.engine.command_window import WindowData
from questline.engine.fold_differences import Fold, fold_differences
from questline.engine.partition_snapshots import (
    deciders_of,
    open_partition,
    projections_of,
    take_partition,
)
from questline.ports import CommandEnvelope, CommandRecord
from tests.hunt_builders import BEFORE_START, MINUTE, STARTS, spec_hunt
from tests.properties.budget import ENGINE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import create_envelope, envelope, fingerprint


def nothing_known(_: object) -> dict[str, CommandRecord]:
    return {}


class Log:
    """Commands decided one by one, their events placed at offsets like a partition's."""

    def __init__(self) -> None:
        self.decider = BatchDecider()
        self.events: list[RecordedEvent] = []

    def run(self, item: CommandEnvelope, now: int) -> list[RecordedEvent]:
        decided = self.decider.decide_batch([item], now, nothing_known)
        self.decider.committed(decided.records)
        placed = [
            msgspec.structs.replace(recorded, position=len(self.events) + n)
            for n, recorded in enumerate(decided.events)
        ]
        self.events += placed
        return placed


def fold(events: list[RecordedEvent]) -> Fold:
    """What a projector (and the audit's refold) holds after `events`."""
    decider = BatchDecider()
    projector = Projector()
    for recorded in events:
        decider.fold(recorded)
        projector.apply(recorded)
    projector.take_changes()
    return Fold(decider.states, projector)


def through_a_snapshot(original: Fold, offset: int) -> Fold:
    record = take_partition(
        3, offset, original.states, original.projector, 1, window=WindowData([], [], 0)
    )
    body = open_partition(record)
    projector = Projector()
    states = deciders_of(body)
    projections_of(body, projector, states)
    return Fold(states, projector)


def command(n: int, item: RegisterTeam | Submit) -> CommandEnvelope:
    return CommandEnvelope(f"c{n}", item, fingerprint(item))


HUNT = spec_hunt()


def played(log: Log | None = None) -> list[RecordedEvent]:
    """Three teams; two solve the lighthouse, one answers wrong."""
    log = log or Log()
    log.run(create_envelope(HUNT), BEFORE_START)
    teams = []
    for n in range(3):
        item = RegisterTeam(HUNT.id, f"Team {n}", f"h-{n}")
        [registered] = log.run(command(n, item), BEFORE_START)
        assert isinstance(registered.event, TeamRegistered)
        teams.append(registered.event.team_id)
    answers = ("keeper", "nope", "Lighthouse Keeper")
    for n, (team, answer) in enumerate(zip(teams, answers, strict=True)):
        submit = Submit(HUNT.id, team, "lighthouse", TextGiven(answer))
        log.run(command(10 + n, submit), STARTS + n * MINUTE)
    return log.events


def first_team(state: HuntState) -> str:
    return next(iter(state.teams))


def test_two_folds_of_the_same_log_are_equal() -> None:
    events = played()
    assert fold_differences(fold(events), fold(events)) == []


def test_a_fold_restored_from_a_snapshot_equals_the_refold() -> None:
    events = played()
    assert fold_differences(through_a_snapshot(fold(events), len(events)), fold(events)) == []


@ENGINE
@given(scenarios(max_steps=30))
def test_any_played_hunt_through_a_snapshot_equals_its_refold(scenario: Scenario) -> None:
    log = Log()
    log.run(create_envelope(scenario.definition), scenario.times[0])
    for n, item in enumerate(scenario.commands):
        log.run(envelope(n + 1, item), scenario.times[n])
    events = log.events
    assert fold_differences(through_a_snapshot(fold(events), len(events)), fold(events)) == []


def test_a_changed_score_in_the_decision_state_is_reported() -> None:
    events = played()
    wrong = through_a_snapshot(fold(events), len(events))
    team = first_team(wrong.states[HUNT.id])
    wrong.states[HUNT.id].scores.add(team, 1000)
    [difference] = fold_differences(wrong, fold(events))
    assert (difference.hunt_id, difference.part, difference.where) == (
        HUNT.id,
        "decision state",
        f"standings.scores.base.{team}",
    )
    assert difference.refold + 1000 == difference.snapshot
    assert difference.describe().startswith(
        f"hunt {HUNT.id}: decision state standings.scores.base.{team}"
    )


def test_a_solved_clue_the_log_does_not_have_is_reported() -> None:
    events = played()
    wrong = fold(events)
    state = wrong.states[HUNT.id]
    team = first_team(state)
    state.teams[team].solved["crate"] = 99
    [difference] = fold_differences(wrong, fold(events))
    assert (difference.part, difference.where) == ("decision state", f"teams[{team}].solved.crate")
    assert (difference.snapshot, difference.refold) == (99, "<absent>")


def test_a_changed_row_is_reported_by_table_key_and_field() -> None:
    events = played()
    wrong = fold(events)
    team = first_team(wrong.states[HUNT.id])
    rows = next(p for p in wrong.projector.projections if isinstance(p, TeamProgressProjection))
    rows._teams[(HUNT.id, team)].adjustments = 77
    differences = fold_differences(wrong, fold(events))
    assert [(d.part, d.where, d.snapshot, d.refold) for d in differences] == [
        ("teams", f"row {team} adjustments", 77, 0)
    ]
    assert "in the snapshot, 0 by a refold of the log" in differences[0].describe()


def test_a_changed_leaderboard_score_is_reported() -> None:
    events = played()
    wrong = fold(events)
    team = first_team(wrong.states[HUNT.id])
    boards = next(p for p in wrong.projector.projections if "leaderboard_live" in p.tables)
    boards._hunts[HUNT.id].live.scores.add(team, 5)  # type: ignore[attr-defined]
    right = fold(events)
    differences = fold_differences(wrong, right)
    scored = [d for d in differences if d.part == "leaderboard_live"]
    assert [(d.where, d.snapshot - d.refold) for d in scored] == [(f"row {team} score", 5)]
    before = right.projector.projections[2].row("leaderboard_live", HUNT.id, team)
    assert isinstance(before, LeaderboardRow)


def test_hidden_projection_state_is_compared_when_the_rows_agree() -> None:
    events = played()
    wrong = fold(events)
    rows = next(p for p in wrong.projector.projections if isinstance(p, TeamProgressProjection))
    rows._counts[HUNT.id] += 1
    differences = fold_differences(wrong, fold(events))
    assert [(d.part, d.where, d.snapshot, d.refold) for d in differences] == [
        ("projection state", "teams.count", 4, 3)
    ]


def test_a_hunt_only_one_side_has_is_reported() -> None:
    events = played()
    log = Log()
    played(log)
    log.run(create_envelope(spec_hunt(id="other-hunt"), "create-other"), BEFORE_START)
    more = fold(log.events)
    differences = fold_differences(more, fold(events))
    assert [(d.hunt_id, d.part) for d in differences] == [("other-hunt", "hunt")]
    assert differences[0].describe() == "hunt other-hunt: only the snapshot has it"
    assert fold_differences(fold(events), more)[0].describe() == (
        "hunt other-hunt: only a refold of the log has it"
    )
