"""replay: `questline replay` (rebuild every read model) and `questline verify`
speed in events per second over a generated log; peer: reading and decoding
the same rows with sqlite3 and msgspec alone (the floor of any fold)."""

import tempfile
from pathlib import Path
from typing import Any

from questline.adapters.sqlite.event_log import row_to_event
from questline.adapters.sqlite.store import SqliteStore
from questline.bench.common import Result, Stopwatch, bar_plot, goal, scaled
from questline.engine.batch_decider import BatchDecider
from questline.engine.envelopes import CommandEnvelope
from questline.engine.verification import replay, verify
from questline.loadgen.workload import Workload


def build_log(db: Path, events: int) -> int:
    """Decide the realistic mix in memory and append its events until `events`."""
    workload = Workload(hunts=20, teams=scaled(10_000))
    decider = BatchDecider(recent_capacity=0)
    store = SqliteStore(db, "normal")
    now = workload.starts_at + 3_600_000_000
    written = 0
    setup = [CommandEnvelope(f"s{i}", c, remember=False) for i, c in enumerate(workload.setup())]
    plays = iter(workload.play(events * 2))
    pending = setup
    index = 0
    while written < events:
        decided = decider.decide_batch(pending, now, lambda ids: {})
        chunk = decided.events[: events - written]
        with store.transaction() as uow:
            uow.events.append(chunk)
        written += len(chunk)
        now += 1000
        pending = [
            CommandEnvelope(f"p{index + i}", c, remember=False)
            for i, c in zip(range(10_000), plays, strict=False)
        ]
        index += len(pending)
    store.close()
    return written


def run(quick: bool) -> tuple[Result, Any]:
    events = scaled(50_000 if quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        db = Path(tmp) / "replay.db"
        written = build_log(db, events)
        store = SqliteStore(db, "normal", create=False)
        try:
            with Stopwatch() as floor:
                count = 0
                reader = store._reader()
                for row in reader.execute(
                    "SELECT position, hunt_id, version, type, schema, time, command_id,"
                    " correlation_id, payload FROM events ORDER BY position"
                ):
                    row_to_event(row)
                    count += 1
            with Stopwatch() as rebuild:
                rows = replay(store)
            with Stopwatch() as check:
                differences = verify(store)
        finally:
            store.close()
    replay_rate = written / rebuild.wall
    verify_rate = written / check.wall
    verify_1m = 1_000_000 / verify_rate
    body: Result = {
        "events": written,
        "read_models_rows": rows,
        "replay": {"seconds": round(rebuild.wall, 3), "events_per_second": round(replay_rate)},
        "verify": {
            "seconds": round(check.wall, 3),
            "events_per_second": round(verify_rate),
            "differences": len(differences),
            "seconds_per_1m_events": round(verify_1m, 2),
        },
        "read_and_decode_floor": {
            "seconds": round(floor.wall, 3),
            "events_per_second": round(count / floor.wall),
        },
        "ratio_replay_vs_floor": round(rebuild.wall and floor.wall / rebuild.wall, 3),
        "goals": [
            goal("replay events/s", replay_rate >= 200_000, f"{replay_rate:,.0f}", ">= 200,000"),
            goal(
                "verify of 1,000,000 events",
                verify_1m < 10,
                f"{verify_1m:.1f} s" + ("" if written >= 1_000_000 else " (extrapolated)"),
                "< 10 s",
            ),
        ],
    }
    labels = ["read + decode only (floor)", "replay (rebuild)", "verify"]
    values = [count / floor.wall, replay_rate, verify_rate]
    return body, (labels, values)


def plot(target: Path, data: Any) -> None:
    labels, values = data
    bar_plot(target, "replay: events per second", labels, values, "events/s")
