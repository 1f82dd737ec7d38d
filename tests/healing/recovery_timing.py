"""Recovery time with and without snapshots as one hunt's log grows.

    uv run python -m tests.healing.recovery_timing [--sizes 50000,100000,200000]

Builds one hunt's log with the engine itself (the synthetic workload mix), then
times `HuntEngine.recover()` on a fresh process-local engine: from the log alone,
from a snapshot at the head, and from a snapshot 10k events behind the head.
Prints a Markdown table (docs/self-healing.md quotes it).
"""

import argparse
import tempfile
import time
from pathlib import Path

from questline.adapters.clocks import ManualClock
from questline.adapters.sqlite.snapshot_store import SqliteSnapshotStore
from questline.adapters.sqlite.store import SqliteStore
from questline.domain.timestamps import MICROS_PER_SECOND
from questline.engine.hunt_engine import HuntEngine
from questline.loadgen.workload import Workload
from questline.ports import CommandEnvelope

TAIL = 10_000


def grow(engine: HuntEngine, workload: Workload, events: int, offset: int) -> int:
    """Run play commands until the log holds `events` events; return commands sent."""
    assert isinstance(engine.clock, ManualClock)
    sent = offset
    play = workload.play(10**9)
    while engine.store.events.head() < events:
        batch = []
        for _ in range(1000):
            sent += 1
            batch.append(CommandEnvelope(f"p{sent}", next(play)))
        engine.clock.advance(MICROS_PER_SECOND)
        engine.execute(batch)
    return sent


def timed_recover(path: Path, *, with_snapshots: bool) -> tuple[float, int]:
    """The best of three recoveries (the machine may be busy with other work)."""
    runs = [_recover_once(path, with_snapshots=with_snapshots) for _ in range(3)]
    return min(runs)


def _recover_once(path: Path, *, with_snapshots: bool) -> tuple[float, int]:
    store = SqliteStore(path)
    snaps = SqliteSnapshotStore(path) if with_snapshots else None
    engine = HuntEngine(store, ManualClock(0), snapshots=snaps, snapshot_every=10**12)
    started = time.perf_counter()
    replayed = engine.recover()
    seconds = time.perf_counter() - started
    store.close()
    if snaps is not None:
        snaps.close()
    return seconds, replayed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50000,100000,200000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    workload = Workload(hunts=1, teams=2000, seed=3)
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "recovery.db"
        store = SqliteStore(path)
        snaps = SqliteSnapshotStore(path)
        engine = HuntEngine(
            store, ManualClock(workload.starts_at), snapshots=snaps, snapshot_every=10**12
        )
        engine.execute([CommandEnvelope(f"s{i}", c) for i, c in enumerate(workload.setup())])
        sent = 0
        for size in sizes:
            sent = grow(engine, workload, size - TAIL, sent)
            engine.take_snapshots()
            sent = grow(engine, workload, size, sent)
            head = store.events.head()
            behind, replayed_behind = timed_recover(path, with_snapshots=True)
            engine.take_snapshots()
            full, replayed_full = timed_recover(path, with_snapshots=False)
            at_head, replayed_head = timed_recover(path, with_snapshots=True)
            size_kb = len(snaps.load_all()[0].body) / 1024
            rows.append(
                f"| {head:,} | {full:.2f} s ({replayed_full:,} events) "
                f"| {at_head:.3f} s ({replayed_head:,}) "
                f"| {behind:.3f} s ({replayed_behind:,}) | {size_kb:,.0f} KiB |"
            )
            print(rows[-1], flush=True)
        store.close()
        snaps.close()
    print()
    print(
        "| events in the hunt's log | log only | snapshot at head | snapshot 10k behind "
        "| snapshot size |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
