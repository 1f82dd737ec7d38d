"""GET leaderboard (public, frozen, live for organizers) and GET a team's progress."""

from datetime import datetime

import pytest

from questline.domain.timestamps import parse_rfc3339
from tests.api.conftest import DOCK, HUNT, ORG, Api, TeamAuth, assert_error, dock_value
from tests.hunt_builders import ENDS, FREEZES, MINUTE, SECOND, spec_document

BONUS = [50, 25, 10]
FREEZE_TEXT = spec_document()["hunt"]["freeze_at"]


UNFINISHED = {"finished_at": None, "division": None}  # no finish clue, no divisions


def _rows(board: dict[str, object]) -> list[tuple[str, int, int]]:
    teams = board["teams"]
    assert isinstance(teams, list)
    return [(t["team_id"], t["score"], t["solved"]) for t in teams]


def _solve_all_but_photo(api: Api, team: TeamAuth) -> None:
    api.solve_lighthouse(team)
    api.submit(team, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]})
    api.submit(team, {"clue": "crate", "code": "QL-7F3K-22"})


# -- GET /api/hunts/{hunt}/leaderboard ------------------------------------------------------


def test_every_registered_team_is_on_the_board_ranked(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    team_c = api.register(HUNT, "Cormorants")
    api.solve_lighthouse(team_b)  # 150, first
    api.solve_lighthouse(team_a)  # 125
    board = api.board()
    assert board["frozen"] is False
    assert board["total"] == 3
    assert board["teams"] == [
        {"rank": 1, "team_id": team_b.team_id, "name": "Badgers", "score": 150, "solved": 1}
        | UNFINISHED,
        {"rank": 2, "team_id": team_a.team_id, "name": "Otters", "score": 125, "solved": 1}
        | UNFINISHED,
        {"rank": 3, "team_id": team_c.team_id, "name": "Cormorants", "score": 0, "solved": 0}
        | UNFINISHED,
    ]
    datetime.fromisoformat(board["as_of"].replace("Z", "+00:00"))


def test_ties_go_to_the_earlier_last_scoring_event_then_registration(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    team_c = api.register(HUNT, "Cormorants")
    team_d = api.register(HUNT, "Dippers")
    api.solve_lighthouse(team_b)  # 150
    assert api.adjust(team_a, 150).status_code == 201  # 150, later
    assert [r[0] for r in _rows(api.board())] == [
        team_b.team_id,
        team_a.team_id,
        team_c.team_id,
        team_d.team_id,
    ]
    # A zero-cost path to 0 points with a scoring event: +10 then -10 puts D before C.
    api.adjust(team_d, 10)
    api.adjust(team_d, -10)
    assert [r[0] for r in _rows(api.board())][2:] == [team_d.team_id, team_c.team_id]


def test_limit_and_offset_page_the_board(api: Api, hunt: str) -> None:
    teams = [api.register(hunt, f"T{i}") for i in range(7)]
    for points, team in enumerate(teams, start=1):
        api.adjust(team, points)
    everyone = api.board()["teams"]
    assert [t["team_id"] for t in everyone] == [t.team_id for t in reversed(teams)]
    page = api.board(limit=3, offset=2)
    assert page["total"] == 7
    assert page["teams"] == everyone[2:5]
    assert [t["rank"] for t in page["teams"]] == [3, 4, 5]
    assert api.board(limit=3, offset=7)["teams"] == []
    assert api.board(limit=1000)["teams"] == everyone


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 1001},
        {"limit": -1},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"offset": -1},
        {"offset": "x"},
    ],
)
def test_limit_and_offset_out_of_bounds_are_422(
    api: Api, hunt: str, params: dict[str, object]
) -> None:
    assert_error(api.client.get(f"/api/hunts/{hunt}/leaderboard", params=params), 422)


def test_limit_defaults_to_100(api: Api, hunt: str) -> None:
    for i in range(101):
        api.register(hunt, f"Team {i}")
        api.clock.advance(SECOND)  # within the 60 registrations a minute per address
    board = api.board()
    assert board["total"] == 101
    assert len(board["teams"]) == 100


def test_an_unknown_hunts_board_is_404(api: Api, hunt: str) -> None:
    assert_error(api.client.get("/api/hunts/nope/leaderboard"), 404)


def test_during_the_freeze_the_public_sees_the_board_as_of_freeze_at(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.solve_lighthouse(team_a)  # before the freeze: 150
    api.clock.set(FREEZES)
    api.solve_lighthouse(team_b)  # at freeze_at: not on the frozen board
    api.submit(team_a, {"clue": "crate", "code": "QL-7F3K-22"})
    late = api.register(HUNT, "Latecomers")
    api.adjust(late, 1000)

    for headers in (None, team_a.headers, team_b.headers, late.headers):
        board = api.board(headers)
        assert board["frozen"] is True
        assert board["as_of"] == FREEZE_TEXT
        assert board["total"] == 2
        assert _rows(board) == [(team_a.team_id, 150, 1), (team_b.team_id, 0, 0)]

    live = api.board(ORG)
    assert live["frozen"] is False
    assert live["total"] == 3
    assert _rows(live) == [
        (late.team_id, 1000, 0),
        (team_a.team_id, 150 + 200 + BONUS[0], 2),
        (team_b.team_id, 100 + BONUS[1], 1),
    ]
    assert parse_rfc3339(live["as_of"]) >= FREEZES
    # A team still sees its own live score.
    assert api.progress(team_b)["score"] == 100 + BONUS[1]


def test_the_frozen_board_counts_everything_just_before_freeze_at(
    api: Api, team_a: TeamAuth
) -> None:
    api.clock.set(FREEZES - 1)
    api.solve_lighthouse(team_a)
    api.clock.set(FREEZES + MINUTE)
    assert _rows(api.board()) == [(team_a.team_id, 150, 1)]


def test_from_ends_at_everyone_sees_the_live_final_board(
    api: Api, team_a: TeamAuth, team_b: TeamAuth
) -> None:
    api.clock.set(FREEZES + MINUTE)
    api.solve_lighthouse(team_b)
    api.clock.set(ENDS)
    api.adjust(team_a, 7)  # organizers may still change the final standings
    for headers in (None, team_a.headers, ORG):
        board = api.board(headers)
        assert board["frozen"] is False
        assert _rows(board) == [(team_b.team_id, 150, 1), (team_a.team_id, 7, 0)]


def test_dynamic_values_reach_the_board(api: Api, team_a: TeamAuth, team_b: TeamAuth) -> None:
    for team in (team_a, team_b):
        api.solve_lighthouse(team)
        api.submit(team, {"clue": "dock-9", "lat": DOCK[0], "lon": DOCK[1]})
    scores = {t["team_id"]: t["score"] for t in api.board()["teams"]}
    assert scores == {
        team_a.team_id: 100 + BONUS[0] + dock_value(2) + BONUS[0],
        team_b.team_id: 100 + BONUS[1] + dock_value(2) + BONUS[1],
    }


# -- GET /api/hunts/{hunt}/teams/{team} -----------------------------------------------------


def test_a_team_sees_its_progress(api: Api, team_a: TeamAuth, team_b: TeamAuth) -> None:
    api.hint(team_a, "lighthouse", "look-up")
    api.solve_lighthouse(team_b)
    api.solve_lighthouse(team_a)
    api.photo(team_a)
    api.submit(team_a, {"clue": "crate", "code": "nope"})
    progress = api.progress(team_a)
    assert progress["team_id"] == team_a.team_id
    assert progress["name"] == "Otters"
    assert progress["score"] == 100 + BONUS[1] - 20
    assert progress["rank"] == 2
    assert progress["solved"] == [{"clue": "lighthouse", "points": 100, "bonus": BONUS[1]}]
    assert progress["open_clues"] == ["dock-9", "crate", "selfie"]
    assert progress["hints_unlocked"] == [{"clue": "lighthouse", "hint": "look-up"}]
    assert progress["attempts_left"] == {"selfie": 3}
    assert api.progress(team_a, ORG) == progress


def test_progress_needs_that_team_or_an_organizer(
    api: Api, team_a: TeamAuth, team_b: TeamAuth, other_team: TeamAuth
) -> None:
    url = f"/api/hunts/{HUNT}/teams/{team_a.team_id}"
    assert_error(api.client.get(url), 401)
    assert_error(api.client.get(url, headers=team_b.headers), 403)
    assert_error(api.client.get(url, headers=other_team.headers), 403)
    assert api.client.get(url, headers=ORG).status_code == 200


def test_progress_of_an_unknown_team_or_hunt_is_404(api: Api, team_a: TeamAuth) -> None:
    assert_error(api.client.get(f"/api/hunts/{HUNT}/teams/t-999", headers=ORG), 404)
    assert_error(api.client.get(f"/api/hunts/nope/teams/{team_a.team_id}", headers=ORG), 404)


def test_progress_of_a_full_solve(api: Api, team_a: TeamAuth) -> None:
    _solve_all_but_photo(api, team_a)
    progress = api.progress(team_a)
    assert progress["score"] == 100 + dock_value(1) + 200 + 3 * BONUS[0]
    assert progress["open_clues"] == ["selfie"]
    assert [s["clue"] for s in progress["solved"]] == ["lighthouse", "dock-9", "crate"]
