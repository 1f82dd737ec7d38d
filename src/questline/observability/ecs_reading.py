"""Reading ECS JSON log lines back (drills, the failover timeline): the lines of a
process's log, and a line's time."""

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any


def ecs_lines(path: Path) -> list[dict[str, Any]]:
    """The JSON (ECS) lines of a process's log; other lines (typer's stderr, a line cut
    short by a kill) skipped; none for a log not written yet."""
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if raw.startswith("{"):
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError:
                continue
    return lines


def ecs_time(line: Mapping[str, Any]) -> float:
    """A log line's @timestamp as epoch seconds."""
    return datetime.fromisoformat(str(line["@timestamp"]).replace("Z", "+00:00")).timestamp()
