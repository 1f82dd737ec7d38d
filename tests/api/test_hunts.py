"""POST /api/hunts and GET /api/hunts/{hunt}: creating hunts and reading them."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

import pytest

from tests.api.conftest import (
    HUNT,
    ORG,
    Api,
    TeamAuth,
    assert_error,
    assert_no_secrets,
    dock_value,
)
from tests.hunt_builders import ENDS, FREEZES, MINUTE, STARTS, spec_document

# The example of hunt-format.md, verbatim.
SPEC_YAML = """\
hunt:
  id: harbour-night            # [a-z0-9-]{1,64}, unique
  title: Harbour Night Hunt
  starts_at: 2026-12-01T18:00:00Z
  ends_at: 2026-12-01T22:00:00Z
  freeze_at: 2026-12-01T21:30:00Z    # optional
  team_size: {max: 4}                # optional
  scoring:
    first_solve_bonus: [50, 25, 10]  # optional: bonus for 1st, 2nd, 3rd team to solve a clue
  attempts:
    wrong_per_minute: 10             # optional, default 10: per team per clue

clues:
  - id: lighthouse
    title: The Lighthouse
    text: Where the keeper never sleeps.
    points: 100
    answer:
      kind: text
      accept: ["Lighthouse Keeper", "keeper"]
      keep_going: ["light"]          # partial answers: "keep going", not wrong
    hints:
      - {id: look-up, text: Look up., cost: 20}

  - id: dock-9
    title: Dock 9
    points: {dynamic: {initial: 500, minimum: 100, decay: 20, function: logarithmic}}
    requires: [lighthouse]
    answer: {kind: geo, lat: 59.9139, lon: 10.7522, radius_m: 30}

  - id: crate
    points: 200
    requires: {any: 1, of: [lighthouse, dock-9]}
    answer: {kind: code, codes: ["QL-7F3K-22"]}

  - id: selfie
    points: 150
    max_attempts: 3
    answer: {kind: photo}            # judged by organizers
"""

# Every line below but the structural ones carries one problem; the number is its line.
BROKEN_YAML = """\
hunt:
  id: Harbour_Night
  title: Broken Hunt
  starts_at: 2026-12-01T18:00:00Z
  ends_at: 2026-12-01T17:00:00Z
clues:
  - id: lighthouse
    points: -5
    answer: {kind: text, accept: ["Lighthouse Keeper"]}
  - id: dock-9
    points: {dynamic: {initial: 100, minimum: 500, decay: 0, function: logarithmic}}
    requires: [dock-9]
    answer: {kind: geo, lat: 91, lon: 10.75, radius_m: 30}
  - id: crate
    points: 200
    requires: {any: 3, of: [lighthouse, dock-9]}
    answer: {kind: riddle}
"""
# line -> a word the problem's path must name
BROKEN_LINES = {
    2: "id",
    5: "ends_at",
    8: "points",
    11: "points",
    12: "requires",
    13: "lat",
    16: "any",
    17: "kind",
}

SUMMARY_KEYS = {"id", "title", "starts_at", "ends_at", "freeze_at", "state"}


def _summary(document: dict[str, Any], state: str) -> dict[str, Any]:
    hunt = document["hunt"]
    return {
        "id": hunt["id"],
        "title": hunt["title"],
        "starts_at": hunt["starts_at"],
        "ends_at": hunt["ends_at"],
        "freeze_at": hunt.get("freeze_at"),
        "state": state,
    }


# -- POST /api/hunts ------------------------------------------------------------------


def test_creating_a_hunt_from_json_answers_201_with_the_hunt(api: Api) -> None:
    response = api.create_hunt(spec_document())
    assert response.status_code == 201
    assert response.json() == _summary(spec_document(), "scheduled")
    assert_no_secrets(response.text)


def test_creating_a_hunt_from_yaml_answers_201_with_the_hunt(api: Api) -> None:
    response = api.client.post(
        "/api/hunts",
        content=SPEC_YAML.encode(),
        headers={**ORG, "Content-Type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json() == _summary(spec_document(), "scheduled")
    get = api.client.get(f"/api/hunts/{HUNT}")
    assert get.json() == _summary(spec_document(), "scheduled")


def test_a_hunt_without_freeze_at_has_freeze_at_null(api: Api) -> None:
    document = spec_document()
    del document["hunt"]["freeze_at"]
    response = api.create_hunt(document)
    assert response.status_code == 201
    assert response.json()["freeze_at"] is None


@pytest.mark.parametrize("content_type", ["application/json", "application/yaml"])
def test_creating_a_hunt_whose_id_exists_is_409(api: Api, content_type: str) -> None:
    api.create_hunt_ok(spec_document())
    body = SPEC_YAML.encode() if content_type == "application/yaml" else None
    response = (
        api.client.post("/api/hunts", content=body, headers={**ORG, "Content-Type": content_type})
        if body is not None
        else api.create_hunt(spec_document())
    )
    assert_error(response, 409)
    assert len(api.events()) == 1


def test_an_invalid_yaml_hunt_is_422_listing_every_problem_with_its_line(api: Api) -> None:
    response = api.client.post(
        "/api/hunts",
        content=BROKEN_YAML.encode(),
        headers={**ORG, "Content-Type": "application/yaml"},
    )
    error = assert_error(response, 422)
    problems = error["details"]["problems"]
    for problem in problems:
        assert set(problem) >= {"path", "message", "line"}
        assert isinstance(problem["line"], int)
        assert problem["message"].strip()
    by_line: dict[int, list[str]] = {}
    for problem in problems:
        by_line.setdefault(problem["line"], []).append(problem["path"])
    for line, word in BROKEN_LINES.items():
        assert line in by_line, (line, problems)
        assert any(word in path for path in by_line[line]), (line, by_line[line])
    # Nothing was created.
    assert_error(api.client.get("/api/hunts/harbour-night"), 404)


def test_invalid_yaml_syntax_is_422_with_the_line(api: Api) -> None:
    text = "hunt:\n  id: x\n  title: [unclosed\nclues: []\n"
    response = api.client.post(
        "/api/hunts", content=text.encode(), headers={**ORG, "Content-Type": "application/yaml"}
    )
    problems = assert_error(response, 422)["details"]["problems"]
    assert problems and all(isinstance(p["line"], int) and p["line"] >= 3 for p in problems)


def _spec_with(**changes: Any) -> dict[str, Any]:
    document = spec_document()
    for path, value in changes.items():
        target: Any = document
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return document


@pytest.mark.parametrize(
    ("document", "path_word"),
    [
        (_spec_with(hunt__id="Not An Id"), "hunt.id"),
        (_spec_with(hunt__ends_at="2026-12-01T17:00:00Z"), "ends_at"),
        (_spec_with(hunt__freeze_at="2026-12-01T23:00:00Z"), "freeze_at"),
        (_spec_with(hunt__starts_at="yesterday"), "starts_at"),
        (_spec_with(clues__0__points=-1), "clues[0].points"),
        (_spec_with(clues__1__requires=["dock-9"]), "clues[1].requires"),
        (_spec_with(clues__0__requires=["crate"]), "requires"),  # a cycle via crate
        (_spec_with(clues__2__requires={"any": 3, "of": ["lighthouse", "dock-9"]}), "any"),
        (
            _spec_with(
                clues__1__points={
                    "dynamic": {"initial": 100, "minimum": 500, "decay": 20, "function": "linear"}
                }
            ),
            "clues[1].points",
        ),
        (
            _spec_with(
                clues__1__points={
                    "dynamic": {"initial": 500, "minimum": 100, "decay": 0, "function": "linear"}
                }
            ),
            "clues[1].points",
        ),
        (_spec_with(clues__0__answer={"kind": "riddle"}), "clues[0].answer"),
        (_spec_with(clues__2__answer={"kind": "code", "codes": []}), "clues[2].answer"),
        (_spec_with(clues=[]), "clues"),
    ],
)
def test_an_invalid_json_hunt_is_422_naming_the_problem(
    api: Api, document: dict[str, Any], path_word: str
) -> None:
    problems = assert_error(api.create_hunt(document), 422)["details"]["problems"]
    assert any(path_word in p["path"] for p in problems), problems
    assert api.client.get(f"/api/hunts/{document['hunt']['id']}").status_code in (404, 422)


def test_every_problem_of_a_json_hunt_is_listed_at_once(api: Api) -> None:
    document = _spec_with(hunt__id="BAD", clues__0__points=-1, clues__2__answer={"kind": "x"})
    problems = assert_error(api.create_hunt(document), 422)["details"]["problems"]
    paths = " ".join(p["path"] for p in problems)
    for word in ("hunt.id", "clues[0].points", "clues[2].answer"):
        assert word in paths


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b'"a string"', b"\xff\xfe\x00"],
    ids=["malformed", "a-list", "a-string", "not-utf8"],
)
def test_a_body_that_is_not_a_hunt_document_is_422(api: Api, body: bytes) -> None:
    response = api.client.post(
        "/api/hunts", content=body, headers={**ORG, "Content-Type": "application/json"}
    )
    assert_error(response, 422)


def test_creating_a_hunt_needs_the_organizer(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.client.post("/api/hunts", json=spec_document()), 401)
    assert_error(api.client.post("/api/hunts", json=spec_document(), headers=team_a.headers), 403)


# -- GET /api/hunts/{hunt} -------------------------------------------------------------


def test_anyone_reads_a_hunts_title_times_and_state(api: Api, hunt: str) -> None:
    response = api.client.get(f"/api/hunts/{hunt}")
    assert response.status_code == 200
    assert response.json() == _summary(spec_document(), "live")
    assert_no_secrets(response.text)


@pytest.mark.parametrize(
    ("moment", "state"),
    [
        (STARTS - 1, "scheduled"),
        (STARTS, "live"),
        (FREEZES, "live"),
        (ENDS - 1, "live"),
        (ENDS, "ended"),
        (ENDS + 60 * MINUTE, "ended"),
    ],
)
def test_the_state_follows_the_clock(api: Api, hunt: str, moment: int, state: str) -> None:
    api.clock.set(moment)
    assert api.client.get(f"/api/hunts/{hunt}").json()["state"] == state


def test_the_state_is_paused_while_paused(api: Api, hunt: str) -> None:
    api.client.post(f"/api/hunts/{hunt}/pause", headers=ORG)
    assert api.client.get(f"/api/hunts/{hunt}").json()["state"] == "paused"
    api.client.post(f"/api/hunts/{hunt}/resume", headers=ORG)
    assert api.client.get(f"/api/hunts/{hunt}").json()["state"] == "live"


def test_an_unknown_hunt_is_404(api: Api, hunt: str) -> None:
    assert_error(api.client.get("/api/hunts/no-such-hunt"), 404)


def test_the_public_and_organizers_get_no_clues(api: Api, hunt: str) -> None:
    assert "clues" not in api.client.get(f"/api/hunts/{hunt}").json()
    organizer = api.client.get(f"/api/hunts/{hunt}", headers=ORG).json()
    assert set(organizer) == SUMMARY_KEYS


def test_a_team_sees_only_the_clues_open_for_it(api: Api, team_a: TeamAuth) -> None:
    response = api.client.get(f"/api/hunts/{HUNT}", headers=team_a.headers)
    body = response.json()
    summary = {k: v for k, v in body.items() if k not in ("clues", "team_id", "locked")}
    assert summary == _summary(spec_document(), "live")
    assert body["team_id"] == team_a.team_id  # a token alone tells a client which team it is
    assert [c["id"] for c in body["locked"]] == ["dock-9", "crate"]
    # dock-9 needs lighthouse; crate needs one of lighthouse, dock-9.
    assert [c["id"] for c in body["clues"]] == ["lighthouse", "selfie"]
    lighthouse, selfie = body["clues"]
    assert lighthouse == {
        "id": "lighthouse",
        "title": "The Lighthouse",
        "text": "Where the keeper never sleeps.",
        "kind": "text",
        "points": 100,
        "solved": False,
        "attempts_left": None,
        "hints": [{"id": "look-up", "cost": 20, "unlocked": False}],
        "round": None,
        "solves": 0,
    }
    assert selfie["kind"] == "photo"
    assert selfie["points"] == 150
    assert selfie["attempts_left"] == 3
    assert selfie["hints"] == []
    assert_no_secrets(response.text)


def test_solving_opens_clues_and_shows_current_values(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_a)
    clues = api.clues(team_a)
    assert list(clues) == ["lighthouse", "dock-9", "crate", "selfie"]
    assert clues["lighthouse"]["solved"] is True
    assert clues["lighthouse"]["points"] == 100
    assert clues["dock-9"]["kind"] == "geo"
    assert clues["crate"]["kind"] == "code"
    # Nobody solved dock-9: solving it now earns the value with one solver.
    assert clues["dock-9"]["points"] == dock_value(1)
    response = api.submit(team_a, {"clue": "dock-9", "lat": 59.9139, "lon": 10.7522})
    assert response.json()["result"] == "correct"
    assert api.clues(team_a)["dock-9"] == {**clues["dock-9"], "solved": True, "solves": 1}

    api.solve_lighthouse(team_b)
    assert api.clues(team_b)["dock-9"]["points"] == dock_value(2)  # what B would earn now
    api.submit(team_b, {"clue": "dock-9", "lat": 59.9139, "lon": 10.7522})
    # Every solver holds the clue's current value.
    assert api.clues(team_a)["dock-9"]["points"] == dock_value(2)
    assert api.clues(team_b)["dock-9"]["points"] == dock_value(2)
    assert dock_value(2) < dock_value(1)


def test_hint_texts_show_only_once_unlocked(api: Api, team_a: TeamAuth, team_b: TeamAuth) -> None:
    assert api.hint(team_a, "lighthouse", "look-up").status_code == 200
    hints_a = api.clues(team_a)["lighthouse"]["hints"]
    hints_b = api.clues(team_b)["lighthouse"]["hints"]
    assert hints_a == [{"id": "look-up", "cost": 20, "unlocked": True, "text": "Look up."}]
    assert hints_b == [{"id": "look-up", "cost": 20, "unlocked": False}]


def test_attempts_left_counts_down_with_rejected_photos(api: Api, team_a: TeamAuth) -> None:
    for left in (2, 1, 0):
        review_id = api.photo(team_a).json()["review_id"]
        outcome = api.client.post(
            f"/api/hunts/{HUNT}/reviews/{review_id}",
            json={"approve": False, "reason": "the statue is not in it"},
            headers=ORG,
        )
        assert outcome.status_code == 200
        assert api.clues(team_a)["selfie"]["attempts_left"] == left


def test_a_team_token_of_another_hunt_is_403(api: Api, other_team: TeamAuth) -> None:
    assert_error(api.client.get(f"/api/hunts/{HUNT}", headers=other_team.headers), 403)


def test_no_team_or_public_response_holds_an_answer(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_a)
    api.submit(team_a, {"clue": "crate", "code": "QL-7F3K-22"})
    api.answer(team_b, "lighthouse", "light")
    responses = [
        api.client.get(f"/api/hunts/{HUNT}"),
        api.client.get(f"/api/hunts/{HUNT}", headers=team_a.headers),
        api.client.get(f"/api/hunts/{HUNT}", headers=team_b.headers),
        api.client.get(f"/api/hunts/{HUNT}/leaderboard"),
        api.client.get(f"/api/hunts/{HUNT}/leaderboard", headers=team_a.headers),
        api.client.get(f"/api/hunts/{HUNT}/teams/{team_a.team_id}", headers=team_a.headers),
        api.client.get(f"/api/hunts/{HUNT}/teams/{team_b.team_id}", headers=team_b.headers),
        api.submit(team_a, {"clue": "crate", "code": "QL-7F3K-22"}),
        api.answer(team_b, "lighthouse", "wrong"),
    ]
    for response in responses:
        assert response.status_code == 200
        assert_no_secrets(response.text)
        assert team_a.token not in response.text
        assert team_b.token not in response.text


def _alias_bomb(depth: int) -> str:
    """A few hundred bytes of YAML whose aliases expand to 9**depth strings."""
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, depth):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\nhunt: {}\nclues: []\n"


def test_an_alias_bomb_is_refused_promptly(api: Api) -> None:
    body = _alias_bomb(6).encode()
    assert len(body) < 1000
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(
            api.post,
            "/api/hunts",
            content=body,
            headers={**ORG, "Content-Type": "application/yaml"},
        )
        try:
            response = future.result(timeout=0.5)  # a linear walk takes milliseconds
        except FuturesTimeout:
            raise AssertionError("a 300-byte hunt file took over 0.5 s to refuse") from None
    assert_error(response, 422)
