"""The demo's rounds, so the live pages never go still: simulated teams play a
sample hunt at a real field's pace, new teams join while the round is young, and
when every team has finished (or stopped), or the hunt has ended, a fresh hunt
starts as the next round, announced on the board of the one before."""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import yaml

from questline.demo.sample_hunt import sample_document
from questline.domain.definition import HuntDefinition
from questline.domain.definition_parsing import parse_definition
from questline.domain.timestamps import MICROS_PER_SECOND
from questline.loadgen.latency import LatencyRecorder
from questline.loadgen.open_loop import run_open_loop
from questline.loadgen.pace import Pace
from questline.loadgen.players import Players, judge_photos

JOINING_SHARE = 2 / 3  # teams join during the first two thirds of a round
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class RoundPlan:
    sample: str
    teams: int
    rate: float
    seed: int
    length: timedelta
    freeze_after: timedelta | None
    duration: float | None  # seconds for the whole demo; None: until stopped


@dataclass
class Round:
    number: int
    hunt: HuntDefinition
    players: Players


async def play_rounds(
    client: httpx.AsyncClient,
    plan: RoundPlan,
    organizer: dict[str, str],
    recorder: LatencyRecorder,
    stop: asyncio.Event,
    started: Callable[[Round], None],
) -> None:
    """Round after round until the demo's duration is over or `stop` is set."""
    loop = asyncio.get_running_loop()
    deadline = None if plan.duration is None else loop.time() + plan.duration
    previous: HuntDefinition | None = None
    number = 1
    while not stop.is_set():
        round_ = await _open(client, plan, organizer, number)
        if previous is not None:
            await _announce(
                client,
                previous.id,
                organizer,
                f"Round {number} has started: follow it on /board/{round_.hunt.id}",
            )
        started(round_)
        remaining = None if deadline is None else max(0.0, deadline - loop.time())
        over = await _play(round_, plan, organizer, recorder, stop, remaining)
        if over in ("duration", "stopped"):
            return
        previous = round_.hunt
        number += 1


async def _open(
    client: httpx.AsyncClient, plan: RoundPlan, organizer: dict[str, str], number: int
) -> Round:
    document, scale = sample_document(
        plan.sample,
        datetime.now(UTC),
        round_number=number,
        length=plan.length,
        freeze_after=plan.freeze_after,
    )
    hunt = parse_definition(document)
    created = await client.post(
        "/api/hunts",
        content=yaml.safe_dump(document, sort_keys=False),
        headers={**organizer, "Content-Type": "application/yaml"},
    )
    if created.status_code not in (201, 409):
        raise RuntimeError(f"could not create the sample hunt {hunt.id!r}: {created.text}")
    players = Players(client, hunt, seed=plan.seed + number - 1, pace=Pace(scale))
    await players.register(plan.teams)
    return Round(number, hunt, players)


async def _play(
    round_: Round,
    plan: RoundPlan,
    organizer: dict[str, str],
    recorder: LatencyRecorder,
    stop: asyncio.Event,
    duration: float | None,
) -> str:
    """Play the round; say why it is over: duration, stopped, finished or ended."""
    done = asyncio.Event()
    players = round_.players
    tasks = [
        asyncio.create_task(
            run_open_loop(plan.rate, players.next_action, recorder, duration=duration, stop=done)
        ),
        asyncio.create_task(
            judge_photos(players, organizer, random.Random(plan.seed + round_.number), done)
        ),
        asyncio.create_task(_keep_joining(round_, plan, done)),
    ]
    load = tasks[0]
    ends_at = round_.hunt.ends_at / MICROS_PER_SECOND
    try:
        while True:
            await asyncio.wait({load}, timeout=POLL_SECONDS)
            if load.done():
                return "duration"
            if stop.is_set():
                return "stopped"
            if players.all_done():
                return "finished"
            if time.time() >= ends_at:
                return "ended"
    finally:
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _keep_joining(round_: Round, plan: RoundPlan, done: asyncio.Event) -> None:
    """A new team every so often while the round is young: half as many again."""
    hunt = round_.hunt
    joining = (hunt.ends_at - hunt.starts_at) / MICROS_PER_SECOND * JOINING_SHARE
    joiners = max(1, plan.teams // 2)
    every = joining / joiners
    until = hunt.starts_at / MICROS_PER_SECOND + joining
    for _ in range(joiners):
        try:
            await asyncio.wait_for(done.wait(), every)
            return
        except TimeoutError:
            pass
        if time.time() >= until:
            return
        await round_.players.add_team("Late")


async def _announce(
    client: httpx.AsyncClient, hunt_id: str, organizer: dict[str, str], text: str
) -> None:
    response = await client.post(
        f"/api/hunts/{hunt_id}/announcements", json={"text": text}, headers=organizer
    )
    response.raise_for_status()
