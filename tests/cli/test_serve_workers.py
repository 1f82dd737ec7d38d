"""`questline serve --workers 2`: two HTTP processes over the one writer, on one port.

One real server for the whole file (a subprocess on a temporary database, its ECS
access log in a file): each request's line names the process that answered it (its
`process.pid`) and the request's correlation id, which the tests choose. Requests go
on fresh connections, so the kernel hands them to either process."""

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from questline.bench.common import processes
from tests.api.conftest import SseReader
from tests.hostile.live_server import free_port, wait_until
from tests.hunt_builders import spec_document

pytestmark = pytest.mark.timeout(120)

TOKEN = "qlo_organizer-token-for-the-workers-tests"
ORG = {"Authorization": f"Bearer {TOKEN}"}
HUNT = "harbour-night"


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def request(self, method: str, path: str, **kwargs: Any) -> tuple[httpx.Response, str]:
        """One request on a new connection; (response, its correlation id)."""
        correlation = uuid.uuid4().hex
        headers = {**kwargs.pop("headers", {}), "X-Correlation-Id": correlation}
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            return client.request(method, path, headers=headers, **kwargs), correlation

    def pid_of(self, correlation: str) -> int:
        """The process that answered the request (its access log line, once written)."""
        found: list[int] = []

        def logged() -> bool:
            for line in self.log.read_text().splitlines():
                if correlation in line and line.startswith("{"):
                    entry = json.loads(line)
                    if (
                        entry.get("trace", {}).get("id") == correlation
                        and entry["log"]["logger"] == "questline.http"  # the access log
                    ):
                        found.append(entry["process"]["pid"])
                        return True
            return False

        wait_until(logged, 30, f"the access log line of request {correlation}")
        return found[0]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("workers")
    log = folder / "serve.log"
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "questline",
            "serve",
            "--db",
            str(folder / "hunts.db"),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env={**os.environ, "QUESTLINE_ORGANIZER_TOKEN": TOKEN, "QUESTLINE_LOG_LEVEL": "INFO"},
        stdout=log.open("wb"),
        stderr=(folder / "serve.err").open("wb"),
    )
    live = Served(process, f"http://127.0.0.1:{port}", log)

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {(folder / 'serve.err').read_text()}")
        try:
            return httpx.get(f"{live.base_url}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(up, 60, "serve --workers 2 answering /healthz")
        document = spec_document()
        now = datetime.now(UTC)
        del document["hunt"]["freeze_at"]
        document["hunt"]["starts_at"] = (now - timedelta(hours=1)).isoformat()
        document["hunt"]["ends_at"] = (now + timedelta(hours=4)).isoformat()
        created, _ = live.request("POST", "/api/hunts", json=document, headers=ORG)
        assert created.status_code == 201, created.text
        yield live
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def register(served: Served, name: str) -> tuple[str, dict[str, str]]:
    response, _ = served.request("POST", f"/api/hunts/{HUNT}/teams", json={"name": name})
    assert response.status_code == 201, response.text
    body = response.json()
    return body["team_id"], {"Authorization": f"Bearer {body['token']}"}


def solve(served: Served, team: dict[str, str]) -> int:
    """The lighthouse solved by `team`; the pid of the process that decided it."""
    response, correlation = served.request(
        "POST",
        f"/api/hunts/{HUNT}/submissions",
        json={"clue": "lighthouse", "answer": "keeper"},
        headers=team,
    )
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "correct"
    return served.pid_of(correlation)


def test_both_processes_decide_solves_and_each_is_read_at_once(served: Served) -> None:
    pids: set[int] = set()
    for attempt in range(40):
        team_id, team = register(served, f"Readers {attempt}")
        pids.add(solve(served, team))
        # Right after the 200, on a new connection (either process): the solve is there.
        view, _ = served.request("GET", f"/api/hunts/{HUNT}/teams/{team_id}", headers=team)
        assert view.status_code == 200, view.text
        assert "lighthouse" in json.dumps(view.json()["solved"]), view.json()
        if len(pids) == 2 and attempt >= 4:
            break
    assert len(pids) == 2, f"every answer came from one process: {pids}"
    assert served.process.pid not in pids  # the parent is the writer, not an HTTP process


def test_a_stream_receives_solves_decided_by_either_process(served: Served) -> None:
    with (
        httpx.Client(base_url=served.base_url, timeout=30) as client,
        client.stream("GET", f"/api/hunts/{HUNT}/stream") as response,
    ):
        assert response.status_code == 200
        reader = SseReader(response)
        try:
            solved: dict[str, int] = {}  # team -> the pid that decided its solve
            for attempt in range(40):
                team_id, team = register(served, f"Streamers {attempt}")
                solved[team_id] = solve(served, team)
                if len(set(solved.values())) == 2:
                    break
            assert len(set(solved.values())) == 2, "every solve came from one process"
            waiting = set(solved)

            def on_the_board(event: dict[str, Any]) -> bool:
                if event.get("event") == "leaderboard":
                    waiting.difference_update(row["team_id"] for row in event["data"]["rows"])
                return not waiting

            reader.until(on_the_board, timeout=30)
        finally:
            reader.close()
    # Whichever process held the stream, a solve decided by the other one reached it.
    assert not waiting


def test_an_http_process_that_dies_is_started_again(served: Served) -> None:
    before = _children_of(served.process.pid)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)

    def replaced() -> bool:
        now = _children_of(served.process.pid)
        return len(now) == 2 and before[0] not in now

    wait_until(replaced, 30, "a new HTTP process in place of the killed one")
    for _ in range(4):  # new connections, whichever process takes them
        answer, _ = served.request("GET", f"/api/hunts/{HUNT}")
        assert answer.status_code == 200


def test_stopping_the_parent_stops_every_process(served: Served) -> None:
    """Last in the file: it stops the shared server."""
    children = _children_of(served.process.pid)
    assert len(children) == 2
    served.process.terminate()
    assert served.process.wait(60) == 0
    for pid in children:
        assert not Path(f"/proc/{pid}").exists(), f"HTTP process {pid} outlived its parent"


def _children_of(parent: int) -> list[int]:
    """The live processes whose parent is `parent` (from /proc; zombies left out)."""
    return [pid for pid, fields in processes() if int(fields[1]) == parent and fields[0] != "Z"]
