"""hunt-day.md over HTTP: hunts listed, the definition and its revisions (If-Match,
dry runs, rejudging, problems with their lines), divisions, parts, client_time, new
tokens, announcements, messages, and the standings fed out as CSV and to CTFtime."""

import copy
import csv
import io
from typing import Any

import yaml

from questline.domain.timestamps import to_rfc3339
from tests.api.conftest import HUNT, ORG, Api, TeamAuth, assert_error, assert_no_secrets
from tests.hunt_builders import ENDS, MINUTE, SECOND, STARTS, spec_document

YAML = {**ORG, "Content-Type": "application/yaml"}


def definition(api: Api, hunt_id: str = HUNT, **headers: str) -> Any:
    response = api.client.get(f"/api/hunts/{hunt_id}/definition", headers={**ORG, **headers})
    assert response.status_code == 200, response.text
    return response


def revise(
    api: Api, document: dict[str, Any], params: dict[str, str] | None = None, **headers: str
) -> Any:
    return api.client.put(
        f"/api/hunts/{HUNT}", json=document, params=params, headers={**ORG, **headers}
    )


def revised_answers(*accept: str) -> dict[str, Any]:
    document = spec_document()
    document["clues"][0]["answer"]["accept"] = list(accept)
    return document


# -- hunts -----------------------------------------------------------------------------


def test_the_public_lists_listed_hunts_and_organizers_all(api: Api, hunt: str) -> None:
    listed = spec_document()
    listed["hunt"].update(id="open-night", title="Open Night", listed=True)
    api.create_hunt_ok(listed)
    api.register("open-night", "Otters")
    public = api.client.get("/api/hunts").json()
    assert public == [
        {
            "id": "open-night",
            "title": "Open Night",
            "starts_at": "2026-12-01T18:00:00Z",
            "ends_at": "2026-12-01T22:00:00Z",
            "state": "live",
            "teams": 1,
        }
    ]
    everything = api.client.get("/api/hunts", headers=ORG).json()
    assert sorted(h["id"] for h in everything) == [HUNT, "open-night"]


# -- the definition and its revisions ----------------------------------------------------


def test_the_definition_is_the_organizers_document_with_its_revision(api: Api, hunt: str) -> None:
    body = definition(api).json()
    assert body["revision"] == 1
    assert body["clues"][0]["answer"]["accept"] == ["Lighthouse Keeper", "keeper"]
    as_yaml = definition(api, accept="application/yaml")
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(as_yaml.text) == body
    assert_error(api.client.get(f"/api/hunts/{HUNT}/definition"), 401)


def test_a_revision_answers_with_its_changes_and_the_board_moves(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.answer(team_a, "lighthouse", "keeper")
    document = spec_document()
    document["clues"][0]["points"] = 300
    response = revise(api, document)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revision"] == 2 and body["rejudged"] == []
    assert any("lighthouse" in change for change in body["changes"])
    assert body["board"] == [
        {
            "team_id": team_a.team_id,
            "name": "Otters",
            "rank_before": 1,
            "rank_after": 1,
            "score_before": 150,
            "score_after": 350,
        }
    ]
    assert api.progress(team_a)["score"] == 350
    assert definition(api).json()["revision"] == 2
    revisions = api.client.get(f"/api/hunts/{HUNT}/revisions", headers=ORG).json()
    assert [r["revision"] for r in revisions] == [2]
    assert revisions[0]["changes"] == body["changes"]
    assert api.event_types()[-1] == "hunt_revised"


def test_a_dry_run_answers_as_the_revision_would_and_writes_nothing(
    api: Api, team_a: TeamAuth
) -> None:
    api.answer(team_a, "lighthouse", "harbour master")
    before = api.events()
    document = revised_answers("Lighthouse Keeper", "keeper", "harbour master")
    dry = revise(api, document, {"dry_run": "true", "rejudge": "true"})
    assert dry.status_code == 200, dry.text
    assert api.events() == before
    assert api.progress(team_a)["score"] == 0
    real = revise(api, document, {"rejudge": "true"})
    assert real.json() == dry.json()
    assert real.json()["rejudged"] == [
        {"team_id": team_a.team_id, "clue": "lighthouse", "version": before[-1]["version"]}
    ]
    assert api.progress(team_a)["score"] == 150


def test_if_match_a_stale_revision_is_412(api: Api, hunt: str) -> None:
    assert revise(api, spec_document(), **{"if-match": '"1"'}).status_code == 200
    stale = revise(api, spec_document(), **{"if-match": '"1"'})
    error = assert_error(stale, 412, "revision_mismatch")
    assert error["details"] == {"revision": 2, "expected_revision": 1}
    assert revise(api, spec_document(), **{"if-match": "2"}).status_code == 200
    assert_error(revise(api, spec_document(), **{"if-match": "two"}), 422)


def test_a_revision_that_breaks_the_rules_is_422_listing_each_problem_with_its_line(
    api: Api, team_a: TeamAuth
) -> None:
    api.hint(team_a, "lighthouse", "look-up")
    document = spec_document()
    document["hunt"]["id"] = "renamed"
    document["clues"][0]["hints"] = []  # a team unlocked the one it had
    text = yaml.safe_dump(document, sort_keys=False)
    response = api.client.put(f"/api/hunts/{HUNT}", content=text, headers=YAML)
    problems = assert_error(response, 422, "invalid_input")["details"]["problems"]
    assert {p["path"] for p in problems} == {"hunt.id", "clues[0].hints"}
    lines = text.splitlines()
    for p in problems:
        assert p["line"] is not None
        key = p["path"].split(".")[-1]
        assert key in lines[p["line"] - 1], (p, lines[p["line"] - 1])
    invalid = spec_document()
    invalid["clues"][0]["points"] = -5
    bad = api.client.put(f"/api/hunts/{HUNT}", json=invalid, headers=ORG)
    assert [p["path"] for p in assert_error(bad, 422)["details"]["problems"]] == ["clues[0].points"]
    assert definition(api).json()["revision"] == 1
    assert_error(api.client.put("/api/hunts/nope", json=spec_document(), headers=ORG), 404)


# -- registration, parts, client_time ----------------------------------------------------


def divided() -> dict[str, Any]:
    document = spec_document()
    document["hunt"]["divisions"] = [
        {"id": "open", "title": "Open"},
        {"id": "junior", "title": "Junior"},
    ]
    return document


def test_a_hunt_with_divisions_needs_a_known_one_and_ranks_each_alone(api: Api) -> None:
    api.create_hunt_ok(divided())
    api.clock.set(STARTS)
    teams = f"/api/hunts/{HUNT}/teams"
    for body in ({"name": "Nobody"}, {"name": "Nobody", "division": "senior"}):
        error = assert_error(api.post(teams, json=body), 422, "invalid_input")
        assert error["details"] == {"field": "division", "divisions": ["open", "junior"]}
    tokens = {}
    for name, division in (("Otters", "open"), ("Badgers", "junior"), ("Voles", "junior")):
        response = api.post(teams, json={"name": name, "division": division})
        assert response.status_code == 201, response.text
        tokens[name] = TeamAuth(HUNT, response.json()["team_id"], response.json()["token"], name)
    api.solve_lighthouse(tokens["Voles"])
    junior = api.board(division="junior")
    assert junior["total"] == 2
    assert [(t["rank"], t["name"], t["division"]) for t in junior["teams"]] == [
        (1, "Voles", "junior"),
        (2, "Badgers", "junior"),
    ]
    assert [t["name"] for t in api.board()["teams"]] == ["Voles", "Otters", "Badgers"]
    assert api.progress(tokens["Otters"])["division"] == "open"
    assert_error(api.client.get(f"/api/hunts/{HUNT}/leaderboard?division=senior"), 422)


def parts_hunt() -> dict[str, Any]:
    document = spec_document()
    document["clues"].append(
        {
            "id": "riddle",
            "title": "Two halves",
            "answer": {
                "kind": "parts",
                "parts": [
                    {"id": "one", "title": "First", "points": 30, "accept": ["first"]},
                    {"id": "two", "points": 20, "accept": ["second"]},
                ],
            },
        }
    )
    return document


def test_a_clue_in_parts_is_answered_part_by_part(api: Api) -> None:
    api.create_hunt_ok(parts_hunt())
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    first = api.submit(team, {"clue": "riddle", "part": "one", "answer": "First"})
    assert first.json() == {"result": "correct", "points": 30, "bonus": 0, "score": 30}
    again = api.submit(team, {"clue": "riddle", "part": "one", "answer": "first"})
    assert again.json()["result"] == "already_solved"
    view = api.clues(team)["riddle"]
    assert view["parts"][0] == {"id": "one", "title": "First", "points": 30, "solved": True}
    assert (view["parts"][1]["id"], view["parts"][1]["solved"]) == ("two", False)
    assert view["points"] == 50
    last = api.submit(team, {"clue": "riddle", "part": "two", "answer": "second"})
    assert last.json() == {"result": "correct", "points": 20, "bonus": 50, "score": 100}
    assert api.progress(team)["parts"] == {"riddle": ["one", "two"]}
    assert_error(api.submit(team, {"clue": "riddle", "part": "three", "answer": "x"}), 404)
    assert_error(
        api.submit(team, {"clue": "riddle", "part": "one", "answer": "x", "code": "y"}), 422
    )


def test_client_time_is_kept_in_the_event_and_never_judged_by(api: Api, team_a: TeamAuth) -> None:
    made = to_rfc3339(STARTS - 5 * MINUTE)  # queued offline before the start
    response = api.submit(team_a, {"clue": "lighthouse", "answer": "keeper", "client_time": made})
    assert response.json()["result"] == "correct"
    solved = api.events()[-1]
    assert solved["type"] == "clue_solved"
    assert solved["payload"]["client_time"] == STARTS - 5 * MINUTE
    for bad in ("yesterday", "2026-12-01T18:00:00", "1999-01-01T00:00:00Z", "2101-01-01T00:00:00Z"):
        body = {"clue": "crate", "code": "QL-7F3K-22", "client_time": bad}
        assert assert_error(api.submit(team_a, body), 422)["details"] == {"field": "client_time"}
    photo = api.post(
        f"/api/hunts/{HUNT}/submissions",
        data={"clue": "selfie", "client_time": "not a time"},
        files={"photo": ("p.png", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")},
        headers=team_a.headers,
    )
    assert_error(photo, 422)


def test_a_clue_not_open_yet_is_refused_with_its_opening_time(api: Api) -> None:
    document = spec_document()
    document["clues"][3]["opens_after"] = "1h30m"
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    team = api.register(HUNT, "Otters")
    locked = {
        c["id"]: c
        for c in api.client.get(f"/api/hunts/{HUNT}", headers=team.headers).json()["locked"]
    }
    assert locked["selfie"]["opens_at"] == "2026-12-01T19:30:00Z"
    refused = assert_error(api.photo(team), 409, "clue_not_open")
    assert "2026-12-01T19:30:00Z" in refused["message"]
    api.clock.set(STARTS + 90 * MINUTE)
    assert api.photo(team).json()["result"] == "pending_review"


# -- teams are never lost ----------------------------------------------------------------


def test_a_new_token_works_and_revoke_others_cuts_the_old_ones_off_at_once(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    tokens = f"/api/hunts/{HUNT}/teams/{team_a.team_id}/tokens"
    kept = api.post(tokens, headers=team_a.headers)
    assert kept.status_code == 201 and set(kept.json()) == {"token"}
    second = {"Authorization": f"Bearer {kept.json()['token']}"}
    assert api.progress(team_a, second)["team_id"] == team_a.team_id
    assert_error(api.post(tokens, json={}, headers=team_b.headers), 403)
    assert_error(api.post(tokens, json={}), 401)
    cut = api.post(tokens, json={"revoke_others": True}, headers=ORG)
    assert cut.status_code == 201
    for old in (team_a.headers, second):
        assert_error(api.client.get(f"/api/hunts/{HUNT}", headers=old), 401)
    fresh = {"Authorization": f"Bearer {cut.json()['token']}"}
    assert api.progress(team_a, fresh)["team_id"] == team_a.team_id
    assert_error(api.post(f"/api/hunts/{HUNT}/teams/t-99/tokens", headers=ORG), 404)
    assert_error(api.post(tokens, json={"revoke_others": "yes"}, headers=ORG), 422)


# -- every message reaches the team ------------------------------------------------------


def test_announcements_are_listed_newest_first_for_anyone(api: Api, hunt: str) -> None:
    for text in ("Welcome", "Ten minutes left"):
        api.clock.advance(SECOND)
        assert (
            api.post(
                f"/api/hunts/{HUNT}/announcements", json={"text": text}, headers=ORG
            ).status_code
            == 201
        )
    listed = api.client.get(f"/api/hunts/{HUNT}/announcements").json()
    assert [a["text"] for a in listed] == ["Ten minutes left", "Welcome"]
    assert listed[0]["id"] > listed[1]["id"]
    assert listed[0]["time"] == to_rfc3339(STARTS + 2 * SECOND)


def test_a_message_to_a_team_is_kept_in_its_progress(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    url = f"/api/hunts/{HUNT}/teams/{team_a.team_id}/messages"
    response = api.post(url, json={"text": "Come to the desk"}, headers=ORG)
    assert response.status_code == 201, response.text
    assert api.progress(team_a)["messages"] == [
        {"text": "Come to the desk", "time": to_rfc3339(STARTS)}
    ]
    assert api.progress(team_b)["messages"] == []
    assert_error(api.post(url, json={"text": "x"}, headers=team_a.headers), 403)
    assert_error(api.post(url, json={"text": "  "}, headers=ORG), 422)
    assert_error(
        api.post(f"/api/hunts/{HUNT}/teams/t-99/messages", json={"text": "x"}, headers=ORG), 404
    )


def test_progress_lists_reviews_and_adjustments_with_reasons(api: Api, team_a: TeamAuth) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    api.post(
        f"/api/hunts/{HUNT}/reviews/{review_id}",
        json={"approve": False, "reason": "blurry"},
        headers=ORG,
    )
    api.adjust(team_a, 5, "helped a team")
    progress = api.progress(team_a)
    assert progress["reviews"] == [
        {"clue": "selfie", "approved": False, "reason": "blurry", "time": to_rfc3339(STARTS)}
    ]
    assert progress["adjustments"] == [
        {"points": 5, "reason": "helped a team", "time": to_rfc3339(STARTS)}
    ]
    assert progress["penalties"] == 0


# -- standings out -------------------------------------------------------------------------


def test_the_csv_is_rfc_4180_with_the_boards_visibility(api: Api, hunt: str) -> None:
    tricky = api.register(HUNT, 'Otters, "the" Best')
    plain = api.register(HUNT, "Badgers")
    api.solve_lighthouse(tricky)
    response = api.client.get(f"/api/hunts/{HUNT}/leaderboard.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.text == (
        "rank,team_id,name,division,score,solved,finished_at\r\n"
        f'1,{tricky.team_id},"Otters, ""the"" Best",,150,1,\r\n'
        f"2,{plain.team_id},Badgers,,0,0,\r\n"
    )
    assert list(csv.reader(io.StringIO(response.text)))[1][2] == 'Otters, "the" Best'
    # During the freeze the public file is the frozen board; the organizer's is live.
    api.clock.set(ENDS - 20 * MINUTE)
    api.solve_lighthouse(plain)
    public = api.client.get(f"/api/hunts/{HUNT}/leaderboard.csv").text.splitlines()
    live = api.client.get(f"/api/hunts/{HUNT}/leaderboard.csv", headers=ORG).text.splitlines()
    assert public[2].endswith(",0,0,") and live[2].split(",")[-3:] == ["125", "1", ""]


def test_the_ctftime_feed_is_the_visible_standings(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_b)
    feed = api.client.get(f"/api/hunts/{HUNT}/ctftime.json").json()
    assert feed == {
        "standings": [
            {"pos": 1, "team": "Badgers", "score": 150},
            {"pos": 2, "team": "Otters", "score": 0},
        ]
    }
    assert_no_secrets(repr(feed))


def test_the_finish_time_is_on_the_board(api: Api) -> None:
    document = copy.deepcopy(spec_document())
    document["hunt"]["finish"] = "lighthouse"
    document["hunt"]["ranking"] = "finish"
    api.create_hunt_ok(document)
    api.clock.set(STARTS)
    slow, fast = api.register(HUNT, "Slow"), api.register(HUNT, "Fast")
    api.adjust(slow, 500, "many points")
    api.clock.advance(MINUTE)
    api.solve_lighthouse(fast)
    teams = api.board()["teams"]
    assert [(t["name"], t["finished_at"]) for t in teams] == [
        ("Fast", to_rfc3339(STARTS + MINUTE)),
        ("Slow", None),
    ]
