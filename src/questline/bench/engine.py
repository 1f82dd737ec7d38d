"""engine: commands decided + durably appended + projections applied per second,
in process, on the realistic mix; against the eventsourcing library (one
aggregate per team, load-decide-save, on its SQLite module) and raw sqlite3
executemany inserts of the same event rows in batches of 1,000."""

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.connection import Durability
from questline.adapters.sqlite.schema import DDL
from questline.adapters.sqlite.store import SqliteStore
from questline.bench.common import Result, Stopwatch, bar_plot, goal, scaled
from questline.domain.commands import AdjustScore, Command, Submit, TextGiven, UnlockHint
from questline.domain.text_normalization import normalize_answer
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload, workload_hunt
from questline.ports import CommandEnvelope

BATCH = 1000
EventRow = tuple[int, str, int, str, int, int, str, str, str, str]


def envelopes(commands: Iterator[Command], prefix: str) -> list[CommandEnvelope]:
    # Zero-padded ids, as a client's sequential or time-ordered ids would be.
    return [CommandEnvelope(f"{prefix}-{i:09d}", c) for i, c in enumerate(commands)]


def run_questline(
    directory: Path, durability: Durability, workload: Workload, plays: int
) -> tuple[Result, list[EventRow]]:
    store = SqliteStore(directory / f"questline-{durability}.db", durability)
    clock = ManualClock(workload.starts_at + 3600 * 1_000_000)
    engine = HuntEngine(store, clock)
    setup = envelopes(workload.setup(), "setup")
    for start in range(0, len(setup), BATCH):
        engine.execute(setup[start : start + BATCH])
    head = store.events.head()
    play = envelopes(workload.play(plays), "play")
    accepted = 0
    with Stopwatch() as watch:
        for start in range(0, len(play), BATCH):
            clock.advance(1000)
            outcomes = engine.execute(play[start : start + BATCH])
            accepted += sum(1 for o in outcomes if o.reply is not None)
    events = store.events.head() - head
    rows: list[EventRow] = store._writer.execute(
        "SELECT position, hunt_id, version, type, schema, time, command_id, correlation_id,"
        " payload, hash FROM events WHERE position > ? ORDER BY position",
        (head,),
    ).fetchall()
    store.close()
    return {
        "commands": plays,
        "accepted": accepted,
        "events": events,
        "seconds": round(watch.wall, 4),
        "cpu_seconds": round(watch.cpu, 4),
        "commands_per_second": round(plays / watch.wall),
        "commands_per_cpu_second": round(plays / watch.cpu) if watch.cpu else None,
    }, rows


def run_raw_inserts(
    directory: Path, durability: Durability, rows: list[EventRow], plays: int
) -> Result:
    """The same event rows, inserted by executemany in transactions of 1,000."""
    db = sqlite3.connect(directory / f"raw-{durability}.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={durability.upper()}")
    db.executescript(DDL)
    sql = (
        "INSERT INTO events (position, hunt_id, version, type, schema, time, command_id,"
        " correlation_id, payload, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    with Stopwatch() as watch:
        for start in range(0, len(rows), BATCH):
            db.execute("BEGIN IMMEDIATE")
            db.executemany(sql, rows[start : start + BATCH])
            db.execute("COMMIT")
    db.close()
    return {
        "rows": len(rows),
        "seconds": round(watch.wall, 4),
        "rows_per_second": round(len(rows) / watch.wall),
        # The rows of `plays` commands: the same work, counted per command.
        "commands_per_second": round(plays / watch.wall),
    }


def run_eventsourcing(
    directory: Path, durability: Durability, workload: Workload, plays: int
) -> Result:
    """One aggregate per team; each command loads it, decides, and saves its event
    (one transaction per command, the library's unit of work)."""
    from eventsourcing.sqlite import SQLiteConnectionPool

    from questline.bench.es_peer import Hunts, Team

    original = SQLiteConnectionPool._create_connection

    def create_connection(self: Any) -> Any:
        connection = original(self)
        connection._sqlite_conn.execute(f"PRAGMA synchronous={durability.upper()}")
        return connection

    definition = workload_hunt("x", workload.starts_at)
    accept = {
        c.id: {normalize_answer(a) for a in getattr(c.answer, "accept", ())}
        for c in definition.clues
    }

    SQLiteConnectionPool._create_connection = create_connection  # type: ignore[method-assign]
    try:
        app = Hunts(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(directory / f"eventsourcing-{durability}.db"),
                # The peer at its best: aggregates stay in memory, as Questline's state does.
                "AGGREGATE_CACHE_MAXSIZE": str(workload.teams * 2),
            }
        )
        ids: dict[tuple[str, str], uuid.UUID] = {}
        per_hunt = max(workload.teams // workload.hunts, 1)
        for index, hunt_id in enumerate(h for _ in range(per_hunt) for h in workload.hunt_ids()):
            team_id = f"t-{index // workload.hunts + 1}"
            team = Team(hunt_id, team_id)
            ids[(hunt_id, team_id)] = team.id
            app.save(team)
        commands = list(workload.play(plays))
        with Stopwatch() as watch:
            for command in commands:
                key = (command.hunt_id, getattr(command, "team_id", ""))
                team = app.repository.get(ids[key])
                if isinstance(command, Submit):
                    given = command.given
                    if command.clue_id in team.solved:
                        continue
                    right = (
                        isinstance(given, TextGiven)
                        and normalize_answer(given.answer) in accept[command.clue_id]
                    )
                    if right:
                        team.solve(command.clue_id)
                    else:
                        team.answer_wrong(command.clue_id)
                elif isinstance(command, UnlockHint):
                    if command.clue_id in team.hints:
                        continue
                    team.unlock_hint(command.clue_id)
                elif isinstance(command, AdjustScore):
                    team.adjust(command.points)
                app.save(team)
        app.close()
    finally:
        SQLiteConnectionPool._create_connection = original  # type: ignore[method-assign]
    return {
        "commands": plays,
        "seconds": round(watch.wall, 4),
        "commands_per_second": round(plays / watch.wall),
        "aggregate_cache": True,
    }


def run(quick: bool) -> tuple[Result, list[tuple[str, list[str], list[float], str]]]:
    workload = Workload(hunts=20, teams=scaled(10_000))
    plays = scaled(20_000 if quick else 200_000)
    peer_plays = scaled(2_000 if quick else 20_000)
    rows_by_durability: dict[str, Result] = {}
    goals: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        directory = Path(tmp)
        durabilities: tuple[Durability, ...] = ("normal", "full")
        for durability in durabilities:
            questline, rows = run_questline(directory, durability, workload, plays)
            raw = run_raw_inserts(directory, durability, rows, plays)
            es = run_eventsourcing(directory, durability, workload, peer_plays)
            rows_by_durability[durability] = {
                "questline": questline,
                "raw_sqlite_inserts": raw,
                "eventsourcing": es,
                "ratio_vs_eventsourcing": round(
                    questline["commands_per_second"] / es["commands_per_second"], 2
                ),
                "ratio_vs_raw_inserts": round(
                    questline["commands_per_second"] / raw["commands_per_second"], 3
                ),
            }
    normal = rows_by_durability["normal"]
    q = normal["questline"]["commands_per_second"]
    goals.append(
        goal("engine commands/s (WAL, synchronous=NORMAL)", q >= 100_000, f"{q:,}", ">= 100,000")
    )
    ratio_es = normal["ratio_vs_eventsourcing"]
    goals.append(goal("vs the eventsourcing library", ratio_es >= 10, f"{ratio_es}x", ">= 10x"))
    ratio_raw = normal["ratio_vs_raw_inserts"]
    goals.append(goal("vs raw sqlite3 inserts", ratio_raw >= 0.4, f"{ratio_raw:.0%}", ">= 40%"))
    body: Result = {
        "workload": {
            "hunts": workload.hunts,
            "teams": workload.teams,
            "batch": BATCH,
            "plays": plays,
            "peer_plays": peer_plays,
        },
        "durability": rows_by_durability,
        "goals": goals,
    }
    labels: list[str] = []
    values: list[float] = []
    for mode, result in rows_by_durability.items():
        for name in ("questline", "eventsourcing", "raw_sqlite_inserts"):
            labels.append(f"{name} ({mode})")
            values.append(float(result[name]["commands_per_second"]))
    return body, [("engine: commands per second, realistic mix", labels, values, "commands/s")]


def plot(target: Path, plots: list[tuple[str, list[str], list[float], str]]) -> None:
    title, labels, values, unit = plots[0]
    bar_plot(target, title, labels, values, unit)
