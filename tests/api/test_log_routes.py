"""log-features.md over HTTP: the hash chain recomputed from GET .../events with only
hashlib and json, the board at a past version or time (and what a freeze hides),
history, receipts that add up, the certificate (409 before the end) and
`questline certificate check`, and fair-play flags from photos' dHashes."""

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from typer.testing import CliRunner

from questline.cli.app import app as cli
from tests.api.conftest import HUNT, ORG, PNG, Api, TeamAuth, assert_error
from tests.hunt_builders import ENDS, FREEZES, MINUTE

# -- the hash chain --------------------------------------------------------------------


def test_the_chain_is_recomputed_from_the_served_events_with_hashlib_and_json(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_a)
    api.submit(team_a, {"clue": "dock-9", "lat": 59.91391, "lon": 10.752205})  # floats
    api.adjust(team_b, -3, "Ünïcode réason ✓")
    events = api.events()
    assert {e["type"] for e in events} >= {"hunt_created", "clue_solved", "score_adjusted"}
    previous = bytes(32)
    for event in events:
        canonical = {k: event[k] for k in ("version", "type", "time", "payload")}
        canonical["hunt"] = HUNT
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(previous + text.encode("utf-8")).hexdigest()
        assert event["hash"] == digest, event["version"]
        previous = bytes.fromhex(digest)
    assert all("token_hash" not in e["payload"] for e in events)


# -- time travel ---------------------------------------------------------------------------


def played(api: Api, team_a: TeamAuth, team_b: TeamAuth) -> list[dict[str, Any]]:
    api.solve_lighthouse(team_a)  # 150
    api.clock.advance(MINUTE)
    api.solve_lighthouse(team_b)  # 125
    api.clock.advance(MINUTE)
    api.adjust(team_b, 100, "found the lost map")
    return api.events()


def test_the_board_at_a_past_version_is_the_board_then(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    events = played(api, team_a, team_b)
    first_solve = next(e for e in events if e["type"] == "clue_solved")
    board = api.board(version=first_solve["version"])
    assert board["as_of"] == {"version": first_solve["version"], "time": first_solve["time"]}
    assert board["frozen"] is False and board["total"] == 2
    assert [(t["name"], t["score"]) for t in board["teams"]] == [("Otters", 150), ("Badgers", 0)]
    now = api.board(version=events[-1]["version"])
    assert [(t["name"], t["score"]) for t in now["teams"]] == [("Badgers", 225), ("Otters", 150)]
    by_time = api.board(time=first_solve["time"])
    assert by_time["as_of"]["version"] == first_solve["version"]
    assert by_time["teams"] == board["teams"]
    url = f"/api/hunts/{HUNT}/leaderboard"
    assert_error(api.client.get(url, params={"version": events[-1]["version"] + 1}), 422)
    assert_error(api.client.get(url, params={"time": "2020-01-01T00:00:00Z"}), 422)
    assert_error(api.client.get(url, params={"time": "soon"}), 422)
    assert_error(api.client.get(url, params={"version": 1, "time": first_solve["time"]}), 422)


def test_past_the_freeze_the_public_and_teams_get_the_frozen_board(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    played(api, team_a, team_b)
    api.clock.set(FREEZES + MINUTE)
    api.adjust(team_a, 500, "after the freeze")
    head = api.events()[-1]["version"]
    for headers in (None, team_a.headers):
        board = api.board(headers, version=head)
        assert board["frozen"] is True and board["as_of"]["version"] == head - 1
        assert [t["score"] for t in board["teams"]] == [225, 150]
    organizer = api.board(ORG, version=head)
    assert organizer["frozen"] is False
    assert [t["score"] for t in organizer["teams"]] == [650, 225]
    api.clock.set(ENDS)  # the final standings are everybody's
    assert api.board(version=head)["teams"][0]["score"] == 650


def test_history_has_a_point_per_change_for_the_visible_top(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    played(api, team_a, team_b)
    api.register(HUNT, "Voles")
    url = f"/api/hunts/{HUNT}/history"
    teams = api.client.get(url).json()["teams"]
    assert [t["name"] for t in teams] == ["Badgers", "Otters", "Voles"]
    assert [score for _, score in teams[0]["points"]] == [0, 125, 225]
    assert [score for _, score in teams[1]["points"]] == [0, 150]
    assert len(api.client.get(url, params={"top": 1}).json()["teams"]) == 1
    for top in (0, 51, "ten"):
        assert_error(api.client.get(url, params={"top": top}), 422)
    api.clock.set(FREEZES + MINUTE)
    api.adjust(team_a, 500, "after the freeze")
    public = api.client.get(url).json()["teams"]
    assert [t["name"] for t in public][:2] == ["Badgers", "Otters"]
    assert public[1]["points"][-1][1] == 150  # the freeze hides the 650
    organizer = api.client.get(url, headers=ORG).json()["teams"]
    assert organizer[0]["name"] == "Otters" and organizer[0]["points"][-1][1] == 650


# -- receipts --------------------------------------------------------------------------------


def test_a_receipt_adds_up_to_the_score_and_is_the_teams_own(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.hint(team_a, "lighthouse", "look-up")
    api.solve_lighthouse(team_a)
    api.submit(team_a, {"clue": "dock-9", "lat": 59.9139, "lon": 10.7522})
    api.solve_lighthouse(team_b)
    api.submit(team_b, {"clue": "dock-9", "lat": 59.9139, "lon": 10.7522})  # revalues A's
    api.adjust(team_a, -7, "littering")
    api.clock.set(FREEZES + MINUTE)
    api.adjust(team_a, 3, "during the freeze")
    url = f"/api/hunts/{HUNT}/teams/{team_a.team_id}/receipt"
    receipt = api.client.get(url, headers=team_a.headers).json()
    assert sum(line["points"] for line in receipt["lines"]) == receipt["score"]
    assert receipt["score"] == api.progress(team_a)["score"]  # live, freeze or not
    whats = [line["what"] for line in receipt["lines"]]
    assert {"hint", "solve", "bonus", "revaluation", "adjustment"} <= set(whats)
    events = api.events()
    assert receipt["log_head"] == {"version": events[-1]["version"], "hash": events[-1]["hash"]}
    assert api.client.get(url, headers=ORG).json() == receipt
    assert_error(api.client.get(url, headers=team_b.headers), 403)
    assert_error(api.client.get(url), 401)
    assert_error(api.client.get(f"/api/hunts/{HUNT}/teams/t-99/receipt", headers=ORG), 404)


# -- the certificate -------------------------------------------------------------------------


def test_the_certificate_is_409_before_the_end_and_checks_against_the_log(
    api: Api, team_a: TeamAuth, team_b: TeamAuth, tmp_path: Path, log_source: list[str]
) -> None:
    played(api, team_a, team_b)
    url = f"/api/hunts/{HUNT}/certificate"
    refused = assert_error(api.client.get(url), 409, "hunt_not_ended")
    assert "2026-12-01T22:00:00Z" in refused["message"]
    api.clock.set(ENDS)
    certificate = api.client.get(url).json()
    events = api.events()
    assert certificate == {
        "hunt": HUNT,
        "final": [
            {"rank": 1, "team_id": team_b.team_id, "name": "Badgers", "score": 225},
            {"rank": 2, "team_id": team_a.team_id, "name": "Otters", "score": 150},
        ],
        "version": events[-1]["version"],
        "hash": events[-1]["hash"],
    }
    good = tmp_path / "certificate.json"
    good.write_text(json.dumps(certificate))
    runner = CliRunner()
    held = runner.invoke(cli, ["certificate", "check", str(good), *log_source])
    assert held.exit_code == 0, held.output
    assert "holds" in held.output
    forged = dict(
        certificate, final=[dict(certificate["final"][0], score=999), certificate["final"][1]]
    )
    tampered = tmp_path / "forged.json"
    tampered.write_text(json.dumps(forged))
    refused_run = runner.invoke(cli, ["certificate", "check", str(tampered), *log_source])
    assert refused_run.exit_code == 1
    assert "999" in refused_run.output and "final standings differ" in refused_run.output
    wrong_hash = tmp_path / "hash.json"
    wrong_hash.write_text(json.dumps(dict(certificate, hash="0" * 64)))
    run = runner.invoke(cli, ["certificate", "check", str(wrong_hash), *log_source])
    assert run.exit_code == 1 and "hash" in run.output
    not_one = tmp_path / "nonsense.json"
    not_one.write_text("{}")
    assert runner.invoke(cli, ["certificate", "check", str(not_one), *log_source]).exit_code == 1


# -- fair play ----------------------------------------------------------------------------------


def _image(shade: int, fmt: str) -> bytes:
    image = Image.new("RGB", (320, 240), (shade, shade, shade))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 200, 160), fill=(250, 30, 30))
    draw.ellipse((180, 60, 300, 220), fill=(20, 20, 200))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def test_near_duplicate_photos_of_two_teams_are_flagged_by_their_dhash(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    assert api.photo(team_a, data=_image(128, "PNG")).status_code == 200
    assert api.photo(team_b, data=_image(130, "JPEG")).status_code == 200  # re-encoded copy
    submitted = [e for e in api.events() if e["type"] == "photo_submitted"]
    hashes = [int(e["payload"]["dhash"], 16) for e in submitted]
    assert bin(hashes[0] ^ hashes[1]).count("1") <= 6
    assert submitted[0]["payload"]["digest"] != submitted[1]["payload"]["digest"]
    url = f"/api/hunts/{HUNT}/fairplay"
    flags = api.client.get(url, headers=ORG).json()["flags"]
    assert [(f["kind"], sorted(f["teams"]), f["clue"]) for f in flags] == [
        ("duplicate_photo", sorted([team_a.team_id, team_b.team_id]), "selfie")
    ]
    assert flags[0]["versions"] == [e["version"] for e in submitted]
    assert_error(api.client.get(url, headers=team_a.headers), 403)
    assert_error(api.client.get(url), 401)


@pytest.mark.parametrize("data", [PNG, b"\xff\xd8\xff\xe0" + bytes(200)])
def test_a_photo_that_cannot_be_decoded_is_kept_without_a_dhash(
    api: Api, team_a: TeamAuth, data: bytes
) -> None:
    assert api.photo(team_a, data=data).json()["result"] == "pending_review"
    payload = api.events()[-1]["payload"]
    assert "dhash" not in payload and payload["digest"] == hashlib.sha256(data).hexdigest()


def test_the_log_routes_are_in_the_openapi_document(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/hunts/{hunt}/history",
        "/api/hunts/{hunt}/teams/{team}/receipt",
        "/api/hunts/{hunt}/certificate",
        "/api/hunts/{hunt}/fairplay",
        "/api/hunts/{hunt}/leaderboard.csv",
        "/api/hunts/{hunt}/ctftime.json",
        "/api/hunts/{hunt}/definition",
        "/api/hunts/{hunt}/revisions",
        "/api/hunts/{hunt}/teams/{team}/tokens",
        "/api/hunts/{hunt}/teams/{team}/messages",
    ):
        assert path in paths, path
    assert set(paths["/api/hunts/{hunt}"]) == {"get", "put"}
    assert set(paths["/api/hunts"]) == {"get", "post"}
