"""The limits of hunt-day.md over HTTP: a hunt whose pattern RE2 cannot run or whose
numbers are past their bounds is 422 naming each problem's path; an adjustment past
a billion is 422 naming `points`; a catastrophic pattern is judged at once."""

from tests.api.conftest import HUNT, Api, TeamAuth, assert_error
from tests.hunt_builders import STARTS, spec_document


def test_a_hunt_with_a_backreference_is_422_naming_the_clue_and_the_pattern(api: Api) -> None:
    document = spec_document()
    document["clues"][0]["answer"]["accept_regex"] = [r"(keep)\1er"]
    problems = assert_error(api.create_hunt(document), 422, "invalid_input")["details"]["problems"]
    assert [p["path"] for p in problems] == ["clues[0].answer.accept_regex[0]"]
    assert "'lighthouse'" in problems[0]["message"]
    assert r"`(keep)\1er`" in problems[0]["message"]
    assert api.client.get(f"/api/hunts/{HUNT}", headers=api.org).status_code == 404


def test_a_hunt_with_points_past_a_billion_is_422_naming_each_field(api: Api) -> None:
    document = spec_document()
    document["clues"][0]["points"] = 2**62
    document["clues"][0]["hints"][0]["cost"] = -1
    document["hunt"]["scoring"]["first_solve_bonus"] = [2**63 - 1]
    document["clues"][1]["answer"]["radius_m"] = 50_000_001
    problems = assert_error(api.create_hunt(document), 422, "invalid_input")["details"]["problems"]
    assert {p["path"] for p in problems} == {
        "clues[0].points",
        "clues[0].hints[0].cost",
        "hunt.scoring.first_solve_bonus[0]",
        "clues[1].answer.radius_m",
    }


def test_an_adjustment_past_a_billion_is_422_naming_points(api: Api, team_a: TeamAuth) -> None:
    for points in (1_000_000_001, -(2**63), 2**63 - 1, 2**64):
        error = assert_error(api.adjust(team_a, points), 422, "invalid_input")
        assert error["details"] == {"field": "points"}
    assert api.adjust(team_a, -1_000_000_000).status_code == 201
    assert api.progress(team_a)["score"] == -1_000_000_000


def test_a_catastrophic_pattern_is_judged_and_the_node_keeps_answering(api: Api) -> None:
    document = spec_document()
    document["clues"][0]["answer"]["accept_regex"] = ["(a+)+b"]
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    team = api.register(HUNT, "Echoes")
    response = api.answer(team, "lighthouse", "a" * 29)
    assert response.status_code == 200 and response.json()["result"] == "incorrect"
    assert api.client.get("/healthz").status_code == 200


def test_a_name_that_lies_is_422_and_a_look_alike_is_409(api: Api, hunt: str) -> None:
    for name in ("team1\u200b", "\u202eteam1", "\u00ad", "\u3164", "esc\x1b[2J"):
        response = api.post(f"/api/hunts/{hunt}/teams", json={"name": name})
        assert assert_error(response, 422, "invalid_input")["details"] == {"field": "name"}
    assert api.post(f"/api/hunts/{hunt}/teams", json={"name": " Team 1 "}).status_code == 201
    taken = api.post(f"/api/hunts/{hunt}/teams", json={"name": "ＴＥＡＭ１"})
    assert_error(taken, 409, "name_taken")
    assert [t["name"] for t in api.board()["teams"]] == ["Team 1"]
