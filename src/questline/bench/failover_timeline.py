"""Where the seconds of one worker failover go, read from the logs the processes
write anyway: the broker's (when the group coordinator dropped the dead member and
gave its partitions out again) and the surviving worker's ECS lines (when it began
to open each partition, how long its restore took, when it owned it). Each moment
is counted from the kill, in seconds."""

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from questline.observability.ecs_reading import ecs_lines, ecs_time

# log4j's "[2026-12-06 10:36:35,166] INFO [GroupCoordinator 1]: ..." (local time)
_BROKER_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})\] ")


def _dotted(line: Mapping[str, Any], name: str) -> Any:
    value: Any = line
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def broker_moments(log: Path, group: str, member: str, after: float) -> dict[str, float]:
    """When (epoch seconds) the coordinator dropped `member` from `group` and when the
    group was next stable, both after `after`."""
    moments: dict[str, float] = {}
    for raw in log.read_text(encoding="utf-8", errors="replace").splitlines():
        stamp = _BROKER_LINE.match(raw)
        if stamp is None or f"group {group} " not in raw:
            continue
        at = datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if at < after:
            continue
        lowered = raw.lower()
        if "dropped" not in moments and f"removing member {member.lower()}-" in lowered:
            moments["dropped"] = at
        elif "dropped" in moments and "stabilized group" in lowered:
            moments.setdefault("stable", at)
    return moments


def timeline(
    killed_at: float,
    first_answer_at: float,
    survivor_log: Path,
    partitions: Iterable[int],
    broker: Mapping[str, float],
) -> dict[str, float | None]:
    """The failover's moments, seconds after the kill: the member dropped (its
    session ran out), the group stable again, the survivor given the partitions,
    each fenced and restored, and the first answer from one of them."""
    wanted = set(partitions)
    opened: dict[int, tuple[float, float]] = {}  # partition -> (began, owned)
    restore_s: dict[int, float] = {}
    for line in ecs_lines(survivor_log):
        at = ecs_time(line)
        partition = _dotted(line, "questline.partition")
        if at < killed_at or partition not in wanted:
            continue
        action = _dotted(line, "event.action")
        if action == "partition-restored" and partition not in restore_s:
            restore_s[partition] = int(_dotted(line, "event.duration") or 0) / 1e9
        elif action == "partition-assigned" and partition not in opened:
            took = float(_dotted(line, "questline.open_seconds") or 0.0)
            opened[partition] = (at - took, at)

    def since(moment: float | None) -> float | None:
        return None if moment is None else round(moment - killed_at, 3)

    fences = [owned - began - restore_s.get(p, 0.0) for p, (began, owned) in opened.items()]
    return {
        "member_dropped_s": since(broker.get("dropped")),
        "group_stable_s": since(broker.get("stable")),
        "assigned_s": since(min((b for b, _ in opened.values()), default=None)),
        "slowest_fence_s": round(max(fences), 3) if fences else None,
        "slowest_restore_s": round(max(restore_s.values()), 3) if restore_s else None,
        "all_opened_s": since(max((o for _, o in opened.values()), default=None)),
        "first_answer_s": since(first_answer_at),
    }
