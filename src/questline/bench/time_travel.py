"""time_travel: the board at a random version of a 1,000,000-event hunt with 10,000 teams
(log-features.md, issue 17) as `leaderboard?version=` serves it (its default page of
100 and the total), from the ledger (every team's series searched by version and
ranked; the page's standings made), against its peer, a fresh fold of the first v
events; what the ledger costs in memory;
and the hash chain's cost on the engine suite's commands (and on deciding alone): the
same events hashed again on their own, against the time it took to make them."""

import gc
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import msgspec

from questline.bench.common import Result, Stopwatch, bar_plot, goal, percentiles, rss_bytes, tiny
from questline.bench.engine import run_questline
from questline.bench.event_generator import LogShape, template_events
from questline.domain.events import RecordedEvent
from questline.domain.hash_chain import event_hash
from questline.domain.ledger import HuntLedger
from questline.domain.standings import Standings
from questline.engine.batch_decider import BatchDecider
from questline.loadgen.workload import HOUR, Workload
from questline.ports import CommandEnvelope

PAGE = 100  # the leaderboard route's default limit


def _events(count: int, teams: int) -> list[RecordedEvent]:
    events: list[RecordedEvent] = []
    # 24 clues: with the workload's 8 a team has solved everything at about 80 events,
    # and a log of 100 events per team takes ever longer to reach.
    shape = LogShape(hunts=1, teams_per_hunt=teams, templates=1, clues=24)
    for batch in template_events(shape):
        events.extend(batch)
        if len(events) >= count:
            return events[:count]
    return events  # pragma: no cover - the stream never ends


def _fresh_board(events: list[RecordedEvent], version: int) -> list[str]:
    """The peer: fold the first `version` events into fresh standings, then rank."""
    first = events[0].event
    standings = Standings(first.definition)  # type: ignore[union-attr]
    for recorded in events[1:version]:
        standings.apply(recorded)
    return standings.ranked()


class HashCost(msgspec.Struct):
    decide_per_cpu_second: float  # commands the BatchDecider decides per CPU second
    share_of_deciding: float  # of the decider's time, the hash chain's
    engine_per_cpu_second: float  # the engine suite: decided, committed, projected
    share_of_engine: float  # of the engine suite's time, the hash chain's


def _hash_cost(commands: int) -> HashCost:
    """The realistic mix decided by the BatchDecider (which chains every event), then the
    same events hashed again on their own, as the decider hashes them: the chain's share
    of deciding. The engine suite's way (decide, append to SQLite, project, commit: what
    `questline bench engine` measures) on the same mix gives the chain's share of that."""
    workload = Workload(hunts=4, teams=2_000, seed=7)
    decider = BatchDecider(recent_capacity=0)
    now = workload.starts_at + HOUR
    setup = [CommandEnvelope(f"s{i}", c, remember=False) for i, c in enumerate(workload.setup())]
    decider.decide_batch(setup, now, lambda ids: {})
    plays = workload.play(commands)
    batch = [CommandEnvelope(f"p{i}", next(plays), remember=False) for i in range(commands)]
    events: list[RecordedEvent] = []
    with Stopwatch() as deciding:
        for start in range(0, commands, 1000):
            events += decider.decide_batch(batch[start : start + 1000], now, lambda ids: {}).events
    with Stopwatch() as hashing:  # what the decider does per event to chain it
        for r in events:
            event_hash(r.hash, r.hunt_id, r.version, r.time, r.event)
    per_event = hashing.cpu / len(events)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        engine, _ = run_questline(Path(tmp), "normal", workload, commands)
    return HashCost(
        commands / deciding.cpu,
        hashing.cpu / deciding.cpu,
        commands / engine["cpu_seconds"],
        per_event * engine["events"] / engine["cpu_seconds"],
    )


def run(quick: bool) -> tuple[Result, Any]:
    count, teams = (100_000, 1_000) if quick else (1_000_000, 10_000)
    if tiny():
        count, teams = 20_000, 200
    events = _events(count, teams)
    gc.collect()
    before = rss_bytes()
    with Stopwatch() as build:
        ledger = HuntLedger.of(events[0])
        for recorded in events[1:]:
            ledger.apply(recorded)
    gc.collect()
    ledger_bytes = max(rss_bytes() - before, 0)
    rng = random.Random(1)
    versions = [rng.randint(1, ledger.version) for _ in range(200)]
    timings = []  # what `leaderboard?version=` serves: its default page, and the total
    for version in versions:
        started = time.perf_counter()
        ledger.page(version, limit=PAGE)
        timings.append((time.perf_counter() - started) * 1000)
    whole = []  # every team's standing (the certificate's board)
    for version in versions[:20]:
        started = time.perf_counter()
        ledger.board(version)
        whole.append((time.perf_counter() - started) * 1000)
    peer_timings = []
    for version in versions[:10]:
        started = time.perf_counter()
        _fresh_board(events, version)
        peer_timings.append((time.perf_counter() - started) * 1000)
    p50, p99 = percentiles(timings, 50, 99)
    peer_p50 = percentiles(peer_timings, 50)[0]
    commands = 20_000 if quick or tiny() else 100_000
    cost = _hash_cost(commands)
    body: Result = {
        "events": len(events),
        "teams": teams,
        "ledger_build": {
            "seconds": round(build.wall, 2),
            "events_per_second": round(count / build.wall),
        },
        "ledger_memory_bytes": ledger_bytes,
        "ledger_bytes_per_event": round(ledger_bytes / count, 1),
        "board_at_version_ms": {"p50": round(p50, 2), "p99": round(p99, 2), "page": PAGE},
        "whole_board_at_version_ms": {"p50": round(percentiles(whole, 50)[0], 2)},
        "fresh_fold_peer_ms": {"p50": round(peer_p50, 1)},
        "ratio_peer_vs_ledger_p50": round(peer_p50 / p50, 1) if p50 else None,
        "decide_commands_per_cpu_second": round(cost.decide_per_cpu_second),
        "hash_chain_share_of_deciding": round(cost.share_of_deciding, 3),
        "engine_commands_per_cpu_second": round(cost.engine_per_cpu_second),
        "hash_chain_share_of_engine_suite": round(cost.share_of_engine, 3),
        "goals": [
            goal(
                "leaderboard?version= p99 on a 1,000,000-event hunt of 10,000 teams",
                p99 < 20 and count >= 1_000_000,
                f"{p99:.2f} ms" + ("" if count >= 1_000_000 else f" (quick: {count:,} events)"),
                "< 20 ms",
            ),
            goal(
                "the hash chain's cost on the engine suite (decide, append, project, commit)",
                cost.share_of_engine < 0.10,
                f"{cost.share_of_engine:.1%} (of deciding alone: {cost.share_of_deciding:.1%})",
                "< 10%",
            ),
        ],
    }
    return body, body


def plot(target: Path, body: Any) -> None:
    bar_plot(
        target,
        f"board at a random version ({body['events']:,} events, {body['teams']:,} teams), p50",
        ["ledger", "fresh fold (peer)"],
        [body["board_at_version_ms"]["p50"], body["fresh_fold_peer_ms"]["p50"]],
        "ms",
    )
