"""Teams: registering, submitting each kind of answer, unlocking hints, and
every refusal in the order hunt-format.md makes it win."""

import math
from typing import Any

import pytest

from tests.api.conftest import (
    DOCK,
    DOCK_RADIUS_M,
    HUNT,
    JPEG,
    ORG,
    PNG,
    WEBP,
    Api,
    TeamAuth,
    assert_error,
    dock_value,
    point_north_of,
)
from tests.hunt_builders import BEFORE_START, ENDS, SECOND, STARTS, spec_document

MiB = 1024 * 1024
BONUS = [50, 25, 10]


def _paused(api: Api) -> None:
    assert api.client.post(f"/api/hunts/{HUNT}/pause", headers=ORG).status_code == 200


# -- POST /api/hunts/{hunt}/teams -----------------------------------------------------


def test_registering_answers_201_with_a_team_id_and_a_token(api: Api, hunt: str) -> None:
    response = api.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"team_id", "token"}
    assert isinstance(body["team_id"], str) and body["team_id"]
    assert isinstance(body["token"], str) and len(body["token"]) >= 20
    assert (
        api.client.get(
            f"/api/hunts/{hunt}", headers={"Authorization": f"Bearer {body['token']}"}
        ).status_code
        == 200
    )


def test_teams_register_from_creation_before_the_start(api: Api) -> None:
    api.create_hunt_ok(spec_document())
    api.clock.set(BEFORE_START)
    assert api.client.post(f"/api/hunts/{HUNT}/teams", json={"name": "Early"}).status_code == 201


def test_each_team_gets_its_own_id_and_token(api: Api, hunt: str) -> None:
    teams = [api.register(hunt, f"Team {i}") for i in range(5)]
    assert len({t.team_id for t in teams}) == 5
    assert len({t.token for t in teams}) == 5


@pytest.mark.parametrize("name", ["x", "n" * 64, "Les Écureuils 🐿"])
def test_names_of_1_to_64_characters_are_accepted(api: Api, hunt: str, name: str) -> None:
    assert api.client.post(f"/api/hunts/{hunt}/teams", json={"name": name}).status_code == 201


def test_a_taken_name_is_409(api: Api, hunt: str) -> None:
    api.register(hunt, "Otters")
    response = api.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"})
    assert_error(response, 409)
    assert api.event_types().count("team_registered") == 1


def test_the_same_name_in_another_hunt_is_fine(api: Api, other_team: TeamAuth) -> None:
    assert (
        api.client.post(f"/api/hunts/{HUNT}/teams", json={"name": other_team.name}).status_code
        == 201
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 65},
        {},
        {"name": 7},
        {"name": None},
        {"name": ["Otters"]},
        {"name": "Otters", "captain": "Ann"},
    ],
    ids=["empty", "blank", "65-chars", "missing", "number", "null", "list", "extra-field"],
)
def test_a_bad_registration_is_422(api: Api, hunt: str, body: dict[str, Any]) -> None:
    assert_error(api.client.post(f"/api/hunts/{hunt}/teams", json=body), 422)
    assert "team_registered" not in api.event_types()


def test_malformed_registration_json_is_422(api: Api, hunt: str) -> None:
    response = api.client.post(
        f"/api/hunts/{hunt}/teams",
        content=b'{"name": ',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 422)


def test_registration_closes_at_ends_at(api: Api, hunt: str) -> None:
    api.clock.set(ENDS - 1)
    assert api.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Late"}).status_code == 201
    api.clock.set(ENDS)
    assert_error(api.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Too late"}), 423)


def test_registering_for_an_unknown_hunt_is_404(api: Api, hunt: str) -> None:
    assert_error(api.client.post("/api/hunts/nope/teams", json={"name": "Otters"}), 404)


# -- POST /api/hunts/{hunt}/submissions: results ---------------------------------------


def _result(result: str, points: int, bonus: int, score: int) -> dict[str, Any]:
    return {"result": result, "points": points, "bonus": bonus, "score": score}


def test_a_right_text_answer_earns_points_and_the_first_solve_bonus(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    response = api.answer(team_a, "lighthouse", "Lighthouse Keeper")
    assert response.status_code == 200
    assert response.json() == _result("correct", 100, BONUS[0], 100 + BONUS[0])
    # Normalized: spaces, punctuation and case do not matter.
    response = api.answer(team_b, "lighthouse", "LIGHTHOUSEKEEPER!")
    assert response.json() == _result("correct", 100, BONUS[1], 100 + BONUS[1])


@pytest.mark.parametrize("answer", ["Lighthouse  Keeper!", "LIGHTHOUSEKEEPER", "keeper", "Kéeper"])
def test_normalized_forms_match(api: Api, team_a: TeamAuth, answer: str) -> None:
    assert api.answer(team_a, "lighthouse", answer).json()["result"] == "correct"


def test_a_wrong_answer_is_incorrect_and_recorded(api: Api, team_a: TeamAuth) -> None:
    response = api.answer(team_a, "lighthouse", "the moon")
    assert response.status_code == 200
    assert response.json() == _result("incorrect", 0, 0, 0)
    assert api.event_types()[-1] == "answer_wrong"


def test_a_partial_answer_is_keep_going(api: Api, team_a: TeamAuth) -> None:
    response = api.answer(team_a, "lighthouse", "Light!")
    assert response.status_code == 200
    assert response.json() == _result("keep_going", 0, 0, 0)


def test_a_solved_clue_answers_already_solved_and_earns_nothing(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    before = len(api.events())
    for answer in ("keeper", "wrong"):
        response = api.answer(team_a, "lighthouse", answer)
        assert response.status_code == 200
        assert response.json() == _result("already_solved", 0, 0, 100 + BONUS[0])
    assert len(api.events()) == before


def test_a_gps_check_in_within_the_radius_is_correct(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    lat, lon = point_north_of(*DOCK, DOCK_RADIUS_M - 1)
    response = api.submit(team_a, {"clue": "dock-9", "lat": lat, "lon": lon})
    assert response.json() == _result("correct", dock_value(1), BONUS[0], 150 + 500 + BONUS[0])


def test_a_gps_check_in_outside_the_radius_is_incorrect(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    lat, lon = point_north_of(*DOCK, DOCK_RADIUS_M + 1)
    response = api.submit(team_a, {"clue": "dock-9", "lat": lat, "lon": lon})
    assert response.json() == {**_result("incorrect", 0, 0, 150), "distance_m": 31.0}
    # Integer coordinates are numbers too.
    response = api.submit(team_a, {"clue": "dock-9", "lat": 0, "lon": 0})
    assert response.json()["result"] == "incorrect"


def test_a_dynamic_clue_lowers_earlier_solvers(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    for team in (team_a, team_b):
        api.solve_lighthouse(team)
    first = api.submit(team_a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}).json()
    second = api.submit(team_b, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}).json()
    assert first == _result("correct", dock_value(1), BONUS[0], 150 + dock_value(1) + BONUS[0])
    assert second == _result("correct", dock_value(2), BONUS[1], 125 + dock_value(2) + BONUS[1])
    assert api.progress(team_a)["score"] == 150 + dock_value(2) + BONUS[0]


@pytest.mark.parametrize("code", ["QL-7F3K-22", "  QL-7F3K-22\t"])
def test_a_right_code_is_correct(api: Api, team_a: TeamAuth, code: str) -> None:
    api.solve_lighthouse(team_a)
    response = api.submit(team_a, {"clue": "crate", "code": code})
    assert response.json() == _result("correct", 200, BONUS[0], 150 + 200 + BONUS[0])


def test_codes_are_case_sensitive(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    response = api.submit(team_a, {"clue": "crate", "code": "ql-7f3k-22"})
    assert response.json() == _result("incorrect", 0, 0, 150)


@pytest.mark.parametrize("image", [PNG, JPEG, WEBP], ids=["png", "jpeg", "webp"])
def test_a_photo_waits_for_review(api: Api, team_a: TeamAuth, image: bytes) -> None:
    response = api.photo(team_a, data=image)
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("result", "points", "bonus", "score")} == _result(
        "pending_review", 0, 0, 0
    )
    queue = api.client.get(f"/api/hunts/{HUNT}/reviews", headers=ORG).json()
    assert [r["team_id"] for r in queue] == [team_a.team_id]


def test_a_photo_of_exactly_ten_million_bytes_is_accepted(api: Api, team_a: TeamAuth) -> None:
    data = PNG + b"\x00" * (10_000_000 - len(PNG))
    assert api.photo(team_a, data=data).json()["result"] == "pending_review"


# -- submissions: refusals -------------------------------------------------------------


def test_a_json_body_over_one_mib_is_413(api: Api, team_a: TeamAuth) -> None:
    body = b'{"clue": "lighthouse", "answer": "keeper"}'
    padded = body + b" " * (MiB + 1 - len(body))
    response = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        content=padded,
        headers={**team_a.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 413)
    # Exactly one MiB is still fine.
    response = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        content=padded[:-1],
        headers={**team_a.headers, "Content-Type": "application/json"},
    )
    assert response.json()["result"] == "correct"


def test_a_photo_over_ten_million_bytes_is_413(api: Api, team_a: TeamAuth) -> None:
    data = PNG + b"\x00" * (10_000_001 - len(PNG))
    assert_error(api.photo(team_a, data=data), 413)
    assert "photo_submitted" not in api.event_types()


def test_body_too_large_wins_over_a_missing_token(api: Api, hunt: str) -> None:
    response = api.client.post(
        f"/api/hunts/{hunt}/submissions",
        content=b"{" + b" " * MiB + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 413)


def test_no_token_is_401_and_an_organizer_is_403(api: Api, team_a: TeamAuth) -> None:
    body = {"clue": "lighthouse", "answer": "keeper"}
    assert_error(api.client.post(f"/api/hunts/{HUNT}/submissions", json=body), 401)
    assert_error(api.client.post(f"/api/hunts/{HUNT}/submissions", json=body, headers=ORG), 403)


def test_a_team_of_another_hunt_is_403_even_for_an_unknown_hunt(
    api: Api, other_team: TeamAuth
) -> None:
    body = {"clue": "lighthouse", "answer": "keeper"}
    assert_error(api.submit(other_team, body, hunt_id=HUNT), 403)
    assert_error(api.submit(other_team, body, hunt_id="no-such-hunt"), 403)


@pytest.mark.parametrize(
    "body",
    [
        {"clue": "lighthouse"},
        {"answer": "keeper"},
        {"clue": 5, "answer": "keeper"},
        {"clue": "lighthouse", "answer": 5},
        {"clue": "lighthouse", "answer": None},
        {"clue": "lighthouse", "answer": ["keeper"]},
        {"clue": "lighthouse", "answer": "keeper", "extra": 1},
        {"clue": "dock-9", "lat": "59.9", "lon": 10.75},
        {"clue": "dock-9", "lat": True, "lon": 10.75},
        {"clue": "dock-9", "lat": 59.9},
        {"clue": "dock-9", "lat": 91.0, "lon": 10.75},
        {"clue": "dock-9", "lat": 59.9, "lon": -180.5},
        {"clue": "crate", "code": 7},
    ],
)
def test_missing_or_wrong_fields_are_422(api: Api, team_a: TeamAuth, body: dict[str, Any]) -> None:
    api.solve_lighthouse(team_a)
    before = len(api.events())
    assert_error(api.submit(team_a, body), 422)
    assert len(api.events()) == before


@pytest.mark.parametrize("content", [b"{not json", b"[]", b'"keeper"', b"", b"\xff\xfe"], ids=repr)
def test_malformed_json_is_422(api: Api, team_a: TeamAuth, content: bytes) -> None:
    response = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        content=content,
        headers={**team_a.headers, "Content-Type": "application/json"},
    )
    assert_error(response, 422)


@pytest.mark.parametrize("answer", ["", "   ", "!!!", "¿?", "—"])
def test_an_answer_that_normalizes_to_nothing_is_422(
    api: Api, team_a: TeamAuth, answer: str
) -> None:
    assert_error(api.answer(team_a, "lighthouse", answer), 422)
    assert api.event_types()[-1] == "team_registered"


def test_answers_and_codes_over_1000_code_points_are_422(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    assert_error(api.answer(team_a, "lighthouse", "a" * 1001), 422)
    assert_error(api.submit(team_a, {"clue": "crate", "code": "Q" * 1001}), 422)
    # 1000 code points (not bytes) is fine.
    assert api.submit(team_a, {"clue": "crate", "code": "é" * 1000}).json()["result"] == "incorrect"


@pytest.mark.parametrize("code", ["", "   "])
def test_an_empty_code_is_422(api: Api, team_a: TeamAuth, code: str) -> None:
    api.solve_lighthouse(team_a)
    assert_error(api.submit(team_a, {"clue": "crate", "code": code}), 422)


@pytest.mark.parametrize(
    "body",
    [
        {"clue": "lighthouse", "code": "QL-7F3K-22"},
        {"clue": "lighthouse", "lat": 59.9, "lon": 10.7},
        {"clue": "dock-9", "answer": "dock"},
        {"clue": "crate", "answer": "QL-7F3K-22"},
        {"clue": "selfie", "answer": "a selfie"},
    ],
)
def test_a_field_that_does_not_fit_the_clues_kind_is_422(
    api: Api, team_a: TeamAuth, body: dict[str, Any]
) -> None:
    api.solve_lighthouse(team_a)
    assert_error(api.submit(team_a, body), 422)


def test_a_photo_for_a_text_clue_is_422(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.photo(team_a, clue="lighthouse"), 422)


@pytest.mark.parametrize(
    "data",
    [b"GIF89a" + bytes(64), b"%PDF-1.7\n", b"just text", b"RIFF\x00\x00\x00\x00AVI ", b""],
    ids=["gif", "pdf", "text", "riff-not-webp", "empty"],
)
def test_a_photo_that_is_not_jpeg_png_or_webp_is_422(
    api: Api, team_a: TeamAuth, data: bytes
) -> None:
    assert_error(api.photo(team_a, data=data), 422)
    assert "photo_submitted" not in api.event_types()


def test_a_multipart_body_without_the_photo_or_clue_is_422(api: Api, team_a: TeamAuth) -> None:
    url = f"/api/hunts/{HUNT}/submissions"
    assert_error(
        api.client.post(
            url, data={"clue": "selfie"}, files={"x": ("a", b"b")}, headers=team_a.headers
        ),
        422,
    )
    assert_error(
        api.client.post(url, files={"photo": ("p.png", PNG, "image/png")}, headers=team_a.headers),
        422,
    )
    assert_error(
        api.client.post(
            url,
            data={"clue": "selfie", "photo": "not a file"},
            files={"other": ("p.png", PNG, "image/png")},
            headers=team_a.headers,
        ),
        422,
    )


def _early_team(api: Api) -> TeamAuth:
    """A team registered before the start (the clock never goes back past recorded events)."""
    api.create_hunt_ok(spec_document())
    return api.register(HUNT, "Early birds")


def test_submissions_before_starts_at_are_423(api: Api) -> None:
    team = _early_team(api)
    api.clock.set(STARTS - 1)
    assert_error(api.answer(team, "lighthouse", "keeper"), 423)
    assert_error(api.photo(team), 423)
    assert_error(api.hint(team, "lighthouse", "look-up"), 423)
    api.clock.set(STARTS)
    assert api.answer(team, "lighthouse", "keeper").json()["result"] == "correct"


@pytest.mark.parametrize("moment", [ENDS, ENDS + 10 * SECOND])
def test_submissions_after_ends_at_are_423(api: Api, team_a: TeamAuth, moment: int) -> None:
    api.clock.set(moment)
    assert_error(api.answer(team_a, "lighthouse", "keeper"), 423)
    assert_error(api.photo(team_a), 423)


def test_submissions_at_starts_at_and_just_before_ends_at_are_accepted(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.clock.set(STARTS)
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "correct"
    api.clock.set(ENDS - 1)
    assert api.answer(team_b, "lighthouse", "keeper").json()["result"] == "correct"


def test_submissions_while_paused_are_423_and_resume_afterwards(api: Api, team_a: TeamAuth) -> None:
    _paused(api)
    assert_error(api.answer(team_a, "lighthouse", "keeper"), 423)
    assert_error(api.photo(team_a), 423)
    assert api.client.post(f"/api/hunts/{HUNT}/resume", headers=ORG).status_code == 200
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "correct"


def test_an_unknown_clue_is_404(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.answer(team_a, "no-such-clue", "keeper"), 404)


def test_a_clue_not_open_is_409(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.submit(team_a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}), 409)
    assert_error(api.submit(team_a, {"clue": "crate", "code": "QL-7F3K-22"}), 409)
    assert api.event_types()[-1] == "team_registered"


def _reject(api: Api, review_id: str) -> None:
    response = api.client.post(
        f"/api/hunts/{HUNT}/reviews/{review_id}",
        json={"approve": False, "reason": "no statue"},
        headers=ORG,
    )
    assert response.status_code == 200, response.text


def test_a_clue_is_locked_after_max_attempts_wrong_attempts(api: Api, team_a: TeamAuth) -> None:
    for _ in range(3):
        _reject(api, api.photo(team_a).json()["review_id"])
    assert_error(api.photo(team_a), 409, "clue_locked")


def test_a_second_photo_while_one_waits_is_409(api: Api, team_a: TeamAuth) -> None:
    assert api.photo(team_a).status_code == 200
    assert_error(api.photo(team_a, data=JPEG), 409)
    assert api.event_types().count("photo_submitted") == 1


def _wrong(api: Api, team: TeamAuth, times: int) -> None:
    for _ in range(times):
        assert api.answer(team, "lighthouse", "wrong").json()["result"] == "incorrect"


def test_the_rate_limit_is_429_with_retry_after_in_whole_seconds(
    api: Api, team_a: TeamAuth
) -> None:
    # Ten wrong answers (the limit), one a second, from t0.
    t0 = STARTS + 5 * SECOND
    for i in range(10):
        api.clock.set(t0 + i * SECOND)
        _wrong(api, team_a, 1)
    api.clock.set(t0 + 9 * SECOND + SECOND // 2)
    events = len(api.events())
    for answer in ("another wrong", "keeper", "light"):  # right, wrong, keep going alike
        response = api.answer(team_a, "lighthouse", answer)
        error = assert_error(response, 429)
        # The oldest wrong answer (t0) leaves the window at t0 + 60 s: 50.5 s, rounded up.
        assert response.headers["Retry-After"] == "51"
        assert error["details"]["retry_after"] == 51
    assert len(api.events()) == events  # refused attempts are not recorded
    api.clock.set(t0 + 60 * SECOND - 1)
    assert api.answer(team_a, "lighthouse", "keeper").headers["Retry-After"] == "1"
    api.clock.set(t0 + 60 * SECOND + 1)
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "correct"


def test_the_rate_limit_is_per_team_and_per_clue(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    _wrong(api, team_a, 10)
    assert_error(api.answer(team_a, "lighthouse", "keeper"), 429)
    assert api.answer(team_b, "lighthouse", "keeper").json()["result"] == "correct"
    assert api.photo(team_a).json()["result"] == "pending_review"


def test_keep_going_answers_do_not_count_toward_the_rate_limit(api: Api, team_a: TeamAuth) -> None:
    _wrong(api, team_a, 9)
    for _ in range(5):
        assert api.answer(team_a, "lighthouse", "light").json()["result"] == "keep_going"
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "correct"


# -- refusal order ---------------------------------------------------------------------


def test_invalid_input_wins_over_not_live(api: Api, team_a: TeamAuth) -> None:
    _paused(api)
    assert_error(api.answer(team_a, "lighthouse", "!!!"), 422)
    assert_error(api.submit(team_a, {"clue": "lighthouse", "code": "x"}), 422)
    assert_error(api.photo(team_a, data=b"not an image"), 422)
    api.clock.set(ENDS)
    assert_error(api.answer(team_a, "lighthouse", 5), 422)  # type: ignore[arg-type]


def test_not_live_wins_over_unknown_and_unopened_clues(api: Api, team_a: TeamAuth) -> None:
    _paused(api)
    assert_error(api.answer(team_a, "no-such-clue", "keeper"), 423)
    assert_error(api.submit(team_a, {"clue": "crate", "code": "QL-7F3K-22"}), 423)


def test_unknown_hunt_wins_over_invalid_input(api: Api, hunt: str) -> None:
    response = api.client.post(
        "/api/hunts/no-such-hunt/adjustments", content=b"{broken", headers=ORG
    )
    assert_error(response, 404)


def test_a_bad_token_wins_over_an_unknown_hunt(api: Api, hunt: str) -> None:
    bad = {"Authorization": "Bearer nope"}
    assert_error(api.client.post("/api/hunts/nope/submissions", json={}, headers=bad), 401)
    assert_error(api.client.get("/api/hunts/nope", headers=bad), 401)


def test_a_locked_clue_wins_over_the_rate_limit(api: Api) -> None:
    document = spec_document()
    document["hunt"]["attempts"] = {"wrong_per_minute": 3}
    document["clues"][0]["max_attempts"] = 3
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    _wrong(api, team, 3)
    assert_error(api.answer(team, "lighthouse", "keeper"), 409, "clue_locked")


def test_a_rate_limited_keep_going_answer_is_429(api: Api, team_a: TeamAuth) -> None:
    _wrong(api, team_a, 10)
    response = api.answer(team_a, "lighthouse", "light")
    assert_error(response, 429)
    assert int(response.headers["Retry-After"]) >= 1


# -- POST /api/hunts/{hunt}/clues/{clue}/hints/{hint} ---------------------------------


def test_unlocking_a_hint_costs_it_once(api: Api, team_a: TeamAuth) -> None:
    response = api.hint(team_a, "lighthouse", "look-up")
    assert response.status_code == 200
    assert response.json() == {
        "hint": {"id": "look-up", "text": "Look up.", "cost": 20},
        "score": -20,
    }
    again = api.hint(team_a, "lighthouse", "look-up")
    assert again.status_code == 200
    assert again.json() == {"hint": {"id": "look-up", "text": "Look up.", "cost": 20}, "score": -20}
    assert api.event_types().count("hint_unlocked") == 1
    solved = api.solve_lighthouse(team_a)
    assert solved["score"] == 100 + BONUS[0] - 20


def test_an_unknown_hint_or_clue_is_404(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.hint(team_a, "lighthouse", "no-such-hint"), 404)
    assert_error(api.hint(team_a, "no-such-clue", "look-up"), 404)


def test_a_hint_of_a_clue_not_open_is_409(api: Api) -> None:
    document = spec_document()
    document["clues"][1]["hints"] = [{"id": "north", "text": "Head north.", "cost": 30}]
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    assert_error(api.hint(team, "dock-9", "north"), 409)
    api.solve_lighthouse(team)
    assert api.hint(team, "dock-9", "north").json()["score"] == 150 - 30


def test_hints_after_ends_at_are_423(api: Api, team_a: TeamAuth) -> None:
    api.clock.set(ENDS)
    assert_error(api.hint(team_a, "lighthouse", "look-up"), 423)


def test_hints_while_paused_are_423(api: Api, team_a: TeamAuth) -> None:
    _paused(api)
    assert_error(api.hint(team_a, "lighthouse", "look-up"), 423)
    assert_error(api.hint(team_a, "no-such-clue", "look-up"), 423)


def test_hints_need_a_team_of_the_hunt(api: Api, team_a: TeamAuth, other_team: TeamAuth) -> None:
    url = f"/api/hunts/{HUNT}/clues/lighthouse/hints/look-up"
    assert_error(api.client.post(url), 401)
    assert_error(api.client.post(url, headers=ORG), 403)
    assert_error(api.client.post(url, headers=other_team.headers), 403)


def test_the_geo_radius_is_measured_on_the_specs_sphere(api: Api, team_a: TeamAuth) -> None:
    """A check-in due east, at a distance computed with the haversine formula."""
    api.solve_lighthouse(team_a)
    lat, lon = DOCK
    radius = 6_371_008.8
    # Longitude offset for 29.5 m along the parallel-ish great circle, solved from haversine.
    dlon = 2 * math.asin(math.sin(29.5 / (2 * radius)) / math.cos(math.radians(lat)))
    response = api.submit(team_a, {"clue": "dock-9", "lat": lat, "lon": lon + math.degrees(dlon)})
    assert response.json()["result"] == "correct"
