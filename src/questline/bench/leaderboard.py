"""leaderboard: top-100 read latency at 1,000, 10,000 and 100,000 teams while a storm
of solves runs (a writer process committing solve batches to the same file).
Peer: CTFd's way, one SQL aggregate over the log on every read.

Beside those, a `ranking: finish` hunt with two divisions at the largest size (issue
16): the same storm (its solves include the final clue, so teams finish during it)
while this process reads each division's top 100 in turn, as `?division=` does."""

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
DIVISIONS = ("students", "open")
SCORE_CLUES = ("c0", "c1", "c3")
FINISH_CLUES = ("c0", "c1", "c7")  # c7: the final clue of a `ranking: finish` hunt
_AGGREGATE = (
    "SELECT json_extract(payload, '$.team_id') AS team,"
    " SUM(json_extract(payload, '$.points') + json_extract(payload, '$.bonus')) AS score,"
    " MAX(version) AS last FROM events WHERE hunt_id = ? AND type = 'clue_solved'"
    " GROUP BY team ORDER BY score DESC, last LIMIT 100"
)


def _engine(db: Path, start: int) -> tuple[HuntEngine, ManualClock]:
    clock = ManualClock(start)
    return HuntEngine(SqliteStore(db, "normal"), clock), clock


def prepare(db: Path, teams: int, finish: bool = False) -> float:
    """One hunt of `teams` teams that have played for a while (about two commands
    per team of the realistic mix, so the board has a spread of scores), read
    models built by `replay`; returns the seconds it took. `finish`: the hunt ranks
    by finish and has DIVISIONS."""
    shape = LogShape(
        hunts=1,
        teams_per_hunt=teams,
        templates=1,
        ranking="finish" if finish else "score",
        divisions=DIVISIONS if finish else (),
    )
    store = SqliteStore(db, "normal")
    try:
        with Stopwatch() as watch:
            populate(store, 1 + teams * 3, shape)
    finally:
        store.close()
    return watch.wall


def storm(db: str, teams: int, stop: Any, counter: Any, finish: bool = False) -> None:
    """Solves (and hints), 500 commands a batch, until stopped."""
    workload = Workload(hunts=1, teams=teams)
    engine, clock = _engine(Path(db), workload.starts_at + 3_600_000_000)
    engine.recover()
    clues = FINISH_CLUES if finish else SCORE_CLUES
    index = 0
    while not stop.is_set():
        batch = []
        for _ in range(500):
            team = f"t-{(index * 7919) % teams + 1}"
            clue = clues[index % 3]
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


def measure(
    db: Path, teams: int, seconds: float, peer_seconds: float, finish: bool = False
) -> Result:
    """Top-100 reads during the storm (with `finish`: each division's in turn, each
    division's latencies apart), then the SQL aggregate peer."""
    context = multiprocessing.get_context("spawn")
    stop = context.Event()
    counter = context.Value("q", 0)
    writer = context.Process(target=storm, args=(str(db), teams, stop, counter, finish))
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
        boards: tuple[str | None, ...] = DIVISIONS if finish else (None,)
        latencies: dict[str | None, list[float]] = {board: [] for board in boards}
        # This thread's CPU time per read: the work, without the waits.
        cpu: dict[str | None, list[float]] = {board: [] for board in boards}
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        reads = 0
        while time.monotonic() < deadline:
            division = boards[reads % len(boards)]
            reads += 1
            t = time.perf_counter()
            c = time.thread_time()
            rows = store.read_models.leaderboard(HUNT, "live", 100, 0, division)
            latencies[division].append(time.perf_counter() - t)
            cpu[division].append(time.thread_time() - c)
            assert len(rows) == min(100, teams // len(boards))
            assert all(row.division == division for row in rows)
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
    q50, q95, q99 = percentiles(peer, 50, 95, 99)
    pooled = _read_ms(
        [x for board in boards for x in latencies[board]],
        [x for board in boards for x in cpu[board]],
    )
    p99 = pooled["p99"]
    body: Result = {
        "teams": teams,
        "reads": reads,
        "storm_commands_per_second": round(storm_rate),
        "questline_ms": pooled,
        "sql_aggregate_peer_ms": {
            "reads": len(peer),
            "p50": round(q50 * 1e3, 3),
            "p95": round(q95 * 1e3, 3),
            "p99": round(q99 * 1e3, 3),
        },
        "ratio_p99_peer_over_questline": round(q99 * 1e3 / p99, 1) if p99 else None,
    }
    if finish:
        body["ranking"] = "finish"
        body["division_ms"] = {
            str(board): _read_ms(latencies[board], cpu[board]) for board in boards
        }
    return body


def _read_ms(latencies: list[float], cpu: list[float]) -> dict[str, float]:
    p50, p95, p99 = percentiles(latencies, 50, 95, 99)
    c50, c99 = percentiles(cpu, 50, 99)
    return {
        "p50": round(p50 * 1e3, 3),
        "p95": round(p95 * 1e3, 3),
        "p99": round(p99 * 1e3, 3),
        "cpu_p50": round(c50 * 1e3, 3),
        "cpu_p99": round(c99 * 1e3, 3),
    }


def run(quick: bool) -> tuple[Result, Any]:
    sizes = [1_000] if tiny() else [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    seconds = scaled_time(3.0 if quick else 10.0)
    points = []
    peer_seconds = scaled_time(2.0 if quick else 5.0)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        for teams in sizes:
            db = Path(tmp) / f"lb-{teams}.db"
            setup = prepare(db, teams)
            point = measure(db, teams, seconds, peer_seconds)
            points.append({**point, "setup_seconds": round(setup, 1)})
        teams = sizes[-1]
        db = Path(tmp) / f"lb-finish-{teams}.db"
        setup = prepare(db, teams, finish=True)
        divisions = {
            **measure(db, teams, seconds, peer_seconds, finish=True),
            "setup_seconds": round(setup, 1),
        }
    largest = points[-1]
    p99 = largest["questline_ms"]["p99"]
    at_full = largest["teams"] >= 100_000
    division_p99 = max(d["p99"] for d in divisions["division_ms"].values())
    body: Result = {
        "sizes": points,
        "finish_divisions": divisions,
        "goals": [
            goal(
                f"top-100 p99 at {largest['teams']:,} teams during the storm",
                p99 < 5 and at_full,
                f"{p99} ms" + ("" if at_full else " (quick: not at 100,000)"),
                "< 5 ms at 100,000 teams",
            ),
            goal(
                f"ranking: finish with divisions, top-100 p99 per division board at "
                f"{divisions['teams']:,} teams during the storm",
                division_p99 < 1 and at_full,
                f"{division_p99} ms" + ("" if at_full else " (quick: not at 100,000)"),
                "< 1 ms at 100,000 teams",
            ),
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
