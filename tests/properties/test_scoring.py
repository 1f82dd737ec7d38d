"""Scores and ranks equal the spec's sums and order, computed here on their own."""

from hypothesis import given

from questline.adapters.event_lines import decode_line, encode_line
from questline.domain.commands import PartGiven
from questline.domain.events import ClueSolved, PartSolved, RecordedEvent, ScoreAdjusted
from questline.domain.projections.projector import Projector
from questline.domain.projections.rows import NO_SCORING_EVENT, LeaderboardRow
from questline.domain.rejections import Rejection
from questline.domain.replies import AdjustmentReply, HintReply, ReviewReply, SubmissionReply
from tests.hunt_builders import PureHunt, spec_hunt
from tests.properties.budget import PURE
from tests.properties.hunts import Scenario, scenarios
from tests.properties.model import fold_state, spec_ranking, spec_scores


@PURE
@given(scenarios())
def test_every_score_equals_the_spec_sum_after_every_step(scenario: Scenario) -> None:
    hunt = PureHunt(scenario.definition, scenario.times[0])
    for now, command in zip(scenario.times, scenario.commands, strict=True):
        answer = hunt.at(now).run(command)
        expected = spec_scores(scenario.definition, hunt.log)
        assert set(expected) == set(hunt.state.teams)
        for team_id, score in expected.items():
            assert hunt.score(team_id) == score, (team_id, command)
        # The reply tells the acting team its score as the spec counts it.
        if isinstance(answer, SubmissionReply | HintReply):
            team_id = getattr(command, "team_id")  # noqa: B009
            assert answer.score == expected[team_id]
        elif isinstance(answer, AdjustmentReply | ReviewReply):
            assert answer.score == expected[answer.team_id]
        if isinstance(answer, SubmissionReply) and answer.result == "correct":
            # The solve's own event says what it earned: the part's, for a part answer.
            solved = next(
                r.event for r in reversed(hunt.log) if isinstance(r.event, PartSolved | ClueSolved)
            )
            if isinstance(getattr(command, "given", None), PartGiven):
                solved = next(
                    r.event for r in reversed(hunt.log) if isinstance(r.event, PartSolved)
                )
            assert getattr(solved, "points", None) == answer.points


@PURE
@given(scenarios())
def test_the_leaderboards_rank_teams_as_the_spec_orders_them(scenario: Scenario) -> None:
    hunt = PureHunt(scenario.definition, scenario.times[0])
    projector = Projector()
    projector.apply_all(hunt.log)
    live: dict[str, LeaderboardRow] = {}
    frozen: dict[str, LeaderboardRow] = {}
    for now, command in zip(scenario.times, scenario.commands, strict=True):
        before = len(hunt.log)
        answer = hunt.at(now).run(command)
        assert isinstance(answer, Rejection) or len(hunt.log) >= before
        projector.apply_all(hunt.log[before:])
        for (table, _, key), row in projector.take_changes().items():
            if table == "leaderboard_live":
                assert isinstance(row, LeaderboardRow)
                live[key] = row
            elif table == "leaderboard_frozen":
                assert isinstance(row, LeaderboardRow)
                frozen[key] = row
        ranked_live = sorted(live.values(), key=LeaderboardRow.sort_key)
        assert [(r.team_id, r.score) for r in ranked_live] == spec_ranking(
            scenario.definition, hunt.log
        )
    freeze_at = scenario.definition.freeze_at
    ranked_frozen = [
        (r.team_id, r.score) for r in sorted(frozen.values(), key=LeaderboardRow.sort_key)
    ]
    if freeze_at is None:
        assert ranked_frozen == []
    else:
        assert ranked_frozen == spec_ranking(scenario.definition, hunt.log, before=freeze_at)


def test_a_zero_adjustment_in_an_imported_log_is_no_scoring_event() -> None:
    # decide refuses a 0-point adjustment, but a log is also fed by `questline log import`
    # and by older engines (schema 1 `delta`), and the ranking rule is about the log.
    hunt = PureHunt(spec_hunt())
    first, second = hunt.register("Otters"), hunt.register("Owls")
    zero = RecordedEvent(
        hunt.hunt_id,
        hunt.state.version + 1,
        hunt.now,
        "imported",
        ScoreAdjusted(second, 0, "typo, no change"),
        position=len(hunt.log) + 1,
    )
    log = [*hunt.log, decode_line(encode_line(zero), 1)]
    state = fold_state(log)
    assert state.standings.entries[second].last_scoring_version == NO_SCORING_EVENT
    projector = Projector()
    projector.apply_all(log)
    board = [
        row
        for (table, _, _), row in projector.take_changes().items()
        if table == "leaderboard_live" and isinstance(row, LeaderboardRow)
    ]
    ranked = [(row.team_id, row.score) for row in sorted(board, key=LeaderboardRow.sort_key)]
    assert spec_ranking(hunt.definition, log) == [(first, 0), (second, 0)]
    assert ranked == spec_ranking(hunt.definition, log)
