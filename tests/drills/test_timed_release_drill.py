"""Timed release across a crash: a clue opens while `questline serve` is killed with
SIGKILL and before it is started again. Openness comes from the definition and the
clock, never from something written at the opening, so nothing is missed: before the
time every team is refused with the opening time, after the restart every team is
accepted. Then a revision adds a clue opening a few seconds later, and a team
following its stream hears `clue_opened` for it (the restarted node's timer)."""

import json
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.drills.test_kill_drill import TOKEN, free_port, start_server
from tests.hunt_builders import spec_document

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

ORG = {"Authorization": f"Bearer {TOKEN}"}
TEAMS = 6
OPENS_IN_S = 6.0


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def wait_ready(client: httpx.Client, server: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert server.poll() is None, f"the server exited with {server.returncode}"
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not get ready"
        time.sleep(0.05)


def wait_until(moment: datetime) -> None:
    """Until the wall clock (the server's clock) has passed `moment`."""
    deadline = time.monotonic() + 60
    while datetime.now(UTC) <= moment:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def timed_hunt(opens_at: datetime, now: datetime) -> dict[str, Any]:
    document = spec_document()
    document["hunt"].pop("freeze_at")
    document["hunt"]["starts_at"] = rfc3339(now - timedelta(minutes=1))
    document["hunt"]["ends_at"] = rfc3339(now + timedelta(hours=2))
    document["clues"].append(
        {
            "id": "midnight",
            "title": "At the stroke",
            "points": 50,
            "opens_at": rfc3339(opens_at),
            "answer": {"kind": "text", "accept": ["twelve"]},
        }
    )
    return document


class StreamWatch:
    """A team's event stream read on a thread; `opened` holds the clues it was told of."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.opened: list[str] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(base, headers), daemon=True)
        self._thread.start()

    def _read(self, base: str, headers: dict[str, str]) -> None:
        with (
            httpx.Client(base_url=base, timeout=None) as client,
            client.stream("GET", "/api/hunts/harbour-night/stream", headers=headers) as response,
        ):
            self.connected.set()
            event = ""
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("event: "):
                    event = line.removeprefix("event: ")
                elif line.startswith("data: ") and event == "team":
                    data = json.loads(line.removeprefix("data: "))
                    if data.get("type") == "clue_opened":
                        self.opened.append(data["clue"])

    def close(self) -> None:
        self._stop.set()


def test_a_clue_that_opens_while_the_node_is_down_is_open_for_every_team_after(
    tmp_path: Path,
) -> None:
    db = tmp_path / "drill.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    opens_at = now + timedelta(seconds=OPENS_IN_S)
    server = start_server(db, port)
    try:
        with httpx.Client(base_url=base, timeout=10.0) as client:
            wait_ready(client, server)
            created = client.post("/api/hunts", json=timed_hunt(opens_at, now), headers=ORG)
            assert created.status_code == 201, created.text
            teams = []
            for n in range(TEAMS):
                body = client.post("/api/hunts/harbour-night/teams", json={"name": f"Team {n}"})
                assert body.status_code == 201, body.text
                teams.append({"Authorization": f"Bearer {body.json()['token']}"})
            answer = {"clue": "midnight", "answer": "twelve"}
            for headers in teams:
                refused = client.post(
                    "/api/hunts/harbour-night/submissions", json=answer, headers=headers
                )
                assert refused.status_code == 409, refused.text
                assert rfc3339(opens_at) in refused.json()["error"]["message"]
            assert datetime.now(UTC) < opens_at, "the refusals took longer than the drill allows"

            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
            wait_until(opens_at)  # the opening passes while nothing runs
            server = start_server(db, port)
            wait_ready(client, server)

            for headers in teams:
                view = client.get("/api/hunts/harbour-night", headers=headers).json()
                assert "midnight" in [c["id"] for c in view["clues"]]
                accepted = client.post(
                    "/api/hunts/harbour-night/submissions", json=answer, headers=headers
                )
                assert accepted.status_code == 200, accepted.text
                assert accepted.json()["result"] == "correct"

            # The restarted node's timer: a revision adds a clue opening shortly.
            watch = StreamWatch(base, teams[0])
            assert watch.connected.wait(10)
            later = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
            revised = timed_hunt(opens_at, now)
            revised["clues"].append(
                {
                    "id": "dawn",
                    "title": "First light",
                    "points": 50,
                    "opens_at": rfc3339(later),
                    "answer": {"kind": "text", "accept": ["sunrise"]},
                }
            )
            assert (
                client.put("/api/hunts/harbour-night", json=revised, headers=ORG).status_code == 200
            )
            deadline = time.monotonic() + 15
            while "dawn" not in watch.opened:
                assert time.monotonic() < deadline, f"no clue_opened for dawn: {watch.opened}"
                time.sleep(0.05)
            told_at = datetime.now(UTC)
            watch.close()
            assert told_at >= later
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
