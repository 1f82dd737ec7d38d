"""The stream's hunt-day messages (api-contract.md): part_solved, message,
photo_approved and clue_opened to the team, revised to everyone, and leaderboard
deltas with finished_at and division. A timed release reaches each connected team it
opened for, within a second of the clock passing it, and no one else."""

from typing import Any

import pytest

from tests.api.conftest import HUNT, ORG, Api, TeamAuth
from tests.api.test_stream import announce, is_announcement, stream
from tests.hunt_builders import MINUTE, STARTS, spec_document

pytestmark = pytest.mark.timeout(60)


def team_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["data"] for e in events if e.get("event") == "team"]


def test_parts_messages_and_photo_verdicts_reach_the_team(api: Api) -> None:
    document = spec_document()
    document["clues"].append(
        {
            "id": "riddle",
            "answer": {
                "kind": "parts",
                "parts": [
                    {"id": "one", "points": 30, "accept": ["first"]},
                    {"id": "two", "points": 20, "accept": ["second"]},
                ],
            },
        }
    )
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    review_id = api.photo(team).json()["review_id"]
    with stream(api, team.headers) as reader:
        api.submit(team, {"clue": "riddle", "part": "one", "answer": "first"})
        api.post(
            f"/api/hunts/{HUNT}/teams/{team.team_id}/messages",
            json={"text": "Come to the desk"},
            headers=ORG,
        )
        api.post(
            f"/api/hunts/{HUNT}/reviews/{review_id}",
            json={"approve": True, "reason": "lovely"},
            headers=ORG,
        )
        announce(api, "barrier")
        events = reader.until(is_announcement("barrier"))
    got = [
        (e["type"], e.get("clue"), e.get("part"), e.get("text"), e.get("reason"))
        for e in team_events(events)
    ]
    assert got == [
        ("part_solved", "riddle", "one", None, None),
        ("message", None, None, "Come to the desk", None),
        ("photo_approved", "selfie", None, None, "lovely"),
        ("solved", "selfie", None, None, None),
    ]
    part = team_events(events)[0]
    assert part["points"] == 30


def test_a_revision_is_announced_to_everyone_and_deltas_carry_finish_and_division(
    api: Api,
) -> None:
    document = spec_document()
    document["hunt"]["divisions"] = [{"id": "open", "title": "Open"}]
    document["hunt"]["finish"] = "lighthouse"
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    response = api.post(f"/api/hunts/{HUNT}/teams", json={"name": "Otters", "division": "open"})
    team = TeamAuth(HUNT, response.json()["team_id"], response.json()["token"], "Otters")
    with stream(api) as reader:
        api.solve_lighthouse(team)
        assert api.client.put(f"/api/hunts/{HUNT}", json=document, headers=ORG).status_code == 200
        # A later event as the barrier: a cluster node's tail may bring the solve and
        # the revision in one batch, and then the board's delta follows the revision.
        announce(api, "barrier")
        events = reader.until(is_announcement("barrier"))
    delta = next(e for e in events if e.get("event") == "leaderboard")
    [row] = delta["data"]["rows"]
    assert (row["division"], row["finished_at"]) == ("open", "2026-12-01T18:00:00Z")
    [revised] = [e for e in events if e.get("event") == "revised"]
    assert revised["data"]["revision"] == 2


def timed_hunt() -> dict[str, Any]:
    document = spec_document()
    document["clues"].append(
        {
            "id": "midnight",
            "title": "At the stroke",
            "points": 50,
            "opens_after": "30m",
            "answer": {"kind": "text", "accept": ["twelve"]},
        }
    )
    document["clues"].append(
        {
            "id": "late-dock",
            "title": "Back to the dock",
            "points": 50,
            "opens_after": "30m",
            "requires": ["lighthouse"],
            "answer": {"kind": "text", "accept": ["again"]},
        }
    )
    return document


def test_a_timed_release_reaches_each_connected_team_it_opened_for(api: Api) -> None:
    api.create_hunt_ok(timed_hunt())
    api.clock.set(STARTS)
    otters, badgers = api.register(HUNT, "Otters"), api.register(HUNT, "Badgers")
    api.solve_lighthouse(otters)
    with (
        stream(api, otters.headers) as otters_reader,
        stream(api, badgers.headers) as badgers_reader,
        stream(api) as public,
    ):
        api.clock.set(STARTS + 30 * MINUTE)
        opened = otters_reader.until(lambda e: e.get("event") == "team", timeout=3)[-1]["data"]
        assert opened["type"] == "clue_opened"
        first = badgers_reader.until(lambda e: e.get("event") == "team", timeout=3)[-1]["data"]
        announce(api, "barrier")
        otters_rest = otters_reader.until(is_announcement("barrier"))
        badgers_rest = badgers_reader.until(is_announcement("barrier"))
        public_seen = public.until(is_announcement("barrier"))
    otters_opened = [opened] + [e for e in team_events(otters_rest) if e["type"] == "clue_opened"]
    assert sorted((e["clue"], e["title"]) for e in otters_opened) == [
        ("late-dock", "Back to the dock"),
        ("midnight", "At the stroke"),
    ]
    badgers_opened = [first] + [e for e in team_events(badgers_rest) if e["type"] == "clue_opened"]
    assert [e["clue"] for e in badgers_opened] == ["midnight"]  # late-dock needs the lighthouse
    assert not team_events(public_seen)
    assert "midnight" in api.clues(otters)


def test_a_revision_that_moves_an_opening_time_is_followed(api: Api) -> None:
    api.create_hunt_ok(timed_hunt())
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    with stream(api, team.headers) as reader:
        moved = timed_hunt()
        moved["clues"][4]["opens_after"] = "10m"
        assert api.client.put(f"/api/hunts/{HUNT}", json=moved, headers=ORG).status_code == 200
        reader.until(lambda e: e.get("event") == "revised")
        api.clock.set(STARTS + 10 * MINUTE)
        opened = reader.until(lambda e: e.get("event") == "team", timeout=3)[-1]["data"]
    assert (opened["type"], opened["clue"]) == ("clue_opened", "midnight")
