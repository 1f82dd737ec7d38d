"""Fixtures for the HTTP contract tests: a real embedded node on a temporary
SQLite file, a hand-set clock, and a TestClient that runs the app's lifespan
(so the engine's writer thread runs for the test and stops after it)."""

import contextlib
import json
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from questline.adapters.clocks import ManualClock
from questline.http.embedded import EmbeddedNode, build_embedded_node
from tests.hunt_builders import BEFORE_START, STARTS, spec_document

ORGANIZER_TOKEN = "qlo_organizer-token-for-the-api-tests"
HUNT = "harbour-night"
OTHER_HUNT = "other-night"
ORG = {"Authorization": f"Bearer {ORGANIZER_TOKEN}"}
BAD = {"Authorization": "Bearer qlt_this-token-was-never-issued"}

# Stored answers of the spec's example hunt: none may ever reach a team or the public.
SECRETS = ("Lighthouse Keeper", "QL-7F3K-22", "59.9139", "10.7522")
SECRET_KEYS = {"accept", "accept_regex", "keep_going", "codes", "answer", "token_hash"}

# Smallest bodies the photo sniffer accepts: the signatures of the three formats.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(64))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(range(64))

EARTH_RADIUS_M = 6_371_008.8
DOCK = (59.9139, 10.7522)
DOCK_RADIUS_M = 30.0


def other_document() -> dict[str, Any]:
    document = spec_document()
    document["hunt"]["id"] = OTHER_HUNT
    document["hunt"]["title"] = "Another Night"
    return document


def spec_dynamic_value(initial: int, minimum: int, decay: int, function: str, solves: int) -> int:
    """hunt-format.md's decay, written out again from the text: exact, rounded up, floored."""
    s = max(solves - 1, 0)
    if function == "linear":
        exact = Fraction(initial - decay * s)
    else:
        exact = initial + Fraction(minimum - initial, decay**2) * s * s
    return max(math.ceil(exact), minimum)


def dock_value(solves: int) -> int:
    return spec_dynamic_value(500, 100, 20, "logarithmic", solves)


def point_north_of(lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point `metres` due north along the meridian (a great circle) of the spec's sphere."""
    return lat + math.degrees(metres / EARTH_RADIUS_M), lon


@dataclass(frozen=True)
class TeamAuth:
    hunt_id: str
    team_id: str
    token: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's error body: {"error": {"code", "message", "details"}}, nothing else."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"].strip()
    if code is not None:
        assert error["code"] == code, error
    inner: dict[str, Any] = error
    return inner


def assert_no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            leaked = SECRET_KEYS & set(value)
            assert not leaked, leaked
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    with contextlib.suppress(json.JSONDecodeError):
        walk(json.loads(text))


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold before the deadline")
        time.sleep(0.005)


@dataclass
class Api:
    """One node behind a TestClient, with shorthands for the contract's routes."""

    client: TestClient
    clock: ManualClock
    node: EmbeddedNode
    org: dict[str, str] = field(default_factory=lambda: dict(ORG))
    _names: int = field(default=0)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.post(url, **kwargs)
        return response

    def create_hunt(self, document: dict[str, Any]) -> httpx.Response:
        return self.post("/api/hunts", json=document, headers=self.org)

    def create_hunt_ok(self, document: dict[str, Any]) -> str:
        response = self.create_hunt(document)
        assert response.status_code == 201, response.text
        hunt_id: str = response.json()["id"]
        return hunt_id

    def register(self, hunt_id: str = HUNT, name: str | None = None) -> TeamAuth:
        if name is None:
            self._names += 1
            name = f"Team {self._names}"
        response = self.client.post(f"/api/hunts/{hunt_id}/teams", json={"name": name})
        assert response.status_code == 201, response.text
        body = response.json()
        return TeamAuth(hunt_id, body["team_id"], body["token"], name)

    def submit(
        self,
        team: TeamAuth,
        body: dict[str, Any],
        key: str | None = None,
        hunt_id: str | None = None,
    ) -> httpx.Response:
        headers = dict(team.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.post(
            f"/api/hunts/{hunt_id or team.hunt_id}/submissions", json=body, headers=headers
        )

    def answer(self, team: TeamAuth, clue: str, answer: str) -> httpx.Response:
        return self.submit(team, {"clue": clue, "answer": answer})

    def photo(
        self, team: TeamAuth, clue: str = "selfie", data: bytes = PNG, key: str | None = None
    ) -> httpx.Response:
        headers = dict(team.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.post(
            f"/api/hunts/{team.hunt_id}/submissions",
            data={"clue": clue},
            files={"photo": ("photo.png", data, "image/png")},
            headers=headers,
        )

    def hint(self, team: TeamAuth, clue: str, hint: str, key: str | None = None) -> httpx.Response:
        headers = dict(team.headers)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.post(f"/api/hunts/{team.hunt_id}/clues/{clue}/hints/{hint}", headers=headers)

    def solve_lighthouse(self, team: TeamAuth) -> dict[str, Any]:
        response = self.answer(team, "lighthouse", "Lighthouse Keeper")
        assert response.status_code == 200, response.text
        assert response.json()["result"] == "correct"
        body: dict[str, Any] = response.json()
        return body

    def adjust(
        self, team: TeamAuth, points: int, reason: str = "fair play", key: str | None = None
    ) -> httpx.Response:
        headers = dict(self.org)
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.post(
            f"/api/hunts/{team.hunt_id}/adjustments",
            json={"team_id": team.team_id, "points": points, "reason": reason},
            headers=headers,
        )

    def events(self, hunt_id: str = HUNT) -> list[dict[str, Any]]:
        """Every event of the hunt, through the organizer's /events route, page by page."""
        out: list[dict[str, Any]] = []
        after = 0
        while True:
            response = self.client.get(
                f"/api/hunts/{hunt_id}/events",
                params={"after": after, "limit": 1000},
                headers=self.org,
            )
            assert response.status_code == 200, response.text
            page = response.json()["events"]
            if not page:
                return out
            out.extend(page)
            after = page[-1]["position"]

    def event_types(self, hunt_id: str = HUNT) -> list[str]:
        return [e["type"] for e in self.events(hunt_id)]

    def board(self, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
        response = self.client.get(f"/api/hunts/{HUNT}/leaderboard", params=params, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def progress(self, team: TeamAuth, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.client.get(
            f"/api/hunts/{team.hunt_id}/teams/{team.team_id}", headers=headers or team.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def clues(self, team: TeamAuth) -> dict[str, dict[str, Any]]:
        response = self.client.get(f"/api/hunts/{team.hunt_id}", headers=team.headers)
        assert response.status_code == 200, response.text
        return {clue["id"]: clue for clue in response.json()["clues"]}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(BEFORE_START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "questline.db"


@pytest.fixture
def log_source(db_path: Path) -> list[str]:
    """The CLI options naming where the node's log is (a cluster names its config)."""
    return ["--db", str(db_path)]


@pytest.fixture
def node(db_path: Path, clock: ManualClock) -> EmbeddedNode:
    return build_embedded_node(db_path, clock=clock, organizer_token=ORGANIZER_TOKEN)


@pytest.fixture
def api(node: EmbeddedNode, clock: ManualClock) -> Iterator[Api]:
    try:
        with TestClient(node.app) as client:
            yield Api(client, clock, node)
    finally:
        node.store.close()


@pytest.fixture
def hunt(api: Api) -> str:
    """The spec's example hunt, created before it starts; the clock then stands at starts_at."""
    hunt_id = api.create_hunt_ok(spec_document())
    api.clock.set(STARTS)
    return hunt_id


@pytest.fixture
def team_a(api: Api, hunt: str) -> TeamAuth:
    return api.register(hunt, "Otters")


@pytest.fixture
def team_b(api: Api, hunt: str) -> TeamAuth:
    return api.register(hunt, "Badgers")


@pytest.fixture
def other_team(api: Api, hunt: str) -> TeamAuth:
    """A team of another hunt on the same node."""
    api.create_hunt_ok(other_document())
    return api.register(OTHER_HUNT, "Strangers")


class SseReader:
    """Reads an SSE response on a helper thread; every read has a deadline."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            for line in self.response.iter_lines():
                self._lines.put(line)
        except Exception:  # the stream was closed under us: that ends it
            pass
        finally:
            self._lines.put(None)

    def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        """The next event (comments and `retry:` lines skipped): id, event, data (parsed)."""
        deadline = time.monotonic() + timeout
        event: dict[str, Any] = {}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no complete SSE event within {timeout} s")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                raise AssertionError(f"no complete SSE event within {timeout} s") from None
            if line is None:
                raise AssertionError("the stream ended")
            if line == "":
                if "event" in event or "data" in event:
                    return event
                event = {}
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "data":
                event["data"] = json.loads(value)
            elif name in ("id", "event"):
                event[name] = value

    def until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 5.0
    ) -> list[dict[str, Any]]:
        """Events up to and including the first one the predicate accepts."""
        deadline = time.monotonic() + timeout
        seen: list[dict[str, Any]] = []
        while True:
            event = self.next_event(max(deadline - time.monotonic(), 0.001))
            seen.append(event)
            if predicate(event):
                return seen

    def close(self) -> None:
        self.response.close()
        self._thread.join(5)
