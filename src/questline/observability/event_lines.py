"""The line logged for each committed event, encoded directly.

A writer logs one line per event it commits (embedded: the group committer; cluster: a
partition worker). Through structlog's processors and the ECS renderer a line cost about
25 us, a fifth of a `serve --workers` writer's time (bench/NOTES.md, workers). Its
fields are always the same few: the line is a template with the constant parts encoded
once, the texts quoted once each (hunt ids, team ids, command names repeat), and the
same redaction as every line (`logs.scrub_text` on each text). `tests/observability/
test_event_lines.py` checks that it equals, field for field, what structlog writes.

Only when this process logs ECS JSON through our handler alone and no context is bound
(a bound context adds fields to every line): otherwise the caller logs the usual way."""

import logging
import os
import time
from collections.abc import Sequence

import structlog

from questline.domain.events import RecordedEvent
from questline.observability import logs
from questline.observability.line_parts import Clock, quote

_clock = Clock()


def write(
    logger_name: str, events: Sequence[tuple[RecordedEvent, str | None]], projected: bool
) -> bool:
    """Write a line per (event, command type); False when it must go through structlog."""
    target = logs.json_target()
    if (
        target is None
        or not logging.getLogger(logger_name).isEnabledFor(logging.INFO)
        or structlog.contextvars.get_contextvars()
    ):
        return False
    if not events:
        return True
    scrub = logs.scrub_text
    message = "event committed and projected" if projected else "event committed"
    head = (
        f'"log.level":"info","message":"{message}","ecs.version":"1.6.0",'
        '"event":{"action":"event-committed","kind":"event"},'
        f'"log":{{"logger":{quote(logger_name)}}},"process":{{"pid":{os.getpid()}}},'
    )
    tail_service = f'"service":{{"name":{quote(target.service)}}}'
    stamp = _clock.stamp(time.time())
    lines = []
    for recorded, command in events:
        team_id = getattr(recorded.event, "team_id", None)
        parts = []
        if command:
            parts.append(f'"command":{quote(scrub(command))}')
        if recorded.command_id:
            parts.append(f'"command_id":{quote(scrub(recorded.command_id))}')
        parts.append(f'"event_type":{quote(recorded.type)}')
        if recorded.hunt_id:  # (an empty text is left out, as `logs.fields` does)
            parts.append(f'"hunt_id":{quote(scrub(recorded.hunt_id))}')
        parts.append(f'"hunt_version":{recorded.version}')
        if recorded.position:
            parts.append(f'"position":{recorded.position}')
        parts.append(f'"projected":{"true" if projected else "false"}')
        if team_id:
            parts.append(f'"team_id":{quote(scrub(team_id))}')
        trace = (
            f',"trace":{{"id":{quote(scrub(recorded.correlation_id))}}}'
            if recorded.correlation_id
            else ""
        )
        lines.append(
            f'{{"@timestamp":"{stamp}",{head}"questline":{{{",".join(parts)}}},'
            f"{tail_service}{trace}}}\n"
        )
    target.acquire()
    try:
        target.stream.write("".join(lines))
        target.flush()
    finally:
        target.release()
    return True
