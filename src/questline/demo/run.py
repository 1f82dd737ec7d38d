"""Run the demo: an embedded node serving a sample hunt, simulated teams playing
it at a real field's pace in rounds (`rounds.py`), a simulated judge, and a live
view in the terminal."""

import asyncio
import tempfile
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console
from rich.live import Live

from questline.demo.dashboard import render, summary_line
from questline.demo.rounds import Round, RoundPlan, play_rounds
from questline.demo.sample_hunt import SAMPLES
from questline.http.abuse_limits import AbuseSettings
from questline.http.embedded import build_embedded_node
from questline.http.tokens import new_organizer_token
from questline.http.uvicorn_setup import uvicorn_config
from questline.loadgen.latency import LatencyRecorder
from questline.observability.logs import configure_logging


@dataclass
class DemoSettings:
    teams: int = 40
    rate: float = 25.0
    host: str = "127.0.0.1"
    port: int = 8080
    db: Path | None = None
    duration: float | None = None
    seed: int = 7
    freeze_after: timedelta = timedelta(minutes=30)  # into each round; none if past its end
    hunt: str = SAMPLES[0]  # which sample hunt (sample_hunt.SAMPLES)
    round_minutes: float = 10.0  # each round: the sample's whole timeline compressed into it
    # Play against a running server (a cluster's API node) instead of starting one.
    target: str | None = None
    organizer_token: str | None = None


@dataclass
class DemoResult:
    recorder: LatencyRecorder
    db: Path
    organizer_token: str


class _ServerThread:
    def __init__(self, server: uvicorn.Server) -> None:
        self.server = server
        self.thread = threading.Thread(target=server.run, name="questline-http", daemon=True)

    def __enter__(self) -> "_ServerThread":
        self.thread.start()
        return self

    def wait_started(self, timeout: float = 30.0) -> None:
        event = threading.Event()

        def poll() -> None:
            while not self.server.started and self.thread.is_alive():
                event.wait(0.02)
            event.set()

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        poller.join(timeout)
        if not self.server.started:
            raise RuntimeError("the HTTP server did not start (is the port free?)")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def run_demo(settings: DemoSettings, console: Console | None = None) -> DemoResult:
    console = console or Console()
    if settings.target is not None:
        return _run_against(settings, console)
    db = settings.db or Path(tempfile.mkdtemp(prefix="questline-demo-")) / "demo.db"
    # The terminal shows the live board: the node's ECS JSON log lines go to a file.
    log_path = db.parent / "demo.log"
    configure_logging(stream=log_path.open("a", encoding="utf-8"), fmt="json")
    console.print(f"logs (ECS JSON, one line per request and per event): {log_path}")
    organizer_token = new_organizer_token()
    # Every simulated team registers from this machine: no per-address limit on that.
    node = build_embedded_node(
        db,
        organizer_token=organizer_token,
        abuse=AbuseSettings(registrations_per_address=0, registrations_per_hunt=0),
    )
    config = uvicorn_config(
        node.app, host=settings.host, port=settings.port, loop="asyncio", lifespan="on"
    )
    server = uvicorn.Server(config)
    recorder = LatencyRecorder()
    try:
        with _ServerThread(server) as thread:
            thread.wait_started()
            asyncio.run(_play(settings, organizer_token, recorder, console))
    except KeyboardInterrupt:
        console.print("stopping: finishing the batch in flight, then closing the database")
    finally:
        node.store.close()
    console.print(summary_line(recorder))
    console.print(f"the database stays at {db}; `questline verify --db {db}` checks it")
    return DemoResult(recorder, db, organizer_token)


def _run_against(settings: DemoSettings, console: Console) -> DemoResult:
    if not settings.organizer_token:
        raise ValueError("--target needs --organizer-token (cluster up prints one)")
    recorder = LatencyRecorder()
    try:
        asyncio.run(_play(settings, settings.organizer_token, recorder, console))
    except KeyboardInterrupt:
        console.print("stopping")
    console.print(summary_line(recorder))
    return DemoResult(recorder, Path(), settings.organizer_token)


async def _play(
    settings: DemoSettings, organizer_token: str, recorder: LatencyRecorder, console: Console
) -> None:
    base = settings.target or f"http://{settings.host}:{settings.port}"
    organizer = {"Authorization": f"Bearer {organizer_token}"}
    plan = RoundPlan(
        sample=settings.hunt,
        teams=settings.teams,
        rate=settings.rate,
        seed=settings.seed,
        length=timedelta(minutes=settings.round_minutes),
        freeze_after=settings.freeze_after,
        duration=settings.duration,
    )
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:
        current: list[Round] = []

        def started(round_: Round) -> None:
            current[:] = [round_]
            _print_welcome(console, base, organizer_token, round_)

        stop = asyncio.Event()
        rounds = asyncio.create_task(play_rounds(client, plan, organizer, recorder, stop, started))
        try:
            await _show(console, client, current, organizer, recorder, rounds)
        finally:
            stop.set()
            await asyncio.gather(rounds, return_exceptions=True)
        rounds.result()  # a round that could not start says why


async def _show(
    console: Console,
    client: httpx.AsyncClient,
    current: list[Round],
    organizer: dict[str, str],
    recorder: LatencyRecorder,
    rounds: "asyncio.Task[None]",
) -> None:
    """The live board of the round being played, until the rounds are over."""

    async def board() -> dict[str, object] | None:
        if not current:
            return None
        url = f"/api/hunts/{current[0].hunt.id}/leaderboard?limit=10"
        response = await client.get(url, headers=organizer)
        return response.json() if response.status_code == 200 else None

    def title() -> str:
        return current[0].hunt.title if current else "Questline demo"

    if not console.is_terminal:
        while not rounds.done():
            await asyncio.wait({rounds}, timeout=2.0)
            console.print(summary_line(recorder))
        return
    with Live(render(None, recorder, title()), console=console, refresh_per_second=4) as live:
        while not rounds.done():
            live.update(render(await board(), recorder, title()))
            await asyncio.wait({rounds}, timeout=0.5)


def _print_welcome(console: Console, base: str, organizer_token: str, round_: Round) -> None:
    hunt_id = round_.hunt.id
    players = round_.players
    console.print(
        f"[bold]Questline demo[/] — round {round_.number}: hunt [bold]{hunt_id}[/] at {base}"
    )
    console.print(f"  hunt:        {base}/api/hunts/{hunt_id}")
    console.print(f"  leaderboard: {base}/api/hunts/{hunt_id}/leaderboard")
    console.print(f"  live stream: {base}/api/hunts/{hunt_id}/stream")
    console.print(f"  OpenAPI:     {base}/openapi.json")
    console.print(
        f"  pages:       {base}/board/{hunt_id} (big screen), {base}/play/{hunt_id} (teams),"
    )
    console.print(f"               {base}/organize (organizers), {base}/ops (operators)")
    console.print(f"  organizer token: {organizer_token}")
    for team in players.teams[:3]:
        console.print(f"  team {team.team_id} token: {team.token}")
    console.print("Press Ctrl-C to stop.")
