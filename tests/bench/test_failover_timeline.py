"""Reading where a failover's seconds went from the broker's and the surviving
worker's logs (bench/failover_timeline.py), on lines as those processes write them."""

import json
from datetime import UTC, datetime
from pathlib import Path

from questline.bench.failover_timeline import broker_moments, timeline

KILLED = datetime(2026, 12, 6, 10, 36, 29, 786000).timestamp()  # local time, as log4j's


def _broker_line(seconds_after_kill: float, text: str) -> str:
    at = datetime.fromtimestamp(KILLED + seconds_after_kill)
    return f"[{at.strftime('%Y-%m-%d %H:%M:%S')},{at.microsecond // 1000:03d}] INFO {text}"


def _ecs(seconds_after_kill: float, **fields: object) -> str:
    at = datetime.fromtimestamp(KILLED + seconds_after_kill, UTC)
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
    return json.dumps({"@timestamp": stamp, **fields})


def test_the_moments_of_a_failover_are_counted_from_the_kill(tmp_path: Path) -> None:
    group = "fo-1-workers"
    broker = tmp_path / "server.log"
    broker.write_text(
        "\n".join(
            [
                _broker_line(-20, f"[GroupCoordinator 1]: Stabilized group {group} generation 3"),
                _broker_line(
                    2.5,
                    f"[GroupCoordinator 1]: Preparing to rebalance group {group} in state "
                    "PreparingRebalance with old generation 3 (reason: removing member "
                    "worker-a-6ffa0b8a on heartbeat expiration)",
                ),
                _broker_line(2.6, "[GroupCoordinator 1]: Stabilized group other-workers gen 9"),
                _broker_line(2.7, f"[GroupCoordinator 1]: Stabilized group {group} generation 4"),
            ]
        )
    )
    survivor = tmp_path / "worker-b.log"
    survivor.write_text(
        "\n".join(
            [
                "worker worker-b joining 127.0.0.1:9092",
                _ecs(-5, event={"action": "partition-assigned"}, questline={"partition": 2}),
                _ecs(
                    3.3,
                    event={"action": "partition-restored", "duration": 50_000_000},
                    questline={"partition": 3},
                ),
                _ecs(
                    3.3,
                    event={"action": "partition-assigned"},
                    questline={"partition": 3, "open_seconds": 0.55},
                ),
                _ecs(
                    3.4,
                    event={"action": "partition-restored", "duration": 40_000_000},
                    questline={"partition": 2},
                ),
                _ecs(
                    3.4,
                    event={"action": "partition-assigned"},
                    questline={"partition": 2, "open_seconds": 0.6},
                ),
            ]
        )
    )
    moments = broker_moments(broker, group, "worker-a", KILLED)
    assert timeline(KILLED, KILLED + 3.5, survivor, [2, 3], moments) == {
        "member_dropped_s": 2.5,
        "group_stable_s": 2.7,
        "assigned_s": 2.75,
        "slowest_fence_s": 0.56,
        "slowest_restore_s": 0.05,
        "all_opened_s": 3.4,
        "first_answer_s": 3.5,
    }
