"""leaderboard: top-100 read latency at 1,000, 10,000 and 100,000 teams while a storm
of solves runs (a writer process committing solve batches to the same file).
Peer: CTFd's way, one SQL aggregate over the log on every read."""

import multiprocessing
import tempfile
import time
from pathlib import Path
from typing import Any

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.bench.common import (
    Result,
    Stopwatch,
    goal,
    line_plot,
    percentiles,
    scaled_time,
    tiny,
)
from questline.bench.event_generator import LogShape, populate
from questline.domain.commands import Submit, TextGiven, UnlockHint
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope

HUNT = "w-000"  # the generated log's first hunt
_AGGREGATE = (
    "SELECT json_extract(payload, '$.team_id') AS team,"
    " SUM(json_extract(payload, '$.points') + json_extract(payload, '$.bonus')) AS score,"
    " MAX(version) AS last FROM events WHERE hunt_id = ? AND type = 'clue_solved'"
    " GROUP BY team ORDER BY score DESC, last LIMIT 100"
)


def _engine(db: Path, start: int) -> tuple[HuntEngine, ManualClock]:
    clock = ManualClock(start)
    return HuntEngine(SqliteStore(db, "normal"), clock), clock


def prepare(db: Path, teams: int) -> float:
    """One hunt of `teams` teams that have played for a while (about two commands
    per team of the realistic mix, so the board has a spread of scores), read
    models built by `replay`; returns the seconds it took."""
    store = SqliteStore(db, "normal")
    try:
        with Stopwatch() as watch:
            populate(store, 1 + teams * 3, LogShape(hunts=1, teams_per_hunt=teams, templates=1))
    finally:
        store.close()
    return watch.wall


def storm(db: str, teams: int, stop: Any, counter: Any) -> None:
    """Solves (and hints), 500 commands a batch, until stopped."""
    workload = Workload(hunts=1, teams=teams)
    engine, clock = _engine(Path(db), workload.starts_at + 3_600_000_000)
    engine.recover()
    index = 0
    while not stop.is_set():
        batch = []
        for _ in range(500):
            team = f"t-{(index * 7919) % teams + 1}"
            clue = ("c0", "c1", "c3")[index % 3]
            command = (
                UnlockHint(HUNT, team, clue, "h")
                if index % 10 == 0
                else Submit(HUNT, team, clue, TextGiven(f"answer {clue[1:]}"))
            )
            batch.append(CommandEnvelope(f"s{index}", command))
            index += 1
        clock.advance(1000)
        engine.execute(batch)
        counter.value = index
    engine.store.close()


def measure(db: Path, teams: int, seconds: float, peer_seconds: float) -> Result:
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    counter = context.Value("q", 0)
    writer = context.Process(target=storm, args=(str(db), teams, stop, counter))
    writer.start()
    store = SqliteStore(db, "normal", create=False)
    try:
        # Reads start once the storm commits (its engine first recovers the log).
        deadline = time.monotonic() + 300
        while counter.value == 0:
            if not writer.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the storm process did not start committing")
            time.sleep(0.01)
        before = counter.value
        latencies: list[float] = []
        cpu: list[float] = []  # this thread's CPU time per read: the work, without the waits
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        while time.monotonic() < deadline:
            t = time.perf_counter()
            c = time.thread_time()
            rows = store.read_models.leaderboard(HUNT, "live", 100, 0)
            latencies.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
            assert len(rows) == min(100, teams)
        storm_rate = (counter.value - before) / (time.monotonic() - started)
        peer: list[float] = []
        reader = store._reader()
        deadline = time.monotonic() + peer_seconds
        while time.monotonic() < deadline or not peer:
            t = time.perf_counter()
            reader.execute(_AGGREGATE, (HUNT,)).fetchall()
            peer.append(time.perf_counter() - t)
    finally:
        stop.set()
        writer.join(timeout=60)
        store.close()
    p50, p95, p99 = percentiles(latencies, 50, 95, 99)
    q50, q95, q99 = percentiles(peer, 50, 95, 99)
    c50, c99 = percentiles(cpu, 50, 99)
    return {
        "teams": teams,
        "reads": len(latencies),
        "storm_commands_per_second": round(storm_rate),
        "questline_ms": {
            "p50": round(p50 * 1e3, 3),
            "p95": round(p95 * 1e3, 3),
            "p99": round(p99 * 1e3, 3),
            "cpu_p50": round(c50 * 1e3, 3),
            "cpu_p99": round(c99 * 1e3, 3),
        },
        "sql_aggregate_peer_ms": {
            "reads": len(peer),
            "p50": round(q50 * 1e3, 3),
            "p95": round(q95 * 1e3, 3),
            "p99": round(q99 * 1e3, 3),
        },
        "ratio_p99_peer_over_questline": round(q99 / p99, 1) if p99 else None,
    }


def run(quick: bool) -> tuple[Result, Any]:
    sizes = [1_000] if tiny() else [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    seconds = scaled_time(3.0 if quick else 10.0)
    points = []
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        for teams in sizes:
            db = Path(tmp) / f"lb-{teams}.db"
            setup = prepare(db, teams)
            point = measure(db, teams, seconds, scaled_time(2.0 if quick else 5.0))
            points.append({**point, "setup_seconds": round(setup, 1)})
    largest = points[-1]
    p99 = largest["questline_ms"]["p99"]
    body: Result = {
        "sizes": points,
        "goals": [
            goal(
                f"top-100 p99 at {largest['teams']:,} teams during the storm",
                p99 < 5 and largest["teams"] >= 100_000,
                f"{p99} ms" + ("" if largest["teams"] >= 100_000 else " (quick: not at 100,000)"),
                "< 5 ms at 100,000 teams",
            )
        ],
    }
    return body, points


def plot(target: Path, points: Any) -> None:
    line_plot(
        target,
        "leaderboard: top-100 read p99 during a solve storm",
        [float(p["teams"]) for p in points],
        {
            "questline p99": [p["questline_ms"]["p99"] for p in points],
            "questline p50": [p["questline_ms"]["p50"] for p in points],
            "SQL aggregate per read (CTFd way) p99": [
                p["sql_aggregate_peer_ms"]["p99"] for p in points
            ],
        },
        "teams",
        "ms",
        log_x=True,
    )
