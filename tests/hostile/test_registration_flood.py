"""A registration flood (issue 12, item 6): 3,000 anonymous registrations at 200/s all
got 201 and sat on the public board. Now each client address may register 60 teams a
minute in a hunt and each hunt 1,200 a minute from everyone (both configurable), then
429 with Retry-After; behind a trusted proxy the address is the one it forwards."""

import threading
import time
from pathlib import Path
from typing import Any

import httpx
from starlette.testclient import TestClient

from questline.adapters.clocks import ManualClock
from questline.http.abuse_limits import AbuseSettings, client_key
from questline.http.embedded import build_embedded_node
from tests.api.conftest import HUNT, OTHER_HUNT, Api, assert_error, other_document
from tests.hostile.live_server import HEALTHZ_S, ORG, ORGANIZER_TOKEN, Live, serve_process
from tests.hunt_builders import SECOND, STARTS, spec_document


def _register(client: Any, name: str, hunt: str = HUNT, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/api/hunts/{hunt}/teams", json={"name": name}, **kwargs
    )
    return response


def test_sixty_registrations_a_minute_per_address_then_429(api: Api, hunt: str) -> None:
    statuses = [_register(api.client, f"Team {n}").status_code for n in range(60)]
    assert statuses == [201] * 60
    refused = _register(api.client, "One too many")
    error = assert_error(refused, 429, "too_many_registrations")
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after >= 1 and error["details"] == {"retry_after": retry_after}
    assert api.board()["total"] == 60
    api.clock.advance(retry_after * SECOND)
    assert _register(api.client, "One too many").status_code == 201


def test_refused_input_does_not_count_and_other_hunts_are_apart(api: Api, hunt: str) -> None:
    api.create_hunt_ok(other_document())
    for _ in range(100):
        assert_error(api.client.post(f"/api/hunts/{HUNT}/teams", json={"name": ""}), 422)
    for n in range(60):
        assert _register(api.client, f"Team {n}").status_code == 201
    assert_error(_register(api.client, "Late"), 429, "too_many_registrations")
    assert _register(api.client, "Elsewhere", OTHER_HUNT).status_code == 201


def test_the_limit_per_hunt_counts_every_address(tmp_path: Path) -> None:
    node = build_embedded_node(
        tmp_path / "q.db",
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        abuse=AbuseSettings(registrations_per_address=0, registrations_per_hunt=5),
    )
    try:
        with TestClient(node.app) as client:
            created = client.post("/api/hunts", json=spec_document(), headers=ORG)
            assert created.status_code == 201
            assert [_register(client, f"T{n}").status_code for n in range(6)] == [201] * 5 + [429]
    finally:
        node.close()


def _future_hunt() -> dict[str, Any]:
    """The spec's hunt, live for the next century: `serve` runs on the real clock."""
    document = spec_document()
    document["hunt"].update(starts_at="2026-01-01T00:00:00Z", ends_at="2126-01-01T00:00:00Z")
    document["hunt"].pop("freeze_at")
    return document


def _flood(live: Live, count: int, out: list[int]) -> None:
    with live.client() as client:
        for n in range(count):
            out.append(_register(client, f"Flood {threading.get_ident()} {n}").status_code)


def test_a_flood_gets_429s_while_healthz_answers(tmp_path: Path) -> None:
    with serve_process(tmp_path / "q.db", "--registrations-per-minute", "60") as live:
        with live.client() as client:
            assert client.post("/api/hunts", json=_future_hunt(), headers=ORG).status_code == 201
        results: list[int] = []
        started = time.monotonic()
        flooders = [threading.Thread(target=_flood, args=(live, 200, results)) for _ in range(3)]
        for flooder in flooders:
            flooder.start()
        healthz = live.healthz_median()
        for flooder in flooders:
            flooder.join(120)
        elapsed = time.monotonic() - started
        assert healthz < HEALTHZ_S
        created = results.count(201)
        assert results.count(429) == 600 - created
        # 60 at once, then one a second as the minute refills.
        assert 60 <= created <= 60 + elapsed + 1, (created, elapsed)
        with live.client() as client:
            board = client.get(f"/api/hunts/{HUNT}/leaderboard").json()
        assert board["total"] == created


def test_a_trusted_proxy_names_the_client_and_others_cannot(tmp_path: Path) -> None:
    def spend(live: Live) -> list[int]:
        with live.client() as client:
            assert client.post("/api/hunts", json=_future_hunt(), headers=ORG).status_code == 201
            for n in range(3):  # the proxy's own address spends its minute (3 here)
                _register(client, f"Proxy {n}")
            return [
                _register(
                    client, f"Via {n}", headers={"X-Forwarded-For": f"203.0.113.{n}"}
                ).status_code
                for n in range(3)
            ]

    with serve_process(tmp_path / "a.db", "--registrations-per-minute", "3") as trusting:
        assert spend(trusting) == [201, 201, 201]  # 127.0.0.1 is trusted by default
    with serve_process(
        tmp_path / "b.db", "--registrations-per-minute", "3", "--forwarded-allow-ips", "192.0.2.1"
    ) as distrusting:
        assert spend(distrusting) == [429, 429, 429]  # the header is ignored: still 127.0.0.1


def test_registrations_the_server_failed_do_not_count(tmp_path: Path) -> None:
    node = build_embedded_node(
        tmp_path / "q.db",
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        abuse=AbuseSettings(registrations_per_address=2),
    )
    try:
        with TestClient(node.app) as client:
            assert client.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
            node.services.committer.stop()  # every command now fails with 503
            statuses = [_register(client, f"Retry {n}").status_code for n in range(3)]
            assert statuses == [503, 503, 503]  # a client retrying a 503 is not refused 429
    finally:
        node.close()


def test_an_ipv6_client_counts_by_its_64_and_a_mapped_ipv4_as_ipv4() -> None:
    def key(host: str) -> str:
        return client_key({"client": (host, 40000)})

    assert key("2001:db8:0:1::1") == key("2001:db8:0:1:ffff::2") == "2001:db8:0:1::/64"
    assert key("2001:db8:0:2::1") != key("2001:db8:0:1::1")
    assert key("::ffff:192.0.2.7") == key("192.0.2.7") == "192.0.2.7"
