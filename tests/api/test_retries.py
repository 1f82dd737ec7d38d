"""Idempotency-Key: a retry gets the first 200/201 byte for byte and nothing
happens twice; a different request under the key is 422; refusals record
nothing; keys are scoped per team (organizers share one scope)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.conftest import DOCK, HUNT, JPEG, ORG, PNG, Api, TeamAuth, assert_error

BONUS = [50, 25, 10]


def _same(first: httpx.Response, again: httpx.Response) -> None:
    assert again.status_code == first.status_code
    assert again.content == first.content


def test_a_retried_submission_returns_the_first_response_and_records_nothing(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    first = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k-1")
    assert first.json()["result"] == "correct"
    count = len(api.events())
    api.solve_lighthouse(team_b)  # the world moves on; the retry still gets the first answer
    count += 1
    for _ in range(3):
        _same(first, api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k-1"))
    assert len(api.events()) == count
    # Without a key the same request is a new one: already solved.
    assert api.answer(team_a, "lighthouse", "keeper").json()["result"] == "already_solved"


def test_a_retried_wrong_answer_is_one_attempt(api: Api, team_a: TeamAuth) -> None:
    first = api.submit(team_a, {"clue": "lighthouse", "answer": "nope"}, key="w")
    for _ in range(15):  # more than wrong_per_minute: the retries are not attempts
        _same(first, api.submit(team_a, {"clue": "lighthouse", "answer": "nope"}, key="w"))
    assert api.event_types().count("answer_wrong") == 1


def test_json_is_compared_as_parsed(api: Api, team_a: TeamAuth) -> None:
    first = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k")
    again = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        content=b'{ "answer" : "keeper",\n  "clue": "lighthouse" }',
        headers={**team_a.headers, "Idempotency-Key": "k", "Content-Type": "application/json"},
    )
    _same(first, again)


def test_the_same_key_with_a_different_body_is_422(api: Api, team_a: TeamAuth) -> None:
    api.submit(team_a, {"clue": "lighthouse", "answer": "nope"}, key="k")
    count = len(api.events())
    assert_error(api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k"), 422)
    assert_error(api.hint(team_a, "lighthouse", "look-up", key="k"), 422)  # another route
    assert len(api.events()) == count


def test_a_retried_photo_is_one_submission_and_another_photo_is_422(
    api: Api, team_a: TeamAuth
) -> None:
    first = api.photo(team_a, key="photo-1")
    assert first.json()["result"] == "pending_review"
    again = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie"},
        files={"photo": ("renamed.png", PNG, "image/png")},  # same fields, same digest
        headers={**team_a.headers, "Idempotency-Key": "photo-1"},
    )
    _same(first, again)
    assert_error(api.photo(team_a, data=JPEG, key="photo-1"), 422)
    assert api.event_types().count("photo_submitted") == 1


def test_a_retried_hint_unlock_and_adjustment_return_the_first_response(
    api: Api, team_a: TeamAuth
) -> None:
    first_hint = api.hint(team_a, "lighthouse", "look-up", key="h")
    first_adjust = api.adjust(team_a, 40, "good sport", key="adj")
    assert first_adjust.status_code == 201
    count = len(api.events())
    _same(first_hint, api.hint(team_a, "lighthouse", "look-up", key="h"))
    _same(first_adjust, api.adjust(team_a, 40, "good sport", key="adj"))
    assert len(api.events()) == count
    assert api.progress(team_a)["score"] == -20 + 40
    assert_error(api.adjust(team_a, 41, "good sport", key="adj"), 422)


def test_a_refused_request_records_nothing_and_frees_its_key(api: Api, team_a: TeamAuth) -> None:
    assert_error(
        api.submit(team_a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}, key="k"), 409
    )
    assert_error(api.submit(team_a, {"clue": "no-such-clue", "answer": "x"}, key="k"), 404)
    api.client.post(f"/api/hunts/{HUNT}/pause", headers=ORG)
    assert_error(api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k"), 423)
    api.client.post(f"/api/hunts/{HUNT}/resume", headers=ORG)
    response = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="k")
    assert response.status_code == 200
    assert response.json()["result"] == "correct"


def test_keys_are_scoped_per_team(api: Api, team_a: TeamAuth, team_b: TeamAuth) -> None:
    a = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="shared")
    b = api.submit(team_b, {"clue": "lighthouse", "answer": "keeper"}, key="shared")
    assert a.json() == {"result": "correct", "points": 100, "bonus": BONUS[0], "score": 150}
    assert b.json() == {"result": "correct", "points": 100, "bonus": BONUS[1], "score": 125}
    assert api.event_types().count("clue_solved") == 2
    # And a team's key does not collide with the organizers' scope.
    adjust = api.adjust(team_a, 1, key="shared")
    assert adjust.status_code == 201


def test_keys_are_scoped_per_hunt(api: Api, team_a: TeamAuth, other_team: TeamAuth) -> None:
    for team in (team_a, other_team):
        response = api.submit(team, {"clue": "lighthouse", "answer": "keeper"}, key="k")
        assert response.json()["bonus"] == BONUS[0]


@pytest.mark.parametrize("key", ["", "k" * 129, "tab\there", "new\nline"])
def test_a_bad_key_is_422(api: Api, team_a: TeamAuth, key: str) -> None:
    headers = {**team_a.headers, "Idempotency-Key": key}
    response = api.client.post(
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "lighthouse", "answer": "keeper"},
        headers=headers,
    )
    assert_error(response, 422)


def test_a_key_of_128_printable_characters_is_fine(api: Api, team_a: TeamAuth) -> None:
    key = "K" * 127 + "~"
    first = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key=key)
    _same(first, api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key=key))


def test_twenty_simultaneous_retries_solve_once(api: Api, team_a: TeamAuth) -> None:
    parties = 20
    barrier = threading.Barrier(parties)

    def send(_: int) -> httpx.Response:
        barrier.wait(timeout=10)
        return api.submit(team_a, {"clue": "lighthouse", "answer": "keeper"}, key="together")

    with ThreadPoolExecutor(parties) as pool:
        responses = list(pool.map(send, range(parties)))
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert responses[0].json() == {
        "result": "correct",
        "points": 100,
        "bonus": BONUS[0],
        "score": 150,
    }
    assert api.event_types().count("clue_solved") == 1


def test_twenty_simultaneous_adjustments_under_one_key_count_once(
    api: Api, team_a: TeamAuth
) -> None:
    parties = 20
    barrier = threading.Barrier(parties)

    def send(_: int) -> httpx.Response:
        barrier.wait(timeout=10)
        return api.adjust(team_a, 7, "once", key="adj-together")

    with ThreadPoolExecutor(parties) as pool:
        responses = list(pool.map(send, range(parties)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.content for r in responses}) == 1
    assert api.event_types().count("score_adjusted") == 1
    assert api.progress(team_a)["score"] == 7
