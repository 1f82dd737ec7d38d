"""GET /api/hunts/{hunt}/first-solves: the big screen's feed of first solves."""

from tests.api.conftest import DOCK, HUNT, ORG, Api, TeamAuth, assert_error
from tests.hunt_builders import FREEZES, MINUTE


def test_the_first_solver_of_each_clue_newest_first_with_title_and_time(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.clock.advance(MINUTE)
    api.solve_lighthouse(team_b)
    api.clock.advance(MINUTE)
    api.solve_lighthouse(team_a)  # second: not a first solve
    api.clock.advance(MINUTE)
    api.submit(team_a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]})
    body = api.client.get(f"/api/hunts/{HUNT}/first-solves").json()
    assert [(f["clue"], f["title"], f["team_id"], f["name"]) for f in body["first_solves"]] == [
        ("dock-9", "Dock 9", team_a.team_id, "Otters"),
        ("lighthouse", "The Lighthouse", team_b.team_id, "Badgers"),
    ]
    assert body["first_solves"][1]["time"] == "2026-12-01T18:01:00Z"


def test_during_the_freeze_the_public_sees_only_first_solves_before_it(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_a)
    api.solve_lighthouse(team_b)
    api.clock.set(FREEZES)
    api.submit(team_b, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]})
    public = api.client.get(f"/api/hunts/{HUNT}/first-solves").json()["first_solves"]
    assert [f["clue"] for f in public] == ["lighthouse"]
    for_organizers = api.client.get(f"/api/hunts/{HUNT}/first-solves", headers=ORG).json()
    assert [f["clue"] for f in for_organizers["first_solves"]] == ["dock-9", "lighthouse"]


def test_an_unknown_hunt_has_no_first_solves(api: Api, hunt: str) -> None:
    assert_error(api.client.get("/api/hunts/nope/first-solves"), 404)


def test_the_route_is_in_the_openapi_document_with_its_reply(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    route = document["paths"]["/api/hunts/{hunt}/first-solves"]["get"]
    reply = route["responses"]["200"]["content"]["application/json"]["schema"]
    assert reply == {"$ref": "#/components/schemas/FirstSolves"}
    item = document["components"]["schemas"]["FirstSolve"]
    assert set(item["required"]) >= {"clue", "title", "team_id", "name", "version", "time"}
