"""Tokens and roles (issue 12, items 8 and 9): an operator token reads the operator
routes and nothing of the hunts; an organizer token set at start-up must be long;
tokens that are not valid are limited per address (429 with Retry-After)."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from questline.adapters.clocks import ManualClock
from questline.cli.app import app
from questline.http.embedded import build_embedded_node
from questline.http.tokens import WeakOrganizerToken
from tests.api.conftest import HUNT, ORG, Api, TeamAuth, assert_error
from tests.hunt_builders import SECOND, STARTS

runner = CliRunner()


def _operator_token(api: Api) -> dict[str, str]:
    result = runner.invoke(
        app, ["token", "create", "--role", "operator", "--db", str(api.node.store.path)]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("qlp_") and len(token) > 40
    return {"Authorization": f"Bearer {token}"}


def test_an_operator_reads_the_operator_routes(api: Api, hunt: str) -> None:
    operator = _operator_token(api)
    assert api.client.get("/api/ops/summary", headers=operator).status_code == 200
    assert api.client.get("/metrics", headers=operator).status_code == 200
    assert api.client.get("/readyz", headers=operator).status_code == 200
    assert api.client.post("/api/ops/verify", headers=operator).json()["status"] == "clean"


def test_an_operator_cannot_act_on_hunts(api: Api, team_a: TeamAuth) -> None:
    operator = _operator_token(api)
    review_id = api.photo(team_a).json()["review_id"]
    refused = [
        ("POST", "/api/hunts", {"hunt": {}}),
        ("POST", f"/api/hunts/{HUNT}/pause", None),
        (
            "POST",
            f"/api/hunts/{HUNT}/adjustments",
            {"team_id": team_a.team_id, "points": 5, "reason": "x"},
        ),
        ("POST", f"/api/hunts/{HUNT}/announcements", {"text": "hello"}),
        ("GET", f"/api/hunts/{HUNT}/reviews", None),
        ("POST", f"/api/hunts/{HUNT}/reviews/{review_id}", {"approve": True}),
        ("GET", f"/api/hunts/{HUNT}/photos/{review_id}", None),
        ("GET", f"/api/hunts/{HUNT}/photos/p-999", None),
        ("GET", f"/api/hunts/{HUNT}/events", None),
        ("GET", f"/api/hunts/{HUNT}/teams/{team_a.team_id}", None),
        ("GET", f"/api/hunts/{HUNT}/stats", None),
        ("POST", f"/api/hunts/{HUNT}/submissions", {"clue": "lighthouse", "answer": "x"}),
    ]
    for method, path, body in refused:
        response = api.client.request(method, path, json=body, headers=operator)
        assert_error(response, 403, "forbidden")
    # What anyone may read, an operator may read too: the public view.
    board = api.client.get(f"/api/hunts/{HUNT}/leaderboard", headers=operator)
    assert board.status_code == 200 and board.json()["frozen"] is False


def test_organizers_may_use_the_operator_routes_and_teams_may_not(
    api: Api, team_a: TeamAuth
) -> None:
    assert api.client.get("/api/ops/summary", headers=ORG).status_code == 200
    assert_error(api.client.get("/api/ops/summary", headers=team_a.headers), 403, "forbidden")
    assert_error(api.client.get("/api/ops/summary"), 401, "unauthorized")


def test_token_create_refuses_other_roles(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["token", "create", "--role", "team", "--db", str(tmp_path / "q.db")]
    )
    assert result.exit_code == 2
    assert "organizer or operator" in result.output


@pytest.mark.parametrize("token", ["short", "fifteen-chars-x"])
def test_a_short_organizer_token_is_refused_at_start_up(tmp_path: Path, token: str) -> None:
    with pytest.raises(WeakOrganizerToken, match="at least 16"):
        build_embedded_node(tmp_path / "q.db", organizer_token=token)
    result = runner.invoke(
        app, ["serve", "--db", str(tmp_path / "q.db")], env={"QUESTLINE_ORGANIZER_TOKEN": token}
    )
    assert result.exit_code == 2, result.output
    assert "at least 16" in result.output and "QUESTLINE_ORGANIZER_TOKEN" in result.output


def test_sixteen_characters_are_enough(tmp_path: Path) -> None:
    node = build_embedded_node(tmp_path / "q.db", organizer_token="sixteen-chars-ok")
    node.close()


def test_bad_tokens_from_one_address_are_limited_with_retry_after(
    api: Api, team_a: TeamAuth
) -> None:
    for n in range(20):
        bad = {"Authorization": f"Bearer qlt_guess-{n}"}
        assert_error(api.client.get(f"/api/hunts/{HUNT}", headers=bad), 401, "unauthorized")
    limited = api.client.get(f"/api/hunts/{HUNT}", headers={"Authorization": "Bearer qlt_guess-x"})
    assert_error(limited, 429, "too_many_bad_tokens")
    retry_after = int(limited.headers["Retry-After"])
    assert retry_after >= 1
    # While limited, a presented token is not even looked at, so guessing learns nothing;
    # callers without a token (the public board, registrations) are not limited.
    assert_error(api.client.get("/healthz", headers=team_a.headers), 429, "too_many_bad_tokens")
    assert api.client.get(f"/api/hunts/{HUNT}/leaderboard").status_code == 200
    api.clock.advance(retry_after * SECOND)
    assert api.client.get(f"/api/hunts/{HUNT}", headers=team_a.headers).status_code == 200
    assert_error(api.client.get("/metrics", headers={"Authorization": "Bearer x"}), 401)


def test_the_token_failure_limit_is_configurable(tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from questline.http.abuse_limits import AbuseSettings

    node = build_embedded_node(
        tmp_path / "q.db",
        clock=ManualClock(STARTS),
        abuse=AbuseSettings(token_failures_per_address=2),
    )
    try:
        with TestClient(node.app) as client:
            bad = {"Authorization": "Bearer nope"}
            assert [client.get("/healthz", headers=bad).status_code for _ in range(3)] == [
                401,
                401,
                429,
            ]
    finally:
        node.close()
