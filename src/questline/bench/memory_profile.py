"""Where a live engine's memory per team goes: tracemalloc over registering and
playing N teams (the memory suite's workload), grouped by the line that allocated,
written to docs/benchmarks/memory-profile.txt.

    uv run python -m questline.bench.memory_profile [TEAMS]
"""

import gc
import sys
import tempfile
import tracemalloc
from pathlib import Path

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.store import SqliteStore
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope

TARGET = Path("docs/benchmarks/memory-profile.txt")
SHOWN = 25


def main(teams: int) -> None:
    workload = Workload(hunts=20, teams=teams)
    setup = list(workload.setup())
    plays = list(workload.play(teams))
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        store = SqliteStore(Path(tmp) / "memory.db", "normal")
        engine = HuntEngine(
            store, ManualClock(workload.starts_at + 3_600_000_000), recent_capacity=0
        )
        gc.collect()
        tracemalloc.start(1)
        before = tracemalloc.take_snapshot()
        for name, commands in (("s", setup), ("p", plays)):
            for start in range(0, len(commands), 1000):
                batch = commands[start : start + 1000]
                engine.execute(
                    [
                        CommandEnvelope(f"{name}{start + i}", c, remember=False)
                        for i, c in enumerate(batch)
                    ]
                )
        del setup, plays
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        store.close()
    package = str(Path(__file__).resolve().parents[1])
    stats = [s for s in after.compare_to(before, "lineno") if s.size_diff > 0]
    total = sum(s.size_diff for s in stats)
    lines = [
        f"live engine, {teams:,} teams over 20 hunts, registered and playing "
        "(tracemalloc, Python heap only: SQLite's page cache is outside it)",
        "",
        f"Python heap grown: {total:,} B = {total / teams:,.0f} B per team",
        "",
        f"{'B per team':>10}  {'share':>6}  allocated at",
    ]
    for stat in stats[:SHOWN]:
        frame = stat.traceback[0]
        where = frame.filename.replace(package, "questline")
        lines.append(
            f"{stat.size_diff / teams:>10,.0f}  {stat.size_diff / total:>6.1%}  "
            f"{where}:{frame.lineno}"
        )
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text("\n".join(lines) + "\n")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
