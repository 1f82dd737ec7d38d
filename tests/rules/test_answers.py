"""Answers: text, geo and code matching, and what counts as invalid input."""

import pytest

from questline.domain.events import AnswerWrong, ClueSolved, KeptGoing
from questline.domain.replies import SubmissionReply
from tests.hunt_builders import DOCK, PureHunt, spec_hunt
from tests.rules.support import (
    destination,
    encoded,
    haversine,
    play,
    refused,
    text_clue,
)


def _reply(result: object) -> SubmissionReply:
    assert isinstance(result, SubmissionReply), result
    return result


@pytest.mark.parametrize(
    "answer",
    ["Lighthouse Keeper", "Lighthouse  Keeper!", "LIGHTHOUSEKEEPER", "  lighthouse-keeper. "],
)
def test_text_answer_matches_when_normalized_forms_are_equal(answer: str) -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    assert _reply(hunt.text(team, "lighthouse", answer)).result == "correct"


def test_text_answer_matches_after_nfkd_casefold_and_accent_stripping() -> None:
    hunt = play(text_clue("cafe", "Café Ñandú"), text_clue("greek", "Ἀθῆναι"))
    team = hunt.register("Otters")
    # Fullwidth letters (NFKD), a decomposed accent and upper case all fold away.
    assert _reply(hunt.text(team, "cafe", "ＣＡＦＥ   NANDU")).result == "correct"
    assert _reply(hunt.text(team, "greek", "αθηναι")).result == "correct"


def test_text_answer_that_differs_after_normalization_is_wrong_and_recorded() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    reply = _reply(hunt.text(team, "lighthouse", "lighthouse keepers"))
    assert (reply.result, reply.points, reply.bonus, reply.score) == ("incorrect", 0, 0, 0)
    assert hunt.log[-1].event == AnswerWrong(team, "lighthouse", answer="lighthouse keepers")


def test_accept_regex_must_fully_match_the_normalized_form() -> None:
    hunt = play(text_clue("dock", "dock", accept_regex=[r"pier\d+", r"berth 7"]))
    team = hunt.register("Otters")
    # The regex sees "pier42": case folded, the space and "#" removed.
    assert _reply(hunt.text(team, "dock", "Pier #42")).result == "correct"
    other = hunt.register("Gulls")
    # A partial (search) match is not a full match.
    assert _reply(hunt.text(other, "dock", "pier 42 north")).result == "incorrect"
    assert _reply(hunt.text(other, "dock", "old pier 42")).result == "incorrect"
    # The normalized form never holds a space, so a pattern with one cannot match.
    assert _reply(hunt.text(other, "dock", "berth 7")).result == "incorrect"


def test_keep_going_answer_is_neither_right_nor_wrong() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    reply = _reply(hunt.text(team, "lighthouse", " LIGHT! "))
    assert reply == SubmissionReply("keep_going", 0, 0, 0)
    assert hunt.log[-1].event == KeptGoing(team, "lighthouse")
    assert hunt.state.teams[team].wrong("lighthouse") == 0


def test_keep_going_answers_do_not_count_toward_the_rate_limit_or_max_attempts() -> None:
    hunt = play(
        text_clue("tower", "tower", keep_going=["tow"], max_attempts=2),
        attempts={"wrong_per_minute": 2},
    )
    team = hunt.register("Otters")
    for _ in range(5):
        assert _reply(hunt.text(team, "tower", "tow")).result == "keep_going"
        hunt.advance(1)
    assert _reply(hunt.text(team, "tower", "nope")).result == "incorrect"
    assert _reply(hunt.text(team, "tower", "tower")).result == "correct"


def test_text_answer_that_normalizes_to_nothing_is_invalid_input() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    for answer in ["", "   ", "!?-…", "😀🎉", "· · ·"]:
        refused(hunt.text(team, "lighthouse", answer), "invalid_input", 422)
    assert len(hunt.log) == 2  # created, registered: refusals record nothing


def test_text_answer_longer_than_1000_code_points_is_invalid_input() -> None:
    """Code points, not bytes or UTF-16 units: U+1D400 is 4 bytes and 2 UTF-16 units."""
    hunt = play(text_clue("bold", "a"))
    team = hunt.register("Otters")
    bold_a = "\U0001d400"  # MATHEMATICAL BOLD CAPITAL A; NFKD gives "A"
    assert _reply(hunt.text(team, "bold", bold_a * 1000)).result == "incorrect"
    refused(hunt.text(team, "bold", bold_a * 1001), "invalid_input", 422)
    # The limit holds before normalization: 1001 code points that normalize short.
    refused(hunt.text(team, "bold", "a" + "!" * 1000), "invalid_input", 422)
    assert _reply(hunt.text(team, "bold", "a" + "!" * 999)).result == "correct"


def test_a_field_that_does_not_fit_the_clues_kind_is_invalid_input() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    refused(hunt.code(team, "lighthouse", "keeper"), "invalid_input", 422)
    refused(hunt.text(team, "crate", "QL-7F3K-22"), "invalid_input", 422)
    refused(hunt.text(team, "selfie", "a photo"), "invalid_input", 422)


def test_geo_check_in_within_radius_matches_by_haversine() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    lat, lon = destination(*DOCK, 29.0, 123.0)
    assert haversine(*DOCK, lat, lon) == pytest.approx(29.0, abs=1e-6)
    assert _reply(hunt.geo(team, "dock-9", lat, lon)).result == "correct"


@pytest.mark.parametrize("bearing", [0.0, 90.0, 180.0, 270.0, 45.0])
def test_geo_point_just_inside_radius_matches_and_just_outside_does_not(bearing: float) -> None:
    hunt = PureHunt(spec_hunt())
    inside_team = hunt.register("Inside")
    outside_team = hunt.register("Outside")
    hunt.solve_lighthouse(inside_team)
    hunt.solve_lighthouse(outside_team)
    inside = destination(*DOCK, 30.0 - 0.001, bearing)
    outside = destination(*DOCK, 30.0 + 0.001, bearing)
    assert haversine(*DOCK, *inside) < 30.0 < haversine(*DOCK, *outside)
    assert _reply(hunt.geo(outside_team, "dock-9", *outside)).result == "incorrect"
    assert _reply(hunt.geo(inside_team, "dock-9", *inside)).result == "correct"


def test_geo_distance_uses_earth_radius_6371008_8_m() -> None:
    """At a 1,000 km radius, a 6,371,000 m sphere would put a point 1 m outside inside it."""
    center = (10.0, 20.0)
    hunt = play(
        {
            "id": "far",
            "points": 10,
            "answer": {"kind": "geo", "lat": center[0], "lon": center[1], "radius_m": 1_000_000},
        }
    )
    team = hunt.register("Otters")
    outside = destination(*center, 1_000_001.0, 0.0)
    assert _reply(hunt.geo(team, "far", *outside)).result == "incorrect"
    inside = destination(*center, 999_999.9, 0.0)
    assert _reply(hunt.geo(team, "far", *inside)).result == "correct"


def test_geo_check_in_out_of_range_coordinates_is_invalid_input() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    for lat, lon in [(90.5, 0.0), (-91.0, 0.0), (0.0, 180.5), (0.0, -181.0), (float("nan"), 0.0)]:
        refused(hunt.geo(team, "dock-9", lat, lon), "invalid_input", 422)


def test_code_matches_exactly_after_trimming_both_sides() -> None:
    hunt = play({"id": "crate", "points": 200, "answer": {"kind": "code", "codes": ["QL-7F3K-22"]}})
    team = hunt.register("Otters")
    assert _reply(hunt.code(team, "crate", "QL-7F3K-2")).result == "incorrect"
    assert _reply(hunt.code(team, "crate", "QL-7F3K-22x")).result == "incorrect"
    assert _reply(hunt.code(team, "crate", "QL -7F3K-22")).result == "incorrect"
    assert _reply(hunt.code(team, "crate", " \t QL-7F3K-22 \n")).result == "correct"


def test_stored_codes_are_trimmed_too() -> None:
    """Reading "both sides trimmed" as: the team's code and each stored code; a stored
    code with surrounding white space is valid and matches its trimmed form."""
    hunt = play({"id": "crate", "points": 200, "answer": {"kind": "code", "codes": [" AB-1 \t"]}})
    team = hunt.register("Otters")
    assert _reply(hunt.code(team, "crate", "AB-1")).result == "correct"


def test_code_match_is_case_sensitive() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    assert _reply(hunt.code(team, "crate", "ql-7f3k-22")).result == "incorrect"
    assert _reply(hunt.code(team, "crate", "Ql-7F3K-22")).result == "incorrect"
    assert _reply(hunt.code(team, "crate", "QL-7F3K-22")).result == "correct"


def test_empty_code_is_invalid_input() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    hunt.solve_lighthouse(team)
    for code in ["", "   ", "\t\n"]:
        refused(hunt.code(team, "crate", code), "invalid_input", 422)


def test_code_longer_than_1000_code_points_is_invalid_input() -> None:
    hunt = play({"id": "crate", "points": 200, "answer": {"kind": "code", "codes": ["X"]}})
    team = hunt.register("Otters")
    assert _reply(hunt.code(team, "crate", "\U0001d400" * 1000)).result == "incorrect"
    refused(hunt.code(team, "crate", "\U0001d400" * 1001), "invalid_input", 422)


def test_replies_to_teams_never_carry_stored_answers_or_codes() -> None:
    hunt = PureHunt(spec_hunt())
    team = hunt.register("Otters")
    replies = [
        hunt.text(team, "lighthouse", "wrong"),
        hunt.text(team, "lighthouse", "light"),
        hunt.solve_lighthouse(team),
        hunt.code(team, "crate", "nope"),
        hunt.hint(team, "lighthouse", "look-up"),
    ]
    for reply in replies:
        body = encoded(reply).lower()
        for secret in (b"lighthouse keeper", b"keeper", b"ql-7f3k-22", b"59.9139"):
            assert secret not in body, (reply, secret)
    solved = [r.event for r in hunt.log if isinstance(r.event, ClueSolved)]
    assert len(solved) == 1


def test_an_answer_both_accepted_and_keep_going_is_correct() -> None:
    """Ambiguous in the spec; reading: a right answer is right, keep_going is for the rest."""
    hunt = play(text_clue("a", "Keeper", keep_going=["keeper"]))
    team = hunt.register("Otters")
    assert _reply(hunt.text(team, "a", "KEEPER")).result == "correct"
