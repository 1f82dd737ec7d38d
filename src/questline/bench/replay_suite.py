"""replay: `questline replay` (rebuild every read model) and `questline verify`
speed in events per second over a generated log; peer: reading and decoding
the same rows with sqlite3 and msgspec alone (the floor of any fold)."""

import tempfile
from pathlib import Path
from typing import Any

from questline.adapters.sqlite.event_log import row_to_event
from questline.adapters.sqlite.store import SqliteStore
from questline.bench.common import Result, Stopwatch, bar_plot, goal, scaled
from questline.bench.event_generator import LogShape, generate
from questline.engine.verification import replay, verify


def shape(events: int) -> LogShape:
    """20 hunts, with enough teams that a team plays about 40 commands: the
    workload mix draws teams at random, and teams that solved everything only
    get `already_solved` (no event), which no real team keeps sending."""
    return LogShape(hunts=20, teams_per_hunt=max(scaled(500), events // 800))


def build_log(db: Path, events: int) -> tuple[int, Stopwatch]:
    """The realistic log of `events` events (see event_generator); its build time."""
    store = SqliteStore(db, "normal")
    try:
        with Stopwatch() as watch:
            written = generate(store, events, shape(events))
    finally:
        store.close()
    return written, watch


def run(quick: bool) -> tuple[Result, Any]:
    events = scaled(50_000 if quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="questline-bench-") as tmp:
        db = Path(tmp) / "replay.db"
        written, build = build_log(db, events)
        store = SqliteStore(db, "normal", create=False)
        try:
            with Stopwatch() as floor:
                count = 0
                reader = store._reader()
                for row in reader.execute(
                    "SELECT position, hunt_id, version, type, schema, time, command_id,"
                    " correlation_id, payload, hash FROM events ORDER BY position"
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
    floor_rate = count / floor.wall
    verify_rate = written / check.wall
    verify_1m = 1_000_000 / verify_rate
    body: Result = {
        "events": written,
        "log_build": {"seconds": round(build.wall, 1), "cpu_seconds": round(build.cpu, 1)},
        "read_models_rows": rows,
        "replay": {
            "seconds": round(rebuild.wall, 3),
            "events_per_second": round(replay_rate),
            # On a shared machine CPU time is the steadier figure.
            "cpu_seconds": round(rebuild.cpu, 3),
            "events_per_cpu_second": round(written / rebuild.cpu) if rebuild.cpu else None,
        },
        "verify": {
            "seconds": round(check.wall, 3),
            "events_per_second": round(verify_rate),
            "differences": len(differences),
            "cpu_seconds": round(check.cpu, 3),
            "events_per_cpu_second": round(written / check.cpu) if check.cpu else None,
            "seconds_per_1m_events": round(verify_1m, 2),
        },
        "read_and_decode_floor": {
            "seconds": round(floor.wall, 3),
            "events_per_second": round(count / floor.wall),
        },
        "ratio_replay_vs_floor": round(rebuild.wall and floor.wall / rebuild.wall, 3),
        "goals": [
            goal(
                "replay events/s vs reading and decoding the same log",
                replay_rate >= 0.5 * floor_rate,
                f"{replay_rate / floor_rate:.0%} ({replay_rate:,.0f} vs {floor_rate:,.0f})",
                ">= 50%",
            ),
            goal(
                "verify of 1,000,000 events",
                verify_1m < 5,
                f"{verify_1m:.1f} s" + ("" if written >= 1_000_000 else " (extrapolated)"),
                "< 5 s",
            ),
        ],
    }
    labels = ["read + decode only (floor)", "replay (rebuild)", "verify"]
    values = [count / floor.wall, replay_rate, verify_rate]
    return body, (labels, values)


def plot(target: Path, data: Any) -> None:
    labels, values = data
    bar_plot(target, "replay: events per second", labels, values, "events/s")
