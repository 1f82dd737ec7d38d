"""memory: resident memory per 100,000 teams in a live engine (registered and
playing); peer: the same teams as bare slotted objects in a dict (the floor
of keeping anything per team in Python). Each side runs in a fresh process.

The resident growth is Python's heap plus SQLite's page cache (at most 2 MB per
connection, connection.py; until 2026-12-06 it was 256 MB and held the whole file): a
third process runs the engine under tracemalloc for the heap alone, and the file's
size is recorded."""

import json
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from questline.bench.common import Result, bar_plot, goal, rss_bytes, scaled


def _questline(teams: int, db: str, heap: bool = False) -> tuple[int, int]:
    """(How much the process grew, the database's size): RSS, or with `heap` the
    Python heap (tracemalloc)."""
    import gc
    import tracemalloc

    from questline.adapters.clocks import ManualClock
    from questline.adapters.sqlite.store import SqliteStore
    from questline.engine.hunt_engine import HuntEngine
    from questline.loadgen.workload import Workload
    from questline.ports import CommandEnvelope

    workload = Workload(hunts=20, teams=teams)
    setup = list(workload.setup())
    plays = list(workload.play(teams))
    store = SqliteStore(Path(db), "normal")
    engine = HuntEngine(store, ManualClock(workload.starts_at + 3_600_000_000), recent_capacity=0)
    gc.collect()
    if heap:
        tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0] if heap else rss_bytes()
    for start in range(0, len(setup), 1000):
        engine.execute(
            [
                CommandEnvelope(f"s{start + i}", c, remember=False)
                for i, c in enumerate(setup[start : start + 1000])
            ]
        )
    for start in range(0, len(plays), 1000):
        engine.execute(
            [
                CommandEnvelope(f"p{start + i}", c, remember=False)
                for i, c in enumerate(plays[start : start + 1000])
            ]
        )
    del setup, plays
    gc.collect()
    grown = (tracemalloc.get_traced_memory()[0] if heap else rss_bytes()) - before
    with closing(sqlite3.connect(db)) as reader:  # what the file holds, WAL included
        pages = reader.execute("PRAGMA page_count").fetchone()[0]
        page_size = reader.execute("PRAGMA page_size").fetchone()[0]
    return grown, pages * page_size


class _Team:
    __slots__ = ("name", "score", "solved")

    def __init__(self, name: str) -> None:
        self.name = name
        self.score = 0
        self.solved: dict[str, int] = {}


def _floor(teams: int) -> int:
    before = rss_bytes()
    held = {f"t-{i}": _Team(f"team {i}") for i in range(teams)}
    after = rss_bytes()
    assert len(held) == teams
    return after - before


def child(kind: str, teams: int, db: str) -> None:
    if kind == "floor":
        print(json.dumps({"bytes": _floor(teams), "db_bytes": 0}))
        return
    grown, db_bytes = _questline(teams, db, heap=kind == "heap")
    print(json.dumps({"bytes": grown, "db_bytes": db_bytes}))


def _measure(kind: str, teams: int, db: str) -> tuple[int, int]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from questline.bench.memory_suite import child; child({kind!r}, {teams}, {db!r})",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    return int(found["bytes"]), int(found["db_bytes"])


def run(quick: bool) -> tuple[Result, Any]:
    teams = scaled(20_000 if quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        grown, db_bytes = _measure("questline", teams, str(Path(tmp) / "m.db"))
        heap, _ = _measure("heap", teams, str(Path(tmp) / "h.db"))
        floor, _ = _measure("floor", teams, "")
    per_team = grown / teams
    floor_per_team = floor / teams
    body: Result = {
        "teams": teams,
        "questline": {
            "rss_growth_bytes": grown,
            "bytes_per_team": round(per_team),
            "mb_per_100k_teams": round(per_team * 100_000 / 2**20, 1),
            # Python's heap; the database file (SQLite's cache holds at most 2 MB of it).
            "python_heap_bytes_per_team": round(heap / teams),
            "database_bytes_per_team": round(db_bytes / teams),
        },
        "slotted_object_floor": {
            "rss_growth_bytes": floor,
            "bytes_per_team": round(floor_per_team),
            "mb_per_100k_teams": round(floor_per_team * 100_000 / 2**20, 1),
        },
        "ratio_vs_floor": round(per_team / floor_per_team, 2) if floor_per_team > 0 else None,
        "goals": [goal("memory per team", per_team < 1000, f"{per_team:,.0f} B", "< 1,000 B")],
    }
    return body, (["questline (live engine)", "slotted object floor"], [per_team, floor_per_team])


def plot(target: Path, data: Any) -> None:
    labels, values = data
    bar_plot(target, "memory: resident bytes per team", labels, values, "bytes per team")
