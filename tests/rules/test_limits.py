"""Limits that keep one hunt from hurting another (hunt-day.md): `accept_regex` runs in
linear time and a pattern that needs backtracking is a definition problem; numbers
in definitions and adjustments are bounded, and a number past its bound is refused
naming its field."""

import re
from typing import Any

import pytest

from questline.domain.definition import GeoAnswer
from questline.domain.definition_parsing import InvalidHunt, parse_definition
from questline.domain.definition_text import HuntFileError, load_hunt_text
from questline.domain.rejections import Rejection
from questline.domain.replies import AdjustmentReply, SubmissionReply
from questline.domain.text_normalization import normalize_answer
from tests.rules.support import document, dynamic, play, refused, text_clue

BILLION = 1_000_000_000


def _problems(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidHunt) as caught:
        parse_definition(doc)
    return {p.path: p.message for p in caught.value.problems}


def _result(reply: object) -> str:
    assert isinstance(reply, SubmissionReply), reply
    return reply.result


# -- accept_regex ----------------------------------------------------------------------


def test_a_catastrophic_pattern_judges_a_long_answer_at_once() -> None:
    # (a+)+b against 29 "a"s: Python's re backtracks through 2^29 ways before saying no.
    hunt = play(text_clue("echo", "echo", accept_regex=["(a+)+b"]))
    team = hunt.register("Otters")
    assert _result(hunt.text(team, "echo", "a" * 29)) == "incorrect"
    assert _result(hunt.text(team, "echo", "a" * 29 + "b")) == "correct"


@pytest.mark.parametrize(
    ("pattern", "why"),
    [(r"(ab)\1", "backreference"), (r"(?=ab)ab", "lookahead"), (r"(?<=a)b", "lookbehind")],
)
def test_a_pattern_that_needs_backtracking_is_a_problem_naming_clue_and_pattern(
    pattern: str, why: str
) -> None:
    found = _problems(document(text_clue("echo", "echo", accept_regex=["ok", pattern])))
    assert set(found) == {"clues[0].answer.accept_regex[1]"}, why
    message = found["clues[0].answer.accept_regex[1]"]
    assert "'echo'" in message and f"`{pattern}`" in message, message


def test_a_pattern_problem_carries_its_yaml_line() -> None:
    text = """\
hunt:
  id: echo-hunt
  title: Echo
  starts_at: 2026-12-01T18:00:00Z
  ends_at: 2026-12-01T22:00:00Z
clues:
  - id: echo
    points: 10
    answer:
      kind: text
      accept_regex: ['(ab)\\1']
"""
    with pytest.raises(HuntFileError) as caught:
        load_hunt_text(text)
    [problem] = caught.value.problems
    assert problem.path == "clues[0].answer.accept_regex[0]"
    assert problem.line == 11


@pytest.mark.parametrize(
    ("pattern", "answer"),
    [
        (r"\d+", "١٢٣"),  # Arabic-Indic digits are decimal digits to Python's re
        (r"\w+", "маяк"),
        (r"[\w]+\d", "φάρος7"),
        (r"pier\D", "piera"),
        (r"[^\d]+", "маяк"),
    ],
)
def test_perl_classes_keep_their_unicode_meaning(pattern: str, answer: str) -> None:
    hunt = play(text_clue("dock", "dock", accept_regex=[pattern]))
    team = hunt.register("Otters")
    normalized = normalize_answer(answer)
    assert re.fullmatch(pattern, normalized)  # the oracle: Python's own re
    assert _result(hunt.text(team, "dock", answer)) == "correct"


def test_a_pattern_still_has_to_match_the_whole_normalized_answer() -> None:
    hunt = play(text_clue("dock", "dock", accept_regex=[r"pier\d+"]))
    team = hunt.register("Otters")
    assert _result(hunt.text(team, "dock", "old pier 42")) == "incorrect"
    assert _result(hunt.text(team, "dock", "Pier #42")) == "correct"


# -- numbers in definitions ------------------------------------------------------------


def test_numbers_at_their_bounds_are_accepted() -> None:
    hints = [{"id": "h", "text": "x", "cost": BILLION}]
    geo = {"kind": "geo", "lat": -90, "lon": 180, "radius_m": 50_000_000}
    doc = document(
        text_clue("a", points=BILLION, hints=hints, max_attempts=1_000_000),
        text_clue("b", points=dynamic(BILLION, BILLION, BILLION, "linear")),
        {"id": "c", "points": 0, "answer": geo},
        scoring={"first_solve_bonus": [BILLION]},
        attempts={"wrong_per_minute": 1_000_000},
        team_size={"max": 1_000_000},
    )
    definition = parse_definition(doc)
    assert definition.clues[0].points == BILLION
    assert definition.clues[2].answer == GeoAnswer(-90.0, 180.0, 50_000_000.0)


def test_every_number_past_its_bound_is_a_problem_at_its_path() -> None:
    hints = [{"id": "h", "text": "x", "cost": BILLION + 1}]
    geo = {"kind": "geo", "lat": 90.5, "lon": -180.5, "radius_m": 50_000_001}
    doc = document(
        text_clue("a", points=2**62, hints=hints, max_attempts=1_000_001),
        text_clue("b", points=dynamic(2**63, BILLION + 1, BILLION + 1, "linear")),
        {"id": "c", "points": 1, "answer": geo},
        scoring={"first_solve_bonus": [10, BILLION + 1]},
        attempts={"wrong_per_minute": 10**12},
        team_size={"max": 1_000_001},
    )
    found = _problems(doc)
    assert set(found) == {
        "clues[0].points",
        "clues[0].hints[0].cost",
        "clues[0].max_attempts",
        "clues[1].points.dynamic.initial",
        "clues[1].points.dynamic.minimum",
        "clues[1].points.dynamic.decay",
        "clues[2].answer.lat",
        "clues[2].answer.lon",
        "clues[2].answer.radius_m",
        "hunt.scoring.first_solve_bonus[1]",
        "hunt.attempts.wrong_per_minute",
        "hunt.team_size.max",
    }
    assert "at most 1,000,000,000" in found["clues[0].points"]


def test_a_latitude_of_310_digits_is_a_problem_not_a_crash() -> None:
    geo = {"kind": "geo", "lat": 10**310, "lon": -(10**5000), "radius_m": 10**400}
    found = _problems(document({"id": "c", "points": 1, "answer": geo}))
    assert set(found) == {"clues[0].answer.lat", "clues[0].answer.lon", "clues[0].answer.radius_m"}
    assert "far too large" in found["clues[0].answer.lon"]


# -- adjustments -----------------------------------------------------------------------


@pytest.mark.parametrize("points", [BILLION + 1, -BILLION - 1, 2**63 - 1, -(2**63)])
def test_an_adjustment_past_a_billion_is_refused_naming_points(points: int) -> None:
    hunt = play(text_clue("a"))
    team = hunt.register("Otters")
    refusal = refused(hunt.adjust(team, points), "invalid_input", 422)
    assert refusal.details == {"field": "points"}
    assert hunt.score(team) == 0


def test_an_adjustment_of_a_billion_either_way_is_made() -> None:
    hunt = play(text_clue("a"))
    team = hunt.register("Otters")
    assert isinstance(hunt.adjust(team, BILLION), AdjustmentReply)
    reply = hunt.adjust(team, -BILLION)
    assert not isinstance(reply, Rejection) and hunt.score(team) == 0
