"""GET /api/hunts/{hunt}/stream: Server-Sent Events.

Every read has a deadline and every stream is closed, so nothing here can hang;
the timeout mark is a second line of defence.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest

from tests.api.conftest import (
    HUNT,
    ORG,
    Api,
    SseReader,
    TeamAuth,
    assert_error,
    assert_no_secrets,
)
from tests.hunt_builders import FREEZES

pytestmark = pytest.mark.timeout(60)


@contextmanager
def stream(api: Api, headers: dict[str, str] | None = None, **extra: str) -> Iterator[SseReader]:
    with api.client.stream(
        "GET", f"/api/hunts/{HUNT}/stream", headers={**(headers or {}), **extra}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        reader = SseReader(response)
        try:
            yield reader
        finally:
            reader.close()


def announce(api: Api, text: str) -> None:
    response = api.client.post(f"/api/hunts/{HUNT}/announcements", json={"text": text}, headers=ORG)
    assert response.status_code == 201


def is_announcement(text: str) -> Any:
    return lambda e: e.get("event") == "announcement" and e["data"]["text"] == text


def test_an_announcement_made_after_connecting_arrives(api: Api, hunt: str) -> None:
    with stream(api) as reader:
        announce(api, "Pizza at the dock")
        event = reader.until(is_announcement("Pizza at the dock"))[-1]
        assert event["id"].isdigit()
        assert event["data"]["text"] == "Pizza at the dock"


def test_state_changes_are_sent(api: Api, hunt: str) -> None:
    with stream(api) as reader:
        api.client.post(f"/api/hunts/{HUNT}/pause", headers=ORG)
        api.client.post(f"/api/hunts/{HUNT}/resume", headers=ORG)
        announce(api, "end")
        events = reader.until(is_announcement("end"))
        states = [e["data"]["state"] for e in events if e.get("event") == "state"]
        assert states[:1] == ["paused"] and len(states) == 2


def test_a_team_sees_its_own_events_and_not_another_teams(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    with stream(api, team_a.headers) as reader_a, stream(api, ORG) as organizer:
        api.solve_lighthouse(team_b)
        api.answer(team_a, "lighthouse", "wrong")
        api.solve_lighthouse(team_a)
        api.hint(team_b, "lighthouse", "look-up")
        announce(api, "barrier")
        seen = reader_a.until(is_announcement("barrier"))
        everything = organizer.until(is_announcement("barrier"))
    for event in seen:  # the leaderboard is public; nothing else may be about team B
        if event.get("event") != "leaderboard":
            assert team_b.team_id not in repr(event), event
    own = [e for e in seen if e.get("event") not in ("leaderboard", "announcement")]
    assert [e["data"]["type"] for e in own] == ["incorrect", "solved", "clue_opened", "clue_opened"]
    assert all(e["data"].get("clue") == "lighthouse" for e in own[:2])
    # The solve opened the clues that required it, for team A only.
    assert [e["data"]["clue"] for e in own[2:]] == ["dock-9", "crate"]
    assert not any(e.get("event") == "activity" for e in seen)
    # The organizer follows every team's activity.
    activity = [e["data"] for e in everything if e.get("event") == "activity"]
    assert {(a["team_id"], a["type"]) for a in activity} >= {
        (team_b.team_id, "solved"),
        (team_a.team_id, "solved"),
        (team_b.team_id, "hint_unlocked"),
    }
    assert_no_secrets("\n".join(repr(e) for e in seen + everything))


def test_the_public_sees_no_team_events(api: Api, team_a: TeamAuth) -> None:
    with stream(api) as reader:
        api.solve_lighthouse(team_a)
        announce(api, "barrier")
        seen = reader.until(is_announcement("barrier"))
    assert {e.get("event") for e in seen} <= {"leaderboard", "announcement"}
    boards = [e for e in seen if e.get("event") == "leaderboard"]
    assert boards, "a solve changes the leaderboard"
    assert team_a.token not in repr(seen)


def test_the_public_gets_no_leaderboard_changes_during_the_freeze(
    api: Api, team_a: TeamAuth
) -> None:
    api.clock.set(FREEZES)
    with stream(api) as public, stream(api, ORG) as organizer:
        api.solve_lighthouse(team_a)
        announce(api, "barrier")
        public_seen = public.until(is_announcement("barrier"))
        organizer_seen = organizer.until(is_announcement("barrier"))
    assert not any(e.get("event") == "leaderboard" for e in public_seen)
    assert any(e.get("event") == "leaderboard" for e in organizer_seen)


def test_reconnecting_with_last_event_id_replays_missed_announcements(api: Api, hunt: str) -> None:
    with stream(api) as reader:
        announce(api, "first")
        last_id = reader.until(is_announcement("first"))[-1]["id"]
    announce(api, "second")
    announce(api, "third")
    with stream(api, **{"Last-Event-ID": last_id}) as reader:
        announce(api, "fourth")
        events = reader.until(is_announcement("fourth"))
    names = [(e.get("event"), e["data"].get("text")) for e in events]
    assert names[:3] == [
        ("announcement", "second"),
        ("announcement", "third"),
        ("resync", None),
    ]
    assert ("announcement", "first") not in names
    ids = [int(e["id"]) for e in events if e.get("event") == "announcement"]
    assert ids == sorted(ids) and ids[0] > int(last_id)


def test_a_team_replays_its_own_missed_events_only(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    with stream(api, team_a.headers) as reader:
        announce(api, "start")
        last_id = reader.until(is_announcement("start"))[-1]["id"]
    api.solve_lighthouse(team_b)
    api.solve_lighthouse(team_a)
    with stream(api, team_a.headers, **{"Last-Event-ID": last_id}) as reader:
        events = reader.until(lambda e: e.get("event") == "resync")
    teams = [e["data"] for e in events if e.get("event") == "team"]
    assert [t["type"] for t in teams] == ["solved"]
    assert team_b.team_id not in repr(events)


def test_a_bad_last_event_id_is_422(api: Api, hunt: str) -> None:
    response = api.client.get(f"/api/hunts/{HUNT}/stream", headers={"Last-Event-ID": "abc"})
    assert_error(response, 422)


def test_streams_of_unknown_hunts_are_404(api: Api, hunt: str) -> None:
    assert_error(api.client.get("/api/hunts/nope/stream"), 404)


@pytest.mark.parametrize(
    "last_id",
    [str(2**63).encode(), b"9" * 40, b"\xb2", b"-1", b"1.5"],
    ids=["2**63", "40-digits", "superscript-two", "negative", "fraction"],
)
def test_a_last_event_id_that_no_stream_sent_is_422(api: Api, hunt: str, last_id: bytes) -> None:
    # TestClient re-encodes header values as UTF-8; httpx's ASGI transport sends the bytes
    # as a server would (latin-1), so b"\xb2" reaches the app as "²".
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=api.node.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(
                f"/api/hunts/{HUNT}/stream", headers=[(b"Last-Event-ID", last_id)]
            )

    assert_error(anyio.run(get), 422)
