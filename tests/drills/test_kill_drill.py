"""The real thing: `questline serve` as a subprocess under load from the load
generator's simulated players (every POST with an Idempotency-Key), killed with
SIGKILL mid-load, restarted, then stopped with SIGTERM. Afterwards: every command
acknowledged with 200/201 is in the log exactly once, and `questline verify`
passes. The figures go to docs/drills.md."""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.demo.sample_hunt import city_hunt_yaml
from questline.domain.definition_text import load_hunt_text
from questline.http.command_runner import idempotency_command_id
from questline.loadgen.latency import LatencyRecorder
from questline.loadgen.open_loop import run_open_loop
from questline.loadgen.players import Players
from tests.drills.report import write_section

TOKEN = "qlo_organizer-token-for-the-kill-drill"
RATE = 150.0  # requests per second from the players


class RecordingPlayers(Players):
    """The load generator's players, noting each keyed request and its final status."""

    def __init__(self, client: httpx.AsyncClient, hunt: Any, seed: int) -> None:
        super().__init__(client, hunt, seed=seed)
        # (team id, key, url, request kwargs, final status or None for no answer)
        self.requests: list[tuple[str, str, str, dict[str, Any], int | None]] = []

    async def _post_retrying(
        self, url: str, headers: dict[str, str], **kwargs: Any
    ) -> httpx.Response:
        team_id = next(t.team_id for t in self.teams if t.headers == headers)
        key = uuid.uuid4().hex
        keyed = {**headers, "Idempotency-Key": key}
        try:
            response = await self.client.post(url, headers=keyed, **kwargs)
            for _ in range(3):  # shed: retry with the same key, as the players do
                if response.status_code != 503:
                    break
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                response = await self.client.post(url, headers=keyed, **kwargs)
        except httpx.TransportError:
            self.requests.append((team_id, key, url, kwargs, None))
            raise
        self.requests.append((team_id, key, url, kwargs, response.status_code))
        return response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(db: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QUESTLINE_ORGANIZER_TOKEN": TOKEN}
    return subprocess.Popen(
        [sys.executable, "-m", "questline", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> float:
    """Seconds until /readyz answers 200."""
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=2.0) as client:
        while True:
            assert server.poll() is None, f"the server exited with {server.returncode}"
            try:
                if (await client.get("/readyz")).status_code == 200:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            assert time.monotonic() - started < timeout, "the server did not get ready"
            await asyncio.sleep(0.02)


async def drill(db: Path) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port)
    await wait_ready(base, server)
    yaml_text = city_hunt_yaml()
    hunt = load_hunt_text(yaml_text)
    org = {"Authorization": f"Bearer {TOKEN}"}
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=base, timeout=10.0, limits=limits) as client:
        created = await client.post(
            "/api/hunts", content=yaml_text, headers={**org, "Content-Type": "application/yaml"}
        )
        assert created.status_code == 201, created.text
        players = RecordingPlayers(client, hunt, seed=11)
        await players.register(30)
        recorder = LatencyRecorder()
        load = asyncio.create_task(run_open_loop(RATE, players.next_action, recorder, duration=6))
        while sum(1 for r in players.requests if r[4] == 200) < 200:  # well into the load
            await asyncio.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        killed_at = time.monotonic()
        server = start_server(db, port)
        restart = await wait_ready(base, server)
        downtime = time.monotonic() - killed_at
        await load
        # Whatever got no answer (in flight at the kill, or sent while it was down)
        # is retried with its key: it has one effect, whether or not it was committed.
        unanswered = [r for r in players.requests if r[4] is None or r[4] == 503]
        retried: list[tuple[str, str, str, dict[str, Any], int | None]] = []
        for team_id, key, url, kwargs, _ in unanswered:
            team = next(t for t in players.teams if t.team_id == team_id)
            response = await client.post(
                url, headers={**team.headers, "Idempotency-Key": key}, **kwargs
            )
            retried.append((team_id, key, url, kwargs, response.status_code))
    # Graceful: stop taking commands, drain the batch in flight, snapshot, exit. Once
    # it shut down, uvicorn re-raises the SIGTERM it caught, so that is the exit status.
    server.send_signal(signal.SIGTERM)
    assert server.wait(60) in (0, -signal.SIGTERM)
    final = {key: status for _, key, _, _, status in players.requests}
    final.update({key: status for _, key, _, _, status in retried})
    return {
        "hunt": hunt.id,
        "teams": {key: team for team, key, _, _, _ in players.requests},
        "final": final,
        "unanswered": len(unanswered),
        "first_statuses": Counter(str(r[4]) for r in players.requests),
        "restart": restart,
        "downtime": downtime,
        "sent": recorder.sent,
    }


def test_kill_9_mid_load_loses_and_doubles_nothing(tmp_path: Path) -> None:
    db = tmp_path / "drill.db"
    outcome = asyncio.run(drill(db))
    verified = subprocess.run(
        [sys.executable, "-m", "questline", "verify", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    hunt_id = outcome["hunt"]
    acked = {
        idempotency_command_id(hunt_id, f"team:{outcome['teams'][key]}", key)[0]
        for key, status in outcome["final"].items()
        if status in (200, 201)
    }
    store = SqliteStore(db, create=False)
    snapshots = SqliteSnapshotStore(db)
    try:
        log = list(store.events.read(hunt_id=hunt_id))
        recorded = store.commands.find(sorted(acked))
        # The shutdown ran to its end: the snapshot taken after the writer drained
        # is at the head of the log.
        [snapshot] = snapshots.load_all()
        assert (snapshot.hunt_id, snapshot.version) == (hunt_id, log[-1].version)
    finally:
        store.close()
        snapshots.close()
    runs: Counter[str] = Counter()
    previous = None
    for recorded_event in log:
        if recorded_event.command_id != previous:
            runs[recorded_event.command_id] += 1
        previous = recorded_event.command_id
    lost = sorted(acked - set(recorded))
    duplicated = sorted(c for c in acked if runs[c] > 1)
    assert outcome["unanswered"] > 0, "the kill should have caught requests in flight"
    figures = [
        "## Kill -9 mid-load (tests/drills/test_kill_drill.py)",
        "",
        f"`questline serve` under the load generator at {RATE:.0f} requests/s"
        " (30 simulated teams, every POST with an Idempotency-Key), SIGKILL mid-load,"
        " restart, unanswered requests retried with their keys, then SIGTERM.",
        "",
        f"- requests sent by the players: {outcome['sent']}; first answers: "
        + ", ".join(f"{k}: {v}" for k, v in sorted(outcome["first_statuses"].items())),
        f"- without an answer at the kill or while down (retried with the same key):"
        f" {outcome['unanswered']}",
        f"- commands acknowledged (200/201): {len(acked)}, of which"
        f" {sum(1 for c in acked if runs[c])} decided events; the others were answered"
        " from state without one (`already_solved`, a hint already unlocked), and are"
        " in the command log",
        f"- lost: {len(lost)}; duplicated: {len(duplicated)}",
        f"- time to recover: {outcome['restart']:.2f} s from the restart to /readyz 200"
        f" ({outcome['downtime']:.2f} s from the kill)",
        f"- events in the hunt's log: {len(log)}; `questline verify`: passed;"
        " SIGTERM: drained and snapshotted at the head of the log",
    ]
    write_section("kill-9", "\n".join(figures))
    assert lost == [], f"acknowledged but not in the log: {lost[:5]}"
    assert duplicated == [], f"decided twice: {duplicated[:5]}"
