"""Where replay and verify spend their time: pyinstrument over both, on a generated
log, written to docs/benchmarks/replay-profile.txt.

    uv run python -m questline.bench.replay_profile [EVENTS]
"""

import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

from questline.adapters.sqlite.store import SqliteStore
from questline.bench.event_generator import LogShape, generate
from questline.engine.verification import replay, verify

TARGET = Path("docs/benchmarks/replay-profile.txt")


def main(events: int) -> None:
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        store = SqliteStore(Path(tmp) / "replay.db", "normal")
        try:
            generate(store, events, LogShape())
            profiler = Profiler(interval=0.001)
            with profiler:
                replay(store)
                verify(store)
        finally:
            store.close()
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    header = f"replay then verify of {events:,} generated events (pyinstrument)\n\n"
    TARGET.write_text(header + profiler.output_text(unicode=True, color=False))
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)
