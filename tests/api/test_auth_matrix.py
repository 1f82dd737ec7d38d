"""Every route against every kind of caller: anonymous, the team, another team of
the same hunt, a team of another hunt, an organizer, and a token nobody issued.

A bad token is 401 even on routes anyone may use; a valid token outside its
scope is 403 (http-api.md, "Who may do what").
"""

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import BAD, HUNT, JPEG, ORG, OTHER_HUNT, PNG, Api, TeamAuth, assert_error
from tests.hunt_builders import spec_document

CALLERS = ("anonymous", "team", "same_hunt_team", "other_hunt_team", "organizer", "bad_token")


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # {hunt}, {team} (the team's id), {review} filled in per world
    expected: tuple[int, int, int, int, int, int]  # in the order of CALLERS
    json: dict[str, Any] | None = None
    photo: bool = False
    image: bytes | None = None  # the raw body of an image upload


def _new_hunt() -> dict[str, Any]:
    document = spec_document()
    document["hunt"]["id"] = "brand-new"
    return document


ROUTES = [
    Route("create hunt", "POST", "/api/hunts", (401, 403, 403, 403, 201, 401), _new_hunt()),
    Route("read hunt", "GET", "/api/hunts/{hunt}", (200, 200, 200, 403, 200, 401)),
    Route(
        "register",
        "POST",
        "/api/hunts/{hunt}/teams",
        (201, 201, 201, 403, 201, 401),
        {"name": "Newcomers"},
    ),
    Route(
        "submit text",
        "POST",
        "/api/hunts/{hunt}/submissions",
        (401, 200, 200, 403, 403, 401),
        {"clue": "lighthouse", "answer": "keeper"},
    ),
    Route(
        "submit photo",
        "POST",
        "/api/hunts/{hunt}/submissions",
        (401, 200, 200, 403, 403, 401),
        photo=True,
    ),
    Route(
        "unlock hint",
        "POST",
        "/api/hunts/{hunt}/clues/lighthouse/hints/look-up",
        (401, 200, 200, 403, 403, 401),
    ),
    Route("leaderboard", "GET", "/api/hunts/{hunt}/leaderboard", (200, 200, 200, 403, 200, 401)),
    Route("team progress", "GET", "/api/hunts/{hunt}/teams/{team}", (401, 200, 403, 403, 200, 401)),
    Route("pause", "POST", "/api/hunts/{hunt}/pause", (401, 403, 403, 403, 200, 401)),
    Route("resume", "POST", "/api/hunts/{hunt}/resume", (401, 403, 403, 403, 200, 401)),
    Route(
        "adjust",
        "POST",
        "/api/hunts/{hunt}/adjustments",
        (401, 403, 403, 403, 201, 401),
        {"team_id": "{team}", "points": 5, "reason": "helped another team"},
    ),
    Route(
        "announce",
        "POST",
        "/api/hunts/{hunt}/announcements",
        (401, 403, 403, 403, 201, 401),
        {"text": "Ten minutes left"},
    ),
    Route("review queue", "GET", "/api/hunts/{hunt}/reviews", (401, 403, 403, 403, 200, 401)),
    Route(
        "review",
        "POST",
        "/api/hunts/{hunt}/reviews/{review}",
        (401, 403, 403, 403, 200, 401),
        {"approve": True},
    ),
    Route("photo", "GET", "/api/hunts/{hunt}/photos/{review}", (401, 200, 403, 403, 200, 401)),
    Route(
        "upload image",
        "POST",
        "/api/hunts/{hunt}/images",
        (401, 403, 403, 403, 201, 401),
        image=JPEG,
    ),
    Route(
        "image",
        "GET",
        f"/api/hunts/{{hunt}}/images/{hashlib.sha256(PNG).hexdigest()}",
        (200, 200, 200, 403, 200, 401),
    ),
    Route("stream", "GET", "/api/hunts/{hunt}/stream", (200, 200, 200, 403, 200, 401)),
    Route("events", "GET", "/api/hunts/{hunt}/events", (401, 403, 403, 403, 200, 401)),
    # hunt-day.md and log-features.md
    Route("list hunts", "GET", "/api/hunts", (200, 200, 200, 200, 200, 401)),
    Route("definition", "GET", "/api/hunts/{hunt}/definition", (401, 403, 403, 403, 200, 401)),
    Route("revisions", "GET", "/api/hunts/{hunt}/revisions", (401, 403, 403, 403, 200, 401)),
    Route("revise", "PUT", "/api/hunts/{hunt}", (401, 403, 403, 403, 200, 401), spec_document()),
    Route(
        "new token",
        "POST",
        "/api/hunts/{hunt}/teams/{team}/tokens",
        (401, 201, 403, 403, 201, 401),
        {},
    ),
    Route(
        "announcements", "GET", "/api/hunts/{hunt}/announcements", (200, 200, 200, 403, 200, 401)
    ),
    Route(
        "message",
        "POST",
        "/api/hunts/{hunt}/teams/{team}/messages",
        (401, 403, 403, 403, 201, 401),
        {"text": "Come to the desk"},
    ),
    Route("csv", "GET", "/api/hunts/{hunt}/leaderboard.csv", (200, 200, 200, 403, 200, 401)),
    Route("ctftime", "GET", "/api/hunts/{hunt}/ctftime.json", (200, 200, 200, 403, 200, 401)),
    Route("history", "GET", "/api/hunts/{hunt}/history", (200, 200, 200, 403, 200, 401)),
    Route(
        "receipt", "GET", "/api/hunts/{hunt}/teams/{team}/receipt", (401, 200, 403, 403, 200, 401)
    ),
    # Anyone may read the certificate once the hunt has ended; before, 409.
    Route("certificate", "GET", "/api/hunts/{hunt}/certificate", (409, 409, 409, 403, 409, 401)),
    Route("fair play", "GET", "/api/hunts/{hunt}/fairplay", (401, 403, 403, 403, 200, 401)),
    Route("stats", "GET", "/api/hunts/{hunt}/stats", (401, 403, 403, 403, 200, 401)),
    # Anyone may probe and read the OpenAPI document, but a bad token is 401 there too.
    Route("healthz", "GET", "/healthz", (200, 200, 200, 200, 200, 401)),
    Route("readyz", "GET", "/readyz", (200, 200, 200, 200, 200, 401)),
    Route("metrics", "GET", "/metrics", (200, 200, 200, 200, 200, 401)),
    Route("openapi", "GET", "/openapi.json", (200, 200, 200, 200, 200, 401)),
    Route("ops summary", "GET", "/api/ops/summary", (401, 403, 403, 403, 200, 401)),
]


@dataclass
class World:
    api: Api
    team: TeamAuth  # the route's team: owns the photo, is the progress page's subject
    same_hunt_team: TeamAuth
    other_hunt_team: TeamAuth
    review_id: str

    def headers(self, caller: str) -> dict[str, str]:
        return {
            "anonymous": {},
            "team": self.team.headers,
            "same_hunt_team": self.same_hunt_team.headers,
            "other_hunt_team": self.other_hunt_team.headers,
            "organizer": ORG,
            "bad_token": BAD,
        }[caller]


@pytest.fixture
def world(api: Api, team_a: TeamAuth, team_b: TeamAuth, other_team: TeamAuth) -> World:
    review_id = api.photo(team_a).json()["review_id"]
    image = {**ORG, "Content-Type": "image/png"}
    assert api.post(f"/api/hunts/{HUNT}/images", content=PNG, headers=image).status_code == 201
    assert api.client.get(f"/api/hunts/{OTHER_HUNT}").status_code == 200
    return World(api, team_a, team_b, other_team, review_id)


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str):
        return (
            value.replace("{hunt}", HUNT)
            .replace("{team}", world.team.team_id)
            .replace("{review}", world.review_id)
        )
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


CASES = [
    pytest.param(route, caller, status, id=f"{route.name}-{caller}")
    for route in ROUTES
    for caller, status in zip(CALLERS, route.expected, strict=True)
]


@pytest.mark.parametrize(("route", "caller", "expected"), CASES)
def test_the_auth_matrix(world: World, route: Route, caller: str, expected: int) -> None:
    client = world.api.client
    path = _fill(route.path, world)
    headers = world.headers(caller)
    if route.name == "stream":
        with client.stream("GET", path, headers=headers) as response:
            assert response.status_code == expected
            if expected != 200:
                response.read()
                assert_error(response, expected)
        return
    if route.name == "submit photo":
        if caller == "team":  # its first photo is still waiting: use another photo clue
            world.api.client.post(
                f"/api/hunts/{HUNT}/reviews/{world.review_id}",
                json={"approve": False, "reason": "blurry"},
                headers=ORG,
            )
        response = client.post(
            path,
            data={"clue": "selfie"},
            files={"photo": ("p.png", PNG, "image/png")},
            headers=headers,
        )
    elif route.image is not None:
        response = client.post(
            path, content=route.image, headers={**headers, "Content-Type": "image/jpeg"}
        )
    else:
        response = client.request(
            route.method, path, json=_fill(route.json, world), headers=headers
        )
    if expected >= 400:
        assert_error(response, expected)
    else:
        assert response.status_code == expected, response.text
