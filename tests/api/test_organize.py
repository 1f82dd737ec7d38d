"""Organizer routes: pause and resume, adjustments, announcements, photo reviews,
photos, the event log; and what unknown routes and methods answer."""

from typing import Any

import pytest

from questline.domain.timestamps import parse_rfc3339
from tests.api.conftest import (
    HUNT,
    JPEG,
    ORG,
    OTHER_HUNT,
    PNG,
    Api,
    TeamAuth,
    assert_error,
)
from tests.hunt_builders import SECOND, STARTS, spec_document

BONUS = [50, 25, 10]


# -- pause and resume -------------------------------------------------------------------


def test_pause_and_resume_answer_200_with_the_hunt(api: Api, team_a: TeamAuth) -> None:
    paused = api.client.post(f"/api/hunts/{HUNT}/pause", headers=ORG)
    assert paused.status_code == 200
    assert paused.json() == {**api.client.get(f"/api/hunts/{HUNT}").json(), "state": "paused"}
    assert_error(api.answer(team_a, "lighthouse", "keeper"), 423)
    assert_error(api.hint(team_a, "lighthouse", "look-up"), 423)
    # Pausing twice changes nothing more.
    assert api.client.post(f"/api/hunts/{HUNT}/pause", headers=ORG).json()["state"] == "paused"
    assert api.event_types().count("hunt_paused") == 1
    resumed = api.client.post(f"/api/hunts/{HUNT}/resume", headers=ORG)
    assert resumed.status_code == 200
    assert resumed.json()["state"] == "live"
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "correct"


def test_registration_goes_on_while_paused(api: Api, hunt: str) -> None:
    api.client.post(f"/api/hunts/{hunt}/pause", headers=ORG)
    assert api.client.post(f"/api/hunts/{hunt}/teams", json={"name": "Otters"}).status_code == 201


def test_pausing_an_unknown_hunt_is_404(api: Api, hunt: str) -> None:
    assert_error(api.client.post("/api/hunts/nope/pause", headers=ORG), 404)
    assert_error(api.client.post("/api/hunts/nope/resume", headers=ORG), 404)


# -- adjustments ------------------------------------------------------------------------


def test_an_adjustment_answers_201_with_the_new_score(api: Api, team_a: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    response = api.adjust(team_a, -30, "cut through the fence")
    assert response.status_code == 201
    assert response.json() == {"team_id": team_a.team_id, "score": 100 + BONUS[0] - 30}
    assert api.adjust(team_a, 5).json()["score"] == 100 + BONUS[0] - 25
    assert api.progress(team_a)["score"] == 100 + BONUS[0] - 25
    assert api.board()["teams"][0]["score"] == 100 + BONUS[0] - 25


@pytest.mark.parametrize(
    "body",
    [
        {"points": 0, "reason": "nothing"},
        {"points": 10, "reason": ""},
        {"points": 10, "reason": "   "},
        {"points": 1.5, "reason": "half"},
        {"points": True, "reason": "bool"},
        {"points": "10", "reason": "text"},
        {"reason": "missing points"},
        {"points": 10},
        {"points": 10, "reason": "x", "extra": 1},
    ],
)
def test_a_bad_adjustment_is_422(api: Api, team_a: TeamAuth, body: dict[str, Any]) -> None:
    body = {"team_id": team_a.team_id, **body}
    response = api.client.post(f"/api/hunts/{HUNT}/adjustments", json=body, headers=ORG)
    assert_error(response, 422)
    assert "score_adjusted" not in api.event_types()


def test_an_adjustment_for_an_unknown_team_is_404(api: Api, hunt: str) -> None:
    response = api.client.post(
        f"/api/hunts/{hunt}/adjustments",
        json={"team_id": "t-404", "points": 5, "reason": "who?"},
        headers=ORG,
    )
    assert_error(response, 404)


def test_adjustments_need_the_organizer(api: Api, team_a: TeamAuth) -> None:
    body = {"team_id": team_a.team_id, "points": 5, "reason": "self-service"}
    url = f"/api/hunts/{HUNT}/adjustments"
    assert_error(api.client.post(url, json=body), 401)
    assert_error(api.client.post(url, json=body, headers=team_a.headers), 403)


# -- announcements ----------------------------------------------------------------------


def test_an_announcement_answers_201(api: Api, hunt: str) -> None:
    response = api.client.post(
        f"/api/hunts/{hunt}/announcements", json={"text": "Pizza at the dock!"}, headers=ORG
    )
    assert response.status_code == 201
    assert api.events()[-1]["type"] == "announcement_made"
    assert api.events()[-1]["payload"]["text"] == "Pizza at the dock!"


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "  "}, {}, {"text": 3}, {"txt": "x"}])
def test_a_bad_announcement_is_422(api: Api, hunt: str, body: dict[str, Any]) -> None:
    assert_error(api.client.post(f"/api/hunts/{hunt}/announcements", json=body, headers=ORG), 422)


# -- reviews ----------------------------------------------------------------------------


def test_the_review_queue_lists_waiting_photos_oldest_first(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.clock.set(STARTS + 10 * SECOND)
    first = api.photo(team_b).json()["review_id"]
    api.clock.set(STARTS + 20 * SECOND)
    second = api.photo(team_a, data=JPEG).json()["review_id"]
    response = api.client.get(f"/api/hunts/{HUNT}/reviews", headers=ORG)
    assert response.status_code == 200
    queue = response.json()
    assert [r["id"] for r in queue] == [first, second]
    assert queue[0]["team_id"] == team_b.team_id
    assert queue[0]["clue"] == "selfie"
    assert parse_rfc3339(queue[0]["submitted_at"]) == STARTS + 10 * SECOND
    assert parse_rfc3339(queue[1]["submitted_at"]) == STARTS + 20 * SECOND
    assert set(queue[0]) == {"id", "team_id", "clue", "submitted_at", "photo_url"}
    photo = api.client.get(queue[0]["photo_url"], headers=ORG)
    assert photo.status_code == 200
    assert photo.content == PNG


def test_approving_a_photo_solves_the_clue(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    response = api.client.post(
        f"/api/hunts/{HUNT}/reviews/{review_id}", json={"approve": True}, headers=ORG
    )
    assert response.status_code == 200
    assert response.json() == {
        "id": review_id,
        "approved": True,
        "team_id": team_a.team_id,
        "clue": "selfie",
        "score": 150 + BONUS[0],
    }
    assert api.client.get(f"/api/hunts/{HUNT}/reviews", headers=ORG).json() == []
    assert api.clues(team_a)["selfie"]["solved"] is True
    assert api.photo(team_a).json()["result"] == "already_solved"


def test_rejecting_a_photo_counts_a_wrong_attempt(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    response = api.client.post(
        f"/api/hunts/{HUNT}/reviews/{review_id}",
        json={"approve": False, "reason": "the statue is missing"},
        headers=ORG,
    )
    assert response.status_code == 200
    assert response.json()["approved"] is False
    assert response.json()["score"] == 0
    assert api.progress(team_a)["attempts_left"] == {"selfie": 2}
    # The team may send another photo now.
    assert api.photo(team_a, data=JPEG).json()["result"] == "pending_review"


def test_a_second_review_is_409(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    url = f"/api/hunts/{HUNT}/reviews/{review_id}"
    assert api.client.post(url, json={"approve": True}, headers=ORG).status_code == 200
    assert_error(api.client.post(url, json={"approve": True}, headers=ORG), 409)
    assert_error(api.client.post(url, json={"approve": False, "reason": "no"}, headers=ORG), 409)
    assert api.event_types().count("clue_solved") == 1


def test_rejecting_without_a_reason_is_422(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    url = f"/api/hunts/{HUNT}/reviews/{review_id}"
    assert_error(api.client.post(url, json={"approve": False}, headers=ORG), 422)
    assert_error(api.client.post(url, json={"approve": "yes"}, headers=ORG), 422)
    assert_error(api.client.post(url, json={}, headers=ORG), 422)


def test_reviewing_an_unknown_photo_is_404(api: Api, hunt: str) -> None:
    url = f"/api/hunts/{hunt}/reviews/p-77"
    assert_error(api.client.post(url, json={"approve": True}, headers=ORG), 404)


def test_reviews_after_ends_at_still_change_the_final_board(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    api.clock.set(parse_rfc3339(spec_document()["hunt"]["ends_at"]) + SECOND)
    url = f"/api/hunts/{HUNT}/reviews/{review_id}"
    assert api.client.post(url, json={"approve": True}, headers=ORG).status_code == 200
    assert api.board()["teams"][0]["score"] == 150 + BONUS[0]


# -- photos -----------------------------------------------------------------------------


def test_a_photo_is_visible_to_the_organizer_and_its_team_only(
    api: Api, team_a: TeamAuth, team_b: TeamAuth, other_team: TeamAuth
) -> None:
    review_id = api.photo(team_a, data=JPEG).json()["review_id"]
    url = f"/api/hunts/{HUNT}/photos/{review_id}"
    for headers in (ORG, team_a.headers):
        response = api.client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.content == JPEG
        assert response.headers["content-type"] == "image/jpeg"
    assert_error(api.client.get(url), 401)
    assert_error(api.client.get(url, headers=team_b.headers), 403)
    assert_error(api.client.get(url, headers=other_team.headers), 403)
    assert_error(api.client.get(f"/api/hunts/{HUNT}/photos/p-99", headers=ORG), 404)


# -- /events ----------------------------------------------------------------------------


def _play_two_hunts(api: Api, team_a: TeamAuth, other_team: TeamAuth) -> None:
    api.solve_lighthouse(team_a)
    api.answer(other_team, "lighthouse", "wrong")
    api.hint(team_a, "lighthouse", "look-up")
    api.answer(other_team, "lighthouse", "keeper")
    api.adjust(team_a, 3)


def test_events_are_the_hunts_log_with_contiguous_versions(
    api: Api, team_a: TeamAuth, other_team: TeamAuth
) -> None:
    _play_two_hunts(api, team_a, other_team)
    for hunt_id in (HUNT, OTHER_HUNT):
        events = api.events(hunt_id)
        assert [e["version"] for e in events] == list(range(1, len(events) + 1))
        positions = [e["position"] for e in events]
        assert positions == sorted(positions) and len(set(positions)) == len(positions)
        for event in events:
            assert set(event) == {"position", "version", "type", "time", "payload", "hash"}
            assert isinstance(event["payload"], dict)
            parse_rfc3339(event["time"])
        assert events[0]["type"] == "hunt_created"
    types = api.event_types(HUNT)
    assert types == [
        "hunt_created",
        "team_registered",
        "clue_solved",
        "hint_unlocked",
        "score_adjusted",
    ]


def test_events_never_show_token_hashes_or_tokens(api: Api, team_a: TeamAuth) -> None:
    response = api.client.get(f"/api/hunts/{HUNT}/events", headers=ORG)
    assert "token_hash" not in response.text
    assert team_a.token not in response.text
    registered = [e for e in response.json()["events"] if e["type"] == "team_registered"]
    assert registered[0]["payload"]["team_id"] == team_a.team_id
    assert registered[0]["payload"]["name"] == "Otters"


def test_after_is_exclusive_and_limit_bounds_the_page(
    api: Api, team_a: TeamAuth, other_team: TeamAuth
) -> None:
    _play_two_hunts(api, team_a, other_team)
    everything = api.events(HUNT)
    url = f"/api/hunts/{HUNT}/events"
    first_two = api.client.get(url, params={"limit": 2}, headers=ORG).json()["events"]
    assert first_two == everything[:2]
    rest = api.client.get(url, params={"after": first_two[-1]["position"]}, headers=ORG)
    assert rest.json()["events"] == everything[2:]
    default = api.client.get(url, headers=ORG).json()["events"]
    assert default == everything  # fewer than the default 100
    last = everything[-1]["position"]
    assert api.client.get(url, params={"after": last}, headers=ORG).json() == {"events": []}


def test_events_limit_defaults_to_100_and_allows_1000(api: Api, team_a: TeamAuth) -> None:
    for i in range(105):
        api.adjust(team_a, 1, f"point {i}")
    url = f"/api/hunts/{HUNT}/events"
    assert len(api.client.get(url, headers=ORG).json()["events"]) == 100
    assert len(api.client.get(url, params={"limit": 1000}, headers=ORG).json()["events"]) == 107


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 1001}, {"after": -1}, {"after": "x"}, {"limit": "many"}]
)
def test_events_bounds_are_422(api: Api, hunt: str, params: dict[str, Any]) -> None:
    assert_error(api.client.get(f"/api/hunts/{hunt}/events", params=params, headers=ORG), 422)


def test_events_need_the_organizer(api: Api, team_a: TeamAuth) -> None:
    url = f"/api/hunts/{HUNT}/events"
    assert_error(api.client.get(url), 401)
    assert_error(api.client.get(url, headers=team_a.headers), 403)
    assert_error(api.client.get("/api/hunts/nope/events", headers=ORG), 404)


# -- unknown routes and methods ------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nope", "/api", "/api/hunts/harbour-night/nope", "/api/hunts/a/b/c/d/e/f"]
)
def test_unknown_routes_get_the_json_error_body(api: Api, hunt: str, path: str) -> None:
    assert_error(api.client.get(path), 404)
    assert_error(api.client.post(path, json={}), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/hunts/harbour-night"),
        ("PUT", "/api/hunts/harbour-night/teams"),
        ("GET", "/api/hunts/harbour-night/submissions"),
        ("DELETE", "/api/hunts"),
        ("PATCH", "/api/hunts/harbour-night/leaderboard"),
        ("POST", "/openapi.json"),
    ],
)
def test_unknown_methods_get_the_json_error_body(
    api: Api, hunt: str, method: str, path: str
) -> None:
    assert_error(api.client.request(method, path), 405)


def test_operator_routes_answer_and_show_no_secrets(api: Api, team_a: TeamAuth) -> None:
    for path in ("/healthz", "/readyz"):
        response = api.client.get(path)
        assert response.status_code == 200
        assert team_a.token not in response.text
        assert "QL-7F3K-22" not in response.text
    document = api.client.get("/openapi.json")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for route in (
        "/api/hunts",
        "/api/hunts/{hunt}",
        "/api/hunts/{hunt}/teams",
        "/api/hunts/{hunt}/submissions",
        "/api/hunts/{hunt}/clues/{clue}/hints/{hint}",
        "/api/hunts/{hunt}/leaderboard",
        "/api/hunts/{hunt}/teams/{team}",
        "/api/hunts/{hunt}/pause",
        "/api/hunts/{hunt}/resume",
        "/api/hunts/{hunt}/adjustments",
        "/api/hunts/{hunt}/announcements",
        "/api/hunts/{hunt}/reviews",
        "/api/hunts/{hunt}/reviews/{id}",
        "/api/hunts/{hunt}/stream",
        "/api/hunts/{hunt}/events",
    ):
        assert route in paths, route


# -- bad input never gets a 500 ------------------------------------------------------------

BEYOND_INT64 = 2**63


@pytest.mark.parametrize(
    ("path", "params", "org"),
    [
        ("events", {"after": BEYOND_INT64}, True),
        ("events", {"after": 10**30}, True),
        ("leaderboard", {"offset": BEYOND_INT64}, False),
        ("leaderboard", {"offset": BEYOND_INT64}, True),
    ],
)
def test_numbers_beyond_64_bits_are_422_not_500(
    api: Api, hunt: str, path: str, params: dict[str, Any], org: bool
) -> None:
    response = api.client.get(
        f"/api/hunts/{hunt}/{path}", params=params, headers=ORG if org else None
    )
    assert_error(response, 422)


def test_the_largest_64_bit_after_and_offset_are_fine(api: Api, hunt: str) -> None:
    largest = BEYOND_INT64 - 1
    events = api.client.get(f"/api/hunts/{hunt}/events", params={"after": largest}, headers=ORG)
    assert events.json() == {"events": []}
    board = api.client.get(f"/api/hunts/{hunt}/leaderboard", params={"offset": largest})
    assert board.json()["teams"] == []
