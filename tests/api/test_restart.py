"""A node closed and rebuilt on the same SQLite file keeps everything: the
board, team progress, team tokens, organizer tokens made by the CLI, photos,
and the first responses of keyed requests."""

from pathlib import Path
from typing import Any

import httpx
from starlette.testclient import TestClient
from typer.testing import CliRunner

from questline.adapters.clocks import ManualClock
from questline.cli.app import app as cli
from questline.http.embedded import build_embedded_node
from tests.api.conftest import DOCK, HUNT, PNG, Api, TeamAuth, assert_error
from tests.hunt_builders import BEFORE_START, MINUTE, STARTS, spec_document


def _cli_organizer_token(db: Path) -> str:
    result = CliRunner().invoke(cli, ["token", "create", "--db", str(db), "--role", "organizer"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1].strip()
    assert token
    return token


def _snapshot(api: Api, org: dict[str, str], teams: list[TeamAuth]) -> dict[str, Any]:
    get = api.client.get
    return {
        "board": get(f"/api/hunts/{HUNT}/leaderboard").json(),
        "live": get(f"/api/hunts/{HUNT}/leaderboard", headers=org).json(),
        "hunt": get(f"/api/hunts/{HUNT}").json(),
        "events": api.events(),
        "reviews": get(f"/api/hunts/{HUNT}/reviews", headers=org).json(),
        "progress": [api.progress(t) for t in teams],
        "clues": [get(f"/api/hunts/{HUNT}", headers=t.headers).json() for t in teams],
    }


def test_a_restart_keeps_everything(tmp_path: Path) -> None:
    db = tmp_path / "questline.db"
    org_token = _cli_organizer_token(db)
    org = {"Authorization": f"Bearer {org_token}"}
    clock = ManualClock(BEFORE_START)

    # -- first life ----------------------------------------------------------------
    node = build_embedded_node(db, clock=clock, organizer_token="")
    keyed: dict[str, httpx.Response] = {}
    try:
        with TestClient(node.app) as client:
            api = Api(client, clock, node, org)
            response = client.post("/api/hunts", json=spec_document(), headers=org)
            assert response.status_code == 201, response.text
            clock.set(STARTS)
            a, b = api.register(HUNT, "Otters"), api.register(HUNT, "Badgers")
            keyed["solve"] = api.submit(a, {"clue": "lighthouse", "answer": "keeper"}, key="s")
            api.solve_lighthouse(b)
            keyed["dock"] = api.submit(
                a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}, key="d"
            )
            keyed["hint"] = api.hint(b, "lighthouse", "look-up", key="h")
            keyed["photo"] = api.photo(b, key="p")
            keyed["adjust"] = client.post(
                f"/api/hunts/{HUNT}/adjustments",
                json={"team_id": b.team_id, "points": -5, "reason": "littering"},
                headers={**org, "Idempotency-Key": "adj"},
            )
            assert keyed["adjust"].status_code == 201
            clock.advance(MINUTE)
            before = _snapshot(api, org, [a, b])
    finally:
        node.store.close()

    # -- second life ---------------------------------------------------------------
    node = build_embedded_node(db, clock=clock, organizer_token="")
    try:
        with TestClient(node.app) as client:
            api = Api(client, clock, node, org)
            after = _snapshot(api, org, [a, b])
            assert after == before
            # Keyed retries get the first responses, byte for byte, and change nothing.
            retries = {
                "solve": api.submit(a, {"clue": "lighthouse", "answer": "keeper"}, key="s"),
                "dock": api.submit(a, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]}, key="d"),
                "hint": api.hint(b, "lighthouse", "look-up", key="h"),
                "photo": api.photo(b, key="p"),
                "adjust": client.post(
                    f"/api/hunts/{HUNT}/adjustments",
                    json={"team_id": b.team_id, "points": -5, "reason": "littering"},
                    headers={**org, "Idempotency-Key": "adj"},
                ),
            }
            for name, response in retries.items():
                assert response.status_code == keyed[name].status_code, name
                assert response.content == keyed[name].content, name
            assert api.events() == before["events"]
            # A reused key with another request is still recognised.
            assert_error(api.submit(a, {"clue": "lighthouse", "answer": "other"}, key="s"), 422)
            # The stored photo is still served.
            review = before["reviews"][0]
            assert client.get(review["photo_url"], headers=org).content == PNG
            # The tokens still work, and the game goes on.
            assert api.submit(a, {"clue": "crate", "code": "QL-7F3K-22"}).json()["result"] == (
                "correct"
            )
            assert_error(client.get(f"/api/hunts/{HUNT}/events", headers=a.headers), 403)
            assert_error(
                client.get(
                    f"/api/hunts/{HUNT}/events",
                    headers={"Authorization": "Bearer qlo_not-the-cli-token"},
                ),
                401,
            )
    finally:
        node.store.close()


def test_organizers_share_one_key_scope(tmp_path: Path) -> None:
    """The start-up organizer token and a CLI-made one are both organizers of the hunt."""
    db = tmp_path / "questline.db"
    cli_token = _cli_organizer_token(db)
    clock = ManualClock(BEFORE_START)
    node = build_embedded_node(db, clock=clock, organizer_token="qlo_startup-organizer-token")
    try:
        with TestClient(node.app) as client:
            api = Api(client, clock, node, {"Authorization": "Bearer qlo_startup-organizer-token"})
            startup = {"Authorization": "Bearer qlo_startup-organizer-token"}
            made = {"Authorization": f"Bearer {cli_token}"}
            assert client.post("/api/hunts", json=spec_document(), headers=startup).status_code == (
                201
            )
            clock.set(STARTS)
            team = api.register(HUNT, "Otters")
            body = {"team_id": team.team_id, "points": 10, "reason": "cheerful"}
            url = f"/api/hunts/{HUNT}/adjustments"
            first = client.post(url, json=body, headers={**startup, "Idempotency-Key": "k"})
            again = client.post(url, json=body, headers={**made, "Idempotency-Key": "k"})
            assert first.status_code == again.status_code == 201
            assert first.content == again.content
            assert api.event_types().count("score_adjusted") == 1
    finally:
        node.store.close()
