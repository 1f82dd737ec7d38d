"""hunt-day.md, "Timed release", "Rounds and metas", "Clues in parts", "Penalties" and
"Divisions": the rules the engine decides by, one test per rule (what the views show
of them is in tests/rules/test_hunt_views.py)."""

import copy
from typing import Any

import pytest

from questline.domain.definition_parsing import InvalidHunt, parse_definition
from questline.domain.events import AnswerWrong, ClueSolved, KeptGoing, PartSolved
from questline.domain.replies import SubmissionReply
from tests.hunt_builders import MINUTE, SECOND, STARTS, PureHunt
from tests.rules.support import document, refused, text_clue


def reply(result: object) -> SubmissionReply:
    assert isinstance(result, SubmissionReply), result
    return result


def problems(doc: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(InvalidHunt) as raised:
        parse_definition(doc)
    return {p.path: p.message for p in raised.value.problems}


# -- timed release ------------------------------------------------------------------


def test_a_clue_opens_at_its_time_and_is_refused_before_with_the_time_in_the_message() -> None:
    hunt = PureHunt(
        parse_definition(document(text_clue("late", "x", opens_at="2026-12-01T19:00:00Z")))
    )
    team = hunt.register("Otters")
    rejection = refused(hunt.text(team, "late", "x"), "clue_not_open", 409)
    assert "2026-12-01T19:00:00Z" in rejection.message
    hunt.at(STARTS + 60 * MINUTE)
    assert reply(hunt.text(team, "late", "x")).result == "correct"


def test_opens_after_counts_from_the_start() -> None:
    hunt = PureHunt(parse_definition(document(text_clue("late", "x", opens_after="1h30m"))))
    team = hunt.register("Otters")
    hunt.at(STARTS + 90 * MINUTE - SECOND)
    refused(hunt.text(team, "late", "x"), "clue_not_open", 409)
    hunt.at(STARTS + 90 * MINUTE)
    assert reply(hunt.text(team, "late", "x")).result == "correct"


def test_a_timed_clue_needs_its_requires_as_well() -> None:
    hunt = PureHunt(
        parse_definition(
            document(text_clue("a", "a"), text_clue("b", "b", opens_after="90s", requires=["a"]))
        )
    )
    team = hunt.register("Otters")
    hunt.at(STARTS + 2 * MINUTE)
    refused(hunt.text(team, "b", "b"), "clue_not_open", 409)
    hunt.text(team, "a", "a")
    assert reply(hunt.text(team, "b", "b")).result == "correct"


def test_a_hint_of_a_clue_not_yet_open_is_refused_with_its_time() -> None:
    clue = text_clue("late", "x", opens_after="45m")
    clue["hints"] = [{"id": "h", "text": "Up.", "cost": 5}]
    hunt = PureHunt(parse_definition(document(clue)))
    team = hunt.register("Otters")
    rejection = refused(hunt.hint(team, "late", "h"), "clue_not_open", 409)
    assert "18:45:00Z" in rejection.message


def test_opens_at_and_opens_after_together_are_a_problem() -> None:
    doc = document(text_clue("a", "a", opens_at="2026-12-01T19:00:00Z", opens_after="1h"))
    assert "clues[0].opens_after" in problems(doc)


def test_a_duration_must_be_written_like_45m_or_1h30m_or_90s() -> None:
    assert "clues[0].opens_after" in problems(document(text_clue("a", "a", opens_after="soon")))


# -- rounds and metas -------------------------------------------------------------------


def rounds_document() -> dict[str, Any]:
    doc = document(
        text_clue("r1-a", "a", round="one"),
        text_clue("r1-meta", "m1", round="one", meta=True),
        text_clue("r2-a", "b", round="two"),
        text_clue("final", "f", round="two", meta=True),
        finish="final",
        ranking="finish",
    )
    doc["rounds"] = [
        {"id": "one", "title": "Round One"},
        {"id": "two", "title": "Round Two", "requires": ["r1-meta"]},
    ]
    return doc


def test_a_rounds_gate_applies_to_all_its_clues() -> None:
    hunt = PureHunt(parse_definition(rounds_document()))
    team = hunt.register("Otters")
    refused(hunt.text(team, "r2-a", "b"), "clue_not_open", 409)
    hunt.text(team, "r1-meta", "m1")
    assert reply(hunt.text(team, "r2-a", "b")).result == "correct"


def test_a_rounds_release_time_applies_to_its_clues() -> None:
    doc = rounds_document()
    doc["rounds"][0]["opens_after"] = "30m"
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    rejection = refused(hunt.text(team, "r1-a", "a"), "clue_not_open", 409)
    assert "18:30:00Z" in rejection.message


def test_finish_ranking_puts_finished_teams_first_in_the_order_they_finished() -> None:
    hunt = PureHunt(parse_definition(rounds_document()))
    slow, fast, rich = hunt.register("Slow"), hunt.register("Fast"), hunt.register("Rich")
    for team in (fast, slow):
        hunt.text(team, "r1-meta", "m1")
    hunt.advance(MINUTE).text(fast, "final", "f")
    finished_at = hunt.log[-1].time
    hunt.advance(MINUTE).text(slow, "final", "f")
    hunt.text(rich, "r1-a", "a")
    hunt.adjust(rich, 5000)
    assert hunt.state.standings.ranked() == [fast, slow, rich]
    assert hunt.state.standings.entries[fast].finished_at == finished_at


def test_score_ranking_is_the_default_even_with_a_finish_clue() -> None:
    doc = rounds_document()
    del doc["hunt"]["ranking"]
    hunt = PureHunt(parse_definition(doc))
    finished, rich = hunt.register("Finished"), hunt.register("Rich")
    hunt.text(finished, "r1-meta", "m1")
    hunt.text(finished, "final", "f")
    hunt.adjust(rich, 5000)
    assert hunt.state.standings.ranked() == [rich, finished]


def test_ranking_by_finish_needs_a_finish_clue_and_finish_must_name_a_clue() -> None:
    doc = rounds_document()
    doc["hunt"]["finish"] = "nowhere"
    assert "hunt.finish" in problems(doc)
    del doc["hunt"]["finish"]
    assert "hunt.ranking" in problems(doc)


def test_a_meta_must_be_part_of_a_round() -> None:
    assert "clues[0].meta" in problems(document(text_clue("m", "m", meta=True)))


def test_a_round_gate_that_can_never_open_is_a_problem() -> None:
    doc = rounds_document()
    doc["rounds"][1]["requires"] = ["r2-a"]  # its own clue
    found = problems(doc)
    assert "can never open" in found["rounds[1].requires"]


def test_a_clue_naming_an_unknown_round_is_a_problem() -> None:
    doc = rounds_document()
    doc["clues"][0]["round"] = "three"
    assert "clues[0].round" in problems(doc)


# -- clues in parts -------------------------------------------------------------------


def parts_clue(**extra: Any) -> dict[str, Any]:
    return {
        "id": "riddle",
        "answer": {
            "kind": "parts",
            "parts": [
                {"id": "one", "title": "First", "points": 30, "accept": ["first"]},
                {"id": "two", "points": 20, "accept": ["second"], "keep_going": ["sec"]},
            ],
        },
        **extra,
    }


def test_each_part_earns_its_points_and_the_last_solves_the_clue_with_its_bonus() -> None:
    hunt = PureHunt(parse_definition(document(parts_clue())))
    team = hunt.register("Otters")
    first = reply(hunt.part(team, "riddle", "one", "First!"))
    assert (first.result, first.points, first.bonus, first.score) == ("correct", 30, 0, 30)
    assert "riddle" not in hunt.state.teams[team].solved
    second = reply(hunt.part(team, "riddle", "two", "second"))
    assert (second.result, second.points, second.bonus, second.score) == ("correct", 20, 50, 100)
    assert [type(r.event) for r in hunt.log[-2:]] == [PartSolved, ClueSolved]
    assert "riddle" in hunt.state.teams[team].solved


def test_a_clue_in_parts_is_worth_the_sum_of_its_parts() -> None:
    definition = parse_definition(document(parts_clue()))
    assert definition.clues[0].points == 50


def test_a_part_already_solved_answers_already_solved() -> None:
    hunt = PureHunt(parse_definition(document(parts_clue())))
    team = hunt.register("Otters")
    hunt.part(team, "riddle", "one", "first")
    assert reply(hunt.part(team, "riddle", "one", "first")).result == "already_solved"


def test_wrong_attempts_over_all_parts_count_toward_the_limits_of_the_clue() -> None:
    hunt = PureHunt(parse_definition(document(parts_clue(max_attempts=2))))
    team = hunt.register("Otters")
    hunt.part(team, "riddle", "one", "nope")
    hunt.part(team, "riddle", "two", "nope")
    refused(hunt.part(team, "riddle", "one", "first"), "clue_locked", 409)


def test_a_part_keep_going_answer_is_neither_right_nor_wrong() -> None:
    hunt = PureHunt(parse_definition(document(parts_clue())))
    team = hunt.register("Otters")
    assert reply(hunt.part(team, "riddle", "two", "sec")).result == "keep_going"
    assert isinstance(hunt.log[-1].event, KeptGoing)
    assert hunt.log[-1].event.part_id == "two"


def test_an_unknown_part_is_404_and_a_part_answer_to_a_text_clue_is_invalid() -> None:
    hunt = PureHunt(parse_definition(document(parts_clue(), text_clue("plain", "p"))))
    team = hunt.register("Otters")
    refused(hunt.part(team, "riddle", "three", "x"), "unknown_part", 404)
    refused(hunt.part(team, "plain", "one", "p"), "invalid_input", 422)
    refused(hunt.text(team, "riddle", "first"), "invalid_input", 422)


def test_a_part_without_points_and_parts_beside_points_are_problems() -> None:
    doc = document(parts_clue(points=10))
    del doc["clues"][0]["answer"]["parts"][1]["points"]
    found = problems(doc)
    assert "clues[0].points" in found
    assert "clues[0].answer.parts[1].points" in found


# -- penalties ----------------------------------------------------------------------


def test_every_wrong_attempt_subtracts_the_penalty_and_the_reply_says_minus_n() -> None:
    hunt = PureHunt(
        parse_definition(
            document(
                text_clue("a", "a", keep_going=["almost"]),
                {
                    "id": "g",
                    "points": 10,
                    "answer": {"kind": "geo", "lat": 1, "lon": 1, "radius_m": 5},
                },
                {"id": "c", "points": 10, "answer": {"kind": "code", "codes": ["C"]}},
                parts_clue(),
                {"id": "p", "points": 10, "answer": {"kind": "photo"}},
                scoring={"wrong_answer_penalty": 3},
            )
        )
    )
    team = hunt.register("Otters")
    wrong = reply(hunt.text(team, "a", "nope"))
    assert (wrong.points, wrong.score) == (-3, -3)
    hunt.geo(team, "g", 50.0, 50.0)
    hunt.code(team, "c", "D")
    hunt.part(team, "riddle", "one", "zero")
    review = reply(hunt.photo(team, "p")).review_id
    assert review is not None
    hunt.review(review, approve=False, reason="blurry")
    assert hunt.score(team) == -15
    assert reply(hunt.text(team, "a", "almost")).points == 0  # keep going costs nothing
    assert hunt.score(team) == -15
    penalties = [r.event.penalty for r in hunt.log if isinstance(r.event, AnswerWrong)]
    assert penalties == [3, 3, 3, 3]


def test_a_penalized_attempt_is_a_scoring_event_for_the_tie_rule() -> None:
    hunt = PureHunt(
        parse_definition(document(text_clue("a", "a"), scoring={"wrong_answer_penalty": 5}))
    )
    first, second = hunt.register("First"), hunt.register("Second")
    hunt.text(second, "a", "nope")
    hunt.adjust(second, 5)
    hunt.text(first, "a", "nope")
    hunt.adjust(first, 5)
    assert hunt.score(first) == hunt.score(second) == 0
    assert hunt.state.standings.ranked() == [second, first]


# -- divisions --------------------------------------------------------------------------


def divisions_hunt() -> PureHunt:
    doc = document(
        text_clue("a", "a"),
        divisions=[{"id": "students", "title": "Students"}, {"id": "open", "title": "Open"}],
    )
    return PureHunt(parse_definition(doc))


def test_registration_needs_a_known_division_when_the_hunt_has_divisions() -> None:
    hunt = divisions_hunt()
    refused(hunt.run(_register(hunt, "A", None)), "invalid_input", 422)
    refused(hunt.run(_register(hunt, "B", "pros")), "invalid_input", 422)
    team = hunt.register("C", "students")
    assert hunt.state.standings.entries[team].division == "students"


def test_each_division_is_ranked_alone() -> None:
    hunt = divisions_hunt()
    s1, o1, s2 = (
        hunt.register("S1", "students"),
        hunt.register("O1", "open"),
        hunt.register("S2", "students"),
    )
    hunt.text(s2, "a", "a")
    assert hunt.state.standings.ranked("students") == [s2, s1]
    assert hunt.state.standings.ranked("open") == [o1]
    assert hunt.state.standings.ranked() == [s2, s1, o1]


def test_a_division_id_used_twice_is_a_problem() -> None:
    doc = document(
        text_clue("a", "a"), divisions=[{"id": "open", "title": "A"}, {"id": "open", "title": "B"}]
    )
    assert "used twice" in problems(doc)["hunt.divisions[1].id"]


def _register(hunt: PureHunt, name: str, division: str | None) -> Any:
    from questline.domain.commands import RegisterTeam

    return RegisterTeam(hunt.hunt_id, name, f"hash-{name}", division)


def test_a_revision_keeps_parts_solved_and_revalues_them() -> None:
    doc = document(parts_clue())
    hunt = PureHunt(parse_definition(doc))
    team = hunt.register("Otters")
    hunt.part(team, "riddle", "one", "first")
    changed = copy.deepcopy(doc)
    changed["clues"][0]["answer"]["parts"][0]["points"] = 45
    hunt.revise(parse_definition(changed))
    assert hunt.score(team) == 45
