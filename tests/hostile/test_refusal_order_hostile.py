"""The refusal order of hunt-format.md under attack (issue 12, item 8): 401 comes
before 404, so review ids cannot be enumerated; a token that is not valid is 401 on
every route of the app's route table, even those anyone may use; 413 still comes
before 401."""

import re
from pathlib import Path
from typing import Any

from starlette.routing import Mount, Route

from questline.adapters.clocks import ManualClock
from questline.http.app import ROUTES
from questline.http.embedded import build_embedded_node
from questline.http.services import JSON_LIMIT
from tests.api.conftest import HUNT, ORG, Api, TeamAuth, assert_error
from tests.hostile.live_server import ORGANIZER_TOKEN, Live, read_response, serving
from tests.hunt_builders import SECOND, STARTS

BOGUS = {"Authorization": "Bearer bogus"}


def test_anonymous_photo_reads_are_401_whether_the_review_exists_or_not(
    api: Api, team_a: TeamAuth
) -> None:
    review_id = api.photo(team_a).json()["review_id"]
    for review in (review_id, "p-999", "nonsense"):
        assert_error(api.client.get(f"/api/hunts/{HUNT}/photos/{review}"), 401, "unauthorized")
    assert_error(api.client.get("/api/hunts/no-such-hunt/photos/p-1"), 401, "unauthorized")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: {"{hunt}": HUNT}.get(m.group(0), "x-1"), path)


def _every_route() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for route in ROUTES:
        if isinstance(route, Route):
            for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
                out.append((method, _concrete(route.path)))
        elif isinstance(route, Mount):
            out.append(("GET", route.path + "/css/app.css"))
    return out


def test_a_bogus_token_is_401_on_every_route(api: Api, hunt: str) -> None:
    routes = _every_route()
    assert ("GET", "/metrics") in routes and ("GET", "/api/noop") in routes
    for method, path in [*routes, ("GET", "/no/such/route")]:
        response = api.client.request(method, path, headers=BOGUS)
        assert_error(response, 401, "unauthorized")
        api.clock.advance(3 * SECOND)  # stays under the limit on bad tokens per address


def test_an_oversized_body_is_413_before_any_token_check(api: Api, hunt: str) -> None:
    body: dict[str, Any] = {"text": "x" * (JSON_LIMIT + 1)}
    for headers in ({}, BOGUS, ORG):
        response = api.client.post(f"/api/hunts/{HUNT}/announcements", json=body, headers=headers)
        assert_error(response, 413, "body_too_large")


def _declared_only(
    live: Live, path: str, length: int, headers: bytes = b""
) -> tuple[int | None, bytes]:
    """A request that declares a body of `length` bytes and sends none of it."""
    with live.connect() as sock:
        sock.sendall(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + headers
            + b"Content-Length: "
            + str(length).encode()
            + b"\r\n\r\n"
        )
        return read_response(sock, timeout=10)


def test_the_token_is_checked_before_a_json_body_is_read(tmp_path: Path) -> None:
    """Answered at once, not after waiting for a body that never comes (408)."""
    node = build_embedded_node(
        tmp_path / "q.db", clock=ManualClock(STARTS), organizer_token=ORGANIZER_TOKEN
    )
    with serving(node) as live:
        organizer_routes = [
            "/api/hunts",
            f"/api/hunts/{HUNT}/pause",
            f"/api/hunts/{HUNT}/adjustments",
            f"/api/hunts/{HUNT}/announcements",
            f"/api/hunts/{HUNT}/reviews/p-1",
            f"/api/hunts/{HUNT}/clues/lighthouse/hints/look-up",
        ]
        for path in organizer_routes:
            status, data = _declared_only(live, path, 500)
            assert status == 401, (path, data)
            status, data = _declared_only(live, path, 500, b"Authorization: Bearer bogus\r\n")
            assert status == 401, (path, data)
            status, data = _declared_only(live, path, 5_000_000)
            assert status == 413, (path, data)
