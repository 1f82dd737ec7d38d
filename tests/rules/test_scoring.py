"""Scoring: static and dynamic clue values, first-solve bonuses, adjustments and
the score formula. Dynamic expectations come from the spec's formulas in exact
fractions, written out here independently of the code under test."""

import math
from fractions import Fraction

import pytest

from questline.domain.events import ClueSolved, RecordedEvent, ScoreAdjusted
from questline.domain.hunt_state import evolve
from questline.domain.replies import AdjustmentReply, SubmissionReply
from tests.hunt_builders import ENDS, SECOND, PureHunt, spec_hunt
from tests.rules.support import board, dynamic, play, refused, text_clue


def spec_value(initial: int, minimum: int, decay: int, function: str, n: int) -> int:
    """hunt-format.md: s = max(n - 1, 0); exact value, rounded up, never below minimum."""
    s = max(n - 1, 0)
    if function == "linear":
        exact = Fraction(initial - decay * s)
    else:
        exact = initial + Fraction(minimum - initial) / Fraction(decay) ** 2 * s**2
    return max(math.ceil(exact), minimum)


def _reply(result: object) -> SubmissionReply:
    assert isinstance(result, SubmissionReply), result
    return result


def _solvers(hunt: PureHunt, clue: str, count: int) -> list[str]:
    teams = []
    for i in range(count):
        team = hunt.register(f"Team {i + 1}")
        assert _reply(hunt.advance(SECOND).text(team, clue, clue)).result == "correct"
        teams.append(team)
    return teams


def test_static_clue_earns_its_points_on_solving() -> None:
    hunt = play(text_clue("a", points=75), scoring=None)
    team = hunt.register("Otters")
    assert _reply(hunt.text(team, "a", "a")) == SubmissionReply("correct", 75, 0, 75)
    assert hunt.score(team) == 75


def test_dynamic_linear_value_decays_by_decay_per_solve_after_the_first() -> None:
    params = (500, 100, 30, "linear")
    hunt = play(text_clue("d", points=dynamic(*params)), scoring=None)
    teams = []
    for n in range(1, 18):
        team = hunt.register(f"Team {n}")
        reply = _reply(hunt.text(team, "d", "d"))
        assert reply.points == spec_value(*params, n)
        teams.append(team)
    assert [spec_value(*params, n) for n in (1, 2, 3, 14, 15)] == [500, 470, 440, 110, 100]
    assert hunt.score(teams[0]) == 100


def test_dynamic_linear_value_never_goes_below_minimum() -> None:
    hunt = play(text_clue("d", points=dynamic(100, 55, 50, "linear")), scoring=None)
    teams = _solvers(hunt, "d", 3)
    # n=2: 100 - 50 = 50 < 55 -> 55; n=3: 0 -> 55
    assert [hunt.score(t) for t in teams] == [55, 55, 55]


def test_dynamic_logarithmic_value_is_exact_and_rounded_up() -> None:
    """initial 100, minimum 0, decay 7: value = 100 - 100/49 * s^2, e.g.
    s=1: 4800/49 = 97.96 -> 98; s=2: 4500/49 = 91.84 -> 92; s=3: 4000/49 = 81.6 -> 82."""
    params = (100, 0, 7, "logarithmic")
    hunt = play(text_clue("d", points=dynamic(*params)), scoring=None)
    earned = []
    for n in range(1, 10):
        team = hunt.register(f"Team {n}")
        earned.append(_reply(hunt.text(team, "d", "d")).points)
    assert earned == [spec_value(*params, n) for n in range(1, 10)]
    assert earned[:4] == [100, 98, 92, 82]
    assert earned[7:] == [0, 0]  # s=7: exactly 0 = minimum; s=8: below, so minimum


def test_dynamic_logarithmic_value_of_the_spec_example() -> None:
    """dock-9: 500 + (100 - 500)/20^2 * s^2 = 500 - s^2, minimum 100 from s = 20."""
    params = (500, 100, 20, "logarithmic")
    assert [spec_value(*params, n) for n in (1, 2, 3, 21, 22)] == [500, 499, 496, 100, 100]
    hunt = PureHunt(spec_hunt())
    teams = [hunt.register(f"Team {i}") for i in range(3)]
    for team in teams:
        hunt.solve_lighthouse(team)
        assert _reply(hunt.geo(team, "dock-9", 59.9139, 10.7522)).result == "correct"
    # lighthouse 100 + its bonus (50/25/10) + dock-9 at 3 solves (496) + dock-9 bonus
    assert [hunt.score(t) for t in teams] == [
        100 + 50 + 496 + 50,
        100 + 25 + 496 + 25,
        100 + 10 + 496 + 10,
    ]


def test_dynamic_value_is_exact_where_ctfd_floating_point_is_one_point_off() -> None:
    """initial 368, minimum 0, decay 12, 10 solves (s = 9): exactly
    368 - 368 * 81 / 144 = 161, while floating point gives 161.00000000000003 -> 162."""
    params = (368, 0, 12, "logarithmic")
    floating = math.ceil(((0 - 368) / (12**2)) * (9**2) + 368)
    assert floating == 162 and spec_value(*params, 10) == 161
    hunt = play(text_clue("d", points=dynamic(*params)), scoring=None)
    teams = _solvers(hunt, "d", 10)
    assert hunt.score(teams[-1]) == 161
    assert all(hunt.score(t) == 161 for t in teams)


def test_every_solver_of_a_dynamic_clue_holds_its_current_value() -> None:
    params = (300, 100, 40, "linear")
    hunt = play(text_clue("d", points=dynamic(*params)), text_clue("s", points=7), scoring=None)
    teams: list[str] = []
    for n in range(1, 7):
        team = hunt.register(f"Team {n}")
        hunt.text(team, "s", "s")
        hunt.text(team, "d", "d")
        teams.append(team)
        current = spec_value(*params, n)
        assert [hunt.score(t) for t in teams] == [7 + current] * n
        rows = {row.team_id: row.score for row in board(hunt)}
        assert rows == dict.fromkeys(teams, 7 + current)


def test_first_solve_bonus_goes_to_the_first_k_solvers_for_good() -> None:
    params = (500, 100, 100, "linear")
    hunt = play(
        text_clue("d", points=dynamic(*params)), scoring={"first_solve_bonus": [50, 25, 10]}
    )
    teams = []
    for n in range(1, 6):
        team = hunt.register(f"Team {n}")
        reply = _reply(hunt.text(team, "d", "d"))
        assert reply.bonus == [50, 25, 10, 0, 0][n - 1]
        teams.append(team)
    value = spec_value(*params, 5)
    assert value == 100
    assert [hunt.score(t) for t in teams] == [value + 50, value + 25, value + 10, value, value]


def test_first_solve_bonus_is_counted_per_clue() -> None:
    hunt = play(
        text_clue("a", points=10), text_clue("b", points=10), scoring={"first_solve_bonus": [5]}
    )
    first, second = hunt.register("Otters"), hunt.register("Gulls")
    assert _reply(hunt.text(first, "a", "a")).bonus == 5
    assert _reply(hunt.text(second, "b", "b")).bonus == 5
    assert _reply(hunt.text(second, "a", "a")).bonus == 0
    assert (hunt.score(first), hunt.score(second)) == (15, 25)


def test_team_score_is_clue_points_plus_bonuses_minus_hint_costs_plus_adjustments() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.hint(team, "lighthouse", "look-up")  # -20
    hunt.solve_lighthouse(team)  # +100 +50
    hunt.code(team, "crate", "QL-7F3K-22")  # +200 +50
    hunt.adjust(team, 15, "helped a lost tourist")
    hunt.adjust(team, -40, "climbed the fence")
    expected = 100 + 200 + (50 + 50) - 20 + (15 - 40)
    assert hunt.score(team) == expected
    assert {row.team_id: row.score for row in board(hunt)} == {team: expected}


def test_organizers_award_or_deduct_points_with_a_reason() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    assert hunt.adjust(team, 30, "style") == AdjustmentReply(team, 30)
    assert hunt.adjust(team, -45, "penalty") == AdjustmentReply(team, -15)
    assert hunt.log[-1].event == ScoreAdjusted(team, -45, "penalty")
    assert hunt.score(team) == -15


def test_an_adjustment_needs_non_zero_points_and_a_reason() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    refused(hunt.adjust(team, 0, "nothing"), "invalid_input", 422)
    refused(hunt.adjust(team, 10, ""), "invalid_input", 422)
    refused(hunt.adjust(team, 10, "   "), "invalid_input", 422)
    refused(hunt.adjust("t-404", 10, "who"), "unknown_team", 404)
    assert hunt.score(team) == 0


def test_adjustments_are_accepted_before_start_while_paused_and_after_the_end() -> None:
    """Organizers may still change the final standings: adjustments need no live hunt."""
    hunt = PureHunt(spec_hunt(), now=0)
    team = hunt.register("Otters")
    hunt.adjust(team, 1)
    hunt.at(ENDS - 1).pause()
    hunt.adjust(team, 2)
    hunt.at(ENDS + 3600 * SECOND).adjust(team, 4)
    assert hunt.score(team) == 7


@pytest.mark.parametrize("function", ["linear", "logarithmic"])
def test_clue_value_shown_to_a_team_is_held_points_if_solved_else_what_solving_now_earns(
    function: str,
) -> None:
    params = (200, 20, 6, function)
    hunt = play(text_clue("d", points=dynamic(*params)), scoring={"first_solve_bonus": [99]})
    solvers = _solvers(hunt, "d", 3)
    waiting = hunt.register("Late")
    scores = hunt.state.scores
    assert scores.value_now("d", solved=True) == spec_value(*params, 3)  # held by each solver
    assert scores.value_now("d", solved=False) == spec_value(*params, 4)  # no bonus included
    assert _reply(hunt.text(waiting, "d", "d")).points == spec_value(*params, 4)
    assert hunt.score(solvers[0]) == spec_value(*params, 4) + 99


def test_replaying_the_log_rebuilds_the_same_scores_without_a_clock() -> None:
    hunt = PureHunt(spec_hunt())
    teams = [hunt.register(f"Team {i}") for i in range(3)]
    for team in teams:
        hunt.advance(SECOND).solve_lighthouse(team)
        hunt.geo(team, "dock-9", 59.9139, 10.7522)
    hunt.adjust(teams[2], 9)
    state = None
    for recorded in hunt.log:
        assert isinstance(recorded, RecordedEvent)
        state = evolve(state, recorded)
    assert state is not None
    assert [state.scores.score(t) for t in teams] == [hunt.score(t) for t in teams]
    solves = [r.event for r in hunt.log if isinstance(r.event, ClueSolved)]
    assert [s.solve_number for s in solves if s.clue_id == "dock-9"] == [1, 2, 3]
