"""Overload becomes refusals, never waiting (issue 18): a real server (uvicorn, as
`questline serve` runs it) whose writer is stuck answers the writes past its budget
503 with Retry-After at once, before their bodies arrive, while the writes it admitted
are still waiting; and the board is read all the while. No timing is asserted: the
refusals come back while the admitted writes provably have not."""

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from questline.adapters.clocks import ManualClock
from questline.http.admission import AdmissionSettings
from questline.http.embedded import build_embedded_node
from tests.api.conftest import HUNT, assert_error
from tests.hostile.live_server import ORG, ORGANIZER_TOKEN, Live, read_response, serving, wait_until
from tests.hunt_builders import STARTS, spec_document

# Two writes at once, fixed (no adaptation), so the third is the one refused.
TWO_WRITES = AdmissionSettings(writes_initial=2, writes_max=2, minimum=2)


@dataclass
class Served:
    live: Live
    db: Path
    tokens: list[str]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    db = tmp_path / "q.db"
    node = build_embedded_node(
        db,
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=None,
        admission=TWO_WRITES,
    )
    # The admitted writes wait for the blocked writer as long as the test needs, however
    # slow the machine: they must not give up (503 after 10 s) while it looks.
    node.services.command_timeout = 300.0
    with serving(node) as live, live.client() as client:
        assert client.post("/api/hunts", json=spec_document(), headers=ORG).status_code == 201
        tokens = []
        for name in ("Otters", "Badgers", "Herons"):
            joined = client.post(f"/api/hunts/{HUNT}/teams", json={"name": name})
            assert joined.status_code == 201, joined.text
            tokens.append(joined.json()["token"])
        yield Served(live, db, tokens)


def _submit(live: Live, token: str, answer: str) -> httpx.Response:
    with live.client() as client:
        return client.post(
            f"/api/hunts/{HUNT}/submissions",
            json={"clue": "lighthouse", "answer": answer},
            headers={"Authorization": f"Bearer {token}"},
        )


def _writes_in_flight(live: Live) -> float:
    return live.metric("questline_http_admission_in_flight", budget="writes")


def test_a_stuck_writer_means_503_with_retry_after_at_once_and_the_board_still_reads(
    served: Served,
) -> None:
    live = served.live
    # The writer stalls: another connection holds SQLite's write lock.
    blocker = sqlite3.connect(served.db, isolation_level=None, timeout=30)
    blocker.execute("BEGIN IMMEDIATE")
    admitted: list[httpx.Response] = []
    threads = [
        threading.Thread(target=lambda t=t: admitted.append(_submit(live, t, "wrong")))
        for t in served.tokens[:2]
    ]
    try:
        for thread in threads:
            thread.start()
        wait_until(lambda: _writes_in_flight(live) == 2, 30, "two writes admitted and waiting")

        refused = _submit(live, served.tokens[2], "wrong")
        error = assert_error(refused, 503, "overloaded")
        retry_after = int(refused.headers["Retry-After"])
        assert retry_after >= 1 and error["details"] == {"retry_after": retry_after}
        assert admitted == [], "the refusal came back while the admitted writes still wait"

        # Refused before its body is read: the head declares 100,000 bytes, none is sent.
        with live.connect() as sock:
            sock.sendall(
                f"POST /api/hunts/{HUNT}/submissions HTTP/1.1\r\nHost: t\r\n"
                f"Authorization: Bearer {served.tokens[2]}\r\n"
                "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n".encode()
            )
            status, data = read_response(sock)
        assert status == 503 and b"retry-after: 1" in data.lower()

        # The big screen reads on: its budget is not the writes'.
        with live.client() as client:
            board = client.get(f"/api/hunts/{HUNT}/leaderboard")
            assert board.status_code == 200 and board.json()["total"] == 3
            assert client.get(f"/board/{HUNT}").status_code == 200
            assert client.get("/healthz").status_code == 200
        assert (
            live.metric("questline_http_admission_refused_total", budget="writes", reason="limit")
            >= 2
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        for thread in threads:
            thread.join(30)

    # The writer free again, the admitted writes were answered and places are free.
    assert sorted(r.status_code for r in admitted) == [200, 200]
    assert _submit(live, served.tokens[2], "wrong").status_code == 200
