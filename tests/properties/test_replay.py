"""Replaying the log rebuilds the state and the read models, bit for bit (design ideas 2-3)."""

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from questline.adapters.event_lines import decode_line, encode_line
from questline.domain.definition import HuntDefinition
from questline.domain.definition_document import definition_document
from questline.domain.definition_parsing import parse_definition
from questline.domain.events import RecordedEvent
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import Changes, LeaderboardRow, TeamRow
from tests.properties.budget import PURE
from tests.properties.hunts import Scenario, hunts, scenarios
from tests.properties.model import dump_state, fold_state, play_pure


@PURE
@given(scenarios())
def test_replaying_every_prefix_of_the_log_rebuilds_the_state_at_that_point(
    scenario: Scenario,
) -> None:
    hunt, _, dumps = play_pure(scenario, dumps=True)
    # The state after each step equals a fresh fold of the log written up to then.
    for dump in dumps:
        prefix = [r for r in hunt.log if r.version <= dump["version"]]
        assert dump_state(fold_state(prefix)) == dump
    assert dump_state(fold_state(hunt.log)) == dump_state(hunt.state)


@PURE
@given(scenarios())
def test_replaying_exported_event_lines_rebuilds_an_equal_state(scenario: Scenario) -> None:
    hunt, _, _ = play_pure(scenario)
    lines = [encode_line(recorded) for recorded in hunt.log]
    decoded = [decode_line(line, number) for number, line in enumerate(lines, start=1)]
    assert decoded == hunt.log
    assert dump_state(fold_state(decoded)) == dump_state(hunt.state)


def fold_once(log: list[RecordedEvent]) -> Changes:
    projector = Projector()
    projector.apply_all(log)
    return projector.take_changes()


@PURE
@given(scenarios(), st.data())
def test_rows_taken_batch_by_batch_equal_the_rows_of_one_fold(
    scenario: Scenario, data: st.DataObject
) -> None:
    hunt, _, _ = play_pure(scenario)
    log = hunt.log
    cuts = sorted(data.draw(st.sets(st.integers(1, len(log)), max_size=8), label="cuts"))
    projector = Projector()
    incremental: Changes = {}
    start = 0
    for end in [*cuts, len(log)]:
        projector.apply_all(log[start:end])
        incremental.update(projector.take_changes())
        start = end
    assert incremental == fold_once(log)
    assert projector.take_changes() == {}


@PURE
@given(scenarios())
def test_read_model_rows_agree_with_the_decision_state(scenario: Scenario) -> None:
    hunt, _, _ = play_pure(scenario)
    rows = fold_once(hunt.log)
    state = hunt.state
    teams = {key: row for (table, _, key), row in rows.items() if table == "teams"}
    board = {key: row for (table, _, key), row in rows.items() if table == "leaderboard_live"}
    assert set(teams) == set(board) == set(state.teams)
    for team_id, team in state.teams.items():
        row = teams[team_id]
        assert isinstance(row, TeamRow)
        assert row.solved == team.solved
        assert row.wrong == team.wrong_counts()
        assert set(row.hints) == team.hints
        assert len(row.hints) == len(team.hints)
        assert row.pending == team.pending_photos
        assert (row.name, row.order) == (team.name, team.order)
        entry = board[team_id]
        assert isinstance(entry, LeaderboardRow)
        assert entry.score == state.scores.score(team_id)
        assert entry.solved == len(team.solved)
    hunt_row = rows[("hunts", hunt.hunt_id, hunt.hunt_id)]
    assert msgspec.to_builtins(hunt_row)["version"] == state.version
    assert msgspec.to_builtins(hunt_row)["paused"] == state.paused
    waiting = {
        key
        for (table, _, key), row in rows.items()
        if table == "reviews" and msgspec.to_builtins(row)["status"] == "waiting"
    }
    assert waiting == set(state.reviews)


@PURE
@given(hunts())
def test_a_definition_written_back_as_a_document_parses_to_itself(
    definition: HuntDefinition,
) -> None:
    assert parse_definition(definition_document(definition)) == definition
